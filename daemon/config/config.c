/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration as a whole: which groups exist and whose table reads
 * each, the process's own groups ([database], [dropdir], [workers],
 * [limits], [daemon]), the secrets, the policy, and the list of every key
 * for the documentation. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "files.h"

#define BOOL "true or false"
#define F(member) G_STRUCT_OFFSET(RdConfig, member)
static const RdKey database_keys[] = {
        { "conninfo", RD_KEY_STRING, F(db_conninfo), NULL, "a libpq connection string" },
        { "staff-conninfo", RD_KEY_STRING, F(db_staff_conninfo), NULL, "a libpq connection string" },
#define LOGIN_KEYS(kind, member)                                                                         \
        { kind "-user", RD_KEY_STRING, F(member.user), NULL, "a database role name" },                     \
        { kind "-password-file", RD_KEY_PATH, F(member.secret.file), NULL, "an absolute path" },           \
        { kind "-password-credential", RD_KEY_STRING, F(member.secret.credential), NULL, "a credential name", \
          rd_secret_check_name },
        LOGIN_KEYS("worker", db_worker)
        LOGIN_KEYS("sender", db_sender)
        LOGIN_KEYS("web", db_web)
#undef LOGIN_KEYS
        { "password-file", RD_KEY_PATH, F(db_secret.file), NULL, "an absolute path" },
        { "password-credential", RD_KEY_STRING, F(db_secret.credential), NULL, "a credential name",
          rd_secret_check_name },
        { NULL },
};
static const RdKey dropdir_keys[] = {
        { "path", RD_KEY_PATH, F(drop_path), "/var/spool/referrald/inbox", "an absolute path" },
        { "processed", RD_KEY_PATH, F(processed_path), "/var/spool/referrald/processed", "an absolute path" },
        { "quarantine", RD_KEY_PATH, F(quarantine_path), "/var/spool/referrald/quarantine", "an absolute path" },
        { "rescan-interval", RD_KEY_DURATION, F(rescan_usec), "60s", "a duration such as 60s", .min = 1 },
        { "settle-time", RD_KEY_DURATION, F(settle_usec), "2s", "a duration such as 2s" },
        { NULL },
};
static const RdKey workers_keys[] = {
        { "count", RD_KEY_UINT, F(n_workers), "2", "a number from 1 to 64", .min = 1, .max = 64 },
        { "poll-interval", RD_KEY_DURATION, F(poll_usec), "5s", "a duration such as 5s", .min = 1 },
        { "item-timeout", RD_KEY_DURATION, F(item_timeout_usec), "15min", "a duration such as 10min", .min = 1 },
        { "item-cpu", RD_KEY_DURATION, F(item_cpu_usec), "10min", "a duration such as 5min", .min = 1 },
        { "memory-limit", RD_KEY_SIZE, F(worker_memory), "2G", "a size such as 1G", .min = 1 },
        { "max-attempts", RD_KEY_UINT, F(max_attempts), "3", "a number of at least 1", .min = 1 },
        { "retry-backoff", RD_KEY_DURATION, F(retry_backoff_usec), "30s", "a duration such as 30s" },
        { "user", RD_KEY_STRING, F(worker_user), NULL, "a user name" },
        { NULL },
};
static const RdKey limits_keys[] = {
        { "max-file-size", RD_KEY_SIZE, F(max_file_size), "64M", "a size such as 64M", .min = 1 },
        { "max-pages", RD_KEY_UINT, F(max_pages), "200", "a number of at least 1", .min = 1 },
        { "max-page-pixels", RD_KEY_UINT64, F(max_page_pixels), "40000000", "a number of pixels", .min = 1 },
        { NULL },
};
static const RdKey daemon_keys[] = {
        { "stop-timeout", RD_KEY_DURATION, F(stop_timeout_usec), "30s", "a duration such as 30s", .min = 1 },
        { NULL },
};
/* How long patient data is kept (schema/008_retention.sql says what each
 * covers).  US medical record retention is commonly 7 to 10 years: the
 * database keeps 10 years by default; the copies in processed/ are a
 * second copy of bytes the database holds, kept 90 days. */
