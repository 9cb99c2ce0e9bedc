/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Person names: credentials, titles, family and given. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "names.h"

/* Whether @w is one of the @n lowercase @words, in any case. */
static gboolean
word_in(const char *w, const char *const *words, gsize n)
{
        for (gsize i = 0; i < n; i++)
                if (g_ascii_strcasecmp(w, words[i]) == 0)
                        return TRUE;
        return FALSE;
}

static gboolean
is_credential(const char *w)
{
        static const char *const creds[] = {
                "md", "do", "np", "pa", "pac", "fnp", "fnpc", "fnpbc", "anp", "dnp", "aprn", "rn",
                "mbbs", "facc", "facp", "phd", "mph", "agnp", "cnp", "msn", "facs", "faafp", "dr",
                "mr", "mrs", "ms", "miss", "doctor", "dra", "jr", "sr", "ii", "iii", "crnp", "bc",
        };
        char buf[16];
        gsize n = 0;

        for (const char *p = w; *p && n < sizeof(buf) - 1; p++)
                if (g_ascii_isalpha(*p))
                        buf[n++] = g_ascii_tolower(*p);
        buf[n] = '\0';
        if (n == 0)
                return TRUE;
        /* "PA-C", "NP-C" with the certifying letter misread ("PA-G"): two
         * capitals, a hyphen, one capital is a credential's shape, not a
         * name's */
        if (strlen(w) == 4 && g_ascii_isupper(w[0]) && g_ascii_isupper(w[1]) && w[2] == '-' &&
            g_ascii_isupper(w[3]))
                return TRUE;
        return word_in(buf, creds, G_N_ELEMENTS(creds));
}

/* A word of an organisation's name: a value that holds one is a
 * practice, a clinic or a hospital ("Lakeside Health Center"), never
 * a person. */
static gboolean
is_organisation_word(const char *w)
{
        static const char *const words[] = {
                "medicine", "medical", "health", "healthcare", "clinic", "clinics", "care", "group",
                "associates", "physicians", "center", "centre", "hospital", "family", "internal",
                "partners", "wellness", "primary", "community", "institute", "pllc",
                "llc", "inc",
        };

        return word_in(w, words, G_N_ELEMENTS(words));
}

/* A word of a form's label next to the name, in the same cell or row
 * ("Referring Provider", "Physician Ann Lee"): not the name's. */
static gboolean
is_label_word(const char *w)
{
        static const char *const words[] = {
                "referring", "referred", "provider", "physician", "pcp", "ordering", "npi",
                "phone", "fax", "tel", "by", "name", "patient", "practice",
        };

        return word_in(w, words, G_N_ELEMENTS(words));
}

static gboolean
is_name_word(const char *w)
{
        glong letters = 0;

        for (const char *p = w; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                if (g_unichar_isalpha(c))
                        letters++;
                else if (c != '\'' && c != '-' && c != '.' && c != 0x2019)
                        return FALSE;
        }
        return letters >= 1;
}

/* Do the letter @w and the next word @next spell a credential, its dot
 * misread ("D,O." came apart as "D," and "O.", "M:-D." as "M" and
 * "-D.")? */
static gboolean
spelt_credential(const char *w, const char *next)
{
        char two[3];
        gsize n;

        if (next == NULL || strlen(w) != 1 || !g_ascii_isalpha(w[0]))
                return FALSE;
        /* and specks either side of its letter ("M:-D.") */
        while (*next == '-' || *next == '.' || *next == ',')
                next++;
        n = strlen(next);
        while (n > 0 && (next[n - 1] == '.' || next[n - 1] == ','))
                n--;
        if (n != 1 || !g_ascii_isalpha(next[0]))
                return FALSE;
        two[0] = w[0];
        two[1] = next[0];
        two[2] = '\0';
        return is_credential(two);
}

/* A title OCR damaged in front of a name: two letters, the second an r
 * ("Or", "Br" for "Dr"; no given name has that shape). */
static gboolean
title_misread(const char *w)
{
        return strlen(w) == 2 && (w[1] == 'r' || w[1] == 'R') && strchr("DOBP", w[0]);
}

/* "DOE" -> "Doe", "DOE-ROE" -> "Doe-Roe"; mixed case is kept. */
char *
rd_name_case(const char *w)
{
        gboolean has_lower = FALSE;
        GString *s;
        gboolean start = TRUE;

        for (const char *p = w; *p; p = g_utf8_next_char(p))
                if (g_unichar_islower(g_utf8_get_char(p)))
                        has_lower = TRUE;
        if (has_lower)
                return g_strdup(w);
        s = g_string_new(NULL);
        for (const char *p = w; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                g_string_append_unichar(s, start ? g_unichar_toupper(c) : g_unichar_tolower(c));
                start = !g_unichar_isalpha(c);
        }
        return g_string_free(s, FALSE);
}

