/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "replies.h"
#include "config.h"
#include "daemon/replies/compose.h"
#include "parsers/fields/ids.h"

typedef gboolean (*RdKeyParser)(const char *value, gpointer field);

typedef struct {
        const char *group;
        const char *key;
        RdKeyParser parse;
        gsize offset;
        const char *what;
        gboolean smtp; /* field of RdSmtpConfig, else of RdRepliesConfig */
} RdReplyKey;

/* Printed in headers and letters: one line of printable text. */
static gboolean
parse_text(const char *value, gpointer field)
{
        for (const char *p = value; *p; p++)
                if ((guchar)*p < 0x20 || *p == 0x7f)
                        return FALSE;
        return g_utf8_validate(value, -1, NULL) && strlen(value) <= 200 && rd_config_field_string(value, field);
}

static gboolean
parse_template(const char *value, gpointer field)
{
        return g_utf8_validate(value, -1, NULL) && strlen(value) <= 8000 && rd_reply_template_check(value, NULL) &&
               rd_config_field_string(value, field);
}

static gboolean
parse_address(const char *value, gpointer field)
{
        return rd_mail_address_valid(value) && rd_config_field_string(value, field);
}

static gboolean
parse_count(const char *value, gpointer field)
{
        guint64 v;

        if (!g_ascii_string_to_unsigned(value, 10, 1, 100000, &v, NULL))
                return FALSE;
        *(guint *)field = (guint)v;
        return TRUE;
}

static gboolean
parse_addresses(const char *value, gpointer field)
{
        char ***ret = field;
        g_auto(GStrv) parts = g_strsplit(value, ";", -1);
        g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; parts[i]; i++) {
                char *a = g_strstrip(parts[i]);

                if (*a == '\0')
                        continue;
                if (!rd_mail_address_valid(a))
                        return FALSE;
                g_ptr_array_add(out, g_ascii_strdown(a, -1));
        }
        g_ptr_array_add(out, NULL);
        g_strfreev(*ret);
        *ret = (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
        return TRUE;
}

/* Fax numbers separated by ';', stored as 10 digits. */
static gboolean
parse_numbers(const char *value, gpointer field)
{
        char ***ret = field;
        g_auto(GStrv) parts = g_strsplit(value, ";", -1);
        g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; parts[i]; i++) {
                char *n = g_strstrip(parts[i]);
                char *digits;

                if (*n == '\0')
                        continue;
                digits = rd_normalize_phone(n);
                if (digits == NULL)
                        return FALSE;
                g_ptr_array_add(out, digits);
        }
        g_ptr_array_add(out, NULL);
        g_strfreev(*ret);
        *ret = (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
        return TRUE;
}

/* Relay senders: whole addresses or bare domains, separated by ';'. */
static gboolean
parse_senders(const char *value, gpointer field)
{
        char ***ret = field;
        g_auto(GStrv) parts = g_strsplit(value, ";", -1);
        g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; parts[i]; i++) {
                char *a = g_strstrip(parts[i]);
                g_autofree char *probe = NULL;

                if (*a == '\0')
                        continue;
                probe = strchr(a, '@') ? g_strdup(a) : g_strconcat("x@", a, NULL);
                if (!rd_mail_address_valid(probe))
                        return FALSE;
                g_ptr_array_add(out, g_ascii_strdown(a, -1));
        }
        g_ptr_array_add(out, NULL);
        g_strfreev(*ret);
        *ret = (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
        return TRUE;
}

static gboolean
parse_unknown_senders(const char *value, gpointer field)
{
        if (strcmp(value, "reply") == 0)
                *(RdUnknownSenders *)field = RD_UNKNOWN_SENDERS_REPLY;
        else if (strcmp(value, "review") == 0)
                *(RdUnknownSenders *)field = RD_UNKNOWN_SENDERS_REVIEW;
        else if (strcmp(value, "none") == 0)
                *(RdUnknownSenders *)field = RD_UNKNOWN_SENDERS_NONE;
        else
                return FALSE;
        return TRUE;
}

static gboolean
parse_date_style(const char *value, gpointer field)
{
        if (strcmp(value, "us") == 0)
                *(RdDateStyle *)field = RD_DATE_STYLE_US;
        else if (strcmp(value, "iso") == 0)
                *(RdDateStyle *)field = RD_DATE_STYLE_ISO;
        else if (strcmp(value, "long") == 0)
                *(RdDateStyle *)field = RD_DATE_STYLE_LONG;
        else
                return FALSE;
        return TRUE;
}

