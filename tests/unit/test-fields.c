/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "parsers/fields/dates.h"
#include "parsers/fields/ids.h"
#include "parsers/fields/fax-header.h"
#include "parsers/fields/names.h"
#include "parsers/fields/labels.h"
#include "parsers/fields/fields.h"
#include "parsers/page.h"

static void
test_dates(void)
{
        static const struct {
                const char *in, *want;
        } cases[] = {
                { "07/04/1969", "1969-07-04" }, { "7/4/1969", "1969-07-04" },
                { "1969-07-04", "1969-07-04" }, { "Jul 4, 1969", "1969-07-04" }, { "May 29,2026 8:15 AM", "2026-05-29" },
                { "July 4 1969", "1969-07-04" }, { "04-Jul-1969", "1969-07-04" },
                { "JUL-04-1969", "1969-07-04" }, { "4 Jul 1969", "1969-07-04" },
                { "02/30/1969", NULL }, { "13/01/1969", NULL }, { "1969", NULL },
                { "12:30", NULL },
                /* a J a fax's OCR misread or set apart */
                { "13-)ul-2026", "2026-07-13" }, { "13-) ul-2026", "2026-07-13" },
                { "j uly 14, 2026", "2026-07-14" }, { "]une 3, 2026", "2026-06-03" },
                { "|AN 9 2026", "2026-01-09" },
                /* and nothing that is not a month's whole name */
                { "j ulia 14, 2026", NULL }, { "J Anderson 12, 2026", NULL }, { "j unk 4, 1969", NULL },
                { "jx 4, 1969", NULL },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *got = rd_parse_date(cases[i].in, NULL);

                g_assert_cmpstr(got, ==, cases[i].want);
        }
        /* found in a line, the bar where the J was */
        {
                g_autofree char *drawn = rd_find_date("DRAWN: | anuary 18, 2026 07:42", NULL, NULL);
                g_autofree char *table = rd_find_date("| Jun 3 2026 |", NULL, NULL);

                g_assert_cmpstr(drawn, ==, "2026-01-18");
                g_assert_cmpstr(table, ==, "2026-06-03");
        }
}

static void
test_phones(void)
{
        static const struct {
                const char *in, *want;
        } cases[] = {
                { "(312) 555-0142", "3125550142" }, { "312.555.0142", "3125550142" },
                { "312/555-0142", "3125550142" }, { "312 555 0142", "3125550142" },
                { "1-312-555-0142", "3125550142" }, { "Tel: 3125550142 ext 4", "3125550142" },
                { "312:555.0142", "3125550142" }, { "555-0142", NULL },
                { "MRN 123456789012", NULL }, { "TEL (312), 555-0142", "3125550142" },
                { "312, 555 0142", NULL },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *got = rd_normalize_phone(cases[i].in);

                g_assert_cmpstr(got, ==, cases[i].want);
        }
}

static void
test_npi(void)
{
        /* 1234567893 is the CMS example of a valid NPI */
        g_assert_true(rd_npi_is_valid("1234567893"));
        g_assert_false(rd_npi_is_valid("1234567890"));
        g_assert_false(rd_npi_is_valid("123456789"));
        g_assert_false(rd_npi_is_valid("12345678a3"));
}

static void
test_icd10(void)
{
        static const struct {
                const char *in, *want;
        } cases[] = {
                { "I48.91", "I48.91" }, { "148.91", "I48.91" }, { "l48.91", "I48.91" },
                { "48.91", "I48.91" }, { "I10", "I10" }, { "110", "I10" }, { "R07,9", "R07.9" },
                { "RO7.9", "R07.9" }, { "E11.65;", "E11.65" }, { "Z79.01", "Z79.01" },
                { "279.01", "Z79.01" }, { "hello", NULL }, { "Now", NULL }, { "2024", NULL },
                { "U07.1", NULL },
                /* OCR damage to the chapter letter or the category */
                { "[11", "I11" }, { "(21.4", "I21.4" }, { "\xc2\xa3" "11.9", "E11.9" },
                { "\xe2\x82\xac" "66.01", "E66.01" }, { "JO0O.1", "J00.1" }, { "KO2.3", "K02.3" },
                { "(12)", NULL }, { "\xc2\xa3" "100", NULL },
                /* the dot read as a hyphen; a letter read for a digit of a
                 * category that has its dot */
                { "150-32", "I50.32" }, { "R0L.1", "R01.1" }, { "R0G.2", "R06.2" }, { "I5O.9", "I50.9" },
                { "I2S.10", "I25.10" }, { "M1A.0", "M1A.0" }, { "C7B.00", "C7B.00" },
                { "I1@", "I10" }, { "R011", "R01.1" }, { "E7801", "E78.01" }, { "ROL1", "R01.1" },
                { "1500", NULL }, { "HOLD", NULL }, { "ROOM", NULL },
                { "12-03-2026", NULL }, { "R0X.1", NULL }, { "140-150-160", NULL },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *got = rd_icd10_normalize(cases[i].in);

                g_assert_cmpstr(got, ==, cases[i].want);
        }
}

