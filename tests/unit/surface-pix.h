/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the unit tests draw with cairo, as the page image the OCR and the
 * picture measure read. */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <leptonica/allheaders.h>

/* Returns: (transfer full) the RGB24 drawing @s (destroyed) as an 8 bpp
 * gray PIX tagged @xres x @yres dpi; its green channel stands for the
 * gray of a black-on-white drawing. */
static inline PIX *
rd_test_surface_to_gray(cairo_surface_t *s, int xres, int yres)
{
        int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
        PIX *pix = pixCreate(w, h, 8);

        cairo_surface_flush(s);
        for (int row = 0; row < h; row++) {
                const guint32 *src = (const guint32 *)(const void *)(cairo_image_surface_get_data(s) +
                                                                    row * cairo_image_surface_get_stride(s));
                l_uint32 *line = pixGetData(pix) + row * pixGetWpl(pix);

                for (int x = 0; x < w; x++)
                        SET_DATA_BYTE(line, x, (src[x] >> 8) & 0xff);
        }
        cairo_surface_destroy(s);
        pixSetResolution(pix, xres, yres);
        return pix;
}
