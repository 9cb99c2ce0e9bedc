/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sending fax machine's header line at the top of a page. All pure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A fax machine's header line (date, time and sender, at a page's top)? */
gboolean rd_is_fax_header_line(const char *line);
/* ISO date of the page's fax header line, or NULL. */
char *rd_fax_header_date(const char *page_text);
/* The sending machine's number on a page's fax header line ("FAX (555)
 * 336-6279", "Sent by eFax from +1 555... to ...", "FROM: 555-201-0021"),
 * as 10 digits; NULL when there is no header or no number in it. */
char *rd_fax_header_sender(const char *page_text);
/* The page's lines without fax header lines (a NULL-terminated vector). */
char **rd_page_lines(const char *page_text);

G_END_DECLS
