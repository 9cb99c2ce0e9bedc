/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "results.h"
#include "daemon/base/log.h"
#include "daemon/replies/partner.h"
#include "parsers/understand/policy.h"
#include "parsers/understand/reftoken.h"
#include "daemon/replies/compose.h"

#define LOG_DOMAIN "rd-worker"

/* ---- small query helpers ------------------------------------------------- */



static char *
i64(gint64 v)
{
        return g_strdup_printf("%" G_GINT64_FORMAT, v);
}

static gboolean
add_event(RdDb *db, gint64 item_id, gint64 referral_id, const char *kind, const char *detail_json, GError **error)
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
        char *match;          /* "email" | "domain" | "fax" | "npi" */
        char *reply_channel;  /* auto | email | fax | none */
        char *reply_email, *reply_fax;
} RdPartnerMatch;

static void
partner_match_clear(RdPartnerMatch *m)
{
        g_clear_pointer(&m->match, g_free);
        g_clear_pointer(&m->reply_channel, g_free);
        g_clear_pointer(&m->reply_email, g_free);
        g_clear_pointer(&m->reply_fax, g_free);
}

static gboolean
match_partner(RdDb *db, const RdOrigin *origin, const RdReferral *ref, const char *fax, RdPartnerMatch *ret,
              GError **error)
{
        g_autofree char *email = origin->from_addr ? rd_partner_normalize_key("email", origin->from_addr) : NULL;
        g_autofree char *npi = ref->referring.npi ? rd_partner_normalize_key("npi", ref->referring.npi) : NULL;
        const char *at = email ? strrchr(email, '@') : NULL;
        const char *p[4] = { email ? email : "", fax ? fax : "", npi ? npi : "", at ? at + 1 : "" };
        g_autoptr(RdDbRows) rows = NULL;

        memset(ret, 0, sizeof *ret);
        rows = rd_db_query(db,
                           "SELECT k.partner_id, k.kind, p.reply_channel, p.reply_email, p.reply_fax"
                           " FROM partner_key k JOIN partner p ON p.id = k.partner_id"
                           " WHERE (k.kind = 'email' AND k.value = $1) OR (k.kind = 'fax' AND k.value = $2)"
                           "    OR (k.kind = 'npi' AND k.value = $3) OR (k.kind = 'domain' AND k.value = $4)"
                           " ORDER BY CASE k.kind WHEN 'email' THEN 1 WHEN 'fax' THEN 2 WHEN 'npi' THEN 3"
                           "  ELSE 4 END LIMIT 1",
                           4, p, error);
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len == 0)
                return TRUE;
        ret->id = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 0), NULL, 10);
        ret->match = g_strdup(rd_db_rows_cell(rows, 0, 1));
        ret->reply_channel = g_strdup(rd_db_rows_cell(rows, 0, 2));
        ret->reply_email = g_strdup(rd_db_rows_cell(rows, 0, 3));
        ret->reply_fax = g_strdup(rd_db_rows_cell(rows, 0, 4));
        return TRUE;
}

/* ---- follow-up matching -------------------------------------------------- */

static void
add_candidate(GArray *set, gint64 id)
{
        for (guint i = 0; i < set->len; i++)
                if (g_array_index(set, gint64, i) == id)
                        return;
        g_array_append_val(set, id);
}

/* Referrals the item names outright: a reference token in its subject or
 * text, or one of our replies' Message-IDs in In-Reply-To / References. */
static gboolean
strong_candidates(RdDb *db, const RdOrigin *origin, GArray *set, GString *how, GError **error)
{
        g_autoptr(GString) text = g_string_new(origin->subject);
        g_autoptr(GPtrArray) tokens = NULL;
        g_autoptr(GPtrArray) ids = g_ptr_array_new();

        g_string_append_c(text, '\n');
        if (origin->text)
                g_string_append(text, origin->text);
        tokens = rd_reftoken_find(text->str);
        for (guint i = 0; i < tokens->len; i++) {
                g_autofree char *id = NULL, *found = NULL;
                const char *p[2];
                guint64 v;
                gboolean ok;

                if (!rd_reftoken_parse(tokens->pdata[i], &v))
                        continue;
                id = g_strdup_printf("%" G_GUINT64_FORMAT, v);
                p[0] = id;
                p[1] = tokens->pdata[i];
                found = rd_db_query_value(db, "SELECT id FROM referral WHERE id = $1::bigint AND reference = $2", 2, p,
                                    &ok, error);
                if (!ok)
                        return FALSE;
                if (found) {
                        add_candidate(set, g_ascii_strtoll(found, NULL, 10));
                        g_string_append(how, how->len ? ",reference" : "reference");
                }
        }

        if (origin->in_reply_to)
                g_ptr_array_add(ids, (gpointer)origin->in_reply_to);
        for (guint i = 0; origin->references && i < origin->references->len; i++)
                g_ptr_array_add(ids, origin->references->pdata[i]);
        for (guint i = 0; i < ids->len; i++) {
                const char *p[1] = { ids->pdata[i] };
                g_autoptr(RdDbRows) rows = rd_db_query(db, "SELECT DISTINCT referral_id FROM outbox WHERE message_id = $1",
                                                       1, p, error);

                if (rows == NULL)
                        return FALSE;
                for (guint r = 0; r < rows->rows->len; r++) {
                        add_candidate(set, g_ascii_strtoll(rd_db_rows_cell(rows, r, 0), NULL, 10));
                        if (!strstr(how->str, "in-reply-to"))
                                g_string_append(how, how->len ? ",in-reply-to" : "in-reply-to");
                }
        }
        return TRUE;
}

