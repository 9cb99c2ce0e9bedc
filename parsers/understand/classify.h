/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "ocr/picture.h"
#include "parsers/referral.h"

G_BEGIN_DECLS

/* What one page looks like on its own. */
typedef struct {
        RdDocType type;
        double score;       /* evidence for @type; 0 for a blank page */
        double confidence;  /* 0..1 */
        gboolean blank;     /* no readable content besides the fax header */
        gboolean weak;      /* too little evidence: a continuation or damaged page */
        gboolean titled;    /* a cue for @type stands in the title area: a document starts */
        gboolean label_title; /* ...only as a field's label ("Referred by:"), as a
                               * machine's header prints it above a tracing */
        gboolean tracing;   /* the picture is mostly ECG tracing: never a continuation of text */
        const char *cue;    /* static: what decided @type, for the evidence; never page text */
        double type_score[RD_DOC_N_TYPES]; /* text evidence for every type */
} RdPageClass;

/* Classifies the text of one page by its layout cues (titles, EKG machine
 * header and lead labels, lab tables of analytes/units/ranges, SOAP
 * headings), ignoring the fax header line. */
void rd_classify_page(const char *text, gboolean is_email_body, RdPageClass *ret);

/* The picture was not measured (no picture measure for this page). */
#define RD_PICTURE_UNKNOWN (-1.0)

/* Combines the text cues with the page picture's ECG measure
 * (@ecg_picture_score 0..1, or RD_PICTURE_UNKNOWN; @picture_blank: the
 * picture holds nothing).  A page that is mostly tracing with weak or
 * unreadable text is an EKG; a stress test or ambulatory monitor report
 * that also shows strips stays what its text says; a tracing page is
 * never a weak continuation of the text before it. */
void rd_classify_page_with_picture(const char *text, double ecg_picture_score,
                                   gboolean picture_blank, gboolean is_email_body,
                                   RdPageClass *ret);

/* RdPanel bits of the lab panels reported on a lab page. */
guint rd_classify_lab_panels(const char *text);

/* Date of a document of @type on its page (EKG acquisition, lab
 * collection, note date), never the patient's date of birth @dob (ISO, may
 * be NULL); NULL when none. */
char *rd_classify_document_date(RdDocType type, const char *text, const char *dob);

/* Groups pages (RdPage*, in page order) into documents (RdDocument*).
 * A blank page continues the previous document; a weak page joins a
 * neighbour only when its content agrees (same type's cues, or plain
 * prose after a prose document), else it stands alone; an untitled page
 * that continues an earlier prose document of its type (notes' page 2
 * after the labs) joins that document.  An email body (page 0) is a
 * document only when it is itself the referral. */
GPtrArray *rd_classify_pages(GPtrArray *pages, const char *dob);

G_END_DECLS
