/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The walk of a message: GMimeMessage -> RdMimeInfo, within the limits.
 * No I/O: bytes in, struct and GError out.  GMime does the MIME grammar;
 * this file decides what a reader of a referral needs: which text is "the
 * body", which parts are documents we can read pages from (at any depth,
 * forwarded messages included, in MIME order), and whether the message
 * was sent by a machine (with the headers of mime-headers.c). */
#include <string.h>

#include <gmime/gmime.h>

#include "html-text.h"
#include "mime-private.h"
#include "parsers/sniff.h"

G_DEFINE_QUARK(rd-mime-error-quark, rd_mime_error)

/* decorative inline images (logos in signatures) are smaller than this */
#define RD_MIME_DECORATIVE_BYTES (20 * 1024)

void
rd_mime_limits_init(RdMimeLimits *limits)
{
        /* 25 MB of attachments, base64-encoded, is ~35 MB on the wire */
        limits->max_message_bytes = 64u * 1024 * 1024;
        limits->max_parts = 100;
        limits->max_depth = 16;
        limits->max_part_bytes = 48u * 1024 * 1024;
}

void
rd_mime_init(void)
{
        static gsize once = 0;

        if (g_once_init_enter(&once)) {
                g_mime_init();
                g_once_init_leave(&once, 1);
        }
}

void
rd_mime_attachment_free(RdMimeAttachment *attachment)
{
        if (attachment == NULL)
                return;
        g_free(attachment->part_path);
        g_free(attachment->filename);
        g_free(attachment->media_type);
        g_clear_pointer(&attachment->data, g_bytes_unref);
        g_free(attachment);
}

void
rd_mime_info_free(RdMimeInfo *info)
{
        if (info == NULL)
                return;
        g_free(info->from_addr);
        g_free(info->from_name);
        g_free(info->reply_to);
        g_free(info->subject);
        g_free(info->date_iso);
        g_free(info->message_id);
        g_free(info->in_reply_to);
        g_clear_pointer(&info->references, g_ptr_array_unref);
        g_free(info->body_text);
        g_clear_pointer(&info->attachments, g_ptr_array_unref);
        g_free(info);
}

/* ---- the walk -------------------------------------------------------- */

typedef struct {
        GString *text;
        gboolean has_plain; /* text/plain contributed */
        gboolean has_html;  /* text/html contributed */
} RdBody;

typedef struct {
        const RdMimeLimits *limits;
        GMimeParserOptions *options; /* owned */
        RdMimeInfo *info;            /* borrowed: the result being filled */
        guint forward_level;         /* > 0 inside a forwarded message */
} RdWalk;

static void
body_init(RdBody *body)
{
        body->text = g_string_new(NULL);
        body->has_plain = body->has_html = FALSE;
}

static gboolean
text_is_blank(const char *s, gsize len)
{
        for (gsize i = 0; i < len; i++)
                if (!g_ascii_isspace(s[i]))
                        return FALSE;
        return TRUE;
}

/* Appends a block of text, separated from what came before by a blank line. */
static void
body_append(RdBody *body, const char *text)
{
        gsize len;

        /* leading and trailing blank lines are noise between blocks */
        while (*text == '\n' || *text == '\r')
                text++;
        len = strlen(text);
        while (len > 0 && g_ascii_isspace(text[len - 1]))
                len--;
        if (text_is_blank(text, len))
                return;
        while (body->text->len > 0 && g_ascii_isspace(body->text->str[body->text->len - 1]))
                g_string_truncate(body->text, body->text->len - 1);
        if (body->text->len > 0)
                g_string_append(body->text, "\n\n");
        g_string_append_len(body->text, text, (gssize)len);
}

static gboolean walk_entity(RdWalk *w, GMimeObject *obj, const char *path, guint depth,
                            gboolean in_related, RdBody *body, GError **error);

