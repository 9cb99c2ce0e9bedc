/* SPDX-License-Identifier: GPL-2.0-or-later */
/* referralctl report: the referral funnel per referring partner and
 * service line: how many arrive complete, how many are completed once
 * we ask, how long replies, completion and scheduling take, and how
 * many are stuck. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "ctl.h"
#include "daemon/store/db.h"
#include "parsers/fields/dates.h"

/* $1: the first day counted (NULL: all), $2: days after which an
 * incomplete referral is stuck.  GROUPING SETS give, in the order
 * printed (ord): a row per partner and service line, the partner's
 * subtotal (service line "(all)") when it sends several service lines,
 * a row per service line across partners ("(all partners)"), and the
 * total.  With a single partner the subtotals would repeat its rows
 * and the total, and are left out. */
#define REPORT_SQL                                                                                         \
        "WITH base AS ("                                                                                   \
        " SELECT r.partner_id IS NULL AS unknown, coalesce(p.name, '(unknown)') AS partner,"               \
        "  coalesce(r.service_line, '(none)') AS service_line, r.status, r.complete_on_arrival,"           \
        "  r.completed_at, r.scheduled_at, coalesce(r.received_at, r.created_at) AS received_at,"          \
        "  (SELECT min(o.sent_at) FROM outbox o WHERE o.referral_id = r.id AND o.state = 'sent')"          \
        "   AS replied_at,"                                                                                \
        "  EXISTS (SELECT 1 FROM outbox o WHERE o.referral_id = r.id AND o.kind = 'missing'"               \
        "   AND o.state = 'sent') AS asked"                                                                \
        " FROM referral r LEFT JOIN partner p ON p.id = r.partner_id"                                      \
        " WHERE $1::date IS NULL OR coalesce(r.received_at, r.created_at) >= $1::date"                     \
        "), timed AS ("                                                                                    \
        " SELECT *, extract(epoch FROM replied_at - received_at) / 3600 AS h_reply,"                       \
        "  extract(epoch FROM completed_at - received_at) / 3600 AS h_complete,"                           \
        "  extract(epoch FROM scheduled_at - received_at) / 3600 AS h_schedule"                            \
        " FROM base"                                                                                       \
        ") SELECT row_number() OVER (ORDER BY grouping(partner), unknown, partner, grouping(service_line),"  \
        "  service_line) AS ord,"                                                                          \
        " CASE WHEN grouping(partner) = 0 THEN partner"                                                    \
        "  WHEN grouping(service_line) = 0 THEN '(all partners)' ELSE '(total)' END AS partner,"           \
        " CASE WHEN grouping(service_line) = 1 THEN '(all)' ELSE service_line END AS service_line,"         \
        " count(*) AS referrals,"                                                                          \
        " round(100.0 * count(*) FILTER (WHERE complete_on_arrival)"                                       \
        "  / nullif(count(complete_on_arrival), 0), 1) AS complete_on_arrival_pct,"                         \
        " round(100.0 * count(*) FILTER (WHERE NOT complete_on_arrival AND asked AND completed_at IS NOT NULL)" \
        "  / nullif(count(*) FILTER (WHERE NOT complete_on_arrival AND asked), 0), 1)"                     \
        "  AS completed_after_reply_pct,"                                                                  \
        " round((percentile_cont(0.5) WITHIN GROUP (ORDER BY h_reply))::numeric, 1)"                       \
        "  AS median_hours_to_reply,"                                                                      \
        " round((percentile_cont(0.5) WITHIN GROUP (ORDER BY h_complete))::numeric, 1)"                    \
        "  AS median_hours_to_complete,"                                                                   \
        " round((percentile_cont(0.5) WITHIN GROUP (ORDER BY h_schedule))::numeric, 1)"                    \
        "  AS median_hours_to_schedule,"                                                                   \
        " count(*) FILTER (WHERE status = 'incomplete'"                                                    \
        "  AND received_at < now() - make_interval(days => $2::int)) AS stuck"                            \
        " FROM timed GROUP BY GROUPING SETS ((unknown, partner, service_line), (unknown, partner),"         \
        "  (service_line), ())"                                                                            \
        " HAVING grouping(service_line) = grouping(partner)"                                               \
        "  OR ((SELECT count(DISTINCT (unknown, partner)) FROM base) > 1"                                  \
        "   AND (grouping(partner) = 1 OR count(DISTINCT service_line) > 1))"

/* Column headings of the text table, after ord, in REPORT_SQL's order. */
static const char *const text_headings[] = {
        "partner",    "service line", "referrals",     "complete on arrival %", "completed after reply %",
        "h to reply", "h to complete", "h to schedule", "stuck",
};

static gboolean
csv_needs_quotes(const char *s)
{
        return *s == ' ' || (*s && g_str_has_suffix(s, " ")) || strpbrk(s, ",\"\r\n") != NULL;
}

