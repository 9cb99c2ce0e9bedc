/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "policy.h"

G_DEFINE_QUARK(rd-policy-error-quark, rd_policy_error)

/* Same rules as contract/checklists.conf: used when no configuration
 * names a policy. */
const char rd_policy_reference_conf[] =
        "[policy]\n"
        "labs_max_age_days=90\n"
        "\n"
        "[checklist.general]\n"
        "requires=ekg;labs;clinical_notes\n"
        "\n"
        "[checklist.preventive]\n"
        "requires=labs;labs:lipid;clinical_notes\n"
        "\n"
        "[checklist.interventional]\n"
        "requires=ekg;labs;clinical_notes;stress_test\n"
        "\n"
        "[checklist.electrophysiology]\n"
        "requires=ekg;labs;clinical_notes;med_list\n"
        "\n"
        "[checklist.heart_failure]\n"
        "requires=ekg;labs;labs:bnp;clinical_notes;echo\n"
        "\n"
        "[urgency.urgent]\n"
        "keep=ekg;clinical_notes\n"
        "\n"
        "[urgency.stat]\n"
        "keep=\n";

static const char *const service_lines[] = {
        "electrophysiology", "heart_failure", "interventional", "preventive", "general",
};
static const char *const urgencies[] = { "stat", "urgent", "routine" };

struct RdPolicy {
        guint labs_max_age_days;
        double review_below;    /* overall confidence under which a person reviews */
        GHashTable *requires;   /* service line -> GPtrArray of char* items */
        GHashTable *keep;       /* urgency -> GPtrArray of char* items */
};

static gboolean
in_list(const char *s, const char *const *list, gsize n)
{
        for (gsize i = 0; i < n; i++)
                if (strcmp(s, list[i]) == 0)
                        return TRUE;
        return FALSE;
}

static gboolean
valid_item(const char *item)
{
        RdDocType type;
        RdPanel panel;

        if (g_str_has_prefix(item, "labs:"))
                return rd_panel_from_string(item + 5, &panel);
        return rd_doc_type_from_string(item, &type);
}

static GPtrArray *
read_items(GKeyFile *kf, const char *group, const char *key, GError **error)
{
        g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
        g_auto(GStrv) list = NULL;
        gsize n = 0;

        list = g_key_file_get_string_list(kf, group, key, &n, NULL);
        for (gsize i = 0; list && i < n; i++) {
                char *item = g_strstrip(list[i]);

                if (*item == '\0')
                        continue;
                if (!valid_item(item)) {
                        g_set_error(error, RD_POLICY_ERROR, RD_POLICY_ERROR_INVALID,
                                    "[%s] %s: unknown item type '%s'", group, key, item);
                        return NULL;
                }
                g_ptr_array_add(items, g_strdup(item));
        }
        return g_steal_pointer(&items);
}

static gboolean
only_key(GKeyFile *kf, const char *group, const char *allowed, GError **error)
{
        g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

        for (guint i = 0; keys && keys[i]; i++) {
                if (strcmp(keys[i], allowed) != 0) {
                        g_set_error(error, RD_POLICY_ERROR, RD_POLICY_ERROR_INVALID,
                                    "[%s] %s: unknown key", group, keys[i]);
                        return FALSE;
                }
        }
        if (!g_key_file_has_key(kf, group, allowed, NULL)) {
                g_set_error(error, RD_POLICY_ERROR, RD_POLICY_ERROR_INVALID,
                            "[%s] %s: missing key", group, allowed);
                return FALSE;
        }
        return TRUE;
}

static RdPolicy *
policy_new(void)
{
        RdPolicy *p = g_new0(RdPolicy, 1);

        p->labs_max_age_days = 90;
        p->review_below = RD_POLICY_DEFAULT_REVIEW_BELOW;
        p->requires = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify)g_ptr_array_unref);
        p->keep = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_ptr_array_unref);
        return p;
}

void
rd_policy_free(RdPolicy *policy)
{
        if (policy == NULL)
                return;
        g_hash_table_unref(policy->requires);
        g_hash_table_unref(policy->keep);
        g_free(policy);
}

