/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"
#include "db.h"
#include "parsers/referral.h"

G_BEGIN_DECLS

/* Where an item came from, as the worker read it. */
typedef struct {
        const char *channel;        /* "fax" | "email" */
        const char *from_addr, *reply_to, *subject, *message_id, *in_reply_to;
        GPtrArray *references;      /* char*, may be NULL */
        gboolean auto_submitted;
        const char *text;           /* all the item's text (body, pages), for reference tokens */
        const char *header_fax;     /* the sending machine's number from a fax header line, or NULL */
} RdOrigin;

typedef enum {
        RD_LOOP_NEW_REFERRAL, /* the item became a referral */
        RD_LOOP_FOLLOWUP,     /* the item was added to an earlier referral */
        RD_LOOP_REVIEW,       /* more than one referral fits: staff decide */
} RdLoopOutcome;

/* Inside the caller's transaction: matches the item's partner, decides
 * whether it follows up an earlier referral, stores the referral or merges
 * the documents and re-runs the checklist, and queues the replies the
 * configuration asks for.  @ref is the item's understanding. */
gboolean rd_db_loop_store(RdDb *db, const RdConfig *config, gint64 item_id, const RdOrigin *origin,
                          const RdReferral *ref, const char *referral_json, RdLoopOutcome *ret_outcome,
                          gint64 *ret_referral_id, GError **error);

/* Re-runs a referral's checklist from its stored documents and staff
 * resolutions; moves status incomplete -> complete (never back), sets
 * completed_at, logs events and queues a completion notice when asked. */
gboolean rd_db_loop_recheck(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id,
                            gboolean *ret_became_complete, GError **error);

/* Adds an item's documents to a referral (staff: attach), then recheck. */
gboolean rd_db_loop_attach(RdDb *db, const RdConfig *config, gint64 item_id, gint64 referral_id,
                           const char *how, GError **error);

G_END_DECLS
