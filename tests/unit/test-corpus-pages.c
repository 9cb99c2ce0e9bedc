/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Page reading on the shared files: every fax sample reads with its key
 * text legible (words taken from its ground truth), born-digital samples
 * read from the text layer exactly as pdftotext does, and every file of the
 * robustness corpus is read or rejected with a clear error, each in a
 * child process so that a crash or hang fails the test, not the runner. */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parsers/pages/pages.h"

#if defined(__SANITIZE_ADDRESS__)
#define RD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RD_ASAN 1
#endif
#endif

static RdOcrEngine *engine;
static const char *shared_dir;

static gboolean
need_shared(void)
{
        if (shared_dir == NULL) {
                g_test_skip("RD_SHARED_DIR is not set or not a directory: no samples to read");
                return FALSE;
        }
        return TRUE;
}

/* ---- robustness corpus ---- */

static int
compare_names(gconstpointer a, gconstpointer b)
{
        return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

enum {
        CHILD_READ = 0,
        CHILD_REJECTED = 3,
        CHILD_BAD_ERROR = 4,
        CHILD_NO_FILE = 5,
};

static G_NORETURN void
corpus_child(const char *path)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autofree char *data = NULL;
        gsize len = 0;
        RdReadLimits limits;

#ifndef RD_ASAN
        /* what a worker gets: a crash or runaway allocation ends it */
        struct rlimit as = { 1536UL << 20, 1536UL << 20 };

        setrlimit(RLIMIT_AS, &as);
#endif
        alarm(60);
        if (!g_file_get_contents(path, &data, &len, NULL))
                _exit(CHILD_NO_FILE);
        rd_read_limits_init(&limits);
        /* robustness of the decoders, not OCR quality (the samples test
         * that): one page each, and a budget that turns a slow page into a
         * clear limit error instead of minutes of OCR */
        limits.max_pages = 1;
        limits.time_budget_ms = 4000;
        if (rd_pages_read((const guint8 *)data, len, "file", 1, &limits, engine, pages, &error))
                _exit(CHILD_READ);
        if (error == NULL || error->domain != RD_PAGES_ERROR || error->message[0] == '\0' ||
            g_ascii_isupper(error->message[0]))
                _exit(CHILD_BAD_ERROR);
        /* a cut at the page limit still read its first pages */
        if (error->code == RD_PAGES_ERROR_LIMIT && pages->len == limits.max_pages)
                _exit(CHILD_READ);
        _exit(CHILD_REJECTED);
}

static void
test_corpus(gconstpointer data)
{
        const char *sub = data;
        g_autofree char *dir_path = NULL;
        g_autoptr(GDir) dir = NULL;
        g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GString) failures = g_string_new(NULL);
        guint n_read = 0, n_rejected = 0, next = 0, running = 0;
        const guint max_children = 2;
        GHashTable *pids;
        const char *name;
        gint64 start = g_get_monotonic_time();

        if (!need_shared())
                return;
        dir_path = g_build_filename(shared_dir, "corpus", sub, NULL);
        dir = g_dir_open(dir_path, 0, NULL);
        if (dir == NULL) {
                g_test_skip("no corpus directory");
                return;
        }
        while ((name = g_dir_read_name(dir)) != NULL)
                g_ptr_array_add(files, g_build_filename(dir_path, name, NULL));
        g_ptr_array_sort(files, compare_names);

        pids = g_hash_table_new(NULL, NULL);
        while (next < files->len || running > 0) {
                int status;
                pid_t pid;
                const char *path;

                if (next < files->len && running < max_children) {
                        fflush(stdout);
                        fflush(stderr);
                        pid = fork();
                        g_assert_cmpint(pid, >=, 0);
                        if (pid == 0)
                                corpus_child(files->pdata[next]);
                        g_hash_table_insert(pids, GINT_TO_POINTER(pid), files->pdata[next]);
                        next++;
                        running++;
                        continue;
                }
                pid = waitpid(-1, &status, 0);
                if (pid < 0 && errno == EINTR)
                        continue;
                g_assert_cmpint(pid, >, 0);
                path = g_hash_table_lookup(pids, GINT_TO_POINTER(pid));
                running--;
                if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_READ) {
                        n_read++;
                } else if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_REJECTED) {
                        n_rejected++;
                } else {
                        g_autofree char *base = g_path_get_basename(path);

                        if (WIFSIGNALED(status))
                                g_string_append_printf(failures, " %s(signal %d)", base,
                                                       WTERMSIG(status));
                        else
                                g_string_append_printf(failures, " %s(exit %d)", base,
                                                       WEXITSTATUS(status));
                }
        }
        g_hash_table_unref(pids);
        g_test_message("corpus/%s: %u files, %u read, %u rejected with an error, %.1f s", sub,
                       files->len, n_read, n_rejected,
                       (g_get_monotonic_time() - start) / 1e6);
        if (failures->len > 0)
                g_test_message("crashed, hung or unclear:%s", failures->str);
        g_assert_cmpuint(failures->len, ==, 0);
        g_assert_cmpuint(n_read + n_rejected, ==, files->len);
}

