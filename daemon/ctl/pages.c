/* SPDX-License-Identifier: GPL-2.0-or-later */
/* referralctl pages: read files into pages and print them, for staff and
 * for debugging OCR. Touches no database. */
#include <stdio.h>

#include "pages.h"
#include "parsers/pages/pages.h"

static int
rd_cmd_pages_one(const char *path, RdOcrEngine *ocr, const RdReadLimits *limits)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GMappedFile) file = NULL;
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        gboolean ok;

        /* mapped, not read: a 2 GB attachment costs address space, not RAM */
        file = g_mapped_file_new(path, FALSE, &error);
        if (file == NULL) {
                g_printerr("referralctl: %s: %s\n", path, error->message);
                return 1;
        }
        ok = rd_pages_read((const guint8 *)g_mapped_file_get_contents(file),
                           g_mapped_file_get_length(file), "file", 1, limits, ocr, pages, &error);
        for (guint i = 0; i < pages->len; i++) {
                const RdPage *page = g_ptr_array_index(pages, i);

                printf("=== page %u: %s, confidence %.0f, rotation %d, skew %.2f, %u ms",
                       page->number, rd_page_method_to_string(page->method), page->confidence,
                       page->rotation, page->skew, page->ms);
                if (page->width > 0)
                        printf(", %ux%u", page->width, page->height);
                printf("\n%s\n", page->text);
        }
        fflush(stdout);
        if (!ok) {
                g_printerr("referralctl: %s: %s\n", path, error->message);
                return 1;
        }
        return 0;
}

int
rd_cmd_pages(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdOcrEngine) ocr = NULL;
        RdReadLimits limits;
        int status = 0;

        if (argc < 2) {
                g_printerr("usage: referralctl pages FILE...\n");
                return 1;
        }
        rd_read_limits_init(&limits);
        ocr = rd_ocr_engine_new(&error);
        if (ocr == NULL) {
                /* text-layer PDFs still read; image pages will say why not */
                g_printerr("referralctl: %s\n", error->message);
                g_clear_error(&error);
        }
        for (int i = 1; i < argc; i++)
                if (rd_cmd_pages_one(argv[i], ocr, &limits) != 0)
                        status = 1;
        return status;
}
