/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/replies.h"
#include "parsers/referral.h"

G_BEGIN_DECLS

#define RD_REPLY_ERROR (rd_reply_error_quark())

/* Mail bodies are wrapped at this many characters a line. */
#define RD_MAIL_WIDTH 72
GQuark rd_reply_error_quark(void);
typedef enum {
        RD_REPLY_ERROR_TEMPLATE, /* unknown placeholder, unbalanced brace */
        RD_REPLY_ERROR_ADDRESS,  /* not a plain addr-spec */
        RD_REPLY_ERROR_RENDER,   /* PDF could not be drawn */
} RdReplyError;

/* What a reply may say.  Strings may be NULL. */
typedef struct {
        const char *reference;
        const char *received;          /* ISO date */
        const char *patient_family, *patient_given, *patient_dob;
        RdPatientDetail patient_detail;
        RdDateStyle date_style;        /* how received, dob and lab dates are written */
        GPtrArray *missing;            /* RdMissingItem*, may be NULL */
        guint labs_max_age_days;
        const char *practice, *our_fax, *our_email;
        gboolean by_email;             /* the partner can reply to our mail */
} RdReplyVars;

/* A missing checklist item in plain words: "12-lead EKG", "labs within
 * the last 90 days, including BNP", "recent clinical notes", ... */
char *rd_reply_missing_words(const RdMissingItem *m, guint labs_max_age_days, RdDateStyle style);

/* An ISO date (YYYY-MM-DD) as the reply writes it; anything else is
 * returned cleaned of control characters, as it is. */
char *rd_reply_date_words(const char *iso, RdDateStyle style);

/* Fills a template's placeholders.  Extracted values are cleaned of
 * control characters; the result is UTF-8 text with \n line ends. */
gboolean rd_reply_template_check(const char *template, GError **error);
char *rd_reply_render(const char *template, const RdReplyVars *vars, GError **error);

/* An RFC 5322 message, CRLF, 7-bit safe: From, To, Subject (RFC 2047 when
 * needed, control characters removed, at most 200 characters), Date,
 * Message-ID, In-Reply-To, References, Auto-Submitted: auto-replied,
 * MIME-Version, text/plain; charset=utf-8 body.  No header can be forged
 * through any value. */
typedef struct {
        const char *from_addr, *from_name, *to_addr, *subject, *body;
        const char *message_id;          /* without <> */
        const char *in_reply_to;         /* without <>, may be NULL */
        const char *const *references;   /* without <>, NULL-terminated, may be NULL */
        gint64 date_unix;
        GBytes *pdf;                     /* attached as reply.pdf when non-NULL */
} RdMailOut;
GBytes *rd_mail_compose(const RdMailOut *m, GError **error);
/* "<random>.<id>@domain-of-from" without <> */
char *rd_mail_new_message_id(const char *from_addr, gint64 outbox_id);

/* A one-page US-letter PDF for a fax reply: the practice, the reference
 * large in a clear sans font, the body text wrapped. */
GBytes *rd_reply_pdf(const char *practice, const char *reference, const char *subject, const char *body,
                     GError **error);

G_END_DECLS
