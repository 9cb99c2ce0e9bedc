/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mailbox poller process: under the mailbox lock, store each new
 * message as an item, commit, then acknowledge it on the server; wait with
 * IDLE or sleep; back off on errors. */
#include <curl/curl.h>
#include <errno.h>
#include <gio/gio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon/config/mailbox.h"
#include "daemon/store/mailbox-state.h"
#include "imap-poller.h"
#include "imap-private.h"
#include "daemon/base/child.h"
#include "daemon/base/log.h"
#include "daemon/base/sanitizer.h"
#include "parsers/mime/mime.h"

#define LOG_DOMAIN "rd-imap"

/* The parsers read the header grammar (folding, comments, brackets): a
 * Message-ID folded onto a continuation line is still recorded. */
char *
rd_imap_message_id(const guint8 *data, gsize len)
{
        return rd_mime_message_id(data, len);
}

static gboolean
store_one(RdPoller *self, const RdNewMessage *m, gboolean *ret_stored, GError **error)
{
        const RdMailboxConfig *mb = self->mb;
        g_autofree char *url = NULL;
        g_autofree char *key = g_strdup_printf("%s/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, mb->name,
                                               self->uidvalidity, m->uid);
        g_autoptr(GByteArray) data = g_byte_array_new();
        g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
        g_autofree char *message_id = NULL;
        guint64 limit = self->config->max_file_size;
        gboolean too_large = m->size > limit;
        RdSink sink = { data, limit, FALSE };
        RdIntake in = { 0 };
        RdStoreResult res;

        *ret_stored = FALSE;
        if (!too_large) {
                /* BODY[] (libcurl never PEEKs): \Seen is set, state is kept by UID */
                url = g_strdup_printf("%s;UIDVALIDITY=%" G_GUINT64_FORMAT "/;UID=%" G_GUINT64_FORMAT,
                                      self->folder_url, self->uidvalidity, m->uid);
                if (!rd_imap_request(self, url, NULL, &sink, "fetching a message", error))
                        return FALSE;
                too_large = sink.too_large; /* the size was understated */
        }
        if (too_large) {
                /* only the header: the Message-ID keeps a re-delivery from
                 * becoming a second quarantined item */
                g_byte_array_set_size(data, 0);
                sink.too_large = FALSE;
                sink.limit = HEADER_MAX;
                g_free(url);
                url = g_strdup_printf("%s;UIDVALIDITY=%" G_GUINT64_FORMAT "/;UID=%" G_GUINT64_FORMAT ";SECTION=HEADER",
                                      self->folder_url, self->uidvalidity, m->uid);
                if (!rd_imap_request(self, url, NULL, &sink, "fetching a message header", error))
                        return FALSE;
                /* item.sha256 is unique: for bytes never fetched it is the
                 * digest of a marker and the header */
                g_checksum_update(sum, (const guchar *)"referrald: too large, header only\n", -1);
        }
        if (data->len == 0 && !too_large) {
                rd_log_info(LOG_DOMAIN, 0, "mailbox %s: uid %" G_GUINT64_FORMAT " vanished before it was fetched",
                            mb->name, m->uid);
                return TRUE;
        }
        g_checksum_update(sum, data->data, data->len);
        message_id = rd_imap_message_id(data->data, data->len);

        in.source = self->source;
        in.source_key = key;
        in.original_name = NULL;
        in.sha256 = g_checksum_get_string(sum);
        in.size = too_large ? MAX(m->size, limit + 1) : data->len;
        in.media_type = "message/rfc822";
        in.raw = too_large ? NULL : data->data;
        in.quarantine_reason = too_large ? "message larger than [limits] max-file-size" : NULL;
        if (!rd_db_mailbox_store(self->db, &in, message_id, &res, error))
                return FALSE;
        switch (res.outcome) {
        case RD_STORE_NEW:
                if (res.quarantined)
                        rd_log_warning(LOG_DOMAIN, res.item_id, "mailbox %s: uid %" G_GUINT64_FORMAT
                                       " quarantined: %s", mb->name, m->uid, in.quarantine_reason);
                else
                        rd_log_info(LOG_DOMAIN, res.item_id, "mailbox %s: uid %" G_GUINT64_FORMAT " stored (%u bytes)",
                                    mb->name, m->uid, data->len);
                break;
        case RD_STORE_DUPLICATE:
                rd_log_info(LOG_DOMAIN, res.item_id, "mailbox %s: uid %" G_GUINT64_FORMAT
                            " is a duplicate of a stored item", mb->name, m->uid);
                break;
        case RD_STORE_AGAIN:
                rd_log_info(LOG_DOMAIN, res.item_id, "mailbox %s: uid %" G_GUINT64_FORMAT " was already stored",
                            mb->name, m->uid);
                break;
        }
        *ret_stored = res.outcome == RD_STORE_NEW;
        return TRUE;
}

