/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "parsers/understand/policy.h"

static RdPolicy *
policy_from(const char *text)
{
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        RdPolicy *p;

        g_assert_true(g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, &error));
        p = rd_policy_new_from_keyfile(kf, &error);
        g_assert_no_error(error);
        g_assert_nonnull(p);
        return p;
}

static char *
joined(GPtrArray *items)
{
        GString *s = g_string_new(NULL);

        for (guint i = 0; i < items->len; i++) {
                if (i)
                        g_string_append_c(s, ';');
                g_string_append(s, g_ptr_array_index(items, i));
        }
        return g_string_free(s, FALSE);
}

static char *
missing_joined(const RdReferral *ref)
{
        GString *s = g_string_new(NULL);

        for (guint i = 0; i < ref->missing->len; i++) {
                const RdMissingItem *m = g_ptr_array_index(ref->missing, i);

                if (i)
                        g_string_append_c(s, ';');
                g_string_append(s, m->item);
        }
        return g_string_free(s, FALSE);
}

static void
test_required_every_line(void)
{
        g_autoptr(RdPolicy) p = rd_policy_new_reference();
        static const struct {
                const char *line, *urgency, *want;
        } cases[] = {
                { "general", "routine", "ekg;labs;clinical_notes" },
                { "preventive", "routine", "labs;labs:lipid;clinical_notes" },
                { "interventional", "routine", "ekg;labs;clinical_notes;stress_test" },
                { "electrophysiology", "routine", "ekg;labs;clinical_notes;med_list" },
                { "heart_failure", "routine", "ekg;labs;labs:bnp;clinical_notes;echo" },
                /* urgent keeps only ekg and notes of the line's list */
                { "heart_failure", "urgent", "ekg;clinical_notes" },
                { "preventive", "urgent", "clinical_notes" },
                /* stat is never held back */
                { "interventional", "stat", "" },
                /* unknown line: still the general list, never "nothing" */
                { NULL, NULL, "ekg;labs;clinical_notes" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(GPtrArray) req = rd_policy_required(p, cases[i].line, cases[i].urgency);
                g_autofree char *got = joined(req);

                g_assert_cmpstr(got, ==, cases[i].want);
        }
        g_assert_cmpuint(rd_policy_get_labs_max_age_days(p), ==, 90);
}

static RdDocument *
doc(RdDocType type, guint page, const char *date, guint panels)
{
        RdDocument *d = rd_document_new(type);

        g_array_append_val(d->pages, page);
        d->date = g_strdup(date);
        d->panels = panels;
        d->confidence = 0.9;
        return d;
}

static void
test_check_stale_labs(void)
{
        g_autoptr(RdPolicy) p = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = rd_referral_new();
        g_autofree char *miss = NULL;
        const RdMissingItem *m;

        ref->service_line = g_strdup("heart_failure");
        ref->urgency = g_strdup("routine");
        ref->received = g_strdup("2027-03-01");
        g_ptr_array_add(ref->documents, doc(RD_DOC_CLINICAL_NOTES, 1, NULL, 0));
        g_ptr_array_add(ref->documents, doc(RD_DOC_EKG, 2, "2027-02-20", 0));
        /* 120 days old, with BNP: the panel counts, the labs item does not */
        g_ptr_array_add(ref->documents, doc(RD_DOC_LABS, 3, "2026-11-01", RD_PANEL_BNP));
        g_ptr_array_add(ref->documents, doc(RD_DOC_ECHO, 4, NULL, 0));
        rd_policy_check(p, ref);
        miss = missing_joined(ref);
        g_assert_cmpstr(miss, ==, "labs");
        g_assert_false(ref->complete);
        m = g_ptr_array_index(ref->missing, 0);
        g_assert_cmpint(m->why, ==, RD_MISSING_LABS_TOO_OLD);
        g_assert_cmpstr(m->date_found, ==, "2026-11-01");

        /* a report whose date could not be read may be the fresh one: the
         * labs are undated (a person looks), not too old (a request) */
        {
                RdDocument *undated = doc(RD_DOC_LABS, 6, NULL, RD_PANEL_CMP);

                g_ptr_array_add(ref->documents, undated);
                rd_policy_check(p, ref);
                m = g_ptr_array_index(ref->missing, 0);
                g_assert_cmpint(m->why, ==, RD_MISSING_LABS_UNDATED);
                g_assert_false(ref->complete);
                g_ptr_array_remove(ref->documents, undated);
        }
        /* a newer report makes labs present: the newest one counts */
        g_ptr_array_add(ref->documents, doc(RD_DOC_LABS, 5, "2027-02-10", RD_PANEL_CMP));
        rd_policy_check(p, ref);
        g_assert_cmpuint(ref->missing->len, ==, 0);
        g_assert_true(ref->complete);
}

static void
test_check_panels_and_types(void)
{
        g_autoptr(RdPolicy) p = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = rd_referral_new();
        g_autofree char *miss = NULL;

        ref->service_line = g_strdup("heart_failure");
        ref->urgency = g_strdup("routine");
        ref->received = g_strdup("2027-03-01");
        /* a discharge summary is not clinical notes */
        g_ptr_array_add(ref->documents, doc(RD_DOC_DISCHARGE_SUMMARY, 1, NULL, 0));
        g_ptr_array_add(ref->documents, doc(RD_DOC_LABS, 2, "2027-02-27", RD_PANEL_CBC | RD_PANEL_BMP));
        rd_policy_check(p, ref);
        miss = missing_joined(ref);
        g_assert_cmpstr(miss, ==, "ekg;labs:bnp;clinical_notes;echo");
        g_assert_cmpint(((RdMissingItem *)g_ptr_array_index(ref->missing, 1))->why, ==,
                        RD_MISSING_PANEL_ABSENT);
}

static void
test_check_urgent_and_stat(void)
{
        g_autoptr(RdPolicy) p = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = rd_referral_new();
        g_autofree char *miss = NULL;

        ref->service_line = g_strdup("electrophysiology");
        ref->urgency = g_strdup("urgent");
        ref->received = g_strdup("2027-03-01");
        g_ptr_array_add(ref->documents, doc(RD_DOC_EKG, 1, "2027-03-01", 0));
        rd_policy_check(p, ref);
        miss = missing_joined(ref);
        /* no labs or med list asked for an urgent referral */
        g_assert_cmpstr(miss, ==, "clinical_notes");

        g_free(ref->urgency);
        ref->urgency = g_strdup("stat");
        rd_policy_check(p, ref);
        g_assert_cmpuint(ref->required->len, ==, 0);
        g_assert_true(ref->complete);
}

static void
test_check_undated_and_weak(void)
{
        g_autoptr(RdPolicy) p = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = rd_referral_new();
        RdDocument *weak;

        ref->service_line = g_strdup("general");
        ref->urgency = g_strdup("routine");
        ref->received = g_strdup("2027-03-01");
        g_ptr_array_add(ref->documents, doc(RD_DOC_LABS, 1, NULL, RD_PANEL_BMP));
        weak = doc(RD_DOC_EKG, 2, NULL, 0);
        weak->confidence = 0.05;
        g_ptr_array_add(ref->documents, weak);
        g_ptr_array_add(ref->documents, doc(RD_DOC_CLINICAL_NOTES, 3, NULL, 0));
        rd_policy_check(p, ref);
        /* too damaged to be sure: missing, never a false complete */
        g_assert_false(ref->complete);
        g_assert_cmpuint(ref->missing->len, ==, 2);
        g_assert_cmpint(((RdMissingItem *)g_ptr_array_index(ref->missing, 0))->why, ==,
                        RD_MISSING_UNREADABLE);
        g_assert_cmpint(((RdMissingItem *)g_ptr_array_index(ref->missing, 1))->why, ==,
                        RD_MISSING_LABS_UNDATED);
}

/* A page classified as labs with too little confidence to count: the
 * labs and their panels are missing as unreadable (a person looks, and no
 * request for labs goes out on its own), not as never sent. */
static void
test_weak_labs(void)
{
        g_autoptr(RdPolicy) p = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = rd_referral_new();
        RdDocument *weak;
        g_autofree char *miss = NULL;

        ref->service_line = g_strdup("heart_failure");
        ref->urgency = g_strdup("routine");
        ref->received = g_strdup("2027-03-01");
        g_ptr_array_add(ref->documents, doc(RD_DOC_CLINICAL_NOTES, 1, NULL, 0));
        g_ptr_array_add(ref->documents, doc(RD_DOC_EKG, 2, "2027-02-20", 0));
        g_ptr_array_add(ref->documents, doc(RD_DOC_ECHO, 3, NULL, 0));
        weak = doc(RD_DOC_LABS, 4, "2027-02-10", RD_PANEL_BNP);
        weak->confidence = 0.2;
        g_ptr_array_add(ref->documents, weak);
        rd_policy_check(p, ref);
        miss = missing_joined(ref);
        g_assert_cmpstr(miss, ==, "labs;labs:bnp");
        for (guint i = 0; i < ref->missing->len; i++)
                g_assert_cmpint(((RdMissingItem *)g_ptr_array_index(ref->missing, i))->why, ==,
                                RD_MISSING_UNREADABLE);
        rd_policy_review(p, ref);
        g_assert_true(ref->needs_review);

        /* no page that may be labs: never sent */
        g_ptr_array_remove(ref->documents, weak);
        rd_policy_check(p, ref);
        for (guint i = 0; i < ref->missing->len; i++)
                g_assert_cmpint(((RdMissingItem *)g_ptr_array_index(ref->missing, i))->why, ==,
                                RD_MISSING_NOT_ENCLOSED);
}

static void
test_keyfile_with_other_groups(void)
{
        g_autoptr(RdPolicy) p = policy_from("[database]\nconninfo=host=x\n"
                                            "[policy]\nlabs_max_age_days=30\n"
                                            "[checklist.general]\nrequires=ekg;labs:tsh\n"
                                            "[urgency.urgent]\nkeep=ekg\n");
        g_autoptr(GPtrArray) req = rd_policy_required(p, "general", "routine");
        g_autoptr(GPtrArray) req2 = rd_policy_required(p, "general", "urgent");
        g_autofree char *a = joined(req), *b = joined(req2);

        g_assert_cmpuint(rd_policy_get_labs_max_age_days(p), ==, 30);
        g_assert_cmpstr(a, ==, "ekg;labs:tsh");
        g_assert_cmpstr(b, ==, "ekg");
}

static void
test_reference_file(void)
{
        const char *dir = g_getenv("RD_SHARED_DIR");
        g_autofree char *path = NULL;
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(RdPolicy) p = NULL, ref = rd_policy_new_reference();
        g_autoptr(GError) error = NULL;
        const char *lines[] = { "general", "preventive", "interventional", "electrophysiology",
                                "heart_failure" };
        const char *urg[] = { "routine", "urgent", "stat" };

        path = dir ? g_build_filename(dir, "contract", "checklists.conf", NULL) : NULL;
        if (path == NULL || !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
                /* meson always sets RD_SHARED_DIR; the folder may still be absent */
                g_test_skip("no ../shared/contract/checklists.conf: no reference policy to compare");
                return;
        }
        g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error));
        p = rd_policy_new_from_keyfile(kf, &error);
        g_assert_no_error(error);
        /* the embedded default says the same as the reference file */
        for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
                for (gsize j = 0; j < G_N_ELEMENTS(urg); j++) {
                        g_autoptr(GPtrArray) a = rd_policy_required(p, lines[i], urg[j]);
                        g_autoptr(GPtrArray) b = rd_policy_required(ref, lines[i], urg[j]);
                        g_autofree char *sa = joined(a), *sb = joined(b);

                        g_assert_cmpstr(sa, ==, sb);
                }
        }
        g_assert_cmpuint(rd_policy_get_labs_max_age_days(p), ==,
                         rd_policy_get_labs_max_age_days(ref));
}

