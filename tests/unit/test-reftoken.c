/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <cairo.h>
#include <leptonica/allheaders.h>
#include <string.h>

#include "ocr/ocr-engine.h"
#include "parsers/understand/reftoken.h"
#include "surface-pix.h"

static const char symbols[] = "CEFHJKMNPRTWXY34679";

/* A token from a seeded draw, as the daemon makes from getrandom(2). */
static char *
random_token(GRand *rand)
{
        guint64 v = ((guint64)g_rand_int(rand) << 32 | g_rand_int(rand)) % RD_REFTOKEN_SPACE;

        return rd_reftoken_from_random(v);
}

static void
assert_parses_to(const char *text, const char *token)
{
        g_autofree char *back = NULL;

        g_assert_true(rd_reftoken_parse(text, &back));
        g_assert_cmpstr(back, ==, token);
}

static void
test_random_shape(void)
{
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        GRand *rand = g_rand_new_with_seed(3);

        /* 19^9 tokens: at least 35 bits */
        g_assert_cmpuint(RD_REFTOKEN_SPACE, >=, G_GUINT64_CONSTANT(1) << 35);
        g_assert_null(rd_reftoken_from_random(RD_REFTOKEN_SPACE));
        for (guint i = 0; i < 20000; i++) {
                char *t = i == 0 ? rd_reftoken_from_random(0)
                        : i == 1 ? rd_reftoken_from_random(RD_REFTOKEN_SPACE - 1)
                                 : random_token(rand);

                g_assert_nonnull(t);
                g_assert_cmpuint(strlen(t), ==, RD_REFTOKEN_LEN);
                g_assert_true(g_str_has_prefix(t, "RD-"));
                g_assert_cmpint(t[8], ==, '-');
                for (const char *p = t + 3; *p; p++)
                        g_assert_true(p == t + 8 || strchr(symbols, *p) != NULL);
                assert_parses_to(t, t);
                g_assert_false(g_hash_table_contains(seen, t));
                g_hash_table_add(seen, t);
        }
        g_rand_free(rand);
}

static void
test_round_trip(void)
{
        static const guint64 ids[] = { 1, 2, 3, 41, 1000, 65535, 123456, 999999, 1u << 24, 1u << 25 };
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        /* the references earlier versions gave are still read */
        for (gsize i = 0; i < G_N_ELEMENTS(ids); i++) {
                g_autofree char *t = rd_reftoken_from_id(ids[i]);

                g_assert_nonnull(t);
                g_assert_cmpuint(strlen(t), ==, RD_REFTOKEN_OLD_LEN);
                g_assert_true(g_str_has_prefix(t, "RD-"));
                for (const char *p = t + 3; *p; p++)
                        g_assert_nonnull(strchr(symbols, *p));
                assert_parses_to(t, t);
        }
        /* one token per id over a long run */
        for (guint64 id = 1; id <= 20000; id++) {
                char *t = rd_reftoken_from_id(id);

                g_assert_false(g_hash_table_contains(seen, t));
                g_hash_table_add(seen, t);
        }
        g_assert_null(rd_reftoken_from_id(0));
        g_assert_null(rd_reftoken_from_id((1u << 25) + 1));
}

static void
test_neighbours_unlike(void)
{
        /* old tokens of consecutive referrals differ in more than the last data symbol */
        for (guint64 id = 1; id < 500; id++) {
                g_autofree char *a = rd_reftoken_from_id(id);
                g_autofree char *b = rd_reftoken_from_id(id + 1);
                guint diff = 0;

                for (int i = 3; i < 9; i++)
                        diff += a[i] != b[i];
                g_assert_cmpuint(diff, >=, 4);
        }
}

/* Every single substitution and every swap of neighbours of @t is refused. */
static void
assert_errors_caught(const char *t)
{
        gsize len = strlen(t);

        for (gsize i = 3; i < len; i++) {
                if (t[i] == '-')
                        continue;
                for (const char *s = symbols; *s; s++) {
                        g_autofree char *u = g_strdup(t);

                        if (*s == t[i])
                                continue;
                        u[i] = *s;
                        g_assert_false(rd_reftoken_parse(u, NULL));
                }
                if (i + 1 < len && t[i + 1] != '-' && t[i] != t[i + 1]) {
                        g_autofree char *u = g_strdup(t);

                        u[i] = t[i + 1];
                        u[i + 1] = t[i];
                        g_assert_false(rd_reftoken_parse(u, NULL));
                }
        }
}

