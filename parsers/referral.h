/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Document types of the contract (extract-json.md), in its order. */
typedef enum {
        RD_DOC_COVER_SHEET,
        RD_DOC_REFERRAL_FORM,
        RD_DOC_CLINICAL_NOTES,
        RD_DOC_DISCHARGE_SUMMARY,
        RD_DOC_EKG,
        RD_DOC_LABS,
        RD_DOC_ECHO,
        RD_DOC_STRESS_TEST,
        RD_DOC_AMBULATORY_MONITOR,
        RD_DOC_IMAGING,
        RD_DOC_MED_LIST,
        RD_DOC_INSURANCE,
        RD_DOC_OTHER,
        RD_DOC_N_TYPES,
} RdDocType;

/* Lab panels, as bits, in the contract's vocabulary order. */
typedef enum {
        RD_PANEL_BMP = 1 << 0,
        RD_PANEL_CMP = 1 << 1,
        RD_PANEL_LIPID = 1 << 2,
        RD_PANEL_BNP = 1 << 3,
        RD_PANEL_TROPONIN = 1 << 4,
        RD_PANEL_CBC = 1 << 5,
        RD_PANEL_A1C = 1 << 6,
        RD_PANEL_TSH = 1 << 7,
        RD_PANEL_INR = 1 << 8,
} RdPanel;
#define RD_N_PANELS 9

const char *rd_doc_type_to_string(RdDocType type);
gboolean rd_doc_type_from_string(const char *s, RdDocType *ret_type);
/* index 0..RD_N_PANELS-1 -> "bmp"...; NULL past the end */
const char *rd_panel_name(guint index);
gboolean rd_panel_from_string(const char *s, RdPanel *ret_panel);

/* One enclosed document: consecutive pages of one type. */
typedef struct {
        RdDocType type;
        GArray *pages;      /* guint page numbers, ascending */
        char *date;         /* ISO date (EKG acquisition, lab collection, note date) or NULL */
        guint panels;       /* RdPanel bits, labs only */
        double confidence;  /* 0..1: how sure the classification is */
        const char *cue;    /* static: what decided the type ("lead labels + tracing
                             * picture"), never page text; NULL when unknown */
} RdDocument;

RdDocument *rd_document_new(RdDocType type);
void rd_document_free(RdDocument *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdDocument, rd_document_free)

/* Why a required item is missing, for staff (`referralctl show`). */
typedef enum {
        RD_MISSING_NOT_ENCLOSED,    /* no such document in the item */
        RD_MISSING_LABS_TOO_OLD,    /* newest lab report older than the policy allows */
        RD_MISSING_LABS_UNDATED,    /* lab report found, but no readable date */
        RD_MISSING_PANEL_ABSENT,    /* lab reports enclosed, none with the panel */
        RD_MISSING_UNREADABLE,      /* text too damaged to tell; counted missing to be safe */
} RdMissingWhy;

const char *rd_missing_why_to_string(RdMissingWhy why);

typedef struct {
        char *item;         /* "ekg", "labs:bnp", ... */
        RdMissingWhy why;
        char *date_found;   /* ISO date of the newest lab report for LABS_TOO_OLD, else NULL */
} RdMissingItem;

void rd_missing_item_free(RdMissingItem *m);

typedef struct {
        char *family, *given, *dob, *sex, *phone, *mrn;
} RdPatient;

typedef struct {
        char *name, *npi, *practice, *phone, *fax;
} RdReferring;

/* How sure a triage value (urgency, service line) is. */
typedef enum {
        RD_TRIAGE_NONE,   /* nothing on the pages says it: the default applies */
        RD_TRIAGE_WEAK,   /* prose, a guess from the reason, a lost box, or conflicting marks */
        RD_TRIAGE_STRONG, /* a ticked or circled option, a stamp, a labelled value */
} RdTriageStrength;

