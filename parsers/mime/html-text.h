/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Renders an HTML document or fragment as plain text for a reader, the
 * way a mail client would show it: script, style, title and comments are
 * dropped, block elements start new lines, table cells in a row are
 * separated by a tab, list items start with "- ", character references
 * are decoded and runs of white space collapse (except inside <pre>).
 *
 * @html need not be NUL-terminated nor valid UTF-8 (invalid sequences
 * become U+FFFD).  Linear time, no recursion, so hostile input is safe.
 *
 * Returns: (transfer full): UTF-8 text, never NULL. */
char *rd_html_to_text(const char *html, gsize len);

G_END_DECLS
