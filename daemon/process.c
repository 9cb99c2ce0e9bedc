/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <gio/gio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "process.h"
#include "sniff.h"

#define LOG_DOMAIN "rd-worker"

struct RdProcessor {
        const RdConfig *config; /* borrowed */
        gboolean faults;        /* RD_TEST_FAULTS: honour fault markers (tests only) */
};

struct RdProcessResult {
        char *media_type;
};

RdProcessor *
rd_processor_new(const RdConfig *config, GError **error)
{
        RdProcessor *self = g_new0(RdProcessor, 1);

        (void)error;
        self->config = config;
        self->faults = g_strcmp0(g_getenv("RD_TEST_FAULTS"), "1") == 0;
        return self;
}

void
rd_processor_free(RdProcessor *self)
{
        g_free(self);
}

void
rd_process_result_free(RdProcessResult *result)
{
        if (result == NULL)
                return;
        g_free(result->media_type);
        g_free(result);
}

/* Test-only fault injection, enabled by RD_TEST_FAULTS=1 in the daemon's
 * environment: a file carrying a marker makes its worker crash, blow its
 * memory limit or hang, as a hostile file could with a C library. */
static void
maybe_inject_fault(RdProcessor *self, GBytes *raw)
{
        gsize len;
        const char *data = g_bytes_get_data(raw, &len);
        const char *marker = data ? g_strstr_len(data, MIN(len, 4096), "RD-TEST-FAULT:") : NULL;

        if (!self->faults || marker == NULL)
                return;
        marker += strlen("RD-TEST-FAULT:");
        if (g_str_has_prefix(marker, "segv")) {
                raise(SIGSEGV);
        } else if (g_str_has_prefix(marker, "oom")) {
                for (;;) {
                        /* plain malloc: g_malloc would abort before touching */
                        char *p = malloc(64 << 20);

                        if (p == NULL)
                                abort();
                        memset(p, 1, 64 << 20);
                }
        } else if (g_str_has_prefix(marker, "hang")) {
                for (;;)
                        pause();
        } else if (g_str_has_prefix(marker, "slow")) {
                g_usleep(3 * G_USEC_PER_SEC);
        }
}

RdProcessResult *
rd_processor_run(RdProcessor *self, const RdLeasedItem *item, GError **error)
{
        gsize len;
        const guint8 *data = g_bytes_get_data(item->raw, &len);
        const char *media = rd_sniff_media_type(data, len);
        RdProcessResult *result;

        maybe_inject_fault(self, item->raw);
        if (media == NULL) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a PDF, TIFF, PNG or JPEG file");
                return NULL;
        }
        result = g_new0(RdProcessResult, 1);
        result->media_type = g_strdup(media);
        return result;
}

gboolean
rd_processor_store(RdProcessor *self, RdDb *db, const RdLeasedItem *item, const RdProcessResult *result,
                   const char *worker, GError **error)
{
        g_autofree char *detail = g_strdup_printf("{\"media_type\": \"%s\"}", result->media_type);

        (void)self;
        if (!rd_db_begin(db, error))
                return FALSE;
        if (!rd_db_mark_done(db, item->id, worker, detail, error)) {
                rd_db_rollback(db);
                return FALSE;
        }
        return rd_db_commit(db, error);
}
