/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The outbox's SQL: reading the facts a reply is planned from, writing
 * the row, and the sender's claim, outcome and recovery (see outbox.h). */
#include <string.h>

#include "outbox.h"
#include "parsers/referral.h"

static char *
i64(gint64 v)
{
        return g_strdup_printf("%" G_GINT64_FORMAT, v);
}

static char *
cell(const RdDbRows *rows, guint c)
{
        return g_strdup(rd_db_rows_cell(rows, 0, c));
}

void
rd_reply_stored_facts_clear(RdReplyStoredFacts *f)
{
        char **strings[] = { &f->channel, &f->from_addr, &f->reply_to, &f->message_id, &f->header_fax,
                             &f->form_fax, &f->relay, &f->relay_fax, &f->partner_match, &f->partner_channel,
                             &f->partner_email, &f->partner_email_key, &f->partner_fax, &f->reference,
                             &f->received, &f->patient_family, &f->patient_given, &f->patient_dob };

        for (gsize i = 0; i < G_N_ELEMENTS(strings); i++)
                g_clear_pointer(strings[i], g_free);
        g_clear_pointer(&f->references, g_ptr_array_unref);
        memset(f, 0, sizeof *f);
}

gboolean
rd_store_reply_facts(RdDb *db, gint64 referral_id, RdReplyStoredFacts *ret, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p[1] = { rid };
        g_autoptr(RdDbRows) rows = NULL;
        g_auto(GStrv) refs = NULL;

        memset(ret, 0, sizeof *ret);
        rows = rd_db_query(db,
                           /* the worker reads the partner directory only through
                            * this function (schema/009_roles.sql) */
                           "SELECT * FROM rd_worker_reply_facts($1::bigint)",
                           1, p, error);
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len == 0)
                return TRUE;
        ret->found = TRUE;
        ret->channel = cell(rows, 0);
        ret->from_addr = cell(rows, 1);
        ret->reply_to = cell(rows, 2);
        ret->message_id = cell(rows, 3);
        ret->references = g_ptr_array_new_with_free_func(g_free);
        refs = g_strsplit(rd_db_rows_cell(rows, 0, 4) ? rd_db_rows_cell(rows, 0, 4) : "", " ", -1);
        for (guint i = 0; refs[i]; i++)
                if (*refs[i])
                        g_ptr_array_add(ret->references, g_strdup(refs[i]));
        ret->auto_submitted = g_strcmp0(rd_db_rows_cell(rows, 0, 5), "true") == 0;
        ret->header_fax = cell(rows, 6);
        ret->form_fax = cell(rows, 7);
        ret->relay = cell(rows, 8);
        ret->relay_fax = cell(rows, 9);
        ret->partner_id = rd_db_rows_cell(rows, 0, 10) ? g_ascii_strtoll(rd_db_rows_cell(rows, 0, 10), NULL, 10) : 0;
        ret->partner_match = cell(rows, 11);
        ret->partner_channel = cell(rows, 12);
        ret->partner_email = cell(rows, 13);
        ret->partner_email_key = cell(rows, 14);
        ret->partner_fax = cell(rows, 15);
        ret->reference = cell(rows, 16);
        ret->received = cell(rows, 17);
        ret->patient_family = cell(rows, 18);
        ret->patient_given = cell(rows, 19);
        ret->patient_dob = cell(rows, 20);
        ret->needs_review = g_strcmp0(rd_db_rows_cell(rows, 0, 21), "true") == 0;
        ret->item_id = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 22), NULL, 10);
        return TRUE;
}

