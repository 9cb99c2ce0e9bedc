/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the field readers of parsers/fields/ only: the labelled values
 * found on a packet's pages and the context the pickers read them from. */
#pragma once

#include <glib.h>

#include "parsers/referral.h"

G_BEGIN_DECLS

typedef enum {
        SEC_NONE,
        SEC_PATIENT,
        SEC_REFERRING,
        SEC_RECIPIENT,
        SEC_OTHER,
} Section;

typedef enum {
        L_NAME, L_PATIENT, L_DOB, L_SEX, L_PHONE, L_MRN, L_NPI, L_PRACTICE, L_FAX,
        L_PROVIDER, L_FROM, L_TO, L_RE, L_PRIORITY, L_SERVICE, L_REASON, L_DIAG,
        L_STOP, L_REFER_TO,
        L_FAMILY, L_GIVEN, /* "Last Name:", "First Name:" */
        L_NAME_LF,         /* a name written family first: "Last/First:" */
} LabelKey;

typedef struct {
        const char *text;
        LabelKey key;
        Section implies; /* section this label switches to, SEC_NONE for none */
} Label;

typedef struct {
        LabelKey key;
        Section section;
        char *value;     /* trimmed text up to the next label on the line */
        guint page;      /* index into the page list */
        guint line;
        guint rank;      /* 0 referral form/body, 1 cover, 2 rest */
} Value;

typedef struct {
        GPtrArray *pages;        /* RdPage* */
        GPtrArray *page_lines;   /* char** per page, header-free, realigned */
        GArray *rank;            /* guint per page */
        GPtrArray *values;       /* Value* in rank order */
        GPtrArray *excluded;     /* char* phone numbers of the recipient */
        const char *received;    /* ISO date the referral came in, or NULL */
} Ctx;

/* dates.c */
gboolean rd_read_uint(const char *s, guint min_digits, guint max_digits, guint *ret, gsize *len);

/* labels.c */
char ** rd_realign_label_columns(char **lines);
char *rd_trim_value(const char *s, gsize len);
/* Is @num one the packet names as the recipient's (a "To:" block)? */
gboolean rd_number_excluded(Ctx *c, const char *num);
gboolean rd_line_is_blank(const char *l);
/* Edit distance of two short lowercase strings (at most 31 bytes each;
 * G_MAXUINT for longer ones). */
guint rd_edit_distance(const char *a, const char *b);
gboolean rd_is_closing_line(const char *low);
const Label *rd_match_label(const char *line, const char *p, const char **ret_value);
/* A label inside a row after another label's value, where the row's
 * labels end in dashes ("GUARANTOR # - 1147 BIRTH DATE - 30-Sep-1936"):
 * a capitalised label, not a stop word, then a dash and its value. */
const Label *rd_match_dash_label(const char *line, const char *p, const char **ret_value);
Section rd_heading_section(const char *line);
/* A cover sheet's "To Example Cardiology" (SEC_RECIPIENT) or "From Oak
 * Medical" (SEC_REFERRING), written without a colon, with the party's
 * name in *@ret_name; SEC_NONE for any other line. */
Section rd_cover_sheet_party(const char *line, const char **ret_name);
void rd_value_free(Value *v);
void rd_collect_values(char **lines, guint page, guint rank, GPtrArray *values);

/* pickers.c */
gint rd_value_rank_cmp(gconstpointer a, gconstpointer b);
char *rd_outvote_number(Ctx *c, LabelKey key, Section want, char *chosen);
void rd_pick_patient_name(Ctx *c, RdReferral *ref);
char *rd_pick_date(Ctx *c, LabelKey key, guint max_rank);
char *rd_pick_sex(Ctx *c);
char *rd_pick_phone(Ctx *c, LabelKey key, Section want, guint max_rank);
char *rd_pick_mrn(Ctx *c);
char *rd_pick_referring_name(Ctx *c);
char *rd_pick_npi(Ctx *c);
char *rd_pick_practice(Ctx *c, const char *referring_name);
char *rd_pick_letterhead_number(Ctx *c, LabelKey key);
char *rd_pick_reason(Ctx *c);
void rd_pick_diagnoses(Ctx *c, GPtrArray *out);

/* triage.c */
void rd_pick_urgency(Ctx *c, RdReferral *ref);
void rd_pick_service_line(Ctx *c, RdReferral *ref);

G_END_DECLS
