/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Partner keys as stored in partner_key.value: "email" lower-case
 * addr-spec, "domain" lower-case, "fax" 10 digits (a leading US 1
 * dropped), "npi" 10 digits with a valid check digit.  NULL when the
 * value cannot be such a key. */
char *rd_partner_normalize_key(const char *kind, const char *value);

G_END_DECLS
