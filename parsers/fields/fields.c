/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "parsers/page.h"

/* ---- dates ------------------------------------------------------------ */

static const char *const month_names[12] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};

/* Month from a name at @s ("Mar", "March", "MAR", "Sept"); sets *len. */
static int
parse_month_name(const char *s, gsize *len)
{
        gsize n = 0;

        while (g_ascii_isalpha(s[n]))
                n++;
        if (n < 3 || n > 9)
                return 0;
        for (int m = 0; m < 12; m++) {
                if (g_ascii_strncasecmp(s, month_names[m], 3) == 0) {
                        *len = n;
                        return m + 1;
                }
        }
        return 0;
}

static gboolean
read_uint(const char *s, guint min_digits, guint max_digits, guint *ret, gsize *len)
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

        if (read_uint(p, 1, 4, &a, &la)) {
                p += la;
                if (la == 4 && (*p == '-' || *p == '/') && read_uint(p + 1, 1, 2, &b, &lb)) {
                        char sep = *p;

                        p += 1 + lb;
                        if (*p == sep && read_uint(p + 1, 1, 2, &c, &lc)) {
                                p += 1 + lc;
                                iso = make_iso(a, b, c);
                        }
                } else if (la <= 2 && (*p == '/' || *p == '-' || *p == '.')) {
                        char sep = *p;

                        if (read_uint(p + 1, 1, 2, &b, &lb) && p[1 + lb] == sep &&
                            read_uint(p + 2 + lb, 4, 4, &c, &lc)) {
                                p += 2 + lb + lc;
                                iso = make_iso(c, a, b);
                        } else if ((mon = parse_month_name(p + 1, &lm)) && p[1 + lm] == sep &&
                                   read_uint(p + 2 + lm, 4, 4, &c, &lc)) {
                                /* 14-Mar-1956 */
                                p += 2 + lm + lc;
                                iso = make_iso(c, (guint)mon, a);
                        }
                } else if (la <= 2 && *p == ' ' && (mon = parse_month_name(p + 1, &lm)) &&
                           p[1 + lm] == ' ' && read_uint(p + 2 + lm, 4, 4, &c, &lc)) {
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
                        if (read_uint(p, 1, 2, &b, &lb)) {
                                p += lb;
                                if (*p == ',')
                                        p++;
                                if (*p == sep || *p == ' ') {
                                        p++;
                                        while (*p == ' ')
                                                p++;
                                        if (read_uint(p, 4, 4, &c, &lc)) {
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

                /* Start only at a word boundary. */
                if (p > s && g_ascii_isalnum(p[-1]))
                        continue;
                if (!g_ascii_isalnum(*p))
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

/* ---- phones, NPI, ICD-10 ---------------------------------------------- */

static char *normalize_phone_digits(const char *s);

char *
rd_normalize_phone(const char *s)
{
        g_autoptr(GString) fixed = NULL;

        if (s == NULL || strstr(s, "\xc2\xa7") == NULL)
                return normalize_phone_digits(s);
        /* OCR reads a 5 as a section sign (U+00A7): "\u00a712.555.0100" */
        fixed = g_string_new(NULL);
        for (const char *p = s; *p; p++) {
                if (p[0] == '\xc2' && p[1] == '\xa7' && g_ascii_isdigit(p[2])) {
                        g_string_append_c(fixed, '5');
                        p++;
                        continue;
                }
                g_string_append_c(fixed, *p);
        }
        return normalize_phone_digits(fixed->str);
}

static char *
normalize_phone_digits(const char *s)
{
        for (const char *p = s; p && *p; p++) {
                char digits[12];
                guint n = 0, groups = 0;
                const char *q = p;

                if (!g_ascii_isdigit(*p) && *p != '(')
                        continue;
                if (p > s && g_ascii_isdigit(p[-1]))
                        continue;
                /* Digits with the usual separators: (555) 826-6564,
                 * 555.906 4977, 555/349-5311, 5555620083. */
                while (*q && n < 11) {
                        if (g_ascii_isdigit(*q)) {
                                digits[n++] = *q;
                        } else if (*q == '(' || *q == ')' || *q == '-' || *q == '.' ||
                                   *q == '/' || *q == ' ' ||
                                   (*q == ':' && (n == 3 || n == 6) && g_ascii_isdigit(q[1]))) {
                                if (q[1] == ' ' && *q == ' ')
                                        break;
                                groups++;
                                if (groups > 5)
                                        break;
                        } else {
                                break;
                        }
                        q++;
                }
                if (n == 11 && digits[0] == '1') {
                        memmove(digits, digits + 1, 10);
                        n = 10;
                }
                if (n == 10 && !g_ascii_isdigit(*q) && digits[0] >= '2' && digits[3] >= '2') {
                        digits[10] = '\0';
                        return g_strdup(digits);
                }
        }
        return NULL;
}

gboolean
rd_npi_is_valid(const char *npi)
{
        const char *prefix = "80840";
        char all[16];
        int sum = 0;

        if (npi == NULL || strlen(npi) != 10)
                return FALSE;
        for (int i = 0; i < 10; i++)
                if (!g_ascii_isdigit(npi[i]))
                        return FALSE;
        /* Luhn over "80840" + the first nine digits; the tenth checks it. */
        memcpy(all, prefix, 5);
        memcpy(all + 5, npi, 9);
        for (int i = 13, dbl = 1; i >= 0; i--, dbl = !dbl) {
                int d = all[i] - '0';

                if (dbl) {
                        d *= 2;
                        if (d > 9)
                                d -= 9;
                }
                sum += d;
        }
        return (10 - sum % 10) % 10 == npi[9] - '0';
}

char *
rd_icd10_normalize(const char *token)
{
        char buf[16];
        gsize n = 0, len;
        const char *t = token;
        GString *out;

        /* An open bracket or a pound/euro sign right before two digits is
         * the chapter letter misread ("[10" is I10, "£78.5" is E78.5). */
        if ((*t == '[' || *t == '(' || *t == '{') && g_ascii_isdigit(t[1]) &&
            g_ascii_isdigit(t[2]) && !strpbrk(t, ")]}")) {
                g_autofree char *fixed = g_strconcat("I", t + 1, NULL);

                return rd_icd10_normalize(fixed);
        }
        {
                /* U+00A3 and U+20AC in UTF-8 */
                gsize sign = g_str_has_prefix(t, "\xc2\xa3") ? 2 :
                             g_str_has_prefix(t, "\xe2\x82\xac") ? 3 : 0;

                if (sign && g_ascii_isdigit(t[sign]) && g_ascii_isdigit(t[sign + 1])) {
                        g_autofree char *fixed = g_strconcat("E", t + sign, NULL);

                        return rd_icd10_normalize(fixed);
                }
        }
        while (*t == '(' || *t == '[' || *t == '_' || *t == '\'' || *t == '"')
                t++;
        len = strlen(t);
        while (len > 0 && !g_ascii_isalnum(t[len - 1]))
                len--;
        if (len < 2 || len >= sizeof(buf))
                return NULL;
        memcpy(buf, t, len);
        buf[len] = '\0';
        n = len;
        for (gsize i = 0; i < n; i++)
                if (buf[i] == ',')
                        buf[i] = '.';
        /* OCR reads the chapter letter I as 1, l, | or drops it: a code
         * that starts with two digits is put back in chapter I. */
        if (buf[0] == '1' || buf[0] == 'l' || buf[0] == '|' || buf[0] == '!') {
                if (n >= 3 && g_ascii_isdigit(buf[1]) && g_ascii_isdigit(buf[2]))
                        buf[0] = 'I';
        }
        /* ... and Z (encounter codes) as 2, when three digits precede the dot. */
        if (buf[0] == '2' && n >= 5 && g_ascii_isdigit(buf[1]) && g_ascii_isdigit(buf[2]) &&
            buf[3] == '.')
                buf[0] = 'Z';
        out = g_string_new(NULL);
        if (g_ascii_isdigit(buf[0])) {
                /* "49.3" for "I49.3": only with the dot, else it is a number. */
                if (!(n >= 4 && g_ascii_isdigit(buf[1]) && buf[2] == '.'))
                        goto fail;
                g_string_append_c(out, 'I');
        }
        g_string_append(out, buf);
        /* letter, digit, digit-or-letter, then optional .[0-9A-Z]{1,4} */
        {
                char *c = out->str;
                gsize l = out->len;

                c[0] = g_ascii_toupper(c[0]);
                if (!g_ascii_isupper(c[0]) || c[0] == 'U')
                        goto fail;
                /* "RO00.2", "RO0O.2": a category is three characters, so
                 * a fourth before the dot is an O read in among the digits */
                if (l >= 6 && c[4] == '.' && (c[1] == 'O' || c[2] == 'O')) {
                        gsize o = c[1] == 'O' ? 1 : 2;

                        memmove(c + o, c + o + 1, l - o);
                        l--;
                        out->len = l;
                }
                for (gsize i = 1; i < l; i++)
                        if (g_ascii_islower(c[i]))
                                goto fail;
                if (l >= 2 && c[1] == 'O')
                        c[1] = '0';
                if (l >= 3 && c[2] == 'O')
                        c[2] = '0';
                if (l < 3 || !g_ascii_isdigit(c[1]) || !g_ascii_isalnum(c[2]))
                        goto fail;
                if (l > 3) {
                        if (c[3] != '.' || l < 5 || l > 8)
                                goto fail;
                        for (gsize i = 4; i < l; i++) {
                                if (c[i] == 'O')
                                        c[i] = '0';
                                if (!g_ascii_isalnum(c[i]))
                                        goto fail;
                                c[i] = g_ascii_toupper(c[i]);
                        }
                }
        }
        return g_string_free(out, FALSE);
fail:
        g_string_free(out, TRUE);
        return NULL;
}

/* ---- fax header lines ---------------------------------------------------- */

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
        if (!read_uint(p, 1, 2, &h, &l1) || p[l1] != ':' || !read_uint(p + l1 + 1, 2, 2, &mi, &l2))
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

static char **realign_label_columns(char **lines);

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

                return realign_label_columns(raw);
        }
}

/* ---- names --------------------------------------------------------------- */

static gboolean
is_credential(const char *w)
{
        static const char *const creds[] = {
                "md", "do", "np", "pa", "pac", "fnp", "fnpc", "fnpbc", "anp", "dnp", "aprn", "rn",
                "mbbs", "facc", "facp", "phd", "mph", "agnp", "cnp", "msn", "facs", "faafp", "dr",
                "mr", "mrs", "ms", "miss", "doctor", "dra", "jr", "sr", "ii", "iii", "crnp", "bc",
        };
        char buf[16];
        gsize n = 0;

        for (const char *p = w; *p && n < sizeof(buf) - 1; p++)
                if (g_ascii_isalpha(*p))
                        buf[n++] = g_ascii_tolower(*p);
        buf[n] = '\0';
        if (n == 0)
                return TRUE;
        /* "PA-C", "NP-C" with the certifying letter misread ("PA-G"): two
         * capitals, a hyphen, one capital is a credential's shape, not a
         * name's */
        if (strlen(w) == 4 && g_ascii_isupper(w[0]) && g_ascii_isupper(w[1]) && w[2] == '-' &&
            g_ascii_isupper(w[3]))
                return TRUE;
        for (gsize i = 0; i < G_N_ELEMENTS(creds); i++)
                if (strcmp(buf, creds[i]) == 0)
                        return TRUE;
        return FALSE;
}

static gboolean
is_name_word(const char *w)
{
        glong letters = 0;

        for (const char *p = w; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                if (g_unichar_isalpha(c))
                        letters++;
                else if (c != '\'' && c != '-' && c != '.' && c != 0x2019)
                        return FALSE;
        }
        return letters >= 1;
}

/* "NOVAK" -> "Novak", "O'BRIEN" -> "O'Brien"; mixed case is kept. */
static char *
name_case(const char *w)
{
        gboolean has_lower = FALSE;
        GString *s;
        gboolean start = TRUE;

        for (const char *p = w; *p; p = g_utf8_next_char(p))
                if (g_unichar_islower(g_utf8_get_char(p)))
                        has_lower = TRUE;
        if (has_lower)
                return g_strdup(w);
        s = g_string_new(NULL);
        for (const char *p = w; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                g_string_append_unichar(s, start ? g_unichar_toupper(c) : g_unichar_tolower(c));
                start = !g_unichar_isalpha(c);
        }
        return g_string_free(s, FALSE);
}

gboolean
rd_split_person_name(const char *raw, char **ret_family, char **ret_given)
{
        g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *s = g_strdup(raw);
        g_auto(GStrv) parts = NULL;
        gint comma_after = -1;  /* index of the word a comma follows */

        g_strdelimit(s, "\t|;:\"", ' ');
        {
                /* "Whitfield,Thomas" */
                g_autoptr(GString) spaced = g_string_new(NULL);

                for (const char *p = s; *p; p++) {
                        g_string_append_c(spaced, *p);
                        if (*p == ',')
                                g_string_append_c(spaced, ' ');
                }
                parts = g_strsplit(spaced->str, " ", -1);
        }
        for (guint i = 0; parts[i]; i++) {
                char *w = parts[i];
                gboolean comma = FALSE;
                gsize len = strlen(w);

                while (len > 0 && (w[len - 1] == ',' || w[len - 1] == '.')) {
                        if (w[len - 1] == ',')
                                comma = TRUE;
                        w[--len] = '\0';
                }
                if (*w == '\0') {
                        if (comma && words->len > 0 && comma_after < 0)
                                comma_after = (gint)words->len - 1;
                        continue;
                }
                if (strpbrk(w, "0123456789")) {
                        if (words->len > 0)
                                break;
                        return FALSE;
                }
                if (is_credential(w)) {
                        /* Credentials end the name ("Aisha Bello, MD NPI"). */
                        if (words->len > 0)
                                break;
                        continue;
                }
                /* OCR reads a capital I as l: "lyer" is "Iyer". */
                if (w[0] == 'l' && g_ascii_isalpha(w[1]) && !strchr("aeiouy", w[1]))
                        w[0] = 'I';
                else if (w[0] == 'l' && w[1] == 'y')
                        w[0] = 'I';
                if (!is_name_word(w) || !g_unichar_isupper(g_utf8_get_char(w))) {
                        if (words->len > 0)
                                break;
                        return FALSE;
                }
                g_ptr_array_add(words, g_strdup(w));
                if (comma && comma_after < 0)
                        comma_after = (gint)words->len - 1;
        }
        if (words->len < 2)
                return FALSE;
        if (comma_after >= 0 && comma_after < (gint)words->len - 1) {
                /* "Family, Given [Middle]" */
                g_autoptr(GString) fam = g_string_new(NULL);

                for (gint i = 0; i <= comma_after; i++) {
                        if (i)
                                g_string_append_c(fam, ' ');
                        g_string_append(fam, g_ptr_array_index(words, i));
                }
                *ret_family = name_case(fam->str);
                *ret_given = name_case(g_ptr_array_index(words, comma_after + 1));
                return TRUE;
        }
        {
                /* "Given [M.] Family"; "Mary Ann Smith" keeps "Mary Ann". */
                const char *family = g_ptr_array_index(words, words->len - 1);
                g_autoptr(GString) given = g_string_new(NULL);

                for (guint i = 0; i + 1 < words->len; i++) {
                        const char *w = g_ptr_array_index(words, i);

                        if (i > 0 && g_utf8_strlen(w, -1) < 2)
                                continue;
                        if (given->len)
                                g_string_append_c(given, ' ');
                        g_string_append(given, w);
                }
                if (g_utf8_strlen(family, -1) < 2 || g_utf8_strlen(given->str, -1) < 2)
                        return FALSE;
                *ret_family = name_case(family);
                *ret_given = name_case(given->str);
        }
        return TRUE;
}

/* ---- checkboxes ---------------------------------------------------------- */

gboolean
rd_checkbox_ticked(const char *line, const char *label_start)
{
        const char *p = label_start;
        const char *tok_end, *tok_start;
        gboolean ticked = FALSE;

        /* A box is a short run of bracket-like characters right before
         * the label, glued to it or separated by spaces. */
        while (p > line && p[-1] == ' ')
                p--;
        tok_end = p;
        while (p > line && p[-1] != ' ' && tok_end - p < 5)
                p--;
        tok_start = p;
        if (tok_end == tok_start || tok_end - tok_start > 4)
                return FALSE;
        for (const char *q = tok_start; q < tok_end; q++) {
                unsigned char c = (unsigned char)*q;

                if (c >= 0x80) {
                        /* ☒ ☑ ✓ ✔ ■ and friends are ticks */
                        ticked = TRUE;
                        continue;
                }
                /* a filled box reads as X, K, B, & or % */
                if (strchr("Xx%&#*", c) || (q == tok_start && strchr("KkB", c)))
                        ticked = TRUE;
                else if (!strchr("[](){}|JIl1!07OoCcQ/\\_-.,:;", c))
                        return FALSE;
        }
        return ticked;
}

/* ---- labelled values ----------------------------------------------------- */

typedef enum {
        SEC_NONE,
        SEC_PATIENT,
        SEC_REFERRING,
        SEC_RECIPIENT,
        SEC_OTHER,
} Section;

typedef enum {
        L_NAME, L_PATIENT, L_DOB, L_SEX, L_PHONE, L_MRN, L_NPI, L_PRACTICE, L_FAX,
        L_PROVIDER, L_FROM, L_TO, L_RE, L_PRIORITY, L_SERVICE, L_REASON, L_DIAG,
        L_STOP, L_REFER_TO,
} LabelKey;

typedef struct {
        const char *text;
        LabelKey key;
        Section implies; /* section this label switches to, SEC_NONE for none */
} Label;

static const Label labels[] = {
        { "name (last, first)", L_NAME, SEC_PATIENT },
        { "patient name", L_NAME, SEC_PATIENT },
        { "patient", L_PATIENT, SEC_PATIENT },
        { "name", L_NAME, SEC_NONE },
        { "date of birth", L_DOB, SEC_PATIENT },
        { "birth date", L_DOB, SEC_PATIENT },
        { "d.o.b.", L_DOB, SEC_PATIENT },
        { "d.o.b", L_DOB, SEC_PATIENT },
        { "dob", L_DOB, SEC_PATIENT },
        { "dos", L_DOB, SEC_PATIENT },
        { "d0b", L_DOB, SEC_PATIENT },
        { "legal sex", L_SEX, SEC_PATIENT },
        { "sex", L_SEX, SEC_PATIENT },
        { "gender", L_SEX, SEC_PATIENT },
        { "home phone", L_PHONE, SEC_PATIENT },
        { "cell phone", L_PHONE, SEC_PATIENT },
        { "mobile", L_PHONE, SEC_PATIENT },
        { "cell", L_PHONE, SEC_PATIENT },
        { "telephone", L_PHONE, SEC_NONE },
        { "phone", L_PHONE, SEC_NONE },
        { "tel", L_PHONE, SEC_NONE },
        { "ph", L_PHONE, SEC_NONE },
        { "medical record number", L_MRN, SEC_PATIENT },
        { "medical record #", L_MRN, SEC_PATIENT },
        { "medical record", L_MRN, SEC_PATIENT },
        { "mrn", L_MRN, SEC_PATIENT },
        { "mr#", L_MRN, SEC_PATIENT },
        { "mr #", L_MRN, SEC_PATIENT },
        { "man", L_MRN, SEC_PATIENT },
        { "mbn", L_MRN, SEC_PATIENT },
        { "patient id", L_MRN, SEC_PATIENT },
        { "chart #", L_MRN, SEC_PATIENT },
        { "npi", L_NPI, SEC_REFERRING },
        { "npe", L_NPI, SEC_REFERRING },
        { "npl", L_NPI, SEC_REFERRING },
        { "np1", L_NPI, SEC_REFERRING },
        { "practice", L_PRACTICE, SEC_REFERRING },
        { "clinic", L_PRACTICE, SEC_REFERRING },
        { "fax", L_FAX, SEC_NONE },
        { "referring provider", L_PROVIDER, SEC_REFERRING },
        { "referring physician", L_PROVIDER, SEC_REFERRING },
        { "referring clinician", L_PROVIDER, SEC_REFERRING },
        { "referred by", L_PROVIDER, SEC_REFERRING },
        { "provider", L_PROVIDER, SEC_REFERRING },
        { "from", L_FROM, SEC_REFERRING },
        { "to", L_TO, SEC_RECIPIENT },
        { "attn", L_TO, SEC_RECIPIENT },
        { "re", L_RE, SEC_PATIENT },
        { "priority", L_PRIORITY, SEC_OTHER },
        { "urgency", L_PRIORITY, SEC_OTHER },
        { "requested service", L_SERVICE, SEC_OTHER },
        { "service requested", L_SERVICE, SEC_OTHER },
        { "department", L_SERVICE, SEC_RECIPIENT },
        { "reason for referral", L_REASON, SEC_OTHER },
        { "referral reason", L_REASON, SEC_OTHER },
        { "reason for consultation", L_REASON, SEC_OTHER },
        { "reason for consult", L_REASON, SEC_OTHER },
        { "diagnosis (icd-10)", L_DIAG, SEC_OTHER },
        { "diagnoses", L_DIAG, SEC_OTHER },
        { "diagnosis", L_DIAG, SEC_OTHER },
        { "icd-10", L_DIAG, SEC_OTHER },
        { "icd10", L_DIAG, SEC_OTHER },
        { "refer to", L_REFER_TO, SEC_RECIPIENT },
        { "address", L_STOP, SEC_NONE },
        { "insurance", L_STOP, SEC_NONE },
        { "coverage", L_STOP, SEC_NONE },
        { "member id", L_STOP, SEC_NONE },
        { "referral date", L_STOP, SEC_NONE },
        { "order date", L_STOP, SEC_NONE },
        { "order #", L_STOP, SEC_NONE },
        { "status", L_STOP, SEC_NONE },
        { "referral type", L_STOP, SEC_NONE },
        { "visits", L_STOP, SEC_NONE },
        { "facility", L_STOP, SEC_NONE },
        { "specialty", L_STOP, SEC_NONE },
        { "date of service", L_STOP, SEC_NONE },
        { "visit type", L_STOP, SEC_NONE },
        { "age/sex", L_STOP, SEC_NONE },
        { "age", L_STOP, SEC_NONE },
        { "date", L_STOP, SEC_NONE },
        { "pages", L_STOP, SEC_OTHER },
        { "comments", L_STOP, SEC_OTHER },
        { "language", L_STOP, SEC_NONE },
        { "loc", L_STOP, SEC_NONE },
        { "id", L_STOP, SEC_NONE },
        { "account #", L_STOP, SEC_NONE },
        { "class", L_STOP, SEC_NONE },
        { "marital", L_STOP, SEC_NONE },
};

typedef struct {
        LabelKey key;
        Section section;
        char *value;     /* trimmed text up to the next label on the line */
        guint page;      /* index into the page list */
        guint line;
        guint rank;      /* 0 referral form/body, 1 cover, 2 rest */
} Value;

static void
value_free(Value *v)
{
        g_free(v->value);
        g_free(v);
}

/* Label match at @p (case-insensitive, word boundary before and after)
 * followed by ':' (or '#'), or for number labels directly by a digit. */
static const Label *
match_label(const char *line, const char *p, const char **ret_value)
{
        /* A text layer glues a label to the value before it
         * ("InstituteFax:555..."): accept a capitalised label with a colon. */
        gboolean glued = p > line && (g_ascii_islower(p[-1]) || g_ascii_isdigit(p[-1])) &&
                         g_ascii_isupper(p[0]);

        if (p > line && (g_ascii_isalnum(p[-1]) || p[-1] == '\'') && !glued)
                return NULL;
        for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
                gsize n = strlen(labels[i].text);
                const char *q;

                if (g_ascii_strncasecmp(p, labels[i].text, n) != 0)
                        continue;
                q = p + n;
                if (g_ascii_isalnum(*q))
                        continue;
                if (*q == '\t') {
                        /* a table cell: "Patient<TAB>value" */
                        *ret_value = q + 1;
                        return &labels[i];
                }
                if (*q == '.' && q[1] == ' ' && (labels[i].key == L_PHONE || labels[i].key == L_FAX))
                        q++;
                while (*q == ' ')
                        q++;
                if (*q == ':' || (!glued && (*q == ';' || (*q == '#' && labels[i].key != L_MRN)))) {
                        *ret_value = q + 1;
                        return &labels[i];
                }
                if (glued)
                        continue;
                if ((labels[i].key == L_NPI || labels[i].key == L_PHONE || labels[i].key == L_FAX ||
                     strcmp(labels[i].text, "dob") == 0 || strcmp(labels[i].text, "mrn") == 0) &&
                    (g_ascii_isdigit(*q) || (*q == '(' && g_ascii_isdigit(q[1])))) {
                        *ret_value = q;
                        return &labels[i];
                }
                /* A longer label of the table may still match. */
        }
        return NULL;
}

static char *
trim_value(const char *s, gsize len)
{
        g_autofree char *v = g_strndup(s, len);
        const char *junk = " \t.,;:'\"|_-\u2014";
        char *start = v;
        gsize l;

        while (*start && (strchr(junk, *start) || (unsigned char)*start >= 0x80)) {
                if ((unsigned char)*start >= 0x80) {
                        gunichar c = g_utf8_get_char_validated(start, -1);

                        if (c == (gunichar)-1 || c == (gunichar)-2 || g_unichar_isalpha(c))
                                break;
                        /* a section sign before a digit is a misread 5 */
                        if (c == 0xa7 && g_ascii_isdigit(start[2]))
                                break;
                        start = g_utf8_next_char(start);
                        continue;
                }
                start++;
        }
        l = strlen(start);
        while (l > 0 && strchr(" \t,;:'\"|_-", start[l - 1]))
                l--;
        return g_strndup(start, l);
}

static gboolean
line_is_blank(const char *l)
{
        for (; *l; l++)
                if (g_ascii_isalnum(*l))
                        return FALSE;
        return TRUE;
}

/* "Collected:" alone on its line: a label without its value. */
static gboolean
is_bare_label(const char *l)
{
        const char *vstart;
        gsize len, words = 1;

        while (*l == ' ')
                l++;
        if (match_label(l, l, &vstart))
                return line_is_blank(vstart);
        len = strlen(l);
        while (len > 0 && l[len - 1] == ' ')
                len--;
        if (len < 3 || len > 30 || l[len - 1] != ':' || !g_ascii_isalpha(l[0]))
                return FALSE;
        for (gsize i = 0; i + 1 < len; i++) {
                if (l[i] == ' ')
                        words++;
                if (l[i] == ':')
                        return FALSE;
        }
        return words <= 4;
}

static Section heading_section(const char *line);

/* Text layers sometimes give a column of labels, then a column of values
 * ("Name:\nSex:\n\nO'Brien, Dorothy\nFemale"): pair them back up. */
static char **
realign_label_columns(char **lines)
{
        GPtrArray *out = g_ptr_array_new();
        guint n = g_strv_length(lines);

        for (guint i = 0; i < n;) {
                guint run = 0, j, k, vals = 0;

                while (i + run < n && is_bare_label(lines[i + run]))
                        run++;
                if (run == 0) {
                        g_ptr_array_add(out, g_strdup(lines[i]));
                        i++;
                        continue;
                }
                j = i + run;
                while (j < n && line_is_blank(lines[j]))
                        j++;
                for (k = j; k < n && vals < run; k++, vals++) {
                        const char *l = lines[k];

                        while (*l == ' ')
                                l++;
                        if (line_is_blank(l) || is_bare_label(l))
                                break;
                }
                /* Only a block of exactly as many values, ended by a blank
                 * line or a label, is the label column's partner. */
                if (vals == run && k < n && !line_is_blank(lines[k])) {
                        const char *l = lines[k];

                        gboolean heading = TRUE;

                        /* or by an upper-case heading (a text layer drops blank lines) */
                        for (const char *q = l; *q; q++)
                                if (g_ascii_islower(*q))
                                        heading = FALSE;
                        /* or by a section heading ("Patient", "Referring
                         * Provider"): pdftotext's order puts a label and its
                         * value in blocks of their own, right before one */
                        if (!is_bare_label(l) && !(heading && strlen(l) > 8) &&
                            heading_section(l) == SEC_NONE)
                                vals = 0;
                }
                if (vals == run) {
                        for (guint r = 0; r < run; r++) {
                                g_autofree char *lab = g_strstrip(g_strdup(lines[i + r]));

                                g_ptr_array_add(out, g_strdup_printf("%s %s", lab, lines[j + r]));
                        }
                        i = j + run;
                } else {
                        for (guint r = 0; r < run; r++)
                                g_ptr_array_add(out, g_strdup(lines[i + r]));
                        i += run;
                }
        }
        g_ptr_array_add(out, NULL);
        return (char **)g_ptr_array_free(out, FALSE);
}

/* "Sincerely,", "Thank you,", "Muchas gracias," - a short line that ends
 * a letter, before the signature. */
static gboolean
is_closing(const char *low)
{
        gsize len = strlen(low);

        while (len > 0 && low[len - 1] == ' ')
                len--;
        if (len == 0 || len > 24 || strpbrk(low, "0123456789:"))
                return FALSE;
        /* greetings open a letter, they do not close it */
        if (g_str_has_prefix(low, "dear") || g_str_has_prefix(low, "hi") ||
            g_str_has_prefix(low, "hello") || g_str_has_prefix(low, "good ") ||
            g_str_has_prefix(low, "to whom") || g_str_has_prefix(low, "buenos"))
                return FALSE;
        return g_str_has_prefix(low, "sincerely") || g_str_has_prefix(low, "regards") ||
               g_str_has_prefix(low, "best regards") || g_str_has_prefix(low, "kind regards") ||
               g_str_has_prefix(low, "respectfully") || low[len - 1] == ',';
}

static Section
heading_section(const char *line)
{
        g_autofree char *l = g_ascii_strdown(line, -1);

        g_strstrip(l);
        if (strlen(l) > 40)
                return SEC_NONE;
        if (g_str_has_prefix(l, "patient information") || strcmp(l, "patient") == 0 ||
            g_str_has_prefix(l, "patient demographics"))
                return SEC_PATIENT;
        if (g_str_has_prefix(l, "referring provider") || g_str_has_prefix(l, "referring physician") ||
            g_str_has_prefix(l, "referring clinician") || g_str_has_prefix(l, "referred by") ||
            g_str_has_prefix(l, "sincerely") || g_str_has_prefix(l, "thank you") ||
            g_str_has_prefix(l, "regards") || g_str_has_prefix(l, "best regards") ||
            is_closing(l))
                return SEC_REFERRING;
        if (strcmp(l, "refer to") == 0 || g_str_has_prefix(l, "referred to") ||
            g_str_has_prefix(l, "emergency contact") || g_str_has_prefix(l, "guarantor"))
                return SEC_RECIPIENT;
        if (g_str_has_prefix(l, "referral details") || g_str_has_prefix(l, "diagnos") ||
            g_str_has_prefix(l, "records enclosed") || g_str_has_prefix(l, "comments") ||
            g_str_has_prefix(l, "encounter"))
                return SEC_OTHER;
        return SEC_NONE;
}

static void
collect_values(char **lines, guint page, guint rank, GPtrArray *values)
{
        Section sec = SEC_NONE;

        for (guint i = 0; lines[i]; i++) {
                const char *line = lines[i];
                Section h = heading_section(line);
                const Label *cur = NULL;
                const char *cur_value = NULL;

                if (h != SEC_NONE) {
                        sec = h;
                        continue;
                }
                for (const char *p = line;; p++) {
                        const char *vstart = NULL;
                        const Label *lab = *p ? match_label(line, p, &vstart) : NULL;

                        if (*p && lab == NULL)
                                continue;
                        if (cur) {
                                Value *v = g_new0(Value, 1);

                                v->key = cur->key;
                                v->section = sec;
                                v->value = trim_value(cur_value, (gsize)(p - cur_value));
                                v->page = page;
                                v->line = i;
                                v->rank = rank;
                                g_ptr_array_add(values, v);
                        }
                        if (*p == '\0')
                                break;
                        if (lab->implies != SEC_NONE)
                                sec = lab->implies;
                        cur = lab;
                        cur_value = vstart;
                        p = vstart - 1;
                }
        }
}

/* ---- field pickers ------------------------------------------------------- */

typedef struct {
        GPtrArray *pages;        /* RdPage* */
        GPtrArray *page_lines;   /* char** per page, header-free, realigned */
        GArray *rank;            /* guint per page */
        GPtrArray *values;       /* Value* in rank order */
        GPtrArray *excluded;     /* char* phone numbers of the recipient */
} Ctx;

static gboolean
excluded_number(Ctx *c, const char *num)
{
        for (guint i = 0; i < c->excluded->len; i++)
                if (strcmp(g_ptr_array_index(c->excluded, i), num) == 0)
                        return TRUE;
        return FALSE;
}

static gint
value_rank_cmp(gconstpointer a, gconstpointer b)
{
        const Value *va = *(Value *const *)a, *vb = *(Value *const *)b;

        if (va->rank != vb->rank)
                return va->rank < vb->rank ? -1 : 1;
        if (va->page != vb->page)
                return va->page < vb->page ? -1 : 1;
        return va->line < vb->line ? -1 : va->line > vb->line;
}

/* Same length, at most one character apart: one misread digit. */
static gboolean
one_digit_apart(const char *a, const char *b)
{
        guint diff = 0;

        if (strlen(a) != strlen(b))
                return FALSE;
        for (; *a; a++, b++)
                if (*a != *b)
                        diff++;
        return diff == 1;
}

/* The first labelled date in rank order, unless the other pages repeat a
 * date one digit away from it more often: every page of a packet carries
 * the patient's DOB, and a misread on one page is outvoted by the rest. */
static char *
pick_date(Ctx *c, LabelKey key, guint max_rank)
{
        g_autoptr(GPtrArray) dates = g_ptr_array_new_with_free_func(g_free);
        const char *best = NULL;
        guint best_n = 0, first_n = 0;

        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);
                char *iso;
                const char *p = v->value;

                if (v->key != key || v->rank > max_rank)
                        continue;
                while (*p && !g_ascii_isalnum(*p))
                        p++;
                iso = rd_parse_date(p, NULL);
                if (iso)
                        g_ptr_array_add(dates, iso);
        }
        if (dates->len == 0)
                return NULL;
        for (guint i = 0; i < dates->len; i++) {
                const char *d = g_ptr_array_index(dates, i);
                guint n = 0;

                for (guint j = 0; j < dates->len; j++)
                        n += strcmp(d, g_ptr_array_index(dates, j)) == 0;
                if (i == 0)
                        first_n = n;
                if (n > best_n) {
                        best = d;
                        best_n = n;
                }
        }
        if (best_n >= 2 && best_n > first_n && one_digit_apart(best, g_ptr_array_index(dates, 0)))
                return g_strdup(best);
        return g_strdup(g_ptr_array_index(dates, 0));
}

