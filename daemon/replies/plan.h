/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reply planner: from facts about a referral, the channel it came in
 * on and the partner it matched, where a reply goes (recipient, channel),
 * whether it may go at all (suppressed) or waits for a person (held), and
 * why.  Pure: no database, no clock, no I/O. */
#pragma once

#include <glib.h>

#include "daemon/config/replies.h"

G_BEGIN_DECLS

/* What the planner is told.  Strings are borrowed and may be NULL; fax
 * numbers are 10 digits, addresses lower-case. */
typedef struct {
        const char *kind;            /* missing | receipt | complete */
        /* the channel the referral came in on */
        const char *channel;         /* "email" | "fax" */
        const char *from_addr;       /* the email's sender */
        const char *reply_to;        /* its Reply-To */
        gboolean auto_submitted;     /* RFC 3834: auto-reply, bounce, list */
        const char *header_fax;      /* the sending fax machine's header line */
        const char *relay;           /* a fax-to-email relay's name, or NULL */
        const char *relay_fax;       /* the sender's number the relay names */
        const char *form_fax;        /* a number only the document's text supplies */
        /* the partner matched (partner_id 0: none) */
        gint64 partner_id;
        const char *partner_match;   /* email | domain | fax | fax-near | npi */
        const char *partner_channel; /* auto | email | fax | none */
        const char *partner_email;   /* registered reply address */
        const char *partner_email_key; /* else one of its registered addresses */
        const char *partner_fax;     /* registered reply fax, else the fax key matched, else one */
        /* the understanding */
        gboolean needs_review;
        gboolean smtp_configured;
} RdReplyFacts;

typedef enum {
        RD_REPLY_QUEUED,     /* the sender may send it */
        RD_REPLY_HELD,       /* waits for referralctl outbox approve */
        RD_REPLY_SUPPRESSED, /* never sent; the reason says why */
} RdReplyState;

typedef struct {
        RdReplyState state;
        char *channel;      /* email | fax-spool | fax-gateway (owned) */
        char *recipient;    /* address or 10 digits; "" when there is none (owned) */
        char *reason;       /* why held or suppressed; NULL when queued (owned) */
        gboolean anonymous; /* the recipient is not in the directory: reference and missing items only */
} RdReplyDecision;

void rd_reply_decision_clear(RdReplyDecision *d);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RdReplyDecision, rd_reply_decision_clear)

/* Decides recipient, channel and suppression.  The order: the partner's
 * registered reply address or fax; else the channel the referral came
 * from (the email's sender, the fax header's number, the relay's named
 * number); never a number only the document supplies; never one of ours. */
void rd_reply_plan(const RdRepliesConfig *rc, const RdReplyFacts *facts, RdReplyDecision *ret);

/* The practice's limits, once the recipient is known: @n_same_kind
 * replies of this kind to the referral within min-interval, @n_recipient
 * replies to the recipient within recipient-window. */
void rd_reply_plan_limits(const RdRepliesConfig *rc, RdReplyDecision *d, guint n_same_kind, guint n_recipient);

/* RFC 3834 5: addresses that are machines (mailer-daemon, no-reply, ...). */
gboolean rd_reply_is_automatic_sender(const char *addr);
/* from, own-addresses */
gboolean rd_reply_is_own_address(const RdRepliesConfig *rc, const char *addr);
/* fax-number, own-numbers (10 digits compared) */
gboolean rd_reply_is_own_number(const RdRepliesConfig *rc, const char *number);

const char *rd_reply_state_to_string(RdReplyState state);

G_END_DECLS