/* Open referrals of the same partner for the same patient (family name and
 * date of birth) within the follow-up window. */
static gboolean
patient_candidates(RdDb *db, const RdConfig *config, gint64 partner_id, const RdReferral *ref, GArray *set,
                   GError **error)
{
        g_autofree char *pid = i64(partner_id);
        g_autofree char *window = g_strdup_printf("%" G_GUINT64_FORMAT " seconds",
                                                  config->replies->followup_window_usec / G_USEC_PER_SEC);
        const char *p[4] = { pid, ref->patient.family, ref->patient.dob, window };
        g_autoptr(RdDbRows) rows = NULL;

        if (partner_id <= 0 || ref->patient.family == NULL || ref->patient.dob == NULL)
                return TRUE;
        rows = rd_db_query(db,
                           "SELECT id FROM referral WHERE partner_id = $1::bigint AND status = 'incomplete'"
                           " AND lower(patient_family) = lower($2) AND patient_dob = rd_try_date($3)"
                           " AND received_at > now() - $4::interval ORDER BY id",
                           4, p, error);
        if (rows == NULL)
                return FALSE;
        for (guint r = 0; r < rows->rows->len; r++)
                add_candidate(set, g_ascii_strtoll(rd_db_rows_cell(rows, r, 0), NULL, 10));
        return TRUE;
}

/* ---- replies ------------------------------------------------------------- */

static gboolean
is_automatic_sender(const char *addr)
{
        static const char *const locals[] = { "mailer-daemon", "postmaster", "noreply", "no-reply",
                                              "donotreply", "do-not-reply", "bounce", "bounces",
                                              "auto-reply", "autoreply", "notifications" };
        g_autofree char *local = NULL;
        const char *at;

        if (addr == NULL)
                return FALSE;
        at = strchr(addr, '@');
        local = g_ascii_strdown(addr, at ? at - addr : -1);
        for (gsize i = 0; i < G_N_ELEMENTS(locals); i++)
                if (strcmp(local, locals[i]) == 0 || (g_str_has_prefix(local, locals[i]) &&
                                                      strchr("+-._", local[strlen(locals[i])])))
                        return TRUE;
        return g_str_has_prefix(local, "bounce") || g_str_has_prefix(local, "noreply");
}

static gboolean
is_own_address(const RdRepliesConfig *rc, const char *addr)
{
        if (addr == NULL)
                return FALSE;
        if (rc->from_addr && g_ascii_strcasecmp(addr, rc->from_addr) == 0)
                return TRUE;
        for (guint i = 0; rc->own_addresses && rc->own_addresses[i]; i++)
                if (g_ascii_strcasecmp(addr, rc->own_addresses[i]) == 0)
                        return TRUE;
        return FALSE;
}

typedef struct {
        const char *kind;          /* missing | receipt | complete */
        gint64 referral_id, item_id;
        const RdOrigin *origin;    /* the item answered: where it came from */
        const RdPartnerMatch *partner;
        const char *fax_number;    /* the referring office's fax as read, normalised, or NULL */
} RdReplyPlan;

static gboolean
load_missing(RdDb *db, gint64 referral_id, GPtrArray *missing, GError **error)
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

/* Decides where a reply goes and whether it may go at all, renders it and
 * writes the outbox row (or a suppressed row saying why not). */
