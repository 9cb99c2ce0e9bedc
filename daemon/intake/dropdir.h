/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"
#include "daemon/store/db.h"

G_BEGIN_DECLS

/* The fax gateway's drop folder: each finished file is stored in
 * PostgreSQL and committed, and only then renamed into processed/ (or
 * quarantine/).  A crash in between re-offers the file, which the database
 * recognises (RD_STORE_AGAIN). */
typedef struct RdDropdir RdDropdir;

typedef struct {
        guint stored, duplicates, again, quarantined;
        guint unsettled;    /* files still being written, left for later */
        guint64 next_usec;  /* CLOCK_MONOTONIC time when an unsettled file may be ready, 0 = none */
} RdDropdirScan;

RdDropdir *rd_dropdir_new(const RdConfig *config, RdDb *db);
void rd_dropdir_free(RdDropdir *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdDropdir, rd_dropdir_free)
void rd_dropdir_set_config(RdDropdir *self, const RdConfig *config);

/* Create processed/ and quarantine/ when missing; check the folder exists. */
gboolean rd_dropdir_prepare(RdDropdir *self, GError **error);

/* Take every settled file.  FALSE with error when the database failed:
 * the remaining files stay where they are for the next scan. */
gboolean rd_dropdir_scan(RdDropdir *self, RdDropdirScan *ret, GError **error);

/* Is this a name we leave alone (hidden, editor or transfer temp file)? */
gboolean rd_dropdir_name_is_temporary(const char *name);
/* A name safe to create in processed/: [A-Za-z0-9._-], at most 80 bytes. */
char *rd_dropdir_safe_name(const char *name);

G_END_DECLS
