/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>

#include "ocr-engine.h"

G_BEGIN_DECLS

static inline void
rd_pix_free(PIX *pix)
{
        pixDestroy(&pix);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PIX, rd_pix_free)

static inline int
rd_ocr_compare_int(gconstpointer a, gconstpointer b)
{
        return *(const int *)a - *(const int *)b;
}

/* The middle value of @values, ints (not empty; sorted in place). */
static inline int
rd_ocr_median(GArray *values)
{
        g_array_sort(values, rd_ocr_compare_int);
        return g_array_index(values, int, values->len / 2);
}

/* Below this resolution (after the fax fix) a page is upscaled; above the
 * high mark it is downscaled: Tesseract's time grows with pixels while its
 * accuracy stops improving past ~300 ppi. */
#define RD_OCR_MIN_PPI 140
#define RD_OCR_MAX_PPI 400
#define RD_OCR_TARGET_PPI 300
/* degrees of skew below which the page is left as it is */
#define RD_OCR_MIN_DESKEW 1.0f
/* the top of a page where a fax machine stamps its header line, in
 * thousandths of the height (~0.75 in of 11 in) */
#define RD_OCR_HEADER_PERMILLE 70

/* Returns: (transfer full) a 1 bpp or 8 bpp gray version of @pix; colour
 * by its brightest channel when @brightest (a red, green or blue grid
 * fades while black ink stays), else by its luminance. */
PIX *rd_ocr_page_to_gray(PIX *pix, gboolean brightest);
/* Returns: (transfer full) a 1 or 8 bpp copy of @pix with square pixels,
 * its resolution set (also in *ret_ppi) and deskewed (*ret_skew degrees),
 * with its picture measured in *@ret_picture (and the text mask in
 * *@ret_mask, transfer full, when not NULL): the page as
 * rd_ocr_engine_read() measures and reads it. */
PIX *rd_ocr_page_prepare(PIX *pix, int *ret_ppi, double *ret_skew, RdPicture *ret_picture, PIX **ret_mask,
                         GError **error);

/* Returns: (transfer full) @pix rotated clockwise by @degrees (0/90/180/270). */
PIX *rd_ocr_page_rotate(PIX *pix, int degrees);

G_END_DECLS
