/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PostgreSQL connection: errors, transactions, migrations, the item queue
 * (intake, lease, mark, reap), row helpers. */
#include <gio/gio.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "parsers/page.h"
#include "rd-schema-resources.h"

G_DEFINE_QUARK(rd-db-error-quark, rd_db_error)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PGresult, PQclear)

struct RdDb {
        PGconn *conn;    /* owned, PQfinish() in rd_db_free() */
        char *conninfo;  /* owned */
        char *password;  /* owned, may be NULL */
        char *role;      /* owned: SET ROLE to this after every connect, or NULL */
        char *user;      /* owned: the login instead of the conninfo's, or NULL */
        gboolean no_reconnect; /* sandboxed: a lost connection stays lost */
};

/* Serialises migrations between instances sharing one database. */
#define RD_MIGRATE_LOCK 1919184231 /* "rdmg" */

static void
set_conn_error(RdDb *db, GError **error, const char *what)
{
        const char *msg = db->conn ? PQerrorMessage(db->conn) : "out of memory";
        g_autofree char *clean = g_strstrip(g_strdup(msg));

        g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_TRANSIENT, "%s: %s", what, clean);
}

/* Classify by SQLSTATE.  The message is kept, but never the DETAIL text:
 * it quotes row values (STYLE.md). */
static gboolean
set_result_error(RdDb *db, PGresult *res, GError **error)
{
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
        RdDbError code = RD_DB_ERROR_INTERNAL;

        if (PQstatus(db->conn) != CONNECTION_OK || state == NULL ||
            g_str_has_prefix(state, "08") || g_str_has_prefix(state, "57P") ||
            strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
            g_str_has_prefix(state, "53"))
                code = RD_DB_ERROR_TRANSIENT;
        else if (g_str_has_prefix(state, "23") || g_str_has_prefix(state, "22"))
                code = RD_DB_ERROR_REJECTED;

        if (primary == NULL) {
                g_autofree char *msg = g_strstrip(g_strdup(PQerrorMessage(db->conn)));
                g_set_error(error, RD_DB_ERROR, code, "database: %s", *msg ? msg : "connection lost");
        } else if (constraint != NULL) {
                g_set_error(error, RD_DB_ERROR, code, "database: %s (SQLSTATE %s, constraint %s)",
                            primary, state, constraint);
        } else {
                g_set_error(error, RD_DB_ERROR, code, "database: %s (SQLSTATE %s)", primary,
                            state ? state : "?");
        }
        return FALSE;
}

/* The process acts as its own role (schema/009_roles.sql): only what
 * that role was granted. */
static gboolean
apply_role(RdDb *db, GError **error)
{
        if (db->role != NULL) {
                char *quoted = PQescapeIdentifier(db->conn, db->role, strlen(db->role));
                g_autofree char *sql = g_strdup_printf("SET ROLE %s", quoted ? quoted : "none");
                g_autoptr(PGresult) res = NULL;

                PQfreemem(quoted);
                res = PQexec(db->conn, sql);
                if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                        const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
                        g_autoptr(PGresult) who = PQexec(db->conn, "SELECT session_user");
                        const char *login = PQresultStatus(who) == PGRES_TUPLES_OK && PQntuples(who) == 1
                                                    ? PQgetvalue(who, 0, 0) : "?";

                        g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_INTERNAL,
                                    "the database login %s may not act as %s: %s (it must be a member of that role:"
                                    " GRANT %s TO %s; see README, \"Database roles\")",
                                    login, db->role, primary ? primary : "SET ROLE failed", db->role, login);
                        PQfinish(db->conn);
                        db->conn = NULL;
                        return FALSE;
                }
        }
        return TRUE;
}

static gboolean
open_conn(RdDb *db, GError **error)
{
        const char *keys[6] = { "dbname", "application_name", "connect_timeout" };
        const char *values[6] = { db->conninfo, "referrald", "10" };
        guint n = 3;

        if (db->conn)
                PQfinish(db->conn);
        if (db->password != NULL) {
                keys[n] = "password";
                values[n++] = db->password;
        }
        if (db->user != NULL) {
                keys[n] = "user";
                values[n++] = db->user;
        }
        /* expand_dbname: the first value is a whole connection string; the
         * later keys override it (so the password never sits in the config) */
        db->conn = PQconnectdbParams(keys, values, 1);
        if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
                set_conn_error(db, error, "connecting to the database");
                return FALSE;
        }
        {
                g_autoptr(PGresult) res = PQexec(db->conn, "SET client_min_messages = warning");
                (void)res;
        }
        return apply_role(db, error);
}

RdDb *
rd_db_connect_user(const char *conninfo, const char *user, const char *password, const char *role, GError **error)
{
        g_autoptr(RdDb) db = g_new0(RdDb, 1);

        db->conninfo = g_strdup(conninfo);
        db->user = g_strdup(user);
        db->password = g_strdup(password);
        db->role = g_strdup(role);
        if (!open_conn(db, error))
                return NULL;
        return g_steal_pointer(&db);
}

