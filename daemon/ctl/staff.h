/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* referralctl's commands for intake staff working referrals.
 * Each takes the subcommand's argv (argv[0] its name) and returns the exit
 * status: 0 done, 1 failed, 2 bad usage. */
int rd_cmd_resolve(int argc, char **argv);
int rd_cmd_confirm(int argc, char **argv);
int rd_cmd_status(int argc, char **argv);
int rd_cmd_attach(int argc, char **argv);
int rd_cmd_reprocess(int argc, char **argv);
int rd_cmd_review(int argc, char **argv);
int rd_cmd_outbox(int argc, char **argv);
