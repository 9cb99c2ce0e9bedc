/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "staff.h"
#include "ctl.h"
#include "daemon/store/results.h"
#include "daemon/replies/queue.h"
#include "daemon/store/outbox.h"

static int
usage_error(const char *cmd, const char *what)
{
        fprintf(stderr, "referralctl %s: %s\n", cmd, what);
        return 2;
}

static gboolean
parse_id(const char *s, gint64 *ret)
{
        return s != NULL && g_ascii_string_to_signed(s, 10, 1, G_MAXINT64, ret, NULL);
}


/* Opens config and database and a transaction. */
static gboolean
open_all(RdConfig **ret_config, RdDb **ret_db, GError **error)
{
        *ret_config = rd_ctl_load_config(error);
        if (*ret_config == NULL)
                return FALSE;
        *ret_db = rd_ctl_connect(*ret_config, RD_DB_ROLE_STAFF, error);
        if (*ret_db == NULL)
                return FALSE;
        return rd_db_begin(*ret_db, error);
}

static int
commit_or_fail(RdDb *db, GError *error)
{
        g_autoptr(GError) local = NULL;

        if (error == NULL && rd_db_commit(db, &local))
                return 0;
        rd_db_rollback(db);
        return rd_ctl_fail(error ? error : local);
}

int
rd_cmd_resolve(int argc, char **argv)
{
        static char *note;
        GOptionEntry extra[] = {
                { "note", 'n', 0, G_OPTION_ARG_STRING, &note, "how it was received (required)", "TEXT" },
                { NULL },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        gint64 id;
        gboolean known = FALSE, missing = FALSE, complete = FALSE;

        if (!rd_ctl_parse_options(&argc, &argv, "ID ITEM --note TEXT", extra, &error))
                return rd_ctl_fail(error);
        if (argc != 3 || !parse_id(argv[1], &id))
                return usage_error("resolve", "give a referral id and a checklist item (ekg, labs, labs:bnp, ...)");
        if (note == NULL || *g_strstrip(note) == '\0')
                return usage_error("resolve", "--note is required: say how the item was received");
        if (!open_all(&config, &db, &error))
                return rd_ctl_fail(error);
        {
                const char *p[1] = { argv[1] };

                rows = rd_db_query(db, "SELECT item, present FROM referral_checklist WHERE referral_id = $1::bigint",
                                   1, p, &error);
        }
        if (rows == NULL)
                return commit_or_fail(db, g_steal_pointer(&error));
        for (guint r = 0; r < rows->rows->len; r++)
                if (strcmp(rd_db_rows_cell(rows, r, 0), argv[2]) == 0) {
                        known = TRUE;
                        missing = strcmp(rd_db_rows_cell(rows, r, 1), "f") == 0;
                }
        if (!known) {
                g_autoptr(GString) items = g_string_new(NULL);

                for (guint r = 0; r < rows->rows->len; r++)
                        g_string_append_printf(items, "%s%s", r ? ", " : "", rd_db_rows_cell(rows, r, 0));
                rd_db_rollback(db);
                fprintf(stderr, "referralctl resolve: %s is not on referral %s's checklist%s%s\n", argv[2], argv[1],
                        rows->rows->len ? " (it has: " : " (no checklist: no such referral?)",
                        rows->rows->len ? items->str : "");
                if (rows->rows->len)
                        fprintf(stderr, ")\n");
                return 1;
        }
        if (!missing)
                fprintf(stderr, "referralctl resolve: %s was already present; recorded anyway\n", argv[2]);
        {
                const char *p[3] = { argv[1], argv[2], note };

                if (!rd_db_exec(db,
                                "INSERT INTO referral_resolution (referral_id, item, note) VALUES ($1::bigint, $2, $3)"
                                " ON CONFLICT (referral_id, item) DO UPDATE SET note = EXCLUDED.note, at = now()",
                                3, p, &error) ||
                    !rd_db_exec(db,
                                "INSERT INTO event (referral_id, kind, detail) VALUES ($1::bigint, 'resolved',"
                                " jsonb_build_object('item', $2::text, 'noted', $3::text IS NOT NULL, 'by', session_user))",
                                3, p, &error))
                        return commit_or_fail(db, g_steal_pointer(&error));
        }
        if (!rd_db_loop_recheck(db, config, id, 0, &complete, &error))
                return commit_or_fail(db, g_steal_pointer(&error));
        if (commit_or_fail(db, NULL) != 0)
                return 1;
        printf("referral %s: %s resolved%s\n", argv[1], argv[2], complete ? "; the referral is now complete" : "");
        return 0;
}

/* confirm: a person has read a referral its reading was unsure of (the
 * REVIEW flag) and its fields and pages stand; its checklist then decides
 * as for any other referral. */
int
rd_cmd_confirm(int argc, char **argv)
{
        GOptionEntry extra[] = { { NULL } };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        gint64 id;
        gboolean complete = FALSE;

        if (!rd_ctl_parse_options(&argc, &argv, "ID", extra, &error))
                return rd_ctl_fail(error);
        if (argc != 2 || !parse_id(argv[1], &id))
                return usage_error("confirm", "give a referral id");
        if (!open_all(&config, &db, &error))
                return rd_ctl_fail(error);
        {
                const char *p[1] = { argv[1] };

                rows = rd_db_query(db,
                                   "WITH old AS (SELECT id, needs_review FROM referral WHERE id = $1::bigint FOR UPDATE),"
                                   " u AS (UPDATE referral r SET needs_review = false, updated_at = now()"
                                   "  FROM old WHERE r.id = old.id RETURNING r.id, old.needs_review)"
                                   " INSERT INTO event (referral_id, kind, detail) SELECT id, 'review-confirmed',"
                                   "  jsonb_build_object('by', session_user,"
                                   "  'was_flagged', needs_review) FROM u RETURNING referral_id",
                                   1, p, &error);
        }
        if (rows == NULL)
                return commit_or_fail(db, g_steal_pointer(&error));
        if (rows->rows->len == 0) {
                rd_db_rollback(db);
                fprintf(stderr, "referralctl confirm: no referral %s\n", argv[1]);
                return 1;
        }
        if (!rd_db_loop_recheck(db, config, id, 0, &complete, &error) ||
            (complete && !rd_reply_queue(db, config, id, "complete", &error)))
                return commit_or_fail(db, g_steal_pointer(&error));
        if (commit_or_fail(db, NULL) != 0)
                return 1;
        printf("referral %s: confirmed%s\n", argv[1], complete ? "; the referral is now complete" : "");
        return 0;
}

int
rd_cmd_status(int argc, char **argv)
{
        static char *note, *at;
        GOptionEntry extra[] = {
                { "note", 'n', 0, G_OPTION_ARG_STRING, &note, "why (declined, redirected)", "TEXT" },
                { "at", 0, 0, G_OPTION_ARG_STRING, &at, "appointment time (scheduled), e.g. \"2026-12-03 09:30\"", "TIME" },
                { NULL },
        };
        static const char *const allowed[] = { "scheduled", "seen", "declined", "redirected", NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        gint64 id;

        if (!rd_ctl_parse_options(&argc, &argv, "ID scheduled --at TIME | seen | declined | redirected [--note TEXT]",
                                  extra, &error))
                return rd_ctl_fail(error);
        if (argc != 3 || !parse_id(argv[1], &id) || !g_strv_contains(allowed, argv[2]))
                return usage_error("status", "give a referral id and one of scheduled, seen, declined, redirected");
        if (strcmp(argv[2], "scheduled") == 0 && at == NULL)
                return usage_error("status", "scheduled needs --at TIME");
        if (strcmp(argv[2], "scheduled") != 0 && at != NULL)
                return usage_error("status", "--at goes with scheduled");
        if ((strcmp(argv[2], "declined") == 0 || strcmp(argv[2], "redirected") == 0) && note == NULL)
                return usage_error("status", "declined and redirected need --note saying why or where");
        if (!open_all(&config, &db, &error))
                return rd_ctl_fail(error);
        {
                const char *p[4] = { argv[1], argv[2], at, note };

                rows = rd_db_query(db,
                                   "WITH old AS (SELECT id, status FROM referral WHERE id = $1::bigint FOR UPDATE),"
                                   " u AS (UPDATE referral r SET status = $2, status_note = coalesce($4, r.status_note),"
                                   "  appointment_at = CASE WHEN $2 = 'scheduled' THEN $3::timestamptz"
                                   "   ELSE r.appointment_at END,"
                                   "  scheduled_at = CASE WHEN $2 = 'scheduled' THEN coalesce(r.scheduled_at, now())"
                                   "   ELSE r.scheduled_at END, updated_at = now()"
                                   "  FROM old WHERE r.id = old.id RETURNING r.id, old.status)"
                                   " INSERT INTO event (referral_id, kind, detail) SELECT id, 'status-changed',"
                                   "  jsonb_strip_nulls(jsonb_build_object('from', status, 'to', $2::text,"
                                   "  'at', $3::timestamptz, 'noted', CASE WHEN $4::text IS NOT NULL THEN true END, 'by', session_user))"
                                   " FROM u RETURNING referral_id",
                                   4, p, &error);
        }
        if (rows == NULL)
                return commit_or_fail(db, g_steal_pointer(&error));
        if (rows->rows->len == 0) {
                rd_db_rollback(db);
                fprintf(stderr, "referralctl status: no referral %s\n", argv[1]);
                return 1;
        }
        if (commit_or_fail(db, NULL) != 0)
                return 1;
        printf("referral %s: %s\n", argv[1], argv[2]);
        return 0;
}

int
rd_cmd_attach(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = NULL;
        g_autoptr(RdDb) db = NULL;
        gint64 item, id;
        gboolean became_complete = FALSE;

        if (!rd_ctl_parse_options(&argc, &argv, "ITEM ID", NULL, &error))
                return rd_ctl_fail(error);
        if (argc != 3 || !parse_id(argv[1], &item) || !parse_id(argv[2], &id))
                return usage_error("attach", "give an inbound item id and a referral id");
        if (!open_all(&config, &db, &error))
                return rd_ctl_fail(error);
        if (!rd_db_loop_attach(db, config, item, id, "staff", &became_complete, &error) ||
            (became_complete && !rd_reply_queue(db, config, id, "complete", &error)))
                return commit_or_fail(db, g_steal_pointer(&error));
        if (commit_or_fail(db, NULL) != 0)
                return 1;
        printf("item %s added to referral %s\n", argv[1], argv[2]);
        return 0;
}

int
rd_cmd_reprocess(int argc, char **argv)
{
        static gboolean as_new;
        GOptionEntry extra[] = {
                { "new", 0, 0, G_OPTION_ARG_NONE, &as_new,
                  "an item left for review: make it a referral of its own", NULL },
                { NULL },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdConfig) config = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        const char *state, *role;
        gint64 item;
        const char *p[1];

        if (!rd_ctl_parse_options(&argc, &argv, "ITEM [--new]", extra, &error))
                return rd_ctl_fail(error);
        if (argc != 2 || !parse_id(argv[1], &item))
                return usage_error("reprocess", "give an inbound item id");
        if (!open_all(&config, &db, &error))
                return rd_ctl_fail(error);
        p[0] = argv[1];
        rows = rd_db_query(db,
                           "SELECT i.state, o.role, i.raw IS NOT NULL FROM item i"
                           " LEFT JOIN item_origin o ON o.item_id = i.id WHERE i.id = $1::bigint FOR UPDATE OF i",
                           1, p, &error);
        if (rows == NULL)
                return commit_or_fail(db, g_steal_pointer(&error));
        if (rows->rows->len == 0) {
                rd_db_rollback(db);
                fprintf(stderr, "referralctl reprocess: no item %s\n", argv[1]);
                return 1;
        }
        state = rd_db_rows_cell(rows, 0, 0);
        role = rd_db_rows_cell(rows, 0, 1);
        if (strcmp(rd_db_rows_cell(rows, 0, 2), "t") != 0) {
                rd_db_rollback(db);
                fprintf(stderr, "referralctl reprocess: item %s's bytes were not kept (too large); "
                        "take the file in again after raising [limits] max-file-size\n", argv[1]);
                return 1;
        }
        if (as_new) {
                if (g_strcmp0(role, "review") != 0) {
                        rd_db_rollback(db);
                        fprintf(stderr, "referralctl reprocess: --new is for items left for review; item %s is not\n",
                                argv[1]);
                        return 1;
                }
                /* the worker sees the staff decision and makes a referral */
                if (!rd_db_exec(db,
                                "UPDATE followup_review SET resolved_at = now(), reason = 'staff: new referral'"
                                " WHERE item_id = $1::bigint",
                                1, p, &error) ||
                    !rd_db_exec(db, "DELETE FROM page WHERE item_id = $1::bigint", 1, p, &error))
                        return commit_or_fail(db, g_steal_pointer(&error));
        } else if (strcmp(state, "failed") != 0 && strcmp(state, "quarantined") != 0) {
                rd_db_rollback(db);
                fprintf(stderr, "referralctl reprocess: item %s is %s; only failed or quarantined items are "
                        "processed again (an item left for review: --new, or attach it)\n", argv[1], state);
                return 1;
        }
        if (!rd_db_exec(db,
                        "UPDATE item SET state = 'queued', attempts = 0, not_before = now(), lease_until = NULL,"
                        " leased_by = NULL, last_error = NULL, updated_at = now() WHERE id = $1::bigint",
                        1, p, &error) ||
            !rd_db_exec(db,
                        "INSERT INTO event (item_id, kind, detail) VALUES ($1::bigint, 'reprocess',"
                        " jsonb_build_object('by', session_user))",
                        1, p, &error) ||
            !rd_db_exec(db, "NOTIFY rd_queue", 0, NULL, &error))
                return commit_or_fail(db, g_steal_pointer(&error));
        if (commit_or_fail(db, NULL) != 0)
                return 1;
        printf("item %s queued again\n", argv[1]);
        return 0;
}

int
rd_cmd_review(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        static const char *const numeric[] = { "item", NULL };

        if (!rd_ctl_parse_options(&argc, &argv, "", NULL, &error))
                return rd_ctl_fail(error);
        db = rd_ctl_open_db(&error);
        if (db == NULL)
                return rd_ctl_fail(error);
        rows = rd_db_query(db,
                           "SELECT f.item_id AS item, to_char(f.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
                           " AS since, array_to_string(f.candidates, ', ') AS referrals, f.reason"
                           " FROM followup_review f WHERE f.resolved_at IS NULL ORDER BY f.item_id",
                           0, NULL, &error);
        if (rows == NULL)
                return rd_ctl_fail(error);
        rd_ctl_print_rows(rows, numeric);
        return 0;
}

/* approve: held -> queued (it needs a recipient); hold: queued -> held. */
static int
outbox_decide(RdDb *db, const char *verb, const char *id_text)
{
        g_autoptr(GError) error = NULL;
        gboolean approve = strcmp(verb, "approve") == 0, found;
        gboolean ok;
        /* the person is the connection's login (peer authentication), not
         * a name this program could be told */
        g_autofree char *who = rd_db_query_value(db, "SELECT session_user", 0, NULL, &ok, &error);
        gint64 id;

        if (!parse_id(id_text, &id))
                return usage_error("outbox", "give a reply id");
        if (!ok || !rd_store_outbox_decide(db, id, 0, approve, who, &found, &error))
                return rd_ctl_fail(g_steal_pointer(&error));
        if (!found) {
                fprintf(stderr, "referralctl outbox %s: no reply %s %s\n", verb, id_text,
                        approve ? "held with a recipient (a held reply without one: register the office with"
                                  " referralctl partner, or answer it by hand and drop it)"
                                : "queued and not yet claimed by the sender");
                return 1;
        }
        printf("reply %s %s by %s\n", id_text, approve ? "approved" : "held", who);
        return 0;
}

int
rd_cmd_outbox(int argc, char **argv)
{
        static char *state;
        GOptionEntry extra[] = {
                { "state", 's', 0, G_OPTION_ARG_STRING, &state,
                  "queued, held, sending, sent, failed, uncertain or suppressed", "S" },
                { NULL },
        };
        static const char *const numeric[] = { "id", "referral", "attempts", NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        gint64 id;

        if (!rd_ctl_parse_options(&argc, &argv, "[--state S] | retry ID | drop ID | approve ID | hold ID", extra,
                                  &error))
                return rd_ctl_fail(error);
        db = rd_ctl_open_db(&error);
        if (db == NULL)
                return rd_ctl_fail(error);
        if (argc == 3 && (strcmp(argv[1], "approve") == 0 || strcmp(argv[1], "hold") == 0))
                return outbox_decide(db, argv[1], argv[2]);
        if (argc == 3 && (strcmp(argv[1], "retry") == 0 || strcmp(argv[1], "drop") == 0)) {
                const char *p[1] = { argv[2] };
                gboolean retry = strcmp(argv[1], "retry") == 0;

                if (!parse_id(argv[2], &id))
                        return usage_error("outbox", "give a reply id");
                rows = rd_db_query(db,
                                   retry ? "WITH u AS (UPDATE outbox SET state = 'queued', attempts = 0, not_before = now(),"
                                           " claimed_by = NULL, reason = NULL WHERE id = $1::bigint"
                                           " AND state IN ('failed', 'uncertain', 'suppressed') AND recipient <> ''"
                                           " RETURNING id, referral_id)"
                                           " INSERT INTO event (referral_id, kind, detail) SELECT referral_id,"
                                           " 'reply-retry', jsonb_build_object('outbox', id, 'by', session_user) FROM u"
                                           " RETURNING referral_id"
                                         : "WITH u AS (UPDATE outbox SET state = 'failed', last_error = 'dropped by staff'"
                                           " WHERE id = $1::bigint AND state IN ('queued', 'uncertain', 'held') RETURNING id,"
                                           " referral_id) INSERT INTO event (referral_id, kind, detail) SELECT referral_id,"
                                           " 'reply-dropped', jsonb_build_object('outbox', id, 'by', session_user) FROM u"
                                           " RETURNING referral_id",
                                   1, p, &error);
                if (rows == NULL || (retry && !rd_db_exec(db, "NOTIFY rd_outbox", 0, NULL, &error)))
                        return rd_ctl_fail(error);
                if (rows->rows->len == 0) {
                        fprintf(stderr, "referralctl outbox %s: no reply %s in a state that allows it (%s)\n", argv[1],
                                argv[2], retry ? "failed, uncertain or suppressed, with an address" : "queued, held or uncertain");
                        return 1;
                }
                printf("reply %s %s\n", argv[2], retry ? "queued again" : "dropped");
                return 0;
        }
        if (argc != 1)
                return usage_error("outbox", "outbox [--state S] | outbox retry ID | outbox drop ID |"
                                             " outbox approve ID | outbox hold ID");
        {
                const char *p[1] = { state };

                rows = rd_db_query(db,
                                   "SELECT o.id, o.referral_id AS referral, r.reference, o.kind, o.channel,"
                                   " o.recipient AS \"to\", o.state, o.attempts,"
                                   " to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS queued,"
                                   " to_char(o.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS sent,"
                                   " coalesce(o.reason, o.last_error) AS why"
                                   " FROM outbox o JOIN referral r ON r.id = o.referral_id"
                                   " WHERE $1::text IS NULL OR o.state = $1 ORDER BY o.id",
                                   1, p, &error);
        }
        if (rows == NULL)
                return rd_ctl_fail(error);
        rd_ctl_print_rows(rows, numeric);
        return 0;
}
