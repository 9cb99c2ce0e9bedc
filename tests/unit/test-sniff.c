/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sniff.h"

typedef struct {
        const char *name;
        const char *bytes;
        gsize len;
        const char *expected;
} SniffCase;

static const SniffCase cases[] = {
        { "pdf", "%PDF-1.7\n%\xe2\xe3\n", 14, "application/pdf" },
        { "pdf-after-junk", "\r\n\r\n%PDF-1.4\n", 13, "application/pdf" },
        { "tiff-le", "II*\0\x08\0\0\0", 8, "image/tiff" },
        { "tiff-be", "MM\0*\0\0\0\x08", 8, "image/tiff" },
        { "bigtiff", "II+\0\x08\0\0\0", 8, "image/tiff" },
        { "png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "image/png" },
        { "jpeg", "\xff\xd8\xff\xe0\0\x10JFIF", 10, "image/jpeg" },
        { "email", "From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\n\r\nbody", 52,
          "message/rfc822" },
        { "one-header-only", "Subject: x\r\n\r\nbody", 18, NULL },
        { "text", "Dear doctor, please see this patient\n", 37, NULL },
        { "empty", "", 0, NULL },
        { "zip", "PK\x03\x04\x14\0\0\0", 8, NULL },
        { "random", "\x13\x37\xde\xad\xbe\xef\x00\x01", 8, NULL },
};

static void
test_case(gconstpointer data)
{
        const SniffCase *c = data;

        g_assert_cmpstr(rd_sniff_media_type((const guint8 *)c->bytes, c->len), ==, c->expected);
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *path = g_strdup_printf("/sniff/%s", cases[i].name);
                g_test_add_data_func(path, &cases[i], test_case);
        }
        return g_test_run();
}
