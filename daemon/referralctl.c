/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "daemon/ctl/extract.h"
#include "daemon/ctl/loop.h"
#include "daemon/ctl/pages.h"
#include "daemon/config/config.h"
#include "daemon/ctl/staff.h"
#include "daemon/ctl/ctl.h"
#include "daemon/store/db.h"
#include "daemon/base/log.h"
#include "rd-config.h"
#include "parsers/referral.h"

typedef struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *usage;
} RdCommand;

static int
cmd_migrate(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        guint applied = 0;

        if (!rd_ctl_parse_options(&argc, &argv, "migrate", NULL, &error))
                return rd_ctl_fail(error);
        db = rd_ctl_open_db(&error);
        if (db == NULL || !rd_db_migrate(db, &applied, &error))
                return rd_ctl_fail(error);
        printf("%u migration(s) applied\n", applied);
        return 0;
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

        if (!rd_ctl_parse_options(&argc, &argv, "items", extra, &error))
                return rd_ctl_fail(error);
        if (state && !g_strv_contains((const char *const[]){ "queued", "processing", "done", "failed",
                                                              "quarantined", NULL },
                                      state)) {
                fprintf(stderr, "referralctl: --state: expected queued, processing, done, failed or quarantined\n");
                return 2;
        }
        db = rd_ctl_open_db(&error);
        if (db == NULL)
                return rd_ctl_fail(error);
        params[0] = state;
        rows = rd_db_query(db,
                           "SELECT i.id, i.source, i.state, i.attempts, i.media_type, i.size,"
                           " to_char(i.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS received,"
                           " (SELECT count(*) FROM receipt r WHERE r.item_id = i.id AND r.duplicate) AS duplicates,"
                           " i.last_error AS error"
                           " FROM item i WHERE $1::text IS NULL OR i.state = $1 ORDER BY i.id",
                           1, params, &error);
        if (rows == NULL)
                return rd_ctl_fail(error);
        rd_ctl_print_rows(rows, numeric);
        return 0;
}

/* A checklist item: a document type, or labs:PANEL (the contract's words). */
static gboolean
is_checklist_item(const char *s)
{
        RdDocType type;
        RdPanel panel;

        if (g_str_has_prefix(s, "labs:"))
                return rd_panel_from_string(s + 5, &panel);
        return rd_doc_type_from_string(s, &type);
}

