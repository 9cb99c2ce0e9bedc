/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration's value parser: one table walker for every group, and
 * the parsers of each kind of value (string, path, bool, duration, size,
 * integer in a range, choice, list).  Knows no group by name. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "keys.h"

G_DEFINE_QUARK(rd-config-error-quark, rd_config_error)

const char *
rd_key_where(const RdKeySource *src, const char *group, const char *key)
{
        g_autofree char *id = key ? g_strconcat(group, "\037", key, NULL) : g_strdup(group);
        const char *where = src->lines ? g_hash_table_lookup(src->lines, id) : NULL;

        return where ? where : src->path;
}

gboolean
rd_key_fail(const RdKeySource *src, RdConfigError code, const char *group, const char *key, GError **error,
            const char *format, ...)
{
        g_autofree char *message = NULL;
        va_list ap;

        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);
        g_set_error(error, RD_CONFIG_ERROR, code, "%s: [%s] %s", rd_key_where(src, group, key), group, message);
        return FALSE;
}

/* "90", "90s", "250ms", "5min", "2h", "3d", "10y": systemd.time(7) style, a
 * single unit. */
gboolean
rd_key_parse_duration(const char *text, guint64 *ret_usec)
{
        static const struct {
                const char *suffix;
                guint64 usec;
        } units[] = {
                { "ms", 1000 }, { "s", G_USEC_PER_SEC }, { "sec", G_USEC_PER_SEC },
                { "m", 60ULL * G_USEC_PER_SEC }, { "min", 60ULL * G_USEC_PER_SEC },
                { "h", 3600ULL * G_USEC_PER_SEC }, { "d", 86400ULL * G_USEC_PER_SEC },
                /* systemd.time(7): a year is 365.25 days */
                { "y", 31557600ULL * G_USEC_PER_SEC },
        };
        char *end = NULL;
        guint64 n;

        if (text == NULL || !g_ascii_isdigit(*text))
                return FALSE;
        errno = 0;
        n = g_ascii_strtoull(text, &end, 10);
        if (errno != 0 || n > 100ULL * 365 * 86400)
                return FALSE;
        while (*end == ' ')
                end++;
        if (*end == '\0') {
                *ret_usec = n * G_USEC_PER_SEC;
                return TRUE;
        }
        for (gsize i = 0; i < G_N_ELEMENTS(units); i++) {
                if (strcmp(end, units[i].suffix) == 0) {
                        /* at most 100 years whatever the unit (and no overflow) */
                        if (n > 100ULL * 31557600ULL * G_USEC_PER_SEC / units[i].usec)
                                return FALSE;
                        *ret_usec = n * units[i].usec;
                        return TRUE;
                }
        }
        return FALSE;
}

/* "1048576", "64K", "64M", "1G" (powers of 1024). */
gboolean
rd_key_parse_size(const char *text, guint64 *ret_bytes)
{
        static const char units[] = "KMG";
        const char *unit;
        char *end = NULL;
        guint64 n, mult = 1;

        if (text == NULL || !g_ascii_isdigit(*text))
                return FALSE;
        errno = 0;
        n = g_ascii_strtoull(text, &end, 10);
        if (errno != 0)
                return FALSE;
        if (*end != '\0') {
                unit = strchr(units, g_ascii_toupper(*end));
                if (unit == NULL)
                        return FALSE;
                mult = 1ULL << (10 * (unit - units + 1));
                end++;
        }
        if (*end != '\0' || n > G_MAXUINT64 / mult)
                return FALSE;
        *ret_bytes = n * mult;
        return TRUE;
}

static gboolean
parse_bool(const char *value, gboolean *ret)
{
        static const char *const yes[] = { "true", "yes", "on", "1" };
        static const char *const no[] = { "false", "no", "off", "0" };

        for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
                if (g_ascii_strcasecmp(value, yes[i]) == 0) {
                        *ret = TRUE;
                        return TRUE;
                }
                if (g_ascii_strcasecmp(value, no[i]) == 0) {
                        *ret = FALSE;
                        return TRUE;
                }
        }
        return FALSE;
}

static gboolean
parse_choice(const RdKey *def, const char *value, int *ret)
{
        for (const RdKeyChoice *c = def->choices; c->name != NULL; c++) {
                if (strcmp(c->name, value) == 0) {
                        *ret = c->value;
                        return TRUE;
                }
        }
        return FALSE;
}

/* A number, duration or size within the key's range. */
static gboolean
parse_number(const RdKey *def, const char *value, guint64 *ret)
{
        guint64 max = def->max ? def->max : (def->type == RD_KEY_UINT ? G_MAXUINT : G_MAXUINT64);

        switch (def->type) {
        case RD_KEY_DURATION:
                if (!rd_key_parse_duration(value, ret))
                        return FALSE;
                break;
        case RD_KEY_SIZE:
                if (!rd_key_parse_size(value, ret))
                        return FALSE;
                break;
        default:
                if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT64, ret, NULL))
                        return FALSE;
                break;
        }
        return *ret >= def->min && *ret <= max;
}