RdDb *
rd_db_connect(const char *conninfo, const char *password, const char *role, GError **error)
{
        return rd_db_connect_user(conninfo, NULL, password, role, error);
}

gboolean
rd_db_set_role(RdDb *db, const char *role, GError **error)
{
        g_free(db->role);
        db->role = g_strdup(role);
        if (!rd_db_connected(db))
                return open_conn(db, error);
        if (role == NULL) {
                g_autoptr(PGresult) res = PQexec(db->conn, "RESET ROLE");

                return PQresultStatus(res) == PGRES_COMMAND_OK || set_result_error(db, res, error);
        }
        return apply_role(db, error);
}

char *
rd_db_conninfo_without_login(const char *conninfo, GError **error)
{
        char *errmsg = NULL;
        PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
        GString *out;

        if (opts == NULL) {
                g_autofree char *clean = g_strstrip(g_strdup(errmsg ? errmsg : "out of memory"));

                PQfreemem(errmsg);
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED, "[database] conninfo: %s", clean);
                return NULL;
        }
        out = g_string_new(NULL);
        for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
                if (o->val == NULL || strcmp(o->keyword, "user") == 0 || strcmp(o->keyword, "password") == 0 ||
                    strcmp(o->keyword, "passfile") == 0)
                        continue;
                if (out->len > 0)
                        g_string_append_c(out, ' ');
                g_string_append_printf(out, "%s='", o->keyword);
                for (const char *c = o->val; *c; c++) {
                        if (*c == '\\' || *c == '\'')
                                g_string_append_c(out, '\\');
                        g_string_append_c(out, *c);
                }
                g_string_append_c(out, '\'');
        }
        PQconninfoFree(opts);
        return g_string_free(out, FALSE);
}

char **
rd_db_conninfo_hosts(const char *conninfo)
{
        PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
        g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func(g_free);

        for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++) {
                g_auto(GStrv) each = NULL;

                if (o->val == NULL || (strcmp(o->keyword, "host") != 0 && strcmp(o->keyword, "hostaddr") != 0))
                        continue;
                /* a comma-separated list; a path or @name is a unix socket */
                each = g_strsplit(o->val, ",", -1);
                for (guint i = 0; each[i] != NULL; i++) {
                        g_strstrip(each[i]);
                        if (*each[i] != '\0' && *each[i] != '/' && *each[i] != '@')
                                g_ptr_array_add(hosts, g_strdup(each[i]));
                }
        }
        PQconninfoFree(opts);
        g_ptr_array_add(hosts, NULL);
        return (char **)g_ptr_array_free(g_steal_pointer(&hosts), FALSE);
}

void
rd_db_free(RdDb *db)
{
        if (db == NULL)
                return;
        if (db->conn)
                PQfinish(db->conn);
        g_free(db->conninfo);
        g_free(db->role);
        g_free(db->user);
        if (db->password)
                explicit_bzero(db->password, strlen(db->password)); /* memset() before free() may be dropped */
        g_free(db->password);
        g_free(db);
}

gboolean
rd_db_ensure(RdDb *db, GError **error)
{
        if (rd_db_connected(db))
                return TRUE;
        if (db->no_reconnect) {
                g_set_error_literal(error, RD_DB_ERROR, RD_DB_ERROR_TRANSIENT,
                                    "the database connection was lost (this process may not open another)");
                return FALSE;
        }
        return open_conn(db, error);
}

gboolean
rd_db_connected(RdDb *db)
{
        return db->conn && PQstatus(db->conn) == CONNECTION_OK;
}

void
rd_db_forbid_reconnect(RdDb *db)
{
        db->no_reconnect = TRUE;
}

int
rd_db_socket(RdDb *db)
{
        return db->conn ? PQsocket(db->conn) : -1;
}

static PGresult *
exec_params(RdDb *db, const char *sql, int n, const char *const *values, const int *lengths,
            const int *formats)
{
        return PQexecParams(db->conn, sql, n, NULL, values, lengths, formats, 0);
}

static gboolean
exec_ok(RdDb *db, const char *sql, int n, const char *const *values, GError **error)
{
        g_autoptr(PGresult) res = exec_params(db, sql, n, values, NULL, NULL);
        ExecStatusType st = PQresultStatus(res);

        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
                return set_result_error(db, res, error);
        return TRUE;
}

gboolean
rd_db_exec(RdDb *db, const char *sql, guint n_params, const char *const *params, GError **error)
{
        if (!rd_db_ensure(db, error))
                return FALSE;
        return exec_ok(db, sql, (int)n_params, params, error);
}

gboolean
rd_db_begin(RdDb *db, GError **error)
{
        if (!rd_db_ensure(db, error))
                return FALSE;
        return exec_ok(db, "BEGIN", 0, NULL, error);
}

