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
#define N_DATA 6      /* a referral id's token (earlier versions): 6 symbols from the id */
#define N_RANDOM 9    /* a random token: 9 symbols, 19^9 = 2^38.2 */
#define N_MAX N_RANDOM
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

/* Weights 2..n+1 are distinct and non-zero modulo the prime 19 for up to
 * 17 symbols, so one wrong symbol or two neighbours swapped always change
 * the sum. */
static int
check_symbol(const int *v, int n)
{
        guint sum = 0;

        for (int i = 0; i < n; i++)
                sum += (guint)(i + 2) * (guint)v[i];
        return (int)((N_SYMBOLS - sum % N_SYMBOLS) % N_SYMBOLS);
}

char *
rd_reftoken_from_id(guint64 id)
{
        char out[RD_REFTOKEN_OLD_LEN + 1];
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
        out[3 + N_DATA] = alphabet[check_symbol(v, N_DATA)];
        out[RD_REFTOKEN_OLD_LEN] = '\0';
        return g_strdup(out);
}

/* "RD-" + 5 symbols + "-" + 4 symbols and the check symbol. */
static char *
random_canonical(const int v[N_RANDOM])
{
        char out[RD_REFTOKEN_LEN + 1];
        char *o = out;

        memcpy(o, "RD-", 3);
        o += 3;
        for (int i = 0; i < N_RANDOM; i++) {
                if (i == 5)
                        *o++ = '-';
                *o++ = alphabet[v[i]];
        }
        *o++ = alphabet[check_symbol(v, N_RANDOM)];
        *o = '\0';
        return g_strdup(out);
}

char *
rd_reftoken_from_random(guint64 value)
{
        int v[N_RANDOM];

        if (value >= RD_REFTOKEN_SPACE)
                return NULL;
        for (int i = N_RANDOM - 1; i >= 0; i--) {
                v[i] = (int)(value % N_SYMBOLS);
                value /= N_SYMBOLS;
        }
        return random_canonical(v);
}

/* @n symbols after the prefix (7: an id's token; 10: a random one) ->
 * the canonical token, when the check agrees. */
static char *
decode(const char *sym, int n)
{
        int v[N_MAX];
        int nd = n - 1;

        for (int i = 0; i < nd; i++) {
                v[i] = symbol_value(sym[i]);
                if (v[i] < 0)
                        return NULL;
        }
        if (symbol_value(sym[nd]) != check_symbol(v, nd))
                return NULL;
        if (nd == N_RANDOM)
                return random_canonical(v);
        {
                guint64 x = 0, id;

                unmix(v);
                for (int i = 0; i < N_DATA; i++)
                        x = x * N_SYMBOLS + (guint64)v[i];
                id = ((x + SPACE - ADD % SPACE) % SPACE) * mod_inverse(MULT % SPACE, SPACE) % SPACE;
                if (id < 1 || id > MAX_ID)
                        return NULL;
                return rd_reftoken_from_id(id);
        }
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

/* A search over the ways OCR may have read the token, each checked by
 * the check symbol: a bracket, bar or paren may be a J ("] 9FPH") or a
 * speck beside a symbol ("W)J"), and one letter outside the alphabet may
 * have been read in between ("NA4" for N4). */
typedef struct {
        const char *end;
        int want;
        char sym[N_MAX + 2];
        char *token;     /* the first reading the check accepts */
        const char *stop;
        guint budget;    /* readings tried, bounded */
} Reading;

static gboolean
read_from(Reading *r, const char *p, int n, int inserts)
{
        char c;

        if (r->budget == 0)
                return FALSE;
        r->budget--;
        if (n == r->want) {
                /* not the start of a longer word */
                if (p < r->end && g_ascii_isalnum(*p))
                        return FALSE;
                r->token = decode(r->sym, r->want);
                r->stop = p;
                return r->token != NULL;
        }
        if (p >= r->end)
                return FALSE;
        c = g_ascii_toupper(*p);
        /* a space, a dash, or up to three of them as OCR reads a dash set
         * apart in a monospaced face ("CPXNJ - 99TCH") */
        if (is_separator(c) && n > 0) {
                const char *q = p;

                while (q < r->end && q - p < 3 && is_separator(*q))
                        q++;
                if (q < r->end && (g_ascii_isalnum(*q) || is_speck(*q) || *q == '|'))
                        return read_from(r, q, n, inserts);
                return FALSE;
        }
        /* a J read as a bracket, a bar or a paren */
        if (c == ']' || c == '[' || c == ')' || c == '|') {
                r->sym[n] = 'J';
                if (read_from(r, p + 1, n + 1, inserts))
                        return TRUE;
        }
        /* a speck beside a symbol */
        if (is_speck(c) && n > 0)
                return read_from(r, p + 1, n, inserts);
        c = forgive(c);
        if (symbol_value(c) >= 0) {
                r->sym[n] = c;
                if (read_from(r, p + 1, n + 1, inserts))
                        return TRUE;
        }
        /* one letter read in that is no symbol at all */
        if (inserts == 0 && n > 0 && g_ascii_isalpha(c) && symbol_value(c) < 0)
                return read_from(r, p + 1, n, inserts + 1);
        return FALSE;
}

/* The token at @p (after its prefix): a random one's ten symbols, else an
 * id token's seven; the canonical form and the bytes read, or NULL. */
static char *
read_token(const char *p, const char *end, gsize *ret_n)
{
        static const int lengths[] = { N_RANDOM + 1, N_DATA + 1 };

        for (gsize i = 0; i < G_N_ELEMENTS(lengths); i++) {
                Reading r = { end, lengths[i], { 0 }, NULL, NULL, 4096 };

                if (read_from(&r, p, 0, 0)) {
                        *ret_n = (gsize)(r.stop - p);
                        return r.token;
                }
        }
        return NULL;
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
rd_reftoken_parse(const char *text, char **ret_token)
{
        const char *p, *end;
        g_autofree char *token = NULL;
        gsize n = 0;

        if (text == NULL)
                return FALSE;
        p = text;
        while (g_ascii_isspace(*p))
                p++;
        end = p + strlen(p);
        while (end > p && g_ascii_isspace(end[-1]))
                end--;
        p += read_prefix(p, end);
        token = read_token(p, end, &n);
        if (token == NULL || p + n != end)
                return FALSE;
        if (ret_token)
                *ret_token = g_steal_pointer(&token);
        return TRUE;
}

static void
add_unique(GPtrArray *found, char *token)
{
        for (guint i = 0; i < found->len; i++) {
                if (strcmp(found->pdata[i], token) == 0) {
                        g_free(token);
                        return;
                }
        }
        g_ptr_array_add(found, token);
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
                char *token;
                gsize pre, n = 0;
                gboolean random;

                if (g_ascii_toupper(*p) != 'R' || (p > text && g_ascii_isalnum(p[-1])))
                        continue;
                pre = read_prefix(p, end);
                if (pre == 0)
                        continue;
                token = read_token(p + pre, end, &n);
                if (token == NULL)
                        continue;
                random = strlen(token) == RD_REFTOKEN_LEN;
                add_unique(found, token);
                /* an id token followed by a word that happens to read as the
                 * rest of a random one ("RD-JNT4PTJ for"): both are
                 * candidates; only the stored one names a referral */
                if (random) {
                        Reading r = { end, N_DATA + 1, { 0 }, NULL, NULL, 4096 };

                        if (read_from(&r, p + pre, 0, 0) && r.token != NULL)
                                add_unique(found, r.token);
                }
                p += pre + n - 1;
        }
        return found;
}
