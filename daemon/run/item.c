/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One leased item, start to end: read it (pages), understand it
 * (referral), then in one transaction store it, gather where it came
 * from, plan and queue the replies, and commit. */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/store/results.h"
#include "daemon/replies/partner.h"
#include "daemon/replies/plan.h"
#include "daemon/replies/queue.h"
#include "daemon/replies/relay.h"
#include "parsers/understand/extract.h"
#include "parsers/fields/fax-header.h"
#include "parsers/item-read.h"
#include "daemon/base/log.h"
#include "item.h"
#ifdef RD_TEST_FAULTS
#include "faults.h"
#endif

#define LOG_DOMAIN "rd-worker"

struct RdProcessor {
        const RdConfig *config; /* borrowed */
        RdOcrEngine *ocr;       /* owned: one Tesseract handle for the worker's life */
};

struct RdProcessResult {
        GPtrArray *pages;       /* RdPage* */
        char *read_error;       /* pages read only in part: why */
        char *referral_json;    /* NULL when there is nothing to understand */
        RdReferral *referral;   /* the same, for follow-up matching and replies */
        RdItemMeta meta;        /* where the item came from */
        char *text;             /* every page's text, for reference tokens */
        char *header_fax;       /* the sender's number on a fax header line */
        gboolean complete;
};

RdProcessor *
rd_processor_new(const RdConfig *config, GError **error)
{
        g_autoptr(RdProcessor) self = g_new0(RdProcessor, 1);

        self->config = config;
        self->ocr = rd_ocr_engine_new(error);
        if (self->ocr == NULL)
                return NULL;
        return g_steal_pointer(&self);
}

void
rd_processor_free(RdProcessor *self)
{
        if (self == NULL)
                return;
        rd_ocr_engine_free(self->ocr);
        g_free(self);
}

void
rd_process_result_free(RdProcessResult *result)
{
        if (result == NULL)
                return;
        if (result->pages)
                g_ptr_array_unref(result->pages);
        g_free(result->read_error);
        g_free(result->referral_json);
        rd_referral_free(result->referral);
        rd_item_meta_clear(&result->meta);
        g_free(result->text);
        g_free(result->header_fax);
        g_free(result);
}

/* Errors that another attempt cannot mend: the bytes are what they are. */
static gboolean
is_permanent(const GError *error)
{
        return error->domain == RD_PAGES_ERROR &&
               (error->code == RD_PAGES_ERROR_NOT_SUPPORTED || error->code == RD_PAGES_ERROR_ENCRYPTED ||
                error->code == RD_PAGES_ERROR_CORRUPT || error->code == RD_PAGES_ERROR_EMPTY);
}

RdProcessResult *
rd_processor_run(RdProcessor *self, const RdLeasedItem *item, gboolean *ret_permanent, GError **error)
{
        g_autoptr(RdProcessResult) result = g_new0(RdProcessResult, 1);
        g_autoptr(GError) local = NULL;
        g_autoptr(RdReferral) ref = NULL;
        RdExtractMeta emeta;
        RdReadLimits limits;
        gsize len;
        const guint8 *data = g_bytes_get_data(item->raw, &len);

        *ret_permanent = FALSE;
#ifdef RD_TEST_FAULTS
        rd_test_fault_maybe(item->raw);
#endif
        rd_read_limits_init(&limits);
        limits.max_pages = self->config->max_pages;
        limits.max_page_pixels = self->config->max_page_pixels;
        /* leave the last fifth of the item's time for understanding and storing */
        limits.time_budget_ms = (guint)MIN(self->config->item_timeout_usec / 1000 * 4 / 5, G_MAXUINT);

        result->pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        if (!rd_item_read(data, len ? len : 0, &limits, self->ocr, result->pages, &result->meta, &local)) {
                if (result->pages->len == 0) {
                        *ret_permanent = is_permanent(local);
                        g_propagate_prefixed_error(error, g_steal_pointer(&local), "reading: ");
                        return NULL;
                }
                /* keep what could be read, and say why the rest could not */
                result->read_error = g_strdup(local->message);
                rd_log_warning(LOG_DOMAIN, item->id, "read %u page(s) only: %s", result->pages->len,
                               local->message);
                g_clear_error(&local);
        }

        emeta = rd_item_meta_for_extract(&result->meta);
        /* no fax header or Date: to read it from, or one that cannot be
         * right (a fax machine's clock left at 2009, a Date: in the
         * future): the day it reached us is the best date the lab-age
         * rule can have */
        emeta.arrived = item->received;
        emeta.distrust_far = TRUE;
        ref = rd_extract_referral(result->pages, &emeta, self->config->policy, &local);
        if (ref == NULL) {
                g_propagate_prefixed_error(error, g_steal_pointer(&local), "understanding: ");
                return NULL;
        }
        if (ref->received_set_aside)
                rd_log_info(LOG_DOMAIN, item->id,
                            "the document's date is more than %d days before or %d day after its arrival;"
                            " counting from the day it arrived",
                            RD_RECEIVED_MAX_DAYS_BEFORE, RD_RECEIVED_MAX_DAYS_AFTER);
        /* as referralctl extract prints it: a referral that needs review is
         * not complete until a person confirms it */
        ref->complete_confirmed_only = TRUE;
        result->referral_json = rd_referral_to_json(ref, FALSE);
        result->complete = ref->complete && !ref->needs_review;
        result->referral = g_steal_pointer(&ref);
        {
                GString *text = g_string_new(NULL);

                for (guint i = 0; i < result->pages->len; i++) {
                        const RdPage *page = result->pages->pdata[i];

                        g_string_append(text, page->text);
                        g_string_append_c(text, '\n');
                        if (result->header_fax == NULL && page->method != RD_PAGE_METHOD_BODY)
                                result->header_fax = rd_fax_header_sender(page->text);
                }
                result->text = g_string_free(text, FALSE);
        }
        return g_steal_pointer(&result);
}