static void
test_names(void)
{
        static const struct {
                const char *in, *family, *given;
        } cases[] = {
                { "Dr. Priya Raman", "Raman", "Priya" },
                { "Raman, Priya MD", "Raman", "Priya" },
                { "PETROVA, ELENA", "Petrova", "Elena" },
                { "Luis Ortega-Diaz, DO", "Ortega-Diaz", "Luis" },
                { "Anne Marie K. Dubois, FNP-C", "Dubois", "Anne Marie" },
                { "of the heart", NULL, NULL },
                { "12 Main St", NULL, NULL },
                /* an organisation is no person; a label's words round a
                 * name are not the name's */
                { "Cedar Creek Health Center", NULL, NULL },
                { "PRACTICE Summit Community Clinic", NULL, NULL },
                { "Oak Hollow Internal Medicine", NULL, NULL },
                { "Referring Provider", NULL, NULL },
                { "Physician Ana Whitfield", "Whitfield", "Ana" },
                { "Ana Whitfield Practice", "Whitfield", "Ana" },
                { "Ana Whitfield, MD Phone", "Whitfield", "Ana" },
                /* "Dr." OCR damaged: not the given name's */
                { "Or Victor Morales", "Morales", "Victor" },
                { "Ed Morales", "Morales", "Ed" },
                { "Al Ray Smith", "Smith", "Al Ray" },
                /* "D.O." with its dot read as a comma */
                { "Grace Kaplan, D,O.", "Kaplan", "Grace" },
                { "Kaplan, Grace M,D.", "Kaplan", "Grace" },
                { "Marcus Osei, M:-D.", "Osei", "Marcus" },
                { "Yuki Brandt, N Pp", "Brandt", "Yuki" },
                { "Brandt, Yuki N", "Brandt", "Yuki" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *fam = NULL, *giv = NULL;
                gboolean ok = rd_split_person_name(cases[i].in, &fam, &giv);

                g_assert_cmpint(ok, ==, cases[i].family != NULL);
                g_assert_cmpstr(fam, ==, cases[i].family);
                g_assert_cmpstr(giv, ==, cases[i].given);
        }
}

/* What the box before a word of a line says. */
typedef struct {
        const char *line;
        const char *word;
        RdBox box;
} BoxCase;

static const BoxCase box_cases[] = {
        { "Priority: [X] Elective  [ ] Soon", "Elective", RD_BOX_TICKED },
        { "Priority: [X] Elective  [ ] Soon", "Soon", RD_BOX_EMPTY },
        { "Priority: [X] Elective  [ ] Soon", "Priority", RD_BOX_NONE },
        /* a box's side OCR read as a bracket or a letter */
        { "Soon  (J Now  K) Later", "Now", RD_BOX_EMPTY },
        { "Soon  (J Now  K) Later", "Later", RD_BOX_TICKED },
        { "Now &] Maybe", "Maybe", RD_BOX_TICKED },
        /* a shape inside square brackets is ink in the box (a tick the
         * font lacked, printed as an empty rectangle), and so is a
         * symbol; a bracket's stroke read as a letter, a rule or a dot
         * is not */
        { "Clinic: [[]] Interventional [@] Echo", "Interventional", RD_BOX_TICKED },
        { "Clinic: [[]] Interventional [@] Echo", "Echo", RD_BOX_TICKED },
        { "Clinic: [J] Holter [_] General", "Holter", RD_BOX_EMPTY },
        { "Clinic: [J] Holter [_] General", "General", RD_BOX_EMPTY },
        { "Clinic: [|] Stress [.] EP", "Stress", RD_BOX_EMPTY },
        { "Clinic: [|] Stress [.] EP", "EP", RD_BOX_EMPTY },
        /* a speck in an empty box, read as a degree sign, a middle dot or
         * a quote, is no tick */
        { "Priority: [\u00b0] STAT", "STAT", RD_BOX_EMPTY },
        { "Priority: [\u00b7] STAT", "STAT", RD_BOX_EMPTY },
        { "Priority: [\u2019] STAT", "STAT", RD_BOX_EMPTY },
};

static void
test_checkboxes(void)
{
        for (gsize i = 0; i < G_N_ELEMENTS(box_cases); i++) {
                const BoxCase *c = &box_cases[i];
                const char *at = strstr(c->line, c->word);

                g_test_message("%s / %s", c->line, c->word);
                g_assert_nonnull(at);
                g_assert_cmpint(rd_checkbox_before(c->line, at), ==, c->box);
                g_assert_cmpint(rd_checkbox_ticked(c->line, at), ==, c->box == RD_BOX_TICKED);
        }
}

static void
test_fax_header(void)
{
        g_autofree char *d1 = rd_fax_header_date("MAR-02-2027 08:15 FROM:NORTH SHORE CLINIC 3125550111 TO:3125550999 P.1/3\nbody");
        g_autofree char *d2 = rd_fax_header_date("\n03/02/2027 08:15 AM FAX 312 555 0111 NORTH SHORE #12 P.001/003\n");
        g_autofree char *d3 = rd_fax_header_date("Collected: 03/01/2027 07:40\nNo header here\n");

        g_assert_cmpstr(d1, ==, "2027-03-02");
        g_assert_cmpstr(d2, ==, "2027-03-02");
        g_assert_null(d3);
}

static RdPage *
page(guint n, const char *text)
{
        RdPage *p = rd_page_new();

        p->number = n;
        g_free(p->text);
        p->text = g_strdup(text);
        p->method = RD_PAGE_METHOD_OCR;
        p->confidence = 90;
        return p;
}

/* The referring party @ref was read with. */
static void
assert_referring(const RdReferral *ref, const char *name, const char *npi, const char *practice, const char *phone,
                 const char *fax)
{
        g_assert_cmpstr(ref->referring.name, ==, name);
        g_assert_cmpstr(ref->referring.npi, ==, npi);
        g_assert_cmpstr(ref->referring.practice, ==, practice);
        g_assert_cmpstr(ref->referring.phone, ==, phone);
        g_assert_cmpstr(ref->referring.fax, ==, fax);
}

static void
test_extract_form(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func((GDestroyNotify)rd_document_free);
        g_autoptr(RdReferral) ref = rd_referral_new();
        RdDocument *d = rd_document_new(RD_DOC_REFERRAL_FORM);
        guint one = 1;

        /* A different layout and wording from the samples, with OCR damage. */
        g_ptr_array_add(pages, page(1,
                "04/11/2027 09:02 AM FAX 312 555 0111 LAKEVIEW CLINIC #01 P.001/002\n"
                "Lakeview Family Clinic\n"
                "88 Harbor Way, Northfield  Tel 312-555-0110  Fax 312-555-0111\n"
                "CARDIOLOGY CONSULTATION REQUEST\n"
                "PATIENT INFORMATION\n"
                "Patient Name: Petrova, Elena   D.O.B.: Sep 3, 1948\n"
                "Gender: Female   Home Phone: (312) 555-0177   MRN: LV-440211\n"
                "REFERRING PROVIDER\n"
                "Referring Physician: Priya Raman, MD   NPI: 1234567893\n"
                "Phone: 312-555-0110   Fax: 312-555-0111\n"
                "Requested service: [ ] General Cardiology [XJ Electrophysiology [J Heart Failure\n"
                "Urgency: (J Routine [X] Urgent [ ] STAT\n"
                "Reason for referral: palpitations and presyncope, paroxysmal atrial\n"
                "fibrillation on event monitor\n"
                "Diagnosis: 148.0 Paroxysmal atrial fibrillation\n"
                "R55 Syncope and collapse\n"));
        g_array_append_val(d->pages, one);
        d->confidence = 1;
        g_ptr_array_add(docs, d);
        rd_fields_extract(pages, docs, ref);

        g_assert_cmpstr(ref->patient.family, ==, "Petrova");
        g_assert_cmpstr(ref->patient.given, ==, "Elena");
        g_assert_cmpstr(ref->patient.dob, ==, "1948-09-03");
        g_assert_cmpstr(ref->patient.sex, ==, "F");
        g_assert_cmpstr(ref->patient.phone, ==, "3125550177");
        g_assert_cmpstr(ref->patient.mrn, ==, "LV-440211");
        assert_referring(ref, "Priya Raman", "1234567893", "Lakeview Family Clinic", "3125550110",
                         "3125550111");
        g_assert_cmpstr(ref->service_line, ==, "electrophysiology");
        g_assert_cmpstr(ref->urgency, ==, "urgent");
        g_assert_cmpstr(ref->reason, ==,
                        "palpitations and presyncope, paroxysmal atrial fibrillation on event monitor");
        g_assert_cmpuint(ref->diagnoses->len, ==, 2);
        g_assert_cmpstr(g_ptr_array_index(ref->diagnoses, 0), ==, "I48.0");
        g_assert_cmpstr(g_ptr_array_index(ref->diagnoses, 1), ==, "R55");
}

static void
test_extract_letter_nulls(void)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func((GDestroyNotify)rd_document_free);
        g_autoptr(RdReferral) ref = rd_referral_new();
        RdDocument *d = rd_document_new(RD_DOC_REFERRAL_FORM);
        guint one = 1;

        /* A letter: no patient phone, a misprinted NPI, no fax number. */
        g_ptr_array_add(pages, page(1,
                "Harborside Medical Associates\n"
                "Tel 312.555.0200\n"
                "Dear Dr. Colleague,\n"
                "RE: Tomasz Nowak   DOB 1961-12-01\n"
                "I am referring Mr. Nowak for evaluation of a new murmur.\n"
                "Reason for referral: systolic murmur, exertional fatigue\n"
                "Sincerely,\n"
                "Hannah Becker, MD\n"
                "NPI 1234567890\n"));
        g_array_append_val(d->pages, one);
        d->confidence = 1;
        g_ptr_array_add(docs, d);
        rd_fields_extract(pages, docs, ref);

        g_assert_cmpstr(ref->patient.family, ==, "Nowak");
        g_assert_cmpstr(ref->patient.given, ==, "Tomasz");
        g_assert_null(ref->patient.phone);
        g_assert_null(ref->patient.mrn);
        g_assert_cmpstr(ref->referring.name, ==, "Hannah Becker");
        /* fails the check digit: null, never a guess */
        g_assert_null(ref->referring.npi);
        g_assert_cmpstr(ref->referring.phone, ==, "3125550200");
        g_assert_null(ref->referring.fax);
        /* nothing says urgent: routine, the reading that asks for everything */
        g_assert_cmpstr(ref->urgency, ==, "routine");
}