static gboolean
count_part(RdWalk *w, guint depth, GError **error)
{
        if (depth > w->limits->max_depth) {
                g_set_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_DEEP,
                            "mime nesting deeper than %u levels", w->limits->max_depth);
                return FALSE;
        }
        if (++w->info->n_parts > w->limits->max_parts) {
                g_set_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_MANY_PARTS,
                            "more than %u mime parts", w->limits->max_parts);
                return FALSE;
        }
        return TRUE;
}

/* Counts header lines that open a container (multipart or message types).
 * GMime nests up to 1024 levels before we see the tree, and compares
 * each "--" line with every boundary on its stack, so a message stacking
 * a thousand boundaries over megabytes of "--" lines costs seconds
 * (measured: 17 s for 18 MB): refuse it cheaply first.  Lines inside bodies are counted too, so this is an
 * upper bound of the containers GMime will build. */
static guint
count_container_headers(const guint8 *data, gsize len)
{
        static const char ct[] = "content-type:";
        gsize pos = 0;
        guint n = 0;

        while (pos < len) {
                const guint8 *line = data + pos;
                const guint8 *nl = memchr(line, '\n', len - pos);
                gsize llen = nl ? (gsize)(nl - line) : len - pos;

                if (llen >= sizeof ct - 1 &&
                    g_ascii_strncasecmp((const char *)line, ct, sizeof ct - 1) == 0) {
                        gsize k = pos + sizeof ct - 1;

                        /* the value may be folded onto the next line */
                        while (k < len && k < pos + llen + 64 && g_ascii_isspace(data[k]))
                                k++;
                        if ((len - k >= 10 &&
                             g_ascii_strncasecmp((const char *)data + k, "multipart/", 10) == 0) ||
                            (len - k >= 8 &&
                             g_ascii_strncasecmp((const char *)data + k, "message/", 8) == 0))
                                n++;
                }
                if (nl == NULL)
                        break;
                pos += llen + 1;
        }
        return n;
}

/* Returns the message and, in @ret_array, the array lent to GMime: free
 * it with g_byte_array_free(array, FALSE) after the message. */
static GMimeMessage *
parse_message(RdWalk *w, const guint8 *data, gsize len, guint parts_left, GByteArray **ret_array,
              GError **error)
{
        GMimeStream *stream;
        GMimeParser *parser;
        GMimeMessage *message;
        GMimeObject *top;
        GByteArray *array;

        *ret_array = NULL;
        if (len > G_MAXUINT) {
                g_set_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_LARGE,
                            "message larger than %u bytes", G_MAXUINT);
                return NULL;
        }
        if (count_container_headers(data, len) > parts_left) {
                g_set_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_MANY_PARTS,
                            "more than %u mime parts", w->limits->max_parts);
                return NULL;
        }
        /* a byte order mark from a text editor is not part of the message */
        if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
                data += 3;
                len -= 3;
        }
        /* an mbox "From " line (saved mail, some drop folders) is not a header */
        if (len >= 5 && memcmp(data, "From ", 5) == 0) {
                const guint8 *nl = memchr(data, '\n', len);

                if (nl != NULL) {
                        len -= (gsize)(nl + 1 - data);
                        data = nl + 1;
                }
        }
        /* GMime only reads the stream, and the message (with the
         * substreams its parts keep) is released before we return: lend
         * it our bytes instead of copying a message of tens of MB */
        array = g_byte_array_new_take((guint8 *)data, len);
        stream = g_mime_stream_mem_new_with_byte_array(array);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
        parser = g_mime_parser_new_with_stream(stream);
        g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
        message = g_mime_parser_construct_message(parser, w->options);
        g_object_unref(parser);
        g_object_unref(stream);
        if (message == NULL) {
                g_byte_array_free(array, FALSE);
                g_set_error_literal(error, RD_MIME_ERROR, RD_MIME_ERROR_MALFORMED,
                                    "not an email message");
                return NULL;
        }
        /* a bare MIME entity (Content-Type but no From, Date...) is fine;
         * no header field at all means this is not mail */
        top = g_mime_message_get_mime_part(message);
        if (g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(message))) ==
                    0 &&
            (top == NULL ||
             g_mime_header_list_get_count(g_mime_object_get_header_list(top)) == 0)) {
                g_object_unref(message);
                g_byte_array_free(array, FALSE);
                g_set_error_literal(error, RD_MIME_ERROR, RD_MIME_ERROR_MALFORMED,
                                    "not an email message: no header fields");
                return NULL;
        }
        *ret_array = array;
        return message;
}

