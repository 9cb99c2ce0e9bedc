/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The partner directory in the web interface (view, add, edit, merge
 * duplicates; a partner's keys matched against the referrals that came
 * before it was known) and the funnel report's numbers. */
#include <string.h>

#include "web-private.h"

static char *
i64(gint64 v)
{
        return g_strdup_printf("%" G_GINT64_FORMAT, v);
}

RdDbRows *
rd_db_web_partner_list(RdDb *db, GError **error)
{
        return rd_db_query(db,
                           "SELECT p.id, p.name, p.tier, p.reply_channel, p.reply_email, p.reply_fax, p.contact,"
                           " (SELECT string_agg(k.kind || ' ' || k.value, ', ' ORDER BY k.kind, k.value)"
                           "  FROM partner_key k WHERE k.partner_id = p.id),"
                           " (SELECT count(*) FROM referral r WHERE r.partner_id = p.id)"
                           " FROM partner p ORDER BY lower(p.name), p.id",
                           0, NULL, error);
}

RdDbRows *
rd_db_web_partner_one(RdDb *db, gint64 id, GError **error)
{
        g_autofree char *pid = i64(id);
        const char *p[1] = { pid };

        return rd_db_query(db,
                           "SELECT p.id, p.name, p.tier, p.reply_channel, p.reply_email, p.reply_fax, p.contact,"
                           " (SELECT string_agg(k.kind || ' ' || k.value, E'\\n' ORDER BY k.kind, k.value)"
                           "  FROM partner_key k WHERE k.partner_id = p.id),"
                           " (SELECT count(*) FROM referral r WHERE r.partner_id = p.id)"
                           " FROM partner p WHERE p.id = $1::bigint",
                           1, p, error);
}

/* Referrals that came before the partner was known, matched now by its
 * keys: the sender's address or domain, the fax header's (or relay's)
 * number, the referring NPI.  Only referrals without a partner. */
static gboolean
rematch(RdDb *db, const char *pid, const char *who, guint *ret_matched, GError **error)
{
        const char *p[2] = { pid, who };
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "WITH m AS (SELECT DISTINCT ON (o.item_id) o.item_id, k.kind"
                                               "  FROM item_origin o JOIN partner_key k ON k.partner_id = $1::bigint"
                                               "  AND ((k.kind = 'email' AND lower(o.from_addr) = k.value)"
                                               "  OR (k.kind = 'domain' AND split_part(lower(o.from_addr), '@', 2)"
                                               "   = k.value)"
                                               "  OR (k.kind = 'fax'"
                                               "   AND coalesce(o.relay_fax, o.header_fax) = k.value))"
                                               "  WHERE o.partner_id IS NULL ORDER BY o.item_id, k.kind),"
                                               " u AS (UPDATE item_origin o SET partner_id = $1::bigint,"
                                               "  partner_match = m.kind FROM m WHERE o.item_id = m.item_id"
                                               "  RETURNING o.item_id),"
                                               " r AS (UPDATE referral r SET partner_id = $1::bigint,"
                                               "  updated_at = now()"
                                               "  WHERE r.partner_id IS NULL AND (r.item_id IN (SELECT item_id FROM u)"
                                               "  OR r.referring_npi IN (SELECT value FROM partner_key"
                                               "   WHERE partner_id = $1::bigint AND kind = 'npi'))"
                                               "  RETURNING r.id)"
                                               " INSERT INTO event (referral_id, kind, detail) SELECT id,"
                                               " 'partner-matched', jsonb_build_object('partner', $1::bigint,"
                                               " 'by', $2::text) FROM r RETURNING referral_id",
                                               2, p, error);

        if (rows == NULL)
                return FALSE;
        *ret_matched = rows->rows->len;
        return TRUE;
}

