/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "db.h"

G_BEGIN_DECLS

/* Mailbox state for IMAP intake (schema/004_mailboxes.sql). */

typedef struct {
        gboolean known;       /* a row exists */
        guint64 uidvalidity;  /* 0 when never seen */
        guint64 last_uid;     /* every UID up to this one is stored */
} RdMailboxState;

/* Session-level advisory lock: only one instance polls a mailbox.  Held
 * until rd_db_mailbox_unlock() or the connection ends. */
gboolean rd_db_mailbox_try_lock(RdDb *db, const char *name, gboolean *ret_locked, GError **error);
gboolean rd_db_mailbox_unlock(RdDb *db, const char *name, GError **error);

gboolean rd_db_mailbox_get_state(RdDb *db, const char *name, RdMailboxState *ret, GError **error);
/* A new UIDVALIDITY: start over at UID 0 (dedup keeps items single). */
gboolean rd_db_mailbox_reset(RdDb *db, const char *name, guint64 uidvalidity, GError **error);
/* Everything up to uid is stored (only under the same uidvalidity). */
gboolean rd_db_mailbox_advance(RdDb *db, const char *name, guint64 uidvalidity, guint64 uid, GError **error);
/* message NULL: the poll succeeded. */
gboolean rd_db_mailbox_set_result(RdDb *db, const char *name, const char *message, GError **error);

/* Store one fetched message: a Message-ID already stored makes it a
 * duplicate receipt of that item; otherwise rd_db_store_intake() (which
 * deduplicates by SHA-256 and by source key).  message_id may be NULL. */
gboolean rd_db_mailbox_store(RdDb *db, const RdIntake *in, const char *message_id, RdStoreResult *ret,
                             GError **error);

/* "NAME: error; NAME: error" for mailboxes whose last poll failed, or NULL. */
char *rd_db_mailbox_errors(RdDb *db, GError **error);

G_END_DECLS
