/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pages to documents: what one page is (text cues, and the page picture
 * when measured), how pages group into documents, lab panels and
 * document dates. */
#include <string.h>

#include "classify.h"
#include "parsers/fields/dates.h"
#include "parsers/fields/fax-header.h"
#include "parsers/page.h"

/* Phrases that a human reads as "this page is a ...". Weights are doubled
 * in a page's title area (its first lines), where titles live; in the body
 * the same words are more often mentions ("echo report enclosed"), or
 * what a referral asks for ("Reason: calcium score"). */
typedef struct {
        const char *phrase;
        RdDocType type;
        double weight;
} Cue;

static const Cue cues[] = {
        { "fax cover", RD_DOC_COVER_SHEET, 5 },
        { "cover sheet", RD_DOC_COVER_SHEET, 5 },
        { "facsimile", RD_DOC_COVER_SHEET, 2 },
        { "confidentiality notice", RD_DOC_COVER_SHEET, 2 },
        { "including cover", RD_DOC_COVER_SHEET, 4 },
        { "number of pages", RD_DOC_COVER_SHEET, 3 },

        { "referral form", RD_DOC_REFERRAL_FORM, 5 },
        { "referral to cardiology", RD_DOC_REFERRAL_FORM, 5 },
        { "ambulatory referral", RD_DOC_REFERRAL_FORM, 5 },
        /* what order systems title an outgoing referral */
        { "referral order", RD_DOC_REFERRAL_FORM, 5 },
        { "outpatient referral", RD_DOC_REFERRAL_FORM, 5 },
        { "cardiology referral", RD_DOC_REFERRAL_FORM, 5 },
        { "consult order", RD_DOC_REFERRAL_FORM, 4 },
        { "referred by", RD_DOC_REFERRAL_FORM, 3 },
        { "reason for referral", RD_DOC_REFERRAL_FORM, 4 },
        { "referral reason", RD_DOC_REFERRAL_FORM, 4 },
        { "reason for consult", RD_DOC_REFERRAL_FORM, 3 },
        { "referring provider", RD_DOC_REFERRAL_FORM, 3 },
        { "referring physician", RD_DOC_REFERRAL_FORM, 3 },
        { "dear colleague", RD_DOC_REFERRAL_FORM, 3 },
        { "dear dr", RD_DOC_REFERRAL_FORM, 3 },
        { "requested service", RD_DOC_REFERRAL_FORM, 3 },
        { "service requested", RD_DOC_REFERRAL_FORM, 3 },
        { "am referring", RD_DOC_REFERRAL_FORM, 4 },
        { "accept this referral", RD_DOC_REFERRAL_FORM, 4 },
        { "records enclosed", RD_DOC_REFERRAL_FORM, 2 },
        { "thank you for seeing", RD_DOC_REFERRAL_FORM, 2 },
        { "referral request", RD_DOC_REFERRAL_FORM, 4 },
        { "consultation request", RD_DOC_REFERRAL_FORM, 4 },
        { "request for consult", RD_DOC_REFERRAL_FORM, 4 },
        { "referred from", RD_DOC_REFERRAL_FORM, 3 },

        { "progress note", RD_DOC_CLINICAL_NOTES, 6 },
        { "office visit note", RD_DOC_CLINICAL_NOTES, 6 },
        { "office visit", RD_DOC_CLINICAL_NOTES, 2 },
        { "clinic note", RD_DOC_CLINICAL_NOTES, 5 },
        { "consult note", RD_DOC_CLINICAL_NOTES, 5 },
        { "consultation note", RD_DOC_CLINICAL_NOTES, 5 },
        { "history and physical", RD_DOC_CLINICAL_NOTES, 5 },
        { "history of present illness", RD_DOC_CLINICAL_NOTES, 4 },
        { "chief complaint", RD_DOC_CLINICAL_NOTES, 3 },
        { "physical exam", RD_DOC_CLINICAL_NOTES, 3 },
        { "review of systems", RD_DOC_CLINICAL_NOTES, 2 },
        { "past medical history", RD_DOC_CLINICAL_NOTES, 2 },
        { "assessment", RD_DOC_CLINICAL_NOTES, 1.5 },
        { "subjective", RD_DOC_CLINICAL_NOTES, 2 },
        { "date of service", RD_DOC_CLINICAL_NOTES, 2 },
        { "visit type", RD_DOC_CLINICAL_NOTES, 2 },

        { "discharge summary", RD_DOC_DISCHARGE_SUMMARY, 8 },
        { "hospital course", RD_DOC_DISCHARGE_SUMMARY, 4 },
        { "admission date", RD_DOC_DISCHARGE_SUMMARY, 3 },
        { "date of admission", RD_DOC_DISCHARGE_SUMMARY, 3 },
        { "discharge date", RD_DOC_DISCHARGE_SUMMARY, 3 },
        { "discharge diagnos", RD_DOC_DISCHARGE_SUMMARY, 3 },
        { "condition at discharge", RD_DOC_DISCHARGE_SUMMARY, 3 },

        { "12-lead", RD_DOC_EKG, 3 },
        { "12 lead", RD_DOC_EKG, 3 },
        { "electrocardiogram", RD_DOC_EKG, 3 },
        { "computer interpretation", RD_DOC_EKG, 2 },

        { "laboratory report", RD_DOC_LABS, 5 },
        { "lab report", RD_DOC_LABS, 4 },
        { "laboratory results", RD_DOC_LABS, 4 },
        { "lab results", RD_DOC_LABS, 4 },
        { "reference range", RD_DOC_LABS, 3 },
        { "accession", RD_DOC_LABS, 2 },
        { "clia", RD_DOC_LABS, 2 },
        { "specimen", RD_DOC_LABS, 1.5 },
        { "collected", RD_DOC_LABS, 1.5 },

        { "echocardiogram", RD_DOC_ECHO, 5 },
        { "echocardiography", RD_DOC_ECHO, 4 },
        { "transthoracic", RD_DOC_ECHO, 3 },
        { "lvidd", RD_DOC_ECHO, 2 },
        { "tapse", RD_DOC_ECHO, 2 },
        { "rvsp", RD_DOC_ECHO, 2 },
        { "la volume index", RD_DOC_ECHO, 2 },
        { "ivsd", RD_DOC_ECHO, 2 },

        { "stress test", RD_DOC_STRESS_TEST, 5 },
        { "exercise stress", RD_DOC_STRESS_TEST, 3 },
        { "treadmill", RD_DOC_STRESS_TEST, 2 },
        { "bruce", RD_DOC_STRESS_TEST, 3 },
        { "mets", RD_DOC_STRESS_TEST, 1.5 },
        { "target heart rate", RD_DOC_STRESS_TEST, 3 },
        { "duke treadmill", RD_DOC_STRESS_TEST, 3 },
        { "myocardial perfusion", RD_DOC_STRESS_TEST, 4 },
        { "peak heart rate", RD_DOC_STRESS_TEST, 2 },
        { "exercise duration", RD_DOC_STRESS_TEST, 3 },

        { "holter", RD_DOC_AMBULATORY_MONITOR, 5 },
        { "event monitor", RD_DOC_AMBULATORY_MONITOR, 5 },
        { "ambulatory ecg", RD_DOC_AMBULATORY_MONITOR, 5 },
        { "ambulatory monitor", RD_DOC_AMBULATORY_MONITOR, 5 },
        { "patch monitor", RD_DOC_AMBULATORY_MONITOR, 4 },
        { "hookup", RD_DOC_AMBULATORY_MONITOR, 3 },
        { "total beats", RD_DOC_AMBULATORY_MONITOR, 2 },
        { "monitoring period", RD_DOC_AMBULATORY_MONITOR, 3 },
        { "patient-triggered", RD_DOC_AMBULATORY_MONITOR, 2 },

        { "radiology report", RD_DOC_IMAGING, 5 },
        { "calcium scor", RD_DOC_IMAGING, 4 },
        { "agatston", RD_DOC_IMAGING, 3 },
        { "catheterization report", RD_DOC_IMAGING, 5 },
        { "cardiac catheterization", RD_DOC_IMAGING, 4 },
        { "angiography report", RD_DOC_IMAGING, 5 },
        { "coronary cta", RD_DOC_IMAGING, 4 },
        { "exam date", RD_DOC_IMAGING, 2 },
        { "technique", RD_DOC_IMAGING, 1.5 },
        { "impression", RD_DOC_IMAGING, 1 },

        { "medication list", RD_DOC_MED_LIST, 6 },
        { "medication reconciliation", RD_DOC_MED_LIST, 4 },
        { "reconciled by", RD_DOC_MED_LIST, 3 },
        { "list of medications", RD_DOC_MED_LIST, 4 },
        { "current medications", RD_DOC_MED_LIST, 2 },
        { "active medications", RD_DOC_MED_LIST, 2 },
        { "home medications", RD_DOC_MED_LIST, 2 },

        { "insurance card", RD_DOC_INSURANCE, 5 },
        { "member name", RD_DOC_INSURANCE, 4 },
        { "group no", RD_DOC_INSURANCE, 3 },
        { "rx bin", RD_DOC_INSURANCE, 3 },
        { "rxbin", RD_DOC_INSURANCE, 3 },
        { "rx pcn", RD_DOC_INSURANCE, 3 },
        { "copay", RD_DOC_INSURANCE, 2 },
        { "prior authorization", RD_DOC_INSURANCE, 4 },
        { "authorization number", RD_DOC_INSURANCE, 4 },

        { "face sheet", RD_DOC_OTHER, 6 },
        { "guarantor", RD_DOC_OTHER, 3 },
        { "emergency contact", RD_DOC_OTHER, 2 },
        { "next of kin", RD_DOC_OTHER, 2 },
};