gboolean
rd_db_commit(RdDb *db, GError **error)
{
        return exec_ok(db, "COMMIT", 0, NULL, error);
}

void
rd_db_rollback(RdDb *db)
{
        if (db->conn && PQstatus(db->conn) == CONNECTION_OK) {
                g_autoptr(PGresult) res = PQexec(db->conn, "ROLLBACK");
                (void)res;
        }
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

gboolean
rd_db_migrate(RdDb *db, guint *ret_applied, GError **error)
{
        static const char *const prefix = "/org/referrald/schema";
        g_auto(GStrv) names = NULL;
        guint applied = 0;

        g_resources_register(rd_schema_get_resource());
        names = g_resources_enumerate_children(prefix, 0, error);
        if (names == NULL)
                return FALSE;
        qsort(names, g_strv_length(names), sizeof(char *), compare_names);
        if (!rd_db_ensure(db, error))
                return FALSE;

        for (gsize i = 0; names[i] != NULL; i++) {
                g_autofree char *path = g_build_path("/", prefix, names[i], NULL);
                g_autofree char *version = g_strndup(names[i], strspn(names[i], "0123456789"));
                g_autoptr(GBytes) sql = NULL;
                g_autoptr(PGresult) res = NULL;
                g_autofree char *text = NULL;
                const char *params[2] = { version, names[i] };

                if (*version == '\0' || !g_str_has_suffix(names[i], ".sql"))
                        continue;
                sql = g_resources_lookup_data(path, 0, error);
                if (sql == NULL)
                        return FALSE;
                text = g_strndup(g_bytes_get_data(sql, NULL), g_bytes_get_size(sql));

                if (!exec_ok(db, "BEGIN", 0, NULL, error))
                        return FALSE;
                /* once schema/009_roles.sql gave the schema to referrald_owner,
                 * new objects are created as that role too */
                if (!exec_ok(db, "SELECT pg_advisory_xact_lock(" G_STRINGIFY(RD_MIGRATE_LOCK) ")", 0,
                             NULL, error) ||
                    !exec_ok(db,
                             "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public'"
                             " AND tablename = 'schema_version' AND tableowner = 'referrald_owner')"
                             " THEN SET LOCAL ROLE referrald_owner; END IF; END $$",
                             0, NULL, error) ||
                    !exec_ok(db,
                             "CREATE TABLE IF NOT EXISTS schema_version ("
                             " version integer PRIMARY KEY, name text NOT NULL,"
                             " applied_at timestamptz NOT NULL DEFAULT now())",
                             0, NULL, error))
                        goto fail;
                res = exec_params(db, "SELECT 1 FROM schema_version WHERE version = $1::integer", 1,
                                  params, NULL, NULL);
                if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                        set_result_error(db, res, error);
                        goto fail;
                }
                if (PQntuples(res) > 0) {
                        rd_db_rollback(db);
                        continue;
                }
                {
                        g_autoptr(PGresult) mres = PQexec(db->conn, text);

                        if (PQresultStatus(mres) != PGRES_COMMAND_OK &&
                            PQresultStatus(mres) != PGRES_TUPLES_OK) {
                                set_result_error(db, mres, error);
                                g_prefix_error(error, "migration %s: ", names[i]);
                                goto fail;
                        }
                }
                if (!exec_ok(db, "INSERT INTO schema_version (version, name) VALUES ($1::integer, $2)",
                             2, params, error) ||
                    !exec_ok(db, "COMMIT", 0, NULL, error))
                        goto fail;
                applied++;
        }
        if (ret_applied)
                *ret_applied = applied;
        return TRUE;
fail:
        rd_db_rollback(db);
        return FALSE;
}

gboolean
rd_db_add_event(RdDb *db, gint64 item_id, const char *kind, const char *detail_json, GError **error)
{
        g_autofree char *id = item_id > 0 ? g_strdup_printf("%" G_GINT64_FORMAT, item_id) : NULL;
        const char *params[3] = { id, kind, detail_json ? detail_json : "{}" };

        return exec_ok(db, "INSERT INTO event (item_id, kind, detail) VALUES ($1::bigint, $2, $3::jsonb)",
                       3, params, error);
}

