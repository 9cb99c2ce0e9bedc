/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: structured journal fields, or stderr lines, never patient data. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "referrald";
static gboolean log_verbose;
static gboolean log_journal;

static const char *
level_name(GLogLevelFlags level)
{
        if (level & G_LOG_LEVEL_ERROR)
                return "error";
        if (level & G_LOG_LEVEL_CRITICAL)
                return "error";
        if (level & G_LOG_LEVEL_WARNING)
                return "warning";
        if (level & G_LOG_LEVEL_MESSAGE)
                return "notice";
        if (level & G_LOG_LEVEL_INFO)
                return "info";
        return "debug";
}

static GLogWriterOutput
rd_log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
        const char *message = NULL, *domain = NULL, *item = NULL;

        (void)user_data;
        if ((level & G_LOG_LEVEL_DEBUG) && !log_verbose)
                return G_LOG_WRITER_HANDLED;
        if (log_journal && g_log_writer_journald(level, fields, n_fields, NULL) == G_LOG_WRITER_HANDLED)
                return G_LOG_WRITER_HANDLED;

        for (gsize i = 0; i < n_fields; i++) {
                if (strcmp(fields[i].key, "MESSAGE") == 0)
                        message = fields[i].value;
                else if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0)
                        domain = fields[i].value;
                else if (strcmp(fields[i].key, "RD_ITEM_ID") == 0)
                        item = fields[i].value;
        }
        if (item != NULL)
                fprintf(stderr, "%s[%d]: %s: %s: item %s: %s\n", log_ident, (int)getpid(),
                        level_name(level), domain ? domain : "rd", item, message ? message : "");
        else
                fprintf(stderr, "%s[%d]: %s: %s: %s\n", log_ident, (int)getpid(), level_name(level),
                        domain ? domain : "rd", message ? message : "");
        fflush(stderr);
        return G_LOG_WRITER_HANDLED;
}

gboolean
rd_log_is_verbose(void)
{
        return log_verbose;
}

void
rd_log_init(const char *ident, gboolean verbose)
{
        static gboolean installed;

        log_ident = ident;
        log_verbose = verbose;
        log_journal = g_log_writer_is_journald(fileno(stderr));
        if (!installed) {
                g_log_set_writer_func(rd_log_writer, NULL, NULL);
                installed = TRUE;
        }
}

void
rd_log_full(const char *domain, GLogLevelFlags level, gint64 item_id, const char *format, ...)
{
        g_autofree char *message = NULL;
        char item_buf[24];
        va_list ap;
        GLogField fields[5];
        gsize n = 0;

        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);

        fields[n++] = (GLogField){ "MESSAGE", message, -1 };
        fields[n++] = (GLogField){ "PRIORITY",
                                   (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) ? "3" :
                                   (level & G_LOG_LEVEL_WARNING)                        ? "4" :
                                   (level & G_LOG_LEVEL_INFO)                           ? "6" :
                                                                                          "7",
                                   -1 };
        fields[n++] = (GLogField){ "GLIB_DOMAIN", domain, -1 };
        fields[n++] = (GLogField){ "SYSLOG_IDENTIFIER", log_ident, -1 };
        if (item_id > 0) {
                g_snprintf(item_buf, sizeof item_buf, "%" G_GINT64_FORMAT, item_id);
                fields[n++] = (GLogField){ "RD_ITEM_ID", item_buf, -1 };
        }
        g_log_structured_array(level, fields, n);
}
