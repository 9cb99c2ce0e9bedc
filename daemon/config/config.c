/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mailbox.h"
#include "replies.h"
#include "config.h"

G_DEFINE_QUARK(rd-config-error-quark, rd_config_error)

typedef gboolean (*RdConfigParser)(const char *value, gpointer field);

typedef struct {
        const char *group;
        const char *key;
        RdConfigParser parse;
        gsize offset;
        const char *what; /* for the error message: what a good value looks like */
} RdConfigKey;

gboolean
rd_config_field_string(const char *value, gpointer field)
{
        char **ret = field;

        if (*value == '\0')
                return FALSE;
        g_free(*ret);
        *ret = g_strdup(value);
        return TRUE;
}

gboolean
rd_config_field_path(const char *value, gpointer field)
{
        if (!g_path_is_absolute(value))
                return FALSE;
        return rd_config_field_string(value, field);
}

gboolean
rd_config_field_bool(const char *value, gpointer field)
{
        static const char *const yes[] = { "true", "yes", "on", "1" };
        static const char *const no[] = { "false", "no", "off", "0" };

        for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
                if (g_ascii_strcasecmp(value, yes[i]) == 0) {
                        *(gboolean *)field = TRUE;
                        return TRUE;
                }
                if (g_ascii_strcasecmp(value, no[i]) == 0) {
                        *(gboolean *)field = FALSE;
                        return TRUE;
                }
        }
        return FALSE;
}

gboolean
rd_config_field_duration(const char *value, gpointer field)
{
        guint64 v;

        if (!rd_config_parse_duration(value, &v) || v == 0)
                return FALSE;
        *(guint64 *)field = v;
        return TRUE;
}

static gboolean
parse_workers(const char *value, gpointer field)
{
        guint64 v;

        if (!g_ascii_string_to_unsigned(value, 10, 1, 64, &v, NULL))
                return FALSE;
        *(guint *)field = (guint)v;
        return TRUE;
}

static gboolean
parse_positive_uint(const char *value, gpointer field)
{
        guint64 v;

        if (!g_ascii_string_to_unsigned(value, 10, 1, G_MAXUINT, &v, NULL))
                return FALSE;
        *(guint *)field = (guint)v;
        return TRUE;
}

/* "90", "90s", "250ms", "5min", "2h": systemd.time(7) style, a single unit. */
gboolean
rd_config_parse_duration(const char *text, guint64 *ret_usec)
{
        static const struct {
                const char *suffix;
                guint64 usec;
        } units[] = {
                { "ms", 1000 }, { "s", G_USEC_PER_SEC }, { "sec", G_USEC_PER_SEC },
                { "m", 60ULL * G_USEC_PER_SEC }, { "min", 60ULL * G_USEC_PER_SEC },
                { "h", 3600ULL * G_USEC_PER_SEC }, { "d", 86400ULL * G_USEC_PER_SEC },
        };
        char *end = NULL;
        guint64 n;

        if (text == NULL || !g_ascii_isdigit(*text))
                return FALSE;
        errno = 0;
        n = g_ascii_strtoull(text, &end, 10);
        if (errno != 0 || n > 100ULL * 365 * 86400)
                return FALSE;
        while (*end == ' ')
                end++;
        if (*end == '\0') {
                *ret_usec = n * G_USEC_PER_SEC;
                return TRUE;
        }
        for (gsize i = 0; i < G_N_ELEMENTS(units); i++) {
                if (strcmp(end, units[i].suffix) == 0) {
                        *ret_usec = n * units[i].usec;
                        return TRUE;
                }
        }
        return FALSE;
}

/* "1048576", "64K", "64M", "1G" (powers of 1024). */
gboolean
rd_config_parse_size(const char *text, guint64 *ret_bytes)
{
        char *end = NULL;
        guint64 n, mult = 1;

        if (text == NULL || !g_ascii_isdigit(*text))
                return FALSE;
        errno = 0;
        n = g_ascii_strtoull(text, &end, 10);
        if (errno != 0)
                return FALSE;
        switch (g_ascii_toupper(*end)) {
        case '\0':
                break;
        case 'K':
                mult = 1ULL << 10;
                end++;
                break;
        case 'M':
                mult = 1ULL << 20;
                end++;
                break;
        case 'G':
                mult = 1ULL << 30;
                end++;
                break;
        default:
                return FALSE;
        }
        if (*end != '\0' || n > G_MAXUINT64 / mult)
                return FALSE;
        *ret_bytes = n * mult;
        return TRUE;
}

