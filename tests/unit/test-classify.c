/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "parsers/understand/classify.h"
#include "parsers/page.h"

#define HDR "2027-04-11 09:02:17 From: 3125550111 To: 3125550999 Page 1 of 9\n"

static const char ekg_text[] = HDR
        "DOE, JANE  ID: 44021\n"
        "09-APR-2027 10:41:05\n"
        "Vent. rate 72 BPM\nPR interval 160 ms\nQRS duration 92 ms\nQT/QTc 380/416 ms\n"
        "P-R-T axes 40 55 38\n"
        "Normal sinus rhythm\nNormal ECG\n"
        "I aVR V1 V4\nII aVL V2 V5\nIII aVF V3 V6\n"
        "25mm/s 10mm/mV 40Hz\n";

static const char labs_text[] = HDR
        "Northfield Reference Lab     LAB RESULTS\n"
        "Patient: DOE, JANE   DOB: 05/06/1950\n"
        "Specimen collected: 04/02/2027 07:10   Resulted: 04/02/2027 14:00\n"
        "Analyte Value Units Ref. interval\n"
        "Sodium 139 mmol/L 136-145\nPotassium 4.1 mmol/L 3.5-5.0\nChloride 101 mmol/L 98-107\n"
        "CO2 25 mmol/L 22-30\nBUN 15 mg/dL 8-23\nCreatinine 0.9 mg/dL 0.5-1.1\n"
        "Glucose 101 mg/dL 70-99\nCalcium 9.2 mg/dL 8.5-10.5\n"
        "NT-proBNP 220 pg/mL <300\n"
        "TSH 2.1 uIU/mL 0.4-4.0\n";

static const char note_text[] = HDR
        "Northfield Family Clinic\n"
        "CLINIC NOTE\n"
        "Patient: Doe, Jane   DOB: 05/06/1950   Visit date: 04/09/2027\n"
        "Chief Complaint: palpitations\n"
        "History of Present Illness: 76 year old woman with two weeks of intermittent palpitations.\n"
        "An EKG was ordered and labs are pending. Echo to follow.\n"
        "Physical Exam: irregular rhythm, no murmur.\n"
        "Assessment: palpitations, possible atrial fibrillation.\n"
        "Plan: event monitor, referral to cardiology.\n";

static const char form_text[] = HDR
        "CARDIOLOGY REFERRAL FORM\n"
        "Patient: Doe, Jane DOB: 05/06/1950\n"
        "Reason for referral: palpitations\n"
        "Records enclosed: [X] EKG [X] Labs [X] Echo [X] Stress test\n"
        "Referring provider: Ann Lee, MD\n";

static void
test_single_pages(void)
{
        static const struct {
                const char *text;
                RdDocType want;
        } cases[] = {
                { ekg_text, RD_DOC_EKG },
                { labs_text, RD_DOC_LABS },
                { note_text, RD_DOC_CLINICAL_NOTES },
                { form_text, RD_DOC_REFERRAL_FORM },
                { HDR "DISCHARGE SUMMARY\nAdmission date: 03/30/2027 Discharge date: 04/02/2027\n"
                      "Hospital course: diuresed, improved.\nAssessment and plan: follow up.\n",
                  RD_DOC_DISCHARGE_SUMMARY },
                { HDR "ECHOCARDIOGRAM REPORT\nTransthoracic study\nLVEF 55 %\nLVIDd 4.8 cm\nTAPSE 2.1 cm\n",
                  RD_DOC_ECHO },
                { HDR "Holter report, 24 hours\nHookup 04/01/2027\nTotal beats 101220\nPVCs 1%\n",
                  RD_DOC_AMBULATORY_MONITOR },
                { HDR "Facsimile cover sheet\nTo: Cardiology\nFrom: Dr. Lee\nNumber of pages: 4\n",
                  RD_DOC_COVER_SHEET },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                RdPageClass pc;

                rd_classify_page(cases[i].text, FALSE, &pc);
                g_assert_cmpstr(rd_doc_type_to_string(pc.type), ==,
                                rd_doc_type_to_string(cases[i].want));
                g_assert_false(pc.weak);
        }
}

