/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sending fax machine's header: the top band of a page read as typed
 * tokens (date, time, phone, page counter, FROM/TO sides, free words), the
 * rules that make a line a header, and which number is the sender's. */
#include <string.h>

#include "fax-header.h"
#include "dates.h"
#include "ids.h"
#include "fields-private.h"

/* How far down a page a header may sit: OCR may put a tracing's block
 * above it. A header assembled from several short lines must be in the
 * page's first few lines. */
#define HEADER_MAX_LINE 40
#define HEADER_BAND_LINES 3

typedef enum {
        TK_DATE,
        TK_TIME,
        TK_PHONE,
        TK_PAGE,
        TK_FROM,     /* "FROM", "FROM:", "FROM-" */
        TK_TO,       /* "TO:", "->", and "To:" as OCR misreads it */
        TK_NUMLABEL, /* "FAX", "TEL", "ID", "TSID": a number follows */
        TK_VENDOR,   /* a fax service's own name */
        TK_NEUTRAL,  /* header vocabulary: "Date:", "Sent", "AM", weekdays */
        TK_FOREIGN,  /* a form's "Label:": this line is no header */
        TK_WORD,     /* free text: the sender's name */
        TK_NUMBER,   /* job and session numbers */
} TokKind;

typedef struct {
        TokKind kind;
        guint line;        /* index of the line in the page */
        gsize start, end;  /* bytes in that line */
        char *value;       /* date (ISO), time (HH:MM) or phone (10 digits) */
        guint n, m;        /* page counter */
} Tok;

typedef struct {
        gboolean date, time, phone, page, from, to, numlabel, vendor, foreign;
        gboolean date_first; /* the line opens with its date */
        guint words;
} Flags;

void
rd_fax_header_clear(RdFaxHeader *header)
{
        g_clear_pointer(&header->date, g_free);
        g_clear_pointer(&header->time, g_free);
        g_clear_pointer(&header->sender_number, g_free);
        g_clear_pointer(&header->sender_name, g_free);
        g_clear_pointer(&header->recipient_number, g_free);
        memset(header, 0, sizeof(*header));
}

static void
tok_clear(gpointer p)
{
        g_free(((Tok *)p)->value);
}

static gboolean
is_confusable(char c)
{
        return c == 'O' || c == 'o' || c == 'l' || c == 'I';
}

static gboolean
is_date_sep(char c)
{
        return c == '/' || c == '-' || c == '.' || c == ':';
}

/* OCR reads 0 as O and 1 as l or I in printed numbers: inside a run of
 * digits (or next to a date's or time's separator that has a digit on its
 * other side), and not touching a letter, they are put back. The copy has
 * the same length, so offsets into it are offsets into the line. */
static char *
digitize(const char *line)
{
        char *d = g_strdup(line);
        gsize len = strlen(d);

        for (gsize i = 0; i < len;) {
                gsize j = i;
                gboolean digit = FALSE, confusable = FALSE;

                while (j < len && (g_ascii_isdigit(d[j]) || is_confusable(d[j]))) {
                        digit |= g_ascii_isdigit(d[j]);
                        confusable |= is_confusable(d[j]);
                        j++;
                }
                if (j == i) {
                        i++;
                        continue;
                }
                if (!digit)
                        digit = (i >= 2 && is_date_sep(d[i - 1]) && g_ascii_isdigit(d[i - 2])) ||
                                (j + 1 < len && is_date_sep(d[j]) && g_ascii_isdigit(d[j + 1]));
                if (confusable && digit && !(i > 0 && g_ascii_isalpha(d[i - 1])) &&
                    !(j < len && g_ascii_isalpha(d[j]))) {
                        for (gsize k = i; k < j; k++)
                                if (is_confusable(d[k]))
                                        d[k] = (d[k] == 'O' || d[k] == 'o') ? '0' : '1';
                }
                i = j;
        }
        return d;
}

