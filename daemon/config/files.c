/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration's files: the main file, its [include]s and FILE.d/,
 * merged into one key-file, with the file and line of every group and
 * key for messages. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

typedef struct {
        char **files;
} RdIncludeKeys;

const RdKey rd_include_keys[] = {
        { "files", RD_KEY_LIST, G_STRUCT_OFFSET(RdIncludeKeys, files), NULL,
          "file names separated by ; (relative ones from the including file's folder)" },
        { NULL },
};

typedef struct {
        RdConfigFiles *out;
        GPtrArray *stack; /* canonical names of the files being read, outermost first */
        GHashTable *seen; /* canonical names read so far */
} RdReader;

/* "@from: MESSAGE" when a file is read because @from names it. */
static gboolean G_GNUC_PRINTF(4, 5)
fail(GError **error, RdConfigError code, const char *from, const char *format, ...)
{
        g_autofree char *message = NULL;
        va_list ap;

        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);
        if (from != NULL)
                g_set_error(error, RD_CONFIG_ERROR, code, "%s: %s", from, message);
        else
                g_set_error_literal(error, RD_CONFIG_ERROR, code, message);
        return FALSE;
}

/* GKeyFile keeps no line numbers: a second, simple pass over the text
 * notes where each group starts and where each key was last set. */
static void
record_lines(GHashTable *lines, const char *path, const char *text)
{
        g_auto(GStrv) rows = g_strsplit(text, "\n", -1);
        g_autofree char *group = NULL;

        for (guint i = 0; rows[i] != NULL; i++) {
                char *line = g_strchug(rows[i]);
                char *end;

                if (*line == '#' || *line == '\0')
                        continue;
                if (*line == '[' && (end = strchr(line, ']')) != NULL) {
                        g_free(group);
                        group = g_strndup(line + 1, end - line - 1);
                        if (!g_hash_table_contains(lines, group))
                                g_hash_table_insert(lines, g_strdup(group), g_strdup_printf("%s:%u", path, i + 1));
                        continue;
                }
                end = strchr(line, '=');
                if (group == NULL || end == NULL)
                        continue;
                *end = '\0';
                if ((end = strchr(line, '[')) != NULL) /* key[locale] */
                        *end = '\0';
                g_hash_table_insert(lines, g_strconcat(group, "\037", g_strchomp(line), NULL),
                                    g_strdup_printf("%s:%u", path, i + 1));
        }
}

/* Copies every group but [include] into @into; a key already there is
 * overridden.  Values are copied as written (escapes and all). */
static void
merge(GKeyFile *into, GKeyFile *from)
{
        g_auto(GStrv) groups = g_key_file_get_groups(from, NULL);

        for (gsize g = 0; groups[g] != NULL; g++) {
                g_auto(GStrv) keys = g_key_file_get_keys(from, groups[g], NULL, NULL);

                if (strcmp(groups[g], "include") == 0)
                        continue;
                if (!g_key_file_has_group(into, groups[g])) {
                        /* an empty group still counts (it may turn on a feature) */
                        g_key_file_set_value(into, groups[g], "x", "");
                        g_key_file_remove_key(into, groups[g], "x", NULL);
                }
                for (gsize k = 0; keys != NULL && keys[k] != NULL; k++) {
                        g_autofree char *value = g_key_file_get_value(from, groups[g], keys[k], NULL);

                        g_key_file_set_value(into, groups[g], keys[k], value);
                }
        }
}

static gboolean read_file(RdReader *r, const char *path, const char *from, GError **error);

