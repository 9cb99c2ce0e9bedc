/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Owns the picture measure: from the pixels alone, how much a page looks
 * like a 12-lead EKG tracing (rows of long, thin strokes with sharp, evenly
 * spaced spikes across most of the width), which way those rows run, how
 * much text and ink the page carries, and the mask of its text-like parts
 * (for OCR of a tracing page). Works on a reduced copy so that it stays a
 * small fraction of an OCR pass. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ocr-private.h"
#include "picture-private.h"

static inline void
rd_numa_free(NUMA *na)
{
        numaDestroy(&na);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NUMA, rd_numa_free)

/* The long side of the working image. At ~150 ppi on a letter page the
 * trace is still a continuous 1-2 px line and text still separate blobs,
 * while every later step costs a quarter of what it would at 300 ppi. */
#define RD_PIC_WORK_LONG 1100
/* threshold on the background-normalised gray (background 200) */
#define RD_PIC_INK_THRESHOLD 135
/* the smallest image (long side, px) that can hold a 12-lead tracing */
#define RD_PIC_MIN_LONG 400
/* the long side (px, ~2 px a mm on a letter page) below which the bold
 * strokes are not looked for at half size */
#define RD_PIC_BOLD_MIN_LONG 500
/* the least mean coverage of the rows only bold strokes show */
#define RD_PIC_BOLD_MIN_COVERAGE 0.5
/* the grid score from which a page without trace rows is ECG paper:
 * 24 lines or more each way across half the page (a table has a few) */
#define RD_PIC_PAPER_GRID 0.8
/* the text density below which a page that shows no trace is searched
 * again for a broken one (a text page is far above: 0.03 and more) */
#define RD_PIC_BROKEN_MAX_TEXT 0.02
/* the ink (share of the page) up to which a page may be a trace broken
 * into dots: a page of such dots and a few labels is far below it */
#define RD_PIC_DOTTED_MAX_INK 0.01
/* the trace rows of a 12-lead sheet (3x4 and a rhythm strip, 6x2): the
 * least a search that can also join boxes or rules into rows must find */
#define RD_PIC_SHEET_ROWS 3
/* mean ink runs a trace row may cross per column */
#ifndef RD_PIC_MAX_CROSSINGS
#define RD_PIC_MAX_CROSSINGS 1.4
#endif

/* What one direction of analysis found. */
typedef struct {
        guint rows;            /* trace rows */
        double coverage;       /* mean coverage of the trace rows */
        guint spikes;
        double regularity;
        double up, down;
        double score;
} RdPicDir;

/* Returns: (transfer full) the working binary image of @pix: square pixels,
 * long side at most RD_PIC_WORK_LONG, ink ON. */
static PIX *
rd_picture_binarize(PIX *pix, PIX **ret_dark)
{
        g_autoptr(PIX) gray = NULL;
        g_autoptr(PIX) small = NULL;
        g_autoptr(PIX) norm = NULL;
        gboolean binary = FALSE;
        int xres = pixGetXRes(pix), yres = pixGetYRes(pix);
        double fy = 1.0, f;
        int w, h, lng;

        gray = rd_ocr_page_to_gray(pix, TRUE);
        if (gray == NULL)
                return NULL;
        /* a fax drawn from a PDF in gray is still a fax: its dithered grid
         * must fade as a 1-bit one does, not darken as a photo's would */
        if (rd_ocr_two_tone(gray)) {
                PIX *bits = pixThresholdToBinary(gray, 128);

                if (bits == NULL)
                        return NULL;
                pixCopyResolution(bits, gray);
                pixDestroy(&gray);
                gray = bits;
        }
        binary = pixGetDepth(gray) == 1;
        /* standard fax: each pixel twice as tall as wide */
        if (yres > 0 && xres >= 2 * yres - 10 && xres <= 1200)
                fy = (double)xres / (double)yres;
        w = pixGetWidth(gray);
        h = (int)(pixGetHeight(gray) * fy);
        lng = MAX(w, h);
        f = MIN(1.0, (double)RD_PIC_WORK_LONG / lng);
        if (binary) {
                /* averaging at half size or less turns a dither (a grid
                 * printed as dots) into light gray, while a 1 px trace
                 * stays mid gray */
                small = pixScaleToGray(gray, (float)MIN(f, 0.5));
                if (small != NULL && fy > 1.01) {
                        PIX *tall = pixScale(small, 1.0f, (float)fy);

                        pixDestroy(&small);
                        small = tall;
                }
                if (small == NULL)
                        return NULL;
                /* the dark cut keeps strokes 2 px wide and more: a trace,
                 * not a 1 px grid line nor its dots */
                *ret_dark = pixThresholdToBinary(small, 90);
                return pixThresholdToBinary(small, 180);
        }
        if (f < 0.99 || fy > 1.01) {
                /* keep the darkest pixel of each block: a thin trace
                 * survives where averaging would fade it to gray */
                int k = (int)ceil(1.0 / f);

                if (k >= 2)
                        small = pixScaleGrayMinMax(gray, k, MAX(1, (int)(k / fy + 0.5)),
                                                   L_CHOOSE_MIN);
                else
                        small = pixScale(gray, 1.0f, (float)fy);
        } else {
                small = pixClone(gray);
        }
        if (small == NULL)
                return NULL;
        /* photos: uneven light and shadows */
        norm = pixBackgroundNormSimple(small, NULL, NULL);
        if (norm == NULL)
                norm = pixClone(small);
        *ret_dark = pixThresholdToBinary(norm, 70);
        return pixThresholdToBinary(norm, RD_PIC_INK_THRESHOLD);
}