static const RdKey retention_keys[] = {
        { "raw-items", RD_KEY_DURATION, F(keep_raw_usec), "10y", "a duration such as 10y", .min = G_USEC_PER_SEC },
        { "processed", RD_KEY_DURATION, F(keep_processed_usec), "90d", "a duration such as 90d",
          .min = G_USEC_PER_SEC },
        { "page-text", RD_KEY_DURATION, F(keep_pages_usec), "10y", "a duration such as 10y", .min = G_USEC_PER_SEC },
        { "fields", RD_KEY_DURATION, F(keep_fields_usec), "10y", "a duration such as 10y", .min = G_USEC_PER_SEC },
        { "auto-purge", RD_KEY_BOOL, F(auto_purge), "true", BOOL },
        { NULL },
};
#undef F
#undef BOOL

/* Read by parsers/understand/policy.c, which checks them; listed here so
 * that --dump-keys (and so the README's tables) know them too. */
static const RdKey policy_keys[] = {
        { "labs_max_age_days", RD_KEY_OTHER, 0, "90", "a number of days" },
        { NULL },
};
static const RdKey checklist_keys[] = {
        { "requires", RD_KEY_OTHER, 0, NULL, "items separated by ;" },
        { NULL },
};
static const RdKey urgency_keys[] = {
        { "keep", RD_KEY_OTHER, 0, NULL, "items separated by ;" },
        { NULL },
};

typedef enum {
        RD_GROUP_OWN,       /* a table of RdConfig, read here */
        RD_GROUP_MAILBOX,   /* one RdMailboxConfig each */
        RD_GROUP_ELSEWHERE, /* read as a whole after the walk (replies, smtp, policy) */
} RdGroupKind;

typedef struct {
        const char *name; /* "mailbox.NAME": a family, every group starting "mailbox." */
        RdGroupKind kind;
        const RdKey *keys;
} RdGroup;

/* In the order of the README's tables. */
static const RdGroup groups[] = {
        { "include", RD_GROUP_ELSEWHERE, rd_include_keys },
        /* this process's own */
        { "database", RD_GROUP_OWN, database_keys },   { "dropdir", RD_GROUP_OWN, dropdir_keys },
        { "workers", RD_GROUP_OWN, workers_keys },     { "limits", RD_GROUP_OWN, limits_keys },
        { "daemon", RD_GROUP_OWN, daemon_keys },        { "retention", RD_GROUP_OWN, retention_keys },
        /* email intake */
        { "mailbox.NAME", RD_GROUP_MAILBOX, rd_mailbox_keys },
        /* replies: replies.c */
        { "replies", RD_GROUP_ELSEWHERE, rd_replies_keys }, { "followups", RD_GROUP_ELSEWHERE, rd_followups_keys },
        { "smtp", RD_GROUP_ELSEWHERE, rd_smtp_keys },
        /* the staff web interface: web.c */
        { "web", RD_GROUP_ELSEWHERE, rd_web_keys },
        /* the checklist policy: parsers/understand/policy.c */
        { "policy", RD_GROUP_ELSEWHERE, policy_keys },  { "checklist.LINE", RD_GROUP_ELSEWHERE, checklist_keys },
        { "urgency.LEVEL", RD_GROUP_ELSEWHERE, urgency_keys },
};

static const RdGroup *
find_group(const char *name)
{
        for (gsize i = 0; i < G_N_ELEMENTS(groups); i++) {
                const char *dot = strchr(groups[i].name, '.');

                if (dot == NULL ? strcmp(name, groups[i].name) == 0
                                : strncmp(name, groups[i].name, dot - groups[i].name + 1) == 0)
                        return &groups[i];
        }
        return NULL;
}

