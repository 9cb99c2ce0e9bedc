/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "html-text.h"

/* A deliberately small HTML-to-text renderer.  It is not an HTML parser:
 * it walks the bytes once, recognises tags, comments and character
 * references, and turns the element names it knows into line breaks.
 * Everything it does not know is ignored, so broken markup degrades to
 * its text content.  One pass, no recursion, no allocation per tag. */

typedef struct {
        const char *name;
        gunichar cp;
} RdHtmlEntity;

/* HTML 4 named character references (a subset of HTML5's list, which is
 * what mail clients emit), sorted by strcmp for bsearch. */
static const RdHtmlEntity entities[] = {
        { "AElig", 0xC6 },   { "Aacute", 0xC1 }, { "Acirc", 0xC2 },  { "Agrave", 0xC0 },
        { "Alpha", 0x391 },  { "Aring", 0xC5 },  { "Atilde", 0xC3 }, { "Auml", 0xC4 },
        { "Beta", 0x392 },   { "Ccedil", 0xC7 }, { "Dagger", 0x2021 }, { "Delta", 0x394 },
        { "ETH", 0xD0 },     { "Eacute", 0xC9 }, { "Ecirc", 0xCA },  { "Egrave", 0xC8 },
        { "Euml", 0xCB },    { "Gamma", 0x393 }, { "Iacute", 0xCD }, { "Icirc", 0xCE },
        { "Igrave", 0xCC },  { "Iuml", 0xCF },   { "Ntilde", 0xD1 }, { "OElig", 0x152 },
        { "Oacute", 0xD3 },  { "Ocirc", 0xD4 },  { "Ograve", 0xD2 }, { "Omega", 0x3A9 },
        { "Oslash", 0xD8 },  { "Otilde", 0xD5 }, { "Ouml", 0xD6 },   { "Prime", 0x2033 },
        { "Scaron", 0x160 }, { "THORN", 0xDE },  { "Uacute", 0xDA }, { "Ucirc", 0xDB },
        { "Ugrave", 0xD9 },  { "Uuml", 0xDC },   { "Yacute", 0xDD }, { "Yuml", 0x178 },
        { "aacute", 0xE1 },  { "acirc", 0xE2 },  { "acute", 0xB4 },  { "aelig", 0xE6 },
        { "agrave", 0xE0 },  { "alpha", 0x3B1 }, { "amp", '&' },     { "apos", '\'' },
        { "aring", 0xE5 },   { "asymp", 0x2248 }, { "atilde", 0xE3 }, { "auml", 0xE4 },
        { "bdquo", 0x201E }, { "beta", 0x3B2 },  { "brvbar", 0xA6 }, { "bull", 0x2022 },
        { "ccedil", 0xE7 },  { "cedil", 0xB8 },  { "cent", 0xA2 },   { "circ", 0x2C6 },
        { "copy", 0xA9 },    { "curren", 0xA4 }, { "dagger", 0x2020 }, { "darr", 0x2193 },
        { "deg", 0xB0 },     { "delta", 0x3B4 }, { "divide", 0xF7 }, { "eacute", 0xE9 },
        { "ecirc", 0xEA },   { "egrave", 0xE8 }, { "emsp", 0x2003 }, { "ensp", 0x2002 },
        { "eth", 0xF0 },     { "euml", 0xEB },   { "euro", 0x20AC }, { "fnof", 0x192 },
        { "frac12", 0xBD },  { "frac14", 0xBC }, { "frac34", 0xBE }, { "gamma", 0x3B3 },
        { "ge", 0x2265 },    { "gt", '>' },      { "harr", 0x2194 }, { "hellip", 0x2026 },
        { "iacute", 0xED },  { "icirc", 0xEE },  { "iexcl", 0xA1 },  { "igrave", 0xEC },
        { "infin", 0x221E }, { "iquest", 0xBF }, { "iuml", 0xEF },   { "laquo", 0xAB },
        { "larr", 0x2190 },  { "ldquo", 0x201C }, { "le", 0x2264 },  { "lrm", 0x200E },
        { "lsaquo", 0x2039 }, { "lsquo", 0x2018 }, { "lt", '<' },    { "macr", 0xAF },
        { "mdash", 0x2014 }, { "micro", 0xB5 },  { "middot", 0xB7 }, { "minus", 0x2212 },
        { "mu", 0x3BC },     { "nbsp", 0xA0 },   { "ndash", 0x2013 }, { "ne", 0x2260 },
        { "not", 0xAC },     { "ntilde", 0xF1 }, { "oacute", 0xF3 }, { "ocirc", 0xF4 },
        { "oelig", 0x153 },  { "ograve", 0xF2 }, { "oline", 0x203E }, { "omega", 0x3C9 },
        { "ordf", 0xAA },    { "ordm", 0xBA },   { "oslash", 0xF8 }, { "otilde", 0xF5 },
        { "ouml", 0xF6 },    { "para", 0xB6 },   { "permil", 0x2030 }, { "plusmn", 0xB1 },
        { "pound", 0xA3 },   { "prime", 0x2032 }, { "quot", '"' },   { "raquo", 0xBB },
        { "rarr", 0x2192 },  { "rdquo", 0x201D }, { "reg", 0xAE },   { "rlm", 0x200F },
        { "rsaquo", 0x203A }, { "rsquo", 0x2019 }, { "sbquo", 0x201A }, { "scaron", 0x161 },
        { "sect", 0xA7 },    { "shy", 0xAD },    { "sup1", 0xB9 },   { "sup2", 0xB2 },
        { "sup3", 0xB3 },    { "szlig", 0xDF },  { "thinsp", 0x2009 }, { "thorn", 0xFE },
        { "tilde", 0x2DC },  { "times", 0xD7 },  { "trade", 0x2122 }, { "uacute", 0xFA },
        { "uarr", 0x2191 },  { "ucirc", 0xFB },  { "ugrave", 0xF9 }, { "uml", 0xA8 },
        { "uuml", 0xFC },    { "yacute", 0xFD }, { "yen", 0xA5 },    { "yuml", 0xFF },
        { "zwj", 0x200D },   { "zwnj", 0x200C },
};

