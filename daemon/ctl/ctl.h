/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/config.h"
#include "daemon/store/db.h"

G_BEGIN_DECLS

/* Shared by referralctl's subcommands. */
extern char *rd_ctl_opt_config;  /* --config FILE */
extern gboolean rd_ctl_opt_json; /* --json */

/* The configuration (--config or the default path). */
RdConfig *rd_ctl_load_config(GError **error);
/* The configured database (--config or the default path), as the person
 * running the command ([database] staff-conninfo, else conninfo without its
 * user), acting as referrald_staff. */
RdDb *rd_ctl_open_db(GError **error);
/* The same, acting as @role (referrald_admin for web accounts, NULL for
 * the migrations, which act as referrald_owner themselves). */
RdDb *rd_ctl_open_db_as(const char *role, GError **error);
/* A person's connection with an already loaded @config. */
RdDb *rd_ctl_connect(const RdConfig *config, const char *role, GError **error);
/* Parses --config, --json and @extra; @usage is the parameter string. */
gboolean rd_ctl_parse_options(int *argc, char ***argv, const char *usage, const GOptionEntry *extra,
                              GError **error);
/* TRUE when @value is NULL or one of @choices (NULL-terminated); else
 * prints "referralctl: OPTION: expected a, b or c" and returns FALSE. */
gboolean rd_ctl_check_choice(const char *option, const char *value, const char *const *choices);
/* Prints "referralctl: MESSAGE" and returns 1. */
int rd_ctl_fail(GError *error);
/* Rows as aligned columns, or with --json an array of objects; columns
 * named in @numeric print as JSON numbers. */
void rd_ctl_print_rows(const RdDbRows *rows, const char *const *numeric);

G_END_DECLS
