/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reply planner: recipient, channel, suppression and holding of one
 * automatic reply, decided from facts alone (see plan.h). */
#include <string.h>

#include "plan.h"
#include "compose.h"

void
rd_reply_decision_clear(RdReplyDecision *d)
{
        g_clear_pointer(&d->channel, g_free);
        g_clear_pointer(&d->recipient, g_free);
        g_clear_pointer(&d->reason, g_free);
}

const char *
rd_reply_state_to_string(RdReplyState state)
{
        static const char *const names[] = { "queued", "held", "suppressed" };

        return names[state];
}

gboolean
rd_reply_is_automatic_sender(const char *addr)
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

gboolean
rd_reply_is_own_address(const RdRepliesConfig *rc, const char *addr)
{
        if (addr == NULL || *addr == '\0')
                return FALSE;
        if (rc->from_addr && g_ascii_strcasecmp(addr, rc->from_addr) == 0)
                return TRUE;
        for (guint i = 0; rc->own_addresses && rc->own_addresses[i]; i++)
                if (g_ascii_strcasecmp(addr, rc->own_addresses[i]) == 0)
                        return TRUE;
        return FALSE;
}

gboolean
rd_reply_is_own_number(const RdRepliesConfig *rc, const char *number)
{
        if (number == NULL || *number == '\0')
                return FALSE;
        for (guint i = 0; rc->own_numbers && rc->own_numbers[i]; i++)
                if (strcmp(number, rc->own_numbers[i]) == 0)
                        return TRUE;
        return FALSE;
}

static const char *
domain_of(const char *addr)
{
        const char *at = addr ? strrchr(addr, '@') : NULL;

        return at ? at + 1 : NULL;
}

/* The arguments may be @d's own strings: copied before they are freed. */
static void
set(RdReplyDecision *d, RdReplyState state, const char *channel, const char *recipient, const char *reason)
{
        char *c = g_strdup(channel);
        char *r = g_ascii_strdown(recipient ? recipient : "", -1);
        char *why = g_strdup(reason);

        rd_reply_decision_clear(d);
        d->state = state;
        d->channel = c;
        d->recipient = r;
        d->reason = why;
}

/* A fax reply to @number through the configured fax path. */
static gboolean
plan_fax(const RdRepliesConfig *rc, const RdReplyFacts *f, const char *number, RdReplyDecision *d)
{
        if (rc->fax_mode == RD_FAX_REPLY_SPOOL) {
                set(d, RD_REPLY_QUEUED, "fax-spool", number, NULL);
        } else if (rc->fax_mode == RD_FAX_REPLY_GATEWAY) {
                g_autoptr(GString) s = g_string_new(rc->fax_gateway);

                g_string_replace(s, "{number}", number, 0);
                set(d, RD_REPLY_QUEUED, "fax-gateway", s->str,
                    f->smtp_configured ? NULL : "no [smtp] configured for the fax gateway");
                if (!f->smtp_configured)
                        d->state = RD_REPLY_SUPPRESSED;
        } else {
                set(d, RD_REPLY_SUPPRESSED, "fax-spool", number, "fax replies are off (fax-reply=none)");
                return FALSE;
        }
        return TRUE;
}

static gboolean
plan_email(const RdReplyFacts *f, const char *addr, RdReplyDecision *d)
{
        if (!rd_mail_address_valid(addr)) {
                set(d, RD_REPLY_SUPPRESSED, "email", "", "no valid address to reply to");
                return FALSE;
        }
        set(d, f->smtp_configured ? RD_REPLY_QUEUED : RD_REPLY_SUPPRESSED, "email", addr,
            f->smtp_configured ? NULL : "no [smtp] configured for mail replies");
        return TRUE;
}

static void plan_channel(const RdRepliesConfig *rc, const RdReplyFacts *f, RdReplyDecision *d);

/* The partner's registered ways, in the order its preference and the
 * referral's channel give. */
static void
plan_partner(const RdRepliesConfig *rc, const RdReplyFacts *f, RdReplyDecision *d)
{
        const char *pc = f->partner_channel ? f->partner_channel : "auto";
        gboolean came_by_email = strcmp(f->channel, "email") == 0 && f->relay == NULL;
        gboolean email_first, done;
        const char *email = f->partner_email;
        const char *fax = rd_reply_is_own_number(rc, f->partner_fax) ? NULL : f->partner_fax;

        /* the sender's own address is the partner's when a key of the
         * partner (its address or domain) matched it */
        if (email == NULL && came_by_email && g_strcmp0(f->partner_match, "email") == 0)
                email = f->from_addr;
        if (email == NULL && came_by_email && g_strcmp0(f->partner_match, "domain") == 0)
                email = f->reply_to && g_strcmp0(domain_of(f->reply_to), domain_of(f->from_addr)) == 0 ?
                                f->reply_to : f->from_addr;
        if (email == NULL)
                email = f->partner_email_key;
        if (rd_reply_is_own_address(rc, email))
                email = NULL;
        if (strcmp(pc, "email") == 0)
                email_first = TRUE;
        else if (strcmp(pc, "fax") == 0)
                email_first = FALSE;
        else
                email_first = f->partner_email != NULL || came_by_email;

        done = (email_first && email && plan_email(f, email, d)) || (fax && plan_fax(rc, f, fax, d)) ||
               (!email_first && email && plan_email(f, email, d));
        /* a registered way that cannot be used (fax replies off): that
         * reason stands.  Nothing registered: back along the channel, as
         * for a sender the directory does not know (the match may rest on
         * the document alone). */
        if (!done && d->channel == NULL)
                plan_channel(rc, f, d);
        /* the way it would go is kept, so that staff can send it after all */
        if (strcmp(pc, "none") == 0)
                set(d, RD_REPLY_SUPPRESSED, d->channel, d->recipient, "the partner takes no automatic replies");
}

