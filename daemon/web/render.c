/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Page pictures: the web process never decodes a fax itself.  Each
 * picture is drawn by a short-lived child (`referrald --render-page`,
 * a fresh exec, not a fork of the threaded web process) under CPU, memory,
 * file and time limits; the web process only relays its PNG. */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon/base/log.h"
#include "daemon/base/sanitizer.h"
#include "parsers/mime/mime.h"
#include "parsers/pages/render.h"
#include "parsers/sniff.h"
#include "web-private.h"

#define THUMB_WIDTH 220
#define LARGE_WIDTH 1400
#define RENDER_SECONDS 30

typedef struct {
        SoupServerMessage *msg; /* reffed, paused */
        GSubprocess *proc;      /* owned */
        guint timeout;          /* kills a child that overstays */
        gint64 referral_id;
        gint64 started;         /* the request's, for Server-Timing */
} RdRenderJob;

static void
child_limits(gpointer data)
{
        /* fsize: no big file, but room for a message when stderr is a
         * log file (0 would kill the child with SIGXFSZ on its first line) */
        struct rlimit cpu = { 20, 20 }, fsize = { 1 << 20, 1 << 20 }, core = { 0, 0 };

        (void)data;
        /* async-signal-safe calls only: this runs between fork and exec */
        setrlimit(RLIMIT_CPU, &cpu);
        setrlimit(RLIMIT_FSIZE, &fsize);
        setrlimit(RLIMIT_CORE, &core);
#ifndef RD_ASAN
        {
                struct rlimit as = { 1ULL << 30, 1ULL << 30 };

                setrlimit(RLIMIT_AS, &as);
        }
#endif
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

static gboolean
on_render_timeout(gpointer data)
{
        RdRenderJob *job = data;

        job->timeout = 0;
        g_subprocess_force_exit(job->proc);
        return G_SOURCE_REMOVE;
}

static void
on_rendered(GObject *source, GAsyncResult *result, gpointer data)
{
        RdRenderJob *job = data;
        g_autoptr(GBytes) out = NULL;
        g_autoptr(GError) error = NULL;
        SoupMessageHeaders *h = soup_server_message_get_response_headers(job->msg);

        if (job->timeout)
                g_source_remove(job->timeout);
        if (!g_subprocess_communicate_finish(G_SUBPROCESS(source), result, &out, NULL, &error) ||
            !g_subprocess_get_if_exited(job->proc) || g_subprocess_get_exit_status(job->proc) != 0 || out == NULL ||
            g_bytes_get_size(out) < 8) {
                rd_log_warning(RD_WEB_LOG, 0, "referral %" G_GINT64_FORMAT ": a page could not be drawn%s%s",
                               job->referral_id, error ? ": " : "", error ? error->message : "");
                soup_message_headers_replace(h, "Cache-Control", "no-store");
                soup_server_message_set_status(job->msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, NULL);
                soup_server_message_set_response(job->msg, "text/plain", SOUP_MEMORY_STATIC,
                                                 "page cannot be drawn\n", 21);
        } else {
                /* a stored item never changes: the same URL is the same picture */
                soup_message_headers_replace(h, "Cache-Control", "private, max-age=600");
                soup_server_message_set_status(job->msg, SOUP_STATUS_OK, NULL);
                soup_server_message_set_response(job->msg, "image/png", SOUP_MEMORY_COPY,
                                                 g_bytes_get_data(out, NULL), g_bytes_get_size(out));
        }
        rd_web_server_timing(job->msg, job->started);
        soup_server_message_unpause(job->msg);
        g_object_unref(job->msg);
        g_object_unref(job->proc);
        g_free(job);
}

void
rd_web_page_image(RdWebRequest *req, gint64 id, gint64 item, guint number, gboolean large)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) raw = NULL;
        g_autofree char *media = NULL, *part = NULL, *index = NULL, *width = NULL;
        g_autoptr(GSubprocessLauncher) launcher = NULL;
        RdRenderJob *job;
        guint at = 0;

        if (!rd_db_web_page_source(req->web->db, id, item, number, &raw, &media, &part, &at, &error)) {
                rd_web_fail(req, "page picture", error);
                return;
        }
        if (raw == NULL) {
                rd_web_send_text(req, SOUP_STATUS_NOT_FOUND, "No such page.\n");
                return;
        }
        index = g_strdup_printf("%u", at);
        width = g_strdup_printf("%u", large ? LARGE_WIDTH : THUMB_WIDTH);
        launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
        g_subprocess_launcher_set_child_setup(launcher, child_limits, NULL, NULL);
        job = g_new0(RdRenderJob, 1);
        job->referral_id = id;
        job->started = req->started;
        job->proc = g_subprocess_launcher_spawn(launcher, &error, req->web->exe, "--render-page", part, index, width,
                                                NULL);
        if (job->proc == NULL) {
                g_free(job);
                rd_web_fail(req, "starting the page drawing child", error);
                return;
        }
        job->msg = g_object_ref(req->msg);
        soup_server_message_pause(req->msg);
        job->timeout = g_timeout_add_seconds(RENDER_SECONDS, on_render_timeout, job);
        g_subprocess_communicate_async(job->proc, raw, NULL, on_rendered, job);
}

