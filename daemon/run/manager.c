/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The supervisor: sd-event loop, signals, the drop folder scan, and the
 * worker, poller and sender children with backoff. */
#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "daemon/base/child.h"
#include "daemon/config/mailbox.h"
#include "daemon/store/mailbox-state.h"
#include "daemon/store/db.h"
#include "daemon/store/purge.h"
#include "daemon/intake/dropdir.h"
#include "daemon/intake/imap-poller.h"
#include "daemon/base/log.h"
#include "daemon/replies/sender.h"
#include "daemon/web/web.h"
#include "manager.h"
#include "spawn.h"
#include "worker.h"

#define LOG_DOMAIN "rd-manager"
#define MAX_WORKERS 64

typedef struct {
        RdManager *manager;    /* borrowed back-pointer */
        guint index;
        pid_t pid;             /* 0 when not running */
        sd_event_source *child;
        gint64 started_usec;
        guint quick_deaths;    /* deaths soon after start, for restart backoff */
        gboolean done;         /* --once: exited after an empty queue */
} RdWorkerSlot;

/* One IMAP poller process per [mailbox.NAME] (imap-poller.c). */
typedef struct {
        RdManager *manager;    /* borrowed back-pointer */
        guint index;           /* into config->mailboxes */
        pid_t pid;             /* 0 when not running */
        sd_event_source *child;
        gint64 started_usec;
        guint quick_deaths;
        gboolean done;         /* --once: its one poll is over */
} RdPollerSlot;

struct RdManager {
        sd_event *event;
        RdConfig *config;       /* owned */
        RdDb *db;               /* owned: intake and bookkeeping connection */
        RdDropdir *dropdir;     /* owned */
        gboolean once;
        gboolean stopping;
        int exit_status;

        sd_event_source *inotify;
        sd_event_source *scan_timer;     /* next drop folder scan */
        sd_event_source *status_timer;   /* STATUS=, lease reaper */
        sd_event_source *stop_timer;     /* SIGKILL workers that overstay */
        sd_event_source *restart_timer;  /* restart dead workers with backoff */
        sd_event_source *purge_timer;    /* [retention]: daily purge */
        sd_event_source *sig_term, *sig_int, *sig_hup;

        RdWorkerSlot workers[MAX_WORKERS];
        guint n_workers;

        RdPollerSlot pollers[RD_MAILBOX_MAX];
        guint n_pollers;
        RdPollerSlot sender;    /* the outbox sender (sender.c), when [replies] is on */
        RdPollerSlot web;       /* the web interface (daemon/web), when [web] is there */
        gboolean intake_scanned;       /* --once: the drop folder is stored */

        gboolean db_ok;
        guint db_backoff_sec;
        char *last_error;              /* owned: shown in STATUS= */
};

static int arm_scan(RdManager *self, guint64 delay_usec);
static void start_worker(RdManager *self, RdWorkerSlot *slot);
static void once_start_workers(RdManager *self);
static guint running_pollers(RdManager *self);
static void start_pollers(RdManager *self);
static void start_sender(RdManager *self);
static void start_web(RdManager *self);
static void signal_pollers(RdManager *self, int sig);
static void resize_pollers(RdManager *self, guint n);

static void
set_last_error(RdManager *self, const char *message)
{
        g_free(self->last_error);
        self->last_error = g_strdup(message);
}

/* "; replies: 2 waiting, 1 failed, 1 uncertain" when any need attention */
static char *
outbox_status(RdManager *self)
{
        RdOutboxStats st;

        if (!rd_db_outbox_stats(self->db, &st, NULL))
                return NULL;
        return g_strdup_printf("; replies: %" G_GINT64_FORMAT " waiting, %" G_GINT64_FORMAT " failed, %"
                               G_GINT64_FORMAT " uncertain", st.waiting, st.failed, st.uncertain);
}

