/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "daemon/config/config.h"

G_BEGIN_DECLS

/* The staff web interface: a process of its own under the supervisor, the
 * only one of referrald that listens on a socket.  Serves [web] until
 * SIGTERM; never returns (exit status 0 when asked to stop, 1 when it
 * cannot listen or reach the database). */
G_GNUC_NORETURN void rd_web_run(const RdConfig *config);

/* `referrald --render-page PART INDEX WIDTH`: the short-lived child that
 * draws one page of the item on standard input as a PNG on standard
 * output, under the resource limits the web process set.  Returns the exit
 * status. */
int rd_web_render_main(int argc, char **argv);

G_END_DECLS
