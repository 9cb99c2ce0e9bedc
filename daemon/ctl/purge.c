/* SPDX-License-Identifier: GPL-2.0-or-later */
/* referralctl purge: what the daemon does daily, now, or (--dry-run) only
 * counted. */
#include <stdio.h>

#include "ctl.h"
#include "purge.h"
#include "daemon/store/purge.h"

int
rd_cmd_purge(int argc, char **argv)
{
        gboolean dry_run = FALSE;
        GOptionEntry extra[] = {
                { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, "only count what would be deleted", NULL },
                { NULL },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = NULL;
        g_autoptr(RdDb) db = NULL;
        RdPurgeStats st;

        if (!rd_ctl_parse_options(&argc, &argv, "purge", extra, &error))
                return rd_ctl_fail(error);
        if (argc > 1) {
                fprintf(stderr, "referralctl purge: unexpected argument %s\n", argv[1]);
                return 2;
        }
        config = rd_ctl_load_config(&error);
        if (config == NULL)
                return rd_ctl_fail(error);
        db = rd_ctl_open_db(&error);
        if (db == NULL || !rd_store_purge(db, config, dry_run, &st, &error))
                return rd_ctl_fail(error);
        if (rd_ctl_opt_json)
                printf("{\"dry_run\": %s, \"referrals\": %" G_GINT64_FORMAT ", \"items\": %" G_GINT64_FORMAT
                       ", \"raw\": %" G_GINT64_FORMAT ", \"pages\": %" G_GINT64_FORMAT ", \"files\": %u}\n",
                       dry_run ? "true" : "false", st.referrals, st.items, st.raw, st.pages, st.files);
        else
                printf("%s %" G_GINT64_FORMAT " referral(s) with their documents, checklists and replies; the origin of %"
                       G_GINT64_FORMAT " item(s); the bytes and names of %" G_GINT64_FORMAT
                       " item(s); the page text of %" G_GINT64_FORMAT " item(s); %u file(s) in the spool folders\n",
                       dry_run ? "would delete" : "deleted", st.referrals, st.items, st.raw, st.pages, st.files);
        return 0;
}
