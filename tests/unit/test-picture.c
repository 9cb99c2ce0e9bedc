/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The picture measure: synthetic tracings, text, tables, handwriting,
 * blank pages, faxed at both resolutions and turned; then, when the shared
 * files are there, every real ECG faxed and turned, and every non-EKG page
 * of the samples and corpus. Prints counts, never page content. */
#include <cairo.h>
#include <json-glib/json-glib.h>
#include <poppler.h>

#include "ocr/ocr-private.h"
#include "ocr/picture.h"
#include "tests/bench/picture-sim.h"
#include "surface-pix.h"

static const char *shared_dir;

static void
measure_ok(PIX *pix, RdPicture *p)
{
        g_autoptr(GError) error = NULL;

        g_assert_true(rd_picture_measure(pix, p, &error));
        g_assert_no_error(error);
}

/* The page as the OCR engine measures it: standard fax rows doubled,
 * large skews straightened. */
static void
measure_engine_ok(PIX *pix, RdPicture *p)
{
        g_autoptr(GError) error = NULL;
        PIX *prepared;
        int ppi = 0;
        double skew = 0.0;

        prepared = rd_ocr_page_prepare(pix, &ppi, &skew, p, NULL, &error);
        g_assert_no_error(error);
        g_assert_nonnull(prepared);
        pixDestroy(&prepared);
}

/* Measures @page and checks it: a tracing whose rows run along @angle
 * (0 or 90), or, with @angle -1, no tracing. Logs the explanation after
 * @what (freed); returns the measure for further checks. */
static RdPicture
check_tracing(PIX *page, int angle, char *what)
{
        g_autofree char *label = what;
        g_autofree char *why = NULL;
        RdPicture p;

        measure_ok(page, &p);
        why = rd_picture_explain(&p);
        g_test_message("%s: %s", label, why);
        if (angle >= 0) {
                g_assert_cmpfloat(p.ecg_score, >=, RD_PICTURE_ECG_THRESHOLD);
                g_assert_cmpint(p.tracing_angle, ==, angle);
        } else {
                g_assert_cmpfloat(p.ecg_score, <, RD_PICTURE_ECG_THRESHOLD);
        }
        return p;
}

static void
test_synthetic_tracing(void)
{
        PIX *src = rd_sim_tracing(2200, 150, 7);

        for (int mode = RD_SIM_FINE; mode <= RD_SIM_STANDARD; mode++) {
                for (int quads = 0; quads < 4; quads++) {
                        PIX *fax = rd_sim_fax(src, mode, quads, FALSE, 11 + quads);
                        RdPicture p;
                        g_autofree char *why = NULL;

                        measure_ok(fax, &p);
                        why = rd_picture_explain(&p);
                        g_test_message("mode %d turned %d: %s", mode, quads * 90, why);
                        g_assert_cmpfloat(p.ecg_score, >=, RD_PICTURE_ECG_THRESHOLD);
                        g_assert_cmpint(p.tracing_angle, ==, quads & 1 ? 90 : 0);
                        g_assert_cmpuint(p.trace_rows, >=, 2);
                        g_assert_false(p.blank);
                        pixDestroy(&fax);
                }
        }
        /* the gray original too, and on a portrait page turned sideways */
        {
                RdPicture p;
                PIX *fax = rd_sim_fax(src, RD_SIM_FINE, 3, TRUE, 5);

                measure_ok(src, &p);
                g_assert_cmpfloat(p.ecg_score, >=, RD_PICTURE_ECG_THRESHOLD);
                g_assert_cmpint(p.tracing_angle, ==, 0);
                measure_ok(fax, &p);
                g_assert_cmpfloat(p.ecg_score, >=, RD_PICTURE_ECG_THRESHOLD);
                g_assert_cmpint(p.tracing_angle, ==, 90);
                pixDestroy(&fax);
        }
        pixDestroy(&src);
}

/* Specks all over the page (a dotted grid, a dithered background, line
 * noise) put a run in nearly every column of a trace row: the tracing is
 * still found, in each of its directions, and a text page with the same
 * specks is still not one. */
static void
test_specked_tracing(void)
{
        PIX *src = rd_sim_tracing(2200, 255, 3);
        PIX *text = rd_sim_text_page(1700, 9);

        for (int quads = 0; quads < 2; quads++) {
                PIX *pages[2] = { rd_sim_fax(src, RD_SIM_FINE, quads, FALSE, 21 + quads),
                                  rd_sim_fax(text, RD_SIM_FINE, 0, FALSE, 31 + quads) };

                for (int k = 0; k < 2; k++) {
                        int w = pixGetWidth(pages[k]), h = pixGetHeight(pages[k]);
                        GRand *rand = g_rand_new_with_seed(41 + quads + k);

                        /* one 3x3 speck per ~1500 pixels: 2,500 on a page */
                        for (int i = 0; i < w * h / 1500; i++) {
                                int x = g_rand_int_range(rand, 0, w - 3), y = g_rand_int_range(rand, 0, h - 3);

                                pixRasterop(pages[k], x, y, 3, 3, PIX_SET, NULL, 0, 0);
                        }
                        g_rand_free(rand);
                        check_tracing(pages[k], k ? -1 : quads & 1 ? 90 : 0,
                                      g_strdup_printf("%s turned %d with specks", k ? "text" : "tracing",
                                                      quads * 90));
                        pixDestroy(&pages[k]);
                }
        }
        pixDestroy(&src);
        pixDestroy(&text);
}

