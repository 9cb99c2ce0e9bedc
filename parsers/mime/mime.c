/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include <gmime/gmime.h>

#include "html-text.h"
#include "mime.h"
#include "parsers/sniff.h"

/* GMimeMessage -> RdMimeInfo.  No I/O: bytes in, struct and GError out.
 * GMime does the MIME grammar; this file decides what a reader of a
 * referral needs: which text is "the body", which parts are documents we
 * can read pages from, and whether the message was sent by a machine. */

G_DEFINE_QUARK(rd-mime-error-quark, rd_mime_error)

/* decorative inline images (logos in signatures) are smaller than this */
#define RD_MIME_DECORATIVE_BYTES (20 * 1024)
#define RD_MIME_MAX_REFERENCES 100

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

/* ---- text helpers ---------------------------------------------------- */

static gboolean
is_invisible_format(gunichar c)
{
        /* bidi overrides and isolates can disguise "gpj.exe" as "exe.jpg" */
        return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
               (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

/* A header value made safe to show on one line: valid UTF-8, control
 * characters (CR/LF from decoded encoded-words included) become spaces,
 * outer white space trimmed.  NULL or empty gives NULL. */
static char *
clean_header_text(const char *value)
{
        g_autofree char *valid = NULL;
        GString *s;

        if (value == NULL)
                return NULL;
        valid = g_utf8_make_valid(value, -1);
        s = g_string_sized_new(strlen(valid));
        for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
                        g_string_append_c(s, ' ');
                else if (!is_invisible_format(c))
                        g_string_append_unichar(s, c);
        }
        g_strstrip(s->str);
        s->len = strlen(s->str);
        if (s->len == 0) {
                g_string_free(s, TRUE);
                return NULL;
        }
        return g_string_free(s, FALSE);
}

char *
rd_mime_sanitize_filename(const char *name)
{
        g_autofree char *valid = NULL;
        const char *base;
        GString *s;
        gsize start = 0;

        if (name == NULL)
                return NULL;
        valid = g_utf8_make_valid(name, -1);
        /* keep the last path component only, whichever the separator */
        base = valid;
        for (const char *p = valid; *p; p++)
                if (*p == '/' || *p == '\\')
                        base = p + 1;
        s = g_string_new(NULL);
        for (const char *p = base; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || is_invisible_format(c))
                        continue;
                /* reserved on the file systems staff may save it to */
                if (strchr(":*?\"<>|", (int)c) != NULL && c < 0x80)
                        c = '_';
                g_string_append_unichar(s, c);
        }
        /* no hidden files, no "..": no leading dots or blanks; Windows
         * also drops trailing dots and blanks */
        while (start < s->len && (s->str[start] == '.' || s->str[start] == ' '))
                start++;
        g_string_erase(s, 0, (gssize)start);
        while (s->len > 0 && (s->str[s->len - 1] == '.' || s->str[s->len - 1] == ' '))
                g_string_truncate(s, s->len - 1);
        if (s->len > 100) {
                const char *dot = strrchr(s->str, '.');
                gsize ext_len = dot ? s->len - (gsize)(dot - s->str) : 0;
                g_autofree char *ext = NULL;
                gsize keep;

                if (ext_len > 12)
                        ext_len = 0; /* not an extension worth keeping */
                ext = g_strdup(s->str + s->len - ext_len);
                keep = 100 - ext_len;
                /* cut on a character boundary */
                while (keep > 0 && (s->str[keep] & 0xC0) == 0x80)
                        keep--;
                g_string_truncate(s, keep);
                g_string_append(s, ext);
        }
        if (s->len == 0) {
                g_string_free(s, TRUE);
                return NULL;
        }
        return g_string_free(s, FALSE);
}