char *
rd_config_describe_keys(void)
{
        GString *out = g_string_new(NULL);

        for (gsize g = 0; g < G_N_ELEMENTS(groups); g++) {
                for (const RdKey *key = groups[g].keys; key->key != NULL; key++) {
                        g_autofree char *def = key->def ? g_strescape(key->def, NULL) : g_strdup("");

                        g_string_append_printf(out, "%s\t%s\t%s\n", groups[g].name, key->key, def);
                }
        }
        return g_string_free(out, FALSE);
}

static void
set_defaults(RdConfig *c)
{
        for (gsize g = 0; g < G_N_ELEMENTS(groups); g++)
                if (groups[g].kind == RD_GROUP_OWN)
                        rd_keys_set_defaults(groups[g].keys, c);
}

RdConfig *
rd_config_new_defaults(void)
{
        RdConfig *c = g_new0(RdConfig, 1);
        g_autoptr(GKeyFile) empty = g_key_file_new();
        RdKeySource src = { empty, NULL, "(defaults)" };

        c->unread_secrets = g_ptr_array_new_with_free_func(g_free);
        c->policy = rd_policy_new_reference();
        set_defaults(c);
        c->mailboxes = g_ptr_array_new_with_free_func((GDestroyNotify)rd_mailbox_config_free);
        c->replies = rd_replies_config_parse(&src, NULL); /* replies off */
        return c;
}

/* What RdConfig owns besides its key tables' fields, and how each goes. */
#define F(member) G_STRUCT_OFFSET(RdConfig, member)
static const struct {
        gsize offset;
        GDestroyNotify free;
} owned[] = {
        { F(db_password), (GDestroyNotify)rd_secret_free }, /* wiped, not only freed */
        { F(db_worker.password), (GDestroyNotify)rd_secret_free },
        { F(db_sender.password), (GDestroyNotify)rd_secret_free },
        { F(db_web.password), (GDestroyNotify)rd_secret_free },
        { F(db_process_user), g_free },
        { F(path), g_free },
        { F(files.keyfile), (GDestroyNotify)g_key_file_unref },
        { F(files.lines), (GDestroyNotify)g_hash_table_unref },
        { F(files.files), (GDestroyNotify)g_ptr_array_unref },
        { F(unread_secrets), (GDestroyNotify)g_ptr_array_unref },
        { F(policy), (GDestroyNotify)rd_policy_free },
        { F(mailboxes), (GDestroyNotify)g_ptr_array_unref },
        { F(replies), (GDestroyNotify)rd_replies_config_free },
        { F(smtp), (GDestroyNotify)rd_smtp_config_free },
        { F(web), (GDestroyNotify)rd_web_config_free },
};
#undef F

void
rd_config_free(RdConfig *c)
{
        if (c == NULL)
                return;
        for (gsize i = 0; i < G_N_ELEMENTS(owned); i++)
                g_clear_pointer((gpointer *)G_STRUCT_MEMBER_P(c, owned[i].offset), owned[i].free);
        for (gsize g = 0; g < G_N_ELEMENTS(groups); g++)
                if (groups[g].kind == RD_GROUP_OWN)
                        rd_keys_clear(groups[g].keys, c);
        g_free(c);
}

/* Reads the password @keys name into *ret_secret, or with
 * RD_CONFIG_LOAD_NO_SECRETS only notes where it would come from. */
static gboolean
read_secret_keys(RdConfig *c, const RdKeySource *src, RdConfigLoadFlags flags, const char *group,
                 const char *prefix, const RdSecretKeys *keys, char **ret_secret, GError **error)
{
        g_autofree char *file_key = g_strconcat(prefix, "password-file", NULL);
        g_autofree char *cred_key = g_strconcat(prefix, "password-credential", NULL);
        const char *key = keys->file ? file_key : cred_key;
        g_autoptr(GError) local = NULL;

        if (keys->file != NULL && keys->credential != NULL)
                return rd_key_fail(src, RD_CONFIG_ERROR_VALUE, group, cred_key, error,
                                   "%s and %s exclude each other", file_key, cred_key);
        if (keys->file == NULL && keys->credential == NULL)
                return TRUE;
        if (flags & RD_CONFIG_LOAD_NO_SECRETS) {
                g_ptr_array_add(c->unread_secrets,
                                g_strdup_printf("[%s] %s=%s", group, key, keys->file ? keys->file : keys->credential));
                return TRUE;
        }
        if (!rd_secret_keys_read(keys, ret_secret, &local))
                return rd_key_fail(src, RD_CONFIG_ERROR_VALUE, group, key, error, "%s: %s", key, local->message);
        return TRUE;
}

