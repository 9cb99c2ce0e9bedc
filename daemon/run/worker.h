/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"

G_BEGIN_DECLS

/* Exit codes of a worker process, read by the supervisor. */
enum {
        RD_WORKER_EXIT_OK = 0,        /* asked to stop, or --once and the queue is empty */
        RD_WORKER_EXIT_SETUP = 3,     /* could not set itself up (privileges, OCR model, filter) */
        RD_WORKER_EXIT_DB_LOST = 5,   /* its database connection was lost: a sandboxed worker may not
                                       * open another, so the supervisor starts a new one */
};

/* The body of a forked worker process: lease, process, commit, until told
 * to stop (SIGTERM) or, with `once`, until nothing is waiting.  Never
 * returns. */
G_GNUC_NORETURN void rd_worker_run(const RdConfig *config, guint index, gboolean once);

/* "host/pid": the lease owner name of the worker with this pid. */
char *rd_worker_name(pid_t pid);

G_END_DECLS
