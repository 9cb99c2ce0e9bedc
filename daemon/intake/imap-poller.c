/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include "daemon/base/child.h"
#include "daemon/base/log.h"
#include "parsers/mime/mime.h"

#define LOG_DOMAIN "rd-imap"
#define RESPONSE_MAX (32u << 20) /* untagged text of one command (sizes of a huge folder) */
#define HEADER_MAX (256u << 10)  /* header block of a message too large to fetch */
#define ACK_BATCH 200            /* UIDs per MOVE/STORE command */

/* See daemon/worker.c: RLIMIT_AS cannot bound a sanitizer build. */
#if defined(__SANITIZE_ADDRESS__)
#define RD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RD_ASAN 1
#endif
#endif

#define RD_IMAP_ERROR (rd_imap_error_quark())
static G_DEFINE_QUARK(rd-imap-error-quark, rd_imap_error)


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

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        RdSink *sink = userdata;
        size_t n = size * nmemb;

        if ((guint64)sink->data->len + n > sink->limit) {
                /* stop the transfer: nothing past the limit is kept in memory */
                sink->too_large = TRUE;
                return 0;
        }
        g_byte_array_append(sink->data, (const guint8 *)ptr, (guint)n);
        return n;
}

/* A short, content-free description of a libcurl failure. */
static void
set_curl_error(RdPoller *self, CURLcode rc, const char *what, GError **error)
{
        const char *kind;

        switch (rc) {
        case CURLE_LOGIN_DENIED:
                kind = "login refused";
                break;
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
                kind = "server unreachable";
                break;
        case CURLE_OPERATION_TIMEDOUT:
                kind = "timed out";
                break;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_USE_SSL_FAILED:
                kind = "TLS failure";
                break;
        case CURLE_REMOTE_FILE_NOT_FOUND:
                kind = "folder missing or its UIDVALIDITY changed";
                break;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
                kind = "connection lost";
                break;
        default:
                kind = "IMAP error";
                break;
        }
        g_set_error(error, RD_IMAP_ERROR, (int)rc, "%s: %s: %s (curl %d)%s%s", what, kind, curl_easy_strerror(rc),
                    (int)rc, self->errbuf[0] ? ": " : "", self->errbuf);
}

static char *
read_token(const char *path, GError **error)
{
        g_autofree char *text = NULL;
        gsize len = 0;

        if (!g_file_get_contents(path, &text, &len, error)) {
                g_prefix_error(error, "xoauth2-token-file: ");
                return NULL;
        }
        g_strstrip(text);
        if (*text == '\0' || strchr(text, '\n') != NULL) {
                g_set_error(error, RD_IMAP_ERROR, 0, "xoauth2-token-file %s: expected one token line", path);
                return NULL;
        }
        return g_steal_pointer(&text);
}

static void
setup_handle(RdPoller *self, CURL *c)
{
        const RdMailboxConfig *mb = self->mb;
        long timeout_s = (long)MAX(mb->timeout_usec / G_USEC_PER_SEC, 1);

        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, self->errbuf);
        curl_easy_setopt(c, CURLOPT_USERNAME, mb->user);
        if (self->token != NULL)
                curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, self->token);
        else
                curl_easy_setopt(c, CURLOPT_PASSWORD, mb->password);
        if (!mb->implicit_tls)
                curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(mb->allow_plaintext ? CURLUSESSL_NONE : CURLUSESSL_ALL));
        if (mb->ca_file)
                curl_easy_setopt(c, CURLOPT_CAINFO, mb->ca_file);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, mb->tls_verify ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, mb->tls_verify ? 2L : 0L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_s);
        /* a stalled server: less than 1 byte/s for the whole timeout */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout_s);
        curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
}

