/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Owns the simulated pages of the picture tests: faxing an image (scale,
 * threshold or dither, specks, dropped lines, header line, resolution
 * tags) and drawing synthetic tracings, text, tables and handwriting. */
#include <math.h>
#include <string.h>

#include "picture-sim.h"

#define RD_SIM_FAX_WIDTH 1728
#define RD_SIM_FAX_HEIGHT 2200 /* letter at 196 lpi */

static const char *const rd_sim_words[] = {
        "patient", "referral", "cardiology", "history", "chest", "pain", "pressure",
        "sodium", "potassium", "mg/dL", "normal", "follow", "clinic", "dose", "daily",
        "the", "of", "and", "with", "for", "on", "was", "123", "4.5", "2026-11-08",
};

static PIX *
rd_sim_white(int w, int h)
{
        PIX *pix = pixCreate(w, h, 32);

        pixSetAll(pix);
        return pix;
}

static void
rd_sim_text(PIX *pix32, L_BMF *bmf, const char *text, int x, int y)
{
        pixSetTextline(pix32, bmf, text, 0x00000000, x, y, NULL, NULL);
}

static PIX *
rd_sim_to_gray(PIX *pix32)
{
        return pixConvertRGBToLuminance(pix32);
}

/* Specks and, for standard resolution, a dropped line now and then. */
static void
rd_sim_noise(PIX *bin, GRand *rand, gboolean drop_lines)
{
        int w = pixGetWidth(bin), h = pixGetHeight(bin);
        int n = w * h / 4000;

        for (int i = 0; i < n; i++)
                pixSetPixel(bin, g_rand_int_range(rand, 0, w), g_rand_int_range(rand, 0, h), 1);
        if (drop_lines)
                for (int y = 0; y < h; y++)
                        if (g_rand_int_range(rand, 0, 150) == 0)
                                pixRasterop(bin, 0, y, w, 1, PIX_CLR, NULL, 0, 0);
}

static void
rd_sim_header(PIX *bin, guint32 seed)
{
        L_BMF *bmf = bmfCreate(NULL, 10);
        PIX *pix32 = rd_sim_white(pixGetWidth(bin), 40);
        PIX *gray, *line;
        char text[128];

        g_snprintf(text, sizeof(text),
                   "FROM: 555 %03u %04u   11/%02u/2026 10:%02u   LAKESIDE IM   P. %u/7",
                   seed % 1000, seed % 10000, 1 + seed % 28, seed % 60, 1 + seed % 7);
        rd_sim_text(pix32, bmf, text, 20, 30);
        gray = rd_sim_to_gray(pix32);
        line = pixThresholdToBinary(gray, 128);
        pixRasterop(bin, 0, 0, pixGetWidth(line), pixGetHeight(line), PIX_SRC, line, 0, 0);
        pixDestroy(&line);
        pixDestroy(&gray);
        pixDestroy(&pix32);
        bmfDestroy(&bmf);
}

PIX *
rd_sim_fax(PIX *src, RdSimMode mode, int quads, gboolean on_portrait, guint32 seed)
{
        GRand *rand = g_rand_new_with_seed(seed);
        PIX *lum = pixConvertTo8(src, FALSE);
        /* the sending machine's exposure control: paper comes out white */
        PIX *gray = pixBackgroundNormSimple(lum, NULL, NULL);
        PIX *turned = pixRotateOrth(gray, quads & 3);
        PIX *scaled, *page, *bin, *out;
        int tw = RD_SIM_FAX_WIDTH, th;
        double f;

        if (on_portrait) {
                f = MIN((double)(RD_SIM_FAX_WIDTH - 80) / pixGetWidth(turned),
                        (double)(RD_SIM_FAX_HEIGHT - 140) / pixGetHeight(turned));
                th = RD_SIM_FAX_HEIGHT;
        } else {
                f = (double)RD_SIM_FAX_WIDTH / pixGetWidth(turned);
                th = (int)(pixGetHeight(turned) * f) + 60;
        }
        scaled = pixScale(turned, (float)f, (float)f);
        page = pixCreate(tw, th, 8);
        pixSetAll(page);
        pixRasterop(page, (tw - pixGetWidth(scaled)) / 2, 60, pixGetWidth(scaled),
                    pixGetHeight(scaled), PIX_SRC, scaled, 0, 0);
        if (mode == RD_SIM_STANDARD) {
                /* the scanner integrates over each tall pixel */
                PIX *half = pixScaleAreaMap(page, 1.0f, 0.5f);

                pixDestroy(&page);
                page = half;
        }
        if (mode == RD_SIM_DITHER)
                bin = pixDitherToBinary(page);
        else
                bin = pixThresholdToBinary(page, 140);
        rd_sim_header(bin, seed);
        rd_sim_noise(bin, rand, mode == RD_SIM_STANDARD);
        out = pixClone(bin);
        pixSetResolution(out, 204, mode == RD_SIM_STANDARD ? 98 : 196);
        pixDestroy(&bin);
        pixDestroy(&page);
        pixDestroy(&scaled);
        pixDestroy(&turned);
        pixDestroy(&gray);
        pixDestroy(&lum);
        g_rand_free(rand);
        return out;
}

