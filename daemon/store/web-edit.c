/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The changes staff make in the web interface, each in one transaction
 * with its event (the referral's timeline) and its audit record (the
 * person's name): a page's document type, a field, a checklist item
 * resolved, the status, attaching and detaching a follow-up, and a held
 * reply approved, held or edited.
 *
 * Two people may have one referral open: every change carries the
 * version the person's form was drawn from, and a change to a referral
 * that moved on since is refused (RD_WEB_EDIT_CONFLICT) with who changed
 * it last, so nobody overwrites what they have not seen. */
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "results.h"
#include "outbox.h"
#include "parsers/referral.h"
#include "web-private.h"

void
rd_web_edit_result_clear(RdWebEditResult *res)
{
        g_clear_pointer(&res->why, g_free);
}

static char *
i64(gint64 v)
{
        return g_strdup_printf("%" G_GINT64_FORMAT, v);
}

/* {"key": "value", ...} from pairs ending with NULL; a NULL value is
 * left out.  Keys are literals, values strings. */
static char *
json_detail(const char *key, ...)
{
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonNode) root = NULL;
        va_list ap;

        json_builder_begin_object(b);
        va_start(ap, key);
        for (const char *k = key; k != NULL; k = va_arg(ap, const char *)) {
                const char *v = va_arg(ap, const char *);

                if (v == NULL)
                        continue;
                json_builder_set_member_name(b, k);
                json_builder_add_string_value(b, v);
        }
        va_end(ap);
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        return json_to_string(root, FALSE);
}

static gboolean
set_outcome(RdWebEditResult *res, RdWebEdit outcome, char *why)
{
        res->outcome = outcome;
        g_free(res->why);
        res->why = why;
        return TRUE;
}

/* Opens the transaction and locks the referral.  *ret_go FALSE (and the
 * transaction rolled back): no such referral, or it changed since
 * @who->version (res says which). */
static gboolean
edit_begin(RdDb *db, gint64 referral_id, const RdWebActor *who, RdWebEditResult *res, gboolean *ret_go,
           GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p[1] = { rid };
        g_autoptr(RdDbRows) rows = NULL, last = NULL;

        *ret_go = FALSE;
        memset(res, 0, sizeof *res);
        if (!rd_db_begin(db, error))
                return FALSE;
        rows = rd_db_query(db, "SELECT " RD_REFERRAL_VERSION " FROM referral r WHERE r.id = $1::bigint FOR UPDATE", 1,
                           p, error);
        if (rows == NULL) {
                rd_db_rollback(db);
                return FALSE;
        }
        if (rows->rows->len == 0) {
                rd_db_rollback(db);
                return set_outcome(res, RD_WEB_EDIT_NOT_FOUND, g_strdup("No such referral."));
        }
        if (who->version == NULL || strcmp(who->version, rd_db_rows_cell(rows, 0, 0)) == 0) {
                *ret_go = TRUE;
                return TRUE;
        }
        last = rd_db_query(db,
                           "SELECT to_char(e.at, 'YYYY-MM-DD HH24:MI'), coalesce(e.detail->>'by', 'the daemon'), e.kind"
                           " FROM event e WHERE e.referral_id = $1::bigint ORDER BY e.id DESC LIMIT 1",
                           1, p, error);
        rd_db_rollback(db);
        if (last == NULL)
                return FALSE;
        return set_outcome(res, RD_WEB_EDIT_CONFLICT,
                           last->rows->len ? g_strdup_printf("The last change was %s by %s at %s.",
                                                             rd_db_rows_cell(last, 0, 2), rd_db_rows_cell(last, 0, 1),
                                                             rd_db_rows_cell(last, 0, 0))
                                           : g_strdup(""));
}

/* The audit record, then the commit. */
static gboolean
edit_commit(RdDb *db, gint64 referral_id, const RdWebActor *who, const char *action, const char *detail,
            RdWebEditResult *res, GError **error)
{
        if (!rd_db_web_audit(db, who->user_name, action, referral_id, detail, who->remote, error) ||
            !rd_db_commit(db, error)) {
                rd_db_rollback(db);
                return FALSE;
        }
        res->outcome = RD_WEB_EDIT_DONE;
        return TRUE;
}