static gboolean
parse_patient_detail(const char *value, gpointer field)
{
        if (strcmp(value, "initials-dob") == 0)
                *(RdPatientDetail *)field = RD_PATIENT_DETAIL_INITIALS_DOB;
        else if (strcmp(value, "initials") == 0)
                *(RdPatientDetail *)field = RD_PATIENT_DETAIL_INITIALS;
        else if (strcmp(value, "reference-only") == 0)
                *(RdPatientDetail *)field = RD_PATIENT_DETAIL_NONE;
        else
                return FALSE;
        return TRUE;
}

static gboolean
parse_fax_mode(const char *value, gpointer field)
{
        if (strcmp(value, "none") == 0)
                *(RdFaxReplyMode *)field = RD_FAX_REPLY_NONE;
        else if (strcmp(value, "spool") == 0)
                *(RdFaxReplyMode *)field = RD_FAX_REPLY_SPOOL;
        else if (strcmp(value, "gateway") == 0)
                *(RdFaxReplyMode *)field = RD_FAX_REPLY_GATEWAY;
        else
                return FALSE;
        return TRUE;
}

/* "{number}@fax.example.org": the address with a number in it must be valid. */
static gboolean
parse_gateway(const char *value, gpointer field)
{
        g_autoptr(GString) s = g_string_new(value);

        if (strstr(value, "{number}") == NULL)
                return FALSE;
        g_string_replace(s, "{number}", "5552010100", 0);
        return rd_mail_address_valid(s->str) && rd_config_field_string(value, field);
}

/* smtp://host[:port] or smtps://host[:port], no path: the EHLO name is
 * the path libcurl sends. */
static gboolean
parse_smtp_url(const char *value, gpointer field)
{
        const char *rest;

        if (g_str_has_prefix(value, "smtps://"))
                rest = value + 8;
        else if (g_str_has_prefix(value, "smtp://"))
                rest = value + 7;
        else
                return FALSE;
        if (*rest == '\0' || *rest == ':' || *rest == '/')
                return FALSE;
        for (const char *p = rest; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != ':' && *p != '[' && *p != ']')
                        return FALSE;
        return rd_config_field_string(value, field);
}

