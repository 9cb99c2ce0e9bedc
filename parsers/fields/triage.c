/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Urgency and service line from what the form marks, with how sure
 * that is (RdTriageEvidence): a ticked or circled option, a stamp or a
 * labelled value decides; what is only printed never does. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fields-private.h"
#include "labels.h"
#include "ids.h"
#include "parsers/page.h"

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

/* A filled box that OCR read as a letter or two glued to the option
 * or just before it ("Bdurgent", "Ed Urgent", "M STAT"): a token of one
 * or two characters at a word start, with a capital or a non-ASCII byte
 * in it, that no word before an option would be, or any letters after a
 * box's left side. Only counted where the row's other options show empty
 * boxes (marked_options). */
static gboolean
junk_mark(const char *line, const char *label_start)
{
        const char *p = label_start, *end;
        gboolean capital = FALSE, foreign = FALSE;

        if (p > line && p[-1] == ' ')
                p--;
        end = p;
        while (p > line && p[-1] != ' ' && p[-1] != '[' && p[-1] != '(' && end - p < 3)
                p--;
        if (end == p || end - p > 2 || (p > line && p[-1] != ' ' && p[-1] != '[' && p[-1] != '('))
                return FALSE;
        /* what reads as an empty box ("[J", "(1", "CJ") is one */
        if (rd_checkbox_before(line, label_start) != RD_BOX_NONE)
                return FALSE;
        for (const char *q = p; q < end; q++) {
                /* a symbol (©, °) is as often an empty ring as a full one */
                if (g_ascii_isupper(*q))
                        capital = TRUE;
                else if (!g_ascii_islower(*q))
                        return FALSE;
                /* a filled square reads as a dense letter (B, M, E, m,
                 * ...); an empty one as strokes (L J, I, U, C, O, c, o) */
                if (strchr("BEHKMNRWmw", *q))
                        foreign = TRUE;
        }
        /* a tick inside a box whose right side OCR lost, glued to the
         * option ("[dUrgent", "[vSTAT"): any letter but the strokes an
         * empty box reads as */
        if (p > line && p[-1] == '[') {
                gboolean strokes = FALSE;

                for (const char *q = p; q < end; q++)
                        if (strchr("IJLUCOcoijlu", *q))
                                strokes = TRUE;
                if (!strokes)
                        return TRUE;
        }
        /* a lone "m" or "w" is as dense as a capital */
        return foreign && (capital || end - p == 1);
}

