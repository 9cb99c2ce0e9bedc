/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The drop folder: settled files stored as items, then moved to processed/ or
 * quarantine/. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dropdir.h"
#include "daemon/base/log.h"
#include "parsers/sniff.h"

#define LOG_DOMAIN "rd-dropdir"

/* What a scan saw of a file, to tell when it stopped changing. */
typedef struct {
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime;
        guint64 since_usec; /* CLOCK_MONOTONIC: first seen like this */
} RdSeen;

struct RdDropdir {
        const RdConfig *config; /* borrowed from RdManager */
        RdDb *db;               /* borrowed */
        GHashTable *seen;       /* owned: file name -> RdSeen*, the files of the last scan */
        gboolean lease_refused_logged;
};

RdDropdir *
rd_dropdir_new(const RdConfig *config, RdDb *db)
{
        RdDropdir *self = g_new0(RdDropdir, 1);

        self->config = config;
        self->db = db;
        self->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        return self;
}

void
rd_dropdir_free(RdDropdir *self)
{
        if (self == NULL)
                return;
        g_hash_table_unref(self->seen);
        g_free(self);
}

void
rd_dropdir_set_config(RdDropdir *self, const RdConfig *config)
{
        self->config = config;
}

gboolean
rd_dropdir_name_is_temporary(const char *name)
{
        static const char *const suffixes[] = {
                ".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload", ".swp", "~",
                ".lock", ".inprogress",
        };
        g_autofree char *lower = g_ascii_strdown(name, -1);

        if (name[0] == '.' || name[0] == '\0')
                return TRUE;
        for (gsize i = 0; i < G_N_ELEMENTS(suffixes); i++)
                if (g_str_has_suffix(lower, suffixes[i]))
                        return TRUE;
        return g_str_has_prefix(lower, "~$") || g_str_has_prefix(lower, "tmp.");
}

char *
rd_dropdir_safe_name(const char *name)
{
        GString *out = g_string_new(NULL);

        for (const char *p = name; *p && out->len < 80; p++) {
                char c = *p;

                if (g_ascii_isalnum(c) || c == '-' || c == '_' || (c == '.' && out->len > 0))
                        g_string_append_c(out, c);
                else
                        g_string_append_c(out, '_');
        }
        if (out->len == 0)
                g_string_append(out, "file");
        return g_string_free(out, FALSE);
}

gboolean
rd_dropdir_prepare(RdDropdir *self, GError **error)
{
        const char *dirs[] = { self->config->processed_path, self->config->quarantine_path };
        struct stat st;

        if (stat(self->config->drop_path, &st) < 0 || !S_ISDIR(st.st_mode)) {
                int e = errno ? errno : ENOTDIR;
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "drop folder %s: %s",
                            self->config->drop_path, g_strerror(e));
                return FALSE;
        }
        for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
                if (g_mkdir_with_parents(dirs[i], 0750) < 0) {
                        int e = errno;
                        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "creating %s: %s",
                                    dirs[i], g_strerror(e));
                        return FALSE;
                }
        }
        return TRUE;
}

static guint64
now_realtime_usec(void)
{
        return (guint64)g_get_real_time();
}

/* Move into dir as "<item>-<safe name>" without ever replacing a file. */
static gboolean
move_into(const char *from_dir, const char *name, const char *to_dir, gint64 item_id, GError **error)
{
        g_autofree char *safe = rd_dropdir_safe_name(name);
        g_autofree char *src = g_build_filename(from_dir, name, NULL);

        for (guint n = 0; n < 1000; n++) {
                g_autofree char *base = n == 0 ? g_strdup_printf("%" G_GINT64_FORMAT "-%s", item_id, safe) :
                                                 g_strdup_printf("%" G_GINT64_FORMAT "-%u-%s", item_id, n, safe);
                g_autofree char *dst = g_build_filename(to_dir, base, NULL);

                /* renameat2(RENAME_NOREPLACE): atomic, and never clobbers */
                if (renameat2(AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
                        return TRUE;
                if (errno == EEXIST)
                        continue;
                if (errno == ENOENT && access(src, F_OK) < 0)
                        return TRUE; /* another instance sharing the folder moved it first */
                if (errno == EINVAL) {
                        /* file system without RENAME_NOREPLACE: link + unlink is as safe */
                        if (link(src, dst) == 0) {
                                unlink(src);
                                return TRUE;
                        }
                        if (errno == EEXIST)
                                continue;
                }
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "moving item %" G_GINT64_FORMAT
                            " into %s: %s", item_id, to_dir, g_strerror(errno));
                return FALSE;
        }
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST, "moving item %" G_GINT64_FORMAT ": too many names taken",
                    item_id);
        return FALSE;
}

typedef enum {
        WRITERS_NONE,    /* nobody has it open for writing */
        WRITERS_SOME,    /* somebody still has it open for writing */
        WRITERS_UNKNOWN, /* the kernel will not tell us */
} Writers;

