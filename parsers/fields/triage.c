/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Urgency and service line from what the form marks. */
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

const char *
rd_pick_urgency(Ctx *c)
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

const char *
rd_pick_service_line(Ctx *c, RdReferral *ref)
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