/* One request on the cycle's connection.  custom NULL: fetch the URL. */
static gboolean
request(RdPoller *self, const char *url, const char *custom, RdSink *sink, const char *what, GError **error)
{
        CURLcode rc;

        self->errbuf[0] = '\0';
        curl_easy_setopt(self->curl, CURLOPT_URL, url);
        curl_easy_setopt(self->curl, CURLOPT_CUSTOMREQUEST, custom);
        curl_easy_setopt(self->curl, CURLOPT_WRITEDATA, sink);
        rc = curl_easy_perform(self->curl);
        if (rc == CURLE_WRITE_ERROR && sink->too_large)
                return TRUE; /* the caller looks at too_large */
        if (rc != CURLE_OK) {
                set_curl_error(self, rc, what, error);
                return FALSE;
        }
        return TRUE;
}

/* The untagged response text of a command, as NUL-terminated lines. */
static gboolean
command(RdPoller *self, const char *url, const char *custom, const char *what, char ***ret_lines,
        GError **error)
{
        g_autoptr(GByteArray) data = g_byte_array_new();
        RdSink sink = { data, RESPONSE_MAX, FALSE };

        if (!request(self, url, custom, &sink, what, error))
                return FALSE;
        if (sink.too_large) {
                g_set_error(error, RD_IMAP_ERROR, 0, "%s: response too large", what);
                return FALSE;
        }
        g_byte_array_append(data, (const guint8 *)"", 1);
        *ret_lines = g_strsplit((const char *)data->data, "\n", -1);
        for (char **l = *ret_lines; *l; l++)
                g_strchomp(*l);
        return TRUE;
}

/* The number after `key ` inside an IMAP response line, e.g. "UID 7". */
static gboolean
find_number(const char *line, const char *key, guint64 *ret)
{
        gsize klen = strlen(key);

        for (const char *p = line; (p = strstr(p, key)) != NULL; p += klen) {
                char *end = NULL;

                if ((p != line && p[-1] != ' ' && p[-1] != '(' && p[-1] != '[') || p[klen] != ' ')
                        continue;
                *ret = g_ascii_strtoull(p + klen + 1, &end, 10);
                if (end != p + klen + 1)
                        return TRUE;
        }
        return FALSE;
}

static gboolean
is_untagged(const char *line, const char *word)
{
        gsize n = strlen(word);

        return g_str_has_prefix(line, "* ") && g_ascii_strncasecmp(line + 2, word, n) == 0 &&
               (line[2 + n] == ' ' || line[2 + n] == '\0');
}

static gboolean
read_capabilities(RdPoller *self, GError **error)
{
        g_auto(GStrv) lines = NULL;

        if (!command(self, self->base_url, "CAPABILITY", "connecting", &lines, error))
                return FALSE;
        self->has_idle = self->has_move = self->has_uidplus = FALSE;
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) words = NULL;

                if (!is_untagged(*l, "CAPABILITY"))
                        continue;
                words = g_strsplit(*l, " ", -1);
                for (char **w = words; *w; w++) {
                        self->has_idle |= g_ascii_strcasecmp(*w, "IDLE") == 0;
                        self->has_move |= g_ascii_strcasecmp(*w, "MOVE") == 0;
                        self->has_uidplus |= g_ascii_strcasecmp(*w, "UIDPLUS") == 0;
                }
        }
        return TRUE;
}

static gboolean
read_status(RdPoller *self, guint64 *ret_uidvalidity, guint64 *ret_uidnext, GError **error)
{
        g_autofree char *cmd = g_strdup_printf("STATUS \"%s\" (UIDVALIDITY UIDNEXT)", self->mb->folder);
        g_auto(GStrv) lines = NULL;

        if (!command(self, self->base_url, cmd, "STATUS of the folder", &lines, error))
                return FALSE;
        for (char **l = lines; *l; l++) {
                const char *paren = strrchr(*l, '(');

                if (is_untagged(*l, "STATUS") && paren != NULL && find_number(paren, "UIDVALIDITY", ret_uidvalidity)) {
                        if (!find_number(paren, "UIDNEXT", ret_uidnext))
                                *ret_uidnext = 0;
                        return *ret_uidvalidity > 0;
                }
        }
        g_set_error(error, RD_IMAP_ERROR, 0, "STATUS of the folder: no UIDVALIDITY in the answer");
        return FALSE;
}

