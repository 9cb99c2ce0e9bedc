/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Install the log writer: the journal when stderr is connected to it
 * ($JOURNAL_STREAM), otherwise plain lines on stderr.  sd_journal_send()
 * drops messages silently when there is no journald, so never rely on it
 * alone.  `verbose` also shows debug messages. */
void rd_log_init(const char *ident, gboolean verbose);
/* Whether debug messages are shown (-v): children are told the same. */
gboolean rd_log_is_verbose(void);

/* Structured messages.  Never pass patient data: ids, counts, codes only. */
#define rd_log_info(domain, item_id, ...) \
        rd_log_full(domain, G_LOG_LEVEL_INFO, item_id, __VA_ARGS__)
#define rd_log_warning(domain, item_id, ...) \
        rd_log_full(domain, G_LOG_LEVEL_WARNING, item_id, __VA_ARGS__)
#define rd_log_debug(domain, item_id, ...) \
        rd_log_full(domain, G_LOG_LEVEL_DEBUG, item_id, __VA_ARGS__)
/* G_LOG_LEVEL_CRITICAL: not "error", which aborts in GLib */
#define rd_log_err(domain, item_id, ...) \
        rd_log_full(domain, G_LOG_LEVEL_CRITICAL, item_id, __VA_ARGS__)

void rd_log_full(const char *domain, GLogLevelFlags level, gint64 item_id, const char *format, ...)
        G_GNUC_PRINTF(4, 5);

G_END_DECLS
