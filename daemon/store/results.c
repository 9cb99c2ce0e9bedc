/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An item's result in PostgreSQL: its partner (exactly, or a fax number
 * within two digits of a registered one), its origin, and whether it is a
 * new referral, a follow-up (followup.c) or waits for staff. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "loop-private.h"
#include "daemon/base/log.h"
#include "parsers/understand/reftoken.h"

#define LOG_DOMAIN "rd-worker"

char *
rd_loop_i64(gint64 v)
{
        return g_strdup_printf("%" G_GINT64_FORMAT, v);
}

#define i64 rd_loop_i64

gboolean
rd_loop_add_event(RdDb *db, gint64 item_id, gint64 referral_id, const char *kind, const char *detail_json,
                  GError **error)
{
        g_autofree char *item = item_id > 0 ? i64(item_id) : NULL;
        g_autofree char *ref = referral_id > 0 ? i64(referral_id) : NULL;
        const char *p[4] = { item, ref, kind, detail_json ? detail_json : "{}" };

        return rd_db_exec(db,
                          "INSERT INTO event (item_id, referral_id, kind, detail)"
                          " VALUES ($1::bigint, $2::bigint, $3, $4::jsonb)",
                          4, p, error);
}

/* ---- partners ------------------------------------------------------------ */

typedef struct {
        gint64 id;            /* 0: unknown */
        char *match;          /* email | fax | npi | domain | fax-near */
        char *fax;            /* the registered fax key that matched, or NULL */
} RdPartnerMatch;

static void
partner_match_clear(RdPartnerMatch *m)
{
        g_clear_pointer(&m->match, g_free);
        g_clear_pointer(&m->fax, g_free);
}

/* A number read by OCR one or two digits off a registered fax is that
 * partner's, when no other partner is as close.  Own numbers never get
 * here (the caller drops them). */
static gboolean
match_fax_near(RdDb *db, const char *number, RdPartnerMatch *ret, GError **error)
{
        const char *p[1] = { number };
        g_autoptr(RdDbRows) rows = NULL;

        if (number == NULL)
                return TRUE;
        rows = rd_db_query(db,
                           /* the worker may not read the directory: schema/009_roles.sql */
                           "SELECT partner_id, value, d FROM rd_worker_partner_fax_near($1)",
                           1, p, error);
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len == 0)
                return TRUE;
        if (rows->rows->len == 2 && g_strcmp0(rd_db_rows_cell(rows, 0, 2), rd_db_rows_cell(rows, 1, 2)) == 0 &&
            g_strcmp0(rd_db_rows_cell(rows, 0, 0), rd_db_rows_cell(rows, 1, 0)) != 0)
                return TRUE; /* two partners as close: neither */
        ret->id = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 0), NULL, 10);
        ret->match = g_strdup("fax-near");
        ret->fax = g_strdup(rd_db_rows_cell(rows, 0, 1));
        return TRUE;
}

/* The partner by its keys: the sender's address, the channel's fax
 * number (header, relay), the document's fax, its NPI, the sender's
 * domain; then a fax number within two digits of a registered one. */
static gboolean
match_partner(RdDb *db, const RdOrigin *o, RdPartnerMatch *ret, GError **error)
{
        const char *at = o->email_key ? strrchr(o->email_key, '@') : NULL;
        const char *channel_fax = o->relay_fax ? o->relay_fax : o->header_fax;
        const char *p[5] = { o->email_key ? o->email_key : "", channel_fax ? channel_fax : "",
                             o->form_fax ? o->form_fax : "", o->npi_key ? o->npi_key : "", at ? at + 1 : "" };
        const char *near[2] = { channel_fax, o->form_fax };
        g_autoptr(RdDbRows) rows = NULL;

        memset(ret, 0, sizeof *ret);
        rows = rd_db_query(db,
                           /* the worker may not read the directory: schema/009_roles.sql */
                           "SELECT partner_id, kind, value FROM rd_worker_partner_match($1, $2, $3, $4, $5)",
                           5, p, error);
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len > 0) {
                ret->id = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 0), NULL, 10);
                ret->match = g_strdup(rd_db_rows_cell(rows, 0, 1));
                if (strcmp(ret->match, "fax") == 0)
                        ret->fax = g_strdup(rd_db_rows_cell(rows, 0, 2));
                return TRUE;
        }
        /* a text layer or a mail is read exactly: only OCR misreads digits */
        for (guint i = 0; o->numbers_by_ocr && i < G_N_ELEMENTS(near) && ret->id == 0; i++)
                if (!match_fax_near(db, near[i], ret, error))
                        return FALSE;
        return TRUE;
}

/* ---- storing an item ----------------------------------------------------- */

