/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Page reading on files made here: text-layer PDFs, multi-page TIFFs in
 * every fax compression, PNG, JPEG, bombs, a 500-page PDF, encrypted,
 * truncated and empty files. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <leptonica/allheaders.h>
#include <string.h>

#include "parsers/pages/pages.h"
#include "tests/bench/picture-sim.h"
#include "surface-pix.h"

static RdOcrEngine *engine;

static const char *const lines[] = {
        "Referral for cardiology consultation and echocardiogram.",
        "The patient reports exertional chest pressure and dyspnea.",
        "Laboratory results include sodium, potassium and creatinine.",
        "Please schedule a treadmill stress test at your earliest",
        "convenience and send the report to the referring office.",
};

static GPtrArray *
pages_new(void)
{
        return g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
}

static gboolean
text_has_words(const char *text, guint min_found)
{
        static const char *const words[] = { "referral", "cardiology", "echocardiogram",
                                             "exertional", "laboratory", "potassium",
                                             "creatinine", "treadmill", "convenience" };
        g_autofree char *lower = g_utf8_strdown(text, -1);
        guint found = 0;

        for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
                if (strstr(lower, words[i]) != NULL)
                        found++;
        return found >= min_found;
}

/* ---- file makers ---- */

static cairo_status_t
write_to_array(void *closure, const unsigned char *data, unsigned int length)
{
        g_byte_array_append(closure, data, length);
        return CAIRO_STATUS_SUCCESS;
}

/* Returns: a cairo context drawing a PDF of @width x @height points into
 * *@ret_out; pdf_finish() ends it. */
static cairo_t *
pdf_begin(double width, double height, GByteArray **ret_out)
{
        cairo_surface_t *s;
        cairo_t *cr;

        *ret_out = g_byte_array_new();
        s = cairo_pdf_surface_create_for_stream(write_to_array, *ret_out, width, height);
        cr = cairo_create(s);
        cairo_surface_destroy(s); /* @cr holds it */
        return cr;
}

/* Returns: (transfer full) the PDF @cr drew into @out (consumed), its
 * pages shown. */
static GBytes *
pdf_finish(cairo_t *cr, GByteArray *out)
{
        cairo_surface_t *s = cairo_surface_reference(cairo_get_target(cr));

        cairo_destroy(cr);
        cairo_surface_finish(s);
        cairo_surface_destroy(s);
        return g_byte_array_free_to_bytes(out);
}

/* A PDF of @n_pages pages of @width x @height points; with @text each page
 * carries the lines above as a real text layer. */
static GBytes *
make_pdf(guint n_pages, double width, double height, gboolean text)
{
        GByteArray *out = NULL;
        cairo_t *cr = pdf_begin(width, height, &out);

        for (guint p = 0; p < n_pages; p++) {
                if (text) {
                        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                               CAIRO_FONT_WEIGHT_NORMAL);
                        cairo_set_font_size(cr, 11);
                        for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                                cairo_move_to(cr, 72, 100 + 16 * i);
                                cairo_show_text(cr, lines[i]);
                        }
                }
                cairo_show_page(cr);
        }
        return pdf_finish(cr, out);
}

/* A one-page PDF of @page_w x @page_h points: @pix (any depth) drawn at
 * its resolution (@xres x @yres) from @top points down, and with @header
 * a gateway's header line set over it as text. */
static GBytes *
make_image_pdf(PIX *pix, int xres, int yres, double page_w, double page_h, double top,
               const char *header)
{
        PIX *gray = pixConvertTo8(pix, FALSE);
        int w = pixGetWidth(gray), h = pixGetHeight(gray);
        GByteArray *out = NULL;
        cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        cairo_t *cr = pdf_begin(page_w, page_h, &out);
        guint8 *data = cairo_image_surface_get_data(img);
        int stride = cairo_image_surface_get_stride(img);

        for (int y = 0; y < h; y++) {
                guint32 *row = (guint32 *)(void *)(data + (gsize)y * stride);
                const l_uint32 *line = pixGetData(gray) + (gsize)y * pixGetWpl(gray);

                for (int x = 0; x < w; x++) {
                        guint32 v = GET_DATA_BYTE(line, x);

                        row[x] = v << 16 | v << 8 | v;
                }
        }
        cairo_surface_mark_dirty(img);
        cairo_save(cr);
        cairo_translate(cr, 0, top);
        cairo_scale(cr, 72.0 / xres, 72.0 / yres);
        cairo_set_source_surface(cr, img, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
        cairo_paint(cr);
        cairo_restore(cr);
        if (header != NULL) {
                cairo_set_source_rgb(cr, 0, 0, 0);
                cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                       CAIRO_FONT_WEIGHT_NORMAL);
                cairo_set_font_size(cr, 8);
                cairo_move_to(cr, 20, 12);
                cairo_show_text(cr, header);
        }
        cairo_show_page(cr);
        cairo_surface_destroy(img);
        pixDestroy(&gray);
        return pdf_finish(cr, out);
}