/* RFC 4180: CRLF line ends, a field with a comma, quote or line break
 * in double quotes, quotes doubled; NULL is an empty field. */
static void
print_csv(const RdDbRows *rows, guint first_column)
{
        for (guint r = 0; r <= rows->rows->len; r++) {
                GPtrArray *row = r == 0 ? rows->columns : rows->rows->pdata[r - 1];

                for (guint c = first_column; c < row->len; c++) {
                        const char *v = row->pdata[c] ? row->pdata[c] : "";

                        if (csv_needs_quotes(v)) {
                                putchar('"');
                                for (const char *p = v; *p; p++) {
                                        if (*p == '"')
                                                putchar('"');
                                        putchar(*p);
                                }
                                putchar('"');
                        } else {
                                fputs(v, stdout);
                        }
                        fputs(c + 1 < row->len ? "," : "\r\n", stdout);
                }
        }
}

int
rd_cmd_report(int argc, char **argv)
{
        g_autofree char *since = NULL;
        int stuck_days = 7;
        gboolean csv = FALSE;
        GOptionEntry extra[] = {
                { "since", 's', 0, G_OPTION_ARG_STRING, &since, "only referrals received on or after DATE",
                  "YYYY-MM-DD" },
                { "stuck-days", 0, 0, G_OPTION_ARG_INT, &stuck_days,
                  "an incomplete referral older than N days is stuck (default 7)", "N" },
                { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "print CSV", NULL },
                { NULL },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        g_autofree char *days = NULL;
        const char *params[2];

        if (!rd_ctl_parse_options(&argc, &argv, "", extra, &error))
                return rd_ctl_fail(error);
        if (argc != 1) {
                fprintf(stderr, "referralctl report: unexpected argument %s\n", argv[1]);
                return 2;
        }
        if (csv && rd_ctl_opt_json) {
                fprintf(stderr, "referralctl report: --csv or --json, not both\n");
                return 2;
        }
        if (since && !rd_iso_date(since, NULL)) {
                fprintf(stderr, "referralctl report: --since: expected a date YYYY-MM-DD\n");
                return 2;
        }
        if (stuck_days < 0) {
                fprintf(stderr, "referralctl report: --stuck-days: expected a number of days, 0 or more\n");
                return 2;
        }
        db = rd_ctl_open_db(&error);
        if (db == NULL)
                return rd_ctl_fail(error);
        days = g_strdup_printf("%d", stuck_days);
        params[0] = since;
        params[1] = days;
        if (rd_ctl_opt_json) {
                /* numeric columns become JSON numbers, NULL null; json, not
                 * jsonb, keeps the keys in the CSV's order; an object a line */
                rows = rd_db_query(db,
                                   "SELECT '[' || coalesce(E'\\n  ' || string_agg(json_build_object("
                                   " 'partner', partner,"
                                   " 'service_line', service_line, 'referrals', referrals,"
                                   " 'complete_on_arrival_pct', complete_on_arrival_pct,"
                                   " 'completed_after_reply_pct', completed_after_reply_pct,"
                                   " 'median_hours_to_reply', median_hours_to_reply,"
                                   " 'median_hours_to_complete', median_hours_to_complete,"
                                   " 'median_hours_to_schedule', median_hours_to_schedule,"
                                   " 'stuck', stuck)::text, E',\\n  ' ORDER BY ord) || E'\\n', '') || ']'"
                                   " FROM (" REPORT_SQL ") t",
                                   2, params, &error);
                if (rows == NULL)
                        return rd_ctl_fail(error);
                printf("%s\n", rd_db_rows_cell(rows, 0, 0));
                return 0;
        }
        rows = rd_db_query(db, REPORT_SQL " ORDER BY ord", 2, params, &error);
        if (rows == NULL)
                return rd_ctl_fail(error);
        if (csv) {
                print_csv(rows, 1);
                if (fflush(stdout) != 0) {
                        fprintf(stderr, "referralctl report: writing: %s\n", g_strerror(errno));
                        return 1;
                }
                return 0;
        }
        /* the text table: without ord, with headings for people */
        g_ptr_array_remove_index(rows->columns, 0);
        for (guint r = 0; r < rows->rows->len; r++)
                g_ptr_array_remove_index(rows->rows->pdata[r], 0);
        g_assert(rows->columns->len == G_N_ELEMENTS(text_headings));
        for (guint c = 0; c < rows->columns->len; c++) {
                g_free(rows->columns->pdata[c]);
                rows->columns->pdata[c] = g_strdup(text_headings[c]);
        }
        rd_ctl_print_rows(rows, NULL);
        printf("\nh: median hours from receipt to the first reply sent, to complete, to scheduled;"
               " stuck: incomplete for more than %d day(s)\n",
               stuck_days);
        return 0;
}