/* Returns: (transfer full) @fax with every stroke thinned to 1 px and
 * cut every few pixels: what a fax makes of a faint trace, pieces a pixel
 * wide and a few long with gaps between them. */
static PIX *
break_strokes(PIX *fax, guint32 seed)
{
        PIX *thin = pixThinConnected(fax, L_THIN_FG, 8, 0);
        GRand *rand = g_rand_new_with_seed(seed);
        int w = pixGetWidth(thin), h = pixGetHeight(thin);

        /* a header line stays whole: only the body is faint */
        for (int y = 60; y < h; y += 3)
                for (int x = g_rand_int_range(rand, 0, 6); x < w; x += g_rand_int_range(rand, 5, 9))
                        pixRasterop(thin, x, y, 2, 3, PIX_CLR, NULL, 0, 0);
        for (int x = 0; x < w; x += 3)
                for (int y = 60 + g_rand_int_range(rand, 0, 6); y < h; y += g_rand_int_range(rand, 5, 9))
                        pixRasterop(thin, x, y, 3, 2, PIX_CLR, NULL, 0, 0);
        g_rand_free(rand);
        pixCopyResolution(thin, fax);
        return thin;
}

/* A faint trace that the fax broke into pieces a pixel wide is still
 * found, each way it runs, and says it was joined; a text page broken the
 * same way is still not a tracing. */
static void
test_broken_trace(void)
{
        PIX *src = rd_sim_tracing(2200, 255, 9);
        PIX *text = rd_sim_text_page(1700, 12);

        for (int quads = 0; quads < 2; quads++) {
                PIX *faxes[2] = { rd_sim_fax(src, RD_SIM_FINE, quads, TRUE, 71 + quads),
                                  rd_sim_fax(text, RD_SIM_FINE, 0, TRUE, 81 + quads) };

                for (int k = 0; k < 2; k++) {
                        PIX *page = break_strokes(faxes[k], 91 + quads + k);
                        RdPicture p = check_tracing(page, k ? -1 : quads ? 90 : 0,
                                                    g_strdup_printf("%s turned %d, broken",
                                                                    k ? "text" : "tracing", quads * 90));

                        if (k == 0) {
                                g_autofree char *why = rd_picture_explain(&p);

                                g_assert_true(p.joined);
                                g_assert_nonnull(strstr(why, "broken trace joined"));
                        }
                        pixDestroy(&page);
                        pixDestroy(&faxes[k]);
                }
        }
        pixDestroy(&src);
        pixDestroy(&text);
}

/* Returns: (transfer full) @fax with each stroke thinned to 1 px and
 * only dots of it left, 6 to about 12 px apart: a trace so faint the fax
 * kept specks of it, too far apart for a pixel's growth to join; with
 * @keep_small, its labels (and any letters) whole. Dots are taken in a
 * random order, each where no dot is yet near. */
static PIX *
dot_strokes(PIX *fax, gboolean keep_small, guint32 seed)
{
        PIX *small = keep_small ? pixSelectBySize(fax, 40, 40, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LT, NULL)
                                : pixCreateTemplate(fax);
        PIX *big = pixSubtract(NULL, fax, small);
        PIX *thin = pixThinConnected(big, L_THIN_FG, 8, 0);
        PIX *dots = pixCopy(NULL, small);
        GRand *rand = g_rand_new_with_seed(seed);
        g_autoptr(GArray) at = g_array_new(FALSE, FALSE, sizeof(int));
        int w = pixGetWidth(thin), h = pixGetHeight(thin), r = 6;

        for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                        l_uint32 v = 0;
                        int i = y * w + x;

                        pixGetPixel(thin, x, y, &v);
                        if (v != 0)
                                g_array_append_val(at, i);
                }
        for (guint k = at->len; k > 1; k--) {
                guint j = g_rand_int_range(rand, 0, k);
                int t = g_array_index(at, int, k - 1);

                g_array_index(at, int, k - 1) = g_array_index(at, int, j);
                g_array_index(at, int, j) = t;
        }
        for (guint k = 0; k < at->len; k++) {
                int x = g_array_index(at, int, k) % w, y = g_array_index(at, int, k) / w;
                gboolean near = FALSE;

                for (int dy = -r; dy <= r && !near; dy++)
                        for (int dx = -r; dx <= r && !near; dx++) {
                                l_uint32 v = 0;

                                if (pixGetPixel(dots, x + dx, y + dy, &v) == 0)
                                        near = v != 0;
                        }
                if (!near)
                        pixRasterop(dots, x, y, 2, 2, PIX_SET, NULL, 0, 0);
        }
        g_rand_free(rand);
        pixCopyResolution(dots, fax);
        pixDestroy(&thin);
        pixDestroy(&big);
        pixDestroy(&small);
        return dots;
}