gboolean
rd_db_store_intake(RdDb *db, const RdIntake *in, RdStoreResult *ret, GError **error)
{
        g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT, in->size);
        const char *state = in->quarantine_reason ? "quarantined" : "queued";
        const char *values[8] = { in->source, in->source_key, in->sha256, size, in->media_type,
                                  (const char *)in->raw, state, in->quarantine_reason };
        int lengths[8] = { 0, 0, 0, 0, 0, in->raw ? (int)in->size : 0, 0, 0 };
        int formats[8] = { 0, 0, 0, 0, 0, 1, 0, 0 };
        g_autoptr(PGresult) res = NULL;
        g_autofree char *id_text = NULL;
        g_autofree char *detail = NULL;

        if (in->raw && in->size > G_MAXINT) {
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED, "item too large to store");
                return FALSE;
        }
        memset(ret, 0, sizeof *ret);
        if (!rd_db_begin(db, error))
                return FALSE;

        res = exec_params(db,
                          "INSERT INTO item (source, source_key, sha256, size, media_type, raw, state,"
                          " last_error) VALUES ($1, $2, $3, $4::bigint, $5, $6::bytea, $7, $8)"
                          " ON CONFLICT (sha256) DO NOTHING RETURNING id",
                          8, values, lengths, formats);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
                goto fail_res;

        if (PQntuples(res) == 1) {
                const char *rparams[4];

                id_text = g_strdup(PQgetvalue(res, 0, 0));
                ret->outcome = RD_STORE_NEW;
                ret->item_id = g_ascii_strtoll(id_text, NULL, 10);
                ret->quarantined = in->quarantine_reason != NULL;
                rparams[0] = id_text;
                rparams[1] = in->source;
                rparams[2] = in->source_key;
                rparams[3] = in->original_name;
                if (!exec_ok(db,
                             "INSERT INTO receipt (item_id, source, source_key, original_name)"
                             " VALUES ($1::bigint, $2, $3, $4)",
                             4, rparams, error))
                        goto fail;
                detail = g_strdup_printf("{\"source\": \"%s\", \"size\": %s, \"media_type\": %s%s%s%s}",
                                         in->source, size, in->media_type ? "\"" : "",
                                         in->media_type ? in->media_type : "null",
                                         in->media_type ? "\"" : "",
                                         in->quarantine_reason ? ", \"quarantined\": true" : "");
                if (!rd_db_add_event(db, ret->item_id, in->quarantine_reason ? "quarantined" : "received",
                                     detail, error))
                        goto fail;
                if (!in->quarantine_reason && !exec_ok(db, "NOTIFY rd_queue", 0, NULL, error))
                        goto fail;
        } else {
                const char *sparams[1] = { in->sha256 };
                g_autoptr(PGresult) found = exec_params(db,
                                                        "SELECT id, state FROM item WHERE sha256 = $1",
                                                        1, sparams, NULL, NULL);
                g_autoptr(PGresult) rec = NULL;
                const char *rparams[4];

                if (PQresultStatus(found) != PGRES_TUPLES_OK || PQntuples(found) != 1) {
                        set_result_error(db, found, error);
                        goto fail;
                }
                id_text = g_strdup(PQgetvalue(found, 0, 0));
                ret->item_id = g_ascii_strtoll(id_text, NULL, 10);
                ret->quarantined = strcmp(PQgetvalue(found, 0, 1), "quarantined") == 0;
                rparams[0] = id_text;
                rparams[1] = in->source;
                rparams[2] = in->source_key;
                rparams[3] = in->original_name;
                rec = exec_params(db,
                                  "INSERT INTO receipt (item_id, source, source_key, original_name, duplicate)"
                                  " VALUES ($1::bigint, $2, $3, $4, true)"
                                  " ON CONFLICT ON CONSTRAINT receipt_key DO NOTHING RETURNING id",
                                  4, rparams, NULL, NULL);
                if (PQresultStatus(rec) != PGRES_TUPLES_OK) {
                        set_result_error(db, rec, error);
                        goto fail;
                }
                if (PQntuples(rec) == 1) {
                        ret->outcome = RD_STORE_DUPLICATE;
                        detail = g_strdup_printf("{\"source\": \"%s\", \"receipt\": %s}", in->source,
                                                 PQgetvalue(rec, 0, 0));
                        if (!rd_db_add_event(db, ret->item_id, "duplicate", detail, error))
                                goto fail;
                } else {
                        ret->outcome = RD_STORE_AGAIN;
                }
        }
        return rd_db_commit(db, error);

fail_res:
        set_result_error(db, res, error);
fail:
        rd_db_rollback(db);
        return FALSE;
}

void
rd_leased_item_free(RdLeasedItem *item)
{
        if (item == NULL)
                return;
        g_free(item->media_type);
        g_free(item->received);
        if (item->raw)
                g_bytes_unref(item->raw);
        g_free(item);
}