static void
notify_status(RdManager *self)
{
        RdQueueStats st = { 0 };
        g_autoptr(GError) error = NULL;
        g_autofree char *status = NULL;
        guint running = 0;

        for (guint i = 0; i < self->n_workers; i++)
                running += self->workers[i].pid > 0;
        if (self->db_ok && rd_db_queue_stats(self->db, &st, &error)) {
                /* IMAP pollers record their failures in the mailbox table */
                g_autofree char *mail_errors = self->n_pollers ? rd_db_mailbox_errors(self->db, NULL) : NULL;
                g_autofree char *replies = self->config->replies->enabled ? outbox_status(self) : NULL;

                status = g_strdup_printf("STATUS=%s%" G_GINT64_FORMAT " queued, %" G_GINT64_FORMAT
                                         " processing, %" G_GINT64_FORMAT " done, %" G_GINT64_FORMAT
                                         " failed, %" G_GINT64_FORMAT " quarantined; %u/%u workers%s%s%s%s%s",
                                         self->stopping ? "stopping: " : "", st.queued, st.processing,
                                         st.done, st.failed, st.quarantined, running, self->n_workers,
                                         replies ? replies : "",
                                         self->last_error ? "; last error: " : "",
                                         self->last_error ? self->last_error : "",
                                         mail_errors ? "; " : "", mail_errors ? mail_errors : "");
        } else {
                if (error)
                        self->db_ok = FALSE;
                status = g_strdup_printf("STATUS=database unavailable, files wait in the drop folder; "
                                         "%u/%u workers; last error: %s",
                                         running, self->n_workers,
                                         self->last_error ? self->last_error : (error ? error->message : "?"));
        }
        sd_notify(0, status);
}

/* Intake: store every settled file, then acknowledge it by renaming. */
static void
scan_now(RdManager *self)
{
        g_autoptr(GError) error = NULL;
        RdDropdirScan scan;

        if (self->stopping)
                return;
        if (!rd_db_ensure(self->db, &error) || !rd_dropdir_scan(self->dropdir, &scan, &error)) {
                gboolean db = error->domain == RD_DB_ERROR;

                if (db)
                        self->db_ok = FALSE;
                set_last_error(self, error->message);
                self->db_backoff_sec = CLAMP(self->db_backoff_sec * 2, 1, 60);
                rd_log_warning(LOG_DOMAIN, 0, "intake paused: %s; retrying in %u s", error->message,
                               self->db_backoff_sec);
                notify_status(self);
                arm_scan(self, (guint64)self->db_backoff_sec * G_USEC_PER_SEC);
                return;
        }
        if (!self->db_ok) {
                rd_log_info(LOG_DOMAIN, 0, "database reachable again, intake resumed");
                g_clear_pointer(&self->last_error, g_free);
        }
        self->db_ok = TRUE;
        self->db_backoff_sec = 0;
        if (scan.stored + scan.duplicates + scan.quarantined > 0) {
                rd_log_info(LOG_DOMAIN, 0, "drop folder: %u stored, %u duplicate, %u quarantined, %u waiting",
                            scan.stored, scan.duplicates, scan.quarantined, scan.unsettled);
                notify_status(self);
        }
        if (scan.next_usec > 0) {
                guint64 now = g_get_monotonic_time();
                arm_scan(self, scan.next_usec > now ? scan.next_usec - now : 0);
        } else if (!self->once) {
                arm_scan(self, self->config->rescan_usec);
        }
        if (self->once && scan.next_usec == 0) {
                /* everything on disk is stored: let the workers drain the queue */
                self->intake_scanned = TRUE;
                once_start_workers(self);
        }
}

static int
on_scan_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        (void)s;
        (void)usec;
        scan_now(userdata);
        return 0;
}

static int
arm_scan(RdManager *self, guint64 delay_usec)
{
        uint64_t now, when, current;
        int r;

        r = sd_event_now(self->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        when = now + delay_usec;
        if (self->scan_timer) {
                int enabled = 0;

                sd_event_source_get_enabled(self->scan_timer, &enabled);
                /* keep an earlier pending scan */
                if (enabled != SD_EVENT_OFF && sd_event_source_get_time(self->scan_timer, &current) >= 0 &&
                    current <= when)
                        return 0;
                sd_event_source_set_time(self->scan_timer, when);
                return sd_event_source_set_enabled(self->scan_timer, SD_EVENT_ONESHOT);
        }
        return sd_event_add_time(self->event, &self->scan_timer, CLOCK_MONOTONIC, when, 10000, on_scan_timer,
                                 self);
}

static int
on_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata)
{
        RdManager *self = userdata;

        (void)s;
        if (ev->mask & IN_Q_OVERFLOW) {
                rd_log_warning(LOG_DOMAIN, 0, "inotify queue overflowed, rescanning");
                return arm_scan(self, 0) < 0 ? 0 : 0;
        }
        if (ev->len > 0 && rd_dropdir_name_is_temporary(ev->name))
                return 0;
        /* a finished file: take it once it has settled */
        (void)arm_scan(self, self->config->settle_usec);
        return 0;
}

