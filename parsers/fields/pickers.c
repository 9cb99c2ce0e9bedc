/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Field pickers: the best labelled value for each field of the patient and the referring office. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fields-private.h"
#include "dates.h"
#include "ids.h"
#include "names.h"
#include "labels.h"
#include "parsers/page.h"


gboolean
rd_number_excluded(Ctx *c, const char *num)
{
        for (guint i = 0; i < c->excluded->len; i++)
                if (strcmp(g_ptr_array_index(c->excluded, i), num) == 0)
                        return TRUE;
        return FALSE;
}

gint
rd_value_rank_cmp(gconstpointer a, gconstpointer b)
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

/* A date of birth is plausible when it is not after the day the referral
 * came in (today when that is unknown) and gives an age of 0 to 120. */
static gboolean
dob_plausible(const char *iso, const char *received)
{
        GDate dob, ref;
        gint age;

        if (!rd_iso_date(iso, &dob))
                return FALSE;
        if (!rd_iso_date(received, &ref)) {
                g_autoptr(GDateTime) now = g_date_time_new_now_utc();

                g_date_clear(&ref, 1);
                g_date_set_dmy(&ref, (GDateDay)g_date_time_get_day_of_month(now),
                               (GDateMonth)g_date_time_get_month(now), (GDateYear)g_date_time_get_year(now));
        }
        if (g_date_compare(&dob, &ref) > 0)
                return FALSE;
        age = (gint)g_date_get_year(&ref) - (gint)g_date_get_year(&dob);
        if (g_date_get_month(&ref) < g_date_get_month(&dob) ||
            (g_date_get_month(&ref) == g_date_get_month(&dob) && g_date_get_day(&ref) < g_date_get_day(&dob)))
                age--;
        return age >= 0 && age <= 120;
}

/* The first labelled date in rank order, unless the other pages repeat a
 * date one digit away from it more often: every page of a packet carries
 * the patient's DOB, and a misread on one page is outvoted by the rest. */
char *
rd_pick_date(Ctx *c, LabelKey key, guint max_rank)
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
                /* an impossible date of birth is dropped, not voted on */
                if (iso && key == L_DOB && !dob_plausible(iso, c->received))
                        g_clear_pointer(&iso, g_free);
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

char *
rd_pick_sex(Ctx *c)
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
                if (g_ascii_strncasecmp(val, "female", 6) == 0 ||
                    (g_ascii_toupper(val[0]) == 'F' && !g_ascii_isalpha(val[1])))
                        return g_strdup("F");
                if (g_ascii_strncasecmp(val, "male", 4) == 0 ||
                    (g_ascii_toupper(val[0]) == 'M' && !g_ascii_isalpha(val[1])))
                        return g_strdup("M");
                if (g_ascii_strncasecmp(val, "unknown", 7) == 0 || (val[0] == 'U' && !g_ascii_isalpha(val[1])))
                        return g_strdup("U");
        }
        return sex_from_prose(c);
}

char *
rd_pick_phone(Ctx *c, LabelKey key, Section want, guint max_rank)
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
                if (num && !rd_number_excluded(c, num))
                        return num;
                g_free(num);
        }
        return NULL;
}

/* A number read once on the form is checked against the same labelled
 * number on the other pages (letterheads, signatures, cover sheets): one
 * read more often and one digit away is the same number, misread once.
 * Takes @chosen; returns it or the majority reading. */
