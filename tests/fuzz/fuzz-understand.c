/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for understanding text: the input is split into pages
 * at form feeds (as OCR or a text layer could give them) and goes through
 * rd_extract_referral with the reference policy; each line also goes
 * through the fax-header, date, phone, ICD-10 and name readers. Whatever
 * the text, the output keeps the contract's shapes. */
#include <string.h>

#include "parsers/fields/dates.h"
#include "parsers/fields/fax-header.h"
#include "parsers/fields/ids.h"
#include "parsers/fields/names.h"
#include "parsers/page.h"
#include "parsers/understand/extract.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
check_iso(const char *s)
{
        if (s != NULL && !rd_iso_date(s, NULL))
                __builtin_trap();
}

static void
check_digits(const char *s, gsize n)
{
        if (s == NULL)
                return;
        if (strlen(s) != n)
                __builtin_trap();
        for (const char *p = s; *p; p++)
                if (*p < '0' || *p > '9')
                        __builtin_trap();
}

static void
read_line(const char *line)
{
        g_autofree char *date = rd_parse_date(line, NULL);
        g_autofree char *found = rd_find_date(line, NULL, NULL);
        g_autofree char *phone = rd_normalize_phone(line);
        g_autofree char *icd = rd_icd10_normalize(line);
        g_autofree char *hdr_date = rd_fax_header_date(line);
        g_autofree char *hdr_from = rd_fax_header_sender(line);
        g_autofree char *family = NULL, *given = NULL;

        check_iso(date);
        check_iso(found);
        check_iso(hdr_date);
        check_digits(phone, 10);
        check_digits(hdr_from, 10);
        if (rd_split_person_name(line, &family, &given) &&
            (family == NULL || !g_utf8_validate(family, -1, NULL)))
                __builtin_trap();
        (void)rd_is_fax_header_line(line);
        (void)icd;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
        static RdPolicy *policy;
        g_autofree char *text = g_utf8_make_valid((const char *)data, (gssize)size);
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_auto(GStrv) chunks = NULL, lines = NULL;
        RdExtractMeta meta = { .channel = "fax", .received = "2026-11-20" };
        g_autoptr(GError) error = NULL;
        RdReferral *ref;

        if (policy == NULL)
                policy = rd_policy_new_reference();
        chunks = g_strsplit(text, "\f", 12);
        for (guint i = 0; chunks[i] != NULL; i++) {
                RdPage *page = rd_page_new();

                page->number = i + 1;
                g_free(page->text);
                page->text = g_strdup(chunks[i]);
                page->method = RD_PAGE_METHOD_OCR;
                page->confidence = 80.0;
                g_ptr_array_add(pages, page);
        }
        ref = rd_extract_referral(pages, &meta, policy, &error);
        if (ref == NULL)
                __builtin_trap();
        {
                g_autofree char *json = rd_referral_to_json(ref, FALSE);

                if (json == NULL || !g_utf8_validate(json, -1, NULL))
                        __builtin_trap();
        }
        check_iso(ref->patient.dob);
        rd_referral_free(ref);
        lines = g_strsplit(text, "\n", 200);
        for (guint i = 0; lines[i] != NULL; i++)
                read_line(lines[i]);
        return 0;
}