gboolean
rd_db_lease(RdDb *db, const char *worker, guint64 lease_usec, RdLeasedItem **ret_item, GError **error)
{
        g_autofree char *secs = g_strdup_printf("%" G_GUINT64_FORMAT, lease_usec / G_USEC_PER_SEC + 1);
        const char *values[2] = { worker, secs };
        g_autoptr(PGresult) res = NULL;
        RdLeasedItem *item;

        *ret_item = NULL;
        if (!rd_db_ensure(db, error))
                return FALSE;
        /* One statement, autocommit: the lease (attempts+1, deadline) is
         * durable before the worker touches the bytes. */
        res = PQexecParams(db->conn,
                           /* the worker role reads no item's bytes but the one it leases */
                           "SELECT id, attempts, media_type, raw, received"
                           " FROM rd_worker_lease($1, $2::double precision)",
                           2, NULL, values, NULL, NULL, 1 /* binary results */);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
                return set_result_error(db, res, error);
        if (PQntuples(res) == 0)
                return TRUE;

        item = g_new0(RdLeasedItem, 1);
        /* binary: int8 and int4 in network order */
        item->id = (gint64)GINT64_FROM_BE(*(const gint64 *)(const void *)PQgetvalue(res, 0, 0));
        item->attempts = (guint)GINT32_FROM_BE(*(const gint32 *)(const void *)PQgetvalue(res, 0, 1));
        if (!PQgetisnull(res, 0, 2))
                item->media_type = g_strndup(PQgetvalue(res, 0, 2), PQgetlength(res, 0, 2));
        if (!PQgetisnull(res, 0, 3))
                item->raw = g_bytes_new(PQgetvalue(res, 0, 3), PQgetlength(res, 0, 3));
        else
                item->raw = g_bytes_new(NULL, 0);
        if (!PQgetisnull(res, 0, 4))
                item->received = g_strndup(PQgetvalue(res, 0, 4), PQgetlength(res, 0, 4));
        *ret_item = item;
        return TRUE;
}

gboolean
rd_db_mark_done(RdDb *db, gint64 item_id, const char *worker, const char *detail_json, GError **error)
{
        g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, item_id);
        const char *values[2] = { id, worker };
        g_autoptr(PGresult) res = exec_params(db,
                                              "UPDATE item SET state = 'done', lease_until = NULL,"
                                              " leased_by = NULL, last_error = NULL, updated_at = now()"
                                              " WHERE id = $1::bigint AND leased_by = $2"
                                              " AND state = 'processing'",
                                              2, values, NULL, NULL);

        if (PQresultStatus(res) != PGRES_COMMAND_OK)
                return set_result_error(db, res, error);
        if (strcmp(PQcmdTuples(res), "1") != 0) {
                /* the lease expired and the item went to another worker */
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED, "lease on item %s was lost", id);
                return FALSE;
        }
        return rd_db_add_event(db, item_id, "processed", detail_json, error);
}

/* Next try after backoff * 2^(attempts-1), capped at a day. */
#define BACKOFF_SQL \
        "now() + make_interval(secs => least(86400, $4::double precision * power(2, greatest(attempts - 1, 0))))"

gboolean
rd_db_mark_attempt_failed(RdDb *db, gint64 item_id, const char *worker, const char *reason,
                          guint max_attempts, guint64 backoff_usec, GError **error)
{
        g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, item_id);
        g_autofree char *max = g_strdup_printf("%u", max_attempts);
        g_autofree char *backoff = g_strdup_printf("%.3f", backoff_usec / 1e6);
        const char *values[5] = { id, worker, max, backoff, reason };
        g_autoptr(PGresult) res = NULL;
        g_autofree char *detail = NULL;

        if (!rd_db_ensure(db, error))
                return FALSE;
        res = exec_params(db,
                          "UPDATE item SET state = CASE WHEN attempts >= $3::integer THEN 'failed'"
                          " ELSE 'queued' END, not_before = " BACKOFF_SQL ", lease_until = NULL,"
                          " leased_by = NULL, last_error = $5, updated_at = now()"
                          " WHERE id = $1::bigint AND leased_by = $2 AND state = 'processing'"
                          " RETURNING state, attempts",
                          5, values, NULL, NULL);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
                return set_result_error(db, res, error);
        if (PQntuples(res) == 1) {
                g_autofree char *quoted = g_strescape(reason, NULL);

                detail = g_strdup_printf("{\"error\": \"%s\", \"attempt\": %s}", quoted,
                                         PQgetvalue(res, 0, 1));
                return rd_db_add_event(db, item_id,
                                       strcmp(PQgetvalue(res, 0, 0), "failed") == 0 ? "failed" :
                                                                                      "attempt-failed",
                                       detail, error);
        }
        return TRUE;
}

gboolean
rd_db_mark_failed(RdDb *db, gint64 item_id, const char *worker, const char *reason, GError **error)
{
        /* attempts >= 1 always holds for a leased item, so max_attempts 1 fails it now */
        return rd_db_mark_attempt_failed(db, item_id, worker, reason, 1, 0, error);
}

