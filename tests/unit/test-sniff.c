/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "parsers/sniff.h"

/* a literal and its length, embedded NULs included */
#define B(s) s, sizeof(s) - 1

typedef struct {
        const char *name;
        const char *bytes;
        gsize len;
        const char *expected;
} SniffCase;

static const SniffCase cases[] = {
        { "pdf", B("%PDF-1.7\n%\xe2\xe3\n"), "application/pdf" },
        { "pdf-after-junk", B("\r\n\r\n%PDF-1.4\n"), "application/pdf" },
        { "tiff-le", B("II*\0\x08\0\0\0"), "image/tiff" },
        { "tiff-be", B("MM\0*\0\0\0\x08"), "image/tiff" },
        { "bigtiff", B("II+\0\x08\0\0\0"), "image/tiff" },
        { "png", B("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png" },
        { "jpeg", B("\xff\xd8\xff\xe0\0\x10JFIF"), "image/jpeg" },
        { "email", "From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\n\r\nbody", 52,
          "message/rfc822" },
        { "one-header-only", B("Subject: x\r\n\r\nbody"), NULL },
        { "text", B("Dear doctor, please see this patient\n"), NULL },
        { "empty", B(""), NULL },
        { "zip", B("PK\x03\x04\x14\0\0\0"), NULL },
        { "random", B("\x13\x37\xde\xad\xbe\xef\x00\x01"), NULL },
};

static void
test_case(gconstpointer data)
{
        const SniffCase *c = data;

        g_assert_cmpstr(rd_sniff_media_type((const guint8 *)c->bytes, c->len), ==, c->expected);
}

typedef struct {
        const char *name;
        const char *bytes;
        gsize len;
        const char *media;
        gboolean truncated;
} TruncCase;

static const TruncCase trunc_cases[] = {
        { "pdf-whole", B("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"), "application/pdf", FALSE },
        { "pdf-cut", B("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntra"), "application/pdf", TRUE },
        { "tiff-ifd-inside", B("II*\0\x08\0\0\0\0\0\0\0"), "image/tiff", FALSE },
        { "tiff-ifd-beyond", B("II*\0\x00\x10\0\0\0\0"), "image/tiff", TRUE },
        { "tiff-be-beyond", B("MM\0*\0\0\x10\0\0\0"), "image/tiff", TRUE },
        { "png-whole", B("\x89PNG\r\n\x1a\n\0\0\0\0IEND\xae\x42\x60\x82"), "image/png", FALSE },
        { "png-cut", B("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png", TRUE },
};

static void
test_truncation(gconstpointer data)
{
        const TruncCase *c = data;
        const char *reason = rd_sniff_truncation((const guint8 *)c->bytes, c->len, c->media);

        if (c->truncated)
                g_assert_nonnull(reason);
        else
                g_assert_null(reason);
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *path = g_strdup_printf("/sniff/%s", cases[i].name);
                g_test_add_data_func(path, &cases[i], test_case);
        }
        for (gsize i = 0; i < G_N_ELEMENTS(trunc_cases); i++) {
                g_autofree char *path = g_strdup_printf("/sniff/truncation/%s", trunc_cases[i].name);
                g_test_add_data_func(path, &trunc_cases[i], test_truncation);
        }
        return g_test_run();
}