static gboolean
attach_inotify(RdManager *self, GError **error)
{
        int r;

        self->inotify = sd_event_source_disable_unref(self->inotify);
        r = sd_event_add_inotify(self->event, &self->inotify, self->config->drop_path,
                                 IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR, on_inotify, self);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "watching %s: %s",
                            self->config->drop_path, g_strerror(-r));
                return FALSE;
        }
        return TRUE;
}

/* Workers. */

static guint
running_workers(RdManager *self)
{
        guint n = 0;

        for (guint i = 0; i < self->n_workers; i++)
                n += self->workers[i].pid > 0;
        return n;
}

static void
maybe_finish(RdManager *self)
{
        gboolean all_done = TRUE;

        if (running_workers(self) > 0 || running_pollers(self) > 0)
                return;
        if (self->once && !self->stopping) {
                for (guint i = 0; i < self->n_workers; i++)
                        all_done &= self->workers[i].done;
                if (!all_done)
                        return;
                if (self->config->replies->enabled && !self->sender.done) {
                        /* the replies the workers queued go out before we leave */
                        start_sender(self);
                        if (self->sender.pid > 0)
                                return;
                }
        } else if (!self->stopping) {
                return;
        }
        sd_event_exit(self->event, self->exit_status);
}

static void
release_items_of(RdManager *self, pid_t pid, const char *reason, gboolean count_attempt)
{
        g_autofree char *name = rd_worker_name(pid);
        g_autoptr(GError) error = NULL;
        guint n = 0;

        if (!rd_db_release_worker(self->db, name, reason, count_attempt, self->config->max_attempts,
                                  self->config->retry_backoff_usec, &n, &error)) {
                /* the lease deadline returns the item to the queue later */
                rd_log_warning(LOG_DOMAIN, 0, "releasing items of worker %d: %s", (int)pid, error->message);
                return;
        }
        if (n > 0)
                rd_log_info(LOG_DOMAIN, 0, "released %u item(s) of worker %d: %s", n, (int)pid, reason);
}

static int on_restart_timer(sd_event_source *s, uint64_t usec, void *userdata);

static gboolean
is_our_worker(RdManager *self, pid_t pid)
{
        for (guint i = 0; i < MAX_WORKERS; i++)
                if (self->workers[i].pid == pid)
                        return TRUE;
        return FALSE;
}

/* Leases held by workers of this host that no longer exist (the whole
 * daemon was killed and restarted) go back to the queue now, not when
 * their deadline passes. */
static void
release_orphaned_leases(RdManager *self)
{
        g_autofree char *prefix = g_strdup_printf("%s/", g_get_host_name());
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) holders = rd_db_lease_holders(self->db, prefix, &error);

        if (holders == NULL) {
                rd_log_warning(LOG_DOMAIN, 0, "looking for orphaned leases: %s", error->message);
                return;
        }
        for (guint r = 0; holders[r] != NULL; r++) {
                const char *owner = holders[r];
                const char *slash = owner ? strrchr(owner, '/') : NULL;
                pid_t pid = slash ? (pid_t)g_ascii_strtoll(slash + 1, NULL, 10) : 0;

                if (pid <= 0 || is_our_worker(self, pid))
                        continue;
                if (kill(pid, 0) == 0 || errno != ESRCH) {
                        /* alive: another instance's worker on this host, or a pid reused */
                        g_autofree char *comm_path = g_strdup_printf("/proc/%d/comm", (int)pid);
                        g_autofree char *comm = NULL;

                        if (g_file_get_contents(comm_path, &comm, NULL, NULL) &&
                            g_str_has_prefix(comm, "referrald"))
                                continue;
                }
                release_items_of(self, pid, "worker gone: the daemon was restarted", TRUE);
        }
}

