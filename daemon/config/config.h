/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "replies.h"
#include "web.h"
#include "parsers/understand/policy.h"

G_BEGIN_DECLS

#define RD_CONFIG_DEFAULT_PATH "/etc/referrald/referrald.conf"

#define RD_CONFIG_ERROR (rd_config_error_quark())
GQuark rd_config_error_quark(void);
typedef enum {
        RD_CONFIG_ERROR_IO,
        RD_CONFIG_ERROR_SYNTAX,
        RD_CONFIG_ERROR_UNKNOWN,  /* unknown group or key */
        RD_CONFIG_ERROR_VALUE,    /* bad value */
        RD_CONFIG_ERROR_MISSING,  /* required key absent */
} RdConfigError;

typedef struct {
        char *path;                 /* owned: the file read */
        GKeyFile *keyfile;          /* owned: kept for the policy groups */
        RdPolicy *policy;           /* owned: [policy], [checklist.*], [urgency.*] */

        /* [database] */
        char *db_conninfo;
        char *db_password;          /* owned: from password-file or credential, may be NULL */

        /* [dropdir] */
        char *drop_path;
        char *processed_path;
        char *quarantine_path;
        guint64 rescan_usec;
        guint64 settle_usec;        /* a file must be unchanged this long before it is taken */

        /* [workers] */
        guint n_workers;
        guint64 poll_usec;          /* how often an idle worker looks at the queue */
        guint64 item_timeout_usec;  /* wall time per item before the worker is killed */
        guint64 item_cpu_usec;      /* CPU time per item (RLIMIT_CPU) */
        guint64 worker_memory;      /* RLIMIT_AS bytes */
        guint max_attempts;
        guint64 retry_backoff_usec; /* first retry delay, doubled per attempt */
        char *worker_user;          /* drop to this user when started as root; NULL = stay */

        /* [limits] */
        guint64 max_file_size;
        guint max_pages;
        guint64 max_page_pixels;

        /* [daemon] */
        guint64 stop_timeout_usec;  /* grace for workers on SIGTERM */

        /* [mailbox.NAME] groups, in file order (config-mailbox.h) */
        GPtrArray *mailboxes;       /* owned: RdMailboxConfig* */

        /* [replies], [followups], [smtp] (config-replies.h) */
        RdRepliesConfig *replies;   /* owned, never NULL after load */
        RdSmtpConfig *smtp;         /* owned, NULL without [smtp] */

        /* [web] (config/web.h) */
        RdWebConfig *web;           /* owned, NULL without [web]: no web process */
} RdConfig;

RdConfig *rd_config_new_defaults(void);
RdConfig *rd_config_load(const char *path, GError **error);
void rd_config_free(RdConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdConfig, rd_config_free)

/* The password of a group, from its password-file= or password-credential=
 * key (a file in $CREDENTIALS_DIRECTORY, systemd.exec(5) LoadCredential=).
 * *ret_password is NULL when the group names neither.  Errors name the
 * file, group and key. */
gboolean rd_config_load_password(GKeyFile *kf, const char *path, const char *group, char **ret_password,
                                 GError **error);

/* Value parsers of the groups' key tables: each stores into @field (a
 * char**, gboolean*, guint64* of microseconds) and says whether the value
 * fits.  Strings must not be empty, paths must be absolute, durations
 * above zero. */
gboolean rd_config_field_string(const char *value, gpointer field);
gboolean rd_config_field_path(const char *value, gpointer field);
gboolean rd_config_field_bool(const char *value, gpointer field);
gboolean rd_config_field_duration(const char *value, gpointer field);

/* Parsers shared with other groups (policy, mailboxes). */
gboolean rd_config_parse_duration(const char *text, guint64 *ret_usec);
gboolean rd_config_parse_size(const char *text, guint64 *ret_bytes);

G_END_DECLS