static gboolean
edit_refuse(RdDb *db, RdWebEditResult *res, RdWebEdit outcome, char *why)
{
        rd_db_rollback(db);
        return set_outcome(res, outcome, why);
}

static gboolean
edit_fail(RdDb *db)
{
        rd_db_rollback(db);
        return FALSE;
}

static gboolean
add_event(RdDb *db, gint64 item_id, gint64 referral_id, const char *kind, const char *detail, GError **error)
{
        g_autofree char *iid = item_id > 0 ? i64(item_id) : NULL;
        g_autofree char *rid = i64(referral_id);
        const char *p[4] = { iid, rid, kind, detail ? detail : "{}" };

        return rd_db_exec(db,
                          "INSERT INTO event (item_id, referral_id, kind, detail) VALUES ($1::bigint, $2::bigint,"
                          " $3, $4::jsonb)",
                          4, p, error);
}

/* The checklist again, the way the worker decides it; a correction may
 * also take a completeness back (a page that is not the EKG after all). */
static gboolean
recheck(RdDb *db, const RdConfig *config, gint64 referral_id, const RdWebActor *who, RdWebEditResult *res,
        GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p[1] = { rid };
        g_autoptr(RdDbRows) reopened = NULL;

        if (!rd_db_loop_recheck(db, config, referral_id, 0, &res->complete, error))
                return FALSE;
        reopened = rd_db_query(db,
                               "UPDATE referral r SET status = 'incomplete', completed_at = NULL, updated_at = now()"
                               " WHERE r.id = $1::bigint AND r.status = 'complete' AND EXISTS (SELECT 1"
                               "  FROM referral_checklist c WHERE c.referral_id = r.id AND NOT c.present)"
                               " RETURNING r.id",
                               1, p, error);
        if (reopened == NULL)
                return FALSE;
        if (reopened->rows->len > 0) {
                g_autofree char *detail = json_detail("by", who->user_name, NULL);

                return add_event(db, 0, referral_id, "referral-reopened", detail, error);
        }
        return TRUE;
}

/* ---- a page's document type ---------------------------------------------- */

gboolean
rd_db_web_page_type(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id, guint number,
                    const char *type, const RdWebActor *who, RdWebEditResult *res, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        g_autofree char *iid = i64(item_id);
        g_autofree char *num = g_strdup_printf("%u", number);
        const char *p[4] = { rid, iid, num, type };
        g_autoptr(RdDbRows) page = NULL, old = NULL;
        g_autofree char *detail = NULL, *event = NULL;
        const char *from = NULL;
        RdDocType t;
        gboolean go;

        if (!rd_doc_type_from_string(type, &t))
                return set_outcome(res, RD_WEB_EDIT_REFUSED, g_strdup("Not a document type."));
        if (!edit_begin(db, referral_id, who, res, &go, error))
                return FALSE;
        if (!go)
                return TRUE;
        page = rd_db_query(db,
                           "SELECT 1 FROM page g WHERE g.item_id = $2::bigint AND g.number = $3::integer"
                           " AND g.method <> 'body' AND g.item_id IN " RD_REFERRAL_ITEMS,
                           3, p, error);
        if (page == NULL)
                return edit_fail(db);
        if (page->rows->len == 0)
                return edit_refuse(db, res, RD_WEB_EDIT_NOT_FOUND, g_strdup("No such page on this referral."));
        old = rd_db_query(db,
                          "SELECT id, type, date::text FROM referral_document WHERE referral_id = $1::bigint"
                          " AND item_id = $2::bigint AND $3::integer = ANY (pages) ORDER BY id LIMIT 1",
                          3, p, error);
        if (old == NULL)
                return edit_fail(db);
        if (old->rows->len > 0) {
                const char *q[1] = { rd_db_rows_cell(old, 0, 0) };

                from = rd_db_rows_cell(old, 0, 1);
                if (strcmp(from, type) == 0)
                        return edit_refuse(db, res, RD_WEB_EDIT_REFUSED,
                                           g_strdup_printf("Page %u is already %s.", number, type));
                /* the page leaves its document; a document left without pages goes */
                if (!rd_db_exec(db,
                                "UPDATE referral_document SET pages = array_remove(pages, $2::integer)"
                                " WHERE id = $1::bigint",
                                2, (const char *[]){ q[0], num }, error) ||
                    !rd_db_exec(db, "DELETE FROM referral_document WHERE id = $1::bigint AND cardinality(pages) = 0",
                                1, q, error))
                        return edit_fail(db);
        }
        /* a person's word is certain: confidence 1; a date read for the
         * page's earlier document stays with it */
        {
                const char *q[5] = { rid, iid, num, type, old->rows->len ? rd_db_rows_cell(old, 0, 2) : NULL };

                if (!rd_db_exec(db,
                                "INSERT INTO referral_document (referral_id, item_id, type, pages, date, confidence)"
                                " VALUES ($1::bigint, $2::bigint, $4, ARRAY[$3::integer], $5::date, 1)",
                                5, q, error))
                        return edit_fail(db);
        }
        event = json_detail("item", iid, "page", num, "from", from ? from : "unclassified", "to", type, "by",
                            who->user_name, NULL);
        detail = json_detail("item", iid, "page", num, "from", from ? from : "unclassified", "to", type, NULL);
        if (!add_event(db, item_id, referral_id, "page-type-corrected", event, error) ||
            !recheck(db, config, referral_id, who, res, error))
                return edit_fail(db);
        return edit_commit(db, referral_id, who, "page-type", detail, res, error);
}

