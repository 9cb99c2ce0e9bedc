/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Labelled values: the label classes, checkboxes, column realignment and the values found on each line. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "labels.h"
#include "dates.h"
#include "fields-private.h"

/* Empty boxes and rings: printed, not marked. */
static gboolean
is_empty_box_glyph(gunichar c)
{
        return c == 0x2610 /* ☐ */ || c == 0x25A1 /* □ */ || c == 0x25A2 || c == 0x25AB ||
               c == 0x25FB || c == 0x25FD || c == 0x274F || c == 0x2750 || c == 0x2751 ||
               c == 0x2752 || c == 0x25CB /* ○ */ || c == 0x25EF || c == 0x2B1C || c == 0x2B55;
}

/* What OCR makes of a speck or of a box's corner: a degree sign, a middle
 * dot, an accent or a single quote mark. No ink a hand put there. (A
 * double quote mark is two strokes side by side, as OCR reads a check
 * mark's short and long stroke: ink, as the ASCII '"' is.) */
static gboolean
is_speck_glyph(gunichar c)
{
        return c == 0x00B0 /* ° */ || c == 0x00B7 /* · */ || c == 0x02DA /* ˚ */ || c == 0x00B4 /* ´ */ ||
               c == 0x00A8 /* ¨ */ || c == 0x2018 || c == 0x2019 || c == 0x2032 /* ′ */ ||
               c == 0x02C8 || c == 0x00B8 /* ¸ */;
}

/* Ticks, crosses and filled boxes or dots. */
static gboolean
is_ticked_box_glyph(gunichar c)
{
        return c == 0x2612 /* ☒ */ || c == 0x2611 /* ☑ */ || (c >= 0x2713 && c <= 0x2718) /* ✓ ✔ ✕ ✖ ✗ ✘ */ ||
               c == 0x25A0 /* ■ */ || c == 0x25CF /* ● */ || c == 0x25A3 || c == 0x25C9 || c == 0x25D9 ||
               c == 0x22A0 /* ⊠ */ || c == 0x2A2F || c == 0x00D7 /* × */ || c == 0x2B1B || c == 0x25AA ||
               c == 0x25FC || c == 0x25FE;
}

gboolean
rd_holds_checkbox(const char *s)
{
        if (strpbrk(s, "[]") != NULL)
                return TRUE;
        for (const char *p = s; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                if (is_ticked_box_glyph(c) || is_empty_box_glyph(c))
                        return TRUE;
        }
        return FALSE;
}

/* What OCR makes of a box's own strokes and of the rule or dot in an
 * empty one: no ink inside it. */
static const char box_strokes[] = "[](){}|JIl1!07OoCcQLU/\\_-.,:;";

/* What a short token of box characters says: a tick (☒ ☑ ✓ ✔ ■ ●, X, or
 * a filled box OCR read as K, B, &, %), an empty box, or no box. */
static RdBox
box_token(const char *start, const char *end)
{
        gboolean shape = FALSE;
        /* a box closed on both sides: whatever OCR read between them, a
         * slash or a symbol ("[/¥]"), is ink in the box, a tick */
        gboolean closed = end - start >= 3 && (*start == '[' || *start == '(') &&
                          (end[-1] == ']' || end[-1] == ')');
        /* in square brackets, a shape ("[[]]": a box glyph the font
         * lacked, printed as an empty rectangle) or a symbol ("[@]") is
         * ink in the box; a bracket's stroke read as a letter or a digit
         * ("[J]", "[1]", "[|]"), a rule or a dot ("[_]", "[.]") is not */
        gboolean square = end - start >= 3 && *start == '[' && end[-1] == ']';
        gboolean ticked = square && memchr(start + 1, '[', end - start - 2) != NULL &&
                          memchr(start + 1, ']', end - start - 2) != NULL;
        guint chars = 0;

        if (end == start)
                return RD_BOX_NONE;
        for (const char *q = start; q < end; chars++) {
                unsigned char c = (unsigned char)*q;

                if (chars == 4)
                        return RD_BOX_NONE;

                if (c >= 0x80) {
                        gunichar u = g_utf8_get_char_validated(q, end - q);

                        if (u == (gunichar)-1 || u == (gunichar)-2)
                                return RD_BOX_NONE;
                        if (closed && is_speck_glyph(u)) {
                                q = g_utf8_next_char(q);
                                continue;
                        }
                        if (is_ticked_box_glyph(u) || (closed && !is_empty_box_glyph(u)))
                                ticked = TRUE;
                        else if (!is_empty_box_glyph(u))
                                return RD_BOX_NONE; /* a quote or a dash: OCR's reading of a ring */
                        shape = TRUE;
                        q = g_utf8_next_char(q);
                        continue;
                }
                if (square && q > start && q < end - 1 && !strchr(box_strokes, c))
                        ticked = TRUE;
                else if (strchr("Xx%&#*", c) || (q == start && strchr("KkB", c)))
                        ticked = TRUE;
                /* a check mark OCR read as a v inside its box: "[v]", "(V)" */
                else if ((c == 'v' || c == 'V') && (memchr(start, '[', (gsize)(end - start)) ||
                                                    memchr(start, '(', (gsize)(end - start))))
                        ticked = TRUE;
                else if (closed && (c == '/' || c == '\\'))
                        ticked = TRUE;
                else if (!strchr(box_strokes, c))
                        return RD_BOX_NONE;
                /* punctuation alone ("-", ":", ".", the slash of "Cath /
                 * Interventional") is a sentence's, not a box */
                if (!strchr("-.,:;/\\", c))
                        shape = TRUE;
                q++;
        }
        if (!ticked && !shape)
                return RD_BOX_NONE;
        return ticked ? RD_BOX_TICKED : RD_BOX_EMPTY;
}

gboolean
rd_token_before(const char *line, const char *label_start, gsize max, const char **ret_start,
                const char **ret_end)
{
        const char *p = label_start, *end;

        while (p > line && p[-1] == ' ')
                p--;
        end = p;
        while (p > line && p[-1] != ' ' && (max == 0 || (gsize)(end - p) < max))
                p--;
        if (p == end || (p > line && p[-1] != ' '))
                return FALSE;
        *ret_start = p;
        *ret_end = end;
        return TRUE;
}

RdBox
rd_checkbox_before(const char *line, const char *label_start)
{
        const char *start, *end;

        /* A box is a short run of bracket-like characters right before
         * the label, glued to it or separated by spaces: at most 4
         * characters, "[X]", "☒", "(✓)" */
        if (!rd_token_before(line, label_start, 9, &start, &end))
                return RD_BOX_NONE;
        return box_token(start, end);
}