/* Decoded content of a leaf part, bounded by max_part_bytes.  Transfer
 * encodings never expand (base64, quoted-printable and uuencode decode
 * to fewer bytes), so the decoded copy is bounded by the message size
 * before we check it. */
static GBytes *
decode_part(RdWalk *w, GMimePart *part, GError **error)
{
        GMimeDataWrapper *content = g_mime_part_get_content(part);
        GMimeStream *mem;
        GByteArray *array;
        gint64 written;

        if (content == NULL)
                return g_bytes_new(NULL, 0);
        mem = g_mime_stream_mem_new();
        written = g_mime_data_wrapper_write_to_stream(content, mem);
        array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
        /* written < 0 is a stream error: keep what was decoded, as a mail
         * client shows what it could read */
        (void)written;
        if (array->len > w->limits->max_part_bytes) {
                g_object_unref(mem);
                g_set_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_LARGE,
                            "mime part larger than %" G_GUINT64_FORMAT " bytes",
                            w->limits->max_part_bytes);
                return NULL;
        }
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
        g_object_unref(mem);
        return g_byte_array_free_to_bytes(array);
}

static const char *
readable_media_type(const char *type)
{
        static const struct {
                const char *alias, *canonical;
        } known[] = {
                { "application/pdf", "application/pdf" },
                { "application/x-pdf", "application/pdf" },
                { "image/tiff", "image/tiff" },
                { "image/tif", "image/tiff" },
                { "image/x-tiff", "image/tiff" },
                { "image/png", "image/png" },
                { "image/x-png", "image/png" },
                { "image/jpeg", "image/jpeg" },
                { "image/jpg", "image/jpeg" },
                { "image/pjpeg", "image/jpeg" },
        };

        if (type == NULL)
                return NULL;
        for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
                if (g_ascii_strcasecmp(type, known[i].alias) == 0)
                        return known[i].canonical;
        return NULL;
}

static gboolean walk_message(RdWalk *w, GMimeMessage *message, const char *path, guint depth,
                             RdBody *body, GError **error);

static void
add_attachment(RdWalk *w, GMimePart *part, const char *path, const char *media_type,
               GBytes *data)
{
        RdMimeAttachment *a = g_new0(RdMimeAttachment, 1);

        a->part_path = g_strdup(path);
        a->filename = rd_mime_sanitize_filename(g_mime_part_get_filename(part));
        a->media_type = g_strdup(media_type);
        a->data = g_bytes_ref(data);
        g_ptr_array_add(w->info->attachments, a);
}