/* ---- a checklist item resolved with a note ----------------------------------- */

gboolean
rd_db_web_resolve(RdDb *db, const RdConfig *config, gint64 referral_id, const char *item, const char *note,
                  const RdWebActor *who, RdWebEditResult *res, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p[4] = { rid, item, note, who->user_name };
        g_autofree char *detail = json_detail("item", item, NULL);
        gboolean go, known = FALSE;

        if (!edit_begin(db, referral_id, who, res, &go, error))
                return FALSE;
        if (!go)
                return TRUE;
        if (!rd_db_query_bool(db,
                              "SELECT EXISTS (SELECT 1 FROM referral_checklist WHERE referral_id = $1::bigint"
                              " AND item = $2)",
                              2, p, &known, error))
                return edit_fail(db);
        if (!known)
                return edit_refuse(db, res, RD_WEB_EDIT_REFUSED,
                                   g_strdup("That item is not on this referral's checklist."));
        if (!rd_db_exec(db,
                        "INSERT INTO referral_resolution (referral_id, item, note) VALUES ($1::bigint, $2, $3)"
                        " ON CONFLICT (referral_id, item) DO UPDATE SET note = EXCLUDED.note, at = now()",
                        3, p, error) ||
            !rd_db_exec(db,
                        "INSERT INTO event (referral_id, kind, detail) VALUES ($1::bigint, 'resolved',"
                        " jsonb_build_object('item', $2::text, 'noted', $3::text IS NOT NULL, 'by', $4::text))",
                        4, p, error) ||
            !recheck(db, config, referral_id, who, res, error))
                return edit_fail(db);
        return edit_commit(db, referral_id, who, "resolve", detail, res, error);
}

/* ---- a field ----------------------------------------------------------------- */

static const RdWebField fields[] = {
        { "patient_family", "Family name", RD_WEB_FIELD_TEXT },
        { "patient_given", "Given name", RD_WEB_FIELD_TEXT },
        { "patient_dob", "Date of birth", RD_WEB_FIELD_DATE },
        { "patient_sex", "Sex", RD_WEB_FIELD_TEXT },
        { "patient_phone", "Phone", RD_WEB_FIELD_TEXT },
        { "patient_mrn", "MRN", RD_WEB_FIELD_TEXT },
        { "referring_name", "Clinician", RD_WEB_FIELD_TEXT },
        { "referring_npi", "NPI", RD_WEB_FIELD_TEXT },
        { "referring_practice", "Practice", RD_WEB_FIELD_TEXT },
        { "referring_phone", "Phone", RD_WEB_FIELD_TEXT },
        { "referring_fax", "Fax", RD_WEB_FIELD_TEXT },
        { "service_line", "Service line", RD_WEB_FIELD_SERVICE_LINE },
        { "urgency", "Urgency", RD_WEB_FIELD_URGENCY },
        { "reason", "Reason", RD_WEB_FIELD_TEXT },
        { NULL },
};

