/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Dates as printed (numeric, ISO, month names) to ISO 8601. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dates.h"
#include "fields-private.h"

static const char *const month_names[12] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};

static const char *const month_full[12] = {
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
};

/* A month whose name begins with J as a fax's OCR misreads it: the J read
 * as ")", "]" or "|" ("13-)ul-2026", "13-) ul-2026"), or set apart from
 * the rest by a space ("j uly 14, 2026"). Only the whole name or its
 * three-letter abbreviation counts ("J Anderson" is no January); sets
 * *len. */
static int
parse_misread_month(const char *s, gsize *len)
{
        static const int js[] = { 0, 5, 6 };
        char word[10] = "j";
        gsize n = 1, i = 1;

        if (s[0] == '\0' || strchr(")]|jJ", s[0]) == NULL)
                return 0;
        if (s[i] == ' ')
                i++;
        else if (g_ascii_isalpha(s[0]))
                return 0; /* a word as printed: parse_month_name()'s */
        while (g_ascii_isalpha(s[i]) && n < sizeof word - 1)
                word[n++] = g_ascii_tolower(s[i++]);
        word[n] = '\0';
        if (g_ascii_isalpha(s[i]))
                return 0;
        for (gsize k = 0; k < G_N_ELEMENTS(js); k++)
                if (strcmp(word, month_names[js[k]]) == 0 || strcmp(word, month_full[js[k]]) == 0) {
                        *len = i;
                        return js[k] + 1;
                }
        return 0;
}

/* Month from a name at @s ("Mar", "March", "MAR", "Sept"); sets *len. */
static int
parse_month_name(const char *s, gsize *len)
{
        gsize n = 0;

        while (g_ascii_isalpha(s[n]))
                n++;
        if (n < 3 || n > 9)
                return parse_misread_month(s, len);
        for (int m = 0; m < 12; m++) {
                if (g_ascii_strncasecmp(s, month_names[m], 3) == 0) {
                        *len = n;
                        return m + 1;
                }
        }
        return parse_misread_month(s, len);
}

gboolean
rd_read_uint(const char *s, guint min_digits, guint max_digits, guint *ret, gsize *len)
{
        guint v = 0, n = 0;

        while (n < max_digits && g_ascii_isdigit(s[n])) {
                v = v * 10 + (guint)(s[n] - '0');
                n++;
        }
        if (n < min_digits || g_ascii_isdigit(s[n]))
                return FALSE;
        *ret = v;
        *len = n;
        return TRUE;
}