static void
schedule_restart(RdManager *self, guint64 delay_usec)
{
        uint64_t now;

        sd_event_now(self->event, CLOCK_MONOTONIC, &now);
        if (self->restart_timer) {
                uint64_t current;
                int enabled = 0;

                sd_event_source_get_enabled(self->restart_timer, &enabled);
                if (enabled != SD_EVENT_OFF && sd_event_source_get_time(self->restart_timer, &current) >= 0 &&
                    current <= now + delay_usec)
                        return;
                sd_event_source_set_time(self->restart_timer, now + delay_usec);
                sd_event_source_set_enabled(self->restart_timer, SD_EVENT_ONESHOT);
                return;
        }
        sd_event_add_time(self->event, &self->restart_timer, CLOCK_MONOTONIC, now + delay_usec, 10000,
                          on_restart_timer, self);
}

static int
on_worker_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
        RdWorkerSlot *slot = userdata;
        RdManager *self = slot->manager;
        gboolean clean = si->si_code == CLD_EXITED && si->si_status == RD_WORKER_EXIT_OK;
        g_autofree char *reason = NULL;

        (void)s;
        slot->child = sd_event_source_unref(slot->child);
        if (si->si_code == CLD_EXITED)
                reason = g_strdup_printf("worker exited with status %d", si->si_status);
        else
                reason = g_strdup_printf("worker killed by signal %d (%s)", si->si_status,
                                         si->si_status == SIGXCPU ? "CPU time limit" :
                                         si->si_status == SIGALRM ? "time limit" :
                                         si->si_status == SIGKILL ? "killed" :
                                         si->si_status == SIGABRT ? "aborted, e.g. out of memory" :
                                         si->si_status == SIGSEGV ? "crashed" :
                                         si->si_status == SIGSYS ? "a forbidden system call" : "signal");

        /* an item it held cost one attempt, unless we stopped it ourselves */
        release_items_of(self, slot->pid, reason, !(self->stopping && si->si_status == SIGKILL));
        if (!clean) {
                rd_log_warning(LOG_DOMAIN, 0, "worker %u (pid %d): %s", slot->index, (int)slot->pid, reason);
                set_last_error(self, reason);
        }
        if (clean && self->once)
                slot->done = TRUE;
        if (si->si_code == CLD_EXITED && si->si_status == RD_WORKER_EXIT_SETUP && self->once) {
                /* a worker that cannot set itself up will not do better on retry */
                slot->done = TRUE;
                self->exit_status = 1;
        }
        if (g_get_monotonic_time() - slot->started_usec < 10 * G_USEC_PER_SEC && !clean)
                slot->quick_deaths++;
        else
                slot->quick_deaths = 0;
        slot->pid = 0;

        if (!self->stopping && !slot->done && !(clean && !self->once)) {
                guint64 delay = (guint64)100000 << MIN(slot->quick_deaths, 9); /* 0.1 s .. 51 s */
                schedule_restart(self, delay);
        } else if (!self->stopping && clean && !self->once) {
                /* asked to leave (reload): start the replacement at once */
                schedule_restart(self, 0);
        }
        notify_status(self);
        maybe_finish(self);
        return 0;
}

/* Every child is a fresh referrald (spawn.c): exec'd from a clean
 * environment with only its own secrets, never a copy of this process. */
static pid_t
spawn(RdManager *self, RdChildKind kind, guint index)
{
        g_autoptr(GError) error = NULL;
        pid_t pid = rd_spawn_child(self->config, kind, index, self->once, &error);

        if (pid < 0) {
                rd_log_err(LOG_DOMAIN, 0, "starting a child: %s", error->message);
                schedule_restart(self, 5 * G_USEC_PER_SEC);
        }
        return pid;
}

static void
start_worker(RdManager *self, RdWorkerSlot *slot)
{
        pid_t pid;
        int r;

        pid = spawn(self, RD_CHILD_WORKER, slot->index);
        if (pid < 0)
                return;
        slot->pid = pid;
        slot->started_usec = g_get_monotonic_time();
        r = sd_event_add_child(self->event, &slot->child, pid, WEXITED, on_worker_exit, slot);
        if (r < 0)
                rd_log_err(LOG_DOMAIN, 0, "watching worker %d: %s", (int)pid, g_strerror(-r));
        rd_log_debug(LOG_DOMAIN, 0, "worker %u started (pid %d)", slot->index, (int)pid);
}