/* A gateway's PDF of one fax page: the 1 bpp @fax over the whole page at
 * its resolution, with @header over it when given. */
static GBytes *
make_fax_pdf(PIX *fax, int xres, int yres, const char *header)
{
        return make_image_pdf(fax, xres, yres, pixGetWidth(fax) * 72.0 / xres,
                              pixGetHeight(fax) * 72.0 / yres, 0, header);
}

/* A 200 dpi 8 bpp page image of the lines above (a third of a letter page). */
static PIX *
make_page_image(void)
{
        const int w = 1700, h = 700;
        cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        cairo_t *cr = cairo_create(s);
        PIX *pix;

        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_select_font_face(cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL,
                               CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 32);
        for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                cairo_move_to(cr, 160, 150 + 60 * i);
                cairo_show_text(cr, lines[i]);
        }
        cairo_destroy(cr);
        pix = rd_test_surface_to_gray(s, 200, 200);
        return pix;
}

/* A 4-page TIFF: G4 fine, G3 standard (204x98, rows halved), LZW gray,
 * uncompressed gray. */
static GBytes *
make_fax_tiff(void)
{
        g_autoptr(GError) error = NULL;
        g_autofree char *path = NULL;
        char *contents = NULL;
        gsize len = 0;
        PIX *gray = make_page_image();
        PIX *bin = pixConvertTo1(gray, 128);
        PIX *std = pixScale(bin, 1.0, 0.5);
        int fd = g_file_open_tmp("rd-test-XXXXXX.tif", &path, &error);

        g_assert_no_error(error);
        close(fd);
        pixSetResolution(bin, 204, 196);
        pixSetResolution(std, 204, 98);
        g_assert_cmpint(pixWriteTiff(path, bin, IFF_TIFF_G4, "w"), ==, 0);
        g_assert_cmpint(pixWriteTiff(path, std, IFF_TIFF_G3, "a"), ==, 0);
        g_assert_cmpint(pixWriteTiff(path, gray, IFF_TIFF_LZW, "a"), ==, 0);
        g_assert_cmpint(pixWriteTiff(path, gray, IFF_TIFF, "a"), ==, 0);
        g_assert_true(g_file_get_contents(path, &contents, &len, &error));
        g_unlink(path);
        pixDestroy(&gray);
        pixDestroy(&bin);
        pixDestroy(&std);
        return g_bytes_new_take(contents, len);
}

static void
put_le16(GByteArray *a, guint16 v)
{
        guint8 b[2] = { v & 0xff, v >> 8 };

        g_byte_array_append(a, b, 2);
}

static void
put_le32(GByteArray *a, guint32 v)
{
        guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

        g_byte_array_append(a, b, 4);
}

static void
put_entry(GByteArray *a, guint16 tag, guint16 type, guint32 count, guint32 value)
{
        put_le16(a, tag);
        put_le16(a, type);
        put_le32(a, count);
        if (type == 3 && count == 1) {
                put_le16(a, (guint16)value);
                put_le16(a, 0);
        } else {
                put_le32(a, value);
        }
}

/* A 200-byte TIFF declaring a G4 page of @w x @h pixels. */
static GBytes *
make_tiff_bomb(guint32 w, guint32 h)
{
        GByteArray *a = g_byte_array_new();
        static const guint8 strip[32] = { 0 };

        g_byte_array_append(a, (const guint8 *)"II*\0", 4);
        put_le32(a, 8);
        put_le16(a, 8);
        put_entry(a, 256, 4, 1, w);   /* ImageWidth */
        put_entry(a, 257, 4, 1, h);   /* ImageLength */
        put_entry(a, 258, 3, 1, 1);   /* BitsPerSample */
        put_entry(a, 259, 3, 1, 4);   /* Compression: G4 */
        put_entry(a, 262, 3, 1, 0);   /* min-is-white */
        put_entry(a, 273, 4, 1, 8 + 2 + 8 * 12 + 4); /* StripOffsets */
        put_entry(a, 278, 4, 1, h);   /* RowsPerStrip */
        put_entry(a, 279, 4, 1, sizeof(strip)); /* StripByteCounts */
        put_le32(a, 0);
        g_byte_array_append(a, strip, sizeof(strip));
        return g_byte_array_free_to_bytes(a);
}

