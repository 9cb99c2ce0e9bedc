/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Media types from content, never from names, and truncated files. */
#include <string.h>

#include "sniff.h"

static gboolean
has_prefix(const guint8 *data, gsize len, const char *magic, gsize n)
{
        return len >= n && memcmp(data, magic, n) == 0;
}

/* RFC 5322 2.2: a header field name is printable ASCII except ':' and
 * space, followed by ':'.  A message starts with such a line (or with an
 * mbox "From " line, which we do not accept: one message per item). */
static gboolean
looks_like_header_line(const guint8 *p, gsize len)
{
        gsize i = 0;

        while (i < len && p[i] > 32 && p[i] < 127 && p[i] != ':')
                i++;
        return i > 0 && i < len && p[i] == ':';
}

static gboolean
looks_like_message(const guint8 *data, gsize len)
{
        static const char *const known[] = {
                "from:", "to:", "subject:", "date:", "message-id:", "received:",
                "return-path:", "mime-version:", "delivered-to:", "content-type:",
        };
        gsize scan = MIN(len, 8192), pos = 0;
        guint n_known = 0, n_lines = 0;

        while (pos < scan && n_lines < 64) {
                const guint8 *line = data + pos;
                const guint8 *nl = memchr(line, '\n', scan - pos);
                gsize llen = nl ? (gsize)(nl - line) : scan - pos;

                if (llen == 0 || (llen == 1 && line[0] == '\r'))
                        break; /* end of the header block */
                if (line[0] != ' ' && line[0] != '\t') {
                        if (!looks_like_header_line(line, llen))
                                return FALSE;
                        for (gsize k = 0; k < G_N_ELEMENTS(known); k++)
                                if (llen >= strlen(known[k]) &&
                                    g_ascii_strncasecmp((const char *)line, known[k],
                                                        strlen(known[k])) == 0)
                                        n_known++;
                }
                n_lines++;
                if (nl == NULL)
                        break;
                pos += llen + 1;
        }
        return n_known >= 2;
}

const char *
rd_sniff_media_type(const guint8 *data, gsize len)
{
        if (data == NULL || len < 4)
                return NULL;
        /* ISO 32000 7.5.2: "%PDF-" should be at offset 0; readers accept it
         * within the first 1024 bytes, and so do fax gateways' files. */
        for (gsize i = 0; i + 5 <= MIN(len, 1024); i++)
                if (memcmp(data + i, "%PDF-", 5) == 0)
                        return "application/pdf";
        if (has_prefix(data, len, "II*\0", 4) || has_prefix(data, len, "MM\0*", 4) ||
            has_prefix(data, len, "II+\0", 4) || has_prefix(data, len, "MM\0+", 4))
                return "image/tiff";
        if (has_prefix(data, len, "\x89PNG\r\n\x1a\n", 8))
                return "image/png";
        if (has_prefix(data, len, "\xff\xd8\xff", 3))
                return "image/jpeg";
        if (looks_like_message(data, len))
                return "message/rfc822";
        return NULL;
}

static gboolean
contains(const guint8 *data, gsize len, const char *needle)
{
        gsize n = strlen(needle);

        if (len < n)
                return FALSE;
        for (gsize i = 0; i + n <= len; i++)
                if (data[i] == (guint8)needle[0] && memcmp(data + i, needle, n) == 0)
                        return TRUE;
        return FALSE;
}

static guint64
read_u32(const guint8 *p, gboolean le)
{
        return le ? (guint64)p[0] | (guint64)p[1] << 8 | (guint64)p[2] << 16 | (guint64)p[3] << 24 :
                    (guint64)p[3] | (guint64)p[2] << 8 | (guint64)p[1] << 16 | (guint64)p[0] << 24;
}

const char *
rd_sniff_truncation(const guint8 *data, gsize len, const char *media_type)
{
        if (media_type == NULL)
                return NULL;
        if (strcmp(media_type, "application/pdf") == 0) {
                /* ISO 32000 7.5.5: a file ends with %%EOF; a cut-off file has
                 * none at all (an earlier revision's may survive: accepted) */
                if (!contains(data, len, "%%EOF"))
                        return "truncated PDF (no end-of-file marker)";
        } else if (strcmp(media_type, "image/tiff") == 0) {
                /* TIFF 6.0 section 2: the first IFD offset must lie in the file */
                if (len >= 8 && (data[0] == 'I' ? data[2] : data[3]) == 42 &&
                    read_u32(data + 4, data[0] == 'I') + 2 > len)
                        return "truncated TIFF (first directory beyond the end)";
        } else if (strcmp(media_type, "image/png") == 0) {
                if (!contains(data + (len > 4096 ? len - 4096 : 0), MIN(len, 4096), "IEND"))
                        return "truncated PNG (no IEND chunk)";
        }
        return NULL;
}
