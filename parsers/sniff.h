/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Media type of an inbound file decided by its content, never its name.
 * Returns a static string ("application/pdf", "image/tiff", "image/png",
 * "image/jpeg", "message/rfc822") or NULL when it is none we accept. */
const char *rd_sniff_media_type(const guint8 *data, gsize len);

G_END_DECLS

G_BEGIN_DECLS
/* A cheap check that a file of this media type was not cut short (a fax
 * gateway that died mid-write, a partial copy).  Returns NULL when it looks
 * whole, else a static reason. */
const char *rd_sniff_truncation(const guint8 *data, gsize len, const char *media_type);
G_END_DECLS
