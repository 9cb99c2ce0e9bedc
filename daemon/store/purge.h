/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"
#include "db.h"

G_BEGIN_DECLS

/* Deleting what is past the practice's retention ([retention]): in the
 * database (rd_purge() of schema/008_retention.sql) and the copies in the
 * drop folder's processed/ and quarantine/ folders.  Run daily by the
 * supervisor and by `referralctl purge`. */

typedef struct {
        gint64 referrals; /* referrals deleted with everything derived from them */
        gint64 items;     /* items whose origin and review entries were deleted */
        gint64 raw;       /* items whose bytes and names were deleted */
        gint64 pages;     /* items whose page text was deleted */
        guint files;      /* files deleted from processed/ and quarantine/ */
} RdPurgeStats;

/* With @dry_run, only counts what would go. */
gboolean rd_store_purge(RdDb *db, const RdConfig *config, gboolean dry_run, RdPurgeStats *ret, GError **error);

G_END_DECLS