/* One poll: new mail since last_uid is stored, committed, acknowledged. */
static gboolean
poll_once(RdPoller *self, guint *ret_stored, GError **error)
{
        g_autoptr(GArray) fresh = g_array_new(FALSE, FALSE, sizeof(RdNewMessage));
        RdMailboxState state;
        guint64 uidvalidity = 0, uidnext = 0;
        gboolean ok = FALSE;

        *ret_stored = 0;
        g_free(self->token);
        self->token = NULL;
        if (self->mb->xoauth2_token_file != NULL &&
            (self->token = rd_imap_read_token(self->mb->xoauth2_token_file, error)) == NULL)
                return FALSE;
        self->curl = curl_easy_init();
        if (self->curl == NULL) {
                g_set_error(error, RD_IMAP_ERROR, 0, "curl_easy_init failed");
                return FALSE;
        }
        rd_imap_setup_handle(self, self->curl);

        if (!rd_imap_read_capabilities(self, error) || !rd_imap_read_status(self, &uidvalidity, &uidnext, error) ||
            !rd_db_mailbox_get_state(self->db, self->mb->name, &state, error))
                goto out;
        if (state.uidvalidity != uidvalidity) {
                if (state.uidvalidity != 0)
                        rd_log_warning(LOG_DOMAIN, 0, "mailbox %s: UIDVALIDITY changed from %" G_GUINT64_FORMAT
                                       " to %" G_GUINT64_FORMAT ", rescanning the folder", self->mb->name,
                                       state.uidvalidity, uidvalidity);
                if (!rd_db_mailbox_reset(self->db, self->mb->name, uidvalidity, error))
                        goto out;
                state.last_uid = 0;
                self->ack_pending = FALSE;
        }
        self->uidvalidity = uidvalidity;
        self->last_uid = state.last_uid;
        if (self->ack_pending && !rd_imap_acknowledge_leftovers(self, error))
                goto out;
        if (uidnext == 0 || uidnext > self->last_uid + 1) {
                if (!rd_imap_list_new(self, fresh, error))
                        goto out;
        }
        for (guint i = 0; i < fresh->len && !rd_child_stop_requested; i++) {
                const RdNewMessage *m = &g_array_index(fresh, RdNewMessage, i);
                gboolean stored = FALSE;

                if (!store_one(self, m, &stored, error))
                        goto out;
                *ret_stored += stored;
                /* committed: from here a crash or an error leaves it to
                 * rd_imap_acknowledge_leftovers() */
                self->ack_pending = TRUE;
                if (!rd_db_mailbox_advance(self->db, self->mb->name, self->uidvalidity, m->uid, error))
                        goto out;
                self->last_uid = m->uid;
                if (!rd_imap_acknowledge(self, &m->uid, 1, error))
                        goto out;
                self->ack_pending = FALSE;
        }
        /* UIDs only grow: one below UIDNEXT that was not listed is gone for
         * good, so IDLE need not wake up for it again */
        if (!rd_child_stop_requested && uidnext > self->last_uid + 1) {
                if (!rd_db_mailbox_advance(self->db, self->mb->name, self->uidvalidity, uidnext - 1, error))
                        goto out;
                self->last_uid = uidnext - 1;
        }
        ok = TRUE;
out:
        curl_easy_cleanup(self->curl);
        self->curl = NULL;
        return ok;
}

static void
sleep_until(gint64 deadline)
{
        while (!rd_child_stop_requested && g_get_monotonic_time() < deadline)
                g_usleep(MIN(100000, MAX(deadline - g_get_monotonic_time(), 1)));
}

static void
limit_process(const RdConfig *config)
{
#ifndef RD_ASAN
        {
                /* one message in memory, a copy for the database, TLS */
                rlim_t bytes = (rlim_t)MAX(3 * config->max_file_size + (256ULL << 20), 512ULL << 20);
                struct rlimit as = { bytes, bytes };

                (void)setrlimit(RLIMIT_AS, &as);
        }
#else
        (void)config;
#endif
}