/* Positions of the options named on @line (case-insensitive, whole words,
 * or glued to a mark OCR made of a filled box). */
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

                        /* "non-urgent", "not urgent": the other way round */
                        if ((f - low >= 4 && (g_str_has_prefix(f - 4, "non-") || g_str_has_prefix(f - 4, "non ") ||
                                              g_str_has_prefix(f - 4, "not "))) ||
                            (f - low >= 3 && g_str_has_prefix(f - 3, "non"))) {
                                f += strlen(opts[i].phrase);
                                continue;
                        }
                        if ((f == low || !g_ascii_isalpha(f[-1]) || rd_checkbox_ticked(low, f) ||
                             strchr("[](){}|JIl1!07OoCcKX", line[f - low - 1]) ||
                             junk_mark(line, line + (f - low))) &&
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

/* Is there a checkbox before the option at @label_start?  Nothing but a
 * "Label:" or the start of the line, or a word, means its box is gone. */
static gboolean
has_box(const char *line, const char *label_start)
{
        const char *p, *end;
        guint alpha = 0;

        if (!rd_token_before(line, label_start, 0, &p, &end) || end[-1] == ':')
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

static guint options_named(const char *line, const Option *opts, gsize n_opts, const char **pos);

/* A row of options, or one option label alone on its line (a text layer
 * splits a checkbox row into one line per option and drops the boxes). */
static gboolean
is_option_row(const char *line, const Option *opts, gsize n)
{
        const char *pos[8];
        guint found = options_named(line, opts, n, pos);
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
        for (gsize i = 0; i < n; i++) {
                guint letters = 0;

                if (!pos[i] || pos[i] - t > 4 || strlen(t) >= 36)
                        continue;
                /* what stands before it is a box OCR read as a letter or
                 * two ("X] Urgent"), not a word of a sentence ("her STAT") */
                for (const char *q = t; q < pos[i]; q++)
                        letters += g_ascii_isalpha(*q) != 0;
                if (letters <= 2)
                        return TRUE;
        }
        return FALSE;
}

/* Is line @i of @lines, which opens with an option, the rest of a
 * sentence the line before began ("could you see him" / "STAT - please
 * evaluate today.")? The line before ends in a lower-case word, with no
 * label's colon, no option and no word of a list's heading in it, and
 * words follow the option here: a printed list has a label or another
 * option above each option, and little after. */
static gboolean
continues_sentence(char **lines, guint i, const Option *opts, gsize n)
{
        const char *pos[8], *above[8], *prev, *after = NULL;
        gsize len;
        guint words = 0, depth = 0;

        if (i == 0 || find_options(lines[i], opts, n, pos) != 1)
                return FALSE;
        prev = lines[i - 1];
        len = strlen(prev);
        while (len > 0 && prev[len - 1] == ' ')
                len--;
        if (len == 0 || !g_ascii_islower(prev[len - 1]) || memchr(prev, ':', len) != NULL)
                return FALSE;
        /* "Please mark the priority" heads a printed list, and each of
         * its options stands under another */
        if (find_options(prev, opts, n, above) > 0)
                return FALSE;
        {
                g_autofree char *low = g_ascii_strdown(prev, (gssize)len);
                static const char *const heads[] = { "priority", "urgency", "circle", "check", "select",
                                                     "tick", "mark" };

                for (gsize k = 0; k < G_N_ELEMENTS(heads); k++)
                        if (strstr(low, heads[k]))
                                return FALSE;
        }
        for (gsize k = 0; k < n; k++)
                if (pos[k] != NULL)
                        after = pos[k] + strlen(opts[k].phrase);
        if (after == NULL)
                return FALSE;
        /* words of two letters or more, outside parentheses ("STAT (same
         * day)" is a printed option's note) */
        for (const char *q = after; *q; q++) {
                if (*q == '(')
                        depth++;
                else if (*q == ')' && depth > 0)
                        depth--;
                else if (depth == 0 && g_ascii_isalpha(q[0]) && g_ascii_isalpha(q[1]) &&
                         (q == after || !g_ascii_isalpha(q[-1])))
                        words++;
        }
        return words >= 2;
}

/* Is line @i of @lines a row of @opts, or one option on its own line (a
 * list printed a line each), and not the rest of a sentence? */
static gboolean
is_option_line(char **lines, guint i, const Option *opts, gsize n)
{
        return is_option_row(lines[i], opts, n) && !continues_sentence(lines, i, opts, n);
}

typedef enum {
        BOXES_NONE,
        BOXES_BEFORE, /* "[ ] Routine  [X] Urgent" */
        BOXES_AFTER,  /* "Routine [ ]  Urgent [X]" */
} RdBoxSide;

/* Which side of its options a row puts the boxes on, from its ends: a box
 * after one option is also "before" the next one, but nothing stands
 * before the first option's box, and nothing after the last one's. */
static RdBoxSide
box_side(const char *line, const Option *opts, gsize n_opts, const char *const *pos)
{
        int first = -1, last = -1;

        for (gsize k = 0; k < n_opts; k++) {
                if (pos[k] == NULL)
                        continue;
                if (first < 0 || pos[k] < pos[first])
                        first = (int)k;
                if (last < 0 || pos[k] > pos[last])
                        last = (int)k;
        }
        if (first < 0)
                return BOXES_NONE;
        if (rd_checkbox_before(line, pos[first]) != RD_BOX_NONE)
                return BOXES_BEFORE;
        if (rd_checkbox_after(pos[last] + strlen(opts[last].phrase)) != RD_BOX_NONE)
                return BOXES_AFTER;
        return BOXES_NONE;
}

/* Do the row's other options all show an empty box before them? */
static gboolean
others_empty(const char *line, gsize n_opts, const char *const *pos, gsize k)
{
        guint empty = 0;

        for (gsize j = 0; j < n_opts; j++) {
                if (j == k || pos[j] == NULL)
                        continue;
                if (rd_checkbox_before(line, pos[j]) != RD_BOX_EMPTY)
                        return FALSE;
                empty++;
        }
        return empty > 0;
}

/* Is the token before the option at @label_start a box closed on both
 * sides with a character or two read inside it ("[0]", "[gm]", "(e)")?
 * An empty box's inside is white, what OCR read there is ink: a tick,
 * as long as the row's other boxes read empty (others_empty), which is
 * how a row of boxes all misread the same way is told apart. Strokes
 * ("[|]", "[1]", "[J]", "[}]", as junk_mark knows them) are the box's
 * own sides read twice. */
static gboolean
inked_box(const char *line, const char *label_start)
{
        const char *p, *end;
        guint inside = 0;

        if (!rd_token_before(line, label_start, 5, &p, &end) || end - p < 3 || (*p != '[' && *p != '(') ||
            (end[-1] != ']' && end[-1] != ')'))
                return FALSE;
        for (const char *q = p + 1; q < end - 1; q++) {
                if (!g_ascii_isgraph(*q))
                        return FALSE;
                if (!strchr("|1!_-.,:;'`[](){}IJLUCOcoijlu", *q))
                        inside++;
        }
        return inside > 0;
}

/* Is @line nothing but one ringed word: "(Preventive)"? */
static gboolean
lone_ring(const char *line)
{
        g_autofree char *t = g_strstrip(g_strdup(line));
        gsize n = strlen(t);

        return n >= 4 && t[0] == '(' && t[n - 1] == ')' && strchr(t + 1, '(') == NULL &&
               strchr(t, ')') == t + n - 1;
}

/* A ringed word OCR read with a letter or two wrong ("(Jnterventionar)"):
 * the option it is within a fifth of its letters of, among those the row
 * does not print plainly; -1 when none. */
static int
ringed_option(const char *line, const Option *opts, gsize n_opts, const char *const *pos)
{
        for (const char *open = strchr(line, '('); open; open = strchr(open + 1, '(')) {
                const char *close = strchr(open, ')');
                g_autofree char *inner = NULL;
                int best = -1;

                if (close == NULL || close - open < 4 || close - open > 32)
                        continue;
                inner = g_ascii_strdown(open + 1, close - open - 1);
                for (gsize k = 0; k < n_opts; k++) {
                        gsize n = strlen(opts[k].phrase);

                        if (pos[k] != NULL || n < 5)
                                continue;
                        if (rd_edit_distance(inner, opts[k].phrase) <= MAX(1, n / 5)) {
                                if (best >= 0)
                                        return -1; /* near two options: nothing to go on */
                                best = (int)k;
                        }
                }
                if (best >= 0)
                        return best;
        }
        return -1;
}

/* How many options @line names: those find_options() finds (their
 * positions in @pos), and a ringed one OCR misread ("(General
 * Cardioloa)"). */
static guint
options_named(const char *line, const Option *opts, gsize n_opts, const char **pos)
{
        guint n = find_options(line, opts, n_opts, pos);

        return n + (ringed_option(line, opts, n_opts, pos) >= 0);
}

/* Returns: (transfer full) the letters of the @n bytes at @s, lowercased. */
static char *
letters_only(const char *s, gsize n)
{
        GString *out = g_string_sized_new(n);

        for (gsize i = 0; i < n && s[i]; i++)
                if (g_ascii_isalpha(s[i]))
                        g_string_append_c(out, g_ascii_tolower(s[i]));
        return g_string_free(out, FALSE);
}

/* Do the words at @q read as @option (@letters: its letters alone) with
 * a letter or two wrong? As many words as the option has or fewer, the
 * spaces between them read or not ("HeartFallure"), a dash between them
 * ("Heart -Failure"), a letter lost or added ("rgent"), within a fifth of
 * its letters. */
static gboolean
misread_as(const char *q, const char *option, const char *letters)
{
        guint words = 1, seen = 0;
        gsize n = strlen(letters);

        for (const char *o = option; *o; o++)
                words += *o == ' ';
        for (gsize len = 0;; len++) {
                gboolean end = !g_ascii_isalpha(q[len]);

                if (end && len > 0 && g_ascii_isalpha(q[len - 1])) {
                        g_autofree char *word = letters_only(q, len);

                        seen++;
                        if (rd_edit_distance(word, letters) <= MAX(1, n / 5))
                                return TRUE;
                        if (seen == words)
                                return FALSE;
                }
                /* a dash or a speck OCR put between the words goes too
                 * ("Heart -Failure") */
                if (q[len] != ' ' && end && (q[len] == '\0' || !strchr("-_.,'`", q[len])))
                        return FALSE;
        }
}

/* An option the row does not print plainly, read by OCR with a letter or
 * two wrong ("Electrophysiolagy"), that stands just after a box: its index
 * (within a fifth of its letters of one option only) and in *@ret_at where
 * it starts; -1 when none. */
static int
misread_boxed_option(const char *line, const Option *opts, gsize n_opts, const char *const *pos,
                     const char **ret_at)
{
        g_auto(GStrv) letters = g_new0(char *, n_opts + 1);

        for (gsize k = 0; k < n_opts; k++)
                letters[k] = letters_only(opts[k].phrase, strlen(opts[k].phrase));
        for (const char *q = line; *q; q++) {
                int best = -1;

                if (!g_ascii_isalpha(*q) || (q > line && g_ascii_isalpha(q[-1])) ||
                    rd_checkbox_before(line, q) == RD_BOX_NONE)
                        continue;
                for (gsize k = 0; k < n_opts; k++) {
                        if (pos[k] != NULL || strlen(letters[k]) < 5)
                                continue;
                        if (misread_as(q, opts[k].phrase, letters[k])) {
                                if (best >= 0)
                                        return -1; /* near two options: nothing to go on */
                                best = (int)k;
                        }
                }
                if (best >= 0) {
                        *ret_at = q;
                        return best;
                }
        }
        return -1;
}

/* The options marked so far: which, how many, and the last one's cue. */
typedef struct {
        gboolean marked[8];
        guint distinct;
        int last;
        const char *cue;
} Marks;

static void
mark_option(Marks *m, int k, const char *cue)
{
        if (!m->marked[k])
                m->distinct++;
        m->marked[k] = TRUE;
        m->last = k;
        m->cue = cue;
}

/* What the option rows mark: a ticked box before or after an option, or
 * a circled option "(Urgent)".  Returns the number of distinct options
 * marked and sets @ret_marked to the index of one of them and @ret_cue. */
static guint
marked_options(Ctx *c, const Option *opts, gsize n_opts, int *ret_marked, const char **ret_cue)
{
        Marks m = { .last = -1 };

        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = g_ptr_array_index(c->page_lines, p);
                gboolean prev_row = FALSE;

                if (g_array_index(c->rank, guint, p) != 0)
                        continue;
                for (guint i = 0; lines[i]; i++) {
                        const char *pos[8];
                        guint n;
                        RdBoxSide side;

                        /* a blank line inside a row that wrapped */
                        if (rd_line_is_blank(lines[i]))
                                continue;
                        n = find_options(lines[i], opts, n_opts, pos);
                        side = box_side(lines[i], opts, n_opts, pos);
                        /* the row's option wrapped onto a line of its own
                         * and ringed there, misread ("(Interventiona)") */
                        if (n == 0 && prev_row && lone_ring(lines[i])) {
                                int ringed = ringed_option(lines[i], opts, n_opts, pos);

                                if (ringed >= 0)
                                        mark_option(&m, ringed, "circled option");
                        }
                        /* ...or ticked there, misread ("[X] Heart -Failure") */
                        if (n == 0 && prev_row) {
                                const char *at = NULL;
                                int misread = misread_boxed_option(lines[i], opts, n_opts, pos, &at);

                                if (misread >= 0 && rd_checkbox_before(lines[i], at) == RD_BOX_TICKED) {
                                        mark_option(&m, misread, "ticked box");
                                        continue;
                                }
                        }
                        /* one option with its own box is a row of one; a
                         * ringed one OCR misread ("(seneral Cardiology)
                         * Heart Failure") counts among the row's */
                        if (n == 1 && !prev_row && side == BOXES_NONE)
                                n = options_named(lines[i], opts, n_opts, pos);
                        if (!(n >= 2 || (n == 1 && (prev_row || side != BOXES_NONE)))) {
                                prev_row = FALSE;
                                continue;
                        }
                        prev_row = TRUE;
                        {
                                int ringed = ringed_option(lines[i], opts, n_opts, pos);
                                const char *at = NULL;
                                int misread = misread_boxed_option(lines[i], opts, n_opts, pos, &at);

                                if (ringed >= 0)
                                        mark_option(&m, ringed, "circled option");
                                if (misread >= 0 && side != BOXES_AFTER &&
                                    rd_checkbox_before(lines[i], at) == RD_BOX_TICKED)
                                        mark_option(&m, misread, "ticked box");
                        }
                        for (gsize k = 0; k < n_opts; k++) {
                                const char *end;
                                const char *cue = NULL;

                                if (pos[k] == NULL)
                                        continue;
                                end = pos[k] + strlen(opts[k].phrase);
                                if (side != BOXES_AFTER &&
                                    rd_checkbox_before(lines[i], pos[k]) == RD_BOX_TICKED)
                                        cue = "ticked box";
                                else if (side == BOXES_AFTER && rd_checkbox_after(end) == RD_BOX_TICKED)
                                        cue = "ticked box";
                                else if (pos[k] > lines[i] && pos[k][-1] == '(' && *end == ')')
                                        cue = "circled option";
                                else if (side == BOXES_BEFORE && others_empty(lines[i], n_opts, pos, k))
                                        cue = junk_mark(lines[i], pos[k])   ? "ticked box"
                                              : inked_box(lines[i], pos[k]) ? RD_TRIAGE_CUE_INKED_BOX
                                                                            : NULL;
                                if (cue != NULL)
                                        mark_option(&m, (int)k, cue);
                        }
                }
        }
        *ret_marked = m.last;
        if (m.last >= 0)
                *ret_cue = m.cue;
        return m.distinct;
}

/* The option @line names when it holds nothing but that word (any case),
 * maybe between stars or bars; -1 otherwise. @ret_capitals: as capitals. */
static int
lone_option(const char *line, const Option *opts, gsize n_opts, gboolean *ret_capitals)
{
        g_autoptr(GString) word = g_string_new(NULL);

        for (const char *q = line; *q; q++) {
                if (g_ascii_isalpha(*q))
                        g_string_append_c(word, *q);
                else if (!strchr(" *!-=#_~", *q))
                        return -1;
        }
        for (gsize k = 0; k < n_opts && word->len > 0; k++) {
                if (g_ascii_strcasecmp(word->str, opts[k].phrase) == 0) {
                        g_autofree char *up = g_ascii_strup(opts[k].phrase, -1);

                        *ret_capitals = strcmp(word->str, up) == 0;
                        return (int)k;
                }
        }
        return -1;
}

/* The option @line holds alone, or alone after a label's colon: a column
 * of options whose first word the column pairing gave to the label above
 * it ("Reason for referral:" then "Urgent", "STAT" a line each). */
static int
listed_option(const char *line, const Option *opts, gsize n_opts)
{
        gboolean caps = FALSE;
        int k = lone_option(line, opts, n_opts, &caps);
        const char *colon = strrchr(line, ':');

        return k >= 0 || colon == NULL ? k : lone_option(colon + 1, opts, n_opts, &caps);
}

/* Which options @line prints with a box before them (ticked or not):
 * sets @boxed (n_opts flags); returns how many. */
static guint
boxed_options(const char *line, const Option *opts, gsize n_opts, gboolean *boxed)
{
        const char *pos[8];
        guint n = 0;

        memset(boxed, 0, n_opts * sizeof *boxed);
        if (find_options(line, opts, n_opts, pos) == 0)
                return 0;
        for (gsize k = 0; k < n_opts; k++) {
                boxed[k] = pos[k] != NULL && rd_checkbox_before(line, pos[k]) != RD_BOX_NONE;
                n += boxed[k];
        }
        return n;
}

/* Does @line print an option with a box before it (ticked or not)? A
 * form's choice then, not a sentence, whatever OCR made of its siblings. */
static gboolean
boxed_option(const char *line, const Option *opts, gsize n_opts)
{
        gboolean boxed[8];

        return boxed_options(line, opts, n_opts, boxed) > 0;
}

/* The lines of page @p when it is one the fields are read from (the
 * referral form, a cover sheet: rank 0 or 1), else NULL. */
static char **
field_lines(Ctx *c, guint p)
{
        return g_array_index(c->rank, guint, p) <= 1 ? g_ptr_array_index(c->page_lines, p) : NULL;
}

/* Does line @i of some page the fields are read from pass @test? */
static gboolean
any_field_line(Ctx *c, gboolean (*test)(char **lines, guint i))
{
        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = field_lines(c, p);

                for (guint i = 0; lines != NULL && lines[i]; i++)
                        if (test(lines, i))
                                return TRUE;
        }
        return FALSE;
}

