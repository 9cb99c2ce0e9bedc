/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The outbox sender process: claims due rows (through store/outbox.c),
 * sends each by SMTP, the fax gateway or the fax spool, records the
 * outcome with backoff, and recovers rows a dead sender left. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/base/child.h"
#include "daemon/base/log.h"
#include "daemon/store/outbox.h"
#include "compose.h"
#include "sender.h"
#include "smtp.h"

#define LOG_DOMAIN "rd-sender"


char *
rd_sender_name(pid_t pid)
{
        char host[256] = "";

        (void)gethostname(host, sizeof host - 1);
        return g_strdup_printf("sender:%s:%d", host, (int)pid);
}

static char *
proc_comm(pid_t pid)
{
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
        g_autofree char *stat = NULL;
        char *open_paren, *close_paren;

        if (!g_file_get_contents(path, &stat, NULL, NULL))
                return NULL;
        open_paren = strchr(stat, '(');
        close_paren = strrchr(stat, ')');
        if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
                return NULL;
        /* a zombie has finished: whatever it was sending is over */
        if (close_paren[1] == ' ' && close_paren[2] == 'Z')
                return NULL;
        return g_strndup(open_paren + 1, close_paren - open_paren - 1);
}

/* A live referrald process: not gone, not a zombie, not a stranger that
 * was given the same pid after a reboot. */
static gboolean
process_is_ours(pid_t pid)
{
        g_autofree char *theirs = pid > 0 ? proc_comm(pid) : NULL;
        g_autofree char *mine = proc_comm(getpid());

        return theirs != NULL && mine != NULL && strcmp(theirs, mine) == 0;
}

/* Rows left in 'sending' by a sender of this host that is gone.  A mail may
 * or may not have reached the server: never sent again by itself, shown to
 * staff as uncertain.  A fax spool file is written under a fixed name, so
 * writing it again cannot make a second fax. */
gboolean
rd_sender_recover(RdDb *db, GError **error)
{
        g_autofree char *me = rd_sender_name(getpid());
        g_autofree char *prefix = NULL;
        g_autoptr(RdDbRows) rows = NULL;

        prefix = g_strndup(me, strrchr(me, ':') - me + 1);
        rows = rd_store_outbox_sending(db, prefix, error);
        if (rows == NULL)
                return FALSE;
        for (guint r = 0; r < rows->rows->len; r++) {
                const char *id = rd_db_rows_cell(rows, r, 0);
                const char *claimed = rd_db_rows_cell(rows, r, 1);
                pid_t pid = (pid_t)g_ascii_strtoll(strrchr(claimed, ':') + 1, NULL, 10);
                gboolean spool = g_strcmp0(rd_db_rows_cell(rows, r, 2), "fax-spool") == 0;

                if (pid == getpid() || process_is_ours(pid))
                        continue; /* still sending */
                if (!(spool ? rd_store_outbox_requeue(db, id, claimed, error)
                            : rd_store_outbox_uncertain(db, id, claimed, error)))
                        return FALSE;
                if (!spool)
                        rd_log_warning(LOG_DOMAIN, 0, "reply %s was interrupted while sending: marked uncertain, "
                                       "not sent again", id);
        }
        return TRUE;
}