/* Does @low (lower case) hold @word as a whole word? */
static gboolean
has_word(const char *low, const char *word)
{
        gsize n = strlen(word);

        for (const char *f = strstr(low, word); f; f = strstr(f + 1, word))
                if ((f == low || !g_ascii_isalpha(f[-1])) && !g_ascii_isalpha(f[n]))
                        return TRUE;
        return FALSE;
}

/* "Mr. Name" in @text (case as written: "ms" is also a unit). */
static gboolean
has_honorific(const char *text, const char *hon)
{
        gsize n = strlen(hon);

        for (const char *f = strstr(text, hon); f; f = strstr(f + 1, hon))
                if ((f == text || !g_ascii_isalnum(f[-1])) && f[n] == ' ' && g_ascii_isupper(f[n + 1]))
                        return TRUE;
        return FALSE;
}

/* No sex field could be read (a text layer drops the ticked box of
 * "Sex: [X] M [ ] F"): the clinical prose says it - "67 y/o female",
 * "58-year-old man", "Mr. Name".  Both kinds of cue seen: unknown. */
static char *
sex_from_prose(Ctx *c)
{
        static const char *const male[] = {
                "y/o male", "yo male", "year-old man", "year-old male", "year old man",
                "year old male",
        };
        static const char *const female[] = {
                "y/o female", "yo female", "year-old woman", "year-old female", "year old woman",
                "year old female",
        };
        gboolean m = FALSE, f = FALSE;

        for (guint p = 0; p < c->pages->len; p++) {
                const RdPage *page = g_ptr_array_index(c->pages, p);
                g_autofree char *low = g_ascii_strdown(page->text, -1);

                for (gsize i = 0; i < G_N_ELEMENTS(male); i++)
                        m |= has_word(low, male[i]);
                for (gsize i = 0; i < G_N_ELEMENTS(female); i++)
                        f |= has_word(low, female[i]);
                m |= has_honorific(page->text, "Mr.");
                f |= has_honorific(page->text, "Mrs.") || has_honorific(page->text, "Ms.");
        }
        if (m == f)
                return NULL;
        return g_strdup(m ? "M" : "F");
}

