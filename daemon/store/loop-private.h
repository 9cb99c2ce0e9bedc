/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between results.c (the item) and followup.c (matching and
 * merging follow-ups). */
#pragma once

#include <glib.h>

#include "results.h"

G_BEGIN_DECLS

char *rd_loop_i64(gint64 v);
gboolean rd_loop_add_event(RdDb *db, gint64 item_id, gint64 referral_id, const char *kind, const char *detail_json,
                           GError **error);

/* Referrals the item follows up, verified: a reference or In-Reply-To
 * counts only when the sender (@partner_id) or the patient agrees with the
 * referral; else the open referrals of the same patient (family name
 * within one edit and date of birth).  *ret_unmatched: why the item must
 * wait for staff although no referral is chosen (owned), or NULL. */
gboolean rd_loop_find_followup(RdDb *db, const RdConfig *config, const RdOrigin *origin, const RdReferral *ref,
                               gint64 partner_id, GArray *ret_ids, GString *ret_how, char **ret_unmatched,
                               GError **error);
/* The item waits for staff among @candidates (may be empty) with @reason. */
gboolean rd_loop_review(RdDb *db, gint64 item_id, GArray *candidates, const char *reason, const char *referral_json,
                        GError **error);
gboolean rd_loop_merge_followup(RdDb *db, const RdConfig *config, gint64 item_id, gint64 referral_id,
                                const char *referral_json, const char *how, gboolean *ret_became_complete,
                                GError **error);

G_END_DECLS