RdBox
rd_checkbox_after(const char *label_end)
{
        const char *p = label_end, *start;

        while (*p == ' ' || *p == ':')
                p++;
        start = p;
        while (*p && *p != ' ' && p - start < 9)
                p++;
        if (*p && *p != ' ')
                return RD_BOX_NONE;
        return box_token(start, p);
}

gboolean
rd_checkbox_ticked(const char *line, const char *label_start)
{
        return rd_checkbox_before(line, label_start) == RD_BOX_TICKED;
}

static const Label labels[] = {
        { "name (last, first)", L_NAME_LF, SEC_PATIENT },
        { "name (last/first)", L_NAME_LF, SEC_PATIENT },
        { "last name, first name", L_NAME_LF, SEC_PATIENT },
        { "last name/first name", L_NAME_LF, SEC_PATIENT },
        { "last/first name", L_NAME_LF, SEC_PATIENT },
        { "last/first", L_NAME_LF, SEC_PATIENT },
        { "last, first", L_NAME_LF, SEC_PATIENT },
        { "patient last name", L_FAMILY, SEC_PATIENT },
        { "patient first name", L_GIVEN, SEC_PATIENT },
        { "last name", L_FAMILY, SEC_PATIENT },
        { "family name", L_FAMILY, SEC_PATIENT },
        { "surname", L_FAMILY, SEC_PATIENT },
        { "first name", L_GIVEN, SEC_PATIENT },
        { "given name", L_GIVEN, SEC_PATIENT },
        { "patient name", L_NAME, SEC_PATIENT },
        { "patient", L_PATIENT, SEC_PATIENT },
        { "name", L_NAME, SEC_NONE },
        { "date of birth", L_DOB, SEC_PATIENT },
        { "birth date", L_DOB, SEC_PATIENT },
        { "d.o.b.", L_DOB, SEC_PATIENT },
        { "d.o.b", L_DOB, SEC_PATIENT },
        { "dob", L_DOB, SEC_PATIENT },
        { "legal sex", L_SEX, SEC_PATIENT },
        { "m/f", L_SEX, SEC_PATIENT },
        { "sex", L_SEX, SEC_PATIENT },
        { "gender", L_SEX, SEC_PATIENT },
        /* the patient's number under any of its names */
        { "patient phone", L_PHONE, SEC_PATIENT },
        { "pt phone", L_PHONE, SEC_PATIENT },
        { "contact phone", L_PHONE, SEC_PATIENT },
        { "contact number", L_PHONE, SEC_PATIENT },
        { "contact #", L_PHONE, SEC_PATIENT },
        { "contact no", L_PHONE, SEC_PATIENT },
        { "home #", L_PHONE, SEC_PATIENT },
        { "cell #", L_PHONE, SEC_PATIENT },
        { "mobile phone", L_PHONE, SEC_PATIENT },
        /* the practice's */
        { "office phone", L_PHONE, SEC_REFERRING },
        { "office tel", L_PHONE, SEC_REFERRING },
        { "clinic phone", L_PHONE, SEC_REFERRING },
        { "practice phone", L_PHONE, SEC_REFERRING },
        { "provider phone", L_PHONE, SEC_REFERRING },
        { "office fax", L_FAX, SEC_REFERRING },
        { "clinic fax", L_FAX, SEC_REFERRING },
        { "practice fax", L_FAX, SEC_REFERRING },
        { "provider fax", L_FAX, SEC_REFERRING },
        { "return fax", L_FAX, SEC_REFERRING },
        { "home phone", L_PHONE, SEC_PATIENT },
        { "cell phone", L_PHONE, SEC_PATIENT },
        { "mobile", L_PHONE, SEC_PATIENT },
        { "cell", L_PHONE, SEC_PATIENT },
        { "telephone", L_PHONE, SEC_NONE },
        { "phone", L_PHONE, SEC_NONE },
        { "tel", L_PHONE, SEC_NONE },
        { "ph", L_PHONE, SEC_NONE },
        { "medical record number", L_MRN, SEC_PATIENT },
        { "medical record #", L_MRN, SEC_PATIENT },
        { "medical record", L_MRN, SEC_PATIENT },
        { "mrn", L_MRN, SEC_PATIENT },
        { "mr#", L_MRN, SEC_PATIENT },
        { "mr #", L_MRN, SEC_PATIENT },
        { "patient id", L_MRN, SEC_PATIENT },
        { "acct/mrn", L_MRN, SEC_PATIENT },
        { "account/mrn", L_MRN, SEC_PATIENT },
        { "mrn/acct", L_MRN, SEC_PATIENT },
        { "chart number", L_MRN, SEC_PATIENT },
        { "chart", L_MRN, SEC_PATIENT },
        { "chart #", L_MRN, SEC_PATIENT },
        { "npi", L_NPI, SEC_REFERRING },
        { "practice", L_PRACTICE, SEC_REFERRING },
        { "clinic", L_PRACTICE, SEC_REFERRING },
        { "fax", L_FAX, SEC_NONE },
        /* the clinician who sends the patient, under any of the names
         * forms give that role: referring, ordering, requesting or
         * sending, a primary care provider, with or without the title */
        { "primary care physician", L_PROVIDER, SEC_REFERRING },
        { "primary care provider", L_PROVIDER, SEC_REFERRING },
        { "primary care", L_PROVIDER, SEC_REFERRING },
        { "pcp", L_PROVIDER, SEC_REFERRING },
        { "ordering provider", L_PROVIDER, SEC_REFERRING },
        { "ordering physician", L_PROVIDER, SEC_REFERRING },
        { "ordering clinician", L_PROVIDER, SEC_REFERRING },
        { "requesting provider", L_PROVIDER, SEC_REFERRING },
        { "requesting physician", L_PROVIDER, SEC_REFERRING },
        { "sending provider", L_PROVIDER, SEC_REFERRING },
        { "sending physician", L_PROVIDER, SEC_REFERRING },
        { "referring doctor", L_PROVIDER, SEC_REFERRING },
        { "referring md", L_PROVIDER, SEC_REFERRING },
        { "referring provider", L_PROVIDER, SEC_REFERRING },
        { "referring physician", L_PROVIDER, SEC_REFERRING },
        { "referring clinician", L_PROVIDER, SEC_REFERRING },
        { "referred by", L_PROVIDER, SEC_REFERRING },
        { "provider", L_PROVIDER, SEC_REFERRING },
        { "physician", L_PROVIDER, SEC_REFERRING },
        { "ordering", L_PROVIDER, SEC_REFERRING },
        { "referring", L_PROVIDER, SEC_REFERRING },
        { "from", L_FROM, SEC_REFERRING },
        { "to", L_TO, SEC_RECIPIENT },
        { "attn", L_TO, SEC_RECIPIENT },
        { "re", L_RE, SEC_PATIENT },
        { "priority", L_PRIORITY, SEC_OTHER },
        { "urgency", L_PRIORITY, SEC_OTHER },
        { "requested service", L_SERVICE, SEC_OTHER },
        { "service requested", L_SERVICE, SEC_OTHER },
        { "service", L_SERVICE, SEC_OTHER },
        { "specialty", L_STOP, SEC_NONE },
        { "department", L_SERVICE, SEC_RECIPIENT },
        { "reason for referral", L_REASON, SEC_OTHER },
        { "referral reason", L_REASON, SEC_OTHER },
        { "reason for consultation", L_REASON, SEC_OTHER },
        { "reason for consult", L_REASON, SEC_OTHER },
        { "diagnosis (icd-10)", L_DIAG, SEC_OTHER },
        { "diagnoses", L_DIAG, SEC_OTHER },
        { "diagnosis", L_DIAG, SEC_OTHER },
        { "icd-10", L_DIAG, SEC_OTHER },
        { "icd10", L_DIAG, SEC_OTHER },
        { "refer to", L_REFER_TO, SEC_RECIPIENT },
        { "address", L_STOP, SEC_NONE },
        { "insurance", L_STOP, SEC_NONE },
        { "coverage", L_STOP, SEC_NONE },
        { "member id", L_STOP, SEC_NONE },
        { "referral date", L_STOP, SEC_NONE },
        { "order date", L_STOP, SEC_NONE },
        { "order #", L_STOP, SEC_NONE },
        { "status", L_STOP, SEC_NONE },
        { "referral type", L_STOP, SEC_NONE },
        { "visits", L_STOP, SEC_NONE },
        { "facility", L_STOP, SEC_NONE },
        /* a date of service is never a date of birth */
        { "date of service", L_STOP, SEC_NONE },
        { "dos", L_STOP, SEC_NONE },
        { "visit type", L_STOP, SEC_NONE },
        { "age/sex", L_STOP, SEC_NONE },
        { "age", L_STOP, SEC_NONE },
        { "date", L_STOP, SEC_NONE },
        { "pages", L_STOP, SEC_OTHER },
        { "comments", L_STOP, SEC_OTHER },
        { "language", L_STOP, SEC_NONE },
        { "loc", L_STOP, SEC_NONE },
        { "id", L_STOP, SEC_NONE },
        { "account #", L_STOP, SEC_NONE },
        { "class", L_STOP, SEC_NONE },
        { "marital", L_STOP, SEC_NONE },
};