const RdWebField *
rd_web_field_lookup(const char *column)
{
        for (const RdWebField *f = fields; column && f->column; f++)
                if (strcmp(f->column, column) == 0)
                        return f;
        return NULL;
}

const char *const rd_web_service_lines[] = { "general", "preventive", "interventional", "electrophysiology",
                                             "heart_failure", NULL };
const char *const rd_web_urgencies[] = { "stat", "urgent", "routine", NULL };

gboolean
rd_db_web_set_field(RdDb *db, const RdConfig *config, gint64 referral_id, const char *column, const char *value,
                    const RdWebActor *who, RdWebEditResult *res, GError **error)
{
        const RdWebField *f = rd_web_field_lookup(column);
        g_autofree char *rid = i64(referral_id);
        g_autofree char *sql = NULL, *event = NULL, *detail = NULL;
        const char *v = value && *value ? value : NULL;
        const char *p[2] = { rid, v };
        g_autoptr(RdDbRows) rows = NULL;
        gboolean go;

        if (f == NULL)
                return set_outcome(res, RD_WEB_EDIT_REFUSED, g_strdup("That field cannot be edited."));
        if ((f->kind == RD_WEB_FIELD_SERVICE_LINE && (v == NULL || !g_strv_contains(rd_web_service_lines, v))) ||
            (f->kind == RD_WEB_FIELD_URGENCY && (v == NULL || !g_strv_contains(rd_web_urgencies, v))))
                return set_outcome(res, RD_WEB_EDIT_REFUSED, g_strdup_printf("Choose a %s from the list.", f->label));
        if (v && (strlen(v) > 500 || !g_utf8_validate(v, -1, NULL)))
                return set_outcome(res, RD_WEB_EDIT_REFUSED, g_strdup("The value is too long."));
        if (!edit_begin(db, referral_id, who, res, &go, error))
                return FALSE;
        if (!go)
                return TRUE;
        if (f->kind == RD_WEB_FIELD_DATE && v) {
                g_autofree char *date = NULL;
                gboolean ok;

                date = rd_db_query_value(db, "SELECT rd_try_date($1)::text", 1, p + 1, &ok, error);
                if (!ok)
                        return edit_fail(db);
                if (date == NULL || strlen(v) != 10)
                        return edit_refuse(db, res, RD_WEB_EDIT_REFUSED,
                                           g_strdup("A date is written YYYY-MM-DD, for example 1952-03-14."));
        }
        /* the column is one of the table's names above, never the request's */
        sql = g_strdup_printf("UPDATE referral SET %s = %s, updated_at = now() WHERE id = $1::bigint"
                              " AND %s IS DISTINCT FROM %s RETURNING id",
                              f->column, f->kind == RD_WEB_FIELD_DATE ? "rd_try_date($2)" : "$2", f->column,
                              f->kind == RD_WEB_FIELD_DATE ? "rd_try_date($2)" : "$2");
        rows = rd_db_query(db, sql, 2, p, error);
        if (rows == NULL)
                return edit_fail(db);
        if (rows->rows->len == 0)
                return edit_refuse(db, res, RD_WEB_EDIT_REFUSED, g_strdup_printf("%s was already that.", f->label));
        event = json_detail("field", f->column, "by", who->user_name, NULL);
        detail = json_detail("field", f->column, NULL);
        if (!add_event(db, 0, referral_id, "field-edited", event, error))
                return edit_fail(db);
        /* the service line and urgency decide the checklist */
        if ((f->kind == RD_WEB_FIELD_SERVICE_LINE || f->kind == RD_WEB_FIELD_URGENCY) &&
            !recheck(db, config, referral_id, who, res, error))
                return edit_fail(db);
        return edit_commit(db, referral_id, who, "field-edit", detail, res, error);
}

/* ---- status --------------------------------------------------------------------- */