static void
test_errors_caught(void)
{
        GRand *rand = g_rand_new_with_seed(5);

        for (guint64 id = 7; id < 7 + 300 * 9973; id += 9973) {
                g_autofree char *t = rd_reftoken_from_id(id);

                assert_errors_caught(t);
        }
        for (guint i = 0; i < 300; i++) {
                g_autofree char *t = random_token(rand);

                assert_errors_caught(t);
        }
        g_rand_free(rand);
}

/* rd_reftoken_find finds @want (and maybe other candidates) in "Reference: @text". */
static void
assert_finds(const char *text, const char *want)
{
        g_autofree char *line = g_strdup_printf("Reference: %s\nNumber of pages: 2\n", text);
        g_autoptr(GPtrArray) found = rd_reftoken_find(line);
        gboolean hit = FALSE;

        for (guint i = 0; i < found->len; i++)
                hit |= strcmp(found->pdata[i], want) == 0;
        if (!hit)
                g_test_message("not found in \"%s\" (%u candidates)", text, found->len);
        g_assert_true(hit);
}

static void
test_parse_forgiving(void)
{
        g_autofree char *t = rd_reftoken_from_id(4242);
        g_autofree char *lower = g_ascii_strdown(t, -1);
        g_autofree char *spaced = g_strdup_printf("RD %.3s %.4s", t + 3, t + 6);
        g_autofree char *nodash = g_strdup_printf("RD%s", t + 3);
        g_autofree char *dashed = g_strdup_printf("  rd-%.3s-%s ", t + 3, t + 6);
        g_autofree char *bare = g_strdup(t + 3);
        g_autofree char *r = rd_reftoken_from_random(G_GUINT64_CONSTANT(123456789012));
        g_autofree char *rlower = g_ascii_strdown(r, -1);
        g_autofree char *rjoined = g_strdup_printf("RD%.5s%s", r + 3, r + 9);
        g_autofree char *rspaced = g_strdup_printf("rd %.5s %s", r + 3, r + 9);
        g_autofree char *rbare = g_strdup(r + 3);

        assert_parses_to(lower, t);
        assert_parses_to(spaced, t);
        assert_parses_to(nodash, t);
        assert_parses_to(dashed, t);
        assert_parses_to(bare, t);
        assert_parses_to(rlower, r);
        assert_parses_to(rjoined, r);
        assert_parses_to(rspaced, r);
        assert_parses_to(rbare, r);
        g_assert_false(rd_reftoken_parse("", NULL));
        g_assert_false(rd_reftoken_parse(NULL, NULL));
        g_assert_false(rd_reftoken_parse("RD-", NULL));
        /* a random token cut short is no token */
        {
                g_autofree char *cut = g_strndup(r, RD_REFTOKEN_LEN - 1);

                g_assert_false(rd_reftoken_parse(cut, NULL));
        }
}

/* What fax OCR makes of a reference, from a run of faxed cover sheets:
 * a J read as a bracket, bar or paren with a space after it, a letter
 * read in between two symbols, spaces inside a group.  Each reading of
 * every token that has such a symbol comes back to the token; the check
 * symbol still refuses a changed symbol. */
static void
test_ocr_damage(void)
{
        GRand *rand = g_rand_new_with_seed(77);
        guint tried = 0;

        for (guint i = 0; i < 400; i++) {
                g_autofree char *t = rd_reftoken_from_random(((guint64)g_rand_int(rand) << 32 | g_rand_int(rand)) %
                                                             G_GUINT64_CONSTANT(322687697779));
                g_autofree char *tmp = NULL;
                char *j = strchr(t + 3, 'J');
                GString *s;

                /* a letter read in after the second symbol of the second group */
                s = g_string_new(t);
                g_string_insert_c(s, 11, 'A');
                tmp = g_string_free(s, FALSE);
                assert_finds(tmp, t);
                g_clear_pointer(&tmp, g_free);
                /* a space inside each group */
                tmp = g_strdup_printf("RD-%.2s %.3s-%.3s %s", t + 3, t + 5, t + 9, t + 12);
                assert_finds(tmp, t);
                g_clear_pointer(&tmp, g_free);
                if (j == NULL)
                        continue;
                tried++;
                for (const char *repl = "]|)"; *repl; repl++) {
                        s = g_string_new(NULL);
                        g_string_append_len(s, t, j - t);
                        g_string_append_c(s, *repl);
                        g_string_append_c(s, ' ');
                        g_string_append(s, j + 1);
                        tmp = g_string_free(s, FALSE);
                        assert_finds(tmp, t);
                        g_clear_pointer(&tmp, g_free);
                }
        }
        g_assert_cmpuint(tried, >, 50);
        g_rand_free(rand);
}

