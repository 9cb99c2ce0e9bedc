/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "classify.h"
#include "extract.h"
#include "parsers/fields/dates.h"
#include "parsers/fields/fax-header.h"
#include "parsers/fields/fields.h"
#include "parsers/page.h"

G_DEFINE_QUARK(rd-extract-error-quark, rd_extract_error)

/* The date most fax header lines carry (each page has one; a misread on
 * one page is outvoted by the others). A fax machine stamps every page:
 * a "header" on one page alone of several, not the first, is that page's
 * own print (an EKG machine's "NAME ID: 285-7389 August 12, 2026
 * 11:03:21" line), and gives no date. */
static char *
received_from_headers(GPtrArray *pages)
{
        g_autoptr(GHashTable) votes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autofree char *first = NULL;
        GHashTableIter it;
        gpointer key, value;
        const char *best = NULL;
        guint best_n = 0;

        for (guint i = 0; i < pages->len; i++) {
                const RdPage *page = g_ptr_array_index(pages, i);
                char *iso = rd_fax_header_date(page->text);
                guint n;

                if (iso == NULL)
                        continue;
                if (i == 0)
                        first = g_strdup(iso);
                n = GPOINTER_TO_UINT(g_hash_table_lookup(votes, iso)) + 1;
                g_hash_table_replace(votes, iso, GUINT_TO_POINTER(n));
        }
        g_hash_table_iter_init(&it, votes);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                guint n = GPOINTER_TO_UINT(value);

                if (n > best_n || (n == best_n && best && strcmp(key, best) > 0)) {
                        best = key;
                        best_n = n;
                }
        }
        if (best != NULL && best_n == 1 && pages->len > 1 && (first == NULL || strcmp(first, best) != 0))
                return NULL;
        return g_strdup(best);
}

static gboolean
received_plausible(const char *read, const char *arrived)
{
        GDate a, b;
        gint days;

        if (!rd_iso_date(read, &a) || !rd_iso_date(arrived, &b))
                return FALSE;
        days = g_date_days_between(&a, &b); /* positive: read before arrival */
        return days <= RD_RECEIVED_MAX_DAYS_BEFORE && days >= -RD_RECEIVED_MAX_DAYS_AFTER;
}

/* The received date the lab-age rule counts from, decided once, before
 * the checklist and its review: the item's own date (@meta's, else its
 * fax headers'), else the day it arrived; with @meta->distrust_far, the
 * day it arrived also in place of an own date that cannot be right. */
static void
settle_received(RdReferral *ref, GPtrArray *pages, const RdExtractMeta *meta)
{
        const char *arrived = meta ? meta->arrived : NULL;

        ref->received = meta && meta->received ? g_strdup(meta->received) : received_from_headers(pages);
        if (arrived == NULL)
                return;
        if (ref->received == NULL) {
                ref->received = g_strdup(arrived);
                ref->received_arrival = TRUE;
        } else if (meta->distrust_far && !received_plausible(ref->received, arrived)) {
                g_free(ref->received);
                ref->received = g_strdup(arrived);
                ref->received_arrival = ref->received_set_aside = TRUE;
        }
}

static double
overall_confidence(GPtrArray *pages, RdReferral *ref)
{
        double ocr = 0, fields = 0, docs = 0;
        guint n = 0;
        const char *const vals[] = {
                ref->patient.family, ref->patient.given, ref->patient.dob,
                ref->referring.name, ref->reason, ref->received,
        };

        for (guint i = 0; i < pages->len; i++) {
                const RdPage *p = g_ptr_array_index(pages, i);

                ocr += CLAMP(p->confidence, 0, 100) / 100.0;
        }
        ocr = pages->len ? ocr / pages->len : 0;
        for (gsize i = 0; i < G_N_ELEMENTS(vals); i++)
                if (vals[i])
                        fields += 1.0 / G_N_ELEMENTS(vals);
        for (guint i = 0; i < ref->documents->len; i++) {
                const RdDocument *d = g_ptr_array_index(ref->documents, i);

                docs += d->confidence;
                n++;
        }
        docs = n ? docs / n : 0;
        return (ocr + fields + docs) / 3.0;
}

/* A page faxed or scanned black (a dark photo) on which OCR found too few
 * words to tell what it is (a fax header line at most) may be any
 * document: a person looks at it before the checklist is trusted. */
