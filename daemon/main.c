/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config.h"
#include "daemon/base/log.h"
#include "daemon/run/manager.h"
#include "daemon/web/web.h"
#include "rd-config.h"

int
main(int argc, char **argv)
{
        g_autofree char *config_path = NULL;
        gboolean once = FALSE, check = FALSE, verbose = FALSE, version = FALSE;
        GOptionEntry entries[] = {
                { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "configuration file", "FILE" },
                { "once", 0, 0, G_OPTION_ARG_NONE, &once, "process what is waiting, then exit", NULL },
                { "check-config", 0, 0, G_OPTION_ARG_NONE, &check, "check the configuration and exit", NULL },
                { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "show debug messages", NULL },
                { "version", 0, 0, G_OPTION_ARG_NONE, &version, "print the version", NULL },
                { NULL },
        };
        g_autoptr(GOptionContext) ctx = g_option_context_new("- referral intake daemon");
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = NULL;
        g_autoptr(RdManager) manager = NULL;

        setlocale(LC_ALL, "");
        /* the web process's page drawing child (daemon/web/render.c) */
        if (argc > 1 && strcmp(argv[1], "--render-page") == 0)
                return rd_web_render_main(argc, argv);
        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                fprintf(stderr, "referrald: %s\n", error->message);
                return 2;
        }
        if (version) {
                printf("referrald %s\n", RD_VERSION);
                return 0;
        }
        rd_log_init("referrald", verbose);
        if (config_path == NULL)
                config_path = g_strdup(RD_CONFIG_DEFAULT_PATH);

        config = rd_config_load(config_path, &error);
        if (config == NULL) {
                fprintf(stderr, "referrald: %s\n", error->message);
                return 1;
        }
        if (check) {
                printf("%s: ok\n", config_path);
                return 0;
        }
        manager = rd_manager_new(g_steal_pointer(&config), once, &error);
        if (manager == NULL) {
                fprintf(stderr, "referrald: %s\n", error->message);
                return 1;
        }
        return rd_manager_run(manager);
}