static gboolean
queue_reply(RdDb *db, const RdConfig *config, const RdReplyPlan *plan, GError **error)
{
        const RdRepliesConfig *rc = config->replies;
        const RdOrigin *o = plan->origin;
        const RdPartnerMatch *pm = plan->partner;
        g_autofree char *rid = i64(plan->referral_id);
        g_autofree char *channel = NULL, *recipient = NULL, *suppressed = NULL;
        g_autofree char *subject = NULL, *body = NULL, *message_id = NULL, *oid = NULL, *refs = NULL;
        g_autofree char *window = NULL, *interval = NULL, *iid = NULL;
        g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func((GDestroyNotify)rd_missing_item_free);
        g_autoptr(RdDbRows) rrow = NULL;
        const char *subject_t, *body_t;
        gboolean by_email, ok;
        RdReplyVars vars = { 0 };

        if (!rc->enabled)
                return TRUE;
        if (strcmp(plan->kind, "missing") == 0) {
                if (!rc->missing_request)
                        return TRUE;
                subject_t = rc->subject_missing;
                body_t = rc->body_missing;
        } else if (strcmp(plan->kind, "receipt") == 0) {
                if (!rc->receipt)
                        return TRUE;
                subject_t = rc->subject_receipt;
                body_t = rc->body_receipt;
        } else {
                if (!rc->complete_notice)
                        return TRUE;
                subject_t = rc->subject_complete;
                body_t = rc->body_complete;
        }

        /* where to: the partner's preference, else the way the item came */
        by_email = strcmp(o->channel, "email") == 0;
        if (pm->id > 0 && g_strcmp0(pm->reply_channel, "fax") == 0)
                by_email = FALSE;
        else if (pm->id > 0 && pm->reply_email != NULL && g_strcmp0(pm->reply_channel, "fax") != 0)
                by_email = TRUE;
        if (by_email) {
                const char *to = pm->id > 0 && pm->reply_email ? pm->reply_email :
                                 o->reply_to ? o->reply_to : o->from_addr;

                channel = g_strdup("email");
                recipient = to ? g_ascii_strdown(to, -1) : NULL;
                if (recipient == NULL || !rd_mail_address_valid(recipient))
                        suppressed = g_strdup("no valid address to reply to");
                else if (config->smtp == NULL)
                        suppressed = g_strdup("no [smtp] configured for mail replies");
        } else {
                const char *number = pm->id > 0 && pm->reply_fax ? pm->reply_fax : plan->fax_number;

                if (number == NULL) {
                        suppressed = g_strdup("no fax number to reply to");
                } else if (rc->fax_mode == RD_FAX_REPLY_SPOOL) {
                        channel = g_strdup("fax-spool");
                        recipient = g_strdup(number);
                } else if (rc->fax_mode == RD_FAX_REPLY_GATEWAY) {
                        g_autoptr(GString) s = g_string_new(rc->fax_gateway);

                        g_string_replace(s, "{number}", number, 0);
                        channel = g_strdup("fax-gateway");
                        recipient = g_ascii_strdown(s->str, -1);
                        if (config->smtp == NULL)
                                suppressed = g_strdup("no [smtp] configured for the fax gateway");
                } else {
                        suppressed = g_strdup("fax replies are off (fax-reply=none)");
                }
        }
        if (suppressed == NULL && pm->id > 0 && g_strcmp0(pm->reply_channel, "none") == 0)
                suppressed = g_strdup("the partner takes no automatic replies");
        if (channel == NULL)
                channel = g_strdup(by_email ? "email" : "fax-spool");
        if (recipient == NULL)
                recipient = g_strdup("");

        /* whether at all: RFC 3834 and the practice's limits */
        if (suppressed == NULL && o->auto_submitted)
                suppressed = g_strdup("the message was sent automatically (auto-reply, bounce or list)");
        if (suppressed == NULL && strcmp(o->channel, "email") == 0 && is_automatic_sender(o->from_addr))
                suppressed = g_strdup("the sender is an automatic address");
        if (suppressed == NULL && (is_own_address(rc, o->from_addr) || is_own_address(rc, recipient)))
                suppressed = g_strdup("the message came from one of our own addresses");
        if (suppressed == NULL && pm->id <= 0 && !rc->reply_unknown)
                suppressed = g_strdup("the sender is not a known partner");
        if (suppressed == NULL) {
                /* serialise decisions about one recipient across workers */
                const char *p[1] = { recipient };

                if (!rd_db_exec(db, "SELECT pg_advisory_xact_lock(hashtext('outbox:' || $1::text))", 1, p, error))
                        return FALSE;
        }
        if (suppressed == NULL) {
                g_autofree char *n = NULL;
                const char *p[3];

                interval = g_strdup_printf("%" G_GUINT64_FORMAT " seconds", rc->min_interval_usec / G_USEC_PER_SEC);
                p[0] = rid;
                p[1] = plan->kind;
                p[2] = interval;
                n = rd_db_query_value(db,
                                "SELECT count(*) FROM outbox WHERE referral_id = $1::bigint AND kind = $2"
                                " AND state <> 'suppressed' AND created_at > now() - $3::interval",
                                3, p, &ok, error);
                if (!ok)
                        return FALSE;
                if (n && g_ascii_strtoll(n, NULL, 10) > 0)
                        suppressed = g_strdup("a reply of this kind went out within min-interval");
        }
        if (suppressed == NULL) {
                g_autofree char *n = NULL;
                const char *p[2];

                window = g_strdup_printf("%" G_GUINT64_FORMAT " seconds", rc->recipient_window_usec / G_USEC_PER_SEC);
                p[0] = recipient;
                p[1] = window;
                n = rd_db_query_value(db,
                                "SELECT count(*) FROM outbox WHERE lower(recipient) = lower($1)"
                                " AND state <> 'suppressed' AND created_at > now() - $2::interval",
                                2, p, &ok, error);
                if (!ok)
                        return FALSE;
                if (n && g_ascii_strtoll(n, NULL, 10) >= rc->max_per_recipient)
                        suppressed = g_strdup_printf("more than %u replies to this address within recipient-window",
                                                     rc->max_per_recipient);
        }

        /* what */
        {
                const char *p[1] = { rid };

                rrow = rd_db_query(db,
                                   "SELECT reference, coalesce(received::text, received_at::date::text),"
                                   " patient_family, patient_given, patient_dob::text FROM referral"
                                   " WHERE id = $1::bigint",
                                   1, p, error);
                if (rrow == NULL)
                        return FALSE;
                if (rrow->rows->len == 0) {
                        g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_INTERNAL, "referral %s vanished", rid);
                        return FALSE;
                }
        }
        if (strcmp(plan->kind, "missing") == 0 && !load_missing(db, plan->referral_id, missing, error))
                return FALSE;
        vars.reference = rd_db_rows_cell(rrow, 0, 0);
        vars.received = rd_db_rows_cell(rrow, 0, 1);
        vars.patient_family = rd_db_rows_cell(rrow, 0, 2);
        vars.patient_given = rd_db_rows_cell(rrow, 0, 3);
        vars.patient_dob = rd_db_rows_cell(rrow, 0, 4);
        vars.patient_detail = rc->patient_detail;
        vars.date_style = rc->date_style;
        vars.missing = missing;
        vars.labs_max_age_days = rd_policy_get_labs_max_age_days(config->policy);
        vars.practice = rc->practice_name;
        vars.our_fax = rc->our_fax;
        vars.our_email = rc->from_addr;
        vars.by_email = strcmp(channel, "email") == 0;
        subject = rd_reply_render(subject_t, &vars, error);
        if (subject == NULL)
                return FALSE;
        body = rd_reply_render(body_t, &vars, error);
        if (body == NULL)
                return FALSE;

        oid = rd_db_query_value(db, "SELECT nextval('outbox_id_seq')", 0, NULL, &ok, error);
        if (!ok)
                return FALSE;
        message_id = rd_mail_new_message_id(rc->from_addr, g_ascii_strtoll(oid, NULL, 10));
        {
                /* References: the original's chain, then the original itself */
                g_autoptr(GString) r = g_string_new("{");
                gboolean first = TRUE;

                for (guint i = 0; o->references && i < o->references->len; i++) {
                        g_autofree char *q = g_strescape(o->references->pdata[i], NULL);

                        g_string_append_printf(r, "%s\"%s\"", first ? "" : ",", q);
                        first = FALSE;
                }
                if (o->message_id) {
                        g_autofree char *q = g_strescape(o->message_id, NULL);

                        g_string_append_printf(r, "%s\"%s\"", first ? "" : ",", q);
                }
                g_string_append_c(r, '}');
                refs = g_string_free(g_steal_pointer(&r), FALSE);
        }
        iid = plan->item_id > 0 ? i64(plan->item_id) : NULL;
        {
                const char *p[12] = { oid, rid, iid, plan->kind, channel, recipient, subject, body, message_id,
                                      strcmp(o->channel, "email") == 0 ? o->message_id : NULL,
                                      strcmp(o->channel, "email") == 0 ? refs : "{}", suppressed };

                if (!rd_db_exec(db,
                                "INSERT INTO outbox (id, referral_id, item_id, kind, channel, recipient, subject, body,"
                                " message_id, in_reply_to, references_ids, state, reason)"
                                " VALUES ($1::bigint, $2::bigint, $3::bigint, $4, $5, $6, $7, $8, $9, $10, $11::text[],"
                                "  CASE WHEN $12::text IS NULL THEN 'queued' ELSE 'suppressed' END, $12)",
                                12, p, error))
                        return FALSE;
        }
        {
                const char *p[4] = { oid, plan->kind, channel, suppressed };

                if (!rd_db_exec(db,
                                "INSERT INTO event (item_id, referral_id, kind, detail)"
                                " SELECT item_id, referral_id, CASE WHEN $4::text IS NULL THEN 'reply-queued'"
                                "  ELSE 'reply-suppressed' END,"
                                "  jsonb_strip_nulls(jsonb_build_object('outbox', $1::bigint, 'reply', $2::text, 'channel', $3::text,"
                                "  'reason', $4::text))"
                                " FROM outbox WHERE id = $1::bigint",
                                4, p, error))
                        return FALSE;
        }
        if (suppressed == NULL && !rd_db_exec(db, "NOTIFY rd_outbox", 0, NULL, error))
                return FALSE;
        return TRUE;
}

