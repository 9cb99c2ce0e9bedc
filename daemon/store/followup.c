/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Follow-ups in PostgreSQL: which open referral an item answers (and
 * whether that may be trusted), merging its documents and fields, the
 * checklist re-run, and staff's attach. */
#include <string.h>

#include "loop-private.h"
#include "parsers/understand/policy.h"
#include "parsers/understand/reftoken.h"

#define i64 rd_loop_i64
#define add_event rd_loop_add_event

static void
add_candidate(GArray *set, gint64 id)
{
        for (guint i = 0; i < set->len; i++)
                if (g_array_index(set, gint64, i) == id)
                        return;
        g_array_append_val(set, id);
}

/* Referrals the item names outright: a reference token in its subject or
 * text, or one of our replies' Message-IDs in In-Reply-To / References. */
static gboolean
strong_candidates(RdDb *db, const RdOrigin *origin, GArray *set, GString *how, GError **error)
{
        g_autoptr(GString) text = g_string_new(origin->subject);
        g_autoptr(GPtrArray) tokens = NULL;
        g_autoptr(GPtrArray) ids = g_ptr_array_new();

        g_string_append_c(text, '\n');
        if (origin->text)
                g_string_append(text, origin->text);
        tokens = rd_reftoken_find(text->str);
        /* a reference is looked up as stored: a random one carries no id,
         * an old one's id is only a check of its own */
        for (guint i = 0; i < tokens->len; i++) {
                g_autofree char *found = NULL;
                const char *p[1] = { tokens->pdata[i] };
                gboolean ok;

                found = rd_db_query_value(db, "SELECT id FROM referral WHERE reference = $1", 1, p, &ok, error);
                if (!ok)
                        return FALSE;
                if (found) {
                        add_candidate(set, g_ascii_strtoll(found, NULL, 10));
                        g_string_append(how, how->len ? ",reference" : "reference");
                }
        }

        if (origin->in_reply_to)
                g_ptr_array_add(ids, (gpointer)origin->in_reply_to);
        for (guint i = 0; origin->references && i < origin->references->len; i++)
                g_ptr_array_add(ids, origin->references->pdata[i]);
        for (guint i = 0; i < ids->len; i++) {
                const char *p[1] = { ids->pdata[i] };
                g_autoptr(RdDbRows) rows = rd_db_query(db, "SELECT r FROM rd_worker_replied_referrals($1) r",
                                                       1, p, error);

                if (rows == NULL)
                        return FALSE;
                for (guint r = 0; r < rows->rows->len; r++) {
                        add_candidate(set, g_ascii_strtoll(rd_db_rows_cell(rows, r, 0), NULL, 10));
                        if (!strstr(how->str, "in-reply-to"))
                                g_string_append(how, how->len ? ",in-reply-to" : "in-reply-to");
                }
        }
        return TRUE;
}

/* Family names equal but for one edit (OCR drops, adds or misreads one
 * letter), compared case-insensitively on letters only. */
static gboolean
family_agrees(const char *a, const char *b)
{
        g_autoptr(GString) x = g_string_new(NULL), y = g_string_new(NULL);
        gsize i = 0, j = 0, edits = 0;

        if (a == NULL || b == NULL)
                return FALSE;
        for (const char *p = a; *p; p++)
                if (g_ascii_isalpha(*p) || (guchar)*p >= 0x80)
                        g_string_append_c(x, g_ascii_tolower(*p));
        for (const char *p = b; *p; p++)
                if (g_ascii_isalpha(*p) || (guchar)*p >= 0x80)
                        g_string_append_c(y, g_ascii_tolower(*p));
        if (x->len < 2 || y->len < 2 || (x->len > y->len ? x->len - y->len : y->len - x->len) > 1)
                return FALSE;
        while (i < x->len && j < y->len) {
                if (x->str[i] == y->str[j]) {
                        i++, j++;
                        continue;
                }
                if (++edits > 1)
                        return FALSE;
                if (x->len > y->len)
                        i++;
                else if (y->len > x->len)
                        j++;
                else
                        i++, j++;
        }
        return edits + (x->len - i) + (y->len - j) <= 1;
}

