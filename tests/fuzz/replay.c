/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The main() of a fuzz target built without libFuzzer: it replays the
 * target's seed corpus (tests/fuzz/RD_FUZZ_CORPUS, or the files and
 * folders given) through LLVMFuzzerTestOneInput, as an ordinary test. */
#include <glib.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

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
                        fprintf(stderr, "usage: %s FILE|DIR... (or set RD_SOURCE_ROOT)\n", argv[0]);
                        return 2;
                }
                corpus = g_build_filename(root, "tests", "fuzz", RD_FUZZ_CORPUS, NULL);
                if (replay(corpus, &count) != 0)
                        return 1;
        }
        printf("replayed %u inputs\n", count);
        return count > 0 ? 0 : 1;
}