/* A short letter and a table faded by the fax to dots of their strokes,
 * letters too, each way up: what the search for a trace so broken
 * (test_real_ecg_dotted()) joins must not make a tracing of them. */
static void
test_dotted_text(void)
{
        PIX *srcs[2] = { rd_sim_text_page(1700, 14), rd_sim_table_page(1700, 15) };

        for (int k = 0; k < 2; k++) {
                for (int mode = RD_SIM_FINE; mode <= RD_SIM_STANDARD; mode++) {
                        for (int quads = 0; quads < 2; quads++) {
                                PIX *fax = rd_sim_fax(srcs[k], mode, quads, TRUE, 83 + quads);
                                int w = pixGetWidth(fax), h = pixGetHeight(fax);
                                PIX *page;

                                /* a short note: below its first third, blank */
                                pixRasterop(fax, 0, h / 3, w, h - h / 3, PIX_CLR, NULL, 0, 0);
                                page = dot_strokes(fax, FALSE, 93 + quads + k);
                                /* the fax header and the page's first lines
                                 * (its title) came through whole */
                                pixRasterop(page, 0, 0, w, h / 8, PIX_SRC, fax, 0, 0);
                                check_tracing(page, -1, g_strdup_printf("%s mode %d turned %d, dotted",
                                                                        k ? "table" : "text", mode,
                                                                        quads * 90));
                                pixDestroy(&page);
                                pixDestroy(&fax);
                        }
                }
                pixDestroy(&srcs[k]);
        }
}

/* Draws on 1 bpp @pix the grid of ECG paper as a fax leaves it: a 1 px
 * line every @pitch px both ways, with a gap every 100 px or so where
 * the scan dropped it, and between them dashed lines every fifth of it
 * (dashes and gaps 3 px). Neither is long and straight enough for the
 * line cut to take: they cross in a lattice of pieces. */
static void
draw_faxed_paper(PIX *pix, int pitch, guint32 seed)
{
        GRand *rand = g_rand_new_with_seed(seed);
        int w = pixGetWidth(pix), h = pixGetHeight(pix), minor = pitch / 5;

        for (int at = 0; at < MAX(w, h); at += minor) {
                gboolean major = at % pitch == 0;

                for (int t = 0; t < MAX(w, h);) {
                        int len = major ? g_rand_int_range(rand, 60, 140) : 3;

                        if (at < h)
                                pixRasterop(pix, t, at, len, 1, PIX_SET, NULL, 0, 0);
                        if (at < w)
                                pixRasterop(pix, at, t, 1, len, PIX_SET, NULL, 0, 0);
                        t += len + 3;
                }
        }
        g_rand_free(rand);
}

/* A tracing on such paper, each way it is turned: the grid's pieces are
 * not text (its text measure, and what OCR reads of it, is its header and
 * labels: 0.11-0.13 of the page when they counted, at 0.15 the score
 * falls), so the page is a tracing; a text page on the same paper is
 * not. */
static void
test_faxed_paper(void)
{
        PIX *src = rd_sim_tracing(2200, 255, 19);
        PIX *text = rd_sim_text_page(1700, 20);

        for (int quads = 0; quads < 2; quads++) {
                PIX *pages[2] = { rd_sim_fax(src, RD_SIM_FINE, quads, TRUE, 77 + quads),
                                  rd_sim_fax(text, RD_SIM_FINE, quads, TRUE, 87 + quads) };

                for (int k = 0; k < 2; k++) {
                        RdPicture p;

                        draw_faxed_paper(pages[k], 65, 97 + quads + k);
                        p = check_tracing(pages[k], k ? -1 : quads ? 90 : 0,
                                          g_strdup_printf("%s turned %d on faxed paper", k ? "text" : "tracing",
                                                          quads * 90));
                        if (k == 0)
                                g_assert_cmpfloat(p.text_density, <, 0.05);
                        pixDestroy(&pages[k]);
                }
        }
        pixDestroy(&src);
        pixDestroy(&text);
}

/* Draws on 1 bpp @pix, over [@x0, @x1) of its width, a mesh of short
 * lines every @pitch px, each set off a little from the last, so that
 * they touch but no long straight line runs through them: what a line
 * cut leaves of a photographed grid that printed bold on the paper's
 * darker side, where it bends with the paper. */