static gboolean
write_spool(const RdConfig *config, const RdOutboxClaim *row, GError **error)
{
        const RdRepliesConfig *rc = config->replies;
        g_autoptr(GBytes) pdf = NULL;
        g_autofree char *name = NULL, *path = NULL, *tmp = NULL;
        const guint8 *data;
        gsize len;
        int fd;

        if (rc->fax_spool == NULL || *row->recipient == '\0') {
                g_set_error(error, RD_REPLY_ERROR, RD_REPLY_ERROR_ADDRESS,
                            "no fax spool configured or no fax number (fax-reply=spool, fax-spool)");
                return FALSE;
        }
        for (const char *c = row->recipient; *c; c++)
                if (!g_ascii_isdigit(*c)) {
                        g_set_error(error, RD_REPLY_ERROR, RD_REPLY_ERROR_ADDRESS, "fax number is not digits");
                        return FALSE;
                }
        pdf = rd_reply_pdf(rc->practice_name, row->reference, row->subject, row->body, error);
        if (pdf == NULL)
                return FALSE;
        name = g_strdup_printf("%s-%s-%s.pdf", row->recipient, row->reference, row->id);
        path = g_build_filename(rc->fax_spool, name, NULL);
        if (g_file_test(path, G_FILE_TEST_EXISTS))
                return TRUE; /* written before a crash: once is enough */
        /* the spool is shared with the fax gateway's group: a temporary
         * name of our own, created new (O_EXCL), never through a link
         * someone planted (O_NOFOLLOW) */
        for (guint attempt = 0; attempt < 16; attempt++) {
                guint32 r = g_random_int();

                g_free(tmp);
                tmp = g_strdup_printf("%s/.tmp-%s-%08x.pdf", rc->fax_spool, row->id, r);
                fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
                if (fd >= 0 || errno != EEXIST)
                        break;
        }
        if (fd < 0) {
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "fax spool: %s", g_strerror(errno));
                return FALSE;
        }
        data = g_bytes_get_data(pdf, &len);
        while (len > 0) {
                ssize_t n = write(fd, data, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int e = errno;

                        close(fd);
                        unlink(tmp);
                        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "fax spool: %s", g_strerror(e));
                        return FALSE;
                }
                data += n;
                len -= (gsize)n;
        }
        if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
                int e = errno;

                unlink(tmp);
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "fax spool: %s", g_strerror(e));
                return FALSE;
        }
        return TRUE;
}

static gboolean
send_mail(const RdConfig *config, const RdOutboxClaim *row, GError **error)
{
        const RdRepliesConfig *rc = config->replies;
        g_auto(GStrv) refs = g_strsplit(row->references ? row->references : "", " ", -1);
        g_autoptr(GBytes) pdf = NULL, message = NULL;
        RdMailOut m = { 0 };

        if (config->smtp == NULL) {
                g_set_error(error, RD_SMTP_ERROR, RD_SMTP_ERROR_CONFIG, "no [smtp] configured");
                return FALSE;
        }
        if (strcmp(row->channel, "fax-gateway") == 0) {
                pdf = rd_reply_pdf(rc->practice_name, row->reference, row->subject, row->body, error);
                if (pdf == NULL)
                        return FALSE;
        }
        m.from_addr = rc->from_addr;
        m.from_name = rc->from_name;
        m.to_addr = row->recipient;
        m.subject = row->subject;
        m.body = row->body;
        m.message_id = row->message_id;
        m.in_reply_to = row->in_reply_to;
        m.references = refs[0] && *refs[0] ? (const char *const *)refs : NULL;
        m.date_unix = g_get_real_time() / G_USEC_PER_SEC;
        m.pdf = pdf;
        message = rd_mail_compose(&m, error);
        if (message == NULL)
                return FALSE;
        return rd_smtp_send(config->smtp, rc->from_addr, row->recipient, message, error);
}

static gboolean
finish(RdDb *db, const RdConfig *config, const RdOutboxClaim *row, const GError *send_error, GError **error)
{
        const RdSmtpConfig *sc = config->smtp;
        guint max_attempts = sc ? sc->max_attempts : 20;
        guint64 backoff = sc ? sc->retry_backoff_usec : 30 * G_USEC_PER_SEC;
        guint attempts = (guint)g_ascii_strtoull(row->attempts, NULL, 10);
        gboolean permanent, give_up;
        g_autofree char *delay = NULL;

        if (send_error == NULL) {
                rd_log_info(LOG_DOMAIN, 0, "reply %s sent (%s)", row->id, row->channel);
                return rd_store_outbox_sent(db, row->id, error);
        }
        permanent = (send_error->domain == RD_SMTP_ERROR && send_error->code == RD_SMTP_ERROR_PERMANENT) ||
                    send_error->domain == RD_REPLY_ERROR;
        give_up = permanent || attempts >= max_attempts;
        /* the first retry after backoff, doubled each time, at most an hour */
        delay = g_strdup_printf("%.3f seconds",
                                MIN((double)backoff * (double)(1ULL << MIN(attempts - 1, 20)), 3600e6) / 1e6);
        if (give_up)
                rd_log_err(LOG_DOMAIN, 0, "reply %s failed for good after %u attempt(s): %s", row->id, attempts,
                           send_error->message);
        else
                rd_log_warning(LOG_DOMAIN, 0, "reply %s not sent (attempt %u), will retry: %s", row->id, attempts,
                               send_error->message);
        return rd_store_outbox_not_sent(db, row->id, send_error->message, delay, give_up, error);
}