/* Does the page print the other options with boxes (ticked or not) but
 * option @k, alone on line @i, with none? Then its box was lost (a text
 * layer sets the word apart from its drawn box): the form's own choice,
 * not a stamp. A stamp over a form shows the form's boxed STAT too. */
static gboolean
boxes_lost(char **lines, guint n, guint i, const Option *opts, gsize n_opts, int k)
{
        gboolean other_boxed = FALSE, own_boxed = FALSE;

        for (guint j = 0; j < n; j++) {
                gboolean boxed[8];
                guint count = j == i ? 0 : boxed_options(lines[j], opts, n_opts, boxed);

                if (count == 0)
                        continue;
                own_boxed = own_boxed || boxed[k];
                other_boxed = other_boxed || count > (guint)boxed[k];
        }
        return other_boxed && !own_boxed;
}

/* A stamp: the word alone on its line, in capitals, maybe between stars
 * or bars ("*** STAT ***", "URGENT!"), with no box beside it. A word that
 * stands among the other options, one a line ("Routine / Urgent / STAT"
 * in a column whose boxes a text layer or OCR dropped), is the form's
 * printed choice, not a stamp. */
static int
stamped_option(Ctx *c, const Option *opts, gsize n_opts)
{
        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = field_lines(c, p);
                guint n;

                if (lines == NULL)
                        continue;
                n = g_strv_length(lines);
                for (guint i = 0; i < n; i++) {
                        gboolean capitals = FALSE, listed = FALSE;
                        int k = lone_option(lines[i], opts, n_opts, &capitals);

                        if (k < 0 || !capitals)
                                continue;
                        for (guint j = i > 2 ? i - 2 : 0; j < MIN(n, i + 3) && !listed; j++) {
                                int other = j == i ? -1 : listed_option(lines[j], opts, n_opts);
                                const char *pos[8];

                                listed = other >= 0 && other != k;
                                /* or a row of the other options beside it: OCR
                                 * set the row's last word on a line of its own */
                                if (j != i && find_options(lines[j], opts, n_opts, pos) >= 2 && pos[k] == NULL)
                                        listed = TRUE;
                        }
                        /* or anywhere on the page, the other options printed
                         * alone on their lines or after the priority label
                         * (a text layer scatters a column of options) */
                        for (guint j = 0; j < n && !listed; j++) {
                                gboolean caps = FALSE;
                                g_autofree char *low = g_ascii_strdown(lines[j], -1);
                                int other = j == i ? -1 : lone_option(lines[j], opts, n_opts, &caps);
                                const char *pos[8];

                                listed = other >= 0 && other != k;
                                if (!listed && j != i && (strstr(low, "priority") || strstr(low, "urgency")) &&
                                    find_options(lines[j], opts, n_opts, pos) > 0 && pos[k] == NULL)
                                        listed = TRUE;
                        }
                        if (!listed && boxes_lost(lines, n, i, opts, n_opts, k))
                                listed = TRUE;
                        if (!listed)
                                return k;
                }
        }
        return -1;
}