#define TITLE_LINES 10
#define HEADING_LINES 4
/* A weak page that agrees with no neighbour stands alone below the
 * policy's minimum confidence (0.25): it never meets an item by itself. */
#define WEAK_ALONE_CONFIDENCE 0.2
#define STRONG 4.0
/* An EKG score its own words give: a machine interval (2 each) or four
 * lead labels (0.5 each). */
#define EKG_OWN_WORDS 2.0

static const char *const lab_units[] = {
        "mmol/l", "mg/dl", "g/dl", "pg/ml", "ng/ml", "ng/l", "u/l", "iu/l", "k/ul", "m/ul",
        "meq/l", "miu/l", "uiu/ml", "ml/min", "mlimin", "x10", "10^3", "10*3", "fl ", "umol/l",
        "mg/l", "/hpf", "cells/ul",
};

/* Does @low give a dose ("5 mg", "49/51 mg", "75mcg", "20 units"), not
 * a lab value's unit ("1.1 mg/dL")? */
static gboolean
has_dose(const char *low)
{
        static const char *const units[] = { "mg", "mcg", "g", "units", "unit", "meq", "ml", "puffs" };

        for (const char *p = low; *p; p++) {
                const char *u;

                if (!g_ascii_isdigit(*p) || g_ascii_isdigit(p[1]) || p[1] == '.')
                        continue;
                u = p + 1;
                while (*u == ' ')
                        u++;
                for (gsize k = 0; k < G_N_ELEMENTS(units); k++) {
                        gsize n = strlen(units[k]);

                        if (strncmp(u, units[k], n) == 0 && !g_ascii_isalpha(u[n]) && u[n] != '/')
                                return TRUE;
                }
        }
        return FALSE;
}

/* Does @low give how often a drug is taken ("BID", "daily", "at bedtime")? */
static gboolean
has_sig(const char *low)
{
        static const char *const sigs[] = { "daily", "bid", "tid", "qid", "prn", "qhs", "qd", "qam",
                                            "qpm", "nightly", "twice", "weekly", "bedtime", "q8h",
                                            "q12h", "q6h", "as needed" };

        for (gsize k = 0; k < G_N_ELEMENTS(sigs); k++) {
                const char *f = strstr(low, sigs[k]);
                gsize n = strlen(sigs[k]);

                if (f != NULL && (f == low || !g_ascii_isalpha(f[-1])) && !g_ascii_isalpha(f[n]))
                        return TRUE;
        }
        return FALSE;
}

