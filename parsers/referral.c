/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include <json-glib/json-glib.h>

#include "referral.h"

static const char *const doc_type_names[RD_DOC_N_TYPES] = {
        "cover_sheet", "referral_form", "clinical_notes", "discharge_summary", "ekg", "labs",
        "echo", "stress_test", "ambulatory_monitor", "imaging", "med_list", "insurance", "other",
};

static const char *const panel_names[RD_N_PANELS] = {
        "bmp", "cmp", "lipid", "bnp", "troponin", "cbc", "a1c", "tsh", "inr",
};

const char *
rd_doc_type_to_string(RdDocType type)
{
        if ((guint)type >= RD_DOC_N_TYPES)
                return "other";
        return doc_type_names[type];
}

gboolean
rd_doc_type_from_string(const char *s, RdDocType *ret_type)
{
        for (guint i = 0; s && i < RD_DOC_N_TYPES; i++) {
                if (strcmp(s, doc_type_names[i]) == 0) {
                        *ret_type = (RdDocType)i;
                        return TRUE;
                }
        }
        return FALSE;
}

const char *
rd_panel_name(guint index)
{
        return index < RD_N_PANELS ? panel_names[index] : NULL;
}

gboolean
rd_panel_from_string(const char *s, RdPanel *ret_panel)
{
        for (guint i = 0; s && i < RD_N_PANELS; i++) {
                if (strcmp(s, panel_names[i]) == 0) {
                        *ret_panel = (RdPanel)(1u << i);
                        return TRUE;
                }
        }
        return FALSE;
}

const char *
rd_missing_why_to_string(RdMissingWhy why)
{
        switch (why) {
        case RD_MISSING_NOT_ENCLOSED:
                return "not_enclosed";
        case RD_MISSING_LABS_TOO_OLD:
                return "labs_too_old";
        case RD_MISSING_LABS_UNDATED:
                return "labs_undated";
        case RD_MISSING_PANEL_ABSENT:
                return "panel_absent";
        case RD_MISSING_UNREADABLE:
                return "unreadable";
        }
        return "not_enclosed";
}

RdDocument *
rd_document_new(RdDocType type)
{
        RdDocument *doc = g_new0(RdDocument, 1);

        doc->type = type;
        doc->pages = g_array_new(FALSE, FALSE, sizeof(guint));
        return doc;
}

void
rd_document_free(RdDocument *doc)
{
        if (doc == NULL)
                return;
        g_array_unref(doc->pages);
        g_free(doc->date);
        g_free(doc);
}

void
rd_missing_item_free(RdMissingItem *m)
{
        if (m == NULL)
                return;
        g_free(m->item);
        g_free(m->date_found);
        g_free(m);
}

const char *
rd_triage_strength_to_string(RdTriageStrength s)
{
        switch (s) {
        case RD_TRIAGE_NONE:
                return "none";
        case RD_TRIAGE_WEAK:
                return "weak";
        case RD_TRIAGE_STRONG:
                return "strong";
        }
        return "none";
}

RdEvidence *
rd_evidence_new(const char *item, const char *cue)
{
        RdEvidence *e = g_new0(RdEvidence, 1);

        e->item = g_strdup(item);
        e->pages = g_array_new(FALSE, FALSE, sizeof(guint));
        e->cue = cue;
        e->confidence = 1.0;
        return e;
}

void
rd_evidence_free(RdEvidence *e)
{
        if (e == NULL)
                return;
        g_free(e->item);
        g_array_unref(e->pages);
        g_free(e);
}

void
rd_referral_add_review(RdReferral *ref, const char *reason)
{
        ref->needs_review = TRUE;
        for (guint i = 0; i < ref->review_reasons->len; i++)
                if (strcmp(g_ptr_array_index(ref->review_reasons, i), reason) == 0)
                        return;
        g_ptr_array_add(ref->review_reasons, g_strdup(reason));
}

gboolean
rd_referral_is_missing(const RdReferral *ref, const char *item)
{
        for (guint i = 0; i < ref->missing->len; i++) {
                const RdMissingItem *m = g_ptr_array_index(ref->missing, i);

                if (strcmp(m->item, item) == 0)
                        return TRUE;
        }
        return FALSE;
}

