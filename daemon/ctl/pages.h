/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* `referralctl pages [--explain] FILE...`: prints the pages of each file as
 * read (text layer or OCR), with no database. An OCRed page also gets a
 * "picture:" line (EKG tracing score, tracing angle, blank, text density);
 * --explain adds an "explain:" line with the whole picture measure, so a
 * wrong tracing call can be understood. argv[0] is the command name ("pages").
 * Returns the exit status: 0 when every file was read, 1 otherwise. */
int rd_cmd_pages(int argc, char **argv);
