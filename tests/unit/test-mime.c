/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "parsers/mime/html-text.h"
#include "parsers/mime/mime.h"
#include "parsers/page.h"
#include "parsers/pages/pages.h"

/* ---- helpers ---------------------------------------------------------- */

static GBytes *
load_fixture(const char *name)
{
        const char *root = g_getenv("RD_SOURCE_ROOT");
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        char *data = NULL;
        gsize len = 0;

        g_assert_nonnull(root);
        path = g_build_filename(root, "tests", "data", "mime", name, NULL);
        g_file_get_contents(path, &data, &len, &error);
        g_assert_no_error(error);
        return g_bytes_new_take(data, len);
}

static RdMimeInfo *
parse_bytes(GBytes *bytes, const RdMimeLimits *limits, GError **error)
{
        gsize len;
        const guint8 *data = g_bytes_get_data(bytes, &len);

        return rd_mime_parse(data, len, limits, error);
}

static RdMimeInfo *
parse_fixture(const char *name)
{
        g_autoptr(GBytes) bytes = load_fixture(name);
        g_autoptr(GError) error = NULL;
        RdMimeInfo *info = parse_bytes(bytes, NULL, &error);

        g_assert_no_error(error);
        g_assert_nonnull(info);
        return info;
}

static RdMimeInfo *
parse_string(const char *text, GError **error)
{
        return rd_mime_parse((const guint8 *)text, strlen(text), NULL, error);
}

static const RdMimeAttachment *
attachment(const RdMimeInfo *info, guint i)
{
        g_assert_cmpuint(i, <, info->attachments->len);
        return info->attachments->pdata[i];
}

/* What every parsed message must give a reader, whatever the input. */
static void
assert_info_sane(const RdMimeInfo *info)
{
        const char *fields[] = { info->from_addr, info->from_name, info->reply_to, info->subject,
                                 info->message_id, info->in_reply_to, info->body_text };

        g_assert_nonnull(info->body_text);
        for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
                if (fields[i] == NULL)
                        continue;
                g_assert_true(g_utf8_validate(fields[i], -1, NULL));
                /* one-line fields never carry a line break */
                if (fields[i] != info->body_text)
                        g_assert_null(strpbrk(fields[i], "\r\n"));
        }
        for (guint i = 0; i < info->attachments->len; i++) {
                const RdMimeAttachment *a = info->attachments->pdata[i];

                g_assert_nonnull(a->part_path);
                g_assert_nonnull(a->media_type);
                g_assert_nonnull(a->data);
                g_assert_cmpuint(g_bytes_get_size(a->data), >, 0);
                if (a->filename != NULL) {
                        g_assert_true(g_utf8_validate(a->filename, -1, NULL));
                        g_assert_cmpuint(strlen(a->filename), <=, 100);
                        g_assert_null(strpbrk(a->filename, "/\\\r\n\t"));
                        g_assert_cmpint(a->filename[0], !=, '.');
                }
        }
}

/* ---- fixtures ---------------------------------------------------------- */

static void
test_pdf_base64(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("pdf-base64.eml");
        const RdMimeAttachment *a;
        gsize len;
        const char *data;

        assert_info_sane(info);
        g_assert_cmpuint(info->attachments->len, ==, 1);
        a = attachment(info, 0);
        g_assert_cmpstr(a->part_path, ==, "2");
        g_assert_cmpstr(a->media_type, ==, "application/pdf");
        g_assert_cmpstr(a->filename, ==, "referral.pdf");
        data = g_bytes_get_data(a->data, &len);
        /* decoded, not base64 */
        g_assert_true(len > 5 && memcmp(data, "%PDF-", 5) == 0);
        g_assert_nonnull(g_strstr_len(data, (gssize)len, "%%EOF"));
        g_assert_true(g_str_has_prefix(info->body_text, "Please see the attached referral."));
        g_assert_cmpuint(info->skipped_parts, ==, 0);
        g_assert_false(info->auto_submitted);
}

static void
test_headers(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("pdf-base64.eml");

        /* domain lower-cased, local part kept */
        g_assert_cmpstr(info->from_addr, ==, "sender@clinic-one.example");
        g_assert_cmpstr(info->from_name, ==, "Dr. Test Sender");
        g_assert_cmpstr(info->subject, ==, "Referral with a PDF");
        /* "Mon, 02 Nov 2026 23:41:00 -0500": the sender's day, not UTC's */
        g_assert_cmpstr(info->date_iso, ==, "2026-11-02");
        g_assert_cmpint(info->date_unix, ==, 1793680860);
        g_assert_nonnull(info->message_id);
        g_assert_null(strchr(info->message_id, '<'));
        g_assert_true(g_str_has_suffix(info->message_id, "@clinic-one.example"));
}

static void
test_threading(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("threaded.eml");

        g_assert_cmpstr(info->in_reply_to, ==, "orig.1@heart.example");
        g_assert_cmpuint(info->references->len, ==, 2);
        g_assert_cmpstr(info->references->pdata[0], ==, "root.0@heart.example");
        g_assert_cmpstr(info->references->pdata[1], ==, "orig.1@heart.example");
        /* RFC 3676 format=flowed: soft breaks joined, signature kept */
        g_assert_nonnull(strstr(info->body_text, "the line continues here."));
        g_assert_nonnull(strstr(info->body_text, "\n-- \nSender"));
}

