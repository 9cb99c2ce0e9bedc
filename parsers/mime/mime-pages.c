/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mime.h"
#include "parsers/pages/pages.h"

/* The pages of an email, as the contract numbers them: the body is page
 * 0, then the pages of every attachment, 1-based, in MIME order. */

static guint
pages_ms(GPtrArray *pages, guint from)
{
        guint64 ms = 0;

        for (guint i = from; i < pages->len; i++)
                ms += ((RdPage *)pages->pdata[i])->ms;
        return (guint)MIN(ms, G_MAXUINT);
}

gboolean
rd_mime_read_pages(const guint8 *data, gsize len, const RdReadLimits *read_limits,
                   RdOcrEngine *ocr, GPtrArray *ret_pages, RdMimeInfo **ret_info, GError **error)
{
        g_autoptr(RdMimeInfo) info = NULL;
        g_autoptr(GError) first_error = NULL;
        RdReadLimits limits;
        RdPage *body;
        guint start = ret_pages->len;
        guint next_number = 1;

        if (ret_info != NULL)
                *ret_info = NULL;
        if (read_limits != NULL)
                limits = *read_limits;
        else
                rd_read_limits_init(&limits);
        info = rd_mime_parse(data, len, NULL, error);
        if (info == NULL)
                return FALSE;

        body = rd_page_new();
        body->number = 0;
        body->source_part = g_strdup("body");
        g_free(body->text);
        body->text = g_strdup(info->body_text);
        body->confidence = 100.0;
        body->method = RD_PAGE_METHOD_BODY;
        g_ptr_array_add(ret_pages, body);

        for (guint i = 0; i < info->attachments->len; i++) {
                const RdMimeAttachment *a = info->attachments->pdata[i];
                RdReadLimits left = limits;
                guint pages_before = ret_pages->len;
                guint used_pages = next_number - 1;
                guint used_ms = pages_ms(ret_pages, start);
                g_autoptr(GError) local = NULL;
                gsize size;
                const guint8 *bytes = g_bytes_get_data(a->data, &size);

                /* the page and time limits are per item, not per attachment */
                if (limits.max_pages > 0) {
                        if (used_pages >= limits.max_pages) {
                                if (first_error == NULL)
                                        g_set_error(&first_error, RD_MIME_ERROR,
                                                    RD_MIME_ERROR_PAGE_LIMIT,
                                                    "more than %u attachment pages",
                                                    limits.max_pages);
                                break;
                        }
                        left.max_pages = limits.max_pages - used_pages;
                }
                if (limits.time_budget_ms > 0) {
                        if (used_ms >= limits.time_budget_ms) {
                                if (first_error == NULL)
                                        g_set_error(&first_error, RD_MIME_ERROR,
                                                    RD_MIME_ERROR_PAGE_LIMIT,
                                                    "time budget of %u ms spent before part %s",
                                                    limits.time_budget_ms, a->part_path);
                                break;
                        }
                        left.time_budget_ms = limits.time_budget_ms - used_ms;
                }
                if (!rd_pages_read(bytes, size, a->part_path, next_number, &left, ocr, ret_pages,
                                   &local)) {
                        /* keep going: one unreadable attachment must not
                         * hide the others from staff */
                        if (first_error == NULL) {
                                g_prefix_error(&local, "part %s: ", a->part_path);
                                first_error = g_steal_pointer(&local);
                        }
                }
                next_number += ret_pages->len - pages_before;
        }
        if (ret_info != NULL)
                *ret_info = g_steal_pointer(&info);
        if (first_error != NULL) {
                g_propagate_error(error, g_steal_pointer(&first_error));
                return FALSE;
        }
        return TRUE;
}
