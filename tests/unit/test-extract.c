/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include <json-glib/json-glib.h>

#include "parsers/understand/extract.h"
#include "parsers/page.h"

static RdPage *
page(guint n, const char *text)
{
        RdPage *p = rd_page_new();

        p->number = n;
        g_free(p->text);
        p->text = g_strdup(text);
        p->method = RD_PAGE_METHOD_OCR;
        p->confidence = 88;
        return p;
}

#define HDR(n) "05/20/2027 11:02 AM FAX 708 555 0140 OAKWOOD PRIMARY CARE #0107 P.00" #n "/004\n"

static void
test_packet(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(RdPolicy) policy = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autofree char *json = NULL;
        RdExtractMeta meta = { "fax", NULL, NULL, NULL };
        JsonObject *o;
        JsonArray *missing;

        g_ptr_array_add(pages, page(1, HDR(1)
                "Oakwood Primary Care\nTel (708) 555-0139 Fax (708) 555-0140\n"
                "REFERRAL TO CARDIOLOGY\n"
                "Patient: Okonjo, Chidi  DOB: 02/14/1957  Sex: M  MRN: OPC-7781\n"
                "Referring provider: Maya Lindqvist, MD  NPI: 1234567893\n"
                "Requested service: [X] Heart Failure [ ] Electrophysiology [ ] General Cardiology\n"
                "Reason for referral: worsening orthopnea, LVEF 35%\n"
                "Diagnosis: I50.22 Chronic systolic heart failure\n"
                "Echo report to follow.\n"));
        g_ptr_array_add(pages, page(2, HDR(2)
                "PROGRESS NOTE\nPatient: Okonjo, Chidi DOB: 02/14/1957\nDate of service: 05/18/2027\n"
                "Chief Complaint: breathlessness\nHistory of Present Illness: two months of dyspnea.\n"
                "Physical Exam: JVP raised.\nAssessment: HFrEF.\nPlan: refer.\n"));
        g_ptr_array_add(pages, page(3, HDR(3)
                "Laboratory Report\nPatient: OKONJO, CHIDI DOB: 02/14/1957\n"
                "Collected: 01/05/2027 08:00\n"
                "Sodium 137 mmol/L 135-145\nPotassium 4.4 mmol/L 3.5-5.1\nCreatinine 1.1 mg/dL 0.6-1.3\n"
                "BUN 18 mg/dL 7-20\nGlucose 96 mg/dL 70-99\nBNP 890 pg/mL <100\n"));
        g_ptr_array_add(pages, page(4, HDR(4)
                "OKONJO, CHIDI\n17-MAY-2027 09:30:00\nVent. rate 96 BPM\nPR interval 170 ms\n"
                "QRS duration 128 ms\nQT/QTc 360/450 ms\nI aVR V1 V4\nII aVL V2 V5\nIII aVF V3 V6\n"
                "25mm/s 10mm/mV\n"));
        ref = rd_extract_referral(pages, &meta, policy, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(ref->received, ==, "2027-05-20");
        g_assert_cmpstr(ref->service_line, ==, "heart_failure");
        g_assert_cmpstr(ref->urgency, ==, "routine");
        g_assert_false(ref->complete);

        json = rd_referral_to_json(ref, FALSE);
        g_assert_true(json_parser_load_from_data(parser, json, -1, NULL));
        o = json_node_get_object(json_parser_get_root(parser));
        /* exactly the contract's keys are there */
        g_assert_true(json_object_has_member(o, "patient"));
        g_assert_true(json_object_has_member(o, "referring"));
        g_assert_true(json_object_has_member(o, "documents"));
        g_assert_false(json_object_get_boolean_member(o, "complete"));
        missing = json_object_get_array_member(o, "missing");
        /* labs are 135 days old, echo only mentioned */
        g_assert_cmpuint(json_array_get_length(missing), ==, 2);
        g_assert_cmpstr(json_array_get_string_element(missing, 0), ==, "labs");
        g_assert_cmpstr(json_array_get_string_element(missing, 1), ==, "echo");
        g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(o, "patient"),
                                                      "dob"), ==, "1957-02-14");
        g_assert_true(json_object_get_null_member(json_object_get_object_member(o, "patient"),
                                                  "phone"));
}

static void
test_email_meta(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(RdPolicy) policy = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = NULL;
        RdExtractMeta meta = { "email", "2027-06-01", "referral", "a@b.example" };
        RdPage *body = page(0, "Please see Ms. Ana Silva, DOB 3/3/1970, STAT: chest pain at rest today.\n"
                               "Reason for referral: rest angina\nThank you,\nLuca Bianchi, MD\n");

        body->method = RD_PAGE_METHOD_BODY;
        g_ptr_array_add(pages, body);
        ref = rd_extract_referral(pages, &meta, policy, NULL);
        g_assert_nonnull(ref);
        g_assert_cmpstr(ref->channel, ==, "email");
        g_assert_cmpstr(ref->received, ==, "2027-06-01");
        g_assert_cmpstr(ref->urgency, ==, "stat");
        g_assert_true(ref->complete);
}