/* The facts the store and the replies need about an item's origin,
 * normalised; none of the practice's own numbers or addresses. */
typedef struct {
        char *email_key, *npi_key, *header_fax, *form_fax, *relay_fax, *review_reasons;
        const char *relay;
        gboolean needs_review, looks_like_referral, numbers_by_ocr;
} RdOriginFacts;

static void
origin_facts_clear(RdOriginFacts *f)
{
        g_free(f->email_key);
        g_free(f->npi_key);
        g_free(f->header_fax);
        g_free(f->form_fax);
        g_free(f->relay_fax);
        g_free(f->review_reasons);
}

/* needs_review and review_reasons, which the extract JSON may not carry
 * yet: absent means FALSE. */
static void
read_review(const char *json, RdOriginFacts *f)
{
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonObject *o;

        if (json == NULL || !json_parser_load_from_data(parser, json, -1, NULL) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
                return;
        o = json_node_get_object(json_parser_get_root(parser));
        if (json_object_has_member(o, "needs_review") &&
            JSON_NODE_HOLDS_VALUE(json_object_get_member(o, "needs_review")) &&
            json_node_get_value_type(json_object_get_member(o, "needs_review")) == G_TYPE_BOOLEAN)
                f->needs_review = json_object_get_boolean_member(o, "needs_review");
        if (json_object_has_member(o, "review_reasons") &&
            JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "review_reasons")))
                f->review_reasons = json_to_string(json_object_get_member(o, "review_reasons"), FALSE);
}

/* A referral form, or a letter asking for a consult: only such a packet
 * may become a referral when it answers none. */
static gboolean
looks_like_referral(const RdReferral *ref, const char *text)
{
        static GRegex *asks;

        for (guint i = 0; i < ref->documents->len; i++)
                if (((const RdDocument *)ref->documents->pdata[i])->type == RD_DOC_REFERRAL_FORM)
                        return TRUE;
        if (g_once_init_enter(&asks)) {
                GRegex *re = g_regex_new("\\b(refer(ring|ral)?\\b[^.\\n]{0,40}\\b(patient|cardiolog|consult|"
                                         "evaluat)|please (see|evaluate)|request(ing)? (a |an )?(consult|evaluation)|"
                                         "consult(ation)? request)",
                                         G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);

                g_once_init_leave(&asks, re);
        }
        return text != NULL && g_regex_match(asks, text, 0, NULL);
}

/* An own number is dropped: a cover sheet's "To" block names ours. */
static char *
not_ours(const RdRepliesConfig *rc, char *number)
{
        if (number != NULL && rd_reply_is_own_number(rc, number))
                g_clear_pointer(&number, g_free);
        return number;
}

