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

/* @text alone is a page of type @want, and plainly so. */
static void
assert_page_type(const char *text, RdDocType want)
{
        RdPageClass pc;

        rd_classify_page(text, FALSE, &pc);
        g_assert_cmpstr(rd_doc_type_to_string(pc.type), ==, rd_doc_type_to_string(want));
        g_assert_false(pc.weak);
}

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
                /* a table of drugs, doses and how often, with no title
                 * naming it, its columns set apart by a text layer */
                { HDR "Patient: Doe, Jane\nDrug\nlisinopril\natorvastatin\nfurosemide\napixaban\n"
                      "Strength\n10 mg\n40 mg\n20mg\n5 mg\nDirections\nonce daily\nat bedtime\n"
                      "twice daily as needed\nBID\n",
                  RD_DOC_MED_LIST },
                /* a form titled a referral in words no cue names,
                 * whose reason is a test another kind of report is
                 * titled by */
                { HDR "Ridge Heart Partners\nReferral / Authorization\n"
                      "Patient: Doe, Jane DOB: 05/06/1950\n"
                      "Reason: coronary calcium score 412, chest pressure\n"
                      "Priority: [X] Routine [ ] Urgent\nService: [X] Consult [ ] Echo\n",
                  RD_DOC_REFERRAL_FORM },
                { HDR "NEW PATIENT REFERRAL\nPatient: Doe, Jane DOB: 05/06/1950\n"
                      "Reason for visit: coronary calcium score 380, dyspnea\nInsurance: Acme Health\n",
                  RD_DOC_REFERRAL_FORM },
                /* the word as a label's value or a section is not a title */
                { HDR "Facsimile cover sheet\nRe: referral\nTo: Cardiology\nFrom: Dr. Lee\n"
                      "Number of pages: 4\n",
                  RD_DOC_COVER_SHEET },
                { HDR "CT CALCIUM SCORE\nReason for referral: chest pain\nTechnique: non-contrast CT.\n"
                      "Agatston score 412.\nImpression: high coronary calcium.\n",
                  RD_DOC_IMAGING },
                /* a report's indication names the test that led to it,
                 * not this page: the echo's measurements decide */
                { HDR "ECHO REPORT\nLakeview Family Practice\nPatient Name: Doe, Jane\n"
                      "M/F: F Phone: (555) 540-2190\nMR # MR256542 Visit Date: 8/25/2026\n"
                      "Ins ID: BCX277556018\nStudy date: 08-25-2026\n"
                      "Indication: exertional chest pressure, abnormal stress test\n"
                      "Measurement Value Normal\nLVEF (biplane) 35 % 52-72 %\nLVIDd 6.1 cm 4.2-5.8\n"
                      "LA volume index 25 mL/m2 <34\nTAPSE 1.2 cm >1.7\nRVSP 32 mmHg <35\n",
                  RD_DOC_ECHO },
                /* a report of one analyte, titled in words no cue names:
                 * its table's column headings and a unit, as a text layer
                 * sets them apart and as OCR reads the row */
                { HDR "CUMULATIVE RESULTS\nPatient Name: Doe, Jane\nDrawn: 2027-02-26 8:15 AM\n"
                      "Reported: 2/27/2027\nNT-PROBNP\nTest\nNT-proBNP\n** End of report **\nResult\n1148\n"
                      "Flag\nH\nUnits\npg/mL\nReference\n<125\n",
                  RD_DOC_LABS },
                { HDR "RESULTS\nPatient Name: Doe, Jane\nCollected: 02/26/2027\n"
                      "Test Result Flag Units Reference Range\nBNP 412 H pg/mL <100\n",
                  RD_DOC_LABS },
                /* ...its headings among specks OCR read as letters and a
                 * curly quote, its unit misread: the analyte named */
                { HDR "CUMULATIVE RESULTS |\nPATIENT NAME#:, Doe, Jane  D.0.B.#: 04-02-1971.\n"
                      "COLLECTION DATE#: 02-15-2027 REPORTED#: 2/16/2027\nBNP , a\n"
                      "Test oo Ln Result Flag\u201d Units Reference\nB-Typ\u00e9 Natriuretic Peptide =100\n"
                      "\u201c1786 HH pg/mt\n** End-of report'**\n",
                  RD_DOC_LABS },
                /* a coagulation report: no unit a lab table names (seconds,
                 * a ratio), a heading word OCR misread; its rows give a
                 * value and a reference range */
                { HDR "Final Report\nPatient - Doe / Jane\nDrawn - 14-Mar-2027\nOrdering - A. Lee\n"
                      "COAGULATION\nTest Resnlt Flag Units Reference\nProthrombin Time 13.2 sec 11.0-13.5\n"
                      "INR 2.6 H 0.9-1.1\n",
                  RD_DOC_LABS },
                /* a fax's specks between the column headings, the units
                 * misread: the analyte named under them decides */
                { HDR "Final Report\nLAST NAME: Doe FIRST NAME: Jane\nCOLLECTION DATE: 3/14/2027\n"
                      "Test. . Result . ee Flag Units. | Reference :\nThyroid Stimulating Hormone 3.1 : ulU/rnL =0.40-\n",
                  RD_DOC_LABS },
                /* a referral titled as a request for consultation, with
                 * a guarantor among its fields, is no face sheet */
                { HDR "REQUEST FOR CONSULTATION\nPatient: Jane Doe\nGuarantor # 100200300\nGender: F\n"
                      "Referred From\nOrdering Provider: A. Lee, PA-C\nPriority: Routine\n",
                  RD_DOC_REFERRAL_FORM },
                /* a note's counts and a results sentence are no table */
                { HDR "Progress Note\nSubjective: walks 2 miles 3-4 times a week.\nTest results reviewed "
                      "with patient.\nPlan: follow up in 4-6 weeks.\nAssessment: stable angina.\n",
                  RD_DOC_CLINICAL_NOTES },
                /* a note's few medications stay the note's */
                { HDR "PROGRESS NOTE\nChief complaint: palpitations\nHistory of present illness: weeks.\n"
                      "Medications: metoprolol 25 mg BID, lisinopril 10 mg daily, aspirin 81 mg daily\n"
                      "Physical exam: regular.\nAssessment: SVT.\nPlan: event monitor.\n",
                  RD_DOC_CLINICAL_NOTES },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
                assert_page_type(cases[i].text, cases[i].want);
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