static gboolean
read_labs_max_age(GKeyFile *kf, RdPolicy *p, GError **error)
{
        g_autofree char *raw = NULL;
        guint64 v = 0;
        g_auto(GStrv) keys = g_key_file_get_keys(kf, "policy", NULL, NULL);

        for (guint i = 0; keys && keys[i]; i++) {
                if (strcmp(keys[i], "labs_max_age_days") != 0 &&
                    strcmp(keys[i], "review-below") != 0) {
                        g_set_error(error, RD_POLICY_ERROR, RD_POLICY_ERROR_INVALID,
                                    "[policy] %s: unknown key", keys[i]);
                        return FALSE;
                }
        }
        raw = g_key_file_get_value(kf, "policy", "labs_max_age_days", NULL);
        if (raw == NULL)
                return TRUE;
        g_strstrip(raw);
        if (!g_ascii_string_to_unsigned(raw, 10, 0, 36500, &v, NULL)) {
                g_set_error(error, RD_POLICY_ERROR, RD_POLICY_ERROR_INVALID,
                            "[policy] labs_max_age_days: not a number of days 0..36500");
                return FALSE;
        }
        p->labs_max_age_days = (guint)v;
        return TRUE;
}

/* [policy] review-below: a fraction 0..1 ("0.6"), or a percentage ("60%"). */
static gboolean
read_review_below(GKeyFile *kf, RdPolicy *p, GError **error)
{
        g_autofree char *raw = g_key_file_get_value(kf, "policy", "review-below", NULL);
        char *end = NULL;
        double v;

        if (raw == NULL)
                return TRUE;
        g_strstrip(raw);
        v = g_ascii_strtod(raw, &end);
        if (end != raw && *end == '%' && end[1] == '\0') {
                v /= 100;
                end++;
        }
        if (end == raw || *end != '\0' || !(v >= 0 && v <= 1)) {
                g_set_error(error, RD_POLICY_ERROR, RD_POLICY_ERROR_INVALID,
                            "[policy] review-below: not a fraction 0..1 or a percentage");
                return FALSE;
        }
        p->review_below = v;
        return TRUE;
}

RdPolicy *
rd_policy_new_from_keyfile(GKeyFile *keyfile, GError **error)
{
        g_autoptr(RdPolicy) p = policy_new();
        g_auto(GStrv) groups = g_key_file_get_groups(keyfile, NULL);
        gboolean any = FALSE;

        for (guint i = 0; groups && groups[i]; i++) {
                const char *g = groups[i];
                GPtrArray *items;

                if (strcmp(g, "policy") == 0) {
                        any = TRUE;
                        if (!read_labs_max_age(keyfile, p, error) ||
                            !read_review_below(keyfile, p, error))
                                return NULL;
                } else if (g_str_has_prefix(g, "checklist.")) {
                        const char *line = g + strlen("checklist.");

                        any = TRUE;
                        if (!in_list(line, service_lines, G_N_ELEMENTS(service_lines))) {
                                g_set_error(error, RD_POLICY_ERROR, RD_POLICY_ERROR_INVALID,
                                            "[%s]: unknown service line '%s'", g, line);
                                return NULL;
                        }
                        if (!only_key(keyfile, g, "requires", error))
                                return NULL;
                        items = read_items(keyfile, g, "requires", error);
                        if (items == NULL)
                                return NULL;
                        g_hash_table_replace(p->requires, g_strdup(line), items);
                } else if (g_str_has_prefix(g, "urgency.")) {
                        const char *level = g + strlen("urgency.");

                        any = TRUE;
                        if (!in_list(level, urgencies, G_N_ELEMENTS(urgencies))) {
                                g_set_error(error, RD_POLICY_ERROR, RD_POLICY_ERROR_INVALID,
                                            "[%s]: unknown urgency '%s'", g, level);
                                return NULL;
                        }
                        if (!only_key(keyfile, g, "keep", error))
                                return NULL;
                        items = read_items(keyfile, g, "keep", error);
                        if (items == NULL)
                                return NULL;
                        g_hash_table_replace(p->keep, g_strdup(level), items);
                }
        }
        if (!any)
                return rd_policy_new_reference();
        return g_steal_pointer(&p);
}