/* A line that speaks of urgency without saying this referral is urgent:
 * instructions printed on forms ("for STAT referrals call..."),
 * negations, urgent care. */
static gboolean
urgency_not_asserted(const char *low)
{
        static const char *const not_this[] = {
                "for urgent", "for stat", "if urgent", "if stat", "if this is", "if you",
                "urgent care", "non-urgent", "nonurgent", "not urgent", "non urgent", "no urgent",
                "not stat", "please call", "please phone", "call ", "phone ", "page the",
                "for review", "please comment", "please reply", "after hours", "emergencies",
                "no need", "not needed", "not required", "unless", "no rush", "not necessary",
        };

        for (gsize i = 0; i < G_N_ELEMENTS(not_this); i++)
                if (strstr(low, not_this[i]))
                        return TRUE;
        return FALSE;
}

static gboolean
has_capital_word(const char *line, const char *word)
{
        gsize n = strlen(word);

        for (const char *f = strstr(line, word); f; f = strstr(f + n, word))
                if ((f == line || !g_ascii_isalpha(f[-1])) && !g_ascii_isalpha(f[n]))
                        return TRUE;
        return FALSE;
}

/* Urgency in the letter's own sentences.  A word the writer put in
 * capitals ("STAT: chest pain at rest", "URGENT referral") is a mark;
 * a lower-case mention ("an urgent appointment would be appreciated")
 * is weak.  Returns the option index, -1 for none, and @ret_strong. */
static int
stated_urgency(Ctx *c, gboolean *ret_strong)
{
        int caps = -1, prose = -1;
        gboolean saw_routine = FALSE;

        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = field_lines(c, p);

                if (lines == NULL)
                        continue;
                for (guint i = 0; lines[i]; i++) {
                        const char *l = lines[i];
                        g_autofree char *low = g_ascii_strdown(l, -1);

                        /* a form's priority field prints its options: what
                         * OCR left of them is not the writer's prose */
                        if (is_option_line(lines, i, urgency_options, 3) ||
                            is_option_row(l, service_options, 5) || boxed_option(l, urgency_options, 3) ||
                            urgency_not_asserted(low) ||
                            strstr(low, "priority") || strstr(low, "urgency") || strstr(low, "circle one") ||
                            strstr(low, "check one") || strstr(low, "select one") || strstr(low, "tick one"))
                                continue;
                        if (has_capital_word(l, "STAT"))
                                caps = 2;
                        else if (has_capital_word(l, "URGENT") && caps < 1)
                                caps = 1;
                        if (strstr(low, "same day") || strstr(low, "same-day") ||
                            strstr(low, "emergent"))
                                prose = 2;
                        else if (has_capital_word(low, "urgent") || has_capital_word(low, "urgently"))
                                prose = MAX(prose, 1);
                        if (strstr(low, "routine"))
                                saw_routine = TRUE;
                }
        }
        *ret_strong = caps >= 0 && !saw_routine;
        if (caps >= 0)
                return caps;
        if (saw_routine && prose > 0)
                return -1; /* says both: nothing to go on */
        return prose > 0 ? prose : saw_routine ? 0 : -1;
}

/* How many options other than the one in @v's value stand alone on lines
 * of @v's page, or on a row of options of it. */
static guint
lone_siblings(Ctx *c, const Value *v, const Option *opts, gsize n_opts)
{
        const char *pos[8];
        char **lines;
        gboolean seen[8] = { FALSE };
        guint n = 0;

        if (v->page >= c->page_lines->len || find_options(v->value, opts, n_opts, pos) != 1)
                return 0;
        lines = g_ptr_array_index(c->page_lines, v->page);
        for (guint i = 0; lines[i]; i++) {
                gboolean caps = FALSE;
                int k = lone_option(lines[i], opts, n_opts, &caps);
                const char *row[8];

                if (k >= 0 && pos[k] == NULL && !seen[k]) {
                        seen[k] = TRUE;
                        n++;
                }
                /* or printed as a row of its own further on (a row that
                 * wrapped, OCR setting another column's line between) */
                if (i != v->line && options_named(lines[i], opts, n_opts, row) >= 2) {
                        for (gsize o = 0; o < n_opts; o++) {
                                if (row[o] != NULL && pos[o] == NULL && !seen[o]) {
                                        seen[o] = TRUE;
                                        n++;
                                }
                        }
                }
        }
        return n;
}