static void
test_find(void)
{
        g_autofree char *a = rd_reftoken_from_id(17);
        g_autofree char *b = rd_reftoken_from_id(90210);
        g_autofree char *c = rd_reftoken_from_random(G_GUINT64_CONSTANT(98765432101));
        g_autofree char *text = g_strdup_printf(
                "Re: [%s] documents needed\n"
                "> Reference: %s.\n"                 /* repeated, sentence end */
                "Reference R D%s\n"                   /* OCR split the prefix, lost the dash */
                "Ref: RD\xe2\x80\x94%.3s %s\n"        /* em dash, a space inside */
                "XRD-%s is inside a word\n"
                "New one: %s, and again (%s)\n",
                a, a, b + 2, b + 3, b + 6, a + 3, c, c);
        g_autoptr(GPtrArray) found = rd_reftoken_find(text);

        g_assert_cmpuint(found->len, ==, 3);
        g_assert_cmpstr(found->pdata[0], ==, a);
        g_assert_cmpstr(found->pdata[1], ==, b);
        g_assert_cmpstr(found->pdata[2], ==, c);
}

static void
test_find_inside_longer_run(void)
{
        g_autofree char *a = rd_reftoken_from_id(55);
        g_autofree char *longer = g_strdup_printf("%sK", a);
        g_autofree char *r = rd_reftoken_from_random(77);
        g_autofree char *rlonger = g_strdup_printf("%sK", r);
        g_autoptr(GPtrArray) found = rd_reftoken_find(longer);
        g_autoptr(GPtrArray) rfound = rd_reftoken_find(rlonger);

        g_assert_cmpuint(found->len, ==, 0);
        g_assert_cmpuint(rfound->len, ==, 0);
}

static void
test_random_text_rarely_matches(void)
{
        /* 200,000 random capitals and digits with "RD-" planted every 40
         * characters: only the check symbol stands between noise and a
         * match, so about 1 in 19 plants made of valid symbols pass */
        GRand *rand = g_rand_new_with_seed(7);
        GString *s = g_string_new(NULL);
        static const char pool[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        g_autoptr(GPtrArray) found = NULL;
        guint plants = 0;

        for (guint i = 0; i < 200000; i++) {
                if (i % 40 == 0) {
                        g_string_append(s, " RD-");
                        plants++;
                }
                g_string_append_c(s, pool[g_rand_int_range(rand, 0, sizeof pool - 1)]);
        }
        found = rd_reftoken_find(s->str);
        /* a plant needs 7 symbols from the 19 of 36 (p = 0.528^7 = 1.1%),
         * then the right check (1/19), and no alphanumeric after; a
         * random token's 10 symbols are rarer still */
        g_assert_cmpuint(found->len, <, plants / 500 + 3);
        g_string_free(s, TRUE);
        g_rand_free(rand);
}

/* A page at fine fax resolution (200 dpi), 1 bit deep as a fax arrives,
 * with one "Reference: RD-..." line per token in @font at @px pixels. */
static PIX *
token_page(char **tokens, guint n, const char *font, cairo_font_weight_t weight, double px)
{
        const int w = 1700, h = 2200;
        cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        cairo_t *cr = cairo_create(s);
        PIX *gray, *pix;

        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, weight);
        cairo_set_font_size(cr, px);
        for (guint i = 0; i < n; i++) {
                g_autofree char *line = g_strdup_printf("Reference: %s", tokens[i]);

                cairo_move_to(cr, 160, 200 + i * px * 2.2);
                cairo_show_text(cr, line);
        }
        cairo_destroy(cr);
        gray = rd_test_surface_to_gray(s, 200, 200);
        pix = pixThresholdToBinary(gray, 128);
        pixCopyResolution(pix, gray);
        pixDestroy(&gray);
        return pix;
}

/* What a reply fax prints (bold sans) and what an office types on a cover
 * sheet (serif, 11 pt) is read back by OCR at fax resolution. */
