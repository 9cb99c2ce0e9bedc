/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SQL of the staff web interface and of `referralctl user`: accounts,
 * sessions, the audit log, the queue and one referral's page.  Times are
 * formatted in the connection's time zone, which the web process sets
 * from [web] timezone. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "results.h"
#include "web-private.h"
#include "parsers/understand/reftoken.h"

void
rd_web_user_free(RdWebUser *user)
{
        if (user == NULL)
                return;
        g_free(user->name);
        g_free(user->role);
        if (user->password_hash)
                explicit_bzero(user->password_hash, strlen(user->password_hash));
        g_free(user->password_hash);
        g_free(user);
}

void
rd_web_session_free(RdWebSession *session)
{
        if (session == NULL)
                return;
        g_free(session->user_name);
        g_free(session->role);
        g_free(session->csrf_token);
        g_free(session);
}

gboolean
rd_db_web_user_add(RdDb *db, const char *name, const char *role, const char *hash, GError **error)
{
        const char *p[3] = { name, role, hash };

        return rd_db_exec(db, "INSERT INTO web_user (name, role, password_hash) VALUES ($1, $2, $3)", 3, p, error);
}

static gboolean
updated_one(RdDb *db, const char *sql, guint n, const char *const *p, gboolean *ret_found, GError **error)
{
        g_autoptr(RdDbRows) rows = rd_db_query(db, sql, n, p, error);

        if (rows == NULL)
                return FALSE;
        *ret_found = rows->rows->len > 0;
        return TRUE;
}

gboolean
rd_db_web_user_disable(RdDb *db, const char *name, gboolean *ret_found, GError **error)
{
        const char *p[1] = { name };

        /* the sessions go with the account: a disabled person is out now */
        return updated_one(db,
                           "WITH u AS (UPDATE web_user SET disabled = true, updated_at = now() WHERE name = $1"
                           " RETURNING id), s AS (DELETE FROM web_session WHERE user_id IN (SELECT id FROM u))"
                           " SELECT id FROM u",
                           1, p, ret_found, error);
}

gboolean
rd_db_web_user_reset(RdDb *db, const char *name, const char *role, const char *hash, gboolean *ret_found,
                     GError **error)
{
        const char *p[3] = { name, role, hash };

        return updated_one(db,
                           "WITH u AS (UPDATE web_user SET password_hash = $3, role = coalesce($2, role),"
                           " disabled = false, failed_logins = 0, locked_until = NULL, updated_at = now()"
                           " WHERE name = $1 RETURNING id),"
                           " s AS (DELETE FROM web_session WHERE user_id IN (SELECT id FROM u))"
                           " SELECT id FROM u",
                           3, p, ret_found, error);
}

RdDbRows *
rd_db_web_user_list(RdDb *db, GError **error)
{
        return rd_db_query(db,
                           "SELECT name, role, CASE WHEN disabled THEN 'disabled'"
                           " WHEN locked_until > now() THEN 'locked' ELSE 'active' END AS state,"
                           " to_char(last_login_at, 'YYYY-MM-DD HH24:MI') AS last_login"
                           " FROM web_user ORDER BY name",
                           0, NULL, error);
}

gboolean
rd_db_web_user_lookup(RdDb *db, const char *name, RdWebUser **ret_user, GError **error)
{
        const char *p[1] = { name };
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "SELECT id, name, role, password_hash, disabled,"
                                               " coalesce(locked_until > now(), false) FROM web_user"
                                               " WHERE name = $1",
                                               1, p, error);
        RdWebUser *u;

        *ret_user = NULL;
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len == 0)
                return TRUE;
        u = g_new0(RdWebUser, 1);
        u->id = g_ascii_strtoll(rd_db_rows_cell(rows, 0, 0), NULL, 10);
        u->name = g_strdup(rd_db_rows_cell(rows, 0, 1));
        u->role = g_strdup(rd_db_rows_cell(rows, 0, 2));
        u->password_hash = g_strdup(rd_db_rows_cell(rows, 0, 3));
        u->disabled = g_strcmp0(rd_db_rows_cell(rows, 0, 4), "t") == 0;
        u->locked = g_strcmp0(rd_db_rows_cell(rows, 0, 5), "t") == 0;
        *ret_user = u;
        return TRUE;
}