/* A time of day at @s: "10:14", "2:03 PM", "16:16:50", "09:48am", "1:33 p.m.".
 * A time's shape is enough to recognise a header (OCR misreads a digit
 * often); *ret_value is set only for a real time. */
static gboolean
time_at(const char *s, gsize *ret_len, char **ret_value)
{
        guint h, m, sec = 0;
        gsize lh, lm, ls, n;
        const char *p;
        int ampm = 0;

        if (!rd_read_uint(s, 1, 2, &h, &lh) || s[lh] != ':' || !rd_read_uint(s + lh + 1, 2, 2, &m, &lm))
                return FALSE;
        n = lh + 1 + lm;
        if (s[n] == ':' && rd_read_uint(s + n + 1, 2, 2, &sec, &ls))
                n += 1 + ls;
        if (g_ascii_isalnum(s[n]) && !(g_ascii_tolower(s[n]) == 'a' || g_ascii_tolower(s[n]) == 'p'))
                return FALSE;
        p = s + n;
        while (*p == ' ')
                p++;
        if (g_ascii_tolower(*p) == 'a' || g_ascii_tolower(*p) == 'p') {
                char ap = g_ascii_tolower(*p);
                const char *q = p + 1;

                if (*q == '.')
                        q++;
                if (g_ascii_tolower(*q) == 'm') {
                        q++;
                        if (*q == '.')
                                q++;
                }
                if (!g_ascii_isalnum(*q)) {
                        ampm = ap == 'a' ? 1 : 2;
                        n = (gsize)(q - s);
                }
        }
        *ret_len = n;
        *ret_value = NULL;
        if (m > 59 || sec > 59 || h > 23 || (ampm && (h == 0 || h > 12)))
                return TRUE;
        if (ampm == 1 && h == 12)
                h = 0;
        else if (ampm == 2 && h != 12)
                h += 12;
        *ret_value = g_strdup_printf("%02u:%02u", h, m);
        return TRUE;
}

/* "Page 1 of 3", "PAGE: 001 OF 003", "Pg 2/5", "P.1/6", "p. 2", "Pag.2/3",
 * and bare "001/003" or "1 of 3". */
static gboolean
page_at(const char *s, gsize *ret_len, guint *ret_n, guint *ret_m)
{
        static const char *const words[] = { "page", "pag", "pg", "p" };
        const char *p = s;
        guint n = 0, m = 0;
        gsize l, lm = 0;
        gboolean worded = FALSE, of = FALSE;

        for (gsize i = 0; i < G_N_ELEMENTS(words); i++) {
                gsize wl = strlen(words[i]);

                if (g_ascii_strncasecmp(p, words[i], wl) != 0 || g_ascii_isalpha(p[wl]))
                        continue;
                /* a lone "p" needs its dot or its number right after */
                if (wl == 1 && !(p[1] == '.' || g_ascii_isdigit(p[1])))
                        continue;
                p += wl;
                while (*p == '.' || *p == ':' || *p == '#' || *p == ' ')
                        p++;
                worded = TRUE;
                break;
        }
        if (!rd_read_uint(p, 1, 4, &n, &l))
                return FALSE;
        p += l;
        {
                const char *q = p;

                while (*q == ' ')
                        q++;
                if (*q == '/' || *q == '\\') {
                        q++;
                } else if (g_ascii_strncasecmp(q, "of", 2) == 0 && !g_ascii_isalpha(q[2])) {
                        q += 2;
                        of = TRUE;
                } else {
                        q = NULL;
                }
                if (q) {
                        while (*q == ' ')
                                q++;
                        if (rd_read_uint(q, 1, 4, &m, &lm)) {
                                p = q + lm;
                        } else {
                                m = 0;
                        }
                }
        }
        /* bare, only an unmistakable counter: "001/003", "1 of 3" */
        if (!worded && (m == 0 || n == 0 || n > m || !(of || (l >= 2 && l == lm))))
                return FALSE;
        if (g_ascii_isalnum(*p))
                return FALSE;
        *ret_len = (gsize)(p - s);
        *ret_n = (m && n > m) ? 0 : n;
        *ret_m = m;
        return TRUE;
}

