/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "keys.h"
#include "secrets.h"

G_BEGIN_DECLS

/* The groups [mailbox.NAME]: one IMAP folder each, polled by its own
 * process (imap-poller.c).  Their key table and the checks across keys;
 * config.c walks the file and reads the password. */

#define RD_MAILBOX_MAX 32

typedef enum {
        RD_MAILBOX_ACTION_MOVE, /* UID MOVE (or COPY + \Deleted + UID EXPUNGE) to processed-folder */
        RD_MAILBOX_ACTION_FLAG, /* set `flag` and leave the message where it is */
} RdMailboxAction;

typedef struct {
        char *name;               /* NAME: letters, digits, '-' and '_' */
        char *url;                /* "imaps://host[:port]" or "imap://host[:port]", no path */
        gboolean implicit_tls;    /* imaps:// */
        gboolean allow_plaintext; /* imap:// without STARTTLS: only when configured */
        char *user;
        RdSecretKeys secret;      /* password-file= or password-credential= */
        char *password;           /* owned, wiped on free; NULL with xoauth2-token-file; read by config.c */
        char *xoauth2_token_file; /* read at every connection: an outside helper refreshes it */
        char *folder;             /* watched folder, default INBOX */
        RdMailboxAction action;
        char *processed_folder;   /* action=move: default "Processed" */
        char *flag;               /* action=flag: default "$Referrald" */
        guint64 poll_usec;        /* full poll at least this often, also with IDLE */
        gboolean idle;            /* use IDLE where the server offers it */
        char *ca_file;            /* trust these CAs instead of the system store */
        gboolean tls_verify;      /* FALSE only when a key turned it off */
        guint64 timeout_usec;     /* connect and stall timeout */
} RdMailboxConfig;

extern const RdKey rd_mailbox_keys[];

/* Parses one [mailbox.NAME] group; errors name the file, line, group and key. */
RdMailboxConfig *rd_mailbox_config_parse(const RdKeySource *src, const char *group, GError **error);
void rd_mailbox_config_free(RdMailboxConfig *mb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdMailboxConfig, rd_mailbox_config_free)

G_END_DECLS