/* ---- samples ---- */

typedef struct {
        char *name;
        JsonNode *truth; /* owned */
        GPtrArray *pages;
        gboolean ok;
} Sample;

static GPtrArray *samples; /* Sample*, read once, shared by the sample tests */

/* Lower case, with the glyphs fax OCR confuses folded together (I/l/1,
 * O/0): a capital I is often read as l, which still names the patient. */
static char *
lower(const char *s)
{
        char *out = g_utf8_strdown(s, -1);

        for (char *p = out; *p != '\0'; p++) {
                if (*p == 'l' || *p == '1' || *p == '|' || *p == '!')
                        *p = 'i';
                else if (*p == '0')
                        *p = 'o';
        }
        return out;
}


/* Words of the page text, lower case. */
static gboolean
pages_contain(GPtrArray *pages, JsonArray *numbers, const char *word)
{
        g_autofree char *w = lower(word);

        for (guint i = 0; i < json_array_get_length(numbers); i++) {
                guint n = (guint)json_array_get_int_element(numbers, i);

                if (n >= 1 && n <= pages->len) {
                        g_autofree char *text = lower(((RdPage *)pages->pdata[n - 1])->text);

                        if (strstr(text, w) != NULL)
                                return TRUE;
                }
        }
        return FALSE;
}

static void
read_samples(void)
{
        g_autofree char *dir_path = NULL;
        g_autoptr(GDir) dir = NULL;
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        if (samples != NULL)
                return;
        samples = g_ptr_array_new();
        dir_path = g_build_filename(shared_dir, "samples", NULL);
        dir = g_dir_open(dir_path, 0, NULL);
        if (dir == NULL)
                return;
        while ((name = g_dir_read_name(dir)) != NULL)
                if ((g_str_has_prefix(name, "fax") || g_str_has_prefix(name, "digital")) &&
                    (g_str_has_suffix(name, ".pdf") || g_str_has_suffix(name, ".tif")))
                        g_ptr_array_add(names, g_strdup(name));
        g_ptr_array_sort(names, compare_names);
        for (guint i = 0; i < names->len; i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(JsonParser) parser = json_parser_new();
                g_autofree char *path = g_build_filename(dir_path, names->pdata[i], NULL);
                g_autofree char *stem = g_strndup(names->pdata[i],
                                                  strrchr(names->pdata[i], '.') -
                                                          (char *)names->pdata[i]);
                g_autofree char *truth = g_strdup_printf("%s/%s.truth.json", dir_path, stem);
                g_autofree char *data = NULL;
                gsize len = 0;
                Sample *s = g_new0(Sample, 1);

                s->name = g_strdup(names->pdata[i]);
                s->pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
                g_assert_true(g_file_get_contents(path, &data, &len, &error));
                g_assert_true(json_parser_load_from_file(parser, truth, &error));
                g_assert_no_error(error);
                s->truth = json_node_copy(json_parser_get_root(parser));
                s->ok = rd_pages_read((const guint8 *)data, len, "file", 1, NULL, engine,
                                      s->pages, &error);
                if (!s->ok)
                        g_test_message("%s: %s", s->name, error->message);
                g_ptr_array_add(samples, s);
        }
}