/* Open referrals of the same patient (date of birth, family name within
 * one edit) within the follow-up window; from the referral's own partner
 * the date of birth suffices when the item gives no family name (OCR lost
 * it).  A packet that is itself a referral only joins one from the same
 * sender (a second copy of it); any other packet joins the patient's
 * referral whoever sent it. */
static gboolean
patient_candidates(RdDb *db, const RdConfig *config, gint64 partner_id, const RdOrigin *origin,
                   const RdReferral *ref, GArray *set, GError **error)
{
        g_autofree char *pid = partner_id > 0 ? i64(partner_id) : NULL;
        g_autofree char *window = g_strdup_printf("%" G_GUINT64_FORMAT " seconds",
                                                  config->replies->followup_window_usec / G_USEC_PER_SEC);
        const char *channel_fax = origin->relay_fax ? origin->relay_fax : origin->header_fax;
        const char *p[6] = { ref->patient.dob, window, pid, origin->looks_like_referral ? "true" : "false",
                             origin->email_key ? origin->email_key : "", channel_fax ? channel_fax : "" };
        g_autoptr(RdDbRows) rows = NULL;

        if (ref->patient.dob == NULL || (ref->patient.family == NULL && partner_id <= 0))
                return TRUE;
        /* the same sender: the same partner, or, both unknown, the same
         * address or fax machine */
        rows = rd_db_query(db,
                           "SELECT r.id, r.patient_family, r.partner_id IS NOT DISTINCT FROM $3::bigint"
                           " FROM referral r LEFT JOIN item_origin o ON o.item_id = r.item_id"
                           " WHERE r.status = 'incomplete' AND r.patient_dob = rd_try_date($1)"
                           " AND r.received_at > now() - $2::interval"
                           " AND (NOT $4::boolean OR r.partner_id = $3::bigint OR ($3::bigint IS NULL"
                           "  AND r.partner_id IS NULL AND (lower(o.from_addr) = nullif($5, '')"
                           "  OR coalesce(o.relay_fax, o.header_fax) = nullif($6, ''))))"
                           " ORDER BY r.id",
                           6, p, error);
        if (rows == NULL)
                return FALSE;
        for (guint r = 0; r < rows->rows->len; r++) {
                gboolean same_partner = partner_id > 0 && g_strcmp0(rd_db_rows_cell(rows, r, 2), "t") == 0;

                if (family_agrees(ref->patient.family, rd_db_rows_cell(rows, r, 1)) ||
                    (ref->patient.family == NULL && same_partner))
                        add_candidate(set, g_ascii_strtoll(rd_db_rows_cell(rows, r, 0), NULL, 10));
        }
        return TRUE;
}

/* A reference is random and proves nothing alone: the referral it names
 * is this item's only when the sender is the referral's partner or the
 * patient is the referral's patient. */
static gboolean
candidate_agrees(RdDb *db, gint64 referral_id, gint64 partner_id, const RdReferral *ref, gboolean *ret,
                 GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p[1] = { rid };
        g_autoptr(RdDbRows) rows = rd_db_query(db,
                                               "SELECT partner_id, patient_family, patient_dob::text FROM referral"
                                               " WHERE id = $1::bigint",
                                               1, p, error);
        const char *their_partner, *dob;

        if (rows == NULL)
                return FALSE;
        *ret = FALSE;
        if (rows->rows->len == 0)
                return TRUE;
        their_partner = rd_db_rows_cell(rows, 0, 0);
        dob = rd_db_rows_cell(rows, 0, 2);
        if (partner_id > 0 && their_partner && g_ascii_strtoll(their_partner, NULL, 10) == partner_id)
                *ret = TRUE;
        else if (ref->patient.dob && dob && strcmp(ref->patient.dob, dob) == 0 &&
                 family_agrees(ref->patient.family, rd_db_rows_cell(rows, 0, 1)))
                *ret = TRUE;
        return TRUE;
}