/* One beat at @x0 on baseline @y0 into @pta: P, QRS, T; @amp px per mV. */
static void
rd_sim_beat(PTA *pta, double x0, double y0, double mm, double amp, double r_sign)
{
        static const double shape[][2] = {
                /* time mm, mV */
                { 0.0, 0.0 },   { 1.0, 0.12 },  { 2.0, 0.15 },  { 3.0, 0.0 },  { 4.0, 0.0 },
                { 4.5, -0.15 }, { 5.5, 1.3 },   { 6.5, -0.35 }, { 7.0, 0.0 },  { 9.0, 0.05 },
                { 10.5, 0.3 },  { 12.0, 0.35 }, { 13.5, 0.0 },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(shape); i++)
                ptaAddPt(pta, (float)(x0 + shape[i][0] * mm),
                         (float)(y0 - r_sign * shape[i][1] * amp));
}

PIX *
rd_sim_tracing(int width, int grid_level, guint32 seed)
{
        GRand *rand = g_rand_new_with_seed(seed);
        int height = (int)(width * 0.72);
        double mm = width / 280.0;
        PIX *pix = rd_sim_white(width, height);
        L_BMF *bmf = bmfCreate(NULL, 12);
        static const char *const leads[] = { "I",   "aVR", "V1", "V4", "II", "aVL",
                                             "V2", "V5",  "III", "aVF", "V3", "V6" };
        PIX *gray;

        for (double x = 10 * mm; x < width - 5 * mm; x += 5 * mm)
                pixRenderLineArb(pix, (int)x, (int)(25 * mm), (int)x, height - 5 * mm, 1,
                                 grid_level, grid_level, grid_level);
        for (double y = 25 * mm; y < height - 5 * mm; y += 5 * mm)
                pixRenderLineArb(pix, (int)(10 * mm), (int)y, width - 5 * mm, (int)y, 1,
                                 grid_level, grid_level, grid_level);
        rd_sim_text(pix, bmf, "Vent. rate 72 BPM   PR interval 160 ms   QRS duration 92 ms",
                    (int)(10 * mm), (int)(12 * mm));
        for (int row = 0; row < 4; row++) {
                double y0 = (45 + row * 40) * mm;
                double rr = g_rand_double_range(rand, 15.0, 25.0) * mm;
                PTA *pta = ptaCreate(0);

                ptaAddPt(pta, (float)(12 * mm), (float)y0);
                for (double x = 12 * mm; x < width - 20 * mm; x += rr * g_rand_double_range(rand, 0.95, 1.05)) {
                        int seg = (int)((x - 12 * mm) / ((width - 30 * mm) / 4));
                        double sign = row < 3 && seg == 1 && row == 0 ? -1.0 : 1.0;

                        rd_sim_beat(pta, x, y0, mm, 10 * mm, sign);
                }
                pixRenderPolylineArb(pix, pta, 2, 0, 0, 0, 0);
                ptaDestroy(&pta);
                for (int seg = 0; seg < 4 && row < 3; seg++)
                        rd_sim_text(pix, bmf, leads[row * 4 + seg],
                                    (int)(14 * mm + seg * (width - 30 * mm) / 4), (int)(y0 - 12 * mm));
        }
        rd_sim_text(pix, bmf, "II", (int)(14 * mm), (int)((45 + 3 * 40 - 12) * mm));
        rd_sim_text(pix, bmf, "25 mm/s  10 mm/mV  40 Hz", (int)(10 * mm), height - (int)(1 * mm));
        gray = rd_sim_to_gray(pix);
        pixDestroy(&pix);
        bmfDestroy(&bmf);
        g_rand_free(rand);
        pixSetResolution(gray, (int)(mm * 25.4), (int)(mm * 25.4));
        return gray;
}

static void
rd_sim_sentence(PIX *pix, L_BMF *bmf, GRand *rand, int x, int y, int max_w)
{
        GString *s = g_string_new(NULL);
        int n = g_rand_int_range(rand, 6, 12);

        for (int i = 0; i < n; i++)
                g_string_append_printf(s, "%s%s", i > 0 ? " " : "",
                                       rd_sim_words[g_rand_int_range(rand, 0, G_N_ELEMENTS(rd_sim_words))]);
        /* bmf text of size 20 is ~14 px per character */
        if ((int)s->len * 14 > max_w)
                g_string_truncate(s, MAX(1, max_w / 14));
        rd_sim_text(pix, bmf, s->str, x, y);
        g_string_free(s, TRUE);
}