/* Is anybody still writing the file?  A read lease is refused (EAGAIN)
 * while any process has it open for writing (fcntl(2) F_SETLEASE).  It
 * needs file ownership or CAP_LEASE, which referrald does not have when
 * the gateway owns its files, as the README sets it up (EACCES); some
 * file systems (NFS, SMB) have no leases at all (EINVAL). */
static Writers
writers_of(int fd)
{
        if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
                return errno == EAGAIN ? WRITERS_SOME : WRITERS_UNKNOWN;
        (void)fcntl(fd, F_SETLEASE, F_UNLCK);
        return WRITERS_NONE;
}

/* Without a lease, a file is taken once this scan and an earlier one, at
 * least settle-time apart on our own clock, saw the same file (device,
 * inode), size and modification time.  The modification time alone is
 * not enough: it comes from the writer's clock (a share whose server
 * clock lags, a copy that keeps the original's times).  Returns the
 * CLOCK_MONOTONIC time it may be ready, or 0 when it is. */
static guint64
unchanged_since(RdDropdir *self, const char *name, const struct stat *st)
{
        guint64 now = (guint64)g_get_monotonic_time();
        RdSeen *seen = g_hash_table_lookup(self->seen, name);

        if (seen == NULL || seen->dev != st->st_dev || seen->ino != st->st_ino || seen->size != st->st_size ||
            seen->mtime.tv_sec != st->st_mtim.tv_sec || seen->mtime.tv_nsec != st->st_mtim.tv_nsec) {
                seen = g_new0(RdSeen, 1);
                seen->dev = st->st_dev;
                seen->ino = st->st_ino;
                seen->size = st->st_size;
                seen->mtime = st->st_mtim;
                seen->since_usec = now;
                g_hash_table_replace(self->seen, g_strdup(name), seen);
        }
        return seen->since_usec + self->config->settle_usec > now ? seen->since_usec + self->config->settle_usec : 0;
}

typedef enum {
        TAKE_DONE,
        TAKE_SKIP,     /* not a file of ours, or vanished */
        TAKE_UNSETTLED,
        TAKE_DB_ERROR,
} TakeResult;

/* Reads the whole file into @data (its size was taken in @st; NULL:
 * only hash it), feeding @sum. TAKE_DONE when read and unchanged since @st,
 * TAKE_UNSETTLED when it changed meanwhile (still being written),
 * TAKE_SKIP when reading failed (left in place for the next scan). */
static TakeResult
read_unchanged(int fd, const struct stat *st, guint8 *data, GChecksum *sum, guint64 *ret_got)
{
        struct stat st2;
        guint64 got = 0;

        for (;;) {
                guint8 buf[65536];
                guint8 *dst = data ? data + got : buf;
                gsize want = data ? MIN(sizeof buf, (gsize)st->st_size - got) : sizeof buf;
                ssize_t n;

                if (data && want == 0)
                        break;
                n = read(fd, dst, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        rd_log_warning(LOG_DOMAIN, 0, "reading a dropped file failed: %s", g_strerror(errno));
                        return TAKE_SKIP;
                }
                if (n == 0)
                        break;
                g_checksum_update(sum, dst, n);
                got += n;
        }
        *ret_got = got;
        if (fstat(fd, &st2) < 0 || st2.st_size != st->st_size || (guint64)st->st_size != got ||
            st2.st_mtim.tv_sec != st->st_mtim.tv_sec || st2.st_mtim.tv_nsec != st->st_mtim.tv_nsec)
                return TAKE_UNSETTLED;
        return TAKE_DONE;
}

/* Logs and counts what storing one file came to. */
static void
count_outcome(RdDropdirScan *scan, const RdStoreResult *res, const char *reason, guint64 got,
              const char *media)
{
        switch (res->outcome) {
        case RD_STORE_NEW:
                if (res->quarantined) {
                        rd_log_warning(LOG_DOMAIN, res->item_id, "quarantined: %s", reason);
                        scan->quarantined++;
                } else {
                        rd_log_info(LOG_DOMAIN, res->item_id, "stored %" G_GUINT64_FORMAT " bytes (%s)", got,
                                    media);
                        scan->stored++;
                }
                break;
        case RD_STORE_DUPLICATE:
                rd_log_info(LOG_DOMAIN, res->item_id, "duplicate of a stored item");
                scan->duplicates++;
                break;
        case RD_STORE_AGAIN:
                rd_log_info(LOG_DOMAIN, res->item_id, "already stored, moving it again");
                scan->again++;
                break;
        }
}

