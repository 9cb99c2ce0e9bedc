/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

G_BEGIN_DECLS

/* The page text @text that Tesseract just read from @pix (its last
 * recognition, still held by @api), with the lines that carry a box or a
 * ring written again so the mark shows: "☒ Urgent", "☐ Routine",
 * "(STAT)"; NULL when no line carries one.  A ringed word OCR did not
 * read is read again on its own, so @api's results are spent after. */
char *rd_marks_annotate(TessBaseAPI *api, PIX *pix, int ppi, const char *text);

/* The words of slanted stamps on @pix ("URGENT" pressed on at an angle,
 * in a frame), which a page's OCR skips, each on a line of its own; NULL
 * when there are none.  Spends @api's results, as above. */
char *rd_marks_stamps(TessBaseAPI *api, PIX *pix, int ppi);

G_END_DECLS
