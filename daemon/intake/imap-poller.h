/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"

G_BEGIN_DECLS

/* Exit codes of a mailbox poller process, read by the supervisor. */
enum {
        RD_POLLER_EXIT_OK = 0,     /* asked to stop; with --once: the poll succeeded or another instance polls */
        RD_POLLER_EXIT_FAILED = 4, /* --once: the poll failed (logged) */
};

/* The body of a forked poller process for config->mailboxes[index]:
 * under a PostgreSQL advisory lock, fetch each new message, store it as an
 * item, commit, then move or flag it on the server; wait with IDLE where
 * offered, else sleep poll-interval; back off on errors.  With `once`, one
 * poll.  Never returns. */
G_GNUC_NORETURN void rd_imap_poller_run(const RdConfig *config, guint index, gboolean once);

/* The Message-ID of an RFC 5322 header block, without <>, or NULL
 * (exposed for unit tests). */
char *rd_imap_message_id(const guint8 *data, gsize len);

G_END_DECLS