static void
test_qp_utf8(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("qp-utf8.eml");

        assert_info_sane(info);
        /* RFC 2047: a Q word and two B words (with '=' padding) */
        g_assert_cmpstr(info->subject, ==, "Referral \u2013 Jos\u00e9 Mu\u00f1oz (fictional)");
        g_assert_nonnull(strstr(info->body_text, "Jos\u00e9 Mu\u00f1oz-\u0141\u0105cka \u2013"));
        /* the QP soft line break is gone */
        g_assert_nonnull(strstr(info->body_text, "soft line break in quoted-printable encoding."));
        g_assert_null(strchr(info->body_text, '\r'));
}

static void
test_latin1(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("latin1.eml");

        assert_info_sane(info);
        g_assert_nonnull(strstr(info->body_text, "Jos\u00e9 Mu\u00f1oz, n\u00e9 \u00e0 Montr\u00e9al"));
        /* a Latin-1 label is read as windows-1252, as mail clients do */
        g_assert_nonnull(strstr(info->body_text, "\u201cquoted\u201d"));
}

static void
test_unknown_charset(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("unknown-charset.eml");

        assert_info_sane(info);
        g_assert_cmpstr(info->body_text, ==, "Caf\u00e9 ol\u00e9");
}

static void
test_html_only(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("html-only.eml");
        const char *t;

        assert_info_sane(info);
        t = info->body_text;
        g_assert_true(g_str_has_prefix(t, "Dear colleague,\n\nPlease see Jos\u00e9 Mu\u00f1oz & family \u2013 soon."));
        g_assert_null(strstr(t, "alert"));
        g_assert_null(strstr(t, "color"));
        g_assert_null(strstr(t, "Hidden title"));
        g_assert_null(strstr(t, "markup"));
        g_assert_null(strstr(t, "<p"));
        g_assert_nonnull(strstr(t, "\nPatient\tAna Test\nDOB\t01/02/1960\n"));
        g_assert_nonnull(strstr(t, "\n- EKG\n- Labs\n"));
        g_assert_nonnull(strstr(t, "Line one\nLine two\nSignature <sender>"));
}

static void
test_alternative(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("alternative.eml");
        g_autoptr(RdMimeInfo) info2 = parse_fixture("alternative-empty-plain.eml");

        /* text/plain preferred; the other version is not read twice */
        g_assert_nonnull(strstr(info->body_text, "PLAINMARK"));
        g_assert_null(strstr(info->body_text, "HTMLMARK"));
        /* an empty plain version does not hide the HTML one */
        g_assert_cmpstr(info2->body_text, ==, "HTMLMARK: only the html says anything");
        g_assert_cmpuint(info->attachments->len, ==, 0);
}

static void
check_forward(const char *fixture)
{
        g_autoptr(RdMimeInfo) info = parse_fixture(fixture);
        const char *outer, *head, *inner;

        assert_info_sane(info);
        g_assert_cmpuint(info->n_forwarded, ==, 1);
        /* the outer message's Date and sender */
        g_assert_cmpstr(info->date_iso, ==, "2026-11-02");
        g_assert_cmpstr(info->from_addr, ==, "sender@clinic-one.example");
        /* both bodies, in order, with who forwarded what */
        outer = strstr(info->body_text, "OUTERBODY");
        head = strstr(info->body_text, "From: Original Office <office@origin.example>");
        inner = strstr(info->body_text, "INNERBODY");
        g_assert_nonnull(outer);
        g_assert_nonnull(head);
        g_assert_nonnull(inner);
        g_assert_true(outer < head && head < inner);
        /* the forwarded message's attachments come first, in MIME order */
        g_assert_cmpuint(info->attachments->len, >=, 2);
        g_assert_cmpstr(attachment(info, 0)->part_path, ==, "2.2");
        g_assert_cmpstr(attachment(info, 0)->media_type, ==, "application/pdf");
        g_assert_cmpstr(attachment(info, 0)->filename, ==, "note.pdf");
        g_assert_cmpstr(attachment(info, 1)->part_path, ==, "2.3");
        g_assert_cmpstr(attachment(info, 1)->media_type, ==, "image/png");
}

static void
test_forward(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("forward.eml");

        check_forward("forward.eml");
        g_assert_cmpuint(info->attachments->len, ==, 3);
        g_assert_cmpstr(attachment(info, 2)->part_path, ==, "3");
        g_assert_cmpstr(attachment(info, 2)->media_type, ==, "image/jpeg");
}

static void
test_forward_base64(void)
{
        check_forward("forward-base64.eml");
}

static void
test_sniffed_types(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("sniffed-types.eml");

        assert_info_sane(info);
        g_assert_cmpuint(info->attachments->len, ==, 3);
        /* octet-stream and a mislabelled "PNG": both PDFs by content */
        g_assert_cmpstr(attachment(info, 0)->media_type, ==, "application/pdf");
        g_assert_cmpstr(attachment(info, 1)->media_type, ==, "application/pdf");
        g_assert_cmpstr(attachment(info, 2)->media_type, ==, "image/tiff");
        /* the zip is listed as skipped, not lost silently */
        g_assert_cmpuint(info->skipped_parts, ==, 1);
}