void
rd_value_free(Value *v)
{
        g_free(v->value);
        g_free(v);
}

static gboolean
only_spaces_before(const char *line, const char *p)
{
        for (const char *q = line; q < p; q++)
                if (*q != ' ' && *q != '\t')
                        return FALSE;
        return TRUE;
}

/* A letterhead's or signature's one-letter labels, "T: 555 210 3344
 * F: 555 210 3345": a capital, a colon or a dash (or, opening its line,
 * a space), and a whole phone number (ten digits or more before any
 * letter), nothing else. */
static const Label *
letter_label(const char *line, const char *p, const char **ret_value)
{
        static const Label letters[] = {
                { "T", L_PHONE, SEC_NONE },
                { "P", L_PHONE, SEC_NONE },
                { "F", L_FAX, SEC_NONE },
        };
        const Label *label = NULL;
        const char *q;
        int digits = 0;

        for (gsize i = 0; i < G_N_ELEMENTS(letters) && label == NULL; i++)
                if (*p == letters[i].text[0])
                        label = &letters[i];
        if (label == NULL || (p > line && p[-1] != ' ' && p[-1] != '\t'))
                return NULL;
        q = p + 1;
        /* "F: 555...", "F-555...", or a form's " - " after its labels;
         * "F#:", and the colon read as a semicolon ("F; 555...") */
        if (q[0] == ' ' && q[1] == '-' && q[2] == ' ')
                q++;
        if (*q == '#')
                q++;
        if (*q == ':' || *q == '-' || *q == ';') {
                q++;
        } else if (!(*q == ' ' && only_spaces_before(line, p))) {
                /* with no colon at all only the line's first word: after
                 * a value ("Sex: F (555) ...") it is that value */
                return NULL;
        }
        while (*q == ' ')
                q++;
        if (!g_ascii_isdigit(*q) && !((*q == '(' || *q == '+') && g_ascii_isdigit(q[1])))
                return NULL;
        for (const char *d = q; *d && !g_ascii_isalpha(*d); d++)
                digits += g_ascii_isdigit(*d);
        if (digits < 10)
                return NULL;
        *ret_value = q;
        return label;
}

/* Is there a digit among the first four characters of the word at @s? */
static gboolean
digit_near_start(const char *s)
{
        for (int i = 0; i < 4 && g_ascii_isalnum(s[i]); i++)
                if (g_ascii_isdigit(s[i]))
                        return TRUE;
        return FALSE;
}

static gboolean
date_at(const char *s)
{
        g_autofree char *d = rd_parse_date(s, NULL);

        return d != NULL;
}

/* Is a quote mark at @q, as OCR reads a speck? */
static gboolean
is_quote(const char *q)
{
        gunichar c = g_utf8_get_char_validated(q, -1);

        return c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x201C || c == 0x201D || c == 0x00B4;
}

/* A quote mark OCR made of a speck before a number ("Fax '555.256.7968",
 * "Phone ‘(555) ..."). */
static gboolean
quote_before_number(const char *q)
{
        const char *d;

        if (!is_quote(q))
                return FALSE;
        d = g_utf8_next_char(q);
        return g_ascii_isdigit(*d) || (*d == '(' && g_ascii_isdigit(d[1]));
}

/* Label match at @p (case-insensitive, word boundary before and after)
 * followed by ':' (or '#'), or for number labels directly by a digit. */
