/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <sys/types.h>

/* Set by SIGTERM or SIGINT in a child of the manager (worker, mailbox
 * poller, outbox sender): finish the step at hand and leave. */
extern volatile sig_atomic_t rd_child_stop_requested;

/* The start of every child the manager forks: SIGTERM and SIGINT set
 * rd_child_stop_requested without SA_RESTART (a blocking poll() or
 * sleep returns at once), SIGHUP and SIGPIPE are ignored, SIGALRM kills
 * (the worker's time limit), no signal stays blocked from the manager's
 * sd-event mask, the manager's death is a SIGTERM, no new privileges,
 * and no core dumps: a child holds pages and mail with patient data. */
void rd_child_setup(void);

/* The manager's pid, set by the manager before it forks: a child whose
 * parent is already another process at setup starts out stopping. */
extern pid_t rd_child_manager_pid;