/* windows-1252 bytes 0x80..0x9F; undefined ones become U+FFFD */
static const gunichar cp1252_c1[32] = {
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

static char *
decode_cp1252(const char *data, gsize len)
{
        GString *s = g_string_sized_new(len + len / 4);

        for (gsize i = 0; i < len; i++) {
                guchar b = (guchar)data[i];

                if (b < 0x80)
                        g_string_append_c(s, (char)b);
                else if (b < 0xA0)
                        g_string_append_unichar(s, cp1252_c1[b - 0x80]);
                else
                        g_string_append_unichar(s, b);
        }
        return g_string_free(s, FALSE);
}

/* Text without a usable charset label: UTF-8 when it mostly is (a few
 * broken bytes become U+FFFD), otherwise the Western default of mail
 * clients, windows-1252, which never fails. */
static char *
decode_unlabelled(const char *data, gsize len)
{
        guint good = 0, bad = 0;
        const char *p, *end;

        if (len == 0)
                return g_strdup(""); /* data may be NULL then */
        p = data;
        end = data + len;
        if (g_utf8_validate(data, (gssize)len, NULL))
                return g_strndup(data, len);
        while (p < end) {
                const char *stop = NULL;

                if (g_utf8_validate(p, end - p, &stop))
                        break;
                for (const char *q = p; q < stop; q++)
                        if ((guchar)*q >= 0xC0)
                                good++;
                bad++;
                p = stop + 1;
        }
        for (; p < end; p++)
                if ((guchar)*p >= 0xC0)
                        good++;
        if (good > bad)
                return g_utf8_make_valid(data, (gssize)len);
        return decode_cp1252(data, len);
}

/* iconv, skipping bytes the charset does not define (U+FFFD for each)
 * so one bad byte does not lose the whole body.  NULL if iconv does not
 * know the charset. */
static char *
convert_lenient(const char *data, gsize len, const char *charset)
{
        GIConv cd = g_iconv_open("UTF-8", charset);
        GString *s;
        char buf[4096];
        gchar *in = (gchar *)data;
        gsize in_left = len;

        if (cd == (GIConv)-1)
                return NULL;
        s = g_string_sized_new(len + 16);
        while (in_left > 0) {
                gchar *out = buf;
                gsize out_left = sizeof buf;
                gsize r = g_iconv(cd, &in, &in_left, &out, &out_left);
                int saved = errno;

                g_string_append_len(s, buf, (gssize)(sizeof buf - out_left));
                if (r != (gsize)-1)
                        break;
                if (saved == E2BIG)
                        continue;
                /* EILSEQ or EINVAL (truncated sequence at the end) */
                g_string_append(s, "\xEF\xBF\xBD");
                in++;
                in_left--;
                g_iconv(cd, NULL, NULL, NULL, NULL);
        }
        g_iconv_close(cd);
        /* trust nothing: an iconv module may pass bytes through */
        if (!g_utf8_validate(s->str, (gssize)s->len, NULL)) {
                char *valid = g_utf8_make_valid(s->str, (gssize)s->len);

                g_string_free(s, TRUE);
                return valid;
        }
        return g_string_free(s, FALSE);
}

static char *
bytes_to_utf8(const char *data, gsize len, const char *charset)
{
        char *text = NULL;

        if (charset != NULL && *charset != '\0' && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
            g_ascii_strcasecmp(charset, "utf8") != 0 &&
            g_ascii_strcasecmp(charset, "us-ascii") != 0) {
                const char *iconv_name = g_mime_charset_iconv_name(charset);

                /* WHATWG Encoding: mail and web clients read a Latin-1
                 * label as windows-1252 (curly quotes, euro sign) */
                if (iconv_name != NULL && (g_ascii_strcasecmp(iconv_name, "iso-8859-1") == 0 ||
                                           g_ascii_strcasecmp(iconv_name, "latin1") == 0 ||
                                           g_ascii_strcasecmp(iconv_name, "cp1252") == 0 ||
                                           g_ascii_strcasecmp(iconv_name, "windows-1252") == 0))
                        text = decode_cp1252(data, len);
                else if (iconv_name != NULL)
                        text = convert_lenient(data, len, iconv_name);
        }
        if (text == NULL)
                text = decode_unlabelled(data, len);
        return text;
}

/* Decodes one RFC 2047 encoded word's payload into @out. */
static void
decode_word_payload(GByteArray *out, char encoding, const char *p, gsize n)
{
        if (encoding == 'b' || encoding == 'B') {
                /* each word is a whole base64 unit: decode it alone, since
                 * GMime 3.2 joins adjacent words first and stops at the
                 * first word's '=' padding, losing the rest */
                gint state = 0;
                guint save = 0;
                gsize start = out->len;

                g_byte_array_set_size(out, (guint)(start + n * 3 / 4 + 3));
                gsize got = g_base64_decode_step(p, n, out->data + start, &state, &save);
                g_byte_array_set_size(out, (guint)(start + got));
        } else {
                for (gsize i = 0; i < n; i++) {
                        guint8 c = (guint8)p[i];

                        if (c == '_') {
                                c = ' ';
                        } else if (c == '=' && i + 2 < n && g_ascii_isxdigit(p[i + 1]) &&
                                   g_ascii_isxdigit(p[i + 2])) {
                                c = (guint8)(g_ascii_xdigit_value(p[i + 1]) * 16 +
                                             g_ascii_xdigit_value(p[i + 2]));
                                i += 2;
                        }
                        g_byte_array_append(out, &c, 1);
                }
        }
}

/* RFC 2047 unstructured header text (Subject) -> UTF-8.  Adjacent encoded
 * words in one charset are converted together so a character split over
 * two words survives (RFC 2047 says it must not be, senders do it); the
 * white space between encoded words is dropped (6.2). */
static char *
decode_header_text(const char *raw)
{
        GString *out = g_string_new(NULL);
        g_autoptr(GByteArray) pending = g_byte_array_new();
        g_autofree char *pending_charset = NULL;
        g_autofree char *unfolded = NULL;
        const char *p;
        gboolean held = FALSE;
        GString *gap = g_string_new(NULL); /* white space held back */

        /* RFC 5322 2.2.3: unfolding removes CRLF, keeps the white space */
        unfolded = g_strdup(raw);
        {
                char *d = unfolded;

                for (const char *s = raw; *s; s++)
                        if (*s != '\r' && *s != '\n')
                                *d++ = *s;
                *d = '\0';
        }
        p = unfolded;
        while (*p) {
                const char *q1, *q2, *end;

                if (p[0] == '=' && p[1] == '?' && (q1 = strchr(p + 2, '?')) != NULL &&
                    (q1[1] == 'b' || q1[1] == 'B' || q1[1] == 'q' || q1[1] == 'Q') &&
                    q1[2] == '?' && (end = strstr(q1 + 3, "?=")) != NULL &&
                    memchr(p + 2, ' ', (gsize)(end - p - 2)) == NULL) {
                        g_autofree char *charset = g_strndup(p + 2, (gsize)(q1 - p - 2));
                        char *star = strchr(charset, '*'); /* RFC 2231 language */

                        if (star != NULL)
                                *star = '\0';
                        q2 = q1 + 3;
                        if (pending_charset != NULL &&
                            g_ascii_strcasecmp(pending_charset, charset) != 0) {
                                g_autofree char *t = bytes_to_utf8((const char *)pending->data,
                                                                   pending->len, pending_charset);

                                g_string_append(out, t);
                                g_byte_array_set_size(pending, 0);
                                g_clear_pointer(&pending_charset, g_free);
                        }
                        /* white space between two encoded words is dropped */
                        g_string_truncate(gap, 0);
                        held = FALSE;
                        if (pending_charset == NULL)
                                pending_charset = g_strdup(charset);
                        decode_word_payload(pending, q1[1], q2, (gsize)(end - q2));
                        p = end + 2;
                        continue;
                }
                if (pending_charset != NULL && (*p == ' ' || *p == '\t')) {
                        /* maybe between two encoded words: hold it back */
                        g_string_append_c(gap, *p);
                        held = TRUE;
                        p++;
                        continue;
                }
                if (pending_charset != NULL) {
                        g_autofree char *t = bytes_to_utf8((const char *)pending->data,
                                                           pending->len, pending_charset);

                        g_string_append(out, t);
                        g_byte_array_set_size(pending, 0);
                        g_clear_pointer(&pending_charset, g_free);
                }
                if (held) {
                        g_string_append(out, gap->str);
                        g_string_truncate(gap, 0);
                        held = FALSE;
                }
                /* a run of plain text, up to the next possible encoded word */
                {
                        const char *next = strstr(p + 1, "=?");
                        gsize n = next ? (gsize)(next - p) : strlen(p);
                        g_autofree char *t = decode_unlabelled(p, n);

                        g_string_append(out, t);
                        p += n;
                }
        }
        if (pending_charset != NULL) {
                g_autofree char *t = bytes_to_utf8((const char *)pending->data, pending->len,
                                                   pending_charset);

                g_string_append(out, t);
        }
        g_string_free(gap, TRUE);
        return g_string_free(out, FALSE);
}

/* Bytes of a text part in @charset (may be NULL) -> UTF-8 with LF line
 * ends and no control characters other than tab and newline. */
static char *
text_to_utf8(const guint8 *data, gsize len, const char *charset)
{
        g_autofree char *copy = NULL;
        g_autofree char *text = NULL;
        gsize n = 0;
        GString *s;

        /* NUL bytes cannot be in a C string and mean nothing in text */
        copy = g_malloc(len + 1);
        for (gsize i = 0; i < len; i++)
                if (data[i] != 0)
                        copy[n++] = (char)data[i];
        copy[n] = '\0';

        text = bytes_to_utf8(copy, n, charset);
        s = g_string_sized_new(strlen(text));
        for (const char *p = text; *p; p++) {
                guchar c = (guchar)*p;

                if (c == '\r') {
                        if (p[1] != '\n')
                                g_string_append_c(s, '\n');
                } else if (c == '\n' || c == '\t' || c >= 0x20) {
                        if (c != 0x7F)
                                g_string_append_c(s, (char)c);
                } else if (c == '\f' || c == '\v') {
                        g_string_append_c(s, '\n');
                }
        }
        return g_string_free(s, FALSE);
}

/* RFC 3676 4.2: in format=flowed text a line ending in a space is
 * continued by the next one; the signature separator "-- " is not. */
static char *
unflow_text(const char *text, gboolean delsp)
{
        GString *s = g_string_sized_new(strlen(text));
        const char *line = text;

        while (*line) {
                const char *nl = strchr(line, '\n');
                gsize len = nl ? (gsize)(nl - line) : strlen(line);
                const char *l = line;

                /* 4.4: a leading space was added by space-stuffing */
                if (len > 0 && l[0] == ' ') {
                        l++;
                        len--;
                }
                if (len > 0 && l[len - 1] == ' ' && !(len == 3 && strncmp(l, "-- ", 3) == 0) &&
                    nl != NULL) {
                        g_string_append_len(s, l, (gssize)(delsp ? len - 1 : len));
                } else {
                        g_string_append_len(s, l, (gssize)len);
                        if (nl != NULL)
                                g_string_append_c(s, '\n');
                }
                if (nl == NULL)
                        break;
                line = nl + 1;
        }
        return g_string_free(s, FALSE);
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

static char *
mailbox_addr(InternetAddressList *list)
{
        InternetAddress *ia = NULL;
        const char *addr;
        char *clean, *at;

        if (list == NULL || internet_address_list_length(list) == 0)
                return NULL;
        ia = internet_address_list_get_address(list, 0);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
                InternetAddressList *members =
                        internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));

                if (members == NULL || internet_address_list_length(members) == 0)
                        return NULL;
                ia = internet_address_list_get_address(members, 0);
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
                return NULL;
        addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        clean = clean_header_text(addr);
        if (clean == NULL)
                return NULL;
        /* RFC 5321 2.4: the local part may be case-sensitive, the domain is not */
        at = strrchr(clean, '@');
        if (at != NULL) {
                g_autofree char *domain = g_utf8_strdown(at + 1, -1);

                *at = '\0';
                at = g_strconcat(clean, "@", domain, NULL);
                g_free(clean);
                clean = at;
        }
        return clean;
}