/* OCR reads "To:" as "T0:", "10:" or "70:": such a mark directly before a
 * phone number is the TO side. */
static gboolean
misread_to_at(const char *s, gsize *ret_len)
{
        if (!(((s[0] == 'T' || s[0] == 't' || s[0] == '1' || s[0] == '7') && s[1] == '0') ||
              ((s[0] == '1' || s[0] == '7') && (s[1] == 'o' || s[1] == 'O'))) ||
            s[2] != ':')
                return FALSE;
        {
                g_autofree char *num = rd_phone_at(s + 3 + (s[3] == ' '), NULL);

                if (num == NULL)
                        return FALSE;
        }
        *ret_len = 3;
        return TRUE;
}

static TokKind
classify_word(const char *w, gsize n, gboolean colon)
{
        static const struct {
                const char *word;
                TokKind kind;
        } vocab[] = {
                { "from", TK_FROM }, { "fr", TK_FROM }, { "frm", TK_FROM }, { "sender", TK_FROM },
                { "to", TK_TO }, { "t0", TK_TO }, { "attn", TK_TO }, { "recipient", TK_TO },
                { "fax", TK_NUMLABEL }, { "tel", TK_NUMLABEL }, { "ph", TK_NUMLABEL },
                { "phone", TK_NUMLABEL }, { "id", TK_NUMLABEL }, { "tsid", TK_NUMLABEL },
                { "csid", TK_NUMLABEL }, { "tsi", TK_NUMLABEL }, { "csi", TK_NUMLABEL },
                { "station", TK_NUMLABEL }, { "no", TK_NUMLABEL }, { "number", TK_NUMLABEL },
                { "efax", TK_VENDOR }, { "rightfax", TK_VENDOR }, { "hylafax", TK_VENDOR },
                { "sfax", TK_VENDOR }, { "updox", TK_VENDOR }, { "kno2", TK_VENDOR },
                { "j2", TK_VENDOR }, { "faxcore", TK_VENDOR }, { "faxage", TK_VENDOR },
                { "date", TK_NEUTRAL }, { "time", TK_NEUTRAL }, { "sent", TK_NEUTRAL },
                { "received", TK_NEUTRAL }, { "rcvd", TK_NEUTRAL }, { "recv", TK_NEUTRAL },
                { "pages", TK_NEUTRAL }, { "of", TK_NEUTRAL }, { "by", TK_NEUTRAL },
                { "via", TK_NEUTRAL }, { "on", TK_NEUTRAL }, { "at", TK_NEUTRAL },
                { "job", TK_NEUTRAL }, { "remote", TK_NEUTRAL }, { "local", TK_NEUTRAL },
                { "am", TK_NEUTRAL }, { "pm", TK_NEUTRAL }, { "mon", TK_NEUTRAL },
                { "tue", TK_NEUTRAL }, { "wed", TK_NEUTRAL }, { "thu", TK_NEUTRAL },
                { "fri", TK_NEUTRAL }, { "sat", TK_NEUTRAL }, { "sun", TK_NEUTRAL },
                { "monday", TK_NEUTRAL }, { "tuesday", TK_NEUTRAL }, { "wednesday", TK_NEUTRAL },
                { "thursday", TK_NEUTRAL }, { "friday", TK_NEUTRAL }, { "saturday", TK_NEUTRAL },
                { "sunday", TK_NEUTRAL }, { "est", TK_NEUTRAL }, { "edt", TK_NEUTRAL },
                { "cst", TK_NEUTRAL }, { "cdt", TK_NEUTRAL }, { "mst", TK_NEUTRAL },
                { "mdt", TK_NEUTRAL }, { "pst", TK_NEUTRAL }, { "pdt", TK_NEUTRAL },
                { "utc", TK_NEUTRAL }, { "gmt", TK_NEUTRAL },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(vocab); i++)
                if (strlen(vocab[i].word) == n && g_ascii_strncasecmp(w, vocab[i].word, n) == 0)
                        return vocab[i].kind;
        return colon ? TK_FOREIGN : TK_WORD;
}

