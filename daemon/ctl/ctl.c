/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What referralctl's commands share: options, configuration, database,
 * printing rows. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "daemon/config/config.h"
#include "ctl.h"

char *rd_ctl_opt_config;
gboolean rd_ctl_opt_json;

/* referralctl never reads the daemon's password: a person connects as
 * themselves. */
RdConfig *
rd_ctl_load_config(GError **error)
{
        return rd_config_load_full(rd_ctl_opt_config ? rd_ctl_opt_config : RD_CONFIG_DEFAULT_PATH,
                                   RD_CONFIG_LOAD_NO_SECRETS, error);
}

RdDb *
rd_ctl_connect(const RdConfig *config, const char *role, GError **error)
{
        g_autofree char *conninfo = NULL;
        RdDb *db;

        if (config->db_staff_conninfo != NULL)
                conninfo = g_strdup(config->db_staff_conninfo);
        else if ((conninfo = rd_db_conninfo_without_login(config->db_conninfo, error)) == NULL)
                return NULL;
        /* the login is the person running the command (peer authentication,
         * or their own ~/.pgpass): every event names them */
        db = rd_db_connect(conninfo, NULL, role, error);
        if (db == NULL)
                g_prefix_error(error, "referralctl connects as the person running it"
                                      " (README, \"Staff accounts\"): ");
        return db;
}

RdDb *
rd_ctl_open_db_as(const char *role, GError **error)
{
        g_autoptr(RdConfig) config = rd_ctl_load_config(error);

        if (config == NULL)
                return NULL;
        return rd_ctl_connect(config, role, error);
}

RdDb *
rd_ctl_open_db(GError **error)
{
        return rd_ctl_open_db_as(RD_DB_ROLE_STAFF, error);
}

gboolean
rd_ctl_parse_options(int *argc, char ***argv, const char *usage, const GOptionEntry *extra, GError **error)
{
        GOptionEntry common[] = {
                { "config", 'c', 0, G_OPTION_ARG_FILENAME, &rd_ctl_opt_config, "configuration file", "FILE" },
                { "json", 0, 0, G_OPTION_ARG_NONE, &rd_ctl_opt_json, "print JSON", NULL },
                { NULL },
        };
        g_autoptr(GOptionContext) ctx = g_option_context_new(usage);

        g_option_context_add_main_entries(ctx, common, NULL);
        if (extra)
                g_option_context_add_main_entries(ctx, extra, NULL);
        return g_option_context_parse(ctx, argc, argv, error);
}

int
rd_ctl_fail(GError *error)
{
        fprintf(stderr, "referralctl: %s\n", error->message);
        return 1;
}

/* Print rows as aligned columns, or as a JSON array of objects. */
void
rd_ctl_print_rows(const RdDbRows *rows, const char *const *numeric)
{
        if (rd_ctl_opt_json) {
                g_autoptr(JsonBuilder) b = json_builder_new();
                g_autoptr(JsonGenerator) gen = json_generator_new();
                g_autoptr(JsonNode) root = NULL;
                g_autofree char *text = NULL;

                json_builder_begin_array(b);
                for (guint r = 0; r < rows->rows->len; r++) {
                        GPtrArray *row = rows->rows->pdata[r];

                        json_builder_begin_object(b);
                        for (guint c = 0; c < rows->columns->len; c++) {
                                const char *col = rows->columns->pdata[c];
                                const char *v = row->pdata[c];

                                json_builder_set_member_name(b, col);
                                if (v == NULL)
                                        json_builder_add_null_value(b);
                                else if (numeric && g_strv_contains(numeric, col))
                                        json_builder_add_int_value(b, g_ascii_strtoll(v, NULL, 10));
                                else
                                        json_builder_add_string_value(b, v);
                        }
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
                root = json_builder_get_root(b);
                json_generator_set_root(gen, root);
                json_generator_set_pretty(gen, TRUE);
                text = json_generator_to_data(gen, NULL);
                printf("%s\n", text);
                return;
        }
        {
                g_autofree gsize *width = g_new0(gsize, rows->columns->len);

                for (guint c = 0; c < rows->columns->len; c++)
                        width[c] = strlen(rows->columns->pdata[c]);
                for (guint r = 0; r < rows->rows->len; r++) {
                        GPtrArray *row = rows->rows->pdata[r];
                        for (guint c = 0; c < rows->columns->len; c++)
                                width[c] = MAX(width[c], row->pdata[c] ? (gsize)g_utf8_strlen(row->pdata[c], -1) : 1);
                }
                for (guint c = 0; c < rows->columns->len; c++)
                        printf("%-*s%s", (int)width[c], (char *)rows->columns->pdata[c],
                               c + 1 < rows->columns->len ? "  " : "\n");
                for (guint r = 0; r < rows->rows->len; r++) {
                        GPtrArray *row = rows->rows->pdata[r];
                        for (guint c = 0; c < rows->columns->len; c++) {
                                const char *v = row->pdata[c] ? row->pdata[c] : "-";
                                int pad = (int)width[c] - (int)g_utf8_strlen(v, -1);
                                printf("%s%*s%s", v, pad > 0 ? pad : 0, "", c + 1 < rows->columns->len ? "  " : "\n");
                        }
                }
        }
}


gboolean
rd_ctl_check_choice(const char *option, const char *value, const char *const *choices)
{
        g_autoptr(GString) expected = g_string_new(NULL);
        guint n = g_strv_length((char **)choices);

        if (value == NULL || g_strv_contains(choices, value))
                return TRUE;
        for (guint i = 0; i < n; i++)
                g_string_append_printf(expected, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", choices[i]);
        fprintf(stderr, "referralctl: %s: expected %s\n", option, expected->str);
        return FALSE;
}