static guint32
crc32_of(const guint8 *p, gsize n)
{
        guint32 c = 0xffffffffu;

        for (gsize i = 0; i < n; i++) {
                c ^= p[i];
                for (int k = 0; k < 8; k++)
                        c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
        }
        return c ^ 0xffffffffu;
}

static void
put_be32(GByteArray *a, guint32 v)
{
        guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

        g_byte_array_append(a, b, 4);
}

/* A PNG header declaring @w x @h 8-bit gray pixels, with a tiny IDAT. */
static GBytes *
make_png_bomb(guint32 w, guint32 h)
{
        GByteArray *a = g_byte_array_new();
        GByteArray *chunk = g_byte_array_new();

        g_byte_array_append(a, (const guint8 *)"\x89PNG\r\n\x1a\n", 8);
        g_byte_array_append(chunk, (const guint8 *)"IHDR", 4);
        put_be32(chunk, w);
        put_be32(chunk, h);
        g_byte_array_append(chunk, (const guint8 *)"\x08\x00\x00\x00\x00", 5);
        put_be32(a, 13);
        g_byte_array_append(a, chunk->data, chunk->len);
        put_be32(a, crc32_of(chunk->data, chunk->len));
        g_byte_array_set_size(chunk, 0);
        g_byte_array_append(chunk, (const guint8 *)"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01", 12);
        put_be32(a, 8);
        g_byte_array_append(a, chunk->data, chunk->len);
        put_be32(a, crc32_of(chunk->data, chunk->len));
        put_be32(a, 0);
        g_byte_array_append(a, (const guint8 *)"IEND\xae\x42\x60\x82", 8);
        g_byte_array_unref(chunk);
        return g_byte_array_free_to_bytes(a);
}

/* ---- tests ---- */

static gboolean
read_bytes(GBytes *bytes, const RdReadLimits *limits, RdOcrEngine *ocr, GPtrArray *pages,
           GError **error)
{
        gsize len = 0;
        const guint8 *data = g_bytes_get_data(bytes, &len);

        return rd_pages_read(data, len, "1.2", 5, limits, ocr, pages, error);
}

static void
test_pdf_text_layer(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) pdf = make_pdf(3, 612, 792, TRUE);
        g_autoptr(GPtrArray) pages = pages_new();

        /* no engine: a text-layer PDF must not need one */
        g_assert_true(read_bytes(pdf, NULL, NULL, pages, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(pages->len, ==, 3);
        for (guint i = 0; i < pages->len; i++) {
                const RdPage *page = g_ptr_array_index(pages, i);

                g_assert_cmpint(page->method, ==, RD_PAGE_METHOD_TEXT_LAYER);
                g_assert_cmpuint(page->number, ==, 5 + i);
                g_assert_cmpstr(page->source_part, ==, "1.2");
                g_assert_cmpfloat(page->confidence, ==, 100.0);
                g_assert_true(text_has_words(page->text, 9));
        }
}

/* A text layer holds a form's words but not the boxes and rings drawn
 * beside them: those come from the page's picture.  A box character the
 * text layer holds itself stays as it is. */
static void
test_pdf_drawn_marks(void)
{
        GByteArray *out = NULL;
        cairo_t *cr = pdf_begin(612, 792, &out);
        static const char *const opts[] = { "Routine", "Urgent", "STAT" };
        g_autoptr(GBytes) pdf = NULL;
        g_autoptr(GPtrArray) pages = pages_new();
        g_autoptr(GError) error = NULL;
        double x = 140;
        const char *text;

        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 11);
        cairo_move_to(cr, 72, 100);
        cairo_show_text(cr, "Urgency:");
        cairo_set_line_width(cr, 0.8);
        for (int k = 0; k < 3; k++) {
                cairo_text_extents_t ext;

                cairo_rectangle(cr, x, 100 - 8.5, 8.5, 8.5);
                if (k == 1) {
                        cairo_move_to(cr, x, 100 - 8.5);
                        cairo_line_to(cr, x + 8.5, 100);
                        cairo_move_to(cr, x, 100);
                        cairo_line_to(cr, x + 8.5, 100 - 8.5);
                }
                cairo_stroke(cr);
                cairo_move_to(cr, x + 13, 100);
                cairo_show_text(cr, opts[k]);
                cairo_text_extents(cr, opts[k], &ext);
                x += 13 + ext.x_advance + 16;
        }
        cairo_move_to(cr, 72, 130);
        cairo_show_text(cr, "Clinic: General");
        cairo_move_to(cr, 180, 130);
        cairo_show_text(cr, "Heart Failure");
        cairo_save(cr);
        cairo_translate(cr, 180 + 34, 126);
        cairo_scale(cr, 42, 10);
        cairo_arc(cr, 0, 0, 1, 0, 2 * G_PI);
        cairo_restore(cr);
        cairo_stroke(cr);
        cairo_move_to(cr, 72, 160);
        cairo_show_text(cr, "Enclosed: \u2612 EKG \u2610 Labs");
        cairo_show_page(cr);
        pdf = pdf_finish(cr, out);

        g_assert_true(read_bytes(pdf, NULL, NULL, pages, &error));
        g_assert_no_error(error);
        text = ((RdPage *)pages->pdata[0])->text;
        g_test_message("%s", text);
        /* the options stand apart, so the text layer gives each its line */
        g_assert_nonnull(strstr(text, "\u2610 Routine"));
        g_assert_nonnull(strstr(text, "\u2612 Urgent"));
        g_assert_nonnull(strstr(text, "\u2610 STAT"));
        g_assert_nonnull(strstr(text, "(Heart Failure)"));
        g_assert_nonnull(strstr(text, "\u2612 EKG \u2610 Labs"));
}

