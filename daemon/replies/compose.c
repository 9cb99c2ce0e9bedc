/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a reply says and how it is written: templates, the missing items
 * in plain words, the RFC 5322 message, the one-page fax PDF. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <string.h>

#include "parsers/fields/dates.h"
#include "compose.h"

G_DEFINE_QUARK(rd-reply-error-quark, rd_reply_error)

/* Text from a document or a header: printable characters only, white
 * space collapsed to single spaces (no line breaks). */
static char *
clean_line(const char *s)
{
        GString *out = g_string_new(NULL);
        gboolean space = FALSE;

        if (s == NULL || !g_utf8_validate(s, -1, NULL))
                return g_string_free(out, FALSE);
        for (const char *p = s; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                if (g_unichar_isspace(c) || g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029) {
                        space = out->len > 0;
                        continue;
                }
                if (!g_unichar_isprint(c))
                        continue;
                if (space)
                        g_string_append_c(out, ' ');
                space = FALSE;
                g_string_append_unichar(out, c);
        }
        return g_string_free(out, FALSE);
}

static const char *
panel_words(const char *panel)
{
        static const char *const map[][2] = {
                { "bmp", "basic metabolic panel" }, { "cmp", "comprehensive metabolic panel" },
                { "lipid", "lipid panel" },          { "bnp", "BNP" },
                { "troponin", "troponin" },          { "cbc", "CBC" },
                { "a1c", "HbA1c" },                  { "tsh", "TSH" },
                { "inr", "INR" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(map); i++)
                if (strcmp(panel, map[i][0]) == 0)
                        return map[i][1];
        return NULL;
}

char *
rd_reply_missing_words(const RdMissingItem *m, guint days, RdDateStyle style)
{
        static const char *const docs[][2] = {
                { "ekg", "12-lead EKG" },
                { "clinical_notes", "recent clinical notes (office visit note)" },
                { "echo", "echocardiogram report" },
                { "stress_test", "stress test report" },
                { "med_list", "current medication list" },
                { "ambulatory_monitor", "Holter or event monitor report" },
                { "imaging", "imaging report" },
                { "discharge_summary", "hospital discharge summary" },
                { "insurance", "insurance information" },
                { "referral_form", "signed referral form" },
                { "cover_sheet", "cover sheet" },
        };
        g_autofree char *item = clean_line(m->item);

        if (strcmp(item, "labs") == 0) {
                if (m->why == RD_MISSING_LABS_TOO_OLD && m->date_found) {
                        g_autofree char *date = rd_reply_date_words(m->date_found, style);

                        return g_strdup_printf("labs within the last %u days (the most recent we received are dated %s)",
                                               days, date);
                }
                if (m->why == RD_MISSING_LABS_UNDATED)
                        return g_strdup_printf("labs within the last %u days (the lab report we received has no "
                                               "readable date)", days);
                return g_strdup_printf("labs within the last %u days", days);
        }
        if (g_str_has_prefix(item, "labs:")) {
                const char *words = panel_words(item + 5);

                return g_strdup_printf("a %s result within the last %u days", words ? words : item + 5, days);
        }
        for (gsize i = 0; i < G_N_ELEMENTS(docs); i++)
                if (strcmp(item, docs[i][0]) == 0)
                        return g_strdup(docs[i][1]);
        return g_strdup(item);
}

char *
rd_reply_date_words(const char *iso, RdDateStyle style)
{
        static const char *const months[] = { "January", "February", "March",     "April",   "May",      "June",
                                              "July",    "August",   "September", "October", "November", "December" };
        GDate date;
        guint y, m, d;

        if (!rd_iso_date(iso, &date))
                return clean_line(iso);
        y = g_date_get_year(&date);
        m = g_date_get_month(&date);
        d = g_date_get_day(&date);
        switch (style) {
        case RD_DATE_STYLE_ISO:
                return g_strdup_printf("%04u-%02u-%02u", y, m, d);
        case RD_DATE_STYLE_LONG:
                return g_strdup_printf("%s %u, %u", months[m - 1], d, y);
        case RD_DATE_STYLE_US:
        default:
                return g_strdup_printf("%02u/%02u/%04u", m, d, y);
        }
}

/* The check itself is the configuration's (daemon/config/replies.c), so
 * that a bad template is refused when the file is loaded. */
gboolean
rd_reply_template_check(const char *template, GError **error)
{
        g_autofree char *problem = NULL;

        if (rd_reply_template_valid(template, &problem))
                return TRUE;
        g_set_error_literal(error, RD_REPLY_ERROR, RD_REPLY_ERROR_TEMPLATE, problem);
        return FALSE;
}

static char *
initials(const RdReplyVars *v)
{
        GString *s = g_string_new(NULL);
        const char *parts[2] = { v->patient_given, v->patient_family };

        for (int i = 0; i < 2; i++) {
                g_autofree char *c = clean_line(parts[i]);

                if (*c) {
                        g_string_append_unichar(s, g_unichar_toupper(g_utf8_get_char(c)));
                        g_string_append_c(s, '.');
                }
        }
        return g_string_free(s, FALSE);
}

static char *
patient_words(const RdReplyVars *v)
{
        g_autofree char *ini = NULL;
        g_autofree char *dob = rd_reply_date_words(v->patient_dob, v->date_style);

        if (v->patient_detail == RD_PATIENT_DETAIL_NONE)
                return g_strdup("the patient");
        ini = initials(v);
        if (v->patient_detail == RD_PATIENT_DETAIL_INITIALS)
                return *ini ? g_strdup_printf("patient %s", ini) : g_strdup("the patient");
        if (*ini && *dob)
                return g_strdup_printf("patient %s, born %s", ini, dob);
        if (*ini)
                return g_strdup_printf("patient %s", ini);
        if (*dob)
                return g_strdup_printf("the patient born %s", dob);
        return g_strdup("the patient");
}

static char *
how_words(const RdReplyVars *v)
{
        g_autofree char *ref = clean_line(v->reference);
        g_autofree char *fax = clean_line(v->our_fax);
        g_autofree char *from = clean_line(v->our_email);

        if (v->by_email)
                return *fax ? g_strdup_printf("Reply to this email with the documents attached and keep the reference %s"
                                              " in the subject, or fax them to %s with the reference on the cover"
                                              " sheet.", ref, fax)
                            : g_strdup_printf("Reply to this email with the documents attached and keep the reference %s"
                                              " in the subject.", ref);
        if (*fax)
                return g_strdup_printf("Fax them to %s with the reference %s on the cover sheet.", fax, ref);
        return g_strdup_printf("Send them to %s with the reference %s in the subject.", from, ref);
}

char *
rd_reply_render(const char *template, const RdReplyVars *v, GError **error)
{
        GString *out = g_string_new(NULL);

        if (!rd_reply_template_check(template, error)) {
                g_string_free(out, TRUE);
                return NULL;
        }
        for (const char *p = template; *p; p++) {
                const char *close;
                g_autofree char *name = NULL, *value = NULL;

                if (*p != '{') {
                        g_string_append_c(out, *p);
                        continue;
                }
                close = strchr(p, '}');
                name = g_strndup(p + 1, close - p - 1);
                p = close;
                if (strcmp(name, "reference") == 0) {
                        value = clean_line(v->reference);
                } else if (strcmp(name, "received") == 0) {
                        value = rd_reply_date_words(v->received, v->date_style);
                        if (*value == '\0') {
                                g_free(value);
                                value = g_strdup("recently");
                        }
                } else if (strcmp(name, "patient") == 0) {
                        value = patient_words(v);
                } else if (strcmp(name, "missing") == 0) {
                        GString *m = g_string_new(NULL);
                        g_autoptr(GString) panels = g_string_new(NULL);
                        gboolean labs = FALSE;

                        /* "labs" and "labs:bnp" both missing read as one line:
                         * "labs within the last 90 days, including BNP" */
                        for (guint i = 0; v->missing && i < v->missing->len; i++) {
                                const RdMissingItem *mi = v->missing->pdata[i];

                                labs |= g_strcmp0(mi->item, "labs") == 0;
                        }
                        for (guint i = 0; v->missing && i < v->missing->len; i++) {
                                const RdMissingItem *mi = v->missing->pdata[i];
                                const char *pw;

                                if (labs && mi->item && g_str_has_prefix(mi->item, "labs:") &&
                                    (pw = panel_words(mi->item + 5)) != NULL)
                                        g_string_append_printf(panels, "%s%s", panels->len ? " and " : "", pw);
                        }
                        for (guint i = 0; v->missing && i < v->missing->len; i++) {
                                const RdMissingItem *mi = v->missing->pdata[i];
                                g_autofree char *w = NULL;

                                if (labs && mi->item && g_str_has_prefix(mi->item, "labs:") &&
                                    panel_words(mi->item + 5) != NULL)
                                        continue;
                                w = rd_reply_missing_words(mi, v->labs_max_age_days, v->date_style);
                                if (g_strcmp0(mi->item, "labs") == 0 && panels->len) {
                                        /* before any parenthesis about dates */
                                        char *paren = strstr(w, " (");
                                        g_autofree char *tail = g_strdup(paren ? paren : "");

                                        if (paren)
                                                *paren = '\0';
                                        g_string_append_printf(m, "%s- %s, including %s%s", m->len ? "\n" : "", w,
                                                               panels->str, tail);
                                } else {
                                        g_string_append_printf(m, "%s- %s", m->len ? "\n" : "", w);
                                }
                        }
                        if (m->len == 0)
                                g_string_append(m, "- (nothing)");
                        value = g_string_free(m, FALSE);
                } else if (strcmp(name, "how") == 0) {
                        value = how_words(v);
                } else if (strcmp(name, "practice") == 0) {
                        value = clean_line(v->practice);
                } else if (strcmp(name, "fax") == 0) {
                        value = clean_line(v->our_fax);
                } else {
                        value = clean_line(v->our_email);
                }
                g_string_append(out, value);
        }
        return g_string_free(out, FALSE);
}

char *
rd_mail_new_message_id(const char *from_addr, gint64 outbox_id)
{
        const char *at = from_addr ? strrchr(from_addr, '@') : NULL;

        return g_strdup_printf("rd.%" G_GINT64_FORMAT ".%08x%08x@%s", outbox_id, g_random_int(), g_random_int(),
                               at && at[1] ? at + 1 : "localhost");
}

/* A Message-ID we may print between < and >. */
static gboolean
safe_id(const char *id)
{
        if (id == NULL || *id == '\0' || strlen(id) > 250)
                return FALSE;
        for (const char *p = id; *p; p++)
                if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f || *p == '<' || *p == '>')
                        return FALSE;
        return TRUE;
}