/* A diagnosis block as OCR and e-mail tables give it: a table cell after
 * a tab, specks before a code, a bracket for the chapter letter. */
static void
test_diagnosis_block(void)
{
        static const char *const texts[] = {
                "Consult request\nICD-10\tI35.0 Aortic stenosis\nJ44.9 COPD\nPlan\tsee note\n",
                "Consult request\nDiagnosis (ICD-10): [35.0 Aortic stenosis\n. J44.9 COPD\nRECORDS\n",
                "Consult request\nDiagnoses:\n` I35.0 Aortic stenosis\nJO0O.9 Cold\nRECORDS\n",
        };

        for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
                g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
                g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func((GDestroyNotify)rd_document_free);
                g_autoptr(RdReferral) ref = rd_referral_new();
                RdDocument *d = rd_document_new(RD_DOC_REFERRAL_FORM);
                guint one = 1;

                g_ptr_array_add(pages, page(1, texts[i]));
                g_array_append_val(d->pages, one);
                d->confidence = 1;
                g_ptr_array_add(docs, d);
                rd_fields_extract(pages, docs, ref);
                g_assert_cmpuint(ref->diagnoses->len, ==, 2);
                g_assert_cmpstr(g_ptr_array_index(ref->diagnoses, 0), ==, "I35.0");
                g_assert_cmpstr(g_ptr_array_index(ref->diagnoses, 1), ==, i == 2 ? "J00.9" : "J44.9");
        }
}

static RdReferral *extract_one_form(const char *const *texts, gsize n);

/* The label classes and list shapes a diagnosis takes: any label for a
 * diagnosis (Diagnoses, Dx, Dx codes, ICD-10), one code a line or a list
 * on one line (';', ', ', "and"), a letter's sentence; words inside a
 * description that look like codes without the dot (B12, A1C) are not. */
