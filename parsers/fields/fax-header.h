/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sending fax machine's header at the top of a page. All pure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a page's fax header says. Strings are owned, NULL when not printed. */
typedef struct {
        char *date;             /* ISO 8601 date */
        char *time;             /* "HH:MM", 24-hour; NULL when unreadable */
        char *sender_number;    /* the FROM side's number, 10 digits */
        char *sender_name;      /* as printed (machines truncate it) */
        char *recipient_number; /* the TO side's number: the receiver's own */
        guint page, pages;      /* "Page N of M"; 0 when not printed */
        guint first_line;       /* the header's lines in the page text */
        guint n_lines;
} RdFaxHeader;

void rd_fax_header_clear(RdFaxHeader *header);

/* Reads the fax header of a page: a line (or two or three lines, as OCR
 * splits a header printed in columns) near the top, made of the tokens
 * fax machines and services print in any order - a date, a time, the
 * sender's name and number, "FROM"/"TO" sides, a page counter. Returns
 * FALSE, with @ret cleared, when the page has none. */
gboolean rd_fax_header_read(const char *page_text, RdFaxHeader *ret);

/* A fax header line by itself (date, time and sender or page counter)? */
gboolean rd_is_fax_header_line(const char *line);
/* ISO date of the page's fax header, or NULL. */
char *rd_fax_header_date(const char *page_text);
/* The sending machine's number on a page's fax header ("FAX (555)
 * 336-6279", "Sent by eFax from +1 555... to ...", "FROM: 555-201-0021"),
 * as 10 digits; never the TO side's; NULL when there is none. */
char *rd_fax_header_sender(const char *page_text);
/* The page's lines without its fax header lines (a NULL-terminated vector). */
char **rd_page_lines(const char *page_text);

G_END_DECLS