/* No partner: back along the channel the referral came in on. */
static void
plan_channel(const RdRepliesConfig *rc, const RdReplyFacts *f, RdReplyDecision *d)
{
        gboolean came_by_email = strcmp(f->channel, "email") == 0 && f->relay == NULL;
        const char *number = f->relay ? f->relay_fax : came_by_email ? NULL : f->header_fax;

        d->anonymous = TRUE;
        if (rc->unknown_senders == RD_UNKNOWN_SENDERS_NONE) {
                set(d, RD_REPLY_SUPPRESSED, came_by_email ? "email" : "fax-spool", "",
                    "the sender is not a known partner");
                return;
        }
        if (came_by_email) {
                /* a Reply-To elsewhere than the sender's domain is not the channel */
                const char *to = f->reply_to && g_strcmp0(domain_of(f->reply_to), domain_of(f->from_addr)) == 0 ?
                                         f->reply_to : f->from_addr;

                if (rd_reply_is_own_address(rc, to)) {
                        set(d, RD_REPLY_SUPPRESSED, "email", "", "the message came from one of our own addresses");
                        return;
                }
                if (!plan_email(f, to, d))
                        return;
        } else if (number != NULL && rd_reply_is_own_number(rc, number)) {
                set(d, RD_REPLY_SUPPRESSED, "fax-spool", "", "the only fax number is one of our own");
                return;
        } else if (number != NULL) {
                if (!plan_fax(rc, f, number, d))
                        return;
        } else if (f->form_fax != NULL && !rd_reply_is_own_number(rc, f->form_fax)) {
                set(d, RD_REPLY_HELD, "fax-spool", "",
                    "the only fax number is read from the document, and no partner has it: check it,"
                    " register the office (referralctl partner), then approve");
                return;
        } else {
                set(d, RD_REPLY_SUPPRESSED, "fax-spool", "", "no fax number to reply to");
                return;
        }
        if (d->state == RD_REPLY_QUEUED && rc->unknown_senders == RD_UNKNOWN_SENDERS_REVIEW) {
                d->state = RD_REPLY_HELD;
                d->reason = g_strdup("the sender is not in the partner directory (unknown-senders=review)");
        }
}

void
rd_reply_plan(const RdRepliesConfig *rc, const RdReplyFacts *f, RdReplyDecision *ret)
{
        gboolean came_by_email = strcmp(f->channel, "email") == 0 && f->relay == NULL;

        memset(ret, 0, sizeof *ret);
        if (f->partner_id > 0)
                plan_partner(rc, f, ret);
        else
                plan_channel(rc, f, ret);
        if (ret->state == RD_REPLY_SUPPRESSED)
                return;

        /* whether at all: RFC 3834.  A relay's mail is automatic by nature,
         * but the reply goes by fax to the office, never to the relay. */
        if (came_by_email && f->auto_submitted)
                set(ret, RD_REPLY_SUPPRESSED, ret->channel, ret->recipient,
                    "the message was sent automatically (auto-reply, bounce or list)");
        else if (came_by_email && rd_reply_is_automatic_sender(f->from_addr))
                set(ret, RD_REPLY_SUPPRESSED, ret->channel, ret->recipient, "the sender is an automatic address");
        else if ((came_by_email && rd_reply_is_own_address(rc, f->from_addr)) ||
                 rd_reply_is_own_address(rc, ret->recipient))
                set(ret, RD_REPLY_SUPPRESSED, ret->channel, ret->recipient,
                    "the message came from one of our own addresses");
        else if (rd_reply_is_own_number(rc, ret->recipient))
                set(ret, RD_REPLY_SUPPRESSED, ret->channel, ret->recipient, "that fax number is our own");
        else if (ret->state == RD_REPLY_QUEUED && f->needs_review && rc->hold_unsure) {
                ret->state = RD_REPLY_HELD;
                ret->reason = g_strdup("the referral needs review: a person approves this reply");
        }
}

void
rd_reply_plan_limits(const RdRepliesConfig *rc, RdReplyDecision *d, guint n_same_kind, guint n_recipient)
{
        if (d->state == RD_REPLY_SUPPRESSED)
                return;
        if (n_same_kind > 0) {
                d->state = RD_REPLY_SUPPRESSED;
                g_free(d->reason);
                d->reason = g_strdup("a reply of this kind went out within min-interval");
        } else if (n_recipient >= rc->max_per_recipient) {
                d->state = RD_REPLY_SUPPRESSED;
                g_free(d->reason);
                d->reason = g_strdup_printf("more than %u replies to this address within recipient-window",
                                            rc->max_per_recipient);
        }
}
