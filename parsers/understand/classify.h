/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "parsers/referral.h"

G_BEGIN_DECLS

/* What one page looks like on its own. */
typedef struct {
        RdDocType type;
        double score;       /* evidence for @type; 0 for a blank page */
        double confidence;  /* 0..1 */
        gboolean blank;     /* no readable content besides the fax header */
        gboolean weak;      /* too little evidence: a continuation or damaged page */
} RdPageClass;

/* Classifies the text of one page by its layout cues (titles, EKG machine
 * header and lead labels, lab tables of analytes/units/ranges, SOAP
 * headings), ignoring the fax header line. */
void rd_classify_page(const char *text, gboolean is_email_body, RdPageClass *ret);

/* RdPanel bits of the lab panels reported on a lab page. */
guint rd_classify_lab_panels(const char *text);

/* Date of a document of @type on its page (EKG acquisition, lab
 * collection, note date), never the patient's date of birth @dob (ISO, may
 * be NULL); NULL when none. */
char *rd_classify_document_date(RdDocType type, const char *text, const char *dob);

/* Groups consecutive pages (RdPage*, in page order) into documents
 * (RdDocument*). Blank and weak pages continue the previous document. An
 * email body (page 0) is a document only when it is itself the referral. */
GPtrArray *rd_classify_pages(GPtrArray *pages, const char *dob);

G_END_DECLS
