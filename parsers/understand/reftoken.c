/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reference tokens: the look-alike-free alphabet, the check symbol, and
 * reading one back after OCR. */
#include <string.h>

#include "reftoken.h"

/* 19 symbols, a prime count, so the weighted check sum below catches
 * every single substitution and every swap of neighbours.  Left out,
 * because people or Tesseract at fax resolution confuse them: 0 O Q D G
 * (round shapes), 1 I L (strokes), 2 Z, 5 S, 8 B, U V, and A (a serif 4
 * reads as A); lower case is read as upper case. */
static const char alphabet[] = "CEFHJKMNPRTWXY34679";
#define N_SYMBOLS 19
#define N_DATA 6
#define SPACE 47045881u /* 19^6 */
#define MAX_ID (1u << 25) /* 33 million referrals */

static int
symbol_value(char c)
{
        const char *p = c ? strchr(alphabet, c) : NULL;

        return p ? (int)(p - alphabet) : -1;
}

/* Scramble: an affine map modulo 23^6 with a multiplier prime to it makes
 * neighbouring ids unlike and stays one-to-one. */
#define MULT 9876541u /* not a multiple of 19 */
#define ADD  12345677u

static guint64
mod_inverse(guint64 a, guint64 m)
{
        gint64 t = 0, nt = 1, r = (gint64)m, nr = (gint64)a;

        while (nr != 0) {
                gint64 q = r / nr, tmp;

                tmp = t - q * nt;
                t = nt;
                nt = tmp;
                tmp = r - q * nr;
                r = nr;
                nr = tmp;
        }
        return (guint64)(t < 0 ? t + (gint64)m : t);
}

/* After the affine map, each symbol is mixed with its neighbours (a pass
 * from the end, then one from the start), so that consecutive ids differ
 * in most symbols, not just the last ones.  Each step is invertible. */
static void
mix(int v[N_DATA])
{
        for (int i = N_DATA - 2; i >= 0; i--)
                v[i] = (v[i] + 5 * v[i + 1] + 3) % N_SYMBOLS;
        for (int i = 1; i < N_DATA; i++)
                v[i] = (v[i] + 7 * v[i - 1] + i) % N_SYMBOLS;
}

static void
unmix(int v[N_DATA])
{
        for (int i = N_DATA - 1; i >= 1; i--)
                v[i] = ((v[i] - 7 * v[i - 1] - i) % N_SYMBOLS + 2 * N_SYMBOLS * N_SYMBOLS) % N_SYMBOLS;
        for (int i = 0; i <= N_DATA - 2; i++)
                v[i] = ((v[i] - 5 * v[i + 1] - 3) % N_SYMBOLS + 2 * N_SYMBOLS * N_SYMBOLS) % N_SYMBOLS;
}

static int
check_symbol(const int v[N_DATA])
{
        guint sum = 0;

        for (int i = 0; i < N_DATA; i++)
                sum += (guint)(i + 2) * (guint)v[i];
        return (int)((N_SYMBOLS - sum % N_SYMBOLS) % N_SYMBOLS);
}

char *
rd_reftoken_from_id(guint64 id)
{
        char out[RD_REFTOKEN_LEN + 1];
        int v[N_DATA];
        guint64 x;

        if (id < 1 || id > MAX_ID)
                return NULL;
        x = (id * MULT + ADD) % SPACE;
        for (int i = N_DATA - 1; i >= 0; i--) {
                v[i] = (int)(x % N_SYMBOLS);
                x /= N_SYMBOLS;
        }
        mix(v);
        memcpy(out, "RD-", 3);
        for (int i = 0; i < N_DATA; i++)
                out[3 + i] = alphabet[v[i]];
        out[3 + N_DATA] = alphabet[check_symbol(v)];
        out[RD_REFTOKEN_LEN] = '\0';
        return g_strdup(out);
}

/* Seven symbols (after the prefix) -> id, when the check agrees. */
static gboolean
decode(const char sym[N_DATA + 1], guint64 *ret_id)
{
        int v[N_DATA];
        guint64 x = 0, id;

        for (int i = 0; i < N_DATA; i++) {
                v[i] = symbol_value(sym[i]);
                if (v[i] < 0)
                        return FALSE;
        }
        if (symbol_value(sym[N_DATA]) != check_symbol(v))
                return FALSE;
        unmix(v);
        for (int i = 0; i < N_DATA; i++)
                x = x * N_SYMBOLS + (guint64)v[i];
        id = ((x + SPACE - ADD % SPACE) % SPACE) * mod_inverse(MULT % SPACE, SPACE) % SPACE;
        if (id < 1 || id > MAX_ID)
                return FALSE;
        if (ret_id)
                *ret_id = id;
        return TRUE;
}