static gboolean
parse_duration(const char *value, gpointer field)
{
        return rd_config_parse_duration(value, field);
}

static gboolean
parse_positive_duration(const char *value, gpointer field)
{
        guint64 v;

        if (!rd_config_parse_duration(value, &v) || v == 0)
                return FALSE;
        *(guint64 *)field = v;
        return TRUE;
}

static gboolean
parse_size(const char *value, gpointer field)
{
        guint64 v;

        if (!rd_config_parse_size(value, &v) || v == 0)
                return FALSE;
        *(guint64 *)field = v;
        return TRUE;
}

static gboolean
parse_pixels(const char *value, gpointer field)
{
        guint64 v;

        if (!g_ascii_string_to_unsigned(value, 10, 1, G_MAXUINT64, &v, NULL))
                return FALSE;
        *(guint64 *)field = v;
        return TRUE;
}

#define F(member) G_STRUCT_OFFSET(RdConfig, member)
static const RdConfigKey keys[] = {
        { "database", "conninfo", rd_config_field_string, F(db_conninfo), "a libpq connection string" },
        { "database", "password-file", NULL, 0, "an absolute path" },
        { "database", "password-credential", NULL, 0, "a credential name" },
        { "dropdir", "path", rd_config_field_path, F(drop_path), "an absolute path" },
        { "dropdir", "processed", rd_config_field_path, F(processed_path), "an absolute path" },
        { "dropdir", "quarantine", rd_config_field_path, F(quarantine_path), "an absolute path" },
        { "dropdir", "rescan-interval", parse_positive_duration, F(rescan_usec), "a duration such as 60s" },
        { "dropdir", "settle-time", parse_duration, F(settle_usec), "a duration such as 2s" },
        { "workers", "count", parse_workers, F(n_workers), "a number from 1 to 64" },
        { "workers", "poll-interval", parse_positive_duration, F(poll_usec), "a duration such as 5s" },
        { "workers", "item-timeout", parse_positive_duration, F(item_timeout_usec), "a duration such as 10min" },
        { "workers", "item-cpu", parse_positive_duration, F(item_cpu_usec), "a duration such as 5min" },
        { "workers", "memory-limit", parse_size, F(worker_memory), "a size such as 1G" },
        { "workers", "max-attempts", parse_positive_uint, F(max_attempts), "a number of at least 1" },
        { "workers", "retry-backoff", parse_duration, F(retry_backoff_usec), "a duration such as 30s" },
        { "workers", "user", rd_config_field_string, F(worker_user), "a user name" },
        { "limits", "max-file-size", parse_size, F(max_file_size), "a size such as 64M" },
        { "limits", "max-pages", parse_positive_uint, F(max_pages), "a number of at least 1" },
        { "limits", "max-page-pixels", parse_pixels, F(max_page_pixels), "a number of pixels" },
        { "daemon", "stop-timeout", parse_positive_duration, F(stop_timeout_usec), "a duration such as 30s" },
};
#undef F

/* Groups owned by other modules, validated there (the checklist policy). */
static gboolean
is_foreign_group(const char *group)
{
        return strcmp(group, "policy") == 0 || g_str_has_prefix(group, "checklist.") ||
               g_str_has_prefix(group, "urgency.") || rd_config_replies_owns_group(group) ||
               strcmp(group, "web") == 0;
}