/* The pages of a referral with its own recent labs, each page under
 * @hdr (a fax header line, or "" for none). */
static GPtrArray *
lab_packet(const char *hdr)
{
        GPtrArray *pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autofree char *p1 = g_strconcat(hdr,
                "REFERRAL TO CARDIOLOGY\nPatient: Okonjo, Chidi  DOB: 02/14/1957  Sex: M\n"
                "Referring provider: Maya Lindqvist, MD  NPI: 1234567893\n"
                "Requested service: [X] Preventive Cardiology [ ] Electrophysiology\n"
                "Reason for referral: familial hypercholesterolemia\nDiagnosis: E78.01\n", NULL);
        g_autofree char *p2 = g_strconcat(hdr,
                "PROGRESS NOTE\nPatient: Okonjo, Chidi DOB: 02/14/1957\nDate of service: 05/18/2027\n"
                "Chief Complaint: high cholesterol\nHistory of Present Illness: LDL 212 on statin.\n"
                "Assessment: FH.\nPlan: refer.\n", NULL);
        g_autofree char *p3 = g_strconcat(hdr,
                "Laboratory Report\nPatient: OKONJO, CHIDI DOB: 02/14/1957\nCollected: 05/10/2027 08:00\n"
                "Cholesterol, Total 290 mg/dL <200\nTriglycerides 150 mg/dL <150\n"
                "HDL Cholesterol 40 mg/dL >40\nLDL Cholesterol 212 mg/dL <100\n", NULL);

        g_ptr_array_add(pages, page(1, p1));
        g_ptr_array_add(pages, page(2, p2));
        g_ptr_array_add(pages, page(3, p3));
        return pages;
}

/* With no fax header, the day the item arrived is the received date, set
 * before the checklist and its review: the labs are measured from it,
 * and no "unreadable" review is left behind from before it was known. A
 * header's date that cannot be right gives way to it too, when asked. */
static void
test_arrival_day(void)
{
        g_autoptr(RdPolicy) policy = rd_policy_new_reference();
        RdExtractMeta meta = { "fax", NULL, NULL, NULL, "2027-06-02", FALSE };

        {
                g_autoptr(GPtrArray) pages = lab_packet("");
                g_autoptr(RdReferral) ref = rd_extract_referral(pages, &meta, policy, NULL);

                g_assert_nonnull(ref);
                g_assert_cmpstr(ref->received, ==, "2027-06-02");
                g_assert_true(ref->received_arrival);
                g_assert_false(ref->received_set_aside);
                g_assert_cmpstr(ref->service_line, ==, "preventive");
                g_assert_cmpuint(ref->missing->len, ==, 0);
                g_assert_true(ref->complete);
                for (guint i = 0; i < ref->review_reasons->len; i++)
                        g_assert_null(strstr(g_ptr_array_index(ref->review_reasons, i), "unreadable"));
        }
        /* a fax machine whose clock was never set */
        {
                g_autoptr(GPtrArray) pages = lab_packet("01/01/2009 11:02 AM FAX 708 555 0140 OAKWOOD PRIMARY CARE P.1\n");
                g_autoptr(RdReferral) kept = rd_extract_referral(pages, &meta, policy, NULL);
                g_autoptr(RdReferral) set_aside = NULL;

                g_assert_cmpstr(kept->received, ==, "2009-01-01");
                g_assert_false(kept->received_arrival);
                meta.distrust_far = TRUE;
                set_aside = rd_extract_referral(pages, &meta, policy, NULL);
                g_assert_cmpstr(set_aside->received, ==, "2027-06-02");
                g_assert_true(set_aside->received_arrival);
                g_assert_true(set_aside->received_set_aside);
                g_assert_cmpuint(set_aside->missing->len, ==, 0);
        }
}

/* A fax machine stamps every page: a line that reads like a header on
 * one page alone of several, not the first (an EKG machine's patient,
 * ID and acquisition time), is that page's print, and the received date
 * is the day the item arrived. The same line on two pages is a header,
 * though the first page's could not be read. */
