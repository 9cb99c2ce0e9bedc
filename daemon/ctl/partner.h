/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* referralctl partner add|list|show|import|export: the partner directory. */
int rd_cmd_partner(int argc, char **argv);
