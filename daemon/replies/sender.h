/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sys/types.h>

#include "daemon/config/config.h"
#include "daemon/store/db.h"

G_BEGIN_DECLS

/* The outbox sender: a process of its own that claims due rows with SKIP
 * LOCKED, sends them (SMTP, fax gateway, fax spool) and records the
 * outcome.  Never returns.  With @once: every row due now, then exit. */
G_GNUC_NORETURN void rd_sender_run(const RdConfig *config, gboolean once);

/* "sender:HOST:PID", recorded in outbox.claimed_by */
char *rd_sender_name(pid_t pid);

/* Rows a dead sender of this host left in 'sending' become 'uncertain'
 * (mail: it may have gone out) or go back to the queue (fax spool). */
gboolean rd_sender_recover(RdDb *db, GError **error);

G_END_DECLS