static void
test_bad_values(void)
{
        static const struct {
                const char *text, *needle;
        } cases[] = {
                { "[checklist.general]\nrequires=ekg;xray\n", "[checklist.general] requires" },
                { "[checklist.general]\nrequires=labs:vitd\n", "labs:vitd" },
                { "[policy]\nlabs_max_age_days=ninety\n", "[policy] labs_max_age_days" },
                { "[policy]\nlabs_max_age_days=-4\n", "labs_max_age_days" },
                { "[urgency.urgent]\nkeep=ekg;bloodwork\n", "[urgency.urgent] keep" },
                { "[urgency.soon]\nkeep=ekg\n", "urgency.soon" },
                { "[checklist.cardiology]\nrequires=ekg\n", "checklist.cardiology" },
                { "[checklist.general]\nrequire=ekg\n", "require" },
                { "[policy]\nreview-below=1.5\n", "[policy] review-below" },
                { "[policy]\nreview-below=half\n", "review-below" },
                { "[policy]\nreview-below=-0.1\n", "review-below" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(GKeyFile) kf = g_key_file_new();
                g_autoptr(GError) error = NULL;
                g_autoptr(RdPolicy) p = NULL;

                g_assert_true(g_key_file_load_from_data(kf, cases[i].text, (gsize)-1,
                                                        G_KEY_FILE_NONE, NULL));
                p = rd_policy_new_from_keyfile(kf, &error);
                g_assert_null(p);
                g_assert_error(error, RD_POLICY_ERROR, RD_POLICY_ERROR_INVALID);
                g_assert_nonnull(strstr(error->message, cases[i].needle));
        }
}

static void
test_review_below_values(void)
{
        g_autoptr(RdPolicy) dflt = rd_policy_new_reference();
        g_autoptr(RdPolicy) frac = policy_from("[policy]\nreview-below=0.75\n");
        g_autoptr(RdPolicy) pct = policy_from("[policy]\nreview-below=40%\n");

        g_assert_cmpfloat_with_epsilon(rd_policy_get_review_below(dflt), 0.6, 1e-9);
        g_assert_cmpfloat_with_epsilon(rd_policy_get_review_below(frac), 0.75, 1e-9);
        g_assert_cmpfloat_with_epsilon(rd_policy_get_review_below(pct), 0.40, 1e-9);
}

/* A complete general referral, every item met with confidence. */
static RdReferral *
complete_referral(void)
{
        RdReferral *ref = rd_referral_new();

        ref->service_line = g_strdup("general");
        ref->urgency = g_strdup("routine");
        ref->received = g_strdup("2027-05-01");
        ref->service_evidence.strength = RD_TRIAGE_STRONG;
        ref->urgency_evidence.strength = RD_TRIAGE_NONE;
        g_ptr_array_add(ref->documents, doc(RD_DOC_CLINICAL_NOTES, 2, NULL, 0));
        g_ptr_array_add(ref->documents, doc(RD_DOC_EKG, 3, "2027-04-20", 0));
        g_ptr_array_add(ref->documents, doc(RD_DOC_LABS, 4, "2027-04-10", RD_PANEL_BMP));
        g_ptr_array_add(ref->documents, doc(RD_DOC_LABS, 5, "2027-04-25", RD_PANEL_CBC));
        ref->confidence = 0.9;
        return ref;
}

static void
test_evidence_cites_pages(void)
{
        g_autoptr(RdPolicy) p = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = complete_referral();
        const RdEvidence *e;

        rd_policy_check(p, ref);
        rd_policy_review(p, ref);
        g_assert_true(ref->complete);
        g_assert_false(ref->needs_review);
        g_assert_cmpuint(ref->evidence->len, ==, 3);
        e = g_ptr_array_index(ref->evidence, 0);
        g_assert_cmpstr(e->item, ==, "ekg");
        g_assert_cmpuint(e->pages->len, ==, 1);
        g_assert_cmpuint(g_array_index(e->pages, guint, 0), ==, 3);
        g_assert_nonnull(e->cue);
        /* labs: the newest report is the one the age rule used */
        e = g_ptr_array_index(ref->evidence, 1);
        g_assert_cmpstr(e->item, ==, "labs");
        g_assert_cmpuint(g_array_index(e->pages, guint, 0), ==, 5);
}

static void
test_review_reasons(void)
{
        g_autoptr(RdPolicy) p = rd_policy_new_reference();
        g_autoptr(RdPolicy) strict = policy_from("[policy]\nreview-below=0.95\n");
        static const char *const kinds[] = {
                "urgency-prose", "urgency-conflict", "service-guess", "service-none",
                "weak-doc", "low-overall",
        };

        for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
                g_autoptr(RdReferral) ref = complete_referral();
                const RdPolicy *use = p;

                if (i == 0) {
                        ref->urgency_evidence.strength = RD_TRIAGE_WEAK;
                        ref->urgency_evidence.read = "urgent";
                } else if (i == 1) {
                        ref->urgency_evidence.strength = RD_TRIAGE_WEAK;
                        ref->urgency_evidence.cue = "conflicting marks";
                } else if (i == 2) {
                        ref->service_evidence.strength = RD_TRIAGE_WEAK;
                        ref->service_evidence.cue = "reason for referral";
                } else if (i == 3) {
                        ref->service_evidence.strength = RD_TRIAGE_NONE;
                } else if (i == 4) {
                        /* the only EKG was barely recognised */
                        ((RdDocument *)g_ptr_array_index(ref->documents, 1))->confidence = 0.3;
                } else {
                        use = strict;
                }
                rd_policy_check(use, ref);
                rd_policy_review(use, ref);
                /* the checklist still says what it computed; a person decides */
                g_assert_true(ref->complete);
                g_assert_true(ref->needs_review);
                g_assert_cmpuint(ref->review_reasons->len, >=, 1);
        }
}