static void
draw_grid_junk(PIX *pix, int x0, int x1, int pitch, guint32 seed)
{
        GRand *rand = g_rand_new_with_seed(seed);
        int h = pixGetHeight(pix);

        for (int y = 0; y < h; y += pitch)
                for (int x = x0; x < x1; x += pitch) {
                        int jx = g_rand_int_range(rand, -3, 4), jy = g_rand_int_range(rand, -3, 4);

                        pixRasterop(pix, x + jx, y + jy, pitch + 4, 2, PIX_SET, NULL, 0, 0);
                        pixRasterop(pix, x + jx, y + jy, 2, pitch + 4, PIX_SET, NULL, 0, 0);
                }
        g_rand_free(rand);
}

/* A tracing whose rows run into such a grid over the last 40% of their
 * length is found, each way it runs, by the stretch where the trace
 * stands alone; a text page under the same grid is not a tracing. */
static void
test_grid_over_part(void)
{
        PIX *src = rd_sim_tracing(2200, 255, 17);
        PIX *text = rd_sim_text_page(1700, 18);

        for (int quads = 0; quads < 2; quads++) {
                PIX *pages[2] = { rd_sim_fax(src, RD_SIM_FINE, 0, FALSE, 75 + quads),
                                  rd_sim_fax(text, RD_SIM_FINE, 0, FALSE, 85 + quads) };

                for (int k = 0; k < 2; k++) {
                        int w = pixGetWidth(pages[k]);
                        PIX *page;

                        draw_grid_junk(pages[k], w * 6 / 10, w, 24, 95 + quads + k);
                        page = pixRotateOrth(pages[k], quads);
                        pixSetResolution(page, pixGetYRes(pages[k]), pixGetXRes(pages[k]));
                        check_tracing(page, k ? -1 : quads ? 90 : 0,
                                      g_strdup_printf("%s turned %d, grid over part", k ? "text" : "tracing",
                                                      quads * 90));
                        pixDestroy(&page);
                        pixDestroy(&pages[k]);
                }
        }
        pixDestroy(&src);
        pixDestroy(&text);
}

/* Draws on 8 bpp @pix a grid of lines @pitch apart both ways, 2 px wide,
 * of which only a dash @dash long is left midway between two crossings
 * (a faxed grid whose gaps are wider than a line cut bridges). */
static void
draw_dashed_grid(PIX *pix, int pitch, int dash)
{
        int w = pixGetWidth(pix), h = pixGetHeight(pix);

        for (int at = pitch / 2; at < MAX(w, h); at += pitch) {
                for (int t = at % pitch + (pitch - dash) / 2; t < MAX(w, h); t += pitch) {
                        if (at < h)
                                pixRasterop(pix, t, at, dash, 2, PIX_CLR, NULL, 0, 0);
                        if (at < w)
                                pixRasterop(pix, at, t, 2, dash, PIX_CLR, NULL, 0, 0);
                }
        }
}

/* A bold tracing over a dashed grid that fills the page (a landscape
 * tracing faxed turned onto a portrait page): the dashes that survive the
 * line cut cross every column of a trace row, yet the tracing is found; a
 * text page on the same grid (notes on graph paper) is not a tracing. */
static void
test_dashed_grid(void)
{
        PIX *thin = rd_sim_tracing(2200, 255, 5);
        PIX *src = pixErodeGray(thin, 3, 3);
        PIX *text = rd_sim_text_page(1700, 4);

        draw_dashed_grid(src, 80, 40);
        draw_dashed_grid(text, 80, 40);
        for (int mode = RD_SIM_FINE; mode <= RD_SIM_STANDARD; mode++) {
                for (int quads = 1; quads < 4; quads += 2) {
                        PIX *pages[2] = { rd_sim_fax(src, mode, quads, TRUE, 52),
                                          rd_sim_fax(text, mode, 0, TRUE, 62) };

                        for (int k = 0; k < 2; k++) {
                                check_tracing(pages[k], k ? -1 : 90,
                                              g_strdup_printf("%s mode %d turned %d on a dashed grid",
                                                              k ? "text" : "tracing", mode, quads * 90));
                                pixDestroy(&pages[k]);
                        }
                }
        }
        pixDestroy(&thin);
        pixDestroy(&src);
        pixDestroy(&text);
}

/* A page ruled as ECG paper (lines every 5 mm both ways) with nothing the
 * measure takes for a trace is ECG paper; a table's rules (many rows, a
 * few columns) are not. */
