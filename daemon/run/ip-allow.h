/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"

G_BEGIN_DECLS

/* `referrald --ip-allow`: a systemd drop-in with IPAddressAllow= for every
 * server the configuration names (database, mailboxes, SMTP) and the DNS
 * servers of /etc/resolv.conf, resolved now; the unit denies the rest
 * (IPAddressDeny=any).  Returns: (transfer full) the drop-in's text. */
char *rd_ip_allow_dropin(const RdConfig *config);

G_END_DECLS
