/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* referralctl report: the referral funnel per partner and service line. */
int rd_cmd_report(int argc, char **argv);
