/* SPDX-License-Identifier: GPL-2.0-or-later */
/* [replies], [followups] and [smtp]: their key tables, defaults and the
 * checks across keys, and the checks of the values they share with
 * daemon/replies/ (addresses, templates). */
#include <string.h>

#include "replies.h"
#include "parsers/fields/ids.h"

const char *const rd_reply_placeholders[] = { "reference", "received", "patient", "missing",
                                              "how", "practice", "fax", "from", NULL };

gboolean
rd_mail_address_valid(const char *addr)
{
        const char *at;
        gsize len;

        if (addr == NULL)
                return FALSE;
        len = strlen(addr);
        if (len < 3 || len > 254)
                return FALSE;
        at = strchr(addr, '@');
        if (at == NULL || at == addr || strchr(at + 1, '@') != NULL || at[1] == '\0')
                return FALSE;
        if (strchr(at + 1, '.') == NULL || at[1] == '.' || addr[len - 1] == '.' || strstr(at, "..") != NULL)
                return FALSE;
        for (const char *p = addr; p < at; p++)
                if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f || strchr("<>()[]\\,;:\"", *p) != NULL)
                        return FALSE;
        /* a host name: letters, digits, dashes and dots */
        for (const char *p = at + 1; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
                        return FALSE;
        return TRUE;
}

gboolean
rd_reply_template_valid(const char *template, char **ret_problem)
{
        for (const char *p = template; *p; p++) {
                const char *close;
                g_autofree char *name = NULL;

                if (*p == '}') {
                        *ret_problem = g_strdup("a '}' without '{'");
                        return FALSE;
                }
                if (*p != '{')
                        continue;
                close = strchr(p, '}');
                if (close == NULL) {
                        *ret_problem = g_strdup("a '{' without '}'");
                        return FALSE;
                }
                name = g_strndup(p + 1, MIN(close - p - 1, 40));
                if (!g_strv_contains(rd_reply_placeholders, name)) {
                        /* the name is shown in a message: printable ASCII only */
                        for (char *c = name; *c; c++)
                                if (!g_ascii_isprint(*c))
                                        *c = '?';
                        *ret_problem = g_strdup_printf("unknown placeholder {%s}", name);
                        return FALSE;
                }
                p = close;
        }
        return TRUE;
}

/* Printed in headers and letters: one line of printable text. */
static gboolean
check_text(char *value)
{
        for (const char *p = value; *p; p++)
                if ((guchar)*p < 0x20 || *p == 0x7f)
                        return FALSE;
        return strlen(value) <= 200;
}

static gboolean
check_template(char *value)
{
        g_autofree char *problem = NULL;

        return strlen(value) <= 8000 && rd_reply_template_valid(value, &problem);
}

static gboolean
check_address(char *value)
{
        return rd_mail_address_valid(value);
}

/* Our own addresses are compared without regard to case. */
static gboolean
check_own_address(char *value)
{
        for (char *p = value; *p; p++)
                *p = g_ascii_tolower(*p);
        return rd_mail_address_valid(value);
}

/* A fax number in any punctuation, kept as its 10 digits. */
static gboolean
check_number(char *value)
{
        g_autofree char *digits = rd_normalize_phone(value);

        if (digits == NULL)
                return FALSE;
        strcpy(value, digits); /* never longer than what it was read from */
        return TRUE;
}

/* A relay: a whole address or a bare domain, compared without case. */
static gboolean
check_relay(char *value)
{
        g_autofree char *probe = NULL;

        for (char *p = value; *p; p++)
                *p = g_ascii_tolower(*p);
        probe = strchr(value, '@') ? g_strdup(value) : g_strconcat("x@", value, NULL);
        return rd_mail_address_valid(probe);
}

/* "{number}@fax.example.org": the address with a number in it must be valid. */
static gboolean
check_gateway(char *value)
{
        g_autoptr(GString) s = g_string_new(value);

        if (strstr(value, "{number}") == NULL)
                return FALSE;
        g_string_replace(s, "{number}", "5552010100", 0);
        return rd_mail_address_valid(s->str);
}