gboolean
rd_db_web_set_status(RdDb *db, gint64 referral_id, const char *status, const char *local_time,
                     const char *timezone, const char *note, const RdWebActor *who, RdWebEditResult *res,
                     GError **error)
{
        static const char *const allowed[] = { "scheduled", "seen", "declined", "redirected", NULL };
        g_autofree char *rid = i64(referral_id);
        const char *p[6] = { rid, status, local_time, note, who->user_name, timezone };
        g_autofree char *detail = json_detail("to", status, NULL);
        g_autoptr(RdDbRows) rows = NULL;
        gboolean go;

        if (!g_strv_contains(allowed, status))
                return set_outcome(res, RD_WEB_EDIT_REFUSED, g_strdup("Not a status staff can set."));
        if ((strcmp(status, "scheduled") == 0) != (local_time != NULL))
                return set_outcome(res, RD_WEB_EDIT_REFUSED,
                                   g_strdup("Scheduled takes the appointment's date and time (and only it does)."));
        if ((strcmp(status, "declined") == 0 || strcmp(status, "redirected") == 0) && (note == NULL || !*note))
                return set_outcome(res, RD_WEB_EDIT_REFUSED, g_strdup("Say why it was declined, or where it went."));
        if (!edit_begin(db, referral_id, who, res, &go, error))
                return FALSE;
        if (!go)
                return TRUE;
        /* the time as the practice reads its clock: a wall time in
         * [web] timezone, stored as the instant it names */
        rows = rd_db_query(db,
                           "WITH old AS (SELECT id, status FROM referral WHERE id = $1::bigint),"
                           " u AS (UPDATE referral r SET status = $2, status_note = coalesce($4, r.status_note),"
                           "  appointment_at = CASE WHEN $2 = 'scheduled' THEN $3::timestamp AT TIME ZONE $6"
                           "   ELSE r.appointment_at END,"
                           "  scheduled_at = CASE WHEN $2 = 'scheduled' THEN coalesce(r.scheduled_at, now())"
                           "   ELSE r.scheduled_at END, updated_at = now()"
                           "  FROM old WHERE r.id = old.id RETURNING r.id, old.status, r.appointment_at)"
                           " INSERT INTO event (referral_id, kind, detail) SELECT id, 'status-changed',"
                           "  jsonb_strip_nulls(jsonb_build_object('from', status, 'to', $2::text,"
                           "  'at', appointment_at, 'noted', $4::text IS NOT NULL, 'by', $5::text))"
                           "  FROM u WHERE $2 <> 'scheduled' OR $3 IS NOT NULL RETURNING referral_id",
                           6, p, error);
        if (rows == NULL)
                return edit_fail(db);
        return edit_commit(db, referral_id, who, "status", detail, res, error);
}

/* ---- attach and detach ------------------------------------------------------------- */

RdDbRows *
rd_db_web_unmatched(RdDb *db, GError **error)
{
        /* the item's own reading, kept with it while it waits */
        return rd_db_query(db,
                           "SELECT f.item_id, to_char(f.created_at, 'YYYY-MM-DD HH24:MI'), f.reason,"
                           " array_to_string(f.candidates, ', '), f.extract->'patient'->>'family',"
                           " f.extract->'patient'->>'given', f.extract->'patient'->>'dob', o.channel"
                           " FROM followup_review f LEFT JOIN item_origin o ON o.item_id = f.item_id"
                           " WHERE f.resolved_at IS NULL ORDER BY f.created_at, f.item_id LIMIT 200",
                           0, NULL, error);
}

RdDbRows *
rd_db_web_attached(RdDb *db, gint64 referral_id, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p[1] = { rid };

        return rd_db_query(db,
                           "SELECT o.item_id, o.channel, (SELECT to_char(min(e.at), 'YYYY-MM-DD HH24:MI') FROM event e"
                           "  WHERE e.item_id = o.item_id AND e.referral_id = $1::bigint"
                           "  AND e.kind = 'followup-attached')"
                           " FROM item_origin o JOIN referral r ON r.id = o.referral_id"
                           " WHERE o.referral_id = $1::bigint AND o.role = 'followup' AND o.item_id <> r.item_id"
                           " ORDER BY o.item_id",
                           1, p, error);
}

/* Whether the item's patient is the referral's: date of birth and family
 * name the same (letters only, any case).  *ret_differs with what each
 * says, for the person to compare. */