static gboolean
walk_leaf(RdWalk *w, GMimePart *part, const char *path, guint depth, gboolean in_related,
          RdBody *body, GError **error)
{
        GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
        const char *type = ct ? g_mime_content_type_get_media_type(ct) : NULL;
        const char *subtype = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
        g_autofree char *declared = NULL;
        gboolean attachment = g_mime_part_is_attachment(part);
        gboolean is_text;
        g_autoptr(GBytes) data = NULL;
        const guint8 *bytes;
        gsize len;
        const char *sniffed, *readable;

        /* RFC 2045 5.2: no Content-Type means text/plain */
        if (type == NULL || subtype == NULL) {
                type = "text";
                subtype = "plain";
        }
        declared = g_strdup_printf("%s/%s", type, subtype);
        is_text = g_ascii_strcasecmp(type, "text") == 0 &&
                  (g_ascii_strcasecmp(subtype, "plain") == 0 ||
                   g_ascii_strcasecmp(subtype, "html") == 0);
        if (w->forward_level == 0 && rd_mime_is_report_type(type, subtype))
                w->info->auto_submitted = TRUE;
        data = decode_part(w, part, error);
        if (data == NULL)
                return FALSE;
        bytes = g_bytes_get_data(data, &len);
        if (len == 0) {
                if (!is_text || attachment)
                        w->info->skipped_parts++;
                return TRUE;
        }
        /* the content decides, whatever the label says */
        sniffed = rd_sniff_media_type(bytes, len);
        readable = readable_media_type(sniffed);
        if (readable == NULL && sniffed == NULL)
                readable = readable_media_type(declared);
        if (readable != NULL) {
                /* logos and icons of an HTML signature, shown inline by
                 * cid: reference, are not documents */
                if (in_related && !attachment && g_mime_part_get_content_id(part) != NULL &&
                    len < RD_MIME_DECORATIVE_BYTES &&
                    (strcmp(readable, "image/png") == 0 || strcmp(readable, "image/jpeg") == 0)) {
                        w->info->skipped_parts++;
                        return TRUE;
                }
                add_attachment(w, part, path, readable, data);
                return TRUE;
        }
        if (is_text && !attachment) {
                const char *charset = g_mime_object_get_content_type_parameter(
                        GMIME_OBJECT(part), "charset");
                g_autofree char *text = rd_mime_text_to_utf8(bytes, len, charset);

                if (g_ascii_strcasecmp(subtype, "html") == 0) {
                        g_autofree char *plain = rd_html_to_text(text, strlen(text));

                        body_append(body, plain);
                        body->has_html = TRUE;
                } else {
                        const char *format = g_mime_object_get_content_type_parameter(
                                GMIME_OBJECT(part), "format");
                        const char *delsp = g_mime_object_get_content_type_parameter(
                                GMIME_OBJECT(part), "delsp");

                        if (format != NULL && g_ascii_strcasecmp(format, "flowed") == 0) {
                                g_autofree char *unflowed = rd_mime_unflow_text(
                                        text, delsp != NULL && g_ascii_strcasecmp(delsp, "yes") == 0);

                                body_append(body, unflowed);
                        } else {
                                body_append(body, text);
                        }
                        body->has_plain = TRUE;
                }
                return TRUE;
        }
        /* a message sent as an opaque or encoded attachment (an .eml
         * forwarded "as attachment" by some clients, or message/rfc822
         * with a base64 transfer encoding) */
        if (!is_text && (g_strcmp0(sniffed, "message/rfc822") == 0 ||
                         g_ascii_strcasecmp(declared, "message/rfc822") == 0)) {
                GMimeMessage *inner;
                GByteArray *array;
                gboolean ok;
                guint left = w->limits->max_parts > w->info->n_parts
                                     ? w->limits->max_parts - w->info->n_parts
                                     : 0;
                g_autoptr(GError) local = NULL;

                inner = parse_message(w, bytes, len, left, &array, &local);
                if (inner == NULL) {
                        if (g_error_matches(local, RD_MIME_ERROR, RD_MIME_ERROR_MALFORMED)) {
                                w->info->skipped_parts++;
                                return TRUE;
                        }
                        g_propagate_error(error, g_steal_pointer(&local));
                        return FALSE;
                }
                ok = walk_message(w, inner, path, depth + 1, body, error);
                g_object_unref(inner);
                g_byte_array_free(array, FALSE);
                return ok;
        }
        w->info->skipped_parts++;
        return TRUE;
}

/* Which alternative to read (RFC 2046 5.1.4): the plain text one when it
 * says something, else the HTML one, else any with text. */
