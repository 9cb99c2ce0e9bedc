/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "item-read.h"
#include "parsers/mime/mime.h"
#include "sniff.h"

void
rd_item_meta_clear(RdItemMeta *meta)
{
        g_clear_pointer(&meta->channel, g_free);
        g_clear_pointer(&meta->received, g_free);
        g_clear_pointer(&meta->subject, g_free);
        g_clear_pointer(&meta->from, g_free);
        g_clear_pointer(&meta->message_id, g_free);
        g_clear_pointer(&meta->in_reply_to, g_free);
        g_clear_pointer(&meta->reply_to, g_free);
        g_clear_pointer(&meta->references, g_ptr_array_unref);
        g_clear_pointer(&meta->attachment_names, g_ptr_array_unref);
}

gboolean
rd_item_read(const guint8 *data, gsize len, const RdReadLimits *limits, RdOcrEngine *ocr,
             GPtrArray *ret_pages, RdItemMeta *ret_meta, GError **error)
{
        g_autoptr(RdMimeInfo) info = NULL;
        gboolean ok;

        memset(ret_meta, 0, sizeof *ret_meta);
        ret_meta->media_type = rd_sniff_media_type(data, len);
        if (ret_meta->media_type == NULL) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_NOT_SUPPORTED,
                            "not a PDF, TIFF, PNG, JPEG or email message");
                return FALSE;
        }
        if (strcmp(ret_meta->media_type, "message/rfc822") != 0) {
                ret_meta->channel = g_strdup("fax");
                return rd_pages_read(data, len, "file", 1, limits, ocr, ret_pages, error);
        }

        ret_meta->channel = g_strdup("email");
        rd_mime_init();
        ok = rd_mime_read_pages(data, len, limits, ocr, ret_pages, &info, error);
        if (info != NULL) {
                ret_meta->received = g_strdup(info->date_iso);
                ret_meta->subject = g_strdup(info->subject);
                ret_meta->from = g_strdup(info->from_addr);
                ret_meta->message_id = g_strdup(info->message_id);
                ret_meta->in_reply_to = g_strdup(info->in_reply_to);
                ret_meta->reply_to = g_strdup(info->reply_to);
                ret_meta->references = g_ptr_array_new_with_free_func(g_free);
                for (guint i = 0; i < info->references->len; i++)
                        g_ptr_array_add(ret_meta->references, g_strdup(info->references->pdata[i]));
                ret_meta->auto_submitted = info->auto_submitted;
                ret_meta->attachment_names = g_ptr_array_new_with_free_func(g_free);
                for (guint i = 0; i < info->attachments->len; i++) {
                        const RdMimeAttachment *a = info->attachments->pdata[i];

                        if (a->filename != NULL)
                                g_ptr_array_add(ret_meta->attachment_names, g_strdup(a->filename));
                }
        }
        return ok;
}

RdExtractMeta
rd_item_meta_for_extract(const RdItemMeta *meta)
{
        RdExtractMeta m = { .channel = meta->channel ? meta->channel : "fax",
                            .received = meta->received,
                            .subject = meta->subject,
                            .from = meta->from };

        return m;
}