/* Does a page the fields are read from print a row of @opts (two or
 * more of them on a line)? */
static gboolean
has_option_row(Ctx *c, const Option *opts, gsize n_opts)
{
        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = field_lines(c, p);

                if (lines == NULL)
                        continue;
                guint lone = 0;

                for (guint i = 0; lines[i]; i++) {
                        const char *pos[8];
                        gboolean caps = FALSE;

                        if (find_options(lines[i], opts, n_opts, pos) >= 2)
                                return TRUE;
                        /* or a list a text layer scattered, one a line */
                        lone += lone_option(lines[i], opts, n_opts, &caps) >= 0;
                }
                if (lone >= 2)
                        return TRUE;
        }
        return FALSE;
}

/* Does line @i print a row of urgency options (ticked or not), or one
 * with a box? */
static gboolean
urgency_row_line(char **lines, guint i)
{
        const char *pos[8];

        return is_option_line(lines, i, urgency_options, 3) ||
               (find_options(lines[i], urgency_options, 3, pos) > 0 &&
                box_side(lines[i], urgency_options, 3, pos) != BOXES_NONE);
}

/* Does any page the fields are read from print a row of urgency options
 * (ticked or not)? Then the form is where urgency is marked. */
static gboolean
has_urgency_row(Ctx *c)
{
        return any_field_line(c, urgency_row_line);
}

/* Does line @i tick an urgency option OCR did not read as one ("[x]
 * Ument" between "Routine" and "STAT")? A ticked box on a row that names
 * two options or more, before a word none of them starts, among the
 * options or in the word after the last. */
static gboolean
unread_ticked_line(char **lines, guint i)
{
        const char *line = lines[i], *pos[8], *first = NULL, *last = NULL, *end;

        if (find_options(line, urgency_options, 3, pos) < 2)
                return FALSE;
        for (gsize k = 0; k < 3; k++) {
                if (pos[k] == NULL)
                        continue;
                if (first == NULL || pos[k] < first)
                        first = pos[k];
                if (last == NULL || pos[k] > last)
                        last = pos[k];
        }
        /* the end of the word after the last option (and of its box,
         * when that stands apart) */
        end = last;
        for (int w = 0; w < 3; w++) {
                while (*end && !g_ascii_isspace(*end))
                        end++;
                while (g_ascii_isspace(*end))
                        end++;
        }
        for (const char *q = first; q < end; q++) {
                gboolean named = FALSE;

                if (!g_ascii_isalnum(*q) || (q > line && g_ascii_isalnum(q[-1])) ||
                    rd_checkbox_before(line, q) != RD_BOX_TICKED)
                        continue;
                for (gsize k = 0; k < 3 && !named; k++)
                        named = pos[k] == q;
                if (!named)
                        return TRUE;
        }
        return FALSE;
}

/* Is an urgency option ticked that OCR did not read as one, on a page
 * the fields are read from? The options read carry no tick (the caller
 * found none marked). */
static gboolean
unread_ticked_option(Ctx *c)
{
        return any_field_line(c, unread_ticked_line);
}

/* Does @low (a line, lowercased) open an item of its own: a bullet or a
 * label ("* BMP drawn today", "Comment: echo scheduled")? */
static gboolean
opens_item(const char *low)
{
        const char *p = low;
        int letters = 0;

        while (*p == ' ')
                p++;
        if (strchr("*-+>", *p) != NULL && *p != '\0')
                return TRUE;
        if (g_str_has_prefix(p, "\u2022") || g_str_has_prefix(p, "\u00b7"))
                return TRUE;
        for (; *p && (g_ascii_isalpha(*p) || *p == ' ') && letters < 24; p++, letters++)
                ;
        return *p == ':' && letters > 1;
}

/* A request the writer makes in their own sentences: a verb of seeing or
 * scheduling followed, within a few words of the same item, by how
 * soon ("could you see her urgently", "please schedule within the
 * week", "evaluate today"). OCR's stray dots and commas between the
 * words do not matter; a new item (a line opening with a bullet or a
 * label) does: "Comment: echo scheduled next week" and "* BNP drawn
 * today" below it are two things. Returns the option index (1 urgent,
 * 2 stat) or -1. */
static int
requested_urgency(Ctx *c)
{
        static GRegex *re;
        int found = -1;

        if (g_once_init_enter(&re)) {
/* between two words of an item: anything but its end ('|', set where
 * lines are joined before a new item) */
#define GAP "[^\\w|]+"
                GRegex *r = g_regex_new(
                        "\\b(?:see|seen|evaluate|evaluated|evaluation|schedule|scheduled|appointment|consult|"
                        "consultation|visit|assess|assessment)\\b" GAP "(?:[a-z]+" GAP "){0,6}?"
                        "(urgently|urgent|as soon as possible|asap|today|same.day|immediately|emergently|"
                        "within\\W+(?:the|this|a|one|two|three|[1-9]|24|48|72)\\W+(?:week|weeks|days|day|hours|"
                        "business days))\\b",
                        G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
#undef GAP

                g_once_init_leave(&re, r);
        }
        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = field_lines(c, p);
                g_autoptr(GString) text = g_string_new(NULL);
                g_autoptr(GMatchInfo) mi = NULL;

                if (lines == NULL)
                        continue;
                /* a sentence wraps: the page's lines as one text, less
                 * the lines that only speak about urgency */
                for (guint i = 0; lines[i]; i++) {
                        g_autofree char *low = g_ascii_strdown(lines[i], -1);

                        if (is_option_line(lines, i, urgency_options, 3) || strstr(low, "routine") ||
                            strstr(low, "urgent care") || strstr(low, "emergenc"))
                                continue;
                        if (opens_item(low))
                                g_string_append(text, "| ");
                        g_string_append(text, low);
                        g_string_append_c(text, ' ');
                }
                for (g_regex_match(re, text->str, 0, &mi); g_match_info_matches(mi); g_match_info_next(mi, NULL)) {
                        g_autofree char *when = g_match_info_fetch(mi, 1);
                        gint start = 0, end = 0;
                        g_autofree char *before = NULL;
                        int k;

                        /* "no need to see her urgently", "unless urgent" */
                        g_match_info_fetch_pos(mi, 0, &start, &end);
                        before = g_strndup(text->str + MAX(start - 40, 0), (gsize)(end - MAX(start - 40, 0)));
                        if (strstr(before, "no need") || strstr(before, "not ") || strstr(before, "non") ||
                            strstr(before, "unless") || strstr(before, "no rush") || strstr(before, "n't") ||
                            strstr(before, "if urgent") || strstr(before, "for urgent") || strstr(before, "if stat"))
                                continue;
                        k = (strcmp(when, "today") == 0 || g_str_has_prefix(when, "same") ||
                                 strcmp(when, "immediately") == 0 || strcmp(when, "emergently") == 0) ? 2 : 1;

                        found = MAX(found, k);
                }
        }
        return found;
}