static char *
pick_sex(Ctx *c)
{
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);
                const char *val = v->value;
                const char *m, *f;

                if (v->key != L_SEX)
                        continue;
                /* Checkboxes: "[X]M [ ]F" */
                m = NULL;
                f = NULL;
                for (const char *p = val; *p; p++) {
                        if ((*p == 'M' || *p == 'F') && !g_ascii_isalpha(p[1]) &&
                            !(p[1] == 'a' || p[1] == 'e')) {
                                if (*p == 'M' && m == NULL)
                                        m = p;
                                if (*p == 'F' && f == NULL)
                                        f = p;
                        }
                }
                if (m && f) {
                        gboolean tm = rd_checkbox_ticked(val, m), tf = rd_checkbox_ticked(val, f);

                        if (tm != tf)
                                return g_strdup(tm ? "M" : "F");
                        continue;
                }
                if (g_ascii_strncasecmp(val, "female", 6) == 0 || g_ascii_strncasecmp(val, "f", 2) == 0 ||
                    (val[0] == 'F' && !g_ascii_isalpha(val[1])))
                        return g_strdup("F");
                if (g_ascii_strncasecmp(val, "male", 4) == 0 ||
                    (val[0] == 'M' && !g_ascii_isalpha(val[1])))
                        return g_strdup("M");
                if (g_ascii_strncasecmp(val, "unknown", 7) == 0 || (val[0] == 'U' && !g_ascii_isalpha(val[1])))
                        return g_strdup("U");
        }
        return sex_from_prose(c);
}

