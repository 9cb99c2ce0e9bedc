/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "parsers/referral.h"

G_BEGIN_DECLS

/* Fills patient, referring, reason, diagnoses, urgency and service_line of
 * @ref from @pages (RdPage*), looking first at the pages of @documents
 * (RdDocument*) that are referral forms, then cover sheets, then the rest.
 * A field not found stays NULL. */
void rd_fields_extract(GPtrArray *pages, GPtrArray *documents, RdReferral *ref);

G_END_DECLS