/* Straightens @bin and @dark in place when they are skewed: grid lines
 * and trace rows are found by straight structuring elements. */
static void
rd_picture_deskew(PIX **bin, PIX **dark)
{
        float angle = 0.0f, conf = 0.0f;
        PIX **pp[2] = { bin, dark };

        if (pixFindSkew(*bin, &angle, &conf) != 0 || conf < 2.5f || fabsf(angle) < 0.3f ||
            fabsf(angle) > 8.0f)
                return;
        for (int i = 0; i < 2; i++) {
                PIX *straight = pixRotate(*pp[i], angle * (float)(M_PI / 180.0), L_ROTATE_SHEAR,
                                          L_BRING_IN_WHITE, 0, 0);

                if (straight != NULL) {
                        pixDestroy(pp[i]);
                        *pp[i] = straight;
                }
        }
}

/* Returns the number of runs of @prof above @level: lines in a profile. */
static guint
rd_picture_count_runs(NUMA *prof, double level)
{
        gboolean in = FALSE;
        guint runs = 0;

        for (int i = 0; prof != NULL && i < numaGetCount(prof); i++) {
                l_float32 v = 0;

                numaGetFValue(prof, i, &v);
                if (v > level && !in)
                        runs++;
                in = v > level;
        }
        return runs;
}

/* The longest side (px) of a speck on an image whose long side is @lng:
 * a grid's dot or dash, fax noise; a trace's piece is longer. */
static int
rd_picture_speck(int lng)
{
        return MAX(12, lng / 60);
}

/* The shortest straight stroke of @pix taken for a line: longer than any
 * flat stretch of a trace (~10 mm of a 280 mm strip), shorter than a grid
 * line. */
static int
rd_picture_line_len(PIX *pix)
{
        return MAX(MAX(pixGetWidth(pix), pixGetHeight(pix)) / 8, 15);
}

/* Returns: (transfer full) @bin without its long straight lines (grid,
 * table rules, form boxes), for the trace search; sets *ret_text_ink to
 * @bin without its unbroken straight lines (for the text measure) and
 * *ret_grid to how much the lines look like a grid. */
static PIX *
rd_picture_strip_lines(PIX *bin, double *ret_grid, PIX **ret_text_ink)
{
        int w = pixGetWidth(bin), h = pixGetHeight(bin);
        int len = rd_picture_line_len(bin);
        /* a faxed grid comes out dashed or dotted: bridge gaps of ~2 mm */
        int gap = MAX(5, MAX(w, h) / 120);
        g_autoptr(PIX) hl = pixOpenCompBrick(NULL, bin, len, 1);
        g_autoptr(PIX) vl = pixOpenCompBrick(NULL, bin, 1, len);
        g_autoptr(PIX) hbridged = pixCloseSafeCompBrick(NULL, bin, gap, 1);
        g_autoptr(PIX) vbridged = pixCloseSafeCompBrick(NULL, bin, 1, gap);
        g_autoptr(PIX) hdash = NULL;
        g_autoptr(PIX) vdash = NULL;
        g_autoptr(NUMA) hprof = NULL;
        g_autoptr(NUMA) vprof = NULL;
        PIX *ink;

        *ret_grid = 0.0;
        if (ret_text_ink != NULL)
                *ret_text_ink = NULL;
        if (hl == NULL || vl == NULL || hbridged == NULL || vbridged == NULL)
                return NULL;
        hdash = pixOpenCompBrick(NULL, hbridged, len, 1);
        vdash = pixOpenCompBrick(NULL, vbridged, 1, len);
        if (hdash == NULL || vdash == NULL)
                return NULL;
        /* a grid: many lines across most of the page in both directions */
        hprof = pixCountPixelsByRow(hdash, NULL);
        vprof = pixCountPixelsByColumn(vdash);
        /* 5 mm squares over a 200 mm strip: 40 lines; a table has a few */
        *ret_grid = CLAMP((MIN(rd_picture_count_runs(hprof, 0.5 * w),
                               rd_picture_count_runs(vprof, 0.5 * h)) -
                           8.0) / 20.0,
                          0.0, 1.0);
        if (ret_text_ink != NULL) {
                *ret_text_ink = pixSubtract(NULL, bin, hl);
                pixSubtract(*ret_text_ink, *ret_text_ink, vl);
        }
        ink = pixSubtract(NULL, bin, hdash);
        pixSubtract(ink, ink, vdash);
        /* where a trace crossed a grid line it is now cut: rejoin it */
        pixCloseSafeBrick(ink, ink, 3, 3);
        return ink;
}