static int
on_restart_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        RdManager *self = userdata;

        (void)s;
        (void)usec;
        if (self->stopping)
                return 0;
        for (guint i = 0; i < self->n_workers; i++)
                if (self->workers[i].pid == 0 && !self->workers[i].done)
                        start_worker(self, &self->workers[i]);
        start_pollers(self);
        return 0;
}

static void
signal_workers(RdManager *self, int sig)
{
        for (guint i = 0; i < MAX_WORKERS; i++)
                if (self->workers[i].pid > 0)
                        kill(self->workers[i].pid, sig);
}

static int
on_stop_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        RdManager *self = userdata;

        (void)s;
        (void)usec;
        rd_log_warning(LOG_DOMAIN, 0, "workers did not stop in time, killing them");
        signal_workers(self, SIGKILL);
        signal_pollers(self, SIGKILL);
        return 0;
}

static void
begin_stop(RdManager *self, const char *why)
{
        uint64_t now;

        if (self->stopping)
                return;
        self->stopping = TRUE;
        rd_log_info(LOG_DOMAIN, 0, "stopping (%s)", why);
        sd_notify(0, "STOPPING=1");
        notify_status(self);
        sd_event_source_set_enabled(self->scan_timer, SD_EVENT_OFF);
        sd_event_source_set_enabled(self->inotify, SD_EVENT_OFF);
        signal_workers(self, SIGTERM);
        signal_pollers(self, SIGTERM);
        sd_event_now(self->event, CLOCK_MONOTONIC, &now);
        /* leave a margin inside systemd's TimeoutStopSec for the SIGKILL path */
        sd_event_add_time(self->event, &self->stop_timer, CLOCK_MONOTONIC,
                          now + self->config->stop_timeout_usec * 2 / 3, 10000, on_stop_timer, self);
        maybe_finish(self);
}

static int
on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        (void)s;
        begin_stop(userdata, si->ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
        return 0;
}

static void
resize_workers(RdManager *self, guint n)
{
        for (guint i = self->n_workers; i < n; i++) {
                self->workers[i].manager = self;
                self->workers[i].index = i;
                self->workers[i].done = FALSE;
        }
        self->n_workers = n;
}

static int
on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        RdManager *self = userdata;
        g_autoptr(GError) error = NULL;
        RdConfig *fresh;

        (void)s;
        (void)si;
        sd_notify(0, "RELOADING=1");
        fresh = rd_config_load(self->config->path, &error);
        if (fresh == NULL) {
                rd_log_err(LOG_DOMAIN, 0, "reload refused, keeping the running configuration: %s",
                           error->message);
                set_last_error(self, error->message);
                sd_notify(0, "READY=1");
                return 0;
        }
        rd_config_free(self->config);
        self->config = fresh;
        rd_dropdir_set_config(self->dropdir, self->config);
        if (!rd_dropdir_prepare(self->dropdir, &error) || !attach_inotify(self, &error)) {
                rd_log_err(LOG_DOMAIN, 0, "reload: %s", error->message);
                set_last_error(self, error->message);
        }
        /* workers hold a copy of the old configuration: let each finish its
         * item and come back with the new one */
        for (guint i = self->config->n_workers; i < self->n_workers; i++)
                self->workers[i].done = TRUE;
        resize_workers(self, self->config->n_workers);
        signal_workers(self, SIGTERM);
        for (guint i = 0; i < self->n_workers; i++)
                if (self->workers[i].pid == 0)
                        self->workers[i].done = FALSE;
        /* pollers too: each comes back with its mailbox's new settings */
        resize_pollers(self, self->config->mailboxes->len);
        signal_pollers(self, SIGTERM);
        schedule_restart(self, 0);
        arm_scan(self, 0);
        rd_log_info(LOG_DOMAIN, 0, "configuration reloaded");
        sd_notify(0, "READY=1");
        return 0;
}

