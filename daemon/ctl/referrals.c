/* SPDX-License-Identifier: GPL-2.0-or-later */
/* referralctl's commands that read referrals and items: list, show, items,
 * and migrate. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "referrals.h"
#include "parsers/referral.h"

int
rd_cmd_migrate(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        guint applied = 0;

        if (!rd_ctl_parse_options(&argc, &argv, "migrate", NULL, &error))
                return rd_ctl_fail(error);
        db = rd_ctl_open_db_as(NULL, &error);
        if (db == NULL || !rd_db_migrate(db, &applied, &error))
                return rd_ctl_fail(error);
        printf("%u migration(s) applied\n", applied);
        return 0;
}

int
rd_cmd_items(int argc, char **argv)
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
        if (!rd_ctl_check_choice("--state", state,
                                 (const char *const[]){ "queued", "processing", "done", "failed", "quarantined",
                                                        NULL }))
                return 2;
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

int
rd_cmd_list(int argc, char **argv)
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
        if (!rd_ctl_check_choice("--status", status,
                                 (const char *const[]){ "incomplete", "complete", "scheduled", "seen", "declined",
                                                        "redirected", NULL }))
                return 2;
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

/* `show --json`: the whole referral as one JSON object. */
static int
show_json(RdDb *db, const char *id)
{
        g_autoptr(GError) error = NULL;
        const char *params[1] = { id };
        g_autoptr(RdDbRows) ref = rd_db_query(db,
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
                                  "   'kind', e.kind, 'by', e.actor, 'detail', e.detail) ORDER BY e.id), '[]') FROM event e"
                                  "   WHERE e.referral_id = r.id OR e.item_id = r.item_id"
                                  "   OR e.item_id IN (SELECT o.item_id FROM item_origin o WHERE o.referral_id = r.id))))"
                                  " FROM referral r WHERE r.id = $1::bigint",
                                  1, params, &error);

        if (ref == NULL)
                return rd_ctl_fail(error);
        if (ref->rows->len == 0) {
                fprintf(stderr, "referralctl show: no referral %s\n", id);
                return 1;
        }
        printf("%s\n", rd_db_rows_cell(ref, 0, 0));
        return 0;
}

/* The documents, the checklist with reasons, the replies and the events. */
static int
show_sections(RdDb *db, const char *id)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) docs = NULL;
        g_autoptr(RdDbRows) checks = NULL;
        g_autoptr(RdDbRows) events = NULL;
        g_autoptr(RdDbRows) outbox = NULL;
        const char *params[1] = { id };

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
                                      " e.kind, e.actor AS by, e.detail::text AS detail FROM event e JOIN referral r"
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

/* `show`: the referral's fields, one per line, then its sections. */
static int
show_text(RdDb *db, const char *id)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) ref = NULL;
        const char *params[1] = { id };

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
                fprintf(stderr, "referralctl show: no referral %s\n", id);
                return 1;
        }
        {
                GPtrArray *row = ref->rows->pdata[0];

                for (guint c = 0; c < ref->columns->len; c++)
                        printf("%-20s %s\n", (char *)ref->columns->pdata[c],
                               row->pdata[c] ? (char *)row->pdata[c] : "-");
        }
        return show_sections(db, id);
}

int
rd_cmd_show(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
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
        {
                /* every view of a referral is audited under the person's
                 * name (the connection's login), as the web interface does;
                 * no record, no view */
                const char *p[1] = { argv[1] };

                if (!rd_db_exec(db,
                                "INSERT INTO audit_log (user_name, action, referral_id, detail)"
                                " SELECT session_user, 'view', id, '{\"via\": \"referralctl\"}' FROM referral"
                                " WHERE id = $1::bigint",
                                1, p, &error))
                        return rd_ctl_fail(error);
        }
        if (rd_ctl_opt_json)
                return show_json(db, argv[1]);
        return show_text(db, argv[1]);
}