RdPolicy *
rd_policy_new_reference(void)
{
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        RdPolicy *p;

        if (!g_key_file_load_from_data(kf, rd_policy_reference_conf, (gsize)-1,
                                       G_KEY_FILE_NONE, &error))
                g_error("reference policy: %s", error->message);
        p = rd_policy_new_from_keyfile(kf, &error);
        if (p == NULL)
                g_error("reference policy: %s", error->message);
        return p;
}

guint
rd_policy_get_labs_max_age_days(const RdPolicy *policy)
{
        return policy->labs_max_age_days;
}

double
rd_policy_get_review_below(const RdPolicy *policy)
{
        return policy->review_below;
}

static gboolean
ptr_array_has_str(GPtrArray *a, const char *s)
{
        for (guint i = 0; a && i < a->len; i++)
                if (strcmp(g_ptr_array_index(a, i), s) == 0)
                        return TRUE;
        return FALSE;
}

GPtrArray *
rd_policy_required(const RdPolicy *policy, const char *service_line, const char *urgency)
{
        GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
        GPtrArray *req = NULL, *keep = NULL;

        if (service_line)
                req = g_hash_table_lookup(policy->requires, service_line);
        /* An unknown service line still gets the general checklist: an
         * empty list would read as "complete". */
        if (req == NULL)
                req = g_hash_table_lookup(policy->requires, "general");
        if (urgency)
                keep = g_hash_table_lookup(policy->keep, urgency);
        for (guint i = 0; req && i < req->len; i++) {
                const char *item = g_ptr_array_index(req, i);

                if (keep && !ptr_array_has_str(keep, item))
                        continue;
                g_ptr_array_add(out, g_strdup(item));
        }
        return out;
}

static gboolean
parse_iso(const char *s, GDate *d)
{
        guint y, m, dd;

        g_date_clear(d, 1);
        if (s == NULL || sscanf(s, "%4u-%2u-%2u", &y, &m, &dd) != 3)
                return FALSE;
        if (!g_date_valid_dmy((GDateDay)dd, (GDateMonth)m, (GDateYear)y))
                return FALSE;
        g_date_set_dmy(d, (GDateDay)dd, (GDateMonth)m, (GDateYear)y);
        return TRUE;
}

static void
add_missing(RdReferral *ref, const char *item, RdMissingWhy why, const char *date)
{
        RdMissingItem *m = g_new0(RdMissingItem, 1);

        m->item = g_strdup(item);
        m->why = why;
        m->date_found = g_strdup(date);
        g_ptr_array_add(ref->missing, m);
}

/* Documents classified with very little certainty do not satisfy a
 * requirement: a false "complete" costs more than a needless request. */
#define MIN_DOC_CONFIDENCE 0.25

static void collect_evidence(RdReferral *ref);

static void
check_labs(const RdPolicy *policy, RdReferral *ref)
{
        const RdDocument *newest = NULL;
        gboolean any = FALSE, weak = FALSE, undated = FALSE;
        GDate newest_d, received, d;

        g_date_clear(&newest_d, 1);
        for (guint i = 0; i < ref->documents->len; i++) {
                const RdDocument *doc = g_ptr_array_index(ref->documents, i);

                if (doc->type != RD_DOC_LABS)
                        continue;
                if (doc->confidence < MIN_DOC_CONFIDENCE) {
                        weak = TRUE;
                        continue;
                }
                any = TRUE;
                if (!parse_iso(doc->date, &d)) {
                        undated = TRUE;
                        continue;
                }
                if (newest == NULL || g_date_compare(&d, &newest_d) > 0) {
                        newest = doc;
                        newest_d = d;
                }
        }
        if (!any) {
                /* a page that may be the labs: a person looks before any
                 * request for them goes out */
                add_missing(ref, "labs", weak ? RD_MISSING_UNREADABLE : RD_MISSING_NOT_ENCLOSED, NULL);
                return;
        }
        if (newest == NULL) {
                add_missing(ref, "labs", RD_MISSING_LABS_UNDATED, NULL);
                return;
        }
        if (!parse_iso(ref->received, &received)) {
                /* Cannot measure the age: say so rather than guess. */
                add_missing(ref, "labs", RD_MISSING_UNREADABLE, newest->date);
                return;
        }
        /* too old, unless a report whose date could not be read may be
         * the fresh one: a person looks before a request goes out */
        if (g_date_days_between(&newest_d, &received) > (gint)policy->labs_max_age_days)
                add_missing(ref, "labs", undated ? RD_MISSING_LABS_UNDATED : RD_MISSING_LABS_TOO_OLD,
                            undated ? NULL : newest->date);
}