RdReferral *
rd_referral_new(void)
{
        RdReferral *ref = g_new0(RdReferral, 1);

        ref->diagnoses = g_ptr_array_new_with_free_func(g_free);
        ref->documents = g_ptr_array_new_with_free_func((GDestroyNotify)rd_document_free);
        ref->required = g_ptr_array_new_with_free_func(g_free);
        ref->missing = g_ptr_array_new_with_free_func((GDestroyNotify)rd_missing_item_free);
        ref->evidence = g_ptr_array_new_with_free_func((GDestroyNotify)rd_evidence_free);
        ref->review_reasons = g_ptr_array_new_with_free_func(g_free);
        return ref;
}

void
rd_referral_free(RdReferral *ref)
{
        if (ref == NULL)
                return;
        g_free(ref->channel);
        g_free(ref->received);
        g_free(ref->patient.family);
        g_free(ref->patient.given);
        g_free(ref->patient.dob);
        g_free(ref->patient.sex);
        g_free(ref->patient.phone);
        g_free(ref->patient.mrn);
        g_free(ref->referring.name);
        g_free(ref->referring.npi);
        g_free(ref->referring.practice);
        g_free(ref->referring.phone);
        g_free(ref->referring.fax);
        g_free(ref->service_line);
        g_free(ref->urgency);
        g_free(ref->reason);
        g_ptr_array_unref(ref->diagnoses);
        g_ptr_array_unref(ref->documents);
        g_ptr_array_unref(ref->required);
        g_ptr_array_unref(ref->missing);
        g_ptr_array_unref(ref->evidence);
        g_ptr_array_unref(ref->review_reasons);
        g_free(ref);
}

static void
add_string(JsonBuilder *b, const char *key, const char *value)
{
        json_builder_set_member_name(b, key);
        if (value)
                json_builder_add_string_value(b, value);
        else
                json_builder_add_null_value(b);
}

static void
add_string_array(JsonBuilder *b, const char *key, GPtrArray *values)
{
        json_builder_set_member_name(b, key);
        json_builder_begin_array(b);
        for (guint i = 0; i < values->len; i++)
                json_builder_add_string_value(b, g_ptr_array_index(values, i));
        json_builder_end_array(b);
}

static void
add_pages(JsonBuilder *b, GArray *pages)
{
        json_builder_set_member_name(b, "pages");
        json_builder_begin_array(b);
        for (guint i = 0; i < pages->len; i++)
                json_builder_add_int_value(b, g_array_index(pages, guint, i));
        json_builder_end_array(b);
}

/* a percentage: a double would print as 0.95999999999999996 */
static gint64
percent(double fraction)
{
        return (gint64)(CLAMP(fraction, 0, 1) * 100 + 0.5);
}

static void
add_document(JsonBuilder *b, const RdDocument *doc)
{
        json_builder_begin_object(b);
        add_string(b, "type", rd_doc_type_to_string(doc->type));
        add_pages(b, doc->pages);
        /* The contract dates EKGs and lab reports; other types only when known. */
        if (doc->date || doc->type == RD_DOC_EKG || doc->type == RD_DOC_LABS)
                add_string(b, "date", doc->date);
        if (doc->type == RD_DOC_LABS) {
                json_builder_set_member_name(b, "panels");
                json_builder_begin_array(b);
                for (guint i = 0; i < RD_N_PANELS; i++)
                        if (doc->panels & (1u << i))
                                json_builder_add_string_value(b, panel_names[i]);
                json_builder_end_array(b);
        }
        json_builder_set_member_name(b, "confidence");
        json_builder_add_int_value(b, percent(doc->confidence));
        add_string(b, "cue", doc->cue);
        json_builder_end_object(b);
}

static void
add_triage(JsonBuilder *b, const char *key, const RdTriageEvidence *t)
{
        json_builder_set_member_name(b, key);
        json_builder_begin_object(b);
        add_string(b, "strength", rd_triage_strength_to_string(t->strength));
        add_string(b, "cue", t->cue);
        if (t->read)
                add_string(b, "read", t->read);
        json_builder_end_object(b);
}

