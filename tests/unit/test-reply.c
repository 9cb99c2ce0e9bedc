/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replies: the words a referring office reads, the mail as it leaves
 * (parsed back with GMime: no header can be forged through a value), the
 * fax page, the [replies] / [smtp] configuration, the reply planner
 * (recipient, channel, suppression, holding) and fax-to-email relays. */
#include <gmime/gmime.h>
#include <poppler.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config/config.h"
#include "daemon/replies/compose.h"
#include "daemon/replies/plan.h"
#include "daemon/replies/relay.h"

static RdMissingItem *
missing(const char *item, RdMissingWhy why, const char *date)
{
        RdMissingItem *m = g_new0(RdMissingItem, 1);

        m->item = g_strdup(item);
        m->why = why;
        m->date_found = g_strdup(date);
        return m;
}

static RdReplyVars
vars_for(GPtrArray *miss, RdPatientDetail detail)
{
        RdReplyVars v = { 0 };

        v.reference = "RD-JNT4PTJ";
        v.received = "2026-11-20";
        v.patient_family = "Ostrander";
        v.patient_given = "Marguerite";
        v.patient_dob = "1946-09-02";
        v.patient_detail = detail;
        v.missing = miss;
        v.labs_max_age_days = 90;
        v.practice = "Example Cardiology";
        v.our_fax = "(555) 440-0100";
        v.our_email = "intake@cardio.example";
        v.by_email = TRUE;
        return v;
}

static void
test_missing_words(void)
{
        /* every item of the reference policy reads as words, none as a code */
        static const char *const items[] = { "ekg", "labs", "clinical_notes", "stress_test", "med_list", "echo",
                                             "labs:lipid", "labs:bnp" };

        for (gsize i = 0; i < G_N_ELEMENTS(items); i++) {
                g_autoptr(GPtrArray) miss = g_ptr_array_new_with_free_func((GDestroyNotify)rd_missing_item_free);
                g_autofree char *w = NULL;

                g_ptr_array_add(miss, missing(items[i], RD_MISSING_NOT_ENCLOSED, NULL));
                w = rd_reply_missing_words(miss->pdata[0], 90, RD_DATE_STYLE_US);
                g_assert_null(strchr(w, '_'));
                g_assert_null(strstr(w, "labs:"));
                g_assert_cmpuint(strlen(w), >, 3);
        }
        {
                RdMissingItem *m = missing("ekg", RD_MISSING_NOT_ENCLOSED, NULL);
                g_autofree char *w = rd_reply_missing_words(m, 90, RD_DATE_STYLE_US);

                g_assert_cmpstr(w, ==, "12-lead EKG");
                rd_missing_item_free(m);
        }
        {
                RdMissingItem *m = missing("labs", RD_MISSING_LABS_TOO_OLD, "2026-03-01");
                g_autofree char *w = rd_reply_missing_words(m, 60, RD_DATE_STYLE_US);

                g_assert_nonnull(strstr(w, "within the last 60 days"));
                g_assert_nonnull(strstr(w, "dated 03/01/2026"));
                rd_missing_item_free(m);
        }
}

/* Dates as the practice chooses to write them; what is not a valid ISO
 * date passes through, cleaned. */