RdConfig *
rd_config_new_defaults(void)
{
        RdConfig *c = g_new0(RdConfig, 1);

        c->keyfile = g_key_file_new();
        c->policy = rd_policy_new_reference();
        c->drop_path = g_strdup("/var/spool/referrald/inbox");
        c->processed_path = g_strdup("/var/spool/referrald/processed");
        c->quarantine_path = g_strdup("/var/spool/referrald/quarantine");
        c->rescan_usec = 60 * G_USEC_PER_SEC;
        c->settle_usec = 2 * G_USEC_PER_SEC;
        c->n_workers = 2;
        c->poll_usec = 5 * G_USEC_PER_SEC;
        c->item_timeout_usec = 15 * 60 * G_USEC_PER_SEC;
        c->item_cpu_usec = 10 * 60 * G_USEC_PER_SEC;
        c->worker_memory = 2ULL << 30;
        c->max_attempts = 3;
        c->retry_backoff_usec = 30 * G_USEC_PER_SEC;
        c->max_file_size = 64ULL << 20;
        c->max_pages = 200;
        c->max_page_pixels = 40000000;
        c->stop_timeout_usec = 30 * G_USEC_PER_SEC;
        c->mailboxes = g_ptr_array_new_with_free_func((GDestroyNotify)rd_mailbox_config_free);
        c->replies = rd_replies_config_parse(c->keyfile, "(defaults)", NULL); /* replies off */
        return c;
}

void
rd_config_free(RdConfig *c)
{
        if (c == NULL)
                return;
        g_free(c->path);
        if (c->keyfile)
                g_key_file_unref(c->keyfile);
        rd_policy_free(c->policy);
        g_free(c->db_conninfo);
        if (c->db_password)
                memset(c->db_password, 0, strlen(c->db_password));
        g_free(c->db_password);
        g_free(c->drop_path);
        g_free(c->processed_path);
        g_free(c->quarantine_path);
        g_free(c->worker_user);
        if (c->mailboxes)
                g_ptr_array_unref(c->mailboxes);
        rd_replies_config_free(c->replies);
        rd_smtp_config_free(c->smtp);
        rd_web_config_free(c->web);
        g_free(c);
}

static const RdConfigKey *
find_key(const char *group, const char *key)
{
        for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
                if (strcmp(keys[i].group, group) == 0 && strcmp(keys[i].key, key) == 0)
                        return &keys[i];
        return NULL;
}

static gboolean
group_is_known(const char *group)
{
        for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
                if (strcmp(keys[i].group, group) == 0)
                        return TRUE;
        return FALSE;
}

/* A password file holds one non-empty line; a trailing newline is not
 * part of the password. */
static char *
read_secret_file(const char *path, GError **error)
{
        g_autofree char *contents = NULL;
        gsize len = 0;

        if (!g_file_get_contents(path, &contents, &len, error))
                return NULL;
        while (len > 0 && (contents[len - 1] == '\n' || contents[len - 1] == '\r'))
                contents[--len] = '\0';
        if (len == 0 || memchr(contents, '\0', len) != NULL || strchr(contents, '\n') != NULL) {
                memset(contents, 0, len);
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE, "expected one non-empty line");
                return NULL;
        }
        return g_steal_pointer(&contents);
}

gboolean
rd_config_load_password(GKeyFile *kf, const char *path, const char *group, char **ret_password,
                        GError **error)
{
        g_autofree char *file = g_key_file_get_string(kf, group, "password-file", NULL);
        g_autofree char *cred = g_key_file_get_string(kf, group, "password-credential", NULL);
        g_autofree char *secret_path = NULL;
        g_autoptr(GError) local = NULL;
        const char *key = file ? "password-file" : "password-credential";

        *ret_password = NULL;
        if (file && cred) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                            "%s: [%s] password-file and password-credential exclude each other", path, group);
                return FALSE;
        }
        if (file) {
                g_strstrip(file);
                if (!g_path_is_absolute(file)) {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                                    "%s: [%s] password-file: bad value, expected an absolute path", path, group);
                        return FALSE;
                }
                secret_path = g_strdup(file);
        } else if (cred) {
                /* systemd.exec(5) LoadCredential=: files in $CREDENTIALS_DIRECTORY */
                const char *dir = g_getenv("CREDENTIALS_DIRECTORY");

                g_strstrip(cred);
                if (strchr(cred, '/') != NULL || cred[0] == '.' || cred[0] == '\0') {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                                    "%s: [%s] password-credential: bad value, expected a credential name", path,
                                    group);
                        return FALSE;
                }
                if (dir == NULL) {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                                    "%s: [%s] password-credential: $CREDENTIALS_DIRECTORY is not set "
                                    "(add LoadCredential= to the unit)", path, group);
                        return FALSE;
                }
                secret_path = g_build_filename(dir, cred, NULL);
        } else {
                return TRUE;
        }
        *ret_password = read_secret_file(secret_path, &local);
        if (*ret_password == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE, "%s: [%s] %s: %s", path, group, key,
                            local->message);
                return FALSE;
        }
        return TRUE;
}