static char *
pick_phone(Ctx *c, LabelKey key, Section want, guint max_rank)
{
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);
                char *num;

                if (v->key != key || v->rank > max_rank)
                        continue;
                if (want != SEC_NONE && v->section != want)
                        continue;
                if (v->section == SEC_RECIPIENT)
                        continue;
                num = rd_normalize_phone(v->value);
                if (num && !excluded_number(c, num))
                        return num;
                g_free(num);
        }
        return NULL;
}

/* A number read once on the form is checked against the same labelled
 * number on the other pages (letterheads, signatures, cover sheets): one
 * read more often and one digit away is the same number, misread once.
 * Takes @chosen; returns it or the majority reading. */
static char *
outvote_number(Ctx *c, LabelKey key, Section want, char *chosen)
{
        g_autoptr(GHashTable) votes = NULL;
        GHashTableIter it;
        gpointer k, val;
        const char *best = NULL;
        guint best_n = 0, chosen_n;

        if (chosen == NULL)
                return NULL;
        votes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);
                char *num;

                if (v->key != key || (v->section != want && v->section != SEC_NONE))
                        continue;
                num = rd_normalize_phone(v->value);
                if (num == NULL || excluded_number(c, num)) {
                        g_free(num);
                        continue;
                }
                val = g_hash_table_lookup(votes, num);
                g_hash_table_replace(votes, num, GUINT_TO_POINTER(GPOINTER_TO_UINT(val) + 1));
        }
        chosen_n = GPOINTER_TO_UINT(g_hash_table_lookup(votes, chosen));
        g_hash_table_iter_init(&it, votes);
        while (g_hash_table_iter_next(&it, &k, &val)) {
                guint n = GPOINTER_TO_UINT(val);

                if (n > best_n || (n == best_n && best && strcmp(k, best) < 0)) {
                        best = k;
                        best_n = n;
                }
        }
        if (best && best_n >= 2 && best_n > chosen_n && one_digit_apart(best, chosen)) {
                g_free(chosen);
                return g_strdup(best);
        }
        return chosen;
}

