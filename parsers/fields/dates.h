/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Dates as printed on forms, labs and fax headers, to ISO 8601. All pure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses one date written at the start of @s (03/14/1956, 3/14/1956,
 * 1956-03-14, Mar 14, 1956, 14-Mar-1956, NOV-20-2026, Nov 20 2026) and
 * returns it as ISO "YYYY-MM-DD", or NULL. @ret_end, if set, points past it. */
char *rd_parse_date(const char *s, const char **ret_end);
/* Exactly "YYYY-MM-DD" and a real calendar day: fills @ret (which may be
 * NULL) and returns TRUE; anything else, NULL included, returns FALSE. */
gboolean rd_iso_date(const char *s, GDate *ret);
/* Like rd_parse_date(), plus the forms fax machines print in their
 * header lines: two-digit years (11/20/26, 20-NOV-26: this century),
 * ctime's "Nov 20 10:14:02 2026" (@ret_end then points past the day) and
 * 2026.11.20. Only for headers: a date of birth with a two-digit year is
 * ambiguous and stays unread. */
char *rd_parse_header_date(const char *s, const char **ret_end);
/* The first date anywhere in @s (see rd_parse_date()), or NULL. */
char *rd_find_date(const char *s, const char **ret_start, const char **ret_end);

G_END_DECLS