static void
test_header_does_not_classify(void)
{
        RdPageClass pc;

        /* a fax header alone, even one naming a "LAB", is a blank page */
        rd_classify_page("APR-11-2027 09:02 FROM:NORTHFIELD LAB REPORTS 3125550111 TO:3125550999 P.2/5\n\n",
                         FALSE, &pc);
        g_assert_true(pc.blank);
}

static void
test_panels_and_dates(void)
{
        guint p = rd_classify_lab_panels(labs_text);
        g_autofree char *d1 = rd_classify_document_date(RD_DOC_LABS, labs_text, "1950-05-06");
        g_autofree char *d2 = rd_classify_document_date(RD_DOC_EKG, ekg_text, NULL);

        g_assert_cmpuint(p, ==, RD_PANEL_BMP | RD_PANEL_BNP | RD_PANEL_TSH);
        g_assert_cmpstr(d1, ==, "2027-04-02");
        g_assert_cmpstr(d2, ==, "2027-04-09");
}

static RdPage *
page(guint n, const char *text)
{
        RdPage *p = rd_page_new();

        p->number = n;
        g_free(p->text);
        p->text = g_strdup(text);
        p->method = n == 0 ? RD_PAGE_METHOD_BODY : RD_PAGE_METHOD_OCR;
        return p;
}

static void
test_grouping(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GPtrArray) docs = NULL;
        static const RdDocType want[] = { RD_DOC_REFERRAL_FORM, RD_DOC_CLINICAL_NOTES, RD_DOC_LABS,
                                          RD_DOC_EKG };
        const RdDocument *d;

        g_ptr_array_add(pages, page(1, form_text));
        g_ptr_array_add(pages, page(2, note_text));
        /* a blank page joins the note, a duplicate note page too */
        g_ptr_array_add(pages, page(3, HDR "\n\n"));
        g_ptr_array_add(pages, page(4, note_text));
        g_ptr_array_add(pages, page(5, labs_text));
        g_ptr_array_add(pages, page(6, ekg_text));
        docs = rd_classify_pages(pages, NULL);
        g_assert_cmpuint(docs->len, ==, G_N_ELEMENTS(want));
        for (guint i = 0; i < docs->len; i++) {
                d = g_ptr_array_index(docs, i);
                g_assert_cmpint(d->type, ==, want[i]);
        }
        d = g_ptr_array_index(docs, 1);
        g_assert_cmpuint(d->pages->len, ==, 3);
        /* mentions in the note and ticked boxes on the form are not documents */
        for (guint i = 0; i < docs->len; i++) {
                d = g_ptr_array_index(docs, i);
                g_assert_cmpint(d->type, !=, RD_DOC_ECHO);
                g_assert_cmpint(d->type, !=, RD_DOC_STRESS_TEST);
        }
}

static void
test_email_body(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GPtrArray) docs = NULL;

        /* a body that only forwards holds no document */
        g_ptr_array_add(pages, page(0, "Hi team, forwarding this one for scheduling.\nThanks, Sam\n"));
        g_ptr_array_add(pages, page(1, labs_text));
        docs = rd_classify_pages(pages, NULL);
        g_assert_cmpuint(docs->len, ==, 1);
        g_assert_cmpint(((RdDocument *)g_ptr_array_index(docs, 0))->type, ==, RD_DOC_LABS);
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/classify/single-pages", test_single_pages);
        g_test_add_func("/classify/header-only", test_header_does_not_classify);
        g_test_add_func("/classify/panels-and-dates", test_panels_and_dates);
        g_test_add_func("/classify/grouping", test_grouping);
        g_test_add_func("/classify/email-body", test_email_body);
        return g_test_run();
}