/* Does the line a value was read from show a box at any option?  Then
 * it is a row of options, not a written value. */
static gboolean
value_line_boxed(Ctx *c, const Value *v, const Option *opts, gsize n_opts)
{
        char **lines;
        const char *pos[8];

        if (v->page >= c->page_lines->len)
                return FALSE;
        lines = g_ptr_array_index(c->page_lines, v->page);
        if (v->line >= g_strv_length(lines))
                return FALSE;
        if (find_options(lines[v->line], opts, n_opts, pos) == 0)
                return FALSE;
        return box_side(lines[v->line], opts, n_opts, pos) != BOXES_NONE;
}

/* Are the lines around a value options of the same list, one per line
 * (a text layer splits a checkbox row so and drops the boxes)? */
static gboolean
value_among_options(Ctx *c, const Value *v, const Option *opts, gsize n_opts)
{
        char **lines;
        guint n, before, after;

        if (v->page >= c->page_lines->len)
                return FALSE;
        lines = g_ptr_array_index(c->page_lines, v->page);
        n = g_strv_length(lines);
        if (v->line >= n)
                return FALSE;
        /* the lines next to it, past a blank one (a row that wrapped) */
        for (before = v->line; before > 0 && (before == v->line || rd_line_is_blank(lines[before])); before--)
                ;
        for (after = v->line + 1; after < n && rd_line_is_blank(lines[after]); after++)
                ;
        return (before < v->line && is_option_row(lines[before], opts, n_opts)) ||
               (after < n && is_option_row(lines[after], opts, n_opts));
}

/* The words order systems use for a priority, as a labelled value
 * ("Priority: Expedited"): the option each stands for. */
static int
priority_word(const char *value)
{
        static const struct {
                const char *word;
                int option;
        } words[] = {
                { "non-urgent", 0 }, { "nonurgent", 0 }, { "non urgent", 0 }, { "not urgent", 0 },
                { "elective", 0 }, { "next available", 0 }, { "standard", 0 },
                { "expedited", 1 }, { "expedite", 1 }, { "asap", 1 }, { "as soon as possible", 1 },
                { "emergent", 2 }, { "emergency", 2 }, { "same day", 2 }, { "same-day", 2 }, { "immediate", 2 },
        };
        g_autofree char *low = g_ascii_strdown(value, -1);
        const char *t = g_strchug(low);

        for (gsize i = 0; i < G_N_ELEMENTS(words); i++) {
                gsize n = strlen(words[i].word);

                if (g_str_has_prefix(t, words[i].word) && !g_ascii_isalpha(t[n]))
                        return words[i].option;
        }
        return -1;
}

/* A labelled single value: "Priority: URGENT"; -1 when none. */
static int
labelled_option(Ctx *c, LabelKey key, const Option *opts, gsize n_opts)
{
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);
                const char *pos[8];

                if (v->key != key || v->rank > 1)
                        continue;
                if (key == L_PRIORITY && opts == urgency_options && !value_line_boxed(c, v, opts, n_opts)) {
                        int k = priority_word(v->value);

                        if (k >= 0)
                                return k;
                }
                if (find_options(v->value, opts, n_opts, pos) != 1 ||
                    value_line_boxed(c, v, opts, n_opts))
                        continue;
                for (gsize k = 0; k < n_opts; k++)
                        if (pos[k] == v->value && rd_checkbox_after(pos[k] + strlen(opts[k].phrase)) ==
                                                          RD_BOX_NONE)
                                return (int)k;
        }
        return -1;
}

/* Urgency narrows the checklist, so only what is marked counts: a ticked
 * or circled option, a stamp, a labelled value.  Anything weaker (prose,
 * conflicting marks) leaves the strictest reading, routine, and says so
 * for review; a form that prints the options with none marked says
 * nothing. */
void
rd_pick_urgency(Ctx *c, RdReferral *ref)
{
        RdTriageEvidence *ev = &ref->urgency_evidence;
        const char *cue = NULL;
        int k, marked;
        guint n_marked;
        gboolean strong = FALSE;

        memset(ev, 0, sizeof *ev);
        ref->urgency = g_strdup("routine");
        k = labelled_option(c, L_PRIORITY, urgency_options, 3);
        if (k >= 0) {
                cue = "labelled value";
        } else {
                n_marked = marked_options(c, urgency_options, 3, &marked, &cue);
                if (n_marked > 1) {
                        ev->strength = RD_TRIAGE_WEAK;
                        ev->cue = "conflicting marks";
                        return;
                }
                k = marked;
                if (k < 0) {
                        k = stamped_option(c, urgency_options, 3);
                        cue = "stamp";
                }
        }
        /* ink OCR read in a box, not a tick it knows: enough to name the
         * service line, not to relax the checklist on */
        if (k > 0 && cue != NULL && strcmp(cue, RD_TRIAGE_CUE_INKED_BOX) == 0) {
                ev->strength = RD_TRIAGE_WEAK;
                ev->cue = cue;
                ev->read = urgency_options[k].value;
                return;
        }
        if (k >= 0) {
                ev->strength = RD_TRIAGE_STRONG;
                ev->cue = cue;
                g_free(ref->urgency);
                ref->urgency = g_strdup(urgency_options[k].value);
                return;
        }
        if (unread_ticked_option(c)) {
                ev->strength = RD_TRIAGE_WEAK;
                ev->cue = RD_TRIAGE_CUE_UNREAD_OPTION;
                return;
        }
        k = stated_urgency(c, &strong);
        /* a letter has no boxes: the writer's own request is its mark, as
         * long as no form prints options it left unticked. "Routine" in
         * prose ("abnormal EKG on routine physical") is no request. */
        if ((k <= 0 || !strong) && !has_urgency_row(c)) {
                int asked = requested_urgency(c);

                if (asked > 0) {
                        ev->strength = RD_TRIAGE_STRONG;
                        ev->cue = "requested in the letter";
                        g_free(ref->urgency);
                        ref->urgency = g_strdup(urgency_options[asked].value);
                        return;
                }
        }
        if (k > 0 && strong) {
                ev->strength = RD_TRIAGE_STRONG;
                ev->cue = "written in capitals";
                g_free(ref->urgency);
                ref->urgency = g_strdup(urgency_options[k].value);
        } else if (k > 0) {
                ev->strength = RD_TRIAGE_WEAK;
                ev->cue = "stated in text";
                ev->read = urgency_options[k].value;
        } else if (k == 0) {
                /* "routine" in prose relaxes nothing: it is the default */
                ev->strength = RD_TRIAGE_WEAK;
                ev->cue = "stated in text";
        }
}

/* Words a department's name is made of around its specialty ("Cardiology
 * - Consult - General", "General Cardiology Clinic"). */
