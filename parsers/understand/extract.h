/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "policy.h"
#include "parsers/referral.h"

G_BEGIN_DECLS

#define RD_EXTRACT_ERROR (rd_extract_error_quark())
GQuark rd_extract_error_quark(void);

typedef enum {
        RD_EXTRACT_ERROR_INVALID, /* bad arguments */
} RdExtractError;

/* What is known about an item besides its pages. */
typedef struct {
        const char *channel;    /* "fax" | "email" */
        const char *received;   /* ISO date if known (email Date:), else NULL */
        const char *subject;    /* email Subject, or NULL */
        const char *from;       /* email From, or NULL */
        const char *arrived;    /* ISO day the item reached us (or its file's
                                 * day), or NULL: the received date when the
                                 * item carries none */
        gboolean distrust_far;  /* the arrival day also replaces a date the
                                 * item carries that cannot be right (more
                                 * than RD_RECEIVED_MAX_DAYS_BEFORE days before
                                 * it, or RD_RECEIVED_MAX_DAYS_AFTER after) */
} RdExtractMeta;

/* A date read from the item itself (fax header, email Date:) is trusted
 * for the lab-age rule when it lies from RD_RECEIVED_MAX_DAYS_BEFORE days
 * before the day the item reached us (a gateway that held faxes, a
 * referral reprocessed later) to RD_RECEIVED_MAX_DAYS_AFTER day after it
 * (time zones).  Outside that, it is a fax machine whose clock was never
 * set or a forged Date:, and the day of arrival is the better date. */
#define RD_RECEIVED_MAX_DAYS_BEFORE 365
#define RD_RECEIVED_MAX_DAYS_AFTER 1

/* Understands one item: pages (RdPage*, in page order) -> referral with
 * documents, fields and the policy's checklist. Pure: no I/O, no clock. */
RdReferral *rd_extract_referral(GPtrArray *pages, const RdExtractMeta *meta,
                                const RdPolicy *policy, GError **error);

G_END_DECLS
