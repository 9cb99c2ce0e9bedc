/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

G_BEGIN_DECLS

/* The page text @text that Tesseract just read from @pix (its last
 * recognition, still held by @api), with the lines that carry a box or a
 * ring written again so the mark shows: "☒ Urgent", "☐ Routine",
 * "(STAT)", and the words of stamps pressed on it (slanted, or in a
 * frame over the text) each on a line of its own after it, and the
 * blocks of lines Tesseract's page layout skipped, read again
 * (dropped.h) and put in where they stand; NULL when there is none.  A ringed word OCR did not
 * read is read again on its own, so @api's results are spent after. */
char *rd_marks_annotate(TessBaseAPI *api, PIX *pix, int ppi, const char *text);

G_END_DECLS