static void
test_date_styles(void)
{
        g_autoptr(GError) error = NULL;
        RdReplyVars v = vars_for(NULL, RD_PATIENT_DETAIL_INITIALS_DOB);
        static const struct {
                RdDateStyle style;
                const char *want;
        } cases[] = {
                { RD_DATE_STYLE_US, "11/20/2026 patient M.O., born 09/02/1946" },
                { RD_DATE_STYLE_ISO, "2026-11-20 patient M.O., born 1946-09-02" },
                { RD_DATE_STYLE_LONG, "November 20, 2026 patient M.O., born September 2, 1946" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *got = NULL;

                v.date_style = cases[i].style;
                got = rd_reply_render("{received} {patient}", &v, &error);
                g_assert_no_error(error);
                g_assert_cmpstr(got, ==, cases[i].want);
        }
        for (gsize i = 0; i < 3; i++) {
                static const char *const odd[][2] = { { "2026-02-30", "2026-02-30" },
                                                      { "19/11/2026\r\nBcc: x", "19/11/2026 Bcc: x" },
                                                      { "", "" } };
                g_autofree char *got = rd_reply_date_words(odd[i][0], RD_DATE_STYLE_LONG);

                g_assert_cmpstr(got, ==, odd[i][1]);
        }
}

static void
test_render_levels(void)
{
        g_autoptr(GPtrArray) miss = g_ptr_array_new_with_free_func((GDestroyNotify)rd_missing_item_free);
        g_autoptr(GError) error = NULL;
        const char *t = "{reference}|{received}|{patient}|{missing}|{how}|{practice}|{fax}|{from}";
        RdReplyVars v;
        g_autofree char *full = NULL, *ini = NULL, *none = NULL, *fax = NULL;

        g_ptr_array_add(miss, missing("ekg", RD_MISSING_NOT_ENCLOSED, NULL));
        g_ptr_array_add(miss, missing("labs", RD_MISSING_NOT_ENCLOSED, NULL));
        g_ptr_array_add(miss, missing("labs:bnp", RD_MISSING_PANEL_ABSENT, NULL));
        v = vars_for(miss, RD_PATIENT_DETAIL_INITIALS_DOB);
        full = rd_reply_render(t, &v, &error);
        g_assert_no_error(error);
        g_assert_nonnull(strstr(full, "RD-JNT4PTJ|11/20/2026|patient M.O., born 09/02/1946|"));
        g_assert_nonnull(strstr(full, "- 12-lead EKG\n- labs within the last 90 days, including BNP|"));
        g_assert_nonnull(strstr(full, "Reply to this email"));
        g_assert_null(strstr(full, "Ostrander"));
        v.patient_detail = RD_PATIENT_DETAIL_INITIALS;
        ini = rd_reply_render(t, &v, &error);
        g_assert_nonnull(strstr(ini, "|patient M.O.|"));
        g_assert_null(strstr(ini, "1946"));
        v.patient_detail = RD_PATIENT_DETAIL_NONE;
        none = rd_reply_render(t, &v, &error);
        g_assert_nonnull(strstr(none, "|the patient|"));
        g_assert_null(strstr(none, "M.O."));
        v.by_email = FALSE;
        fax = rd_reply_render("{how}", &v, &error);
        g_assert_cmpstr(fax, ==, "Fax them to (555) 440-0100 with the reference RD-JNT4PTJ on the cover sheet.");
}

static void
test_template_check(void)
{
        g_autoptr(GError) error = NULL;

        g_assert_true(rd_reply_template_check("Referral {reference}: documents needed", NULL));
        g_assert_false(rd_reply_template_check("Dear {name}", &error));
        g_assert_error(error, RD_REPLY_ERROR, RD_REPLY_ERROR_TEMPLATE);
        g_assert_nonnull(strstr(error->message, "{name}"));
        g_assert_false(rd_reply_template_check("{reference", NULL));
        g_assert_false(rd_reply_template_check("reference}", NULL));
}

static void
test_render_strips_controls(void)
{
        RdReplyVars v = vars_for(NULL, RD_PATIENT_DETAIL_INITIALS_DOB);
        g_autofree char *out = NULL;

        /* values come from OCR and from other people's mail */
        v.reference = "RD-JNT4PTJ\r\nBcc: x@evil.example";
        v.practice = "Example\x01\x1b[31m Cardiology";
        out = rd_reply_render("{reference}/{practice}", &v, NULL);
        g_assert_null(strchr(out, '\r'));
        g_assert_null(strchr(out, '\n'));
        g_assert_null(strchr(out, '\x1b'));
}

static GMimeMessage *
parse_back(GBytes *bytes)
{
        gsize len;
        const char *data = g_bytes_get_data(bytes, &len);
        GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
        GMimeParser *parser = g_mime_parser_new_with_stream(stream);
        GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

        g_object_unref(parser);
        g_object_unref(stream);
        return msg;
}

static guint
count_headers(GMimeMessage *msg, const char *name)
{
        GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(msg));
        guint n = 0;

        for (int i = 0; i < g_mime_header_list_get_count(list); i++)
                n += g_ascii_strcasecmp(g_mime_header_get_name(g_mime_header_list_get_header_at(list, i)), name) == 0;
        return n;
}