static void
test_diagnosis_lists(void)
{
        static const struct {
                const char *text;
                const char *want;
        } cases[] = {
                { "Referral\nDX CODES: I10\nRECORDS ENCLOSED: [X] EKG\n", "I10" },
                { "Referral\nDx codes - I48.0; I49.3\nUrgency: routine\n", "I48.0 I49.3" },
                { "Referral\nICD-10#: R00.2, I10, Z01.810\n", "R00.2 I10 Z01.810" },
                { "Referral\nDx: I50.9, I50.32, R60.0\n", "I50.9 I50.32 R60.0" },
                { "Dear colleague,\nHis diagnoses include I48.91, I49.3 and I47.1.\nSincerely,\n",
                  "I48.91 I49.3 I47.1" },
                { "Referral\nDiagnoses: 147.1, 149.3.\n", "I47.1 I49.3" },
                { "Referral\nDiagnosis: D51.0 Vitamin B12 deficiency anemia, A1C 8.2\n", "D51.0" },
                /* the label's own digits ("ICD-10", "ICD 10") and an
                 * abbreviation's dot ("Dx.") are not the first code: the
                 * first code, misread, is still read with OCR repair */
                { "Referral\nICD-10: 150.22, 142.0\n", "I50.22 I42.0" },
                { "Referral\nICD 10: 150.22\n", "I50.22" },
                { "Referral\nICD10 - 148.0\n", "I48.0" },
                { "Referral\nICD: I10\n", "I10" },
                { "Referral\nDx. codes#: 142.0; 150.22\n", "I42.0 I50.22" },
                /* a comma and a speck before the next code; a colon for
                 * the dot after the category */
                { "Referral\nDiagnoses: 150.22, 142.0,.R60.0\n", "I50.22 I42.0 R60.0" },
                { "Referral\nDiagnoses: ROO:2, I10\n", "R00.2 I10" },
                /* specks between the codes of a list, a quote before the label */
                { "Referral\nDiagnosis#: 120.9,..R07.9\n", "I20.9 R07.9" },
                { "Referral\nDIAGNOSIS - RO07.9,.125.119, 125.10\n", "R07.9 I25.119 I25.10" },
                { "Referral\n\xe2\x80\x9c" "DX 150-32, 111.0\n", "I50.32 I11.0" },
                { "Referral\nDiagnoses:\nSOB on exertion\nR06.0 Dyspnea\n", "R06.0" },
                { "Referral\nDiagnoses (ICD-10-CM):\nE78,01\nComment: notes to follow\n", "E78.01" },
                /* a list set apart by spaces, codes printed without their
                 * dot, a zero read as '@', a dot set apart from its decimals */
                { "Referral\nDIAGNOSIS 110. 701.810 R011\n", "I10 Z01.810 R01.1" },
                { "Referral\nDx codes: 150.22; 150.32) 111.0\n", "I50.22 I50.32 I11.0" },
                { "Referral\nDiagnoses:\nI1@ Essential hypertension\n", "I10" },
                { "Referral\nDIAGNOSES -\nR94. 39\nRECORDS ENCLOSED\n", "R94.39" },
                /* after a description's first word, only a printed code */
                { "Referral\nDiagnosis: I10 hypertension, EF 35.0 1500 mg\n", "I10" },
                /* the label misread: a word two letters off, "ICD-10" with
                 * its letters misread; its codes are on its own line */
                { "Dear colleague,\nDiegaoses; 142,0, 150.32.\n", "I42.0 I50.32" },
                { "Referral\nTCO-10: 125.119, R94.39\n", "I25.119 R94.39" },
                { "Referral\nDiegaoses;\n1500 Main Street\n", "" },
                { "Referral\nDiagrams: 110\n", "" },
                /* Z read as 2 or 7 before three digits and the dot */
                { "Referral\nDiagnoses; E78.5, 782.49, 201.810.\n", "E78.5 Z82.49 Z01.810" },
                { "Referral\nDiagnoses (ICD-10-CM):\nR01.1 Cardiac murmur\nR94.31 Abnormal EKG\nI10 Hypertension\n",
                  "R01.1 R94.31 I10" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(RdReferral) ref = extract_one_form(&cases[i].text, 1);
                g_autoptr(GString) got = g_string_new(NULL);
                for (guint k = 0; k < ref->diagnoses->len; k++)
                        g_string_append_printf(got, "%s%s", k ? " " : "", (char *)ref->diagnoses->pdata[k]);
                g_assert_cmpstr(got->str, ==, cases[i].want);
        }
}

/* An EHR table as a text layer gives it: the label column, then the value
 * column under its heading, the next table's heading after it; labels of
 * any class (Acct/MRN, Tel, Ph, NPI No., Office Fax). */
static void
test_table_columns(void)
{
        static const char text[] =
                "Referral Order\nField\nPatient:\nDate:\nGender:\nD.O.B.:\nPolicy #:\nAcct/MRN:\nTel:\n"
                "Value\nMaren Ostby\n08-18-2026\nf\n8/16/1993\nUHC94943372\nN7126917\n(312)471-8237\n"
                "Provider\nReferring Provider:\nPractice:\nNPI No.:\nPh:\nOffice Fax:\n"
                "Dr. Grace Lindgren\nHarbor Family Practice\n1234567893\n+1 (312) 447-4946\n312 341 2802\n"
                "Urgency: Routine\nReason for referral: palpitations\n";
        const char *const texts[] = { text };
        g_autoptr(RdReferral) ref = extract_one_form(texts, 1);
        g_assert_cmpstr(ref->patient.family, ==, "Ostby");
        g_assert_cmpstr(ref->patient.given, ==, "Maren");
        g_assert_cmpstr(ref->patient.dob, ==, "1993-08-16");
        g_assert_cmpstr(ref->patient.sex, ==, "F");
        g_assert_cmpstr(ref->patient.phone, ==, "3124718237");
        g_assert_cmpstr(ref->patient.mrn, ==, "N7126917");
        assert_referring(ref, "Grace Lindgren", "1234567893", "Harbor Family Practice", "3124474946",
                         "3123412802");
}

/* The same table with its labels written without colons, one label the
 * table of labels does not know ("F") after the known ones, and the
 * second table's heading ("Provider") standing where a label could: the
 * values' shapes decide how they pair. */
static void
test_table_columns_bare(void)
{
        static const char text[] =
                "Referral Order\nField\nPATIENT NAME\nDOB\nGENDER\nCONTACT #\nMEDICAL RECORD #\nDATE\n"
                "Value\nOSTBY, MAREN\n28-Jan-1964\nFemale\n(312) 407-3136\n63299020\n3/23/2026\n"
                "Provider\nREFERRED BY\nPRACTICE\nNPI\nPHONE\nF\n"
                "Dr. Grace Lindgren\nHarbor Family Practice\n1234567893\n(312)469-3280\n(312) 908-7055\n"
                "URGENCY [ ] Routine [X] Urgent [ ] STAT\nReason for referral: palpitations\n";
        const char *const texts[] = { text };
        g_autoptr(RdReferral) ref = extract_one_form(texts, 1);
        g_assert_cmpstr(ref->patient.family, ==, "Ostby");
        g_assert_cmpstr(ref->patient.given, ==, "Maren");
        g_assert_cmpstr(ref->patient.dob, ==, "1964-01-28");
        g_assert_cmpstr(ref->patient.sex, ==, "F");
        g_assert_cmpstr(ref->patient.phone, ==, "3124073136");
        g_assert_cmpstr(ref->patient.mrn, ==, "63299020");
        g_assert_cmpstr(ref->referring.name, ==, "Grace Lindgren");
        g_assert_cmpstr(ref->referring.npi, ==, "1234567893");
        g_assert_cmpstr(ref->referring.practice, ==, "Harbor Family Practice");
        g_assert_cmpstr(ref->referring.phone, ==, "3124693280");
        g_assert_cmpstr(ref->urgency, ==, "urgent");
}

/* Labels that name their field last ("Provider NPI" is an NPI, "Patient
 * Phone" a phone), under a table heading and before a label the table of
 * labels does not know: their values' shapes still decide the pairing. */
static void
test_table_columns_head_noun(void)
{
        static const char text[] =
                "Referral Order\nField\nPatient\nBirthdate\nSex\nPatient Phone\n"
                "Value\nMaren Ostby\n1964-01-28\nFemale\n(312) 407-3136\n"
                "Provider\nReferring Provider\nPractice\nProvider NPI\nPhone\nF\n"
                "Grace Lindgren\nHarbor Family Practice\n1234567893\n(312)469-3280\n+1 3129087055\n"
                "Priority [ ] Routine [ ] Urgent [ ] STAT\nReason for referral: palpitations\n";
        const char *const texts[] = { text };
        g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

        g_assert_cmpstr(ref->referring.name, ==, "Grace Lindgren");
        g_assert_cmpstr(ref->referring.practice, ==, "Harbor Family Practice");
        g_assert_cmpstr(ref->referring.npi, ==, "1234567893");
        g_assert_cmpstr(ref->referring.phone, ==, "3124693280");
}

/* The same table with the form's priority options a line each, as a
 * text layer gives a column of them: the first, after its label, is no
 * value of the provider's column. */
static void
test_table_columns_wrapped_options(void)
{
        static const char text[] =
                "Referral Order\nField\nPatient\nBirthdate\nSex\nPatient Phone\n"
                "Value\nMaren Ostby\n1964-01-28\nFemale\n(312) 407-3136\n"
                "Provider\nReferring Provider\nPractice\nProvider NPI\nPh\nFax #\n"
                "Grace Lindgren, M.D.\nHarbor Family Practice\n1234567893\n1-312-469-3280\n(312)908-7055\n"
                "Priority [ ] Routine\n[ ] Urgent\n[ ] STAT\nReason for referral: palpitations\n";
        const char *const texts[] = { text };
        g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

        assert_referring(ref, "Grace Lindgren", "1234567893", "Harbor Family Practice", "3124693280",
                         "3129087055");
}

/* A letterhead's phone label whose colon OCR read as a quote mark
 * ("Tel’ +1 ..."): still the practice's phone. */
static void
test_letterhead_quote_label(void)
{
        static const char text[] = "Harbor Family Practice\n12 Main St, Springfield\n"
                                   "Tel\u2019 +1 3124693280 Fax (312)908-7055\n\nDear Doctor,\n"
                                   "I am referring my patient Maren Ostby, DOB 1/28/1964.\nSincerely,\n"
                                   "Grace Lindgren, MD\n";
        const char *const texts[] = { text };
        g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

        g_assert_cmpstr(ref->referring.phone, ==, "3124693280");
        g_assert_cmpstr(ref->referring.fax, ==, "3129087055");
}

/* The value column's first value is a name, which looks like a column
 * heading ("Grace Lindgren" over "Harbor Family Practice"), and the
 * values end at a row of options, not at a label: the pairing whose
 * values fit their labels wins, and the options are the form's. */
static void
test_table_columns_name_first(void)
{
        static const char colons[] =
                "Referral Order\nField\nLast Name:\nFirst Name:\nBirth Date:\nSex:\n"
                "Value\nOstby\nMaren\nJan 28, 1964\nFemale\n"
                "Provider\nOrdering Provider:\nPractice:\nNPI No.:\nOffice Phone:\nFax #:\n"
                "Grace Lindgren\nHarbor Family Practice\n1234567893\n(312) 469-3280\n312-908-7055\n"
                "Urgency:\n[X] Routine\n";
        static const char bare[] =
                "Referral Order\nField\nLAST/FIRST\nGENDER\nBIRTH DATE\n"
                "Value\nOstby / Maren\nf\n1964-01-28\n"
                "Provider\nREFERRING PHYSICIAN\nPRACTICE\nNPI\nTEL\nFAX #\n"
                "Grace Lindgren\nHarbor Family Practice\n1234567893\n312/469-3280\n312 908 7055\n"
                "PRIORITY [ ] Routine [ ] Urgent [ ] STAT\n";
        const char *const texts[2] = { colons, bare };

        for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
                g_autoptr(RdReferral) ref = extract_one_form(texts + i, 1);

                assert_referring(ref, "Grace Lindgren", "1234567893", "Harbor Family Practice", "3124693280",
                                 "3129087055");
        }
}