static void
test_ocr_reads_back(void)
{
        static const struct {
                const char *font;
                cairo_font_weight_t weight;
                double px;
        } faces[] = {
                { "DejaVu Sans", CAIRO_FONT_WEIGHT_BOLD, 44 },    /* 16 pt */
                { "DejaVu Serif", CAIRO_FONT_WEIGHT_NORMAL, 31 }, /* 11 pt */
                { "DejaVu Sans Mono", CAIRO_FONT_WEIGHT_NORMAL, 31 },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdOcrEngine) engine = rd_ocr_engine_new(&error);
        char *ids[20];
        GRand *rand = g_rand_new_with_seed(11);

        g_assert_no_error(error);
        /* random references, and a few of the kind earlier versions gave */
        for (gsize i = 0; i < G_N_ELEMENTS(ids); i++)
                ids[i] = i < 15 ? random_token(rand) : rd_reftoken_from_id((guint64)g_rand_int_range(rand, 1, 1 << 25));
        g_rand_free(rand);
        for (gsize f = 0; f < G_N_ELEMENTS(faces); f++) {
                PIX *pix = token_page(ids, G_N_ELEMENTS(ids), faces[f].font, faces[f].weight, faces[f].px);
                RdOcrResult res = { 0 };
                g_autoptr(GPtrArray) found = NULL;
                guint hits = 0;

                g_assert_true(rd_ocr_engine_read(engine, pix, 0, &res, &error));
                found = rd_reftoken_find(res.text);
                if (g_getenv("RD_TOKEN_DEBUG"))
                        g_printerr("%s\n", res.text);
                for (gsize i = 0; i < G_N_ELEMENTS(ids); i++) {
                        const char *t = ids[i];
                        guint before = hits;

                        for (guint k = 0; k < found->len; k++)
                                hits += strcmp(found->pdata[k], t) == 0;
                        if (hits == before)
                                g_test_message("%s: not read back: %s", faces[f].font, t);
                }
                g_test_message("%s: %u of %zu references read back, %u found in all", faces[f].font, hits,
                               G_N_ELEMENTS(ids), found->len);
                /* nothing is ever read as another referral's reference */
                g_assert_cmpuint(found->len, ==, hits);
                g_assert_cmpuint(hits, >=, G_N_ELEMENTS(ids) * 9 / 10);
                rd_ocr_result_clear(&res);
                pixDestroy(&pix);
        }
        for (gsize i = 0; i < G_N_ELEMENTS(ids); i++)
                g_free(ids[i]);
}

/* Every random reference, quoted plainly on a cover sheet, is found as
 * itself (whatever its symbols happen to be). */
static void
test_every_random_found(void)
{
        GRand *rand = g_rand_new_with_seed(20261206);
        guint missed = 0;

        for (guint i = 0; i < 100000; i++) {
                guint64 v = ((guint64)g_rand_int(rand) << 32 | g_rand_int(rand)) & ((G_GUINT64_CONSTANT(1) << 38) - 1);
                g_autofree char *t = rd_reftoken_from_random(v);
                g_autofree char *text = NULL;
                g_autoptr(GPtrArray) found = NULL;
                gboolean ok = FALSE;

                if (t == NULL)
                        continue;
                text = g_strdup_printf("From: Alder Creek Family Medicine\nReference: %s\n"
                                       "Number of pages including cover: 2\n", t);
                found = rd_reftoken_find(text);
                for (guint k = 0; k < found->len; k++)
                        ok = ok || strcmp(found->pdata[k], t) == 0;
                if (!ok && missed++ < 5)
                        g_test_message("not found: %s", t);
        }
        g_rand_free(rand);
        g_assert_cmpuint(missed, ==, 0);
}

int
main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/reftoken/random-shape", test_random_shape);
        g_test_add_func("/reftoken/round-trip", test_round_trip);
        g_test_add_func("/reftoken/neighbours-unlike", test_neighbours_unlike);
        g_test_add_func("/reftoken/errors-caught", test_errors_caught);
        g_test_add_func("/reftoken/parse-forgiving", test_parse_forgiving);
        g_test_add_func("/reftoken/find", test_find);
        g_test_add_func("/reftoken/ocr-damage", test_ocr_damage);
        g_test_add_func("/reftoken/find-inside-longer-run", test_find_inside_longer_run);
        g_test_add_func("/reftoken/random-text", test_random_text_rarely_matches);
        g_test_add_func("/reftoken/ocr-reads-back", test_ocr_reads_back);
        g_test_add_func("/reftoken/every-random-found", test_every_random_found);
        return g_test_run();
}
