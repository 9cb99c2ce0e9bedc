/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Each mailbox's state: its advisory lock, UIDVALIDITY and last UID, and
 * Message-ID receipts. */
#include <string.h>

#include "mailbox-state.h"

/* Advisory lock classes (first key of the two-key form). */
#define RD_MAILBOX_LOCK 1919773026 /* one poller per mailbox */
#define RD_MSGID_LOCK 1919773027   /* one store per Message-ID at a time */


gboolean
rd_db_mailbox_try_lock(RdDb *db, const char *name, gboolean *ret_locked, GError **error)
{
        const char *params[1] = { name };

        return rd_db_query_bool(db, "SELECT pg_try_advisory_lock(" G_STRINGIFY(RD_MAILBOX_LOCK) ", hashtext($1))", 1,
                          params, ret_locked, error);
}

gboolean
rd_db_mailbox_unlock(RdDb *db, const char *name, GError **error)
{
        const char *params[1] = { name };
        gboolean ignored;

        return rd_db_query_bool(db, "SELECT pg_advisory_unlock(" G_STRINGIFY(RD_MAILBOX_LOCK) ", hashtext($1))", 1,
                          params, &ignored, error);
}

gboolean
rd_db_mailbox_get_state(RdDb *db, const char *name, RdMailboxState *ret, GError **error)
{
        const char *params[1] = { name };
        g_autoptr(RdDbRows) rows = NULL;

        memset(ret, 0, sizeof *ret);
        if (!rd_db_exec(db, "INSERT INTO mailbox (name) VALUES ($1) ON CONFLICT DO NOTHING", 1, params, error))
                return FALSE;
        rows = rd_db_query(db, "SELECT coalesce(uidvalidity, 0), last_uid FROM mailbox WHERE name = $1", 1,
                           params, error);
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len == 1) {
                GPtrArray *row = rows->rows->pdata[0];

                ret->known = TRUE;
                ret->uidvalidity = g_ascii_strtoull(row->pdata[0], NULL, 10);
                ret->last_uid = g_ascii_strtoull(row->pdata[1], NULL, 10);
        }
        return TRUE;
}

gboolean
rd_db_mailbox_reset(RdDb *db, const char *name, guint64 uidvalidity, GError **error)
{
        g_autofree char *v = g_strdup_printf("%" G_GUINT64_FORMAT, uidvalidity);
        const char *params[2] = { name, v };

        if (!rd_db_begin(db, error))
                return FALSE;
        if (!rd_db_exec(db,
                        "INSERT INTO event (kind, detail) SELECT 'mailbox-uidvalidity',"
                        " jsonb_build_object('mailbox', name, 'old', uidvalidity, 'new', $2::bigint)"
                        " FROM mailbox WHERE name = $1 AND uidvalidity IS NOT NULL",
                        2, params, error) ||
            !rd_db_exec(db,
                        "UPDATE mailbox SET uidvalidity = $2::bigint, last_uid = 0, updated_at = now()"
                        " WHERE name = $1",
                        2, params, error) ||
            !rd_db_commit(db, error)) {
                rd_db_rollback(db);
                return FALSE;
        }
        return TRUE;
}

gboolean
rd_db_mailbox_advance(RdDb *db, const char *name, guint64 uidvalidity, guint64 uid, GError **error)
{
        g_autofree char *v = g_strdup_printf("%" G_GUINT64_FORMAT, uidvalidity);
        g_autofree char *u = g_strdup_printf("%" G_GUINT64_FORMAT, uid);
        const char *params[3] = { name, v, u };

        return rd_db_exec(db,
                          "UPDATE mailbox SET last_uid = greatest(last_uid, $3::bigint), updated_at = now()"
                          " WHERE name = $1 AND uidvalidity = $2::bigint",
                          3, params, error);
}

gboolean
rd_db_mailbox_set_result(RdDb *db, const char *name, const char *message, GError **error)
{
        const char *params[2] = { name, message };

        if (message == NULL)
                return rd_db_exec(db,
                                  "UPDATE mailbox SET last_poll_at = now(), last_ok_at = now(), last_error = NULL"
                                  " WHERE name = $1",
                                  1, params, error);
        return rd_db_exec(db,
                          "INSERT INTO mailbox (name, last_poll_at, last_error, last_error_at)"
                          " VALUES ($1, now(), $2, now()) ON CONFLICT (name) DO UPDATE SET"
                          " last_poll_at = now(), last_error = $2, last_error_at = now()",
                          2, params, error);
}