/* The provider table's fax under a one-letter label, last in its column
 * ("F", "F:") or on its row after a dash ("F - 555 613 0415"), with and
 * without an NPI row, and a label column whose labels end in a dash
 * ("Practice -"): the fax is read, and a phone number is never the
 * practice's name. */
static void
test_table_columns_fax_letter(void)
{
        static const char *const tables[] = {
                "Referral Order\nField\nLast Name\nFirst Name\nBirth Date\n"
                "Value\nOstby\nMaren\n01-28-1964\n"
                "Provider\nReferring Provider\nPractice\nPhone\nF\n"
                "Dr. Grace Lindgren\nHarbor Family Practice\n(312) 469-3280\n+1 3129087055\n"
                "Priority Routine\n",
                "Referral Order\nField\nLast Name:\nFirst Name:\nBirth Date:\n"
                "Value\nOstby\nMaren\n01-28-1964\n"
                "Provider\nOrdering Provider:\nPractice:\nNPI:\nPhone:\nF:\n"
                "Dr. Grace Lindgren\nHarbor Family Practice\n1234567893\n312/469-3280\n+1 (312) 908-7055\n"
                "Urgency: [ ] Routine [ ] Urgent [X] STAT\n",
                "Outpatient Referral\nPATIENT INFORMATION\nLast Name - Ostby\nFirst Name - Maren\n"
                "D.O.B. - 28-Jan-1964\nREFERRING PROVIDER\nReferring Provider - Dr. Grace Lindgren\n"
                "Practice - Harbor Family Practice\nPhone - 312 469 3280\nF - 312/908-7055\n"
                "Urgency - Routine\n",
                "Referral Order\nField\nLast/First -\nD.O.B. -\nGender -\nDOS -\n"
                "Value\nOstby / Maren\n01-28-1964\nF\n08-17-2026\n"
                "Provider\nReferring Provider -\nPractice -\nNPI -\nPhone -\nOffice Fax -\n"
                "Grace Lindgren\nHarbor Family Practice\n1234567893\n312-469-3280\n+1 3129087055\n"
                "Priority - Routine\n",
        };

        for (gsize i = 0; i < G_N_ELEMENTS(tables); i++) {
                g_autoptr(RdReferral) ref = extract_one_form(tables + i, 1);

                g_assert_cmpstr(ref->patient.family, ==, "Ostby");
                g_assert_cmpstr(ref->referring.name, ==, "Grace Lindgren");
                g_assert_cmpstr(ref->referring.practice, ==, "Harbor Family Practice");
                g_assert_cmpstr(ref->referring.phone, ==, "3124693280");
                g_assert_cmpstr(ref->referring.fax, ==, "3129087055");
        }
}

/* A stamp laid level across a text-layer form comes out in the flow,
 * its word on a line of its own after the provider table's values: the
 * table's heading ("Provider") is no label of it, the values pair with
 * their labels, and the stamp is read as one. */
static void
test_table_columns_stamp_after(void)
{
        static const char text[] =
                "Outpatient referral\nField\nPatient Name:\nBirthdate:\nSex:\nMember ID:\n"
                "Value\nOstby, Maren\n1964-01-28\nF\nZQP136039133\n"
                "Provider\nOrdering Provider:\nPractice:\nNPI:\nOffice Phone:\nOffice Fax:\n"
                "Dr. Grace Lindgren\nHarbor Family Practice\n1234567893\n(312)469-3280\n1-312-908-7055\n"
                "URGENT\nClinic: [ ] General Cardiology [ ] Electrophysiology\n[ ] Interventional [X] Preventive\n"
                "Reason for Consult:\nfamily history of premature CAD\n";
        const char *const texts[] = { text };
        g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

        assert_referring(ref, "Grace Lindgren", "1234567893", "Harbor Family Practice", "3124693280",
                         "3129087055");
        g_assert_cmpstr(ref->urgency, ==, "urgent");
}

/* A form of two columns whose labels end in dashes, read by OCR: a
 * row's second label stands after the first one's value ("GUARANTOR # -
 * 1147 BIRTH DATE - 30-Sep-1936"), the first maybe one the table of
 * labels does not know, a speck read as a dot before a dash; the
 * requested clinic's row of options is no practice. */
static void
test_dashed_two_columns(void)
{
        static const char text[] =
                "Referral / Authorization\nTO - Example Cardiology Associates ATTN - Scheduling\n"
                "FAX - 555/440-0100 PHONE - (555) 440-0199\nPatient Demographics\n"
                "LAST/FIRST. - Ostby. / Maren CONTACT # - 312/248-1967\n"
                "GUARANTOR # - 114747853 BIRTH DATE - 28-Jan-1964\n"
                "VISIT DATE - 2026-06-13 M/F -F\n"
                "CLINIC - [x] General Cardiology [ ] Electrophysiology [ ] Heart Failure\n"
                "REFERRING PHYSICIAN - Dr. Grace Lindgren PRACTICE - Harbor Family Practice\n"
                "OFFICE PHONE - 312-469-3280 OFFICE FAX - +1 3129087055\n";
        const char *const texts[] = { text };
        g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

        g_assert_cmpstr(ref->patient.family, ==, "Ostby");
        g_assert_cmpstr(ref->patient.given, ==, "Maren");
        g_assert_cmpstr(ref->patient.dob, ==, "1964-01-28");
        g_assert_cmpstr(ref->patient.sex, ==, "F");
        g_assert_cmpstr(ref->patient.phone, ==, "3122481967");
        g_assert_cmpstr(ref->referring.name, ==, "Grace Lindgren");
        g_assert_cmpstr(ref->referring.practice, ==, "Harbor Family Practice");
        g_assert_cmpstr(ref->referring.phone, ==, "3124693280");
        g_assert_cmpstr(ref->referring.fax, ==, "3129087055");
}

/* A fax cover sheet names its parties without colons ("To Example
 * Cardiology", "From Harbor Family Practice"): the numbers under "To" are
 * the recipient's, never the referring office's, even when OCR put a
 * quote mark before the sender's fax; the sender is the practice. A
 * letter's "To whom it may concern" names nobody. */
static void
test_cover_sheet_parties(void)
{
        static const char *const covers[] = {
                "Fax Cover Sheet\nTo Example Cardiology Associates\nFax. +1 (555) 440-0100\n"
                "From Harbor Family Practice\nPhone (312) 469-3280\nFax \u2018312.908.7055\nPages 4\n"
                "Re New patient referral\n",
                "FAX\nATTN Referral Coordinator\nPhone: (555) 440-0199\nFax: (555) 440-0100\n"
                "FROM Harbor Family Practice\nTel: 312-469-3280\nFax: 312 908 7055\n",
        };

        for (gsize i = 0; i < G_N_ELEMENTS(covers); i++) {
                g_autoptr(RdReferral) ref = extract_one_form(covers + i, 1);

                g_assert_cmpstr(ref->referring.practice, ==, "Harbor Family Practice");
                g_assert_cmpstr(ref->referring.phone, ==, "3124693280");
                g_assert_cmpstr(ref->referring.fax, ==, "3129087055");
        }
        {
                static const char letter[] =
                        "Harbor Family Practice\nTel: 312-469-3280  Fax: 312 908 7055\n"
                        "To Whom It May Concern,\nI am referring my patient for palpitations.\n";
                const char *const texts[] = { letter };
                g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

                g_assert_cmpstr(ref->referring.fax, ==, "3129087055");
        }
}