/* "Processed" is created on first use. */
static gboolean
ensure_processed_folder(RdPoller *self, GError **error)
{
        g_autofree char *list = g_strdup_printf("LIST \"\" \"%s\"", self->mb->processed_folder);
        g_autofree char *create = g_strdup_printf("CREATE \"%s\"", self->mb->processed_folder);
        g_auto(GStrv) lines = NULL;

        if (self->processed_ready || self->mb->action != RD_MAILBOX_ACTION_MOVE)
                return TRUE;
        if (!command(self, self->base_url, list, "LIST of the processed folder", &lines, error))
                return FALSE;
        for (char **l = lines; *l; l++)
                if (is_untagged(*l, "LIST"))
                        self->processed_ready = TRUE;
        if (!self->processed_ready) {
                g_auto(GStrv) ignored = NULL;

                if (!command(self, self->base_url, create, "creating the processed folder", &ignored, error))
                        return FALSE;
                rd_log_info(LOG_DOMAIN, 0, "mailbox %s: created folder %s", self->mb->name,
                            self->mb->processed_folder);
                self->processed_ready = TRUE;
        }
        return TRUE;
}

static char *
folder_url_with_validity(RdPoller *self)
{
        return g_strdup_printf("%s;UIDVALIDITY=%" G_GUINT64_FORMAT, self->folder_url, self->uidvalidity);
}

static char *
uid_set(const guint64 *uids, guint n)
{
        GString *s = g_string_new(NULL);

        for (guint i = 0; i < n; i++)
                g_string_append_printf(s, "%s%" G_GUINT64_FORMAT, i ? "," : "", uids[i]);
        return g_string_free(s, FALSE);
}

/* Acknowledge stored messages on the server: move or flag them. */
static gboolean
acknowledge(RdPoller *self, const guint64 *uids, guint n, GError **error)
{
        g_autofree char *url = folder_url_with_validity(self);
        const RdMailboxConfig *mb = self->mb;

        for (guint off = 0; off < n; off += ACK_BATCH) {
                g_autofree char *set = uid_set(uids + off, MIN(ACK_BATCH, n - off));
                g_auto(GStrv) l1 = NULL, l2 = NULL, l3 = NULL;
                g_autofree char *c1 = NULL, *c2 = NULL, *c3 = NULL;

                if (mb->action == RD_MAILBOX_ACTION_FLAG) {
                        c1 = g_strdup_printf("UID STORE %s +FLAGS.SILENT (%s)", set, mb->flag);
                        if (!command(self, url, c1, "flagging processed mail", &l1, error))
                                return FALSE;
                        continue;
                }
                if (!ensure_processed_folder(self, error))
                        return FALSE;
                if (self->has_move) {
                        c1 = g_strdup_printf("UID MOVE %s \"%s\"", set, mb->processed_folder);
                        if (!command(self, url, c1, "moving processed mail", &l1, error))
                                return FALSE;
                        continue;
                }
                /* RFC 3501 without MOVE: copy, mark deleted, expunge just these */
                c1 = g_strdup_printf("UID COPY %s \"%s\"", set, mb->processed_folder);
                c2 = g_strdup_printf("UID STORE %s +FLAGS.SILENT (\\Deleted)", set);
                c3 = g_strdup_printf("UID EXPUNGE %s", set);
                if (!command(self, url, c1, "copying processed mail", &l1, error) ||
                    !command(self, url, c2, "marking processed mail deleted", &l2, error))
                        return FALSE;
                if (self->has_uidplus) {
                        if (!command(self, url, c3, "expunging processed mail", &l3, error))
                                return FALSE;
                } else if (!self->warned_expunge) {
                        /* a plain EXPUNGE would also remove what others marked deleted */
                        rd_log_warning(LOG_DOMAIN, 0, "mailbox %s: the server has neither MOVE nor UIDPLUS; "
                                       "processed mail stays in the folder marked \\Deleted", mb->name);
                        self->warned_expunge = TRUE;
                }
        }
        return TRUE;
}