static char *
pick_mrn(Ctx *c)
{
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);
                g_auto(GStrv) words = NULL;
                const char *w;
                gboolean digit = FALSE;

                if (v->key != L_MRN)
                        continue;
                words = g_strsplit(v->value, " ", 2);
                w = words[0];
                if (w == NULL || strlen(w) < 4 || strlen(w) > 20)
                        continue;
                for (const char *p = w; *p; p++) {
                        if (g_ascii_isdigit(*p))
                                digit = TRUE;
                        else if (!g_ascii_isalpha(*p) && *p != '-')
                                goto next;
                }
                if (digit)
                        return g_strdup(w);
next:
                ;
        }
        return NULL;
}

static char *
pick_npi(Ctx *c)
{
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);
                char digits[11];
                guint n = 0;

                if (v->key != L_NPI)
                        continue;
                for (const char *p = v->value; *p && n < 11; p++) {
                        if (g_ascii_isdigit(*p))
                                digits[n < 10 ? n : 10] = *p, n++;
                        else if (*p != ' ' && *p != '-')
                                break;
                }
                if (n != 10)
                        continue;
                digits[10] = '\0';
                /* An NPI that fails its check digit is misprinted or
                 * misread: null, never a guess. */
                if (rd_npi_is_valid(digits))
                        return g_strdup(digits);
        }
        return NULL;
}

static gboolean
split_name_value(const char *value, char **family, char **given)
{
        g_autofree char *v = g_strdup(value);
        char *cut;

        /* Stop at a following date or an "(age)" part. */
        for (cut = v; *cut; cut++) {
                if (g_ascii_isdigit(*cut) || *cut == '(') {
                        *cut = '\0';
                        break;
                }
        }
        return rd_split_person_name(v, family, given);
}

static void
pick_patient_name(Ctx *c, RdReferral *ref)
{
        static const LabelKey order[] = { L_NAME, L_PATIENT, L_RE };

        for (guint rank = 0; rank <= 2; rank++) {
                for (guint k = 0; k < G_N_ELEMENTS(order); k++) {
                        for (guint i = 0; i < c->values->len; i++) {
                                Value *v = g_ptr_array_index(c->values, i);

                                if (v->rank != rank || v->key != order[k])
                                        continue;
                                if (v->key == L_NAME && v->section != SEC_PATIENT)
                                        continue;
                                if (split_name_value(v->value, &ref->patient.family, &ref->patient.given))
                                        return;
                        }
                }
        }
}

static gboolean
looks_like_practice(const char *s)
{
        static const char *const words[] = {
                "medicine", "medical", "health", "clinic", "care", "practice", "group",
                "associates", "physicians", "center", "centre", "hospital", "family",
                "cardiology", "internal", "pediatric", "geriatric", "partners", "wellness",
        };
        g_autofree char *l = g_ascii_strdown(s, -1);
        guint letters = 0;

        for (const char *p = s; *p; p++)
                if (g_ascii_isalpha(*p))
                        letters++;
        if (letters < 6 || strlen(s) > 70 || strchr(s, ':') || strchr(s, '@'))
                return FALSE;
        for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
                if (strstr(l, words[i]))
                        return TRUE;
        return FALSE;
}

static char *
clean_practice(const char *s)
{
        g_autofree char *v = trim_value(s, strlen(s));
        gsize l = strlen(v);

        /* OCR leaves a stray lower-case word start: "Granite Falls internal" stays as read. */
        while (l > 0 && (v[l - 1] == '.' || v[l - 1] == ' '))
                v[--l] = '\0';
        return g_strdup(v);
}

static char *
pick_practice(Ctx *c, const char *referring_name)
{
        /* 1. labelled */
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);

                if (v->key == L_PRACTICE && v->rank <= 1 && strlen(v->value) > 3)
                        return clean_practice(v->value);
        }
        /* 2. the letterhead or signature of the referral pages: the first
         * practice-like line of the page, or a practice-like line after
         * the clinician's name in a signature. */
        for (guint rank = 0; rank <= 1; rank++) {
                for (guint p = 0; p < c->page_lines->len; p++) {
                        char **lines = g_ptr_array_index(c->page_lines, p);
                        guint seen = 0;

                        if (g_array_index(c->rank, guint, p) != rank)
                                continue;
                        for (guint i = 0; lines[i] && seen < 4; i++) {
                                g_autofree char *t = g_strstrip(g_strdup(lines[i]));

                                if (line_is_blank(t))
                                        continue;
                                seen++;
                                if (looks_like_practice(t))
                                        return clean_practice(t);
                        }
                        if (referring_name == NULL)
                                continue;
                        for (guint i = 0; lines[i]; i++) {
                                g_autofree char *low = g_ascii_strdown(lines[i], -1);

                                if (is_closing(low)) {
                                        /* closing, name, then the practice line */
                                        guint seen_name = 0;

                                        for (guint j = i + 1; lines[j] && j < i + 6; j++) {
                                                g_autofree char *t = g_strstrip(g_strdup(lines[j]));

                                                if (line_is_blank(t))
                                                        continue;
                                                if (!seen_name++)
                                                        continue;
                                                if (g_ascii_strncasecmp(t, "npi", 3) == 0)
                                                        continue;
                                                if (!strpbrk(t, "0123456789@:") && strlen(t) < 60 &&
                                                    g_unichar_isupper(g_utf8_get_char(t)))
                                                        return clean_practice(t);
                                                break;
                                        }
                                }
                                if (strstr(lines[i], "NPI") == NULL)
                                        continue;
                                for (guint j = i + 1; lines[j] && j < i + 4; j++) {
                                        g_autofree char *t = g_strstrip(g_strdup(lines[j]));

                                        if (looks_like_practice(t))
                                                return clean_practice(t);
                                }
                        }
                }
        }
        return NULL;
}

static char *
join_name(const char *family, const char *given)
{
        return g_strdup_printf("%s %s", given, family);
}

static char *
pick_referring_name(Ctx *c)
{
        static const LabelKey order[] = { L_PROVIDER, L_NAME, L_FROM };

        for (guint rank = 0; rank <= 2; rank++) {
                for (guint k = 0; k < G_N_ELEMENTS(order); k++) {
                        for (guint i = 0; i < c->values->len; i++) {
                                Value *v = g_ptr_array_index(c->values, i);
                                g_autofree char *fam = NULL, *giv = NULL;

                                if (v->rank != rank || v->key != order[k])
                                        continue;
                                if (v->key == L_NAME && v->section != SEC_REFERRING)
                                        continue;
                                if (split_name_value(v->value, &fam, &giv))
                                        return join_name(fam, giv);
                        }
                }
                /* Signature: the line before "NPI", or after "Sincerely". */
                for (guint p = 0; p < c->page_lines->len; p++) {
                        char **lines = g_ptr_array_index(c->page_lines, p);

                        if (g_array_index(c->rank, guint, p) != rank)
                                continue;
                        for (guint i = 0; lines[i]; i++) {
                                g_autofree char *l = g_ascii_strdown(lines[i], -1);
                                gboolean npi = g_str_has_prefix(g_strstrip(l), "npi");
                                gboolean closing = is_closing(l);

                                if (npi) {
                                        for (gint j = (gint)i - 1; j >= 0 && j >= (gint)i - 3; j--) {
                                                g_autofree char *fam = NULL, *giv = NULL;

                                                if (line_is_blank(lines[j]))
                                                        continue;
                                                if (rd_split_person_name(lines[j], &fam, &giv))
                                                        return join_name(fam, giv);
                                                break;
                                        }
                                } else if (closing) {
                                        for (guint j = i + 1; lines[j] && j < i + 4; j++) {
                                                g_autofree char *fam = NULL, *giv = NULL;

                                                if (line_is_blank(lines[j]))
                                                        continue;
                                                if (!strchr(lines[j], ':') &&
                                                    rd_split_person_name(lines[j], &fam, &giv))
                                                        return join_name(fam, giv);
                                                break;
                                        }
                                }
                        }
                }
        }
        return NULL;
}