static gboolean
is_ascii(const char *s)
{
        for (; *s; s++)
                if ((guchar)*s >= 0x80)
                        return FALSE;
        return TRUE;
}

/* RFC 2047 B encoded words of at most 75 characters, split on character
 * boundaries, separated by CRLF SP (folding). */
static void
append_encoded(GString *out, const char *text)
{
        const char *p = text;
        gboolean first = TRUE;

        while (*p) {
                const char *q = p;
                g_autofree char *b64 = NULL;

                /* 45 bytes of UTF-8 -> 60 base64 characters + 12 of wrapping */
                while (*q && g_utf8_next_char(q) - p <= 45)
                        q = g_utf8_next_char(q);
                if (q == p)
                        q = g_utf8_next_char(q);
                b64 = g_base64_encode((const guchar *)p, q - p);
                g_string_append_printf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64);
                first = FALSE;
                p = q;
        }
}

/* Header text: control characters gone, at most @max characters, encoded
 * when not ASCII. */
static void
append_text_header(GString *out, const char *name, const char *value, glong max)
{
        g_autofree char *clean = clean_line(value);
        g_autofree char *cut = NULL;

        if (g_utf8_strlen(clean, -1) > max)
                cut = g_utf8_substring(clean, 0, max);
        g_string_append_printf(out, "%s: ", name);
        if (is_ascii(cut ? cut : clean)) {
                /* fold long ASCII lines at spaces, so no line passes 998 */
                const char *s = cut ? cut : clean;
                gsize col = strlen(name) + 2;

                for (const char *p = s; *p; p++) {
                        if (*p == ' ' && col > 70) {
                                g_string_append(out, "\r\n");
                                col = 0;
                        }
                        g_string_append_c(out, *p);
                        col++;
                }
        } else {
                append_encoded(out, cut ? cut : clean);
        }
        g_string_append(out, "\r\n");
}

