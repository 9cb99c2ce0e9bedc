/* SPDX-License-Identifier: GPL-2.0-or-later */
/* referralctl pages: read files into pages and print them, for staff and
 * for debugging OCR. Touches no database. */
#include <stdio.h>

#include "pages.h"
#include "parsers/pages/pages.h"

/* The picture fields of an OCRed page: one summary line always, the full
 * measure (rd_picture_explain()) with --explain. */
static void
rd_cmd_pages_print_picture(const RdPage *page, gboolean explain)
{
        const RdPicture *p = &page->picture;
        g_autofree char *why = NULL;

        if (page->method != RD_PAGE_METHOD_OCR)
                return;
        printf("picture: ecg %.2f%s, tracing angle %d, upright turn %d, blank %s, dark %s, "
               "ecg paper %s, text density %.3f\n",
               p->ecg_score, rd_picture_is_tracing(p) ? " (tracing)" : "", p->tracing_angle,
               p->upright_turn, p->blank ? "yes" : "no", p->dark ? "yes" : "no",
               p->ecg_paper ? "yes" : "no", p->text_density);
        if (!explain)
                return;
        why = rd_picture_explain(p);
        printf("explain: %s; work image %ux%u\n", why, p->work_width, p->work_height);
}

static int
rd_cmd_pages_one(const char *path, RdOcrEngine *ocr, const RdReadLimits *limits,
                 gboolean explain)
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
                printf("\n");
                rd_cmd_pages_print_picture(page, explain);
                printf("%s\n", page->text);
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
        gboolean explain = FALSE;
        int first = 1;
        int status = 0;

        if (argc > 1 && g_strcmp0(argv[1], "--explain") == 0) {
                explain = TRUE;
                first = 2;
        }
        if (argc <= first) {
                g_printerr("usage: referralctl pages [--explain] FILE...\n");
                return 1;
        }
        rd_read_limits_init(&limits);
        ocr = rd_ocr_engine_new(&error);
        if (ocr == NULL) {
                /* text-layer PDFs still read; image pages will say why not */
                g_printerr("referralctl: %s\n", error->message);
                g_clear_error(&error);
        }
        for (int i = first; i < argc; i++)
                if (rd_cmd_pages_one(argv[i], ocr, &limits, explain) != 0)
                        status = 1;
        return status;
}