static gboolean
parse_list(const RdKey *def, const char *value, char ***ret)
{
        g_auto(GStrv) parts = g_strsplit(value, ";", -1);
        g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; parts[i] != NULL; i++) {
                char *item = g_strstrip(parts[i]);

                if (*item == '\0')
                        continue;
                if (def->check != NULL && !def->check(item))
                        return FALSE;
                g_ptr_array_add(out, g_strdup(item));
        }
        g_ptr_array_add(out, NULL);
        g_strfreev(*ret);
        *ret = (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
        return TRUE;
}

static gboolean
parse_string(const RdKey *def, const char *value, char **ret)
{
        g_autofree char *copy = g_strdup(value);

        if (*copy == '\0' || !g_utf8_validate(copy, -1, NULL))
                return FALSE;
        if (def->type == RD_KEY_PATH && !g_path_is_absolute(copy))
                return FALSE;
        if (def->check != NULL && !def->check(copy))
                return FALSE;
        g_free(*ret);
        *ret = g_steal_pointer(&copy);
        return TRUE;
}

/* Stores @value into the field of @def in @target; FALSE when it does not fit. */
static gboolean
parse_value(const RdKey *def, const char *value, gpointer target)
{
        gpointer field = G_STRUCT_MEMBER_P(target, def->offset);
        guint64 n;

        switch (def->type) {
        case RD_KEY_STRING:
        case RD_KEY_PATH:
        case RD_KEY_TEMPLATE:
                return parse_string(def, value, field);
        case RD_KEY_BOOL:
                return parse_bool(value, field);
        case RD_KEY_ENUM:
                return parse_choice(def, value, field);
        case RD_KEY_LIST:
                return parse_list(def, value, field);
        case RD_KEY_UINT:
                if (!parse_number(def, value, &n))
                        return FALSE;
                *(guint *)field = (guint)n;
                return TRUE;
        case RD_KEY_DURATION:
        case RD_KEY_SIZE:
        case RD_KEY_UINT64:
                if (!parse_number(def, value, &n))
                        return FALSE;
                *(guint64 *)field = n;
                return TRUE;
        case RD_KEY_OTHER:
        default:
                return TRUE;
        }
}

void
rd_keys_set_defaults(const RdKey *table, gpointer target)
{
        for (const RdKey *def = table; def->key != NULL; def++) {
                /* a default that does not parse is a bug of the table, found by every test */
                if (def->def != NULL && !parse_value(def, def->def, target))
                        g_error("default of %s does not parse: %s", def->key, def->def);
        }
}

gboolean
rd_keys_parse_group(const RdKeySource *src, const char *group, const RdKey *table, gpointer target,
                    GError **error)
{
        g_auto(GStrv) names = g_key_file_get_keys(src->keyfile, group, NULL, NULL);

        for (gsize k = 0; names != NULL && names[k] != NULL; k++) {
                const RdKey *def = NULL;
                g_autofree char *value = NULL;

                for (const RdKey *t = table; t->key != NULL && def == NULL; t++)
                        if (strcmp(t->key, names[k]) == 0)
                                def = t;
                if (def == NULL)
                        return rd_key_fail(src, RD_CONFIG_ERROR_UNKNOWN, group, names[k], error,
                                           "unknown key %s", names[k]);
                if (def->type == RD_KEY_OTHER)
                        continue;
                /* GKeyFile turns \n, \t, \s and \\ into what they stand for */
                value = g_key_file_get_string(src->keyfile, group, names[k], NULL);
                if (value != NULL && def->type != RD_KEY_TEMPLATE)
                        g_strstrip(value);
                if (value == NULL || !parse_value(def, value, target))
                        return rd_key_fail(src, RD_CONFIG_ERROR_VALUE, group, names[k], error,
                                           "%s: bad value, expected %s", names[k], def->what);
        }
        return TRUE;
}

void
rd_keys_clear(const RdKey *table, gpointer target)
{
        for (const RdKey *def = table; def->key != NULL; def++) {
                gpointer field = G_STRUCT_MEMBER_P(target, def->offset);

                if (def->type == RD_KEY_STRING || def->type == RD_KEY_PATH || def->type == RD_KEY_TEMPLATE)
                        g_clear_pointer((char **)field, g_free);
                else if (def->type == RD_KEY_LIST)
                        g_clear_pointer((char ***)field, g_strfreev);
        }
}

void
rd_keys_free(const RdKey *table, gpointer target)
{
        if (target == NULL)
                return;
        rd_keys_clear(table, target);
        g_free(target);
}

gboolean
rd_key_check_server_url(char *value, const char *const *schemes)
{
        const char *rest = NULL;
        gsize len;

        for (gsize i = 0; schemes[i] != NULL && rest == NULL; i++) {
                len = strlen(schemes[i]);
                if (strncmp(value, schemes[i], len) == 0 && strncmp(value + len, "://", 3) == 0)
                        rest = value + len + 3;
        }
        if (rest == NULL || *rest == '\0' || *rest == '/' || *rest == ':')
                return FALSE;
        len = strlen(value);
        if (value[len - 1] == '/')
                value[len - 1] = '\0';
        for (const char *p = rest; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != ':' && *p != '[' && *p != ']')
                        return FALSE;
        return TRUE;
}
