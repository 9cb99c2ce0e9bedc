/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes of one file to pages: the limits, and dispatch by content to the
 * PDF or image reader. */
#include <leptonica/allheaders.h>

#include "image.h"
#include "pdf.h"
#include "sink.h"
#include "parsers/sniff.h"

void
rd_read_limits_init(RdReadLimits *limits)
{
        limits->max_pages = 100;
        limits->max_page_pixels = 40 * 1000 * 1000;
        limits->max_decoded_bytes = G_GUINT64_CONSTANT(2) << 30;
        limits->time_budget_ms = 5 * 60 * 1000;
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