static void
test_hostile_names(void)
{
        g_autoptr(RdMimeInfo) info = parse_fixture("hostile-names.eml");

        assert_info_sane(info);
        g_assert_cmpuint(info->attachments->len, ==, 7);
        g_assert_cmpstr(attachment(info, 0)->filename, ==, "passwd.pdf");
        g_assert_cmpstr(attachment(info, 1)->filename, ==, "evilX-Injected_ yes.pdf");
        g_assert_cmpstr(attachment(info, 2)->filename, ==, "system.ini.pdf");
        g_assert_cmpstr(attachment(info, 3)->filename, ==, "hidden.pdf");
        g_assert_cmpuint(strlen(attachment(info, 4)->filename), ==, 100);
        g_assert_true(g_str_has_suffix(attachment(info, 4)->filename, ".pdf"));
        /* a right-to-left override cannot disguise the name */
        g_assert_cmpstr(attachment(info, 5)->filename, ==, "fdp.exe");
        g_assert_cmpstr(attachment(info, 6)->filename, ==, "r\u00e9sum\u00e9 M\u00fcller.pdf");
        /* an encoded CR LF in the subject cannot start a new header */
        g_assert_null(strpbrk(info->subject, "\r\n"));
}

static void
test_related_images(void)
{
        /* a logo shown inline by cid: is decoration; a large inline image
         * (a pasted EKG photo) and an attached one are documents */
        static const guint8 png_head[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
        guint8 small[200], large[64 * 1024];
        g_autofree char *small_b64 = NULL;
        g_autofree char *large_b64 = NULL;
        g_autofree char *msg = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(RdMimeInfo) info = NULL;

        memset(small, 'x', sizeof small);
        memset(large, 'y', sizeof large);
        memcpy(small, png_head, sizeof png_head);
        memcpy(large, png_head, sizeof png_head);
        small_b64 = g_base64_encode(small, sizeof small);
        large_b64 = g_base64_encode(large, sizeof large);
        msg = g_strdup_printf(
                "From: a@b.example\r\nContent-Type: multipart/related; boundary=r\r\n\r\n"
                "--r\r\nContent-Type: text/html\r\n\r\n<p>see <img src=cid:logo> "
                "<img src=cid:ekg></p>\r\n"
                "--r\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
                "--r\r\nContent-Type: image/png\r\nContent-ID: <ekg>\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
                "--r\r\nContent-Type: image/png\r\nContent-ID: <att>\r\n"
                "Content-Disposition: attachment; filename=small.png\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
                "--r\r\nContent-Type: text/csv\r\n"
                "Content-Disposition: attachment; filename=labs.csv\r\n\r\na,b\r\n--r--\r\n",
                small_b64, large_b64, small_b64);
        info = parse_string(msg, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(info->body_text, ==, "see");
        g_assert_cmpuint(info->attachments->len, ==, 2);
        g_assert_cmpstr(attachment(info, 0)->part_path, ==, "3");
        g_assert_cmpstr(attachment(info, 1)->part_path, ==, "4");
        g_assert_cmpstr(attachment(info, 1)->filename, ==, "small.png");
        /* the logo and the CSV */
        g_assert_cmpuint(info->skipped_parts, ==, 2);
}

typedef struct {
        const char *name;
        const char *in;
        const char *out; /* NULL: no usable name */
} NameCase;

static const NameCase name_cases[] = {
        { "plain", "report.pdf", "report.pdf" },
        { "unix-path", "/etc/../../x/scan.tif", "scan.tif" },
        { "windows-path", "C:\\Users\\me\\scan.tif", "scan.tif" },
        { "dot-dot", "..", NULL },
        { "only-dots", "....", NULL },
        { "trailing-slash", "dir/", NULL },
        { "leading-dots", "...profile", "profile" },
        { "controls", "a\tb\nc\rd\x01" "e.pdf", "abcde.pdf" },
        { "reserved", "a:b*c?.pdf", "a_b_c_.pdf" },
        { "bad-utf8", "caf\xe9.pdf", "caf\xef\xbf\xbd.pdf" },
        { "trailing-dot-space", "scan.pdf. .", "scan.pdf" },
        { "empty", "", NULL },
};

static void
test_sanitize_filename(gconstpointer data)
{
        const NameCase *c = data;
        g_autofree char *out = rd_mime_sanitize_filename(c->in);

        g_assert_cmpstr(out, ==, c->out);
}

static void
test_sanitize_long_utf8(void)
{
        GString *s = g_string_new(NULL);
        g_autofree char *out = NULL;

        for (int i = 0; i < 80; i++)
                g_string_append(s, "\u00e9"); /* 2 bytes each */
        g_string_append(s, ".pdf");
        out = rd_mime_sanitize_filename(s->str);
        g_string_free(s, TRUE);
        g_assert_cmpuint(strlen(out), <=, 100);
        g_assert_true(g_utf8_validate(out, -1, NULL));
        g_assert_true(g_str_has_suffix(out, ".pdf"));
        g_assert_null(rd_mime_sanitize_filename(NULL));
}

/* ---- automatic messages (RFC 3834) ------------------------------------ */

typedef struct {
        const char *name;
        const char *headers;
        gboolean automatic;
} AutoCase;

static const AutoCase auto_cases[] = {
        { "human", "From: a@clinic.example\r\n", FALSE },
        { "auto-submitted-no", "From: a@clinic.example\r\nAuto-Submitted: no\r\n", FALSE },
        { "auto-replied", "From: a@clinic.example\r\nAuto-Submitted: auto-replied\r\n", TRUE },
        { "auto-generated", "From: a@clinic.example\r\nAuto-Submitted: Auto-Generated; x=1\r\n",
          TRUE },
        { "precedence-bulk", "From: a@clinic.example\r\nPrecedence: bulk\r\n", TRUE },
        { "precedence-list", "From: a@clinic.example\r\nPrecedence: list\r\n", TRUE },
        { "precedence-junk", "From: a@clinic.example\r\nPrecedence: junk\r\n", TRUE },
        { "list-id", "From: a@clinic.example\r\nList-Id: <cardio.lists.example>\r\n", TRUE },
        { "null-return-path", "From: a@clinic.example\r\nReturn-Path: <>\r\n", TRUE },
        { "return-path", "From: a@clinic.example\r\nReturn-Path: <a@clinic.example>\r\n", FALSE },
        { "mailer-daemon", "From: MAILER-DAEMON@mx.clinic.example\r\n", TRUE },
        { "postmaster", "From: Postmaster <postmaster@clinic.example>\r\n", TRUE },
        { "dsn", "From: a@clinic.example\r\nContent-Type: multipart/report; "
                 "report-type=delivery-status; boundary=x\r\n", TRUE },
};

static void
test_auto_case(gconstpointer data)
{
        const AutoCase *c = data;
        g_autofree char *msg = g_strdup_printf("%sSubject: test\r\nDate: Mon, 02 Nov 2026 "
                                               "10:00:00 +0000\r\n\r\n--x\r\n\r\nbody\r\n--x--\r\n",
                                               c->headers);
        g_autoptr(GError) error = NULL;
        g_autoptr(RdMimeInfo) info = parse_string(msg, &error);

        g_assert_no_error(error);
        g_assert_cmpint(info->auto_submitted, ==, c->automatic);
}

static void
test_auto_fixtures(void)
{
        const char *names[] = { "auto-replied.eml", "precedence-bulk.eml", "dsn-bounce.eml" };

        for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
                g_autoptr(RdMimeInfo) info = parse_fixture(names[i]);

                g_assert_true(info->auto_submitted);
        }
}

static void
test_forwarded_bounce_is_human(void)
{
        /* a person forwarding a bounce is not a bounce */
        const char *msg = "From: a@clinic.example\r\nSubject: see this\r\n"
                          "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
                          "--o\r\nContent-Type: text/plain\r\n\r\nlook\r\n"
                          "--o\r\nContent-Type: message/rfc822\r\n\r\n"
                          "From: MAILER-DAEMON@mx.example\r\nSubject: bounce\r\n"
                          "Content-Type: multipart/report; report-type=delivery-status; "
                          "boundary=r\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
                          "--r\r\nContent-Type: message/delivery-status\r\n\r\n"
                          "Action: failed\r\n--r--\r\n--o--\r\n";
        g_autoptr(GError) error = NULL;
        g_autoptr(RdMimeInfo) info = parse_string(msg, &error);

        g_assert_no_error(error);
        g_assert_false(info->auto_submitted);
        g_assert_nonnull(strstr(info->body_text, "failed"));
}

/* ---- limits and errors ------------------------------------------------- */

static void
test_too_deep(void)
{
        g_autoptr(GBytes) bytes = load_fixture("nested-too-deep.eml");
        g_autoptr(GError) error = NULL;
        RdMimeLimits limits;
        RdMimeInfo *info;

        info = parse_bytes(bytes, NULL, &error);
        g_assert_null(info);
        g_assert_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_DEEP);
        g_clear_error(&error);
        /* within a raised limit it parses, and the bottom text is found */
        rd_mime_limits_init(&limits);
        limits.max_depth = 64;
        info = parse_bytes(bytes, &limits, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(info->body_text, ==, "bottom");
        rd_mime_info_free(info);
}

static void
test_too_deep_forwards(void)
{
        /* forwards of forwards nest too: message/rfc822 counts as a level */
        GString *s = g_string_new(NULL);
        g_autoptr(GError) error = NULL;
        RdMimeInfo *info;

        for (int i = 0; i < 30; i++)
                g_string_append(s, "From: a@b.example\r\nContent-Type: message/rfc822\r\n\r\n");
        g_string_append(s, "From: a@b.example\r\nSubject: x\r\n\r\nbottom\r\n");
        info = rd_mime_parse((const guint8 *)s->str, s->len, NULL, &error);
        g_string_free(s, TRUE);
        g_assert_null(info);
        g_assert_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_DEEP);
}