static gboolean
is_department_word(const char *w, gsize n)
{
        static const char *const words[] = { "consult", "consults", "consultation", "clinic",
                                             "adult", "outpatient", "service", "services", "dept",
                                             "department" };

        for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
                if (strlen(words[i]) == n && strncmp(w, words[i], n) == 0)
                        return TRUE;
        return FALSE;
}

/* Is the word at @w (in lowercase @l) "general" or "gen", an "l" OCR read
 * as "!" or "|" allowed at its end? Sets *@ret_end past it. */
static gboolean
is_general_word(const char *l, const char *w, const char **ret_end)
{
        const char *e = w;

        if (w > l && g_ascii_isalpha(w[-1]))
                return FALSE;
        /* its last letter a stroke OCR may read as any upright one */
        if (g_str_has_prefix(w, "genera") && w[6] != '\0' && strchr("l!|i1", w[6]))
                e = w + 7;
        else if (g_str_has_prefix(w, "gen"))
                e = w + 3 + (w[3] == '.');
        else
                return FALSE;
        if (g_ascii_isalpha(*e))
                return FALSE;
        *ret_end = e;
        return TRUE;
}

static gboolean is_word_read(const char *w, const char *word);

/* Does lowercase @l name general cardiology, in either order, with any
 * punctuation and a department's words between: "general cardiology",
 * "gen. cardiology", "cardiology - general", "cardiology (general)",
 * "cardiology - consult - general"? Not "general" elsewhere in a sentence
 * ("his general practitioner referred him to cardiology"). */
static gboolean
names_general_cardiology(const char *l)
{
        static const char sep[] = " -,:/()";

        /* each word that reads "cardiology", a letter off or not */
        for (const char *c = l, *after = l; *c; c = after) {
                const char *p, *end;

                while (*c && !g_ascii_isalpha(*c))
                        c++;
                for (after = c; g_ascii_isalpha(*after); after++)
                        ;
                if (after == c || after - c > 11)
                        continue;
                {
                        char word[12];

                        memcpy(word, c, (gsize)(after - c));
                        word[after - c] = '\0';
                        if (!is_word_read(word, "cardiology"))
                                continue;
                }
                p = after;

                /* forwards: separators and department words, then "general" */
                for (int words = 0; words <= 2; words++) {
                        const char *w;

                        while (*p && strchr(sep, *p))
                                p++;
                        if (is_general_word(l, p, &end))
                                return TRUE;
                        for (w = p; g_ascii_isalpha(*p); p++)
                                ;
                        if (p == w || !is_department_word(w, (gsize)(p - w)))
                                break;
                }
                /* backwards the same way */
                p = c;
                for (int words = 0; words <= 2; words++) {
                        const char *w;

                        while (p > l && strchr(sep, p[-1]))
                                p--;
                        /* "gen." ends in its dot */
                        if (p > l && p[-1] == '.')
                                p--;
                        w = p;
                        while (w > l && (g_ascii_isalpha(w[-1]) || w[-1] == '!' || w[-1] == '|'))
                                w--;
                        if (w < p && is_general_word(l, w, &end) && end >= p)
                                return TRUE;
                        if (w == p || !is_department_word(w, (gsize)(p - w)))
                                break;
                        p = w;
                }
        }
        return FALSE;
}

/* Is the whole of @value, a service label's value, general cardiology in
 * a department's words ("General", "General Cardiology", "Cardiology -
 * Consult - General")? */
static gboolean
names_general_service(const char *value)
{
        g_autofree char *l = g_ascii_strdown(value, -1);
        gboolean general = FALSE;

        for (const char *p = l; *p;) {
                const char *w = p, *end = NULL;

                if (!g_ascii_isalpha(*p)) {
                        p++;
                        continue;
                }
                if (is_general_word(l, w, &end)) {
                        general = TRUE;
                        p = end;
                        continue;
                }
                while (g_ascii_isalpha(*p))
                        p++;
                if (!(p - w == 10 && strncmp(w, "cardiology", 10) == 0) &&
                    !(p - w == 7 && strncmp(w, "cardiac", 7) == 0) && !is_department_word(w, (gsize)(p - w)))
                        return FALSE;
        }
        return general;
}

/* Is the word @w (lowercase letters) @word, or OCR's reading of it with
 * a letter or two wrong in a long word ("electrophysiotogy")? */
static gboolean
is_word_read(const char *w, const char *word)
{
        gsize n = strlen(word);
        guint allowed = n >= 12 ? 2 : n >= 8 ? 1 : 0;

        return allowed == 0 ? strcmp(w, word) == 0 : rd_edit_distance(w, word) <= allowed;
}

/* Whether any word of @words is @word as is_word_read() takes it, and
 * (@then not NULL) the next word is @then so. */
static gboolean
has_word_read(char **words, const char *word, const char *then)
{
        for (guint i = 0; words[i]; i++)
                if (is_word_read(words[i], word) && (then == NULL || (words[i + 1] && is_word_read(words[i + 1], then))))
                        return TRUE;
        return FALSE;
}

/* The service @text names.  A service label's value (@labelled) names a
 * clinic in few words: "HF / Cardiomyopathy", "Arrhythmia (EP)", "Cath /
 * Interventional".  A sentence names it in full ("to your heart failure
 * clinic"), as its other words may be the patient's disease. */