void
rd_policy_check(const RdPolicy *policy, RdReferral *ref)
{
        g_autoptr(GPtrArray) req = rd_policy_required(policy, ref->service_line, ref->urgency);

        g_ptr_array_set_size(ref->required, 0);
        g_ptr_array_set_size(ref->missing, 0);
        for (guint i = 0; i < req->len; i++) {
                const char *item = g_ptr_array_index(req, i);
                RdDocType type;
                RdPanel panel;
                gboolean found = FALSE, any_labs = FALSE, weak_labs = FALSE;

                g_ptr_array_add(ref->required, g_strdup(item));
                if (strcmp(item, "labs") == 0) {
                        check_labs(policy, ref);
                        continue;
                }
                if (g_str_has_prefix(item, "labs:") && rd_panel_from_string(item + 5, &panel)) {
                        for (guint j = 0; j < ref->documents->len; j++) {
                                const RdDocument *doc = g_ptr_array_index(ref->documents, j);

                                if (doc->type != RD_DOC_LABS)
                                        continue;
                                if (doc->confidence < MIN_DOC_CONFIDENCE) {
                                        weak_labs = TRUE;
                                        continue;
                                }
                                any_labs = TRUE;
                                if (doc->panels & panel)
                                        found = TRUE;
                        }
                        if (!found)
                                add_missing(ref, item, any_labs    ? RD_MISSING_PANEL_ABSENT
                                                       : weak_labs ? RD_MISSING_UNREADABLE
                                                                   : RD_MISSING_NOT_ENCLOSED,
                                            NULL);
                        continue;
                }
                if (rd_doc_type_from_string(item, &type)) {
                        gboolean weak = FALSE;

                        for (guint j = 0; j < ref->documents->len; j++) {
                                const RdDocument *doc = g_ptr_array_index(ref->documents, j);

                                if (doc->type != type)
                                        continue;
                                if (doc->confidence >= MIN_DOC_CONFIDENCE)
                                        found = TRUE;
                                else
                                        weak = TRUE;
                        }
                        if (!found)
                                add_missing(ref, item, weak ? RD_MISSING_UNREADABLE
                                                            : RD_MISSING_NOT_ENCLOSED, NULL);
                }
        }
        ref->complete = ref->missing->len == 0;
        collect_evidence(ref);
}

/* A document decides an item with less certainty than this: a person
 * confirms it before the referral counts as complete. */
#define REVIEW_DOC_CONFIDENCE 0.5

static const char *
default_cue(RdDocType type)
{
        return type == RD_DOC_LABS ? "lab report" : "document classified by its text";
}

static void
evidence_add_doc(RdEvidence *e, const RdDocument *doc, gboolean first)
{
        for (guint k = 0; k < doc->pages->len; k++)
                g_array_append_val(e->pages, g_array_index(doc->pages, guint, k));
        /* the best document decides: any one of them meets the item */
        e->confidence = first ? doc->confidence : MAX(e->confidence, doc->confidence);
        if (e->cue == NULL)
                e->cue = doc->cue ? doc->cue : default_cue(doc->type);
}

/* The newest dated lab report, as the age rule reads it. */
static const RdDocument *
newest_labs(RdReferral *ref)
{
        const RdDocument *newest = NULL;

        for (guint i = 0; i < ref->documents->len; i++) {
                const RdDocument *doc = g_ptr_array_index(ref->documents, i);

                if (doc->type != RD_DOC_LABS || doc->confidence < MIN_DOC_CONFIDENCE ||
                    doc->date == NULL)
                        continue;
                if (newest == NULL || strcmp(doc->date, newest->date) > 0)
                        newest = doc;
        }
        return newest;
}

