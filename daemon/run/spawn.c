/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Starting the supervisor's children with exec (see spawn.h): the memfd
 * with the configuration and the child's own secrets, the clean
 * environment, and the child's side that reads them back. */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/base/child.h"
#include "daemon/base/log.h"
#include "daemon/config/mailbox.h"
#include "daemon/intake/imap-poller.h"
#include "daemon/replies/sender.h"
#include "daemon/web/web.h"
#include "spawn.h"
#include "worker.h"

#define LOG_DOMAIN "rd-manager"
#define HANDOVER_FD 3
#define HANDOVER_TYPE "(sa{ss})" /* the merged configuration, the secrets by name */
#define HANDOVER_MAX (16 * 1024 * 1024)

static const char *const kind_names[] = { "worker", "poller", "sender", "web" };

/* What a child may see of the supervisor's environment: locale, time
 * zone, the journal, thread limits, Tesseract's data, and what the test
 * and sanitizer builds need.  Never $CREDENTIALS_DIRECTORY, $NOTIFY_SOCKET
 * or anything else systemd or a shell put there. */
const char *const rd_spawn_env_keep[] = {
        "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "JOURNAL_STREAM", "OMP_THREAD_LIMIT",
        "TESSDATA_PREFIX", "G_DEBUG", "G_MESSAGES_DEBUG",
#ifdef RD_TEST_FAULTS
        "RD_TEST_FAULTS",
#endif
        "ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS", "MALLOC_PERTURB_", NULL,
};

static void
add_secret(GVariantBuilder *b, const char *name, const char *value)
{
        if (value != NULL)
                g_variant_builder_add(b, "{ss}", name, value);
}

static int
handover_fd(const RdConfig *config, RdChildKind kind, guint index, GError **error)
{
        g_autofree char *data = g_key_file_to_data(config->files.keyfile, NULL, NULL);
        GVariantBuilder secrets;
        const RdDbLogin *login;
        g_autoptr(GVariant) v = NULL;
        const guint8 *bytes;
        gsize len, done = 0;
        int fd;

        g_variant_builder_init(&secrets, G_VARIANT_TYPE("a{ss}"));
        /* a child with a login of its own never sees the daemon's password */
        login = kind == RD_CHILD_WORKER ? &config->db_worker : kind == RD_CHILD_SENDER ? &config->db_sender
              : kind == RD_CHILD_WEB ? &config->db_web : NULL;
        if (login != NULL && login->user != NULL) {
                add_secret(&secrets, "database-user", login->user);
                add_secret(&secrets, "database", login->password);
        } else {
                add_secret(&secrets, "database", config->db_password);
        }
        if (kind == RD_CHILD_POLLER && index < config->mailboxes->len)
                add_secret(&secrets, "mailbox",
                           ((const RdMailboxConfig *)g_ptr_array_index(config->mailboxes, index))->password);
        if (kind == RD_CHILD_SENDER && config->smtp != NULL)
                add_secret(&secrets, "smtp", config->smtp->password);
        v = g_variant_ref_sink(g_variant_new(HANDOVER_TYPE, data, &secrets));
        bytes = g_variant_get_data(v);
        len = g_variant_get_size(v);

        fd = memfd_create("referrald-handover", MFD_CLOEXEC);
        if (fd < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "memfd_create: %s", g_strerror(errno));
                return -1;
        }
        while (done < len) {
                ssize_t n = write(fd, bytes + done, len - done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "writing the handover: %s",
                                    g_strerror(errno));
                        close(fd);
                        return -1;
                }
                done += (gsize)n;
        }
        /* the supervisor's copy of the serialised secrets goes at once */
        explicit_bzero((void *)bytes, len);
        if (lseek(fd, 0, SEEK_SET) != 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "lseek: %s", g_strerror(errno));
                close(fd);
                return -1;
        }
        return fd;
}

pid_t
rd_spawn_child(const RdConfig *config, RdChildKind kind, guint index, gboolean once, GError **error)
{
        static char *exe;
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) envp = g_ptr_array_new_with_free_func(g_free);
        pid_t pid;
        int fd;

        /* the binary's path, not /proc/self/exe: the child's name (comm)
         * is the file's, and "referrald" is how a stale lease holder is
         * told from a reused pid */
        if (exe == NULL)
                exe = g_file_read_link("/proc/self/exe", error);
        if (exe == NULL)
                return -1;
        g_ptr_array_add(argv, g_strdup("referrald"));
        g_ptr_array_add(argv, g_strdup("--child"));
        g_ptr_array_add(argv, g_strdup(kind_names[kind]));
        g_ptr_array_add(argv, g_strdup_printf("%u", index));
        g_ptr_array_add(argv, g_strdup_printf("%d", (int)getpid()));
        g_ptr_array_add(argv, g_strdup(once ? "once" : "run"));
        g_ptr_array_add(argv, g_strdup(rd_log_is_verbose() ? "verbose" : "quiet"));
        g_ptr_array_add(argv, g_strdup(config->path));
        g_ptr_array_add(argv, NULL);
        g_ptr_array_add(envp, g_strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        for (guint i = 0; rd_spawn_env_keep[i] != NULL; i++) {
                const char *value = g_getenv(rd_spawn_env_keep[i]);

                if (value != NULL)
                        g_ptr_array_add(envp, g_strdup_printf("%s=%s", rd_spawn_env_keep[i], value));
        }
        g_ptr_array_add(envp, NULL);

        fd = handover_fd(config, kind, index, error);
        if (fd < 0)
                return -1;
        pid = fork();
        if (pid < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "fork: %s", g_strerror(errno));
                close(fd);
                return -1;
        }
        if (pid == 0) {
                /* only async-signal-safe calls from here to exec */
                if (fd == HANDOVER_FD)
                        (void)fcntl(fd, F_SETFD, 0);
                else if (dup2(fd, HANDOVER_FD) < 0)
                        _exit(127);
                /* nothing else of the supervisor's: its connection, sockets, watches */
                (void)close_range(HANDOVER_FD + 1, ~0U, 0);
                execve(exe, (char *const *)argv->pdata, (char *const *)envp->pdata);
                _exit(127);
        }
        close(fd);
        return pid;
}