static const char *
service_from_phrase(const char *text, gboolean labelled)
{
        g_autofree char *l = g_ascii_strdown(text, -1);
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
        char **words;

        /* the words, letters only, in order */
        for (const char *p = l; *p;) {
                const char *w = p;

                while (g_ascii_isalpha(*p))
                        p++;
                if (p > w)
                        g_ptr_array_add(list, g_strndup(w, (gsize)(p - w)));
                else
                        p++;
        }
        g_ptr_array_add(list, NULL);
        words = (char **)list->pdata;
        if (strstr(l, "electrophysiolog") || has_word_read(words, "electrophysiology", NULL) ||
            has_word_read(words, "arrhythmia", "clinic") || has_word_read(words, "arrhythmia", "service") ||
            has_word_read(words, "device", "clinic") || has_word_read(words, "ep", "clinic") ||
            has_word_read(words, "ep", "referral") || g_str_has_prefix(l, "ep ") ||
            (labelled && (has_word_read(words, "ep", NULL) || has_word_read(words, "arrhythmia", NULL))))
                return "electrophysiology";
        if (has_word_read(words, "heart", "failure") || has_word_read(words, "hf", "clinic") ||
            has_word_read(words, "advanced", "heart") ||
            (labelled && (has_word_read(words, "hf", NULL) || has_word_read(words, "cardiomyopathy", NULL))))
                return "heart_failure";
        if (has_word_read(words, "interventional", NULL) || has_word_read(words, "cath", "lab") ||
            strstr(l, "/ cath") || (labelled && has_word_read(words, "cath", NULL)))
                return "interventional";
        if (has_word_read(words, "preventive", NULL) || has_word_read(words, "prevention", NULL) ||
            has_word_read(words, "lipid", "clinic"))
                return "preventive";
        if (names_general_cardiology(l))
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

/* The line of the primary (first listed) diagnosis that names one;
 * @ret_conflict when a later code points elsewhere (a comorbidity such
 * as hyperlipidaemia beside angina, or two specialties' diseases). */
static const char *
service_from_diagnoses(RdReferral *ref, gboolean *ret_conflict)
{
        const char *found = NULL;

        *ret_conflict = FALSE;
        for (guint i = 0; i < ref->diagnoses->len; i++) {
                g_autoptr(GPtrArray) one = g_ptr_array_new();
                const char *s;

                g_ptr_array_add(one, g_ptr_array_index(ref->diagnoses, i));
                s = service_from_codes(one);
                if (s == NULL)
                        continue;
                if (found && strcmp(found, s) != 0)
                        *ret_conflict = TRUE;
                found = found ? found : s;
        }
        return found;
}

static const char *
service_from_reason(const char *reason)
{
        g_autofree char *l = NULL;

        if (reason == NULL)
                return NULL;
        l = g_ascii_strdown(reason, -1);
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
        return NULL;
}

/* A service named across a sentence's line break ("for a general /
 * cardiology consultation"): read from line @i and the next together, and
 * only when the words of both make it, not the next line alone (which is
 * read in its own turn, when it is a request's sentence). */
static const char *
service_across_lines(char **lines, guint i)
{
        const char *line = lines[i], *next = lines[i + 1], *s;
        gsize len = strlen(line);
        g_autofree char *joined = NULL;

        while (len > 0 && line[len - 1] == ' ')
                len--;
        /* a sentence that goes on: not ended, the next line not blank */
        if (next == NULL || len == 0 || strchr(".:;!?", line[len - 1]) || rd_line_is_blank(next) ||
            is_option_row(next, service_options, 5) || boxed_option(next, service_options, 5))
                return NULL;
        joined = g_strdup_printf("%.*s %s", (int)len, line, next);
        s = service_from_phrase(joined, FALSE);
        if (s == NULL || g_strcmp0(s, service_from_phrase(next, FALSE)) == 0)
                return NULL;
        return s;
}

/* A service named in the referral's sentences ("referral to the heart
 * failure clinic"), not on an option row. */
static const char *
stated_service(Ctx *c)
{
        for (guint rank = 0; rank <= 1; rank++) {
                for (guint p = 0; p < c->page_lines->len; p++) {
                        char **lines = g_ptr_array_index(c->page_lines, p);

                        if (g_array_index(c->rank, guint, p) != rank)
                                continue;
                        for (guint i = 0; lines[i]; i++) {
                                g_autofree char *low = g_ascii_strdown(lines[i], -1);
                                const char *s;

                                if (is_option_row(lines[i], service_options, 5) ||
                                    boxed_option(lines[i], service_options, 5))
                                        continue;
                                /* Diagnosis descriptions name diseases, not services. */
                                if (strstr(low, "clinic") || strstr(low, "cardiology") ||
                                    strstr(low, "electrophysio") || strstr(low, "refer") ||
                                    strstr(low, "interventional") || strstr(low, "service")) {
                                        s = service_from_phrase(lines[i], FALSE);
                                        if (s == NULL)
                                                s = service_across_lines(lines, i);
                                        if (s)
                                                return s;
                                }
                        }
                }
        }
        return NULL;
}

static void
set_service(RdReferral *ref, const char *line, RdTriageStrength strength, const char *cue)
{
        g_free(ref->service_line);
        ref->service_line = g_strdup(line);
        ref->service_evidence.strength = strength;
        ref->service_evidence.cue = cue;
}

/* The service line chooses the checklist.  A marked option, a labelled
 * service or a stated request decides; diagnoses that agree decide too.
 * Conflicting marks give "general" for review; the primary of
 * conflicting codes, or a guess from the reason's words, is kept but
 * flagged weak. */
void
rd_pick_service_line(Ctx *c, RdReferral *ref)
{
        const char *s = NULL, *r, *cue = NULL;
        int k;
        gboolean conflict;

        memset(&ref->service_evidence, 0, sizeof ref->service_evidence);
        for (guint i = 0; i < c->values->len && s == NULL; i++) {
                Value *v = g_ptr_array_index(c->values, i);

                const char *pos[8];

                if ((v->key != L_SERVICE && v->key != L_TO) || v->rank > 1 ||
                    value_line_boxed(c, v, service_options, 5))
                        continue;
                /* two services or more after the label: the form's printed
                 * list, whose mark OCR lost, not a value; so too one
                 * service whose printed siblings stand alone on lines of
                 * the same page (a text layer scatters the list) */
                if (options_named(v->value, service_options, 5, pos) >= 2 ||
                    lone_siblings(c, v, service_options, 5) >= 2)
                        continue;
                if (!is_option_row(v->value, service_options, 5) ||
                    (v->key == L_SERVICE && !value_among_options(c, v, service_options, 5))) {
                        s = service_from_phrase(v->value, TRUE);
                        if (s == NULL && v->key == L_SERVICE && names_general_service(v->value))
                                s = "general";
                }
        }
        if (s) {
                set_service(ref, s, RD_TRIAGE_STRONG, "labelled value");
                return;
        }
        if (marked_options(c, service_options, 5, &k, &cue) > 1) {
                set_service(ref, "general", RD_TRIAGE_WEAK, "conflicting marks");
                return;
        }
        if (k >= 0) {
                /* ink OCR read in a box: most likely the tick, for a
                 * person to confirm */
                set_service(ref, service_options[k].value,
                            strcmp(cue, RD_TRIAGE_CUE_INKED_BOX) == 0 ? RD_TRIAGE_WEAK : RD_TRIAGE_STRONG, cue);
                return;
        }
        k = vanished_box_option(c, service_options, 5);
        if (k >= 0) {
                /* the one option whose box OCR lost: most likely the ticked one */
                set_service(ref, service_options[k].value, RD_TRIAGE_WEAK, "box lost in the scan");
                return;
        }
        s = stated_service(c);
        if (s) {
                set_service(ref, s, RD_TRIAGE_STRONG, "stated in text");
                return;
        }
        s = service_from_diagnoses(ref, &conflict);
        r = service_from_reason(ref->reason);
        /* a form that prints the services and shows none marked (a circle
         * or a tick OCR lost): codes only suggest, a person decides */
        if (s && has_option_row(c, service_options, 5)) {
                set_service(ref, s, RD_TRIAGE_WEAK, "diagnosis codes, no marked service");
                return;
        }
        if (s && (!conflict || g_strcmp0(r, s) == 0)) {
                /* codes that agree, or a primary code the reason confirms */
                set_service(ref, s, RD_TRIAGE_STRONG, "diagnosis codes");
                return;
        }
        if (s) {
                set_service(ref, s, RD_TRIAGE_WEAK, "primary of conflicting diagnoses");
                return;
        }
        if (r) {
                set_service(ref, r, RD_TRIAGE_WEAK, "reason for referral");
                return;
        }
        if (ref->diagnoses->len || ref->reason)
                set_service(ref, "general", RD_TRIAGE_WEAK, "no specialty named");
}
