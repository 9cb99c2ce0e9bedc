/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text of a message made readable: charsets (labelled, mislabelled or
 * none), RFC 2047 header words, format=flowed bodies, file names and
 * header values safe to show.  Pure functions of their arguments. */
#include <errno.h>
#include <string.h>

#include "mime-private.h"

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
char *
rd_mime_clean_header_text(const char *value)
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
char *
rd_mime_decode_header_text(const char *raw)
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
char *
rd_mime_text_to_utf8(const guint8 *data, gsize len, const char *charset)
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
char *
rd_mime_unflow_text(const char *text, gboolean delsp)
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