/* Why each present item is present: its documents' pages and cue. */
static void
collect_evidence(RdReferral *ref)
{
        g_ptr_array_set_size(ref->evidence, 0);
        for (guint i = 0; i < ref->required->len; i++) {
                const char *item = g_ptr_array_index(ref->required, i);
                g_autoptr(RdEvidence) e = NULL;
                RdDocType type;
                RdPanel panel;
                gboolean first = TRUE;

                if (rd_referral_is_missing(ref, item))
                        continue;
                e = rd_evidence_new(item, NULL);
                if (strcmp(item, "labs") == 0) {
                        const RdDocument *doc = newest_labs(ref);

                        if (doc != NULL)
                                evidence_add_doc(e, doc, TRUE);
                        e->cue = "lab report dated within the policy's age";
                } else if (g_str_has_prefix(item, "labs:") && rd_panel_from_string(item + 5, &panel)) {
                        for (guint j = 0; j < ref->documents->len; j++) {
                                const RdDocument *doc = g_ptr_array_index(ref->documents, j);

                                if (doc->type == RD_DOC_LABS && doc->confidence >= MIN_DOC_CONFIDENCE &&
                                    (doc->panels & panel)) {
                                        evidence_add_doc(e, doc, first);
                                        first = FALSE;
                                }
                        }
                        e->cue = "panel's analytes on a lab report";
                } else if (rd_doc_type_from_string(item, &type)) {
                        for (guint j = 0; j < ref->documents->len; j++) {
                                const RdDocument *doc = g_ptr_array_index(ref->documents, j);

                                if (doc->type == type && doc->confidence >= MIN_DOC_CONFIDENCE) {
                                        evidence_add_doc(e, doc, first);
                                        first = FALSE;
                                }
                        }
                }
                g_ptr_array_add(ref->evidence, g_steal_pointer(&e));
        }
}

static void
review_triage(RdReferral *ref)
{
        const RdTriageEvidence *u = &ref->urgency_evidence, *s = &ref->service_evidence;

        if (u->strength == RD_TRIAGE_WEAK && u->read != NULL && u->cue != NULL &&
            strcmp(u->cue, RD_TRIAGE_CUE_INKED_BOX) == 0)
                rd_referral_add_review(ref, "urgency box unclear in the scan: routine checklist applied");
        else if (u->strength == RD_TRIAGE_WEAK && u->read != NULL)
                rd_referral_add_review(ref, "urgency stated but not marked: routine checklist applied");
        else if (u->strength == RD_TRIAGE_WEAK && u->cue && strcmp(u->cue, "conflicting marks") == 0)
                rd_referral_add_review(ref, "conflicting urgency marks: routine checklist applied");
        else if (u->strength == RD_TRIAGE_WEAK && u->cue && strcmp(u->cue, RD_TRIAGE_CUE_UNREAD_OPTION) == 0)
                rd_referral_add_review(ref, "urgency ticked but unreadable: routine checklist applied");
        if (s->strength == RD_TRIAGE_WEAK) {
                g_autofree char *why = g_strdup_printf("service line guessed (%s)",
                                                       s->cue ? s->cue : "weak evidence");

                rd_referral_add_review(ref, why);
        } else if (s->strength == RD_TRIAGE_NONE) {
                rd_referral_add_review(ref, "service line not stated: general checklist applied");
        }
}

void
rd_policy_review(const RdPolicy *policy, RdReferral *ref)
{
        review_triage(ref);
        for (guint i = 0; i < ref->evidence->len; i++) {
                const RdEvidence *e = g_ptr_array_index(ref->evidence, i);

                if (e->confidence < REVIEW_DOC_CONFIDENCE) {
                        g_autofree char *why = g_strdup_printf(
                                "low-confidence document decides %s", e->item);

                        rd_referral_add_review(ref, why);
                }
        }
        for (guint i = 0; i < ref->missing->len; i++) {
                const RdMissingItem *m = g_ptr_array_index(ref->missing, i);

                if (m->why == RD_MISSING_LABS_UNDATED)
                        rd_referral_add_review(ref, "unreadable lab date");
                else if (m->why == RD_MISSING_UNREADABLE) {
                        g_autofree char *why = g_strdup_printf("unreadable: %s", m->item);

                        rd_referral_add_review(ref, why);
                }
        }
        if (ref->confidence < policy->review_below) {
                g_autofree char *why = g_strdup_printf(
                        "overall confidence %d%% below review-below",
                        (int)(CLAMP(ref->confidence, 0, 1) * 100 + 0.5));

                rd_referral_add_review(ref, why);
        }
}