static void
test_pdf_blank_needs_ocr(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) pdf = make_pdf(1, 612, 792, FALSE);
        g_autoptr(GPtrArray) pages = pages_new();

        g_assert_false(read_bytes(pdf, NULL, NULL, pages, &error));
        g_assert_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_NOT_SUPPORTED);
        g_clear_error(&error);
        g_assert_true(read_bytes(pdf, NULL, engine, pages, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(pages->len, ==, 1);
        g_assert_cmpint(((RdPage *)pages->pdata[0])->method, ==, RD_PAGE_METHOD_OCR);
}

/* A stamp set on a slant across a text-layer form ("URGENT" at 30 and 60
 * degrees, "STAT" straight down) reads as its word, whatever pieces
 * poppler cuts it into; the form's own short lines stay as they are. */
static void
test_pdf_slanted_stamp(void)
{
        static const struct {
                const char *word;
                double degrees;
                gboolean across; /* laid across a row of options */
                double x, y;     /* where it starts: beside the text, or below it */
        } stamps[] = { { "URGENT", -30, FALSE, 380, 400 }, { "URGENT", -60, FALSE, 380, 400 },
                       { "STAT", 90, FALSE, 380, 400 },     { "URGENT", -20, TRUE, 380, 400 },
                       { "STAT", -25, TRUE, 380, 400 },
                       /* beside the form's first rows, which poppler reads
                        * between the stamp's first letters and its last */
                       { "URGENT", 12, FALSE, 330, 104 },   { "URGENT", -15, FALSE, 300, 150 } };

        for (gsize k = 0; k < G_N_ELEMENTS(stamps); k++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GPtrArray) pages = pages_new();
                GByteArray *out = NULL;
                cairo_t *cr = pdf_begin(612, 792, &out);
                g_autoptr(GBytes) pdf = NULL;
                g_auto(GStrv) text_lines = NULL;
                gboolean word = FALSE, sex = FALSE; /* "M" alone, not taken into the word */

                cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                       CAIRO_FONT_WEIGHT_BOLD);
                cairo_set_font_size(cr, 11);
                for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                        cairo_move_to(cr, 72, 100 + 16 * i);
                        cairo_show_text(cr, lines[i]);
                }
                cairo_move_to(cr, 72, 200);
                cairo_show_text(cr, "Sex");
                cairo_move_to(cr, 72, 240);
                cairo_show_text(cr, "M");
                if (stamps[k].across) {
                        /* the stamp's first letter sits on the row, the
                         * rest above it */
                        cairo_move_to(cr, 72, 398);
                        cairo_show_text(cr, "CLINIC: General Cardiology   Electrophysiology   "
                                            "Heart Failure   Interventional");
                        cairo_move_to(cr, 72, 360);
                        cairo_show_text(cr, "PH: 555.655.9626");
                }
                cairo_save(cr);
                cairo_translate(cr, stamps[k].x, stamps[k].y);
                cairo_rotate(cr, stamps[k].degrees * G_PI / 180.0);
                cairo_set_font_size(cr, 28);
                cairo_move_to(cr, 0, 0);
                cairo_show_text(cr, stamps[k].word);
                cairo_restore(cr);
                cairo_show_page(cr);
                pdf = pdf_finish(cr, out);

                g_assert_true(read_bytes(pdf, NULL, NULL, pages, &error));
                g_assert_no_error(error);
                g_assert_cmpuint(pages->len, ==, 1);
                g_assert_cmpint(((RdPage *)pages->pdata[0])->method, ==, RD_PAGE_METHOD_TEXT_LAYER);
                text_lines = g_strsplit(((RdPage *)pages->pdata[0])->text, "\n", -1);
                for (guint i = 0; text_lines[i] != NULL; i++) {
                        g_autofree char *t = g_strstrip(g_strdup(text_lines[i]));

                        word |= strcmp(t, stamps[k].word) == 0;
                        sex |= strcmp(t, "M") == 0;
                }
                if (!word)
                        g_test_message("%s at %.0f: %s", stamps[k].word, stamps[k].degrees,
                                       ((RdPage *)pages->pdata[0])->text);
                g_assert_true(word);
                g_assert_true(sex);
                if (stamps[k].across) {
                        guint last = g_strv_length(text_lines);

                        g_assert_nonnull(strstr(((RdPage *)pages->pdata[0])->text, "Electrophysiology"));
                        /* on a line of its own at the end, as OCR gives a
                         * stamp: not among the rows it lies across */
                        while (last > 0 && text_lines[last - 1][0] == '\0')
                                last--;
                        g_assert_cmpuint(last, >, 0);
                        g_assert_cmpstr(g_strstrip(text_lines[last - 1]), ==, stamps[k].word);
                }
                g_assert_true(text_has_words(((RdPage *)pages->pdata[0])->text, 9));
        }
}

