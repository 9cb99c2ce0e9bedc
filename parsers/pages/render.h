/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One page of a fax file drawn as a PNG for people to look at: the same
 * formats and limits as the page reader, no OCR. */
#pragma once

#include "pages.h"

G_BEGIN_DECLS

/* Page @index (0-based) of a PDF, TIFF, PNG or JPEG file as a PNG at most
 * @max_width pixels wide (never enlarged; a standard-resolution fax is
 * stretched to square pixels).  Limits as rd_pages_read(), NULL for the
 * defaults.  Errors: RD_PAGES_ERROR. */
GBytes *rd_pages_render_png(const guint8 *data, gsize len, guint index, guint max_width,
                            const RdReadLimits *limits, GError **error);

G_END_DECLS
