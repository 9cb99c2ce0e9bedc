/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "parsers/referral.h"

G_BEGIN_DECLS

/* Text helpers shared by the understanding modules; all pure. */

/* Parses one date written at the start of @s (03/14/1956, 3/14/1956,
 * 1956-03-14, Mar 14, 1956, 14-Mar-1956, NOV-20-2026, Nov 20 2026) and
 * returns it as ISO "YYYY-MM-DD", or NULL. @ret_end, if set, points past it. */
char *rd_parse_date(const char *s, const char **ret_end);
/* Exactly "YYYY-MM-DD" and a real calendar day: fills @ret (which may be
 * NULL) and returns TRUE; anything else, NULL included, returns FALSE. */
gboolean rd_iso_date(const char *s, GDate *ret);
/* The first date anywhere in @s (see rd_parse_date()), or NULL. */
char *rd_find_date(const char *s, const char **ret_start, const char **ret_end);

/* The first NANP telephone number in @s as 10 digits, or NULL. */
char *rd_normalize_phone(const char *s);

/* TRUE for a 10-digit NPI whose check digit is right (Luhn over
 * "80840" + the first 9 digits). */
gboolean rd_npi_is_valid(const char *npi);

/* Repairs one ICD-10-CM token as printed or read by OCR ("150.22" ->
 * "I50.22", "R94,39" -> "R94.39") and returns the dot form, or NULL when
 * it does not have a code's shape. */
char *rd_icd10_normalize(const char *token);

/* A fax machine's header line (date, time and sender, at a page's top)? */
gboolean rd_is_fax_header_line(const char *line);
/* ISO date of the page's fax header line, or NULL. */
char *rd_fax_header_date(const char *page_text);
/* The sending machine's number on a page's fax header line ("FAX (555)
 * 336-6279", "Sent by eFax from +1 555... to ...", "FROM: 555-201-0021"),
 * as 10 digits; NULL when there is no header or no number in it. */
char *rd_fax_header_sender(const char *page_text);
/* The page's lines without fax header lines (a NULL-terminated vector). */
char **rd_page_lines(const char *page_text);

/* Splits a clinician or patient name as printed ("Dr. Samuel Okafor",
 * "Okafor, Samuel MD", "OKAFOR, SAMUEL") into family and given names
 * without titles or credentials. Returns FALSE when it is not a name. */
gboolean rd_split_person_name(const char *raw, char **ret_family, char **ret_given);

/* Is the checkbox written just before @label_start on the line ticked?
 * Tolerates OCR damage ("[XJ", "K}", "&]" ticked; "[J", "(1", "O" empty). */
gboolean rd_checkbox_ticked(const char *line, const char *label_start);

/* Fills patient, referring, reason, diagnoses, urgency and service_line of
 * @ref from @pages (RdPage*), looking first at the pages of @documents
 * (RdDocument*) that are referral forms, then cover sheets, then the rest.
 * A field not found stays NULL. */
void rd_fields_extract(GPtrArray *pages, GPtrArray *documents, RdReferral *ref);

G_END_DECLS