/* HTML5 13.2.5.80: numeric references 0x80..0x9F mean windows-1252. */
static const gunichar cp1252_c1[32] = {
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

typedef enum {
        RD_TAG_OTHER,
        RD_TAG_BREAK,     /* <br>: one forced line break */
        RD_TAG_LINE,      /* block: starts and ends on its own line */
        RD_TAG_PARAGRAPH, /* block set off by a blank line */
        RD_TAG_TABLE,     /* <table> */
        RD_TAG_ROW,       /* <tr> */
        RD_TAG_CELL,      /* <td>, <th> */
        RD_TAG_ITEM,      /* <li> */
        RD_TAG_PRE,
        RD_TAG_SKIP,      /* raw text whose content is not shown */
} RdTagKind;

typedef struct {
        const char *name;
        RdTagKind kind;
} RdTagInfo;

static const RdTagInfo tags[] = {
        { "address", RD_TAG_LINE },   { "article", RD_TAG_LINE },  { "aside", RD_TAG_LINE },
        { "blockquote", RD_TAG_PARAGRAPH }, { "br", RD_TAG_BREAK }, { "caption", RD_TAG_LINE },
        { "center", RD_TAG_LINE },    { "dd", RD_TAG_LINE },       { "details", RD_TAG_LINE },
        { "div", RD_TAG_LINE },       { "dl", RD_TAG_LINE },       { "dt", RD_TAG_LINE },
        { "fieldset", RD_TAG_LINE },  { "figcaption", RD_TAG_LINE }, { "figure", RD_TAG_LINE },
        { "footer", RD_TAG_LINE },    { "form", RD_TAG_LINE },     { "h1", RD_TAG_PARAGRAPH },
        { "h2", RD_TAG_PARAGRAPH },   { "h3", RD_TAG_PARAGRAPH },  { "h4", RD_TAG_PARAGRAPH },
        { "h5", RD_TAG_PARAGRAPH },   { "h6", RD_TAG_PARAGRAPH },  { "head", RD_TAG_LINE },
        { "header", RD_TAG_LINE },    { "hr", RD_TAG_PARAGRAPH },  { "legend", RD_TAG_LINE },
        { "li", RD_TAG_ITEM },        { "main", RD_TAG_LINE },     { "nav", RD_TAG_LINE },
        { "noembed", RD_TAG_SKIP },   { "noframes", RD_TAG_SKIP }, { "object", RD_TAG_OTHER },
        { "ol", RD_TAG_LINE },        { "p", RD_TAG_PARAGRAPH },   { "pre", RD_TAG_PRE },
        { "script", RD_TAG_SKIP },    { "section", RD_TAG_LINE },  { "style", RD_TAG_SKIP },
        { "summary", RD_TAG_LINE },   { "table", RD_TAG_TABLE }, { "td", RD_TAG_CELL },
        { "template", RD_TAG_SKIP },  { "th", RD_TAG_CELL },       { "title", RD_TAG_SKIP },
        { "tr", RD_TAG_ROW },         { "ul", RD_TAG_LINE },       { "xml", RD_TAG_SKIP },
};

typedef struct {
        GString *out;
        guint breaks;       /* line breaks owed before the next text */
        gboolean space;     /* a space is owed */
        gboolean tab;       /* a cell separator is owed */
        gboolean bullet;    /* a list bullet is owed */
        guint pre;          /* depth of <pre> */
        guint row_cells;    /* cells seen in the current table row */
        gboolean cell_fresh;/* a cell opened and has no text yet */
} RdHtmlOut;

static int
entity_cmp(const void *key, const void *elem)
{
        return strcmp(key, ((const RdHtmlEntity *)elem)->name);
}

static int
tag_cmp(const void *key, const void *elem)
{
        return strcmp(key, ((const RdTagInfo *)elem)->name);
}

static void
out_trim_line_end(RdHtmlOut *o)
{
        while (o->out->len > 0 &&
               (o->out->str[o->out->len - 1] == ' ' || o->out->str[o->out->len - 1] == '\t'))
                g_string_truncate(o->out, o->out->len - 1);
}

/* Pays what is owed (breaks, cell separator, space) before visible text. */
static void
out_flush(RdHtmlOut *o)
{
        if (o->out->len == 0) {
                /* no leading white space; a bullet still shows */
                o->breaks = 0;
                o->space = o->tab = FALSE;
        }
        if (o->breaks > 0) {
                guint have = 0;

                out_trim_line_end(o);
                for (gsize i = o->out->len; i > 0 && o->out->str[i - 1] == '\n'; i--)
                        have++;
                /* at most two blank lines in a row */
                for (guint i = have; i < MIN(o->breaks, 3); i++)
                        g_string_append_c(o->out, '\n');
                o->breaks = 0;
                o->space = o->tab = FALSE;
        } else if (o->tab) {
                out_trim_line_end(o);
                g_string_append_c(o->out, '\t');
                o->space = o->tab = FALSE;
        } else if (o->space) {
                char last = o->out->str[o->out->len - 1];

                if (last != ' ' && last != '\n' && last != '\t')
                        g_string_append_c(o->out, ' ');
                o->space = FALSE;
        }
        if (o->bullet) {
                g_string_append(o->out, "- ");
                o->bullet = FALSE;
        }
        o->cell_fresh = FALSE;
}

static void
out_space(RdHtmlOut *o)
{
        if (o->out->len > 0)
                o->space = TRUE;
}

static void
out_break(RdHtmlOut *o, guint n)
{
        /* Outlook wraps every cell's text in <p>: a block at the start of
         * a cell must not undo the cell separator */
        if (o->out->len > 0 && !o->cell_fresh)
                o->breaks = MAX(o->breaks, n);
}

static void
out_char(RdHtmlOut *o, gunichar c)
{
        if (c == 0xA0)
                c = ' '; /* a reader wants a space, not U+00A0 */
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                if (o->pre > 0) {
                        if (c == '\n') {
                                o->breaks++;
                        } else if (c != '\r') {
                                out_flush(o);
                                g_string_append_c(o->out, c == '\t' ? '\t' : ' ');
                        }
                } else {
                        out_space(o);
                }
                return;
        }
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0xAD)
                return; /* controls and soft hyphens are invisible */
        out_flush(o);
        g_string_append_unichar(o->out, c);
}