/* An OCRed table row without its colon: "Referred by Ann Lee" is a label
 * with its value, not the heading of the rows below it (whose practice
 * would then be taken for the referrer). */
static void
test_referred_by_row(void)
{
        static const char text[] =
                "AMBULATORY REFERRAL TO CARDIOLOGY\n\nField Value\n\nPatient Maren Ostby\n"
                "Date of Birth 1964-01-28\n\nProvider\n\nReferred by Grace Lindgren\n"
                "Practice Harbor Family Practice\nNPI No. 1234567893\nOffice Phone 312-469-3280\n";
        const char *const texts[] = { text };
        g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

        g_assert_cmpstr(ref->referring.name, ==, "Grace Lindgren");
        g_assert_cmpstr(ref->referring.npi, ==, "1234567893");
}

static RdReferral *
extract_one_form(const char *const *texts, gsize n)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func((GDestroyNotify)rd_document_free);
        RdReferral *ref = rd_referral_new();
        RdDocument *form = rd_document_new(RD_DOC_REFERRAL_FORM);
        RdDocument *notes = rd_document_new(RD_DOC_CLINICAL_NOTES);
        guint one = 1;

        for (gsize i = 0; i < n; i++) {
                guint num = (guint)i + 1;

                g_ptr_array_add(pages, page(num, texts[i]));
                if (i > 0)
                        g_array_append_val(notes->pages, num);
        }
        g_array_append_val(form->pages, one);
        form->confidence = notes->confidence = 1;
        g_ptr_array_add(docs, form);
        g_ptr_array_add(docs, notes);
        rd_fields_extract(pages, docs, ref);
        return ref;
}

/* One page's misread DOB is outvoted by the other pages of the packet,
 * but only when it is one digit away (not another date altogether). */
static void
test_dob_vote(void)
{
        static const char *const texts[] = {
                "Consult request\nPatient: Varga, Ilona   DOB: 3/4/1950\n",
                "Visit note\nPatient: Varga, Ilona   DOB: 3/14/1950\n",
                "Lab report\nName: Varga, Ilona   DOB: 3/14/1950\n",
        };
        static const char *const other[] = {
                "Consult request\nPatient: Varga, Ilona   DOB: 3/4/1950\n",
                "Visit note\nPatient: Varga, Ilona   DOB: 8/21/1962\n",
                "Lab report\nName: Varga, Ilona   DOB: 8/21/1962\n",
        };
        g_autoptr(RdReferral) a = extract_one_form(texts, G_N_ELEMENTS(texts));
        g_autoptr(RdReferral) b = extract_one_form(other, G_N_ELEMENTS(other));

        g_assert_cmpstr(a->patient.dob, ==, "1950-03-14");
        g_assert_cmpstr(b->patient.dob, ==, "1950-03-04");
}

/* A date of service is never a date of birth, and a date of birth after
 * the day the referral came in, or more than 120 years before it, is
 * dropped rather than reported. */
static void
test_dob_plausible(void)
{
        static const char *const dos[] = { "Visit note\nPatient: Doe, Jane   DOS: 11/02/2026\n" };
        static const char *const cases[][2] = {
                { "Consult request\nPatient: Doe, Jane   DOB: 03/04/1950\n", "1950-03-04" },
                { "Consult request\nPatient: Doe, Jane   DOB: 11/21/2026\n", NULL },
                { "Consult request\nPatient: Doe, Jane   DOB: 11/20/2026\n", "2026-11-20" },
                { "Consult request\nPatient: Doe, Jane   DOB: 11/21/1905\n", "1905-11-21" },
                { "Consult request\nPatient: Doe, Jane   DOB: 11/20/1905\n", NULL },
        };
        g_autoptr(RdReferral) a = extract_one_form(dos, G_N_ELEMENTS(dos));

        g_assert_null(a->patient.dob);
        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
                g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func((GDestroyNotify)rd_document_free);
                g_autoptr(RdReferral) ref = rd_referral_new();
                RdDocument *form = rd_document_new(RD_DOC_REFERRAL_FORM);
                guint one = 1;

                g_ptr_array_add(pages, page(1, cases[i][0]));
                g_array_append_val(form->pages, one);
                form->confidence = 1;
                g_ptr_array_add(docs, form);
                ref->received = g_strdup("2026-11-20");
                rd_fields_extract(pages, docs, ref);
                g_assert_cmpstr(ref->patient.dob, ==, cases[i][1]);
        }
}

/* A service row whose ticked box OCR dropped: the one option without a
 * box is the ticked one; with two such options nothing is concluded
 * from the boxes. */
static void
test_vanished_box(void)
{
        static const char *const one[] = {
                "CONSULT REQUEST\nPatient: Varga, Ilona DOB: 3/4/1950\n"
                "Requested service: Heart Failure (J Electrophysiology CJ General Cardiology\n"
                "[1] Interventional / Cath [] Preventive / Lipid\n"
                "Reason for referral: follow-up\n",
        };
        static const char *const two[] = {
                "CONSULT REQUEST\nPatient: Varga, Ilona DOB: 3/4/1950\n"
                "Requested service: Heart Failure Electrophysiology CJ General Cardiology\n"
                "[1] Interventional / Cath [] Preventive / Lipid\n"
                "Reason for referral: follow-up\n",
        };
        g_autoptr(RdReferral) a = extract_one_form(one, 1);
        g_autoptr(RdReferral) b = extract_one_form(two, 1);

        g_assert_cmpstr(a->service_line, ==, "heart_failure");
        g_assert_cmpstr(b->service_line, ==, "general");
}

/* Numbers: a misread digit on the form is outvoted by the letterheads of
 * the other pages; a section sign is a misread 5; "PA-G" is a damaged
 * credential, not a given name; the prose gives the sex the form lost. */
static void
test_numbers_names_sex(void)
{
        static const char *const texts[] = {
                "Harbor Clinic\nTel 312.555.0160 Fax 312.555.0161\nCONSULT REQUEST\n"
                "Patient: Varga, Ilona DOB: 3/4/1950\nSex:\nM\nF\n"
                "Home phone: \xc2\xa7" "12.555.0177\n"
                "REFERRING PROVIDER\nName: Tomas Lindqvist, PA-G\n"
                "Phone: 312.555.0160 Fax: 342.555.0161\n",
                "Harbor Clinic\nTel 312.555.0160 Fax 312.555.0161\nVisit note\n"
                "HPI: 76 y/o female with dyspnea.\n",
                "Harbor Clinic\nTel 312.555.0160 Fax 312.555.0161\nMedication list\n"
                "Metoprolol 25 mg; QRS 96 ms. Normal.\n",
        };
        g_autoptr(RdReferral) ref = extract_one_form(texts, G_N_ELEMENTS(texts));

        g_assert_cmpstr(ref->patient.phone, ==, "5125550177");
        g_assert_cmpstr(ref->referring.fax, ==, "3125550161");
        g_assert_cmpstr(ref->referring.phone, ==, "3125550160");
        g_assert_cmpstr(ref->referring.name, ==, "Tomas Lindqvist");
        g_assert_cmpstr(ref->patient.sex, ==, "F");
}

