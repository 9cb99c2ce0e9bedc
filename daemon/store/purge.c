/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The purge: the database's part is one SQL function (008_retention.sql),
 * so that one transaction decides it; the files in processed/ and
 * quarantine/ are named "ITEMID-name" and go when their item's arrival is
 * older than [retention] processed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "purge.h"
#include "daemon/base/log.h"

#define LOG_DOMAIN "rd-purge"

static char *
seconds(guint64 usec)
{
        return g_strdup_printf("%" G_GUINT64_FORMAT " seconds", usec / G_USEC_PER_SEC);
}

static gboolean
purge_database(RdDb *db, const RdConfig *c, gboolean dry_run, RdPurgeStats *ret, GError **error)
{
        g_autofree char *raw = seconds(c->keep_raw_usec), *pages = seconds(c->keep_pages_usec);
        g_autofree char *fields = seconds(c->keep_fields_usec);
        const char *p[4] = { raw, pages, fields, dry_run ? "true" : "false" };
        g_autoptr(RdDbRows) rows = NULL;

        if (!rd_db_begin(db, error))
                return FALSE;
        rows = rd_db_query(db, "SELECT * FROM rd_purge($1::interval, $2::interval, $3::interval, $4::boolean)", 4, p,
                           error);
        if (rows == NULL || rows->rows->len != 1) {
                if (rows != NULL)
                        g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_INTERNAL, "rd_purge() returned no row");
                rd_db_rollback(db);
                return FALSE;
        }
        ret->referrals = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 0), NULL, 10);
        ret->items = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 1), NULL, 10);
        ret->raw = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 2), NULL, 10);
        ret->pages = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 3), NULL, 10);
        if (dry_run) {
                rd_db_rollback(db);
                return TRUE;
        }
        return rd_db_commit(db, error);
}

/* "123-name" -> 123; 0 when the name has no item id (a file whose row the
 * database refused is "0-name"). */
static gint64
item_of(const char *name)
{
        char *end = NULL;
        gint64 id;

        if (!g_ascii_isdigit(name[0]))
                return 0;
        id = g_ascii_strtoll(name, &end, 10);
        return end && *end == '-' ? id : 0;
}

static gboolean
purge_folder(RdDb *db, const char *path, guint64 keep_usec, gboolean dry_run, guint *ret_files, GError **error)
{
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GString) ids = g_string_new("{");
        g_autoptr(GHashTable) old = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(RdDbRows) rows = NULL;
        g_autofree char *keep = seconds(keep_usec);
        gint64 now = g_get_real_time();
        struct dirent *de;
        DIR *dir;
        int dfd;

        dir = opendir(path);
        if (dir == NULL) {
                if (errno == ENOENT)
                        return TRUE;
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "purging %s: %s", path,
                            g_strerror(errno));
                return FALSE;
        }
        dfd = dirfd(dir);
        while ((de = readdir(dir)) != NULL) {
                struct stat st;
                gint64 id;

                if (de->d_name[0] == '.' ||
                    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                id = item_of(de->d_name);
                if (id > 0) {
                        g_string_append_printf(ids, "%s%" G_GINT64_FORMAT, ids->len > 1 ? "," : "", id);
                        g_ptr_array_add(names, g_strdup(de->d_name));
                } else if ((guint64)(now - (gint64)st.st_mtim.tv_sec * G_USEC_PER_SEC) > keep_usec) {
                        /* no item to date it by: its own time decides */
                        g_hash_table_add(old, g_strdup(de->d_name));
                }
        }
        g_string_append_c(ids, '}');
        if (names->len > 0) {
                const char *p[2] = { ids->str, keep };

                rows = rd_db_query(db,
                                   "SELECT id FROM item WHERE id = ANY ($1::bigint[])"
                                   " AND received_at < now() - $2::interval AND state IN ('done', 'failed', 'quarantined')",
                                   2, p, error);
                if (rows == NULL) {
                        closedir(dir);
                        return FALSE;
                }
                for (guint i = 0; i < names->len; i++) {
                        gint64 id = item_of(names->pdata[i]);

                        for (guint r = 0; r < rows->rows->len; r++)
                                if (g_ascii_strtoll(rd_db_rows_cell(rows, r, 0), NULL, 10) == id)
                                        g_hash_table_add(old, g_strdup(names->pdata[i]));
                }
        }
        {
                GHashTableIter it;
                gpointer name;

                g_hash_table_iter_init(&it, old);
                while (g_hash_table_iter_next(&it, &name, NULL)) {
                        if (dry_run || unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
                                (*ret_files)++;
                        else
                                rd_log_warning(LOG_DOMAIN, 0, "purging %s: a file could not be deleted: %s", path,
                                               g_strerror(errno));
                }
        }
        closedir(dir);
        return TRUE;
}

gboolean
rd_store_purge(RdDb *db, const RdConfig *config, gboolean dry_run, RdPurgeStats *ret, GError **error)
{
        memset(ret, 0, sizeof *ret);
        if (!purge_database(db, config, dry_run, ret, error)) {
                g_prefix_error_literal(error, "purge: ");
                return FALSE;
        }
        if (!purge_folder(db, config->processed_path, config->keep_processed_usec, dry_run, &ret->files, error) ||
            !purge_folder(db, config->quarantine_path, config->keep_processed_usec, dry_run, &ret->files, error)) {
                g_prefix_error_literal(error, "purge: ");
                return FALSE;
        }
        return TRUE;
}