static int
rd_pic_cmp_int(const void *a, const void *b)
{
        return *(const int *)a - *(const int *)b;
}

static int
rd_pic_cmp_double(const void *a, const void *b)
{
        double d = *(const double *)a - *(const double *)b;

        return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/* Returns the median of @n ints in @v (reordered). */
static int
rd_pic_median(int *v, int n)
{
        if (n == 0)
                return 0;
        qsort(v, n, sizeof(int), rd_pic_cmp_int);
        return v[n / 2];
}

/* Per column of the band [@y0, @y1] of @ink: the first and last ink row
 * (-1 when none). */
static void
rd_picture_band_columns(PIX *ink, int y0, int y1, int *top, int *bot, int *runs)
{
        int w = pixGetWidth(ink), wpl = pixGetWpl(ink);
        l_uint32 *data = pixGetData(ink);

        for (int x = 0; x < w; x++) {
                top[x] = bot[x] = -1;
                runs[x] = 0;
        }
        for (int y = y0; y <= y1; y++) {
                l_uint32 *line = data + y * wpl;

                for (int x = 0; x < w; x++) {
                        if (GET_DATA_BIT(line, x)) {
                                if (top[x] < 0)
                                        top[x] = y;
                                if (bot[x] != y - 1)
                                        runs[x]++;
                                bot[x] = y;
                        }
                }
        }
}

/* Marks in @keep the columns of @top that belong to runs of inked columns
 * (gaps up to 2 px bridged) at least @min_run long: a trace is drawn
 * without lifting the pen, text stops between words. Returns the count. */
static int
rd_picture_long_runs(const int *top, int w, int min_run, guint8 *keep)
{
        int start = -1, last = -10, total = 0;

        memset(keep, 0, w);
        for (int x = 0; x <= w; x++) {
                gboolean on = x < w && top[x] >= 0;

                if (on && start >= 0 && x - last > 3) {
                        if (last - start + 1 >= min_run) {
                                memset(keep + start, 1, last - start + 1);
                                total += last - start + 1;
                        }
                        start = -1;
                }
                if (on) {
                        if (start < 0)
                                start = x;
                        last = x;
                } else if (x == w && start >= 0 && last - start + 1 >= min_run) {
                        memset(keep + start, 1, last - start + 1);
                        total += last - start + 1;
                }
        }
        return total;
}

/* Returns the ink runs the columns @keep of a band cross, all together. */
static guint
rd_picture_crossings(const int *runs, const guint8 *keep, int w)
{
        guint crossings = 0;

        for (int x = 0; x < w; x++)
                if (keep[x])
                        crossings += runs[x];
        return crossings;
}

/* Judges the band [@y0, @y1]: long continuous strokes whose height per
 * column is mostly that of a line, with sparse, evenly spaced spikes many
 * times taller, a spike at least @spike_frac of the band's height. Adds
 * it to @dir when it is a trace row; returns TRUE when only its spikes
 * failed (a lower @spike_frac may find them). */
static gboolean
rd_picture_band(PIX *ink, int y0, int y1, double spike_frac, RdPicDir *dir)
{
        int w = pixGetWidth(ink), n = 0, covered, med, base, thr;
        int merge = MAX(3, w / 60), start = -1, last = -1, ptop = 0, pbot = 0;
        g_autofree int *top = g_new(int, w);
        g_autofree int *bot = g_new(int, w);
        g_autofree int *tmp = g_new(int, w);
        g_autofree int *runs = g_new(int, w);
        g_autofree guint8 *keep = g_new(guint8, w);
        g_autoptr(GArray) centres = g_array_new(FALSE, FALSE, sizeof(double));
        double up = 0, down = 0, mean = 0, var = 0;
        guint spike_cols = 0, ni = 0;
        g_autofree double *iv = NULL;

        rd_picture_band_columns(ink, y0, y1, top, bot, runs);
        covered = rd_picture_long_runs(top, w, MAX(8, w / 25), keep);
        if (covered < 0.35 * w)
                return FALSE;
        /* a trace crosses a column once; letters two or three times
         * (e, o, m), lines of text above each other more */
        if (rd_picture_crossings(runs, keep, w) > RD_PIC_MAX_CROSSINGS * covered) {
                /* ...and so does what is left of a grid over part of a
                 * row (a photo's darker side, where the grid printed
                 * bolder): the row judged again by its one stretch
                 * crossed twice at most, when that alone spans 35% of
                 * the strip */
                for (int x = 0; x < w; x++)
                        if (runs[x] > 2)
                                top[x] = -1;
                covered = rd_picture_long_runs(top, w, (int)(0.35 * w), keep);
                if (covered < 0.35 * w ||
                    rd_picture_crossings(runs, keep, w) > RD_PIC_MAX_CROSSINGS * covered)
                        return FALSE;
        }
        for (int x = 0; x < w; x++)
                if (keep[x])
                        tmp[n++] = bot[x] - top[x] + 1;
        med = rd_pic_median(tmp, n);
        /* a trace is a line a few pixels thick; a line of words merged
         * into one blob (bold type at a reduced size) is as tall as its
         * letters */
        if (med > MAX(3, w / 200))
                return FALSE;
        n = 0;
        for (int x = 0; x < w; x++)
                if (keep[x])
                        tmp[n++] = (top[x] + bot[x]) / 2;
        base = rd_pic_median(tmp, n);
        thr = MAX(4 * med + 2, (int)(spike_frac * (y1 - y0 + 1)));
        for (int x = 0; x <= w; x++) {
                gboolean spike = x < w && keep[x] && bot[x] - top[x] + 1 >= thr;

                if (start >= 0 && (x == w || (spike && x - last > merge))) {
                        double c = (start + last) / 2.0;

                        g_array_append_val(centres, c);
                        up += MAX(0, base - ptop);
                        down += MAX(0, pbot - base);
                        start = -1;
                }
                if (!spike)
                        continue;
                spike_cols++;
                if (start < 0) {
                        start = x;
                        ptop = top[x];
                        pbot = bot[x];
                }
                last = x;
                ptop = MIN(ptop, top[x]);
                pbot = MAX(pbot, bot[x]);
        }
        /* handwriting has a tall stroke every letter; a trace a spike a beat */
        if (centres->len < 3 || spike_cols > 0.2 * covered)
                return TRUE;
        iv = g_new(double, centres->len);
        for (guint i = 1; i < centres->len; i++)
                iv[ni++] = g_array_index(centres, double, i) - g_array_index(centres, double, i - 1);
        qsort(iv, ni, sizeof(double), rd_pic_cmp_double);
        /* 10 s across the strip at 40..150 beats/min: 6.7..25 beats */
        if (iv[ni / 2] < 0.015 * w || iv[ni / 2] > 0.35 * w)
                return TRUE;
        for (guint i = 0; i < ni; i++)
                mean += iv[i];
        mean /= ni;
        for (guint i = 0; i < ni; i++)
                var += (iv[i] - mean) * (iv[i] - mean);
        dir->rows++;
        dir->coverage += (double)covered / w;
        dir->spikes += centres->len;
        dir->regularity += 1.0 - CLAMP(sqrt(var / ni) / MAX(mean, 1.0), 0.0, 1.0);
        dir->up += up;
        dir->down += down;
        return FALSE;
}

/* Trace rows of @ink with rows running horizontally: bands around the
 * peaks of the row profile (a trace's baseline is a dense row). */
static void
rd_picture_direction(PIX *ink, RdPicDir *dir)
{
        int w = pixGetWidth(ink), h = pixGetHeight(ink);
        int k = MAX(1, h / 120), sep = MAX(6, h / 28);
        g_autoptr(NUMA) prof = pixCountPixelsByRow(ink, NULL);
        g_autofree double *s = g_new0(double, h);
        g_autofree int *peaks = g_new(int, h);
        int np = 0;

        memset(dir, 0, sizeof(*dir));
        if (prof == NULL)
                return;
        for (int y = 0; y < h; y++) {
                for (int j = MAX(0, y - k); j <= MIN(h - 1, y + k); j++) {
                        l_float32 v = 0;

                        numaGetFValue(prof, j, &v);
                        s[y] += v;
                }
        }
        /* local maxima, at least @sep apart, with some ink on most columns */
        for (int y = 0; y < h; y++) {
                gboolean best = s[y] >= 0.3 * w;

                for (int j = MAX(0, y - sep); best && j <= MIN(h - 1, y + sep); j++)
                        if (s[j] > s[y] || (s[j] == s[y] && j < y))
                                best = FALSE;
                if (best)
                        peaks[np++] = y;
        }
        for (int i = 0; i < np; i++) {
                int y0 = i > 0 ? (peaks[i - 1] + peaks[i]) / 2 : MAX(0, peaks[i] - 2 * sep);
                int y1 = i + 1 < np ? (peaks[i] + peaks[i + 1]) / 2 : MIN(h - 1, peaks[i] + 2 * sep);

                /* a QRS is a quarter of the row pitch on a 6x2 or 3x4
                 * sheet; where the rows stand far apart (a rhythm strip
                 * below, a wide margin) it is less */
                if (rd_picture_band(ink, y0, y1, 0.25, dir))
                        rd_picture_band(ink, y0, y1, 0.12, dir);
        }
        if (dir->rows > 0) {
                dir->coverage /= dir->rows;
                dir->regularity /= dir->rows;
        }
}

/* Is component @i of @pixa (box @b), on a page ruled as a grid, a piece
 * of that grid the line cut left (its lines cut by a trace): hairlines
 * on under a seventh of its box, which letters and words fill a quarter
 * of or more? (Without a grid, a form's boxes broken by the line cut
 * look the same and must keep counting as the form's text.) */
static gboolean
rd_picture_grid_piece(PIXA *pixa, int i, const BOX *b)
{
        PIX *one;
        int on = 0;

        if (MIN(b->w, b->h) < 12 || pixa == NULL || (one = pixaGetPix(pixa, i, L_CLONE)) == NULL)
                return FALSE;
        pixCountPixels(one, &on, NULL);
        pixDestroy(&one);
        return on * 7 < b->w * b->h;
}

/* Text-like components (letters, words, lead labels) into @mask; returns
 * the share of the page their boxes cover (on a page with a @grid, not
 * counting the pieces of it the line cut left). Also decides blank: every
 * component that is more than a speck lies in one thin band at an edge. */
static double
rd_picture_text(PIX *ink, PIX *mask, gboolean grid, gboolean *ret_blank)
{
        int w = pixGetWidth(ink), h = pixGetHeight(ink), lng = MAX(w, h);
        PIXA *pixa = NULL;
        BOXA *boxa = pixConnComp(ink, grid ? &pixa : NULL, 8);
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        double area = 0.0;
        int n;

        *ret_blank = TRUE;
        if (boxa == NULL) {
                pixaDestroy(&pixa);
                return 0.0;
        }
        n = boxaGetCount(boxa);
        for (int i = 0; i < n; i++) {
                BOX *b = boxaGetBox(boxa, i, L_CLONE);
                int small = MIN(b->w, b->h), big = MAX(b->w, b->h);

                if (big >= MAX(4, lng / 250)) {
                        x0 = MIN(x0, b->x);
                        y0 = MIN(y0, b->y);
                        x1 = MAX(x1, b->x + b->w);
                        y1 = MAX(y1, b->y + b->h);
                }
                /* a letter or a word: small across, not a hairline, nor
                 * a piece of grid the line cut left (its lines cut by a
                 * trace) */
                if (small >= MAX(3, lng / 300) && small <= lng / 25 && big <= lng / 4 &&
                    big >= 3 && !(grid && rd_picture_grid_piece(pixa, i, b))) {
                        area += (double)b->w * b->h;
                        if (mask != NULL)
                                pixRasterop(mask, b->x, b->y, b->w, b->h, PIX_SET, NULL, 0, 0);
                }
                boxDestroy(&b);
        }
        pixaDestroy(&pixa);
        boxaDestroy(&boxa);
        if (x1 >= 0) {
                gboolean thin_h = (y1 - y0) <= 0.1 * h && (y0 <= 0.12 * h || y1 >= 0.88 * h);
                gboolean thin_v = (x1 - x0) <= 0.1 * w && (x0 <= 0.12 * w || x1 >= 0.88 * w);

                *ret_blank = thin_h || thin_v;
        }
        return area / ((double)w * h);
}

/* The score from the better direction, the text and the grid. */
static double
rd_picture_score(const RdPicDir *d, double text_density, double grid)
{
        double rows_s, cov_s, text_f;

        if (d->rows == 0)
                return 0.0;
        rows_s = d->rows >= 3 ? 1.0 : d->rows == 2 ? 0.65 : 0.3;
        cov_s = CLAMP((d->coverage - 0.3) / 0.3, 0.0, 1.0);
        /* a tracing page carries a header and labels, not paragraphs */
        text_f = 1.0 - CLAMP((text_density - 0.15) / 0.15, 0.0, 1.0);
        return CLAMP(rows_s * (0.6 + 0.4 * cov_s) * (0.75 + 0.25 * d->regularity) * text_f +
                             0.1 * grid,
                     0.0, 1.0);
}

static void
rd_picture_fill(RdPicture *ret, const RdPicDir *d, int angle, double text_density)
{
        ret->ecg_score = rd_picture_score(d, text_density, ret->grid_score);
        ret->trace_rows = d->rows;
        ret->trace_coverage = d->coverage;
        ret->spikes = d->spikes;
        ret->spike_regularity = d->regularity;
        ret->polarity = d->up + d->down > 0 ? d->up / (d->up + d->down) : 0.5;
        ret->tracing_angle = d->rows > 0 ? angle : -1;
        ret->upright_turn = -1;
        if (ret->ecg_score >= RD_PICTURE_ECG_THRESHOLD) {
                /* most leads (I, II, aVF, V4-V6) spike upwards, but on real
                 * tracings the share of excursion above the baseline ran
                 * from 38% to 77% upright: only a lopsided page decides */
                gboolean up = ret->polarity >= 0.8, down = ret->polarity <= 0.2;

                if (up || down)
                        ret->upright_turn = angle == 0 ? (up ? 0 : 180) : (up ? 90 : 270);
        }
}

/* Looks for trace rows in @ink both ways; keeps in @best / @angle the
 * direction that scores best so far. */
static void
rd_picture_traces(PIX *ink, double text_density, RdPicDir *best, int *angle)
{
        g_autoptr(PIX) turned = pixRotateOrth(ink, 1);
        RdPicDir d;

        rd_picture_direction(ink, &d);
        if (rd_picture_score(&d, text_density, 0) > rd_picture_score(best, text_density, 0)) {
                *best = d;
                *angle = 0;
        }
        if (turned == NULL)
                return;
        rd_picture_direction(turned, &d);
        if (rd_picture_score(&d, text_density, 0) > rd_picture_score(best, text_density, 0)) {
                *best = d;
                *angle = 90;
        }
}

/* Returns: (transfer full) @ink without its specks and short straight
 * dashes: what is left of a grid the line cut could not take (dashed or
 * dotted lines whose gaps are wider than it bridges). A trace is long or
 * bends; a dash is thin one way and short the other. */
static PIX *
rd_picture_dashless(PIX *ink)
{
        int lng = MAX(pixGetWidth(ink), pixGetHeight(ink));
        int speck = rd_picture_speck(lng), thin = MAX(2, lng / 300), len = rd_picture_line_len(ink);
        PIXA *pixa = NULL;
        BOXA *boxa = pixConnComp(ink, &pixa, 8);
        NUMA *keep;
        PIXA *kept;
        PIX *out = NULL;
        int n;

        if (boxa == NULL)
                return NULL;
        n = boxaGetCount(boxa);
        keep = numaCreate(n);
        for (int i = 0; i < n; i++) {
                int bw = 0, bh = 0;

                boxaGetBoxGeometry(boxa, i, NULL, NULL, &bw, &bh);
                numaAddNumber(keep, MAX(bw, bh) >= speck &&
                                            (MIN(bw, bh) > thin || MAX(bw, bh) >= len));
        }
        kept = pixaSelectWithIndicator(pixa, keep, NULL);
        if (kept != NULL)
                out = pixaDisplay(kept, pixGetWidth(ink), pixGetHeight(ink));
        pixaDestroy(&kept);
        numaDestroy(&keep);
        pixaDestroy(&pixa);
        boxaDestroy(&boxa);
        return out;
}

/* Looks for trace rows among the strokes of @cut at least 2 px wide (a
 * printed trace is bolder than its grid), at half size when the cut is
 * large (a bold trace is still a line there, and the search costs a
 * quarter), with the grid's lines and then its dashes taken away. What
 * remains of a grid there can line up into short rows across the
 * tracing's own (the tall spikes of the chest leads, a grid line): the
 * rows found here must span half the page at least. */
static void
rd_picture_bold_traces(PIX *cut, double text_density, RdPicDir *best, int *angle)
{
        g_autoptr(PIX) opened = pixOpenBrick(NULL, cut, 2, 2);
        /* halved only while a line of small type stays taller than a
         * trace is thick (~2 px a mm) */
        gboolean halve = MAX(pixGetWidth(cut), pixGetHeight(cut)) >= 2 * RD_PIC_BOLD_MIN_LONG;
        g_autoptr(PIX) bold = opened == NULL ? NULL
                              : halve        ? pixReduceRankBinary2(opened, 1, NULL)
                                             : pixClone(opened);
        g_autoptr(PIX) ink = NULL;
        g_autoptr(PIX) clean = NULL;
        RdPicDir found = *best;
        int found_angle = *angle;
        double grid = 0.0;

        if (bold == NULL || (ink = rd_picture_strip_lines(bold, &grid, NULL)) == NULL)
                return;
        rd_picture_traces(ink, text_density, &found, &found_angle);
        if (found.rows < 3 && (clean = rd_picture_dashless(ink)) != NULL)
                rd_picture_traces(clean, text_density, &found, &found_angle);
        if (rd_picture_score(&found, text_density, 0) > rd_picture_score(best, text_density, 0) &&
            found.coverage >= RD_PIC_BOLD_MIN_COVERAGE) {
                *best = found;
                *angle = found_angle;
        }
}

static gboolean
rd_picture_measure_pass(PIX *pix, RdPicture *ret, PIX **ret_text_mask, GError **error)
{
        gint64 start = g_get_monotonic_time();
        g_autoptr(PIX) bin = NULL;
        g_autoptr(PIX) dark = NULL;
        g_autoptr(PIX) ink = NULL;
        g_autoptr(PIX) dark_ink = NULL;
        g_autoptr(PIX) mask = NULL;
        g_autoptr(PIX) text_ink = NULL;
        RdPicDir best = { 0 };
        double dark_grid = 0.0;
        int count = 0, angle = -1;

        g_return_val_if_fail(pix != NULL && ret != NULL, FALSE);
        memset(ret, 0, sizeof(*ret));
        ret->tracing_angle = -1;
        ret->upright_turn = -1;
        ret->polarity = 0.5;
        if (pixGetWidth(pix) < 8 || pixGetHeight(pix) < 8) {
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE, "image too small");
                return FALSE;
        }
        bin = rd_picture_binarize(pix, &dark);
        if (bin == NULL || dark == NULL) {
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE,
                                    "cannot reduce the image");
                return FALSE;
        }
        rd_picture_deskew(&bin, &dark);
        ret->work_width = pixGetWidth(bin);
        ret->work_height = pixGetHeight(bin);
        pixCountPixels(bin, &count, NULL);
        ret->ink = (double)count / ((double)ret->work_width * ret->work_height);
        ink = rd_picture_strip_lines(bin, &ret->grid_score, &text_ink);
        dark_ink = rd_picture_strip_lines(dark, &dark_grid, NULL);
        if (ink == NULL || text_ink == NULL || dark_ink == NULL) {
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE,
                                    "cannot analyse the image");
                return FALSE;
        }
        if (ret_text_mask != NULL)
                mask = pixCreateTemplate(ink);
        ret->text_density = rd_picture_text(text_ink, mask, ret->grid_score > 0, &ret->blank);
        /* a page faxed black has no text left once its "lines" (the edges
         * of the black) are cut, but it is not an empty page */
        ret->dark = ret->ink >= RD_PICTURE_DARK_INK;
        if (ret->dark)
                ret->blank = FALSE;
        /* below ~1.6 px per mm over a 250 mm strip no 12 leads can be
         * drawn: a thumbnail or a texture, whatever its rows look like */
        if (!ret->blank && MAX(ret->work_width, ret->work_height) >= RD_PIC_MIN_LONG) {
                /* the plain cut sees thin traces, the dark one traces
                 * under a grid the plain cut could not strip */
                rd_picture_traces(ink, ret->text_density, &best, &angle);
                rd_picture_traces(dark_ink, ret->text_density, &best, &angle);
                /* a dotted grid, a dithered background or fax noise
                 * survives the line cut as specks that every column of a
                 * trace row crosses: the same search over the long strokes
                 * only */
                if (best.rows < 3) {
                        int lng = MAX(ret->work_width, ret->work_height);
                        int keep = rd_picture_speck(lng);
                        g_autoptr(PIX) strokes = pixSelectBySize(ink, keep, keep, 8, L_SELECT_IF_EITHER,
                                                                 L_SELECT_IF_GTE, NULL);

                        if (strokes != NULL)
                                rd_picture_traces(strokes, ret->text_density, &best, &angle);
                }
                /* so does a dashed grid whose gaps the line cut could not
                 * bridge: the search again without short straight dashes
                 * (which also takes the short flat pieces of a broken
                 * trace, hence last) */
                if (best.rows < 3) {
                        g_autoptr(PIX) clean = rd_picture_dashless(ink);
                        g_autoptr(PIX) dark_clean = rd_picture_dashless(dark_ink);

                        if (clean != NULL)
                                rd_picture_traces(clean, ret->text_density, &best, &angle);
                        if (dark_clean != NULL)
                                rd_picture_traces(dark_clean, ret->text_density, &best, &angle);
                }
                /* a grid the line cut could not take (tilted or bent, as
                 * in a photo of the paper) is drawn finer than the trace:
                 * the search again over the bold strokes of each cut */
                for (int i = 0; i < 2 && best.rows < 3; i++)
                        rd_picture_bold_traces(i ? dark : bin, ret->text_density, &best, &angle);
                rd_picture_fill(ret, &best, angle, ret->text_density);
                ret->ecg_paper = !rd_picture_is_tracing(ret) &&
                                 MAX(ret->grid_score, dark_grid) >= RD_PIC_PAPER_GRID;
        }
        if (ret_text_mask != NULL)
                *ret_text_mask = g_steal_pointer(&mask);
        ret->ms = (guint)((g_get_monotonic_time() - start) / 1000);
        return TRUE;
}