/* A unit alone on its line ("mg/dL"). */
static gboolean
is_lone_unit(const char *low)
{
        g_autofree char *t = g_strstrip(g_strdup(low));

        for (gsize k = 0; k < G_N_ELEMENTS(lab_units); k++)
                if (strcmp(t, lab_units[k]) == 0)
                        return TRUE;
        return FALSE;
}

/* How many of a results table's column headings @low holds, when it
 * holds nothing else: one alone on its line (a text layer's columns) or
 * the row of them ("Test Result Flag Units Reference"); 0 otherwise.
 * A row of three or more may have one word OCR could not read. */
static guint
results_headings(const char *low)
{
        static const char *const words[] = { "test", "tests", "result", "results", "flag", "units", "unit",
                                             "reference", "ref", "range", "interval", "value", "component",
                                             "analyte" };
        g_auto(GStrv) parts = g_strsplit_set(low, " \t|:", -1);
        guint n = 0, unknown = 0, short_unknown = 0;

        for (guint i = 0; parts[i]; i++) {
                gboolean known = FALSE;
                char *w = parts[i];
                gsize len = strlen(w);

                /* specks OCR read between the columns, and after a word
                 * (a quote mark, straight or curly) */
                for (;;) {
                        if (len > 0 && strchr(".,;'`\"", w[len - 1]))
                                len--;
                        else if (len >= 3 && (g_str_has_suffix(w, "\u201d") || g_str_has_suffix(w, "\u2019")))
                                len -= 3;
                        else
                                break;
                        w[len] = '\0';
                }
                if (strcspn(w, "abcdefghijklmnopqrstuvwxyz") == len)
                        continue;
                for (gsize k = 0; k < G_N_ELEMENTS(words) && !known; k++)
                        known = strcmp(w, words[k]) == 0;
                if (!known) {
                        unknown++;
                        short_unknown += len <= 2;
                        continue;
                }
                /* "reference range" and "ref range" are one heading */
                if (strcmp(w, "range") != 0 || n == 0)
                        n++;
        }
        /* among four headings or more, a letter or two that is no word
         * ("Test oo Ln Result") is OCR's reading of specks too */
        if (n >= 4)
                unknown -= short_unknown;
        return unknown == 0 || (unknown == 1 && n >= 3) ? n : 0;
}

/* The end of the number at @p (digits, and decimals after a dot). */
static const char *
number_end(const char *p)
{
        while (g_ascii_isdigit(*p))
                p++;
        if (*p == '.' && g_ascii_isdigit(p[1]))
                for (p++; g_ascii_isdigit(*p); p++)
                        ;
        return p;
}

/* Is @low a result row: a value, then a reference range as a lab
 * prints it ("INR 1.2 H 0.9-1.1", "K 4.1 3.5 - 5.1 mmol/L")?  Numbers
 * that are pieces of a date, a phone number or a code ("10-15-2026",
 * "555-0100") are none; the range ends its line, or a unit does. */
static gboolean
has_value_and_range(const char *low)
{
        gboolean value = FALSE;

        for (const char *p = low; *p; p++) {
                const char *a_end, *b, *t;

                if (!g_ascii_isdigit(*p))
                        continue;
                if (p > low && (g_ascii_isalnum(p[-1]) || strchr("-/.:,", p[-1]))) {
                        p = number_end(p) - 1;
                        continue;
                }
                a_end = number_end(p);
                for (b = a_end; *b == ' '; b++)
                        ;
                if (value && *b == '-') {
                        for (b++; *b == ' '; b++)
                                ;
                        if (g_ascii_isdigit(*b)) {
                                t = number_end(b);
                                if (*t != '-' && *t != '/' && *t != '.' && *t != ':') {
                                        while (g_ascii_isalpha(*t) || *t == ' ' || *t == '/' || *t == '%')
                                                t++;
                                        if (*t == '\0')
                                                return TRUE;
                                }
                        }
                }
                value = TRUE;
                p = a_end - 1;
        }
        return FALSE;
}

/* Does any of @content (a page's lines, lowercased) hold a value and its
 * reference range? Asked only beside a results table's headings. */
static gboolean
any_value_and_range(GPtrArray *content)
{
        for (guint i = 0; i < content->len; i++)
                if (has_value_and_range(g_ptr_array_index(content, i)))
                        return TRUE;
        return FALSE;
}

static const char *const ekg_cues[] = {
        "vent. rate", "vent rate", "ventricular rate", "pr interval", "pr int", "qrs duration",
        "qrs dur", "qt/qtc", "qt / qtc", "p-r-t", "prt axes", "mm/s", "mm/mv", "0.05-150", "150hz",
        "150 hz",
};

static gboolean
is_lead_label(const char *w)
{
        static const char *const leads[] = {
                "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6",
        };
        for (gsize i = 0; i < G_N_ELEMENTS(leads); i++)
                if (g_ascii_strcasecmp(w, leads[i]) == 0)
                        return TRUE;
        return FALSE;
}

static guint
n_words(const char *s)
{
        guint n = 0;

        for (const char *p = s; *p; p++)
                if (g_ascii_isalnum(*p) && (p == s || !g_ascii_isalnum(p[-1])))
                        n++;
        return n;
}

/* Lines that every page of a packet may carry: e-fax stamps, footers. */
static gboolean
is_boilerplate(const char *low)
{
        const char *t = low;

        while (*t == ' ')
                t++;
        return (g_str_has_prefix(t, "page ") && strstr(t, " of ") && strlen(t) < 16) ||
               (strstr(t, "efax") && strlen(t) < 30) || g_str_has_prefix(t, "via ");
}

/* Words that make a line about a document a mention of it, not the
 * document: it is elsewhere, later, or only asked for ("notes to follow",
 * "echo ordered", "labs pending", "EKG enclosed" on another page). */
static gboolean
is_mention_line(const char *low)
{
        static const char *const markers[] = {
                "to follow", "will ", "to be ",
                "pending", "ordered", "scheduled", "separately", "forwarded", "attached",
                "enclosed", "included", "request", "awaiting", "not ", "when ",
        };

        for (gsize k = 0; k < G_N_ELEMENTS(markers); k++)
                if (strstr(low, markers[k]))
                        return TRUE;
        return FALSE;
}

/* Returns: where @w stands in @low as a whole word (or, when @plural, as
 * one with an "s" after it), or NULL. */