static void
test_compose_headers(void)
{
        static const char *const refs[] = { "orig.1@clinic.example", "bad id with spaces", "orig.2@clinic.example",
                                            NULL };
        RdMailOut m = { 0 };
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(GObject) msg_ref = NULL;
        GMimeMessage *msg = NULL;
        g_autofree char *text = NULL;
        gsize len;
        const char *raw;

        m.from_addr = "intake@cardio.example";
        m.from_name = "Riverbend \"Heart\"\r\nBcc: evil@x.example";
        m.to_addr = "referrals@lakeside.example";
        m.subject = "Referral RD-JNT4PTJ\r\nBcc: evil@x.example\r\n\r\nforged body";
        m.body = "Hello,\nline two\n.\nend";
        m.message_id = "rd.1.abc@cardio.example";
        m.in_reply_to = "orig.2@clinic.example";
        m.references = refs;
        m.date_unix = 1795000000;
        bytes = rd_mail_compose(&m, &error);
        g_assert_no_error(error);
        raw = g_bytes_get_data(bytes, &len);
        /* CRLF only, 7 bit */
        for (gsize i = 0; i < len; i++) {
                g_assert_cmpuint((guchar)raw[i], <, 0x80);
                if (raw[i] == '\n')
                        g_assert_true(i > 0 && raw[i - 1] == '\r');
        }
        msg = parse_back(bytes);
        msg_ref = G_OBJECT(msg);
        g_assert_nonnull(msg);
        g_assert_cmpuint(count_headers(msg, "Bcc"), ==, 0);
        g_assert_cmpuint(count_headers(msg, "Subject"), ==, 1);
        g_assert_cmpuint(count_headers(msg, "From"), ==, 1);
        g_assert_cmpuint(count_headers(msg, "To"), ==, 1);
        g_assert_cmpstr(g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted"), ==, "auto-replied");
        g_assert_cmpstr(g_mime_message_get_message_id(msg), ==, "rd.1.abc@cardio.example");
        g_assert_nonnull(strstr(g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"), "orig.2@clinic.example"));
        g_assert_null(strstr(g_mime_object_get_header(GMIME_OBJECT(msg), "References"), "spaces"));
        g_assert_nonnull(strstr(g_mime_message_get_subject(msg), "forged body")); /* kept as text, one line */
        text = g_mime_message_get_body(msg) ? g_mime_text_part_get_text(GMIME_TEXT_PART(g_mime_message_get_body(msg)))
                                            : NULL;
        g_assert_nonnull(text);
        g_assert_nonnull(strstr(text, "line two"));
}

static void
test_compose_long_and_foreign_subject(void)
{
        g_autoptr(GString) subject = g_string_new(NULL);
        RdMailOut m = { 0 };
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(GObject) msg_ref = NULL;
        GMimeMessage *msg = NULL;

        for (int i = 0; i < 1000; i++)
                g_string_append(subject, "Überweisung ");
        m.from_addr = "intake@cardio.example";
        m.from_name = "Clínica Cardiología";
        m.to_addr = "a@b.example";
        m.subject = subject->str;
        m.body = "x";
        m.message_id = "rd.2.abc@cardio.example";
        bytes = rd_mail_compose(&m, NULL);
        g_assert_nonnull(bytes);
        msg = parse_back(bytes);
        msg_ref = G_OBJECT(msg);
        g_assert_nonnull(msg);
        g_assert_cmpint(g_utf8_strlen(g_mime_message_get_subject(msg), -1), <=, 200);
        g_assert_true(g_str_has_prefix(g_mime_message_get_subject(msg), "Überweisung"));
        g_assert_cmpuint(count_headers(msg, "Subject"), ==, 1);
}

/* The body as a person reads it: lines of at most RD_MAIL_WIDTH
 * characters broken between words (the words, in order, unchanged), a
 * list item going on under its text, plain ASCII sent as 7bit and
 * anything else as quoted-printable that decodes to the same text. */
static void
test_compose_body_wrapped(void)
{
        static const char *const bodies[] = {
                "Hello,\n\nReply to this email with the documents attached and keep the reference RD-XYMTTNE in the "
                "subject, or fax them to 555-201-0100 with the reference on the cover sheet.\n"
                "- labs within the last 90 days, including BNP, potassium, creatinine and a lipid panel, as they "
                "were drawn\n"
                "See https://referrals.cardio.example/a/very/long/path/that/is/longer/than/the/whole/width/of/a/line "
                "for the form.\n",
                "Grüß Gott, wir haben Ihre Überweisung für die Patientin am 2026-11-19 erhalten; es fehlen noch die "
                "Laborwerte der letzten 90 Tage.",
        };

        for (guint b = 0; b < G_N_ELEMENTS(bodies); b++) {
                RdMailOut m = { 0 };
                g_autoptr(GBytes) bytes = NULL;
                g_autoptr(GObject) msg_ref = NULL;
                GMimeMessage *msg;
                g_autofree char *text = NULL, *raw = NULL;
                g_auto(GStrv) lines = NULL, want = NULL, got = NULL;
                g_autoptr(GString) joined = g_string_new(NULL);
                gsize len;

                m.from_addr = "intake@cardio.example";
                m.to_addr = "a@b.example";
                m.subject = "Referral";
                m.body = bodies[b];
                m.message_id = "rd.3.abc@cardio.example";
                bytes = rd_mail_compose(&m, NULL);
                g_assert_nonnull(bytes);
                const char *data = g_bytes_get_data(bytes, &len); /* sets len before it is read */
                raw = g_strndup(data, len);
                g_assert_nonnull(strstr(raw, b == 0 ? "Content-Transfer-Encoding: 7bit" :
                                                      "Content-Transfer-Encoding: quoted-printable"));
                msg = parse_back(bytes);
                msg_ref = G_OBJECT(msg);
                text = g_mime_text_part_get_text(GMIME_TEXT_PART(g_mime_message_get_body(msg)));
                lines = g_strsplit(text, "\n", -1);
                for (guint i = 0; lines[i]; i++) {
                        g_strchomp(lines[i]);
                        if (strchr(lines[i], ' ') != NULL && strstr(lines[i], "https://") == NULL)
                                g_assert_cmpint(g_utf8_strlen(lines[i], -1), <=, RD_MAIL_WIDTH);
                        if (i > 0 && g_str_has_prefix(lines[i - 1], "- ") && strstr(lines[i], "were drawn"))
                                g_assert_true(g_str_has_prefix(lines[i], "  "));
                        g_string_append_printf(joined, "%s ", lines[i]);
                }
                /* the same words in the same order */
                want = g_regex_split_simple("\\s+", bodies[b], 0, 0);
                got = g_regex_split_simple("\\s+", joined->str, 0, 0);
                {
                        g_autofree char *w = g_strjoinv(" ", want), *g = g_strjoinv(" ", got);

                        g_assert_cmpstr(g_strstrip(g), ==, g_strstrip(w));
                }
        }
}

static void
test_addresses(void)
{
        static const char *const good[] = { "a@b.example", "referrals+fax@lakeside-fm.example" };
        static const char *const bad[] = { "", "a", "a@b", "@b.example", "a@", "a b@c.example", "a@b.example\r\nBcc: c",
                                           "<a@b.example>", "a@b.example,c@d.example", "\"a\"@b.example", "a@@b.example",
                                           "a@b..example", "_victim@evil.example=0d=0asubject" };
        RdMailOut m = { 0 };
        g_autoptr(GError) error = NULL;

        for (gsize i = 0; i < G_N_ELEMENTS(good); i++)
                g_assert_true(rd_mail_address_valid(good[i]));
        for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_false(rd_mail_address_valid(bad[i]));
        m.from_addr = "intake@cardio.example";
        m.to_addr = "victim@x.example\r\nBcc: other@y.example";
        m.subject = "s";
        m.body = "b";
        m.message_id = "id@x.example";
        g_assert_null(rd_mail_compose(&m, &error));
        g_assert_error(error, RD_REPLY_ERROR, RD_REPLY_ERROR_ADDRESS);
}

static void
test_pdf(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GString) body = g_string_new(NULL);
        g_autoptr(GBytes) pdf = NULL;
        g_autoptr(GObject) doc_ref = NULL, page_ref = NULL;
        PopplerDocument *doc = NULL;
        PopplerPage *page = NULL;
        g_autofree char *text = NULL;

        /* far more than a page: still one page */
        for (int i = 0; i < 300; i++)
                g_string_append(body, "To schedule the visit we still need a 12-lead EKG.\n");
        pdf = rd_reply_pdf("Example Cardiology", "RD-JNT4PTJ", "Referral RD-JNT4PTJ: documents needed", body->str,
                           &error);
        g_assert_no_error(error);
        doc = poppler_document_new_from_bytes(pdf, NULL, &error);
        g_assert_no_error(error);
        doc_ref = G_OBJECT(doc);
        g_assert_cmpint(poppler_document_get_n_pages(doc), ==, 1);
        page = poppler_document_get_page(doc, 0);
        page_ref = G_OBJECT(page);
        text = poppler_page_get_text(page);
        g_assert_nonnull(strstr(text, "Reference: RD-JNT4PTJ"));
        g_assert_nonnull(strstr(text, "Example Cardiology"));
}

static RdConfig *
load(const char *extra, GError **error)
{
        g_autofree char *path = NULL;
        g_autofree char *text = g_strdup_printf("[database]\nconninfo=dbname=x\n%s", extra);
        int fd = g_file_open_tmp("rd-reply-XXXXXX.conf", &path, NULL);
        RdConfig *c;

        g_assert_cmpint(fd, >=, 0);
        close(fd);
        g_assert_true(g_file_set_contents(path, text, -1, NULL));
        c = rd_config_load(path, error);
        g_unlink(path);
        return c;
}

static void
test_config(void)
{
        static const char *const bad[][2] = {
                { "[replies]\nenabled=true\n", "from" },
                { "[replies]\nenabled=maybe\n", "enabled" },
                { "[replies]\nfrom=not-an-address\n", "from" },
                { "[replies]\npatient-details=everything\n", "patient-details" },
                { "[replies]\ndate-format=%d.%m.%Y\n", "date-format" },
                { "[replies]\nbody-missing=Dear {name}\n", "body-missing" },
                { "[replies]\nmin-interval=soon\n", "min-interval" },
                { "[replies]\nfax-reply=spool\n", "fax-spool" },
                { "[replies]\nfax-gateway=fax@gw.example\n", "fax-gateway" },
                { "[replies]\ncolour=blue\n", "colour" },
                { "[smtp]\nurl=http://mail.example\n", "url" },
                { "[smtp]\nurl=smtp://mail.example/path\n", "url" },
                { "[smtp]\nuser=x\n", "url" },
                { "[followups]\nwindow=0\n", "window" },
                { "[replies]\nenabled=true\nfrom=a@b.example\n", "[smtp]" },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) good = load("[replies]\nenabled=true\nfrom=intake@cardio.example\n"
                                        "patient-details=initials\ndate-format=long\nsubject-missing=Ref {reference}\n"
                                        "body-missing=Line one\\nLine two {missing}\nown-addresses=a@b.example; c@d.example\n"
                                        "[followups]\nwindow=14d\n"
                                        "[smtp]\nurl=smtps://mail.cardio.example:465\ntimeout=10s\n",
                                        &error);

        g_assert_no_error(error);
        g_assert_true(good->replies->enabled);
        g_assert_cmpint(good->replies->patient_detail, ==, RD_PATIENT_DETAIL_INITIALS);
        g_assert_cmpint(good->replies->date_style, ==, RD_DATE_STYLE_LONG);
        g_assert_cmpstr(good->replies->body_missing, ==, "Line one\nLine two {missing}");
        g_assert_cmpstr(good->replies->own_addresses[1], ==, "c@d.example");
        g_assert_cmpuint(good->replies->followup_window_usec, ==, 14 * G_TIME_SPAN_DAY);
        g_assert_true(good->smtp->implicit_tls);
        g_assert_cmpstr(good->smtp->helo, ==, "cardio.example");
        for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GError) e = NULL;
                g_autoptr(RdConfig) c = load(bad[i][0], &e);

                g_assert_null(c);
                g_assert_nonnull(e);
                if (strstr(e->message, bad[i][1]) == NULL)
                        g_test_message("%s -> %s", bad[i][0], e->message);
                g_assert_nonnull(strstr(e->message, bad[i][1]));
        }
}