/* Measures @pix once its strokes are grown by a @bw x @bh brick; keeps
 * what it finds in @ret when it is a tracing of three rows or more,
 * running along @angle when that is not -1. */
static gboolean
rd_picture_try_joined(PIX *pix, int bw, int bh, int angle, RdPicture *ret)
{
        g_autoptr(PIX) thick = pixDilateBrick(NULL, pix, bw, bh);
        RdPicture joined;

        if (thick == NULL)
                return FALSE;
        pixCopyResolution(thick, pix);
        /* boxes and rules cut by the line strip, with the words in
         * them grown into blobs, can pass for a row or two: three at
         * least, as a 12-lead sheet has */
        if (!rd_picture_measure_pass(thick, &joined, NULL, NULL) || !rd_picture_is_tracing(&joined) ||
            joined.trace_rows < RD_PIC_SHEET_ROWS || (angle >= 0 && joined.tracing_angle != angle))
                return FALSE;
        ret->ecg_score = joined.ecg_score;
        ret->tracing_angle = joined.tracing_angle;
        ret->upright_turn = joined.upright_turn;
        ret->trace_rows = joined.trace_rows;
        ret->trace_coverage = joined.trace_coverage;
        ret->spikes = joined.spikes;
        ret->spike_regularity = joined.spike_regularity;
        ret->polarity = joined.polarity;
        ret->joined = TRUE;
        return TRUE;
}