static char *
mailbox_name(InternetAddressList *list)
{
        InternetAddress *ia;

        if (list == NULL || internet_address_list_length(list) == 0)
                return NULL;
        ia = internet_address_list_get_address(list, 0);
        return clean_header_text(internet_address_get_name(ia));
}

/* An unstructured header (Subject) decoded by us from its raw value. */
static char *
header_text(GMimeObject *obj, const char *name)
{
        GMimeHeader *h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj), name);
        const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
        g_autofree char *decoded = NULL;

        if (raw == NULL)
                return NULL;
        decoded = decode_header_text(raw);
        return clean_header_text(decoded);
}

static char *
header_value_lower(GMimeObject *obj, const char *name)
{
        const char *v = g_mime_object_get_header(obj, name);
        g_autofree char *clean = clean_header_text(v);

        return clean ? g_ascii_strdown(clean, -1) : NULL;
}

/* RFC 3834 5 and common practice: headers that mark a message as sent
 * by a machine or to a list, which we must never answer. */
static gboolean
headers_say_automatic(GMimeMessage *message, const char *from_addr)
{
        GMimeObject *obj = GMIME_OBJECT(message);
        g_autofree char *auto_submitted = header_value_lower(obj, "Auto-Submitted");
        g_autofree char *precedence = header_value_lower(obj, "Precedence");
        g_autofree char *return_path = header_value_lower(obj, "Return-Path");

        if (auto_submitted != NULL) {
                char *semi = strchr(auto_submitted, ';');

                if (semi != NULL)
                        *semi = '\0';
                g_strstrip(auto_submitted);
                if (*auto_submitted != '\0' && strcmp(auto_submitted, "no") != 0)
                        return TRUE;
        }
        if (precedence != NULL &&
            (g_str_has_prefix(precedence, "bulk") || g_str_has_prefix(precedence, "list") ||
             g_str_has_prefix(precedence, "junk") || g_str_has_prefix(precedence, "auto_reply")))
                return TRUE;
        if (g_mime_object_get_header(obj, "List-Id") != NULL ||
            g_mime_object_get_header(obj, "List-Unsubscribe") != NULL ||
            g_mime_object_get_header(obj, "X-Autoreply") != NULL ||
            g_mime_object_get_header(obj, "X-Autorespond") != NULL)
                return TRUE;
        if (return_path != NULL) {
                /* RFC 5321 4.5.5: a null reverse-path is a notification */
                GString *s = g_string_new(NULL);
                gboolean null_path;

                for (const char *p = return_path; *p; p++)
                        if (!g_ascii_isspace(*p))
                                g_string_append_c(s, *p);
                null_path = strcmp(s->str, "<>") == 0;
                g_string_free(s, TRUE);
                if (null_path)
                        return TRUE;
        }
        if (from_addr != NULL) {
                const char *at = strrchr(from_addr, '@');
                gsize local_len = at ? (gsize)(at - from_addr) : strlen(from_addr);

                if ((local_len == 13 && g_ascii_strncasecmp(from_addr, "mailer-daemon", 13) == 0) ||
                    (local_len == 10 && g_ascii_strncasecmp(from_addr, "postmaster", 10) == 0))
                        return TRUE;
        }
        return FALSE;
}