gboolean
rd_db_store_pages(RdDb *db, gint64 item_id, GPtrArray *pages, const char *read_error, GError **error)
{
        g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, item_id);
        g_autofree char *n = g_strdup_printf("%u", pages->len);
        const char *ivalues[3] = { id, read_error, n };

        if (!exec_ok(db, "DELETE FROM page WHERE item_id = $1::bigint", 1, ivalues, error))
                return FALSE;
        for (guint i = 0; i < pages->len; i++) {
                const RdPage *p = pages->pdata[i];
                g_autofree char *number = g_strdup_printf("%u", p->number);
                g_autofree char *conf = g_strdup_printf("%.1f", p->confidence);
                g_autofree char *rot = g_strdup_printf("%d", p->rotation);
                g_autofree char *skew = g_strdup_printf("%.2f", p->skew);
                g_autofree char *w = g_strdup_printf("%u", p->width);
                g_autofree char *h = g_strdup_printf("%u", p->height);
                g_autofree char *ms = g_strdup_printf("%u", p->ms);
                const char *values[11] = { id, number, p->source_part ? p->source_part : "file",
                                           rd_page_method_to_string(p->method), p->text, conf, rot, skew,
                                           p->width ? w : NULL, p->height ? h : NULL, ms };

                if (!exec_ok(db,
                             "INSERT INTO page (item_id, number, source_part, method, text, confidence,"
                             " rotation, skew, width, height, ms) VALUES ($1::bigint, $2::integer, $3, $4, $5,"
                             " $6::real, $7::smallint, $8::real, $9::integer, $10::integer, $11::integer)",
                             11, values, error))
                        return FALSE;
        }
        return exec_ok(db, "UPDATE item SET read_error = $2, n_pages = $3::integer WHERE id = $1::bigint", 3,
                       ivalues, error);
}

gboolean
rd_db_store_referral(RdDb *db, gint64 item_id, const char *json, gint64 *ret_referral_id, GError **error)
{
        g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, item_id);
        const char *values[2] = { id, json };
        g_autoptr(PGresult) res = NULL;
        const char *rvalues[2];

        /* the JSON is the contract object, parsed by PostgreSQL; no patient
         * field passes through C string formatting */
        res = exec_params(db,
                          "WITH j AS (SELECT $2::jsonb AS j)"
                          " INSERT INTO referral (item_id, channel, received, patient_family, patient_given,"
                          "  patient_dob, patient_sex, patient_phone, patient_mrn, referring_name, referring_npi,"
                          "  referring_practice, referring_phone, referring_fax, service_line, urgency, reason,"
                          "  diagnoses, status, missing_ekg, missing_labs, confidence, extract)"
                          " SELECT $1::bigint, coalesce(j->>'channel', 'fax'), rd_try_date(j->>'received'),"
                          "  j->'patient'->>'family', j->'patient'->>'given', rd_try_date(j->'patient'->>'dob'),"
                          "  j->'patient'->>'sex', j->'patient'->>'phone', j->'patient'->>'mrn',"
                          "  j->'referring'->>'name', j->'referring'->>'npi', j->'referring'->>'practice',"
                          "  j->'referring'->>'phone', j->'referring'->>'fax', j->>'service_line', j->>'urgency',"
                          "  j->>'reason',"
                          "  ARRAY(SELECT jsonb_array_elements_text(coalesce(j->'diagnoses', '[]'))),"
                          "  CASE WHEN (j->>'complete')::boolean THEN 'complete' ELSE 'incomplete' END,"
                          "  coalesce(j->'missing', '[]') ? 'ekg',"
                          "  EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(j->'missing', '[]')) m"
                          "          WHERE m = 'labs' OR m LIKE 'labs:%'),"
                          "  (j->>'confidence')::real / 100, j"
                          " FROM j RETURNING id, status",
                          2, values, NULL, NULL);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
                return set_result_error(db, res, error);
        *ret_referral_id = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        rvalues[0] = PQgetvalue(res, 0, 0);
        rvalues[1] = json;
        if (!exec_ok(db,
                     "INSERT INTO referral_document (referral_id, item_id, type, pages, date, panels, confidence)"
                     " SELECT $1::bigint, r.item_id, d->>'type',"
                     "  ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'pages', '[]'))::integer),"
                     "  rd_try_date(d->>'date'),"
                     "  ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'panels', '[]'))),"
                     "  (d->>'confidence')::real"
                     " FROM referral r, jsonb_array_elements(coalesce($2::jsonb->'documents', '[]')) d"
                     " WHERE r.id = $1::bigint",
                     2, rvalues, error) ||
            !exec_ok(db,
                     "INSERT INTO referral_checklist (referral_id, item, present, why, date_found)"
                     " SELECT $1::bigint, req, NOT (coalesce($2::jsonb->'missing', '[]') ? req),"
                     "  (SELECT m->>'why' FROM jsonb_array_elements(coalesce($2::jsonb->'missing_reasons', '[]')) m"
                     "   WHERE m->>'item' = req LIMIT 1),"
                     "  (SELECT rd_try_date(m->>'date') FROM jsonb_array_elements("
                     "    coalesce($2::jsonb->'missing_reasons', '[]')) m WHERE m->>'item' = req LIMIT 1)"
                     " FROM jsonb_array_elements_text(coalesce($2::jsonb->'required', '[]')) req"
                     " ON CONFLICT DO NOTHING",
                     2, rvalues, error) ||
            !exec_ok(db,
                     "INSERT INTO event (item_id, referral_id, kind, detail)"
                     " SELECT item_id, id, 'referral-created', jsonb_build_object('status', status,"
                     "  'service_line', service_line, 'urgency', urgency, 'missing', extract->'missing')"
                     " FROM referral WHERE id = $1::bigint",
                     1, rvalues, error))
                return FALSE;
        return TRUE;
}