/* A lab report whose collection date OCR lost: its report date, not the
 * visit date printed above it (the labs would look fresh and the checklist
 * complete); when its own dates are written but none can be read, none. */
static void
test_lab_date_own(void)
{
        static const char text[] =
                "CUMULATIVE RESULTS\nPatient: DOE, JANE\nD.O.B.: July 5,\n"
                "Visit Date: 04-11-2026\nDate: Apr 22, 2026\n\nBrawn: Jul 22, 2425\n"
                "Reported: 7/23/2025\nTest Result Flag Units Reference\n"
                "Sodium 137 mmol/L 135-145\nPotassium 5.4 mmol/L 3.5-5.1\n";
        static const char visit_only[] =
                "RESULTS\nVisit Date: 04-11-2026\nSodium 137 mmol/L 135-145\n";
        g_autofree char *d = rd_classify_document_date(RD_DOC_LABS, text, NULL);
        g_autofree char *v = rd_classify_document_date(RD_DOC_LABS, visit_only, NULL);

        g_assert_cmpstr(d, ==, "2025-07-23");
        /* a report that names no date of its own still has one */
        g_assert_cmpstr(v, ==, "2026-04-11");
        {
                /* its own dates written, both misread: unreadable, not
                 * the visit's date (which would make old labs fresh) */
                static const char misread[] =
                        "Lab Results\nPATIENT Alvarez, Fatima\nVISIT, DATE 5/6/2026.\n"
                        "COLLECTION DATE jut 16, 2025. ora 22\nREPORTED 17- Jub \u00ab2025. |!\n"
                        "Test Result Flag Units Reference\nSodium 137 mmol/L 135-145\n";
                static const char readable[] =
                        "Lab Results\nVISIT DATE 5/6/2026\nCOLLECTION DATE Jul 16, 2025 07:22\n"
                        "Sodium 137 mmol/L 135-145\n";
                g_autofree char *m = rd_classify_document_date(RD_DOC_LABS, misread, NULL);
                g_autofree char *r = rd_classify_document_date(RD_DOC_LABS, readable, NULL);

                g_assert_null(m);
                g_assert_cmpstr(r, ==, "2025-07-16");
        }
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

/* Two lab reports one after the other, the later one's collection date
 * misread ("62-May-2026"): it is a report of its own, undated, not a
 * page of the older one (whose date would make the labs look stale and
 * send a request for them). A results page with no date of its own
 * still continues the report before it. */
static void
test_lab_reports_apart(void)
{
        static const char older[] = HDR "Final Report\nPatient: Doe, Jane\nCollected: 11/12/2025 07:40\n"
                                    "Test Result Flag Units Reference\nSodium 137 mmol/L 135-145\n"
                                    "Potassium 4.4 mmol/L 3.5-5.1\nCreatinine 1.1 mg/dL 0.60-1.20\n";
        static const char misread[] = HDR "Final Report\nPatient: Doe, Jane\nCollected: 62-May-2026 07:42\n"
                                      "Test Result Flag Units Reference\nSodium 134 L mmol/L 135-145\n"
                                      "Potassium 4.7 mmol/L 3.5-5.1\nChloride 102 mmol/L 98-107\n";
        static const char more[] = HDR "Test Result Flag Units Reference\nGlucose 96 mg/dL 70-99\n"
                                   "Calcium 9.4 mg/dL 8.6-10.3\nAlbumin 4.1 g/dL 3.5-5.0\n";

        for (int k = 0; k < 2; k++) {
                g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
                g_autoptr(GPtrArray) docs = NULL;
                const RdDocument *d;

                g_ptr_array_add(pages, page(1, older));
                g_ptr_array_add(pages, page(2, k ? more : misread));
                docs = rd_classify_pages(pages, NULL);
                g_assert_cmpuint(docs->len, ==, k ? 1 : 2);
                d = g_ptr_array_index(docs, 0);
                g_assert_cmpint(d->type, ==, RD_DOC_LABS);
                g_assert_cmpstr(d->date, ==, "2025-11-12");
                if (k == 0) {
                        d = g_ptr_array_index(docs, 1);
                        g_assert_cmpint(d->type, ==, RD_DOC_LABS);
                        g_assert_null(d->date);
                }
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

/* ---- the page picture ------------------------------------------------- */

typedef struct {
        const char *name;
        const char *text;
        double ecg_score;
        gboolean picture_blank;
        RdDocType want;
        gboolean want_tracing;
} PictureCase;

static const char stress_text[] = HDR
        "EXERCISE STRESS TEST REPORT\n"
        "Protocol: Bruce  Exercise duration: 8:30  METs: 10.1\n"
        "Target heart rate reached: 92% of predicted. Peak heart rate 151.\n"
        "Duke treadmill score 6. No ischemic changes.\n";

static const char holter_text[] = HDR
        "HOLTER MONITOR REPORT\n"
        "Hookup: 04/01/2027  Monitoring period: 48 hours  Total beats: 201,443\n"
        "Patient-triggered events: 3, all sinus rhythm.\n";

/* a machine's printout whose header carries order fields, OCR'd poorly:
 * one interval read, the rest garbled */
static const char machine_header_text[] = HDR
        "Referred by: Dr. Lane            Confirmed By:\n"
        "Technician: RT   Test ind: chest pain\n"
        "ORDER: 20418   ACCOUNT: 77120   Page 1 of 1\n"
        "Referring physician to review. Consult requested.\n"
        "Vent. rate 61 BPM   PR miterval 146 mos\n"
        "ORS doration 92 ms   Abaomal ECG\n";

/* the same kind of header OCR'd with its "Referred by:" label on a short
 * line of its own, where a title would stand */
static const char machine_label_text[] = HDR
        "61 BPM  Atrial-sensed ventricular-paced rhythm\n"
        "Abnormal ECG\n"
        "Referred by:\n"
        "25mm/s 10mm/mV 100Hz\n";

/* ...and a referral form titled so over the same words: the title
 * decides, a picture beside it does not make it a tracing */
static const char titled_form_text[] = HDR
        "CARDIOLOGY REFERRAL FORM\n"
        "Referred by:\n"
        "61 BPM  Atrial-sensed ventricular-paced rhythm\n"
        "Abnormal ECG\n"
        "25mm/s 10mm/mV 100Hz\n";

static const PictureCase picture_cases[] = {
        /* mostly tracing, text unreadable or only a header: an EKG */
        { "tracing-no-text", HDR "~ ,. ;\n", 0.9, FALSE, RD_DOC_EKG, TRUE },
        { "tracing-garbled", HDR "l1 ;;. II ~~ aVR -- V1 ,,\nIII avF\n", 0.8, FALSE, RD_DOC_EKG, TRUE },
        /* the text's EKG cues and the tracing agree */
        { "tracing-and-leads", ekg_text, 0.85, FALSE, RD_DOC_EKG, TRUE },
        /* the machine's header says EKG in its own words, over a tracing,
         * whatever order fields it prints */
        { "tracing-machine-header", machine_header_text, 0.88, FALSE, RD_DOC_EKG, TRUE },
        { "tracing-label-heading", machine_label_text, 0.9, FALSE, RD_DOC_EKG, TRUE },
        { "titled-form-over-picture", titled_form_text, 0.9, FALSE, RD_DOC_REFERRAL_FORM, TRUE },
        /* a stress test or Holter report showing strips stays that document */
        { "stress-with-strips", stress_text, 0.9, FALSE, RD_DOC_STRESS_TEST, TRUE },
        { "holter-with-strips", holter_text, 0.7, FALSE, RD_DOC_AMBULATORY_MONITOR, TRUE },
        /* no tracing in the picture: the text decides */
        { "notes-no-tracing", note_text, 0.05, FALSE, RD_DOC_CLINICAL_NOTES, FALSE },
        { "labs-no-tracing", labs_text, 0.1, FALSE, RD_DOC_LABS, FALSE },
        /* unknown picture: the text alone */
        { "ekg-unknown-picture", ekg_text, RD_PICTURE_UNKNOWN, FALSE, RD_DOC_EKG, FALSE },
        /* blank picture and no text: blank, never an EKG */
        { "blank", HDR "\n", 0.0, TRUE, RD_DOC_OTHER, FALSE },
};

static void
test_picture(gconstpointer data)
{
        const PictureCase *c = data;
        RdPageClass pc;

        rd_classify_page_with_picture(c->text, c->ecg_score, c->picture_blank, FALSE, &pc);
        g_assert_cmpint(pc.type, ==, c->want);
        g_assert_cmpint(pc.tracing, ==, c->want_tracing);
        if (c->want == RD_DOC_EKG) {
                g_assert_false(pc.weak);
                g_assert_cmpfloat(pc.confidence, >=, 0.5);
        }
        if (c->want == RD_DOC_EKG && c->want_tracing)
                g_assert_nonnull(strstr(pc.cue, "tracing"));
}

static void
test_picture_text_disagrees(void)
{
        RdPageClass text_only, with_picture;

        /* strong notes text over a tracing picture: notes, but less sure */
        rd_classify_page(note_text, FALSE, &text_only);
        rd_classify_page_with_picture(note_text, 0.9, FALSE, FALSE, &with_picture);
        g_assert_cmpint(with_picture.type, ==, RD_DOC_CLINICAL_NOTES);
        g_assert_cmpfloat(with_picture.confidence, <, text_only.confidence);
        /* the machine header alone is not enough to call it an EKG: it
         * is the tracing that agrees with it */
        rd_classify_page(machine_header_text, FALSE, &text_only);
        g_assert_cmpint(text_only.type, !=, RD_DOC_EKG);
        /* a titled note quoting an EKG's intervals over a tracing stays
         * a note */
        rd_classify_page_with_picture(HDR "OFFICE VISIT NOTE\nHPI: 64 y/o with palpitations.\n"
                                          "EKG today: sinus rhythm, PR interval 168 ms, QRS duration 92 ms.\n"
                                          "Assessment and plan: Holter monitor, follow up in 2 weeks.\n",
                                      0.9, FALSE, FALSE, &with_picture);
        g_assert_cmpint(with_picture.type, ==, RD_DOC_CLINICAL_NOTES);
        /* an email body is never a tracing */
        rd_classify_page_with_picture("Hi, see attached.\n", 0.95, FALSE, TRUE, &with_picture);
        g_assert_cmpint(with_picture.type, !=, RD_DOC_EKG);
}

/* ---- pages out of order ------------------------------------------------ */

static const char note_page2_text[] = HDR
        "patient reports she walks two blocks before stopping to rest and sleeps on two pillows.\n"
        "she denies syncope. she has not noticed swelling of her ankles this month.\n"
        "we discussed her medicines and her diet and agreed on a plan to follow up soon.\n";

static void
test_out_of_order(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GPtrArray) docs = NULL;
        const RdDocument *notes = NULL, *labs = NULL;

        /* the notes' second page arrives after the labs */
        g_ptr_array_add(pages, page(1, note_text));
        g_ptr_array_add(pages, page(2, labs_text));
        g_ptr_array_add(pages, page(3, HDR "Physical Exam continued: lungs clear, no edema.\n"
                                        "Assessment and plan continued: history of present illness above;\n"
                                        "review of systems otherwise negative.\n"));
        docs = rd_classify_pages(pages, NULL);
        for (guint i = 0; i < docs->len; i++) {
                const RdDocument *d = g_ptr_array_index(docs, i);

                if (d->type == RD_DOC_CLINICAL_NOTES)
                        notes = d;
                if (d->type == RD_DOC_LABS)
                        labs = d;
        }
        g_assert_nonnull(notes);
        g_assert_nonnull(labs);
        g_assert_cmpuint(notes->pages->len, ==, 2);
        g_assert_cmpuint(g_array_index(notes->pages, guint, 1), ==, 3);
        g_assert_cmpuint(labs->pages->len, ==, 1);
}

static void
test_weak_page_needs_agreement(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GPtrArray) docs = NULL;
        const RdDocument *d;

        /* plain prose after notes continues them; after labs it does not */
        g_ptr_array_add(pages, page(1, note_text));
        g_ptr_array_add(pages, page(2, note_page2_text));
        g_ptr_array_add(pages, page(3, labs_text));
        g_ptr_array_add(pages, page(4, note_page2_text));
        docs = rd_classify_pages(pages, NULL);
        d = g_ptr_array_index(docs, 0);
        g_assert_cmpint(d->type, ==, RD_DOC_CLINICAL_NOTES);
        g_assert_cmpuint(d->pages->len, ==, 2);
        for (guint i = 0; i < docs->len; i++) {
                d = g_ptr_array_index(docs, i);
                if (d->type == RD_DOC_LABS) {
                        g_assert_cmpuint(d->pages->len, ==, 1);
                        g_assert_cmpuint(g_array_index(d->pages, guint, 0), ==, 3);
                }
        }
}

/* A page that names documents it does not hold is not those documents:
 * a cover sheet announcing notes or an echo is a cover sheet, whatever
 * the wording of the announcement, and a note that orders an echo stays
 * a note. */
static void
test_mentions_are_not_documents(void)
{
        static const struct {
                const char *text;
                RdDocType want;
        } cases[] = {
                { HDR "FAX\nTo: Heart Group\nFax: 555-010-2000\nFrom: Lakeside Family Practice\n"
                      "Date: 04/11/2027\nPages: 6 incl. cover\nRe: new patient\n"
                      "Comment: progress note and echocardiogram report will follow by mail.\n",
                  RD_DOC_COVER_SHEET },
                { HDR "TRANSMITTAL\nTO - Cardiology intake\nFROM - Dr. Lee's office\n"
                      "# of pages (including this one): 3\n"
                      "Message: Clinic note to be faxed tomorrow. Stress test ordered, Holter pending.\n",
                  RD_DOC_COVER_SHEET },
                { HDR "Attention: scheduling\nFrom: Ridge Internal Medicine\nNo. of pages - 2\n"
                      "The discharge summary is not included; we requested it from the hospital.\n"
                      "Medication list attached on the next page.\n",
                  RD_DOC_COVER_SHEET },
                { HDR "TO#: Heart Group\nFROM#: Ridge Internal Medicine\nPAGES#: 5\nRE#: referral\n"
                      "Lab report and clinic note to follow.\n",
                  RD_DOC_COVER_SHEET },
                { HDR "TRANSMITTAL\nTo Heart Group\nFrom Ridge Internal Medicine\nPages 5\n"
                      "Please see the enclosed referral; lab report to follow.\n",
                  RD_DOC_COVER_SHEET },
                { note_text, RD_DOC_CLINICAL_NOTES },
                { HDR "OFFICE VISIT NOTE\nChief complaint: chest pressure\n"
                      "Assessment: stable angina. Stress test ordered; echo scheduled.\n"
                      "Plan: aspirin, statin, follow up after the stress test.\n",
                  RD_DOC_CLINICAL_NOTES },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
                assert_page_type(cases[i].text, cases[i].want);
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/classify/single-pages", test_single_pages);
        g_test_add_func("/classify/header-only", test_header_does_not_classify);
        g_test_add_func("/classify/mentions", test_mentions_are_not_documents);
        g_test_add_func("/classify/panels-and-dates", test_panels_and_dates);
        g_test_add_func("/classify/lab-date-own", test_lab_date_own);
        g_test_add_func("/classify/lab-reports-apart", test_lab_reports_apart);
        g_test_add_func("/classify/grouping", test_grouping);
        g_test_add_func("/classify/email-body", test_email_body);
        for (gsize i = 0; i < G_N_ELEMENTS(picture_cases); i++) {
                g_autofree char *path = g_strdup_printf("/classify/picture/%s", picture_cases[i].name);

                g_test_add_data_func(path, &picture_cases[i], test_picture);
        }
        g_test_add_func("/classify/picture/text-disagrees", test_picture_text_disagrees);
        g_test_add_func("/classify/out-of-order", test_out_of_order);
        g_test_add_func("/classify/weak-page-needs-agreement", test_weak_page_needs_agreement);
        return g_test_run();
}
