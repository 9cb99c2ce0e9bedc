/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sending fax machine's header line: whether a line is one, its date and sender number. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fax-header.h"
#include "dates.h"
#include "ids.h"
#include "fields-private.h"

gboolean
rd_is_fax_header_line(const char *line)
{
        const char *p = line, *end = NULL;
        g_autofree char *iso = NULL;
        g_autofree char *lower = NULL;
        guint h, mi;
        gsize l1, l2;

        while (*p == ' ' || *p == '\t')
                p++;
        iso = rd_parse_date(p, &end);
        if (iso == NULL)
                return FALSE;
        p = end;
        while (*p == ' ')
                p++;
        /* A time follows the date in every fax header style seen. */
        if (!rd_read_uint(p, 1, 2, &h, &l1) || p[l1] != ':' || !rd_read_uint(p + l1 + 1, 2, 2, &mi, &l2))
                return FALSE;
        p += l1 + 1 + l2;
        lower = g_ascii_strdown(p, -1);
        return strstr(lower, "from") || strstr(lower, "fax") || strstr(lower, "to:") ||
               strstr(lower, "page") || strstr(lower, " p.") || strstr(lower, " p ") ||
               strlen(p) > 24;
}

/* Ten digits (an 11th leading 1 dropped) starting at @p, with the
 * separators phone numbers are written with; NULL when none starts there. */
static char *
phone_digits_at(const char *p)
{
        char digits[12];
        guint n = 0;

        if (*p == '+')
                p++;
        for (; *p && n < 11; p++) {
                if (g_ascii_isdigit(*p))
                        digits[n++] = *p;
                else if (!(*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')') || (n == 0 && *p == ' '))
                        break;
        }
        if (n == 11 && digits[0] == '1') {
                memmove(digits, digits + 1, 10);
                n = 10;
        }
        if (n != 10 || g_ascii_isdigit(*p))
                return NULL;
        digits[10] = '\0';
        return g_strdup(digits);
}

char *
rd_fax_header_sender(const char *page_text)
{
        g_auto(GStrv) lines = g_strsplit(page_text ? page_text : "", "\n", -1);

        for (guint i = 0; lines[i] && i < 40; i++) {
                g_autofree char *lower = NULL;
                const char *from, *p;

                if (!rd_is_fax_header_line(lines[i]))
                        continue;
                lower = g_ascii_strdown(lines[i], -1);
                /* "from +1 555 ... to +1 555 ...", "FROM: 555-201-0021", else
                 * the number after "fax", else the first number at all */
                from = strstr(lower, "from");
                if (from == NULL)
                        from = strstr(lower, "fax");
                for (p = from ? from : lower; *p; p++) {
                        char *number;

                        if (!g_ascii_isdigit(*p) && *p != '(' && *p != '+')
                                continue;
                        if (p > lower && g_ascii_isdigit(p[-1]))
                                continue;
                        number = phone_digits_at(lines[i] + (p - lower));
                        if (number != NULL)
                                return number;
                }
        }
        return NULL;
}

char *
rd_fax_header_date(const char *page_text)
{
        g_auto(GStrv) lines = g_strsplit(page_text, "\n", -1);

        /* The header is the first line, but OCR may put a tracing's
         * block above it: look at the first lines. */
        for (guint i = 0; lines[i] && i < 40; i++) {
                if (rd_is_fax_header_line(lines[i])) {
                        const char *p = lines[i];

                        while (*p == ' ' || *p == '\t')
                                p++;
                        return rd_parse_date(p, NULL);
                }
        }
        return NULL;
}

char **
rd_page_lines(const char *page_text)
{
        g_auto(GStrv) lines = g_strsplit(page_text, "\n", -1);
        GPtrArray *out = g_ptr_array_new();

        for (guint i = 0; lines[i]; i++) {
                char *l = lines[i];
                gsize len = strlen(l);

                if (len && l[len - 1] == '\r')
                        l[len - 1] = '\0';
                if (i < 40 && rd_is_fax_header_line(l))
                        continue;
                g_ptr_array_add(out, g_strdup(l));
        }
        g_ptr_array_add(out, NULL);
        {
                g_auto(GStrv) raw = (char **)g_ptr_array_free(out, FALSE);

                return rd_realign_label_columns(raw);
        }
}
