/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The start of every child of the supervisor: signals, parent death, no new
 * privileges, no core dumps. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "child.h"

volatile sig_atomic_t rd_child_stop_requested;
pid_t rd_child_manager_pid;

static void
on_term(int sig)
{
        (void)sig;
        rd_child_stop_requested = 1;
}

void
rd_child_setup(void)
{
        struct sigaction sa = { 0 };
        struct rlimit core = { 0, 0 };
        sigset_t none;

        sa.sa_handler = on_term;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGHUP, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        signal(SIGALRM, SIG_DFL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
        (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        (void)prctl(PR_SET_DUMPABLE, 0);
        (void)setrlimit(RLIMIT_CORE, &core);
        /* the manager died before the parent-death signal was set */
        if (rd_child_manager_pid != 0 && getppid() != rd_child_manager_pid)
                rd_child_stop_requested = 1;
}
