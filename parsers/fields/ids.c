/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Telephone numbers, NPIs and ICD-10-CM codes as printed or misread by OCR. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"

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

char *
rd_phone_at(const char *p, gsize *ret_len)
{
        char digits[12];
        guint n = 0, groups = 0;
        const char *q = p;

        if (*p == '+' && (g_ascii_isdigit(p[1]) || p[1] == ' ' || p[1] == '('))
                q++;
        if (!g_ascii_isdigit(*q) && *q != '(')
                return NULL;
        /* Digits with the usual separators: (555) 826-6564, 555.906 4977,
         * 555/349-5311, 5555620083, +1 555 222 4444. */
        while (*q && n < 11) {
                if (g_ascii_isdigit(*q)) {
                        digits[n++] = *q;
                } else if (*q == '(' || *q == ')' || *q == '-' || *q == '.' || *q == '/' || *q == ' ' ||
                           (*q == ':' && (n == 3 || n == 6) && g_ascii_isdigit(q[1])) ||
                           /* a speck read as a comma after the area code's
                            * bracket: "(555), 474-3754" */
                           (*q == ',' && n == 3 && q > p && q[-1] == ')')) {
                        if (q[1] == ' ' && *q == ' ')
                                break;
                        /* ten digits and a space: the number is whole (a
                         * country code 1 is the only eleventh digit) */
                        if (n == 10 && digits[0] != '1' && *q == ' ')
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
        if (n != 10 || g_ascii_isdigit(*q) || digits[0] < '2' || digits[3] < '2')
                return NULL;
        /* the separators read after the last digit are not part of it */
        while (q > p && !g_ascii_isdigit(q[-1]))
                q--;
        digits[10] = '\0';
        if (ret_len)
                *ret_len = (gsize)(q - p);
        return g_strdup(digits);
}

static char *
normalize_phone_digits(const char *s)
{
        for (const char *p = s; p && *p; p++) {
                char *num;

                if (!g_ascii_isdigit(*p) && *p != '(')
                        continue;
                if (p > s && g_ascii_isdigit(p[-1]))
                        continue;
                num = rd_phone_at(p, NULL);
                if (num)
                        return num;
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

/* The digit OCR most often reads as @c, or @c itself. */
static char
digit_misread(char c)
{
        switch (c) {
        case 'O': case 'o': case 'D': case 'Q':
                return '0';
        case 'I': case 'l': case 'L': case '|': case '!':
                return '1';
        case 'Z': case 'z':
                return '2';
        case 'S': case 's':
                return '5';
        case 'G': case 'b':
                return '6';
        case 'B':
                return '8';
        default:
                return c;
        }
}

/* ICD-10-CM's categories with a letter in third place (C4A Merkel cell
 * carcinoma, M1A chronic gout, ...): there the letter is meant. */
static gboolean
alpha_category(const char *c)
{
        static const char *const cats[] = { "C4A", "C7A", "C7B", "D3A", "M1A", "O9A", "Z3A" };

        for (gsize i = 0; i < G_N_ELEMENTS(cats); i++)
                if (g_ascii_strncasecmp(c, cats[i], 3) == 0)
                        return TRUE;
        return FALSE;
}

static char *icd10_normalize(const char *token, gboolean undotted);

char *
rd_icd10_normalize(const char *token)
{
        return icd10_normalize(token, TRUE);
}

/* @undotted: a code may be written without its dot ("R011"); not after
 * a sign read for the chapter letter ("£100" is a price). */
static char *
icd10_normalize(const char *token, gboolean undotted)
{
        char buf[16];
        gsize n = 0, len;
        const char *t = token;
        GString *out;
        gboolean letter_first;

        /* An open bracket or a pound/euro sign right before two digits is
         * the chapter letter misread ("[10" is I10, "£78.5" is E78.5). */
        if ((*t == '[' || *t == '(' || *t == '{') && g_ascii_isdigit(t[1]) &&
            g_ascii_isdigit(t[2]) && !strpbrk(t, ")]}")) {
                g_autofree char *fixed = g_strconcat("I", t + 1, NULL);

                return icd10_normalize(fixed, FALSE);
        }
        {
                /* U+00A3 and U+20AC in UTF-8 */
                gsize sign = g_str_has_prefix(t, "\xc2\xa3") ? 2 :
                             g_str_has_prefix(t, "\xe2\x82\xac") ? 3 : 0;

                if (sign && g_ascii_isdigit(t[sign]) && g_ascii_isdigit(t[sign + 1])) {
                        g_autofree char *fixed = g_strconcat("E", t + sign, NULL);

                        return icd10_normalize(fixed, FALSE);
                }
        }
        while (*t == '(' || *t == '[' || *t == '_' || *t == '\'' || *t == '"')
                t++;
        len = strlen(t);
        while (len > 0 && !g_ascii_isalnum(t[len - 1]) && t[len - 1] != '@')
                len--;
        if (len < 2 || len >= sizeof(buf))
                return NULL;
        memcpy(buf, t, len);
        buf[len] = '\0';
        n = len;
        /* a zero OCR read as '@' ("I1@"): no code holds one */
        for (gsize i = 1; i < n; i++)
                if (buf[i] == '@')
                        buf[i] = '0';
        letter_first = g_ascii_isalpha(buf[0]) && buf[0] != 'l';
        /* the dot read as a comma, or as a colon after the category, or as
         * a hyphen there when one to four characters follow and no other
         * hyphen does ("150-32"; "12-03-2026" stays a date) */
        for (gsize i = 0; i < n; i++)
                if (buf[i] == ',' || (buf[i] == ':' && i == 3))
                        buf[i] = '.';
        if (n >= 5 && n <= 8 && buf[3] == '-' && strchr(buf + 4, '-') == NULL)
                buf[3] = '.';
        /* OCR reads the chapter letter I as 1, l, | or drops it: a code
         * that starts with two digits is put back in chapter I. */
        if (buf[0] == '1' || buf[0] == 'l' || buf[0] == '|' || buf[0] == '!') {
                if (n >= 3 && g_ascii_isdigit(buf[1]) && g_ascii_isdigit(buf[2]))
                        buf[0] = 'I';
        }
        /* ... and Z (encounter codes) as 2 or 7, when three digits precede the dot. */
        if ((buf[0] == '2' || buf[0] == '7') && n >= 5 && g_ascii_isdigit(buf[1]) && g_ascii_isdigit(buf[2]) &&
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
                /* a code written without its dot, as billing systems print
                 * them ("R011", "E7801"): a digit after the category
                 * begins its decimals. Only after a printed letter: a
                 * number ("1500") is no code. */
                if (undotted && letter_first && l >= 4 && l <= 7 && strchr(c, '.') == NULL &&
                    g_ascii_isdigit(digit_misread(c[1])) && g_ascii_isdigit(digit_misread(c[2])) &&
                    g_ascii_isdigit(c[3])) {
                        g_string_insert_c(out, 3, '.');
                        c = out->str;
                        l = out->len;
                }
                /* With its dot, a code's category is sure to be one: a letter
                 * OCR read for a digit there is put back ("R0L.1", "I5O.9"),
                 * except in the few categories with a letter third. */
                if (l >= 5 && c[3] == '.') {
                        c[1] = digit_misread(c[1]);
                        if (!alpha_category(c)) {
                                c[2] = digit_misread(c[2]);
                                if (g_ascii_isalpha(c[2]))
                                        goto fail;
                        }
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
