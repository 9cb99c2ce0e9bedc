/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "parsers/pages/pages.h"

G_BEGIN_DECLS

#define RD_MIME_ERROR (rd_mime_error_quark())
GQuark rd_mime_error_quark(void);

typedef enum {
        RD_MIME_ERROR_EMPTY,          /* no bytes, or nothing but white space */
        RD_MIME_ERROR_MALFORMED,      /* not an RFC 5322 message at all */
        RD_MIME_ERROR_TOO_LARGE,      /* message or decoded part above its limit */
        RD_MIME_ERROR_TOO_DEEP,       /* multipart / message nesting above the limit */
        RD_MIME_ERROR_TOO_MANY_PARTS, /* more MIME entities than the limit */
        RD_MIME_ERROR_PAGE_LIMIT,     /* attachments hold more pages or time than allowed */
} RdMimeError;

/* Bounds on what one message may cost; rd_mime_limits_init() gives
 * defaults fit for referral mail (scanned attachments, forwards). */
typedef struct {
        guint max_message_bytes; /* whole message */
        guint max_parts;         /* MIME entities: multiparts, messages and leaves */
        guint max_depth;         /* multipart / message/rfc822 nesting */
        guint64 max_part_bytes;  /* one decoded part */
} RdMimeLimits;

void rd_mime_limits_init(RdMimeLimits *limits);

/* One attachment we can read pages from. */
typedef struct {
        char *part_path;  /* owned: IMAP section number, "1", "2.1", ... (RFC 3501 6.4.5) */
        char *filename;   /* owned, may be NULL: sanitised (no path, no control characters,
                           * no leading dots, at most 100 bytes, valid UTF-8) */
        char *media_type; /* owned: by content (rd_sniff_media_type), else as declared */
        GBytes *data;     /* owned: the decoded bytes */
} RdMimeAttachment;

void rd_mime_attachment_free(RdMimeAttachment *attachment);

/* What was understood from one message.  Text fields are valid UTF-8. */
typedef struct {
        char *from_addr;        /* bare addr-spec of From, domain lower-cased; may be NULL */
        char *from_name;        /* display name of From; may be NULL */
        char *reply_to;         /* bare addr-spec of Reply-To; may be NULL */
        char *subject;          /* decoded; may be NULL */
        char *date_iso;         /* "YYYY-MM-DD" of the outermost Date, in its own zone, or NULL */
        gint64 date_unix;       /* 0 if none */
        char *message_id;       /* without <>; may be NULL */
        char *in_reply_to;      /* without <>; may be NULL */
        GPtrArray *references;  /* char*, without <>, in header order; never NULL */
        gboolean auto_submitted;/* RFC 3834 automatic message: never reply to it */
        char *body_text;        /* text for a reader, never NULL (may be "") */
        GPtrArray *attachments; /* RdMimeAttachment*, MIME order, depth first; never NULL */
        guint skipped_parts;    /* leaves that are neither body text nor a readable attachment */
        guint n_parts;          /* MIME entities walked */
        guint n_forwarded;      /* message/rfc822 parts walked */
} RdMimeInfo;

/* Safe to call any number of times, from any thread. */
void rd_mime_init(void);

/* Parses one RFC 5322 message.  @limits may be NULL for the defaults.
 * Returns: (transfer full): the info, or NULL with @error (RD_MIME_ERROR) set. */
RdMimeInfo *rd_mime_parse(const guint8 *data, gsize len, const RdMimeLimits *limits,
                          GError **error);
void rd_mime_info_free(RdMimeInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdMimeInfo, rd_mime_info_free)

/* Pages of an email, as the contract numbers them: the body is page 0
 * (method RD_PAGE_METHOD_BODY, source_part "body"); attachment pages
 * follow, 1-based over all attachments in MIME order, each with its part
 * path as source_part, read by rd_pages_read().  @read_limits (NULL for
 * defaults) bound the whole item: max_pages and time_budget_ms are shared
 * by all attachments.  On an attachment that cannot be read, the next one
 * is still read and the first error is reported at the end; pages read
 * stay appended to @ret_pages.  @ret_info (nullable) receives the parsed
 * message (transfer full) whenever parsing succeeded, even if reading an
 * attachment then failed.  Errors: RD_MIME_ERROR, RD_PAGES_ERROR, RD_OCR_ERROR. */
gboolean rd_mime_read_pages(const guint8 *data, gsize len, const RdReadLimits *read_limits,
                            RdOcrEngine *ocr, GPtrArray *ret_pages, RdMimeInfo **ret_info,
                            GError **error);

/* The Message-ID of a message, from its header block alone (at most the
 * first 256 KB), read by GMime's header grammar: folded onto a
 * continuation line, with comments, with or without angle brackets.
 * Returns: (transfer full) (nullable): the id without <>, or NULL when
 * absent or unusable (white space, control or non-ASCII characters
 * inside, longer than 500 bytes). */
char *rd_mime_message_id(const guint8 *data, gsize len);

/* Makes a MIME file name safe to show and to store: the last path
 * component only, control and bidi-override characters removed, no
 * leading dots or white space, valid UTF-8, at most 100 bytes (keeping
 * a short extension).  Returns: (transfer full) (nullable). */
char *rd_mime_sanitize_filename(const char *name);

G_END_DECLS