PIX *
rd_sim_text_page(int width, guint32 seed)
{
        GRand *rand = g_rand_new_with_seed(seed);
        int height = (int)(width * 11.0 / 8.5);
        PIX *pix = rd_sim_white(width, height);
        L_BMF *bmf = bmfCreate(NULL, 20);
        PIX *gray;

        for (int y = height / 10; y < height * 9 / 10; y += g_rand_int_range(rand, 36, 60))
                rd_sim_sentence(pix, bmf, rand, width / 10, y, width * 8 / 10);
        gray = rd_sim_to_gray(pix);
        pixDestroy(&pix);
        bmfDestroy(&bmf);
        g_rand_free(rand);
        return gray;
}

PIX *
rd_sim_table_page(int width, guint32 seed)
{
        GRand *rand = g_rand_new_with_seed(seed);
        int height = (int)(width * 11.0 / 8.5);
        PIX *pix = rd_sim_white(width, height);
        L_BMF *bmf = bmfCreate(NULL, 14);
        int x0 = width / 12, x1 = width - width / 12, cols = 5, rows = 30;
        int rh = height / 2 / rows, cw = (x1 - x0) / cols;
        PIX *gray;

        /* a lab table */
        for (int r = 0; r <= rows; r++)
                pixRenderLineArb(pix, x0, height / 8 + r * rh, x1, height / 8 + r * rh, 2, 0, 0, 0);
        for (int c = 0; c <= cols; c++)
                pixRenderLineArb(pix, x0 + c * cw, height / 8, x0 + c * cw, height / 8 + rows * rh, 2, 0, 0, 0);
        for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                        rd_sim_text(pix, bmf,
                                    rd_sim_words[g_rand_int_range(rand, 0, G_N_ELEMENTS(rd_sim_words))],
                                    x0 + c * cw + 6, height / 8 + r * rh + rh - 6);
        /* form boxes with check boxes */
        for (int i = 0; i < 6; i++) {
                int y = height * 11 / 16 + i * height / 24;

                BOX *field = boxCreate(x0, y, x1 - x0, height / 30);
                BOX *check = boxCreate(x1 - 60, y + 8, 30, 30);

                pixRenderBoxArb(pix, field, 2, 0, 0, 0);
                pixRenderBoxArb(pix, check, 2, 0, 0, 0);
                boxDestroy(&check);
                boxDestroy(&field);
                rd_sim_text(pix, bmf, "Name of referring provider:", x0 + 8, y + height / 40);
        }
        gray = rd_sim_to_gray(pix);
        pixDestroy(&pix);
        bmfDestroy(&bmf);
        g_rand_free(rand);
        return gray;
}

/* A scribbled word: up and down strokes a few px apart, as cursive. */
static void
rd_sim_scribble(PTA *pta, GRand *rand, double x, double y, double len, double amp, double step)
{
        for (double t = 0; t < len; t += step * g_rand_double_range(rand, 0.6, 1.4)) {
                double a = amp * g_rand_double_range(rand, 0.3, 1.0);

                ptaAddPt(pta, (float)t + (float)x, (float)(y - a));
                ptaAddPt(pta, (float)(t + x + step / 2), (float)(y + g_rand_double_range(rand, 0, amp / 4)));
        }
}

PIX *
rd_sim_handwriting_page(int width, guint32 seed)
{
        GRand *rand = g_rand_new_with_seed(seed);
        int height = (int)(width * 11.0 / 8.5);
        PIX *pix = rd_sim_white(width, height);
        PIX *gray;

        for (int y = height / 8; y < height * 3 / 4; y += width / 22) {
                for (double x = width / 10.0; x < width * 0.85;) {
                        double len = g_rand_double_range(rand, width / 25.0, width / 8.0);
                        PTA *pta = ptaCreate(0);

                        rd_sim_scribble(pta, rand, x, y, len, width / 60.0, width / 150.0);
                        pixRenderPolylineArb(pix, pta, 2, 0, 0, 0, 0);
                        ptaDestroy(&pta);
                        x += len + width / 40.0;
                }
        }
        {
                /* a signature: one long stroke with tall loops */
                PTA *pta = ptaCreate(0);

                rd_sim_scribble(pta, rand, width / 2.0, height * 0.85, width / 3.0, width / 25.0,
                                width / 40.0);
                pixRenderPolylineArb(pix, pta, 3, 0, 0, 0, 0);
                ptaDestroy(&pta);
        }
        gray = rd_sim_to_gray(pix);
        pixDestroy(&pix);
        g_rand_free(rand);
        return gray;
}
