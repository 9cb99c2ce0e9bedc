/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Message-ID, In-Reply-To and References in every form senders write
 * them, and documents inside forwarded messages at any depth. */
#include <string.h>

#include "parsers/mime/mime.h"
#include "parsers/page.h"

typedef struct {
        const char *name;
        const char *header; /* the header block, LF line ends */
        const char *want;   /* the id, or NULL */
} IdCase;

static const IdCase id_cases[] = {
        { "plain", "Message-ID: <a.1@x.example>\n", "a.1@x.example" },
        /* Python's email library folds a long id onto the next line */
        { "folded-python", "Message-ID:\n <171234567890.12345.9876543210987654321@mail.clinic.example>\n",
          "171234567890.12345.9876543210987654321@mail.clinic.example" },
        { "folded-tab", "Message-Id:\n\t<tab.folded@x.example>\n", "tab.folded@x.example" },
        { "folded-crlf", "Message-ID:\r\n <crlf.folded@x.example>\r\n", "crlf.folded@x.example" },
        { "commented", "Message-ID: (sent by gateway) <c.2@x.example> (end)\n", "c.2@x.example" },
        { "no-brackets", "Message-ID: bare.3@x.example\n", "bare.3@x.example" },
        { "lower-case-name", "message-id: <lc.4@x.example>\n", "lc.4@x.example" },
        { "absent", "X-Other: <not.an.id@x.example>\n", NULL },
        { "space-inside", "Message-ID: <two words@x.example>\n", NULL },
};

static GString *
message_with(const char *header)
{
        GString *s = g_string_new("From: a@b.example\nSubject: ids\n");
        gboolean crlf = strstr(header, "\r\n") != NULL;

        g_string_append(s, header);
        g_string_append(s, crlf ? "\r\nbody\r\n" : "\nbody\n");
        return s;
}

static void
test_message_id(gconstpointer data)
{
        const IdCase *c = data;
        g_autoptr(GString) msg = message_with(c->header);
        g_autofree char *id = rd_mime_message_id((const guint8 *)msg->str, msg->len);
        g_autoptr(GError) error = NULL;
        g_autoptr(RdMimeInfo) info = rd_mime_parse((const guint8 *)msg->str, msg->len, NULL, &error);

        g_assert_cmpstr(id, ==, c->want);
        g_assert_no_error(error);
        /* the worker's parse records the same id as the poller's */
        if (c->want != NULL)
                g_assert_cmpstr(info->message_id, ==, c->want);
}

static void
test_message_id_bounds(void)
{
        g_autoptr(GString) big = g_string_new("From: a@b.example\nMessage-ID: <");
        g_autofree char *header_only = NULL;

        g_assert_null(rd_mime_message_id(NULL, 0));
        g_assert_null(rd_mime_message_id((const guint8 *)"", 0));
        /* an id too long to be a key */
        for (guint i = 0; i < 600; i++)
                g_string_append_c(big, 'a');
        g_string_append(big, "@x.example>\n\nbody\n");
        g_assert_null(rd_mime_message_id((const guint8 *)big->str, big->len));
        /* a header-only message (no body) still has its id */
        header_only = rd_mime_message_id((const guint8 *)"Message-ID: <h@x.example>\n", 26);
        g_assert_cmpstr(header_only, ==, "h@x.example");
}

typedef struct {
        const char *name;
        const char *header;
        const char *in_reply_to;
        const char *refs[3];
} ThreadCase;

static const ThreadCase thread_cases[] = {
        { "plain", "In-Reply-To: <p.1@h.example>\nReferences: <r.0@h.example> <p.1@h.example>\n",
          "p.1@h.example", { "r.0@h.example", "p.1@h.example", NULL } },
        { "folded", "In-Reply-To:\n <f.1@h.example>\nReferences: <r.0@h.example>\n <f.1@h.example>\n",
          "f.1@h.example", { "r.0@h.example", "f.1@h.example", NULL } },
        { "commented", "In-Reply-To: (your mail) <c.1@h.example>\nReferences: <c.1@h.example> (x)\n",
          "c.1@h.example", { "c.1@h.example", NULL, NULL } },
        { "no-brackets", "In-Reply-To: b.1@h.example\nReferences: b.0@h.example b.1@h.example\n",
          "b.1@h.example", { "b.0@h.example", "b.1@h.example", NULL } },
        { "none", "X-Nothing: here\n", NULL, { NULL, NULL, NULL } },
};

