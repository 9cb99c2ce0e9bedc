/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "parsers/mime/html-text.h"
#include "parsers/mime/mime.h"

/* libFuzzer target for the MIME walker and the HTML-to-text converter.
 * Built with -Dfuzzing=true (clang) it links libFuzzer; otherwise a small
 * main() replays the seed corpus (tests/fuzz/corpus/) as a meson test. */

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
        static gboolean initialised = FALSE;
        RdMimeLimits limits;
        GError *error = NULL;
        RdMimeInfo *info;
        char *text, *name;

        if (!initialised) {
                rd_mime_init();
                initialised = TRUE;
        }
        /* small limits so the limit paths are reached too */
        rd_mime_limits_init(&limits);
        limits.max_parts = 64;
        limits.max_depth = 12;
        limits.max_part_bytes = 256 * 1024;
        info = rd_mime_parse(data, size, &limits, &error);
        if (info != NULL) {
                /* what callers rely on, whatever the input */
                if (info->body_text == NULL || !g_utf8_validate(info->body_text, -1, NULL))
                        __builtin_trap();
                for (guint i = 0; i < info->attachments->len; i++) {
                        RdMimeAttachment *a = info->attachments->pdata[i];

                        if (a->filename != NULL &&
                            (strpbrk(a->filename, "/\\\r\n") != NULL || a->filename[0] == '.' ||
                             strlen(a->filename) > 100 || !g_utf8_validate(a->filename, -1, NULL)))
                                __builtin_trap();
                }
                rd_mime_info_free(info);
        } else if (error == NULL || error->domain != RD_MIME_ERROR) {
                __builtin_trap();
        }
        g_clear_error(&error);

        text = rd_html_to_text((const char *)data, size);
        if (!g_utf8_validate(text, -1, NULL))
                __builtin_trap();
        g_free(text);

        name = g_strndup((const char *)data, MIN(size, 512));
        g_free(rd_mime_sanitize_filename(name));
        g_free(name);
        return 0;
}