gboolean
rd_loop_find_followup(RdDb *db, const RdConfig *config, const RdOrigin *origin, const RdReferral *ref,
                      gint64 partner_id, GArray *ret_ids, GString *ret_how, char **ret_unmatched, GError **error)
{
        g_autoptr(GArray) strong = g_array_new(FALSE, FALSE, sizeof(gint64));
        g_autoptr(GString) how = g_string_new(NULL);

        *ret_unmatched = NULL;
        if (!strong_candidates(db, origin, strong, how, error))
                return FALSE;
        for (guint i = 0; i < strong->len; i++) {
                gboolean agrees;

                if (!candidate_agrees(db, g_array_index(strong, gint64, i), partner_id, ref, &agrees, error))
                        return FALSE;
                if (agrees)
                        g_array_append_val(ret_ids, g_array_index(strong, gint64, i));
        }
        if (ret_ids->len > 0) {
                g_string_assign(ret_how, how->str);
                return TRUE;
        }
        if (strong->len > 0) {
                *ret_unmatched = g_strdup_printf("it names referral %" G_GINT64_FORMAT " (%s), but neither its"
                                                 " sender nor its patient agrees with that referral",
                                                 g_array_index(strong, gint64, 0), how->str);
                for (guint i = 0; i < strong->len; i++)
                        g_array_append_val(ret_ids, g_array_index(strong, gint64, i));
                return TRUE;
        }
        if (!patient_candidates(db, config, partner_id, origin, ref, ret_ids, error))
                return FALSE;
        g_string_assign(ret_how, partner_id > 0 ? "same partner and patient" : "same patient");
        if (ret_ids->len == 0 && !origin->looks_like_referral)
                *ret_unmatched = g_strdup("no open referral matches, and it is not a referral itself"
                                          " (no referral form or request for a consult)");
        return TRUE;
}

gboolean
rd_loop_review(RdDb *db, gint64 item_id, GArray *candidates, const char *reason, const char *referral_json,
               GError **error)
{
        g_autoptr(GString) ids = g_string_new("{");
        g_autofree char *iid = i64(item_id);
        const char *p[4];

        for (guint i = 0; i < candidates->len; i++)
                g_string_append_printf(ids, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index(candidates, gint64, i));
        g_string_append_c(ids, '}');
        p[0] = iid;
        p[1] = ids->str;
        p[2] = reason;
        p[3] = referral_json;
        /* the item's understanding waits with it for staff (attach); the
         * purge deletes it with the item's fields */
        return rd_db_exec(db,
                          "INSERT INTO followup_review (item_id, candidates, reason, extract) VALUES ($1::bigint,"
                          " $2::bigint[], $3, $4::jsonb) ON CONFLICT (item_id) DO UPDATE SET candidates ="
                          " EXCLUDED.candidates, reason = EXCLUDED.reason, extract = EXCLUDED.extract,"
                          " resolved_at = NULL",
                          4, p, error) &&
               rd_db_exec(db,
                          /* ids and the reason only: the event log keeps no patient data */
                          "INSERT INTO event (item_id, kind, detail) VALUES ($1::bigint, 'followup-review',"
                          " jsonb_build_object('candidates', $2::bigint[], 'reason', $3::text))",
                          3, p, error);
}

/* The referral's stored documents, as the checklist reads them. */
static gboolean
load_documents(RdDb *db, const char *rid, RdReferral *ref, GError **error)
{
        const char *p1[1] = { rid };
        g_autoptr(RdDbRows) docs = NULL;

        docs = rd_db_query(db,
                           "SELECT type, date::text, array_to_string(panels, ','), coalesce(confidence, 1)"
                           " FROM referral_document WHERE referral_id = $1::bigint ORDER BY id",
                           1, p1, error);
        if (docs == NULL)
                return FALSE;
        for (guint r = 0; r < docs->rows->len; r++) {
                RdDocType type;
                RdDocument *d;
                g_auto(GStrv) panels = NULL;

                if (!rd_doc_type_from_string(rd_db_rows_cell(docs, r, 0), &type))
                        continue;
                d = rd_document_new(type);
                d->date = g_strdup(rd_db_rows_cell(docs, r, 1));
                d->confidence = g_ascii_strtod(rd_db_rows_cell(docs, r, 3), NULL);
                panels = g_strsplit(rd_db_rows_cell(docs, r, 2) ? rd_db_rows_cell(docs, r, 2) : "", ",", -1);
                for (guint i = 0; panels[i]; i++) {
                        RdPanel panel;

                        if (rd_panel_from_string(panels[i], &panel))
                                d->panels |= panel;
                }
                g_ptr_array_add(ref->documents, d);
        }
        return TRUE;
}