static const char *
unacknowledged_criterion(const char *flag)
{
        if (strcmp(flag, "\\Seen") == 0)
                return "UNSEEN";
        if (strcmp(flag, "\\Flagged") == 0)
                return "UNFLAGGED";
        if (strcmp(flag, "\\Answered") == 0)
                return "UNANSWERED";
        return NULL;
}

/* Messages stored earlier but not yet moved/flagged (an error or a crash
 * between the commit and the acknowledgement). */
static gboolean
acknowledge_leftovers(RdPoller *self, GError **error)
{
        g_autofree char *url = folder_url_with_validity(self);
        g_autofree char *cmd = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(guint64));
        const char *crit = unacknowledged_criterion(self->mb->flag);

        if (self->last_uid == 0) {
                self->ack_pending = FALSE;
                return TRUE;
        }
        if (self->mb->action == RD_MAILBOX_ACTION_MOVE)
                /* UNDELETED: without MOVE and UIDPLUS a copied message stays
                 * here marked \Deleted; it is acknowledged already and must
                 * not be copied again at every start */
                cmd = g_strdup_printf("UID SEARCH UID 1:%" G_GUINT64_FORMAT " UNDELETED", self->last_uid);
        else if (crit != NULL)
                cmd = g_strdup_printf("UID SEARCH UID 1:%" G_GUINT64_FORMAT " %s", self->last_uid, crit);
        else
                cmd = g_strdup_printf("UID SEARCH UID 1:%" G_GUINT64_FORMAT " UNKEYWORD %s", self->last_uid,
                                      self->mb->flag);
        if (!command(self, url, cmd, "searching unacknowledged mail", &lines, error))
                return FALSE;
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) words = NULL;

                if (!is_untagged(*l, "SEARCH"))
                        continue;
                words = g_strsplit(*l + strlen("* SEARCH"), " ", -1);
                for (char **w = words; *w; w++) {
                        guint64 u = g_ascii_strtoull(*w, NULL, 10);

                        /* "1:n" also matches the highest UID when it is above n */
                        if (u > 0 && u <= self->last_uid)
                                g_array_append_val(uids, u);
                }
        }
        if (uids->len > 0) {
                if (!acknowledge(self, (guint64 *)(void *)uids->data, uids->len, error))
                        return FALSE;
                rd_log_info(LOG_DOMAIN, 0, "mailbox %s: acknowledged %u message(s) stored earlier", self->mb->name,
                            uids->len);
        }
        self->ack_pending = FALSE;
        return TRUE;
}