gboolean
rd_db_web_login_failed(RdDb *db, gint64 user_id, guint max_failures, guint64 lock_usec, gboolean *ret_locked,
                       GError **error)
{
        g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, user_id);
        g_autofree char *max = g_strdup_printf("%u", max_failures);
        g_autofree char *lock = g_strdup_printf("%" G_GUINT64_FORMAT, lock_usec / G_USEC_PER_SEC);
        const char *p[3] = { id, max, lock };
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "UPDATE web_user SET failed_logins = failed_logins + 1,"
                                               " locked_until = CASE WHEN failed_logins + 1 >= $2::integer"
                                               "  THEN now() + make_interval(secs => $3::bigint)"
                                               "  ELSE locked_until END"
                                               " WHERE id = $1::bigint"
                                               " RETURNING coalesce(locked_until > now(), false)",
                                               3, p, error);

        if (rows == NULL)
                return FALSE;
        *ret_locked = rows->rows->len > 0 && g_strcmp0(rd_db_rows_cell(rows, 0, 0), "t") == 0;
        return TRUE;
}

gboolean
rd_db_web_login_ok(RdDb *db, gint64 user_id, const char *token_sha256, const char *csrf_token,
                   const char *remote, GError **error)
{
        g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, user_id);
        const char *p[4] = { id, token_sha256, csrf_token, remote };

        return rd_db_exec(db,
                          "UPDATE web_user SET failed_logins = 0, locked_until = NULL, last_login_at = now()"
                          " WHERE id = $1::bigint",
                          1, p, error) &&
               rd_db_exec(db,
                          "INSERT INTO web_session (user_id, token_sha256, csrf_token, remote)"
                          " VALUES ($1::bigint, $2, $3, $4)",
                          4, p, error);
}

gboolean
rd_db_web_session_get(RdDb *db, const char *token_sha256, guint64 idle_usec, RdWebSession **ret_session,
                      GError **error)
{
        g_autofree char *idle = g_strdup_printf("%" G_GUINT64_FORMAT, idle_usec / 1000);
        const char *p[2] = { token_sha256, idle };
        g_autoptr(RdDbRows) rows = NULL;
        RdWebSession *s;

        *ret_session = NULL;
        /* idle or disabled: the row goes, so the cookie never works again */
        if (!rd_db_exec(db,
                        "DELETE FROM web_session s USING web_user u WHERE s.token_sha256 = $1"
                        " AND u.id = s.user_id AND (u.disabled OR"
                        "  s.last_seen_at < now() - make_interval(secs => $2::bigint / 1000.0))",
                        2, p, error))
                return FALSE;
        rows = rd_db_query(db,
                           "UPDATE web_session s SET last_seen_at = now() FROM web_user u"
                           " WHERE s.token_sha256 = $1 AND u.id = s.user_id"
                           " RETURNING u.name, u.role, s.csrf_token",
                           1, p, error);
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len == 0)
                return TRUE;
        s = g_new0(RdWebSession, 1);
        s->user_name = g_strdup(rd_db_rows_cell(rows, 0, 0));
        s->role = g_strdup(rd_db_rows_cell(rows, 0, 1));
        s->csrf_token = g_strdup(rd_db_rows_cell(rows, 0, 2));
        *ret_session = s;
        return TRUE;
}

gboolean
rd_db_web_session_end(RdDb *db, const char *token_sha256, GError **error)
{
        const char *p[1] = { token_sha256 };

        return rd_db_exec(db, "DELETE FROM web_session WHERE token_sha256 = $1", 1, p, error);
}

gboolean
rd_db_web_audit(RdDb *db, const char *user_name, const char *action, gint64 referral_id, const char *detail_json,
                const char *remote, GError **error)
{
        g_autofree char *id = referral_id > 0 ? g_strdup_printf("%" G_GINT64_FORMAT, referral_id) : NULL;
        const char *p[5] = { user_name, action, id, detail_json ? detail_json : "{}", remote };

        return rd_db_exec(db,
                          "INSERT INTO audit_log (user_name, action, referral_id, detail, remote)"
                          " VALUES ($1, $2, $3::bigint, $4::jsonb, $5)",
                          5, p, error);
}

/* pg_trgm is optional (007_web.sql): asked once per process. */
static gboolean
have_trigrams(RdDb *db)
{
        static int known = -1;

        if (known < 0) {
                gboolean yes = FALSE;

                if (!rd_db_query_bool(db, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')", 0,
                                      NULL, &yes, NULL))
                        return FALSE;
                known = yes;
        }
        return known == 1;
}