static gboolean
requeue_where(RdDb *db, const char *where, const char *arg, const char *reason, gboolean count_attempt,
              guint max_attempts, guint64 backoff_usec, guint *ret_n, GError **error)
{
        g_autofree char *max = g_strdup_printf("%u", max_attempts);
        g_autofree char *backoff = g_strdup_printf("%.3f", backoff_usec / 1e6);
        const char *values[5] = { arg ? arg : "", reason, max, backoff, count_attempt ? "1" : "0" };
        g_autofree char *sql = g_strdup_printf(
                "WITH gone AS (UPDATE item SET"
                " attempts = CASE WHEN $5::integer = 1 THEN attempts ELSE greatest(attempts - 1, 0) END,"
                " state = CASE WHEN $5::integer = 1 AND attempts >= $3::integer THEN 'failed' ELSE 'queued' END,"
                " not_before = CASE WHEN $5::integer = 1 THEN " BACKOFF_SQL " ELSE now() END,"
                " lease_until = NULL, leased_by = NULL,"
                " last_error = CASE WHEN $5::integer = 1 THEN $2 ELSE last_error END, updated_at = now()"
                " WHERE state = 'processing' AND %s RETURNING id, state, attempts)"
                " INSERT INTO event (item_id, kind, detail) SELECT id,"
                "  CASE WHEN state = 'failed' THEN 'failed' WHEN $5::integer = 1 THEN 'attempt-failed'"
                "  ELSE 'released' END,"
                "  jsonb_build_object('error', $2::text, 'attempt', attempts) FROM gone",
                where);
        g_autoptr(PGresult) res = NULL;

        if (!rd_db_ensure(db, error))
                return FALSE;
        res = exec_params(db, sql, 5, values, NULL, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
                return set_result_error(db, res, error);
        if (ret_n)
                *ret_n = (guint)g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
        if (ret_n && *ret_n > 0)
                (void)exec_ok(db, "NOTIFY rd_queue", 0, NULL, NULL);
        return TRUE;
}

gboolean
rd_db_release_worker(RdDb *db, const char *worker, const char *reason, gboolean count_attempt,
                     guint max_attempts, guint64 backoff_usec, guint *ret_n, GError **error)
{
        return requeue_where(db, "leased_by = $1", worker, reason, count_attempt, max_attempts,
                             backoff_usec, ret_n, error);
}

gboolean
rd_db_reap_expired(RdDb *db, guint max_attempts, guint64 backoff_usec, guint *ret_n, GError **error)
{
        return requeue_where(db, "lease_until < now() AND $1 = ''", NULL,
                             "lease expired: the worker did not finish in time", TRUE, max_attempts,
                             backoff_usec, ret_n, error);
}

gboolean
rd_db_queue_stats(RdDb *db, RdQueueStats *ret, GError **error)
{
        g_autoptr(PGresult) res = NULL;

        memset(ret, 0, sizeof *ret);
        if (!rd_db_ensure(db, error))
                return FALSE;
        res = PQexec(db->conn,
                     "SELECT state, count(*), count(*) FILTER (WHERE not_before <= now())"
                     " FROM item GROUP BY state");
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
                return set_result_error(db, res, error);
        for (int i = 0; i < PQntuples(res); i++) {
                const char *state = PQgetvalue(res, i, 0);
                gint64 n = g_ascii_strtoll(PQgetvalue(res, i, 1), NULL, 10);

                if (strcmp(state, "queued") == 0) {
                        ret->queued = n;
                        ret->waiting_now = g_ascii_strtoll(PQgetvalue(res, i, 2), NULL, 10);
                } else if (strcmp(state, "processing") == 0) {
                        ret->processing = n;
                } else if (strcmp(state, "done") == 0) {
                        ret->done = n;
                } else if (strcmp(state, "failed") == 0) {
                        ret->failed = n;
                } else if (strcmp(state, "quarantined") == 0) {
                        ret->quarantined = n;
                }
        }
        return TRUE;
}

gboolean
rd_db_outbox_stats(RdDb *db, RdOutboxStats *ret, GError **error)
{
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "SELECT count(*) FILTER (WHERE state IN ('queued', 'sending')),"
                                               " count(*) FILTER (WHERE state = 'failed'),"
                                               " count(*) FILTER (WHERE state = 'uncertain') FROM outbox",
                                               0, NULL, error);

        memset(ret, 0, sizeof *ret);
        if (rows == NULL)
                return FALSE;
        ret->waiting = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 0), NULL, 10);
        ret->failed = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 1), NULL, 10);
        ret->uncertain = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 2), NULL, 10);
        return TRUE;
}