static const char *
word_at(const char *low, const char *w, gboolean plural)
{
        gsize n = strlen(w);

        for (const char *f = strstr(low, w); f; f = strstr(f + 1, w)) {
                const char *end = f + n;

                if (plural && *end == 's')
                        end++;
                if ((f == low || !g_ascii_isalnum(f[-1])) && !g_ascii_isalnum(*end))
                        return f;
        }
        return NULL;
}

static gboolean
has_word(const char *low, const char *w)
{
        return word_at(low, w, FALSE) != NULL;
}

/* A heading that names the page a referral in other words than the
 * cues' ("Referral / Authorization", "New Patient Referral"): the word
 * itself, as a title, not a label's value ("Re: referral") nor a
 * section's ("Reason for referral"). @headings: the page's first short
 * lines, lowercased, one a line. */
static gboolean
is_referral_heading(const char *headings)
{
        g_auto(GStrv) lines = g_strsplit(headings, "\n", -1);

        for (guint i = 0; lines[i]; i++) {
                const char *at = word_at(lines[i], "referral", TRUE);

                if (at == NULL)
                        continue;
                if (memchr(lines[i], ':', at - lines[i]) != NULL || strstr(lines[i], "reason") ||
                    strstr(lines[i], "thank") || is_mention_line(lines[i]))
                        continue;
                return TRUE;
        }
        return FALSE;
}

/* A cue that opens its line as a label ("Progress note:", "Assessment -")
 * names a section of this page even in a line that mentions other things. */
static gboolean
cue_opens_label(const char *low, const char *at, gsize n)
{
        const char *p = low;

        while (*p && !g_ascii_isalnum(*p))
                p++;
        if (p != at)
                return FALSE;
        p = at + n;
        while (*p && g_ascii_isalpha(*p)) /* "notes", "results" */
                p++;
        while (*p == ' ')
                p++;
        return *p == ':' || *p == '-';
}

/* Does @phrase stand in one of the @headings lines (one a line): then
 * @titled, and @as_title where it is not only a field's label opening its
 * line ("Referred by: ..."). */
static void
heading_cue(const char *headings, const char *phrase, gboolean *titled, gboolean *as_title)
{
        gsize n = strlen(phrase);

        for (const char *line = headings; *line;) {
                const char *end = strchrnul(line, '\n');
                const char *at = g_strstr_len(line, end - line, phrase);

                /* the label test reads no further than the line's end:
                 * its newline is neither a colon nor a dash */
                if (at != NULL) {
                        *titled = TRUE;
                        if (!cue_opens_label(line, at, n))
                                *as_title = TRUE;
                }
                line = *end ? end + 1 : end;
        }
}

/* The weight a cue earns on a page: doubled in the title area (its
 * first content lines), once in the body, nothing where every line that
 * holds it only mentions a document of that type.  A cover sheet's or a
 * referral's own phrases are never mentions of another page.  @content:
 * the page's lines with content, lowercased, in order. */
static double
cue_weight(GPtrArray *content, const Cue *cue)
{
        gboolean about_packet = cue->type == RD_DOC_COVER_SHEET || cue->type == RD_DOC_REFERRAL_FORM;
        double best = 0;

        for (guint i = 0; i < content->len; i++) {
                const char *low = g_ptr_array_index(content, i);
                const char *at = strstr(low, cue->phrase);

                if (at == NULL)
                        continue;
                if (!about_packet && is_mention_line(low) &&
                    !cue_opens_label(low, at, strlen(cue->phrase)))
                        continue;
                /* what a referral or an order is for ("Reason: calcium
                 * score"), or a report's indication ("Indication: abnormal
                 * stress test"), names another test, not this page */
                if (!about_packet && (g_strstr_len(low, at - low, "reason") != NULL ||
                                      g_strstr_len(low, at - low, "indication") != NULL))
                        continue;
                best = MAX(best, i < TITLE_LINES ? 2 * cue->weight : cue->weight);
        }
        return best;
}

/* "Pages: 4", "No. of pages (incl. cover) - 4", "Total pages: 4": a
 * label that counts the transmission's pages, not a "Page 1 of 4" stamp. */
static gboolean
is_page_count_label(const char *p)
{
        static const char *const labels[] = {
                "pages", "# of pages", "no. of pages", "no of pages", "number of pages",
                "total pages", "page count", "# pages", "pgs",
        };

        for (gsize k = 0; k < G_N_ELEMENTS(labels); k++) {
                const char *q;

                if (!g_str_has_prefix(p, labels[k]))
                        continue;
                q = p + strlen(labels[k]);
                if (*q == ' ' && q[1] == '(') { /* "(including cover)" */
                        const char *close = strchr(q, ')');

                        if (close == NULL)
                                continue;
                        q = close + 1;
                }
                while (*q == ' ' || *q == '#')
                        q++;
                if (*q == ':' || *q == '-' || *q == '=')
                        q++;
                while (*q == ' ')
                        q++;
                if (g_ascii_isdigit(*q))
                        return TRUE;
        }
        return FALSE;
}

/* Does the line open with @word as a label: "To:", "TO#:", "From -",
 * "Attn.:"? */
static gboolean
opens_label(const char *p, const char *word)
{
        gsize n = strlen(word);

        if (strncmp(p, word, n) != 0)
                return FALSE;
        p += n;
        while (*p == '#' || *p == '.' || *p == ' ')
                p++;
        return *p == ':' || *p == '-' || *p == '=';
}

/* A fax cover sheet by its form: To and From blocks, a page count and a
 * subject, whatever words surround them. */