static gboolean
lookup_message_id(RdDb *db, const char *message_id, gint64 *ret_item_id, gboolean *ret_quarantined,
                  GError **error)
{
        const char *params[1] = { message_id };
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "SELECT m.item_id, i.state FROM item_message_id m"
                                               " JOIN item i ON i.id = m.item_id WHERE m.message_id = $1",
                                               1, params, error);

        if (rows == NULL)
                return FALSE;
        *ret_item_id = 0;
        if (rows->rows->len == 1) {
                GPtrArray *row = rows->rows->pdata[0];

                *ret_item_id = g_ascii_strtoll(row->pdata[0], NULL, 10);
                *ret_quarantined = g_strcmp0(row->pdata[1], "quarantined") == 0;
        }
        return TRUE;
}

static gboolean
store_locked(RdDb *db, const RdIntake *in, const char *message_id, RdStoreResult *ret, GError **error)
{
        gint64 earlier = 0;
        gboolean quarantined = FALSE;

        if (message_id && !lookup_message_id(db, message_id, &earlier, &quarantined, error))
                return FALSE;
        if (earlier > 0) {
                /* the same message again: a receipt of the earlier item */
                g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, earlier);
                const char *params[3] = { id, in->source, in->source_key };
                g_autoptr(RdDbRows) rows = NULL;

                memset(ret, 0, sizeof *ret);
                ret->item_id = earlier;
                ret->quarantined = quarantined;
                if (!rd_db_begin(db, error))
                        return FALSE;
                rows = rd_db_query(db,
                                   "INSERT INTO receipt (item_id, source, source_key, duplicate)"
                                   " VALUES ($1::bigint, $2, $3, true)"
                                   " ON CONFLICT ON CONSTRAINT receipt_key DO NOTHING RETURNING id",
                                   3, params, error);
                if (rows == NULL)
                        goto fail;
                ret->outcome = rows->rows->len == 1 ? RD_STORE_DUPLICATE : RD_STORE_AGAIN;
                if (rows->rows->len == 1 &&
                    !rd_db_exec(db,
                                "INSERT INTO event (item_id, kind, detail) VALUES ($1::bigint, 'duplicate',"
                                " jsonb_build_object('source', $2::text, 'by', 'message-id'))",
                                2, params, error))
                        goto fail;
                return rd_db_commit(db, error);
        fail:
                rd_db_rollback(db);
                return FALSE;
        }
        if (!rd_db_store_intake(db, in, ret, error))
                return FALSE;
        if (message_id) {
                g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, ret->item_id);
                const char *params[2] = { message_id, id };

                /* after a crash between the two commits the next fetch is
                 * RD_STORE_AGAIN and records it then */
                if (!rd_db_exec(db,
                                "INSERT INTO item_message_id (message_id, item_id) VALUES ($1, $2::bigint)"
                                " ON CONFLICT DO NOTHING",
                                2, params, error))
                        return FALSE;
        }
        return TRUE;
}

gboolean
rd_db_mailbox_store(RdDb *db, const RdIntake *in, const char *message_id, RdStoreResult *ret, GError **error)
{
        const char *params[1] = { message_id };
        gboolean ok, ignored;

        if (message_id == NULL)
                return store_locked(db, in, NULL, ret, error);
        /* two mailboxes receiving one message at once store it once */
        if (!rd_db_query_bool(db, "SELECT pg_advisory_lock(" G_STRINGIFY(RD_MSGID_LOCK) ", hashtext($1)) IS NULL", 1,
                        params, &ignored, error))
                return FALSE;
        ok = store_locked(db, in, message_id, ret, error);
        /* a lost connection released the lock with the session */
        (void)rd_db_query_bool(db, "SELECT pg_advisory_unlock(" G_STRINGIFY(RD_MSGID_LOCK) ", hashtext($1))", 1, params,
                         &ignored, NULL);
        return ok;
}

char *
rd_db_mailbox_errors(RdDb *db, GError **error)
{
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "SELECT name, last_error FROM mailbox WHERE last_error IS NOT NULL"
                                               " ORDER BY name",
                                               0, NULL, error);
        GString *out;

        if (rows == NULL || rows->rows->len == 0)
                return NULL;
        out = g_string_new(NULL);
        for (guint i = 0; i < rows->rows->len; i++) {
                GPtrArray *row = rows->rows->pdata[i];

                g_string_append_printf(out, "%smailbox %s: %s", i ? "; " : "", (char *)row->pdata[0],
                                       (char *)row->pdata[1]);
        }
        return g_string_free(out, FALSE);
}