static void
test_ecg_paper(void)
{
        for (int table = 0; table < 2; table++) {
                PIX *src = pixCreate(1700, 2200, 1);
                RdPicture p;
                g_autofree char *why = NULL;
                int x_step = table ? 340 : 40, y_step = table ? 60 : 40;

                pixSetResolution(src, 200, 200);
                for (int y = 100; y < 2100; y += y_step)
                        pixRasterop(src, 100, y, 1500, 2, PIX_SET, NULL, 0, 0);
                for (int x = 100; x <= 1600; x += x_step)
                        pixRasterop(src, x, 100, 2, 2000, PIX_SET, NULL, 0, 0);
                /* twelve lead labels */
                for (int k = 0; k < 12; k++)
                        pixRasterop(src, 150 + (k % 3) * 500, 250 + (k / 3) * 500, 24, 30, PIX_SET,
                                    NULL, 0, 0);
                measure_ok(src, &p);
                why = rd_picture_explain(&p);
                g_test_message("%s: %s", table ? "table" : "ECG paper", why);
                g_assert_false(rd_picture_is_tracing(&p));
                g_assert_cmpint(p.ecg_paper, ==, !table);
                pixDestroy(&src);
        }
}

static void
test_synthetic_negatives(void)
{
        PIX *(*makers[])(int, guint32) = { rd_sim_text_page, rd_sim_table_page,
                                           rd_sim_handwriting_page };

        for (gsize m = 0; m < G_N_ELEMENTS(makers); m++) {
                for (guint32 seed = 1; seed <= 3; seed++) {
                        PIX *src = makers[m](1700, seed);
                        RdPicture p;

                        measure_ok(src, &p);
                        g_assert_cmpfloat(p.ecg_score, <, RD_PICTURE_ECG_THRESHOLD);
                        for (int mode = RD_SIM_FINE; mode <= RD_SIM_STANDARD; mode++) {
                                for (int quads = 0; quads < 4; quads++) {
                                        PIX *fax = rd_sim_fax(src, mode, quads, TRUE, seed);

                                        measure_ok(fax, &p);
                                        if (p.ecg_score >= RD_PICTURE_ECG_THRESHOLD) {
                                                g_autofree char *why = rd_picture_explain(&p);

                                                g_test_message("page kind %zu seed %u mode %d "
                                                               "turn %d: %s",
                                                               m, seed, mode, quads, why);
                                        }
                                        g_assert_cmpfloat(p.ecg_score, <,
                                                          RD_PICTURE_ECG_THRESHOLD);
                                        g_assert_false(p.blank);
                                        pixDestroy(&fax);
                                }
                        }
                        pixDestroy(&src);
                }
        }
}

static void
test_blank(void)
{
        PIX *white = pixCreate(1700, 2200, 8);
        PIX *fax;
        RdPicture p;
        g_autofree char *why = NULL;

        pixSetAll(white);
        /* a faxed blank back side: the header line and specks */
        for (int quads = 0; quads < 4; quads += 2) {
                fax = rd_sim_fax(white, RD_SIM_FINE, quads, TRUE, 3);
                measure_ok(fax, &p);
                g_assert_true(p.blank);
                g_assert_cmpfloat(p.ecg_score, ==, 0.0);
                pixDestroy(&fax);
        }
        fax = rd_sim_fax(white, RD_SIM_STANDARD, 0, TRUE, 4);
        measure_ok(fax, &p);
        g_assert_true(p.blank);
        why = rd_picture_explain(&p);
        g_assert_nonnull(strstr(why, "blank"));
        pixDestroy(&fax);
        /* a text page is not blank */
        pixDestroy(&white);
        white = rd_sim_text_page(1700, 1);
        measure_ok(white, &p);
        g_assert_false(p.blank);
        g_assert_false(p.dark);
        g_assert_cmpfloat(p.text_density, >, 0.02);
        pixDestroy(&white);
        /* a dark photo faxed black, a few white specks through it: not
         * blank (nothing is known to be missing from it), but dark */
        white = pixCreate(1700, 2200, 8);
        pixSetAllArbitrary(white, 40);
        for (int y = 0; y < 2200; y += 37)
                for (int x = (y * 7) % 29; x < 1700; x += 29)
                        pixSetPixel(white, x, y, 255);
        fax = rd_sim_fax(white, RD_SIM_FINE, 0, TRUE, 6);
        measure_ok(fax, &p);
        g_test_message("black page: ink %.2f", p.ink);
        g_assert_false(p.blank);
        g_assert_true(p.dark);
        g_clear_pointer(&why, g_free);
        why = rd_picture_explain(&p);
        g_assert_nonnull(strstr(why, "dark page"));
        pixDestroy(&fax);
        pixDestroy(&white);
}

static void
test_bad_image(void)
{
        g_autoptr(GError) error = NULL;
        PIX *tiny = pixCreate(4, 4, 1);
        RdPicture p;

        g_assert_false(rd_picture_measure(tiny, &p, &error));
        g_assert_nonnull(error);
        pixDestroy(&tiny);
}

