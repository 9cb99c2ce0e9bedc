/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "files.h"
#include "keys.h"
#include "mailbox.h"
#include "replies.h"
#include "secrets.h"
#include "web.h"
#include "parsers/understand/policy.h"

G_BEGIN_DECLS

/* The configuration: the main file, the files it includes, every group
 * checked against its key table, the secrets read.  Loaded at start and
 * again on reload (SIGHUP), where a bad file keeps the running one. */

#define RD_CONFIG_DEFAULT_PATH "/etc/referrald/referrald.conf"

typedef enum {
        RD_CONFIG_LOAD_DEFAULT = 0,
        /* --check-config: check the keys that name secrets but read none;
         * the credentials exist only inside the unit */
        RD_CONFIG_LOAD_NO_SECRETS = 1 << 0,
} RdConfigLoadFlags;

/* A database login of one kind of process, and its password. */
typedef struct {
        char *user;
        RdSecretKeys secret;
        char *password;             /* owned: read from secret, may be NULL; wiped on free */
} RdDbLogin;

typedef struct {
        char *path;                 /* owned: the main file */
        RdConfigFiles files;        /* owned: every file read (main first), merged, where each key is */
        GPtrArray *unread_secrets;  /* owned: "[group] key=value" named, not read (RD_CONFIG_LOAD_NO_SECRETS) */
        RdPolicy *policy;           /* owned: [policy], [checklist.*], [urgency.*] */

        /* [database] */
        char *db_conninfo;
        RdSecretKeys db_secret;     /* password-file= or password-credential= */
        char *db_password;          /* owned: read from db_secret, may be NULL; wiped on free */
        char *db_staff_conninfo;    /* referralctl: a person's own connection; NULL: conninfo without user */
        /* a process's own login ([database] worker-user, sender-user,
         * web-user), or user NULL: the daemon's, then SET ROLE */
        RdDbLogin db_worker, db_sender, db_web;
        char *db_process_user;      /* owned, in a child: the login it was handed, or NULL */

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

        /* [retention]: how long patient data is kept (store/purge.c) */
        guint64 keep_raw_usec;       /* an item's bytes and the names it came under */
        guint64 keep_processed_usec; /* the copies in processed/ and quarantine/ */
        guint64 keep_pages_usec;     /* page text */
        guint64 keep_fields_usec;    /* a referral's fields and everything derived */
        gboolean auto_purge;         /* the daemon purges daily */

        /* [mailbox.NAME] groups, in file order (mailbox.h) */
        GPtrArray *mailboxes;       /* owned: RdMailboxConfig* */

        /* [replies], [followups], [smtp] (replies.h) */
        RdRepliesConfig *replies;   /* owned, never NULL after load */
        RdSmtpConfig *smtp;         /* owned, NULL without [smtp] */

        /* [web] (config/web.h) */
        RdWebConfig *web;           /* owned, NULL without [web]: no web process */
} RdConfig;

RdConfig *rd_config_new_defaults(void);
RdConfig *rd_config_load(const char *path, GError **error);
RdConfig *rd_config_load_full(const char *path, RdConfigLoadFlags flags, GError **error);
/* The same from the merged key-file text a supervisor handed its child
 * (daemon/run/spawn.c): @path names it in messages, nothing is included. */
RdConfig *rd_config_load_data(const char *path, const char *data, RdConfigLoadFlags flags, GError **error);
void rd_config_free(RdConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdConfig, rd_config_free)

/* Every key the configuration knows, one line each, "group\tkey\tdefault"
 * (the default escaped as g_strescape() does, empty when there is none):
 * referrald --dump-keys, which the README's tables are checked against. */
char *rd_config_describe_keys(void);

G_END_DECLS
