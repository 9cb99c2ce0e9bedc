/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The OCR engine on synthetic pages drawn with cairo: upright, upside down,
 * sideways, standard fax resolution, no resolution, bad images, deadline;
 * the picture measure every page gets, blank pages read without a pass. */
#include <cairo.h>
#include <string.h>
#include <leptonica/allheaders.h>

#include "ocr/dropped.h"
#include "ocr/ocr-engine.h"
#include "surface-pix.h"

static RdOcrEngine *engine;

static const char *const lines[] = {
        "The patient was seen in the clinic today for evaluation of",
        "exertional chest pressure and shortness of breath on stairs.",
        "Blood pressure was controlled on the current medication list.",
        "Please schedule an echocardiogram and a treadmill stress test.",
        "Laboratory results show normal sodium, potassium and creatinine.",
        "The electrocardiogram showed sinus rhythm with a normal axis.",
        "We will review the results together at the next appointment.",
        "Thank you for allowing us to participate in the care of this",
        "patient. Please call the office with any questions or concerns.",
};

/* Returns: a cairo context on a new white letter page at 200 dpi
 * (1700x2200, its surface in @ret_s), drawing black in @font at @size px. */
static cairo_t *
letter_page(const char *font, double size, cairo_surface_t **ret_s)
{
        cairo_t *cr;

        *ret_s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1700, 2200);
        cr = cairo_create(*ret_s);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, size);
        return cr;
}

/* Returns: (transfer full) an 8 bpp letter page at 200 dpi with the lines
 * above printed three times, as a word processor would. */
static PIX *
make_page(void)
{
        cairo_surface_t *s;
        cairo_t *cr = letter_page("DejaVu Serif", 32, &s); /* 11.5 pt at 200 dpi */
        double y = 200;

        for (int rep = 0; rep < 3; rep++) {
                for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                        cairo_move_to(cr, 160, y);
                        cairo_show_text(cr, lines[i]);
                        y += 52;
                }
                y += 60;
        }
        cairo_destroy(cr);
        return rd_test_surface_to_gray(s, 200, 200);
}

/* Returns: (transfer full) an 8 bpp letter page at 200 dpi: the lines
 * above once (an EKG's interpretation block), four rows of trace below
 * whose spikes go as far down as up (they do not tell which way is up). */
static PIX *
make_tracing_page(void)
{
        const int w = 1700;
        cairo_surface_t *s;
        cairo_t *cr = letter_page("DejaVu Serif", 30, &s);

        for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                cairo_move_to(cr, 120, 160 + 46.0 * i);
                cairo_show_text(cr, lines[i]);
        }
        cairo_set_line_width(cr, 3);
        for (int row = 0; row < 4; row++) {
                double base = 900 + 320.0 * row;

                cairo_move_to(cr, 80, base);
                for (int x = 80; x < w - 80; x += 150) {
                        cairo_line_to(cr, x + 90, base);
                        cairo_line_to(cr, x + 100, base - 150);
                        cairo_line_to(cr, x + 110, base + 150);
                        cairo_line_to(cr, x + 120, base);
                        cairo_curve_to(cr, x + 130, base - 30, x + 145, base - 30, x + 150, base);
                }
                cairo_stroke(cr);
        }
        cairo_destroy(cr);
        return rd_test_surface_to_gray(s, 200, 200);
}

/* Most of the distinctive words must come back. */
static void
assert_legible(const char *text)
{
        static const char *const words[] = { "patient", "clinic", "echocardiogram", "treadmill",
                                             "potassium", "creatinine", "electrocardiogram",
                                             "rhythm", "appointment", "participate" };
        guint found = 0;
        g_autofree char *lower = g_utf8_strdown(text, -1);

        for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
                if (strstr(lower, words[i]) != NULL)
                        found++;
        if (found < 9)
                g_test_message("only %u of %zu words read", found, G_N_ELEMENTS(words));
        g_assert_cmpuint(found, >=, 9);
}

static void
read_ok(PIX *pix, RdOcrResult *res)
{
        g_autoptr(GError) error = NULL;

        g_assert_true(rd_ocr_engine_read(engine, pix, 0, res, &error));
        g_assert_no_error(error);
        g_assert_nonnull(res->text);
        g_test_message("conf %.0f rotation %d skew %.2f words %u good %u osd %d %u ms",
                       res->confidence, res->rotation, res->skew, res->n_words, res->n_good,
                       res->osd_used, res->ms);
}

