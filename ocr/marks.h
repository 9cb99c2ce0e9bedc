/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>

G_BEGIN_DECLS

/* One line of text whose characters' places on the page are known (a PDF
 * text layer), to look on the page's picture for the boxes and rings
 * drawn beside its words. */
typedef struct RdMarkLine RdMarkLine;
/* A page's picture made ready for looking at marks: once a page. */
typedef struct RdMarkPage RdMarkPage;

/* @bin: the page in 1 bpp (borrowed; a reference is kept). */
RdMarkPage *rd_mark_page_new(PIX *bin);
void rd_mark_page_free(RdMarkPage *page);

RdMarkLine *rd_mark_line_new(void);
void rd_mark_line_free(RdMarkLine *line);
/* Appends one character @text (UTF-8) with its box in the picture's
 * pixels; @word_start: the first character of a word. */
void rd_mark_line_add(RdMarkLine *line, const char *text, int x1, int y1, int x2, int y2,
                      gboolean word_start);
/* The line written again with the marks @page's picture shows beside its
 * words ("☒ Urgent", "☐ Routine", "(STAT)"); NULL when it shows none. */
char *rd_mark_line_rewrite(RdMarkLine *line, const RdMarkPage *page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdMarkLine, rd_mark_line_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdMarkPage, rd_mark_page_free)

G_END_DECLS
