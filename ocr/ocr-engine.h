/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "picture.h"

G_BEGIN_DECLS

struct Pix; /* leptonica */

/* One Tesseract "eng" handle (plus a lazily created "osd" handle), initialised
 * once and reused for every page. Not thread-safe: one engine per worker. */
typedef struct RdOcrEngine RdOcrEngine;

typedef enum {
        RD_OCR_ERROR_INIT,    /* tessdata missing or unusable */
        RD_OCR_ERROR_IMAGE,   /* the image cannot be prepared for OCR */
        RD_OCR_ERROR_FAILED,  /* Tesseract refused the page */
        RD_OCR_ERROR_TIMEOUT, /* the deadline passed while recognising */
} RdOcrError;

#define RD_OCR_ERROR rd_ocr_error_quark()
GQuark rd_ocr_error_quark(void);

/* What one page read gives. */
typedef struct {
        char *text;        /* owned, UTF-8, never NULL after a successful read */
        double confidence; /* mean word confidence 0..100 */
        int rotation;      /* degrees rotated (clockwise) to read it upright: 0/90/180/270 */
        double skew;       /* degrees of deskew applied */
        guint ms;          /* wall time spent on the page */
        guint width;       /* pixels of the image as given */
        guint height;
        guint n_words;     /* words recognised */
        guint n_good;      /* of which look like real words (see rd_ocr_engine_read) */
        gboolean osd_used; /* orientation detection had to run */
        guint passes;      /* recognition passes (0 for a blank page, 1, or 2 when a
                            * rotation was tried) */
        RdPicture picture; /* what the page looks like (tracing, blank, text density) */
} RdOcrResult;

void rd_ocr_result_clear(RdOcrResult *result);

/* Returns: (transfer full) an engine, or NULL with error set. */
RdOcrEngine *rd_ocr_engine_new(GError **error);
void rd_ocr_engine_free(RdOcrEngine *engine);

/* Reads one page image (borrowed; any depth, colormap or alpha). The x/y
 * resolution tags of @pix decide the fax mode: standard fax (204x98) is
 * rescaled to square pixels; a missing resolution is estimated from the width.
 * The page's picture is measured first (rd_picture_measure()): a blank page
 * is not read; a tracing has only its text regions read, turned the way
 * the tracing runs; any other page is OCRed as it is, and only when its
 * body (below the fax header band) reads poorly is the orientation of the
 * body detected and the rotated page read again.
 * @deadline_ms bounds the recognition (0 = none).
 * On success fills @ret (clear it with rd_ocr_result_clear()). */
gboolean rd_ocr_engine_read(RdOcrEngine *engine, struct Pix *pix, guint deadline_ms,
                            RdOcrResult *ret, GError **error);

/* Whether the 8 bpp gray @gray is a 1-bit picture drawn in gray (a fax
 * inside a PDF): black ink on white paper with almost no tone between,
 * where type drawn smooth, scans and photos have a gray rim round every
 * stroke. Any other depth is not. */
gboolean rd_ocr_two_tone(struct Pix *gray);

/* Counters since the engine was created, for benchmarks and tests. */
void rd_ocr_engine_get_stats(const RdOcrEngine *engine, guint *ret_pages, guint *ret_osd_runs,
                             guint *ret_rotated);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdOcrEngine, rd_ocr_engine_free)

G_END_DECLS