static gboolean
need_shared(void)
{
        if (shared_dir == NULL) {
                g_test_skip("no shared files (RD_SHARED_DIR or ../shared): real pages not checked");
                return FALSE;
        }
        return TRUE;
}

/* Returns: (transfer full) the paths of the real ECG images of the
 * shared corpus, in the directory's order; NULL, the test skipped, when
 * there are none to read. */
static GPtrArray *
real_ecg_paths(void)
{
        g_autofree char *dir_path = NULL;
        g_autoptr(GDir) dir = NULL;
        GPtrArray *paths;
        const char *name;

        if (!need_shared())
                return NULL;
        dir_path = g_build_filename(shared_dir, "corpus", "ecg-real", NULL);
        dir = g_dir_open(dir_path, 0, NULL);
        if (dir == NULL) {
                g_test_skip("no corpus/ecg-real");
                return NULL;
        }
        paths = g_ptr_array_new_with_free_func(g_free);
        while ((name = g_dir_read_name(dir)) != NULL)
                if (g_str_has_prefix(name, "ecg"))
                        g_ptr_array_add(paths, g_build_filename(dir_path, name, NULL));
        return paths;
}

/* Every real ECG faxed fine and standard, turned 0/90/180/270 and turned
 * sideways on a portrait page under an upright header. */
static void
test_real_ecg(void)
{
        g_autoptr(GPtrArray) paths = real_ecg_paths();
        guint total = 0, found[2] = { 0 }, per_mode[2] = { 0 }, axis_ok = 0, found_gray = 0;

        if (paths == NULL)
                return;
        for (guint f = 0; f < paths->len; f++) {
                g_autofree char *name = g_path_get_basename(g_ptr_array_index(paths, f));
                PIX *src = pixRead(g_ptr_array_index(paths, f));
                GString *missed = g_string_new(NULL);

                if (src == NULL) {
                        g_test_message("%s: not readable by leptonica, skipped", name);
                        g_string_free(missed, TRUE);
                        continue;
                }
                for (int mode = RD_SIM_FINE; mode <= RD_SIM_STANDARD; mode++) {
                        for (int v = 0; v < 6; v++) {
                                int quads = v < 4 ? v : (v == 4 ? 1 : 3);
                                PIX *fax = rd_sim_fax(src, mode, quads, v >= 4, total);
                                PIX *gray = pixConvert1To8(NULL, fax, 255, 0);
                                RdPicture p, pg;

                                measure_engine_ok(fax, &p);
                                /* the same fax drawn in gray (from a PDF, a PNG) */
                                pixCopyResolution(gray, fax);
                                measure_engine_ok(gray, &pg);
                                pixDestroy(&gray);
                                found_gray += rd_picture_is_tracing(&pg);
                                total++;
                                per_mode[mode]++;
                                if (rd_picture_is_tracing(&p)) {
                                        gboolean axis = p.tracing_angle == (quads & 1 ? 90 : 0);

                                        found[mode]++;
                                        axis_ok += axis;
                                        if (!axis) {
                                                g_autofree char *why = rd_picture_explain(&p);

                                                g_string_append_printf(missed, " %s/%d%s:axis (%s)",
                                                                       mode ? "98" : "196", quads * 90,
                                                                       v >= 4 ? "p" : "", why);
                                        }
                                } else {
                                        g_string_append_printf(missed, " %s/%d%s:%.2f",
                                                               mode ? "98" : "196", quads * 90,
                                                               v >= 4 ? "p" : "", p.ecg_score);
                                }
                                pixDestroy(&fax);
                        }
                }
                if (missed->len > 0)
                        g_test_message("%s missed:%s", name, missed->str);
                g_string_free(missed, TRUE);
                pixDestroy(&src);
        }
        g_test_message("real ECGs: %u faxed pages; found %u/%u at 204x196, %u/%u at 204x98; "
                       "tracing direction right on %u of the %u found; drawn in gray, %u found",
                       total, found[0], per_mode[0], found[1], per_mode[1], axis_ok,
                       found[0] + found[1], found_gray);
        g_assert_cmpuint(total, >, 0);
        /* the development set reaches 94-97% at each resolution; a floor
         * with a margin, so a regression shows */
        g_assert_cmpuint(found[0] * 100, >=, per_mode[0] * 90);
        g_assert_cmpuint(found[1] * 100, >=, per_mode[1] * 90);
        g_assert_cmpuint(axis_ok, ==, found[0] + found[1]);
        /* a fax is a fax in any depth: its dithered grid must not darken
         * into a wall of ink when it comes as gray (256/288 when it did) */
        g_assert_cmpuint(found_gray * 100, >=, total * 90);
}

