/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for page decoding: any bytes through the project's page
 * reader (content sniffing, then poppler for PDF, Leptonica for TIFF, PNG
 * and JPEG), with small limits so the limit paths are reached too. No OCR
 * engine is given: image pages are decoded, then refused, which is the
 * hostile part; recognising text is Tesseract's. */
#include <leptonica/allheaders.h>
#include <string.h>

#include "parsers/page.h"
#include "parsers/pages/pages.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        GError *error = NULL;
        RdReadLimits limits;
        gboolean ok;

        rd_read_limits_init(&limits);
        limits.max_pages = 8;
        limits.max_page_pixels = 4 * 1000 * 1000;
        limits.max_decoded_bytes = 64 << 20;
        limits.time_budget_ms = 10 * 1000;
        ok = rd_pages_read(data, size, "file", 1, &limits, NULL, pages, &error);
        /* what callers rely on, whatever the input: an error of our own
         * domain with a message, or pages of valid text numbered in order */
        if (!ok && (error == NULL || error->domain != RD_PAGES_ERROR || error->message == NULL))
                __builtin_trap();
        if (ok && error != NULL)
                __builtin_trap();
        for (guint i = 0; i < pages->len; i++) {
                const RdPage *page = pages->pdata[i];

                if (page->number != i + 1 || page->text == NULL || !g_utf8_validate(page->text, -1, NULL))
                        __builtin_trap();
        }
        g_clear_error(&error);
        return 0;
}