const char *rd_triage_strength_to_string(RdTriageStrength s);

/* What decided a triage value; strings are static, never page text. */
typedef struct {
        RdTriageStrength strength;
        const char *cue;   /* "ticked box", "labelled value", ...; NULL for none */
        const char *read;  /* what the evidence suggested when it was not used, or NULL */
} RdTriageEvidence;

/* The cue of a box in which OCR read ink, not a tick it knows ("[0]",
 * "[gm]"), beside boxes that read empty: a likely mark, too doubtful to
 * relax the checklist on (urgency then stays routine, for review). */
#define RD_TRIAGE_CUE_INKED_BOX "ink read in a box"

/* The cue of a tick on a row of urgency options before a word OCR could
 * not read as any of them, the options it did read left unticked: not
 * routine, and which of the others nobody can tell (routine applies, for
 * review). */
#define RD_TRIAGE_CUE_UNREAD_OPTION "tick before an unreadable option"

/* Why a checklist item counts as present. */
typedef struct {
        char *item;        /* "ekg", "labs:bnp", ... */
        GArray *pages;     /* guint page numbers of the documents that meet it */
        const char *cue;   /* static: what decided it */
        double confidence; /* of the weakest deciding document, 0..1 */
} RdEvidence;

RdEvidence *rd_evidence_new(const char *item, const char *cue);
void rd_evidence_free(RdEvidence *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdEvidence, rd_evidence_free)

/* Everything understood from one inbound item (the contract's object).
 * Strings are owned and NULL when not found. */
typedef struct {
        char *channel;          /* "fax" | "email" */
        char *received;         /* ISO date */
        const char *received_source; /* static: where received came from
                                      * ("option" | "header" | "email-date" |
                                      * "file-time"); NULL: not written */
        gboolean received_arrival;   /* received is the day the item arrived
                                      * (RdExtractMeta.arrived) */
        gboolean received_set_aside; /* ... in place of a date the item
                                      * carried that could not be right */
        RdPatient patient;
        RdReferring referring;
        char *service_line;     /* electrophysiology | heart_failure | interventional | preventive | general */
        char *urgency;          /* stat | urgent | routine */
        char *reason;
        GPtrArray *diagnoses;   /* char*, ICD-10-CM dot form, printed order */
        GPtrArray *documents;   /* RdDocument*, page order */
        GPtrArray *required;    /* char* checklist items */
        GPtrArray *missing;     /* RdMissingItem*, subset of required, same order */
        gboolean complete;      /* as computed from the checklist; see needs_review */
        double confidence;      /* 0..1 overall */
        RdTriageEvidence urgency_evidence;
        RdTriageEvidence service_evidence;
        GPtrArray *evidence;    /* RdEvidence*, one per present checklist item */
        /* A person must look before anything automatic happens: the
         * daemon never treats a referral that needs review as complete. */
        gboolean needs_review;
        /* referralctl extract sets it: "complete" in the JSON is then
         * false while a person must look, and the checklist's own verdict
         * goes to "complete_computed" */
        gboolean complete_confirmed_only;
        GPtrArray *review_reasons; /* char*, short, no patient data */
} RdReferral;

/* Flags @ref for review with @reason (added once). */
void rd_referral_add_review(RdReferral *ref, const char *reason);

/* Is @item ("ekg", "labs:bnp", ...) among @ref's missing items? */
gboolean rd_referral_is_missing(const RdReferral *ref, const char *item);

RdReferral *rd_referral_new(void);
void rd_referral_free(RdReferral *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdReferral, rd_referral_free)

/* The contract's JSON object. Adds keys the contract allows (README,
 * "extract output"): "missing_reasons", "confidence", "evidence",
 * "urgency_evidence", "service_line_evidence", "needs_review",
 * "review_reasons", and per document "confidence" and "cue". */
char *rd_referral_to_json(const RdReferral *ref, gboolean pretty);

G_END_DECLS