static double
cover_fields_score(char **lines)
{
        static const char *const subject[] = { "re", "subject", "regarding", "attn", "attention" };
        gboolean to = FALSE, from = FALSE, pages = FALSE, re = FALSE, bare_to = FALSE, bare_from = FALSE;

        for (guint i = 0; lines[i]; i++) {
                g_autofree char *low = g_ascii_strdown(lines[i], -1);
                const char *p = low;

                while (*p == ' ' || *p == '\t' || *p == '.')
                        p++;
                to = to || opens_label(p, "to");
                from = from || opens_label(p, "from");
                /* labels set in bold with no colon: "To Example Cardiology" */
                bare_to = bare_to || (g_str_has_prefix(p, "to ") && lines[i][p - low + 3] != '\0' &&
                                      !g_ascii_islower(lines[i][p - low + 3]));
                bare_from = bare_from || (g_str_has_prefix(p, "from ") && lines[i][p - low + 5] != '\0' &&
                                          !g_ascii_islower(lines[i][p - low + 5]));
                for (gsize k = 0; k < G_N_ELEMENTS(subject); k++)
                        re = re || opens_label(p, subject[k]);
                pages = pages || is_page_count_label(p);
        }
        /* bare labels count only together, beside a page count */
        if (pages && bare_to && bare_from)
                to = from = TRUE;
        return (to && from ? 2 : 0) + (pages && (to || from) ? 3 : 0) + (re && (to || from) ? 1 : 0);
}

/* The best-scored type, how far ahead of the next it is, and the cue
 * that decided it, from the scores already in ret->type_score. */
static void
pick_best(RdPageClass *ret, const gboolean *titled, guint ekg_hits, guint n_leads,
          guint unit_lines)
{
        const double *score = ret->type_score;
        double best = 0, second = 0;
        RdDocType best_type = RD_DOC_OTHER;

        for (guint t = 0; t < RD_DOC_N_TYPES; t++) {
                if (score[t] > best) {
                        second = best;
                        best = score[t];
                        best_type = (RdDocType)t;
                } else if (score[t] > second) {
                        second = score[t];
                }
        }
        ret->type = best_type;
        ret->score = best;
        ret->weak = best < STRONG;
        ret->titled = titled[best_type];
        if (best_type == RD_DOC_EKG && ekg_hits > 0 && n_leads > 0)
                ret->cue = "machine intervals + lead labels";
        else if (best_type == RD_DOC_EKG && ekg_hits > 0)
                ret->cue = "machine intervals";
        else if (best_type == RD_DOC_LABS && unit_lines >= 3)
                ret->cue = "analyte table with units";
        else if (ret->titled)
                ret->cue = "title";
        else
                ret->cue = "text cues";
        ret->confidence = best > 0 ? MIN(1.0, best / (2 * STRONG)) * (0.5 + 0.5 * (best - second) / best) : 0;
}

void
rd_classify_page(const char *text, gboolean is_email_body, RdPageClass *ret)
{
        g_auto(GStrv) lines = rd_page_lines(text);
        double score[RD_DOC_N_TYPES] = { 0 };
        guint content = 0, title_seen = 0, unit_lines = 0, ekg_hits = 0, n_leads = 0;
        guint unit_alone = 0, result_headings = 0, dose_lines = 0, sig_lines = 0;
        guint seen_lead[9] = { 0 };
        g_autoptr(GString) body = g_string_new(NULL);
        g_autoptr(GString) headings = g_string_new(NULL);
        g_autoptr(GPtrArray) content_lines = g_ptr_array_new_with_free_func(g_free);
        gboolean titled[RD_DOC_N_TYPES] = { FALSE };
        gboolean as_title[RD_DOC_N_TYPES] = { FALSE };

        for (guint i = 0; lines[i]; i++) {
                g_autofree char *low = g_ascii_strdown(lines[i], -1);
                g_auto(GStrv) words = NULL;
                gboolean unit = FALSE;

                if (is_boilerplate(low))
                        continue;
                for (const char *p = low; *p; p++)
                        if (g_ascii_isalnum(*p))
                                content++;
                g_string_append(body, low);
                g_string_append_c(body, '\n');
                {
                        gboolean empty = TRUE;

                        for (const char *p = low; *p; p++)
                                if (g_ascii_isalnum(*p))
                                        empty = FALSE;
                        if (!empty)
                                g_ptr_array_add(content_lines, g_strdup(low));
                        if (!empty && title_seen < TITLE_LINES) {
                                /* a heading: one of the first lines, a few
                                 * words, not a sentence */
                                if (title_seen < HEADING_LINES && n_words(low) <= 5 &&
                                    !g_str_has_suffix(g_strchomp(low), ".")) {
                                        g_string_append(headings, low);
                                        g_string_append_c(headings, '\n');
                                }
                                title_seen++;
                        }
                }
                for (gsize k = 0; k < G_N_ELEMENTS(lab_units); k++)
                        if (strstr(low, lab_units[k]))
                                unit = TRUE;
                if (unit && strpbrk(low, "0123456789"))
                        unit_lines++;
                /* a text layer that gives a results table by columns puts
                 * each unit, and each column heading, on a line of its own */
                else if (unit && is_lone_unit(low))
                        unit_alone++;
                result_headings += results_headings(low);
                dose_lines += has_dose(low);
                sig_lines += has_sig(low);
                words = g_strsplit_set(low, " \t|", -1);
                for (guint w = 0; words[w]; w++) {
                        static const char *const leads[] = {
                                "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6",
                        };
                        if (!is_lead_label(words[w]))
                                continue;
                        for (guint k = 0; k < 9; k++)
                                if (strcmp(words[w], leads[k]) == 0 && !seen_lead[k]++)
                                        n_leads++;
                }
        }
        for (gsize k = 0; k < G_N_ELEMENTS(ekg_cues); k++)
                if (strstr(body->str, ekg_cues[k]))
                        ekg_hits++;

        memset(ret, 0, sizeof(*ret));
        if (content < 25) {
                ret->type = RD_DOC_OTHER;
                ret->blank = TRUE;
                ret->weak = TRUE;
                return;
        }
        for (gsize k = 0; k < G_N_ELEMENTS(cues); k++) {
                double w = cue_weight(content_lines, &cues[k]);

                if (w > 0)
                        heading_cue(headings->str, cues[k].phrase, &titled[cues[k].type],
                                    &as_title[cues[k].type]);
                score[cues[k].type] += w;
        }
        if (!titled[RD_DOC_REFERRAL_FORM] && is_referral_heading(headings->str)) {
                titled[RD_DOC_REFERRAL_FORM] = as_title[RD_DOC_REFERRAL_FORM] = TRUE;
                score[RD_DOC_REFERRAL_FORM] += 10;
        }
        score[RD_DOC_COVER_SHEET] += cover_fields_score(lines);
        /* An EKG is a machine header (rate, intervals, axes, paper speed)
         * over a tracing with lead labels and little prose. */
        score[RD_DOC_EKG] += 2.0 * ekg_hits + 0.5 * n_leads;
        if (ekg_hits >= 4)
                score[RD_DOC_EKG] += 4;
        /* A lab report is a table of analytes with units and ranges. */
        if (unit_alone >= 3 && result_headings >= 2)
                unit_lines += unit_alone;
        score[RD_DOC_LABS] += unit_lines >= 3 ? 1.0 * unit_lines + 2 : 0.5 * unit_lines;
        /* ...or of one analyte (a BNP alone): the table's column headings
         * and a unit, a value with its range, or an analyte named */
        if (result_headings >= 3 &&
            (unit_lines + unit_alone >= 1 || any_value_and_range(content_lines) ||
             rd_classify_lab_panels(text) != 0))
                score[RD_DOC_LABS] += 2.0 * result_headings;
        /* A medication list is a table of drugs with doses and how often
         * (a note's medication section is a few lines among its own
         * headings). */
        if (dose_lines >= 4 && sig_lines >= 3)
                score[RD_DOC_MED_LIST] += 0.5 * (dose_lines + sig_lines);
        if (is_email_body) {
                /* A body is a referral or nothing: notes come as attachments. */
                for (guint t = 0; t < RD_DOC_N_TYPES; t++)
                        if (t != RD_DOC_REFERRAL_FORM)
                                score[t] *= 0.3;
        }
        memcpy(ret->type_score, score, sizeof score);
        pick_best(ret, titled, ekg_hits, n_leads, unit_lines);
        ret->label_title = ret->titled && !as_title[ret->type];
}