gboolean
rd_split_person_name(const char *raw, char **ret_family, char **ret_given)
{
        g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *s = g_strdup(raw);
        g_auto(GStrv) parts = NULL;
        gint comma_after = -1;  /* index of the word a comma follows */

        g_strdelimit(s, "\t|;:\"", ' ');
        {
                /* "Doe,Jane" */
                g_autoptr(GString) spaced = g_string_new(NULL);

                for (const char *p = s; *p; p++) {
                        g_string_append_c(spaced, *p);
                        if (*p == ',')
                                g_string_append_c(spaced, ' ');
                }
                parts = g_strsplit(spaced->str, " ", -1);
        }
        for (guint i = 0; parts[i]; i++) {
                char *w = parts[i];
                gboolean comma = FALSE;
                gsize len = strlen(w);

                while (len > 0 && (w[len - 1] == ',' || w[len - 1] == '.')) {
                        if (w[len - 1] == ',')
                                comma = TRUE;
                        w[--len] = '\0';
                }
                if (*w == '\0') {
                        if (comma && words->len > 0 && comma_after < 0)
                                comma_after = (gint)words->len - 1;
                        continue;
                }
                if (strpbrk(w, "0123456789")) {
                        if (words->len > 0)
                                break;
                        return FALSE;
                }
                if (is_credential(w) || spelt_credential(w, parts[i + 1])) {
                        /* Credentials end the name ("Jane Doe, MD NPI"). */
                        if (words->len > 0)
                                break;
                        continue;
                }
                if (is_organisation_word(w))
                        return FALSE;
                /* a label's words before the name are skipped, and after
                 * it end it ("Leah Kaplan Practice" is a row's next cell) */
                if (is_label_word(w)) {
                        if (words->len > 0)
                                break;
                        continue;
                }
                /* OCR reads a capital I as l: a name word that opens with a
                 * lower-case l and a consonant (or "ly") opens with I. */
                if (w[0] == 'l' && g_ascii_isalpha(w[1]) && !strchr("aeiouy", w[1]))
                        w[0] = 'I';
                else if (w[0] == 'l' && w[1] == 'y')
                        w[0] = 'I';
                if (!is_name_word(w) || !g_unichar_isupper(g_utf8_get_char(w))) {
                        if (words->len > 0)
                                break;
                        return FALSE;
                }
                g_ptr_array_add(words, g_strdup(w));
                if (comma && comma_after < 0)
                        comma_after = (gint)words->len - 1;
        }
        if (words->len < 2)
                return FALSE;
        /* "Given Family, X ...": one letter after the comma is no given
         * name but a credential OCR broke ("Yuki Brandt, N Pp") */
        if (comma_after >= 1 && comma_after < (gint)words->len - 1 &&
            g_utf8_strlen(g_ptr_array_index(words, comma_after + 1), -1) == 1) {
                g_ptr_array_set_size(words, comma_after + 1);
                comma_after = -1;
        }
        if (comma_after >= 0 && comma_after < (gint)words->len - 1) {
                /* "Family, Given [Middle]" */
                g_autoptr(GString) fam = g_string_new(NULL);

                for (gint i = 0; i <= comma_after; i++) {
                        if (i)
                                g_string_append_c(fam, ' ');
                        g_string_append(fam, g_ptr_array_index(words, i));
                }
                *ret_family = rd_name_case(fam->str);
                *ret_given = rd_name_case(g_ptr_array_index(words, comma_after + 1));
                return TRUE;
        }
        /* "Dr." that OCR read as "Or" or "Br": a word before two more
         * that is no given name */
        if (words->len >= 3 && title_misread(g_ptr_array_index(words, 0)))
                g_ptr_array_remove_index(words, 0);
        {
                /* "Given [M.] Family"; "Mary Ann Smith" keeps "Mary Ann". */
                const char *family = g_ptr_array_index(words, words->len - 1);
                g_autoptr(GString) given = g_string_new(NULL);

                for (guint i = 0; i + 1 < words->len; i++) {
                        const char *w = g_ptr_array_index(words, i);

                        if (i > 0 && g_utf8_strlen(w, -1) < 2)
                                continue;
                        if (given->len)
                                g_string_append_c(given, ' ');
                        g_string_append(given, w);
                }
                if (g_utf8_strlen(family, -1) < 2 || g_utf8_strlen(given->str, -1) < 2)
                        return FALSE;
                *ret_family = rd_name_case(family);
                *ret_given = rd_name_case(given->str);
        }
        return TRUE;
}