static int
on_status_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        RdManager *self = userdata;
        g_autoptr(GError) error = NULL;
        guint n = 0;

        (void)s;
        if (self->db_ok && !rd_db_reap_expired(self->db, self->config->max_attempts,
                                               self->config->retry_backoff_usec, &n, &error)) {
                self->db_ok = FALSE;
                set_last_error(self, error->message);
        } else if (n > 0) {
                rd_log_warning(LOG_DOMAIN, 0, "%u item lease(s) expired, requeued", n);
        }
        if (self->db_ok)
                release_orphaned_leases(self);
        if (!self->db_ok) {
                g_clear_error(&error);
                if (rd_db_ensure(self->db, &error)) {
                        self->db_ok = TRUE;
                        arm_scan(self, 0);
                }
        }
        notify_status(self);
        sd_event_source_set_time(s, usec + 5 * G_USEC_PER_SEC);
        return 0;
}

/* [retention]: what is past its time goes, daily, the first time soon
 * after the start (a daemon restarted daily still purges).  One purge at
 * a time across instances (an advisory lock in rd_purge()). */
#define PURGE_FIRST_USEC ((uint64_t)30 * G_USEC_PER_SEC)
#define PURGE_EVERY_USEC ((uint64_t)24 * 3600 * G_USEC_PER_SEC)

static int
on_purge_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        RdManager *self = userdata;
        g_autoptr(GError) error = NULL;
        RdPurgeStats st;

        if (self->stopping || !self->config->auto_purge)
                return 0;
        if (!self->db_ok || !rd_db_ensure(self->db, &error)) {
                /* the database is away: try again in an hour */
                sd_event_source_set_time(s, usec + (uint64_t)3600 * G_USEC_PER_SEC);
                return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0 ? 0 : 0;
        }
        if (!rd_store_purge(self->db, self->config, FALSE, &st, &error)) {
                rd_log_warning(LOG_DOMAIN, 0, "%s; trying again in an hour", error->message);
                set_last_error(self, error->message);
                sd_event_source_set_time(s, usec + (uint64_t)3600 * G_USEC_PER_SEC);
        } else {
                rd_log_info(LOG_DOMAIN, 0,
                            "purge: %" G_GINT64_FORMAT " referral(s), the origin of %" G_GINT64_FORMAT
                            " item(s), the bytes of %" G_GINT64_FORMAT " item(s), the page text of %" G_GINT64_FORMAT
                            " item(s), %u spool file(s) past [retention]",
                            st.referrals, st.items, st.raw, st.pages, st.files);
                sd_event_source_set_time(s, usec + PURGE_EVERY_USEC);
        }
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0 ? 0 : 0;
}

/* Mailbox pollers (IMAP intake): one process per [mailbox.NAME],
 * restarted with backoff like the workers.  With --once each polls once
 * and the workers start only when all of them are done. */

static guint
running_pollers(RdManager *self)
{
        guint n = 0;

        for (guint i = 0; i < RD_MAILBOX_MAX; i++)
                n += self->pollers[i].pid > 0;
        return n + (self->sender.pid > 0) + (self->web.pid > 0);
}

static void
signal_pollers(RdManager *self, int sig)
{
        for (guint i = 0; i < RD_MAILBOX_MAX; i++)
                if (self->pollers[i].pid > 0)
                        kill(self->pollers[i].pid, sig);
        if (self->sender.pid > 0)
                kill(self->sender.pid, sig);
        if (self->web.pid > 0)
                kill(self->web.pid, sig);
}

static void
resize_pollers(RdManager *self, guint n)
{
        for (guint i = 0; i < RD_MAILBOX_MAX; i++) {
                self->pollers[i].manager = self;
                self->pollers[i].index = i;
        }
        self->n_pollers = MIN(n, RD_MAILBOX_MAX);
}

static void
once_start_workers(RdManager *self)
{
        for (guint i = 0; i < self->n_pollers; i++)
                if (!self->pollers[i].done)
                        return;
        if (!self->intake_scanned)
                return;
        for (guint i = 0; i < self->n_workers; i++)
                if (self->workers[i].pid == 0 && !self->workers[i].done)
                        start_worker(self, &self->workers[i]);
        maybe_finish(self);
}

/* A mailbox poller or the outbox sender left: say why unless it left
 * cleanly (exit status ok_status) or we stopped it, and count a quick
 * death for the restart backoff.  Returns the restart delay; the caller
 * decides whether to restart. */
