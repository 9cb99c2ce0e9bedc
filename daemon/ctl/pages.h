/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* `referralctl pages FILE...`: prints the pages of each file as read (text
 * layer or OCR), with no database. argv[0] is the command name ("pages").
 * Returns the exit status: 0 when every file was read, 1 otherwise. */
int rd_cmd_pages(int argc, char **argv);
