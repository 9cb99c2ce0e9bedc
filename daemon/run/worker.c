/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A worker process: resource limits, then lease an item, process it, store
 * the result, repeat. */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/store/db.h"
#include "daemon/base/child.h"
#include "daemon/base/log.h"
#include "daemon/base/sandbox.h"
#include "daemon/base/sanitizer.h"
#include "item.h"
#include "worker.h"

#define LOG_DOMAIN "rd-worker"


#ifdef RD_ASAN
#include <fcntl.h>
#include <sys/time.h>

static long rss_limit_pages;

static void
on_rss_tick(int sig)
{
        char buf[128];
        long size = 0, resident = 0;
        int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
        ssize_t n;
        char *p = buf;

        (void)sig;
        if (fd < 0)
                return;
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return;
        buf[n] = '\0';
        while (*p >= '0' && *p <= '9')
                size = size * 10 + (*p++ - '0');
        while (*p == ' ')
                p++;
        while (*p >= '0' && *p <= '9')
                resident = resident * 10 + (*p++ - '0');
        if (resident > rss_limit_pages)
                abort();
}

static void
limit_memory_by_sampling(guint64 bytes)
{
        struct sigaction sa = { 0 };
        struct itimerval it = { { 0, 20000 }, { 0, 20000 } };

        rss_limit_pages = (long)(bytes / (guint64)sysconf(_SC_PAGESIZE));
        sa.sa_handler = on_rss_tick;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGVTALRM, &sa, NULL);
        /* virtual time: ticks only while the worker runs */
        setitimer(ITIMER_VIRTUAL, &it, NULL);
}
#endif

char *
rd_worker_name(pid_t pid)
{
        return g_strdup_printf("%s/%d", g_get_host_name(), (int)pid);
}

static gboolean
set_limit(int resource, rlim_t soft, rlim_t hard)
{
        struct rlimit rl = { soft, hard };

        return setrlimit(resource, &rl) == 0;
}

/* As little privilege as the platform allows without root tricks: on
 * top of rd_child_setup(), a memory cap, no file writes, and a
 * different user when the supervisor runs as root. */
static gboolean
drop_privileges(const RdConfig *config, GError **error)
{
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) { /* checked here: the worker must have it */
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "no_new_privs: %s",
                            g_strerror(errno));
                return FALSE;
        }
#ifdef RD_ASAN
        limit_memory_by_sampling(config->worker_memory);
#else
        if (!set_limit(RLIMIT_AS, config->worker_memory, config->worker_memory)) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "RLIMIT_AS: %s",
                            g_strerror(errno));
                return FALSE;
        }
#endif
        /* the worker never writes files; but when stderr is a file (the
         * daemon run by hand or by a script, not by systemd, whose stderr
         * is the journal's socket) the limit would silently drop the
         * worker's log lines */
        {
                struct stat st;

                if (fstat(STDERR_FILENO, &st) < 0 || !S_ISREG(st.st_mode))
                        set_limit(RLIMIT_FSIZE, 0, 0);
        }
        signal(SIGXFSZ, SIG_IGN);

        if (geteuid() == 0 && config->worker_user != NULL) {
                struct passwd *pw = getpwnam(config->worker_user);

                if (pw == NULL) {
                        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "[workers] user %s: no such user",
                                    config->worker_user);
                        return FALSE;
                }
                if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
                        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "dropping to user %s: %s",
                                    config->worker_user, g_strerror(errno));
                        return FALSE;
                }
                /* a change of user clears the parent-death signal and
                 * resets dumpable: set both again */
                (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
                (void)prctl(PR_SET_DUMPABLE, 0);
        }
        return TRUE;
}

/* RLIMIT_CPU counts the whole life of the process; give each item its own
 * budget by moving the soft limit.  SIGXCPU then ends the worker, and the
 * supervisor charges the attempt to that item. */