static void
add_tok(GArray *toks, TokKind kind, guint line, gsize start, gsize end, char *value)
{
        Tok t = { kind, line, start, end, value, 0, 0 };

        g_array_append_val(toks, t);
}

/* One line of the top band as typed tokens, appended to @toks. */
static void
tokenize_line(const char *line, guint index, GArray *toks)
{
        g_autofree char *d = digitize(line);
        gsize len = strlen(d);

        for (gsize i = 0; i < len;) {
                const char *p = d + i;
                const char *end = NULL;
                gsize n = 0;
                char *value = NULL;
                guint pn = 0, pm = 0;
                gboolean boundary = i == 0 || !g_ascii_isalnum(d[i - 1]);

                if ((p[0] == '-' && p[1] == '>') || (p[0] == '>' && p[1] == '>')) {
                        add_tok(toks, TK_TO, index, i, i + 2, NULL);
                        i += 2;
                        continue;
                }
                if (g_str_has_prefix(p, "\xe2\x86\x92")) { /* U+2192 RIGHTWARDS ARROW */
                        add_tok(toks, TK_TO, index, i, i + 3, NULL);
                        i += 3;
                        continue;
                }
                if (!boundary || !(g_ascii_isalnum(*p) || *p == '(' || *p == '+')) {
                        i++;
                        continue;
                }
                if ((value = rd_parse_header_date(p, &end))) {
                        add_tok(toks, TK_DATE, index, i, i + (gsize)(end - p), value);
                        i += (gsize)(end - p);
                } else if (time_at(p, &n, &value)) {
                        add_tok(toks, TK_TIME, index, i, i + n, value);
                        i += n;
                } else if (misread_to_at(p, &n)) {
                        add_tok(toks, TK_TO, index, i, i + n, NULL);
                        i += n;
                } else if ((value = rd_phone_at(p, &n))) {
                        add_tok(toks, TK_PHONE, index, i, i + n, value);
                        i += n;
                } else if (page_at(p, &n, &pn, &pm)) {
                        add_tok(toks, TK_PAGE, index, i, i + n, NULL);
                        g_array_index(toks, Tok, toks->len - 1).n = pn;
                        g_array_index(toks, Tok, toks->len - 1).m = pm;
                        i += n;
                } else if (g_ascii_isalpha(*p)) {
                        gsize w = 0, q;

                        while (g_ascii_isalnum(p[w]) || p[w] == '\'' || p[w] == '&')
                                w++;
                        q = w;
                        while (p[q] == ' ')
                                q++;
                        add_tok(toks, classify_word(p, w, p[q] == ':'), index, i, i + w, NULL);
                        i += w;
                } else if (g_ascii_isdigit(*p)) {
                        while (i < len && g_ascii_isalnum(d[i]))
                                i++;
                        add_tok(toks, TK_NUMBER, index, (gsize)(p - d), i, NULL);
                } else {
                        i++; /* a "(" or "+" that opens no phone number */
                }
        }
}

