/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_DB_ERROR (rd_db_error_quark())
GQuark rd_db_error_quark(void);
typedef enum {
        RD_DB_ERROR_TRANSIENT, /* connection lost, 08xxx, 40001, 57P0x: retry later */
        RD_DB_ERROR_REJECTED,  /* 23xxx, 22xxx: this row never fits */
        RD_DB_ERROR_INTERNAL,
} RdDbError;

typedef struct RdDb RdDb;

/* The process roles of schema/009_roles.sql. */
#define RD_DB_ROLE_OWNER "referrald_owner"
#define RD_DB_ROLE_INTAKE "referrald_intake"
#define RD_DB_ROLE_WORKER "referrald_worker"
#define RD_DB_ROLE_SENDER "referrald_sender"
#define RD_DB_ROLE_WEB "referrald_web"
#define RD_DB_ROLE_STAFF "referrald_staff"
#define RD_DB_ROLE_ADMIN "referrald_admin"

/* Connects and, with @role, does SET ROLE @role (again after every
 * reconnection): the login must be a member of it. */
RdDb *rd_db_connect(const char *conninfo, const char *password, const char *role, GError **error);
/* The same logging in as @user (NULL: the conninfo's) instead. */
RdDb *rd_db_connect_user(const char *conninfo, const char *user, const char *password, const char *role,
                         GError **error);
/* Reconnects acting as @role (NULL: the login itself), e.g. after the
 * supervisor ran the migrations as the login. */
gboolean rd_db_set_role(RdDb *db, const char *role, GError **error);
/* @conninfo without user, password and passfile: a person's connection,
 * as the operating-system user running the command (peer authentication).
 * Returns: (transfer full) */
char *rd_db_conninfo_without_login(const char *conninfo, GError **error);
/* The network hosts @conninfo names (host=, hostaddr=; not unix socket
 * folders).  Returns: (transfer full) a NULL-terminated vector. */
char **rd_db_conninfo_hosts(const char *conninfo);
void rd_db_free(RdDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdDb, rd_db_free)
/* Reconnect when the connection was lost; TRUE when usable. */
gboolean rd_db_ensure(RdDb *db, GError **error);
/* TRUE while the connection is up (no reconnecting). */
gboolean rd_db_connected(RdDb *db);
/* A sandboxed process may not open sockets: from now on a lost
 * connection is a transient error instead of a reconnection. */
void rd_db_forbid_reconnect(RdDb *db);
int rd_db_socket(RdDb *db);

gboolean rd_db_begin(RdDb *db, GError **error);
gboolean rd_db_commit(RdDb *db, GError **error);
void rd_db_rollback(RdDb *db);

/* Apply the embedded schema/NNN_*.sql migrations not yet recorded, each in
 * its own transaction, serialised across instances by an advisory lock. */
gboolean rd_db_migrate(RdDb *db, guint *ret_applied, GError **error);

typedef enum {
        RD_STORE_NEW,       /* a new item */
        RD_STORE_DUPLICATE, /* the same bytes as an earlier item, under another key */
        RD_STORE_AGAIN,     /* this exact receipt was stored before (source offered it twice) */
} RdStoreOutcome;

typedef struct {
        const char *source;        /* "dropdir" */
        const char *source_key;
        const char *original_name; /* stored, never logged */
        const char *sha256;
        guint64 size;
        const char *media_type;    /* may be NULL */
        const guint8 *raw;         /* may be NULL for a quarantined file too large to keep */
        const char *quarantine_reason; /* non-NULL: stored as quarantined */
} RdIntake;

typedef struct {
        RdStoreOutcome outcome;
        gint64 item_id;
        gboolean quarantined; /* the item (maybe the earlier one) is quarantined */
} RdStoreResult;

gboolean rd_db_store_intake(RdDb *db, const RdIntake *in, RdStoreResult *ret, GError **error);

typedef struct {
        gint64 id;
        guint attempts;
        char *media_type;
        char *received;   /* date it reached us (server's time zone), "YYYY-MM-DD" */
        GBytes *raw;
} RdLeasedItem;
void rd_leased_item_free(RdLeasedItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdLeasedItem, rd_leased_item_free)

/* Lease the oldest queued item: attempts+1 and a lease deadline, committed
 * before any work.  *ret_item is NULL when nothing is waiting. */