static void
test_upright(void)
{
        PIX *pix = make_page();
        RdOcrResult res;

        read_ok(pix, &res);
        assert_legible(res.text);
        g_assert_cmpint(res.rotation, ==, 0);
        /* an upright page must not pay for orientation detection */
        g_assert_false(res.osd_used);
        g_assert_cmpfloat(res.confidence, >=, 80.0);
        g_assert_cmpuint(res.width, ==, 1700);
        /* every page gets its picture measured: a letter is no tracing */
        g_assert_false(res.picture.blank);
        g_assert_cmpfloat(res.picture.ecg_score, <, RD_PICTURE_ECG_THRESHOLD);
        g_assert_cmpfloat(res.picture.text_density, >, 0.02);
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
}

static void
test_rotated(gconstpointer data)
{
        int quads = GPOINTER_TO_INT(data);
        PIX *page = make_page();
        PIX *pix = pixRotateOrth(page, quads);
        RdOcrResult res;

        pixSetResolution(pix, 200, 200);
        read_ok(pix, &res);
        assert_legible(res.text);
        /* turned clockwise by quads*90, so it must be turned back */
        g_assert_cmpint(res.rotation, ==, (360 - quads * 90) % 360);
        /* Tesseract's layout analysis reads sideways text by itself (the
         * angle comes from the baselines); upside down needs OSD */
        if (quads == 2)
                g_assert_true(res.osd_used);
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
        pixDestroy(&page);
}

/* A tracing is read only where its text is. Upright, its own words say
 * so: no orientation detection is paid for. Upside down, they do not, and
 * the page is read turned back. */
static void
test_tracing_orientation(void)
{
        PIX *page = make_tracing_page();

        for (int quads = 0; quads <= 2; quads += 2) {
                PIX *pix = pixRotateOrth(page, quads);
                RdOcrResult res;

                pixSetResolution(pix, 200, 200);
                read_ok(pix, &res);
                g_assert_true(rd_picture_is_tracing(&res.picture));
                assert_legible(res.text);
                g_assert_cmpint(res.rotation, ==, quads * 90);
                if (quads == 0)
                        g_assert_false(res.osd_used);
                rd_ocr_result_clear(&res);
                pixDestroy(&pix);
        }
        pixDestroy(&page);
}

static void
test_skewed(void)
{
        PIX *page = make_page();
        PIX *pix = pixRotate(page, 2.5 * 3.14159265 / 180.0, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE,
                             0, 0);
        RdOcrResult res;

        pixSetResolution(pix, 200, 200);
        read_ok(pix, &res);
        assert_legible(res.text);
        g_assert_cmpfloat(ABS(ABS(res.skew) - 2.5), <, 0.5);
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
        pixDestroy(&page);
}

/* How many of the page's lines come back whole: a line of the text with
 * the line's first two words and its last. */
static guint
whole_lines(const char *text)
{
        g_auto(GStrv) got = g_strsplit(text, "\n", -1);
        guint whole = 0;

        for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                g_auto(GStrv) words = g_strsplit(lines[i], " ", -1);
                guint n = g_strv_length(words);
                g_autofree char *first = g_strdup_printf("%s %s", words[0], words[1]);
                gboolean found = FALSE;

                for (guint k = 0; got[k] != NULL && !found; k++)
                        found = strstr(got[k], first) != NULL && strstr(got[k], words[n - 1]) != NULL;
                whole += found;
        }
        return whole;
}

/* A fax scanner's dirty glass draws a line down the whole page, through
 * every line of print, and the page went through the feeder crooked.
 * Tesseract takes such a line for a column's rule and reads each line as
 * two: the words left of it, then, lines later, the words right of it. */
static void
test_scanner_streak(void)
{
        PIX *page = make_page();
        PIX *turned = pixRotate(page, 1.4 * 3.14159265 / 180.0, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
        PIX *pix = pixConvertTo1(turned, 128);
        RdOcrResult res;

        for (int y = 0; y < pixGetHeight(pix); y++)
                for (int x = 610; x < 613; x++)
                        pixSetPixel(pix, x, y, 1);
        pixSetResolution(pix, 200, 200);
        read_ok(pix, &res);
        assert_legible(res.text);
        g_assert_cmpuint(whole_lines(res.text), ==, G_N_ELEMENTS(lines));
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
        pixDestroy(&turned);
        pixDestroy(&page);
}

/* The boxes of the page's lines (make_page()) but those of the
 * paragraph @skip: what Tesseract's layout read when it dropped one. */
static BOXA *
lines_read(int skip)
{
        BOXA *read = boxaCreate(27);
        double y = 200;

        for (int rep = 0; rep < 3; rep++) {
                for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                        if (rep != skip)
                                boxaAddBox(read, boxCreate(150, (int)y - 30, 1450, 42), L_INSERT);
                        y += 52;
                }
                y += 60;
        }
        return read;
}