char **
rd_db_lease_holders(RdDb *db, const char *prefix, GError **error)
{
        g_autofree char *like = g_strdup_printf("%s%%", prefix);
        const char *params[1] = { like };
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "SELECT DISTINCT leased_by FROM item"
                                               " WHERE state = 'processing' AND leased_by LIKE $1"
                                               " AND leased_by IS NOT NULL",
                                               1, params, error);
        g_autoptr(GStrvBuilder) holders = g_strv_builder_new();

        if (rows == NULL)
                return NULL;
        for (guint r = 0; r < rows->rows->len; r++)
                g_strv_builder_add(holders, rd_db_rows_cell(rows, r, 0));
        return g_strv_builder_end(holders);
}

gboolean
rd_db_listen(RdDb *db, const char *channel, GError **error)
{
        g_autofree char *sql = NULL;
        g_autofree char *ident = NULL;

        if (!rd_db_ensure(db, error))
                return FALSE;
        ident = PQescapeIdentifier(db->conn, channel, strlen(channel));
        sql = g_strdup_printf("LISTEN %s", ident);
        return exec_ok(db, sql, 0, NULL, error);
}

gboolean
rd_db_drain_notifications(RdDb *db)
{
        PGnotify *n;
        gboolean any = FALSE;

        if (db->conn == NULL || !PQconsumeInput(db->conn))
                return FALSE;
        while ((n = PQnotifies(db->conn)) != NULL) {
                any = TRUE;
                PQfreemem(n);
        }
        return any;
}

void
rd_db_rows_free(RdDbRows *rows)
{
        if (rows == NULL)
                return;
        g_ptr_array_unref(rows->columns);
        g_ptr_array_unref(rows->rows);
        g_free(rows);
}

RdDbRows *
rd_db_query(RdDb *db, const char *sql, guint n_params, const char *const *params, GError **error)
{
        g_autoptr(PGresult) res = NULL;
        RdDbRows *rows;
        int nf, nt;

        if (!rd_db_ensure(db, error))
                return NULL;
        res = exec_params(db, sql, (int)n_params, params, NULL, NULL);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                set_result_error(db, res, error);
                return NULL;
        }
        nf = PQnfields(res);
        nt = PQntuples(res);
        rows = g_new0(RdDbRows, 1);
        rows->columns = g_ptr_array_new_with_free_func(g_free);
        rows->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
        for (int f = 0; f < nf; f++)
                g_ptr_array_add(rows->columns, g_strdup(PQfname(res, f)));
        for (int t = 0; t < nt; t++) {
                GPtrArray *row = g_ptr_array_new_with_free_func(g_free);

                for (int f = 0; f < nf; f++)
                        g_ptr_array_add(row, PQgetisnull(res, t, f) ? NULL : g_strdup(PQgetvalue(res, t, f)));
                g_ptr_array_add(rows->rows, row);
        }
        return rows;
}

GBytes *
rd_db_query_bytes(RdDb *db, const char *sql, guint n_params, const char *const *params, GError **error)
{
        g_autoptr(PGresult) res = NULL;

        if (!rd_db_ensure(db, error))
                return NULL;
        res = PQexecParams(db->conn, sql, (int)n_params, NULL, params, NULL, NULL, 1);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                set_result_error(db, res, error);
                return NULL;
        }
        if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0)) {
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED, "no such row");
                return NULL;
        }
        return g_bytes_new(PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0));
}

const char *
rd_db_rows_cell(const RdDbRows *rows, guint r, guint c)
{
        return g_ptr_array_index((GPtrArray *)g_ptr_array_index(rows->rows, r), c);
}

char *
rd_db_query_value(RdDb *db, const char *sql, guint n_params, const char *const *params,
                  gboolean *ret_ok, GError **error)
{
        g_autoptr(RdDbRows) rows = rd_db_query(db, sql, n_params, params, error);

        *ret_ok = rows != NULL;
        if (rows == NULL || rows->rows->len == 0)
                return NULL;
        return g_strdup(rd_db_rows_cell(rows, 0, 0));
}

gboolean
rd_db_query_bool(RdDb *db, const char *sql, guint n_params, const char *const *params,
                 gboolean *ret, GError **error)
{
        g_autoptr(RdDbRows) rows = rd_db_query(db, sql, n_params, params, error);

        if (rows == NULL)
                return FALSE;
        *ret = rows->rows->len > 0 && g_strcmp0(rd_db_rows_cell(rows, 0, 0), "t") == 0;
        return TRUE;
}
