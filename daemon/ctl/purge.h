/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* referralctl purge [--dry-run] [--json]: delete what is past [retention]. */
int rd_cmd_purge(int argc, char **argv);