gboolean
rd_db_loop_recheck(RdDb *db, const RdConfig *config, gint64 referral_id, gint64 item_id,
                   gboolean *ret_became_complete, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        const char *p1[1] = { rid };
        g_autoptr(RdDbRows) head = NULL, resolved = NULL;
        g_autoptr(RdReferral) ref = rd_referral_new();
        g_autoptr(GString) missing_json = g_string_new("[");
        gboolean missing_ekg = FALSE, missing_labs = FALSE, was_incomplete, unsure;

        *ret_became_complete = FALSE;
        head = rd_db_query(db,
                           "SELECT service_line, urgency, coalesce(received::text, received_at::date::text), status,"
                           " needs_review::text"
                           " FROM referral WHERE id = $1::bigint FOR UPDATE",
                           1, p1, error);
        if (head == NULL)
                return FALSE;
        if (head->rows->len == 0) {
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED, "no referral %s", rid);
                return FALSE;
        }
        ref->service_line = g_strdup(rd_db_rows_cell(head, 0, 0));
        ref->urgency = g_strdup(rd_db_rows_cell(head, 0, 1));
        ref->received = g_strdup(rd_db_rows_cell(head, 0, 2));
        was_incomplete = g_strcmp0(rd_db_rows_cell(head, 0, 3), "incomplete") == 0;
        unsure = g_strcmp0(rd_db_rows_cell(head, 0, 4), "true") == 0;
        if (!load_documents(db, rid, ref, error))
                return FALSE;
        rd_policy_check(config->policy, ref);

        /* staff resolutions count as present */
        resolved = rd_db_query(db, "SELECT item FROM referral_resolution WHERE referral_id = $1::bigint", 1, p1,
                               error);
        if (resolved == NULL)
                return FALSE;
        for (guint i = 0; i < ref->missing->len;) {
                RdMissingItem *m = ref->missing->pdata[i];
                gboolean res = FALSE;

                for (guint r = 0; r < resolved->rows->len; r++)
                        res |= g_strcmp0(rd_db_rows_cell(resolved, r, 0), m->item) == 0;
                if (res)
                        g_ptr_array_remove_index(ref->missing, i);
                else
                        i++;
        }
        /* a referral whose reading was unsure is complete only once a
         * person has confirmed it (referralctl confirm) */
        ref->complete = ref->missing->len == 0 && !unsure;

        if (!rd_db_exec(db, "DELETE FROM referral_checklist WHERE referral_id = $1::bigint", 1, p1, error))
                return FALSE;
        for (guint i = 0; i < ref->required->len; i++) {
                const char *item = ref->required->pdata[i];
                const RdMissingItem *m = NULL;
                const char *p[5];

                for (guint k = 0; k < ref->missing->len; k++)
                        if (strcmp(((RdMissingItem *)ref->missing->pdata[k])->item, item) == 0)
                                m = ref->missing->pdata[k];
                p[0] = rid;
                p[1] = item;
                p[2] = m ? "false" : "true";
                p[3] = m ? rd_missing_why_to_string(m->why) : NULL;
                p[4] = m ? m->date_found : NULL;
                if (!rd_db_exec(db,
                                "INSERT INTO referral_checklist (referral_id, item, present, why, date_found)"
                                " VALUES ($1::bigint, $2, $3::boolean, $4, rd_try_date($5))",
                                5, p, error))
                        return FALSE;
                if (m) {
                        g_autofree char *q = g_strescape(item, NULL);

                        g_string_append_printf(missing_json, "%s\"%s\"", missing_json->len > 1 ? "," : "", q);
                        missing_ekg |= strcmp(item, "ekg") == 0;
                        missing_labs |= strcmp(item, "labs") == 0 || g_str_has_prefix(item, "labs:");
                }
        }
        g_string_append_c(missing_json, ']');
        {
                const char *p[4] = { rid, missing_ekg ? "true" : "false", missing_labs ? "true" : "false",
                                     ref->complete ? "true" : "false" };

                if (!rd_db_exec(db,
                                "UPDATE referral SET missing_ekg = $2::boolean, missing_labs = $3::boolean,"
                                " status = CASE WHEN status = 'incomplete' AND $4::boolean THEN 'complete' ELSE status END,"
                                " completed_at = CASE WHEN $4::boolean THEN coalesce(completed_at, now()) ELSE completed_at END,"
                                " updated_at = now() WHERE id = $1::bigint",
                                4, p, error))
                        return FALSE;
        }
        {
                g_autofree char *detail = g_strdup_printf("{\"missing\": %s}", missing_json->str);

                if (!add_event(db, item_id, referral_id, "checklist-rerun", detail, error))
                        return FALSE;
        }
        if (was_incomplete && ref->complete) {
                *ret_became_complete = TRUE;
                if (!add_event(db, item_id, referral_id, "referral-complete", NULL, error))
                        return FALSE;
        }
        return TRUE;
}