/* Short labels set one under the other in a form's column ("Ph:" over
 * "Fax:", a line apart, their boxes touching) are each a line of their
 * own, not the pieces of one slanted word; a label ending in a dash
 * ("Practice -") is not a word broken by a hyphen. */
static void
test_pdf_stacked_labels(void)
{
        static const char *labels[] = { "Referred by:", "NPI:", "Ph:", "Fax:", "Tel:", "ID:",
                                        /* a dash after each: no hyphen to join on */
                                        "Practice -", "Last/First -", "D.O.B. -", "Gender -" };
        static const double sizes[] = { 9, 10, 12 };

        for (gsize s = 0; s < G_N_ELEMENTS(sizes); s++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GPtrArray) pages = pages_new();
                GByteArray *out = NULL;
                cairo_t *cr = pdf_begin(612, 792, &out);
                g_autoptr(GBytes) pdf = NULL;
                g_auto(GStrv) text_lines = NULL;

                cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                                       CAIRO_FONT_WEIGHT_NORMAL);
                cairo_set_font_size(cr, sizes[s]);
                for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                        cairo_move_to(cr, 72, 100 + 16 * i);
                        cairo_show_text(cr, lines[i]);
                }
                for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
                        /* a line apart: 1.15 times the font size */
                        cairo_move_to(cr, 72, 300 + 1.15 * sizes[s] * i);
                        cairo_show_text(cr, labels[i]);
                        cairo_move_to(cr, 320, 300 + 1.15 * sizes[s] * i);
                        cairo_show_text(cr, "555-014-0000");
                }
                cairo_show_page(cr);
                pdf = pdf_finish(cr, out);

                g_assert_true(read_bytes(pdf, NULL, NULL, pages, &error));
                g_assert_no_error(error);
                g_assert_cmpint(((RdPage *)pages->pdata[0])->method, ==, RD_PAGE_METHOD_TEXT_LAYER);
                text_lines = g_strsplit(((RdPage *)pages->pdata[0])->text, "\n", -1);
                for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
                        gboolean found = FALSE;

                        for (guint k = 0; text_lines[k] != NULL && !found; k++) {
                                g_autofree char *t = g_strstrip(g_strdup(text_lines[k]));

                                found = strcmp(t, labels[i]) == 0 ||
                                        (g_str_has_prefix(t, labels[i]) &&
                                         strstr(t, "555-014-0000") != NULL);
                        }
                        if (!found)
                                g_test_message("%.0fpt, no line \"%s\": %s", sizes[s], labels[i],
                                               ((RdPage *)pages->pdata[0])->text);
                        g_assert_true(found);
                }
        }
}

