/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Queuing one automatic reply about a referral, inside the caller's
 * transaction: gather the facts (store), plan (plan.c), apply the limits,
 * compose (compose.c), write the outbox row (store). */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"
#include "daemon/store/db.h"

G_BEGIN_DECLS

/* @kind: missing | receipt | complete.  Nothing when replies or that kind
 * are off, or when the referral has no recorded origin. */
gboolean rd_reply_queue(RdDb *db, const RdConfig *config, gint64 referral_id, const char *kind, GError **error);

G_END_DECLS