static guint64
helper_exited(RdManager *self, RdPollerSlot *slot, const siginfo_t *si, int ok_status, const char *what)
{
        gboolean clean = si->si_code == CLD_EXITED && si->si_status == ok_status;

        slot->child = sd_event_source_unref(slot->child);
        if (!clean && !(self->stopping && si->si_code != CLD_EXITED)) {
                g_autofree char *reason = si->si_code == CLD_EXITED ?
                        g_strdup_printf("%s exited with status %d", what, si->si_status) :
                        g_strdup_printf("%s killed by signal %d", what, si->si_status);

                rd_log_warning(LOG_DOMAIN, 0, "%s", reason);
                set_last_error(self, reason);
        }
        if (g_get_monotonic_time() - slot->started_usec < 10 * G_USEC_PER_SEC && !clean)
                slot->quick_deaths++;
        else
                slot->quick_deaths = 0;
        slot->pid = 0;
        if (self->once) {
                slot->done = TRUE;
                if (!clean)
                        self->exit_status = 1;
        }
        /* clean: asked to leave on reload, back at once; else 0.1 s .. 51 s */
        return clean ? 0 : (guint64)100000 << MIN(slot->quick_deaths, 9);
}

static int
on_poller_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
        RdPollerSlot *slot = userdata;
        RdManager *self = slot->manager;
        g_autofree char *what = g_strdup_printf("mailbox poller %u", slot->index);
        guint64 delay = helper_exited(self, slot, si, RD_POLLER_EXIT_OK, what);

        (void)s;
        if (self->once) {
                if (!self->stopping)
                        once_start_workers(self);
        } else if (!self->stopping && slot->index < self->n_pollers) {
                schedule_restart(self, delay);
        }
        maybe_finish(self);
        return 0;
}

static void
start_poller(RdManager *self, RdPollerSlot *slot)
{
        pid_t pid = spawn(self, RD_CHILD_POLLER, slot->index);
        int r;

        if (pid < 0)
                return;
        slot->pid = pid;
        slot->started_usec = g_get_monotonic_time();
        r = sd_event_add_child(self->event, &slot->child, pid, WEXITED, on_poller_exit, slot);
        if (r < 0)
                rd_log_err(LOG_DOMAIN, 0, "watching mailbox poller %d: %s", (int)pid, g_strerror(-r));
}

static void
start_pollers(RdManager *self)
{
        if (self->stopping)
                return;
        for (guint i = 0; i < self->n_pollers; i++)
                if (self->pollers[i].pid == 0 && !self->pollers[i].done)
                        start_poller(self, &self->pollers[i]);
        if (!self->once && self->config->replies->enabled && self->sender.pid == 0)
                start_sender(self);
        if (!self->once && self->config->web != NULL && self->web.pid == 0)
                start_web(self);
}

/* The outbox sender and the web interface: one process each, restarted
 * with backoff like a poller.  With --once the sender runs after the
 * workers, sends what is due and leaves; the web interface never runs
 * with --once. */
static int
on_helper_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
        RdPollerSlot *slot = userdata;
        RdManager *self = slot->manager;
        gboolean web = slot == &self->web;
        guint64 delay = helper_exited(self, slot, si, 0, web ? "web interface" : "outbox sender");

        (void)s;
        if (!self->once && !self->stopping)
                schedule_restart(self, delay);
        maybe_finish(self);
        return 0;
}

static void
start_helper(RdManager *self, RdPollerSlot *slot)
{
        gboolean web = slot == &self->web;
        pid_t pid;
        int r;

        if (self->stopping || slot->pid > 0)
                return;
        pid = spawn(self, web ? RD_CHILD_WEB : RD_CHILD_SENDER, 0);
        if (pid < 0)
                return;
        slot->manager = self;
        slot->pid = pid;
        slot->started_usec = g_get_monotonic_time();
        r = sd_event_add_child(self->event, &slot->child, pid, WEXITED, on_helper_exit, slot);
        if (r < 0)
                rd_log_err(LOG_DOMAIN, 0, "watching the %s %d: %s", web ? "web interface" : "outbox sender",
                           (int)pid, g_strerror(-r));
}

static void
start_sender(RdManager *self)
{
        start_helper(self, &self->sender);
}

static void
start_web(RdManager *self)
{
        start_helper(self, &self->web);
}