static void
test_too_many_parts(void)
{
        g_autoptr(GBytes) bytes = load_fixture("too-many-parts.eml");
        g_autoptr(GError) error = NULL;
        RdMimeLimits limits;
        RdMimeInfo *info;

        info = parse_bytes(bytes, NULL, &error);
        g_assert_null(info);
        g_assert_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_MANY_PARTS);
        g_clear_error(&error);
        rd_mime_limits_init(&limits);
        limits.max_parts = 1000;
        info = parse_bytes(bytes, &limits, &error);
        g_assert_no_error(error);
        g_assert_nonnull(strstr(info->body_text, "part 299"));
        rd_mime_info_free(info);
}

static void
test_container_bomb(void)
{
        /* thousands of nested boundaries: refused before GMime builds them */
        GString *s = g_string_new("From: a@b.example\r\n");
        g_autoptr(GError) error = NULL;
        gint64 start = g_get_monotonic_time();
        RdMimeInfo *info;

        for (int i = 0; i < 5000; i++)
                g_string_append_printf(s, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n"
                                          "--b%d\r\n", i, i);
        for (int i = 0; i < 20000; i++)
                g_string_append(s, "--zz\r\n");
        info = rd_mime_parse((const guint8 *)s->str, s->len, NULL, &error);
        g_string_free(s, TRUE);
        g_assert_null(info);
        g_assert_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_MANY_PARTS);
        g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
}