static Flags
flags_of(GArray *toks)
{
        Flags f = { 0 };

        for (guint i = 0; i < toks->len; i++) {
                const Tok *t = &g_array_index(toks, Tok, i);

                switch (t->kind) {
                case TK_DATE:
                        /* the line opens with its date (a weekday may precede it) */
                        if (!f.date && (i == 0 || (i == 1 && g_array_index(toks, Tok, 0).kind == TK_NEUTRAL)))
                                f.date_first = TRUE;
                        f.date = TRUE;
                        break;
                case TK_TIME: f.time = TRUE; break;
                case TK_PHONE: f.phone = TRUE; break;
                case TK_PAGE: f.page = TRUE; break;
                case TK_FROM: f.from = TRUE; break;
                case TK_TO: f.to = TRUE; break;
                case TK_NUMLABEL: {
                        /* a label with its number: "ID: 5551234567", not
                         * a record's "ID:NO472566" (an EKG machine's line
                         * also holds a date and a time) */
                        const Tok *next = i + 1 < toks->len ? &g_array_index(toks, Tok, i + 1) : NULL;

                        if (next != NULL && (next->kind == TK_NUMBER || next->kind == TK_PHONE))
                                f.numlabel = TRUE;
                        break;
                }
                case TK_VENDOR: f.vendor = TRUE; break;
                case TK_FOREIGN: f.foreign = TRUE; break;
                case TK_WORD: f.words++; break;
                case TK_NEUTRAL:
                case TK_NUMBER:
                        break;
                }
        }
        return f;
}

/* Enough for a header: a date or time with something only a fax machine
 * prints beside it (a page counter, a FROM/TO side, a number, a service's
 * name). A bare "date time words" line counts only at the top of a page,
 * where a lab report's "11/02/2026 07:40 Basic panel" line does not sit. */
static gboolean
flags_are_header(const Flags *f, gboolean top)
{
        gboolean side = f->from || f->to;

        if (f->foreign)
                return FALSE;
        return (f->date && f->time && (f->page || f->phone || side || f->numlabel || f->vendor)) ||
               (f->date && f->time && top && f->date_first && f->words >= 2) ||
               (f->date && f->page && (f->phone || side || f->numlabel)) ||
               (f->date && f->from && f->phone) ||
               (f->time && f->page && (f->phone || side)) ||
               (side && f->phone && f->page) ||
               (f->vendor && (f->date || f->time) && (f->phone || side || f->page));
}

/* A piece of a header that OCR put on a line of its own: a page counter,
 * a time or a service's name (a date or a FROM/TO side alone could be a
 * cover sheet's "Date:" or "From:" line, which the form readers need). */
static gboolean
flags_continue_header(const Flags *f, GArray *toks)
{
        if (f->foreign)
                return FALSE;
        if (f->page || f->time || f->vendor)
                return TRUE;
        /* both sides with a number: a cover sheet gives its "From:" and
         * "To:" a line each */
        if (f->from && f->to && f->phone)
                return TRUE;
        /* or the sender's number alone */
        return toks->len == 1 && f->phone;
}

static gboolean
blank(const char *l)
{
        return rd_line_is_blank(l);
}

static GArray *
tokens_new(void)
{
        GArray *a = g_array_new(FALSE, TRUE, sizeof(Tok));

        g_array_set_clear_func(a, tok_clear);
        return a;
}

/* The header's lines: a line that is a header alone (with the pieces OCR
 * split off right above or below it), or two or three lines of the top
 * band that are one together. Sets *first and *n. */
