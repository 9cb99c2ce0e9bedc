/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "keys.h"

G_BEGIN_DECLS

/* Reading the configuration's files into one key-file: the main file, the
 * files its [include] files= names (and theirs), then FILE.d/ *.conf in
 * name order.  Later files override earlier keys; an include loop, a file
 * included twice or an unreadable include is an error.  Used by config.c
 * only. */

typedef struct {
        GKeyFile *keyfile; /* owned: the merged values */
        GHashTable *lines; /* owned: "group" and "group\037key" -> "FILE:LINE" where last set */
        GPtrArray *files;  /* owned: the files read, main file first */
} RdConfigFiles;

/* Fills the empty @files; on error what was read stays there for the
 * caller to free (RdConfig's destructor). */
gboolean rd_config_files_read(RdConfigFiles *files, const char *path, GError **error);

/* The key table of [include], for --dump-keys. */
extern const RdKey rd_include_keys[];

G_END_DECLS