static gboolean
read_secret(RdConfig *c, const RdKeySource *src, RdConfigLoadFlags flags, const char *group,
            const RdSecretKeys *keys, char **ret_secret, GError **error)
{
        return read_secret_keys(c, src, flags, group, "", keys, ret_secret, error);
}

static gboolean
read_secrets(RdConfig *c, const RdKeySource *src, RdConfigLoadFlags flags, GError **error)
{
        if (!read_secret(c, src, flags, "database", &c->db_secret, &c->db_password, error))
                return FALSE;
        /* the processes' own logins (README, "Database roles") */
        {
                static const char *const prefixes[] = { "worker-", "sender-", "web-" };
                RdDbLogin *logins[] = { &c->db_worker, &c->db_sender, &c->db_web };

                for (gsize i = 0; i < G_N_ELEMENTS(logins); i++) {
                        g_autofree char *user_key = g_strconcat(prefixes[i], "user", NULL);
                        g_autofree char *pw_key = g_strconcat(prefixes[i], logins[i]->secret.file ? "password-file"
                                                                                                 : "password-credential",
                                                              NULL);

                        if (logins[i]->user == NULL &&
                            (logins[i]->secret.file != NULL || logins[i]->secret.credential != NULL))
                                return rd_key_fail(src, RD_CONFIG_ERROR_MISSING, "database", pw_key, error,
                                                   "%s needs %s", pw_key, user_key);
                        if (!read_secret_keys(c, src, flags, "database", prefixes[i], &logins[i]->secret,
                                              &logins[i]->password, error))
                                return FALSE;
                }
        }
        for (guint i = 0; i < c->mailboxes->len; i++) {
                RdMailboxConfig *mb = g_ptr_array_index(c->mailboxes, i);
                g_autofree char *group = g_strconcat("mailbox.", mb->name, NULL);

                if (!read_secret(c, src, flags, group, &mb->secret, &mb->password, error))
                        return FALSE;
        }
        return c->smtp == NULL || read_secret(c, src, flags, "smtp", &c->smtp->secret, &c->smtp->password, error);
}

static gboolean
add_mailbox(RdConfig *c, const RdKeySource *src, const char *group, GError **error)
{
        RdMailboxConfig *mb;

        if (c->mailboxes->len >= RD_MAILBOX_MAX)
                return rd_key_fail(src, RD_CONFIG_ERROR_VALUE, group, NULL, error, "at most %d mailboxes",
                                   RD_MAILBOX_MAX);
        mb = rd_mailbox_config_parse(src, group, error);
        if (mb == NULL)
                return FALSE;
        g_ptr_array_add(c->mailboxes, mb);
        return TRUE;
}

/* Every group of the file: known, and its keys good. */
static gboolean
walk_groups(RdConfig *c, const RdKeySource *src, GError **error)
{
        g_auto(GStrv) names = g_key_file_get_groups(c->files.keyfile, NULL);

        for (gsize i = 0; names[i] != NULL; i++) {
                const RdGroup *g = find_group(names[i]);

                if (g == NULL) {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_UNKNOWN, "%s: unknown group [%s]",
                                    rd_key_where(src, names[i], NULL), names[i]);
                        return FALSE;
                }
                if (g->kind == RD_GROUP_OWN && !rd_keys_parse_group(src, names[i], g->keys, c, error))
                        return FALSE;
                if (g->kind == RD_GROUP_MAILBOX && !add_mailbox(c, src, names[i], error))
                        return FALSE;
        }
        return TRUE;
}

