/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes of one file to pages: dispatch by content, limits, OCR handoff. */
#include "pages-private.h"
#include "sniff.h"

G_DEFINE_QUARK(rd-pages-error-quark, rd_pages_error)

void
rd_read_limits_init(RdReadLimits *limits)
{
        limits->max_pages = 100;
        limits->max_page_pixels = 40 * 1000 * 1000;
        limits->max_decoded_bytes = G_GUINT64_CONSTANT(2) << 30;
        limits->time_budget_ms = 5 * 60 * 1000;
}

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

gboolean
rd_pages_read(const guint8 *data, gsize len, const char *source_part, guint first_number,
              const RdReadLimits *limits, RdOcrEngine *ocr, GPtrArray *ret_pages, GError **error)
{
        RdReadLimits defaults;
        RdPagesCtx ctx = { 0 };
        const char *type;

        g_return_val_if_fail(data != NULL || len == 0, FALSE);
        g_return_val_if_fail(ret_pages != NULL, FALSE);

        if (limits == NULL) {
                rd_read_limits_init(&defaults);
                limits = &defaults;
        }
        /* leptonica reports every decoding problem on stderr; we report
         * them through GError instead */
        setMsgSeverity(L_SEVERITY_NONE);

        ctx.limits = limits;
        ctx.ocr = ocr;
        ctx.source_part = source_part != NULL ? source_part : "file";
        ctx.ret_pages = ret_pages;
        ctx.next_number = first_number;
        if (limits->time_budget_ms > 0)
                ctx.deadline_us = g_get_monotonic_time() + (gint64)limits->time_budget_ms * 1000;

        if (len == 0) {
                g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_EMPTY, "file is empty");
                return FALSE;
        }
        type = rd_sniff_media_type(data, len);
        if (g_strcmp0(type, "application/pdf") == 0)
                return rd_pages_read_pdf(&ctx, data, len, error);
        if (g_strcmp0(type, "image/tiff") == 0)
                return rd_pages_read_tiff(&ctx, data, len, error);
        if (g_strcmp0(type, "image/png") == 0 || g_strcmp0(type, "image/jpeg") == 0)
                return rd_pages_read_image(&ctx, data, len, error);
        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_NOT_SUPPORTED,
                    "not a pdf, tiff, png or jpeg file (%s)", type != NULL ? type : "unknown type");
        return FALSE;
}
