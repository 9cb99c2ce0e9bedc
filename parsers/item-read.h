/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "parsers/understand/extract.h"
#include "parsers/pages/pages.h"

G_BEGIN_DECLS

/* What is known about an inbound item besides its pages. */
typedef struct {
        const char *media_type; /* static: by content */
        char *channel;          /* "fax" | "email" (owned, as all below) */
        char *received;         /* ISO date of an email's Date, or NULL */
        char *subject, *from, *message_id, *in_reply_to;
        char *reply_to;         /* bare address of Reply-To, or NULL */
        GPtrArray *references;  /* char* Message-IDs without <>, or NULL */
        gboolean auto_submitted;
        GPtrArray *attachment_names; /* char*: sanitised file names of an email's attachments, or NULL */
} RdItemMeta;

void rd_item_meta_clear(RdItemMeta *meta);

/* Pages of one inbound item, whatever its kind: a fax file (PDF, TIFF,
 * image) or an email (body page 0, then its attachments).  On error the
 * pages read before it stay appended, so a caller can keep what was read. */
gboolean rd_item_read(const guint8 *data, gsize len, const RdReadLimits *limits, RdOcrEngine *ocr,
                      GPtrArray *ret_pages, RdItemMeta *ret_meta, GError **error);

/* The extract metadata view of @meta (borrows its strings). */
RdExtractMeta rd_item_meta_for_extract(const RdItemMeta *meta);

G_END_DECLS