/* A fax a gateway wrapped in a PDF reads as the same fax in a TIFF: its
 * pixels as sent (a standard-resolution page is not drawn with every row
 * twice), in 1 bit. Its tracing is found by the picture, with or without
 * the gateway's header line as text over it. */
static void
test_pdf_fax(void)
{
        PIX *src = rd_sim_tracing(2200, 150, 11);
        PIX *faxes[2] = { rd_sim_fax(src, RD_SIM_DITHER, 1, TRUE, 3),
                          rd_sim_fax(src, RD_SIM_STANDARD, 1, TRUE, 4) };
        static const int yres[2] = { 196, 98 };

        for (int k = 0; k < 4; k++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GPtrArray) pages = pages_new();
                g_autoptr(GBytes) pdf = make_fax_pdf(
                        faxes[k / 2], 204, yres[k / 2],
                        k % 2 ? "12/05/2026 10:14 FROM: 5550100200 PAGE 001 OF 001" : NULL);
                const RdPage *page;

                g_assert_true(read_bytes(pdf, NULL, engine, pages, &error));
                g_assert_no_error(error);
                g_assert_cmpuint(pages->len, ==, 1);
                page = pages->pdata[0];
                g_test_message("fax at 204x%d%s: %ux%u, ecg %.2f", yres[k / 2],
                               k % 2 ? " under a header" : "", page->width, page->height,
                               page->picture.ecg_score);
                g_assert_cmpint(page->method, ==, RD_PAGE_METHOD_OCR);
                g_assert_cmpuint(page->width, ==, pixGetWidth(faxes[k / 2]));
                g_assert_cmpuint(page->height, ==, pixGetHeight(faxes[k / 2]));
                g_assert_true(rd_picture_is_tracing(&page->picture));
        }
        pixDestroy(&faxes[0]);
        pixDestroy(&faxes[1]);
        pixDestroy(&src);
}

/* A page whose only text is a header line, over a picture that is no
 * logo (a third of the page): the picture is read, not skipped as if the
 * header were the page's text layer. */
static void
test_pdf_picture_under_header(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) pages = pages_new();
        PIX *pix = make_page_image();
        g_autoptr(GBytes) pdf = make_image_pdf(
                pix, 200, 200, 612, 792, 200,
                "Received via gateway 2026-12-05 10:14 from Main Street Clinic 001/001");
        const RdPage *page;

        pixDestroy(&pix);
        g_assert_true(read_bytes(pdf, NULL, engine, pages, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(pages->len, ==, 1);
        page = pages->pdata[0];
        g_assert_cmpint(page->method, ==, RD_PAGE_METHOD_OCR);
        g_assert_true(text_has_words(page->text, 7));
}

static void
test_pdf_500_pages(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) pdf = make_pdf(500, 612, 792, TRUE);
        g_autoptr(GPtrArray) pages = pages_new();
        RdReadLimits limits;

        rd_read_limits_init(&limits);
        g_assert_false(read_bytes(pdf, &limits, engine, pages, &error));
        g_assert_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT);
        g_test_message("%s", error->message);
        g_assert_nonnull(strstr(error->message, "500"));
        /* cut at the limit, pages before it kept */
        g_assert_cmpuint(pages->len, ==, limits.max_pages);
        g_assert_cmpuint(((RdPage *)pages->pdata[pages->len - 1])->number, ==,
                         5 + limits.max_pages - 1);
        /* no wall-clock bound: reading max_pages pages takes what the
         * machine gives it (tests/bench measures speed) */
}

static void
test_pdf_bomb(void)
{
        g_autoptr(GError) error = NULL;
        /* 200x200 inches (the PDF maximum) without text: 1.6 Gpixel at fax dpi */
        g_autoptr(GBytes) pdf = make_pdf(1, 14400, 14400, FALSE);
        g_autoptr(GPtrArray) pages = pages_new();
        gint64 start = g_get_monotonic_time();

        g_assert_false(read_bytes(pdf, NULL, engine, pages, &error));
        g_assert_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT);
        g_assert_cmpuint(pages->len, ==, 0);
        g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_tiff_bomb(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) tiff = make_tiff_bomb(100000, 100000);
        g_autoptr(GPtrArray) pages = pages_new();
        gint64 start = g_get_monotonic_time();

        g_assert_false(read_bytes(tiff, NULL, engine, pages, &error));
        g_assert_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT);
        g_assert_cmpuint(pages->len, ==, 0);
        g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
}

