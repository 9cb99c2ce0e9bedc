/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "rd-config.h"

typedef struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *usage;
} RdCommand;

static char *opt_config;
static gboolean opt_json;

static RdDb *
open_db(GError **error)
{
        g_autoptr(RdConfig) config = NULL;

        config = rd_config_load(opt_config ? opt_config : RD_CONFIG_DEFAULT_PATH, error);
        if (config == NULL)
                return NULL;
        return rd_db_connect(config->db_conninfo, config->db_password, error);
}

static gboolean
parse_options(int *argc, char ***argv, const char *usage, const GOptionEntry *extra, GError **error)
{
        GOptionEntry common[] = {
                { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config, "configuration file", "FILE" },
                { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "print JSON", NULL },
                { NULL },
        };
        g_autoptr(GOptionContext) ctx = g_option_context_new(usage);

        g_option_context_add_main_entries(ctx, common, NULL);
        if (extra)
                g_option_context_add_main_entries(ctx, extra, NULL);
        return g_option_context_parse(ctx, argc, argv, error);
}

static int
fail(GError *error)
{
        fprintf(stderr, "referralctl: %s\n", error->message);
        return 1;
}

static int
cmd_migrate(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        guint applied = 0;

        if (!parse_options(&argc, &argv, "migrate", NULL, &error))
                return fail(error);
        db = open_db(&error);
        if (db == NULL || !rd_db_migrate(db, &applied, &error))
                return fail(error);
        printf("%u migration(s) applied\n", applied);
        return 0;
}

/* Print rows as aligned columns, or as a JSON array of objects. */
static void
print_rows(const RdDbRows *rows, const char *const *numeric)
{
        if (opt_json) {
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

static int
cmd_items(int argc, char **argv)
{
        static const char *const numeric[] = { "id", "attempts", "size", "duplicates", NULL };
        g_autofree char *state = NULL;
        GOptionEntry extra[] = {
                { "state", 's', 0, G_OPTION_ARG_STRING, &state,
                  "only items in this state (queued, processing, done, failed, quarantined)", "STATE" },
                { NULL },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        const char *params[1];

        if (!parse_options(&argc, &argv, "items", extra, &error))
                return fail(error);
        if (state && !g_strv_contains((const char *const[]){ "queued", "processing", "done", "failed",
                                                              "quarantined", NULL },
                                      state)) {
                fprintf(stderr, "referralctl: --state: expected queued, processing, done, failed or quarantined\n");
                return 2;
        }
        db = open_db(&error);
        if (db == NULL)
                return fail(error);
        params[0] = state;
        rows = rd_db_query(db,
                           "SELECT i.id, i.source, i.state, i.attempts, i.media_type, i.size,"
                           " to_char(i.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS received,"
                           " (SELECT count(*) FROM receipt r WHERE r.item_id = i.id AND r.duplicate) AS duplicates,"
                           " i.last_error AS error"
                           " FROM item i WHERE $1::text IS NULL OR i.state = $1 ORDER BY i.id",
                           1, params, &error);
        if (rows == NULL)
                return fail(error);
        print_rows(rows, numeric);
        return 0;
}

static const RdCommand commands[] = {
        { "migrate", cmd_migrate, "apply database migrations" },
        { "items", cmd_items, "list inbound items [--state S] [--json]" },
};

static void
usage(FILE *out)
{
        fprintf(out, "usage: referralctl [--config FILE] COMMAND [ARGS]\n\ncommands:\n");
        for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
                fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].usage);
}

int
main(int argc, char **argv)
{
        setlocale(LC_ALL, "");
        rd_log_init("referralctl", FALSE);
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(argc < 2 ? stderr : stdout);
                return argc < 2 ? 2 : 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("referralctl %s\n", RD_VERSION);
                return 0;
        }
        for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "referralctl: unknown command %s\n", argv[1]);
        usage(stderr);
        return 2;
}