static void
append_qp(GString *out, const char *text)
{
        gsize col = 0;

        for (const guchar *p = (const guchar *)text; *p; p++) {
                gboolean last_on_line = p[1] == '\0' || p[1] == '\n';

                if (*p == '\n') {
                        g_string_append(out, "\r\n");
                        col = 0;
                        continue;
                }
                if (*p == '\r')
                        continue;
                if (col >= 72) {
                        g_string_append(out, "=\r\n");
                        col = 0;
                }
                if ((*p >= 33 && *p <= 126 && *p != '=') || (*p == ' ' && !last_on_line) ||
                    (*p == '\t' && !last_on_line)) {
                        /* a dot alone at a line start is fine in QP; SMTP dot-stuffing is curl's */
                        g_string_append_c(out, (char)*p);
                        col++;
                } else {
                        g_string_append_printf(out, "=%02X", *p);
                        col += 3;
                }
        }
        g_string_append(out, "\r\n");
}

/* Plain text for people reading it in any mail program: a line longer
 * than width characters is broken at the last space before the width,
 * a list item ("- ...") goes on indented under its text, and a word
 * longer than the width (an address, a long reference) stays whole. */
static char *
wrap_text(const char *text, glong width)
{
        GString *out = g_string_new(NULL);
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

        for (guint i = 0; lines[i]; i++) {
                const char *rest = lines[i];
                const char *hang = g_str_has_prefix(rest, "- ") ? "  " : "";
                glong room = width;

                if (i > 0)
                        g_string_append_c(out, '\n');
                while (g_utf8_strlen(rest, -1) > room) {
                        const char *brk = NULL, *p = rest;

                        /* the last space with at most room characters before it */
                        for (glong n = 0; *p && n <= room; n++, p = g_utf8_next_char(p))
                                if (*p == ' ' && p > rest)
                                        brk = p;
                        if (brk == NULL)
                                brk = strchr(p, ' ');
                        if (brk == NULL)
                                break;
                        g_string_append_len(out, rest, brk - rest);
                        while (out->len > 0 && out->str[out->len - 1] == ' ')
                                g_string_truncate(out, out->len - 1);
                        while (*brk == ' ')
                                brk++;
                        if (*brk == '\0') {
                                rest = brk;
                                break;
                        }
                        g_string_append_printf(out, "\n%s", hang);
                        rest = brk;
                        room = width - (glong)strlen(hang);
                }
                g_string_append(out, rest);
        }
        return g_string_free(out, FALSE);
}