/* ---- the child's side ----------------------------------------------------- */

static GBytes *
read_handover(GError **error)
{
        g_autoptr(GByteArray) buf = g_byte_array_new();
        guint8 chunk[8192];

        for (;;) {
                ssize_t n = read(HANDOVER_FD, chunk, sizeof chunk);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                                    "reading what the supervisor handed over: %s", g_strerror(errno));
                        return NULL;
                }
                if (n == 0)
                        break;
                if (buf->len + (gsize)n > HANDOVER_MAX) {
                        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the handover is too large");
                        return NULL;
                }
                g_byte_array_append(buf, chunk, (guint)n);
                explicit_bzero(chunk, sizeof chunk);
        }
        close(HANDOVER_FD);
        return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

static char *
take_secret(GVariant *secrets, const char *name)
{
        const char *value = NULL;

        if (!g_variant_lookup(secrets, name, "&s", &value))
                return NULL;
        return g_strdup(value);
}

void
rd_spawn_child_main(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) handover = NULL;
        g_autoptr(GVariant) v = NULL;
        g_autoptr(GVariant) secrets = NULL;
        const char *data = NULL;
        RdConfig *config;
        guint index;
        int kind = -1;

        /* referrald --child KIND INDEX MANAGER-PID once|run verbose|quiet CONFIG */
        if (argc != 8) {
                fprintf(stderr, "referrald: --child is started by the supervisor only\n");
                _exit(2);
        }
        for (gsize i = 0; i < G_N_ELEMENTS(kind_names); i++)
                if (strcmp(argv[2], kind_names[i]) == 0)
                        kind = (int)i;
        index = (guint)g_ascii_strtoull(argv[3], NULL, 10);
        rd_child_manager_pid = (pid_t)g_ascii_strtoll(argv[4], NULL, 10);
        rd_log_init("referrald", strcmp(argv[6], "verbose") == 0);
        if (kind < 0) {
                rd_log_err(LOG_DOMAIN, 0, "unknown child kind %s", argv[2]);
                _exit(2);
        }

        handover = read_handover(&error);
        if (handover != NULL) {
                v = g_variant_ref_sink(g_variant_new_from_bytes(G_VARIANT_TYPE(HANDOVER_TYPE), handover, FALSE));
                g_variant_get(v, "(&s@a{ss})", &data, &secrets);
                config = rd_config_load_data(argv[7], data, RD_CONFIG_LOAD_NO_SECRETS, &error);
        } else {
                config = NULL;
        }
        if (config == NULL) {
                rd_log_err(LOG_DOMAIN, 0, "%s %u: %s", argv[2], index, error->message);
                _exit(kind == RD_CHILD_WORKER ? RD_WORKER_EXIT_SETUP : 1);
        }
        config->db_password = take_secret(secrets, "database");
        config->db_process_user = take_secret(secrets, "database-user");
        if (kind == RD_CHILD_POLLER && index < config->mailboxes->len)
                ((RdMailboxConfig *)g_ptr_array_index(config->mailboxes, index))->password =
                        take_secret(secrets, "mailbox");
        if (kind == RD_CHILD_SENDER && config->smtp != NULL)
                config->smtp->password = take_secret(secrets, "smtp");
        /* the serialised copy goes; each secret now has one owner */
        g_clear_pointer(&secrets, g_variant_unref);
        g_clear_pointer(&v, g_variant_unref);
        {
                gsize len;
                const void *bytes = g_bytes_get_data(handover, &len);

                explicit_bzero((void *)bytes, len);
                g_clear_pointer(&handover, g_bytes_unref);
        }

        switch ((RdChildKind)kind) {
        case RD_CHILD_WORKER:
                rd_worker_run(config, index, strcmp(argv[5], "once") == 0);
        case RD_CHILD_POLLER:
                rd_imap_poller_run(config, index, strcmp(argv[5], "once") == 0);
        case RD_CHILD_SENDER:
                rd_sender_run(config, strcmp(argv[5], "once") == 0);
        case RD_CHILD_WEB:
                rd_web_run(config);
        }
        _exit(2);
}
