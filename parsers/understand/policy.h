/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "parsers/referral.h"

G_BEGIN_DECLS

#define RD_POLICY_ERROR (rd_policy_error_quark())
GQuark rd_policy_error_quark(void);

typedef enum {
        RD_POLICY_ERROR_INVALID, /* bad value, unknown key or item type in a policy group */
} RdPolicyError;

/* The required-document policy: [policy], [checklist.LINE], [urgency.LEVEL]. */
typedef struct RdPolicy RdPolicy;

/* The reference policy (contract/checklists.conf), as key-file text. */
extern const char rd_policy_reference_conf[];

/* Reads the policy groups of @keyfile and ignores every other group (the
 * daemon's configuration holds [database] etc. beside them). A key file
 * without any policy group gives the reference policy. Errors name the
 * group and key. */
RdPolicy *rd_policy_new_from_keyfile(GKeyFile *keyfile, GError **error);
RdPolicy *rd_policy_new_reference(void);
void rd_policy_free(RdPolicy *policy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdPolicy, rd_policy_free)

guint rd_policy_get_labs_max_age_days(const RdPolicy *policy);

/* [policy] review-below: a verdict whose overall confidence is under
 * this fraction needs review (default 0.6). */
#define RD_POLICY_DEFAULT_REVIEW_BELOW 0.6
double rd_policy_get_review_below(const RdPolicy *policy);

/* Required checklist items (char*, owned by the array) for a service line
 * (NULL or unknown: "general"), narrowed by the urgency's keep list
 * (NULL: no narrowing). */
GPtrArray *rd_policy_required(const RdPolicy *policy, const char *service_line,
                              const char *urgency);

/* Fills ref->required, ref->missing (with reasons), ref->complete and
 * ref->evidence (pages and cue of each present item) from
 * ref->service_line, ref->urgency, ref->received and ref->documents. */
void rd_policy_check(const RdPolicy *policy, RdReferral *ref);

/* Flags @ref for review (ref->needs_review, ref->review_reasons) when a
 * person must look before anything automatic happens: weak or
 * conflicting urgency or service line evidence, a low-confidence
 * document that decides a checklist item, an unreadable or undated lab
 * date, an overall confidence under review-below.  Call after
 * rd_policy_check() and once ref->confidence is set. */
void rd_policy_review(const RdPolicy *policy, RdReferral *ref);

G_END_DECLS
