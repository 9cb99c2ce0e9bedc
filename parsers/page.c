/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The page model: one page of an item as read. */
#include "page.h"

RdPage *
rd_page_new(void)
{
        RdPage *page = g_new0(RdPage, 1);

        page->text = g_strdup("");
        page->picture.tracing_angle = -1; /* unknown, as for a page with no tracing */
        page->picture.upright_turn = -1;
        return page;
}

void
rd_page_free(RdPage *page)
{
        if (page == NULL)
                return;
        g_free(page->source_part);
        g_free(page->text);
        g_free(page);
}

const char *
rd_page_method_to_string(RdPageMethod method)
{
        switch (method) {
        case RD_PAGE_METHOD_TEXT_LAYER:
                return "text-layer";
        case RD_PAGE_METHOD_OCR:
                return "ocr";
        case RD_PAGE_METHOD_BODY:
                return "body";
        }
        return "unknown";
}
