/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the IMAP poller and its session (daemon/intake only): the
 * poller's state and the session verbs the poll cycle uses. */
#pragma once

#include <curl/curl.h>
#include <glib.h>

#include "daemon/config/config.h"
#include "daemon/config/mailbox.h"
#include "daemon/store/db.h"

G_BEGIN_DECLS

#define RESPONSE_MAX (32u << 20) /* untagged text of one command (sizes of a huge folder) */
#define HEADER_MAX (256u << 10)  /* header block of a message too large to fetch */
#define ACK_BATCH 200            /* UIDs per MOVE/STORE command */

#define RD_IMAP_ERROR (rd_imap_error_quark())
GQuark rd_imap_error_quark(void);

typedef struct {
        const RdConfig *config;
        const RdMailboxConfig *mb;
        RdDb *db;
        gboolean locked;
        char *source;     /* "imap:NAME" */
        char *base_url;   /* "imaps://host:port/" */
        char *folder_url; /* base_url + escaped folder */
        char *token;      /* XOAUTH2 bearer, read per connection */
        CURL *curl;       /* one connection per poll cycle */
        char errbuf[CURL_ERROR_SIZE];
        gboolean has_idle, has_move, has_uidplus;
        gboolean processed_ready; /* processed-folder exists */
        gboolean ack_pending;     /* a stored message may still wait for its move/flag */
        gboolean warned_expunge;
        guint64 uidvalidity, last_uid;
} RdPoller;

typedef struct {
        GByteArray *data;
        guint64 limit;
        gboolean too_large;
} RdSink;

typedef struct {
        guint64 uid;
        guint64 size;
} RdNewMessage;

char *rd_imap_read_token(const char *path, GError **error);
void rd_imap_setup_handle(RdPoller *self, CURL *c);
gboolean rd_imap_request(RdPoller *self, const char *url, const char *custom, RdSink *sink,
                         const char *what, GError **error);
gboolean rd_imap_read_capabilities(RdPoller *self, GError **error);
gboolean rd_imap_read_status(RdPoller *self, guint64 *ret_uidvalidity, guint64 *ret_uidnext,
                             GError **error);
gboolean rd_imap_acknowledge(RdPoller *self, const guint64 *uids, guint n, GError **error);
gboolean rd_imap_acknowledge_leftovers(RdPoller *self, GError **error);
gboolean rd_imap_list_new(RdPoller *self, GArray *ret, GError **error);
gboolean rd_imap_idle_wait(RdPoller *self, gint64 deadline);

G_END_DECLS