static gboolean
add_documents(RdDb *db, gint64 referral_id, gint64 item_id, const char *referral_json, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        g_autofree char *iid = i64(item_id);
        const char *p[3] = { rid, iid, referral_json };

        return rd_db_exec(db,
                          "INSERT INTO referral_document (referral_id, item_id, type, pages, date, panels, confidence)"
                          " SELECT $1::bigint, $2::bigint, d->>'type',"
                          "  ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'pages', '[]'))::integer),"
                          "  rd_try_date(d->>'date'),"
                          "  ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'panels', '[]'))),"
                          "  (d->>'confidence')::real"
                          " FROM jsonb_array_elements(coalesce($3::jsonb->'documents', '[]')) d",
                          3, p, error);
}

/* A referral's fields that the first fax or email left empty, filled
 * from a follow-up's: a patient's MRN on the cover sheet, a referring NPI
 * the partner adds.  Nothing read before is overwritten.  The referring
 * office's fields, the reason and the diagnoses come only from a
 * follow-up of the referral's own partner: a lab or hospital that quotes
 * the reference is not the referring office, and the referring fax
 * addresses replies.  The service line and urgency stay as they are:
 * they decide the checklist, and changing them is for staff.  The event
 * names the fields filled, not their values; the referral's extract JSON
 * stays as first understood.
 *
 * FILL_COLUMNS: the text columns, each with its place in the extract
 * JSON, its name in the event, and when it may be filled. */
#define FILL_COLUMNS(X)                                                                     \
        X("patient_family", "->'patient'->>'family'", "patient.family", "true")            \
        X("patient_given", "->'patient'->>'given'", "patient.given", "true")               \
        X("patient_sex", "->'patient'->>'sex'", "patient.sex", "true")                     \
        X("patient_phone", "->'patient'->>'phone'", "patient.phone", "true")               \
        X("patient_mrn", "->'patient'->>'mrn'", "patient.mrn", "true")                     \
        X("referring_name", "->'referring'->>'name'", "referring.name", "j.same_partner")  \
        X("referring_npi", "->'referring'->>'npi'", "referring.npi", "j.same_partner")     \
        X("referring_practice", "->'referring'->>'practice'", "referring.practice", "j.same_partner") \
        X("referring_phone", "->'referring'->>'phone'", "referring.phone", "j.same_partner") \
        X("referring_fax", "->'referring'->>'fax'", "referring.fax", "j.same_partner")     \
        X("reason", "->>'reason'", "reason", "j.same_partner")
#define FILL_SET(col, path, name, when) \
        " " col " = coalesce(r." col ", CASE WHEN " when " THEN nullif(j.j" path ", '') END),"
