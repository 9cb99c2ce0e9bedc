/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* referralctl's commands on referrals and items. Each takes the
 * subcommand's argv (argv[0] its name) and returns the exit status: 0 done,
 * 1 failed, 2 bad usage. */
int rd_cmd_migrate(int argc, char **argv);
int rd_cmd_items(int argc, char **argv);
int rd_cmd_list(int argc, char **argv);
int rd_cmd_show(int argc, char **argv);