const Label *
rd_match_label(const char *line, const char *p, const char **ret_value)
{
        const Label *letter = letter_label(line, p, ret_value);

        if (letter != NULL)
                return letter;

        /* A text layer glues a label to the value before it
         * ("InstituteFax:555..."): accept a capitalised label with a colon. */
        gboolean glued = p > line && (g_ascii_islower(p[-1]) || g_ascii_isdigit(p[-1])) &&
                         g_ascii_isupper(p[0]);

        if (p > line && (g_ascii_isalnum(p[-1]) || p[-1] == '\'') && !glued)
                return NULL;
        for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
                gsize n = strlen(labels[i].text);
                const char *q;

                if (g_ascii_strncasecmp(p, labels[i].text, n) != 0)
                        continue;
                q = p + n;
                if (g_ascii_isalnum(*q))
                        continue;
                if (*q == '\t') {
                        /* a table cell: "Patient<TAB>value" */
                        *ret_value = q + 1;
                        return &labels[i];
                }
                if (*q == '.' && q[1] == ' ' && (labels[i].key == L_PHONE || labels[i].key == L_FAX))
                        q++;
                while (*q == ' ')
                        q++;
                /* "NPI No.:", "Phone Number:", "Fax Nbr" */
                {
                        static const char *const number_words[] = { "number", "nbr", "num.", "num", "no.", "no" };

                        for (gsize w = 0; w < G_N_ELEMENTS(number_words); w++) {
                                gsize wl = strlen(number_words[w]);

                                if (g_ascii_strncasecmp(q, number_words[w], wl) == 0 && !g_ascii_isalpha(q[wl])) {
                                        q += wl;
                                        while (*q == ' ')
                                                q++;
                                        break;
                                }
                        }
                }
                /* "MRN#", "Phone #:", "MEDICAL RECORD ##:", "RECORD. #:":
                 * the number sign (doubled, after a dot) and its colon */
                if (!glued && (*q == '#' || (*q == '.' && q[1] == ' ' && q[2] == '#') ||
                               (*q == '.' && q[1] == '#'))) {
                        const char *r = q;

                        while (*r == '.' || *r == ' ')
                                r++;
                        while (*r == '#')
                                r++;
                        while (*r == ' ')
                                r++;
                        if (*r == ':' || *r == ';')
                                r++;
                        *ret_value = r;
                        return &labels[i];
                }
                if (*q == ':' || (!glued && *q == ';')) {
                        *ret_value = q + 1;
                        return &labels[i];
                }
                /* or a form's "Label- value" whose words OCR ran
                 * together ("PtPhone- 555...") */
                if (glued && *q == '-' && q[1] == ' ' && !rd_line_is_blank(q + 1)) {
                        *ret_value = q + 1;
                        return &labels[i];
                }
                if (glued)
                        continue;
                /* a form's row "Label - value", "Label = value", or a table
                 * row "Patient ID  F3517852": only a label that opens its
                 * line, of more than one word, or any label before a dash */
                if (p == line || only_spaces_before(line, p)) {
                        /* a speck OCR read as a dot before the dash
                         * ("LAST/FIRST. - Lee / Ann") */
                        const char *d = *q == '.' && q[1] == ' ' ? q + 2 : q;

                        if (strchr("-=+>|", *d) && *d && d[1] == ' ' && !rd_line_is_blank(d + 1)) {
                                *ret_value = d + 1;
                                return &labels[i];
                        }
                        /* and one after the dash, before a number
                         * ("FAX. -.555 635 1617") */
                        if (*d == '-' && d[1] == '.' && g_ascii_isdigit(d[2]) &&
                            (labels[i].key == L_PHONE || labels[i].key == L_FAX)) {
                                *ret_value = d + 2;
                                return &labels[i];
                        }
                        if (q > p + n && (strchr(labels[i].text, ' ') || strchr(labels[i].text, '/')) &&
                            labels[i].key != L_STOP && g_ascii_isalnum(*q)) {
                                *ret_value = q;
                                return &labels[i];
                        }
                        /* a one-word label of such a row ("PRIORITY
                         * Expedited") where the triage reads the value
                         * against its own words and drops any other */
                        if (q > p + n && (labels[i].key == L_PRIORITY || labels[i].key == L_SERVICE) &&
                            g_ascii_isalpha(*q)) {
                                *ret_value = q;
                                return &labels[i];
                        }
                }
                if ((labels[i].key == L_NPI || labels[i].key == L_PHONE || labels[i].key == L_FAX ||
                     strcmp(labels[i].text, "dob") == 0 || strcmp(labels[i].text, "mrn") == 0) &&
                    (g_ascii_isdigit(*q) || ((*q == '(' || *q == '+') && g_ascii_isdigit(q[1])) ||
                     (labels[i].key != L_NPI && quote_before_number(q)))) {
                        *ret_value = q;
                        return &labels[i];
                }
                /* a phone's label with the speck of its colon read as a
                 * quote mark ("Tel’ +1 555...") */
                if ((labels[i].key == L_PHONE || labels[i].key == L_FAX) && q == p + n && is_quote(q)) {
                        const char *v = g_utf8_next_char(q);

                        while (*v == ' ')
                                v++;
                        if (g_ascii_isdigit(*v) || ((*v == '(' || *v == '+') && g_ascii_isdigit(v[1]))) {
                                *ret_value = v;
                                return &labels[i];
                        }
                }
                /* "MRN MR463539": a record number's label before a word
                 * with a digit among its first characters */
                if (strcmp(labels[i].text, "mrn") == 0 && q > p + n && g_ascii_isupper(*q) &&
                    digit_near_start(q)) {
                        *ret_value = q;
                        return &labels[i];
                }
                /* a birth date's label before a date in any shape, with
                 * no colon ("Re: Ann Lee, DOB March 4, 1950") */
                if (labels[i].key == L_DOB && q > p + n && date_at(q)) {
                        *ret_value = q;
                        return &labels[i];
                }
                /* A longer label of the table may still match. */
        }
        return NULL;
}

const Label *
rd_match_dash_label(const char *line, const char *p, const char **ret_value)
{
        if (p == line || p[-1] != ' ' || !g_ascii_isupper(*p))
                return NULL;
        for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
                gsize n = strlen(labels[i].text);
                const char *q = p + n;

                if (labels[i].key == L_STOP || g_ascii_strncasecmp(p, labels[i].text, n) != 0 ||
                    g_ascii_isalnum(*q))
                        continue;
                /* "BIRTH DATE - ", "CONTACT # - ", "M/F -M", "LAST/FIRST. - " */
                if (*q == '.')
                        q++;
                while (*q == ' ' || *q == '#')
                        q++;
                if (*q != '-' || q[1] == '-' || rd_line_is_blank(q + 1) || g_ascii_isdigit(q[1]))
                        continue;
                *ret_value = q + 1;
                return &labels[i];
        }
        return NULL;
}