/* Number labels as offices write them: an international "+1" after the
 * label, in a letter's sentence ("Chart # ..., Phone +1 (...)"), a
 * signature's one-letter "T:" and "F:", and a form's "Label- value"
 * whose words OCR ran together. A one-letter label takes only a whole
 * phone number: "F: 1943-05-04" and "P. 2/6" are no numbers. */
static void
test_number_labels(void)
{
        static const char *const letter[] = {
                "Harbor Clinic\n12 Main St\nT: 312.555.0160  F: +1 312 555 0161\n"
                "Re: Ilona Varga, born 3/4/1950\nChart # MR20417, Phone +1 (312) 555-0177, Female\n"
                "Dear Colleague,\nI am referring my patient to your general cardiology clinic.\n"
                "Sincerely,\nTomas Lindqvist, MD\n",
        };
        static const char *const form[] = {
                "CONSULT REQUEST\nPatient - Varga, Ilona\nBirth Date - 3/4/1950\nPtPhone- +1 (312) 555-0177\n"
                "Provider information\nReferred by - Tomas Lindqvist, MD\nTel- 312 555 0160\n"
                "F: 1943-05-04\nP. 2/6\n",
        };
        g_autoptr(RdReferral) a = extract_one_form(letter, 1);
        g_autoptr(RdReferral) b = extract_one_form(form, 1);

        g_assert_cmpstr(a->patient.phone, ==, "3125550177");
        g_assert_cmpstr(a->patient.mrn, ==, "MR20417");
        g_assert_cmpstr(a->referring.phone, ==, "3125550160");
        g_assert_cmpstr(a->referring.fax, ==, "3125550161");
        g_assert_cmpstr(b->patient.phone, ==, "3125550177");
        g_assert_cmpstr(b->referring.phone, ==, "3125550160");
        g_assert_null(b->referring.fax);
        {
                /* "F#:", its colon read as a semicolon, or none when it
                 * opens its line; after a value it is that value ("Sex:
                 * F (...)" is no fax); specks round a form's dash */
                static const char *const fax_as[] = { "F#: 312.555.0161", "F; 312/555-0161", "F (312)555-0161",
                                                      "FAX. -.312 555 0161" };

                for (gsize k = 0; k < G_N_ELEMENTS(fax_as); k++) {
                        g_autofree char *text = g_strdup_printf(
                                "CONSULT REQUEST\nPatient - Varga, Ilona\nSex: F (312) 555-0177\n"
                                "Provider information\nReferred by - Tomas Lindqvist, MD\n%s\n",
                                fax_as[k]);
                        const char *const one[] = { text };
                        g_autoptr(RdReferral) c = extract_one_form(one, 1);

                        g_assert_cmpstr(c->referring.fax, ==, "3125550161");
                }
        }
        {
                static const char *const sex_only[] = {
                        "CONSULT REQUEST\nPatient - Varga, Ilona\nSex: F (312) 555-0177\n"
                        "Provider information\nReferred by - Tomas Lindqvist, MD\n",
                };
                g_autoptr(RdReferral) d = extract_one_form(sex_only, 1);

                g_assert_null(d->referring.fax);
        }
}

/* The patient's phone on the form, misread past reading there, is taken
 * from another document's demographics (a note's "Home Phone:"); a
 * number under a label that names no one ("Tel:") on a note is not the
 * patient's, and the form's own reading comes first. */
static void
test_patient_phone_other_pages(void)
{
        static const char *const spoiled[] = {
                "REFERRAL FORM\nPatient: Varga, Ilona\nTal# 5S5-3I0-8B98\n",
                "PROGRESS NOTE\nIlona Varga\nHome Phone: (312) 555-0142\nAssessment: palpitations\n",
        };
        static const char *const unnamed[] = {
                "REFERRAL FORM\nPatient: Varga, Ilona\n",
                "PROGRESS NOTE\nHarbor Clinic Tel: (312) 555-0150\nAssessment: palpitations\n",
        };
        static const char *const both[] = {
                "REFERRAL FORM\nPatient: Varga, Ilona\nPatient Phone: (312) 555-0177\n",
                "PROGRESS NOTE\nHome Phone: (312) 555-0142\n",
        };
        g_autoptr(RdReferral) a = extract_one_form(spoiled, 2);
        g_autoptr(RdReferral) b = extract_one_form(unnamed, 2);
        g_autoptr(RdReferral) c = extract_one_form(both, 2);

        g_assert_cmpstr(a->patient.phone, ==, "3125550142");
        g_assert_null(b->patient.phone);
        g_assert_cmpstr(c->patient.phone, ==, "3125550177");
}

/* A record number under any of its labels, as forms print them and OCR
 * reads them: with or without a colon, a '#' or two, a dot. */
static void
test_mrn_labels(void)
{
        static const char *const lines[] = {
                "MRN: MR463539",           "MRN MR463539",          "MRN# MR463539",
                "MRN #: MR463539",         "ACCT/MRN# MR463539",    "MEDICAL RECORD ##: MR463539",
                "MEDICAL RECORD. #: MR463539", "Medical Record #: MR463539", "PATIENT ID#: MR463539",
                "Patient ID: MR463539",    "Chart # MR463539",      "MR #: MR463539",
        };

        for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                g_autofree char *text = g_strdup_printf("REFERRAL FORM\nPatient: Varga, Ilona\n%s\n", lines[i]);
                const char *texts[] = { text };
                g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

                g_test_message("%s", lines[i]);
                g_assert_cmpstr(ref->patient.mrn, ==, "MR463539");
        }
}

/* An NPI's label as OCR misreads it past its first two letters: the ten
 * digits after it count when they pass the check digit, never when they
 * fail it, and a nurse practitioner's "NP" before a phone number, printed
 * in its groups, gives no NPI. */
static void
test_npi_misread_label(void)
{
        static const struct {
                const char *line;
                const char *want;
        } cases[] = {
                { "NP! 1234567893", "1234567893" },       { "Provider NPt#: 1234567893", "1234567893" },
                { "NPT 1234567893", "1234567893" },       { "NPI NQ,: 1234567893", "1234567893" },
                { "NP} 1234567893", "1234567893" },       { "NP! 1234567890", NULL },
                /* these ten digits pass the check, as a phone's may */
                { "Ann Lee, NP 312-555-0103", NULL },     { "Ann Lee, NP (312) 555-0103", NULL },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *text = g_strdup_printf("REFERRAL FORM\nPatient: Varga, Ilona\n"
                                                        "Referring: Tomas Lindqvist, MD\n%s\n",
                                                        cases[i].line);
                const char *texts[] = { text };
                g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

                g_test_message("%s", cases[i].line);
                g_assert_cmpstr(ref->referring.npi, ==, cases[i].want);
        }
}

/* A letter's "Re:" line names the patient, then the birth date after a
 * comma with no colon, its date printed in any shape: the label ends the
 * name (no "Family, Given" read from "Given Family, DOB ...") and gives
 * the date. */