static void
test_png_bomb(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) png = make_png_bomb(100000, 100000);
        g_autoptr(GPtrArray) pages = pages_new();

        g_assert_false(read_bytes(png, NULL, engine, pages, &error));
        g_assert_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT);
}

static void
test_decoded_bytes_limit(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) tiff = make_fax_tiff();
        g_autoptr(GPtrArray) pages = pages_new();
        RdReadLimits limits;

        rd_read_limits_init(&limits);
        /* the two 1 bpp pages fit (~220 kB), the 8 bpp third page (1.2 MB) cannot */
        limits.max_decoded_bytes = 400 * 1000;
        g_assert_false(read_bytes(tiff, &limits, engine, pages, &error));
        g_assert_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT);
        g_test_message("%s", error->message);
        g_assert_cmpuint(pages->len, ==, 2);
}

static void
test_tiff_fax_pages(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) tiff = make_fax_tiff();
        g_autoptr(GPtrArray) pages = pages_new();

        g_assert_true(read_bytes(tiff, NULL, engine, pages, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(pages->len, ==, 4);
        for (guint i = 0; i < pages->len; i++) {
                const RdPage *page = g_ptr_array_index(pages, i);

                g_test_message("page %u: conf %.0f %ux%u %u ms", page->number, page->confidence,
                               page->width, page->height, page->ms);
                g_assert_cmpint(page->method, ==, RD_PAGE_METHOD_OCR);
                g_assert_cmpuint(page->number, ==, 5 + i);
                g_assert_true(text_has_words(page->text, 7));
        }
        /* the standard-resolution page keeps its size as read */
        g_assert_cmpuint(((RdPage *)pages->pdata[1])->height, ==, 350);
}

static void
test_tiff_max_pages(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) tiff = make_fax_tiff();
        g_autoptr(GPtrArray) pages = pages_new();
        RdReadLimits limits;

        rd_read_limits_init(&limits);
        limits.max_pages = 1;
        g_assert_false(read_bytes(tiff, &limits, engine, pages, &error));
        g_assert_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT);
        g_assert_cmpstr(error->message, ==, "file has 4 pages, only the first 1 were read");
        g_assert_cmpuint(pages->len, ==, 1);
        g_assert_true(text_has_words(((RdPage *)pages->pdata[0])->text, 7));
}

static void
test_png_jpeg(gconstpointer data)
{
        int format = GPOINTER_TO_INT(data);
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) pages = pages_new();
        PIX *pix = make_page_image();
        l_uint8 *bytes = NULL;
        size_t len = 0;

        g_assert_cmpint(pixWriteMem(&bytes, &len, pix, format), ==, 0);
        g_assert_true(rd_pages_read(bytes, len, "file", 1, NULL, engine, pages, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(pages->len, ==, 1);
        g_assert_true(text_has_words(((RdPage *)pages->pdata[0])->text, 7));
        lept_free(bytes);
        pixDestroy(&pix);
}

static void
test_encrypted(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) pages = pages_new();
        /* standard security handler, RC4 40-bit, with a user password we
         * do not know (the /U entry matches no empty password) */
        static const char pdf[] =
                "%PDF-1.4\n"
                "1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
                "2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
                "3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>> endobj\n"
                "4 0 obj <</Filter /Standard /V 1 /R 2 /P -4\n"
                "/O <0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef>\n"
                "/U <fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210>>> endobj\n"
                "trailer <</Root 1 0 R /Encrypt 4 0 R /Size 5\n"
                "/ID [<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>]>>\n"
                "%%EOF\n";

        g_assert_false(rd_pages_read((const guint8 *)pdf, sizeof(pdf) - 1, "file", 1, NULL,
                                     engine, pages, &error));
        g_assert_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_ENCRYPTED);
        g_assert_cmpstr(error->message, ==, "pdf is encrypted");
}