static void
test_too_large(void)
{
        g_autoptr(GBytes) bytes = load_fixture("pdf-base64.eml");
        g_autoptr(GError) error = NULL;
        RdMimeLimits limits;
        RdMimeInfo *info;

        rd_mime_limits_init(&limits);
        limits.max_message_bytes = 1000;
        info = parse_bytes(bytes, &limits, &error);
        g_assert_null(info);
        g_assert_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_LARGE);
        g_clear_error(&error);

        rd_mime_limits_init(&limits);
        limits.max_part_bytes = 100; /* the PDF decodes to more */
        info = parse_bytes(bytes, &limits, &error);
        g_assert_null(info);
        g_assert_error(error, RD_MIME_ERROR, RD_MIME_ERROR_TOO_LARGE);
}

typedef struct {
        const char *name;
        const char *bytes;
        gsize len;
        int code;
} ErrorCase;

static const ErrorCase error_cases[] = {
        { "empty", "", 0, RD_MIME_ERROR_EMPTY },
        { "blank", " \r\n\r\n\t", 6, RD_MIME_ERROR_EMPTY },
        { "binary", "\x00\x01\x02\x03junk\xff\xfe", 10, RD_MIME_ERROR_MALFORMED },
        { "prose", "Dear doctor,\nplease see this patient.\n", 38, RD_MIME_ERROR_MALFORMED },
};

static void
test_error_case(gconstpointer data)
{
        const ErrorCase *c = data;
        g_autoptr(GError) error = NULL;
        RdMimeInfo *info = rd_mime_parse((const guint8 *)c->bytes, c->len, NULL, &error);

        g_assert_null(info);
        g_assert_error(error, RD_MIME_ERROR, c->code);
        /* style: lower-case, no final period */
        g_assert_false(g_ascii_isupper(error->message[0]));
        g_assert_false(g_str_has_suffix(error->message, "."));
}

static void
test_not_mail_fixture(void)
{
        g_autoptr(GBytes) bytes = load_fixture("not-mail.bin");
        g_autoptr(GError) error = NULL;
        RdMimeInfo *info = parse_bytes(bytes, NULL, &error);

        g_assert_null(info);
        g_assert_error(error, RD_MIME_ERROR, RD_MIME_ERROR_MALFORMED);
}

static void
test_lenient_inputs(void)
{
        /* what real mail gateways send: bare MIME entity, mbox From line,
         * BOM, LF line ends, missing end boundary, no headers on a part */
        const char *cases[] = {
                "Content-Type: text/plain\r\n\r\nbare entity\r\n",
                "From someone@example Mon Nov  2 10:00:00 2026\nFrom: a@b.example\n\nmbox line\n",
                "\xEF\xBB\xBF" "From: a@b.example\r\nSubject: bom\r\n\r\nwith bom\r\n",
                "From: a@b.example\nContent-Type: multipart/mixed; boundary=q\n\n--q\n\n"
                "no part headers\n--q\nContent-Type: text/plain\n\nno end boundary\n",
        };
        const char *expect[] = { "bare entity", "mbox line", "with bom",
                                 "no part headers\n\nno end boundary" };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(RdMimeInfo) info = parse_string(cases[i], &error);

                g_assert_no_error(error);
                assert_info_sane(info);
                g_assert_cmpstr(info->body_text, ==, expect[i]);
        }
}

typedef struct {
        const char *raw;
        const char *decoded;
} SubjectCase;

