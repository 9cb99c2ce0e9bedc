/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Leptonica preprocessing of one page image before Tesseract sees it:
 * depth, fax resolution, scale and skew. Owns the intermediate PIXes. */
#include <math.h>
#include <string.h>

#include "ocr-private.h"
#include "picture-private.h"

PIX *
rd_ocr_page_to_gray(PIX *pix, gboolean brightest)
{
        g_autoptr(PIX) flat = NULL;
        g_autoptr(PIX) blended = NULL;

        if (pixGetColormap(pix) != NULL) {
                flat = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
                if (flat == NULL)
                        return NULL;
                pix = flat;
        }
        switch (pixGetDepth(pix)) {
        case 1:
        case 8:
                return pixCopy(NULL, pix);
        case 16:
                return pixConvert16To8(pix, L_MS_BYTE);
        case 32:
                if (pixGetSpp(pix) == 4) {
                        /* a transparent background would turn black: put it on white paper */
                        blended = pixAlphaBlendUniform(pix, 0xffffff00);
                        if (blended == NULL)
                                return NULL;
                        pix = blended;
                }
                return brightest ? pixConvertRGBToGrayMinMax(pix, L_CHOOSE_MAX) : pixConvertRGBToLuminance(pix);
        default:
                return pixConvertTo8(pix, FALSE);
        }
}

/* the most gray (between ink and paper) a two-tone page has, per ink pixel */
#define RD_OCR_TWO_TONE_RIM 0.05

gboolean
rd_ocr_two_tone(PIX *gray)
{
        NUMA *hist;
        l_float32 *h;
        double ink = 0.0, rim = 0.0;

        if (gray == NULL || pixGetDepth(gray) != 8 || pixGetColormap(gray) != NULL)
                return FALSE;
        hist = pixGetGrayHistogram(gray, 2);
        if (hist == NULL)
                return FALSE;
        h = numaGetFArray(hist, L_NOCOPY);
        for (int v = 0; h != NULL && v < MIN(numaGetCount(hist), 256); v++) {
                if (v < 48)
                        ink += h[v];
                else if (v < 208)
                        rim += h[v];
        }
        numaDestroy(&hist);
        return ink > 0.0 && rim <= RD_OCR_TWO_TONE_RIM * ink;
}

/* Resolution tags outside this range are junk (72 dpi screen defaults,
 * 1x1 "no unit" values) and are better replaced by an estimate. */
static gboolean
rd_ocr_res_plausible(int res)
{
        return res >= 90 && res <= 1200;
}

static gboolean
dark_at(l_uint32 *row, int x, int depth)
{
        return depth == 1 ? GET_DATA_BIT(row, x) != 0 : GET_DATA_BYTE(row, x) < 128;
}

/* A scanner's dirty glass draws a line down the whole page, through every
 * line of print: a few columns of ink (1 or 8 bpp @pix, as scanned) for
 * nearly the page's height.  Tesseract takes it for a column's rule and
 * cuts each line in two there.  Such a line is wiped where no stroke
 * crosses it.  A page with more than two (a grid, a table's rules) is
 * left as it is. */