char *
rd_trim_value(const char *s, gsize len)
{
        g_autofree char *v = g_strndup(s, len);
        /* "#" too: "NPI ##: 123..." leaves one after the label */
        const char *junk = " \t.,;:#'\"|_-\u2014";
        char *start = v;
        gsize l;

        while (*start && (strchr(junk, *start) || (unsigned char)*start >= 0x80)) {
                if ((unsigned char)*start >= 0x80) {
                        gunichar c = g_utf8_get_char_validated(start, -1);

                        if (c == (gunichar)-1 || c == (gunichar)-2 || g_unichar_isalpha(c))
                                break;
                        /* a section sign before a digit is a misread 5 */
                        if (c == 0xa7 && g_ascii_isdigit(start[2]))
                                break;
                        start = g_utf8_next_char(start);
                        continue;
                }
                start++;
        }
        l = strlen(start);
        while (l > 0 && strchr(" \t,;:'\"|_-", start[l - 1]))
                l--;
        return g_strndup(start, l);
}

/* Edit distance of two short lowercase strings (at most 31 bytes each). */
guint
rd_edit_distance(const char *a, const char *b)
{
        gsize na = strlen(a), nb = strlen(b);
        guint row[32], prev;

        if (na > 31 || nb > 31)
                return G_MAXUINT;
        for (gsize j = 0; j <= nb; j++)
                row[j] = (guint)j;
        for (gsize i = 1; i <= na; i++) {
                prev = row[0];
                row[0] = (guint)i;
                for (gsize j = 1; j <= nb; j++) {
                        guint cur = row[j];

                        row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), prev + (a[i - 1] != b[j - 1]));
                        prev = cur;
                }
        }
        return row[nb];
}

gboolean
rd_line_is_blank(const char *l)
{
        for (; *l; l++)
                if (g_ascii_isalnum(*l))
                        return FALSE;
        return TRUE;
}

/* Does @l open with one of the label texts, followed by nothing, a
 * space, a colon or '#'?  With @whole, the label must be all of it. */
static gboolean
opens_with_label_text(const char *l, gboolean whole)
{
        g_autofree char *low = g_ascii_strdown(l, -1);
        gsize n = strlen(g_strstrip(low));

        /* "Phone:", "MRN #", and a form's "Practice -" before its value
         * column */
        while (whole && n > 0 && (low[n - 1] == ':' || low[n - 1] == '#' || low[n - 1] == ' ' ||
                                  (low[n - 1] == '-' && n >= 2 && low[n - 2] == ' ')))
                low[--n] = '\0';
        for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
                gsize t = strlen(labels[i].text);

                if (strncmp(low, labels[i].text, t) != 0)
                        continue;
                if (whole ? low[t] == '\0' : (low[t] == '\0' || low[t] == ' ' || low[t] == ':' || low[t] == '#'))
                        return TRUE;
        }
        return FALSE;
}

/* "Collected:" alone on its line: a label without its value; or a label
 * of the table written without its colon ("PATIENT NAME", "DOB"), as a
 * text layer gives a table's label column. */
static gboolean
is_bare_label(const char *l)
{
        const char *vstart;
        gsize len, words = 1;

        while (*l == ' ')
                l++;
        if (rd_match_label(l, l, &vstart))
                return rd_line_is_blank(vstart);
        if (opens_with_label_text(l, TRUE))
                return TRUE;
        len = strlen(l);
        while (len > 0 && l[len - 1] == ' ')
                len--;
        if (len < 3 || len > 30 || l[len - 1] != ':' || !g_ascii_isalpha(l[0]))
                return FALSE;
        for (gsize i = 0; i + 1 < len; i++) {
                if (l[i] == ' ')
                        words++;
                /* a name with its credential ("Ann Lee, D.O:", OCR's
                 * colon for a period) signs a page: it labels nothing */
                if (l[i] == ':' || (l[i] == ',' && l[i + 1] == ' '))
                        return FALSE;
        }
        return words <= 4;
}

/* A label of a table's label column as it is written before its value:
 * without its spaces and the dash some forms put after every label
 * ("Practice -"). */
static char *
column_label(const char *raw)
{
        char *lab = g_strstrip(g_strdup(raw));
        gsize n = strlen(lab);

        if (n >= 3 && lab[n - 1] == '-' && lab[n - 2] == ' ') {
                lab[n - 1] = '\0';
                g_strchomp(lab);
        }
        return lab;
}

/* Does @line open with a label and its value ("Urgency: Routine")? */
static gboolean
starts_with_label(const char *line)
{
        g_autofree char *low = g_ascii_strdown(line, -1);
        const char *t = low, *v;

        while (*t == ' ')
                t++;
        return rd_match_label(t, t, &v) != NULL;
}

/* A table's column heading on a line of its own ("Value", "Details",
 * "Provider"): one or two words of letters, no colon. */
static gboolean
is_column_heading(const char *line)
{
        guint words = 0;
        gsize len = 0;

        for (const char *q = line; *q; q++, len++) {
                if (*q == ' ')
                        continue;
                if (!g_ascii_isalpha(*q))
                        return FALSE;
                if (q == line || q[-1] == ' ')
                        words++;
        }
        return words >= 1 && words <= 2 && len <= 20;
}

/* A line that may be a label the table does not know ("F", "Acct No"):
 * one to three short words, no digit, no colon inside. */
static gboolean
is_label_like(const char *l)
{
        guint words = 0;
        gsize len = 0;

        while (*l == ' ')
                l++;
        for (const char *q = l; *q; q++, len++) {
                if (g_ascii_isdigit(*q) || (*q == ':' && q[1] != '\0'))
                        return FALSE;
                if (*q != ' ' && (q == l || q[-1] == ' '))
                        words++;
        }
        return words >= 1 && words <= 3 && len <= 20 && g_ascii_isupper(*l);
}

/* The headings a table puts over its value column. */
static gboolean
is_value_heading(const char *l)
{
        static const char *const words[] = { "value", "values", "details", "detail", "information", "info",
                                             "data", "entry", "response", "answer" };
        g_autofree char *low = g_ascii_strdown(l, -1);

        g_strstrip(low);
        for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
                if (strcmp(low, words[i]) == 0)
                        return TRUE;
        return FALSE;
}