char *
rd_outvote_number(Ctx *c, LabelKey key, Section want, char *chosen)
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
                if (num == NULL || rd_number_excluded(c, num)) {
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

char *
rd_pick_mrn(Ctx *c)
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

/* The ten digits at @p, printed unbroken as an NPI is (a phone number
 * has its groups), into @digits when they pass the NPI check. */
static gboolean
npi_digits_at(const char *p, char digits[11])
{
        gsize n = strspn(p, "0123456789");

        if (n != 10)
                return FALSE;
        memcpy(digits, p, 10);
        digits[10] = '\0';
        return rd_npi_is_valid(digits);
}

/* An NPI whose label OCR misread past its first two letters ("NP!",
 * "NPt#", "NPT", "NPI NQ,:"): on a referral page, a word starting "NP",
 * then within a few characters ten unbroken digits that pass the check
 * digit (which an ID does nine times in ten not). */
static char *
npi_after_misread_label(Ctx *c)
{
        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = g_ptr_array_index(c->page_lines, p);

                if (g_array_index(c->rank, guint, p) > 1)
                        continue;
                for (guint i = 0; lines[i]; i++) {
                        for (const char *l = lines[i]; (l = strstr(l, "NP")) != NULL; l += 2) {
                                char digits[11];

                                if (l > lines[i] && g_ascii_isalnum(l[-1]))
                                        continue;
                                const char *q = l + 2 + strcspn(l + 2, "0123456789");

                                if (q - l < 12 && npi_digits_at(q, digits))
                                        return g_strdup(digits);
                        }
                }
        }
        return NULL;
}

char *
rd_pick_npi(Ctx *c)
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
        return npi_after_misread_label(c);
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

/* A single-word name part from a "Last Name:" or "First Name:" value. */
static char *
name_part(const char *value)
{
        g_autofree char *v = g_strdup(value);
        char *e = v;

        while (*e && (g_ascii_isalpha(*e) || *e == '-' || *e == '\'' || (guchar)*e >= 0x80))
                e++;
        *e = '\0';
        if (strlen(v) < 2)
                return NULL;
        return rd_name_case(v);
}

/* "Last Name: X" and "First Name: Y" on the same page. */
static gboolean
name_from_parts(Ctx *c, guint rank, RdReferral *ref)
{
        for (guint i = 0; i < c->values->len; i++) {
                Value *fv = g_ptr_array_index(c->values, i);

                if (fv->rank != rank || fv->key != L_FAMILY)
                        continue;
                for (guint j = 0; j < c->values->len; j++) {
                        Value *gv = g_ptr_array_index(c->values, j);
                        g_autofree char *fam = NULL, *giv = NULL;

                        if (gv->key != L_GIVEN || gv->page != fv->page)
                                continue;
                        fam = name_part(fv->value);
                        giv = name_part(gv->value);
                        if (fam && giv) {
                                ref->patient.family = g_steal_pointer(&fam);
                                ref->patient.given = g_steal_pointer(&giv);
                                return TRUE;
                        }
                }
        }
        return FALSE;
}

/* "Lindqvist / Arthur", "LINDQVIST, ARTHUR" under a family-first label. */
static gboolean
name_family_first(const char *value, char **family, char **given)
{
        g_auto(GStrv) parts = g_strsplit_set(value, "/,", 2);
        g_autofree char *fam = NULL, *giv = NULL;

        if (parts[0] == NULL || parts[1] == NULL)
                return split_name_value(value, family, given);
        fam = name_part(g_strstrip(parts[0]));
        giv = name_part(g_strstrip(parts[1]));
        if (fam == NULL || giv == NULL)
                return FALSE;
        *family = g_steal_pointer(&fam);
        *given = g_steal_pointer(&giv);
        return TRUE;
}

