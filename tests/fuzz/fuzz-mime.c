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

#ifndef RD_FUZZING
/* Replays every file of the directories (or files) given, or of
 * $RD_SOURCE_ROOT/tests/fuzz/corpus when none is given. */
static int
replay(const char *path, guint *count)
{
        g_autoptr(GError) error = NULL;
        GDir *dir;
        const char *name;

        if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
                dir = g_dir_open(path, 0, &error);
                if (dir == NULL) {
                        fprintf(stderr, "%s\n", error->message);
                        return 1;
                }
                while ((name = g_dir_read_name(dir)) != NULL) {
                        g_autofree char *child = g_build_filename(path, name, NULL);

                        if (replay(child, count) != 0) {
                                g_dir_close(dir);
                                return 1;
                        }
                }
                g_dir_close(dir);
                return 0;
        } else {
                g_autofree char *data = NULL;
                gsize len;

                if (!g_file_get_contents(path, &data, &len, &error)) {
                        fprintf(stderr, "%s\n", error->message);
                        return 1;
                }
                LLVMFuzzerTestOneInput((const guint8 *)data, len);
                (*count)++;
                return 0;
        }
}

int
main(int argc, char **argv)
{
        g_autofree char *corpus = NULL;
        guint count = 0;

        if (argc > 1) {
                for (int i = 1; i < argc; i++)
                        if (replay(argv[i], &count) != 0)
                                return 1;
        } else {
                const char *root = g_getenv("RD_SOURCE_ROOT");

                if (root == NULL) {
                        fprintf(stderr, "usage: fuzz-mime FILE|DIR... (or set RD_SOURCE_ROOT)\n");
                        return 2;
                }
                corpus = g_build_filename(root, "tests", "fuzz", "corpus", NULL);
                if (replay(corpus, &count) != 0)
                        return 1;
        }
        printf("replayed %u inputs\n", count);
        return count > 0 ? 0 : 1;
}
#endif