static int
choose_alternative(RdBody *bodies, guint n)
{
        for (guint i = 0; i < n; i++)
                if (bodies[i].has_plain && !text_is_blank(bodies[i].text->str, bodies[i].text->len))
                        return (int)i;
        for (guint i = 0; i < n; i++)
                if (bodies[i].has_html && !text_is_blank(bodies[i].text->str, bodies[i].text->len))
                        return (int)i;
        for (guint i = 0; i < n; i++)
                if (!text_is_blank(bodies[i].text->str, bodies[i].text->len))
                        return (int)i;
        return -1;
}

static gboolean
walk_multipart(RdWalk *w, GMimeMultipart *multipart, const char *path, guint depth,
               RdBody *body, GError **error)
{
        GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(multipart));
        const char *subtype = ct ? g_mime_content_type_get_media_subtype(ct) : "mixed";
        gboolean alternative = subtype && g_ascii_strcasecmp(subtype, "alternative") == 0;
        gboolean related = subtype && g_ascii_strcasecmp(subtype, "related") == 0;
        int n = g_mime_multipart_get_count(multipart);
        RdBody *bodies = NULL;
        gboolean ok = TRUE;
        int chosen;

        if (subtype && w->forward_level == 0 && rd_mime_is_report_type("multipart", subtype))
                w->info->auto_submitted = TRUE;
        if (n <= 0)
                return TRUE;
        if (alternative) {
                bodies = g_new0(RdBody, n);
                for (int i = 0; i < n; i++)
                        body_init(&bodies[i]);
        }
        for (int i = 0; i < n && ok; i++) {
                GMimeObject *child = g_mime_multipart_get_part(multipart, i);
                g_autofree char *child_path = *path ? g_strdup_printf("%s.%d", path, i + 1)
                                                    : g_strdup_printf("%d", i + 1);

                ok = walk_entity(w, child, child_path, depth + 1, related,
                                 alternative ? &bodies[i] : body, error);
        }
        if (alternative) {
                chosen = ok ? choose_alternative(bodies, (guint)n) : -1;
                if (chosen >= 0) {
                        body_append(body, bodies[chosen].text->str);
                        body->has_plain |= bodies[chosen].has_plain;
                        body->has_html |= bodies[chosen].has_html;
                }
                for (int i = 0; i < n; i++)
                        g_string_free(bodies[i].text, TRUE);
                g_free(bodies);
        }
        return ok;
}

/* A forwarded message: a short header block, then its content, so a
 * reader sees who originally sent what and when. */
static gboolean
walk_message(RdWalk *w, GMimeMessage *message, const char *path, guint depth, RdBody *body,
             GError **error)
{
        GMimeObject *inner = g_mime_message_get_mime_part(message);
        InternetAddressList *from = g_mime_message_get_from(message);
        g_autofree char *from_name = rd_mime_mailbox_name(from);
        g_autofree char *from_addr = rd_mime_mailbox_addr(from);
        g_autofree char *date = rd_mime_clean_header_text(
                g_mime_object_get_header(GMIME_OBJECT(message), "Date"));
        g_autofree char *subject = rd_mime_header_text(GMIME_OBJECT(message), "Subject");
        GString *head = g_string_new("---------- Forwarded message ----------\n");
        gboolean ok;

        /* the message itself was counted as the part that holds it */
        w->info->n_forwarded++;
        if (from_addr != NULL && from_name != NULL)
                g_string_append_printf(head, "From: %s <%s>\n", from_name, from_addr);
        else if (from_addr != NULL || from_name != NULL)
                g_string_append_printf(head, "From: %s\n", from_addr ? from_addr : from_name);
        if (date != NULL)
                g_string_append_printf(head, "Date: %s\n", date);
        if (subject != NULL)
                g_string_append_printf(head, "Subject: %s\n", subject);
        body_append(body, head->str);
        g_string_free(head, TRUE);

        if (inner == NULL)
                return TRUE;
        w->forward_level++;
        if (GMIME_IS_MULTIPART(inner)) {
                ok = walk_entity(w, inner, path, depth + 1, FALSE, body, error);
        } else {
                g_autofree char *inner_path = g_strdup_printf("%s.1", path);

                ok = walk_entity(w, inner, inner_path, depth + 1, FALSE, body, error);
        }
        w->forward_level--;
        return ok;
}