static void
gather_origin(const RdConfig *config, const RdProcessResult *result, RdOriginFacts *f, RdOrigin *o)
{
        const RdRepliesConfig *rc = config->replies;
        const RdItemMeta *m = &result->meta;
        const RdReferral *ref = result->referral;
        const char *body = NULL;

        memset(f, 0, sizeof *f);
        for (guint i = 0; i < result->pages->len && body == NULL; i++)
                if (((const RdPage *)result->pages->pdata[i])->method == RD_PAGE_METHOD_BODY)
                        body = ((const RdPage *)result->pages->pdata[i])->text;
        f->email_key = m->from ? rd_partner_normalize_key("email", m->from) : NULL;
        f->npi_key = ref->referring.npi ? rd_partner_normalize_key("npi", ref->referring.npi) : NULL;
        f->header_fax = not_ours(rc, result->header_fax ? rd_partner_normalize_key("fax", result->header_fax) : NULL);
        f->form_fax = not_ours(rc, ref->referring.fax ? rd_partner_normalize_key("fax", ref->referring.fax) : NULL);
        if (g_strcmp0(m->channel, "email") == 0)
                f->relay = rd_relay_name(rc, m->from);
        if (f->relay != NULL)
                f->relay_fax = rd_relay_sender_fax(rc, m->subject, body,
                                                   m->attachment_names ?
                                                   (const char *const *)m->attachment_names->pdata : NULL,
                                                   m->attachment_names ? m->attachment_names->len : 0);
        f->looks_like_referral = looks_like_referral(ref, result->text);
        for (guint i = 0; i < result->pages->len; i++)
                f->numbers_by_ocr |= ((const RdPage *)result->pages->pdata[i])->method == RD_PAGE_METHOD_OCR;
        read_review(result->referral_json, f);

        memset(o, 0, sizeof *o);
        o->channel = m->channel ? m->channel : "fax";
        o->from_addr = m->from;
        o->reply_to = m->reply_to;
        o->subject = m->subject;
        o->message_id = m->message_id;
        o->in_reply_to = m->in_reply_to;
        o->references = m->references;
        o->auto_submitted = m->auto_submitted;
        o->text = result->text;
        o->email_key = f->email_key;
        o->npi_key = f->npi_key;
        o->header_fax = f->header_fax;
        o->form_fax = f->form_fax;
        o->relay = f->relay;
        o->relay_fax = f->relay_fax;
        o->looks_like_referral = f->looks_like_referral;
        o->numbers_by_ocr = f->numbers_by_ocr;
        o->needs_review = f->needs_review;
        o->review_reasons = f->review_reasons;
}

/* Stores the item's understanding and queues the replies it calls for. */
static gboolean
store_understanding(RdProcessor *self, RdDb *db, const RdLeasedItem *item, const RdProcessResult *result,
                    RdLoopOutcome *ret_outcome, gint64 *ret_referral_id, GError **error)
{
        RdOriginFacts facts;
        RdOrigin origin;
        gboolean became_complete = FALSE, ok;

        gather_origin(self->config, result, &facts, &origin);
        ok = rd_db_loop_store(db, self->config, item->id, &origin, result->referral, result->referral_json,
                              ret_outcome, ret_referral_id, &became_complete, error);
        origin_facts_clear(&facts);
        if (!ok)
                return FALSE;
        if (*ret_outcome == RD_LOOP_NEW_REFERRAL)
                return (result->complete || result->referral->missing->len == 0 ||
                        rd_reply_queue(db, self->config, *ret_referral_id, "missing", error)) &&
                       rd_reply_queue(db, self->config, *ret_referral_id, "receipt", error);
        if (*ret_outcome == RD_LOOP_FOLLOWUP && became_complete)
                return rd_reply_queue(db, self->config, *ret_referral_id, "complete", error);
        return TRUE;
}

gboolean
rd_processor_store(RdProcessor *self, RdDb *db, const RdLeasedItem *item, const RdProcessResult *result,
                   const char *worker, GError **error)
{
        g_autofree char *detail = NULL;
        gint64 referral_id = 0;
        RdLoopOutcome outcome = RD_LOOP_NEW_REFERRAL;
        static const char *const outcome_names[] = { "referral", "followup", "review" };

        if (!rd_db_begin(db, error))
                return FALSE;
        if (!rd_db_store_pages(db, item->id, result->pages, result->read_error, error))
                goto fail;
        if (result->referral_json != NULL &&
            !store_understanding(self, db, item, result, &outcome, &referral_id, error))
                goto fail;
        detail = g_strdup_printf("{\"pages\": %u, \"referral\": %" G_GINT64_FORMAT ", \"as\": \"%s\"%s}",
                                 result->pages->len, referral_id, outcome_names[outcome],
                                 result->read_error ? ", \"partial\": true" : "");
        if (!rd_db_mark_done(db, item->id, worker, detail, error))
                goto fail;
        if (!rd_db_commit(db, error))
                goto fail;
        if (outcome == RD_LOOP_FOLLOWUP)
                rd_log_info(LOG_DOMAIN, item->id, "follow-up added to referral %" G_GINT64_FORMAT " (%u pages)",
                            referral_id, result->pages->len);
        else if (outcome == RD_LOOP_REVIEW)
                rd_log_info(LOG_DOMAIN, item->id, "follow-up left for staff (unmatched or more than one referral)");
        else
                rd_log_info(LOG_DOMAIN, item->id, "referral %" G_GINT64_FORMAT " stored (%u pages, %s)", referral_id,
                            result->pages->len, result->complete ? "complete" : "incomplete");
        return TRUE;
fail:
        rd_db_rollback(db);
        return FALSE;
}
