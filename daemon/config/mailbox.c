/* SPDX-License-Identifier: GPL-2.0-or-later */
/* [mailbox.NAME]: the key table of an IMAP mailbox, its defaults and the
 * checks across its keys. */
#include <string.h>

#include "mailbox.h"

/* The folder goes into IMAP quoted strings and the URL: plain ASCII
 * (modified UTF-7 names are not supported), no quotes or controls. */
static gboolean
check_folder(char *value)
{
        for (const char *p = value; *p; p++)
                if ((guchar)*p < 0x20 || (guchar)*p >= 0x7f || *p == '"' || *p == '\\' || *p == '%' ||
                    *p == '*')
                        return FALSE;
        return strlen(value) <= 200;
}

/* A system flag or a keyword atom (RFC 3501 flag-keyword). */
static gboolean
check_flag(char *value)
{
        static const char *const system[] = { "\\Seen", "\\Flagged", "\\Answered" };

        for (gsize i = 0; i < G_N_ELEMENTS(system); i++)
                if (g_ascii_strcasecmp(value, system[i]) == 0) {
                        memcpy(value, system[i], strlen(system[i])); /* the server's spelling */
                        return TRUE;
                }
        for (const char *p = value; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '$' && *p != '_' && *p != '-' && *p != '.')
                        return FALSE;
        return strlen(value) <= 64;
}

/* imaps://host[:port] or imap://host[:port]: the folder has its own key. */
static gboolean
check_url(char *value)
{
        static const char *const schemes[] = { "imaps", "imap", NULL };

        return rd_key_check_server_url(value, schemes);
}

static const RdKeyChoice actions[] = {
        { "move", RD_MAILBOX_ACTION_MOVE }, { "flag", RD_MAILBOX_ACTION_FLAG }, { NULL, 0 },
};

#define BOOL "true or false"
#define FOLDER "an ASCII folder name without quotes"
#define M(k, t, f, d, w, ...) { k, t, G_STRUCT_OFFSET(RdMailboxConfig, f), d, w, __VA_ARGS__ }
const RdKey rd_mailbox_keys[] = {
        M("url", RD_KEY_STRING, url, NULL, "imaps://host[:port] (or imap://host[:port])", check_url),
        M("user", RD_KEY_STRING, user, NULL, "a user name"),
        M("password-file", RD_KEY_PATH, secret.file, NULL, "an absolute path"),
        M("password-credential", RD_KEY_STRING, secret.credential, NULL, "a credential name", rd_secret_check_name),
        M("xoauth2-token-file", RD_KEY_PATH, xoauth2_token_file, NULL, "an absolute path"),
        M("folder", RD_KEY_STRING, folder, "INBOX", FOLDER, check_folder),
        M("action", RD_KEY_ENUM, action, "move", "move or flag", .choices = actions),
        M("processed-folder", RD_KEY_STRING, processed_folder, "Processed", FOLDER, check_folder),
        M("flag", RD_KEY_STRING, flag, "$Referrald", "\\Seen, \\Flagged, \\Answered or a keyword such as $Referrald",
          check_flag),
        M("poll-interval", RD_KEY_DURATION, poll_usec, "5min", "a duration such as 5min", .min = 1),
        M("idle", RD_KEY_BOOL, idle, "true", BOOL),
        M("ca-file", RD_KEY_PATH, ca_file, NULL, "an absolute path"),
        M("tls-verify", RD_KEY_BOOL, tls_verify, "true", BOOL),
        M("allow-plaintext", RD_KEY_BOOL, allow_plaintext, "false", BOOL),
        M("timeout", RD_KEY_DURATION, timeout_usec, "60s", "a duration such as 60s", .min = 1),
        { NULL },
};
#undef M
#undef FOLDER
#undef BOOL

void
rd_mailbox_config_free(RdMailboxConfig *mb)
{
        if (mb != NULL) {
                g_free(mb->name);
                rd_secret_free(mb->password);
        }
        rd_keys_free(rd_mailbox_keys, mb);
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

/* Exactly one way to log in.  The password itself is read by config.c,
 * with every other secret. */
static gboolean
check_login(const RdMailboxConfig *mb, const RdKeySource *src, const char *group, GError **error)
{
        guint n = (mb->secret.file != NULL) + (mb->secret.credential != NULL) + (mb->xoauth2_token_file != NULL);

        if (n == 1)
                return TRUE;
        return rd_key_fail(src, n == 0 ? RD_CONFIG_ERROR_MISSING : RD_CONFIG_ERROR_VALUE, group, NULL, error,
                           "needs exactly one of password-file, password-credential and xoauth2-token-file");
}

RdMailboxConfig *
rd_mailbox_config_parse(const RdKeySource *src, const char *group, GError **error)
{
        g_autoptr(RdMailboxConfig) mb = g_new0(RdMailboxConfig, 1);
        const char *name = group + strlen("mailbox.");

        if (!g_str_has_prefix(group, "mailbox.") || !name_is_valid(name)) {
                rd_key_fail(src, RD_CONFIG_ERROR_VALUE, group, NULL, error,
                            "a mailbox name is 1 to 64 letters, digits, '-' or '_'");
                return NULL;
        }
        mb->name = g_strdup(name);
        rd_keys_set_defaults(rd_mailbox_keys, mb);
        if (!rd_keys_parse_group(src, group, rd_mailbox_keys, mb, error))
                return NULL;
        if (mb->url == NULL || mb->user == NULL) {
                rd_key_fail(src, RD_CONFIG_ERROR_MISSING, group, NULL, error, "%s is required",
                            mb->url == NULL ? "url" : "user");
                return NULL;
        }
        mb->implicit_tls = g_str_has_prefix(mb->url, "imaps://");
        if (mb->implicit_tls && mb->allow_plaintext) {
                rd_key_fail(src, RD_CONFIG_ERROR_VALUE, group, "allow-plaintext", error,
                            "allow-plaintext: only meaningful with an imap:// url");
                return NULL;
        }
        if (mb->action == RD_MAILBOX_ACTION_MOVE && strcmp(mb->processed_folder, mb->folder) == 0) {
                rd_key_fail(src, RD_CONFIG_ERROR_VALUE, group, "processed-folder", error,
                            "processed-folder: bad value, must differ from folder");
                return NULL;
        }
        if (!check_login(mb, src, group, error))
                return NULL;
        return g_steal_pointer(&mb);
}
