/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "daemon/replies/partner.h"

/* The NPI check digit computed here the long way round, independently
 * of partner.c: Luhn over "80840" followed by the nine digits. */
static char *
npi_with_check_digit(const char *nine)
{
        g_autofree char *full = g_strconcat("80840", nine, NULL);
        int sum = 0, len = (int)strlen(full);

        for (int i = len - 1, pos = 0; i >= 0; i--, pos++) {
                int v = full[i] - '0';

                if (pos % 2 == 0) { /* rightmost digit of the payload doubles */
                        v *= 2;
                        v = v / 10 + v % 10;
                }
                sum += v;
        }
        return g_strdup_printf("%s%d", nine, (10 - sum % 10) % 10);
}

static void
test_keys(void)
{
        static const struct {
                const char *kind, *in, *want; /* want NULL: refused */
        } cases[] = {
                { "email", "FrontDesk@Heartland.Example", "frontdesk@heartland.example" },
                { "email", "  Front Desk <FrontDesk@Heartland.Example>  ", "frontdesk@heartland.example" },
                { "email", "\"Desk, Front\" <a.b+c@x.example>", "a.b+c@x.example" },
                { "email", "<a@x.example>", "a@x.example" },
                { "email", "a@b@x.example", NULL },
                { "email", "a b@x.example", NULL },
                { "email", "@x.example", NULL },
                { "email", "a@", NULL },
                { "email", "a@x..example", NULL },
                { "email", "no-at-sign", NULL },
                { "email", "Name a@x.example>", NULL },
                { "email", "", NULL },
                { "domain", "@Heartland.Example", "heartland.example" },
                { "domain", " heartland.example ", "heartland.example" },
                { "domain", "localhost", NULL },
                { "domain", "bad domain.example", NULL },
                { "domain", ".example", NULL },
                { "domain", "x.example.", NULL },
                { "fax", "+1 (312) 555-0142", "3125550142" },
                { "fax", "312.555.0142", "3125550142" },
                { "fax", "13125550142", "3125550142" },
                { "fax", "3125550142", "3125550142" },
                { "fax", "23125550142", NULL },   /* 11 digits not starting with 1 */
                { "fax", "555-0142", NULL },
                { "fax", "1125550142", NULL },    /* area code 112 */
                { "fax", "0125550142", NULL },
                { "fax", "312-555-0142 x12", NULL },
                { "npi", "1234567893", "1234567893" },
                { "npi", " 1234567893 ", "1234567893" },
                { "npi", "1234567890", NULL },
                { "npi", "123456789", NULL },
                { "npi", "12345678931", NULL },
                { "npi", "12345a7893", NULL },
                { "phone", "3125550142", NULL },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(GError) error = NULL;
                g_autofree char *got = rd_partner_parse_key(cases[i].kind, cases[i].in, &error);
                g_autofree char *plain = rd_partner_normalize_key(cases[i].kind, cases[i].in);

                g_test_message("%s %s", cases[i].kind, cases[i].in);
                g_assert_cmpstr(got, ==, cases[i].want);
                g_assert_cmpstr(plain, ==, cases[i].want);
                if (cases[i].want == NULL)
                        g_assert_error(error, RD_PARTNER_ERROR, RD_PARTNER_ERROR_INVALID_KEY);
                else
                        g_assert_no_error(error);
        }
}

/* Every 10-digit NPI with the right check digit passes, every other
 * last digit is refused. */
static void
test_npi_check_digit(void)
{
        static const char *const bases[] = { "123456789", "198765432", "000000000", "999999999", "111222333",
                                             "293847561" };

        for (gsize i = 0; i < G_N_ELEMENTS(bases); i++) {
                g_autofree char *good = npi_with_check_digit(bases[i]);
                g_autofree char *norm = rd_partner_normalize_key("npi", good);

                g_assert_cmpstr(norm, ==, good);
                for (char d = '0'; d <= '9'; d++) {
                        g_autofree char *other = g_strdup(good);
                        g_autofree char *refused = NULL;

                        if (other[9] == d)
                                continue;
                        other[9] = d;
                        refused = rd_partner_normalize_key("npi", other);
                        g_assert_null(refused);
                }
        }
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/partner/keys", test_keys);
        g_test_add_func("/partner/npi-check-digit", test_npi_check_digit);
        return g_test_run();
}
