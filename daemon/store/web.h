/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SQL of the staff web interface and of `referralctl user`: accounts,
 * sessions, the audit log, the queue and one referral's page. */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"
#include "db.h"

G_BEGIN_DECLS

typedef struct {
        gint64 id;
        char *name;
        char *role;          /* "staff" | "admin" */
        char *password_hash; /* crypto_pwhash_str */
        gboolean disabled;
        gboolean locked;     /* locked_until is in the future */
} RdWebUser;
void rd_web_user_free(RdWebUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdWebUser, rd_web_user_free)

/* Accounts (referralctl user).  *ret_found FALSE: no such name. */
gboolean rd_db_web_user_add(RdDb *db, const char *name, const char *role, const char *hash, GError **error);
gboolean rd_db_web_user_disable(RdDb *db, const char *name, gboolean *ret_found, GError **error);
/* A new password: enabled again, unlocked, every session of the name ended;
 * @role NULL keeps the role. */
gboolean rd_db_web_user_reset(RdDb *db, const char *name, const char *role, const char *hash,
                              gboolean *ret_found, GError **error);
RdDbRows *rd_db_web_user_list(RdDb *db, GError **error);

/* Login: *ret_user NULL when the name is unknown. */
gboolean rd_db_web_user_lookup(RdDb *db, const char *name, RdWebUser **ret_user, GError **error);
/* One more failed login; after @max_failures in a row the account is
 * locked for @lock_usec. */
gboolean rd_db_web_login_failed(RdDb *db, gint64 user_id, guint max_failures, guint64 lock_usec,
                                gboolean *ret_locked, GError **error);
/* A good login: the failure count reset and the session stored. */
gboolean rd_db_web_login_ok(RdDb *db, gint64 user_id, const char *token_sha256, const char *csrf_token,
                            const char *remote, GError **error);

typedef struct {
        char *user_name;
        char *role;
        char *csrf_token;
} RdWebSession;
void rd_web_session_free(RdWebSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdWebSession, rd_web_session_free)

/* The live session of a cookie, touched; NULL (and the row deleted) when
 * unknown, idle longer than @idle_usec, or its account disabled. */
gboolean rd_db_web_session_get(RdDb *db, const char *token_sha256, guint64 idle_usec,
                               RdWebSession **ret_session, GError **error);
gboolean rd_db_web_session_end(RdDb *db, const char *token_sha256, GError **error);

/* One audit record under the person's name.  @referral_id 0: none. */
gboolean rd_db_web_audit(RdDb *db, const char *user_name, const char *action, gint64 referral_id,
                         const char *detail_json, const char *remote, GError **error);

/* The queue page.  @state: "review", "incomplete", "complete",
 * "scheduled", "closed" or NULL (all); @line, @partner_id (0: any), @q
 * (patient name, DOB as YYYY-MM-DD, MRN or reference) may be NULL. */
typedef struct {
        const char *state;
        const char *line;
        gint64 partner_id;
        const char *q;
        guint offset;
        guint limit;
} RdWebQueueQuery;
RdDbRows *rd_db_web_queue(RdDb *db, const RdWebQueueQuery *query, GError **error);
/* Rows (rank, count) for the state tabs. */
RdDbRows *rd_db_web_queue_counts(RdDb *db, GError **error);
/* Rows (id, name) of the partner directory. */
RdDbRows *rd_db_web_partners(RdDb *db, GError **error);

/* One referral: its fields (no row: no such referral), checklist with
 * reasons and resolutions, documents, pages, events, replies. */
RdDbRows *rd_db_web_referral(RdDb *db, gint64 id, GError **error);
RdDbRows *rd_db_web_checklist(RdDb *db, gint64 id, GError **error);
RdDbRows *rd_db_web_documents(RdDb *db, gint64 id, GError **error);
RdDbRows *rd_db_web_pages(RdDb *db, gint64 id, GError **error);
RdDbRows *rd_db_web_events(RdDb *db, gint64 id, GError **error);
RdDbRows *rd_db_web_replies(RdDb *db, gint64 id, GError **error);

/* Page @number of item @item_id of referral @referral_id: the item's bytes
 * and media type, the MIME part holding it ("file" for a fax) and its
 * 0-based index in that part.  *ret_raw NULL: no such page. */
gboolean rd_db_web_page_source(RdDb *db, gint64 referral_id, gint64 item_id, guint number, GBytes **ret_raw,
                               char **ret_media_type, char **ret_part, guint *ret_index, GError **error);

/* Staff resolve a checklist item with a note, as `referralctl resolve`
 * does, in one transaction with the audit record.  *ret_known FALSE: the
 * item is not on the referral's checklist (nothing changed). */
gboolean rd_db_web_resolve(RdDb *db, const RdConfig *config, gint64 referral_id, const char *item,
                           const char *note, const char *user_name, const char *remote, gboolean *ret_known,
                           gboolean *ret_complete, GError **error);

G_END_DECLS
