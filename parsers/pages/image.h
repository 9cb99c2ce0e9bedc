/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "sink.h"

G_BEGIN_DECLS

/* Appends the pages of a (multi-page) TIFF to @ctx, OCRed. */
gboolean rd_pages_read_tiff(RdPagesCtx *ctx, const guint8 *data, gsize len, GError **error);
/* Appends the one page of a PNG or JPEG to @ctx, OCRed. */
gboolean rd_pages_read_image(RdPagesCtx *ctx, const guint8 *data, gsize len, GError **error);

G_END_DECLS