gboolean
rd_picture_measure_mask(PIX *pix, RdPicture *ret, PIX **ret_text_mask, GError **error)
{
        gint64 start = g_get_monotonic_time();
        int xres = pixGetXRes(pix) > 0 ? pixGetXRes(pix) : 200;
        int yres = pixGetYRes(pix) > 0 ? pixGetYRes(pix) : 200;

        if (!rd_picture_measure_pass(pix, ret, ret_text_mask, error))
                return FALSE;
        /* a faint trace that a 1-bit fax broke into pieces a few pixels
         * apart (its steep QRS strokes first) has no long row left at
         * the working size. On a light page with little text, each
         * stroke is thickened by a pixel all round at full resolution,
         * which joins the pieces, and the search runs again. Letters
         * grow into blobs no trace row is made of. */
        if (ret->blank || ret->dark || rd_picture_is_tracing(ret) || ret->ecg_paper ||
            pixGetDepth(pix) != 1 || ret->text_density >= RD_PIC_BROKEN_MAX_TEXT ||
            ret->trace_rows >= RD_PIC_SHEET_ROWS)
                return TRUE;
        /* a trace broken into dots further apart (~2.5 mm) is joined
         * along each way a row may run in turn: the dots of a row line
         * up, the specks of fax noise seldom do */
        if (!rd_picture_try_joined(pix, 3, 3, -1, ret) && ret->ink <= RD_PIC_DOTTED_MAX_INK &&
            !rd_picture_try_joined(pix, MAX(3, xres / 10), 3, 0, ret))
                rd_picture_try_joined(pix, 3, MAX(3, yres / 10), 90, ret);
        ret->ms = (guint)((g_get_monotonic_time() - start) / 1000);
        return TRUE;
}

