/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Page-reading benchmark driver for ocr-bench.sh.
 *   bench-pages ocr FILE...           one engine, one thread: ms per page
 *   bench-pages workers N FILE...     N worker processes share the files:
 *                                     wall time, pages/s, peak RSS of a worker
 *   bench-pages text SECONDS FILE...  text-layer pages/s (no OCR engine)  */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parsers/pages/pages.h"

static guint
read_file(const char *path, RdOcrEngine *ocr, guint64 *ocr_us)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autofree char *data = NULL;
        gsize len = 0;

        if (!g_file_get_contents(path, &data, &len, &error)) {
                g_printerr("bench-pages: %s: %s\n", path, error->message);
                exit(1);
        }
        if (!rd_pages_read((const guint8 *)data, len, "file", 1, NULL, ocr, pages, &error)) {
                g_printerr("bench-pages: %s: %s\n", path, error->message);
                exit(1);
        }
        for (guint i = 0; ocr_us != NULL && i < pages->len; i++)
                *ocr_us += (guint64)((RdPage *)pages->pdata[i])->ms * 1000;
        return pages->len;
}

static int
bench_ocr(int n, char **files)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdOcrEngine) ocr = rd_ocr_engine_new(&error);
        guint64 us = 0;
        guint pages = 0, osd = 0, rotated = 0;

        if (ocr == NULL) {
                g_printerr("bench-pages: %s\n", error->message);
                return 1;
        }
        for (int i = 0; i < n; i++)
                pages += read_file(files[i], ocr, &us);
        rd_ocr_engine_get_stats(ocr, NULL, &osd, &rotated);
        printf("ocr_pages=%u ocr_ms_per_page=%.0f osd_runs=%u rotated=%u\n", pages,
               us / 1000.0 / MAX(pages, 1), osd, rotated);
        return 0;
}

static int
bench_workers(guint workers, int n, char **files)
{
        gint64 start = g_get_monotonic_time();
        g_autofree int *fds = g_new0(int, MAX(workers, 1));
        struct rusage ru;
        guint pages = 0;
        double wall;
        int status;

        for (guint w = 0; w < workers; w++) {
                int pair[2];
                pid_t pid;

                if (pipe(pair) != 0)
                        return 1;
                fflush(stdout);
                pid = fork();
                if (pid < 0)
                        return 1;
                if (pid == 0) {
                        /* a worker: its own engine, every workers-th file */
                        g_autoptr(RdOcrEngine) ocr = rd_ocr_engine_new(NULL);
                        guint count = 0;

                        close(pair[0]);
                        for (int i = (int)w; i < n; i += (int)workers)
                                count += read_file(files[i], ocr, NULL);
                        if (write(pair[1], &count, sizeof(count)) != sizeof(count))
                                _exit(1);
                        _exit(0);
                }
                close(pair[1]);
                fds[w] = pair[0];
        }
        for (guint w = 0; w < workers; w++) {
                guint got = 0;

                if (read(fds[w], &got, sizeof(got)) == sizeof(got))
                        pages += got;
                close(fds[w]);
        }
        while (wait(&status) > 0)
                ;
        wall = (g_get_monotonic_time() - start) / 1e6;
        getrusage(RUSAGE_CHILDREN, &ru);
        printf("workers=%u pages=%u wall_s=%.2f pages_per_s=%.3f peak_rss_mb=%.0f\n", workers,
               pages, wall, pages / wall, ru.ru_maxrss / 1024.0);
        return 0;
}

static int
bench_text(double seconds, int n, char **files)
{
        gint64 start = g_get_monotonic_time();
        guint pages = 0;
        double elapsed;

        do {
                for (int i = 0; i < n; i++)
                        pages += read_file(files[i], NULL, NULL);
                elapsed = (g_get_monotonic_time() - start) / 1e6;
        } while (elapsed < seconds);
        printf("text_pages=%u text_s=%.2f text_pages_per_s=%.1f\n", pages, elapsed,
               pages / elapsed);
        return 0;
}

int
main(int argc, char **argv)
{
        if (argc >= 3 && g_str_equal(argv[1], "ocr"))
                return bench_ocr(argc - 2, argv + 2);
        if (argc >= 4 && g_str_equal(argv[1], "workers"))
                return bench_workers((guint)atoi(argv[2]), argc - 3, argv + 3);
        if (argc >= 4 && g_str_equal(argv[1], "text"))
                return bench_text(g_ascii_strtod(argv[2], NULL), argc - 3, argv + 3);
        g_printerr("usage: bench-pages ocr FILE... | workers N FILE... | text SECONDS FILE...\n");
        return 2;
}