/* smtp://host[:port] (STARTTLS) or smtps://host[:port], no path. */
static gboolean
check_smtp_url(char *value)
{
        static const char *const schemes[] = { "smtps", "smtp", NULL };

        return rd_key_check_server_url(value, schemes);
}

static gboolean
check_helo(char *value)
{
        for (const char *p = value; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-')
                        return FALSE;
        return strlen(value) <= 253;
}

static const char default_subject_missing[] = "Referral {reference}: documents needed";
static const char default_body_missing[] =
        "Hello,\n"
        "\n"
        "On {received} we received your referral for {patient}.\n"
        "Its reference is {reference}. To schedule the visit we still need:\n"
        "{missing}\n"
        "\n"
        "{how}\n"
        "\n"
        "Thank you,\n"
        "{practice}\n"
        "\n"
        "This is an automatic message about referral {reference}.\n";
static const char default_subject_receipt[] = "Referral {reference}: received";
static const char default_body_receipt[] =
        "Hello,\n"
        "\n"
        "On {received} we received your referral for {patient}.\n"
        "Its reference is {reference}; please quote it when you send anything about this referral.\n"
        "\n"
        "Thank you,\n"
        "{practice}\n"
        "\n"
        "This is an automatic message about referral {reference}.\n";
static const char default_subject_complete[] = "Referral {reference}: complete";
static const char default_body_complete[] =
        "Hello,\n"
        "\n"
        "We now have everything we need for the referral of {patient} (reference {reference}).\n"
        "Our scheduling team will contact the patient.\n"
        "\n"
        "Thank you,\n"
        "{practice}\n"
        "\n"
        "This is an automatic message about referral {reference}.\n";


static const RdKeyChoice patient_details[] = {
        { "initials-dob", RD_PATIENT_DETAIL_INITIALS_DOB },
        { "initials", RD_PATIENT_DETAIL_INITIALS },
        { "reference-only", RD_PATIENT_DETAIL_NONE },
        { NULL, 0 },
};
static const RdKeyChoice date_styles[] = {
        { "us", RD_DATE_STYLE_US }, { "iso", RD_DATE_STYLE_ISO }, { "long", RD_DATE_STYLE_LONG }, { NULL, 0 },
};
static const RdKeyChoice unknown_senders[] = {
        { "reply", RD_UNKNOWN_SENDERS_REPLY }, { "review", RD_UNKNOWN_SENDERS_REVIEW },
        { "none", RD_UNKNOWN_SENDERS_NONE }, { NULL, 0 },
};
static const RdKeyChoice fax_modes[] = {
        { "none", RD_FAX_REPLY_NONE }, { "spool", RD_FAX_REPLY_SPOOL }, { "gateway", RD_FAX_REPLY_GATEWAY },
        { NULL, 0 },
};

#define BOOL "true or false"
#define R(k, t, f, d, w, ...) { k, t, G_STRUCT_OFFSET(RdRepliesConfig, f), d, w, __VA_ARGS__ }
const RdKey rd_replies_keys[] = {
        R("enabled", RD_KEY_BOOL, enabled, "false", BOOL),
        R("from", RD_KEY_STRING, from_addr, NULL, "a plain address, local@domain", check_address),
        R("from-name", RD_KEY_STRING, from_name, NULL, "one line of text", check_text),
        R("practice-name", RD_KEY_STRING, practice_name, "Cardiology intake", "one line of text", check_text),
        R("fax-number", RD_KEY_STRING, our_fax, NULL, "a fax number", check_text),
        R("patient-details", RD_KEY_ENUM, patient_detail, "initials-dob", "initials-dob, initials or reference-only",
          .choices = patient_details),
        R("date-format", RD_KEY_ENUM, date_style, "us", "us (11/19/2026), iso (2026-11-19) or long (November 19, 2026)",
          .choices = date_styles),
        R("missing-request", RD_KEY_BOOL, missing_request, "true", BOOL),
        R("receipt", RD_KEY_BOOL, receipt, "false", BOOL),
        R("complete-notice", RD_KEY_BOOL, complete_notice, "false", BOOL),
        R("reply-unknown", RD_KEY_BOOL, reply_unknown, "false", BOOL),
        R("min-interval", RD_KEY_DURATION, min_interval_usec, "3d", "a duration such as 3d", .min = 1),
        R("max-per-recipient", RD_KEY_UINT, max_per_recipient, "10", "a count from 1 to 100000", .min = 1,
          .max = 100000),
        R("recipient-window", RD_KEY_DURATION, recipient_window_usec, "1h", "a duration such as 1h", .min = 1),
        R("own-addresses", RD_KEY_LIST, own_addresses, NULL, "addresses separated by ;", check_own_address),
        R("own-numbers", RD_KEY_LIST, own_numbers, NULL, "fax numbers separated by ;", check_number),
        R("unknown-senders", RD_KEY_ENUM, unknown_senders, "review", "reply, review or none",
          .choices = unknown_senders),
        R("relay-senders", RD_KEY_LIST, relay_senders, NULL, "addresses or domains separated by ;", check_relay),
        R("hold-when-unsure", RD_KEY_BOOL, hold_unsure, "true", BOOL),
        R("fax-reply", RD_KEY_ENUM, fax_mode, "none", "none, spool or gateway", .choices = fax_modes),
        R("fax-spool", RD_KEY_PATH, fax_spool, NULL, "an absolute path"),
        R("fax-gateway", RD_KEY_STRING, fax_gateway, NULL,
          "an address with {number}, e.g. {number}@fax.example.org", check_gateway),
        R("subject-missing", RD_KEY_TEMPLATE, subject_missing, default_subject_missing, "a template (see README)",
          check_template),
        R("body-missing", RD_KEY_TEMPLATE, body_missing, default_body_missing, "a template (see README)",
          check_template),
        R("subject-receipt", RD_KEY_TEMPLATE, subject_receipt, default_subject_receipt, "a template (see README)",
          check_template),
        R("body-receipt", RD_KEY_TEMPLATE, body_receipt, default_body_receipt, "a template (see README)",
          check_template),
        R("subject-complete", RD_KEY_TEMPLATE, subject_complete, default_subject_complete,
          "a template (see README)", check_template),
        R("body-complete", RD_KEY_TEMPLATE, body_complete, default_body_complete, "a template (see README)",
          check_template),
        { NULL },
};

const RdKey rd_followups_keys[] = {
        R("window", RD_KEY_DURATION, followup_window_usec, "30d", "a duration such as 30d", .min = 1),
        { NULL },
};
#undef R

#define S(k, t, f, d, w, ...) { k, t, G_STRUCT_OFFSET(RdSmtpConfig, f), d, w, __VA_ARGS__ }
const RdKey rd_smtp_keys[] = {
        S("url", RD_KEY_STRING, url, NULL, "smtp://host[:port] or smtps://host[:port]", check_smtp_url),
        S("allow-plaintext", RD_KEY_BOOL, allow_plaintext, "false", BOOL),
        S("user", RD_KEY_STRING, user, NULL, "a user name", check_text),
        S("password-file", RD_KEY_PATH, secret.file, NULL, "an absolute path"),
        S("password-credential", RD_KEY_STRING, secret.credential, NULL, "a credential name", rd_secret_check_name),
        S("ca-file", RD_KEY_PATH, ca_file, NULL, "an absolute path"),
        S("tls-verify", RD_KEY_BOOL, tls_verify, "true", BOOL),
        S("helo", RD_KEY_STRING, helo, NULL, "a host name", check_helo),
        S("timeout", RD_KEY_DURATION, timeout_usec, "30s", "a duration such as 30s", .min = 1),
        S("retry-backoff", RD_KEY_DURATION, retry_backoff_usec, "30s", "a duration such as 30s", .min = 1),
        S("max-attempts", RD_KEY_UINT, max_attempts, "20", "a count from 1 to 100000", .min = 1, .max = 100000),
        { NULL },
};
#undef S
#undef BOOL

/* Our own fax number is never a recipient. */
static void
add_own_fax(RdRepliesConfig *rc)
{
        g_autofree char *ours = rc->our_fax ? rd_normalize_phone(rc->our_fax) : NULL;
        guint n = rc->own_numbers ? g_strv_length(rc->own_numbers) : 0;

        if (ours == NULL)
                return;
        rc->own_numbers = g_renew(char *, rc->own_numbers, n + 2);
        rc->own_numbers[n] = g_steal_pointer(&ours);
        rc->own_numbers[n + 1] = NULL;
}

RdRepliesConfig *
rd_replies_config_parse(const RdKeySource *src, GError **error)
{
        g_autoptr(RdRepliesConfig) rc = g_new0(RdRepliesConfig, 1);

        rd_keys_set_defaults(rd_replies_keys, rc);
        rd_keys_set_defaults(rd_followups_keys, rc);
        if (!rd_keys_parse_group(src, "replies", rd_replies_keys, rc, error) ||
            !rd_keys_parse_group(src, "followups", rd_followups_keys, rc, error))
                return NULL;
        /* reply-unknown (true/false) is the older spelling of unknown-senders */
        if (!g_key_file_has_key(src->keyfile, "replies", "unknown-senders", NULL) &&
            g_key_file_has_key(src->keyfile, "replies", "reply-unknown", NULL))
                rc->unknown_senders = rc->reply_unknown ? RD_UNKNOWN_SENDERS_REPLY : RD_UNKNOWN_SENDERS_NONE;
        add_own_fax(rc);
        if (rc->enabled && rc->from_addr == NULL) {
                rd_key_fail(src, RD_CONFIG_ERROR_MISSING, "replies", "enabled", error,
                            "from is required when enabled=true");
                return NULL;
        }
        if (rc->fax_mode == RD_FAX_REPLY_SPOOL && rc->fax_spool == NULL) {
                rd_key_fail(src, RD_CONFIG_ERROR_MISSING, "replies", "fax-reply", error, "fax-reply=spool needs fax-spool");
                return NULL;
        }
        if (rc->fax_mode == RD_FAX_REPLY_GATEWAY && rc->fax_gateway == NULL) {
                rd_key_fail(src, RD_CONFIG_ERROR_MISSING, "replies", "fax-reply", error,
                            "fax-reply=gateway needs fax-gateway");
                return NULL;
        }
        return g_steal_pointer(&rc);
}

void
rd_replies_config_free(RdRepliesConfig *rc)
{
        rd_keys_free(rd_replies_keys, rc);
}

/* The EHLO name when none is set: our own domain, as a receiving server
 * expects. */
static char *
default_helo(const RdKeySource *src)
{
        g_autofree char *from = g_key_file_get_string(src->keyfile, "replies", "from", NULL);
        char *at = from ? strchr(g_strstrip(from), '@') : NULL;

        if (at == NULL || at[1] == '\0' || !check_helo(at + 1))
                return g_strdup("localhost");
        return g_strdup(at + 1);
}

RdSmtpConfig *
rd_smtp_config_parse(const RdKeySource *src, GError **error)
{
        g_autoptr(RdSmtpConfig) sc = NULL;

        if (!g_key_file_has_group(src->keyfile, "smtp"))
                return NULL;
        sc = g_new0(RdSmtpConfig, 1);
        rd_keys_set_defaults(rd_smtp_keys, sc);
        if (!rd_keys_parse_group(src, "smtp", rd_smtp_keys, sc, error))
                return NULL;
        if (sc->url == NULL) {
                rd_key_fail(src, RD_CONFIG_ERROR_MISSING, "smtp", NULL, error, "url is required");
                return NULL;
        }
        sc->implicit_tls = g_str_has_prefix(sc->url, "smtps://");
        if ((sc->secret.file != NULL || sc->secret.credential != NULL) && sc->user == NULL) {
                rd_key_fail(src, RD_CONFIG_ERROR_MISSING, "smtp", sc->secret.file ? "password-file" : "password-credential",
                            error, "a password needs user");
                return NULL;
        }
        if (sc->helo == NULL)
                sc->helo = default_helo(src);
        return g_steal_pointer(&sc);
}

void
rd_smtp_config_free(RdSmtpConfig *sc)
{
        if (sc != NULL)
                rd_secret_free(sc->password);
        rd_keys_free(rd_smtp_keys, sc);
}