/* How well @value fits the label on @label_line: +1 when its shape is the
 * label's (ten digits for an NPI, a phone number, a date, a name without
 * digits, a sex), -1 when it is not, 0 when the label says nothing. */
static int
value_fits(const char *label_line, const char *value)
{
        g_autofree char *with_colon = NULL;
        const char *v;
        const Label *lab;
        guint digits = 0, letters = 0, others = 0;

        {
                g_autofree char *lab = column_label(label_line);

                with_colon = g_strdup_printf("%s:", lab);
        }
        {
                /* "PHONE" "NPI #" "D.O.B." as written, with a colon put after */
                gsize n = strlen(with_colon);

                while (n >= 2 && (with_colon[n - 2] == ':' || with_colon[n - 2] == '#' || with_colon[n - 2] == ' ')) {
                        with_colon[n - 2] = ':';
                        with_colon[--n] = '\0';
                }
        }
        {
                g_autofree char *low = g_ascii_strdown(with_colon, -1);

                /* a label names its field last ("Provider NPI" is an NPI,
                 * "Patient Phone" a phone): the last label that starts a
                 * word */
                lab = NULL;
                for (const char *p = low; *p; p++) {
                        const Label *at;

                        if (p > low && p[-1] != ' ')
                                continue;
                        if ((at = rd_match_label(low, p, &v)) != NULL)
                                lab = at;
                }
        }
        if (lab == NULL)
                return 0;
        for (const char *q = value; *q; q++) {
                digits += g_ascii_isdigit(*q) != 0;
                letters += g_ascii_isalpha(*q) != 0;
                others += !g_ascii_isalnum(*q) && *q != ' ';
        }
        switch (lab->key) {
        case L_NPI:
                /* ten digits as one number, never written like a phone's */
                return digits == 10 && letters == 0 && others == 0 ? 1 : -1;
        case L_PHONE:
        case L_FAX:
                return digits >= 10 && digits <= 11 && letters == 0 ? 1 : -1;
        case L_DOB: {
                const char *a, *b;
                g_autofree char *d = rd_find_date(value, &a, &b);

                return d != NULL ? 1 : -1;
        }
        case L_NAME:
        case L_PATIENT:
        case L_PROVIDER:
        case L_FAMILY:
        case L_GIVEN:
        case L_NAME_LF:
                return digits == 0 && letters >= 2 ? 1 : -1;
        case L_PRACTICE:
                /* a practice is named in words; a number alone is the
                 * phone of the row below */
                return letters >= 3 && digits == 0 ? 1 : letters == 0 && digits >= 7 ? -1 : 0;
        case L_SEX: {
                g_autofree char *low = g_ascii_strdown(value, -1);

                g_strstrip(low);
                return strcmp(low, "m") == 0 || strcmp(low, "f") == 0 || strcmp(low, "male") == 0 ||
                       strcmp(low, "female") == 0 || strcmp(low, "u") == 0 || strcmp(low, "x") == 0 ? 1 : -1;
        }
        default:
                return 0;
        }
}

/* A form's row of options ("Priority [ ] Routine [X] Urgent"): two words
 * or more with a box before them. It follows a table, never stands in its
 * value column. */
static gboolean
is_option_row(const char *l)
{
        guint boxed = 0;

        for (const char *p = l; *p; p++)
                if (g_ascii_isalpha(*p) && p > l && !g_ascii_isalnum(p[-1]) &&
                    rd_checkbox_before(l, p) != RD_BOX_NONE)
                        boxed++;
        return boxed >= 2;
}

/* Pairs the label column @lines[@i, @i + @run) with the values from @j:
 * up to a blank line, a label, a row of options, a heading or the end. When the run has one
 * or two lines more than there are values, its first lines were headings,
 * and the values' shapes (a date under DOB, ten digits under NPI) must
 * agree; @late, the line before @j, may be the run's last label (its first
 * line then the table's heading). Returns whether they pair, with the
 * count of values, the headings skipped, whether @late is used and how
 * well the values fit. */
static gboolean
align_columns(char **lines, guint n, guint i, guint run, guint j, const char *late,
              guint *ret_vals, guint *ret_skip, gboolean *ret_late, int *ret_fit)
{
        guint k, vals, skip;

        *ret_vals = *ret_skip = 0;
        *ret_late = FALSE;
        *ret_fit = 0;
        for (k = j, vals = 0; k < n && vals < run; k++, vals++) {
                const char *l = lines[k];

                while (*l == ' ')
                        l++;
                /* a line with a box is the form's options ("Priority
                 * [ ] Routine", its other options wrapped below), no
                 * value of the column */
                if (rd_line_is_blank(l) || is_bare_label(l) || starts_with_label(l) ||
                    is_option_row(l) || rd_holds_checkbox(l))
                        break;
        }
        if (vals > 0 && k < n && !rd_line_is_blank(lines[k])) {
                const char *l = lines[k];
                gboolean heading = TRUE;

                /* an upper-case heading (a text layer drops blank
                 * lines), a section heading, the next table's
                 * heading with its labels under it, a label with its
                 * value, a line that opens with a label, or a row of
                 * options */
                for (const char *q = l; *q; q++)
                        if (g_ascii_islower(*q))
                                heading = FALSE;
                if (!is_bare_label(l) && !(heading && strlen(l) > 8) &&
                    rd_heading_section(l) == SEC_NONE &&
                    !(is_column_heading(l) && k + 1 < n && is_bare_label(lines[k + 1])) &&
                    !starts_with_label(l) && !opens_with_label_text(l, FALSE) && !is_option_row(l))
                        vals = 0;
        }
        if (vals == 0 || vals > run || run - vals > 2)
                return FALSE;
        *ret_vals = vals;
        skip = run - vals;
        if (skip > 0) {
                /* the first lines were headings: the values must fit
                 * their labels better so */
                int shifted = 0, straight = 0;

                for (guint r = 0; r < vals; r++) {
                        shifted += value_fits(lines[i + skip + r], lines[j + r]);
                        straight += value_fits(lines[i + r], lines[j + r]);
                }
                *ret_skip = skip;
                *ret_fit = shifted;
                return shifted > 0 && shifted > straight;
        }
        {
                int fit = 0, headed = 0;

                for (guint r = 0; r < vals; r++)
                        fit += value_fits(lines[i + r], lines[j + r]);
                *ret_fit = fit;
                /* the values against the run's labels after its first */
                for (guint r = 0; r + 1 < vals; r++)
                        headed += value_fits(lines[i + 1 + r], lines[j + r]);
                /* or the run's first line was the table's heading and
                 * the line after the run its last label */
                if (late != NULL && vals >= 2) {
                        int late_fit = headed + value_fits(late, lines[j + vals - 1]);

                        if (late_fit > fit && late_fit > 0) {
                                *ret_late = TRUE;
                                *ret_fit = late_fit;
                                return TRUE;
                        }
                }
                /* or the run's first line was the table's heading
                 * ("Provider") and the line after its values is none of
                 * them (a stamp's word set in the flow: "URGENT") */
                if (vals >= 3) {
                        if (headed > fit && headed > 0) {
                                *ret_vals = vals - 1;
                                *ret_skip = 1;
                                *ret_fit = headed;
                                return TRUE;
                        }
                }
                return fit >= 0;
        }
}