gboolean
rd_store_missing_items(RdDb *db, gint64 referral_id, GPtrArray *missing, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p[1] = { rid };
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "SELECT c.item, coalesce(c.why, 'not_enclosed'), c.date_found::text"
                                               " FROM referral_checklist c WHERE c.referral_id = $1::bigint"
                                               " AND NOT c.present AND NOT EXISTS (SELECT 1 FROM referral_resolution s"
                                               "  WHERE s.referral_id = c.referral_id AND s.item = c.item)"
                                               " ORDER BY c.item",
                                               1, p, error);

        if (rows == NULL)
                return FALSE;
        for (guint r = 0; r < rows->rows->len; r++) {
                RdMissingItem *m = g_new0(RdMissingItem, 1);
                const char *why = rd_db_rows_cell(rows, r, 1);

                m->item = g_strdup(rd_db_rows_cell(rows, r, 0));
                m->why = RD_MISSING_NOT_ENCLOSED;
                for (int w = RD_MISSING_NOT_ENCLOSED; w <= RD_MISSING_UNREADABLE; w++)
                        if (g_strcmp0(rd_missing_why_to_string((RdMissingWhy)w), why) == 0)
                                m->why = (RdMissingWhy)w;
                m->date_found = g_strdup(rd_db_rows_cell(rows, r, 2));
                g_ptr_array_add(missing, m);
        }
        return TRUE;
}

gboolean
rd_store_reply_counts(RdDb *db, gint64 referral_id, const char *kind, const char *recipient,
                      guint64 min_interval_usec, guint64 window_usec, guint *ret_same_kind, guint *ret_recipient,
                      GError **error)
{
        g_autofree char *rid = i64(referral_id);
        g_autofree char *interval = g_strdup_printf("%" G_GUINT64_FORMAT " seconds", min_interval_usec / G_USEC_PER_SEC);
        g_autofree char *window = g_strdup_printf("%" G_GUINT64_FORMAT " seconds", window_usec / G_USEC_PER_SEC);
        const char *p[5] = { rid, kind, recipient, interval, window };
        g_autoptr(RdDbRows) rows = NULL;

        /* serialise decisions about one recipient across workers */
        if (!rd_db_exec(db, "SELECT pg_advisory_xact_lock(hashtext('outbox:' || $1::text))", 1, p + 2, error))
                return FALSE;
        /* the worker may not read the outbox: schema/009_roles.sql */
        rows = rd_db_query(db,
                           "SELECT same_kind, to_recipient FROM rd_worker_reply_counts($1::bigint, $2, $3,"
                           " $4::interval, $5::interval)",
                           5, p, error);
        if (rows == NULL)
                return FALSE;
        *ret_same_kind = rows->rows->len ? (guint)g_ascii_strtoull(rd_db_rows_cell(rows, 0, 0), NULL, 10) : 0;
        *ret_recipient = rows->rows->len ? (guint)g_ascii_strtoull(rd_db_rows_cell(rows, 0, 1), NULL, 10) : 0;
        return TRUE;
}

gboolean
rd_store_outbox_next_id(RdDb *db, gint64 *ret_id, GError **error)
{
        g_autofree char *oid = NULL;
        gboolean ok;

        oid = rd_db_query_value(db, "SELECT nextval('outbox_id_seq')", 0, NULL, &ok, error);
        if (!ok)
                return FALSE;
        *ret_id = g_ascii_strtoll(oid, NULL, 10);
        return TRUE;
}

/* {"a","b"}: a text[] literal */
static char *
text_array(GPtrArray *items, const char *last)
{
        GString *r = g_string_new("{");
        gboolean first = TRUE;

        for (guint i = 0; items && i < items->len; i++) {
                g_autofree char *q = g_strescape(items->pdata[i], NULL);

                g_string_append_printf(r, "%s\"%s\"", first ? "" : ",", q);
                first = FALSE;
        }
        if (last) {
                g_autofree char *q = g_strescape(last, NULL);

                g_string_append_printf(r, "%s\"%s\"", first ? "" : ",", q);
        }
        g_string_append_c(r, '}');
        return g_string_free(r, FALSE);
}

gboolean
rd_store_outbox_add(RdDb *db, const RdOutboxNew *row, GError **error)
{
        g_autofree char *oid = i64(row->id);
        g_autofree char *rid = i64(row->referral_id);
        g_autofree char *iid = row->item_id > 0 ? i64(row->item_id) : NULL;
        /* References: the original's chain, then the original itself */
        g_autofree char *refs = row->in_reply_to ? text_array(row->references, row->in_reply_to) : g_strdup("{}");
        const char *event = strcmp(row->state, "queued") == 0 ? "reply-queued" :
                            strcmp(row->state, "held") == 0 ? "reply-held" : "reply-suppressed";
        const char *p[14] = { oid, rid, iid, row->kind, row->channel, row->recipient, row->subject, row->body,
                              row->message_id, row->in_reply_to, refs, row->state, row->reason, event };

        /* the row and its event; the worker may not write the outbox
         * itself (schema/009_roles.sql) */
        if (!rd_db_exec(db,
                        "SELECT rd_worker_outbox_add($1::bigint, $2::bigint, $3::bigint, $4, $5, $6, $7, $8, $9,"
                        " $10, $11::text[], $12, $13, $14)",
                        14, p, error))
                return FALSE;
        return strcmp(row->state, "queued") != 0 || rd_db_exec(db, "NOTIFY rd_outbox", 0, NULL, error);
}

