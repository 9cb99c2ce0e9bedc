/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The entry point: pages to fields, with names voted across pages. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "fields-private.h"
#include "fax-header.h"
#include "ids.h"
#include "parsers/page.h"

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

/* The sending machine's number on the fax header of the pages the fields
 * come from (the form's first): the practice's fax when the form prints
 * none. Never a number the packet names as the recipient's, nor the
 * patient's or the practice's phone. */
static char *
header_sender(Ctx *c, const RdReferral *ref)
{
        for (guint rank = 0; rank <= 1; rank++) {
                for (guint p = 0; p < c->pages->len; p++) {
                        const RdPage *page = g_ptr_array_index(c->pages, p);
                        char *num;

                        if (g_array_index(c->rank, guint, p) != rank || page->text == NULL)
                                continue;
                        num = rd_fax_header_sender(page->text);
                        if (num == NULL)
                                continue;
                        if (rd_number_excluded(c, num) || g_strcmp0(num, ref->patient.phone) == 0 ||
                            g_strcmp0(num, ref->referring.phone) == 0) {
                                g_free(num);
                                continue;
                        }
                        return num;
                }
        }
        return NULL;
}

void
rd_fields_extract(GPtrArray *pages, GPtrArray *documents, RdReferral *ref)
{
        Ctx c = { 0 };

        c.pages = pages;
        c.received = ref->received;
        c.page_lines = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
        c.rank = g_array_new(FALSE, FALSE, sizeof(guint));
        c.values = g_ptr_array_new_with_free_func((GDestroyNotify)rd_value_free);
        c.excluded = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; i < pages->len; i++) {
                const RdPage *page = g_ptr_array_index(pages, i);
                char **lines = rd_page_lines(page->text);
                guint rank = page_rank(page, documents);
                g_auto(GStrv) all = g_strsplit(page->text, "\n", 40);

                g_ptr_array_add(c.page_lines, lines);
                g_array_append_val(c.rank, rank);
                rd_collect_values(lines, i, rank, c.values);
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
        g_ptr_array_sort(c.values, rd_value_rank_cmp);
        for (guint i = 0; i < c.values->len; i++) {
                Value *v = g_ptr_array_index(c.values, i);

                if (v->section == SEC_RECIPIENT && (v->key == L_FAX || v->key == L_PHONE)) {
                        char *num = rd_normalize_phone(v->value);

                        if (num)
                                g_ptr_array_add(c.excluded, num);
                }
        }

        rd_pick_patient_name(&c, ref);
        ref->patient.dob = rd_pick_date(&c, L_DOB, 2);
        ref->patient.sex = rd_pick_sex(&c);
        /* the form first, then a cover sheet, then the other documents'
         * demographics (a note's or a lab report's "Home Phone:") when
         * OCR spoiled the form's */
        for (guint rank = 0; rank <= 2 && ref->patient.phone == NULL; rank++)
                ref->patient.phone = rd_pick_phone(&c, L_PHONE, SEC_PATIENT, rank);
        ref->patient.mrn = rd_pick_mrn(&c);

        {
                const char *names[] = { ref->patient.family, ref->patient.given, NULL };

                if (ref->patient.family && ref->patient.given) {
                        ref->patient.family = outvote_name_word(&c, ref->patient.family, names);
                        names[0] = ref->patient.family;
                        ref->patient.given = outvote_name_word(&c, ref->patient.given, names);
                }
        }
        ref->referring.name = outvote_name(&c, rd_pick_referring_name(&c));
        ref->referring.npi = rd_pick_npi(&c);
        ref->referring.practice = rd_pick_practice(&c, ref->referring.name);
        ref->referring.phone = rd_pick_phone(&c, L_PHONE, SEC_REFERRING, 1);
        if (ref->referring.phone == NULL)
                ref->referring.phone = rd_pick_letterhead_number(&c, L_PHONE);
        ref->referring.fax = rd_pick_phone(&c, L_FAX, SEC_REFERRING, 1);
        if (ref->referring.fax == NULL)
                ref->referring.fax = rd_pick_letterhead_number(&c, L_FAX);
        if (ref->referring.fax == NULL)
                ref->referring.fax = header_sender(&c, ref);
        ref->patient.phone = rd_outvote_number(&c, L_PHONE, SEC_PATIENT, ref->patient.phone);
        ref->referring.phone = rd_outvote_number(&c, L_PHONE, SEC_REFERRING, ref->referring.phone);
        ref->referring.fax = rd_outvote_number(&c, L_FAX, SEC_REFERRING, ref->referring.fax);
        /* The patient's number is never the practice's. */
        if (ref->patient.phone && ref->referring.phone &&
            strcmp(ref->patient.phone, ref->referring.phone) == 0)
                g_clear_pointer(&ref->patient.phone, g_free);

        ref->reason = rd_pick_reason(&c);
        rd_pick_diagnoses(&c, ref->diagnoses);
        rd_pick_urgency(&c, ref);
        rd_pick_service_line(&c, ref);

        g_ptr_array_unref(c.page_lines);
        g_array_unref(c.rank);
        g_ptr_array_unref(c.values);
        g_ptr_array_unref(c.excluded);
}