static gboolean
parse_helo(const char *value, gpointer field)
{
        for (const char *p = value; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-')
                        return FALSE;
        return strlen(value) <= 253 && rd_config_field_string(value, field);
}

#define R(k, p, f, w) { "replies", k, p, G_STRUCT_OFFSET(RdRepliesConfig, f), w, FALSE }
#define S(k, p, f, w) { "smtp", k, p, G_STRUCT_OFFSET(RdSmtpConfig, f), w, TRUE }

static const RdReplyKey keys[] = {
        R("enabled", rd_config_field_bool, enabled, "true or false"),
        R("from", parse_address, from_addr, "a plain address, local@domain"),
        R("from-name", parse_text, from_name, "one line of text"),
        R("practice-name", parse_text, practice_name, "one line of text"),
        R("fax-number", parse_text, our_fax, "a fax number"),
        R("patient-details", parse_patient_detail, patient_detail, "initials-dob, initials or reference-only"),
        R("date-format", parse_date_style, date_style, "us (11/19/2026), iso (2026-11-19) or long (November 19, 2026)"),
        R("missing-request", rd_config_field_bool, missing_request, "true or false"),
        R("receipt", rd_config_field_bool, receipt, "true or false"),
        R("complete-notice", rd_config_field_bool, complete_notice, "true or false"),
        R("reply-unknown", rd_config_field_bool, reply_unknown, "true or false"),
        R("min-interval", rd_config_field_duration, min_interval_usec, "a duration such as 3d"),
        R("max-per-recipient", parse_count, max_per_recipient, "a count from 1"),
        R("recipient-window", rd_config_field_duration, recipient_window_usec, "a duration such as 1h"),
        R("own-addresses", parse_addresses, own_addresses, "addresses separated by ;"),
        R("own-numbers", parse_numbers, own_numbers, "fax numbers separated by ;"),
        R("unknown-senders", parse_unknown_senders, unknown_senders, "reply, review or none"),
        R("relay-senders", parse_senders, relay_senders, "addresses or domains separated by ;"),
        R("hold-when-unsure", rd_config_field_bool, hold_unsure, "true or false"),
        R("fax-reply", parse_fax_mode, fax_mode, "none, spool or gateway"),
        R("fax-spool", rd_config_field_path, fax_spool, "an absolute path"),
        R("fax-gateway", parse_gateway, fax_gateway, "an address with {number}, e.g. {number}@fax.example.org"),
        R("subject-missing", parse_template, subject_missing, "a template (see README)"),
        R("body-missing", parse_template, body_missing, "a template (see README)"),
        R("subject-receipt", parse_template, subject_receipt, "a template (see README)"),
        R("body-receipt", parse_template, body_receipt, "a template (see README)"),
        R("subject-complete", parse_template, subject_complete, "a template (see README)"),
        R("body-complete", parse_template, body_complete, "a template (see README)"),
        { "followups", "window", rd_config_field_duration, G_STRUCT_OFFSET(RdRepliesConfig, followup_window_usec),
          "a duration such as 30d", FALSE },
        S("url", parse_smtp_url, url, "smtp://host[:port] or smtps://host[:port]"),
        S("allow-plaintext", rd_config_field_bool, allow_plaintext, "true or false"),
        S("user", parse_text, user, "a user name"),
        S("ca-file", rd_config_field_path, ca_file, "an absolute path"),
        S("tls-verify", rd_config_field_bool, tls_verify, "true or false"),
        S("helo", parse_helo, helo, "a host name"),
        S("timeout", rd_config_field_duration, timeout_usec, "a duration such as 30s"),
        S("retry-backoff", rd_config_field_duration, retry_backoff_usec, "a duration such as 30s"),
        S("max-attempts", parse_count, max_attempts, "a count from 1"),
};

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

gboolean
rd_config_replies_owns_group(const char *group)
{
        return strcmp(group, "replies") == 0 || strcmp(group, "followups") == 0 || strcmp(group, "smtp") == 0;
}

/* Reads the keys of @group into @target; unknown keys and bad values are
 * errors naming the file, group and key. */
static gboolean
parse_group(GKeyFile *kf, const char *path, const char *group, gboolean smtp, gpointer target, GError **error)
{
        g_auto(GStrv) names = NULL;

        if (!g_key_file_has_group(kf, group))
                return TRUE;
        names = g_key_file_get_keys(kf, group, NULL, NULL);
        for (gsize k = 0; names && names[k]; k++) {
                const RdReplyKey *def = NULL;
                g_autofree char *value = NULL;

                if (strcmp(names[k], "password-file") == 0 || strcmp(names[k], "password-credential") == 0) {
                        if (smtp)
                                continue; /* rd_config_load_password */
                } else {
                        for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
                                if (strcmp(keys[i].group, group) == 0 && strcmp(keys[i].key, names[k]) == 0)
                                        def = &keys[i];
                }
                if (def == NULL) {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_UNKNOWN, "%s: [%s] unknown key %s", path,
                                    group, names[k]);
                        return FALSE;
                }
                value = g_key_file_get_string(kf, group, names[k], NULL);
                if (value != NULL && def->parse != parse_template)
                        g_strstrip(value);
                if (value == NULL || !def->parse(value, G_STRUCT_MEMBER_P(target, def->offset))) {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                                    "%s: [%s] %s: bad value, expected %s", path, group, names[k], def->what);
                        return FALSE;
                }
        }
        return TRUE;
}