static void
test_threading(gconstpointer data)
{
        const ThreadCase *c = data;
        g_autoptr(GString) msg = message_with(c->header);
        g_autoptr(GError) error = NULL;
        g_autoptr(RdMimeInfo) info = rd_mime_parse((const guint8 *)msg->str, msg->len, NULL, &error);
        guint n = 0;

        g_assert_no_error(error);
        g_assert_cmpstr(info->in_reply_to, ==, c->in_reply_to);
        while (n < G_N_ELEMENTS(c->refs) && c->refs[n])
                n++;
        g_assert_cmpuint(info->references->len, ==, n);
        for (guint i = 0; i < n; i++)
                g_assert_cmpstr(info->references->pdata[i], ==, c->refs[i]);
}

/* A PDF with a text layer, taken from a fixture so no OCR is needed. */
static char *
fixture_pdf_base64(void)
{
        const char *root = g_getenv("RD_SOURCE_ROOT");
        g_autofree char *path = NULL;
        g_autofree char *data = NULL;
        gsize len = 0;
        g_autoptr(RdMimeInfo) info = NULL;
        const RdMimeAttachment *a;

        g_assert_nonnull(root);
        path = g_build_filename(root, "tests", "data", "mime", "pdf-base64.eml", NULL);
        g_assert_true(g_file_get_contents(path, &data, &len, NULL));
        info = rd_mime_parse((const guint8 *)data, len, NULL, NULL);
        g_assert_nonnull(info);
        g_assert_cmpuint(info->attachments->len, ==, 1);
        a = info->attachments->pdata[0];
        return g_base64_encode(g_bytes_get_data(a->data, NULL), g_bytes_get_size(a->data));
}

static void
test_forward_of_forward(void)
{
        /* outer: body, a forward holding a forward that holds the PDF,
         * then a PDF of its own: the deep one is page 1, the outer page 2 */
        g_autofree char *pdf = fixture_pdf_base64();
        g_autofree char *msg = g_strdup_printf(
                "From: desk@clinic.example\r\nSubject: Fwd: Fwd: referral\r\n"
                "Message-ID:\r\n <outer.1@clinic.example>\r\n"
                "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
                "--o\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
                "--o\r\nContent-Type: message/rfc822\r\n\r\n"
                "From: office@pcp.example\r\nSubject: Fwd: referral\r\n"
                "Content-Type: multipart/mixed; boundary=m\r\n\r\n"
                "--m\r\nContent-Type: text/plain\r\n\r\nforwarding\r\n"
                "--m\r\nContent-Type: message/rfc822\r\n\r\n"
                "From: doctor@pcp.example\r\nSubject: referral\r\n"
                "Content-Type: multipart/mixed; boundary=i\r\n\r\n"
                "--i\r\nContent-Type: text/plain\r\n\r\nthe referral\r\n"
                "--i\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n"
                "--i--\r\n"
                "--m--\r\n"
                "--o\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n"
                "--o--\r\n",
                pdf, pdf);
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GError) error = NULL;
        g_autoptr(RdMimeInfo) info = NULL;
        const RdPage *p;

        g_assert_true(rd_mime_read_pages((const guint8 *)msg, strlen(msg), NULL, NULL, pages, &info,
                                         &error));
        g_assert_no_error(error);
        g_assert_cmpstr(info->message_id, ==, "outer.1@clinic.example");
        g_assert_cmpuint(info->n_forwarded, ==, 2);
        g_assert_cmpuint(info->attachments->len, ==, 2);
        g_assert_cmpuint(pages->len, ==, 3);
        p = pages->pdata[0];
        g_assert_cmpuint(p->number, ==, 0);
        /* every body's text reaches page 0, the deepest included */
        g_assert_nonnull(strstr(p->text, "the referral"));
        p = pages->pdata[1];
        g_assert_cmpuint(p->number, ==, 1);
        g_assert_cmpstr(p->source_part, ==, "2.2.2");
        p = pages->pdata[2];
        g_assert_cmpuint(p->number, ==, 2);
        g_assert_cmpstr(p->source_part, ==, "3");
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        rd_mime_init();
        for (gsize i = 0; i < G_N_ELEMENTS(id_cases); i++) {
                g_autofree char *path = g_strdup_printf("/mime-ids/message-id/%s", id_cases[i].name);

                g_test_add_data_func(path, &id_cases[i], test_message_id);
        }
        g_test_add_func("/mime-ids/message-id/bounds", test_message_id_bounds);
        for (gsize i = 0; i < G_N_ELEMENTS(thread_cases); i++) {
                g_autofree char *path = g_strdup_printf("/mime-ids/threading/%s", thread_cases[i].name);

                g_test_add_data_func(path, &thread_cases[i], test_threading);
        }
        g_test_add_func("/mime-ids/forward-of-forward", test_forward_of_forward);
        return g_test_run();
}
