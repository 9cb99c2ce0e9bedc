/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TIFF (multi-page fax), PNG and JPEG pages through Leptonica's memory
 * readers. Sizes come from the headers before anything is decoded. */
#include "image.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PIX, rd_pages_pix_free)

static guint
rd_pages_decoded_bpp(int bps, int spp)
{
        /* leptonica keeps RGB(A) as 32 bpp and everything else at its depth */
        if (spp >= 3)
                return 32;
        return (guint)MAX(bps, 1) * (guint)MAX(spp, 1);
}

gboolean
rd_pages_read_tiff(RdPagesCtx *ctx, const guint8 *data, gsize len, GError **error)
{
        FILE *fp = fopenReadFromMemory(data, len);
        l_int32 count = 0;

        if (fp == NULL) {
                g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                                    "cannot open tiff data");
                return FALSE;
        }
        if (tiffGetCount(fp, &count) != 0) {
                fclose(fp);
                g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                                    "damaged tiff: cannot read its directory");
                return FALSE;
        }
        fclose(fp);
        if (count <= 0) {
                g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_EMPTY,
                                    "tiff has no pages");
                return FALSE;
        }

        for (l_int32 n = 0; n < count; n++) {
                gint64 start = g_get_monotonic_time();
                l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;
                g_autoptr(PIX) pix = NULL;

                if (!rd_pages_check_next(ctx, (guint)n, (guint)count, error))
                        return FALSE;
                if (readHeaderMemTiff(data, len, n, &w, &h, &bps, &spp, &res, &cmap, &format) != 0 ||
                    w <= 0 || h <= 0) {
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                                    "damaged tiff: cannot read the header of page %d", n + 1);
                        return FALSE;
                }
                if (!rd_pages_check_size(ctx, (guint)n, (guint64)w, (guint64)h,
                                         rd_pages_decoded_bpp(bps, spp), error))
                        return FALSE;
                pix = pixReadMemTiff(data, len, n);
                if (pix == NULL) {
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                                    "damaged or unsupported tiff: cannot decode page %d", n + 1);
                        return FALSE;
                }
                if (!rd_pages_add_image(ctx, pix, start, error))
                        return FALSE;
        }
        return TRUE;
}

gboolean
rd_pages_read_image(RdPagesCtx *ctx, const guint8 *data, gsize len, GError **error)
{
        gint64 start = g_get_monotonic_time();
        l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, iscmap = 0;
        g_autoptr(PIX) pix = NULL;

        if (!rd_pages_check_next(ctx, 0, 1, error))
                return FALSE;
        if (pixReadHeaderMem(data, len, &format, &w, &h, &bps, &spp, &iscmap) != 0 || w <= 0 ||
            h <= 0) {
                g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                                    "damaged image: cannot read its header");
                return FALSE;
        }
        if (!rd_pages_check_size(ctx, 0, (guint64)w, (guint64)h, rd_pages_decoded_bpp(bps, spp),
                                 error))
                return FALSE;
        pix = pixReadMem(data, len);
        if (pix == NULL) {
                g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                                    "damaged image: cannot decode it");
                return FALSE;
        }
        return rd_pages_add_image(ctx, pix, start, error);
}