static gboolean
store_origin(RdDb *db, gint64 item_id, const RdOrigin *o, const RdPartnerMatch *pm, const char *role,
             gint64 referral_id, GError **error)
{
        g_autofree char *iid = i64(item_id);
        g_autofree char *pid = pm->id > 0 ? i64(pm->id) : NULL;
        g_autofree char *rid = referral_id > 0 ? i64(referral_id) : NULL;
        g_autoptr(GString) refs = g_string_new("{");
        const char *fax = o->form_fax ? o->form_fax : o->relay_fax ? o->relay_fax : o->header_fax;
        const char *p[19];

        for (guint i = 0; o->references && i < o->references->len; i++) {
                g_autofree char *q = g_strescape(o->references->pdata[i], NULL);

                g_string_append_printf(refs, "%s\"%s\"", i ? "," : "", q);
        }
        g_string_append_c(refs, '}');
        p[0] = iid;
        p[1] = o->channel;
        p[2] = o->from_addr;
        p[3] = o->reply_to;
        p[4] = o->subject;
        p[5] = o->message_id;
        p[6] = o->in_reply_to;
        p[7] = refs->str;
        p[8] = o->auto_submitted ? "true" : "false";
        p[9] = fax;
        p[10] = pid;
        p[11] = pm->match;
        p[12] = role;
        p[13] = rid;
        p[14] = o->header_fax;
        p[15] = o->form_fax;
        p[16] = o->relay;
        p[17] = o->relay_fax;
        p[18] = pm->fax;
        return rd_db_exec(db,
                          "INSERT INTO item_origin (item_id, channel, from_addr, reply_to, subject, message_id,"
                          " in_reply_to, references_ids, auto_submitted, fax_number, partner_id, partner_match, role,"
                          " referral_id, header_fax, form_fax, relay, relay_fax, partner_fax)"
                          " VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8::text[], $9::boolean, $10,"
                          " $11::bigint, $12, $13, $14::bigint, $15, $16, $17, $18, $19)"
                          " ON CONFLICT (item_id) DO UPDATE SET role = EXCLUDED.role, referral_id = EXCLUDED.referral_id,"
                          "  partner_id = EXCLUDED.partner_id, partner_match = EXCLUDED.partner_match,"
                          "  header_fax = EXCLUDED.header_fax, form_fax = EXCLUDED.form_fax, relay = EXCLUDED.relay,"
                          "  relay_fax = EXCLUDED.relay_fax, partner_fax = EXCLUDED.partner_fax",
                          19, p, error);
}

/* Two copies of one packet processed at once must make one referral: the
 * decision between new referral and follow-up is taken under a
 * transaction-scoped lock on the patient's identity, so the second waits
 * for the first to commit and then finds it.  The date of birth is the
 * key (the family name is matched within one edit, so it cannot be);
 * without one, the partner (or sender) and the family name. */
static gboolean
lock_identity(RdDb *db, const RdOrigin *o, const RdReferral *ref, gint64 partner_id, GError **error)
{
        g_autofree char *key = NULL;
        g_autofree char *family = ref->patient.family ? g_utf8_strdown(ref->patient.family, -1) : NULL;
        const char *p[1];

        if (ref->patient.dob != NULL)
                key = g_strconcat("referral:dob:", ref->patient.dob, NULL);
        else
                key = g_strdup_printf("referral:%" G_GINT64_FORMAT ":%s:%s", partner_id,
                                      partner_id > 0 ? "" : o->email_key ? o->email_key
                                                          : o->relay_fax ? o->relay_fax
                                                          : o->header_fax ? o->header_fax : "",
                                      family ? family : "");
        p[0] = key;
        return rd_db_exec(db, "SELECT pg_advisory_xact_lock(hashtext($1))", 1, p, error);
}

static gboolean
staff_said_new(RdDb *db, gint64 item_id, gboolean *ret, GError **error)
{
        g_autofree char *iid = i64(item_id);
        const char *p[1] = { iid };

        /* staff said this item is a referral of its own (reprocess --new) */
        return rd_db_query_bool(db,
                                "SELECT true FROM followup_review WHERE item_id = $1::bigint"
                                " AND resolved_at IS NOT NULL AND reason = 'staff: new referral'",
                                1, p, ret, error);
}

/* A random reference: 38 bits from the kernel's CSPRNG (getrandom(2)),
 * uniform over the tokens by rejection (about 6 draws in 10 are kept). */
static char *
random_reference(GError **error)
{
        for (;;) {
                guint64 v = 0;
                ssize_t n = getrandom(&v, sizeof v, 0);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n != (ssize_t)sizeof v) {
                        g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_INTERNAL, "getrandom: %s",
                                    n < 0 ? g_strerror(errno) : "short read");
                        return NULL;
                }
                v &= (G_GUINT64_CONSTANT(1) << 39) - 1;
                if (v < RD_REFTOKEN_SPACE)
                        return rd_reftoken_from_random(v);
        }
}

/* Gives the referral a reference no other referral has: a draw that is
 * already taken (about one in 300 billion per referral stored) or taken
 * at the same moment by another worker (the UNIQUE constraint) is drawn
 * again, under a savepoint so the transaction goes on. */
