/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "ocr/ocr-engine.h"
#include "parsers/page.h"

G_BEGIN_DECLS

typedef enum {
        RD_PAGES_ERROR_NOT_SUPPORTED, /* not a PDF/TIFF/PNG/JPEG, or a page kind we cannot read */
        RD_PAGES_ERROR_ENCRYPTED,     /* password-protected PDF */
        RD_PAGES_ERROR_CORRUPT,       /* truncated or damaged file */
        RD_PAGES_ERROR_EMPTY,         /* a well-formed file with no pages */
        RD_PAGES_ERROR_LIMIT,         /* a page, size or time limit was hit (pages before kept) */
        RD_PAGES_ERROR_OCR,           /* the OCR engine failed on a page */
} RdPagesError;

#define RD_PAGES_ERROR rd_pages_error_quark()
GQuark rd_pages_error_quark(void);

typedef struct {
        guint max_pages;           /* pages per item */
        guint64 max_page_pixels;   /* width*height per page */
        guint64 max_decoded_bytes; /* decompression bombs: decoded bytes summed over the item */
        guint time_budget_ms;      /* per item; 0 = none */
} RdReadLimits;

/* Sensible defaults: 100 pages, 40 Mpixel pages (600 dpi letter is 33.7),
 * 2 GiB decoded per item, 5 minutes. */
void rd_read_limits_init(RdReadLimits *limits);

/* Appends the pages of one file (PDF/TIFF/PNG/JPEG, type by content) to
 * @ret_pages (element type RdPage*, free func rd_page_free), numbering from
 * @first_number, with @source_part copied to each. A PDF page with a real
 * text layer is taken as text; other pages are rendered and OCRed with @ocr
 * (which may be NULL when only text layers are wanted: an image page is
 * then an RD_PAGES_ERROR_NOT_SUPPORTED error). @limits NULL means defaults.
 * On error returns FALSE with error set (RD_PAGES_ERROR); pages read before
 * the error stay appended. */
gboolean rd_pages_read(const guint8 *data, gsize len, const char *source_part, guint first_number,
                       const RdReadLimits *limits, RdOcrEngine *ocr, GPtrArray *ret_pages,
                       GError **error);

G_END_DECLS