/* @path is the IMAP section of @obj ("" for the top-level multipart). */
static gboolean
walk_entity(RdWalk *w, GMimeObject *obj, const char *path, guint depth, gboolean in_related,
            RdBody *body, GError **error)
{
        if (GMIME_IS_MESSAGE_PART(obj)) {
                GMimeMessage *message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

                if (!count_part(w, depth, error))
                        return FALSE;
                if (message == NULL) {
                        w->info->skipped_parts++;
                        return TRUE;
                }
                return walk_message(w, message, path, depth + 1, body, error);
        }
        if (!count_part(w, depth, error))
                return FALSE;
        if (GMIME_IS_MULTIPART(obj))
                return walk_multipart(w, GMIME_MULTIPART(obj), path, depth, body, error);
        if (GMIME_IS_PART(obj))
                return walk_leaf(w, GMIME_PART(obj), *path ? path : "1", depth, in_related, body,
                                 error);
        w->info->skipped_parts++;
        return TRUE;
}


RdMimeInfo *
rd_mime_parse(const guint8 *data, gsize len, const RdMimeLimits *limits, GError **error)
{
        RdMimeLimits defaults;
        g_autoptr(RdMimeInfo) info = NULL;
        GMimeMessage *message;
        GMimeObject *top;
        GByteArray *array = NULL;
        RdWalk w = { 0 };
        RdBody body;
        gboolean ok = TRUE;

        rd_mime_init();
        if (limits == NULL) {
                rd_mime_limits_init(&defaults);
                limits = &defaults;
        }
        if (data == NULL || len == 0 || text_is_blank((const char *)data, len)) {
                g_set_error_literal(error, RD_MIME_ERROR, RD_MIME_ERROR_EMPTY, "empty message");
                return NULL;
        }
        if (len > limits->max_message_bytes) {
                g_set_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_LARGE,
                            "message larger than %u bytes", limits->max_message_bytes);
                return NULL;
        }

        info = g_new0(RdMimeInfo, 1);
        info->references = g_ptr_array_new_with_free_func(g_free);
        info->attachments =
                g_ptr_array_new_with_free_func((GDestroyNotify)rd_mime_attachment_free);
        w.limits = limits;
        w.info = info;
        w.options = g_mime_parser_options_new();
        /* be liberal in what we accept (RFC 1122 1.2.2): referral mail
         * comes from every kind of EHR and fax gateway */
        g_mime_parser_options_set_address_compliance_mode(w.options, GMIME_RFC_COMPLIANCE_LOOSE);
        g_mime_parser_options_set_parameter_compliance_mode(w.options,
                                                            GMIME_RFC_COMPLIANCE_LOOSE);
        g_mime_parser_options_set_rfc2047_compliance_mode(w.options, GMIME_RFC_COMPLIANCE_LOOSE);
        g_mime_parser_options_set_allow_addresses_without_domain(w.options, TRUE);
        {
                const char *fallback[] = { "utf-8", "windows-1252", NULL };

                g_mime_parser_options_set_fallback_charsets(w.options, fallback);
        }

        message = parse_message(&w, data, len, limits->max_parts, &array, error);
        if (message == NULL) {
                g_mime_parser_options_free(w.options);
                return NULL;
        }
        rd_mime_fill_headers(info, message, w.options);

        body_init(&body);
        top = g_mime_message_get_mime_part(message);
        if (top != NULL)
                ok = walk_entity(&w, top, "", 1, FALSE, &body, error);
        g_object_unref(message);
        g_byte_array_free(array, FALSE);
        g_mime_parser_options_free(w.options);
        if (!ok) {
                g_string_free(body.text, TRUE);
                return NULL;
        }
        info->body_text = g_string_free(body.text, FALSE);
        return g_steal_pointer(&info);
}
