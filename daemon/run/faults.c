/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only fault injection: compiled in only with -Dtest-faults=true (the
 * test build, tools/test.sh), never in a release build. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faults.h"

/* Test-only fault injection, enabled by RD_TEST_FAULTS=1 in the daemon's
 * environment: a file carrying a marker makes its worker crash, blow its
 * memory limit or hang, as a hostile file could with a C library. */
void
rd_test_fault_maybe(GBytes *raw)
{
        gsize len;
        const char *data = g_bytes_get_data(raw, &len);
        const char *marker = data ? g_strstr_len(data, MIN(len, 4096), "RD-TEST-FAULT:") : NULL;

        if (marker == NULL || g_strcmp0(g_getenv("RD_TEST_FAULTS"), "1") != 0)
                return;
        marker += strlen("RD-TEST-FAULT:");
        if (g_str_has_prefix(marker, "segv")) {
                raise(SIGSEGV);
        } else if (g_str_has_prefix(marker, "oom")) {
                for (;;) {
                        /* plain malloc: g_malloc would abort before touching */
                        char *p = malloc(64 << 20);

                        if (p == NULL)
                                abort();
                        memset(p, 1, 64 << 20);
                }
        } else if (g_str_has_prefix(marker, "hang")) {
                for (;;)
                        pause();
        } else if (g_str_has_prefix(marker, "socket")) {
                /* what an exploit would do to reach the network */
                int fd = socket(AF_INET, SOCK_STREAM, 0);

                if (fd >= 0)
                        close(fd);
        } else if (g_str_has_prefix(marker, "exec")) {
                char *const argv[] = { (char *)"true", NULL };

                execv("/bin/true", argv);
        } else if (g_str_has_prefix(marker, "slow")) {
                g_usleep(3 * G_USEC_PER_SEC);
        }
}