#define FILL_NAME(col, path, name, when) " CASE WHEN o." col " IS NULL AND u." col " IS NOT NULL THEN '" name "' END,"
#define FILL_FIELDS_SQL                                                                     \
        "WITH j AS (SELECT $2::jsonb AS j, EXISTS (SELECT 1 FROM item_origin io JOIN referral x" \
        "  ON x.partner_id = io.partner_id WHERE io.item_id = $3::bigint AND x.id = $1::bigint)" \
        "  AS same_partner),"                                                               \
        " o AS (SELECT * FROM referral WHERE id = $1::bigint),"                             \
        " u AS (UPDATE referral r SET" FILL_COLUMNS(FILL_SET)                               \
        " patient_dob = coalesce(r.patient_dob, rd_try_date(j.j->'patient'->>'dob')),"      \
        " diagnoses = CASE WHEN cardinality(r.diagnoses) > 0 OR NOT j.same_partner"         \
        "  THEN r.diagnoses"                                                                \
        "  ELSE ARRAY(SELECT jsonb_array_elements_text(coalesce(j.j->'diagnoses', '[]'))) END" \
        " FROM j WHERE r.id = $1::bigint RETURNING r.*)"                                    \
        " SELECT to_jsonb(array_remove(ARRAY[" FILL_COLUMNS(FILL_NAME)                      \
        FILL_NAME("patient_dob", "", "patient.dob", "")                                     \
        " CASE WHEN cardinality(o.diagnoses) = 0 AND cardinality(u.diagnoses) > 0"          \
        "  THEN 'diagnoses' END], NULL))::text FROM o, u"

static gboolean
fill_fields(RdDb *db, gint64 item_id, gint64 referral_id, const char *referral_json, GError **error)
{
        g_autofree char *rid = i64(referral_id);
        g_autofree char *iid = i64(item_id);
        const char *p[3] = { rid, referral_json, iid };
        g_autofree char *filled = NULL, *detail = NULL;
        gboolean ok;

        filled = rd_db_query_value(db, FILL_FIELDS_SQL, 3, p, &ok, error);
        if (!ok)
                return FALSE;
        if (filled == NULL || strcmp(filled, "[]") == 0)
                return TRUE;
        detail = g_strdup_printf("{\"fields\": %s}", filled);
        return add_event(db, item_id, referral_id, "fields-filled", detail, error);
}

gboolean
rd_loop_merge_followup(RdDb *db, const RdConfig *config, gint64 item_id, gint64 referral_id,
                       const char *referral_json, const char *how, gboolean *ret_became_complete, GError **error)
{
        g_autofree char *detail = NULL;
        g_autofree char *q = g_strescape(how, NULL);

        if (!add_documents(db, referral_id, item_id, referral_json, error))
                return FALSE;
        detail = g_strdup_printf("{\"matched_by\": \"%s\"}", q);
        if (!add_event(db, item_id, referral_id, "followup-attached", detail, error))
                return FALSE;
        if (!fill_fields(db, item_id, referral_id, referral_json, error))
                return FALSE;
        return rd_db_loop_recheck(db, config, referral_id, item_id, ret_became_complete, error);
}

gboolean
rd_db_loop_attach(RdDb *db, const RdConfig *config, gint64 item_id, gint64 referral_id, const char *how,
                  gboolean *ret_became_complete, GError **error)
{
        g_autofree char *iid = i64(item_id);
        g_autofree char *rid = i64(referral_id);
        const char *p[2] = { iid, rid };
        g_autofree char *json = NULL, *exists = NULL;
        gboolean ok;

        exists = rd_db_query_value(db, "SELECT id FROM referral WHERE id = $1::bigint", 1, p + 1, &ok, error);
        if (!ok)
                return FALSE;
        if (exists == NULL) {
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED, "no referral %s", rid);
                return FALSE;
        }
        /* the item's own understanding, kept with its review entry */
        json = rd_db_query_value(db, "SELECT extract::text FROM followup_review WHERE item_id = $1::bigint", 1, p,
                                 &ok, error);
        if (!ok)
                return FALSE;
        if (json == NULL)
                json = rd_db_query_value(db, "SELECT extract::text FROM referral WHERE item_id = $1::bigint", 1, p, &ok,
                                   error);
        if (!ok)
                return FALSE;
        if (json == NULL) {
                g_set_error(error, RD_DB_ERROR, RD_DB_ERROR_REJECTED,
                            "item %s has not been understood (not processed yet, or failed)", iid);
                return FALSE;
        }
        if (!rd_db_exec(db, "UPDATE followup_review SET resolved_at = now() WHERE item_id = $1::bigint", 1, p, error) ||
            !rd_db_exec(db,
                        "UPDATE item_origin SET role = 'followup', referral_id = $2::bigint WHERE item_id = $1::bigint",
                        2, p, error))
                return FALSE;
        return rd_loop_merge_followup(db, config, item_id, referral_id, json, how, ret_became_complete, error);
}

