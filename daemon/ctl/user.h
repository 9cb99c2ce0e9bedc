/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* referralctl user add|disable|reset|list: the people who may log in to the
 * web interface.  Returns the exit status: 0 done, 1 failed, 2 bad usage. */
int rd_cmd_user(int argc, char **argv);