/* ---- checklist re-run ---------------------------------------------------- */

gboolean
rd_db_loop_recheck(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id,
                   gboolean *ret_became_complete, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p1[1] = { rid };
        g_autoptr(RdDbRows) head = NULL, docs = NULL, resolved = NULL;
        g_autoptr(RdReferral) ref = rd_referral_new();
        g_autoptr(GString) missing_json = g_string_new("[");
        gboolean missing_ekg = FALSE, missing_labs = FALSE, was_incomplete;

        *ret_became_complete = FALSE;
        head = rd_db_query(db,
                           "SELECT service_line, urgency, coalesce(received::text, received_at::date::text), status"
                           " FROM referral WHERE id = $1::bigint FOR UPDATE",
                           1, p1, error);
        if (head == NULL)
                return FALSE;
        if (head->rows->len == 0) {
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED, "no referral %s", rid);
                return FALSE;
        }
        ref->service_line = g_strdup(rd_db_rows_cell(head, 0, 0));
        ref->urgency = g_strdup(rd_db_rows_cell(head, 0, 1));
        ref->received = g_strdup(rd_db_rows_cell(head, 0, 2));
        was_incomplete = g_strcmp0(rd_db_rows_cell(head, 0, 3), "incomplete") == 0;
        docs = rd_db_query(db,
                           "SELECT type, date::text, array_to_string(panels, ','), coalesce(confidence, 1)"
                           " FROM referral_document WHERE referral_id = $1::bigint ORDER BY id",
                           1, p1, error);
        if (docs == NULL)
                return FALSE;
        for (guint r = 0; r < docs->rows->len; r++) {
                RdDocType type;
                RdDocument *d;
                g_auto(GStrv) panels = NULL;

                if (!rd_doc_type_from_string(rd_db_rows_cell(docs, r, 0), &type))
                        continue;
                d = rd_document_new(type);
                d->date = g_strdup(rd_db_rows_cell(docs, r, 1));
                d->confidence = g_ascii_strtod(rd_db_rows_cell(docs, r, 3), NULL);
                panels = g_strsplit(rd_db_rows_cell(docs, r, 2) ? rd_db_rows_cell(docs, r, 2) : "", ",", -1);
                for (guint i = 0; panels[i]; i++) {
                        RdPanel panel;

                        if (rd_panel_from_string(panels[i], &panel))
                                d->panels |= panel;
                }
                g_ptr_array_add(ref->documents, d);
        }
        rd_policy_check(config->policy, ref);

        /* staff resolutions count as present */
        resolved = rd_db_query(db, "SELECT item FROM referral_resolution WHERE referral_id = $1::bigint", 1, p1,
                               error);
        if (resolved == NULL)
                return FALSE;
        for (guint i = 0; i < ref->missing->len;) {
                RdMissingItem *m = ref->missing->pdata[i];
                gboolean res = FALSE;

                for (guint r = 0; r < resolved->rows->len; r++)
                        res |= g_strcmp0(rd_db_rows_cell(resolved, r, 0), m->item) == 0;
                if (res)
                        g_ptr_array_remove_index(ref->missing, i);
                else
                        i++;
        }
        ref->complete = ref->missing->len == 0;

        if (!rd_db_exec(db, "DELETE FROM referral_checklist WHERE referral_id = $1::bigint", 1, p1, error))
                return FALSE;
        for (guint i = 0; i < ref->required->len; i++) {
                const char *item = ref->required->pdata[i];
                const RdMissingItem *m = NULL;
                const char *p[5];

                for (guint k = 0; k < ref->missing->len; k++)
                        if (strcmp(((RdMissingItem *)ref->missing->pdata[k])->item, item) == 0)
                                m = ref->missing->pdata[k];
                p[0] = rid;
                p[1] = item;
                p[2] = m ? "false" : "true";
                p[3] = m ? rd_missing_why_to_string(m->why) : NULL;
                p[4] = m ? m->date_found : NULL;
                if (!rd_db_exec(db,
                                "INSERT INTO referral_checklist (referral_id, item, present, why, date_found)"
                                " VALUES ($1::bigint, $2, $3::boolean, $4, rd_try_date($5))",
                                5, p, error))
                        return FALSE;
                if (m) {
                        g_autofree char *q = g_strescape(item, NULL);

                        g_string_append_printf(missing_json, "%s\"%s\"", missing_json->len > 1 ? "," : "", q);
                        missing_ekg |= strcmp(item, "ekg") == 0;
                        missing_labs |= strcmp(item, "labs") == 0 || g_str_has_prefix(item, "labs:");
                }
        }
        g_string_append_c(missing_json, ']');
        {
                const char *p[4] = { rid, missing_ekg ? "true" : "false", missing_labs ? "true" : "false",
                                     ref->complete ? "true" : "false" };

                if (!rd_db_exec(db,
                                "UPDATE referral SET missing_ekg = $2::boolean, missing_labs = $3::boolean,"
                                " status = CASE WHEN status = 'incomplete' AND $4::boolean THEN 'complete' ELSE status END,"
                                " completed_at = CASE WHEN $4::boolean THEN coalesce(completed_at, now()) ELSE completed_at END,"
                                " updated_at = now() WHERE id = $1::bigint",
                                4, p, error))
                        return FALSE;
        }
        {
                g_autofree char *detail = g_strdup_printf("{\"missing\": %s}", missing_json->str);

                if (!add_event(db, item_id, referral_id, "checklist-rerun", detail, error))
                        return FALSE;
        }
        if (was_incomplete && ref->complete) {
                *ret_became_complete = TRUE;
                if (!add_event(db, item_id, referral_id, "referral-complete", NULL, error))
                        return FALSE;
        }
        return TRUE;
}