static void
wipe_streaks(PIX *pix)
{
        int w = pixGetWidth(pix), h = pixGetHeight(pix), d = pixGetDepth(pix), wpl = pixGetWpl(pix);
        int widest = MAX(6, w / 250), runs = 0, starts[2], ends[2];
        l_uint32 *data = pixGetData(pix);
        g_autofree int *count = NULL;

        if ((d != 1 && d != 8) || w < 100 || h < 100)
                return;
        count = g_new0(int, w);
        for (int y = 0; y < h; y++) {
                l_uint32 *row = data + y * wpl;

                for (int x = 0; x < w; x++)
                        count[x] += dark_at(row, x, d);
        }
        for (int x = 0; x < w;) {
                int x1 = x;

                if (5 * count[x] < 4 * h) {
                        x++;
                        continue;
                }
                while (x1 + 1 < w && 5 * count[x1 + 1] >= 4 * h)
                        x1++;
                if (x1 - x + 1 > widest)
                        return; /* a bar, not a line */
                if (runs == 2)
                        return;
                starts[runs] = x;
                ends[runs++] = x1;
                x = x1 + 1;
        }
        for (int k = 0; k < runs; k++)
                for (int y = 0; y < h; y++) {
                        l_uint32 *row = data + y * wpl;
                        gboolean crossed = (starts[k] > 0 && dark_at(row, starts[k] - 1, d)) ||
                                           (ends[k] + 1 < w && dark_at(row, ends[k] + 1, d));

                        if (crossed)
                                continue;
                        for (int x = starts[k]; x <= ends[k]; x++) {
                                if (d == 1)
                                        CLEAR_DATA_BIT(row, x);
                                else
                                        SET_DATA_BYTE(row, x, 255);
                        }
                }
}

/* Returns: (transfer full) a 1 or 8 bpp copy of @pix with square pixels
 * at a resolution Tesseract reads well (also in *@ret_ppi). */
static PIX *
square_up(PIX *pix, int *ret_ppi, GError **error)
{
        g_autoptr(PIX) gray = NULL;
        int xres = pixGetXRes(pix);
        int yres = pixGetYRes(pix);
        int ppi;

        *ret_ppi = 0;
        if (pixGetWidth(pix) < 8 || pixGetHeight(pix) < 8) {
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE, "image too small");
                return NULL;
        }
        gray = rd_ocr_page_to_gray(pix, FALSE);
        if (gray == NULL) {
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE,
                                    "cannot convert image to gray");
                return NULL;
        }
        /* a copy of its own: the scanner's streaks wiped on it */
        wipe_streaks(gray);

        /* Standard-resolution fax (204x98): every pixel is twice as tall as
         * wide. Tesseract assumes square pixels, so double the rows; 1 bpp
         * pixScale() replicates them, which keeps the strokes crisp. */
        if (yres > 0 && xres >= 2 * yres - 10 && rd_ocr_res_plausible(xres)) {
                float fy = (float)xres / (float)yres;
                g_autoptr(PIX) square = NULL;

                if (fabsf(fy - 2.0f) < 0.15f)
                        fy = 2.0f;
                square = pixScale(gray, 1.0, fy);
                if (square == NULL) {
                        g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE,
                                            "cannot rescale fax page");
                        return NULL;
                }
                pixDestroy(&gray);
                gray = g_steal_pointer(&square);
                yres = xres;
        }

        if (rd_ocr_res_plausible(xres))
                ppi = xres;
        else if (rd_ocr_res_plausible(yres))
                ppi = yres;
        else if (pixGetWidth(gray) >= 1000)
                /* no usable tag: a wide image is most likely a whole letter/A4
                 * page, about 8.5 inches across */
                ppi = CLAMP((int)(pixGetWidth(gray) / 8.5), 100, 600);
        else
                /* a snippet: Tesseract's own default assumption */
                ppi = RD_OCR_TARGET_PPI;

        if (ppi > RD_OCR_MAX_PPI || ppi < RD_OCR_MIN_PPI) {
                /* 600 dpi scans cost 4x the time for no gain; 100 dpi ones read
                 * better magnified */
                int target = ppi > RD_OCR_MAX_PPI ? RD_OCR_TARGET_PPI : 200;
                float f = (float)target / (float)ppi;
                g_autoptr(PIX) scaled = NULL;

                if (pixGetDepth(gray) == 1 && f < 1.0f)
                        scaled = pixScaleToGray(gray, f);
                else
                        scaled = pixScale(gray, f, f);
                if (scaled == NULL) {
                        g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE,
                                            "cannot rescale page");
                        return NULL;
                }
                pixDestroy(&gray);
                gray = g_steal_pointer(&scaled);
                ppi = target;
        }
        pixSetResolution(gray, ppi, ppi);
        *ret_ppi = ppi;
        return g_steal_pointer(&gray);
}