void
rd_classify_page_with_picture(const char *text, double ecg_picture_score, gboolean picture_blank,
                              gboolean is_email_body, RdPageClass *ret)
{
        gboolean tracing = !is_email_body && ecg_picture_score >= RD_PICTURE_ECG_THRESHOLD; /* mostly tracing */
        gboolean own_words;

        rd_classify_page(text, is_email_body, ret);
        if (ecg_picture_score == RD_PICTURE_UNKNOWN)
                return;
        if (ret->blank && picture_blank)
                return;
        ret->tracing = tracing;
        if (!tracing)
                return;
        /* A stress test or a monitor report shows strips too: its text,
         * when it says so clearly, decides. */
        if (!ret->weak &&
            (ret->type == RD_DOC_STRESS_TEST || ret->type == RD_DOC_AMBULATORY_MONITOR)) {
                ret->cue = "report title + tracing strips";
                return;
        }
        /* Mostly tracing, and the text weak or unreadable, or saying EKG
         * itself (a machine's interval or lead labels) with no other
         * document's title, even where another kind scores more: a
         * machine prints "Referred by", "Order", "Account" in its header
         * too, as labels of its header fields: such a label is no
         * title. A titled note that quotes an EKG's intervals stays a note. */
        own_words = (!ret->titled || ret->label_title) && ret->type_score[RD_DOC_EKG] >= EKG_OWN_WORDS;
        if (ret->weak || ret->blank || ret->type == RD_DOC_EKG || own_words) {
                ret->cue = ret->type == RD_DOC_EKG && !ret->weak ? "lead labels + tracing picture"
                           : own_words                           ? "machine header + tracing picture"
                                                                 : "tracing picture";
                ret->type = RD_DOC_EKG;
                ret->blank = FALSE;
                ret->weak = FALSE;
                ret->confidence = MAX(ret->confidence, 0.5 + 0.5 * ecg_picture_score *
                                                                 (ret->score > 0 ? 1.0 : 0.8));
                return;
        }
        /* Strong text of another kind over a tracing picture: the two
         * disagree, so the type stands with half the confidence. */
        ret->confidence *= 0.5;
        ret->cue = "text cues (picture disagrees)";
}

guint
rd_classify_lab_panels(const char *text)
{
        g_autofree char *low = g_ascii_strdown(text, -1);
        guint panels = 0, bmp_analytes = 0, cmp_extra = 0;
        static const char *const bmp[] = {
                "sodium", "potassium", "chloride", "creatinine", "urea nitrogen", "bun",
                "glucose", "calcium", "carbon dioxide", "co2",
        };
        static const char *const cmp[] = {
                "albumin", "protein, total", "total protein", "alt", "ast", "bilirubin",
                "alkaline phosphatase",
        };

        for (gsize i = 0; i < G_N_ELEMENTS(bmp); i++)
                if (has_word(low, bmp[i]))
                        bmp_analytes++;
        for (gsize i = 0; i < G_N_ELEMENTS(cmp); i++)
                if (has_word(low, cmp[i]))
                        cmp_extra++;
        if (strstr(low, "comprehensive metabolic") || (bmp_analytes >= 3 && cmp_extra >= 3))
                panels |= RD_PANEL_CMP;
        else if (strstr(low, "basic metabolic") || bmp_analytes >= 4)
                panels |= RD_PANEL_BMP;
        if (strstr(low, "lipid panel") || strstr(low, "lipid profile") ||
            ((strstr(low, "cholesterol") || has_word(low, "ldl")) &&
             (strstr(low, "triglyceride") || has_word(low, "hdl"))))
                panels |= RD_PANEL_LIPID;
        if (has_word(low, "bnp") || strstr(low, "natriuretic") || strstr(low, "probnp"))
                panels |= RD_PANEL_BNP;
        if (strstr(low, "troponin"))
                panels |= RD_PANEL_TROPONIN;
        if (has_word(low, "cbc") || strstr(low, "complete blood count") ||
            ((has_word(low, "wbc") || strstr(low, "white blood")) &&
             (strstr(low, "platelet") || strstr(low, "hematocrit"))))
                panels |= RD_PANEL_CBC;
        if (has_word(low, "a1c") || strstr(low, "hba1c") || strstr(low, "glycated") ||
            strstr(low, "glycohemoglobin"))
                panels |= RD_PANEL_A1C;
        if (has_word(low, "tsh") || strstr(low, "thyroid stimulating") ||
            strstr(low, "thyrotropin"))
                panels |= RD_PANEL_TSH;
        if (has_word(low, "inr") || strstr(low, "prothrombin"))
                panels |= RD_PANEL_INR;
        return panels;
}

