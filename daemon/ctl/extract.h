/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* `referralctl extract [--config FILE] [--compact] ITEM`: prints the
 * contract JSON for one inbound file (PDF, TIFF, PNG, JPEG or .eml).
 * @argv[0] is the subcommand's name. Returns the process exit status. */
int rd_cmd_extract(int argc, char **argv);
