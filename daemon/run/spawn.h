/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "daemon/config/config.h"

G_BEGIN_DECLS

/* The supervisor's children are started with exec: a fresh image of
 * referrald in a child mode, from a clean environment, handed the
 * configuration and only its own secrets on a memfd (fd 3).  A worker
 * never holds the IMAP or SMTP passwords, nor the supervisor's memory. */
typedef enum {
        RD_CHILD_WORKER, /* the database password */
        RD_CHILD_POLLER, /* the database password and its mailbox's */
        RD_CHILD_SENDER, /* the database password and [smtp]'s */
        RD_CHILD_WEB,    /* the database password */
} RdChildKind;

/* Forks and execs the child; in the supervisor.  Returns its pid, or -1
 * with @error set (nothing was started). */
pid_t rd_spawn_child(const RdConfig *config, RdChildKind kind, guint index, gboolean once, GError **error);

/* main() of `referrald --child KIND ...`: reads what the supervisor
 * handed over and runs the child.  Never returns. */
G_GNUC_NORETURN void rd_spawn_child_main(int argc, char **argv);

/* The environment variables a child keeps (the rest is dropped). */
extern const char *const rd_spawn_env_keep[];

G_END_DECLS