static void
test_subjects(void)
{
        /* RFC 2047 as senders write it, right or wrong */
        static const SubjectCase cases[] = {
                { "plain words", "plain words" },
                { "=?utf-8?q?\?=", NULL },
                { "=?utf-8?q?a?= =?utf-8?q?b?=", "ab" },
                { "=?utf-8?q?a?= plain =?utf-8?q?b?=", "a plain b" },
                { "=?iso-8859-1?q?caf=E9?=", "caf\u00e9" },
                { "=?ISO-8859-1*fr?Q?caf=E9?=", "caf\u00e9" },
                { "=?x-unknown?q?caf=C3=A9?=", "caf\u00e9" },
                { "=?utf-8?b?broken base64?=", "=?utf-8?b?broken base64?=" },
                { "raw 8-bit caf\xc3\xa9", "raw 8-bit caf\u00e9" },
                { "raw latin-1 caf\xe9", "raw latin-1 caf\u00e9" },
                { "=?utf-8?q?=E2=80?= =?utf-8?q?=93?=", "\u2013" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *msg = g_strdup_printf("From: a@b.example\r\nSubject: %s\r\n"
                                                       "\r\nbody\r\n",
                                                       cases[i].raw);
                g_autoptr(GError) error = NULL;
                g_autoptr(RdMimeInfo) info = parse_string(msg, &error);

                g_assert_no_error(error);
                g_assert_cmpstr(info->subject, ==, cases[i].decoded);
        }
}

static void
test_init_many_times(void)
{
        for (int i = 0; i < 3; i++)
                rd_mime_init();
}

/* ---- HTML to text -------------------------------------------------------- */

typedef struct {
        const char *name;
        const char *html;
        const char *text;
} HtmlCase;

static const HtmlCase html_cases[] = {
        { "plain", "hello world", "hello world" },
        { "whitespace", "  a \n\t b  ", "a b" },
        { "paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo" },
        { "br", "a<br>b<BR/>c<br><br>d", "a\nb\nc\n\nd" },
        { "div", "<div>a</div><div>b</div>", "a\nb" },
        { "cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
          "a\tb\nc\td" },
        { "outlook-cells",
          "<table><tr><td><p>Patient:</p></td><td><p>Ana</p></td></tr>"
          "<tr><td><p>DOB:</p></td><td><p>1960</p></td></tr></table>after",
          "Patient:\tAna\nDOB:\t1960\n\nafter" },
        { "empty-cells", "<table><tr><td>a</td><td></td></tr></table>b", "a\n\nb" },
        { "list", "<ul><li>x</li><li>y</li></ul>", "- x\n- y" },
        { "script", "a<script>if (a < b) { x = '</p>'; }</script>b", "ab" },
        { "style-case", "a<STYLE type=text/css>p{}</Style >b", "ab" },
        { "comment", "a<!-- <b>no</b> -->b", "ab" },
        { "unclosed-comment", "a<!-- forever", "a" },
        { "doctype", "<!DOCTYPE html>x", "x" },
        { "entities", "&lt;&gt;&amp;&quot;&apos;&eacute;&Ntilde;&euro;&hellip;", "<>&\"'\u00e9\u00d1\u20ac\u2026" },
        { "numeric", "&#65;&#x42;&#X43;&#233;&#8211;", "ABC\u00e9\u2013" },
        { "numeric-cp1252", "&#147;q&#148;", "\u201cq\u201d" },
        { "numeric-bad", "a&#0;b&#xD800;c&#x110000;d", "a\ufffdb\ufffdc\ufffdd" },
        { "unknown-entity", "AT&T &bogus; &", "AT&T &bogus; &" },
        { "legacy-no-semicolon", "a &amp b", "a & b" },
        { "nbsp", "a&nbsp;&nbsp;b", "a b" },
        { "literal-lt", "1 < 2 and 3 > 2", "1 < 2 and 3 > 2" },
        { "attr-with-gt", "<a title=\"x>y\">link</a>", "link" },
        { "unterminated-tag", "text<a href=", "text" },
        { "pre", "<pre>a  b\n  c</pre>d", "a  b\n  c\n\nd" },
        { "nul-and-invalid", "a\xff" "b", "a\ufffdb" },
        { "title-skipped", "<title>t</title>body", "body" },
};

static void
test_html_case(gconstpointer data)
{
        const HtmlCase *c = data;
        g_autofree char *out = rd_html_to_text(c->html, strlen(c->html));

        g_assert_cmpstr(out, ==, c->text);
}

static void
test_html_hostile(void)
{
        /* embedded NULs, deep unclosed tags, huge numeric references */
        GString *s = g_string_new(NULL);
        g_autofree char *out = NULL;

        for (int i = 0; i < 10000; i++)
                g_string_append(s, "<div><table><tr><td>");
        g_string_append_len(s, "x\0y&#99999999999999999999;", 26);
        out = rd_html_to_text(s->str, s->len);
        g_assert_true(g_utf8_validate(out, -1, NULL));
        g_assert_nonnull(strstr(out, "x y\ufffd"));
        g_string_free(s, TRUE);
        g_free(g_steal_pointer(&out));
        out = rd_html_to_text(NULL, 0);
        g_assert_cmpstr(out, ==, "");
}

/* ---- pages ---------------------------------------------------------------- */

static void
test_read_pages_body_only(void)
{
        g_autoptr(GBytes) bytes = load_fixture("latin1.eml");
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GError) error = NULL;
        g_autoptr(RdMimeInfo) info = NULL;
        gsize len;
        const guint8 *data = g_bytes_get_data(bytes, &len);
        RdPage *page;

        g_assert_true(rd_mime_read_pages(data, len, NULL, NULL, pages, &info, &error));
        g_assert_no_error(error);
        g_assert_nonnull(info);
        g_assert_cmpuint(pages->len, ==, 1);
        page = pages->pdata[0];
        g_assert_cmpuint(page->number, ==, 0);
        g_assert_cmpstr(page->source_part, ==, "body");
        g_assert_cmpint(page->method, ==, RD_PAGE_METHOD_BODY);
        g_assert_cmpstr(page->text, ==, info->body_text);
}

static void
test_read_pages_text_pdfs(void)
{
        /* PDFs with a text layer need no OCR engine; the corrupt middle
         * one fails, the last one is still read and the error is reported */
        g_autoptr(GBytes) pdf_msg = load_fixture("pdf-base64.eml");
        g_autoptr(RdMimeInfo) src = parse_bytes(pdf_msg, NULL, NULL);
        const RdMimeAttachment *pdf = attachment(src, 0);
        g_autofree char *pdf_b64 = g_base64_encode(g_bytes_get_data(pdf->data, NULL),
                                                   g_bytes_get_size(pdf->data));
        g_autofree char *msg = g_strdup_printf(
                "From: a@b.example\r\nSubject: three\r\n"
                "Content-Type: multipart/mixed; boundary=z\r\n\r\n"
                "--z\r\nContent-Type: text/plain\r\n\r\nbody text\r\n"
                "--z\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n"
                "--z\r\nContent-Type: application/pdf\r\n\r\n%%PDF-1.4 garbage, not a pdf\r\n"
                "--z\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n"
                "--z--\r\n",
                pdf_b64, pdf_b64);
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GError) error = NULL;
        g_autoptr(RdMimeInfo) info = NULL;
        RdPage *p;

        g_assert_false(rd_mime_read_pages((const guint8 *)msg, strlen(msg), NULL, NULL, pages,
                                          &info, &error));
        g_assert_nonnull(error);
        g_assert_nonnull(strstr(error->message, "part 3"));
        g_assert_nonnull(info);
        g_assert_cmpuint(info->attachments->len, ==, 3);
        g_assert_cmpuint(pages->len, ==, 3);
        p = pages->pdata[0];
        g_assert_cmpuint(p->number, ==, 0);
        g_assert_cmpstr(p->text, ==, "body text");
        p = pages->pdata[1];
        g_assert_cmpuint(p->number, ==, 1);
        g_assert_cmpstr(p->source_part, ==, "2");
        g_assert_nonnull(strstr(p->text, "Synthetic office note"));
        p = pages->pdata[2];
        g_assert_cmpuint(p->number, ==, 2);
        g_assert_cmpstr(p->source_part, ==, "4");
}

