/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Confines a parsing worker with a seccomp filter, once it holds every
 * connection it needs: a new network socket, binding, listening,
 * accepting, connecting or executing a program kills the process
 * (SIGSYS); a new local socket fails with EACCES (the journal writer
 * then falls back to stderr). Everything else is left to the resource
 * limits. FALSE with @error set when the filter could not be loaded. */
gboolean rd_sandbox_confine_worker(GError **error);

G_END_DECLS