static void
review_dark_pages(GPtrArray *pages, RdReferral *ref)
{
        for (guint i = 0; i < pages->len; i++) {
                const RdPage *p = g_ptr_array_index(pages, i);
                g_autofree char *why = NULL;
                RdPageClass pc;

                if (p->method != RD_PAGE_METHOD_OCR || !p->picture.dark ||
                    p->picture.ecg_score >= RD_PICTURE_ECG_THRESHOLD)
                        continue;
                rd_classify_page(p->text, FALSE, &pc);
                if (!pc.weak)
                        continue;
                why = g_strdup_printf("page %u too dark to read", p->number);
                rd_referral_add_review(ref, why);
        }
}

/* The least picture score of a page that shows part of a tracing: a row
 * or two of trace found, too few to call it one (a photo's shading, a
 * grid or a skew the measure could not see through). Text pages score 0;
 * of 409 non-EKG fax pages of a generated set, 3 scored this much, each
 * with text that told what it was. */
#define PARTIAL_TRACING_SCORE 0.2

/* A page showing part of a tracing, whose text tells nothing (a tracing
 * read sideways gives junk), may be the EKG the checklist misses: a
 * person looks before any request for one goes out. The EKG stays
 * missing (never a "complete" on a guess). */
static void
review_partial_tracings(GPtrArray *pages, RdReferral *ref)
{
        if (!rd_referral_is_missing(ref, "ekg"))
                return;
        for (guint i = 0; i < pages->len; i++) {
                const RdPage *p = g_ptr_array_index(pages, i);
                g_autofree char *why = NULL;
                RdPageClass pc;

                if (p->method != RD_PAGE_METHOD_OCR || p->picture.work_width == 0 || p->picture.dark ||
                    p->picture.blank || p->picture.trace_rows == 0 ||
                    p->picture.ecg_score < PARTIAL_TRACING_SCORE ||
                    p->picture.ecg_score >= RD_PICTURE_ECG_THRESHOLD)
                        continue;
                rd_classify_page(p->text, FALSE, &pc);
                if (!pc.weak)
                        continue;
                why = g_strdup_printf("page %u may be an EKG: part of a tracing, no readable text", p->number);
                rd_referral_add_review(ref, why);
        }
}

RdReferral *
rd_extract_referral(GPtrArray *pages, const RdExtractMeta *meta, const RdPolicy *policy,
                    GError **error)
{
        g_autoptr(RdReferral) ref = NULL;
        g_autoptr(GPtrArray) docs = NULL;

        if (pages == NULL || policy == NULL) {
                g_set_error_literal(error, RD_EXTRACT_ERROR, RD_EXTRACT_ERROR_INVALID,
                                    "no pages or no policy");
                return NULL;
        }
        ref = rd_referral_new();
        ref->channel = g_strdup(meta && meta->channel ? meta->channel : "fax");
        settle_received(ref, pages, meta);

        docs = rd_classify_pages(pages, NULL);
        rd_fields_extract(pages, docs, ref);

        /* Now that the date of birth is known, date the documents without
         * mistaking it for a collection or acquisition date. */
        for (guint i = 0; i < docs->len; i++) {
                RdDocument *d = g_ptr_array_index(docs, i);

                if (d->type != RD_DOC_LABS && d->type != RD_DOC_EKG &&
                    d->type != RD_DOC_CLINICAL_NOTES)
                        continue;
                for (guint j = 0; j < d->pages->len; j++) {
                        guint num = g_array_index(d->pages, guint, j);

                        for (guint k = 0; k < pages->len; k++) {
                                const RdPage *p = g_ptr_array_index(pages, k);
                                char *iso;

                                if (p->number != num)
                                        continue;
                                iso = rd_classify_document_date(d->type, p->text, ref->patient.dob);
                                /* The first dated page dates the document; for
                                 * labs the newest page does (merged reports). */
                                if (iso && (j == 0 || d->date == NULL ||
                                            (d->type == RD_DOC_LABS && strcmp(iso, d->date) > 0))) {
                                        g_free(d->date);
                                        d->date = iso;
                                } else {
                                        g_free(iso);
                                }
                                break;
                        }
                        if (d->date && d->type != RD_DOC_LABS)
                                break;
                }
        }
        g_ptr_array_extend_and_steal(ref->documents, g_steal_pointer(&docs));

        rd_policy_check(policy, ref);
        ref->confidence = overall_confidence(pages, ref);
        rd_policy_review(policy, ref);
        review_dark_pages(pages, ref);
        review_partial_tracings(pages, ref);
        return g_steal_pointer(&ref);
}