gboolean
rd_picture_measure(PIX *pix, RdPicture *ret, GError **error)
{
        return rd_picture_measure_mask(pix, ret, NULL, error);
}

gboolean
rd_picture_is_tracing(const RdPicture *p)
{
        return p->ecg_score >= RD_PICTURE_ECG_THRESHOLD;
}

char *
rd_picture_explain(const RdPicture *p)
{
        if (p->blank)
                return g_strdup_printf("blank page (ink %.3f), %u ms", p->ink, p->ms);
        return g_strdup_printf("%secg %.2f%s: %u trace rows over %.0f%% of the %s, %u spikes "
                               "(regularity %.2f, %.0f%% upward), grid %.2f, text %.3f, "
                               "ink %.3f, turn %d, %u ms",
                               p->dark ? "dark page, " : "", p->ecg_score,
                               rd_picture_is_tracing(p) && p->joined ? " (tracing, broken trace joined)"
                               : rd_picture_is_tracing(p) ? " (tracing)"
                               : p->ecg_paper          ? " (ECG paper, no trace found)"
                                                       : "",
                               p->trace_rows, p->trace_coverage * 100.0,
                               p->tracing_angle == 90 ? "height" : "width", p->spikes,
                               p->spike_regularity, p->polarity * 100.0, p->grid_score,
                               p->text_density, p->ink, p->upright_turn, p->ms);
}