/* Words that show a lab panel was read (the contract's panel vocabulary). */
static const char *const *
panel_words(const char *panel)
{
        static const char *const bmp[] = { "sodium", "potassium", "creatinine", "glucose", NULL };
        static const char *const cmp[] = { "albumin", "bilirubin", "alkaline", "protein", NULL };
        static const char *const lipid[] = { "cholesterol", "triglyceride", "ldl", "hdl", NULL };
        static const char *const bnp[] = { "bnp", NULL };
        static const char *const troponin[] = { "troponin", NULL };
        static const char *const cbc[] = { "hemoglobin", "platelet", "wbc", "hematocrit", NULL };
        static const char *const a1c[] = { "a1c", NULL };
        static const char *const tsh[] = { "tsh", "thyroid", NULL };
        static const char *const inr[] = { "inr", "prothrombin", NULL };
        static const struct {
                const char *panel;
                const char *const *words;
        } map[] = { { "bmp", bmp }, { "cmp", cmp },       { "lipid", lipid },
                    { "bnp", bnp }, { "troponin", troponin }, { "cbc", cbc },
                    { "a1c", a1c }, { "tsh", tsh },       { "inr", inr } };

        for (gsize i = 0; i < G_N_ELEMENTS(map); i++)
                if (g_strcmp0(map[i].panel, panel) == 0)
                        return map[i].words;
        return NULL;
}

static void
test_samples_fax(void)
{
        guint n_items = 0, n_pages = 0;

        if (!need_shared())
                return;
        read_samples();
        for (guint i = 0; i < samples->len; i++) {
                Sample *s = samples->pdata[i];
                JsonObject *truth = json_node_get_object(s->truth);
                JsonArray *docs = json_object_get_array_member(truth, "documents");
                const char *family = json_object_get_string_member(
                        json_object_get_object_member(truth, "patient"), "family");
                guint max_page = 0;

                if (!g_str_has_prefix(s->name, "fax"))
                        continue;
                n_items++;
                g_test_message("%s", s->name);
                g_assert_true(s->ok);
                for (guint d = 0; d < json_array_get_length(docs); d++) {
                        JsonArray *p = json_object_get_array_member(
                                json_array_get_object_element(docs, d), "pages");

                        for (guint k = 0; k < json_array_get_length(p); k++)
                                max_page = MAX(max_page, (guint)json_array_get_int_element(p, k));
                }
                g_assert_cmpuint(s->pages->len, ==, max_page);
                n_pages += s->pages->len;
                for (guint k = 0; k < s->pages->len; k++) {
                        RdPage *page = s->pages->pdata[k];

                        g_assert_cmpint(page->method, ==, RD_PAGE_METHOD_OCR);
                        g_assert_cmpuint(page->number, ==, k + 1);
                        /* every page, however it was fed, reads as text */
                        g_assert_cmpfloat(page->confidence, >=, 60.0);
                }
                for (guint d = 0; d < json_array_get_length(docs); d++) {
                        JsonObject *doc = json_array_get_object_element(docs, d);
                        const char *type = json_object_get_string_member(doc, "type");
                        JsonArray *p = json_object_get_array_member(doc, "pages");

                        /* the patient is named on every clinical document */
                        if (g_strcmp0(type, "cover_sheet") != 0 &&
                            g_strcmp0(type, "insurance") != 0 && g_strcmp0(type, "other") != 0 &&
                            !pages_contain(s->pages, p, family)) {
                                g_test_message("%s: family name not read on the %s pages",
                                               s->name, type);
                                g_assert_not_reached();
                        }
                        if (g_strcmp0(type, "ekg") == 0) {
                                g_assert_true(pages_contain(s->pages, p, "vent"));
                                g_assert_true(pages_contain(s->pages, p, "bpm") ||
                                              pages_contain(s->pages, p, "rate"));
                        }
                        if (g_strcmp0(type, "labs") == 0 &&
                            json_object_has_member(doc, "panels")) {
                                JsonArray *panels = json_object_get_array_member(doc, "panels");

                                for (guint q = 0; q < json_array_get_length(panels); q++) {
                                        const char *panel = json_array_get_string_element(panels, q);
                                        const char *const *words = panel_words(panel);
                                        gboolean found = FALSE;

                                        for (; words != NULL && *words != NULL && !found; words++)
                                                found = pages_contain(s->pages, p, *words);
                                        if (!found)
                                                g_test_message("%s: no %s words read", s->name,
                                                               panel);
                                        g_assert_true(found);
                                }
                        }
                }
        }
        g_test_message("%u fax items, %u pages", n_items, n_pages);
        g_assert_cmpuint(n_items, >, 0);
}