/* The origin and partner of a stored referral's first item, to address a
 * reply about it (completion after a follow-up, staff attach). */
static gboolean
load_referral_origin(RdDb *db, gint64 referral_id, RdDbRows **ret_rows, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p[1] = { rid };

        *ret_rows = rd_db_query(db,
                                "SELECT o.channel, o.from_addr, o.reply_to, o.subject, o.message_id, o.in_reply_to,"
                                " o.auto_submitted::text, r.referring_fax, r.partner_id, p.reply_channel,"
                                " p.reply_email, p.reply_fax, r.item_id"
                                " FROM referral r LEFT JOIN item_origin o ON o.item_id = r.item_id"
                                " LEFT JOIN partner p ON p.id = r.partner_id WHERE r.id = $1::bigint",
                                1, p, error);
        return *ret_rows != NULL;
}

static gboolean
queue_about_referral(RdDb *db, const RdConfig *config, gint64 referral_id, const char *kind, GError **error)
{
        g_autoptr(RdDbRows) rows = NULL;
        RdOrigin origin = { 0 };
        RdPartnerMatch pm = { 0 };
        g_autofree char *fax = NULL;
        RdReplyPlan plan = { 0 };

        if (!config->replies->enabled)
                return TRUE;
        if (!load_referral_origin(db, referral_id, &rows, error))
                return FALSE;
        if (rows->rows->len == 0 || rd_db_rows_cell(rows, 0, 0) == NULL)
                return TRUE; /* made before origins were kept: nothing to answer */
        origin.channel = rd_db_rows_cell(rows, 0, 0);
        origin.from_addr = rd_db_rows_cell(rows, 0, 1);
        origin.reply_to = rd_db_rows_cell(rows, 0, 2);
        origin.subject = rd_db_rows_cell(rows, 0, 3);
        origin.message_id = rd_db_rows_cell(rows, 0, 4);
        origin.in_reply_to = rd_db_rows_cell(rows, 0, 5);
        origin.auto_submitted = g_strcmp0(rd_db_rows_cell(rows, 0, 6), "true") == 0;
        fax = rd_db_rows_cell(rows, 0, 7) ? rd_partner_normalize_key("fax", rd_db_rows_cell(rows, 0, 7)) : NULL;
        pm.id = rd_db_rows_cell(rows, 0, 8) ? g_ascii_strtoll(rd_db_rows_cell(rows, 0, 8), NULL, 10) : 0;
        pm.reply_channel = (char *)rd_db_rows_cell(rows, 0, 9);
        pm.reply_email = (char *)rd_db_rows_cell(rows, 0, 10);
        pm.reply_fax = (char *)rd_db_rows_cell(rows, 0, 11);
        plan.kind = kind;
        plan.referral_id = referral_id;
        plan.item_id = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 12), NULL, 10);
        plan.origin = &origin;
        plan.partner = &pm;
        plan.fax_number = fax;
        return queue_reply(db, config, &plan, error);
}