/* Every real ECG faxed on a portrait page, turned either way, so faint
 * that only dots of its trace are left (dot_strokes()): most are still
 * found, running the way they were turned. */
static void
test_real_ecg_dotted(void)
{
        g_autoptr(GPtrArray) paths = real_ecg_paths();
        guint total = 0, found = 0, axis_ok = 0;

        if (paths == NULL)
                return;
        for (guint f = 0; f < paths->len; f++) {
                g_autofree char *name = g_path_get_basename(g_ptr_array_index(paths, f));
                PIX *src = pixRead(g_ptr_array_index(paths, f));

                if (src == NULL)
                        continue;
                for (int quads = 1; quads < 4; quads += 2) {
                        PIX *fax = rd_sim_fax(src, RD_SIM_FINE, quads, TRUE, 300 + total);
                        PIX *page = dot_strokes(fax, TRUE, 400 + total);
                        RdPicture p;

                        measure_engine_ok(page, &p);
                        total++;
                        if (rd_picture_is_tracing(&p)) {
                                found++;
                                axis_ok += p.tracing_angle == 90;
                        } else {
                                g_test_message("%s turned %d, dotted: missed (%.2f)", name, quads * 90,
                                               p.ecg_score);
                        }
                        pixDestroy(&page);
                        pixDestroy(&fax);
                }
                pixDestroy(&src);
        }
        g_test_message("real ECGs dotted: found %u of %u, direction right on %u", found, total, axis_ok);
        g_assert_cmpuint(total, >, 0);
        /* 30 of 48 (14 when dots were joined only by a pixel's growth);
         * a floor with a margin */
        g_assert_cmpuint(found * 100, >=, total * 55);
        g_assert_cmpuint(axis_ok, ==, found);
}

/* Pages of a sample listed as ekg in its truth file. */
static GHashTable *
ekg_pages(const char *pdf_path)
{
        g_autofree char *stem = g_strndup(pdf_path, strrchr(pdf_path, '.') - pdf_path);
        g_autofree char *truth = g_strconcat(stem, ".truth.json", NULL);
        g_autoptr(JsonParser) parser = json_parser_new();
        GHashTable *pages = g_hash_table_new(NULL, NULL);
        JsonArray *docs;

        if (!json_parser_load_from_file(parser, truth, NULL))
                return pages;
        docs = json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)),
                                            "documents");
        for (guint i = 0; docs != NULL && i < json_array_get_length(docs); i++) {
                JsonObject *doc = json_array_get_object_element(docs, i);
                JsonArray *nums;

                if (g_strcmp0(json_object_get_string_member(doc, "type"), "ekg") != 0)
                        continue;
                nums = json_object_get_array_member(doc, "pages");
                for (guint k = 0; k < json_array_get_length(nums); k++)
                        g_hash_table_add(pages, GINT_TO_POINTER(json_array_get_int_element(nums, k)));
        }
        return pages;
}

/* Returns: (transfer full) page @index of @doc rendered as a fine fax. */
static PIX *
render_fax(PopplerDocument *doc, int index)
{
        g_autoptr(GObject) page_obj = G_OBJECT(poppler_document_get_page(doc, index));
        PopplerPage *page = (PopplerPage *)page_obj;
        double w = 0, h = 0;
        int pw, ph;
        cairo_surface_t *s;
        cairo_t *cr;
        PIX *gray, *bin;

        if (page == NULL)
                return NULL;
        poppler_page_get_size(page, &w, &h);
        pw = CLAMP((int)(w * 204 / 72), 8, 4000);
        ph = CLAMP((int)(h * 196 / 72), 8, 5000);
        s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph);
        cr = cairo_create(s);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_scale(cr, (double)pw / w, (double)ph / h);
        poppler_page_render_for_printing(page, cr);
        cairo_destroy(cr);
        gray = rd_test_surface_to_gray(s, 204, 196);
        bin = pixThresholdToBinary(gray, 160);
        pixSetResolution(bin, 204, 196);
        pixDestroy(&gray);
        return bin;
}

typedef struct {
        guint pages, over, ekg_pages, ekg_found;
        double max_score;
} NegCount;

static void
count_page(NegCount *c, PIX *pix, gboolean is_ekg)
{
        RdPicture p;

        if (pix == NULL || !rd_picture_measure(pix, &p, NULL))
                return;
        if (is_ekg) {
                c->ekg_pages++;
                c->ekg_found += rd_picture_is_tracing(&p);
                return;
        }
        c->pages++;
        /* a dense grid both ways is ECG paper: no other page has one */
        c->over += rd_picture_is_tracing(&p) || p.ecg_paper;
        c->max_score = MAX(c->max_score, p.ecg_score);
}