static void
test_samples_orientation(void)
{
        guint n_ocr = 0, n_rotated = 0, n_osd = 0;

        if (!need_shared())
                return;
        read_samples();
        for (guint i = 0; i < samples->len; i++) {
                Sample *s = samples->pdata[i];

                for (guint k = 0; k < s->pages->len; k++) {
                        RdPage *page = s->pages->pdata[k];

                        if (page->method != RD_PAGE_METHOD_OCR)
                                continue;
                        n_ocr++;
                        if (page->rotation != 0) {
                                n_rotated++;
                                g_test_message("%s page %u: rotated %d", s->name, page->number,
                                               page->rotation);
                        }
                }
        }
        rd_ocr_engine_get_stats(engine, NULL, &n_osd, NULL);
        g_test_message("%u ocr pages, %u rotated, orientation detection ran on %u", n_ocr,
                       n_rotated, n_osd);
        /* the samples hold one upside-down and one sideways page; upright
         * pages must mostly skip the detection (tracings and sparse
         * forms do not) */
        g_assert_cmpuint(n_rotated, >=, 2);
        g_assert_cmpuint(n_osd * 2, <=, n_ocr); /* measured: 24 of 71 */
}

/* Words of pdftotext's output for one page. */
static char **
pdftotext_words(const char *path, guint page)
{
        g_autofree char *first = g_strdup_printf("%u", page);
        const char *argv[] = { "pdftotext", "-f", first, "-l", first, "-enc", "UTF-8", path,
                               "-", NULL };
        g_autofree char *out = NULL;
        int status = 0;

        if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                          NULL, NULL, &out, NULL, &status, NULL) ||
            status != 0)
                return NULL;
        return g_regex_split_simple("\\s+", g_strstrip(out), 0, 0);
}

static void
test_samples_text_layer(void)
{
        g_autofree char *tool = g_find_program_in_path("pdftotext");
        guint n_items = 0;

        if (!need_shared())
                return;
        if (tool == NULL) {
                g_test_skip("pdftotext is not installed");
                return;
        }
        read_samples();
        for (guint i = 0; i < samples->len; i++) {
                Sample *s = samples->pdata[i];
                g_autofree char *path = NULL;

                if (!g_str_has_prefix(s->name, "digital"))
                        continue;
                n_items++;
                g_assert_true(s->ok);
                g_assert_cmpuint(s->pages->len, >, 0);
                path = g_build_filename(shared_dir, "samples", s->name, NULL);
                for (guint k = 0; k < s->pages->len; k++) {
                        RdPage *page = s->pages->pdata[k];
                        g_auto(GStrv) ours = NULL;
                        g_auto(GStrv) theirs = pdftotext_words(path, k + 1);
                        g_autofree char *text = g_strdup(page->text);

                        /* born-digital: never OCRed */
                        g_assert_cmpint(page->method, ==, RD_PAGE_METHOD_TEXT_LAYER);
                        g_assert_cmpfloat(page->confidence, ==, 100.0);
                        g_assert_nonnull(theirs);
                        ours = g_regex_split_simple("\\s+", g_strstrip(text), 0, 0);
                        /* the very words of pdftotext, in its order: table
                         * cells and widely spaced labels ("I aVR V1 V4",
                         * "555.731.2348 DOB:") are separate words, not glued */
                        for (guint w = 0; ours[w] != NULL && theirs[w] != NULL; w++) {
                                if (strcmp(ours[w], theirs[w]) != 0)
                                        g_test_message("%s page %u: word %u differs", s->name,
                                                       page->number, w + 1);
                                g_assert_cmpstr(ours[w], ==, theirs[w]);
                        }
                        g_assert_cmpuint(g_strv_length(ours), ==, g_strv_length(theirs));
                }
        }
        g_assert_cmpuint(n_items, >, 0);
}

int
main(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        int rc;

        g_test_init(&argc, &argv, NULL);
        shared_dir = g_getenv("RD_SHARED_DIR");
        if (shared_dir != NULL && !g_file_test(shared_dir, G_FILE_TEST_IS_DIR))
                shared_dir = NULL;
        engine = rd_ocr_engine_new(&error);
        g_assert_no_error(error);
        /* the corpus runs first, in children forked before this process has
         * run any OCR (so no OpenMP state is inherited) */
        g_test_add_data_func("/corpus-pages/corpus/fax", "fax", test_corpus);
        g_test_add_data_func("/corpus-pages/corpus/pdf", "pdf", test_corpus);
        g_test_add_func("/corpus-pages/samples/fax", test_samples_fax);
        g_test_add_func("/corpus-pages/samples/orientation", test_samples_orientation);
        g_test_add_func("/corpus-pages/samples/text-layer", test_samples_text_layer);
        rc = g_test_run();
        rd_ocr_engine_free(engine);
        return rc;
}