static gboolean
find_header_lines(char **lines, guint *first, guint *n)
{
        guint band[HEADER_BAND_LINES], nb = 0, i;

        for (i = 0; lines[i] && i < HEADER_MAX_LINE; i++) {
                g_autoptr(GArray) toks = tokens_new();
                Flags f;

                if (blank(lines[i]))
                        continue;
                if (nb < HEADER_BAND_LINES)
                        band[nb++] = i;
                tokenize_line(lines[i], i, toks);
                f = flags_of(toks);
                if (flags_are_header(&f, nb <= HEADER_BAND_LINES && band[nb - 1] == i))
                        break;
        }
        if (lines[i] && i < HEADER_MAX_LINE) {
                *first = i;
                *n = 1;
                for (int dir = -1; dir <= 1; dir += 2) {
                        gint j = (gint)i + dir;
                        g_autoptr(GArray) toks = tokens_new();
                        Flags f;

                        if (j < 0 || lines[j] == NULL || blank(lines[j]))
                                continue;
                        tokenize_line(lines[j], (guint)j, toks);
                        f = flags_of(toks);
                        if (!flags_continue_header(&f, toks))
                                continue;
                        if (dir < 0)
                                *first = (guint)j;
                        (*n)++;
                }
                return TRUE;
        }
        /* Pieces of the top band, each a part, together a header. */
        for (guint a = 0; a + 1 < nb; a++) {
                g_autoptr(GArray) toks = tokens_new();

                for (guint b = a; b < nb && b < a + 3; b++) {
                        g_autoptr(GArray) own = tokens_new();
                        Flags fo, f;

                        tokenize_line(lines[band[b]], band[b], own);
                        fo = flags_of(own);
                        /* a cover sheet's "To: Cardiology" line is no piece */
                        if (fo.foreign || !(fo.date || fo.time || fo.page || fo.vendor || fo.phone))
                                break;
                        tokenize_line(lines[band[b]], band[b], toks);
                        f = flags_of(toks);
                        /* and its "Date:" and "Fax:" lines are no header:
                         * the pieces need what only a machine prints */
                        if (b > a && flags_are_header(&f, TRUE) && (f.page || f.vendor || (f.from && f.to))) {
                                *first = band[a];
                                *n = band[b] - band[a] + 1;
                                return TRUE;
                        }
                }
        }
        return FALSE;
}

/* The free words right after token @i (the name after "FROM:" or after
 * the sender's number), or right before it; as printed, NULL if none. */
static char *
name_near(GArray *toks, char **lines, guint i, gboolean before)
{
        guint a, b;
        const Tok *ta, *tb;
        guint letters = 0;

        if (before) {
                if (i == 0)
                        return NULL;
                b = i - 1;
                a = b;
                while (a > 0 && g_array_index(toks, Tok, a - 1).kind == TK_WORD)
                        a--;
        } else {
                a = i + 1;
                b = a;
                while (b + 1 < toks->len && g_array_index(toks, Tok, b + 1).kind == TK_WORD)
                        b++;
        }
        if (a >= toks->len || b >= toks->len)
                return NULL;
        ta = &g_array_index(toks, Tok, a);
        tb = &g_array_index(toks, Tok, b);
        if (ta->kind != TK_WORD || tb->kind != TK_WORD || ta->line != tb->line)
                return NULL;
        for (guint k = a; k <= b; k++) {
                const Tok *t = &g_array_index(toks, Tok, k);

                if (t->line != ta->line)
                        return NULL;
                for (gsize c = t->start; c < t->end; c++)
                        letters += g_ascii_isalpha(lines[t->line][c]) ? 1 : 0;
        }
        if (letters < 3)
                return NULL;
        return g_strndup(lines[ta->line] + ta->start, tb->end - ta->start);
}

/* FROM side's number (or the first number on no side), TO side's number,
 * and the sender's name, from the header's tokens in reading order. */
static void
read_sides(GArray *toks, char **lines, RdFaxHeader *h)
{
        enum { SIDE_NONE, SIDE_FROM, SIDE_TO } side = SIDE_NONE;
        gint from_tok = -1, from_phone = -1, free_phone = -1;

        for (guint i = 0; i < toks->len; i++) {
                Tok *t = &g_array_index(toks, Tok, i);

                if (t->kind == TK_FROM) {
                        side = SIDE_FROM;
                        if (from_tok < 0)
                                from_tok = (gint)i;
                } else if (t->kind == TK_TO) {
                        side = SIDE_TO;
                } else if (t->kind == TK_PHONE) {
                        if (side == SIDE_FROM && from_phone < 0)
                                from_phone = (gint)i;
                        else if (side == SIDE_NONE && free_phone < 0)
                                free_phone = (gint)i;
                        else if (side == SIDE_TO && h->recipient_number == NULL)
                                h->recipient_number = g_strdup(t->value);
                }
        }
        if (from_phone < 0)
                from_phone = free_phone;
        if (from_phone >= 0)
                h->sender_number = g_strdup(g_array_index(toks, Tok, from_phone).value);
        if (from_tok >= 0)
                h->sender_name = name_near(toks, lines, (guint)from_tok, FALSE);
        if (h->sender_name == NULL && from_phone >= 0)
                h->sender_name = name_near(toks, lines, (guint)from_phone, FALSE);
        if (h->sender_name == NULL && from_phone >= 0)
                h->sender_name = name_near(toks, lines, (guint)from_phone, TRUE);
        if (h->sender_name)
                g_strstrip(h->sender_name);
}