void
rd_pick_patient_name(Ctx *c, RdReferral *ref)
{
        static const LabelKey order[] = { L_NAME, L_PATIENT, L_RE };

        for (guint rank = 0; rank <= 2; rank++) {
                for (guint i = 0; i < c->values->len; i++) {
                        Value *v = g_ptr_array_index(c->values, i);

                        if (v->rank == rank && v->key == L_NAME_LF &&
                            name_family_first(v->value, &ref->patient.family, &ref->patient.given))
                                return;
                }
                if (name_from_parts(c, rank, ref))
                        return;
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
        g_autofree char *v = rd_trim_value(s, strlen(s));
        gsize l = strlen(v);

        /* OCR leaves a stray lower-case word start: "Granite Falls internal" stays as read. */
        while (l > 0 && (v[l - 1] == '.' || v[l - 1] == ' '))
                v[--l] = '\0';
        return g_strdup(v);
}

char *
rd_pick_practice(Ctx *c, const char *referring_name)
{
        /* 1. labelled */
        for (guint i = 0; i < c->values->len; i++) {
                Value *v = g_ptr_array_index(c->values, i);

                /* "CLINIC - [x] General Cardiology": the clinic asked
                 * for, a row of options, not the sender's practice */
                if (v->key == L_PRACTICE && v->rank <= 1 && strlen(v->value) > 3 && !rd_holds_checkbox(v->value))
                        return clean_practice(v->value);
        }
        /* 2. a cover sheet's sender ("From Harbor Family Practice") */
        for (guint p = 0; p < c->page_lines->len; p++) {
                char **lines = g_ptr_array_index(c->page_lines, p);

                if (g_array_index(c->rank, guint, p) > 1)
                        continue;
                for (guint i = 0; lines[i]; i++) {
                        const char *name = NULL;

                        if (rd_cover_sheet_party(lines[i], &name) == SEC_REFERRING &&
                            looks_like_practice(name))
                                return clean_practice(name);
                }
        }
        /* 3. the letterhead or signature of the referral pages: the first
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
                                const char *name = t;

                                if (rd_line_is_blank(t))
                                        continue;
                                seen++;
                                /* a cover sheet's "To" names us, its
                                 * "From" the sender */
                                if (rd_cover_sheet_party(t, &name) == SEC_RECIPIENT)
                                        continue;
                                if (looks_like_practice(name))
                                        return clean_practice(name);
                        }
                        if (referring_name == NULL)
                                continue;
                        for (guint i = 0; lines[i]; i++) {
                                g_autofree char *low = g_ascii_strdown(lines[i], -1);

                                if (rd_is_closing_line(low)) {
                                        /* closing, name, then the practice line */
                                        guint seen_name = 0;

                                        for (guint j = i + 1; lines[j] && j < i + 6; j++) {
                                                g_autofree char *t = g_strstrip(g_strdup(lines[j]));

                                                if (rd_line_is_blank(t))
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

char *
rd_pick_referring_name(Ctx *c)
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
                                gboolean closing = rd_is_closing_line(l);

                                if (npi) {
                                        for (gint j = (gint)i - 1; j >= 0 && j >= (gint)i - 3; j--) {
                                                g_autofree char *fam = NULL, *giv = NULL;

                                                if (rd_line_is_blank(lines[j]))
                                                        continue;
                                                if (rd_split_person_name(lines[j], &fam, &giv))
                                                        return join_name(fam, giv);
                                                break;
                                        }
                                } else if (closing) {
                                        for (guint j = i + 1; lines[j] && j < i + 4; j++) {
                                                g_autofree char *fam = NULL, *giv = NULL;

                                                if (rd_line_is_blank(lines[j]))
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
char *
rd_pick_letterhead_number(Ctx *c, LabelKey key)
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
                        if (num && !rd_number_excluded(c, num))
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
        if (rd_match_label(t, t, &vstart))
                return TRUE;
        if (rd_heading_section(line) != SEC_NONE)
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

char *
rd_pick_reason(Ctx *c)
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

                                        if (rd_line_is_blank(n)) {
                                                /* A blank inside a wrapped sentence (OCR) or
                                                 * between heading and text. */
                                                guint k = j + 1;

                                                while (lines[k] && rd_line_is_blank(lines[k]))
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

/* A code as printed, with no OCR repair: a letter (not U), two digits,
 * and an optional dot with one to four more.  Words inside a description
 * ("B12", "A1C", "CHA2DS2") must not pass: a token after the first of its
 * part needs the dot. */
static char *
strict_code(const char *token)
{
        const char *t = token;
        gsize len;

        while (*t == '(' || *t == '[' || *t == '"' || *t == '\'')
                t++;
        len = strlen(t);
        while (len > 0 && !g_ascii_isalnum(t[len - 1]))
                len--;
        if (len < 5 || len > 8 || !g_ascii_isupper(t[0]) || t[0] == 'U' || !g_ascii_isdigit(t[1]) ||
            !g_ascii_isdigit(t[2]) || t[3] != '.')
                return NULL;
        for (gsize i = 4; i < len; i++)
                if (!g_ascii_isdigit(t[i]) && !g_ascii_isupper(t[i]))
                        return NULL;
        return rd_icd10_normalize(t);
}

/* The code at toks[*@k] read with OCR repair, or NULL. A category whose
 * dot OCR set apart from its decimals ("R94. 39") takes the next token
 * along (and *@k moves past it). "A1C 8.2": a category with a letter in
 * third place (C4A, M1A) is printed with its dot. */
static char *
repaired_code(char **toks, guint *k)
{
        const char *t = toks[*k];
        gsize n = strlen(t);
        char *code;

        if (n == 4 && t[3] == '.' && toks[*k + 1] && strlen(toks[*k + 1]) <= 4 && g_ascii_isdigit(toks[*k + 1][0])) {
                g_autofree char *joined = g_strconcat(t, toks[*k + 1], NULL);

                code = rd_icd10_normalize(joined);
                if (code) {
                        (*k)++;
                        return code;
                }
        }
        code = rd_icd10_normalize(t);
        if (code && strchr(code, '.') == NULL && !g_ascii_isdigit(code[2]))
                g_clear_pointer(&code, g_free);
        return code;
}

static void
add_code(GPtrArray *out, char *code)
{
        if (code && !strv_has(out, code))
                g_ptr_array_add(out, code);
        else
                g_free(code);
}

/* Codes in a diagnosis block: one a line, or a list on one line separated
 * by ';' or ', ' or "and" (a letter's sentence). The first token of each
 * part is read with OCR repair (a code at the start of a line or list
 * item); later tokens count only when they are printed as codes. */
static void
codes_from_text(const char *text, GPtrArray *out)
{
        static GRegex *split;
        g_auto(GStrv) parts = NULL;

        if (g_once_init_enter(&split)) {
                /* a comma before a letter, even with specks read
                 * between them (",..R60.0"), ends a code too, and so
                 * does one after a code's decimals (",.125.10"): the
                 * code's own dot read as a comma comes before them */
                GRegex *re = g_regex_new(";|,\\s+|,[.'`]*(?=[A-Z|\\[])|"
                                         "(?<=\\.[0-9A-Z]|\\.[0-9A-Z]{2}|\\.[0-9A-Z]{3}|\\.[0-9A-Z]{4}),[.'`]*|"
                                         "\\s+and\\s+|\\s+&\\s+",
                                         G_REGEX_OPTIMIZE, 0, NULL);

                g_once_init_leave(&split, re);
        }
        parts = g_regex_split(split, text, 0);
        for (guint i = 0; parts[i]; i++) {
                const char *p = parts[i];
                g_auto(GStrv) toks = NULL;
                guint first = 0;
                gboolean codes_only = TRUE;

                while (*p == ' ' || *p == '-' || *p == '*' || *p == '\t' || *p == '_' || *p == ':' || *p == '.' ||
                       *p == '`' || *p == '\'')
                        p++;
                toks = g_strsplit_set(p, " \t", -1);
                /* a speck read as a quote or a dot before the code: skip a
                 * first token with no letter or digit in it */
                while (toks[first] && (*toks[first] == '\0' ||
                                       (strspn(toks[first], "'\".,`~^") == strlen(toks[first]))))
                        first++;
                if (toks[first] == NULL)
                        continue;
                /* while every token so far was a code, the next is read
                 * with OCR repair too: a list set apart by spaces alone
                 * ("110. 701.810 R011"); after a description's first
                 * word, only what is printed as a code counts */
                for (guint k = first; toks[k]; k++) {
                        char *code;

                        if (k > first && !codes_only) {
                                add_code(out, strict_code(toks[k]));
                                continue;
                        }
                        code = repaired_code(toks, &k);
                        codes_only = code != NULL;
                        add_code(out, code);
                }
        }
}

/* Where the value starts after a diagnosis label OCR misread at the
 * start of @t (lower-cased): "Diegaoses;" (two letters off "diagnoses"
 * or "diagnosis"), "TCO-10:" (three characters and 10 where "ICD-10"
 * stood), always ended by ':', ';', '#' or a dash.  NULL if none. */
static const char *
misread_diagnosis_label(const char *t)
{
        const char *e = t;
        g_autofree char *word = NULL;

        while (g_ascii_isalpha(*e))
                e++;
        word = g_strndup(t, (gsize)(e - t));
        if (e - t == 3 && (*e == '-' || *e == ' ') && e[1] == '1' && e[2] == '0') {
                e += 3;
                if (g_str_has_prefix(e, "-cm") || g_str_has_prefix(e, " cm"))
                        e += 3;
        } else if (!(e - t >= 7 && e - t <= 11 && (rd_edit_distance(word, "diagnoses") <= 2 ||
                                                     rd_edit_distance(word, "diagnosis") <= 2))) {
                return NULL;
        }
        while (*e == ' ' || *e == '#')
                e++;
        if (*e != ':' && *e != ';' && *e != '-')
                return NULL;
        return e + 1;
}

/* Where a diagnosis label's value starts in @low (lower-cased line), or
 * NULL when the line carries no such label: "Diagnoses:", "Diagnosis
 * (ICD-10):", "Dx codes -", "ICD-10#:", or a sentence's "diagnoses of". */
static const char *
diagnosis_value(const char *low, gboolean *ret_misread)
{
        const char *t = low, *f;
        gboolean icd = FALSE;

        *ret_misread = FALSE;
        /* blanks, and specks or a quote read before the label ("“Dx") */
        while (*t && !g_ascii_isalnum(*t))
                t++;
        if ((f = strstr(t, "diagnos")) != NULL) {
                if (strstr(t, "discharge diagnos"))
                        return NULL;
        } else if (g_str_has_prefix(t, "dx") && !g_ascii_isalpha(t[2])) {
                f = t;
        } else if (g_str_has_prefix(t, "icd")) {
                f = t;
                icd = TRUE; /* the loop below takes "icd-10" with its digits */
        } else {
                f = misread_diagnosis_label(t);
                *ret_misread = f != NULL;
                return f;
        }
        /* past the label's words: letters and the dot of an abbreviation
         * ("Dx.", "Diag."), "(icd-10-cm)", "icd-10", "codes", '#' */
        while (!icd && *f && (g_ascii_isalpha(*f) || *f == '#' || *f == '.'))
                f++;
        for (;;) {
                const char *g = f;

                while (*g == ' ')
                        g++;
                if (g_str_has_prefix(g, "icd 10")) {
                        f = g + strlen("icd 10");
                        continue;
                }
                if (*g == '(') {
                        const char *close = strchr(g, ')');

                        if (close == NULL || close - g > 16)
                                break;
                        f = close + 1;
                } else if (g_str_has_prefix(g, "icd") || g_str_has_prefix(g, "codes") || g_str_has_prefix(g, "code") ||
                           g_str_has_prefix(g, "of ") || g_str_has_prefix(g, "include")) {
                        while (*g && (g_ascii_isalnum(*g) || *g == '-'))
                                g++;
                        f = g;
                } else {
                        break;
                }
                while (*f == '#')
                        f++;
        }
        return f;
}

void
rd_pick_diagnoses(Ctx *c, GPtrArray *out)
{
        for (guint rank = 0; rank <= 1 && out->len == 0; rank++) {
                for (guint p = 0; p < c->page_lines->len && out->len == 0; p++) {
                        char **lines = g_ptr_array_index(c->page_lines, p);

                        if (g_array_index(c->rank, guint, p) != rank)
                                continue;
                        for (guint i = 0; lines[i]; i++) {
                                g_autofree char *low = g_ascii_strdown(lines[i], -1);
                                gboolean misread;
                                const char *v = diagnosis_value(low, &misread);

                                if (v == NULL)
                                        continue;
                                codes_from_text(lines[i] + (v - low), out);
                                /* a label read only by its likeness holds
                                 * its codes on its own line */
                                if (misread) {
                                        if (out->len)
                                                break;
                                        continue;
                                }
                                /* The block runs until the next section; description
                                 * lines (or a column of them) carry no code shape. */
                                for (guint j = i + 1; lines[j] && j < i + 16; j++) {
                                        if (rd_line_is_blank(lines[j]))
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
