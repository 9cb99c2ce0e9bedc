/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One reply from facts to outbox row (see queue.h): the steps in order,
 * each owned elsewhere. */
#include <string.h>

#include "queue.h"
#include "compose.h"
#include "plan.h"
#include "daemon/store/outbox.h"
#include "parsers/understand/policy.h"

/* The templates of @kind, or FALSE when that kind of reply is off. */
static gboolean
templates(const RdRepliesConfig *rc, const char *kind, const char **ret_subject, const char **ret_body)
{
        if (strcmp(kind, "missing") == 0) {
                *ret_subject = rc->subject_missing;
                *ret_body = rc->body_missing;
                return rc->missing_request;
        }
        if (strcmp(kind, "receipt") == 0) {
                *ret_subject = rc->subject_receipt;
                *ret_body = rc->body_receipt;
                return rc->receipt;
        }
        *ret_subject = rc->subject_complete;
        *ret_body = rc->body_complete;
        return rc->complete_notice;
}

static void
facts_view(const RdConfig *config, const RdReplyStoredFacts *s, const char *kind, RdReplyFacts *f)
{
        memset(f, 0, sizeof *f);
        f->kind = kind;
        f->channel = s->channel;
        f->from_addr = s->from_addr;
        f->reply_to = s->reply_to;
        f->auto_submitted = s->auto_submitted;
        f->header_fax = s->header_fax;
        f->relay = s->relay;
        f->relay_fax = s->relay_fax;
        f->form_fax = s->form_fax;
        f->partner_id = s->partner_id;
        f->partner_match = s->partner_match;
        f->partner_channel = s->partner_channel;
        f->partner_email = s->partner_email;
        f->partner_email_key = s->partner_email_key;
        f->partner_fax = s->partner_fax;
        f->needs_review = s->needs_review;
        f->smtp_configured = config->smtp != NULL;
}

static gboolean
compose(const RdConfig *config, const RdReplyStoredFacts *s, const RdReplyDecision *d, GPtrArray *missing,
        const char *subject_t, const char *body_t, char **ret_subject, char **ret_body, GError **error)
{
        const RdRepliesConfig *rc = config->replies;
        RdReplyVars vars = { 0 };

        vars.reference = s->reference;
        vars.received = s->received;
        vars.patient_family = s->patient_family;
        vars.patient_given = s->patient_given;
        vars.patient_dob = s->patient_dob;
        /* an address the directory does not know learns the reference and
         * the missing items, nothing about the patient */
        vars.patient_detail = d->anonymous ? RD_PATIENT_DETAIL_NONE : rc->patient_detail;
        vars.date_style = rc->date_style;
        vars.missing = missing;
        vars.labs_max_age_days = rd_policy_get_labs_max_age_days(config->policy);
        vars.practice = rc->practice_name;
        vars.our_fax = rc->our_fax;
        vars.our_email = rc->from_addr;
        vars.by_email = strcmp(d->channel, "email") == 0;
        *ret_subject = rd_reply_render(subject_t, &vars, error);
        if (*ret_subject == NULL)
                return FALSE;
        *ret_body = rd_reply_render(body_t, &vars, error);
        return *ret_body != NULL;
}

gboolean
rd_reply_queue(RdDb *db, const RdConfig *config, gint64 referral_id, const char *kind, GError **error)
{
        const RdRepliesConfig *rc = config->replies;
        g_auto(RdReplyStoredFacts) stored = { 0 };
        g_auto(RdReplyDecision) d = { 0 };
        g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func((GDestroyNotify)rd_missing_item_free);
        g_autofree char *subject = NULL, *body = NULL, *message_id = NULL;
        const char *subject_t, *body_t;
        RdReplyFacts facts;
        RdOutboxNew row = { 0 };
        gboolean by_email;

        if (!rc->enabled || !templates(rc, kind, &subject_t, &body_t))
                return TRUE;
        if (!rd_store_reply_facts(db, referral_id, &stored, error))
                return FALSE;
        if (!stored.found)
                return TRUE; /* made before origins were kept: nothing to answer */

        facts_view(config, &stored, kind, &facts);
        rd_reply_plan(rc, &facts, &d);
        if (d.state != RD_REPLY_SUPPRESSED && *d.recipient != '\0') {
                guint n_kind, n_recipient;

                if (!rd_store_reply_counts(db, referral_id, kind, d.recipient, rc->min_interval_usec,
                                           rc->recipient_window_usec, &n_kind, &n_recipient, error))
                        return FALSE;
                rd_reply_plan_limits(rc, &d, n_kind, n_recipient);
        }

        if (strcmp(kind, "missing") == 0 && !rd_store_missing_items(db, referral_id, missing, error))
                return FALSE;
        if (!compose(config, &stored, &d, missing, subject_t, body_t, &subject, &body, error))
                return FALSE;
        if (!rd_store_outbox_next_id(db, &row.id, error))
                return FALSE;
        message_id = rd_mail_new_message_id(rc->from_addr, row.id);
        by_email = strcmp(stored.channel, "email") == 0;
        row.referral_id = referral_id;
        row.item_id = stored.item_id;
        row.kind = kind;
        row.channel = d.channel;
        row.recipient = d.recipient;
        row.subject = subject;
        row.body = body;
        row.message_id = message_id;
        row.in_reply_to = by_email ? stored.message_id : NULL;
        row.references = by_email ? stored.references : NULL;
        row.state = rd_reply_state_to_string(d.state);
        row.reason = d.reason;
        return rd_store_outbox_add(db, &row, error);
}