/* ---- the planner ------------------------------------------------------- */

#define PLAN_CONF                                                                                  \
        "[replies]\nenabled=true\nfrom=intake@cardio.example\nfax-number=555-201-0100\n"        \
        "own-numbers=(555) 201-0199\nown-addresses=referrals@clinic.example\nfax-reply=spool\n"    \
        "fax-spool=/var/spool/fax\n"

static RdReplyFacts
fax_facts(void)
{
        RdReplyFacts f = { 0 };

        f.kind = "missing";
        f.channel = "fax";
        f.smtp_configured = TRUE;
        return f;
}

typedef struct {
        const char *name;
        RdReplyFacts facts;
        const char *unknown_senders; /* NULL: the default */
        RdReplyState state;
        const char *channel, *recipient;
        const char *reason_has;      /* NULL: no reason */
        gboolean anonymous;
} PlanCase;

static void
test_plan_table(void)
{
        PlanCase cases[] = {
                /* a partner's registered reply fax wins over the number the form prints */
                { "partner-reply-fax", { .partner_id = 7, .partner_match = "npi", .partner_channel = "auto",
                                         .partner_fax = "5552010042", .form_fax = "5559998888",
                                         .header_fax = "5552010043" },
                  NULL, RD_REPLY_QUEUED, "fax-spool", "5552010042", NULL, FALSE },
                /* a matched partner with only a registered fax key: that fax */
                { "partner-fax-key", { .partner_id = 7, .partner_match = "fax-near", .partner_channel = "auto",
                                       .partner_fax = "5552010042" },
                  NULL, RD_REPLY_QUEUED, "fax-spool", "5552010042", NULL, FALSE },
                /* unknown fax sender: the header's number, held by default */
                { "unknown-header", { .header_fax = "5553334444", .form_fax = "5559998888" },
                  NULL, RD_REPLY_HELD, "fax-spool", "5553334444", "not in the partner directory", TRUE },
                { "unknown-header-reply", { .header_fax = "5553334444" },
                  "reply", RD_REPLY_QUEUED, "fax-spool", "5553334444", NULL, TRUE },
                { "unknown-header-none", { .header_fax = "5553334444" },
                  "none", RD_REPLY_SUPPRESSED, "fax-spool", "", "not a known partner", TRUE },
                /* only the document supplies a number: never a recipient, a person decides */
                { "form-only", { .form_fax = "5559998888" }, "reply", RD_REPLY_HELD, "fax-spool", "",
                  "read from the document", TRUE },
                /* our own number on a header (a cover sheet's To block read as the sender) */
                { "own-number", { .header_fax = "5552010199" }, "reply", RD_REPLY_SUPPRESSED, "fax-spool", "",
                  "our own", TRUE },
                /* a partner whose only registered number is ours, matched by the
                 * document's NPI: back along the channel, held like a stranger's */
                { "partner-own-number", { .partner_id = 3, .partner_match = "npi", .partner_channel = "fax",
                                          .partner_fax = "5552010100", .header_fax = "5553334444" },
                  NULL, RD_REPLY_HELD, "fax-spool", "5553334444", "not in the partner directory", TRUE },
                { "partner-nothing", { .partner_id = 3, .partner_match = "npi", .partner_channel = "auto" },
                  NULL, RD_REPLY_SUPPRESSED, "fax-spool", "", "no fax number", TRUE },
                /* a relay's named number, by fax, never "automatic sender" */
                { "relay", { .channel = "email", .from_addr = "message@inbound.efax.com", .relay = "efax",
                             .relay_fax = "5553334444", .auto_submitted = TRUE },
                  "reply", RD_REPLY_QUEUED, "fax-spool", "5553334444", NULL, TRUE },
                { "no-reply-not-relay", { .channel = "email", .from_addr = "no-reply@office.example" },
                  "reply", RD_REPLY_SUPPRESSED, "email", "no-reply@office.example", "automatic", TRUE },
                /* a Reply-To in another domain is not the channel */
                { "reply-to-elsewhere", { .channel = "email", .from_addr = "dr@office.example",
                                          .reply_to = "x@attacker.example" },
                  "reply", RD_REPLY_QUEUED, "email", "dr@office.example", NULL, TRUE },
                { "partner-none", { .partner_id = 2, .partner_channel = "none", .partner_fax = "5552010042" },
                  NULL, RD_REPLY_SUPPRESSED, "fax-spool", "5552010042", "no automatic replies", FALSE },
                /* a partner matched by its domain: the sender's own address */
                { "partner-domain", { .channel = "email", .from_addr = "dr@office.example", .partner_id = 2,
                                      .partner_match = "domain", .partner_channel = "auto" },
                  NULL, RD_REPLY_QUEUED, "email", "dr@office.example", NULL, FALSE },
                /* the understanding is unsure: held for a person */
                { "needs-review", { .partner_id = 7, .partner_match = "fax", .partner_channel = "auto",
                                    .partner_fax = "5552010042", .needs_review = TRUE },
                  NULL, RD_REPLY_HELD, "fax-spool", "5552010042", "needs review", FALSE },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                PlanCase *c = &cases[i];
                g_autofree char *conf = g_strdup_printf("%s%s%s\n", PLAN_CONF,
                                                        c->unknown_senders ? "unknown-senders=" : "",
                                                        c->unknown_senders ? c->unknown_senders : "");
                g_autoptr(GError) error = NULL;
                g_autoptr(RdConfig) config = load(conf, &error);
                RdReplyFacts f = fax_facts();
                g_auto(RdReplyDecision) d = { 0 };

                g_assert_no_error(error);
                /* the table gives only what differs from a fax without a partner */
                f.partner_id = c->facts.partner_id;
                f.partner_match = c->facts.partner_match;
                f.partner_channel = c->facts.partner_channel;
                f.partner_fax = c->facts.partner_fax;
                f.partner_email = c->facts.partner_email;
                f.header_fax = c->facts.header_fax;
                f.form_fax = c->facts.form_fax;
                f.relay = c->facts.relay;
                f.relay_fax = c->facts.relay_fax;
                f.needs_review = c->facts.needs_review;
                f.auto_submitted = c->facts.auto_submitted;
                f.from_addr = c->facts.from_addr;
                f.reply_to = c->facts.reply_to;
                if (c->facts.channel)
                        f.channel = c->facts.channel;
                rd_reply_plan(config->replies, &f, &d);
                g_test_message("%s: %s %s %s (%s)", c->name, rd_reply_state_to_string(d.state), d.channel,
                               d.recipient, d.reason ? d.reason : "-");
                g_assert_cmpint(d.state, ==, c->state);
                g_assert_cmpstr(d.channel, ==, c->channel);
                g_assert_cmpstr(d.recipient, ==, c->recipient);
                if (c->reason_has)
                        g_assert_nonnull(strstr(d.reason, c->reason_has));
                else
                        g_assert_null(d.reason);
                g_assert_cmpint(d.anonymous, ==, c->anonymous);
        }
}

