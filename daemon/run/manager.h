/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"

G_BEGIN_DECLS

/* The supervisor: owns the event loop, the configuration, the intake
 * database connection, the drop folder and the worker processes. */
typedef struct RdManager RdManager;

RdManager *rd_manager_new(RdConfig *config /* transfer full */, gboolean once, GError **error);
void rd_manager_free(RdManager *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdManager, rd_manager_free)

/* Runs until SIGTERM (or, with once, until every waiting item is done).
 * Returns the process exit status. */
int rd_manager_run(RdManager *self);

G_END_DECLS
