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
 * (patient name, DOB as YYYY-MM-DD, MRN, reference or phone) may be NULL. */
typedef struct {
        const char *state;
        const char *line;
        gint64 partner_id;
        const char *q;
        const char *since, *until; /* received on or after / on or before, YYYY-MM-DD, or NULL */
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

/* ---- changes (web-edit.c) ----------------------------------------------- */

/* Who changes a referral, and the version of it their form was drawn
 * from (the referral page's "version" field; NULL: no check). */
typedef struct {
        const char *user_name;
        const char *remote;
        const char *version;
} RdWebActor;

typedef enum {
        RD_WEB_EDIT_DONE,
        RD_WEB_EDIT_CONFLICT,  /* the referral changed since the form was drawn: nothing saved */
        RD_WEB_EDIT_NOT_FOUND, /* no such referral, or page of it */
        RD_WEB_EDIT_REFUSED,   /* the change does not apply: why says */
        RD_WEB_EDIT_CONFIRM,   /* attach: the patient differs; ask again (why says how) */
} RdWebEdit;

typedef struct {
        RdWebEdit outcome;
        char *why;         /* owned: for the person; CONFLICT: who changed it last */
        gboolean complete; /* the referral became complete */
} RdWebEditResult;
void rd_web_edit_result_clear(RdWebEditResult *res);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RdWebEditResult, rd_web_edit_result_clear)

/* Each change is one transaction: the change, its event (with the
 * person's name), the checklist re-run where the change decides it (the
 * worker's rd_db_loop_recheck; a complete referral a correction leaves
 * with a missing item is incomplete again), and the audit record.
 * Returns FALSE only for a database failure. */
gboolean rd_db_web_page_type(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id, guint number,
                             const char *type, const RdWebActor *who, RdWebEditResult *res, GError **error);
gboolean rd_db_web_resolve(RdDb *db, const RdConfig *config, gint64 referral_id, const char *item, const char *note,
                           const RdWebActor *who, RdWebEditResult *res, GError **error);

typedef enum {
        RD_WEB_FIELD_TEXT,
        RD_WEB_FIELD_DATE,
        RD_WEB_FIELD_SERVICE_LINE,
        RD_WEB_FIELD_URGENCY,
} RdWebFieldKind;
typedef struct {
        const char *column; /* the referral's column, also the form's name */
        const char *label;
        RdWebFieldKind kind;
} RdWebField;
/* NULL: not a field staff can edit. */
const RdWebField *rd_web_field_lookup(const char *column);
extern const char *const rd_web_service_lines[]; /* NULL-terminated */
extern const char *const rd_web_urgencies[];

/* @value NULL or "": the field emptied. */
gboolean rd_db_web_set_field(RdDb *db, const RdConfig *config, gint64 referral_id, const char *column,
                             const char *value, const RdWebActor *who, RdWebEditResult *res, GError **error);
/* scheduled (with @local_time "YYYY-MM-DD HH:MM" on the clock of
 * @timezone, stored as that instant), seen, declined or redirected (with
 * @note). */
gboolean rd_db_web_set_status(RdDb *db, gint64 referral_id, const char *status, const char *local_time,
                              const char *timezone, const char *note, const RdWebActor *who, RdWebEditResult *res,
                              GError **error);

/* Rows (item, since, reason, candidates, family, given, dob, channel) of
 * the unmatched follow-ups; (item, channel, attached) of a referral's. */
RdDbRows *rd_db_web_unmatched(RdDb *db, GError **error);
RdDbRows *rd_db_web_attached(RdDb *db, gint64 referral_id, GError **error);
/* An unmatched follow-up added to the referral (RD_WEB_EDIT_CONFIRM when
 * its patient differs and !@confirmed).  On DONE the transaction stays
 * open: the caller queues the replies (res->complete) and commits. */
gboolean rd_db_web_attach(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id, gboolean confirmed,
                          const RdWebActor *who, RdWebEditResult *res, GError **error);
/* The undo: the item's documents leave the referral and it waits among
 * the unmatched follow-ups again. */
gboolean rd_db_web_detach(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id,
                          const RdWebActor *who, RdWebEditResult *res, GError **error);

/* A reply of the referral approved or held (rd_store_outbox_decide), or a
 * held one's subject and text changed before it goes. */
gboolean rd_db_web_reply_decide(RdDb *db, gint64 referral_id, gint64 outbox_id, gboolean approve,
                                const RdWebActor *who, RdWebEditResult *res, GError **error);
gboolean rd_db_web_reply_edit(RdDb *db, gint64 referral_id, gint64 outbox_id, const char *subject,
                              const char *body, const RdWebActor *who, RdWebEditResult *res, GError **error);

/* ---- partners and the report (web-partner.c) -------------------------------- */

/* Rows (id, name, tier, reply_channel, reply_email, reply_fax, contact,
 * keys, referrals): the directory, or one partner (keys a line each). */
RdDbRows *rd_db_web_partner_list(RdDb *db, GError **error);
RdDbRows *rd_db_web_partner_one(RdDb *db, gint64 id, GError **error);

typedef struct {
        const char *name, *tier, *reply_channel, *reply_email, *reply_fax, *contact; /* NULL: none */
        GPtrArray *key_kinds, *key_values; /* char*, normalised (rd_partner_parse_key), the same length */
} RdWebPartnerForm;
/* Adds (@id 0) or changes a partner, its keys replaced by the form's; then
 * the referrals without a partner that its keys match are its
 * (*ret_matched of them).  REFUSED: the name or a key is another
 * partner's. */
gboolean rd_db_web_partner_save(RdDb *db, gint64 id, const RdWebPartnerForm *form, const RdWebActor *who,
                                RdWebEditResult *res, gint64 *ret_id, guint *ret_matched, GError **error);
/* Duplicates: @from's keys, items and referrals become @into's and @from
 * goes. */
gboolean rd_db_web_partner_merge(RdDb *db, gint64 from, gint64 into, const RdWebActor *who, RdWebEditResult *res,
                                 guint *ret_matched, GError **error);

/* The funnel since @since (YYYY-MM-DD, NULL: all): rows (partner NULL for
 * the total, first; received, complete on arrival, asked, completed,
 * scheduled, seen). */
RdDbRows *rd_db_web_funnel(RdDb *db, const char *since, GError **error);

G_END_DECLS
