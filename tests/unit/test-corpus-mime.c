/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parsers/mime/mime.h"

/* Every message of $RD_SHARED_DIR/corpus/mime (public test files of other
 * MIME libraries: broken boundaries, TNEF, bounces, odd charsets...) must
 * be parsed or rejected with a clear RD_MIME_ERROR.  Each runs in a forked
 * child under a memory and time limit, so a crash or a hang fails the
 * test case named after the file instead of the whole program. */

#if defined(__SANITIZE_ADDRESS__)
#define RD_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RD_HAVE_ASAN 1
#endif
#endif

enum {
        RD_CHILD_PARSED = 0,
        RD_CHILD_REJECTED = 10,
        RD_CHILD_UNCLEAR = 20,
        RD_CHILD_UNREADABLE = 30,
};

static guint n_parsed, n_rejected;

static int
child_main(const char *path)
{
        g_autofree char *data = NULL;
        g_autoptr(GError) error = NULL;
        RdMimeInfo *info;
        gsize len;

#ifndef RD_HAVE_ASAN
        /* ASan reserves terabytes of address space: no RLIMIT_AS there */
        struct rlimit rl = { 1024UL * 1024 * 1024, 1024UL * 1024 * 1024 };

        setrlimit(RLIMIT_AS, &rl);
#endif
        alarm(10);
        if (!g_file_get_contents(path, &data, &len, NULL))
                return RD_CHILD_UNREADABLE;
        info = rd_mime_parse((const guint8 *)data, len, NULL, &error);
        if (info == NULL) {
                /* a clear error: our domain, a message, no final period */
                if (error == NULL || error->domain != RD_MIME_ERROR || error->message[0] == '\0' ||
                    g_str_has_suffix(error->message, "."))
                        return RD_CHILD_UNCLEAR;
                return RD_CHILD_REJECTED + error->code;
        }
        /* what a parsed message promises, checked in the child */
        if (info->body_text == NULL || !g_utf8_validate(info->body_text, -1, NULL))
                return RD_CHILD_UNCLEAR;
        for (guint i = 0; i < info->attachments->len; i++) {
                RdMimeAttachment *a = info->attachments->pdata[i];

                if (a->filename != NULL &&
                    (strpbrk(a->filename, "/\\\r\n") != NULL || a->filename[0] == '.'))
                        return RD_CHILD_UNCLEAR;
        }
        rd_mime_info_free(info);
        return RD_CHILD_PARSED;
}

static void
test_file(gconstpointer data)
{
        const char *path = data;
        int status = 0;
        pid_t pid;

        fflush(stdout);
        fflush(stderr);
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0)
                _exit(child_main(path));
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        if (WIFSIGNALED(status)) {
                g_test_message("%s: killed by signal %d%s", path, WTERMSIG(status),
                               WTERMSIG(status) == SIGALRM ? " (hang: over 10 s)" : "");
                g_test_fail();
                return;
        }
        g_assert_true(WIFEXITED(status));
        switch (WEXITSTATUS(status)) {
        case RD_CHILD_PARSED:
                n_parsed++;
                return;
        case RD_CHILD_UNCLEAR:
                g_test_message("%s: rejected without a clear mime error", path);
                g_test_fail();
                return;
        case RD_CHILD_UNREADABLE:
                g_test_message("%s: cannot read the file", path);
                g_test_fail();
                return;
        default:
                if (WEXITSTATUS(status) >= RD_CHILD_REJECTED &&
                    WEXITSTATUS(status) < RD_CHILD_UNCLEAR) {
                        n_rejected++;
                        g_test_message("%s: rejected, code %d", path,
                                       WEXITSTATUS(status) - RD_CHILD_REJECTED);
                        return;
                }
                /* ASan/UBSan report and exit non-zero */
                g_test_message("%s: child exited with %d", path, WEXITSTATUS(status));
                g_test_fail();
        }
}

static void
test_summary(void)
{
        g_test_message("corpus: %u parsed, %u rejected", n_parsed, n_rejected);
        g_assert_cmpuint(n_parsed + n_rejected, >, 0);
        /* most of the corpus is real mail: a parser rejecting it all is broken */
        g_assert_cmpuint(n_parsed, >, n_rejected);
}

static int
compare_paths(gconstpointer a, gconstpointer b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
        const char *shared = g_getenv("RD_SHARED_DIR");
        g_autofree char *dir = NULL;
        g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GDir) d = NULL;
        const char *name;

        g_test_init(&argc, &argv, NULL);
        rd_mime_init();
        if (shared != NULL)
                dir = g_build_filename(shared, "corpus", "mime", NULL);
        if (dir == NULL || (d = g_dir_open(dir, 0, NULL)) == NULL) {
                printf("1..0 # SKIP RD_SHARED_DIR/corpus/mime not found\n");
                return 77;
        }
        while ((name = g_dir_read_name(d)) != NULL)
                g_ptr_array_add(paths, g_build_filename(dir, name, NULL));
        g_ptr_array_sort(paths, compare_paths);
        for (guint i = 0; i < paths->len; i++) {
                const char *path = paths->pdata[i];
                g_autofree char *base = g_path_get_basename(path);
                g_autofree char *test = g_strdup_printf("/corpus-mime/%s", base);

                g_test_add_data_func(test, path, test_file);
        }
        g_test_add_func("/corpus-mime/summary", test_summary);
        return g_test_run();
}