static void
test_read_pages_parse_error(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GError) error = NULL;
        RdMimeInfo *info = (RdMimeInfo *)0x1;

        g_assert_false(rd_mime_read_pages((const guint8 *)"", 0, NULL, NULL, pages, &info, &error));
        g_assert_error(error, RD_MIME_ERROR, RD_MIME_ERROR_EMPTY);
        g_assert_null(info);
        g_assert_cmpuint(pages->len, ==, 0);
}

/* ---- the synthetic samples ($RD_SHARED_DIR/samples) -------------------- */

static char *
samples_dir(void)
{
        const char *shared = g_getenv("RD_SHARED_DIR");
        char *dir;

        if (shared == NULL)
                return NULL;
        dir = g_build_filename(shared, "samples", NULL);
        if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
                g_free(dir);
                return NULL;
        }
        return dir;
}

/* The README's item table says which attachments each email carries, e.g.
 * "EML: text+HTML body + PDF + TIFF + PDF" or "forward: message/rfc822
 * with 2 PDFs": count PDF/PNG/TIFF/JPEG mentions in that cell. */
static gboolean
readme_expectations(const char *readme, const char *item, guint counts[4], char **ret_format)
{
        static const char *kinds[] = { "PDF", "PNG", "TIFF", "JPEG" };
        g_autofree char *needle = g_strdup_printf("| `%s` |", item);
        const char *row = strstr(readme, needle);
        g_autofree char *line = NULL;
        g_auto(GStrv) cells = NULL;
        g_autoptr(GRegex) re = NULL;
        g_autoptr(GMatchInfo) m = NULL;

        if (row == NULL)
                return FALSE;
        line = g_strndup(row, strcspn(row, "\n"));
        cells = g_strsplit(line, "|", -1);
        if (g_strv_length(cells) < 5)
                return FALSE;
        *ret_format = g_strstrip(g_strdup(cells[3]));
        re = g_regex_new("\\b(?:(\\d+) )?(PDF|PNG|TIFF|JPEG)s?\\b", 0, 0, NULL);
        memset(counts, 0, 4 * sizeof counts[0]);
        g_regex_match(re, *ret_format, 0, &m);
        while (g_match_info_matches(m)) {
                g_autofree char *n = g_match_info_fetch(m, 1);
                g_autofree char *kind = g_match_info_fetch(m, 2);

                for (guint k = 0; k < 4; k++)
                        if (strcmp(kind, kinds[k]) == 0)
                                counts[k] += (n && *n) ? (guint)atoi(n) : 1;
                g_match_info_next(m, NULL);
        }
        return TRUE;
}

static gboolean
body_is_referral_form(JsonObject *truth)
{
        JsonArray *docs = json_object_get_array_member(truth, "documents");

        for (guint i = 0; docs && i < json_array_get_length(docs); i++) {
                JsonObject *d = json_array_get_object_element(docs, i);
                JsonArray *pages = json_object_get_array_member(d, "pages");

                for (guint k = 0; pages && k < json_array_get_length(pages); k++)
                        if (json_array_get_int_element(pages, k) == 0)
                                return TRUE;
        }
        return FALSE;
}