/* ---- storing an item ----------------------------------------------------- */

static gboolean
store_origin(RdDb *db, gint64 item_id, const RdOrigin *o, const char *fax, const RdPartnerMatch *pm,
             const char *role, gint64 referral_id, GError **error)
{
        g_autofree char *iid = i64(item_id);
        g_autofree char *pid = pm->id > 0 ? i64(pm->id) : NULL;
        g_autofree char *rid = referral_id > 0 ? i64(referral_id) : NULL;
        g_autoptr(GString) refs = g_string_new("{");
        const char *p[14];

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
        return rd_db_exec(db,
                          "INSERT INTO item_origin (item_id, channel, from_addr, reply_to, subject, message_id,"
                          " in_reply_to, references_ids, auto_submitted, fax_number, partner_id, partner_match, role,"
                          " referral_id) VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8::text[], $9::boolean, $10,"
                          " $11::bigint, $12, $13, $14::bigint)"
                          " ON CONFLICT (item_id) DO UPDATE SET role = EXCLUDED.role, referral_id = EXCLUDED.referral_id,"
                          "  partner_id = EXCLUDED.partner_id, partner_match = EXCLUDED.partner_match",
                          14, p, error);
}

static gboolean
add_documents(RdDb *db, gint64 referral_id, gint64 item_id, const char *referral_json, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        g_autofree char *iid = i64(item_id);
        const char *p[3] = { rid, iid, referral_json };

        return rd_db_exec(db,
                          "INSERT INTO referral_document (referral_id, item_id, type, pages, date, panels, confidence)"
                          " SELECT $1::bigint, $2::bigint, d->>'type',"
                          "  ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'pages', '[]'))::integer),"
                          "  rd_try_date(d->>'date'),"
                          "  ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'panels', '[]'))),"
                          "  (d->>'confidence')::real"
                          " FROM jsonb_array_elements(coalesce($3::jsonb->'documents', '[]')) d",
                          3, p, error);
}

/* A referral's fields that the first fax or email left empty, filled
 * from a follow-up's: a patient's MRN on the cover sheet, a referring NPI
 * the partner adds.  Nothing read before is overwritten.  The referring
 * office's fields, the reason and the diagnoses come only from a
 * follow-up of the referral's own partner: a lab or hospital that quotes
 * the reference is not the referring office, and the referring fax
 * addresses replies.  The service line and urgency stay as they are:
 * they decide the checklist, and changing them is for staff.  The event
 * names the fields filled, not their values; the referral's extract JSON
 * stays as first understood.
 *
 * FILL_COLUMNS: the text columns, each with its place in the extract
 * JSON, its name in the event, and when it may be filled. */
#define FILL_COLUMNS(X)                                                                     \
        X("patient_family", "->'patient'->>'family'", "patient.family", "true")            \
        X("patient_given", "->'patient'->>'given'", "patient.given", "true")               \
        X("patient_sex", "->'patient'->>'sex'", "patient.sex", "true")                     \
        X("patient_phone", "->'patient'->>'phone'", "patient.phone", "true")               \
        X("patient_mrn", "->'patient'->>'mrn'", "patient.mrn", "true")                     \
        X("referring_name", "->'referring'->>'name'", "referring.name", "j.same_partner")  \
        X("referring_npi", "->'referring'->>'npi'", "referring.npi", "j.same_partner")     \
        X("referring_practice", "->'referring'->>'practice'", "referring.practice", "j.same_partner") \
        X("referring_phone", "->'referring'->>'phone'", "referring.phone", "j.same_partner") \
        X("referring_fax", "->'referring'->>'fax'", "referring.fax", "j.same_partner")     \
        X("reason", "->>'reason'", "reason", "j.same_partner")
