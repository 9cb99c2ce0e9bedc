/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An item's result in PostgreSQL: its origin and partner, a new
 * referral, or a follow-up merged into an earlier one (followup.c). */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"
#include "db.h"
#include "parsers/referral.h"

G_BEGIN_DECLS

/* Where an item came from, as the worker read it.  Keys and numbers are
 * normalised by the caller (10-digit fax numbers, lower-case address),
 * and none of them is one of the practice's own. */
typedef struct {
        const char *channel;        /* "fax" | "email" */
        const char *from_addr, *reply_to, *subject, *message_id, *in_reply_to;
        GPtrArray *references;      /* char*, may be NULL */
        gboolean auto_submitted;
        const char *text;           /* all the item's text (body, pages), for reference tokens */
        const char *email_key;      /* the sender's address as a partner key, or NULL */
        const char *npi_key;        /* the referring NPI as a partner key, or NULL */
        const char *header_fax;     /* the sending machine's number from a fax header line, or NULL */
        const char *form_fax;       /* the referring office's fax as the document's text gives it, or NULL */
        const char *relay;          /* a fax-to-email relay's name, or NULL */
        const char *relay_fax;      /* the office's number the relay names, or NULL */
        gboolean numbers_by_ocr;    /* header and form numbers were read by OCR (may be a digit off) */
        gboolean looks_like_referral; /* a referral form or a letter asking for a consult */
        gboolean needs_review;      /* the understanding is unsure (extract JSON needs_review) */
        const char *review_reasons; /* JSON array, or NULL */
} RdOrigin;

typedef enum {
        RD_LOOP_NEW_REFERRAL, /* the item became a referral */
        RD_LOOP_FOLLOWUP,     /* the item was added to an earlier referral */
        RD_LOOP_REVIEW,       /* more than one referral fits: staff decide */
} RdLoopOutcome;

/* Inside the caller's transaction: matches the item's partner, decides
 * whether it follows up an earlier referral (under an advisory lock on the
 * patient's identity, so that two copies of one packet make one referral),
 * stores the referral or merges the documents and re-runs the checklist.
 * @ref is the item's understanding.  The caller queues the replies:
 * *ret_became_complete when a follow-up completed its referral. */
gboolean rd_db_loop_store(RdDb *db, const RdConfig *config, gint64 item_id, const RdOrigin *origin,
                          const RdReferral *ref, const char *referral_json, RdLoopOutcome *ret_outcome,
                          gint64 *ret_referral_id, gboolean *ret_became_complete, GError **error);

/* Re-runs a referral's checklist from its stored documents and staff
 * resolutions; moves status incomplete -> complete (never back), sets
 * completed_at and logs events. */
gboolean rd_db_loop_recheck(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id,
                            gboolean *ret_became_complete, GError **error);

/* Adds an item's documents to a referral (staff: attach), then recheck. */
gboolean rd_db_loop_attach(RdDb *db, const RdConfig *config, gint64 item_id, gint64 referral_id,
                           const char *how, gboolean *ret_became_complete, GError **error);

G_END_DECLS