RdManager *
rd_manager_new(RdConfig *config, gboolean once, GError **error)
{
        g_autoptr(RdManager) self = g_new0(RdManager, 1);
        sigset_t mask;
        uint64_t now;
        int r;

        self->config = config;
        self->once = once;
        rd_child_manager_pid = getpid();
        r = sd_event_default(&self->event);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "sd_event: %s", g_strerror(-r));
                return NULL;
        }
        sd_event_set_watchdog(self->event, TRUE);

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sd_event_add_signal(self->event, &self->sig_term, SIGTERM, on_sigterm, self);
        sd_event_add_signal(self->event, &self->sig_int, SIGINT, on_sigterm, self);
        sd_event_add_signal(self->event, &self->sig_hup, SIGHUP, on_sighup, self);
        signal(SIGPIPE, SIG_IGN);

        /* migrations as the login (they act as referrald_owner themselves),
         * then intake and bookkeeping as referrald_intake */
        self->db = rd_db_connect(config->db_conninfo, config->db_password, NULL, error);
        if (self->db == NULL)
                return NULL;
        if (!rd_db_migrate(self->db, NULL, error) || !rd_db_set_role(self->db, RD_DB_ROLE_INTAKE, error))
                return NULL;
        self->db_ok = TRUE;
        self->dropdir = rd_dropdir_new(config, self->db);
        if (!rd_dropdir_prepare(self->dropdir, error))
                return NULL;
        if (!once && !attach_inotify(self, error))
                return NULL;
        resize_workers(self, config->n_workers);
        resize_pollers(self, config->mailboxes->len);

        sd_event_now(self->event, CLOCK_MONOTONIC, &now);
        sd_event_add_time(self->event, &self->status_timer, CLOCK_MONOTONIC, now + 5 * G_USEC_PER_SEC,
                          G_USEC_PER_SEC, on_status_timer, self);
        sd_event_source_set_enabled(self->status_timer, SD_EVENT_ON);
        if (!once)
                sd_event_add_time(self->event, &self->purge_timer, CLOCK_MONOTONIC, now + PURGE_FIRST_USEC,
                                  G_USEC_PER_SEC, on_purge_timer, self);
        return g_steal_pointer(&self);
}

void
rd_manager_free(RdManager *self)
{
        if (self == NULL)
                return;
        for (guint i = 0; i < MAX_WORKERS; i++)
                sd_event_source_disable_unref(self->workers[i].child);
        for (guint i = 0; i < RD_MAILBOX_MAX; i++)
                sd_event_source_disable_unref(self->pollers[i].child);
        sd_event_source_disable_unref(self->inotify);
        sd_event_source_disable_unref(self->scan_timer);
        sd_event_source_disable_unref(self->status_timer);
        sd_event_source_disable_unref(self->stop_timer);
        sd_event_source_disable_unref(self->restart_timer);
        sd_event_source_disable_unref(self->purge_timer);
        sd_event_source_disable_unref(self->sig_term);
        sd_event_source_disable_unref(self->sig_int);
        sd_event_source_disable_unref(self->sig_hup);
        rd_dropdir_free(self->dropdir);
        rd_db_free(self->db);
        rd_config_free(self->config);
        sd_event_unref(self->event);
        g_free(self->last_error);
        g_free(self);
}

int
rd_manager_run(RdManager *self)
{
        int r;

        /* READY=1 once the configuration loaded and the database answered */
        sd_notify(0, "READY=1");
        rd_log_info(LOG_DOMAIN, 0, "started with %u worker(s)%s", self->n_workers, self->once ? ", once" : "");
        notify_status(self);
        release_orphaned_leases(self);
        /* with --once the pollers fetch first, then the workers drain */
        start_pollers(self);
        scan_now(self);
        if (!self->once)
                for (guint i = 0; i < self->n_workers; i++)
                        start_worker(self, &self->workers[i]);
        r = sd_event_loop(self->event);
        /* whatever a worker still held goes back, at no cost to the item */
        for (guint i = 0; i < MAX_WORKERS; i++)
                if (self->workers[i].pid > 0)
                        kill(self->workers[i].pid, SIGKILL);
        signal_pollers(self, SIGKILL);
        rd_log_info(LOG_DOMAIN, 0, "stopped");
        return r < 0 ? 1 : r;
}