#define FILL_SET(col, path, name, when) \
        " " col " = coalesce(r." col ", CASE WHEN " when " THEN nullif(j.j" path ", '') END),"
#define FILL_NAME(col, path, name, when) " CASE WHEN o." col " IS NULL AND u." col " IS NOT NULL THEN '" name "' END,"
#define FILL_FIELDS_SQL                                                                     \
        "WITH j AS (SELECT $2::jsonb AS j, EXISTS (SELECT 1 FROM item_origin io JOIN referral x" \
        "  ON x.partner_id = io.partner_id WHERE io.item_id = $3::bigint AND x.id = $1::bigint)" \
        "  AS same_partner),"                                                               \
        " o AS (SELECT * FROM referral WHERE id = $1::bigint),"                             \
        " u AS (UPDATE referral r SET" FILL_COLUMNS(FILL_SET)                               \
        " patient_dob = coalesce(r.patient_dob, rd_try_date(j.j->'patient'->>'dob')),"      \
        " diagnoses = CASE WHEN cardinality(r.diagnoses) > 0 OR NOT j.same_partner"         \
        "  THEN r.diagnoses"                                                                \
        "  ELSE ARRAY(SELECT jsonb_array_elements_text(coalesce(j.j->'diagnoses', '[]'))) END" \
        " FROM j WHERE r.id = $1::bigint RETURNING r.*)"                                    \
        " SELECT to_jsonb(array_remove(ARRAY[" FILL_COLUMNS(FILL_NAME)                      \
        FILL_NAME("patient_dob", "", "patient.dob", "")                                     \
        " CASE WHEN cardinality(o.diagnoses) = 0 AND cardinality(u.diagnoses) > 0"          \
        "  THEN 'diagnoses' END], NULL))::text FROM o, u"

static gboolean
fill_fields(RdDb *db, gint64 item_id, gint64 referral_id, const char *referral_json, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        g_autofree char *iid = i64(item_id);
        const char *p[3] = { rid, referral_json, iid };
        g_autofree char *filled = NULL, *detail = NULL;
        gboolean ok;

        filled = rd_db_query_value(db, FILL_FIELDS_SQL, 3, p, &ok, error);
        if (!ok)
                return FALSE;
        if (filled == NULL || strcmp(filled, "[]") == 0)
                return TRUE;
        detail = g_strdup_printf("{\"fields\": %s}", filled);
        return add_event(db, item_id, referral_id, "fields-filled", detail, error);
}

static gboolean
merge_followup(RdDb *db, const RdConfig *config, gint64 item_id, gint64 referral_id, const char *referral_json,
               const char *how, GError **error)
{
        g_autofree char *detail = NULL;
        g_autofree char *q = g_strescape(how, NULL);
        gboolean became_complete;

        if (!add_documents(db, referral_id, item_id, referral_json, error))
                return FALSE;
        detail = g_strdup_printf("{\"matched_by\": \"%s\"}", q);
        if (!add_event(db, item_id, referral_id, "followup-attached", detail, error))
                return FALSE;
        if (!fill_fields(db, item_id, referral_id, referral_json, error))
                return FALSE;
        if (!rd_db_loop_recheck(db, config, referral_id, item_id, &became_complete, error))
                return FALSE;
        if (became_complete)
                return queue_about_referral(db, config, referral_id, "complete", error);
        return TRUE;
}

gboolean
rd_db_loop_attach(RdDb *db, const RdConfig *config, gint64 item_id, gint64 referral_id, const char *how,
                  GError **error)
{
        g_autofree char *iid = i64(item_id);
        g_autofree char *rid = i64(referral_id);
        const char *p[2] = { iid, rid };
        g_autofree char *json = NULL, *exists = NULL;
        gboolean ok;

        exists = rd_db_query_value(db, "SELECT id FROM referral WHERE id = $1::bigint", 1, p + 1, &ok, error);
        if (!ok)
                return FALSE;
        if (exists == NULL) {
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED, "no referral %s", rid);
                return FALSE;
        }
        /* the item's own understanding, kept in the event the worker wrote */
        json = rd_db_query_value(db,
                           "SELECT detail->>'extract' FROM event WHERE item_id = $1::bigint"
                           " AND kind IN ('followup-review', 'item-understood') ORDER BY id DESC LIMIT 1",
                           1, p, &ok, error);
        if (!ok)
                return FALSE;
        if (json == NULL)
                json = rd_db_query_value(db, "SELECT extract::text FROM referral WHERE item_id = $1::bigint", 1, p, &ok,
                                   error);
        if (!ok)
                return FALSE;
        if (json == NULL) {
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED,
                            "item %s has not been understood (not processed yet, or failed)", iid);
                return FALSE;
        }
        if (!rd_db_exec(db, "UPDATE followup_review SET resolved_at = now() WHERE item_id = $1::bigint", 1, p, error) ||
            !rd_db_exec(db,
                        "UPDATE item_origin SET role = 'followup', referral_id = $2::bigint WHERE item_id = $1::bigint",
                        2, p, error))
                return FALSE;
        return merge_followup(db, config, item_id, referral_id, json, how, error);
}