/* A block of lines Tesseract's layout dropped is read again, whole and
 * once; print it read is not, nor a picture of letter-sized dots. */
static void
test_dropped_block(void)
{
        TessBaseAPI *api = TessBaseAPICreate();
        PIX *page = make_page();
        PIX *bin = pixConvertTo1(page, 128);
        BOXA *ink = NULL;

        g_assert_cmpint(TessBaseAPIInit3(api, NULL, "eng"), ==, 0);
        TessBaseAPISetPageSegMode(api, PSM_AUTO);
        /* the halftone picture of a logo beside the text, every dot a
         * letter's size */
        for (int y = 1900; y < 2150; y += 40)
                for (int x = 200; x < 1400; x += 36)
                        pixRasterop(bin, x, y, 22, 26, PIX_SET, NULL, 0, 0);
        ink = pixConnCompBB(bin, 8);
        for (int skip = -1; skip < 3; skip++) {
                BOXA *read = lines_read(skip);
                g_autoptr(GPtrArray) blocks = rd_dropped_blocks(api, bin, ink, read, 200);

                boxaDestroy(&read);
                if (skip < 0) {
                        g_assert_cmpuint(blocks->len, ==, 0);
                        continue;
                }
                g_assert_cmpuint(blocks->len, ==, 1);
                {
                        const RdDroppedBlock *b = g_ptr_array_index(blocks, 0);
                        g_auto(GStrv) got = g_strsplit(b->text, "\n", -1);
                        guint n = 0;

                        g_test_message("paragraph %d at %d: %s", skip, b->y, b->text);
                        /* the paragraph's top: its first line's capitals */
                        g_assert_cmpint(ABS(b->y - (200 + skip * (9 * 52 + 60) - 30)), <, 40);
                        for (guint k = 0; got[k] != NULL; k++)
                                n += g_strstrip(got[k])[0] != '\0';
                        g_assert_cmpuint(n, ==, G_N_ELEMENTS(lines));
                        g_assert_nonnull(strstr(b->text, "echocardiogram and a treadmill"));
                        g_assert_nonnull(strstr(b->text, "participate in the care"));
                }
        }
        boxaDestroy(&ink);
        pixDestroy(&bin);
        pixDestroy(&page);
        TessBaseAPIEnd(api);
        TessBaseAPIDelete(api);
}

static void
test_fax_standard(void)
{
        PIX *page = make_page();
        PIX *bin = pixConvertTo1(page, 128);
        /* standard fax: every other row, 204x98 dpi tags */
        PIX *pix = pixScale(bin, 1.0, 0.5);
        RdOcrResult res;

        pixSetResolution(pix, 204, 98);
        read_ok(pix, &res);
        assert_legible(res.text);
        g_assert_cmpuint(res.height, ==, (guint)pixGetHeight(pix));
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
        pixDestroy(&bin);
        pixDestroy(&page);
}

/* Returns: (transfer full) an 8 bpp letter page at 200 dpi: a lab's
 * results table in small type (8 pt), short words and numbers in
 * columns, the kind of page OSD is least sure of. */
static PIX *
make_table_page(void)
{
        static const char *const rows[][4] = {
                { "Sodium", "137", "mmol/L", "135-145" },      { "Potassium", "4.4", "mmol/L", "3.5-5.1" },
                { "Chloride", "102", "mmol/L", "98-107" },     { "Carbon Dioxide", "24", "mmol/L", "22-29" },
                { "Urea Nitrogen", "18", "mg/dL", "7-20" },    { "Creatinine", "1.1", "mg/dL", "0.60-1.20" },
                { "Glucose", "96", "mg/dL", "70-99" },         { "Calcium", "9.4", "mg/dL", "8.6-10.3" },
                { "Cholesterol, Total", "212", "mg/dL", "<200" }, { "Triglycerides", "150", "mg/dL", "<150" },
                { "HDL Cholesterol", "44", "mg/dL", ">40" },   { "LDL Cholesterol", "138", "mg/dL", "<100" },
        };
        cairo_surface_t *s;
        cairo_t *cr = letter_page("DejaVu Sans Mono", 22, &s);

        for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
                for (int c = 0; c < 4; c++) {
                        cairo_move_to(cr, 160 + 360 * c, 300 + 34.0 * i);
                        cairo_show_text(cr, rows[i][c]);
                }
        cairo_destroy(cr);
        return rd_test_surface_to_gray(s, 200, 200);
}

