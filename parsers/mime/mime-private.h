/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the files of parsers/mime/ only: the walk (mime.c) uses the
 * text decoders (mime-text.c) and the header readers (mime-headers.c). */
#pragma once

#include <glib.h>
#include <gmime/gmime.h>

#include "mime.h"

G_BEGIN_DECLS

/* mime-text.c */
char *rd_mime_clean_header_text(const char *value);
char *rd_mime_decode_header_text(const char *raw);
char *rd_mime_text_to_utf8(const guint8 *data, gsize len, const char *charset);
char *rd_mime_unflow_text(const char *text, gboolean delsp);

/* mime-headers.c */
char *rd_mime_mailbox_addr(InternetAddressList *list);
char *rd_mime_mailbox_name(InternetAddressList *list);
char *rd_mime_header_text(GMimeObject *obj, const char *name);
gboolean rd_mime_is_report_type(const char *type, const char *subtype);
void rd_mime_fill_headers(RdMimeInfo *info, GMimeMessage *message, GMimeParserOptions *options);

G_END_DECLS