static void
test_lone_header(void)
{
        g_autoptr(RdPolicy) policy = rd_policy_new_reference();
        RdExtractMeta meta = { "fax", NULL, NULL, NULL, "2027-06-02", FALSE };
        static const char *const line = "OKONJO, CHIDI ID: 285-7389 May 12, 2027 11:03:21\n";

        for (int both = 0; both < 2; both++) {
                g_autoptr(GPtrArray) pages = lab_packet("");
                g_autoptr(RdReferral) ref = NULL;

                for (guint k = 1; k <= (guint)(both ? 2 : 1); k++) {
                        RdPage *pg = g_ptr_array_index(pages, k);
                        char *text = g_strconcat(line, pg->text, NULL);

                        g_free(pg->text);
                        pg->text = text;
                }
                ref = rd_extract_referral(pages, &meta, policy, NULL);
                g_assert_nonnull(ref);
                g_assert_cmpstr(ref->received, ==, both ? "2027-05-12" : "2027-06-02");
                g_assert_true(ref->received_arrival == !both);
        }
}

static void
test_nothing_readable(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(RdPolicy) policy = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = NULL;
        RdExtractMeta meta = { "fax", NULL, NULL, NULL };

        g_ptr_array_add(pages, page(1, "~~ ;; ,,\n"));
        ref = rd_extract_referral(pages, &meta, policy, NULL);
        g_assert_nonnull(ref);
        /* unreadable is never complete */
        g_assert_false(ref->complete);
        g_assert_null(ref->patient.family);
        g_assert_null(ref->received);
}

static gboolean
has_reason(const RdReferral *ref, const char *reason)
{
        for (guint i = 0; i < ref->review_reasons->len; i++)
                if (strcmp(g_ptr_array_index(ref->review_reasons, i), reason) == 0)
                        return TRUE;
        return FALSE;
}

/* Returns: (transfer full) the pages of a packet so far: a referral
 * letter for a general cardiology visit, page 1. */
static GPtrArray *
referral_letter(void)
{
        GPtrArray *pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);

        g_ptr_array_add(pages, page(1, HDR(1)
                "REFERRAL TO CARDIOLOGY\nPatient: Okonjo, Chidi  DOB: 02/14/1957\n"
                "Referring provider: Maya Lindqvist, MD  NPI: 1234567893\n"
                "Requested service: [X] General Cardiology\n"
                "Reason for referral: palpitations\n"));
        return pages;
}

/* Returns: (transfer full) page @n, OCRed with @confidence into @text,
 * its picture measured on the usual working image and showing nothing
 * yet (set what the case needs). */
static RdPage *
measured_page(guint n, const char *text, double confidence)
{
        RdPage *p = page(n, text);

        p->confidence = confidence;
        p->picture.work_width = 864;
        p->picture.work_height = 1078;
        p->picture.tracing_angle = p->picture.upright_turn = -1;
        return p;
}

/* A page faxed black (a dark photo) with nothing read on it but the fax
 * header may be the EKG the checklist wants: a person looks at it. The
 * same page light (a blank back side) asks nothing. */
static void
test_dark_page(void)
{
        for (int dark = 0; dark < 2; dark++) {
                g_autoptr(GPtrArray) pages = referral_letter();
                g_autoptr(RdPolicy) policy = rd_policy_new_reference();
                g_autoptr(RdReferral) ref = NULL;
                RdExtractMeta meta = { "fax", NULL, NULL, NULL };
                RdPage *black = measured_page(2, HDR(2), 92);

                black->picture.ink = dark ? 0.62 : 0.004;
                black->picture.dark = dark;
                black->picture.blank = !dark;
                g_ptr_array_add(pages, black);
                ref = rd_extract_referral(pages, &meta, policy, NULL);
                g_assert_nonnull(ref);
                g_assert_cmpint(has_reason(ref, "page 2 too dark to read"), ==, dark);
                if (dark)
                        g_assert_true(ref->needs_review);
        }
}

static gboolean
is_missing(const RdReferral *ref, const char *item)
{
        for (guint i = 0; i < ref->missing->len; i++)
                if (strcmp(((const RdMissingItem *)g_ptr_array_index(ref->missing, i))->item, item) == 0)
                        return TRUE;
        return FALSE;
}

/* A page showing a row or two of trace, too few for a tracing, with
 * junk for text (a tracing read sideways) may be the EKG the checklist
 * misses: the EKG stays missing, and a person looks before a request
 * goes out. Not when the EKG is there, nor for a page whose text says
 * what it is, nor for one with no trace at all. */