static gboolean
patient_differs(RdDb *db, const char *rid, const char *iid, char **ret_differs, GError **error)
{
        const char *p[2] = { rid, iid };
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "SELECT r.patient_family, r.patient_given, r.patient_dob::text,"
                                               " x.j->'patient'->>'family', x.j->'patient'->>'given',"
                                               " rd_try_date(x.j->'patient'->>'dob')::text,"
                                               " lower(regexp_replace(coalesce(r.patient_family, ''), '[^[:alpha:]]',"
                                               "  '', 'g')) = lower(regexp_replace(coalesce(x.j->'patient'->>'family',"
                                               "  ''), '[^[:alpha:]]', '', 'g'))"
                                               " AND r.patient_dob IS NOT DISTINCT FROM"
                                               "  rd_try_date(x.j->'patient'->>'dob')"
                                               " FROM referral r, LATERAL (SELECT coalesce((SELECT f.extract"
                                               "  FROM followup_review f WHERE f.item_id = $2::bigint), (SELECT extract"
                                               "  FROM referral WHERE item_id = $2::bigint), '{}') AS j) x"
                                               " WHERE r.id = $1::bigint",
                                               2, p, error);

        *ret_differs = NULL;
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len > 0 && g_strcmp0(rd_db_rows_cell(rows, 0, 6), "t") != 0) {
#define C(i) (rd_db_rows_cell(rows, 0, i) ? rd_db_rows_cell(rows, 0, i) : "?")
                *ret_differs = g_strdup_printf("The item's patient is %s, %s (born %s); the referral's is %s, %s"
                                               " (born %s).",
                                               C(3), C(4), C(5), C(0), C(1), C(2));
#undef C
        }
        return TRUE;
}

gboolean
rd_db_web_attach(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id, gboolean confirmed,
                 const RdWebActor *who, RdWebEditResult *res, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        g_autofree char *iid = i64(item_id);
        const char *p[2] = { rid, iid };
        g_autofree char *differs = NULL, *event = NULL;
        g_autoptr(GError) local = NULL;
        gboolean go, waiting = FALSE;

        if (!edit_begin(db, referral_id, who, res, &go, error))
                return FALSE;
        if (!go)
                return TRUE;
        if (!rd_db_query_bool(db,
                              "SELECT EXISTS (SELECT 1 FROM followup_review WHERE item_id = $1::bigint"
                              " AND resolved_at IS NULL)",
                              1, p + 1, &waiting, error))
                return edit_fail(db);
        if (!waiting)
                return edit_refuse(db, res, RD_WEB_EDIT_REFUSED,
                                   g_strdup("That item is not waiting among the unmatched follow-ups."));
        if (!patient_differs(db, rid, iid, &differs, error))
                return edit_fail(db);
        if (differs && !confirmed)
                return edit_refuse(db, res, RD_WEB_EDIT_CONFIRM, g_steal_pointer(&differs));
        if (!rd_db_loop_attach(db, config, item_id, referral_id, "staff", &res->complete, &local)) {
                if (local->domain == RD_DB_ERROR && local->code == RD_DB_ERROR_REJECTED)
                        return edit_refuse(db, res, RD_WEB_EDIT_REFUSED, g_strdup(local->message));
                g_propagate_error(error, g_steal_pointer(&local));
                return edit_fail(db);
        }
        event = json_detail("item", iid, "by", who->user_name, "patient", differs ? "differs" : NULL, NULL);
        if (!add_event(db, item_id, referral_id, "item-attached", event, error))
                return edit_fail(db);
        /* the caller queues the referral's replies, then commits */
        {
                g_autofree char *detail = json_detail("item", iid, "patient", differs ? "differs" : NULL, NULL);

                if (!rd_db_web_audit(db, who->user_name, "attach", referral_id, detail, who->remote, error))
                        return edit_fail(db);
        }
        res->outcome = RD_WEB_EDIT_DONE;
        return TRUE;
}