RdConfig *
rd_config_load(const char *path, GError **error)
{
        g_autoptr(RdConfig) c = rd_config_new_defaults();
        g_auto(GStrv) groups = NULL;
        g_autoptr(GError) local = NULL;

        c->path = g_strdup(path);
        if (!g_key_file_load_from_file(c->keyfile, path, G_KEY_FILE_NONE, &local)) {
                gboolean io = local->domain == G_FILE_ERROR;

                g_set_error(error, RD_CONFIG_ERROR, io ? RD_CONFIG_ERROR_IO : RD_CONFIG_ERROR_SYNTAX,
                            "%s: %s", path, local->message);
                return NULL;
        }

        groups = g_key_file_get_groups(c->keyfile, NULL);
        for (gsize g = 0; groups[g] != NULL; g++) {
                g_auto(GStrv) names = NULL;

                if (is_foreign_group(groups[g]))
                        continue;
                if (g_str_has_prefix(groups[g], "mailbox.")) {
                        /* IMAP intake: validated in config-mailbox.c */
                        RdMailboxConfig *mb = rd_mailbox_config_parse(c->keyfile, path, groups[g], error);

                        if (mb == NULL)
                                return NULL;
                        if (c->mailboxes->len >= RD_MAILBOX_MAX) {
                                rd_mailbox_config_free(mb);
                                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                                            "%s: [%s]: at most %d mailboxes", path, groups[g], RD_MAILBOX_MAX);
                                return NULL;
                        }
                        g_ptr_array_add(c->mailboxes, mb);
                        continue;
                }
                if (!group_is_known(groups[g])) {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_UNKNOWN,
                                    "%s: unknown group [%s]", path, groups[g]);
                        return NULL;
                }
                names = g_key_file_get_keys(c->keyfile, groups[g], NULL, NULL);
                for (gsize k = 0; names && names[k] != NULL; k++) {
                        const RdConfigKey *def = find_key(groups[g], names[k]);
                        g_autofree char *value = NULL;

                        if (def == NULL) {
                                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_UNKNOWN,
                                            "%s: [%s] unknown key %s", path, groups[g], names[k]);
                                return NULL;
                        }
                        if (def->parse == NULL)
                                continue; /* handled below */
                        value = g_key_file_get_string(c->keyfile, groups[g], names[k], NULL);
                        if (value != NULL)
                                g_strstrip(value);
                        if (value == NULL || !def->parse(value, G_STRUCT_MEMBER_P(c, def->offset))) {
                                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                                            "%s: [%s] %s: bad value, expected %s", path, groups[g],
                                            names[k], def->what);
                                return NULL;
                        }
                }
        }

        if (c->db_conninfo == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING,
                            "%s: [database] conninfo is required", path);
                return NULL;
        }
        if (!rd_config_load_password(c->keyfile, path, "database", &c->db_password, error))
                return NULL;
        rd_policy_free(c->policy);
        c->policy = rd_policy_new_from_keyfile(c->keyfile, &local);
        if (c->policy == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE, "%s: %s", path, local->message);
                return NULL;
        }
        rd_replies_config_free(c->replies);
        c->replies = rd_replies_config_parse(c->keyfile, path, error);
        if (c->replies == NULL)
                return NULL;
        c->smtp = rd_smtp_config_parse(c->keyfile, path, &local);
        if (local != NULL) {
                g_propagate_error(error, g_steal_pointer(&local));
                return NULL;
        }
        c->web = rd_web_config_parse(c->keyfile, path, &local);
        if (local != NULL) {
                g_propagate_error(error, g_steal_pointer(&local));
                return NULL;
        }
        /* replies by mail need a way out; with fax-reply=spool alone, mail
         * replies are suppressed (with a reason) and fax replies still go */
        if (c->replies->enabled && c->smtp == NULL && c->replies->fax_mode != RD_FAX_REPLY_SPOOL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING,
                            "%s: [replies] enabled=true needs an [smtp] group to send mail", path);
                return NULL;
        }
        return g_steal_pointer(&c);
}