void
rd_imap_poller_run(const RdConfig *config, guint index, gboolean once)
{
        const RdMailboxConfig *mb = config->mailboxes->pdata[index];
        RdPoller self = { 0 };
        guint backoff = 0;
        gboolean failing = FALSE, told_locked = FALSE;
        int status = RD_POLLER_EXIT_OK;

        rd_child_setup();
        limit_process(config);

        self.config = config;
        self.mb = mb;
        self.source = g_strdup_printf("imap:%s", mb->name);
        self.base_url = g_strdup_printf("%s/", mb->url);
        {
                g_autofree char *escaped = NULL;
                char *e = curl_easy_escape(NULL, mb->folder, 0);

                escaped = g_strdup(e);
                curl_free(e);
                self.folder_url = g_strdup_printf("%s%s", self.base_url, escaped);
        }
        self.ack_pending = TRUE; /* a previous run may have stopped between commit and move */
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                rd_log_err(LOG_DOMAIN, 0, "mailbox %s: curl_global_init failed", mb->name);
                _exit(RD_POLLER_EXIT_FAILED);
        }
        if (!mb->tls_verify)
                rd_log_warning(LOG_DOMAIN, 0, "mailbox %s: TLS CERTIFICATE VERIFICATION IS OFF (tls-verify=false): "
                               "the password and every message can be intercepted", mb->name);
        if (mb->allow_plaintext)
                rd_log_warning(LOG_DOMAIN, 0, "mailbox %s: PLAINTEXT IMAP ALLOWED (allow-plaintext=true): the "
                               "password and every message cross the network unencrypted", mb->name);
        rd_log_info(LOG_DOMAIN, 0, "mailbox %s: watching folder %s on %s (%s)", mb->name, mb->folder, mb->url,
                    mb->action == RD_MAILBOX_ACTION_MOVE ? "move when stored" : "flag when stored");

        while (!rd_child_stop_requested) {
                g_autoptr(GError) error = NULL;
                gint64 started = g_get_monotonic_time();
                guint stored = 0;
                gboolean ok;

                if (self.db == NULL) {
                        self.db = rd_db_connect_user(config->db_conninfo, config->db_process_user, config->db_password,
                                                     RD_DB_ROLE_INTAKE, &error);
                        self.locked = FALSE;
                }
                if (self.db != NULL && !self.locked &&
                    !rd_db_mailbox_try_lock(self.db, mb->name, &self.locked, &error))
                        g_clear_pointer(&self.db, rd_db_free);
                if (self.db != NULL && !self.locked) {
                        /* another instance polls this mailbox */
                        if (once)
                                break;
                        if (!told_locked)
                                rd_log_info(LOG_DOMAIN, 0, "mailbox %s: polled by another instance, standing by",
                                            mb->name);
                        told_locked = TRUE;
                        sleep_until(started + (gint64)mb->poll_usec);
                        continue;
                }
                told_locked = FALSE;
                ok = self.db != NULL && poll_once(&self, &stored, &error);
                if (ok) {
                        g_autoptr(GError) dberr = NULL;

                        if (failing)
                                rd_log_info(LOG_DOMAIN, 0, "mailbox %s: polling works again", mb->name);
                        if (stored > 0)
                                rd_log_info(LOG_DOMAIN, 0, "mailbox %s: %u new message(s) stored", mb->name, stored);
                        failing = FALSE;
                        backoff = 0;
                        if (!rd_db_mailbox_set_result(self.db, mb->name, NULL, &dberr))
                                rd_log_warning(LOG_DOMAIN, 0, "mailbox %s: %s", mb->name, dberr->message);
                } else {
                        backoff = CLAMP(backoff * 2, 2, 300);
                        rd_log_warning(LOG_DOMAIN, 0, "mailbox %s: %s; retrying in %u s", mb->name,
                                       error ? error->message : "no database", backoff);
                        failing = TRUE;
                        if (error != NULL && error->domain == RD_DB_ERROR) {
                                /* the advisory lock went with the connection */
                                g_clear_pointer(&self.db, rd_db_free);
                        } else if (self.db != NULL) {
                                g_autoptr(GError) dberr = NULL;

                                (void)rd_db_mailbox_set_result(self.db, mb->name, error->message, &dberr);
                        }
                }
                if (once) {
                        status = ok ? RD_POLLER_EXIT_OK : RD_POLLER_EXIT_FAILED;
                        break;
                }
                if (!ok) {
                        sleep_until(g_get_monotonic_time() + (gint64)backoff * G_USEC_PER_SEC);
                        continue;
                }
                /* IDLE until mail comes, poll-interval at the latest */
                if (mb->idle && self.has_idle && rd_imap_idle_wait(&self, started + (gint64)mb->poll_usec))
                        continue;
                sleep_until(started + (gint64)mb->poll_usec);
        }
        if (self.db != NULL && self.locked)
                (void)rd_db_mailbox_unlock(self.db, mb->name, NULL);
        g_clear_pointer(&self.db, rd_db_free);
        curl_global_cleanup();
        g_free(self.source);
        g_free(self.base_url);
        g_free(self.folder_url);
        g_free(self.token);
        _exit(status);
}