/* Practice phone/fax from the letterhead or signature: "Tel ... Fax ..." */
static char *
pick_letterhead_number(Ctx *c, LabelKey key)
{
        for (guint rank = 0; rank <= 1; rank++) {
                for (guint i = 0; i < c->values->len; i++) {
                        Value *v = g_ptr_array_index(c->values, i);
                        char *num;

                        if (v->rank != rank || v->key != key)
                                continue;
                        if (v->section != SEC_NONE && v->section != SEC_REFERRING)
                                continue;
                        num = rd_normalize_phone(v->value);
                        if (num && !excluded_number(c, num))
                                return num;
                        g_free(num);
                }
        }
        return NULL;
}

static gboolean
reason_stops(const char *line)
{
        const char *vstart;
        g_autofree char *l = g_ascii_strdown(line, -1);
        const char *t = l;

        while (*t == ' ')
                t++;
        if (match_label(t, t, &vstart))
                return TRUE;
        if (heading_section(line) != SEC_NONE)
                return TRUE;
        return g_str_has_prefix(t, "electronically signed") || g_str_has_prefix(t, "comments") ||
               g_str_has_prefix(t, "diagnos") || g_str_has_prefix(t, "printed") ||
               g_str_has_prefix(t, "page ") || g_str_has_prefix(t, "records enclosed") ||
               g_str_has_prefix(t, "thank you") || g_str_has_prefix(t, "sincerely") ||
               g_str_has_prefix(t, "dear ") || g_str_has_prefix(t, "attached") ||
               g_str_has_prefix(t, "requested service") || g_str_has_prefix(t, "service requested") ||
               g_str_has_prefix(t, "urgency") || g_str_has_prefix(t, "icd");
}

/* Fax specks read as punctuation after the last word ("... 1 week. '"):
 * a last word of at most three characters with no letter or digit. */
static void
drop_trailing_specks(GString *s)
{
        for (;;) {
                const char *sp = strrchr(s->str, ' ');
                gboolean speck;

                if (sp == NULL || g_utf8_strlen(sp + 1, -1) > 3)
                        return;
                speck = TRUE;
                for (const char *q = sp + 1; *q && speck; q = g_utf8_next_char(q))
                        speck = !g_unichar_isalnum(g_utf8_get_char(q));
                if (!speck)
                        return;
                g_string_truncate(s, sp - s->str);
        }
}

static char *
pick_reason(Ctx *c)
{
        for (guint rank = 0; rank <= 2; rank++) {
                for (guint p = 0; p < c->page_lines->len; p++) {
                        char **lines = g_ptr_array_index(c->page_lines, p);

                        if (g_array_index(c->rank, guint, p) != rank)
                                continue;
                        for (guint i = 0; lines[i]; i++) {
                                const char *l = lines[i];
                                const char *hit = NULL;
                                static const char *const keys[] = {
                                        "reason for referral", "referral reason",
                                        "reason for consultation", "reason for consult",
                                };
                                g_autoptr(GString) out = g_string_new(NULL);

                                for (gsize k = 0; k < G_N_ELEMENTS(keys) && !hit; k++) {
                                        g_autofree char *low = g_ascii_strdown(l, -1);
                                        const char *f = strstr(low, keys[k]);

                                        if (f)
                                                hit = l + (f - low) + strlen(keys[k]);
                                }
                                if (hit == NULL)
                                        continue;
                                while (*hit == ' ' || *hit == ':' || *hit == ';')
                                        hit++;
                                g_string_append(out, hit);
                                for (guint j = i + 1; lines[j]; j++) {
                                        const char *n = lines[j];

                                        if (line_is_blank(n)) {
                                                /* A blank inside a wrapped sentence (OCR) or
                                                 * between heading and text. */
                                                guint k = j + 1;

                                                while (lines[k] && line_is_blank(lines[k]))
                                                        k++;
                                                if (lines[k] == NULL)
                                                        break;
                                                if (out->len > 0 && !g_ascii_islower(lines[k][0]))
                                                        break;
                                                j = k - 1;
                                                continue;
                                        }
                                        if (reason_stops(n))
                                                break;
                                        if (out->len)
                                                g_string_append_c(out, ' ');
                                        g_string_append(out, n);
                                }
                                g_strstrip(out->str);
                                if (out->len > 3) {
                                        /* collapse runs of spaces */
                                        g_autofree char *s = g_string_free(g_steal_pointer(&out), FALSE);
                                        GString *r = g_string_new(NULL);

                                        for (const char *q = s; *q; q++)
                                                if (!(*q == ' ' && (q[1] == ' ' || q[1] == '\0')))
                                                        g_string_append_c(r, *q);
                                        drop_trailing_specks(r);
                                        return g_string_free(r, FALSE);
                                }
                        }
                }
        }
        return NULL;
}

static gboolean
strv_has(GPtrArray *a, const char *s)
{
        for (guint i = 0; i < a->len; i++)
                if (strcmp(g_ptr_array_index(a, i), s) == 0)
                        return TRUE;
        return FALSE;
}

/* Codes sit at the start of a line of the diagnosis block, after the
 * label, or after ';' in a sentence list. */
static void
codes_from_text(const char *text, GPtrArray *out)
{
        g_auto(GStrv) parts = g_strsplit_set(text, ";", -1);

        for (guint i = 0; parts[i]; i++) {
                const char *p = parts[i];
                g_autofree char *tok = NULL;
                const char *e;
                char *code;

                while (*p == ' ' || *p == '-' || *p == '*' || *p == '\t' || *p == '_' || *p == ':')
                        p++;
                /* a speck read as a quote or a dot before the code: skip a
                 * first token with no letter or digit in it */
                e = p;
                while (*e && *e != ' ' && *e != '\t' && !g_ascii_isalnum(*e) &&
                       (guchar)*e < 0x80)
                        e++;
                if (e > p && (*e == ' ' || *e == '\t')) {
                        p = e;
                        while (*p == ' ' || *p == '\t')
                                p++;
                }
                e = p;
                while (*e && *e != ' ' && *e != '\t')
                        e++;
                tok = g_strndup(p, (gsize)(e - p));
                code = rd_icd10_normalize(tok);
                if (code && !strv_has(out, code))
                        g_ptr_array_add(out, code);
                else
                        g_free(code);
        }
}

static void
pick_diagnoses(Ctx *c, GPtrArray *out)
{
        for (guint rank = 0; rank <= 1 && out->len == 0; rank++) {
                for (guint p = 0; p < c->page_lines->len && out->len == 0; p++) {
                        char **lines = g_ptr_array_index(c->page_lines, p);

                        if (g_array_index(c->rank, guint, p) != rank)
                                continue;
                        for (guint i = 0; lines[i]; i++) {
                                g_autofree char *low = g_ascii_strdown(lines[i], -1);
                                const char *f = strstr(low, "diagnos");
                                const char *rest;

                                if (f == NULL && g_str_has_prefix(g_strchug(low), "icd"))
                                        f = low;
                                if (f == NULL || strstr(low, "discharge diagnos"))
                                        continue;
                                rest = lines[i] + (f - low);
                                /* the value follows a colon, a closing
                                 * parenthesis or a table cell's tab */
                                while (*rest && *rest != ':' && *rest != ')' && *rest != '\t')
                                        rest++;
                                /* "Diagnosis (ICD-10): code text" */
                                if (*rest == ')' && rest[1] == ':')
                                        rest++;
                                if (*rest)
                                        codes_from_text(rest + 1, out);
                                /* The block runs until the next section; description
                                 * lines (or a column of them) carry no code shape. */
                                for (guint j = i + 1; lines[j] && j < i + 16; j++) {
                                        if (line_is_blank(lines[j]))
                                                continue;
                                        if (reason_stops(lines[j]))
                                                break;
                                        codes_from_text(lines[j], out);
                                }
                                if (out->len)
                                        break;
                        }
                }
        }
}

/* ---- urgency and service line -------------------------------------------- */

typedef struct {
        const char *phrase;
        const char *value;
} Option;

static const Option urgency_options[] = {
        { "routine", "routine" }, { "urgent", "urgent" }, { "stat", "stat" },
};

static const Option service_options[] = {
        { "general cardiology", "general" },
        { "electrophysiology", "electrophysiology" },
        { "heart failure", "heart_failure" },
        { "interventional", "interventional" },
        { "preventive", "preventive" },
};

/* Positions of the options named on @line (case-insensitive, whole words). */
static guint
find_options(const char *line, const Option *opts, gsize n_opts, const char **pos)
{
        g_autofree char *low = g_ascii_strdown(line, -1);
        guint found = 0;

        for (gsize i = 0; i < n_opts; i++) {
                const char *f = low;

                pos[i] = NULL;
                while ((f = strstr(f, opts[i].phrase))) {
                        gsize n = strlen(opts[i].phrase);

                        if ((f == low || !g_ascii_isalpha(f[-1]) || rd_checkbox_ticked(low, f) ||
                             strchr("[](){}|JIl1!07OoCcKX", line[f - low - 1])) &&
                            !g_ascii_isalpha(f[n])) {
                                pos[i] = line + (f - low);
                                found++;
                                break;
                        }
                        f += n;
                }
        }
        return found;
}

/* Ticked options on the checkbox rows of the referral pages; returns
 * the number of checkbox rows seen. */
static guint
ticked_options(Ctx *c, const Option *opts, gsize n_opts, guint *ticked)
{
        guint rows = 0;

        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = g_ptr_array_index(c->page_lines, p);
                gboolean prev_row = FALSE;

                if (g_array_index(c->rank, guint, p) != 0)
                        continue;
                for (guint i = 0; lines[i]; i++) {
                        const char *pos[8];
                        guint n = find_options(lines[i], opts, n_opts, pos);

                        if (n >= 2 || (n == 1 && prev_row)) {
                                rows++;
                                for (gsize k = 0; k < n_opts; k++) {
                                        if (pos[k] == NULL)
                                                continue;
                                        /* The cut-off letter before a glued box:
                                         * "KIF" is "[X]F"; test the raw line. */
                                        if (rd_checkbox_ticked(lines[i], pos[k]))
                                                ticked[k]++;
                                }
                                prev_row = TRUE;
                        } else {
                                prev_row = FALSE;
                        }
                }
        }
        return rows;
}