/* The files [include] files= names, in order, after the file itself. */
static gboolean
read_includes(RdReader *r, GKeyFile *kf, const char *path, GError **error)
{
        RdKeySource src = { kf, r->out->lines, path };
        RdIncludeKeys inc = { NULL };
        g_autofree char *from = NULL;
        g_autofree char *dir = g_path_get_dirname(path);
        gboolean ok = TRUE;

        if (!g_key_file_has_group(kf, "include"))
                return TRUE;
        if (!rd_keys_parse_group(&src, "include", rd_include_keys, &inc, error))
                return FALSE;
        /* noted now: a nested file may set [include] files again */
        from = g_strdup_printf("%s: [include] files", rd_key_where(&src, "include", "files"));
        for (gsize i = 0; ok && inc.files != NULL && inc.files[i] != NULL; i++) {
                g_autofree char *name = g_path_is_absolute(inc.files[i]) ? g_strdup(inc.files[i])
                                                                         : g_build_filename(dir, inc.files[i], NULL);

                ok = read_file(r, name, from, error);
        }
        rd_keys_clear(rd_include_keys, &inc);
        return ok;
}

static char *
describe_loop(GPtrArray *stack, const char *again)
{
        g_autoptr(GString) s = g_string_new("include loop: ");

        for (guint i = 0; i < stack->len; i++)
                g_string_append_printf(s, "%s -> ", (const char *)g_ptr_array_index(stack, i));
        g_string_append(s, again);
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static gboolean
read_file(RdReader *r, const char *path, const char *from, GError **error)
{
        g_autofree char *canonical = realpath(path, NULL);
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) local = NULL;
        g_autofree char *text = NULL;
        gsize len = 0;
        gboolean ok;

        if (canonical != NULL && g_ptr_array_find_with_equal_func(r->stack, canonical, g_str_equal, NULL)) {
                g_autofree char *loop = describe_loop(r->stack, canonical);

                return fail(error, RD_CONFIG_ERROR_VALUE, from, "%s", loop);
        }
        if (canonical != NULL && g_hash_table_contains(r->seen, canonical))
                return fail(error, RD_CONFIG_ERROR_VALUE, from, "%s is included twice", path);
        if (!g_file_get_contents(path, &text, &len, &local))
                return fail(error, RD_CONFIG_ERROR_IO, from, "%s: %s", path, local->message);
        if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &local))
                return fail(error, RD_CONFIG_ERROR_SYNTAX, from, "%s: %s", path, local->message);
        if (canonical == NULL)
                canonical = g_strdup(path);
        record_lines(r->out->lines, path, text);
        merge(r->out->keyfile, kf);
        g_ptr_array_add(r->out->files, g_strdup(path));
        g_hash_table_add(r->seen, g_strdup(canonical));
        g_ptr_array_add(r->stack, g_steal_pointer(&canonical));
        ok = read_includes(r, kf, path, error);
        g_ptr_array_remove_index(r->stack, r->stack->len - 1);
        return ok;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* PATH.d/ *.conf in name order (byte order, as ls sorts in the C locale);
 * a folder that does not exist is no error. */
static gboolean
read_dropins(RdReader *r, const char *path, GError **error)
{
        g_autofree char *dir = g_strconcat(path, ".d", NULL);
        g_autoptr(GError) local = NULL;
        g_autoptr(GDir) d = g_dir_open(dir, 0, &local);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        if (d == NULL) {
                if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
                        return TRUE;
                return fail(error, RD_CONFIG_ERROR_IO, NULL, "%s: %s", dir, local->message);
        }
        while ((name = g_dir_read_name(d)) != NULL)
                if (name[0] != '.' && g_str_has_suffix(name, ".conf"))
                        g_ptr_array_add(names, g_build_filename(dir, name, NULL));
        g_ptr_array_sort(names, compare_names);
        for (guint i = 0; i < names->len; i++)
                if (!read_file(r, g_ptr_array_index(names, i), NULL, error))
                        return FALSE;
        return TRUE;
}

gboolean
rd_config_files_read(RdConfigFiles *files, const char *path, GError **error)
{
        g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        RdReader r = { files, stack, seen };

        files->keyfile = g_key_file_new();
        files->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        files->files = g_ptr_array_new_with_free_func(g_free);
        return read_file(&r, path, NULL, error) && read_dropins(&r, path, error);
}
