/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Page pictures for staff: a PDF page drawn by poppler into cairo, a TIFF,
 * PNG or JPEG page decoded and scaled by Leptonica, both written as PNG.
 * Sizes are checked from the headers before anything is decoded, as the
 * page reader does. */
#include <cairo.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <poppler.h>

#include "render.h"
#include "parsers/sniff.h"

static void
pix_free(PIX *pix)
{
        pixDestroy(&pix);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PIX, pix_free)
/* poppler-glib 22 defines no autoptr cleanup of its own */
typedef PopplerDocument RdRenderDocument;
typedef PopplerPage RdRenderPage;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdRenderDocument, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdRenderPage, g_object_unref)

static gboolean
check_pixels(const RdReadLimits *limits, guint index, guint64 w, guint64 h, GError **error)
{
        if (w == 0 || h == 0 || w * h > limits->max_page_pixels) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT, "page %u: %" G_GUINT64_FORMAT "x%"
                            G_GUINT64_FORMAT " pixels is over the limit", index + 1, w, h);
                return FALSE;
        }
        return TRUE;
}

static cairo_status_t
png_sink(void *closure, const unsigned char *data, unsigned int length)
{
        g_byte_array_append(closure, data, length);
        return CAIRO_STATUS_SUCCESS;
}

static GBytes *
render_pdf(const guint8 *data, gsize len, guint index, guint max_width, const RdReadLimits *limits,
           GError **error)
{
        g_autoptr(GBytes) bytes = g_bytes_new_static(data, len);
        g_autoptr(RdRenderDocument) doc = NULL;
        g_autoptr(RdRenderPage) page = NULL;
        g_autoptr(GByteArray) png = g_byte_array_new();
        double pw, ph, scale;
        int w, h;
        cairo_surface_t *surface;
        cairo_t *cr;
        cairo_status_t st;

        doc = poppler_document_new_from_bytes(bytes, NULL, NULL);
        if (doc == NULL) {
                g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT, "damaged or encrypted pdf");
                return NULL;
        }
        if ((int)index >= poppler_document_get_n_pages(doc)) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_EMPTY, "pdf has no page %u", index + 1);
                return NULL;
        }
        page = poppler_document_get_page(doc, (int)index);
        poppler_page_get_size(page, &pw, &ph);
        if (!(pw > 1 && ph > 1 && pw < 20000 && ph < 20000)) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT, "page %u has no usable size", index + 1);
                return NULL;
        }
        /* at most 150 dpi: enough to read a lab value, cheap to draw */
        scale = MIN((double)max_width / pw, 150.0 / 72.0);
        w = MAX((int)lround(pw * scale), 1);
        h = MAX((int)lround(ph * scale), 1);
        if (!check_pixels(limits, index, (guint64)w, (guint64)h, error))
                return NULL;
        surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        cr = cairo_create(surface);
        cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
        cairo_paint(cr);
        cairo_scale(cr, scale, scale);
        poppler_page_render_for_printing(page, cr);
        cairo_destroy(cr);
        st = cairo_surface_write_to_png_stream(surface, png_sink, png);
        cairo_surface_destroy(surface);
        if (st != CAIRO_STATUS_SUCCESS) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT, "page %u: %s", index + 1,
                            cairo_status_to_string(st));
                return NULL;
        }
        return g_byte_array_free_to_bytes(g_steal_pointer(&png));
}

/* A decoded picture scaled to @max_width; a fax's half-height rows
 * (204x98 dpi) are stretched so the page has its paper's shape. */
static GBytes *
scaled_png(PIX *pix, guint index, guint max_width, GError **error)
{
        l_int32 xres = pixGetXRes(pix), yres = pixGetYRes(pix);
        double sx = MIN(1.0, (double)max_width / pixGetWidth(pix));
        double sy = sx * (xres > 0 && yres > 0 && yres * 3 < xres * 2 ? (double)xres / yres : 1.0);
        g_autoptr(PIX) scaled = NULL;
        l_uint8 *out = NULL;
        size_t size = 0;
        GBytes *png;

        scaled = (sx == 1.0 && sy == 1.0) ? pixClone(pix) : pixScale(pix, (l_float32)sx, (l_float32)sy);
        if (scaled == NULL || pixWriteMemPng(&out, &size, scaled, 0.0) != 0 || out == NULL) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT, "page %u cannot be drawn", index + 1);
                return NULL;
        }
        png = g_bytes_new(out, size);
        lept_free(out);
        return png;
}

static GBytes *
render_image(const guint8 *data, gsize len, gboolean tiff, guint index, guint max_width,
             const RdReadLimits *limits, GError **error)
{
        l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;
        g_autoptr(PIX) pix = NULL;
        int bad;

        if (tiff)
                bad = readHeaderMemTiff(data, len, (l_int32)index, &w, &h, &bps, &spp, &res, &cmap, &format);
        else
                bad = index > 0 || pixReadHeaderMem(data, len, &format, &w, &h, &bps, &spp, &cmap);
        if (bad != 0 || w <= 0 || h <= 0) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT, "no readable page %u", index + 1);
                return NULL;
        }
        if (!check_pixels(limits, index, (guint64)w, (guint64)h, error))
                return NULL;
        pix = tiff ? pixReadMemTiff(data, len, (l_int32)index) : pixReadMem(data, len);
        if (pix == NULL) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT, "page %u cannot be decoded", index + 1);
                return NULL;
        }
        return scaled_png(pix, index, max_width, error);
}

GBytes *
rd_pages_render_png(const guint8 *data, gsize len, guint index, guint max_width, const RdReadLimits *limits,
                    GError **error)
{
        const char *type = rd_sniff_media_type(data, len);
        RdReadLimits defaults;

        if (limits == NULL) {
                rd_read_limits_init(&defaults);
                limits = &defaults;
        }
        if (limits->max_pages > 0 && index >= limits->max_pages) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT, "page %u is past max-pages", index + 1);
                return NULL;
        }
        if (g_strcmp0(type, "application/pdf") == 0)
                return render_pdf(data, len, index, max_width, limits, error);
        if (g_strcmp0(type, "image/tiff") == 0)
                return render_image(data, len, TRUE, index, max_width, limits, error);
        if (g_strcmp0(type, "image/png") == 0 || g_strcmp0(type, "image/jpeg") == 0)
                return render_image(data, len, FALSE, index, max_width, limits, error);
        g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_NOT_SUPPORTED, "not a pdf or image file");
        return NULL;
}