gboolean rd_db_lease(RdDb *db, const char *worker, guint64 lease_usec, RdLeasedItem **ret_item,
                     GError **error);
/* Inside a transaction the caller opened (so results commit with the state). */
gboolean rd_db_mark_done(RdDb *db, gint64 item_id, const char *worker, const char *detail_json,
                         GError **error);
/* A failed attempt: back to the queue with backoff, or failed after max_attempts. */
gboolean rd_db_mark_attempt_failed(RdDb *db, gint64 item_id, const char *worker, const char *reason,
                                   guint max_attempts, guint64 backoff_usec, GError **error);
/* A failure that no retry can mend (encrypted, not a fax): failed now. */
gboolean rd_db_mark_failed(RdDb *db, gint64 item_id, const char *worker, const char *reason,
                           GError **error);
/* Items leased by a worker that is gone.  count_attempt FALSE: a clean
 * release (shutdown), the attempt is given back. */
gboolean rd_db_release_worker(RdDb *db, const char *worker, const char *reason, gboolean count_attempt,
                              guint max_attempts, guint64 backoff_usec, guint *ret_n, GError **error);
/* Leases past their deadline go back to the queue, or fail after max_attempts. */
gboolean rd_db_reap_expired(RdDb *db, guint max_attempts, guint64 backoff_usec, guint *ret_n,
                            GError **error);

/* Results of a worker, inside the caller's transaction. */
gboolean rd_db_store_pages(RdDb *db, gint64 item_id, GPtrArray *pages /* RdPage* */,
                           const char *read_error, GError **error);
/* From the referral's extract JSON (contract keys plus missing_reasons):
 * the referral, its documents and checklist, and an event. */
gboolean rd_db_store_referral(RdDb *db, gint64 item_id, const char *json, gint64 *ret_referral_id,
                              GError **error);

typedef struct {
        gint64 queued, processing, done, failed, quarantined;
        gint64 waiting_now; /* queued and past not_before */
} RdQueueStats;
gboolean rd_db_queue_stats(RdDb *db, RdQueueStats *ret, GError **error);

/* Replies that need attention: waiting (queued or sending), failed, uncertain. */
typedef struct {
        gint64 waiting, failed, uncertain;
} RdOutboxStats;
gboolean rd_db_outbox_stats(RdDb *db, RdOutboxStats *ret, GError **error);

/* The distinct holders of leased items whose name starts with @prefix
 * ("host/"): (transfer full) a NULL-terminated vector. */
char **rd_db_lease_holders(RdDb *db, const char *prefix, GError **error);

gboolean rd_db_listen(RdDb *db, const char *channel, GError **error);
/* Consume pending notifications; TRUE when at least one arrived. */
gboolean rd_db_drain_notifications(RdDb *db);

gboolean rd_db_add_event(RdDb *db, gint64 item_id, const char *kind, const char *detail_json,
                         GError **error);

/* Generic read-only query for the command line: rows of nullable strings. */
typedef struct {
        GPtrArray *columns; /* char* */
        GPtrArray *rows;    /* GPtrArray* of char* (NULL for SQL NULL) */
} RdDbRows;
void rd_db_rows_free(RdDbRows *rows);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdDbRows, rd_db_rows_free)
RdDbRows *rd_db_query(RdDb *db, const char *sql, guint n_params, const char *const *params,
                      GError **error);
/* Row @r, column @c of @rows: borrowed, NULL for SQL NULL. */
const char *rd_db_rows_cell(const RdDbRows *rows, guint r, guint c);
/* First column of the first row, or NULL (no row or SQL NULL); *ret_ok is
 * FALSE, with @error set, when the query failed. */
char *rd_db_query_value(RdDb *db, const char *sql, guint n_params, const char *const *params,
                        gboolean *ret_ok, GError **error);
/* The first column of the first row is boolean true: *ret TRUE; no row or
 * false: FALSE. Returns FALSE with @error set when the query failed. */
gboolean rd_db_query_bool(RdDb *db, const char *sql, guint n_params, const char *const *params,
                          gboolean *ret, GError **error);
/* Binary-safe single bytea column fetch (first row, first column). */
GBytes *rd_db_query_bytes(RdDb *db, const char *sql, guint n_params, const char *const *params,
                          GError **error);
gboolean rd_db_exec(RdDb *db, const char *sql, guint n_params, const char *const *params,
                    GError **error);

G_END_DECLS