/* Dates on the page with the few words before each, skipping the
 * patient's date of birth. */
static char *
date_after(char **lines, const char *const *keys, gsize n_keys, const char *dob)
{
        for (guint i = 0; lines[i]; i++) {
                g_autofree char *low = g_ascii_strdown(lines[i], -1);

                for (gsize k = 0; k < n_keys; k++) {
                        const char *f = strstr(low, keys[k]);
                        const char *start, *end;
                        char *iso;

                        if (f == NULL)
                                continue;
                        /* the date follows the key on the same line */
                        iso = rd_find_date(lines[i] + (f - low) + strlen(keys[k]), &start, &end);
                        if (iso && (dob == NULL || strcmp(iso, dob) != 0) &&
                            start - (lines[i] + (f - low)) < 40)
                                return iso;
                        g_free(iso);
                }
        }
        return NULL;
}

/* Is a date written after one of @keys that no reading takes: a year
 * (four digits from 19 or 20) within a few words after the key, and no
 * date read there? */
static gboolean
unread_date_after(char **lines, const char *const *keys, gsize n_keys)
{
        for (guint i = 0; lines[i]; i++) {
                g_autofree char *low = g_ascii_strdown(lines[i], -1);

                for (gsize k = 0; k < n_keys; k++) {
                        const char *f = strstr(low, keys[k]);

                        if (f == NULL)
                                continue;
                        f += strlen(keys[k]);
                        for (const char *q = f; *q && q - f < 30; q++)
                                if ((g_str_has_prefix(q, "19") || g_str_has_prefix(q, "20")) &&
                                    g_ascii_isdigit(q[2]) && g_ascii_isdigit(q[3]) && !g_ascii_isdigit(q[4]) &&
                                    (q == f || !g_ascii_isdigit(q[-1])))
                                        return TRUE;
                }
        }
        return FALSE;
}

static gboolean
preceded_by_birth(const char *line, const char *start)
{
        gsize back = MIN((gsize)(start - line), 14);
        g_autofree char *pre = g_ascii_strdown(start - back, (gssize)back);

        return strstr(pre, "dob") || strstr(pre, "birth") ||
               strstr(pre, "d.o.b");
}

static char *
any_date(char **lines, const char *dob, gboolean want_time)
{
        for (guint i = 0; lines[i]; i++) {
                const char *p = lines[i];
                const char *start, *end;
                char *iso;

                while ((iso = rd_find_date(p, &start, &end))) {
                        gboolean ok = (dob == NULL || strcmp(iso, dob) != 0) &&
                                      !preceded_by_birth(lines[i], start);

                        if (ok && want_time) {
                                const char *t = end;

                                while (*t == ' ')
                                        t++;
                                /* a time: "7:40" or "07:40", never past the line's end */
                                ok = g_ascii_isdigit(t[0]) && (t[1] == ':' || (t[1] != '\0' && t[2] == ':'));
                        }
                        if (ok)
                                return iso;
                        g_free(iso);
                        p = end;
                }
        }
        return NULL;
}

/* The labels of a lab report's own date: when the specimen was taken. */
static const char *const lab_keys[] = {
        "collected", "collection date", "collection", "drawn", "specimen date", "date of collection",
};

/* Does @text, a lab report's page, write its collection date where no
 * reading takes it ("Collected: 62-May-2026")? A report of its own,
 * then, whose date is unknown. */
static gboolean
lab_date_unreadable(const char *text)
{
        g_auto(GStrv) lines = rd_page_lines(text);

        return unread_date_after(lines, lab_keys, G_N_ELEMENTS(lab_keys));
}

char *
rd_classify_document_date(RdDocType type, const char *text, const char *dob)
{
        g_auto(GStrv) lines = rd_page_lines(text);
        /* then when it was resulted; a bare "date" (the visit's, the
         * printout's) only when the report names none of its own */
        static const char *const lab_keys2[] = { "received", "reported", "result date", "resulted" };
        static const char *const lab_keys3[] = { "date" };
        static const char *const ekg_keys[] = { "acquired", "acquisition", "recorded", "date" };
        static const char *const note_keys[] = {
                "date of service", "visit date", "date of visit", "encounter date", "dos:", "date:",
        };
        char *iso = NULL;

        switch (type) {
        case RD_DOC_LABS:
                iso = date_after(lines, lab_keys, G_N_ELEMENTS(lab_keys), dob);
                /* its own date written but not readable ("COLLECTION
                 * DATE jut 16, 2025"): unreadable, never the visit's */
                if (iso == NULL && unread_date_after(lines, lab_keys, G_N_ELEMENTS(lab_keys)))
                        break;
                if (iso == NULL)
                        iso = date_after(lines, lab_keys2, G_N_ELEMENTS(lab_keys2), dob);
                if (iso == NULL)
                        iso = date_after(lines, lab_keys3, G_N_ELEMENTS(lab_keys3), dob);
                if (iso == NULL)
                        iso = any_date(lines, dob, FALSE);
                break;
        case RD_DOC_EKG:
                iso = any_date(lines, dob, TRUE);
                if (iso == NULL)
                        iso = date_after(lines, ekg_keys, G_N_ELEMENTS(ekg_keys), dob);
                if (iso == NULL)
                        iso = any_date(lines, dob, FALSE);
                break;
        case RD_DOC_CLINICAL_NOTES:
        case RD_DOC_DISCHARGE_SUMMARY:
                iso = date_after(lines, note_keys, G_N_ELEMENTS(note_keys), dob);
                break;
        default:
                break;
        }
        return iso;
}

static RdDocument *
new_doc(const RdPage *page, const RdPageClass *pc)
{
        RdDocument *doc = rd_document_new(pc->blank ? RD_DOC_OTHER : pc->type);

        g_array_append_val(doc->pages, page->number);
        doc->confidence = pc->blank ? 0 : pc->confidence;
        doc->cue = pc->blank ? NULL : pc->cue;
        return doc;
}

/* Documents written as running text, whose later pages carry few cues. */
static gboolean
is_prose_type(RdDocType type)
{
        return type == RD_DOC_CLINICAL_NOTES || type == RD_DOC_DISCHARGE_SUMMARY ||
               type == RD_DOC_REFERRAL_FORM || type == RD_DOC_COVER_SHEET ||
               type == RD_DOC_ECHO || type == RD_DOC_IMAGING || type == RD_DOC_STRESS_TEST ||
               type == RD_DOC_AMBULATORY_MONITOR;
}