static void
test_undated_labs_review(void)
{
        g_autoptr(RdPolicy) p = rd_policy_new_reference();
        g_autoptr(RdReferral) ref = complete_referral();

        g_clear_pointer(&((RdDocument *)g_ptr_array_index(ref->documents, 2))->date, g_free);
        g_clear_pointer(&((RdDocument *)g_ptr_array_index(ref->documents, 3))->date, g_free);
        rd_policy_check(p, ref);
        rd_policy_review(p, ref);
        g_assert_false(ref->complete);
        g_assert_true(ref->needs_review);
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/policy/required-every-line", test_required_every_line);
        g_test_add_func("/policy/stale-labs", test_check_stale_labs);
        g_test_add_func("/policy/panels-and-types", test_check_panels_and_types);
        g_test_add_func("/policy/urgent-and-stat", test_check_urgent_and_stat);
        g_test_add_func("/policy/undated-and-weak", test_check_undated_and_weak);
        g_test_add_func("/policy/weak-labs", test_weak_labs);
        g_test_add_func("/policy/keyfile-with-other-groups", test_keyfile_with_other_groups);
        g_test_add_func("/policy/reference-file", test_reference_file);
        g_test_add_func("/policy/bad-values", test_bad_values);
        g_test_add_func("/policy/review-below-values", test_review_below_values);
        g_test_add_func("/policy/evidence-cites-pages", test_evidence_cites_pages);
        g_test_add_func("/policy/review-reasons", test_review_reasons);
        g_test_add_func("/policy/undated-labs-review", test_undated_labs_review);
        return g_test_run();
}