static gboolean
is_report_type(const char *type, const char *subtype)
{
        if (g_ascii_strcasecmp(type, "multipart") == 0)
                return g_ascii_strcasecmp(subtype, "report") == 0;
        if (g_ascii_strcasecmp(type, "message") == 0)
                return g_ascii_strcasecmp(subtype, "delivery-status") == 0 ||
                       g_ascii_strcasecmp(subtype, "global-delivery-status") == 0 ||
                       g_ascii_strcasecmp(subtype, "disposition-notification") == 0 ||
                       g_ascii_strcasecmp(subtype, "feedback-report") == 0;
        return FALSE;
}

static void
parse_id_list(GMimeParserOptions *options, const char *value, GPtrArray *out, guint max)
{
        GMimeReferences *refs;

        if (value == NULL)
                return;
        refs = g_mime_references_parse(options, value);
        if (refs == NULL)
                return;
        for (int i = 0; i < g_mime_references_length(refs) && out->len < max; i++) {
                char *id = clean_header_text(g_mime_references_get_message_id(refs, i));

                if (id != NULL)
                        g_ptr_array_add(out, id);
        }
        g_mime_references_free(refs);
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
        if (w->forward_level == 0 && is_report_type(type, subtype))
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
                g_autofree char *text = text_to_utf8(bytes, len, charset);

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
                                g_autofree char *unflowed = unflow_text(
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

        if (subtype && w->forward_level == 0 && is_report_type("multipart", subtype))
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
        g_autofree char *from_name = mailbox_name(from);
        g_autofree char *from_addr = mailbox_addr(from);
        g_autofree char *date = clean_header_text(
                g_mime_object_get_header(GMIME_OBJECT(message), "Date"));
        g_autofree char *subject = header_text(GMIME_OBJECT(message), "Subject");
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

static void
fill_headers(RdWalk *w, GMimeMessage *message)
{
        RdMimeInfo *info = w->info;
        GMimeObject *obj = GMIME_OBJECT(message);
        GDateTime *date = g_mime_message_get_date(message);
        g_autoptr(GPtrArray) in_reply_to = g_ptr_array_new_with_free_func(g_free);

        info->from_addr = mailbox_addr(g_mime_message_get_from(message));
        info->from_name = mailbox_name(g_mime_message_get_from(message));
        info->reply_to = mailbox_addr(g_mime_message_get_reply_to(message));
        info->subject = header_text(obj, "Subject");
        info->message_id = clean_header_text(g_mime_message_get_message_id(message));
        if (date != NULL) {
                /* the sender's own calendar day, as the header states it */
                info->date_iso = g_date_time_format(date, "%Y-%m-%d");
                info->date_unix = g_date_time_to_unix(date);
        }
        parse_id_list(w->options, g_mime_object_get_header(obj, "In-Reply-To"), in_reply_to, 1);
        if (in_reply_to->len > 0)
                info->in_reply_to = g_strdup(in_reply_to->pdata[0]);
        parse_id_list(w->options, g_mime_object_get_header(obj, "References"), info->references,
                      RD_MIME_MAX_REFERENCES);
        info->auto_submitted = headers_say_automatic(message, info->from_addr);
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
        fill_headers(&w, message);

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