/* Parses a character reference at s[0] == '&'; returns bytes consumed
 * (0 if it is not one, so '&' is literal) and the code point. */
static gsize
parse_reference(const char *s, gsize len, gunichar *ret_cp)
{
        gsize i = 1;

        if (i < len && s[i] == '#') {
                gboolean hex = FALSE;
                guint64 v = 0;
                gsize start;

                i++;
                if (i < len && (s[i] == 'x' || s[i] == 'X')) {
                        hex = TRUE;
                        i++;
                }
                start = i;
                while (i < len && (hex ? g_ascii_isxdigit(s[i]) : g_ascii_isdigit(s[i]))) {
                        if (v <= 0x10FFFF)
                                v = v * (hex ? 16 : 10) +
                                    (guint64)(hex ? g_ascii_xdigit_value(s[i])
                                                  : g_ascii_digit_value(s[i]));
                        i++;
                }
                if (i == start)
                        return 0;
                if (i < len && s[i] == ';')
                        i++;
                if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                        *ret_cp = 0xFFFD;
                else if (v >= 0x80 && v <= 0x9F)
                        *ret_cp = cp1252_c1[v - 0x80];
                else
                        *ret_cp = (gunichar)v;
                return i;
        } else {
                char name[12];
                gsize n = 0;
                const RdHtmlEntity *e;

                while (i < len && g_ascii_isalnum(s[i]) && n < sizeof name - 1)
                        name[n++] = s[i++];
                name[n] = '\0';
                if (n == 0)
                        return 0;
                if (i < len && s[i] == ';') {
                        i++;
                } else if (strcmp(name, "amp") != 0 && strcmp(name, "lt") != 0 &&
                           strcmp(name, "gt") != 0 && strcmp(name, "quot") != 0 &&
                           strcmp(name, "nbsp") != 0) {
                        /* HTML5 accepts only a few legacy names without ';' */
                        return 0;
                }
                e = bsearch(name, entities, G_N_ELEMENTS(entities), sizeof entities[0],
                            entity_cmp);
                if (e == NULL)
                        return 0;
                *ret_cp = e->cp;
                return i;
        }
}