gboolean
rd_db_web_partner_save(RdDb *db, gint64 id, const RdWebPartnerForm *form, const RdWebActor *who,
                       RdWebEditResult *res, gint64 *ret_id, guint *ret_matched, GError **error)
{
        g_autofree char *pid = id > 0 ? i64(id) : NULL;
        g_autofree char *taken = NULL, *detail = NULL;
        gboolean ok;

        memset(res, 0, sizeof *res);
        *ret_matched = 0;
        if (!rd_db_begin(db, error))
                return FALSE;
        {
                const char *p[2] = { form->name, pid };

                taken = rd_db_query_value(db,
                                          "SELECT id FROM partner WHERE name = $1 AND ($2::bigint IS NULL"
                                          " OR id <> $2::bigint)",
                                          2, p, &ok, error);
                if (!ok)
                        goto fail;
                if (taken) {
                        rd_db_rollback(db);
                        res->outcome = RD_WEB_EDIT_REFUSED;
                        res->why = g_strdup("Another partner has that name: merge the two instead.");
                        return TRUE;
                }
        }
        for (guint i = 0; i < form->key_kinds->len; i++) {
                const char *p[3] = { form->key_kinds->pdata[i], form->key_values->pdata[i], pid };
                g_autofree char *owner = rd_db_query_value(db,
                                                           "SELECT p.name FROM partner_key k JOIN partner p"
                                                           " ON p.id = k.partner_id WHERE k.kind = $1"
                                                           " AND k.value = $2 AND ($3::bigint IS NULL"
                                                           " OR k.partner_id <> $3::bigint)",
                                                           3, p, &ok, error);

                if (!ok)
                        goto fail;
                if (owner) {
                        rd_db_rollback(db);
                        res->outcome = RD_WEB_EDIT_REFUSED;
                        res->why = g_strdup_printf("The %s %s is already a key of %s: a key belongs to one partner"
                                                   " (merge the two if they are one office).",
                                                   (char *)form->key_kinds->pdata[i],
                                                   (char *)form->key_values->pdata[i], owner);
                        return TRUE;
                }
        }
        {
                const char *p[7] = { pid, form->name, form->tier, form->reply_channel, form->reply_email,
                                     form->reply_fax, form->contact };
                g_autofree char *saved = rd_db_query_value(db,
                                                           pid ? "UPDATE partner SET name = $2, tier = $3,"
                                                                 " reply_channel = $4, reply_email = $5,"
                                                                 " reply_fax = $6, contact = $7, updated_at = now()"
                                                                 " WHERE id = $1::bigint RETURNING id"
                                                               : "INSERT INTO partner (name, tier, reply_channel,"
                                                                 " reply_email, reply_fax, contact) SELECT $2, $3,"
                                                                 " $4, $5, $6, $7 WHERE $1::bigint IS NULL"
                                                                 " RETURNING id",
                                                           7, p, &ok, error);

                if (!ok)
                        goto fail;
                if (saved == NULL) {
                        rd_db_rollback(db);
                        res->outcome = RD_WEB_EDIT_NOT_FOUND;
                        res->why = g_strdup("No such partner.");
                        return TRUE;
                }
                *ret_id = g_ascii_strtoll(saved, NULL, 10);
                g_free(pid);
                pid = g_steal_pointer(&saved);
        }
        {
                const char *p[1] = { pid };

                if (!rd_db_exec(db, "DELETE FROM partner_key WHERE partner_id = $1::bigint", 1, p, error))
                        goto fail;
        }
        for (guint i = 0; i < form->key_kinds->len; i++) {
                const char *p[3] = { pid, form->key_kinds->pdata[i], form->key_values->pdata[i] };

                if (!rd_db_exec(db,
                                "INSERT INTO partner_key (partner_id, kind, value) VALUES ($1::bigint, $2, $3)"
                                " ON CONFLICT DO NOTHING",
                                3, p, error))
                        goto fail;
        }
        if (!rematch(db, pid, who->user_name, ret_matched, error))
                goto fail;
        detail = g_strdup_printf("{\"partner\": %s, \"matched\": %u}", pid, *ret_matched);
        if (!rd_db_web_audit(db, who->user_name, id > 0 ? "partner-edit" : "partner-add", 0, detail, who->remote,
                             error) ||
            !rd_db_commit(db, error))
                goto fail;
        return TRUE;
fail:
        rd_db_rollback(db);
        return FALSE;
}