/* Text layers sometimes give a column of labels, then a column of values
 * ("Name:\nSex:\n\nDoe, Jane\nFemale"), maybe under the table's column
 * headings ("Field / Value", "Provider"), with labels written with or
 * without their colons, some the table of labels does not know: pair
 * them back up.  A run of labels with as many values after it pairs one
 * to one; when the run has one or two lines more than there are values,
 * its first lines were headings, and the values' shapes (a date under
 * DOB, ten digits under NPI) must agree. */
char **
rd_realign_label_columns(char **lines)
{
        GPtrArray *out = g_ptr_array_new();
        guint n = g_strv_length(lines);

        for (guint i = 0; i < n;) {
                guint run = 0, known = 0, j, vals = 0, skip = 0;
                gboolean paired = FALSE, use_late = FALSE;
                const char *late = NULL;

                /* the label column: known labels, and label-like lines
                 * among them */
                while (i + run < n && (is_bare_label(lines[i + run]) ||
                                       (known > 0 && is_label_like(lines[i + run]) &&
                                        !is_value_heading(lines[i + run]) && i + run + 1 < n &&
                                        !rd_line_is_blank(lines[i + run + 1])))) {
                        known += is_bare_label(lines[i + run]);
                        run++;
                }
                /* label-like lines taken last are the value column's
                 * first values ("Dr. Ann Lee" after "Fax:"): only one
                 * between known labels is a label, or one written with
                 * its colon ("F:") */
                while (run > 0 && !is_bare_label(lines[i + run - 1]) &&
                       !g_str_has_suffix(lines[i + run - 1], ":"))
                        run--;
                if (run == 0 || known == 0) {
                        g_ptr_array_add(out, g_strdup(lines[i]));
                        i++;
                        continue;
                }
                j = i + run;
                while (j < n && rd_line_is_blank(lines[j]))
                        j++;
                /* the value column's heading, or a label the table does
                 * not know ("F") after the known ones; or, when it could
                 * be the first value ("Ann Lee" looks like a heading), the
                 * pairing whose values fit their labels better */
                if (j + 1 < n && (is_value_heading(lines[j]) || is_column_heading(lines[j])) &&
                    !rd_line_is_blank(lines[j + 1]) && !is_bare_label(lines[j + 1])) {
                        gboolean value_heading = is_value_heading(lines[j]);
                        guint vals2 = 0, skip2 = 0;
                        gboolean late2 = FALSE;
                        int fit = 0, fit2 = 0;

                        late = value_heading ? NULL : lines[j];
                        paired = align_columns(lines, n, i, run, j + 1, late, &vals, &skip,
                                               &use_late, &fit);
                        if (!value_heading &&
                            align_columns(lines, n, i, run, j, NULL, &vals2, &skip2, &late2, &fit2) &&
                            (!paired || fit2 > fit)) {
                                paired = TRUE;
                                vals = vals2;
                                skip = skip2;
                                use_late = late2;
                                late = NULL;
                        } else {
                                j++;
                        }
                } else {
                        int fit = 0;

                        paired = align_columns(lines, n, i, run, j, NULL, &vals, &skip, &use_late, &fit);
                }
                if (use_late) {
                        g_ptr_array_add(out, g_strdup(lines[i]));
                        for (guint r = 0; r < vals; r++) {
                                const char *raw = r + 1 < vals ? lines[i + 1 + r] : late;
                                g_autofree char *lab = column_label(raw);
                                gsize ll = strlen(lab);

                                g_ptr_array_add(out, g_strdup_printf(ll > 0 && lab[ll - 1] != ':' ? "%s: %s" : "%s %s",
                                                                     lab, lines[j + r]));
                        }
                        i = j + vals;
                        continue;
                }
                if (paired) {
                        for (guint r = 0; r < skip; r++)
                                g_ptr_array_add(out, g_strdup(lines[i + r]));
                        for (guint r = 0; r < vals; r++) {
                                g_autofree char *lab = column_label(lines[i + skip + r]);
                                gsize ll = strlen(lab);

                                /* a label written without its colon gets one */
                                if (ll > 0 && lab[ll - 1] != ':')
                                        g_ptr_array_add(out, g_strdup_printf("%s: %s", lab, lines[j + r]));
                                else
                                        g_ptr_array_add(out, g_strdup_printf("%s %s", lab, lines[j + r]));
                        }
                        i = j + vals;
                } else {
                        for (guint r = 0; r < run; r++)
                                g_ptr_array_add(out, g_strdup(lines[i + r]));
                        i += run;
                }
        }
        g_ptr_array_add(out, NULL);
        return (char **)g_ptr_array_free(out, FALSE);
}

/* "Sincerely,", "Thank you,", "Muchas gracias," - a short line that ends
 * a letter, before the signature. */
gboolean
rd_is_closing_line(const char *low)
{
        gsize len = strlen(low);

        while (len > 0 && low[len - 1] == ' ')
                len--;
        if (len == 0 || len > 24 || strpbrk(low, "0123456789:"))
                return FALSE;
        /* greetings open a letter, they do not close it */
        if (g_str_has_prefix(low, "dear") || g_str_has_prefix(low, "hi") ||
            g_str_has_prefix(low, "hello") || g_str_has_prefix(low, "good ") ||
            g_str_has_prefix(low, "to whom") || g_str_has_prefix(low, "buenos"))
                return FALSE;
        return g_str_has_prefix(low, "sincerely") || g_str_has_prefix(low, "regards") ||
               g_str_has_prefix(low, "best regards") || g_str_has_prefix(low, "kind regards") ||
               g_str_has_prefix(low, "respectfully") || low[len - 1] == ',';
}

