/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "sink.h"

G_BEGIN_DECLS

/* Appends the pages of a PDF to @ctx: text layer or rendered and OCRed. */
gboolean rd_pages_read_pdf(RdPagesCtx *ctx, const guint8 *data, gsize len, GError **error);

G_END_DECLS