gboolean
rd_db_web_partner_merge(RdDb *db, gint64 from, gint64 into, const RdWebActor *who, RdWebEditResult *res,
                        guint *ret_matched, GError **error)
{
        g_autofree char *f = i64(from);
        g_autofree char *t = i64(into);
        g_autofree char *detail = NULL;
        const char *p[3] = { f, t, who->user_name };
        g_autoptr(RdDbRows) both = NULL;

        memset(res, 0, sizeof *res);
        *ret_matched = 0;
        if (from == into) {
                res->outcome = RD_WEB_EDIT_REFUSED;
                res->why = g_strdup("Choose another partner to merge into.");
                return TRUE;
        }
        if (!rd_db_begin(db, error))
                return FALSE;
        both = rd_db_query(db, "SELECT id FROM partner WHERE id IN ($1::bigint, $2::bigint) FOR UPDATE", 2, p, error);
        if (both == NULL)
                goto fail;
        if (both->rows->len != 2) {
                rd_db_rollback(db);
                res->outcome = RD_WEB_EDIT_NOT_FOUND;
                res->why = g_strdup("No such partner.");
                return TRUE;
        }
        /* the duplicate's keys, items and referrals become the other's;
         * its reply settings go with it (the kept partner's stand) */
        if (!rd_db_exec(db, "UPDATE partner_key SET partner_id = $2::bigint WHERE partner_id = $1::bigint", 2, p,
                        error) ||
            !rd_db_exec(db, "UPDATE item_origin SET partner_id = $2::bigint WHERE partner_id = $1::bigint", 2, p,
                        error) ||
            !rd_db_exec(db,
                        "WITH r AS (UPDATE referral SET partner_id = $2::bigint, updated_at = now()"
                        " WHERE partner_id = $1::bigint RETURNING id)"
                        " INSERT INTO event (referral_id, kind, detail) SELECT id, 'partner-merged',"
                        " jsonb_build_object('from', $1::bigint, 'into', $2::bigint, 'by', $3::text) FROM r",
                        3, p, error) ||
            !rd_db_exec(db, "DELETE FROM partner WHERE id = $1::bigint", 1, p, error) ||
            !rematch(db, t, who->user_name, ret_matched, error))
                goto fail;
        detail = g_strdup_printf("{\"from\": %s, \"into\": %s}", f, t);
        if (!rd_db_web_audit(db, who->user_name, "partner-merge", 0, detail, who->remote, error) ||
            !rd_db_commit(db, error))
                goto fail;
        res->outcome = RD_WEB_EDIT_DONE;
        return TRUE;
fail:
        rd_db_rollback(db);
        return FALSE;
}

RdDbRows *
rd_db_web_funnel(RdDb *db, const char *since, GError **error)
{
        const char *p[1] = { since };

        /* one row per partner (NULL: all of them first), the stages in
         * order: received, complete on arrival, asked, completed,
         * scheduled, seen */
        return rd_db_query(db,
                           "WITH b AS (SELECT r.partner_id, coalesce(p.name, '(unknown sender)') AS name,"
                           "  r.complete_on_arrival, r.completed_at, r.scheduled_at, r.status,"
                           "  EXISTS (SELECT 1 FROM outbox o WHERE o.referral_id = r.id AND o.kind = 'missing'"
                           "   AND o.state = 'sent') AS asked"
                           " FROM referral r LEFT JOIN partner p ON p.id = r.partner_id"
                           " WHERE $1::date IS NULL OR coalesce(r.received_at, r.created_at) >= $1::date)"
                           " SELECT CASE WHEN grouping(name) = 1 THEN NULL ELSE name END, count(*),"
                           " count(*) FILTER (WHERE complete_on_arrival), count(*) FILTER (WHERE asked),"
                           " count(*) FILTER (WHERE completed_at IS NOT NULL),"
                           " count(*) FILTER (WHERE scheduled_at IS NOT NULL OR status IN ('scheduled', 'seen')),"
                           " count(*) FILTER (WHERE status = 'seen')"
                           " FROM b GROUP BY GROUPING SETS ((), (name))"
                           " ORDER BY grouping(name) DESC, count(*) DESC, name LIMIT 500",
                           1, p, error);
}
