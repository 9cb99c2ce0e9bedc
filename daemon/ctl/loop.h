/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* referralctl partner add|list|show|import|export: the partner directory. */
int rd_cmd_partner(int argc, char **argv);
/* referralctl report: the referral funnel per partner and service line. */
int rd_cmd_report(int argc, char **argv);

G_END_DECLS
