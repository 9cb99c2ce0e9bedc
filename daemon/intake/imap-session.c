/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One IMAP session over libcurl: the handle, commands and their untagged
 * responses, capabilities, folder status, acknowledging stored messages
 * (MOVE, COPY+STORE, flags), and IDLE on a CONNECT_ONLY connection. */
#include <curl/curl.h>
#include <errno.h>
#include <gio/gio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/base/child.h"
#include "daemon/base/log.h"
#include "daemon/store/mailbox-state.h"
#include "imap-private.h"

#define LOG_DOMAIN "rd-imap"

G_DEFINE_QUARK(rd-imap-error-quark, rd_imap_error)

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

char *
rd_imap_read_token(const char *path, GError **error)
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

void
rd_imap_setup_handle(RdPoller *self, CURL *c)
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
gboolean
rd_imap_request(RdPoller *self, const char *url, const char *custom, RdSink *sink, const char *what, GError **error)
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

        if (!rd_imap_request(self, url, custom, &sink, what, error))
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

gboolean
rd_imap_read_capabilities(RdPoller *self, GError **error)
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

gboolean
rd_imap_read_status(RdPoller *self, guint64 *ret_uidvalidity, guint64 *ret_uidnext, GError **error)
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
gboolean
rd_imap_acknowledge(RdPoller *self, const guint64 *uids, guint n, GError **error)
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
gboolean
rd_imap_acknowledge_leftovers(RdPoller *self, GError **error)
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
                if (!rd_imap_acknowledge(self, (guint64 *)(void *)uids->data, uids->len, error))
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

gboolean
rd_imap_list_new(RdPoller *self, GArray *ret, GError **error)
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

gboolean
rd_imap_idle_wait(RdPoller *self, gint64 deadline)
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
        rd_imap_setup_handle(self, st.c);
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