static int
cmd_list(int argc, char **argv)
{
        static const char *const numeric[] = { "id", "item", NULL };
        g_autofree char *status = NULL;
        g_autofree char *missing = NULL;
        GOptionEntry extra[] = {
                { "status", 's', 0, G_OPTION_ARG_STRING, &status,
                  "only referrals in this status (incomplete, complete, scheduled, seen, declined, redirected)",
                  "STATUS" },
                { "missing", 'm', 0, G_OPTION_ARG_STRING, &missing,
                  "only referrals missing this item (ekg, labs, labs:bnp, echo, ...)", "ITEM" },
                { NULL },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        const char *params[2];

        if (!rd_ctl_parse_options(&argc, &argv, "list", extra, &error))
                return rd_ctl_fail(error);
        if (status && !g_strv_contains((const char *const[]){ "incomplete", "complete", "scheduled", "seen",
                                                               "declined", "redirected", NULL },
                                       status)) {
                fprintf(stderr, "referralctl: --status: expected incomplete, complete, scheduled, seen, "
                                "declined or redirected\n");
                return 2;
        }
        if (missing && !is_checklist_item(missing)) {
                fprintf(stderr, "referralctl: --missing: expected a document type such as ekg, labs, "
                                "labs:bnp, clinical_notes, echo\n");
                return 2;
        }
        db = rd_ctl_open_db(&error);
        if (db == NULL)
                return rd_ctl_fail(error);
        params[0] = status;
        params[1] = missing;
        /* "why" in one line: each missing item with its reason, e.g.
         * "ekg (not enclosed), labs (too old: 2026-06-01)" */
        rows = rd_db_query(db,
                           "SELECT r.id, r.reference, r.item_id AS item, to_char(r.received, 'YYYY-MM-DD') AS received,"
                           " r.status, nullif(concat_ws(' ', CASE WHEN r.missing_ekg THEN 'NO-EKG' END,"
                           "  CASE WHEN r.missing_labs THEN 'NO-LABS' END, CASE WHEN r.needs_review THEN 'REVIEW' END,"
                           "  CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.referral_id = r.id AND o.state = 'held')"
                           "   THEN 'REPLY-HELD' END), '') AS flags,"
                           " r.service_line, r.urgency,"
                           " concat_ws(', ', r.patient_family, r.patient_given) AS patient,"
                           " r.referring_practice AS referring,"
                           " (SELECT string_agg(c.item || ' (' || replace(coalesce(c.why, 'missing'), '_', ' ')"
                           "   || coalesce(': ' || to_char(c.date_found, 'YYYY-MM-DD'), '') || ')', ', '"
                           "   ORDER BY c.item) FROM referral_checklist c"
                           "   WHERE c.referral_id = r.id AND NOT c.present) AS missing"
                           " FROM referral r"
                           " WHERE ($1::text IS NULL OR r.status = $1)"
                           "  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM referral_checklist c"
                           "       WHERE c.referral_id = r.id AND NOT c.present"
                           "       AND (c.item = $2 OR ($2 = 'labs' AND c.item LIKE 'labs:%'))))"
                           " ORDER BY r.urgency = 'stat' DESC, r.urgency = 'urgent' DESC, r.id",
                           2, params, &error);
        if (rows == NULL)
                return rd_ctl_fail(error);
        rd_ctl_print_rows(rows, numeric);
        return 0;
}

static int
cmd_show(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) ref = NULL;
        g_autoptr(RdDbRows) docs = NULL;
        g_autoptr(RdDbRows) checks = NULL;
        g_autoptr(RdDbRows) events = NULL;
        g_autoptr(RdDbRows) outbox = NULL;
        const char *params[1];
        gint64 id;

        if (!rd_ctl_parse_options(&argc, &argv, "show ID", NULL, &error))
                return rd_ctl_fail(error);
        if (argc != 2 || !g_ascii_string_to_signed(argv[1], 10, 1, G_MAXINT64, &id, NULL)) {
                fprintf(stderr, "referralctl show: give one referral id\n");
                return 2;
        }
        db = rd_ctl_open_db(&error);
        if (db == NULL)
                return rd_ctl_fail(error);
        params[0] = argv[1];
        if (rd_ctl_opt_json) {
                ref = rd_db_query(db,
                                  "SELECT jsonb_pretty(jsonb_build_object('id', r.id, 'item', r.item_id,"
                                  " 'reference', r.reference, 'partner', (SELECT p.name FROM partner p"
                                  "   WHERE p.id = r.partner_id), 'status', r.status, 'status_note', r.status_note,"
                                  " 'appointment_at', r.appointment_at, 'completed_at', r.completed_at,"
                                  " 'extract', r.extract,"
                                  " 'followups', (SELECT coalesce(jsonb_agg(o.item_id ORDER BY o.item_id), '[]')"
                                  "   FROM item_origin o WHERE o.referral_id = r.id AND o.role = 'followup'),"
                                  " 'resolutions', (SELECT coalesce(jsonb_agg(jsonb_build_object('item', s.item,"
                                  "   'note', s.note, 'at', s.at) ORDER BY s.item), '[]') FROM referral_resolution s"
                                  "   WHERE s.referral_id = r.id),"
                                  " 'outbox', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'kind', x.kind,"
                                  "   'channel', x.channel, 'recipient', x.recipient, 'state', x.state,"
                                  "   'reason', x.reason, 'attempts', x.attempts, 'last_error', x.last_error,"
                                  "   'message_id', x.message_id, 'subject', x.subject, 'sent_at', x.sent_at)"
                                  "   ORDER BY x.id), '[]') FROM outbox x WHERE x.referral_id = r.id),"
                                  " 'checklist', (SELECT coalesce(jsonb_agg(jsonb_build_object('item', c.item,"
                                  "   'present', c.present, 'why', c.why, 'date_found', c.date_found)"
                                  "   ORDER BY c.item), '[]') FROM referral_checklist c WHERE c.referral_id = r.id),"
                                  " 'events', (SELECT coalesce(jsonb_agg(jsonb_build_object('at', e.at,"
                                  "   'kind', e.kind, 'detail', e.detail) ORDER BY e.id), '[]') FROM event e"
                                  "   WHERE e.referral_id = r.id OR e.item_id = r.item_id"
                                  "   OR e.item_id IN (SELECT o.item_id FROM item_origin o WHERE o.referral_id = r.id))))"
                                  " FROM referral r WHERE r.id = $1::bigint",
                                  1, params, &error);
                if (ref == NULL)
                        return rd_ctl_fail(error);
                if (ref->rows->len == 0) {
                        fprintf(stderr, "referralctl show: no referral %s\n", argv[1]);
                        return 1;
                }
                printf("%s\n", (char *)g_ptr_array_index((GPtrArray *)ref->rows->pdata[0], 0));
                return 0;
        }
        ref = rd_db_query(db,
                          "SELECT r.id AS \"referral\", r.reference AS \"reference\", r.item_id AS \"item\","
                          " i.source AS \"source\", coalesce((SELECT p.name FROM partner p WHERE p.id = r.partner_id),"
                          "  '(unknown)') AS \"partner\","
                          " to_char(r.received, 'YYYY-MM-DD') AS \"received\", r.status AS \"status\","
                          " r.status_note AS \"status note\","
                          " to_char(r.appointment_at, 'YYYY-MM-DD HH24:MI') AS \"appointment\","
                          " r.service_line AS \"service line\", r.urgency AS \"urgency\","
                          " concat_ws(', ', r.patient_family, r.patient_given) AS \"patient\","
                          " to_char(r.patient_dob, 'YYYY-MM-DD') AS \"date of birth\", r.patient_sex AS \"sex\","
                          " r.patient_phone AS \"phone\", r.patient_mrn AS \"MRN\","
                          " r.referring_name AS \"referring clinician\", r.referring_npi AS \"NPI\","
                          " r.referring_practice AS \"practice\", r.referring_phone AS \"practice phone\","
                          " r.referring_fax AS \"practice fax\", r.reason AS \"reason\","
                          " array_to_string(r.diagnoses, ', ') AS \"diagnoses\","
                          " round(r.confidence * 100)::text || '%' AS \"confidence\""
                          " FROM referral r JOIN item i ON i.id = r.item_id WHERE r.id = $1::bigint",
                          1, params, &error);
        if (ref == NULL)
                return rd_ctl_fail(error);
        if (ref->rows->len == 0) {
                fprintf(stderr, "referralctl show: no referral %s\n", argv[1]);
                return 1;
        }
        {
                GPtrArray *row = ref->rows->pdata[0];

                for (guint c = 0; c < ref->columns->len; c++)
                        printf("%-20s %s\n", (char *)ref->columns->pdata[c],
                               row->pdata[c] ? (char *)row->pdata[c] : "-");
        }
        docs = rd_db_query(db,
                           "SELECT item_id AS item, type, array_to_string(pages, ',') AS pages,"
                           " to_char(date, 'YYYY-MM-DD') AS date,"
                           " nullif(array_to_string(panels, ','), '') AS panels"
                           " FROM referral_document WHERE referral_id = $1::bigint ORDER BY item_id, pages[1], id",
                           1, params, &error);
        checks = docs ? rd_db_query(db,
                                    "SELECT c.item, CASE WHEN s.item IS NOT NULL THEN 'resolved' WHEN c.present"
                                    "  THEN 'present' ELSE 'MISSING' END AS state,"
                                    " CASE WHEN s.item IS NOT NULL THEN s.note WHEN c.present THEN NULL"
                                    "  ELSE replace(coalesce(c.why, ''), '_', ' ')"
                                    "  || coalesce(' (newest found ' || to_char(c.date_found, 'YYYY-MM-DD') || ')', '')"
                                    " END AS why"
                                    " FROM referral_checklist c LEFT JOIN referral_resolution s"
                                    "  ON s.referral_id = c.referral_id AND s.item = c.item"
                                    " WHERE c.referral_id = $1::bigint ORDER BY c.present, c.item",
                                    1, params, &error) : NULL;
        events = checks ? rd_db_query(db,
                                      "SELECT to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at,"
                                      " e.kind, e.detail::text AS detail FROM event e JOIN referral r"
                                      " ON e.referral_id = r.id OR e.item_id = r.item_id OR e.item_id IN"
                                      "  (SELECT o.item_id FROM item_origin o WHERE o.referral_id = r.id)"
                                      " WHERE r.id = $1::bigint ORDER BY e.id",
                                      1, params, &error) : NULL;
        outbox = events ? rd_db_query(db,
                                      "SELECT id AS reply, kind, channel, recipient AS \"to\", state, attempts,"
                                      " to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS sent,"
                                      " coalesce(reason, last_error) AS why"
                                      " FROM outbox WHERE referral_id = $1::bigint ORDER BY id",
                                      1, params, &error) : NULL;
        if (outbox == NULL)
                return rd_ctl_fail(error);
        printf("\nenclosed documents (item, pages):\n");
        rd_ctl_print_rows(docs, NULL);
        printf("\nchecklist:\n");
        rd_ctl_print_rows(checks, NULL);
        printf("\nreplies:\n");
        rd_ctl_print_rows(outbox, NULL);
        printf("\nevents:\n");
        rd_ctl_print_rows(events, NULL);
        return 0;
}

