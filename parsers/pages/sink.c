/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the format readers put their pages: the read limits checked before
 * each page is decoded, the OCR handoff, and the pages appended in order. */
#include "sink.h"

G_DEFINE_QUARK(rd-pages-error-quark, rd_pages_error)

gboolean
rd_pages_check_next(RdPagesCtx *ctx, guint index, guint total, GError **error)
{
        if (index >= ctx->limits->max_pages) {
                if (total > 0)
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT,
                                    "file has %u pages, only the first %u were read", total,
                                    ctx->limits->max_pages);
                else
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT,
                                    "file has more than %u pages, only the first %u were read",
                                    ctx->limits->max_pages, ctx->limits->max_pages);
                return FALSE;
        }
        if (ctx->deadline_us > 0 && g_get_monotonic_time() >= ctx->deadline_us) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT,
                            "time budget of %u ms used up before page %u",
                            ctx->limits->time_budget_ms, index + 1);
                return FALSE;
        }
        return TRUE;
}

gboolean
rd_pages_check_size(RdPagesCtx *ctx, guint index, guint64 width, guint64 height,
                    guint bits_per_pixel, GError **error)
{
        guint64 bytes;

        if (width == 0 || height == 0) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                            "page %u has no pixels", index + 1);
                return FALSE;
        }
        /* both are at most 2^32, so the product cannot overflow */
        if (width * height > ctx->limits->max_page_pixels) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT,
                            "page %u is %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
                            " pixels, more than the limit of %" G_GUINT64_FORMAT,
                            index + 1, width, height, ctx->limits->max_page_pixels);
                return FALSE;
        }
        bytes = (width * MAX(bits_per_pixel, 1) + 7) / 8 * height;
        if (ctx->decoded_bytes + bytes > ctx->limits->max_decoded_bytes) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT,
                            "decoding page %u would pass the limit of %" G_GUINT64_FORMAT
                            " decoded bytes", index + 1, ctx->limits->max_decoded_bytes);
                return FALSE;
        }
        ctx->decoded_bytes += bytes;
        return TRUE;
}

static RdPage *
rd_pages_new_page(RdPagesCtx *ctx)
{
        RdPage *page = rd_page_new();

        page->number = ctx->next_number++;
        g_free(page->source_part);
        page->source_part = g_strdup(ctx->source_part);
        ctx->n_read++;
        return page;
}

void
rd_pages_add_text(RdPagesCtx *ctx, char *text, gint64 start_us)
{
        RdPage *page = rd_pages_new_page(ctx);

        g_free(page->text);
        page->text = text;
        page->confidence = 100.0;
        page->method = RD_PAGE_METHOD_TEXT_LAYER;
        page->ms = (guint)((g_get_monotonic_time() - start_us) / 1000);
        g_ptr_array_add(ctx->ret_pages, page);
}

gboolean
rd_pages_add_image(RdPagesCtx *ctx, PIX *pix, gint64 start_us, GError **error)
{
        g_autoptr(GError) local_error = NULL;
        RdOcrResult res = { 0 };
        guint budget = 0;
        RdPage *page;

        if (ctx->ocr == NULL) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_NOT_SUPPORTED,
                            "page %u is an image and no ocr engine was given",
                            ctx->n_read + 1);
                return FALSE;
        }
        if (ctx->deadline_us > 0) {
                gint64 left = (ctx->deadline_us - g_get_monotonic_time()) / 1000;

                budget = (guint)CLAMP(left, 1, G_MAXUINT);
        }
        if (!rd_ocr_engine_read(ctx->ocr, pix, budget, &res, &local_error)) {
                if (g_error_matches(local_error, RD_OCR_ERROR, RD_OCR_ERROR_TIMEOUT))
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT,
                                    "time budget of %u ms used up during page %u",
                                    ctx->limits->time_budget_ms, ctx->n_read + 1);
                else if (g_error_matches(local_error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE))
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_NOT_SUPPORTED,
                                    "page %u: %s", ctx->n_read + 1, local_error->message);
                else
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_OCR, "page %u: %s",
                                    ctx->n_read + 1, local_error->message);
                return FALSE;
        }
        page = rd_pages_new_page(ctx);
        g_free(page->text);
        page->text = g_steal_pointer(&res.text);
        page->confidence = res.confidence;
        page->rotation = res.rotation;
        page->skew = res.skew;
        page->method = RD_PAGE_METHOD_OCR;
        page->width = res.width;
        page->height = res.height;
        page->picture = res.picture;
        page->ms = (guint)((g_get_monotonic_time() - start_us) / 1000);
        g_ptr_array_add(ctx->ret_pages, page);
        rd_ocr_result_clear(&res);
        return TRUE;
}