static void
test_plan_limits(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = load(PLAN_CONF "max-per-recipient=2\n", &error);
        RdReplyFacts f = fax_facts();
        g_auto(RdReplyDecision) d = { 0 };

        g_assert_no_error(error);
        f.partner_id = 1;
        f.partner_fax = "5552010042";
        rd_reply_plan(config->replies, &f, &d);
        rd_reply_plan_limits(config->replies, &d, 0, 1);
        g_assert_cmpint(d.state, ==, RD_REPLY_QUEUED);
        rd_reply_plan_limits(config->replies, &d, 0, 2);
        g_assert_cmpint(d.state, ==, RD_REPLY_SUPPRESSED);
        g_assert_nonnull(strstr(d.reason, "recipient-window"));
}

static void
test_relay(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = load(PLAN_CONF "relay-senders=faxes@relay.example; hospital-fax.example\n",
                                          &error);
        const RdRepliesConfig *rc;
        const char *names[] = { "fax_5553334444_20261121093000.pdf" };
        const char *ours[] = { "fax-5552010100-x.pdf", "5553334444.pdf" };
        g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

        g_assert_no_error(error);
        rc = config->replies;
        g_assert_cmpstr(rd_relay_name(rc, "message@inbound.efax.com"), ==, "efax");
        g_assert_cmpstr(rd_relay_name(rc, "service@ringcentral.com"), ==, "ringcentral");
        g_assert_cmpstr(rd_relay_name(rc, "faxes@relay.example"), ==, "configured");
        g_assert_cmpstr(rd_relay_name(rc, "x@a.hospital-fax.example"), ==, "configured");
        g_assert_null(rd_relay_name(rc, "dr@notefax.com"));
        g_assert_null(rd_relay_name(rc, "other@relay.example"));
        a = rd_relay_sender_fax(rc, "eFax message from \"555-333-4444\" - 2 page(s)", NULL, NULL, 0);
        g_assert_cmpstr(a, ==, "5553334444");
        b = rd_relay_sender_fax(rc, "New fax", "To: 555-201-0100\nCaller ID: (555) 333-4444\n", NULL, 0);
        g_assert_cmpstr(b, ==, "5553334444");
        c = rd_relay_sender_fax(rc, "New fax", "", names, 1);
        g_assert_cmpstr(c, ==, "5553334444");
        /* our own number is never the sender's */
        d = rd_relay_sender_fax(rc, "Fax from 555-201-0100", "", ours, 2);
        g_assert_cmpstr(d, ==, "5553334444");
        e = rd_relay_sender_fax(rc, "New fax", "no number here", NULL, 0);
        g_assert_null(e);
}

int
main(int argc, char **argv)
{
        g_mime_init();
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/reply/missing-words", test_missing_words);
        g_test_add_func("/reply/render-levels", test_render_levels);
        g_test_add_func("/reply/date-styles", test_date_styles);
        g_test_add_func("/reply/template-check", test_template_check);
        g_test_add_func("/reply/render-strips-controls", test_render_strips_controls);
        g_test_add_func("/reply/compose-headers", test_compose_headers);
        g_test_add_func("/reply/compose-long-foreign-subject", test_compose_long_and_foreign_subject);
        g_test_add_func("/reply/compose-body-wrapped", test_compose_body_wrapped);
        g_test_add_func("/reply/addresses", test_addresses);
        g_test_add_func("/reply/pdf", test_pdf);
        g_test_add_func("/reply/config", test_config);
        g_test_add_func("/reply/plan", test_plan_table);
        g_test_add_func("/reply/plan-limits", test_plan_limits);
        g_test_add_func("/reply/relay", test_relay);
        return g_test_run();
}