static const RdCommand commands[] = {
        { "list", cmd_list, "list referrals [--status S] [--missing ITEM] [--json]" },
        { "show", cmd_show, "show one referral: fields, documents, checklist with reasons, events" },
        { "extract", rd_cmd_extract, "print the referral JSON for one fax or email file (no database)" },
        { "pages", rd_cmd_pages, "print the pages of a file as the daemon reads them (no database)" },
        { "migrate", cmd_migrate, "apply database migrations" },
        { "items", cmd_items, "list inbound items [--state S] [--json]" },
        { "partner", rd_cmd_partner, "the partner directory: add, list, show, import, export" },
        { "report", rd_cmd_report, "the referral funnel per partner and service line [--since DATE] [--csv|--json]" },
        { "resolve", rd_cmd_resolve, "resolve ID ITEM --note TEXT: a checklist item received out of band" },
        { "status", rd_cmd_status, "status ID scheduled --at TIME | seen | declined | redirected [--note TEXT]" },
        { "attach", rd_cmd_attach, "attach ITEM ID: add an inbound item's documents to a referral" },
        { "reprocess", rd_cmd_reprocess, "reprocess ITEM [--new]: queue a failed or quarantined item again" },
        { "review", rd_cmd_review, "items waiting for staff: several referrals fit, or none can be trusted [--json]" },
        { "outbox", rd_cmd_outbox, "outbox [--state S] | outbox retry|drop|approve|hold ID: replies" },
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