/* Does a page with too little evidence of its own agree with @doc?  It
 * carries cues of the document's type, or it is plain text (no cue of
 * any kind) after a document of running text.  A tracing never
 * continues text. */
static gboolean
weak_page_agrees(const RdPageClass *pc, const RdDocument *doc)
{
        gboolean any = FALSE;

        if (pc->tracing)
                return doc->type == RD_DOC_EKG;
        for (guint t = 0; t < RD_DOC_N_TYPES; t++)
                if (pc->type_score[t] > 0)
                        any = TRUE;
        if (pc->type_score[doc->type] > 0 && pc->type_score[doc->type] >= pc->score)
                return TRUE;
        return !any && is_prose_type(doc->type);
}

/* An earlier document that an out-of-order page continues: same prose
 * type, and the page does not open a document of its own (no title). */
static RdDocument *
earlier_document(GPtrArray *docs, const RdPageClass *pc)
{
        if (pc->titled || pc->tracing || !is_prose_type(pc->type) || pc->score <= 0)
                return NULL;
        for (guint i = docs->len; i-- > 0;) {
                RdDocument *d = g_ptr_array_index(docs, i);

                if (d->type == pc->type)
                        return d;
        }
        return NULL;
}

static gint
page_number_cmp(gconstpointer a, gconstpointer b)
{
        guint x = *(const guint *)a, y = *(const guint *)b;

        return x < y ? -1 : x > y;
}

static void
join(RdDocument *doc, const RdPage *page, const RdPageClass *pc)
{
        g_array_append_val(doc->pages, page->number);
        g_array_sort(doc->pages, page_number_cmp);
        if (!pc->weak && !pc->blank)
                doc->confidence = MAX(doc->confidence, pc->confidence);
        if (doc->type == RD_DOC_LABS)
                doc->panels |= rd_classify_lab_panels(page->text);
}

/* below the confidence at which one document may decide a checklist item
 * without a person (policy.c's REVIEW_DOC_CONFIDENCE) */
#define RD_CLASSIFY_PAPER_CONFIDENCE 0.45

/* The page's class from its text and, for a page read from an image, its
 * picture (ocr/picture.h: the tracing measure needs no readable word). */
static void
classify_one(const RdPage *page, gboolean body, RdPageClass *pc)
{
        gboolean measured = page->method == RD_PAGE_METHOD_OCR && page->picture.work_width > 0;

        rd_classify_page_with_picture(page->text, measured ? page->picture.ecg_score : RD_PICTURE_UNKNOWN,
                                      measured && page->picture.blank, body, pc);
        /* ECG paper whose trace the measure could not find (a shaded or
         * dark photo): an EKG, but one a person confirms, so the low
         * confidence sends the referral to review rather than deciding
         * "enclosed" or asking the office for it */
        if (measured && page->picture.ecg_paper && !body && (pc->weak || pc->blank)) {
                pc->type = RD_DOC_EKG;
                pc->confidence = RD_CLASSIFY_PAPER_CONFIDENCE;
                pc->cue = "ECG paper grid, no trace found";
                pc->weak = FALSE;
                pc->blank = FALSE;
                pc->tracing = TRUE;
        }
}

GPtrArray *
rd_classify_pages(GPtrArray *pages, const char *dob)
{
        GPtrArray *docs = g_ptr_array_new_with_free_func((GDestroyNotify)rd_document_free);
        RdDocument *prev = NULL;

        for (guint i = 0; i < pages->len; i++) {
                const RdPage *page = g_ptr_array_index(pages, i);
                gboolean body = page->method == RD_PAGE_METHOD_BODY || page->number == 0;
                g_autofree char *date = NULL;
                RdDocument *earlier;
                RdPageClass pc;

                classify_one(page, body, &pc);
                if (body) {
                        /* A body is a document only when it carries the referral. */
                        if (pc.type == RD_DOC_REFERRAL_FORM && !pc.weak)
                                g_ptr_array_add(docs, new_doc(page, &pc));
                        prev = NULL;
                        continue;
                }
                if (pc.blank && !pc.tracing) {
                        /* a blank page (the back of a sheet) belongs where it falls */
                        if (prev) {
                                g_array_append_val(prev->pages, page->number);
                                continue;
                        }
                } else if (pc.weak) {
                        if (prev && weak_page_agrees(&pc, prev)) {
                                join(prev, page, &pc);
                                continue;
                        }
                        /* Disagrees: its own document, too unsure to meet a
                         * checklist item alone (a person looks at it). */
                        prev = new_doc(page, &pc);
                        prev->confidence = MIN(prev->confidence, WEAK_ALONE_CONFIDENCE);
                        g_ptr_array_add(docs, prev);
                        continue;
                }
                earlier = pc.weak || pc.blank ? NULL : earlier_document(docs, &pc);
                if (earlier && earlier != prev) {
                        join(earlier, page, &pc);
                        continue;
                }
                if (!pc.weak && (pc.type == RD_DOC_LABS || pc.type == RD_DOC_EKG))
                        date = rd_classify_document_date(pc.type, page->text, dob);
                /* a page of results continues the report before it,
                 * unless it dates itself otherwise, or writes a date of
                 * its own that cannot be read: a later report may be the
                 * fresh one, never to be taken for the older */
                if (!pc.weak && !pc.blank && prev && prev->type == pc.type &&
                    !(date && prev->date && strcmp(date, prev->date) != 0) &&
                    !(pc.type == RD_DOC_LABS && date == NULL && prev->date != NULL &&
                      lab_date_unreadable(page->text))) {
                        join(prev, page, &pc);
                        if (prev->date == NULL)
                                prev->date = g_steal_pointer(&date);
                        continue;
                }
                prev = new_doc(page, &pc);
                prev->date = g_steal_pointer(&date);
                if (pc.type == RD_DOC_LABS && !pc.blank)
                        prev->panels = rd_classify_lab_panels(page->text);
                g_ptr_array_add(docs, prev);
        }
        return docs;
}