static TakeResult
take_file(RdDropdir *self, const char *name, RdDropdirScan *scan, GError **error)
{
        const RdConfig *c = self->config;
        g_autofree char *path = g_build_filename(c->drop_path, name, NULL);
        g_autofree guint8 *data = NULL;
        g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
        g_autoptr(GError) local = NULL;
        const char *reason = NULL;
        const char *media = NULL;
        gboolean keep_bytes;
        TakeResult outcome;
        struct stat st;
        RdStoreResult res;
        RdIntake in = { 0 };
        guint64 now = now_realtime_usec(), mtime_usec;
        guint64 got = 0, ready;
        Writers writers;
        int fd;

        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return TAKE_SKIP; /* vanished, a symlink, or unreadable: nothing we can store */
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return TAKE_SKIP;
        }
        mtime_usec = (guint64)st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
        writers = writers_of(fd);
        if (writers == WRITERS_UNKNOWN && !self->lease_refused_logged) {
                rd_log_info(LOG_DOMAIN, 0,
                            "the drop folder's files cannot be leased (not their owner, or no leases on "
                            "this file system): a file is taken once it stayed unchanged for settle-time");
                self->lease_refused_logged = TRUE;
        }
        /* without a lease, what we saw ourselves decides (the file's own
         * time may run ahead as well as behind); with one, the file's time
         * and the lease */
        ready = writers == WRITERS_UNKNOWN ? unchanged_since(self, name, &st) : 0;
        if (writers == WRITERS_UNKNOWN ? ready > 0
                                       : mtime_usec + c->settle_usec > now || writers == WRITERS_SOME) {
                guint64 wait = mtime_usec + c->settle_usec > now ? mtime_usec + c->settle_usec - now :
                                                                  c->settle_usec;
                guint64 when = (guint64)g_get_monotonic_time() + MAX(wait, 100000);

                if (writers == WRITERS_UNKNOWN)
                        when = MAX(ready, (guint64)g_get_monotonic_time() + 100000);
                if (scan->next_usec == 0 || when < scan->next_usec)
                        scan->next_usec = when;
                scan->unsettled++;
                close(fd);
                return TAKE_UNSETTLED;
        }

        keep_bytes = (guint64)st.st_size <= c->max_file_size;
        if (keep_bytes)
                data = g_malloc(st.st_size > 0 ? (gsize)st.st_size : 1);
        outcome = read_unchanged(fd, &st, keep_bytes ? data : NULL, sum, &got);
        close(fd);
        if (outcome == TAKE_UNSETTLED) {
                /* it changed while we read it: still being written */
                scan->unsettled++;
                if (scan->next_usec == 0)
                        scan->next_usec = (guint64)g_get_monotonic_time() + MAX(c->settle_usec, 100000);
        }
        if (outcome != TAKE_DONE)
                return outcome;

        if (got == 0)
                reason = "empty file";
        else if (!keep_bytes)
                reason = "file larger than [limits] max-file-size";
        else if ((media = rd_sniff_media_type(data, got)) == NULL ||
                 strcmp(media, "message/rfc822") == 0)
                reason = "not a PDF, TIFF, PNG or JPEG file";
        else
                reason = rd_sniff_truncation(data, got, media);

        in.source = "dropdir";
        in.source_key = name;
        in.original_name = name;
        in.sha256 = g_checksum_get_string(sum);
        in.size = got;
        in.media_type = media;
        in.raw = keep_bytes ? data : NULL;
        in.quarantine_reason = reason;
        if (!rd_db_store_intake(self->db, &in, &res, &local)) {
                if (g_error_matches(local, RD_DB_ERROR, RD_DB_ERROR_TRANSIENT)) {
                        g_propagate_error(error, g_steal_pointer(&local));
                        return TAKE_DB_ERROR;
                }
                /* the database refused this row for good: quarantine the file,
                 * since retrying cannot help, and say why */
                rd_log_err(LOG_DOMAIN, 0, "storing a dropped file failed: %s", local->message);
                if (move_into(c->drop_path, name, c->quarantine_path, 0, &local))
                        scan->quarantined++;
                return TAKE_DONE;
        }

        count_outcome(scan, &res, reason, got, media);
        if (!move_into(c->drop_path, name, res.quarantined ? c->quarantine_path : c->processed_path,
                       res.item_id, &local))
                rd_log_err(LOG_DOMAIN, res.item_id, "%s", local->message);
        return TAKE_DONE;
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

gboolean
rd_dropdir_scan(RdDropdir *self, RdDropdirScan *ret, GError **error)
{
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        DIR *dir;
        struct dirent *de;

        memset(ret, 0, sizeof *ret);
        dir = opendir(self->config->drop_path);
        if (dir == NULL) {
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "drop folder %s: %s",
                            self->config->drop_path, g_strerror(errno));
                return FALSE;
        }
        while ((de = readdir(dir)) != NULL) {
                if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
                        continue;
                if (rd_dropdir_name_is_temporary(de->d_name))
                        continue;
                g_ptr_array_add(names, g_strdup(de->d_name));
        }
        closedir(dir);
        g_ptr_array_sort(names, compare_names);
        {
                /* forget files that are gone */
                g_autoptr(GHashTable) present = g_hash_table_new(g_str_hash, g_str_equal);
                GHashTableIter it;
                gpointer key;

                for (guint i = 0; i < names->len; i++)
                        g_hash_table_add(present, names->pdata[i]);
                g_hash_table_iter_init(&it, self->seen);
                while (g_hash_table_iter_next(&it, &key, NULL))
                        if (!g_hash_table_contains(present, key))
                                g_hash_table_iter_remove(&it);
        }

        for (guint i = 0; i < names->len; i++)
                if (take_file(self, names->pdata[i], ret, error) == TAKE_DB_ERROR)
                        return FALSE;
        return TRUE;
}
