/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "mailbox.h"
#include "config.h"

typedef gboolean (*RdMailboxParser)(const char *value, gpointer field);

typedef struct {
        const char *key;
        RdMailboxParser parse;
        gsize offset;
        const char *what;
} RdMailboxKey;

static gboolean
parse_action(const char *value, gpointer field)
{
        if (strcmp(value, "move") == 0)
                *(RdMailboxAction *)field = RD_MAILBOX_ACTION_MOVE;
        else if (strcmp(value, "flag") == 0)
                *(RdMailboxAction *)field = RD_MAILBOX_ACTION_FLAG;
        else
                return FALSE;
        return TRUE;
}

/* The folder goes into IMAP quoted strings and the URL: plain ASCII
 * (modified UTF-7 names are not supported), no quotes or controls. */
static gboolean
parse_folder(const char *value, gpointer field)
{
        for (const char *p = value; *p; p++)
                if ((guchar)*p < 0x20 || (guchar)*p >= 0x7f || *p == '"' || *p == '\\' || *p == '%' ||
                    *p == '*')
                        return FALSE;
        return strlen(value) <= 200 && rd_config_field_string(value, field);
}

/* A system flag or a keyword atom (RFC 3501 flag-keyword). */
static gboolean
parse_flag(const char *value, gpointer field)
{
        static const char *const system[] = { "\\Seen", "\\Flagged", "\\Answered" };

        for (gsize i = 0; i < G_N_ELEMENTS(system); i++)
                if (g_ascii_strcasecmp(value, system[i]) == 0)
                        return rd_config_field_string(system[i], field);
        for (const char *p = value; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '$' && *p != '_' && *p != '-' && *p != '.')
                        return FALSE;
        return strlen(value) <= 64 && rd_config_field_string(value, field);
}

/* imaps://host[:port] or imap://host[:port], nothing after the authority:
 * the folder has its own key. */
static gboolean
parse_url(const char *value, gpointer field)
{
        const char *rest;

        if (g_str_has_prefix(value, "imaps://"))
                rest = value + 8;
        else if (g_str_has_prefix(value, "imap://"))
                rest = value + 7;
        else
                return FALSE;
        if (*rest == '\0' || *rest == '/' || *rest == ':')
                return FALSE;
        for (const char *p = rest; *p; p++) {
                if (*p == '/' && p[1] == '\0')
                        break;
                if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != ':' && *p != '[' && *p != ']')
                        return FALSE;
        }
        if (!rd_config_field_string(value, field))
                return FALSE;
        if (g_str_has_suffix(*(char **)field, "/"))
                (*(char **)field)[strlen(*(char **)field) - 1] = '\0';
        return TRUE;
}

#define F(member) G_STRUCT_OFFSET(RdMailboxConfig, member)
static const RdMailboxKey keys[] = {
        { "url", parse_url, F(url), "imaps://host[:port] (or imap://host[:port])" },
        { "user", rd_config_field_string, F(user), "a user name" },
        { "password-file", NULL, 0, "an absolute path" },
        { "password-credential", NULL, 0, "a credential name" },
        { "xoauth2-token-file", rd_config_field_path, F(xoauth2_token_file), "an absolute path" },
        { "folder", parse_folder, F(folder), "an ASCII folder name without quotes" },
        { "action", parse_action, F(action), "move or flag" },
        { "processed-folder", parse_folder, F(processed_folder), "an ASCII folder name without quotes" },
        { "flag", parse_flag, F(flag), "\\Seen, \\Flagged, \\Answered or a keyword such as $Referrald" },
        { "poll-interval", rd_config_field_duration, F(poll_usec), "a duration such as 5min" },
        { "idle", rd_config_field_bool, F(idle), "true or false" },
        { "ca-file", rd_config_field_path, F(ca_file), "an absolute path" },
        { "tls-verify", rd_config_field_bool, F(tls_verify), "true or false" },
        { "allow-plaintext", rd_config_field_bool, F(allow_plaintext), "true or false" },
        { "timeout", rd_config_field_duration, F(timeout_usec), "a duration such as 60s" },
};
#undef F

