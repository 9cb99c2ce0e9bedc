/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Partner keys as the directory stores them: normalising and checking
 * addresses, domains, fax numbers and NPIs. */
#include <string.h>

#include "partner.h"

G_DEFINE_QUARK(rd-partner-error-quark, rd_partner_error)

static gboolean
fail(GError **error, const char *why)
{
        g_set_error_literal(error, RD_PARTNER_ERROR, RD_PARTNER_ERROR_INVALID_KEY, why);
        return FALSE;
}

static char *
refuse(GError **error, const char *why)
{
        fail(error, why);
        return NULL;
}

/* Characters that never appear in an unquoted addr-spec (RFC 5322 3.2.3
 * "specials" less '@' and '.'); a quoted local part is not supported. */
static gboolean
is_addr_char(guchar c)
{
        return c > ' ' && c != 0x7f && strchr("<>()[]\\,;:\"", c) == NULL;
}

static gboolean
check_domain(const char *d, gboolean need_dot, GError **error)
{
        if (*d == '\0')
                return fail(error, "the domain is empty");
        if (*d == '.' || g_str_has_suffix(d, ".") || strstr(d, "..") != NULL)
                return fail(error, "the domain has an empty label");
        for (const guchar *p = (const guchar *)d; *p; p++)
                /* bytes >= 0x80: an internationalised name, kept as sent */
                if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.' && *p < 0x80)
                        return fail(error, "the domain has a character a host name cannot have");
        if (need_dot && strchr(d, '.') == NULL)
                return fail(error, "a domain needs a dot (example.org)");
        return TRUE;
}

static char *
parse_email(const char *value, GError **error)
{
        g_autofree char *s = g_strstrip(g_strdup(value));
        g_autofree char *lower = NULL;
        const char *addr = s;
        const char *at;

        /* "Name <addr>" as pasted from a mail client: the part in brackets */
        if (g_str_has_suffix(s, ">")) {
                char *lt = strrchr(s, '<');

                if (lt == NULL)
                        return refuse(error, "unbalanced '>'");
                s[strlen(s) - 1] = '\0';
                addr = g_strstrip(lt + 1);
        }
        for (const guchar *p = (const guchar *)addr; *p; p++)
                if (!is_addr_char(*p) && *p != '@')
                        return refuse(error, "an address has no spaces or <>()[],;:\" characters");
        at = strchr(addr, '@');
        if (at == NULL || strchr(at + 1, '@') != NULL)
                return refuse(error, "an address has exactly one @");
        if (at == addr)
                return refuse(error, "the part before @ is empty");
        if (!check_domain(at + 1, FALSE, error))
                return NULL;
        lower = g_utf8_strdown(addr, -1);
        return g_steal_pointer(&lower);
}

static char *
parse_domain(const char *value, GError **error)
{
        g_autofree char *s = g_strstrip(g_strdup(value));
        const char *d = s;

        if (*d == '@')
                d++;
        if (!check_domain(d, TRUE, error))
                return NULL;
        return g_utf8_strdown(d, -1);
}

/* NANP: 10 digits, area code first; "+1 (212) 555-0100" and the like. */
static char *
parse_fax(const char *value, GError **error)
{
        g_autoptr(GString) digits = g_string_new(NULL);

        for (const char *p = value; *p; p++) {
                if (g_ascii_isdigit(*p))
                        g_string_append_c(digits, *p);
                else if (strchr(" \t-.()+/", *p) == NULL)
                        return refuse(error, "a fax number has only digits and - . ( ) + / spaces");
        }
        if (digits->len == 11 && digits->str[0] == '1')
                g_string_erase(digits, 0, 1);
        if (digits->len != 10)
                return refuse(error, "a fax number has 10 digits (US/Canada, optionally with a leading 1)");
        if (digits->str[0] < '2')
                return refuse(error, "an area code cannot start with 0 or 1");
        return g_string_free(g_steal_pointer(&digits), FALSE);
}

/* The NPI check digit is the Luhn digit of the 9 leading digits
 * prefixed with the card issuer prefix 80840 (CMS, "Requirements for
 * National Provider Identifier check digit"); the prefix adds 24. */
static gboolean
npi_valid(const char *d)
{
        int sum = 24;

        for (int i = 0; i < 9; i++) {
                int v = d[i] - '0';

                /* doubling starts at the digit next to the check digit */
                if (i % 2 == 0) {
                        v *= 2;
                        if (v > 9)
                                v -= 9;
                }
                sum += v;
        }
        return (10 - sum % 10) % 10 == d[9] - '0';
}

static char *
parse_npi(const char *value, GError **error)
{
        g_autofree char *s = g_strstrip(g_strdup(value));

        if (strlen(s) != 10 || strspn(s, "0123456789") != 10)
                return refuse(error, "an NPI has 10 digits");
        if (!npi_valid(s))
                return refuse(error, "not an NPI: the check digit does not match");
        return g_steal_pointer(&s);
}

char *
rd_partner_parse_key(const char *kind, const char *value, GError **error)
{
        g_return_val_if_fail(kind != NULL, NULL);

        if (value == NULL || !g_utf8_validate(value, -1, NULL))
                return refuse(error, "not text");
        if (strcmp(kind, "email") == 0)
                return parse_email(value, error);
        if (strcmp(kind, "domain") == 0)
                return parse_domain(value, error);
        if (strcmp(kind, "fax") == 0)
                return parse_fax(value, error);
        if (strcmp(kind, "npi") == 0)
                return parse_npi(value, error);
        g_set_error(error, RD_PARTNER_ERROR, RD_PARTNER_ERROR_INVALID_KEY, "unknown key kind %s", kind);
        return NULL;
}

char *
rd_partner_normalize_key(const char *kind, const char *value)
{
        return rd_partner_parse_key(kind, value, NULL);
}