gboolean
rd_db_web_detach(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id, const RdWebActor *who,
                 RdWebEditResult *res, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        g_autofree char *iid = i64(item_id);
        const char *p[2] = { rid, iid };
        g_autofree char *event = json_detail("item", iid, "by", who->user_name, NULL);
        g_autofree char *detail = json_detail("item", iid, NULL);
        gboolean go, attached = FALSE;

        if (!edit_begin(db, referral_id, who, res, &go, error))
                return FALSE;
        if (!go)
                return TRUE;
        if (!rd_db_query_bool(db,
                              "SELECT EXISTS (SELECT 1 FROM item_origin o JOIN referral r ON r.id = o.referral_id"
                              " WHERE o.item_id = $2::bigint AND o.referral_id = $1::bigint AND o.role = 'followup'"
                              " AND r.item_id <> o.item_id)",
                              2, p, &attached, error))
                return edit_fail(db);
        if (!attached)
                return edit_refuse(db, res, RD_WEB_EDIT_REFUSED,
                                   g_strdup("That item is not a follow-up of this referral."));
        /* its documents leave the referral, and it waits among the
         * unmatched follow-ups again; fields it filled stay (the timeline
         * names them) */
        if (!rd_db_exec(db, "DELETE FROM referral_document WHERE referral_id = $1::bigint AND item_id = $2::bigint", 2,
                        p, error) ||
            !rd_db_exec(db, "UPDATE item_origin SET role = 'review', referral_id = NULL WHERE item_id = $1::bigint", 1,
                        p + 1, error) ||
            !rd_db_exec(db,
                        "INSERT INTO followup_review (item_id, candidates, reason)"
                        " VALUES ($2::bigint, ARRAY[$1::bigint], 'detached by staff')"
                        " ON CONFLICT (item_id) DO UPDATE SET resolved_at = NULL, reason = EXCLUDED.reason,"
                        " candidates = EXCLUDED.candidates",
                        2, p, error) ||
            !add_event(db, item_id, referral_id, "item-detached", event, error) ||
            !recheck(db, config, referral_id, who, res, error))
                return edit_fail(db);
        return edit_commit(db, referral_id, who, "detach", detail, res, error);
}

/* ---- replies ----------------------------------------------------------------------- */

gboolean
rd_db_web_reply_decide(RdDb *db, gint64 referral_id, gint64 outbox_id, gboolean approve, const RdWebActor *who,
                       RdWebEditResult *res, GError **error)
{
        g_autofree char *oid = i64(outbox_id);
        g_autofree char *detail = json_detail("outbox", oid, NULL);
        gboolean found;

        memset(res, 0, sizeof *res);
        if (!rd_db_begin(db, error))
                return FALSE;
        if (!rd_store_outbox_decide(db, outbox_id, referral_id, approve, who->user_name, &found, error))
                return edit_fail(db);
        if (!found)
                return edit_refuse(db, res, RD_WEB_EDIT_REFUSED,
                                   g_strdup(approve ? "That reply is not held with a recipient (someone may have"
                                                      " decided already)."
                                                    : "That reply is not queued any more (sent, or held already)."));
        return edit_commit(db, referral_id, who, approve ? "reply-approve" : "reply-hold", detail, res, error);
}

gboolean
rd_db_web_reply_edit(RdDb *db, gint64 referral_id, gint64 outbox_id, const char *subject, const char *body,
                     const RdWebActor *who, RdWebEditResult *res, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        g_autofree char *oid = i64(outbox_id);
        const char *p[5] = { oid, rid, subject, body, who->user_name };
        g_autofree char *detail = json_detail("outbox", oid, NULL);
        g_autoptr(RdDbRows) rows = NULL;

        memset(res, 0, sizeof *res);
        if (!rd_db_begin(db, error))
                return FALSE;
        rows = rd_db_query(db,
                           "WITH u AS (UPDATE outbox SET subject = $3, body = $4 WHERE id = $1::bigint"
                           " AND referral_id = $2::bigint AND state = 'held' RETURNING id, referral_id, item_id)"
                           " INSERT INTO event (item_id, referral_id, kind, detail) SELECT item_id, referral_id,"
                           " 'reply-edited', jsonb_build_object('outbox', id, 'by', $5::text) FROM u"
                           " RETURNING referral_id",
                           5, p, error);
        if (rows == NULL)
                return edit_fail(db);
        if (rows->rows->len == 0)
                return edit_refuse(db, res, RD_WEB_EDIT_REFUSED,
                                   g_strdup("Only a held reply can be edited (hold it first)."));
        return edit_commit(db, referral_id, who, "reply-edit", detail, res, error);
}