/* Misreads of a symbol by OCR, each from outside the alphabet, so the
 * mapping cannot turn one valid symbol into another: a monospaced J
 * reads as I, a 9 as O, 0, Q or S, a 6 as G. */
static char
forgive(char c)
{
        switch (c) {
        case 'I':
        case '|':
                return 'J';
        case 'O':
        case '0':
        case 'Q':
        case 'S':
                return '9';
        case 'G':
                return '6';
        default:
                return c;
        }
}

/* Specks OCR reads beside a symbol in a faxed line ("W)J", "W]J"). */
static gboolean
is_speck(char c)
{
        return c == ')' || c == ']' || c == '(' || c == '[' || c == '\'' || c == ',' || c == '`';
}

static gboolean
is_separator(char c)
{
        return c == ' ' || c == '-' || c == '_' || c == '.' || c == '\t';
}

/* Reads up to 7 symbols from @p, skipping single spaces or dashes a person
 * or OCR put between them; returns the bytes consumed or 0. */
static gsize
read_symbols(const char *p, const char *end, char ret_sym[N_DATA + 1])
{
        const char *start = p;
        int n = 0;

        while (p < end && n < N_DATA + 1) {
                char c = g_ascii_toupper(*p);

                if (is_separator(c) && n > 0 && p + 1 < end && g_ascii_isalnum(p[1]) && !is_separator(p[-1])) {
                        p++;
                        continue;
                }
                if (is_speck(c) && n > 0 && n < N_DATA + 1 && p + 1 < end && g_ascii_isalnum(p[1]) &&
                    g_ascii_isalnum(p[-1])) {
                        p++;
                        continue;
                }
                if (c == ']' && n == N_DATA)
                        c = 'J'; /* a J at the end of a line, read as a bracket */
                c = forgive(c);
                if (symbol_value(c) < 0)
                        return 0;
                ret_sym[n++] = c;
                p++;
        }
        if (n != N_DATA + 1)
                return 0;
        /* not the start of a longer word */
        if (p < end && g_ascii_isalnum(*p))
                return 0;
        return (gsize)(p - start);
}

/* "RD" (or its misreads "R D", "RO", "R0"), then a separator or none. */
static gsize
read_prefix(const char *p, const char *end)
{
        const char *q = p;

        if (q >= end || g_ascii_toupper(*q) != 'R')
                return 0;
        q++;
        if (q < end && *q == ' ')
                q++;
        if (q >= end || !(g_ascii_toupper(*q) == 'D' || g_ascii_toupper(*q) == 'O' || *q == '0'))
                return 0;
        q++;
        /* nothing, or up to three of: a dash, an en or em dash (UTF-8), a
         * space ("RD - K7MX...") */
        for (int i = 0; i < 3 && q < end; i++) {
                if (*q == '-' || *q == ' ' || *q == '_' || *q == '.' || *q == ':')
                        q++;
                else if (end - q >= 3 && (guchar)q[0] == 0xE2 && (guchar)q[1] == 0x80 &&
                         ((guchar)q[2] == 0x93 || (guchar)q[2] == 0x94))
                        q += 3;
                else
                        break;
        }
        return (gsize)(q - p);
}

gboolean
rd_reftoken_parse(const char *text, guint64 *ret_id)
{
        const char *p, *end;
        char sym[N_DATA + 1];
        gsize n;

        if (text == NULL)
                return FALSE;
        p = text;
        while (g_ascii_isspace(*p))
                p++;
        end = p + strlen(p);
        while (end > p && g_ascii_isspace(end[-1]))
                end--;
        n = read_prefix(p, end);
        p += n;
        n = read_symbols(p, end, sym);
        if (n == 0 || p + n != end)
                return FALSE;
        return decode(sym, ret_id);
}

GPtrArray *
rd_reftoken_find(const char *text)
{
        GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
        const char *end;

        if (text == NULL)
                return found;
        end = text + strlen(text);
        for (const char *p = text; p < end; p++) {
                char sym[N_DATA + 1];
                guint64 id;
                gsize pre, n;

                if (g_ascii_toupper(*p) != 'R' || (p > text && g_ascii_isalnum(p[-1])))
                        continue;
                pre = read_prefix(p, end);
                if (pre == 0)
                        continue;
                n = read_symbols(p + pre, end, sym);
                if (n == 0 || !decode(sym, &id)) {
                        continue;
                }
                {
                        char *token = rd_reftoken_from_id(id);
                        gboolean seen = FALSE;

                        for (guint i = 0; i < found->len; i++)
                                seen |= strcmp(found->pdata[i], token) == 0;
                        if (seen)
                                g_free(token);
                        else
                                g_ptr_array_add(found, token);
                }
                p += pre + n - 1;
        }
        return found;
}