RdRepliesConfig *
rd_replies_config_parse(GKeyFile *keyfile, const char *path, GError **error)
{
        g_autoptr(RdRepliesConfig) rc = g_new0(RdRepliesConfig, 1);

        rc->patient_detail = RD_PATIENT_DETAIL_INITIALS_DOB;
        rc->date_style = RD_DATE_STYLE_US;
        rc->missing_request = TRUE;
        rc->min_interval_usec = 3 * G_TIME_SPAN_DAY;
        rc->max_per_recipient = 10;
        rc->recipient_window_usec = G_TIME_SPAN_HOUR;
        rc->fax_mode = RD_FAX_REPLY_NONE;
        rc->practice_name = g_strdup("Cardiology intake");
        rc->subject_missing = g_strdup(default_subject_missing);
        rc->body_missing = g_strdup(default_body_missing);
        rc->subject_receipt = g_strdup(default_subject_receipt);
        rc->body_receipt = g_strdup(default_body_receipt);
        rc->subject_complete = g_strdup(default_subject_complete);
        rc->body_complete = g_strdup(default_body_complete);
        rc->followup_window_usec = 30 * G_TIME_SPAN_DAY;
        rc->unknown_senders = RD_UNKNOWN_SENDERS_UNSET;
        rc->hold_unsure = TRUE;

        if (!parse_group(keyfile, path, "replies", FALSE, rc, error) ||
            !parse_group(keyfile, path, "followups", FALSE, rc, error))
                return NULL;
        /* reply-unknown (true/false) is the older spelling of unknown-senders */
        if (rc->unknown_senders == RD_UNKNOWN_SENDERS_UNSET)
                rc->unknown_senders = keyfile && g_key_file_has_key(keyfile, "replies", "reply-unknown", NULL) ?
                                              (rc->reply_unknown ? RD_UNKNOWN_SENDERS_REPLY : RD_UNKNOWN_SENDERS_NONE) :
                                              RD_UNKNOWN_SENDERS_REVIEW;
        {
                /* our own fax number is never a recipient */
                g_autofree char *ours = rc->our_fax ? rd_normalize_phone(rc->our_fax) : NULL;
                guint n = rc->own_numbers ? g_strv_length(rc->own_numbers) : 0;

                if (ours != NULL) {
                        rc->own_numbers = g_renew(char *, rc->own_numbers, n + 2);
                        rc->own_numbers[n] = g_steal_pointer(&ours);
                        rc->own_numbers[n + 1] = NULL;
                }
        }
        if (rc->enabled && rc->from_addr == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING,
                            "%s: [replies] from is required when enabled=true", path);
                return NULL;
        }
        if (rc->fax_mode == RD_FAX_REPLY_SPOOL && rc->fax_spool == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING,
                            "%s: [replies] fax-reply=spool needs fax-spool", path);
                return NULL;
        }
        if (rc->fax_mode == RD_FAX_REPLY_GATEWAY && rc->fax_gateway == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING,
                            "%s: [replies] fax-reply=gateway needs fax-gateway", path);
                return NULL;
        }
        return g_steal_pointer(&rc);
}

void
rd_replies_config_free(RdRepliesConfig *rc)
{
        if (rc == NULL)
                return;
        g_free(rc->from_addr);
        g_free(rc->from_name);
        g_free(rc->practice_name);
        g_free(rc->our_fax);
        g_strfreev(rc->own_addresses);
        g_strfreev(rc->own_numbers);
        g_strfreev(rc->relay_senders);
        g_free(rc->fax_spool);
        g_free(rc->fax_gateway);
        g_free(rc->subject_missing);
        g_free(rc->body_missing);
        g_free(rc->subject_receipt);
        g_free(rc->body_receipt);
        g_free(rc->subject_complete);
        g_free(rc->body_complete);
        g_free(rc);
}

RdSmtpConfig *
rd_smtp_config_parse(GKeyFile *keyfile, const char *path, GError **error)
{
        g_autoptr(RdSmtpConfig) sc = NULL;
        g_autofree char *from = NULL;

        if (!g_key_file_has_group(keyfile, "smtp"))
                return NULL;
        sc = g_new0(RdSmtpConfig, 1);
        sc->tls_verify = TRUE;
        sc->timeout_usec = 30 * G_USEC_PER_SEC;
        sc->retry_backoff_usec = 30 * G_USEC_PER_SEC;
        sc->max_attempts = 20;
        if (!parse_group(keyfile, path, "smtp", TRUE, sc, error))
                return NULL;
        if (sc->url == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING, "%s: [smtp] url is required", path);
                return NULL;
        }
        sc->implicit_tls = g_str_has_prefix(sc->url, "smtps://");
        if (!rd_config_load_password(keyfile, path, "smtp", &sc->password, error))
                return NULL;
        if (sc->password != NULL && sc->user == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING,
                            "%s: [smtp] a password needs user", path);
                return NULL;
        }
        if (sc->helo == NULL) {
                /* the EHLO name: our own domain, as a receiving server expects */
                char *helo = NULL;

                from = g_key_file_get_string(keyfile, "replies", "from", NULL);
                if (from == NULL || strchr(from, '@') == NULL ||
                    !parse_helo(g_strstrip(strchr(from, '@') + 1), &helo))
                        helo = g_strdup("localhost");
                sc->helo = helo;
        }
        return g_steal_pointer(&sc);
}

void
rd_smtp_config_free(RdSmtpConfig *sc)
{
        if (sc == NULL)
                return;
        g_free(sc->url);
        g_free(sc->user);
        if (sc->password)
                memset(sc->password, 0, strlen(sc->password));
        g_free(sc->password);
        g_free(sc->ca_file);
        g_free(sc->helo);
        g_free(sc);
}
