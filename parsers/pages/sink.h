/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The page sink shared by the format readers of parsers/pages/. */
#pragma once

#include <leptonica/allheaders.h>

#include "pages.h"

G_BEGIN_DECLS

/* The state of reading one item, shared by the format readers. */
typedef struct {
        const RdReadLimits *limits; /* borrowed */
        RdOcrEngine *ocr;           /* borrowed, may be NULL */
        const char *source_part;    /* borrowed */
        GPtrArray *ret_pages;       /* borrowed */
        guint next_number;
        guint n_read;               /* pages of this item appended */
        guint64 decoded_bytes;
        gint64 deadline_us;         /* monotonic; 0 = none */
} RdPagesCtx;

/* Each returns FALSE with error set when page @index (0-based) may not be
 * read: past max_pages (@total is the item's page count, 0 if unknown),
 * too many pixels or decoded bytes, or out of time. */
gboolean rd_pages_check_next(RdPagesCtx *ctx, guint index, guint total, GError **error);
gboolean rd_pages_check_size(RdPagesCtx *ctx, guint index, guint64 width, guint64 height,
                             guint bits_per_pixel, GError **error);

/* OCRs @pix (borrowed) and appends the page. */
gboolean rd_pages_add_image(RdPagesCtx *ctx, PIX *pix, gint64 start_us, GError **error);
/* Appends a text-layer page; takes @text. */
void rd_pages_add_text(RdPagesCtx *ctx, char *text, gint64 start_us);

static inline void
rd_pages_pix_free(PIX *pix)
{
        pixDestroy(&pix);
}

G_END_DECLS
