/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_PARTNER_ERROR (rd_partner_error_quark())
GQuark rd_partner_error_quark(void);
typedef enum {
        RD_PARTNER_ERROR_INVALID_KEY, /* the value cannot be a key of that kind */
} RdPartnerError;

/* Partner keys as stored in partner_key.value: "email" lower-case
 * addr-spec, "domain" lower-case, "fax" 10 digits (a leading US 1
 * dropped), "npi" 10 digits with a valid check digit.  NULL when the
 * value cannot be such a key. */
char *rd_partner_normalize_key(const char *kind, const char *value);
/* The same, with the reason a value is refused (the message does not
 * repeat the value).  Returns: (transfer full) */
char *rd_partner_parse_key(const char *kind, const char *value, GError **error);

G_END_DECLS
