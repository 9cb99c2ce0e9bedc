/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Picture-measure driver: how the EKG score behaves on real images.
 *   bench-picture ecg FILE...   fax each image (fine, standard, dither; turned
 *                               0/90/180/270; on a portrait page) and count
 *                               how often it is found and turned right
 *   bench-picture neg FILE...   score every page of each image file (TIFF
 *                               pages too): none should reach the threshold
 *   bench-picture one FILE...   the explanation line of each page as given
 *   bench-picture pos FILE...   score every page (each one a tracing, such
 *                               as tests/corpus/ecg-renderings writes): how
 *                               many are found, and each miss explained
 *   bench-picture orient FILE.. fax each image turned on a portrait page
 *                               under an upright header (and upside down)
 *                               and count the pages the OCR turns upright
 * neg, one and pos measure each page as the OCR engine does (square
 * pixels, straightened), with rd_ocr_page_prepare(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr/ocr-engine.h"
#include "ocr/ocr-private.h"
#include "ocr/picture.h"
#include "picture-sim.h"

static gboolean verbose;

/* @pix measured as the engine measures a page it reads. */
static gboolean
measure_prepared(PIX *pix, RdPicture *p)
{
        g_autoptr(GError) error = NULL;
        int ppi = 0;
        double skew = 0.0;
        PIX *prepared = rd_ocr_page_prepare(pix, &ppi, &skew, p, NULL, &error);

        if (prepared == NULL) {
                g_printerr("bench-picture: %s\n", error->message);
                return FALSE;
        }
        pixDestroy(&prepared);
        return TRUE;
}

static gboolean
measure(PIX *pix, RdPicture *p)
{
        g_autoptr(GError) error = NULL;

        if (!rd_picture_measure(pix, p, &error)) {
                g_printerr("bench-picture: %s\n", error->message);
                return FALSE;
        }
        return TRUE;
}

/* What turning a faxed page by @quads clockwise must be undone by. */
static int
expected_turn(int quads)
{
        return (360 - quads * 90) % 360;
}

static int
bench_ecg(int n, char **files)
{
        static const char *const modes[] = { "fine", "std", "dither" };
        guint found = 0, total = 0, axis_ok = 0, turn_ok = 0, turn_known = 0;
        double ms = 0, min_score = 1.0;

        for (int i = 0; i < n; i++) {
                PIX *src = pixRead(files[i]);
                GString *line = g_string_new(NULL);

                if (src == NULL) {
                        g_printerr("bench-picture: cannot read %s\n", files[i]);
                        continue;
                }
                for (int m = 0; m < 3; m++) {
                        for (int v = 0; v < 6; v++) {
                                /* 0-3: whole image turned; 4, 5: on a portrait page */
                                int quads = v < 4 ? v : (v == 4 ? 1 : 3);
                                PIX *fax = rd_sim_fax(src, m, quads, v >= 4, (guint32)(i * 31 + v));
                                RdPicture p;

                                if (!measure(fax, &p)) {
                                        pixDestroy(&fax);
                                        continue;
                                }
                                total++;
                                ms += p.ms;
                                min_score = MIN(min_score, p.ecg_score);
                                if (rd_picture_is_tracing(&p)) {
                                        found++;
                                        if (p.tracing_angle == (quads & 1 ? 90 : 0))
                                                axis_ok++;
                                        if (p.upright_turn >= 0) {
                                                turn_known++;
                                                if (p.upright_turn == expected_turn(quads))
                                                        turn_ok++;
                                        }
                                }
                                g_string_append_printf(line, " %s/%d%s:%.2f%s", modes[m], quads * 90,
                                                       v >= 4 ? "p" : "", p.ecg_score,
                                                       p.upright_turn == expected_turn(quads) ? "" : "!");
                                if (verbose) {
                                        g_autofree char *e = rd_picture_explain(&p);

                                        printf("  %s %s/%d%s %s\n", files[i], modes[m], quads * 90,
                                               v >= 4 ? "p" : "", e);
                                }
                                pixDestroy(&fax);
                        }
                }
                printf("%s:%s\n", g_path_get_basename(files[i]), line->str);
                g_string_free(line, TRUE);
                pixDestroy(&src);
        }
        printf("ecg: found %u/%u, axis right %u, turn known %u right %u, min score %.2f, "
               "%.0f ms per page\n",
               found, total, axis_ok, turn_known, turn_ok, min_score, ms / MAX(total, 1));
        return 0;
}

static PIXA *
read_pages(const char *path)
{
        PIXA *pixa = NULL;

        if (g_str_has_suffix(path, ".tif") || g_str_has_suffix(path, ".tiff") ||
            g_str_has_suffix(path, ".TIF") || g_str_has_suffix(path, ".TIFF"))
                pixa = pixaReadMultipageTiff(path);
        if (pixa == NULL) {
                PIX *pix = pixRead(path);

                if (pix == NULL)
                        return NULL;
                pixa = pixaCreate(1);
                pixaAddPix(pixa, pix, L_INSERT);
        }
        return pixa;
}

static int
bench_pages(int n, char **files, gboolean positive, gboolean explain_all)
{
        guint pages = 0, fp = 0, blank = 0;
        double ms = 0, max_score = 0;

        for (int i = 0; i < n; i++) {
                PIXA *pixa = read_pages(files[i]);

                for (int k = 0; pixa != NULL && k < pixaGetCount(pixa); k++) {
                        PIX *pix = pixaGetPix(pixa, k, L_CLONE);
                        RdPicture p;

                        if (measure_prepared(pix, &p)) {
                                pages++;
                                ms += p.ms;
                                blank += p.blank;
                                max_score = MAX(max_score, p.ecg_score);
                                if (rd_picture_is_tracing(&p))
                                        fp++;
                                if (explain_all || (positive ? !rd_picture_is_tracing(&p) : p.ecg_score >= 0.3)) {
                                        g_autofree char *e = rd_picture_explain(&p);

                                        printf("%s[%d] %s\n", files[i], k, e);
                                }
                        }
                        pixDestroy(&pix);
                }
                pixaDestroy(&pixa);
        }
        printf("%s: %u pages, %u over the threshold, %u blank, max score %.2f, %.0f ms per page\n",
               positive ? "pos" : "neg", pages, fp, blank, max_score, ms / MAX(pages, 1));
        return 0;
}

static int
bench_orient(int n, char **files)
{
        static const struct {
                RdSimMode mode;
                int quads;
                gboolean portrait;
        } variants[] = {
                { RD_SIM_FINE, 1, TRUE },      { RD_SIM_FINE, 3, TRUE }, { RD_SIM_STANDARD, 1, TRUE },
                { RD_SIM_STANDARD, 3, TRUE }, { RD_SIM_FINE, 2, FALSE },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdOcrEngine) ocr = rd_ocr_engine_new(&error);
        guint total = 0, right = 0, sideways = 0, wrong = 0;

        if (ocr == NULL) {
                g_printerr("bench-picture: %s\n", error->message);
                return 1;
        }
        for (int i = 0; i < n; i++) {
                PIX *src = pixRead(files[i]);

                if (src == NULL)
                        continue;
                printf("%s:", g_path_get_basename(files[i]));
                for (gsize v = 0; v < G_N_ELEMENTS(variants); v++) {
                        PIX *fax = rd_sim_fax(src, variants[v].mode, variants[v].quads,
                                              variants[v].portrait, (guint32)(i * 7 + v));
                        RdOcrResult res;
                        int want = expected_turn(variants[v].quads);

                        if (rd_ocr_engine_read(ocr, fax, 0, &res, NULL)) {
                                total++;
                                if (res.rotation == want)
                                        right++;
                                else if ((res.rotation - want + 360) % 180 == 0)
                                        wrong++;
                                else
                                        sideways++;
                                printf(" %d->%d%s", variants[v].quads * 90, res.rotation,
                                       rd_picture_is_tracing(&res.picture) ? "" : "(not found)");
                                rd_ocr_result_clear(&res);
                        }
                        pixDestroy(&fax);
                }
                printf("\n");
                fflush(stdout);
                pixDestroy(&src);
        }
        printf("orient: %u pages, %u turned upright, %u left sideways, %u upside down\n", total,
               right, sideways, wrong);
        return 0;
}

int
main(int argc, char **argv)
{
        setMsgSeverity(L_SEVERITY_NONE);
        verbose = g_getenv("BENCH_VERBOSE") != NULL;
        if (argc >= 3 && strcmp(argv[1], "ecg") == 0)
                return bench_ecg(argc - 2, argv + 2);
        if (argc >= 3 && strcmp(argv[1], "neg") == 0)
                return bench_pages(argc - 2, argv + 2, FALSE, FALSE);
        if (argc >= 5 && strcmp(argv[1], "dump") == 0) {
                /* dump FILE MODE QUADS [p]: the faxed page */
                PIX *src = pixRead(argv[2]);
                PIX *fax = rd_sim_fax(src, atoi(argv[3]), atoi(argv[4]), argc > 5, 1);
                RdPicture p;

                pixWrite("/tmp/dev/d-fax.png", fax, IFF_PNG);
                measure(fax, &p);
                printf("%s\n", rd_picture_explain(&p));
                return 0;
        }
        if (argc >= 3 && strcmp(argv[1], "orient") == 0)
                return bench_orient(argc - 2, argv + 2);
        if (argc >= 3 && strcmp(argv[1], "one") == 0)
                return bench_pages(argc - 2, argv + 2, FALSE, TRUE);
        if (argc >= 3 && strcmp(argv[1], "pos") == 0)
                return bench_pages(argc - 2, argv + 2, TRUE, FALSE);
        g_printerr("usage: bench-picture ecg|neg|one|pos FILE...\n");
        return 2;
}