/* Is there a checkbox before the option at @label_start?  Nothing but a
 * "Label:" or the start of the line, or a word, means its box is gone. */
static gboolean
has_box(const char *line, const char *label_start)
{
        const char *p = label_start, *end;
        guint alpha = 0;

        while (p > line && p[-1] == ' ')
                p--;
        end = p;
        while (p > line && p[-1] != ' ')
                p--;
        if (p == end || end[-1] == ':')
                return FALSE;
        for (const char *q = p; q < end; q++) {
                if ((guchar)*q >= 0x80)
                        continue;
                if (g_ascii_isalpha(*q) && !strchr("JIlOoCcQXx", *q))
                        alpha++;
                else if (!strchr("[](){}|JIl1!07OoCcQXx/\\_-.,;'\"&%#*", *q))
                        return FALSE;
        }
        return alpha == 0 && end - p <= 6;
}

/* A row of options where no tick was read, every option but one shows a
 * box and that one shows none: a filled box that OCR dropped altogether
 * ("Service: General  [] Other  (J Third  CJ Fourth").  Returns its index
 * or -1 when the rows do not say so unambiguously. */
static int
vanished_box_option(Ctx *c, const Option *opts, gsize n_opts)
{
        int boxless = -1;
        guint boxed = 0;

        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = g_ptr_array_index(c->page_lines, p);
                gboolean prev_row = FALSE;

                if (g_array_index(c->rank, guint, p) != 0)
                        continue;
                for (guint i = 0; lines[i]; i++) {
                        const char *pos[8];
                        guint n = find_options(lines[i], opts, n_opts, pos);

                        if (!(n >= 2 || (n == 1 && prev_row))) {
                                prev_row = FALSE;
                                continue;
                        }
                        prev_row = TRUE;
                        for (gsize k = 0; k < n_opts; k++) {
                                if (pos[k] == NULL)
                                        continue;
                                if (rd_checkbox_ticked(lines[i], pos[k]))
                                        return -1;
                                if (has_box(lines[i], pos[k])) {
                                        boxed++;
                                } else {
                                        if (boxless >= 0 && boxless != (int)k)
                                                return -1;
                                        boxless = (int)k;
                                }
                        }
                }
        }
        return boxed + 1 >= n_opts ? boxless : -1;
}

/* A row of options, or one option label alone on its line (a text layer
 * splits a checkbox row into one line per option and drops the boxes). */
static gboolean
is_option_row(const char *line, const Option *opts, gsize n)
{
        const char *pos[8];
        guint found = find_options(line, opts, n, pos);
        const char *t = line;

        if (found >= 2)
                return TRUE;
        if (found == 0)
                return FALSE;
        /* skip a "Label:" put in front of it */
        {
                const char *colon = strchr(line, ':');

                if (colon && colon - line < 20)
                        t = colon + 1;
        }
        while (*t && !g_ascii_isalpha(*t))
                t++;
        for (gsize i = 0; i < n; i++)
                if (pos[i] && pos[i] - t <= 4 && strlen(t) < 36)
                        return TRUE;
        return FALSE;
}

static const char *
pick_urgency(Ctx *c)
{
        guint ticked[3] = { 0, 0, 0 };
        guint n_ticked = 0;
        gboolean saw_urgent = FALSE, saw_stat = FALSE, saw_routine = FALSE;

        /* 1. a labelled single value: "Priority: URGENT" */
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);
                const char *pos[3];
                guint n;

                if (v->key != L_PRIORITY || v->rank > 1)
                        continue;
                n = find_options(v->value, urgency_options, 3, pos);
                if (n == 1 && pos[0] == v->value)
                        return "routine";
                if (n == 1 && pos[1] == v->value)
                        return "urgent";
                if (n == 1 && pos[2] == v->value)
                        return "stat";
        }
        /* 2. checkboxes */
        ticked_options(c, urgency_options, 3, ticked);
        for (guint k = 0; k < 3; k++)
                if (ticked[k])
                        n_ticked++;
        if (n_ticked >= 1) {
                /* Several ticks read: the least narrowing one is the safe one. */
                if (ticked[0])
                        return "routine";
                if (ticked[1])
                        return "urgent";
                return "stat";
        }
        /* 3. sentences on the referral pages and the cover */
        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = g_ptr_array_index(c->page_lines, p);

                if (g_array_index(c->rank, guint, p) > 1)
                        continue;
                for (guint i = 0; lines[i]; i++) {
                        const char *l = lines[i];
                        g_autofree char *low = g_ascii_strdown(l, -1);

                        if (is_option_row(l, urgency_options, 3) ||
                            is_option_row(l, service_options, 5) || strstr(low, "for review") ||
                            strstr(low, "please comment") || strstr(low, "please reply"))
                                continue;
                        for (const char *f = strstr(l, "STAT"); f; f = strstr(f + 4, "STAT"))
                                if ((f == l || !g_ascii_isalpha(f[-1])) && !g_ascii_isalpha(f[4]))
                                        saw_stat = TRUE;
                        if (strstr(low, "same day") || strstr(low, "same-day") ||
                            strstr(low, "evaluated today") || strstr(low, "seen today") ||
                            strstr(low, "emergent"))
                                saw_stat = TRUE;
                        for (const char *f = strstr(low, "urgent"); f; f = strstr(f + 6, "urgent")) {
                                if (f > low && g_ascii_isalpha(f[-1]))
                                        continue;
                                if (g_str_has_prefix(f, "urgent care"))
                                        continue;
                                saw_urgent = TRUE;
                        }
                        if (strstr(low, "routine"))
                                saw_routine = TRUE;
                }
        }
        if (saw_stat)
                return "stat";
        if (saw_urgent)
                return "urgent";
        if (saw_routine)
                return "routine";
        /* Nothing says it is urgent: routine keeps every requirement,
         * the safe reading. */
        return "routine";
}

static const char *
service_from_phrase(const char *text)
{
        g_autofree char *l = g_ascii_strdown(text, -1);

        if (strstr(l, "electrophysiolog") || strstr(l, " ep ") || g_str_has_prefix(l, "ep ") ||
            strstr(l, "arrhythmia clinic") || strstr(l, "device clinic") || strstr(l, "ep clinic") ||
            strstr(l, "ep referral"))
                return "electrophysiology";
        if (strstr(l, "heart failure") || strstr(l, "hf clinic") || strstr(l, "advanced heart"))
                return "heart_failure";
        if (strstr(l, "interventional") || strstr(l, "cath lab") || strstr(l, "/ cath"))
                return "interventional";
        if (strstr(l, "preventive") || strstr(l, "prevention") || strstr(l, "lipid clinic"))
                return "preventive";
        if (strstr(l, "general cardiology"))
                return "general";
        return NULL;
}

static const char *
service_from_codes(GPtrArray *codes)
{
        for (guint i = 0; i < codes->len; i++) {
                const char *c = g_ptr_array_index(codes, i);

                if (g_str_has_prefix(c, "I47") || g_str_has_prefix(c, "I48") ||
                    g_str_has_prefix(c, "I49") || g_str_has_prefix(c, "I44") ||
                    g_str_has_prefix(c, "I45") || g_str_has_prefix(c, "R00") ||
                    g_str_has_prefix(c, "R55"))
                        return "electrophysiology";
                if (g_str_has_prefix(c, "I50") || g_str_has_prefix(c, "I42") ||
                    g_str_has_prefix(c, "I43"))
                        return "heart_failure";
                if (g_str_has_prefix(c, "I20") || g_str_has_prefix(c, "I21") ||
                    g_str_has_prefix(c, "I22") || g_str_has_prefix(c, "I25") ||
                    g_str_has_prefix(c, "R94.3"))
                        return "interventional";
                if (g_str_has_prefix(c, "E78") || g_str_has_prefix(c, "Z82.4"))
                        return "preventive";
        }
        return NULL;
}

static const char *
pick_service_line(Ctx *c, RdReferral *ref)
{
        guint ticked[5] = { 0 };
        const char *s;

        /* 1. labelled: "Department: Cardiology - Heart Failure" */
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);

                if ((v->key == L_SERVICE || v->key == L_TO) && v->rank <= 1 &&
                    !is_option_row(v->value, service_options, 5)) {
                        s = service_from_phrase(v->value);
                        if (s)
                                return s;
                }
        }
        /* 2. checkboxes */
        ticked_options(c, service_options, 5, ticked);
        for (guint k = 0; k < 5; k++)
                if (ticked[k] == 1)
                        return service_options[k].value;
        {
                int k = vanished_box_option(c, service_options, 5);

                if (k >= 0)
                        return service_options[k].value;
        }
        /* 3. sentences of the referral pages (not the option rows) */
        for (guint rank = 0; rank <= 1; rank++) {
                for (guint p = 0; p < c->page_lines->len; p++) {
                        char **lines = g_ptr_array_index(c->page_lines, p);

                        if (g_array_index(c->rank, guint, p) != rank)
                                continue;
                        for (guint i = 0; lines[i]; i++) {
                                g_autofree char *low = g_ascii_strdown(lines[i], -1);

                                if (is_option_row(lines[i], service_options, 5))
                                        continue;
                                /* Diagnosis descriptions name diseases, not services. */
                                if (strstr(low, "clinic") || strstr(low, "cardiology") ||
                                    strstr(low, "electrophysiolog") || strstr(low, "referral") ||
                                    strstr(low, "interventional")) {
                                        s = service_from_phrase(lines[i]);
                                        if (s)
                                                return s;
                                }
                        }
                }
        }
        /* 4. the diagnoses, then the reason */
        s = service_from_codes(ref->diagnoses);
        if (s)
                return s;
        if (ref->reason) {
                g_autofree char *l = g_ascii_strdown(ref->reason, -1);

                if (strstr(l, "atrial fib") || strstr(l, "palpitation") || strstr(l, "syncope") ||
                    strstr(l, "bradycard") || strstr(l, "tachycard") || strstr(l, "pvc"))
                        return "electrophysiology";
                if (strstr(l, "heart failure") || strstr(l, "hfref") || strstr(l, "lvef") ||
                    strstr(l, "cardiomyopathy"))
                        return "heart_failure";
                if (strstr(l, "chest pain") || strstr(l, "angina") || strstr(l, "cath") ||
                    strstr(l, "ischemi"))
                        return "interventional";
                if (strstr(l, "ldl") || strstr(l, "lipid") || strstr(l, "cholesterol"))
                        return "preventive";
        }
        return ref->diagnoses->len || ref->reason ? "general" : NULL;
}

