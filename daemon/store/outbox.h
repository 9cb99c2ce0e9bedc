/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The outbox in PostgreSQL: the facts a reply is planned from, the row
 * the worker writes, and the sender's claim, outcome and recovery. */
#pragma once

#include <glib.h>

#include "db.h"

G_BEGIN_DECLS

/* What the database knows that a reply about a referral depends on: where
 * its first item came from, its partner, and what the reply may say.
 * Strings are owned and NULL when unknown. */
typedef struct {
        gboolean found;             /* FALSE: no origin kept (referral made before schema 005) */
        gint64 item_id;             /* the referral's first item */
        char *channel, *from_addr, *reply_to, *message_id;
        GPtrArray *references;      /* char*, never NULL when found */
        gboolean auto_submitted;
        char *header_fax, *form_fax, *relay, *relay_fax;
        gint64 partner_id;          /* 0: none */
        char *partner_match, *partner_channel;
        char *partner_email;        /* the partner's reply address */
        char *partner_email_key;    /* else one of its registered addresses */
        char *partner_fax;          /* reply fax, else the fax key matched, else one registered */
        char *reference, *received, *patient_family, *patient_given, *patient_dob;
        gboolean needs_review;
} RdReplyStoredFacts;

void rd_reply_stored_facts_clear(RdReplyStoredFacts *f);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RdReplyStoredFacts, rd_reply_stored_facts_clear)
gboolean rd_store_reply_facts(RdDb *db, gint64 referral_id, RdReplyStoredFacts *ret, GError **error);

/* The referral's checklist items still missing and not resolved by staff
 * (RdMissingItem*, appended to @missing). */
gboolean rd_store_missing_items(RdDb *db, gint64 referral_id, GPtrArray *missing, GError **error);

/* Counts for the practice's limits.  Takes a transaction-scoped advisory
 * lock on @recipient first, so that workers decide about one recipient
 * one at a time. */
gboolean rd_store_reply_counts(RdDb *db, gint64 referral_id, const char *kind, const char *recipient,
                               guint64 min_interval_usec, guint64 window_usec, guint *ret_same_kind,
                               guint *ret_recipient, GError **error);

/* A new row's id, taken before the Message-ID that contains it. */
gboolean rd_store_outbox_next_id(RdDb *db, gint64 *ret_id, GError **error);

typedef struct {
        gint64 id, referral_id, item_id;
        const char *kind, *channel, *recipient, *subject, *body, *message_id;
        const char *in_reply_to;        /* NULL unless the referral came by email */
        GPtrArray *references;          /* char*, may be NULL */
        const char *state;              /* queued | held | suppressed */
        const char *reason;             /* held or suppressed: why */
} RdOutboxNew;

/* Writes the row and its event; a queued row wakes the sender. */
gboolean rd_store_outbox_add(RdDb *db, const RdOutboxNew *row, GError **error);

/* Staff decide about a reply (referralctl outbox approve|hold, the web
 * interface): approve: held -> queued (it needs a recipient); hold:
 * queued -> held.  The row records @who, with an event.  @referral_id > 0:
 * only a reply of that referral.  *ret_found FALSE: no reply in a state
 * that allows it. */
gboolean rd_store_outbox_decide(RdDb *db, gint64 id, gint64 referral_id, gboolean approve, const char *who,
                                gboolean *ret_found, GError **error);

/* ---- the sender ---------------------------------------------------------- */

typedef struct {
        char *id, *referral_id, *channel, *recipient, *subject, *body, *message_id, *in_reply_to;
        char *references, *reference, *attempts;
} RdOutboxClaim;
void rd_outbox_claim_clear(RdOutboxClaim *c);

/* Claims the oldest due queued row for @me: 'sending' and attempts+1 are
 * committed before any byte goes out.  *ret_found FALSE: nothing due. */
gboolean rd_store_outbox_claim(RdDb *db, const char *me, RdOutboxClaim *ret, gboolean *ret_found,
                               GError **error);
gboolean rd_store_outbox_sent(RdDb *db, const char *id, GError **error);
/* Not sent: back to the queue after @delay (an interval), or failed for good. */
gboolean rd_store_outbox_not_sent(RdDb *db, const char *id, const char *why, const char *delay, gboolean give_up,
                                  GError **error);
/* Rows in 'sending' claimed by a name starting with @prefix: id, claimed_by, channel. */
RdDbRows *rd_store_outbox_sending(RdDb *db, const char *prefix, GError **error);
/* A row its dead sender left: a spool file again (fixed name), or uncertain (mail). */
gboolean rd_store_outbox_requeue(RdDb *db, const char *id, const char *claimed_by, GError **error);
gboolean rd_store_outbox_uncertain(RdDb *db, const char *id, const char *claimed_by, GError **error);
/* Seconds until the next queued row is due; *ret_any FALSE when none is queued. */
gboolean rd_store_outbox_next_due(RdDb *db, double *ret_seconds, gboolean *ret_any, GError **error);

G_END_DECLS
