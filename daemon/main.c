/* SPDX-License-Identifier: GPL-2.0-or-later */
/* referrald's entry point: options, the configuration (or only its check),
 * then the supervisor. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config.h"
#include "daemon/base/log.h"
#include "daemon/run/manager.h"
#include "daemon/run/spawn.h"
#include "daemon/run/ip-allow.h"
#include "daemon/web/web.h"
#include "rd-config.h"

/* --check-config: every file, group and key, without starting anything.
 * Secrets are only named: outside the unit its credentials do not exist,
 * and the files may be readable by the referrald user only. */
static int
check_config(const char *path, gboolean read_secrets)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = NULL;

        config = rd_config_load_full(path, read_secrets ? RD_CONFIG_LOAD_DEFAULT : RD_CONFIG_LOAD_NO_SECRETS,
                                     &error);
        if (config == NULL) {
                fprintf(stderr, "referrald: %s\n", error->message);
                return 1;
        }
        for (guint i = 1; i < config->files.files->len; i++)
                printf("%s: included\n", (const char *)g_ptr_array_index(config->files.files, i));
        for (guint i = 0; i < config->unread_secrets->len; i++)
                printf("%s: %s: not read (the daemon reads it at start; --read-secrets to read it now)\n", path,
                       (const char *)g_ptr_array_index(config->unread_secrets, i));
        printf("%s: ok\n", path);
        return 0;
}

int
main(int argc, char **argv)
{
        g_autofree char *config_path = NULL;
        gboolean once = FALSE, check = FALSE, read_secrets = FALSE, dump_keys = FALSE, verbose = FALSE,
                 version = FALSE, ip_allow = FALSE;
        GOptionEntry entries[] = {
                { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "configuration file", "FILE" },
                { "once", 0, 0, G_OPTION_ARG_NONE, &once, "process what is waiting, then exit", NULL },
                { "check-config", 0, 0, G_OPTION_ARG_NONE, &check, "check the configuration and exit", NULL },
                { "read-secrets", 0, 0, G_OPTION_ARG_NONE, &read_secrets,
                  "with --check-config: also read the password files and credentials", NULL },
                { "dump-keys", 0, 0, G_OPTION_ARG_NONE, &dump_keys,
                  "print every configuration key (group, key, default) and exit", NULL },
                { "ip-allow", 0, 0, G_OPTION_ARG_NONE, &ip_allow,
                  "print a systemd drop-in allowing the servers the configuration names, and exit", NULL },
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
        /* a worker, poller, sender or web process the supervisor started */
        if (argc > 1 && strcmp(argv[1], "--child") == 0)
                rd_spawn_child_main(argc, argv);
        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                fprintf(stderr, "referrald: %s\n", error->message);
                return 2;
        }
        if (version) {
                printf("referrald %s\n", RD_VERSION);
                return 0;
        }
        if (dump_keys) {
                g_autofree char *keys = rd_config_describe_keys();

                fputs(keys, stdout);
                return 0;
        }
        rd_log_init("referrald", verbose);
        if (config_path == NULL)
                config_path = g_strdup(RD_CONFIG_DEFAULT_PATH);
        if (check)
                return check_config(config_path, read_secrets);
        if (ip_allow) {
                g_autofree char *dropin = NULL;

                config = rd_config_load_full(config_path, RD_CONFIG_LOAD_NO_SECRETS, &error);
                if (config == NULL) {
                        fprintf(stderr, "referrald: %s\n", error->message);
                        return 1;
                }
                dropin = rd_ip_allow_dropin(config);
                fputs(dropin, stdout);
                return 0;
        }

        config = rd_config_load(config_path, &error);
        if (config == NULL) {
                fprintf(stderr, "referrald: %s\n", error->message);
                return 1;
        }
        manager = rd_manager_new(g_steal_pointer(&config), once, &error);
        if (manager == NULL) {
                fprintf(stderr, "referrald: %s\n", error->message);
                return 1;
        }
        return rd_manager_run(manager);
}