static void
arm_cpu_budget(guint64 budget_usec)
{
        struct rusage ru;
        struct rlimit rl;
        rlim_t used;

        if (getrusage(RUSAGE_SELF, &ru) < 0 || getrlimit(RLIMIT_CPU, &rl) < 0)
                return;
        used = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1;
        rl.rlim_cur = used + MAX(budget_usec / G_USEC_PER_SEC, 1);
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
                rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_CPU, &rl);
}

static void
disarm_cpu_budget(void)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_CPU, &rl) == 0) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_CPU, &rl);
        }
}

static void
wait_for_work(RdDb *db, guint64 usec)
{
        struct pollfd pfd = { .fd = rd_db_socket(db), .events = POLLIN };
        int ms = (int)MIN(usec / 1000, 60000);

        if (pfd.fd < 0) {
                g_usleep(usec);
                return;
        }
        (void)poll(&pfd, 1, ms);
        rd_db_drain_notifications(db);
}

static void
handle_item(RdDb *db, RdProcessor *proc, const RdConfig *config, const char *me, RdLeasedItem *item)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdProcessResult) result = NULL;
        gint64 t0 = g_get_monotonic_time();
        gboolean permanent = FALSE;

        rd_log_debug(LOG_DOMAIN, item->id, "processing (attempt %u)", item->attempts);
        alarm((unsigned)MAX(config->item_timeout_usec / G_USEC_PER_SEC, 1));
        arm_cpu_budget(config->item_cpu_usec);
        result = rd_processor_run(proc, item, &permanent, &error);
        disarm_cpu_budget();
        alarm(0);

        if (result == NULL) {
                g_autoptr(GError) dberr = NULL;

                rd_log_warning(LOG_DOMAIN, item->id, "attempt %u failed: %s", item->attempts,
                               error->message);
                if (permanent ? !rd_db_mark_failed(db, item->id, me, error->message, &dberr) :
                                !rd_db_mark_attempt_failed(db, item->id, me, error->message, config->max_attempts,
                                                           config->retry_backoff_usec, &dberr))
                        rd_log_err(LOG_DOMAIN, item->id, "recording the failure: %s", dberr->message);
                return;
        }
        for (guint attempt = 0; attempt < 5; attempt++) {
                g_autoptr(GError) dberr = NULL;
                g_autoptr(GError) markerr = NULL;
                g_autofree char *reason = NULL;
                gboolean rejected;

                if (rd_processor_store(proc, db, item, result, me, &dberr)) {
                        rd_log_debug(LOG_DOMAIN, item->id, "done in %.1f s",
                                     (g_get_monotonic_time() - t0) / 1e6);
                        return;
                }
                rd_log_warning(LOG_DOMAIN, item->id, "storing the result: %s", dberr->message);
                if (g_error_matches(dberr, RD_DB_ERROR, RD_DB_ERROR_TRANSIENT)) {
                        /* the lease still holds the item; wait for the database */
                        g_usleep(G_USEC_PER_SEC << attempt);
                        continue;
                }
                /* the same result would fail the same way: say so now, not
                 * when the lease runs out.  A row the database rejects
                 * (23xxx, 22xxx) never fits: the item fails at once; any
                 * other error costs this attempt and the item is retried
                 * after the backoff */
                rejected = g_error_matches(dberr, RD_DB_ERROR, RD_DB_ERROR_REJECTED);
                reason = g_strdup_printf("storing the result: %s", dberr->message);
                if (rejected ? !rd_db_mark_failed(db, item->id, me, reason, &markerr)
                             : !rd_db_mark_attempt_failed(db, item->id, me, reason, config->max_attempts,
                                                          config->retry_backoff_usec, &markerr))
                        rd_log_err(LOG_DOMAIN, item->id, "recording the failure: %s", markerr->message);
                return;
        }
        /* the lease will expire and the item will be offered again */
}