/* "1956-03-14" or "03/14/1956": the ISO date, else NULL. */
static char *
search_date(const char *q)
{
        int y, m, d;
        char tail;

        if (sscanf(q, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 ||
            (sscanf(q, "%2d/%2d/%4d%c", &m, &d, &y, &tail) == 3 && y > 999)) {
                if (g_date_valid_dmy(d, m, y))
                        return g_strdup_printf("%04d-%02d-%02d", y, m, d);
        }
        return NULL;
}

/* "(555) 201-7788": its digits when it is a phone number (7 to 11
 * digits, nothing but digits and punctuation), else NULL. */
static char *
search_phone(const char *q)
{
        g_autoptr(GString) digits = g_string_new(NULL);

        for (const char *c = q; *c; c++) {
                if (g_ascii_isdigit(*c))
                        g_string_append_c(digits, *c);
                else if (strchr(" ()-.+/", *c) == NULL)
                        return NULL;
        }
        if (digits->len == 11 && digits->str[0] == '1')
                g_string_erase(digits, 0, 1);
        return digits->len >= 7 && digits->len <= 10 ? g_strdup(digits->str) : NULL;
}

#define RD_PATIENT_NAME "(coalesce(r.patient_given, '') || ' ' || coalesce(r.patient_family, ''))"

static const char *
rank_of_state(const char *state)
{
        static const char *const names[] = { "review", "incomplete", "complete", "scheduled", "closed" };
        static const char *const ranks[] = { "0", "1", "2", "3", "4" };

        for (gsize i = 0; state && i < G_N_ELEMENTS(names); i++)
                if (strcmp(state, names[i]) == 0)
                        return ranks[i];
        return NULL;
}

RdDbRows *
rd_db_web_queue(RdDb *db, const RdWebQueueQuery *query, GError **error)
{
        g_autoptr(GString) sql = g_string_new(NULL);
        g_autofree char *partner = query->partner_id > 0 ?
                g_strdup_printf("%" G_GINT64_FORMAT, query->partner_id) : NULL;
        g_autofree char *date = query->q ? search_date(query->q) : NULL;
        g_autofree char *limit = g_strdup_printf("%u", query->limit);
        g_autofree char *offset = g_strdup_printf("%u", query->offset);
        gboolean trgm = query->q && date == NULL && have_trigrams(db);
        g_autofree char *phone = query->q && date == NULL ? search_phone(query->q) : NULL;
        /* a reference as a person types it: any case, with or without its dashes */
        g_autofree char *reference = NULL;
        const char *p[11];

        if (query->q && !rd_reftoken_parse(query->q, &reference))
                reference = NULL;
        p[0] = rank_of_state(query->state);
        p[1] = query->line;
        p[2] = partner;
        p[3] = date ? NULL : query->q;
        p[4] = date;
        p[5] = limit;
        p[6] = offset;
        p[7] = phone;
        p[8] = query->since;
        p[9] = query->until;
        p[10] = reference;

        g_string_append(sql,
                        "SELECT r.id, r.reference, r.queue_rank, r.status, r.urgency, r.service_line,"
                        " r.patient_family, r.patient_given, to_char(r.patient_dob, 'YYYY-MM-DD'),"
                        " p.name, to_char(r.created_at, 'YYYY-MM-DD HH24:MI'),"
                        " (SELECT string_agg(c.item, ', ' ORDER BY c.item) FROM referral_checklist c"
                        "  WHERE c.referral_id = r.id AND NOT c.present AND NOT EXISTS (SELECT 1"
                        "   FROM referral_resolution s WHERE s.referral_id = r.id AND s.item = c.item)),"
                        " count(*) OVER ()"
                        " FROM referral r LEFT JOIN partner p ON p.id = r.partner_id"
                        " WHERE ($1::smallint IS NULL OR r.queue_rank = $1::smallint)"
                        " AND ($2::text IS NULL OR r.service_line = $2)"
                        " AND ($3::bigint IS NULL OR r.partner_id = $3::bigint)"
                        " AND ($5::date IS NULL OR r.patient_dob = $5::date)"
                        " AND ($9::date IS NULL OR r.created_at >= $9::date)"
                        " AND ($10::date IS NULL OR r.created_at < $10::date + 1)");
        /* the name in the trigram index's own expression, so the index serves it */
        if (trgm)
                g_string_append(sql, " AND ($4::text IS NULL OR " RD_PATIENT_NAME " % $4"
                                     " OR lower(r.patient_mrn) = lower($4) OR r.reference = coalesce($11, upper($4))"
                                     " OR ($8::text IS NOT NULL AND regexp_replace(coalesce(r.patient_phone, ''),"
                                     " '[^0-9]', '', 'g') LIKE '%' || $8))");
        else
                g_string_append(sql, " AND ($4::text IS NULL OR " RD_PATIENT_NAME " ILIKE"
                                     " '%' || replace(replace(replace($4, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"
                                     " OR lower(r.patient_mrn) = lower($4) OR r.reference = coalesce($11, upper($4))"
                                     " OR ($8::text IS NOT NULL AND regexp_replace(coalesce(r.patient_phone, ''),"
                                     " '[^0-9]', '', 'g') LIKE '%' || $8))");
        g_string_append(sql, " ORDER BY ");
        if (trgm)
                g_string_append(sql, "similarity(" RD_PATIENT_NAME ", $4) DESC, ");
        g_string_append(sql, "r.queue_rank, r.urgency_rank, r.created_at, r.id"
                             " LIMIT $6::integer OFFSET $7::integer");
        return rd_db_query(db, sql->str, 11, p, error);
}

RdDbRows *
rd_db_web_queue_counts(RdDb *db, GError **error)
{
        return rd_db_query(db, "SELECT queue_rank, count(*) FROM referral GROUP BY queue_rank ORDER BY 1", 0, NULL,
                           error);
}

RdDbRows *
rd_db_web_partners(RdDb *db, GError **error)
{
        return rd_db_query(db, "SELECT id, name FROM partner ORDER BY name", 0, NULL, error);
}

static RdDbRows *
by_id(RdDb *db, const char *sql, gint64 id, GError **error)
{
        g_autofree char *s = g_strdup_printf("%" G_GINT64_FORMAT, id);
        const char *p[1] = { s };

        return rd_db_query(db, sql, 1, p, error);
}

RdDbRows *
rd_db_web_referral(RdDb *db, gint64 id, GError **error)
{
        return by_id(db,
                     "SELECT r.id, r.reference, r.status, r.queue_rank, r.urgency, r.service_line,"
                     " r.patient_family, r.patient_given, to_char(r.patient_dob, 'YYYY-MM-DD'), r.patient_sex,"
                     " r.patient_phone, r.patient_mrn, r.referring_name, r.referring_npi, r.referring_practice,"
                     " r.referring_phone, r.referring_fax, r.reason, array_to_string(r.diagnoses, ', '),"
                     " p.name, r.channel, to_char(r.received, 'YYYY-MM-DD'),"
                     " to_char(r.created_at, 'YYYY-MM-DD HH24:MI'), r.status_note,"
                     " round(r.confidence * 100)::text, " RD_REFERRAL_VERSION ","
                     " to_char(r.appointment_at, 'YYYY-MM-DD HH24:MI'), r.extract->'urgency_evidence'->>'strength',"
                     " r.extract->'service_line_evidence'->>'strength', r.needs_review,"
                     " (SELECT string_agg(c.original_name, ', ' ORDER BY c.id) FROM receipt c"
                     "  WHERE c.item_id = r.item_id)"
                     " FROM referral r LEFT JOIN partner p ON p.id = r.partner_id WHERE r.id = $1::bigint",
                     id, error);
}

RdDbRows *
rd_db_web_checklist(RdDb *db, gint64 id, GError **error)
{
        return by_id(db,
                     "SELECT c.item, CASE WHEN s.item IS NOT NULL THEN 'resolved' WHEN c.present THEN 'present'"
                     " ELSE 'missing' END,"
                     " CASE WHEN s.item IS NOT NULL THEN s.note WHEN c.present THEN NULL"
                     "  ELSE replace(coalesce(c.why, 'not enclosed'), '_', ' ')"
                     "  || coalesce(' (newest found ' || to_char(c.date_found, 'YYYY-MM-DD') || ')', '') END"
                     " FROM referral_checklist c LEFT JOIN referral_resolution s"
                     "  ON s.referral_id = c.referral_id AND s.item = c.item"
                     " WHERE c.referral_id = $1::bigint ORDER BY c.present OR s.item IS NOT NULL, c.item",
                     id, error);
}

RdDbRows *
rd_db_web_documents(RdDb *db, gint64 id, GError **error)
{
        return by_id(db,
                     "SELECT d.type, d.item_id, array_to_string(d.pages, ', '), to_char(d.date, 'YYYY-MM-DD'),"
                     " array_to_string(d.panels, ', ') FROM referral_document d"
                     " WHERE d.referral_id = $1::bigint ORDER BY d.item_id, d.pages[1]",
                     id, error);
}

RdDbRows *
rd_db_web_pages(RdDb *db, gint64 id, GError **error)
{
        return by_id(db,
                     "SELECT g.item_id, g.number, g.method, (SELECT d.type FROM referral_document d"
                     "  WHERE d.referral_id = $1::bigint AND d.item_id = g.item_id AND g.number = ANY (d.pages)"
                     "  LIMIT 1)"
                     " FROM page g WHERE g.item_id IN " RD_REFERRAL_ITEMS " AND g.method <> 'body'"
                     " ORDER BY g.item_id, g.number",
                     id, error);
}

RdDbRows *
rd_db_web_events(RdDb *db, gint64 id, GError **error)
{
        return by_id(db,
                     "SELECT to_char(e.at, 'YYYY-MM-DD HH24:MI'), e.kind, e.detail->>'by', e.detail->>'item',"
                     /* notes stay with the referral, not in the event log (it keeps
                      * no patient data): the resolution's, or the status note of the
                      * status the referral still has */
                     " coalesce(e.detail->>'note', CASE WHEN e.kind = 'resolved' THEN (SELECT s.note"
                     "  FROM referral_resolution s WHERE s.referral_id = e.referral_id"
                     "  AND s.item = e.detail->>'item') WHEN e.kind = 'status-changed' AND e.detail ? 'noted'"
                     "  THEN (SELECT x.status_note FROM referral x WHERE x.id = e.referral_id"
                     "  AND x.status = e.detail->>'to') END), e.detail->>'to', e.detail->>'field', e.detail->>'page'"
                     " FROM event e WHERE e.referral_id = $1::bigint OR e.item_id IN " RD_REFERRAL_ITEMS
                     " ORDER BY e.id",
                     id, error);
}

RdDbRows *
rd_db_web_replies(RdDb *db, gint64 id, GError **error)
{
        return by_id(db,
                     "SELECT id, kind, channel, recipient, state, to_char(sent_at, 'YYYY-MM-DD HH24:MI'),"
                     " coalesce(reason, last_error), subject, body"
                     " FROM outbox WHERE referral_id = $1::bigint ORDER BY id",
                     id, error);
}

gboolean
rd_db_web_page_source(RdDb *db, gint64 referral_id, gint64 item_id, guint number, GBytes **ret_raw,
                      char **ret_media_type, char **ret_part, guint *ret_index, GError **error)
{
        g_autofree char *rid = g_strdup_printf("%" G_GINT64_FORMAT, referral_id);
        g_autofree char *iid = g_strdup_printf("%" G_GINT64_FORMAT, item_id);
        g_autofree char *num = g_strdup_printf("%u", number);
        const char *p[3] = { rid, iid, num };
        g_autoptr(RdDbRows) rows = NULL;

        *ret_raw = NULL;
        /* the page must belong to the referral asked for: an id in a URL
         * never reaches another referral's pages */
        rows = rd_db_query(db,
                           "SELECT i.media_type, g.source_part, g.number - (SELECT min(h.number) FROM page h"
                           "  WHERE h.item_id = g.item_id AND h.source_part = g.source_part)"
                           " FROM page g JOIN item i ON i.id = g.item_id"
                           " WHERE g.item_id = $2::bigint AND g.number = $3::integer AND g.method <> 'body'"
                           " AND g.item_id IN " RD_REFERRAL_ITEMS,
                           3, p, error);
        if (rows == NULL)
                return FALSE;
        if (rows->rows->len == 0)
                return TRUE;
        *ret_raw = rd_db_query_bytes(db, "SELECT raw FROM item WHERE id = $1::bigint", 1, p + 1, error);
        if (*ret_raw == NULL)
                return error == NULL || *error == NULL;
        *ret_media_type = g_strdup(rd_db_rows_cell(rows, 0, 0));
        *ret_part = g_strdup(rd_db_rows_cell(rows, 0, 1));
        *ret_index = (guint)g_ascii_strtoull(rd_db_rows_cell(rows, 0, 2), NULL, 10);
        return TRUE;
}