/* ---- the sender ---------------------------------------------------------- */

void
rd_outbox_claim_clear(RdOutboxClaim *c)
{
        char **strings[] = { &c->id, &c->referral_id, &c->channel, &c->recipient, &c->subject, &c->body,
                             &c->message_id, &c->in_reply_to, &c->references, &c->reference, &c->attempts };

        for (gsize i = 0; i < G_N_ELEMENTS(strings); i++)
                g_clear_pointer(strings[i], g_free);
}

gboolean
rd_store_outbox_claim(RdDb *db, const char *me, RdOutboxClaim *ret, gboolean *ret_found, GError **error)
{
        const char *p[1] = { me };
        g_autoptr(RdDbRows) rows = NULL;
        char **cols[] = { &ret->id, &ret->referral_id, &ret->channel, &ret->recipient, &ret->subject, &ret->body,
                          &ret->message_id, &ret->in_reply_to, &ret->references, &ret->reference, &ret->attempts };

        *ret_found = FALSE;
        rows = rd_db_query(db,
                           "UPDATE outbox o SET state = 'sending', claimed_by = $1, attempts = o.attempts + 1"
                           " FROM referral r WHERE r.id = o.referral_id AND o.id = (SELECT id FROM outbox"
                           "  WHERE state = 'queued' AND not_before <= now() ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)"
                           " RETURNING o.id, o.referral_id, o.channel, o.recipient, o.subject, o.body, o.message_id,"
                           "  o.in_reply_to, array_to_string(o.references_ids, ' '), coalesce(r.reference, ''),"
                           "  o.attempts",
                           1, p, error);
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len == 0)
                return TRUE;
        for (guint c = 0; c < G_N_ELEMENTS(cols); c++)
                *cols[c] = cell(rows, c);
        *ret_found = TRUE;
        return TRUE;
}

gboolean
rd_store_outbox_sent(RdDb *db, const char *id, GError **error)
{
        const char *p[1] = { id };

        return rd_db_exec(db,
                          "WITH u AS (UPDATE outbox SET state = 'sent', sent_at = now(), last_error = NULL"
                          " WHERE id = $1::bigint RETURNING id, referral_id, item_id, kind, channel)"
                          " INSERT INTO event (item_id, referral_id, kind, detail)"
                          " SELECT item_id, referral_id, 'reply-sent',"
                          "  jsonb_build_object('outbox', id, 'reply', kind, 'channel', channel) FROM u",
                          1, p, error);
}

gboolean
rd_store_outbox_not_sent(RdDb *db, const char *id, const char *why, const char *delay, gboolean give_up,
                         GError **error)
{
        const char *p[4] = { id, why, delay, give_up ? "true" : "false" };

        return rd_db_exec(db,
                          "WITH u AS (UPDATE outbox SET last_error = $2, claimed_by = NULL,"
                          " state = CASE WHEN $4::boolean THEN 'failed' ELSE 'queued' END,"
                          " not_before = now() + $3::interval WHERE id = $1::bigint"
                          " RETURNING id, referral_id, item_id, kind)"
                          " INSERT INTO event (item_id, referral_id, kind, detail)"
                          " SELECT item_id, referral_id, 'reply-failed',"
                          "  jsonb_build_object('outbox', id, 'reply', kind, 'error', $2::text) FROM u"
                          " WHERE $4::boolean",
                          4, p, error);
}

