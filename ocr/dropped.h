/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

G_BEGIN_DECLS

/* A block of text read again where the page's layout dropped it: its
 * top (page pixels) and its text. */
typedef struct {
        int y;
        char *text;
} RdDroppedBlock;

void rd_dropped_block_free(RdDroppedBlock *b);

/* Returns: (transfer full) the blocks of letters on the 1 bpp page @bin
 * (its pieces of ink @ink) that none of the @lines Tesseract read
 * covers, each read again by @api as one block, top to bottom; only
 * what reads as words.  Spends @api's results. */
GPtrArray *rd_dropped_blocks(TessBaseAPI *api, PIX *bin, BOXA *ink, BOXA *lines, int ppi);

G_END_DECLS