static void
test_partial_tracing(void)
{
        static const struct {
                const char *text;
                guint rows;
                double score;
                gboolean ekg_elsewhere, want;
        } cases[] = {
                { "~ ,. ;\nlevecner eg tesesanees:\nSeunee\n", 1, 0.27, FALSE, TRUE },
                { "~ ,. ;\nlevecner eg tesesanees:\nSeunee\n", 2, 0.44, TRUE, FALSE },
                { "~ ,. ;\nlevecner eg tesesanees:\nSeunee\n", 0, 0.0, FALSE, FALSE },
                { "~ ,. ;\nlevecner eg tesesanees:\nSeunee\n", 1, 0.1, FALSE, FALSE },
                { "COPY OF INSURANCE CARD\nMedicare\nMember: Chidi Okonjo\nID: XGH670809464\n"
                  "Group: 37768  Copay Spec $50  ER $150\n", 2, 0.44, FALSE, FALSE },
        };

        for (gsize c = 0; c < G_N_ELEMENTS(cases); c++) {
                g_autoptr(GPtrArray) pages = referral_letter();
                g_autoptr(RdPolicy) policy = rd_policy_new_reference();
                g_autoptr(RdReferral) ref = NULL;
                RdExtractMeta meta = { "fax", NULL, NULL, NULL };
                RdPage *part = measured_page(2, cases[c].text, 81);

                part->picture.tracing_angle = cases[c].rows ? 90 : -1;
                part->picture.trace_rows = cases[c].rows;
                part->picture.ecg_score = cases[c].score;
                part->picture.ink = 0.13;
                g_ptr_array_add(pages, part);
                if (cases[c].ekg_elsewhere)
                        g_ptr_array_add(pages, page(3, HDR(3)
                                "OKONJO, CHIDI\n17-MAY-2027 09:30:00\nVent. rate 96 BPM\nPR interval 170 ms\n"
                                "QRS duration 128 ms\nQT/QTc 360/450 ms\nI aVR V1 V4\nII aVL V2 V5\nIII aVF V3 V6\n"
                                "25mm/s 10mm/mV\n"));
                ref = rd_extract_referral(pages, &meta, policy, NULL);
                g_assert_nonnull(ref);
                g_test_message("case %zu: ekg missing %d, review %d", c, is_missing(ref, "ekg"),
                               ref->needs_review);
                g_assert_cmpint(has_reason(ref, "page 2 may be an EKG: part of a tracing, no readable text"),
                                ==, cases[c].want);
                g_assert_cmpint(is_missing(ref, "ekg"), ==, !cases[c].ekg_elsewhere);
                if (cases[c].want) {
                        g_assert_true(ref->needs_review);
                        g_assert_false(ref->complete);
                }
        }
}


/* A page of ECG paper (a dense grid both ways) on which no trace was
 * found and nothing read but the fax header: the EKG is there, but a
 * person confirms it; no request goes out for it. Without the grid the
 * same page leaves the EKG missing. */
static void
test_ecg_paper(void)
{
        for (int paper = 0; paper < 2; paper++) {
                g_autoptr(GPtrArray) pages =
                        g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
                g_autoptr(RdPolicy) policy = rd_policy_new_reference();
                g_autoptr(RdReferral) ref = NULL;
                RdExtractMeta meta = { "fax", NULL, NULL, NULL };
                RdPage *grid;
                gboolean ekg_found = FALSE;

                g_ptr_array_add(pages, page(1, HDR(1)
                        "REFERRAL TO CARDIOLOGY\nPatient: Okonjo, Chidi  DOB: 02/14/1957\n"
                        "Referring provider: Maya Lindqvist, MD  NPI: 1234567893\n"
                        "Requested service: [X] Electrophysiology\n"
                        "Reason for referral: palpitations\n"));
                grid = page(2, HDR(2) "uw ~ mi\n");
                grid->confidence = 60;
                grid->picture.work_width = 864;
                grid->picture.work_height = 1078;
                grid->picture.tracing_angle = grid->picture.upright_turn = -1;
                grid->picture.ink = 0.3;
                grid->picture.grid_score = paper ? 1.0 : 0.0;
                grid->picture.ecg_paper = paper;
                g_ptr_array_add(pages, grid);
                ref = rd_extract_referral(pages, &meta, policy, NULL);
                g_assert_nonnull(ref);
                for (guint i = 0; i < ref->documents->len; i++) {
                        const RdDocument *d = g_ptr_array_index(ref->documents, i);

                        ekg_found |= d->type == RD_DOC_EKG;
                }
                g_assert_cmpint(ekg_found, ==, paper);
                g_assert_cmpint(is_missing(ref, "ekg"), ==, !paper);
                if (paper) {
                        g_assert_true(ref->needs_review);
                        g_assert_true(has_reason(ref, "low-confidence document decides ekg"));
                }
        }
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/extract/packet", test_packet);
        g_test_add_func("/extract/email-meta", test_email_meta);
        g_test_add_func("/extract/arrival-day", test_arrival_day);
        g_test_add_func("/extract/lone-header", test_lone_header);
        g_test_add_func("/extract/nothing-readable", test_nothing_readable);
        g_test_add_func("/extract/dark-page", test_dark_page);
        g_test_add_func("/extract/partial-tracing", test_partial_tracing);
        g_test_add_func("/extract/ecg-paper", test_ecg_paper);
        return g_test_run();
}