static void
test_bad_input(void)
{
        static const struct {
                const char *name;
                const char *bytes;
                gsize len;
                int code;
        } cases[] = {
                { "empty", "", 0, RD_PAGES_ERROR_EMPTY },
                { "text", "Dear doctor, please see this patient\n", 37,
                  RD_PAGES_ERROR_NOT_SUPPORTED },
                { "pdf-header-only", "%PDF-1.4\n", 9, RD_PAGES_ERROR_CORRUPT },
                { "pdf-zero-pages",
                  "%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
                  "2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
                  "trailer <</Root 1 0 R /Size 3>>\n%%EOF\n",
                  143, -1 },
                { "tiff-header-only", "II*\0\x08\0\0\0", 8, -1 },
                { "png-header-only", "\x89PNG\r\n\x1a\n", 8, -1 },
                { "jpeg-header-only", "\xff\xd8\xff\xe0\0\x10JFIF", 10, -1 },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GPtrArray) pages = pages_new();
                gsize len = cases[i].len;

                if (g_str_has_prefix(cases[i].name, "pdf-zero"))
                        len = strlen(cases[i].bytes);
                g_assert_false(rd_pages_read((const guint8 *)cases[i].bytes, len, "file", 1,
                                             NULL, engine, pages, &error));
                g_test_message("%s: %s", cases[i].name, error->message);
                g_assert_true(error->domain == RD_PAGES_ERROR);
                if (cases[i].code >= 0)
                        g_assert_cmpint(error->code, ==, cases[i].code);
                g_assert_cmpuint(pages->len, ==, 0);
                g_assert_cmpuint(strlen(error->message), >, 0);
                g_assert_false(g_ascii_isupper(error->message[0]));
        }
}

static void
test_truncated(void)
{
        g_autoptr(GBytes) pdf = make_pdf(3, 612, 792, TRUE);
        g_autoptr(GBytes) tiff = make_fax_tiff();
        GBytes *files[] = { pdf, tiff };

        for (gsize f = 0; f < G_N_ELEMENTS(files); f++) {
                gsize len = 0;
                const guint8 *data = g_bytes_get_data(files[f], &len);

                for (int cut = 1; cut <= 3; cut++) {
                        g_autoptr(GError) error = NULL;
                        g_autoptr(GPtrArray) pages = pages_new();
                        RdReadLimits limits;
                        gboolean ok;

                        rd_read_limits_init(&limits);
                        limits.max_pages = 1;
                        ok = rd_pages_read(data, len * cut / 4, "file", 1, &limits, engine,
                                           pages, &error);
                        g_test_message("cut to %d/4: %s", cut, ok ? "read" : error->message);
                        /* read what survives, or say why not; never crash */
                        if (!ok)
                                g_assert_true(error->domain == RD_PAGES_ERROR);
                }
        }
}

int
main(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        int rc;

        g_test_init(&argc, &argv, NULL);
        engine = rd_ocr_engine_new(&error);
        g_assert_no_error(error);
        g_test_add_func("/pages/pdf-text-layer", test_pdf_text_layer);
        g_test_add_func("/pages/pdf-drawn-marks", test_pdf_drawn_marks);
        g_test_add_func("/pages/pdf-blank-needs-ocr", test_pdf_blank_needs_ocr);
        g_test_add_func("/pages/pdf-slanted-stamp", test_pdf_slanted_stamp);
        g_test_add_func("/pages/pdf-stacked-labels", test_pdf_stacked_labels);
        g_test_add_func("/pages/pdf-fax", test_pdf_fax);
        g_test_add_func("/pages/pdf-picture-under-header", test_pdf_picture_under_header);
        g_test_add_func("/pages/pdf-500-pages", test_pdf_500_pages);
        g_test_add_func("/pages/pdf-bomb", test_pdf_bomb);
        g_test_add_func("/pages/tiff-bomb", test_tiff_bomb);
        g_test_add_func("/pages/png-bomb", test_png_bomb);
        g_test_add_func("/pages/decoded-bytes-limit", test_decoded_bytes_limit);
        g_test_add_func("/pages/tiff-fax-pages", test_tiff_fax_pages);
        g_test_add_func("/pages/tiff-max-pages", test_tiff_max_pages);
        g_test_add_data_func("/pages/png", GINT_TO_POINTER(IFF_PNG), test_png_jpeg);
        g_test_add_data_func("/pages/jpeg", GINT_TO_POINTER(IFF_JFIF_JPEG), test_png_jpeg);
        g_test_add_func("/pages/encrypted", test_encrypted);
        g_test_add_func("/pages/bad-input", test_bad_input);
        g_test_add_func("/pages/truncated", test_truncated);
        rc = g_test_run();
        rd_ocr_engine_free(engine);
        return rc;
}