static void
count_pdf(NegCount *c, const char *path, int max_pages, GHashTable *ekg)
{
        g_autofree char *uri = g_filename_to_uri(path, NULL, NULL);
        g_autoptr(GObject) doc_obj = uri != NULL ? G_OBJECT(poppler_document_new_from_file(uri, NULL, NULL))
                                                 : NULL;
        PopplerDocument *doc = (PopplerDocument *)doc_obj;

        for (int i = 0; doc != NULL && i < MIN(poppler_document_get_n_pages(doc), max_pages); i++) {
                PIX *pix = render_fax(doc, i);

                count_page(c, pix, ekg != NULL && g_hash_table_contains(ekg, GINT_TO_POINTER(i + 1)));
                pixDestroy(&pix);
        }
}

static void
count_tiff(NegCount *c, const char *path, GHashTable *ekg)
{
        PIXA *pixa = pixaReadMultipageTiff(path);

        for (int i = 0; pixa != NULL && i < pixaGetCount(pixa); i++) {
                PIX *pix = pixaGetPix(pixa, i, L_CLONE);

                count_page(c, pix, ekg != NULL && g_hash_table_contains(ekg, GINT_TO_POINTER(i + 1)));
                pixDestroy(&pix);
        }
        pixaDestroy(&pixa);
}

/* No page that is not an EKG reaches the threshold or shows ECG paper:
 * samples (pages the truth files do not list as ekg), the corpus PDFs and
 * faxes. */
static void
test_negatives(gconstpointer data)
{
        const char *sub = data;
        g_autofree char *dir_path = NULL;
        g_autoptr(GDir) dir = NULL;
        const char *name;
        NegCount c = { 0 };
        gboolean samples = g_str_equal(sub, "samples");

        if (!need_shared())
                return;
        dir_path = samples ? g_build_filename(shared_dir, "samples", NULL)
                           : g_build_filename(shared_dir, "corpus", sub, NULL);
        dir = g_dir_open(dir_path, 0, NULL);
        if (dir == NULL) {
                g_test_skip("directory missing");
                return;
        }
        while ((name = g_dir_read_name(dir)) != NULL) {
                g_autofree char *path = g_build_filename(dir_path, name, NULL);
                g_autofree char *lower = g_ascii_strdown(name, -1);
                gboolean pdf = g_str_has_suffix(lower, ".pdf");
                gboolean tiff = g_str_has_suffix(lower, ".tif") || g_str_has_suffix(lower, ".tiff");
                g_autoptr(GHashTable) ekg = samples && (pdf || tiff) ? ekg_pages(path) : NULL;

                if (pdf)
                        /* the corpus has hundreds: their first page each
                         * (tests/bench/bench-picture reads more by hand) */
                        count_pdf(&c, path, samples ? 50 : 1, ekg);
                else if (tiff)
                        count_tiff(&c, path, ekg);
        }
        g_test_message("%s: %u non-EKG pages, %u over the threshold (max score %.2f); "
                       "EKG pages found %u/%u",
                       sub, c.pages, c.over, c.max_score, c.ekg_found, c.ekg_pages);
        g_assert_cmpuint(c.over, ==, 0);
}

/* poppler reports every syntax error of a damaged corpus PDF: millions of
 * lines that would fill the test log */
static void
drop_log(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
        (void)domain;
        (void)level;
        (void)message;
        (void)data;
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_log_set_handler("Poppler", G_LOG_LEVEL_MASK, drop_log, NULL);
        setMsgSeverity(L_SEVERITY_NONE);
        shared_dir = g_getenv("RD_SHARED_DIR");
        if (shared_dir != NULL && !g_file_test(shared_dir, G_FILE_TEST_IS_DIR))
                shared_dir = NULL;
        g_test_add_func("/picture/synthetic-tracing", test_synthetic_tracing);
        g_test_add_func("/picture/specked-tracing", test_specked_tracing);
        g_test_add_func("/picture/dashed-grid", test_dashed_grid);
        g_test_add_func("/picture/ecg-paper", test_ecg_paper);
        g_test_add_func("/picture/broken-trace", test_broken_trace);
        g_test_add_func("/picture/dotted-text", test_dotted_text);
        g_test_add_func("/picture/grid-over-part", test_grid_over_part);
        g_test_add_func("/picture/faxed-paper", test_faxed_paper);
        g_test_add_func("/picture/synthetic-negatives", test_synthetic_negatives);
        g_test_add_func("/picture/blank", test_blank);
        g_test_add_func("/picture/bad-image", test_bad_image);
        g_test_add_func("/picture/real-ecg", test_real_ecg);
        g_test_add_func("/picture/real-ecg-dotted", test_real_ecg_dotted);
        g_test_add_data_func("/picture/negatives/samples", "samples", test_negatives);
        g_test_add_data_func("/picture/negatives/fax", "fax", test_negatives);
        g_test_add_data_func("/picture/negatives/pdf", "pdf", test_negatives);
        return g_test_run();
}