static gboolean
assign_reference(RdDb *db, const char *rid, GError **error)
{
        for (guint attempt = 0; attempt < 8; attempt++) {
                g_autoptr(GError) local = NULL;
                g_autofree char *token = random_reference(error);
                g_autofree char *n = NULL;
                const char *p[2] = { rid, token };
                gboolean ok;

                if (token == NULL)
                        return FALSE;
                if (!rd_db_exec(db, "SAVEPOINT rd_reference", 0, NULL, error))
                        return FALSE;
                n = rd_db_query_value(db,
                                      "WITH u AS (UPDATE referral SET reference = $2 WHERE id = $1::bigint"
                                      " AND NOT EXISTS (SELECT 1 FROM referral WHERE reference = $2) RETURNING 1)"
                                      " SELECT count(*) FROM u",
                                      2, p, &ok, &local);
                if (!ok) {
                        if (!g_error_matches(local, RD_DB_ERROR, RD_DB_ERROR_REJECTED)) {
                                g_propagate_error(error, g_steal_pointer(&local));
                                return FALSE;
                        }
                        if (!rd_db_exec(db, "ROLLBACK TO SAVEPOINT rd_reference", 0, NULL, error))
                                return FALSE;
                        continue;
                }
                if (!rd_db_exec(db, "RELEASE SAVEPOINT rd_reference", 0, NULL, error))
                        return FALSE;
                if (n && strcmp(n, "1") == 0)
                        return TRUE;
        }
        g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_INTERNAL, "no free reference for referral %s", rid);
        return FALSE;
}

static gboolean
new_referral(RdDb *db, gint64 item_id, const RdOrigin *o, const RdPartnerMatch *pm, const char *referral_json,
             gint64 *ret_referral_id, GError **error)
{
        g_autofree char *rid = NULL, *pid = NULL;
        const char *p[4];

        if (!rd_db_store_referral(db, item_id, referral_json, ret_referral_id, error))
                return FALSE;
        rid = i64(*ret_referral_id);
        pid = pm->id > 0 ? i64(pm->id) : NULL;
        if (!assign_reference(db, rid, error))
                return FALSE;
        p[0] = rid;
        p[1] = pid;
        p[2] = o->needs_review ? "true" : "false";
        p[3] = o->review_reasons ? o->review_reasons : "[]";
        if (!rd_db_exec(db,
                        "UPDATE referral r SET partner_id = $2::bigint,"
                        " received_at = i.received_at, complete_on_arrival = (r.status = 'complete'),"
                        " completed_at = CASE WHEN r.status = 'complete' THEN now() END,"
                        " needs_review = $3::boolean, review_reasons = $4::jsonb"
                        " FROM item i WHERE i.id = r.item_id AND r.id = $1::bigint",
                        4, p, error))
                return FALSE;
        if (o->needs_review && !rd_loop_add_event(db, item_id, *ret_referral_id, "needs-review", NULL, error))
                return FALSE;
        return store_origin(db, item_id, o, pm, "referral", *ret_referral_id, error);
}

gboolean
rd_db_loop_store(RdDb *db, const RdConfig *config, gint64 item_id, const RdOrigin *origin, const RdReferral *ref,
                 const char *referral_json, RdLoopOutcome *ret_outcome, gint64 *ret_referral_id,
                 gboolean *ret_became_complete, GError **error)
{
        RdPartnerMatch pm = { 0 };
        g_autoptr(GArray) chosen = g_array_new(FALSE, FALSE, sizeof(gint64));
        g_autoptr(GString) how = g_string_new(NULL);
        g_autofree char *unmatched = NULL;
        gboolean staff_new = FALSE, ok = FALSE;

        *ret_referral_id = 0;
        *ret_became_complete = FALSE;
        if (!match_partner(db, origin, &pm, error) || !lock_identity(db, origin, ref, pm.id, error) ||
            !staff_said_new(db, item_id, &staff_new, error))
                goto out;
        if (!staff_new && !rd_loop_find_followup(db, config, origin, ref, pm.id, chosen, how, &unmatched, error))
                goto out;

        if (!staff_new && unmatched == NULL && chosen->len == 1) {
                gint64 rid = g_array_index(chosen, gint64, 0);

                *ret_outcome = RD_LOOP_FOLLOWUP;
                *ret_referral_id = rid;
                ok = store_origin(db, item_id, origin, &pm, "followup", rid, error) &&
                     rd_loop_merge_followup(db, config, item_id, rid, referral_json, how->str, ret_became_complete,
                                            error);
                goto out;
        }
        if (!staff_new && (unmatched != NULL || chosen->len > 1)) {
                g_autofree char *reason = unmatched ? g_strdup(unmatched)
                                                    : g_strdup_printf("%u referrals match (%s)", chosen->len, how->str);

                *ret_outcome = RD_LOOP_REVIEW;
                ok = store_origin(db, item_id, origin, &pm, "review", 0, error) &&
                     rd_loop_review(db, item_id, chosen, reason, referral_json, error);
                goto out;
        }
        *ret_outcome = RD_LOOP_NEW_REFERRAL;
        ok = new_referral(db, item_id, origin, &pm, referral_json, ret_referral_id, error);
out:
        partner_match_clear(&pm);
        return ok;
}
