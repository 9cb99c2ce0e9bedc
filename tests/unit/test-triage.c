/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Urgency and service line from what a form marks, never from what it
 * only prints: ticked, unticked, circled, stamped, labelled and prose
 * variants, and the checklist each one leads to. */
#include <string.h>

#include "parsers/fields/fields.h"
#include "parsers/page.h"
#include "parsers/understand/extract.h"

#define FORM_HEAD "REFERRAL FORM - CARDIOLOGY\nPatient: Doe, Jane  DOB: 01/02/1960\n"

typedef struct {
        const char *name;
        const char *lines;      /* the form's triage lines */
        const char *urgency;    /* the value that decides the checklist */
        RdTriageStrength strength;
        const char *read;       /* what weak evidence suggested, unused */
} UrgencyCase;

static const UrgencyCase urgency_cases[] = {
        /* ticked boxes, before the option */
        { "bracket-x", "Priority: [ ] Routine  [X] Urgent  [ ] STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "bracket-lower-x", "Priority: [x] Routine  [ ] Urgent  [ ] STAT\n", "routine", RD_TRIAGE_STRONG },
        { "ballot-x", "Priority: \u2610 Routine \u2612 Urgent \u2610 STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "ballot-x-no-colon", "URGENCY \u2610 Routine \u2612 Urgent \u2610 STAT\n", "urgent", RD_TRIAGE_STRONG },
        /* a tick OCR read as letters or a digit inside its closed box,
         * the row's other boxes read empty */
        { "inked-box-letters", "Appointment: [] Routine [gm] Urgent [] STAT\n", "urgent", RD_TRIAGE_STRONG },
        /* ...but what OCR reads in an empty box's place ("[0]", "(e)")
         * may be its own sides, a speck or a tick: too doubtful to relax
         * the checklist on. Routine applies, the option is kept for the
         * person who reviews it. */
        { "inked-box-digit", "Appointment#: [] Routine [0] Urgent [] STAT\n", "routine", RD_TRIAGE_WEAK,
          "urgent" },
        { "inked-box-paren", "Priority: ( ) Routine (e) STAT ( ) Urgent\n", "routine", RD_TRIAGE_WEAK, "stat" },
        /* a routine box read so relaxes nothing: it stands */
        { "inked-box-routine", "Priority: [0] Routine [] Urgent [] STAT\n", "routine", RD_TRIAGE_STRONG },
        /* every box of the row read the same way: no contrast, no mark */
        { "inked-box-all", "Appointment: [0] Routine [0] Urgent [0] STAT\n", "routine", RD_TRIAGE_WEAK },
        /* a ticked option OCR read a letter short; a speck in another
         * box read as a degree sign */
        { "ticked-letter-lost", "Urgency: \u2610 Routine \u2612 rgent STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "speck-in-box", "Appointment: [ ] Routine [X] Urgent [\u00b0] STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "quote-in-box", "Appointment: [\u2019] Routine [X] Urgent [ ] STAT\n", "urgent", RD_TRIAGE_STRONG },
        /* a check mark in a bracketed box OCR read as a double quote */
        { "check-read-as-quotes", "APPOINTMENT [] Routine [\u201c] Urgent [] STAT\n", "urgent",
          RD_TRIAGE_STRONG },
        /* a letter's request, its reason naming a routine physical */
        { "letter-request-routine-reason",
          "Dear Colleague,\nI am referring my patient for a general cardiology\n"
          "consultation. I would appreciate if you could see him urgently, within the\nweek.\n"
          "Reason for referral: Abnormal EKG on routine physical.\nSincerely,\n", "urgent", RD_TRIAGE_STRONG },
        /* the letter's sentence wraps with its capitals first on a line */
        { "letter-stat-line-start", "Dear Doctor,\nI would appreciate if you could see him\n"
                                 "STAT - please evaluate today.\nSincerely,\n", "stat", RD_TRIAGE_STRONG },
        /* a list printed an option a line, each with its note: nothing marked */
        { "printed-list-notes", "Priority (circle one):\nRoutine (2-4 weeks)\nUrgent (within 1 week)\n"
                                "STAT (same day)\n", "routine", RD_TRIAGE_NONE },
        { "printed-list-descriptions", "Please mark the priority\nROUTINE - next available\n"
                                       "URGENT - within one week\nSTAT - seen the same day\n", "routine",
          RD_TRIAGE_NONE },
        /* an order system's table row, its label without a colon */
        { "table-row-word", "REFERRED BY Ann Lee, DO\nPRIORITY Expedited\nSERVICE REQUESTED General Cardiology\n",
          "urgent", RD_TRIAGE_STRONG },
        { "table-row-option", "Urgency STAT\nDepartment Cardiology\n", "stat", RD_TRIAGE_STRONG },
        /* a sentence that opens with the label's word sets nothing */
        { "sentence-priority", "Priority is given to the sickest patients, urgent or not, stat.\n", "routine",
          RD_TRIAGE_NONE },
        /* the printed options after a label without a colon, none marked */
        { "table-row-printed-options", "PRIORITY Routine Urgent STAT\n", "routine", RD_TRIAGE_NONE },
        { "filled-square", "Urgency:  \u25a1 Routine  \u25a0 STAT  \u25a1 Urgent\n", "stat", RD_TRIAGE_STRONG },
        { "check-mark", "Priority: \u2713 Urgent   Routine   STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "bare-x", "Priority:  X Urgent    Routine    STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "ocr-damaged", "Priority: [J Routine  [XJ Urgent  (1 STAT\n", "urgent", RD_TRIAGE_STRONG },
        /* boxes after the option */
        { "box-after", "Priority: Routine [ ]  Urgent [X]  STAT [ ]\n", "urgent", RD_TRIAGE_STRONG },
        { "box-after-first", "Priority: Routine [X]  Urgent [ ]  STAT [ ]\n", "routine", RD_TRIAGE_STRONG },
        /* circled */
        { "circled", "Priority:  Routine   (Urgent)   STAT\n", "urgent", RD_TRIAGE_STRONG },
        /* a filled box OCR read as letters glued to the option or before
         * it, the other options showing empty boxes */
        { "filled-box-glued", "Priority: []Routine Bdurgent [STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "filled-box-token", "Priority: [ ] Routine  Ed Urgent  [ ] STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "empty-boxes-misread", "Service: (1 General cardiology [] Electrophysiology [J Heart failure\n"
                                 "Priority: J Routine [J] Urgent [1] STAT\n", "routine", RD_TRIAGE_NONE },
        { "check-v", "Priority: [] Routine . [] Urgent [v] STAT\n", "stat", RD_TRIAGE_STRONG },
        { "filled-box-m", "PRIORITY#: ClRoutine m Urgent O STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "filled-box-m-glued", "Appointment: ocRoutine mUrgent  oSTAT\n", "urgent", RD_TRIAGE_STRONG },
        { "empty-box-lj", "Appointment: [] Routine .[] Urgent. LJSTAT\n", "routine", RD_TRIAGE_NONE },
        { "two-filled-boxes", "Priority: [ ] Routine  Ed Urgent  Bd STAT\n", "routine", RD_TRIAGE_NONE },
        /* an empty box's side read as a brace is a stroke, not ink: a
         * stricter checklist relaxed on it is a false "complete" */
        { "empty-box-brace", "Priority: {] Routine []Urgent [}]STAT\n", "routine", RD_TRIAGE_NONE },
        { "empty-box-braces", "Appointment: [] Routine [{] Urgent [] STAT\n", "routine", RD_TRIAGE_NONE },
        /* printed, not marked: says nothing, routine applies */
        { "unticked-row", "Priority: [ ] Routine  [ ] Urgent  [ ] STAT\n", "routine", RD_TRIAGE_NONE },
        { "unticked-glyphs", "Priority: \u2610 Routine \u2610 Urgent \u2610 STAT\n", "routine", RD_TRIAGE_NONE },
        { "bare-options", "Routine   Urgent   STAT\n", "routine", RD_TRIAGE_NONE },
        { "unticked-long", "[ ] Urgent - to be seen within 7 days of receipt of this referral\n"
                           "[ ] Routine - next available appointment\n", "routine", RD_TRIAGE_NONE },
        { "unticked-alone", "Urgency: \u2610 Urgent (within one week)\n", "routine", RD_TRIAGE_NONE },
        /* conflicting marks: stricter reading, weak */
        { "two-ticks", "Priority: [X] Routine  [X] Urgent  [ ] STAT\n", "routine", RD_TRIAGE_WEAK },
        /* labelled values */
        { "labelled", "Priority: URGENT\n", "urgent", RD_TRIAGE_STRONG },
        { "labelled-routine", "Urgency: Routine\n", "routine", RD_TRIAGE_STRONG },
        /* the words order systems print for a priority */
        { "labelled-expedited", "Priority: Expedited\n", "urgent", RD_TRIAGE_STRONG },
        { "labelled-emergent", "Priority: Emergent\n", "stat", RD_TRIAGE_STRONG },
        { "labelled-non-urgent", "Priority: Non-urgent\n", "routine", RD_TRIAGE_STRONG },
        { "non-urgent-prose", "This is a non-urgent referral.\n", "routine", RD_TRIAGE_NONE },
        /* stamps */
        { "stamp", "*** STAT ***\n", "stat", RD_TRIAGE_STRONG },
        { "stamp-urgent", "URGENT\n", "urgent", RD_TRIAGE_STRONG },
        /* a column of printed options whose boxes the text layer dropped:
         * the capitals of "STAT" among them are not a stamp */
        { "option-column", "Urgency:\nRoutine\nUrgent\nSTAT\nReferred to: Cardiology\n", "routine",
          RD_TRIAGE_NONE },
        /* the row's last option set on a line of its own by OCR */
        { "option-row-split", "Fax - 555/428-4490\nSTAT\n\npriority - | jy Routine [m} Urgent [J\n", "routine",
          RD_TRIAGE_NONE },
        /* a circled option OCR dropped: the rest of the printed row is
         * not the writer's capitals, and OCR's quotes are no ticks */
        { "circled-lost", "Priority (circle one): gent. STAT\n", "routine", RD_TRIAGE_NONE },
        /* a text layer scatters the printed options: STAT far below */
        { "option-scattered", "Priority (circle one)#: Routine\nUrgent\nService requested#: General Cardiology\n"
                              "Note: see attached labs\nSTAT\nElectrophysiology\nHeart Failure\n", "routine",
          RD_TRIAGE_NONE },
        { "option-column-caps", "PRIORITY\nROUTINE\nURGENT\nSTAT\n", "routine", RD_TRIAGE_NONE },
        /* a "circle one" row OCR set a word a line, its ringed option
         * garbled, under an empty label that takes the first word as its
         * value: STAT is the form's, not a stamp */
        { "option-column-after-label",
          "Priority (circle one): outhe)\n\nReason for referral:\n\nUrgent\n\nSTAT\n\n"
          "Palpitations\n",
          "routine", RD_TRIAGE_NONE },
        /* a row of empty boxes OCR split over two lines, one option
         * garbled: the capitals of the boxed STAT are the form's */
        { "boxed-stat-not-capitals", "Appointment: \u2610 Routine\nCllrgent \u2610 STAT.\n", "routine",
          RD_TRIAGE_NONE },
        /* a check mark in a box whose right side OCR lost, glued to its
         * option; an empty box read the same way is strokes */
        { "tick-glued", "Priority \u2610 Routine \u2610 Urgent [vSTAT\n", "stat", RD_TRIAGE_STRONG },
        { "empty-glued", "Priority \u2610 Routine [JUrgent \u2610 STAT\n", "routine", RD_TRIAGE_NONE },
        /* a text layer keeps the boxes of two options and sets the third
         * apart from its drawn box, far below: the form's choice */
        { "option-box-lost", "Appointment#:\n\u2610 Routine\n\u2610 Urgent\nService requested#: General\n"
                             "Comment: stress test scheduled\nSTAT\nHeart Failure\n", "routine", RD_TRIAGE_NONE },
        /* a stamp over a form whose boxed options, STAT among them, are
         * all empty */
        { "stamp-over-boxes", "Appointment:\n\u2610 Routine \u2610 Urgent \u2610 STAT\nReason: syncope\n"
                              "STAT\n", "stat", RD_TRIAGE_STRONG },
        /* a tick before an option OCR garbled past reading, routine's box
         * empty: not routine, but urgent or STAT nobody can tell. The
         * routine checklist applies, weakly (held for review) */
        { "ticked-unreadable", "Urgency: [] Routine [x] Ument [1 STAT\n", "routine", RD_TRIAGE_WEAK },
        { "ticked-unreadable-last", "Priority: \u2610 Routine \u2610 Urgent \u2612 5IAI\nReason: syncope\n",
          "routine", RD_TRIAGE_WEAK },
        /* a tick on the same row for another field says nothing of it */
        { "ticked-other-field", "Priority: [ ] Routine [ ] Urgent [ ] STAT   Enclosed: EKG [x] Labs\n", "routine",
          RD_TRIAGE_NONE },
        /* prose */
        { "capitals", "Please see this patient STAT: chest pain at rest.\n", "stat", RD_TRIAGE_STRONG },
        { "lower-prose", "An urgent appointment would be appreciated.\n", "routine", RD_TRIAGE_WEAK },
        /* a letter's request: the writer's own words are its mark */
        /* a ringed option OCR read with a letter wrong */
        { "ring-misread", "Priority (circle one): Routine (Urgemt) STAT\n", "urgent", RD_TRIAGE_STRONG },
        { "letter-request", "I would appreciate if you could see him\nurgently, within the week.\n", "urgent",
          RD_TRIAGE_STRONG },
        { "letter-within", "Please schedule her within 2 weeks if possible.\n", "urgent", RD_TRIAGE_STRONG },
        { "letter-today", "Please evaluate. today if at all possible.\n", "stat", RD_TRIAGE_STRONG },
        { "letter-stat-word", "I would be grateful if you could see him STAT - please assess\nhim today.\n",
          "stat", RD_TRIAGE_STRONG },
        /* the sentence wraps with the word at a line's front */
        { "letter-stat-wrapped", "I am referring my patient to your service; I would be grateful if you could see\n"
                                 "her STAT - please evaluate today.\n",
          "stat", RD_TRIAGE_STRONG },
        { "letter-no-rush", "No need to see her urgently; next available is fine.\n", "routine",
          RD_TRIAGE_NONE },
        /* a letter's notes, one item a line: what was scheduled and what
         * was drawn today are two things, not a request for today */
        { "letter-items-apart",
          "I would appreciate if you could see her urgently, within the week.\n"
          "Reason for referral: SVT episodes.\nComment: echo scheduled next week\n"
          "* BMP and BNP drawn today, results to follow\nNote: current med list to follow\n",
          "urgent", RD_TRIAGE_STRONG },
        { "letter-label-apart", "Note: stress test scheduled next week\nComment: labs drawn today\n",
          "routine", RD_TRIAGE_NONE },
        /* a form whose options are printed, unticked, beside a sentence:
         * the form is where urgency is marked, the sentence is weak */
        { "form-and-prose", "Priority: [ ] Routine  [ ] Urgent  [ ] STAT\nPlease see her urgently.\n", "routine",
          RD_TRIAGE_WEAK },
        /* printed instructions are not this referral's urgency */
        { "instruction", "For STAT or urgent referrals please call 555-0100.\n", "routine", RD_TRIAGE_NONE },
        { "urgent-care", "Seen at urgent care last week for palpitations.\n", "routine", RD_TRIAGE_NONE },
        { "negated", "This is not urgent.\n", "routine", RD_TRIAGE_NONE },
};

static RdPage *
form_page(const char *lines)
{
        RdPage *p = rd_page_new();

        p->number = 1;
        g_free(p->text);
        p->text = g_strconcat(FORM_HEAD, lines, "Reason for referral: evaluation\n", NULL);
        p->method = RD_PAGE_METHOD_TEXT_LAYER;
        p->confidence = 100;
        return p;
}

/* The fields of @page (taken), page 1, read as a referral form. */
static RdReferral *
read_form_page(RdPage *page)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func((GDestroyNotify)rd_document_free);
        RdDocument *form = rd_document_new(RD_DOC_REFERRAL_FORM);
        RdReferral *ref = rd_referral_new();
        guint one = 1;

        g_ptr_array_add(pages, page);
        g_array_append_val(form->pages, one);
        g_ptr_array_add(docs, form);
        rd_fields_extract(pages, docs, ref);
        return ref;
}

static RdReferral *
read_form(const char *lines)
{
        return read_form_page(form_page(lines));
}

static void
test_urgency(gconstpointer data)
{
        const UrgencyCase *c = data;
        g_autoptr(RdReferral) ref = read_form(c->lines);

        g_assert_cmpstr(ref->urgency, ==, c->urgency);
        g_assert_cmpint(ref->urgency_evidence.strength, ==, c->strength);
        if (c->strength != RD_TRIAGE_NONE)
                g_assert_nonnull(ref->urgency_evidence.cue);
        if (c->read != NULL)
                g_assert_cmpstr(ref->urgency_evidence.read, ==, c->read);
}

typedef struct {
        const char *name;
        const char *lines;
        const char *service;    /* NULL: none named, the general checklist applies */
        RdTriageStrength strength;
} ServiceCase;

static const ServiceCase service_cases[] = {
        { "ticked", "Service: [ ] General cardiology [X] Electrophysiology [ ] Heart failure\n",
          "electrophysiology", RD_TRIAGE_STRONG },
        { "ticked-glyph", "Service: \u2610 General cardiology \u2610 Electrophysiology \u2612 Heart failure\n",
          "heart_failure", RD_TRIAGE_STRONG },
        { "ticked-after", "Service: Interventional [X]  Preventive [ ]  Heart failure [ ]\n",
          "interventional", RD_TRIAGE_STRONG },
        /* the ringed option wrapped onto a line of its own, below the row */
        { "circled-wrapped", "Service General Cardiology Electrophysiology Heart Failure\n(Preventive)\n",
          "preventive", RD_TRIAGE_STRONG },
        { "unticked", "Service: [ ] General cardiology [ ] Electrophysiology [ ] Heart failure\n",
          NULL, RD_TRIAGE_NONE },
        { "two-ticks", "Service: [X] Preventive [X] Heart failure [ ] Interventional\n",
          "general", RD_TRIAGE_WEAK },
        /* the ticked option read with a letter wrong, its sibling plainly
         * beside an empty box: the tick decides, the sibling is no sentence */
        { "ticked-misread", "Clinic: [ ] General Cardiology  [X] Heart Failnre\n[ ] Preventive\n",
          "heart_failure", RD_TRIAGE_STRONG },
        { "ticked-misread-glyph", "Service \u2610 Interventional \u2612 Elcctrophysiology\n",
          "electrophysiology", RD_TRIAGE_STRONG },
        /* a check mark OCR read as a slash and a symbol between the box's
         * brackets: ink in a closed box is a tick */
        { "ticked-symbols", "Clinic: [ ] General Cardiology [ ] Heart Failure [\\\u00ac] Preventive\n",
          "preventive", RD_TRIAGE_STRONG },
        /* a boxed option beside a word that is none: no tick, no service */
        { "boxed-not-sentence", "Clinic: [ ] General Cardiology [ ] Cardiac rehab\n", NULL, RD_TRIAGE_NONE },
        { "labelled", "Service requested: Heart Failure Clinic\n", "heart_failure", RD_TRIAGE_STRONG },
        /* a ticked option OCR read with its words run together and a
         * letter wrong */
        { "misread-glued-option", "SERVICE: [] General Cardiology []Electrophysiology (X]HeartFallure  [] Interventional\n",
          "heart_failure", RD_TRIAGE_STRONG },
        /* the row's last option wrapped onto a line of its own, ringed
         * there and misread, a blank line between */
        { "ringed-wrapped-misread", "SERVICE; General Cardiology. Electrophysiology Heart Failure\n\n(Interventiona)\n",
          "interventional", RD_TRIAGE_STRONG },
        /* ...but a ringed word on a line of its own far from any row is
         * no mark of it */
        { "ringed-alone", "Reason: chest pain on exertion\n(Interventiona)\n", NULL, RD_TRIAGE_NONE },
        { "inked-box", "Service: [] General Cardiology [e] Heart Failure [] Preventive\n", "heart_failure",
          RD_TRIAGE_STRONG },
        /* what OCR read in a round box or as a digit in a square one is
         * the likely tick, for a person to confirm */
        { "inked-round-box", "Service: ( ) General Cardiology (e) Heart Failure ( ) Preventive\n",
          "heart_failure", RD_TRIAGE_WEAK },
        { "inked-box-digit", "Service: [] General Cardiology [] Heart Failure [0] Preventive\n", "preventive",
          RD_TRIAGE_WEAK },
        /* general cardiology in the order an order system prints it */
        { "labelled-general-reversed", "Service#: Cardiology - General\nDiagnosis: I48.91 atrial fibrillation\n",
          "general", RD_TRIAGE_STRONG },
        { "labelled-general-short", "Referred to: Gen. Cardiology\n", "general", RD_TRIAGE_STRONG },
        /* an order system's department name, words between the specialty
         * and "general"; "l" read as "!" */
        { "labelled-general-department", "Specialty/Clinic: Cardiology - Consult - General\n"
                                         "Diagnosis: I48.91 atrial fibrillation\n", "general", RD_TRIAGE_STRONG },
        { "labelled-general-clinic", "Referred to: Cardiology Clinic (General)\n"
                                     "Diagnosis: I50.22 heart failure\n", "general", RD_TRIAGE_STRONG },
        { "labelled-general-misread", "REFERRED TO#: Cardiology - Genera! Cardiology\n"
                                      "Diagnosis: I48.91 atrial fibrillation\n", "general", RD_TRIAGE_STRONG },
        /* an email's "Service:" line names the service the codes would not */
        { "service-label-general", "Service: General Cardiology\nPriority: Urgent\nDiagnoses: R00.2, I10\n",
          "general", RD_TRIAGE_STRONG },
        { "service-label-general-word", "Service: General\nDiagnoses: R94.31, R00.2, I10\n", "general",
          RD_TRIAGE_STRONG },
        /* the referrer's specialty is no service: the codes decide */
        { "specialty-of-referrer", "Specialty: Family Medicine\nDiagnosis: I48.91 atrial fibrillation\n",
          "electrophysiology", RD_TRIAGE_STRONG },
        /* "general" that names no department: the codes decide */
        { "general-practitioner", "His general practitioner referred him to cardiology.\n"
                                  "Diagnosis: I48.91 atrial fibrillation\n", "electrophysiology", RD_TRIAGE_STRONG },
        { "general-hospital", "Seen at Lakeside General Hospital, cardiology consult requested.\n"
                              "Diagnosis: I48.91 atrial fibrillation\n", "electrophysiology", RD_TRIAGE_STRONG },
        /* printed services, none read as marked: the codes only suggest */
        { "codes-under-printed-list", "Service: General Cardiology  Electrophysiology  Heart Failure\n"
                                      "Diagnosis: I48.91 atrial fibrillation\n", "electrophysiology", RD_TRIAGE_WEAK },
        /* a copyright sign is what OCR makes of an empty ring as often as
         * of a full one */
        { "ring-symbol", "Service requested: General Cardiology\n-Interventional \u00a9 Preventive\n", "general",
          RD_TRIAGE_WEAK },
        /* the list a text layer scattered: the first printed service after
         * the label is not a value */
        { "scattered-list", "Service requested#: General Cardiology\nReason for referral#: typical angina\n"
                            "Diagnoses: I25.10\n* office notes to follow\nElectrophysiology\nHeart Failure\n"
                            "Interventional\n", "interventional", RD_TRIAGE_WEAK },
        /* the printed list after its label, the circled one lost by OCR */
        { "list-after-label", "SERVICE REQUESTED#: General Cardiology Electrophysiology Heart Failure\n\nPreventive\n",
          "general", RD_TRIAGE_NONE },
        { "ring-quotes", "Clinic: General Cardiology. \u201cElectrophysiolog Heart Failure\u2019 Interventional\n",
          "general", RD_TRIAGE_NONE },
        { "stated", "Referral to the electrophysiology clinic for ablation evaluation.\n",
          "electrophysiology", RD_TRIAGE_STRONG },
        /* the row wrapped over three lines, the ticked option last, a
         * dash OCR put between its words */
        { "wrapped-ticked-dash", "Service requested: [ ] General Cardiology [ ] Electrophysiology\n"
                                 "{ ] Interventional [ ] Preventive\n[X] Heart -Failure\n", "heart_failure",
          RD_TRIAGE_STRONG },
        /* a service label's value names a clinic in few words */
        { "labelled-hf-short", "Referred to: Cardiology - HF / Cardiomyopathy\nDiagnosis: I10\n", "heart_failure",
          RD_TRIAGE_STRONG },
        { "labelled-ep-short", "Service: Cardiology - Arrhythmia (EP)\nDiagnosis: I10\n", "electrophysiology",
          RD_TRIAGE_STRONG },
        /* a misread label: the line still names the service */
        { "misread-label", "Speclalty/Clinic# Cardiology - Cath / Interventional!\nDiagnosis: I10\n",
          "interventional", RD_TRIAGE_STRONG },
        /* a letter's request over two lines, the service's name misread */
        { "stated-misread", "I am referring my patient to your electrophysiotogy\n(arrhythmia) service. I would "
                            "appreciate if you could see her.\nDiagnosis: I10\n", "electrophysiology",
          RD_TRIAGE_STRONG },
        /* a letter's request broken between its words, and misread */
        { "stated-across-lines", "I am referring my patient for a general\ncardiology consultation at your "
                                 "convenience.\nDiagnoses: I10, R00.2\n", "general", RD_TRIAGE_STRONG },
        { "stated-general-misread", "I am referring my patient for a general cardiolagy consultation.\n"
                                    "Diagnoses: I48.0\n", "general", RD_TRIAGE_STRONG },
        /* ...but a disease on the line after a referral's sentence is no
         * request: the codes decide */
        { "disease-after-request", "Thank you for seeing this referral\nheart failure symptoms improved on "
                                   "diuretics.\nDiagnosis: I48.91 atrial fibrillation\n", "electrophysiology",
          RD_TRIAGE_STRONG },
        /* "General" with its last stroke read as another */
        { "labelled-general-stroke", "SERVICE: Cardiology - Generai Cardiology\nDX CODES: R94.31\n", "general",
          RD_TRIAGE_STRONG },
        /* a ringed option OCR misread, beside a printed one: the ring
         * marks it, the printed one is no value */
        { "ringed-misread-in-row", "Service (seneral Cardiology) Heart Failure\nPreventive\n"
                                   "Diagnosis: R94.31, R00.2\n", "general", RD_TRIAGE_STRONG },
        { "ringed-misread-labelled", "SERVICE REQUESTED#: (General Cardioloa) Electrophysiology\n"
                                     "Diagnosis: I10\n", "general", RD_TRIAGE_STRONG },
        /* the row wrapped with a blank line between: the tick on the
         * second line decides, the first line's option is no value */
        { "wrapped-row-blank", "Service requested: - \u00a9) General Cardiology\n\n\u2612 Electrophysiology\n"
                               "Reason for referral: syncope\n", "electrophysiology", RD_TRIAGE_STRONG },
        /* the printed list after its label, wrapped past another
         * column's line: its first option is no value, the ring decides
         * (a labelled "general" here applied the looser checklist: a
         * false complete) */
        { "list-wrapped-past-label", "SERVICE REQUESTED General Cardiology\n\" REFERRAL REASON |\n\n"
                                     "Electrophysiology - (Heart Failure) . Interventional\n"
                                     "HFrEF, recurrent admissions\nPreventive\n", "heart_failure",
          RD_TRIAGE_STRONG },
        /* a disease in prose names no service: the codes decide */
        { "disease-in-prose", "Assessment: new cardiomyopathy, EF 25%. Refer to cardiology.\n"
                              "Diagnosis: I48.91 atrial fibrillation\n", "electrophysiology", RD_TRIAGE_STRONG },
        { "diagnosis-code", "Diagnosis: I48.91 atrial fibrillation\n", "electrophysiology",
          RD_TRIAGE_STRONG },
        /* two specialties' codes and a reason that names neither: the
         * primary code, flagged weak */
        { "conflicting-codes", "Diagnosis: I48.91 atrial fibrillation; I50.22 heart failure\n",
          "electrophysiology", RD_TRIAGE_WEAK },
        /* a comorbidity code beside the primary one, the reason agreeing */
        { "primary-and-comorbidity", "Diagnosis: I20.9 angina; E78.5 hyperlipidemia\n"
                                     "Reason for consult: exertional chest pain, rule out ischemia\n",
          "interventional", RD_TRIAGE_STRONG },
};

static void
test_service(gconstpointer data)
{
        const ServiceCase *c = data;
        g_autoptr(RdReferral) ref = read_form(c->lines);

        g_test_message("%s: %s (%s)", c->name, ref->service_line ? ref->service_line : "none",
                       ref->service_evidence.cue ? ref->service_evidence.cue : "no cue");
        if (c->service == NULL)
                g_assert_true(ref->service_line == NULL || strcmp(ref->service_line, "general") == 0);
        else
                g_assert_cmpstr(ref->service_line, ==, c->service);
        if (c->strength == RD_TRIAGE_NONE)
                g_assert_cmpint(ref->service_evidence.strength, !=, RD_TRIAGE_STRONG);
        else
                g_assert_cmpint(ref->service_evidence.strength, ==, c->strength);
}

/* The failure this guards against: an unticked "Urgent" box relaxed the
 * checklist (no labs needed) and a packet without labs read complete. */
static RdPage *
text_page(guint n, const char *text)
{
        RdPage *p = rd_page_new();

        p->number = n;
        g_free(p->text);
        p->text = g_strdup(text);
        p->method = RD_PAGE_METHOD_TEXT_LAYER;
        p->confidence = 100;
        return p;
}

static RdReferral *
packet_without_labs(const char *triage_lines)
{
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(RdPolicy) policy = rd_policy_new_reference();
        RdExtractMeta meta = { "fax", "2027-01-10", NULL, NULL };

        g_ptr_array_add(pages, form_page(triage_lines));
        g_ptr_array_add(pages, text_page(2, "PROGRESS NOTE\nDate of service: 01/05/2027\n"
                                            "Chief complaint: exertional chest pressure\n"
                                            "History of present illness: two months of symptoms.\n"
                                            "Physical exam: regular rhythm, no murmur.\n"
                                            "Assessment: stable angina, refer to cardiology.\n"));
        g_ptr_array_add(pages, text_page(3, "12-lead ECG  Acquired 01/05/2027 10:14\n"
                                            "Vent. rate 72 BPM  PR interval 160 ms\n"
                                            "QRS duration 90 ms  QT/QTc 380/402 ms\n"
                                            "P-R-T axes 60 45 50\n"
                                            "I aVR V1 V4\nII aVL V2 V5\nIII aVF V3 V6\n"
                                            "25 mm/s 10 mm/mV 0.05-150 Hz\n"));
        return rd_extract_referral(pages, &meta, policy, NULL);
}

/* The failure this guards against: an unticked "Urgent" box relaxed the
 * checklist (urgent keeps only EKG and notes) and a packet without labs
 * read complete. */
static void
test_unticked_box_keeps_checklist(void)
{
        g_autoptr(RdReferral) ref = packet_without_labs(
                "[ ] Urgent - please schedule within 7 days of receipt\n[ ] Routine\n");
        g_autoptr(RdReferral) marked = packet_without_labs(
                "[X] Urgent - please schedule within 7 days of receipt\n[ ] Routine\n");

        g_assert_nonnull(ref);
        g_assert_cmpstr(ref->urgency, ==, "routine");
        g_assert_false(ref->complete);
        /* the same packet with the box ticked is urgent: labs not needed */
        g_assert_cmpstr(marked->urgency, ==, "urgent");
        g_assert_true(marked->complete);
}

/* The stamp the picture reader adds at the end of a form's text, after
 * the signature, whose credential OCR ended with a colon: the signature
 * labels nothing, so the stamp stays a word alone on its line. */
static void
test_stamp_after_signature(void)
{
        g_autoptr(RdReferral) ref = read_form_page(
                text_page(1, FORM_HEAD "Reason for referral: syncope\n\nAnn Lee, D.O:\n\nURGENT\n"));

        g_assert_cmpstr(ref->urgency, ==, "urgent");
        g_assert_cmpstr(ref->urgency_evidence.cue, ==, "stamp");
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        for (gsize i = 0; i < G_N_ELEMENTS(urgency_cases); i++) {
                g_autofree char *path = g_strdup_printf("/triage/urgency/%s", urgency_cases[i].name);

                g_test_add_data_func(path, &urgency_cases[i], test_urgency);
        }
        for (gsize i = 0; i < G_N_ELEMENTS(service_cases); i++) {
                g_autofree char *path = g_strdup_printf("/triage/service/%s", service_cases[i].name);

                g_test_add_data_func(path, &service_cases[i], test_service);
        }
        g_test_add_func("/triage/unticked-box-keeps-checklist", test_unticked_box_keeps_checklist);
        g_test_add_func("/triage/stamp-after-signature", test_stamp_after_signature);
        return g_test_run();
}