/* Case-insensitive search for "</name" from s; returns offset or len. */
static gsize
find_end_tag(const char *s, gsize len, const char *name)
{
        gsize n = strlen(name);

        for (gsize i = 0; i + 2 + n <= len; i++) {
                if (s[i] == '<' && s[i + 1] == '/' &&
                    g_ascii_strncasecmp(s + i + 2, name, n) == 0 &&
                    (i + 2 + n == len || !g_ascii_isalnum(s[i + 2 + n])))
                        return i;
        }
        return len;
}

/* Skips past the '>' that ends a tag, honouring quoted attribute values. */
static gsize
skip_tag(const char *s, gsize len, gsize i)
{
        char quote = 0;

        for (; i < len; i++) {
                if (quote) {
                        if (s[i] == quote)
                                quote = 0;
                } else if (s[i] == '"' || s[i] == '\'') {
                        quote = s[i];
                } else if (s[i] == '>') {
                        return i + 1;
                }
        }
        return len;
}

static void
handle_tag(RdHtmlOut *o, RdTagKind kind, gboolean closing)
{
        switch (kind) {
        case RD_TAG_BREAK:
                /* a forced break, even on an empty line */
                if (o->out->len > 0)
                        o->breaks++;
                break;
        case RD_TAG_LINE:
                out_break(o, 1);
                break;
        case RD_TAG_PARAGRAPH:
                out_break(o, 2);
                break;
        case RD_TAG_TABLE:
                o->cell_fresh = FALSE;
                o->row_cells = 0;
                out_break(o, 2);
                break;
        case RD_TAG_ROW:
                /* one row, one line, whatever blocks its cells held */
                o->cell_fresh = FALSE;
                o->tab = FALSE;
                o->breaks = o->out->len > 0 ? 1 : 0;
                o->row_cells = 0;
                break;
        case RD_TAG_CELL:
                if (!closing) {
                        if (o->row_cells > 0 && o->out->len > 0) {
                                o->breaks = 0;
                                o->tab = TRUE;
                        }
                        o->row_cells++;
                        o->cell_fresh = TRUE;
                }
                break;
        case RD_TAG_ITEM:
                out_break(o, 1);
                if (!closing)
                        o->bullet = TRUE;
                break;
        case RD_TAG_PRE:
                out_break(o, 2);
                if (closing && o->pre > 0)
                        o->pre--;
                else if (!closing && o->pre < G_MAXUINT)
                        o->pre++;
                break;
        case RD_TAG_SKIP:
        case RD_TAG_OTHER:
                break;
        }
}