static char *
make_iso(guint y, guint m, guint d)
{
        if (y < 1900 || y > 2100 || !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
                return NULL;
        return g_strdup_printf("%04u-%02u-%02u", y, m, d);
}

gboolean
rd_iso_date(const char *s, GDate *ret)
{
        guint y, m, d;
        char end;

        if (s == NULL || strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &end) != 3 ||
            !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
                return FALSE;
        if (ret != NULL) {
                g_date_clear(ret, 1);
                g_date_set_dmy(ret, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
        }
        return TRUE;
}

char *
rd_parse_date(const char *s, const char **ret_end)
{
        guint a, b, c;
        gsize la, lb, lc, lm;
        const char *p = s;
        int mon;
        char *iso = NULL;

        if (rd_read_uint(p, 1, 4, &a, &la)) {
                p += la;
                if (la == 4 && (*p == '-' || *p == '/') && rd_read_uint(p + 1, 1, 2, &b, &lb)) {
                        char sep = *p;

                        p += 1 + lb;
                        if (*p == sep && rd_read_uint(p + 1, 1, 2, &c, &lc)) {
                                p += 1 + lc;
                                iso = make_iso(a, b, c);
                        }
                } else if (la <= 2 && (*p == '/' || *p == '-' || *p == '.')) {
                        char sep = *p;

                        if (rd_read_uint(p + 1, 1, 2, &b, &lb) && p[1 + lb] == sep &&
                            rd_read_uint(p + 2 + lb, 4, 4, &c, &lc)) {
                                p += 2 + lb + lc;
                                iso = make_iso(c, a, b);
                        } else if ((mon = parse_month_name(p + 1, &lm)) && p[1 + lm] == sep &&
                                   rd_read_uint(p + 2 + lm, 4, 4, &c, &lc)) {
                                /* 14-Mar-1956 */
                                p += 2 + lm + lc;
                                iso = make_iso(c, (guint)mon, a);
                        }
                } else if (la <= 2 && *p == ' ' && (mon = parse_month_name(p + 1, &lm)) &&
                           p[1 + lm] == ' ' && rd_read_uint(p + 2 + lm, 4, 4, &c, &lc)) {
                        /* 14 Mar 1956 */
                        p += 2 + lm + lc;
                        iso = make_iso(c, (guint)mon, a);
                }
        } else if ((mon = parse_month_name(p, &lm))) {
                p += lm;
                if (*p == '.')
                        p++;
                if (*p == '-' || *p == ' ' || *p == '/') {
                        char sep = *p;

                        p++;
                        if (sep == ' ')
                                while (*p == ' ')
                                        p++;
                        if (rd_read_uint(p, 1, 2, &b, &lb)) {
                                gboolean comma = *(p + lb) == ',';

                                p += lb + comma;
                                /* the year after the comma, with or without
                                 * a space ("May 29,2026") */
                                if (*p == sep || *p == ' ' || (comma && g_ascii_isdigit(*p))) {
                                        if (!g_ascii_isdigit(*p))
                                                p++;
                                        while (*p == ' ')
                                                p++;
                                        if (rd_read_uint(p, 4, 4, &c, &lc)) {
                                                p += lc;
                                                iso = make_iso(c, (guint)mon, b);
                                        }
                                }
                        }
                }
        }
        if (iso && ret_end)
                *ret_end = p;
        return iso;
}

char *
rd_find_date(const char *s, const char **ret_start, const char **ret_end)
{
        for (const char *p = s; p && *p; p++) {
                char *iso;

                /* Start only at a word boundary (or at a J OCR read as a
                 * bar or a bracket: "| anuary 18, 2026"). */
                if (p > s && g_ascii_isalnum(p[-1]))
                        continue;
                if (!g_ascii_isalnum(*p) && strchr(")]|", *p) == NULL)
                        continue;
                iso = rd_parse_date(p, ret_end);
                if (iso) {
                        if (ret_start)
                                *ret_start = p;
                        return iso;
                }
        }
        return NULL;
}

/* A time of day's shape at @s: H:MM or HH:MM[:SS]; sets *len. */
static gboolean
time_shape(const char *s, gsize *len)
{
        guint h, m, sec;
        gsize lh, lm, ls;

        if (!rd_read_uint(s, 1, 2, &h, &lh) || s[lh] != ':' || !rd_read_uint(s + lh + 1, 2, 2, &m, &lm))
                return FALSE;
        *len = lh + 1 + lm;
        if (s[*len] == ':' && rd_read_uint(s + *len + 1, 2, 2, &sec, &ls))
                *len += 1 + ls;
        return TRUE;
}

/* A two-digit year as a fax machine prints it: this century. */
static guint
full_year(guint yy, gsize len)
{
        return len == 2 ? 2000 + yy : yy;
}

/* "Nov 20 10:14:02 2026" (ctime, HylaFAX's %c) and "20-NOV-26",
 * "NOV-20-26": a month name with the year after a time, or with two
 * digits. */
static char *
parse_month_name_forms(const char *s, const char **ret_end)
{
        const char *p = s;
        gsize lm, la, lb, lt;
        guint a, b;
        int mon;
        char sep;

        if (rd_read_uint(p, 1, 2, &a, &la) && (p[la] == '-' || p[la] == ' ' || p[la] == '/') &&
            (mon = parse_month_name(p + la + 1, &lm))) {
                /* 20-NOV-26 */
                sep = p[la];
                p += la + 1 + lm;
                if (sep != ' ' && *p == sep && rd_read_uint(p + 1, 2, 2, &b, &lb) && p[1 + lb] != ':') {
                        *ret_end = p + 1 + lb;
                        return make_iso(full_year(b, lb), (guint)mon, a);
                }
                return NULL;
        }
        if (!(mon = parse_month_name(p, &lm)))
                return NULL;
        p += lm;
        if (*p == '.')
                p++;
        sep = *p;
        if (sep != '-' && sep != ' ' && sep != '/')
                return NULL;
        while (*p == sep)
                p++;
        if (!rd_read_uint(p, 1, 2, &a, &la))
                return NULL;
        p += la;
        if (sep != ' ' && *p == sep && rd_read_uint(p + 1, 2, 2, &b, &lb) && p[1 + lb] != ':') {
                /* NOV-20-26 */
                *ret_end = p + 1 + lb;
                return make_iso(full_year(b, lb), (guint)mon, a);
        }
        /* Nov 20 10:14:02 2026: the date ends at the day; the year
         * comes after the time */
        {
                const char *q = p;

                while (*q == ' ')
                        q++;
                if (q == p || !time_shape(q, &lt))
                        return NULL;
                q += lt;
                while (*q == ' ')
                        q++;
                if (!rd_read_uint(q, 4, 4, &b, &lb))
                        return NULL;
                *ret_end = p;
                return make_iso(b, (guint)mon, a);
        }
}

char *
rd_parse_header_date(const char *s, const char **ret_end)
{
        const char *end = NULL;
        char *iso = rd_parse_date(s, &end);
        guint a, b, c;
        gsize la, lb, lc;

        if (iso == NULL)
                iso = parse_month_name_forms(s, &end);
        if (iso == NULL && rd_read_uint(s, 4, 4, &a, &la) && s[4] == '.' &&
            rd_read_uint(s + 5, 1, 2, &b, &lb) && s[5 + lb] == '.' &&
            rd_read_uint(s + 6 + lb, 1, 2, &c, &lc)) {
                /* 2026.11.20 */
                end = s + 6 + lb + lc;
                iso = make_iso(a, b, c);
        }
        if (iso == NULL && rd_read_uint(s, 1, 2, &a, &la) && strchr("/-.", s[la]) && s[la] != '\0' &&
            rd_read_uint(s + la + 1, 1, 2, &b, &lb) && s[la + 1 + lb] == s[la] &&
            rd_read_uint(s + la + 2 + lb, 2, 2, &c, &lc)) {
                /* 11/20/26: month first, as US machines print it; the
                 * year is not followed by more of a date */
                const char *e = s + la + 2 + lb + lc;

                if (!(strchr("/-.", *e) && *e != '\0' && g_ascii_isdigit(e[1]))) {
                        end = e;
                        iso = make_iso(full_year(c, lc), a, b);
                }
        }
        if (iso && ret_end)
                *ret_end = end;
        return iso;
}