static int
compare_new(gconstpointer a, gconstpointer b)
{
        const RdNewMessage *x = a, *y = b;

        return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static gboolean
list_new(RdPoller *self, GArray *ret, GError **error)
{
        g_autofree char *url = folder_url_with_validity(self);
        g_autofree char *cmd = g_strdup_printf("UID FETCH %" G_GUINT64_FORMAT ":* (UID RFC822.SIZE)",
                                               self->last_uid + 1);
        g_auto(GStrv) lines = NULL;

        if (!command(self, url, cmd, "listing new mail", &lines, error))
                return FALSE;
        for (char **l = lines; *l; l++) {
                const char *paren = strchr(*l, '(');
                RdNewMessage m = { 0, 0 };

                if (!g_str_has_prefix(*l, "* ") || strstr(*l, " FETCH ") == NULL || paren == NULL)
                        continue;
                if (!find_number(paren, "UID", &m.uid) || !find_number(paren, "RFC822.SIZE", &m.size))
                        continue;
                /* "n:*" also matches the highest UID when it is below n */
                if (m.uid > self->last_uid)
                        g_array_append_val(ret, m);
        }
        g_array_sort(ret, compare_new);
        return TRUE;
}

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
                if (!request(self, url, NULL, &sink, "fetching a message", error))
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
                if (!request(self, url, NULL, &sink, "fetching a message header", error))
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
            (self->token = read_token(self->mb->xoauth2_token_file, error)) == NULL)
                return FALSE;
        self->curl = curl_easy_init();
        if (self->curl == NULL) {
                g_set_error(error, RD_IMAP_ERROR, 0, "curl_easy_init failed");
                return FALSE;
        }
        setup_handle(self, self->curl);

        if (!read_capabilities(self, error) || !read_status(self, &uidvalidity, &uidnext, error) ||
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
        if (self->ack_pending && !acknowledge_leftovers(self, error))
                goto out;
        if (uidnext == 0 || uidnext > self->last_uid + 1) {
                if (!list_new(self, fresh, error))
                        goto out;
        }
        for (guint i = 0; i < fresh->len && !rd_child_stop_requested; i++) {
                const RdNewMessage *m = &g_array_index(fresh, RdNewMessage, i);
                gboolean stored = FALSE;

                if (!store_one(self, m, &stored, error))
                        goto out;
                *ret_stored += stored;
                /* committed: from here a crash or an error leaves it to
                 * acknowledge_leftovers() */
                self->ack_pending = TRUE;
                if (!rd_db_mailbox_advance(self->db, self->mb->name, self->uidvalidity, m->uid, error))
                        goto out;
                self->last_uid = m->uid;
                if (!acknowledge(self, &m->uid, 1, error))
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

/* IDLE over a CONNECT_ONLY connection (libcurl logs in, then hands over
 * the socket).  Returns when mail may have arrived, at the deadline, or
 * on a stop request; FALSE when IDLE could not be used. */

typedef struct {
        CURL *c;
        curl_socket_t sock;
        GString *in;
} RdIdle;

static gboolean
idle_send(RdIdle *st, const char *line)
{
        g_autofree char *msg = g_strdup_printf("%s\r\n", line);
        gsize len = strlen(msg), off = 0;

        while (off < len) {
                size_t n = 0;
                CURLcode rc = curl_easy_send(st->c, msg + off, len - off, &n);

                if (rc == CURLE_AGAIN) {
                        struct pollfd pfd = { .fd = st->sock, .events = POLLOUT };

                        if (poll(&pfd, 1, 5000) <= 0)
                                return FALSE;
                        continue;
                }
                if (rc != CURLE_OK)
                        return FALSE;
                off += n;
        }
        return TRUE;
}

/* Next line into *ret (without CRLF); FALSE on error, close, stop or the
 * deadline (*ret_timeout). */
static gboolean
idle_read_line(RdIdle *st, gint64 deadline, char **ret, gboolean *ret_timeout)
{
        *ret_timeout = FALSE;
        for (;;) {
                char *nl = memchr(st->in->str, '\n', st->in->len);
                char buf[4096];
                size_t n = 0;
                CURLcode rc;

                if (nl != NULL) {
                        gsize len = nl - st->in->str;

                        *ret = g_strndup(st->in->str, len > 0 && nl[-1] == '\r' ? len - 1 : len);
                        g_string_erase(st->in, 0, len + 1);
                        return TRUE;
                }
                if (st->in->len > 65536 || rd_child_stop_requested)
                        return FALSE;
                /* TLS may hold decrypted bytes: always try recv before poll */
                rc = curl_easy_recv(st->c, buf, sizeof buf, &n);
                if (rc == CURLE_OK) {
                        if (n == 0)
                                return FALSE;
                        g_string_append_len(st->in, buf, n);
                        continue;
                }
                if (rc != CURLE_AGAIN)
                        return FALSE;
                for (;;) {
                        struct pollfd pfd = { .fd = st->sock, .events = POLLIN };
                        gint64 left = deadline - g_get_monotonic_time();
                        int r;

                        if (left <= 0) {
                                *ret_timeout = TRUE;
                                return FALSE;
                        }
                        r = poll(&pfd, 1, (int)MIN(left / 1000 + 1, 1000));
                        if (rd_child_stop_requested)
                                return FALSE;
                        if (r > 0)
                                break;
                        if (r < 0 && errno != EINTR)
                                return FALSE;
                }
        }
}

static gboolean
idle_wait(RdPoller *self, gint64 deadline)
{
        g_autofree char *examine = g_strdup_printf("i1 EXAMINE \"%s\"", self->mb->folder);
        RdIdle st = { NULL, CURL_SOCKET_BAD, NULL };
        guint64 uidvalidity = 0, uidnext = 0;
        gboolean usable = FALSE, timeout = FALSE;
        char *line = NULL;
        CURLcode rc;

        st.c = curl_easy_init();
        if (st.c == NULL)
                return FALSE;
        st.in = g_string_new(NULL);
        setup_handle(self, st.c);
        self->errbuf[0] = '\0';
        curl_easy_setopt(st.c, CURLOPT_URL, self->base_url);
        curl_easy_setopt(st.c, CURLOPT_CONNECT_ONLY, 1L);
        rc = curl_easy_perform(st.c);
        if (rc != CURLE_OK || curl_easy_getinfo(st.c, CURLINFO_ACTIVESOCKET, &st.sock) != CURLE_OK ||
            st.sock == CURL_SOCKET_BAD) {
                rd_log_debug(LOG_DOMAIN, 0, "mailbox %s: IDLE connection failed (curl %d)", self->mb->name, (int)rc);
                goto out;
        }
        if (!idle_send(&st, examine))
                goto out;
        for (;;) {
                gint64 t = g_get_monotonic_time() + self->mb->timeout_usec;

                g_free(line);
                line = NULL;
                if (!idle_read_line(&st, t, &line, &timeout))
                        goto out;
                if (line[0] == '*') {
                        (void)find_number(line, "UIDVALIDITY", &uidvalidity);
                        (void)find_number(line, "UIDNEXT", &uidnext);
                        continue;
                }
                if (!g_str_has_prefix(line, "i1 OK"))
                        goto out;
                break;
        }
        usable = TRUE;
        /* mail that came between the poll and this EXAMINE */
        if (uidvalidity != self->uidvalidity || (uidnext > 0 && uidnext > self->last_uid + 1))
                goto out;
        if (!idle_send(&st, "i2 IDLE"))
                goto out;
        g_free(line);
        line = NULL;
        if (!idle_read_line(&st, g_get_monotonic_time() + self->mb->timeout_usec, &line, &timeout) ||
            line[0] != '+') {
                usable = FALSE;
                goto out;
        }
        rd_log_debug(LOG_DOMAIN, 0, "mailbox %s: idling", self->mb->name);
        for (;;) {
                g_free(line);
                line = NULL;
                if (!idle_read_line(&st, deadline, &line, &timeout))
                        break;
                if (line[0] == '*' && (g_str_has_suffix(line, " EXISTS") || g_str_has_suffix(line, " RECENT")))
                        break; /* new mail */
                if (is_untagged(line, "BYE"))
                        goto out;
        }
        if (idle_send(&st, "DONE")) {
                /* the tagged end of IDLE, briefly; the connection closes anyway */
                for (gint64 t = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;;) {
                        g_free(line);
                        line = NULL;
                        if (!idle_read_line(&st, t, &line, &timeout) || g_str_has_prefix(line, "i2 "))
                                break;
                }
                (void)idle_send(&st, "i3 LOGOUT");
        }
out:
        g_free(line);
        curl_easy_cleanup(st.c);
        g_string_free(st.in, TRUE);
        return usable;
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
                        self.db = rd_db_connect(config->db_conninfo, config->db_password, &error);
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
                if (mb->idle && self.has_idle && idle_wait(&self, started + (gint64)mb->poll_usec))
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