char *
rd_html_to_text(const char *html, gsize len)
{
        g_autofree char *buf = NULL;
        g_autofree char *valid = NULL;
        RdHtmlOut o = { 0 };
        const char *s;
        gsize i = 0;

        if (html == NULL || len == 0)
                return g_strdup("");
        /* NUL bytes would end the string early: make them spaces, then
         * replace invalid UTF-8 so every byte we copy is well formed. */
        buf = g_memdup2(html, len);
        for (gsize k = 0; k < len; k++)
                if (buf[k] == '\0')
                        buf[k] = ' ';
        valid = g_utf8_make_valid(buf, (gssize)len);
        s = valid;
        len = strlen(valid);
        o.out = g_string_sized_new(len / 2 + 16);

        while (i < len) {
                char c = s[i];

                if (c == '<') {
                        gboolean closing = FALSE;
                        gsize j = i + 1;
                        char name[16];
                        gsize n = 0;

                        if (j < len && s[j] == '!') {
                                if (len - j >= 3 && s[j + 1] == '-' && s[j + 2] == '-') {
                                        const char *end = g_strstr_len(s + j + 3,
                                                                       (gssize)(len - j - 3),
                                                                       "-->");
                                        i = end ? (gsize)(end - s) + 3 : len;
                                } else {
                                        i = skip_tag(s, len, j);
                                }
                                continue;
                        }
                        if (j < len && s[j] == '?') {
                                i = skip_tag(s, len, j);
                                continue;
                        }
                        if (j < len && s[j] == '/') {
                                closing = TRUE;
                                j++;
                        }
                        if (j >= len || !g_ascii_isalpha(s[j])) {
                                /* not a tag: a literal '<' */
                                out_char(&o, '<');
                                i++;
                                continue;
                        }
                        while (j < len && (g_ascii_isalnum(s[j]) || s[j] == ':' || s[j] == '-')) {
                                if (n < sizeof name - 1)
                                        name[n++] = g_ascii_tolower(s[j]);
                                j++;
                        }
                        name[n] = '\0';
                        i = skip_tag(s, len, j);

                        const RdTagInfo *t = bsearch(name, tags, G_N_ELEMENTS(tags),
                                                     sizeof tags[0], tag_cmp);
                        RdTagKind kind = t ? t->kind : RD_TAG_OTHER;

                        if (kind == RD_TAG_SKIP && !closing) {
                                gsize end = find_end_tag(s + i, len - i, name);

                                i = end < len - i ? skip_tag(s, len, i + end) : len;
                                continue;
                        }
                        handle_tag(&o, kind, closing);
                        continue;
                }
                if (c == '&') {
                        gunichar cp = 0;
                        gsize used = parse_reference(s + i, len - i, &cp);

                        if (used > 0) {
                                out_char(&o, cp);
                                i += used;
                                continue;
                        }
                        out_char(&o, '&');
                        i++;
                        continue;
                }
                if ((guchar)c < 0x80) {
                        out_char(&o, (gunichar)c);
                        i++;
                } else {
                        const char *next = g_utf8_next_char(s + i);
                        gunichar cp = g_utf8_get_char(s + i);

                        if (cp == 0xA0 || cp == 0xAD) {
                                out_char(&o, cp);
                        } else {
                                out_flush(&o);
                                g_string_append_len(o.out, s + i, next - (s + i));
                        }
                        i = (gsize)(next - s);
                }
        }
        /* drop trailing white space */
        while (o.out->len > 0 && g_ascii_isspace(o.out->str[o.out->len - 1]))
                g_string_truncate(o.out, o.out->len - 1);
        return g_string_free(g_steal_pointer(&o.out), FALSE);
}
