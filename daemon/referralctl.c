/* SPDX-License-Identifier: GPL-2.0-or-later */
/* referralctl: the staff command line. Only the table of commands; each
 * lives in daemon/ctl/ with its group. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "daemon/ctl/extract.h"
#include "daemon/ctl/partner.h"
#include "daemon/ctl/purge.h"
#include "daemon/ctl/report.h"
#include "daemon/ctl/referrals.h"
#include "daemon/ctl/pages.h"
#include "daemon/ctl/staff.h"
#include "daemon/ctl/user.h"
#include "daemon/ctl/ctl.h"
#include "daemon/base/log.h"
#include "rd-config.h"

typedef struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *usage;
} RdCommand;

static const RdCommand commands[] = {
        { "list", rd_cmd_list, "list referrals [--status S] [--missing ITEM] [--json]" },
        { "show", rd_cmd_show, "show one referral: fields, documents, checklist with reasons, events" },
        { "extract", rd_cmd_extract, "print the referral JSON for one fax or email file (no database)" },
        { "pages", rd_cmd_pages, "print the pages of a file as the daemon reads them ([--explain]: the picture measure; no database)" },
        { "migrate", rd_cmd_migrate, "apply database migrations" },
        { "items", rd_cmd_items, "list inbound items [--state S] [--json]" },
        { "partner", rd_cmd_partner, "the partner directory: add, list, show, import, export" },
        { "report", rd_cmd_report, "the referral funnel per partner and service line [--since DATE] [--csv|--json]" },
        { "resolve", rd_cmd_resolve, "resolve ID ITEM --note TEXT: a checklist item received out of band" },
        { "confirm", rd_cmd_confirm, "confirm ID: a referral flagged REVIEW was checked by a person; its checklist decides" },
        { "status", rd_cmd_status, "status ID scheduled --at TIME | seen | declined | redirected [--note TEXT]" },
        { "attach", rd_cmd_attach, "attach ITEM ID: add an inbound item's documents to a referral" },
        { "reprocess", rd_cmd_reprocess, "reprocess ITEM [--new]: queue a failed or quarantined item again" },
        { "review", rd_cmd_review, "items waiting for staff: several referrals fit, or none can be trusted [--json]" },
        { "user", rd_cmd_user, "user add|disable|reset NAME [--role staff|admin] | user list: web accounts" },
        { "outbox", rd_cmd_outbox, "outbox [--state S] | outbox retry|drop|approve|hold ID: replies" },
        { "purge", rd_cmd_purge, "delete what is past [retention] (the daemon does it daily) [--dry-run] [--json]" },
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
