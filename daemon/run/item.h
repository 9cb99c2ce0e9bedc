/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"
#include "daemon/store/db.h"

G_BEGIN_DECLS

/* What a worker does with one leased item: read it (pages), understand it
 * (referral), and store the result with the item's state in one
 * transaction.  Owns the per-process OCR handle. */
typedef struct RdProcessor RdProcessor;
typedef struct RdProcessResult RdProcessResult;

RdProcessor *rd_processor_new(const RdConfig *config, GError **error);
void rd_processor_free(RdProcessor *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdProcessor, rd_processor_free)

/* *ret_permanent: the error is in the bytes (encrypted, not a fax): no retry. */
RdProcessResult *rd_processor_run(RdProcessor *self, const RdLeasedItem *item, gboolean *ret_permanent,
                                  GError **error);
void rd_process_result_free(RdProcessResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdProcessResult, rd_process_result_free)

gboolean rd_processor_store(RdProcessor *self, RdDb *db, const RdLeasedItem *item,
                            const RdProcessResult *result, const char *worker, GError **error);

G_END_DECLS
