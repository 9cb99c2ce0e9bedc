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
} RdExtractMeta;

/* Understands one item: pages (RdPage*, in page order) -> referral with
 * documents, fields and the policy's checklist. Pure: no I/O, no clock. */
RdReferral *rd_extract_referral(GPtrArray *pages, const RdExtractMeta *meta,
                                const RdPolicy *policy, GError **error);

G_END_DECLS