gboolean
rd_db_loop_store(RdDb *db, const RdConfig *config, gint64 item_id, const RdOrigin *origin, const RdReferral *ref,
                 const char *referral_json, RdLoopOutcome *ret_outcome, gint64 *ret_referral_id, GError **error)
{
        RdPartnerMatch pm = { 0 };
        g_autoptr(GArray) strong = g_array_new(FALSE, FALSE, sizeof(gint64));
        g_autoptr(GArray) weak = g_array_new(FALSE, FALSE, sizeof(gint64));
        g_autoptr(GString) how = g_string_new(NULL);
        g_autofree char *fax = ref->referring.fax ? rd_partner_normalize_key("fax", ref->referring.fax) : NULL;
        GArray *chosen = NULL;
        gboolean ok = FALSE;

        /* the form's fax number, else the one the sending machine printed */
        if (fax == NULL && origin->header_fax != NULL)
                fax = rd_partner_normalize_key("fax", origin->header_fax);
        *ret_referral_id = 0;
        if (!match_partner(db, origin, ref, fax, &pm, error))
                goto out;
        {
                /* staff said this item is a referral of its own (reprocess --new) */
                g_autofree char *iid = i64(item_id);
                const char *p[1] = { iid };
                g_autofree char *staff = rd_db_query_value(db,
                                                     "SELECT 1 FROM followup_review WHERE item_id = $1::bigint"
                                                     " AND resolved_at IS NOT NULL AND reason = 'staff: new referral'",
                                                     1, p, &ok, error);

                if (!ok)
                        goto out;
                ok = FALSE;
                if (staff != NULL)
                        goto new_referral;
        }
        if (!strong_candidates(db, origin, strong, how, error))
                goto out;
        if (strong->len == 0) {
                if (!patient_candidates(db, config, pm.id, ref, weak, error))
                        goto out;
                g_string_assign(how, "same partner and patient");
        }
        chosen = strong->len > 0 ? strong : weak;

        if (chosen->len == 1) {
                gint64 rid = g_array_index(chosen, gint64, 0);

                *ret_outcome = RD_LOOP_FOLLOWUP;
                *ret_referral_id = rid;
                ok = store_origin(db, item_id, origin, fax, &pm, "followup", rid, error) &&
                     merge_followup(db, config, item_id, rid, referral_json, how->str, error);
                goto out;
        }
        if (chosen->len > 1) {
                g_autoptr(GString) ids = g_string_new("{");
                g_autofree char *iid = i64(item_id);
                g_autofree char *reason = g_strdup_printf("%u referrals match (%s)", chosen->len, how->str);
                const char *p[4];

                for (guint i = 0; i < chosen->len; i++)
                        g_string_append_printf(ids, "%s%" G_GINT64_FORMAT, i ? "," : "",
                                               g_array_index(chosen, gint64, i));
                g_string_append_c(ids, '}');
                *ret_outcome = RD_LOOP_REVIEW;
                p[0] = iid;
                p[1] = ids->str;
                p[2] = reason;
                p[3] = referral_json;
                ok = store_origin(db, item_id, origin, fax, &pm, "review", 0, error) &&
                     rd_db_exec(db,
                                "INSERT INTO followup_review (item_id, candidates, reason) VALUES ($1::bigint,"
                                " $2::bigint[], $3) ON CONFLICT (item_id) DO UPDATE SET candidates = EXCLUDED.candidates,"
                                " reason = EXCLUDED.reason, resolved_at = NULL",
                                3, p, error) &&
                     rd_db_exec(db,
                                "INSERT INTO event (item_id, kind, detail) VALUES ($1::bigint, 'followup-review',"
                                " jsonb_build_object('candidates', $2::bigint[], 'reason', $3::text,"
                                "  'extract', $4::jsonb::text))",
                                4, p, error);
                goto out;
        }

new_referral:
        *ret_outcome = RD_LOOP_NEW_REFERRAL;
        if (!rd_db_store_referral(db, item_id, referral_json, ret_referral_id, error))
                goto out;
        {
                g_autofree char *rid = i64(*ret_referral_id);
                g_autofree char *token = rd_reftoken_from_id((guint64)*ret_referral_id);
                g_autofree char *pid = pm.id > 0 ? i64(pm.id) : NULL;
                const char *p[3] = { rid, token, pid };

                if (token == NULL) {
                        g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_INTERNAL, "no reference for referral %s", rid);
                        goto out;
                }
                if (!rd_db_exec(db,
                                "UPDATE referral r SET reference = $2, partner_id = $3::bigint,"
                                " received_at = i.received_at, complete_on_arrival = (r.status = 'complete'),"
                                " completed_at = CASE WHEN r.status = 'complete' THEN now() END"
                                " FROM item i WHERE i.id = r.item_id AND r.id = $1::bigint",
                                3, p, error))
                        goto out;
        }
        if (!store_origin(db, item_id, origin, fax, &pm, "referral", *ret_referral_id, error))
                goto out;
        {
                RdReplyPlan plan = { NULL, *ret_referral_id, item_id, origin, &pm, fax };

                if (!ref->complete) {
                        plan.kind = "missing";
                        if (!queue_reply(db, config, &plan, error))
                                goto out;
                }
                plan.kind = "receipt";
                if (!queue_reply(db, config, &plan, error))
                        goto out;
        }
        ok = TRUE;
out:
        partner_match_clear(&pm);
        return ok;
}