static GBytes *
read_stdin(gsize limit)
{
        g_autoptr(GByteArray) buf = g_byte_array_new();
        guint8 chunk[65536];
        ssize_t n;

        while ((n = read(STDIN_FILENO, chunk, sizeof chunk)) > 0) {
                if (buf->len + (gsize)n > limit)
                        return NULL;
                g_byte_array_append(buf, chunk, (guint)n);
        }
        return n < 0 ? NULL : g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

/* The fax file holding the page: the item itself, or for an email the
 * attachment at MIME part @part. */
static GBytes *
page_file(GBytes *item, const char *part, GError **error)
{
        gsize len;
        const guint8 *data = g_bytes_get_data(item, &len);
        g_autoptr(RdMimeInfo) info = NULL;

        if (g_strcmp0(rd_sniff_media_type(data, len), "message/rfc822") != 0)
                return g_bytes_ref(item);
        rd_mime_init();
        info = rd_mime_parse(data, len, NULL, error);
        if (info == NULL)
                return NULL;
        for (guint i = 0; i < info->attachments->len; i++) {
                RdMimeAttachment *a = g_ptr_array_index(info->attachments, i);

                if (strcmp(a->part_path, part) == 0)
                        return g_bytes_ref(a->data);
        }
        g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_EMPTY, "no such attachment");
        return NULL;
}

int
rd_web_render_main(int argc, char **argv)
{
        g_autoptr(GBytes) item = NULL, file = NULL, png = NULL;
        g_autoptr(GError) error = NULL;
        guint64 index, width;
        gsize len;
        const guint8 *data;

        if (argc != 5 || !g_ascii_string_to_unsigned(argv[3], 10, 0, 10000, &index, NULL) ||
            !g_ascii_string_to_unsigned(argv[4], 10, 16, 4000, &width, NULL)) {
                fprintf(stderr, "usage: referrald --render-page PART INDEX WIDTH < item > page.png\n");
                return 2;
        }
        item = read_stdin(1ULL << 30);
        if (item == NULL) {
                fprintf(stderr, "referrald --render-page: cannot read the item\n");
                return 1;
        }
        file = page_file(item, argv[2], &error);
        if (file != NULL) {
                data = g_bytes_get_data(file, &len);
                png = rd_pages_render_png(data, len, (guint)index, (guint)width, NULL, &error);
        }
        if (png == NULL) {
                fprintf(stderr, "referrald --render-page: %s\n", error->message);
                return 1;
        }
        data = g_bytes_get_data(png, &len);
        return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
}