/* A results table faxed upside down at standard resolution: the first
 * read is junk and OSD is unsure of such a page, so it is read turned
 * back as well, and that reading is kept. */
static void
test_table_upside_down(void)
{
        PIX *page = make_table_page();
        PIX *bin = pixConvertTo1(page, 128);
        PIX *turned = pixRotateOrth(bin, 2);
        PIX *pix = pixScale(turned, 1.0, 0.5);
        RdOcrResult res;
        g_autofree char *lower = NULL;

        pixSetResolution(pix, 204, 98);
        read_ok(pix, &res);
        lower = g_ascii_strdown(res.text, -1);
        g_assert_cmpint(res.rotation, ==, 180);
        g_assert_nonnull(strstr(lower, "potassium"));
        g_assert_nonnull(strstr(lower, "creatinine"));
        g_assert_nonnull(strstr(lower, "triglycerides"));
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
        pixDestroy(&turned);
        pixDestroy(&bin);
        pixDestroy(&page);
}

static void
test_no_resolution(void)
{
        PIX *page = make_page();
        PIX *pix = pixConvertTo1(page, 128);
        RdOcrResult res;

        pixSetResolution(pix, 0, 0);
        read_ok(pix, &res);
        assert_legible(res.text);
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
        pixDestroy(&page);
}

static void
test_blank(void)
{
        PIX *pix = pixCreate(1700, 2200, 1);
        RdOcrResult res;

        pixSetResolution(pix, 200, 200);
        read_ok(pix, &res);
        g_assert_cmpuint(res.n_words, ==, 0);
        g_assert_cmpint(res.rotation, ==, 0);
        /* a blank page costs no recognition pass */
        g_assert_true(res.picture.blank);
        g_assert_cmpuint(res.passes, ==, 0);
        g_assert_false(res.osd_used);
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
}

static void
test_too_small(void)
{
        g_autoptr(GError) error = NULL;
        PIX *pix = pixCreate(4, 4, 8);
        RdOcrResult res;

        g_assert_false(rd_ocr_engine_read(engine, pix, 0, &res, &error));
        g_assert_error(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE);
        pixDestroy(&pix);
}

static void
test_deadline(void)
{
        g_autoptr(GError) error = NULL;
        PIX *pix = make_page();
        RdOcrResult res;
        gint64 start = g_get_monotonic_time();

        g_assert_false(rd_ocr_engine_read(engine, pix, 1, &res, &error));
        g_assert_error(error, RD_OCR_ERROR, RD_OCR_ERROR_TIMEOUT);
        /* stopped promptly, not after a whole page */
        g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
        pixDestroy(&pix);
}

int
main(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        int rc;

        g_test_init(&argc, &argv, NULL);
        engine = rd_ocr_engine_new(&error);
        g_assert_no_error(error);
        g_test_add_func("/ocr/upright", test_upright);
        g_test_add_data_func("/ocr/rotated-90", GINT_TO_POINTER(1), test_rotated);
        g_test_add_data_func("/ocr/rotated-180", GINT_TO_POINTER(2), test_rotated);
        g_test_add_data_func("/ocr/rotated-270", GINT_TO_POINTER(3), test_rotated);
        g_test_add_func("/ocr/tracing-orientation", test_tracing_orientation);
        g_test_add_func("/ocr/skewed", test_skewed);
        g_test_add_func("/ocr/fax-standard", test_fax_standard);
        g_test_add_func("/ocr/table-upside-down", test_table_upside_down);
        g_test_add_func("/ocr/scanner-streak", test_scanner_streak);
        g_test_add_func("/ocr/dropped-block", test_dropped_block);
        g_test_add_func("/ocr/no-resolution", test_no_resolution);
        g_test_add_func("/ocr/blank", test_blank);
        g_test_add_func("/ocr/too-small", test_too_small);
        g_test_add_func("/ocr/deadline", test_deadline);
        rc = g_test_run();
        rd_ocr_engine_free(engine);
        return rc;
}