/* The keys beyond the contract's: how each verdict was reached. */
static void
add_verdict_evidence(JsonBuilder *b, const RdReferral *ref)
{
        json_builder_set_member_name(b, "evidence");
        json_builder_begin_array(b);
        for (guint i = 0; i < ref->evidence->len; i++) {
                const RdEvidence *e = g_ptr_array_index(ref->evidence, i);

                json_builder_begin_object(b);
                add_string(b, "item", e->item);
                add_pages(b, e->pages);
                add_string(b, "cue", e->cue);
                json_builder_set_member_name(b, "confidence");
                json_builder_add_int_value(b, percent(e->confidence));
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        add_triage(b, "urgency_evidence", &ref->urgency_evidence);
        add_triage(b, "service_line_evidence", &ref->service_evidence);
        json_builder_set_member_name(b, "needs_review");
        json_builder_add_boolean_value(b, ref->needs_review);
        add_string_array(b, "review_reasons", ref->review_reasons);
}

char *
rd_referral_to_json(const RdReferral *ref, gboolean pretty)
{
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_object(b);
        add_string(b, "channel", ref->channel);
        add_string(b, "received", ref->received);
        if (ref->received_source != NULL)
                add_string(b, "received_source", ref->received_source);

        json_builder_set_member_name(b, "patient");
        json_builder_begin_object(b);
        add_string(b, "family", ref->patient.family);
        add_string(b, "given", ref->patient.given);
        add_string(b, "dob", ref->patient.dob);
        add_string(b, "sex", ref->patient.sex);
        add_string(b, "phone", ref->patient.phone);
        add_string(b, "mrn", ref->patient.mrn);
        json_builder_end_object(b);

        json_builder_set_member_name(b, "referring");
        json_builder_begin_object(b);
        add_string(b, "name", ref->referring.name);
        add_string(b, "npi", ref->referring.npi);
        add_string(b, "practice", ref->referring.practice);
        add_string(b, "phone", ref->referring.phone);
        add_string(b, "fax", ref->referring.fax);
        json_builder_end_object(b);

        add_string(b, "service_line", ref->service_line);
        add_string(b, "urgency", ref->urgency);
        add_string(b, "reason", ref->reason);
        add_string_array(b, "diagnoses", ref->diagnoses);

        json_builder_set_member_name(b, "documents");
        json_builder_begin_array(b);
        for (guint i = 0; i < ref->documents->len; i++)
                add_document(b, g_ptr_array_index(ref->documents, i));
        json_builder_end_array(b);

        add_string_array(b, "required", ref->required);
        json_builder_set_member_name(b, "missing");
        json_builder_begin_array(b);
        for (guint i = 0; i < ref->missing->len; i++) {
                const RdMissingItem *m = g_ptr_array_index(ref->missing, i);
                json_builder_add_string_value(b, m->item);
        }
        json_builder_end_array(b);
        json_builder_set_member_name(b, "complete");
        json_builder_add_boolean_value(b, ref->complete && !(ref->complete_confirmed_only && ref->needs_review));
        if (ref->complete_confirmed_only && ref->needs_review) {
                json_builder_set_member_name(b, "complete_computed");
                json_builder_add_boolean_value(b, ref->complete);
        }

        json_builder_set_member_name(b, "missing_reasons");
        json_builder_begin_array(b);
        for (guint i = 0; i < ref->missing->len; i++) {
                const RdMissingItem *m = g_ptr_array_index(ref->missing, i);

                json_builder_begin_object(b);
                add_string(b, "item", m->item);
                add_string(b, "why", rd_missing_why_to_string(m->why));
                if (m->date_found)
                        add_string(b, "date", m->date_found);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_set_member_name(b, "confidence");
        json_builder_add_int_value(b, percent(ref->confidence));
        add_verdict_evidence(b, ref);
        json_builder_end_object(b);

        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        json_generator_set_pretty(gen, pretty);
        json_generator_set_indent(gen, 2);
        return json_generator_to_data(gen, NULL);
}