/* ---- names read on several pages ------------------------------------------ */

static gboolean
strv_has_ascii_case(const char *const *v, const char *s)
{
        for (; *v; v++)
                if (g_ascii_strcasecmp(*v, s) == 0)
                        return TRUE;
        return FALSE;
}

/* Occurrences of @word (ASCII, any case) as a whole word in the pages. */
static guint
count_word(Ctx *c, const char *word)
{
        gsize n = strlen(word);
        guint count = 0;

        for (guint p = 0; p < c->pages->len; p++) {
                const RdPage *page = g_ptr_array_index(c->pages, p);
                const char *t = page->text;

                for (const char *f = t; *f; f++) {
                        if (g_ascii_tolower(*f) == g_ascii_tolower(word[0]) &&
                            g_ascii_strncasecmp(f, word, n) == 0 &&
                            (f == t || !(g_ascii_isalpha(f[-1]) || (guchar)f[-1] >= 0x80)) &&
                            !(g_ascii_isalpha(f[n]) || (guchar)f[n] >= 0x80))
                                count++;
                }
        }
        return count;
}

/* A name word read once (an l read as i, an rn as m) is corrected when
 * the other pages spell a word one letter apart more often: every page
 * of a packet names the same patient and signer.  Takes @word. */
static char *
outvote_name_word(Ctx *c, char *word, const char *const *others)
{
        gsize n;
        guint own;
        char *best = NULL;
        guint best_n = 0;

        if (word == NULL)
                return NULL;
        n = strlen(word);
        if (n < 4)
                return word;
        for (gsize i = 0; i < n; i++)
                if (!g_ascii_isalpha(word[i]))
                        return word;
        own = count_word(c, word);
        for (gsize i = 1; i < n; i++) {
                /* the first letter is kept: it is the surest read */
                for (char ch = 'a'; ch <= 'z'; ch++) {
                        g_autofree char *alt = g_strdup(word);
                        guint k;

                        if (g_ascii_tolower(word[i]) == ch)
                                continue;
                        alt[i] = g_ascii_isupper(word[i]) ? g_ascii_toupper(ch) : ch;
                        /* "Khalid Khalil": the person's other name is no
                         * reading of this one */
                        if (others && strv_has_ascii_case(others, alt))
                                continue;
                        k = count_word(c, alt);
                        if (k > best_n) {
                                g_free(best);
                                best = g_steal_pointer(&alt);
                                best_n = k;
                        }
                }
        }
        /* a word read twice the same way is no misread */
        if (best && own <= 1 && best_n >= 2 && best_n > own) {
                g_free(word);
                return best;
        }
        g_free(best);
        return word;
}

/* The same for each word of a "Given Family" name. */
static char *
outvote_name(Ctx *c, char *name)
{
        g_auto(GStrv) words = NULL;

        if (name == NULL)
                return NULL;
        words = g_strsplit(name, " ", -1);
        for (guint i = 0; words[i]; i++)
                words[i] = outvote_name_word(c, words[i], (const char *const *)words);
        g_free(name);
        return g_strjoinv(" ", words);
}

/* ---- entry point ----------------------------------------------------------- */

/* "To:" in a lower-cased fax header line, or its misreads "t0:", "10:",
 * "70:" - but not the hour of a time ("10:01", "07:10:22"). */
static const char *
recipient_marker(const char *low)
{
        static const char *const marks[] = { "to:", "t0:", "10:", "70:" };

        for (gsize i = 0; i < G_N_ELEMENTS(marks); i++) {
                for (const char *f = strstr(low, marks[i]); f; f = strstr(f + 1, marks[i])) {
                        if (g_ascii_isdigit(marks[i][0]) &&
                            ((f > low && (g_ascii_isdigit(f[-1]) || f[-1] == ':')) ||
                             (g_ascii_isdigit(f[3]) && g_ascii_isdigit(f[4]) &&
                              !g_ascii_isdigit(f[5]))))
                                continue;
                        return f;
                }
        }
        return NULL;
}

static guint
page_rank(const RdPage *page, GPtrArray *documents)
{
        for (guint i = 0; documents && i < documents->len; i++) {
                const RdDocument *d = g_ptr_array_index(documents, i);

                for (guint j = 0; j < d->pages->len; j++) {
                        if (g_array_index(d->pages, guint, j) != page->number)
                                continue;
                        if (d->type == RD_DOC_REFERRAL_FORM)
                                return 0;
                        if (d->type == RD_DOC_COVER_SHEET)
                                return 1;
                        return 2;
                }
        }
        /* An email body that is not the referral still has signatures. */
        return page->method == RD_PAGE_METHOD_BODY ? 1 : 2;
}

void
rd_fields_extract(GPtrArray *pages, GPtrArray *documents, RdReferral *ref)
{
        Ctx c = { 0 };
        char *s;

        c.pages = pages;
        c.page_lines = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
        c.rank = g_array_new(FALSE, FALSE, sizeof(guint));
        c.values = g_ptr_array_new_with_free_func((GDestroyNotify)value_free);
        c.excluded = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; i < pages->len; i++) {
                const RdPage *page = g_ptr_array_index(pages, i);
                char **lines = rd_page_lines(page->text);
                guint rank = page_rank(page, documents);
                g_auto(GStrv) all = g_strsplit(page->text, "\n", 40);

                g_ptr_array_add(c.page_lines, lines);
                g_array_append_val(c.rank, rank);
                collect_values(lines, i, rank, c.values);
                /* The receiving fax number in the header is ours, never
                 * the sender's. */
                for (guint k = 0; all[k]; k++) {
                        g_autofree char *low = NULL;
                        const char *to;

                        if (!rd_is_fax_header_line(all[k]))
                                continue;
                        low = g_ascii_strdown(all[k], -1);
                        to = recipient_marker(low);
                        if (to) {
                                char *num = rd_normalize_phone(all[k] + (to - low) + 3);

                                if (num)
                                        g_ptr_array_add(c.excluded, num);
                        }
                }
        }
        g_ptr_array_sort(c.values, value_rank_cmp);
        for (guint i = 0; i < c.values->len; i++) {
                Value *v = g_ptr_array_index(c.values, i);

                if (v->section == SEC_RECIPIENT && (v->key == L_FAX || v->key == L_PHONE)) {
                        char *num = rd_normalize_phone(v->value);

                        if (num)
                                g_ptr_array_add(c.excluded, num);
                }
        }

        pick_patient_name(&c, ref);
        ref->patient.dob = pick_date(&c, L_DOB, 2);
        ref->patient.sex = pick_sex(&c);
        ref->patient.phone = pick_phone(&c, L_PHONE, SEC_PATIENT, 0);
        if (ref->patient.phone == NULL)
                ref->patient.phone = pick_phone(&c, L_PHONE, SEC_PATIENT, 1);
        ref->patient.mrn = pick_mrn(&c);

        {
                const char *names[] = { ref->patient.family, ref->patient.given, NULL };

                if (ref->patient.family && ref->patient.given) {
                        ref->patient.family = outvote_name_word(&c, ref->patient.family, names);
                        names[0] = ref->patient.family;
                        ref->patient.given = outvote_name_word(&c, ref->patient.given, names);
                }
        }
        ref->referring.name = outvote_name(&c, pick_referring_name(&c));
        ref->referring.npi = pick_npi(&c);
        ref->referring.practice = pick_practice(&c, ref->referring.name);
        ref->referring.phone = pick_phone(&c, L_PHONE, SEC_REFERRING, 1);
        if (ref->referring.phone == NULL)
                ref->referring.phone = pick_letterhead_number(&c, L_PHONE);
        ref->referring.fax = pick_phone(&c, L_FAX, SEC_REFERRING, 1);
        if (ref->referring.fax == NULL)
                ref->referring.fax = pick_letterhead_number(&c, L_FAX);
        ref->patient.phone = outvote_number(&c, L_PHONE, SEC_PATIENT, ref->patient.phone);
        ref->referring.phone = outvote_number(&c, L_PHONE, SEC_REFERRING, ref->referring.phone);
        ref->referring.fax = outvote_number(&c, L_FAX, SEC_REFERRING, ref->referring.fax);
        /* The patient's number is never the practice's. */
        if (ref->patient.phone && ref->referring.phone &&
            strcmp(ref->patient.phone, ref->referring.phone) == 0)
                g_clear_pointer(&ref->patient.phone, g_free);

        ref->reason = pick_reason(&c);
        pick_diagnoses(&c, ref->diagnoses);
        s = (char *)pick_urgency(&c);
        ref->urgency = g_strdup(s);
        ref->service_line = g_strdup(pick_service_line(&c, ref));

        g_ptr_array_unref(c.page_lines);
        g_array_unref(c.rank);
        g_ptr_array_unref(c.values);
        g_ptr_array_unref(c.excluded);
}
