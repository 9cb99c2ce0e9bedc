/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTML building for the web pages: every value that came from a fax, an
 * email or a person goes through rd_html_text(), which escapes it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends @text (NULL: nothing) with & < > " ' escaped. */
void rd_html_text(GString *out, const char *text);
/* Appends @text escaped, or @fallback (a literal) when @text is NULL or empty. */
void rd_html_text_or(GString *out, const char *text, const char *fallback);
/* Appends the literal pieces and escaped values alternately: literal,
 * value, literal, value, ... ending with NULL.  A NULL value inside the
 * list must be passed as "" */
void rd_html_join(GString *out, const char *literal, ...) G_GNUC_NULL_TERMINATED;

/* The page's start: title, stylesheet, script, the bar with the person's
 * name and the logout form (@user NULL: the login page). */
void rd_html_begin(GString *out, const char *title, const char *user, const char *csrf);
void rd_html_end(GString *out);

/* A hidden CSRF field. */
void rd_html_csrf(GString *out, const char *csrf);

G_END_DECLS