/* Once the worker holds its database connection, the seccomp filter
 * takes away every other way out (daemon/base/sandbox.c). Log lines that
 * would open the journal's socket afterwards go to stderr, which under
 * systemd is the journal too. */
static gboolean
confine(RdDb *db, guint index)
{
        g_autoptr(GError) error = NULL;

        rd_log_debug(LOG_DOMAIN, 0, "worker %u: connected, entering the sandbox", index);
        if (!rd_sandbox_confine_worker(&error)) {
                rd_log_err(LOG_DOMAIN, 0, "worker %u: %s", index, error->message);
                return FALSE;
        }
        rd_db_forbid_reconnect(db);
        return TRUE;
}

/* A worker is what the kernel should kill first when memory runs out
 * (the unit says OOMPolicy=continue): its item costs one attempt, and the
 * supervisor, the pollers and the sender go on.  Raising one's own score
 * needs no privilege. */
#define RD_WORKER_OOM_SCORE_ADJ "500"

static void
raise_oom_score(void)
{
        int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

        if (fd < 0 || write(fd, RD_WORKER_OOM_SCORE_ADJ, strlen(RD_WORKER_OOM_SCORE_ADJ)) < 0)
                rd_log_debug(LOG_DOMAIN, 0, "oom_score_adj: %s", g_strerror(errno));
        if (fd >= 0)
                close(fd);
}

void
rd_worker_run(const RdConfig *config, guint index, gboolean once)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdProcessor) proc = NULL;
        g_autofree char *me = rd_worker_name(getpid());
        gboolean confined = FALSE;
        guint backoff = 1;

        rd_child_setup();
        raise_oom_score();

        if (!drop_privileges(config, &error)) {
                rd_log_err(LOG_DOMAIN, 0, "worker %u: %s", index, error->message);
                _exit(RD_WORKER_EXIT_SETUP);
        }
        proc = rd_processor_new(config, &error);
        if (proc == NULL) {
                rd_log_err(LOG_DOMAIN, 0, "worker %u: %s", index, error->message);
                _exit(RD_WORKER_EXIT_SETUP);
        }

        while (!rd_child_stop_requested) {
                g_autoptr(RdLeasedItem) item = NULL;

                g_clear_error(&error);
                if (db == NULL && confined)
                        _exit(RD_WORKER_EXIT_DB_LOST);
                if (db == NULL) {
                        /* its own login when [database] worker-user names one
                         * (the supervisor handed it that login and password) */
                        db = rd_db_connect_user(config->db_conninfo, config->db_process_user, config->db_password,
                                                RD_DB_ROLE_WORKER, &error);
                        if (db != NULL && !rd_db_listen(db, "rd_queue", &error))
                                g_clear_pointer(&db, rd_db_free);
                        if (db != NULL && !confine(db, index))
                                _exit(RD_WORKER_EXIT_SETUP);
                        confined = db != NULL;
                }
                if (db == NULL || !rd_db_lease(db, me, config->item_timeout_usec + 30 * G_USEC_PER_SEC, &item,
                                               &error)) {
                        rd_log_warning(LOG_DOMAIN, 0, "worker %u: %s; retrying in %u s", index,
                                       error ? error->message : "no database", backoff);
                        if (db != NULL && !rd_db_connected(db))
                                g_clear_pointer(&db, rd_db_free);
                        for (guint i = 0; i < backoff * 10 && !rd_child_stop_requested; i++)
                                g_usleep(G_USEC_PER_SEC / 10);
                        backoff = MIN(backoff * 2, 30);
                        continue;
                }
                backoff = 1;
                if (item == NULL) {
                        if (once)
                                break;
                        wait_for_work(db, config->poll_usec);
                        continue;
                }
                handle_item(db, proc, config, me, item);
        }
        g_clear_pointer(&proc, rd_processor_free);
        g_clear_pointer(&db, rd_db_free);
        _exit(RD_WORKER_EXIT_OK);
}