/* 7bit when the text is plain ASCII (the usual reply): it reads as it
 * is in any program and in a quoted answer; otherwise quoted-printable. */
static void
append_text_body(GString *out, const char *text)
{
        gboolean plain = TRUE;
        gsize col = 0;

        for (const guchar *p = (const guchar *)text; *p && plain; p++) {
                col = *p == '\n' ? 0 : col + 1;
                plain = (*p >= 0x20 && *p < 0x7f) || *p == '\n' || *p == '\t';
                plain = plain && col <= 998;
        }
        if (!plain) {
                g_string_append(out, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
                append_qp(out, text);
                return;
        }
        g_string_append(out, "Content-Transfer-Encoding: 7bit\r\n\r\n");
        for (const char *p = text; *p; p++) {
                if (*p == '\n')
                        g_string_append_c(out, '\r');
                g_string_append_c(out, *p);
        }
        g_string_append(out, "\r\n");
}

GBytes *
rd_mail_compose(const RdMailOut *m, GError **error)
{
        GString *out;
        g_autofree char *date = NULL;
        g_autoptr(GDateTime) dt = NULL;
        g_autofree char *boundary = NULL;
        g_autofree char *name = NULL;
        g_autofree char *body = NULL;

        if (!rd_mail_address_valid(m->from_addr) || !rd_mail_address_valid(m->to_addr)) {
                g_set_error(error, RD_REPLY_ERROR, RD_REPLY_ERROR_ADDRESS, "not a plain address (local@domain)");
                return NULL;
        }
        if (!safe_id(m->message_id)) {
                g_set_error(error, RD_REPLY_ERROR, RD_REPLY_ERROR_ADDRESS, "unusable Message-ID");
                return NULL;
        }
        out = g_string_new(NULL);
        name = clean_line(m->from_name);
        if (*name == '\0') {
                g_string_append_printf(out, "From: %s\r\n", m->from_addr);
        } else if (is_ascii(name)) {
                GString *q = g_string_new(NULL);

                for (const char *p = name; *p; p++) {
                        if (*p == '"' || *p == '\\')
                                g_string_append_c(q, '\\');
                        g_string_append_c(q, *p);
                }
                g_string_append_printf(out, "From: \"%s\" <%s>\r\n", q->str, m->from_addr);
                g_string_free(q, TRUE);
        } else {
                g_string_append(out, "From: ");
                append_encoded(out, name);
                g_string_append_printf(out, " <%s>\r\n", m->from_addr);
        }
        g_string_append_printf(out, "To: %s\r\n", m->to_addr);
        append_text_header(out, "Subject", m->subject, 200);
        dt = g_date_time_new_from_unix_utc(m->date_unix > 0 ? m->date_unix : g_get_real_time() / G_USEC_PER_SEC);
        date = g_date_time_format(dt, "%a, %d %b %Y %H:%M:%S +0000");
        g_string_append_printf(out, "Date: %s\r\n", date);
        g_string_append_printf(out, "Message-ID: <%s>\r\n", m->message_id);
        if (safe_id(m->in_reply_to))
                g_string_append_printf(out, "In-Reply-To: <%s>\r\n", m->in_reply_to);
        if (m->references) {
                gsize col = 0;
                gboolean any = FALSE;

                for (guint i = 0; m->references[i]; i++) {
                        if (!safe_id(m->references[i]))
                                continue;
                        if (!any) {
                                g_string_append(out, "References:");
                                col = 11;
                        } else if (col + strlen(m->references[i]) + 3 > 76) {
                                g_string_append(out, "\r\n");
                                col = 0;
                        }
                        g_string_append_printf(out, " <%s>", m->references[i]);
                        col += strlen(m->references[i]) + 3;
                        any = TRUE;
                }
                if (any)
                        g_string_append(out, "\r\n");
        }
        g_string_append(out, "Auto-Submitted: auto-replied\r\n");
        g_string_append(out, "X-Auto-Response-Suppress: All\r\n");
        g_string_append(out, "MIME-Version: 1.0\r\n");

        {
                g_autofree char *valid = g_utf8_make_valid(m->body ? m->body : "", -1);

                body = wrap_text(valid, RD_MAIL_WIDTH);
        }
        if (m->pdf == NULL) {
                g_string_append(out, "Content-Type: text/plain; charset=utf-8\r\n");
                append_text_body(out, body);
        } else {
                gsize len;
                const guchar *data = g_bytes_get_data(m->pdf, &len);
                g_autofree char *b64 = g_base64_encode(data, len);
                gsize n = strlen(b64);

                boundary = g_strdup_printf("=_rd_%08x%08x", g_random_int(), g_random_int());
                g_string_append_printf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary);
                g_string_append_printf(out, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n", boundary);
                append_text_body(out, body);
                g_string_append_printf(out, "--%s\r\nContent-Type: application/pdf; name=\"reply.pdf\"\r\n"
                                            "Content-Disposition: attachment; filename=\"reply.pdf\"\r\n"
                                            "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
                for (gsize i = 0; i < n; i += 76) {
                        g_string_append_len(out, b64 + i, MIN(76, n - i));
                        g_string_append(out, "\r\n");
                }
                g_string_append_printf(out, "--%s--\r\n", boundary);
        }
        return g_string_free_to_bytes(out);
}

/* ---- the fax reply page -------------------------------------------------- */

static cairo_status_t
write_cb(void *closure, const unsigned char *data, unsigned int length)
{
        g_byte_array_append(closure, data, length);
        return CAIRO_STATUS_SUCCESS;
}

static gboolean
emit_line(cairo_t *cr, const char *text, double x, double *y, double bottom, double leading)
{
        cairo_move_to(cr, x, *y);
        if (*y > bottom) {
                cairo_show_text(cr, "\xe2\x80\xa6"); /* the page is full */
                return FALSE;
        }
        cairo_show_text(cr, text);
        *y += leading;
        return TRUE;
}

/* Draws @text wrapped to @width from *y down; FALSE when the page ran out. */
static gboolean
draw_wrapped(cairo_t *cr, const char *text, double x, double *y, double width, double bottom, double leading)
{
        g_auto(GStrv) paras = g_strsplit(text, "\n", -1);

        for (guint i = 0; paras[i]; i++) {
                g_auto(GStrv) words = g_strsplit(paras[i], " ", -1);
                g_autoptr(GString) line = g_string_new(NULL);

                for (guint w = 0; words[w]; w++) {
                        g_autofree char *candidate = NULL;
                        cairo_text_extents_t ext;

                        if (*words[w] == '\0')
                                continue;
                        candidate = line->len ? g_strdup_printf("%s %s", line->str, words[w]) : g_strdup(words[w]);
                        cairo_text_extents(cr, candidate, &ext);
                        if (ext.x_advance <= width || line->len == 0) {
                                g_string_assign(line, candidate);
                                continue;
                        }
                        if (!emit_line(cr, line->str, x, y, bottom, leading))
                                return FALSE;
                        g_string_assign(line, words[w]);
                }
                if (!emit_line(cr, line->str, x, y, bottom, leading))
                        return FALSE;
        }
        return TRUE;
}

GBytes *
rd_reply_pdf(const char *practice, const char *reference, const char *subject, const char *body, GError **error)
{
        GByteArray *buf = g_byte_array_new();
        cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(write_cb, buf, 612, 792);
        cairo_t *cr = cairo_create(surface);
        g_autofree char *p = clean_line(practice);
        g_autofree char *r = clean_line(reference);
        g_autofree char *s = clean_line(subject);
        g_autofree char *ref_line = g_strdup_printf("Reference: %s", r);
        g_autofree char *b = NULL;
        double y = 90;
        cairo_status_t status;

        /* the body keeps its line breaks, nothing else that is not printable */
        {
                GString *clean = g_string_new(NULL);
                g_auto(GStrv) lines = g_strsplit(body ? body : "", "\n", -1);

                for (guint i = 0; lines[i]; i++) {
                        g_autofree char *l = clean_line(lines[i]);

                        g_string_append_printf(clean, "%s%s", i ? "\n" : "", l);
                }
                b = g_string_free(clean, FALSE);
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, 16);
        cairo_move_to(cr, 72, y);
        cairo_show_text(cr, p);
        y += 40;
        cairo_set_font_size(cr, 20);
        cairo_move_to(cr, 72, y);
        cairo_show_text(cr, ref_line);
        y += 34;
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 12);
        (void)draw_wrapped(cr, s, 72, &y, 612 - 144, 792 - 72, 16);
        y += 12;
        cairo_set_font_size(cr, 11);
        (void)draw_wrapped(cr, b, 72, &y, 612 - 144, 792 - 72, 15);
        cairo_show_page(cr);
        cairo_destroy(cr);
        cairo_surface_finish(surface);
        status = cairo_surface_status(surface);
        cairo_surface_destroy(surface);
        if (status != CAIRO_STATUS_SUCCESS) {
                g_byte_array_unref(buf);
                g_set_error(error, RD_REPLY_ERROR, RD_REPLY_ERROR_RENDER, "reply page: %s",
                            cairo_status_to_string(status));
                return NULL;
        }
        return g_byte_array_free_to_bytes(buf);
}