RdDbRows *
rd_store_outbox_sending(RdDb *db, const char *prefix, GError **error)
{
        const char *p[1] = { prefix };

        return rd_db_query(db, "SELECT id, claimed_by, channel FROM outbox WHERE state = 'sending'"
                               " AND starts_with(claimed_by, $1)",
                           1, p, error);
}

gboolean
rd_store_outbox_requeue(RdDb *db, const char *id, const char *claimed_by, GError **error)
{
        const char *p[2] = { id, claimed_by };

        return rd_db_exec(db, "UPDATE outbox SET state = 'queued', claimed_by = NULL WHERE id = $1::bigint"
                              " AND claimed_by = $2",
                          2, p, error);
}

gboolean
rd_store_outbox_uncertain(RdDb *db, const char *id, const char *claimed_by, GError **error)
{
        const char *p[2] = { id, claimed_by };

        return rd_db_exec(db,
                          "WITH u AS (UPDATE outbox SET state = 'uncertain', last_error ="
                          " 'the sender stopped while this reply was being sent: it may have gone out;"
                          " check with the recipient, then referralctl outbox retry or drop'"
                          " WHERE id = $1::bigint AND claimed_by = $2 RETURNING id, referral_id, item_id)"
                          " INSERT INTO event (item_id, referral_id, kind, detail)"
                          " SELECT item_id, referral_id, 'reply-uncertain', jsonb_build_object('outbox', id)"
                          " FROM u",
                          2, p, error);
}

gboolean
rd_store_outbox_next_due(RdDb *db, double *ret_seconds, gboolean *ret_any, GError **error)
{
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "SELECT extract(epoch FROM min(not_before) - now())::text"
                                               " FROM outbox WHERE state = 'queued'",
                                               0, NULL, error);

        if (rows == NULL)
                return FALSE;
        /* nothing queued gives NULL */
        *ret_any = rows->rows->len > 0 && rd_db_rows_cell(rows, 0, 0) != NULL;
        *ret_seconds = *ret_any ? g_ascii_strtod(rd_db_rows_cell(rows, 0, 0), NULL) : 0;
        return TRUE;
}

gboolean
rd_store_outbox_decide(RdDb *db, gint64 id, gint64 referral_id, gboolean approve, const char *who,
                       gboolean *ret_found, GError **error)
{
        g_autofree char *oid = g_strdup_printf("%" G_GINT64_FORMAT, id);
        g_autofree char *rid = referral_id > 0 ? g_strdup_printf("%" G_GINT64_FORMAT, referral_id) : NULL;
        const char *p[4] = { oid, who, approve ? "reply-approved" : "reply-held", rid };
        g_autoptr(RdDbRows) rows = NULL;

        *ret_found = FALSE;
        rows = rd_db_query(db,
                           approve ? "WITH u AS (UPDATE outbox SET state = 'queued', not_before = now(), reason = NULL,"
                                     " decided_by = $2, decided_at = now() WHERE id = $1::bigint AND state = 'held'"
                                     " AND recipient <> '' AND ($4::bigint IS NULL OR referral_id = $4::bigint)"
                                     " RETURNING id, referral_id, item_id)"
                                     " INSERT INTO event (item_id, referral_id, kind, detail)"
                                     " SELECT item_id, referral_id, $3, jsonb_build_object('outbox', id,"
                                     " 'by', $2::text, 'role', current_user) FROM u"
                                     " RETURNING referral_id"
                                   : "WITH u AS (UPDATE outbox SET state = 'held', reason = 'held by ' || $2,"
                                     " decided_by = $2, decided_at = now() WHERE id = $1::bigint AND state = 'queued'"
                                     " AND ($4::bigint IS NULL OR referral_id = $4::bigint)"
                                     " RETURNING id, referral_id, item_id)"
                                     " INSERT INTO event (item_id, referral_id, kind, detail)"
                                     " SELECT item_id, referral_id, $3, jsonb_build_object('outbox', id,"
                                     " 'by', $2::text, 'role', current_user) FROM u"
                                     " RETURNING referral_id",
                           4, p, error);
        if (rows == NULL)
                return FALSE;
        *ret_found = rows->rows->len > 0;
        /* the sender wakes at commit */
        return !(approve && *ret_found) || rd_db_exec(db, "NOTIFY rd_outbox", 0, NULL, error);
}