static void
test_re_line_dob(void)
{
        static const char *const dobs[][2] = {
                { "DOB March 4, 1950", "1950-03-04" },   { "DOB Mar 4, 1950", "1950-03-04" },
                { "D.O.B. 4-Mar-1950", "1950-03-04" },   { "Date of Birth 1950-03-04", "1950-03-04" },
                { "DOB 03/04/1950", "1950-03-04" },      { "Birth Date 4 March 1950", "1950-03-04" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(dobs); i++) {
                g_autofree char *text = g_strdup_printf("Harbor Clinic\n12 Main St\nRe: Ilona Varga, %s\n"
                                                        "Dear Colleague,\nI am referring my patient to your "
                                                        "general cardiology clinic.\nSincerely,\n"
                                                        "Tomas Lindqvist, MD\n",
                                                        dobs[i][0]);
                const char *texts[] = { text };
                g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

                g_test_message("%s", dobs[i][0]);
                g_assert_cmpstr(ref->patient.family, ==, "Varga");
                g_assert_cmpstr(ref->patient.given, ==, "Ilona");
                g_assert_cmpstr(ref->patient.dob, ==, dobs[i][1]);
        }
}

/* The hour of a fax header's time ("10:05") is not a misread "To:": the
 * sender's number after it stays the practice's fax. */
/* Specks after the last word of the reason are fax noise; short words,
 * numbers and units are not. */
static void
test_reason_specks(void)
{
        static const char *const cases[][2] = {
                { "Please see within 1 week. \u2018", "Please see within 1 week." },
                { "Please see within 1 week. ' ,", "Please see within 1 week." },
                { "Dyspnea on exertion, started 5 mg", "Dyspnea on exertion, started 5 mg" },
                { "Chest pain, rule out ACS x 2", "Chest pain, rule out ACS x 2" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *text = g_strdup_printf("REFERRAL FORM\nPatient: Jane Roe   DOB: 01/02/1950\n"
                                                        "Reason for referral: %s\n\nDiagnosis: R07.9\n",
                                                        cases[i][0]);
                const char *texts[] = { text };
                g_autoptr(RdReferral) ref = extract_one_form(texts, 1);

                g_assert_cmpstr(ref->reason, ==, cases[i][1]);
        }
}

static void
test_header_time_not_recipient(void)
{
        static const char *const texts[] = {
                "MAR-02-2027 10:05 FROM:HARBOR CLINIC 3125550161 T:3125559999 P.1/2\n"
                "CONSULT REQUEST\nPatient: Varga, Ilona DOB: 3/4/1950\n"
                "REFERRING PROVIDER\nName: Tomas Lindqvist, MD\n"
                "Phone: 312.555.0160 Fax: 312.555.0161\n",
                "MAR-02-2027 10:06 FROM:HARBOR CLINIC 3125550161 T 3125559999 P.2/2\n"
                "Visit note\n",
        };
        g_autoptr(RdReferral) ref = extract_one_form(texts, G_N_ELEMENTS(texts));

        g_assert_cmpstr(ref->referring.fax, ==, "3125550161");
}

/* A name misread once on the form is outvoted by the other pages; a
 * patient whose given and family names are one letter apart keeps both. */
static void
test_name_vote(void)
{
        static const char *const texts[] = {
                ("CONSULT REQUEST\nPatient: Marin, Mario DOB: 3/4/1950\n"
                 "REFERRING PROVIDER\nName: Marta Kowaiska, MD\n"),
                "Visit note\nPatient: Marin, Mario\nSigned: Marta Kowalska, MD\n",
                "Lab report\nName: MARIN, MARIO\nOrdering: Kowalska, Marta MD\n",
        };
        g_autoptr(RdReferral) ref = extract_one_form(texts, G_N_ELEMENTS(texts));

        g_assert_cmpstr(ref->referring.name, ==, "Marta Kowalska");
        g_assert_cmpstr(ref->patient.family, ==, "Marin");
        g_assert_cmpstr(ref->patient.given, ==, "Mario");
}

/* The sending machine's number, in the header styles fax machines and
 * services print; other numbers on the page are not it. */
static void
test_fax_header_sender(void)
{
        static const char *const pages[][2] = {
                { "11/20/2026  10:14 AM   FAX (555) 336-6279   Cedar Hollow IM          Page 1 of 4\nREFERRAL",
                  "5553366279" },
                { "2026-11-20 10:14 EST   Sent by eFax from +1 555-201-0021 to +1 555-440-0100   p. 2\nEKG",
                  "5552010021" },
                { "NOV-20-2026 09:02  FROM: 555.201.0021 NORTHGATE COMMUNITY HEALTH  TO: 5554400100  P.1\n",
                  "5552010021" },
                { "Patient phone (555) 201-0021\nNo header on this page", NULL },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(pages); i++) {
                g_autofree char *n = rd_fax_header_sender(pages[i][0]);

                g_assert_cmpstr(n, ==, pages[i][1]);
        }
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/fields/dates", test_dates);
        g_test_add_func("/fields/phones", test_phones);
        g_test_add_func("/fields/npi", test_npi);
        g_test_add_func("/fields/icd10", test_icd10);
        g_test_add_func("/fields/names", test_names);
        g_test_add_func("/fields/checkboxes", test_checkboxes);
        g_test_add_func("/fields/re-line-dob", test_re_line_dob);
        g_test_add_func("/fields/mrn-labels", test_mrn_labels);
        g_test_add_func("/fields/patient-phone-other-pages", test_patient_phone_other_pages);
        g_test_add_func("/fields/npi-misread-label", test_npi_misread_label);
        g_test_add_func("/fields/fax-header", test_fax_header);
        g_test_add_func("/fields/form", test_extract_form);
        g_test_add_func("/fields/letter-nulls", test_extract_letter_nulls);
        g_test_add_func("/fields/table-columns-wrapped-options", test_table_columns_wrapped_options);
        g_test_add_func("/fields/letterhead-quote-label", test_letterhead_quote_label);
        g_test_add_func("/fields/diagnosis-block", test_diagnosis_block);
        g_test_add_func("/fields/diagnosis-lists", test_diagnosis_lists);
        g_test_add_func("/fields/table-columns", test_table_columns);
        g_test_add_func("/fields/table-columns-bare", test_table_columns_bare);
        g_test_add_func("/fields/table-columns-head-noun", test_table_columns_head_noun);
        g_test_add_func("/fields/table-columns-name-first", test_table_columns_name_first);
        g_test_add_func("/fields/table-columns-fax-letter", test_table_columns_fax_letter);
        g_test_add_func("/fields/cover-sheet-parties", test_cover_sheet_parties);
        g_test_add_func("/fields/dashed-two-columns", test_dashed_two_columns);
        g_test_add_func("/fields/table-columns-stamp-after", test_table_columns_stamp_after);
        g_test_add_func("/fields/referred-by-row", test_referred_by_row);
        g_test_add_func("/fields/dob-vote", test_dob_vote);
        g_test_add_func("/fields/dob-plausible", test_dob_plausible);
        g_test_add_func("/fields/vanished-box", test_vanished_box);
        g_test_add_func("/fields/numbers-names-sex", test_numbers_names_sex);
        g_test_add_func("/fields/number-labels", test_number_labels);
        g_test_add_func("/fields/reason-specks", test_reason_specks);
        g_test_add_func("/fields/header-time", test_header_time_not_recipient);
        g_test_add_func("/fields/name-vote", test_name_vote);
        g_test_add_func("/fields/fax-header-sender", test_fax_header_sender);
        return g_test_run();
}