/* One due row: TRUE with *ret_sent_one when a row was handled. */
static gboolean
send_one(RdDb *db, const RdConfig *config, const char *me, gboolean *ret_handled, GError **error)
{
        RdOutboxClaim row = { 0 };
        g_autoptr(GError) send_error = NULL;
        gboolean found, ok;

        *ret_handled = FALSE;
        if (!rd_store_outbox_claim(db, me, &row, &found, error))
                return FALSE;
        if (!found)
                return TRUE;
        *ret_handled = TRUE;
        if (strcmp(row.channel, "fax-spool") == 0)
                ok = write_spool(config, &row, &send_error);
        else
                ok = send_mail(config, &row, &send_error);
        (void)ok;
        ok = finish(db, config, &row, send_error, error);
        rd_outbox_claim_clear(&row);
        return ok;
}

/* Microseconds until the next queued row is due (capped), 0 when one is. */
static guint64
next_due_usec(RdDb *db)
{
        g_autoptr(GError) error = NULL;
        gboolean any;
        double s;

        /* nothing queued: wait for a NOTIFY, or 30 s */
        if (!rd_store_outbox_next_due(db, &s, &any, &error) || !any)
                return 30 * G_USEC_PER_SEC;
        s = MAX(s, 0);
        return (guint64)MIN(s * 1e6 + 1000, 30e6);
}

void
rd_sender_run(const RdConfig *config, gboolean once)
{
        g_autofree char *me = rd_sender_name(getpid());
        g_autoptr(RdDb) db = NULL;
        guint backoff = 0;

        rd_child_setup();

        while (!rd_child_stop_requested) {
                g_autoptr(GError) error = NULL;
                gboolean handled = FALSE;

                if (db == NULL || !rd_db_ensure(db, NULL)) {
                        g_clear_pointer(&db, rd_db_free);
                        db = rd_db_connect_user(config->db_conninfo, config->db_process_user, config->db_password,
                                                RD_DB_ROLE_SENDER, &error);
                        if (db == NULL || !rd_db_listen(db, "rd_outbox", &error) || !rd_sender_recover(db, &error)) {
                                rd_log_warning(LOG_DOMAIN, 0, "outbox: %s", error ? error->message : "no database");
                                g_clear_pointer(&db, rd_db_free);
                                if (once)
                                        _exit(1);
                                g_usleep(MIN(1000000u << MIN(backoff, 6), 60000000u));
                                backoff++;
                                continue;
                        }
                        backoff = 0;
                }
                if (!send_one(db, config, me, &handled, &error)) {
                        rd_log_warning(LOG_DOMAIN, 0, "outbox: %s", error->message);
                        rd_db_rollback(db);
                        g_usleep(G_USEC_PER_SEC);
                        continue;
                }
                if (handled)
                        continue;
                if (once)
                        break;
                {
                        struct pollfd pfd = { .fd = rd_db_socket(db), .events = POLLIN };
                        guint64 wait = next_due_usec(db);

                        if (pfd.fd >= 0)
                                (void)poll(&pfd, 1, (int)(wait / 1000));
                        else
                                g_usleep(wait);
                        rd_db_drain_notifications(db);
                }
        }
        g_clear_pointer(&db, rd_db_free);
        _exit(0);
}