/* "Referring Provider", "Referred by", alone or before a heading's word
 * ("Referring Provider Information"); with a name after it ("Referred by
 * Ann Lee", a table row without its colon) it is a label with its value. */
static gboolean
is_referrer_heading(const char *low)
{
        static const char *const heads[] = { "referring provider", "referring physician",
                                             "referring clinician", "referred by" };
        static const char *const words[] = { "information", "info", "details", "data", "contact" };

        for (gsize i = 0; i < G_N_ELEMENTS(heads); i++) {
                const char *rest = low + strlen(heads[i]);

                if (!g_str_has_prefix(low, heads[i]))
                        continue;
                while (*rest == ' ' || *rest == '/' || *rest == '-')
                        rest++;
                if (rd_line_is_blank(rest))
                        return TRUE;
                for (gsize w = 0; w < G_N_ELEMENTS(words); w++)
                        if (g_str_has_prefix(rest, words[w]))
                                return TRUE;
        }
        return FALSE;
}

/* A fax cover sheet's "To Example Cardiology" or "From Granite Falls
 * Medicine" with no colon: a party's name, the rows under it its
 * numbers. Only a short line, with no digit, whose next word is a
 * name's (a capital), and not a letter's "To Whom It May Concern". */
Section
rd_cover_sheet_party(const char *line, const char **ret_name)
{
        static const struct {
                const char *word;
                Section sec;
        } parties[] = { { "to ", SEC_RECIPIENT }, { "attn ", SEC_RECIPIENT }, { "from ", SEC_REFERRING } };

        while (*line == ' ')
                line++;
        if (strlen(line) > 40 || strpbrk(line, "0123456789:"))
                return SEC_NONE;
        for (gsize i = 0; i < G_N_ELEMENTS(parties); i++) {
                gsize n = strlen(parties[i].word);
                const char *name = line + n;

                if (g_ascii_strncasecmp(line, parties[i].word, n) != 0)
                        continue;
                while (*name == ' ')
                        name++;
                if (!g_ascii_isupper(*name) || g_ascii_strncasecmp(name, "whom", 4) == 0)
                        return SEC_NONE;
                if (ret_name != NULL)
                        *ret_name = name;
                return parties[i].sec;
        }
        return SEC_NONE;
}

Section
rd_heading_section(const char *line)
{
        g_autofree char *l = g_ascii_strdown(line, -1);

        g_strstrip(l);
        if (strlen(l) > 40)
                return SEC_NONE;
        /* "Referring Provider: Dr. Ann Lee" is a label with its value */
        {
                const char *colon = strchr(l, ':');

                if (colon && !rd_line_is_blank(colon + 1))
                        return SEC_NONE;
        }
        if (g_str_has_prefix(l, "patient information") || strcmp(l, "patient") == 0 ||
            g_str_has_prefix(l, "patient demographics"))
                return SEC_PATIENT;
        if (is_referrer_heading(l) ||
            g_str_has_prefix(l, "sincerely") || g_str_has_prefix(l, "thank you") ||
            g_str_has_prefix(l, "regards") || g_str_has_prefix(l, "best regards") ||
            rd_is_closing_line(l))
                return SEC_REFERRING;
        {
                Section party = rd_cover_sheet_party(line, NULL);

                if (party != SEC_NONE)
                        return party;
        }
        if (strcmp(l, "refer to") == 0 || g_str_has_prefix(l, "referred to") ||
            g_str_has_prefix(l, "emergency contact") || g_str_has_prefix(l, "guarantor"))
                return SEC_RECIPIENT;
        if (g_str_has_prefix(l, "referral details") || g_str_has_prefix(l, "diagnos") ||
            g_str_has_prefix(l, "records enclosed") || g_str_has_prefix(l, "comments") ||
            g_str_has_prefix(l, "encounter"))
                return SEC_OTHER;
        return SEC_NONE;
}

/* Does @line open as a form's row whose labels end in dashes, with a
 * label the table of labels may not know ("GUARANTOR # - 1147")? A
 * capital, at most four words, then a dash and a value. */
static gboolean
opens_dashed_row(const char *line)
{
        guint words = 0;

        while (*line == ' ')
                line++;
        if (!g_ascii_isupper(*line))
                return FALSE;
        for (const char *q = line; *q; q++) {
                if (*q != ' ' && (q == line || q[-1] == ' '))
                        words++;
                if (words > 4 || g_ascii_isdigit(*q))
                        return FALSE;
                if (q > line && q[-1] == ' ' && *q == '-' && q[1] != '-' && !rd_line_is_blank(q + 1))
                        return words >= 2 || q - line >= 4;
        }
        return FALSE;
}

void
rd_collect_values(char **lines, guint page, guint rank, GPtrArray *values)
{
        Section sec = SEC_NONE;

        for (guint i = 0; lines[i]; i++) {
                const char *line = lines[i];
                Section h = rd_heading_section(line);
                const Label *cur = NULL;
                const char *cur_value = NULL;
                gboolean cur_is_dash = FALSE; /* the row's labels end in dashes */
                gboolean dashed_row = opens_dashed_row(line);

                if (h != SEC_NONE) {
                        sec = h;
                        continue;
                }
                for (const char *p = line;; p++) {
                        const char *vstart = NULL;
                        const Label *lab = *p ? rd_match_label(line, p, &vstart) : NULL;

                        /* a form's second column on the same row, its
                         * label after the first one's value with a dash
                         * ("GUARANTOR # - 1147 BIRTH DATE - 30-Sep-1936") */
                        if (lab == NULL && *p && (cur != NULL ? cur_is_dash : dashed_row))
                                lab = rd_match_dash_label(line, p, &vstart);

                        if (*p && lab == NULL)
                                continue;
                        if (cur) {
                                Value *v = g_new0(Value, 1);

                                v->key = cur->key;
                                v->section = sec;
                                v->value = rd_trim_value(cur_value, (gsize)(p - cur_value));
                                v->page = page;
                                v->line = i;
                                v->rank = rank;
                                g_ptr_array_add(values, v);
                        }
                        if (*p == '\0')
                                break;
                        if (lab->implies != SEC_NONE)
                                sec = lab->implies;
                        cur = lab;
                        cur_value = vstart;
                        {
                                const char *d = vstart;

                                while (d > p && d[-1] == ' ')
                                        d--;
                                cur_is_dash = d > p && d[-1] == '-';
                        }
                        p = vstart - 1;
                }
        }
}