static void
test_samples(void)
{
        static const char *types[] = { "application/pdf", "image/png", "image/tiff", "image/jpeg" };
        g_autofree char *dir = samples_dir();
        g_autofree char *readme = NULL;
        g_autofree char *readme_path = NULL;
        g_autoptr(GDir) d = NULL;
        const char *name;
        guint n = 0;

        if (dir == NULL) {
                g_test_skip("RD_SHARED_DIR/samples not found");
                return;
        }
        readme_path = g_build_filename(dir, "README.md", NULL);
        g_assert_true(g_file_get_contents(readme_path, &readme, NULL, NULL));
        d = g_dir_open(dir, 0, NULL);
        g_assert_nonnull(d);
        while ((name = g_dir_read_name(d)) != NULL) {
                g_autofree char *path = NULL;
                g_autofree char *truth_path = NULL;
                g_autofree char *format = NULL;
                g_autofree char *base = NULL;
                g_autofree char *data = NULL;
                g_autoptr(GError) error = NULL;
                g_autoptr(RdMimeInfo) info = NULL;
                g_autoptr(JsonParser) parser = json_parser_new();
                JsonObject *truth, *patient;
                guint want[4] = { 0 }, got[4] = { 0 };
                gsize len;

                if (!g_str_has_suffix(name, ".eml"))
                        continue;
                path = g_build_filename(dir, name, NULL);
                base = g_strndup(name, strlen(name) - 4);
                truth_path = g_strdup_printf("%s/%s.truth.json", dir, base);
                g_assert_true(g_file_get_contents(path, &data, &len, NULL));
                info = rd_mime_parse((const guint8 *)data, len, NULL, &error);
                g_assert_no_error(error);
                assert_info_sane(info);
                g_test_message("%s: %u attachments, %u skipped, body %zu bytes", name,
                               info->attachments->len, info->skipped_parts,
                               strlen(info->body_text));

                /* a reader's text, never markup */
                g_assert_cmpuint(strlen(info->body_text), >, 0);
                g_assert_null(strstr(info->body_text, "<html"));
                g_assert_null(strstr(info->body_text, "<p>"));
                g_assert_null(strstr(info->body_text, "&nbsp;"));
                g_assert_null(strstr(info->body_text, "=C3"));
                g_assert_null(strstr(info->subject ? info->subject : "", "=?"));
                g_assert_false(info->auto_submitted);

                /* attachments by type, as the README lists them */
                g_assert_true(readme_expectations(readme, name, want, &format));
                for (guint i = 0; i < info->attachments->len; i++)
                        for (guint k = 0; k < 4; k++)
                                if (strcmp(attachment(info, i)->media_type, types[k]) == 0)
                                        got[k]++;
                for (guint k = 0; k < 4; k++)
                        g_assert_cmpuint(got[k], ==, want[k]);
                if (strstr(format, "message/rfc822") != NULL) {
                        /* a forward: the attachments sit inside it */
                        g_assert_cmpuint(info->n_forwarded, >=, 1);
                        for (guint i = 0; i < info->attachments->len; i++)
                                g_assert_nonnull(strchr(attachment(info, i)->part_path, '.'));
                }

                /* the truth: received is the outer Date; a body that is the
                 * referral names the patient, accents and all */
                g_assert_true(json_parser_load_from_file(parser, truth_path, NULL));
                truth = json_node_get_object(json_parser_get_root(parser));
                g_assert_cmpstr(info->date_iso, ==,
                                json_object_get_string_member(truth, "received"));
                patient = json_object_get_object_member(truth, "patient");
                if (body_is_referral_form(truth) && patient != NULL) {
                        const char *family = json_object_get_string_member(patient, "family");

                        g_assert_nonnull(strstr(info->body_text, family));
                }
                n++;
        }
        g_assert_cmpuint(n, >, 0);
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        rd_mime_init();
        g_test_add_func("/mime/pdf-base64", test_pdf_base64);
        g_test_add_func("/mime/headers", test_headers);
        g_test_add_func("/mime/threading", test_threading);
        g_test_add_func("/mime/qp-utf8", test_qp_utf8);
        g_test_add_func("/mime/latin1", test_latin1);
        g_test_add_func("/mime/unknown-charset", test_unknown_charset);
        g_test_add_func("/mime/html-only", test_html_only);
        g_test_add_func("/mime/alternative", test_alternative);
        g_test_add_func("/mime/forward", test_forward);
        g_test_add_func("/mime/forward-base64", test_forward_base64);
        g_test_add_func("/mime/sniffed-types", test_sniffed_types);
        g_test_add_func("/mime/hostile-names", test_hostile_names);
        g_test_add_func("/mime/related-images", test_related_images);
        for (gsize i = 0; i < G_N_ELEMENTS(name_cases); i++) {
                g_autofree char *p = g_strdup_printf("/mime/filename/%s", name_cases[i].name);
                g_test_add_data_func(p, &name_cases[i], test_sanitize_filename);
        }
        g_test_add_func("/mime/filename/long-utf8", test_sanitize_long_utf8);
        for (gsize i = 0; i < G_N_ELEMENTS(auto_cases); i++) {
                g_autofree char *p = g_strdup_printf("/mime/auto/%s", auto_cases[i].name);
                g_test_add_data_func(p, &auto_cases[i], test_auto_case);
        }
        g_test_add_func("/mime/auto/fixtures", test_auto_fixtures);
        g_test_add_func("/mime/auto/forwarded-bounce", test_forwarded_bounce_is_human);
        g_test_add_func("/mime/limits/too-deep", test_too_deep);
        g_test_add_func("/mime/limits/too-deep-forwards", test_too_deep_forwards);
        g_test_add_func("/mime/limits/too-many-parts", test_too_many_parts);
        g_test_add_func("/mime/limits/container-bomb", test_container_bomb);
        g_test_add_func("/mime/limits/too-large", test_too_large);
        for (gsize i = 0; i < G_N_ELEMENTS(error_cases); i++) {
                g_autofree char *p = g_strdup_printf("/mime/error/%s", error_cases[i].name);
                g_test_add_data_func(p, &error_cases[i], test_error_case);
        }
        g_test_add_func("/mime/error/not-mail", test_not_mail_fixture);
        g_test_add_func("/mime/lenient", test_lenient_inputs);
        g_test_add_func("/mime/init", test_init_many_times);
        g_test_add_func("/mime/subjects", test_subjects);
        for (gsize i = 0; i < G_N_ELEMENTS(html_cases); i++) {
                g_autofree char *p = g_strdup_printf("/mime/html/%s", html_cases[i].name);
                g_test_add_data_func(p, &html_cases[i], test_html_case);
        }
        g_test_add_func("/mime/html/hostile", test_html_hostile);
        g_test_add_func("/mime/pages/body-only", test_read_pages_body_only);
        g_test_add_func("/mime/pages/text-pdfs", test_read_pages_text_pdfs);
        g_test_add_func("/mime/pages/parse-error", test_read_pages_parse_error);
        g_test_add_func("/mime/samples", test_samples);
        return g_test_run();
}