void
rd_mailbox_config_free(RdMailboxConfig *mb)
{
        if (mb == NULL)
                return;
        g_free(mb->name);
        g_free(mb->url);
        g_free(mb->user);
        if (mb->password)
                memset(mb->password, 0, strlen(mb->password));
        g_free(mb->password);
        g_free(mb->xoauth2_token_file);
        g_free(mb->folder);
        g_free(mb->processed_folder);
        g_free(mb->flag);
        g_free(mb->ca_file);
        g_free(mb);
}

static gboolean
name_is_valid(const char *name)
{
        if (*name == '\0' || strlen(name) > 64)
                return FALSE;
        for (const char *p = name; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
                        return FALSE;
        return TRUE;
}

static gboolean
load_secret(RdMailboxConfig *mb, GKeyFile *kf, const char *path, const char *group, GError **error)
{
        guint n = g_key_file_has_key(kf, group, "password-file", NULL) +
                  g_key_file_has_key(kf, group, "password-credential", NULL) + (mb->xoauth2_token_file != NULL);

        if (n != 1) {
                g_set_error(error, RD_CONFIG_ERROR, n == 0 ? RD_CONFIG_ERROR_MISSING : RD_CONFIG_ERROR_VALUE,
                            "%s: [%s] needs exactly one of password-file, password-credential and "
                            "xoauth2-token-file", path, group);
                return FALSE;
        }
        if (mb->xoauth2_token_file)
                return TRUE;
        return rd_config_load_password(kf, path, group, &mb->password, error);
}

RdMailboxConfig *
rd_mailbox_config_parse(GKeyFile *kf, const char *path, const char *group, GError **error)
{
        g_autoptr(RdMailboxConfig) mb = g_new0(RdMailboxConfig, 1);
        g_auto(GStrv) names = NULL;
        const char *name = group + strlen("mailbox.");

        if (!g_str_has_prefix(group, "mailbox.") || !name_is_valid(name)) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                            "%s: [%s]: a mailbox name is 1 to 64 letters, digits, '-' or '_'", path, group);
                return NULL;
        }
        mb->name = g_strdup(name);
        mb->folder = g_strdup("INBOX");
        mb->action = RD_MAILBOX_ACTION_MOVE;
        mb->processed_folder = g_strdup("Processed");
        mb->flag = g_strdup("$Referrald");
        mb->poll_usec = 5 * 60 * G_USEC_PER_SEC;
        mb->idle = TRUE;
        mb->tls_verify = TRUE;
        mb->timeout_usec = 60 * G_USEC_PER_SEC;

        names = g_key_file_get_keys(kf, group, NULL, NULL);
        for (gsize k = 0; names && names[k]; k++) {
                const RdMailboxKey *def = NULL;
                g_autofree char *value = NULL;

                for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
                        if (strcmp(keys[i].key, names[k]) == 0)
                                def = &keys[i];
                if (def == NULL) {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_UNKNOWN, "%s: [%s] unknown key %s",
                                    path, group, names[k]);
                        return NULL;
                }
                if (def->parse == NULL)
                        continue;
                value = g_key_file_get_string(kf, group, names[k], NULL);
                if (value != NULL)
                        g_strstrip(value);
                if (value == NULL || !def->parse(value, G_STRUCT_MEMBER_P(mb, def->offset))) {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                                    "%s: [%s] %s: bad value, expected %s", path, group, names[k], def->what);
                        return NULL;
                }
        }
        if (mb->url == NULL || mb->user == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING, "%s: [%s] %s is required", path,
                            group, mb->url == NULL ? "url" : "user");
                return NULL;
        }
        mb->implicit_tls = g_str_has_prefix(mb->url, "imaps://");
        if (mb->implicit_tls && mb->allow_plaintext) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                            "%s: [%s] allow-plaintext: only meaningful with an imap:// url", path, group);
                return NULL;
        }
        if (mb->action == RD_MAILBOX_ACTION_MOVE && strcmp(mb->processed_folder, mb->folder) == 0) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                            "%s: [%s] processed-folder: bad value, must differ from folder", path, group);
                return NULL;
        }
        if (!load_secret(mb, kf, path, group, error))
                return NULL;
        return g_steal_pointer(&mb);
}
