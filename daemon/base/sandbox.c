/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parsing workers' seccomp filter: poppler, Leptonica, Tesseract and
 * GMime read hostile bytes, so a worker that was exploited must not reach
 * the network or start a program. A deny list, not an allow list: the
 * libraries' own system calls vary across versions and sanitizer builds,
 * and what matters here is the way out. */
#include <errno.h>
#include <gio/gio.h>
#include <seccomp.h>
#include <sys/socket.h>

#include "sandbox.h"

static const int killed_calls[] = {
        SCMP_SYS(connect), SCMP_SYS(bind),     SCMP_SYS(listen),   SCMP_SYS(accept),
        SCMP_SYS(accept4), SCMP_SYS(execve),   SCMP_SYS(execveat), SCMP_SYS(socketpair),
};

static gboolean
add_rules(scmp_filter_ctx ctx)
{
        for (gsize i = 0; i < G_N_ELEMENTS(killed_calls); i++)
                if (seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, killed_calls[i], 0) < 0)
                        return FALSE;
        /* socket(): local ones are refused, every other family kills */
        return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                                SCMP_A0(SCMP_CMP_EQ, AF_UNIX)) == 0 &&
               seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(socket), 1,
                                SCMP_A0(SCMP_CMP_NE, AF_UNIX)) == 0;
}

gboolean
rd_sandbox_confine_worker(GError **error)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r;

        if (ctx == NULL) {
                g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "seccomp: cannot initialise a filter");
                return FALSE;
        }
        r = add_rules(ctx) ? seccomp_load(ctx) : -EINVAL;
        seccomp_release(ctx);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "seccomp: loading the filter: %s",
                            g_strerror(-r));
                return FALSE;
        }
        return TRUE;
}