/* Returns: (transfer full) @gray (from square_up()) straightened when it
 * is skewed by more than RD_OCR_MIN_DESKEW (the angle in *@ret_skew), else
 * a clone of it. */
static PIX *
straighten(PIX *gray, double *ret_skew)
{
        int ppi = pixGetXRes(gray);
        float angle = 0.0, conf = 0.0;
        /* Deskew: pages go through the feeder crooked. The angle is measured
         * on a binary copy. Below ~1 degree Tesseract's own line finding
         * copes, and rotating the bitmap measured worse there (the sampled
         * 1 bpp rotation frays strokes and EKG grid lines: 36 -> 17 good
         * words on a tracing page), so only larger skews are corrected, on
         * a gray copy with area mapping to keep the strokes smooth. */
        g_autoptr(PIX) bin = pixGetDepth(gray) == 1 ? pixClone(gray) : pixConvertTo1(gray, 140);

        *ret_skew = 0.0;
        if (bin != NULL && pixFindSkew(bin, &angle, &conf) == 0 && conf >= 3.0f &&
            fabsf(angle) > RD_OCR_MIN_DESKEW && fabsf(angle) <= 10.0f) {
                g_autoptr(PIX) src = pixGetDepth(gray) == 1 ? pixConvertTo8(gray, FALSE) : pixClone(gray);
                PIX *straight = NULL;

                if (src != NULL)
                        straight = pixRotate(src, angle * (float)(M_PI / 180.0), L_ROTATE_AREA_MAP,
                                             L_BRING_IN_WHITE, 0, 0);
                if (straight != NULL) {
                        pixSetResolution(straight, ppi, ppi);
                        *ret_skew = angle;
                        return straight;
                }
        }
        return pixClone(gray);
}

PIX *
rd_ocr_page_prepare(PIX *pix, int *ret_ppi, double *ret_skew, RdPicture *ret_picture, PIX **ret_mask,
                    GError **error)
{
        g_autoptr(PIX) squared = square_up(pix, ret_ppi, error);
        g_autoptr(PIX) prepared = NULL;

        *ret_skew = 0.0;
        if (ret_mask != NULL)
                *ret_mask = NULL;
        if (squared == NULL)
                return NULL;
        prepared = straighten(squared, ret_skew);
        if (prepared == NULL) {
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE, "cannot straighten page");
                return NULL;
        }
        /* the picture measure only informs: a failure leaves it unknown */
        if (!rd_picture_measure_mask(prepared, ret_picture, ret_mask, NULL)) {
                memset(ret_picture, 0, sizeof(*ret_picture));
                ret_picture->tracing_angle = ret_picture->upright_turn = -1;
        }
        /* A tracing's slanted strokes can pass for a crooked page: turned
         * "straight", its level traces come out tilted and are no longer
         * found. A straightened page with no tracing is measured again as
         * it came, and taken so when that shows one. */
        if (*ret_skew != 0.0 && !rd_picture_is_tracing(ret_picture)) {
                g_autoptr(PIX) mask = NULL;
                RdPicture picture;

                if (rd_picture_measure_mask(squared, &picture, ret_mask != NULL ? &mask : NULL, NULL) &&
                    rd_picture_is_tracing(&picture)) {
                        *ret_picture = picture;
                        *ret_skew = 0.0;
                        if (ret_mask != NULL) {
                                pixDestroy(ret_mask);
                                *ret_mask = g_steal_pointer(&mask);
                        }
                        pixDestroy(&prepared);
                        prepared = g_steal_pointer(&squared);
                }
        }
        return g_steal_pointer(&prepared);
}

PIX *
rd_ocr_page_rotate(PIX *pix, int degrees)
{
        PIX *rotated = pixRotateOrth(pix, ((degrees % 360 + 360) % 360) / 90);

        if (rotated != NULL)
                pixSetResolution(rotated, pixGetXRes(pix), pixGetYRes(pix));
        return rotated;
}