gboolean
rd_fax_header_read(const char *page_text, RdFaxHeader *ret)
{
        g_auto(GStrv) lines = g_strsplit(page_text ? page_text : "", "\n", HEADER_MAX_LINE + 1);
        g_autoptr(GArray) toks = tokens_new();
        guint first, n;

        memset(ret, 0, sizeof(*ret));
        for (guint i = 0; lines[i]; i++) {
                gsize len = strlen(lines[i]);

                if (len && lines[i][len - 1] == '\r')
                        lines[i][len - 1] = '\0';
        }
        if (!find_header_lines(lines, &first, &n))
                return FALSE;
        for (guint i = first; i < first + n; i++)
                tokenize_line(lines[i], i, toks);
        ret->first_line = first;
        ret->n_lines = n;
        for (guint i = 0; i < toks->len; i++) {
                const Tok *t = &g_array_index(toks, Tok, i);

                if (t->kind == TK_DATE && ret->date == NULL)
                        ret->date = g_strdup(t->value);
                else if (t->kind == TK_TIME && ret->time == NULL && t->value)
                        ret->time = g_strdup(t->value);
                else if (t->kind == TK_PAGE && ret->page == 0 && ret->pages == 0) {
                        ret->page = t->n;
                        ret->pages = t->m;
                }
        }
        read_sides(toks, lines, ret);
        return TRUE;
}

gboolean
rd_is_fax_header_line(const char *line)
{
        g_autoptr(GArray) toks = tokens_new();
        Flags f;

        tokenize_line(line, 0, toks);
        f = flags_of(toks);
        /* alone, anywhere: only the forms no other line has */
        return flags_are_header(&f, FALSE);
}

char *
rd_fax_header_date(const char *page_text)
{
        RdFaxHeader h;
        char *date;

        if (!rd_fax_header_read(page_text, &h))
                return NULL;
        date = g_steal_pointer(&h.date);
        rd_fax_header_clear(&h);
        return date;
}

char *
rd_fax_header_sender(const char *page_text)
{
        RdFaxHeader h;
        char *number;

        if (!rd_fax_header_read(page_text, &h))
                return NULL;
        number = g_steal_pointer(&h.sender_number);
        rd_fax_header_clear(&h);
        return number;
}

char **
rd_page_lines(const char *page_text)
{
        g_auto(GStrv) lines = g_strsplit(page_text, "\n", -1);
        GPtrArray *out = g_ptr_array_new();
        RdFaxHeader h;
        guint first = G_MAXUINT, n = 0;

        if (rd_fax_header_read(page_text, &h)) {
                first = h.first_line;
                n = h.n_lines;
                rd_fax_header_clear(&h);
        }
        for (guint i = 0; lines[i]; i++) {
                char *l = lines[i];
                gsize len = strlen(l);

                if (len && l[len - 1] == '\r')
                        l[len - 1] = '\0';
                /* the header, and any other header line (a relayed fax
                 * carries the first machine's header below the last's) */
                if ((i >= first && i < first + n) || (i < HEADER_MAX_LINE && rd_is_fax_header_line(l)))
                        continue;
                g_ptr_array_add(out, g_strdup(l));
        }
        g_ptr_array_add(out, NULL);
        {
                g_auto(GStrv) raw = (char **)g_ptr_array_free(out, FALSE);

                return rd_realign_label_columns(raw);
        }
}