/* The policy's messages start "[group] key: ..." or "[group]: ...": put
 * the file and line in front. */
static gboolean
policy_fail(const RdKeySource *src, const GError *local, GError **error)
{
        const char *msg = local->message, *close = strchr(msg, ']');
        g_autofree char *group = NULL, *key = NULL;

        if (msg[0] != '[' || close == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE, "%s: %s", src->path, msg);
                return FALSE;
        }
        group = g_strndup(msg + 1, close - msg - 1);
        if (close[1] == ' ' && strchr(close, ':') != NULL)
                key = g_strndup(close + 2, strchr(close, ':') - close - 2);
        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE, "%s: %s", rd_key_where(src, group, key), msg);
        return FALSE;
}

static RdConfig *load_files_read(RdConfig *c, RdConfigLoadFlags flags, GError **error);

RdConfig *
rd_config_load_full(const char *path, RdConfigLoadFlags flags, GError **error)
{
        g_autoptr(RdConfig) c = rd_config_new_defaults();

        c->path = g_strdup(path);
        if (!rd_config_files_read(&c->files, path, error))
                return NULL;
        return load_files_read(g_steal_pointer(&c), flags, error);
}

RdConfig *
rd_config_load_data(const char *path, const char *data, RdConfigLoadFlags flags, GError **error)
{
        g_autoptr(RdConfig) c = rd_config_new_defaults();

        c->path = g_strdup(path);
        c->files.keyfile = g_key_file_new();
        c->files.lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        c->files.files = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(c->files.files, g_strdup(path));
        if (!g_key_file_load_from_data(c->files.keyfile, data, (gsize)-1, G_KEY_FILE_NONE, error)) {
                g_prefix_error(error, "%s (as handed over): ", path);
                return NULL;
        }
        return load_files_read(g_steal_pointer(&c), flags, error);
}

/* Takes @c (its files read) and checks every group and key. */
static RdConfig *
load_files_read(RdConfig *c_in, RdConfigLoadFlags flags, GError **error)
{
        g_autoptr(RdConfig) c = c_in;
        g_autoptr(GError) local = NULL;
        const char *path = c->path;
        RdKeySource src;

        src = (RdKeySource){ c->files.keyfile, c->files.lines, path };

        if (!walk_groups(c, &src, error))
                return NULL;
        if (c->db_conninfo == NULL) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING, "%s: [database] conninfo is required",
                            rd_key_where(&src, "database", NULL));
                return NULL;
        }
        rd_policy_free(c->policy);
        c->policy = rd_policy_new_from_keyfile(c->files.keyfile, &local);
        if (c->policy == NULL) {
                policy_fail(&src, local, error);
                return NULL;
        }
        rd_replies_config_free(c->replies);
        c->replies = rd_replies_config_parse(&src, error);
        if (c->replies == NULL)
                return NULL;
        c->smtp = rd_smtp_config_parse(&src, &local);
        if (local == NULL)
                c->web = rd_web_config_parse(&src, &local);
        if (local != NULL) {
                g_propagate_error(error, g_steal_pointer(&local));
                return NULL;
        }
        /* replies by mail need a way out; with fax-reply=spool alone, mail
         * replies are suppressed (with a reason) and fax replies still go */
        if (c->replies->enabled && c->smtp == NULL && c->replies->fax_mode != RD_FAX_REPLY_SPOOL) {
                rd_key_fail(&src, RD_CONFIG_ERROR_MISSING, "replies", "enabled", error,
                            "enabled=true needs an [smtp] group to send mail");
                return NULL;
        }
        if (!read_secrets(c, &src, flags, error))
                return NULL;
        return g_steal_pointer(&c);
}

RdConfig *
rd_config_load(const char *path, GError **error)
{
        return rd_config_load_full(path, RD_CONFIG_LOAD_DEFAULT, error);
}
