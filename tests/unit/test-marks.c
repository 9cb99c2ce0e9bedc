/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Marks on a form that OCR drops or garbles: drawn and printed boxes,
 * ticked or not, and a ring drawn round a word, on pages drawn with cairo
 * in several fonts and sizes, at fine resolution and as a standard fax.
 * What the reader must get: the ticked option and only that one marked
 * "☒", the ringed word as "(word)", a stamp's word, however little it is
 * turned and whatever print it was pressed over, and no mark made of a
 * square letter (bold R, B, M, D), a table cell or a printed bracket. */
#include <cairo.h>
#include <leptonica/allheaders.h>
#include <string.h>

#include "ocr/marks-private.h"
#include "ocr/ocr-engine.h"
#include "surface-pix.h"

static RdOcrEngine *engine;

typedef struct {
        const char *font;
        double size;      /* pixels at 200 dpi */
        gboolean fax;     /* sent as a standard-resolution fax */
        int ticked;       /* which urgency option carries the tick */
        int ringed;       /* which service option carries the ring */
        gboolean check;   /* a check mark rather than an X */
        double stamp;     /* degrees a framed "URGENT" stamp is turned by; 0: none */
        gboolean over;    /* the stamp pressed over a line of print */
        gboolean glyphs;  /* urgency boxes printed as the font's ballot boxes */
        double askew;     /* pixels the rule across the stamp climbs over the page */
        gboolean wrapped; /* the ringed option wrapped onto a line of its own */
        gboolean crowded; /* a table's column rule crosses the stamp, and its
                           * frame touches its last letter: the frame's
                           * inside comes apart in pieces */
} MarkCase;

static const char *const urgency[] = { "Routine", "Urgent", "STAT" };
static const char *const services[] = { "General", "Electrophysiology", "Interventional" };

/* Returns: a white page @w x @h pixels to draw on in black, its
 * surface in *@ret_s. */
static cairo_t *
blank_page(int w, int h, cairo_surface_t **ret_s)
{
        cairo_t *cr;

        *ret_s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        cr = cairo_create(*ret_s);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        return cr;
}

static double
show(cairo_t *cr, double x, double y, const char *text, gboolean bold, const MarkCase *c)
{
        cairo_text_extents_t ext;

        cairo_select_font_face(cr, c->font, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, c->size);
        cairo_move_to(cr, x, y);
        cairo_show_text(cr, text);
        cairo_text_extents(cr, text, &ext);
        return x + ext.x_advance;
}

/* A box drawn before an option, its bottom on the baseline. */
static double
draw_box(cairo_t *cr, double x, double y, gboolean ticked, const MarkCase *c)
{
        double side = c->size * 0.72;

        cairo_set_line_width(cr, MAX(1.5, c->size / 16));
        cairo_rectangle(cr, x, y - side, side, side);
        cairo_stroke(cr);
        if (ticked) {
                cairo_set_line_width(cr, MAX(2.0, c->size / 12));
                if (c->check) {
                        cairo_move_to(cr, x + side * 0.2, y - side * 0.5);
                        cairo_line_to(cr, x + side * 0.42, y - side * 0.2);
                        cairo_line_to(cr, x + side * 0.85, y - side * 0.85);
                } else {
                        cairo_move_to(cr, x + side * 0.15, y - side * 0.15);
                        cairo_line_to(cr, x + side * 0.85, y - side * 0.85);
                        cairo_move_to(cr, x + side * 0.15, y - side * 0.85);
                        cairo_line_to(cr, x + side * 0.85, y - side * 0.15);
                }
                cairo_stroke(cr);
        }
        return x + side + c->size * 0.4;
}

/* Returns: (transfer full) @pix (consumed) as a standard-resolution fax
 * sends it: two-tone, every other row, tagged 204x98 dpi. */
static PIX *
as_fax(PIX *pix)
{
        PIX *bin = pixConvertTo1(pix, 160);
        PIX *half = pixScale(bin, 1.0, 0.5);

        pixDestroy(&bin);
        pixDestroy(&pix);
        pixSetResolution(half, 204, 98);
        return half;
}

static PIX *
draw_form(const MarkCase *c)
{
        const int w = 1700, h = 1400;
        cairo_surface_t *s;
        cairo_t *cr = blank_page(w, h, &s);
        PIX *pix;
        double x, y = 160, line = c->size * 2.6;

        /* square capitals in bold, with no mark anywhere */
        show(cr, 160, y, "REFERRAL REPORT - BOARD DEPARTMENT", TRUE, c);
        y += line;
        x = show(cr, 160, y, "MRN: BM-44021   Dept: Medicine   Room: D-12", FALSE, c);
        y += line;

        /* urgency: drawn boxes or the font's ballot boxes, one ticked,
         * after a bold label whose letters are square */
        x = show(cr, 160, y, "Priority - Appointment:", TRUE, c) + c->size;
        for (int k = 0; k < 3; k++) {
                if (c->glyphs)
                        x = show(cr, x, y, k == c->ticked ? "\u2612 " : "\u2610 ", FALSE, c);
                else
                        x = draw_box(cr, x, y, k == c->ticked, c);
                x = show(cr, x, y, urgency[k], FALSE, c) + c->size * 1.2;
        }
        y += line;

        /* service: a ring round one option, on the row or wrapped below it */
        x = show(cr, 160, y, "Service:", TRUE, c) + c->size;
        for (int k = 0; k < 3; k++) {
                double start, end;

                if (c->wrapped && k == c->ringed)
                        continue;
                start = x;
                end = show(cr, x, y, services[k], FALSE, c);

                if (k == c->ringed) {
                        double cx = (start + end) / 2, cy = y - c->size * 0.35;
                        double rx = (end - start) / 2 + c->size * 0.45, ry = c->size * 0.85;

                        cairo_save(cr);
                        cairo_translate(cr, cx, cy);
                        cairo_scale(cr, rx, ry);
                        cairo_arc(cr, 0, 0, 1, 0, 2 * G_PI);
                        cairo_restore(cr);
                        cairo_set_line_width(cr, MAX(1.5, c->size / 16));
                        cairo_stroke(cr);
                }
                x = end + c->size * 1.4;
        }
        if (c->wrapped) {
                double start = 160 + c->size * 0.6, end;
                double cx, cy;

                y += line * 0.8;
                end = show(cr, start, y, services[c->ringed], FALSE, c);
                cx = (start + end) / 2;
                cy = y - c->size * 0.35;
                cairo_save(cr);
                cairo_translate(cr, cx, cy);
                cairo_scale(cr, (end - start) / 2 + c->size * 0.45, c->size * 0.85);
                cairo_arc(cr, 0, 0, 1, 0, 2 * G_PI);
                cairo_restore(cr);
                cairo_set_line_width(cr, MAX(2.5, c->size / 10));
                cairo_stroke(cr);
        }
        y += line;

        /* boxes printed as characters of the font */
        x = show(cr, 160, y, "Enclosed:", TRUE, c) + c->size;
        {
                /* the ballot box characters of a font that has them */
                MarkCase sans = *c;

                sans.font = "DejaVu Sans";
                x = show(cr, x, y, c->ticked == 0 ? "\u2610 Labs   \u2612 Echo" : "\u2612 Labs   \u2610 Echo",
                         FALSE, &sans);
        }
        y += line;

        /* printed brackets and a table cell are no marks */
        show(cr, 160, y, "Notes (see page 2) [internal use] Follow-up in 2 weeks", FALSE, c);
        y += line * 1.2;
        cairo_set_line_width(cr, 2);
        cairo_rectangle(cr, 150, y - c->size * 1.4, 500, c->size * 2.2);
        cairo_rectangle(cr, 650, y - c->size * 1.4, 700, c->size * 2.2);
        cairo_stroke(cr);
        show(cr, 170, y, "Referring clinic", TRUE, c);
        show(cr, 670, y, "Riverbend Medical Group", FALSE, c);

        /* a stamp pressed on at a slant, over the form's rules: one
         * across the page, and a table's that end under the stamp */
        if (c->stamp != 0) {
                cairo_move_to(cr, 100, 1000);
                cairo_line_to(cr, 1600, 1000 - c->askew);
                for (int r = 0; r < 2; r++) {
                        cairo_move_to(cr, 100, 972 + 60 * r);
                        cairo_line_to(cr, 1010, 972 + 60 * r);
                }
                cairo_set_line_width(cr, 2);
                cairo_stroke(cr);
                /* print the stamp's frame crosses, half in it */
                if (c->over)
                        show(cr, 560, 950, "Reason: chest pain on exertion, evaluate", FALSE, c);
                cairo_save(cr);
                cairo_translate(cr, 900, 1020);
                cairo_rotate(cr, -c->stamp * G_PI / 180);
                cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
                cairo_set_font_size(cr, 70);
                {
                        cairo_text_extents_t ext;

                        cairo_text_extents(cr, "URGENT", &ext);
                        cairo_set_line_width(cr, 6);
                        cairo_rectangle(cr, -20, -75, (c->crowded ? ext.x_bearing + ext.width + 3 : ext.x_advance + 20) + 20, 100);
                        cairo_stroke(cr);
                        if (c->crowded) {
                                cairo_set_line_width(cr, 3);
                                cairo_move_to(cr, ext.x_advance * 0.55, -95);
                                cairo_line_to(cr, ext.x_advance * 0.55, 45);
                                cairo_stroke(cr);
                        }
                }
                cairo_move_to(cr, 0, 0);
                cairo_show_text(cr, "URGENT");
                cairo_restore(cr);
        }

        cairo_destroy(cr);
        pix = rd_test_surface_to_gray(s, 200, 200);
        if (c->fax)
                pix = as_fax(pix);
        return pix;
}

static char *
line_with(const char *text, const char *word)
{
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

        for (guint i = 0; lines[i]; i++)
                if (strstr(lines[i], word))
                        return g_strdup(lines[i]);
        return NULL;
}

/* The line of @text that holds "Priority" carries "☒" before @option,
 * and no other tick. */
static void
assert_one_tick(const char *text, const char *option)
{
        g_autofree char *row = line_with(text, "Priority");
        g_autofree char *want = g_strdup_printf("\u2612 %s", option);

        g_assert_nonnull(row);
        g_assert_nonnull(strstr(row, want));
        g_assert_null(strstr(strstr(row, "\u2612") + 1, "\u2612"));
}

static void
test_marks(gconstpointer data)
{
        const MarkCase *c = data;
        PIX *pix = draw_form(c);
        RdOcrResult res;
        g_autoptr(GError) error = NULL;
        g_autofree char *service = NULL, *want_ring = NULL;

        g_assert_true(rd_ocr_engine_read(engine, pix, 0, &res, &error));
        g_assert_no_error(error);
        g_test_message("%s", res.text);

        assert_one_tick(res.text, urgency[c->ticked]);

        service = line_with(res.text, "Service");
        g_assert_nonnull(service);
        /* a letter the ring touches may come out damaged: the word's
         * front is what must follow the ring's mark */
        want_ring = g_strdup_printf("(%.8s", services[c->ringed]);
        if (c->wrapped) {
                /* on the line after the row's, where the form prints it */
                const char *after = strchr(strstr(res.text, service), '\n');

                g_assert_nonnull(after);
                g_assert_true(g_str_has_prefix(g_strchug((char *)after + 1), want_ring));
        } else {
                g_assert_nonnull(strstr(service, want_ring));
        }
        g_assert_null(strstr(service, "\u2612"));

        {
                g_autofree char *enclosed = line_with(res.text, "Enclosed");

                g_assert_nonnull(enclosed);
                g_assert_nonnull(strstr(enclosed, c->ticked == 0 ? "\u2612 Echo" : "\u2612 Labs"));
                g_assert_null(strstr(enclosed, c->ticked == 0 ? "\u2612 Labs" : "\u2612 Echo"));
        }

        /* a slanted stamp's word on a line of its own; none where none is */
        {
                g_auto(GStrv) lines = g_strsplit(res.text, "\n", -1);
                gboolean stamp = FALSE;

                for (guint i = 0; lines[i]; i++)
                        stamp = stamp || strcmp(g_strstrip(lines[i]), "URGENT") == 0;
                g_assert_true(stamp == (c->stamp != 0));
        }

        /* nothing else on the page is a mark */
        {
                g_auto(GStrv) lines = g_strsplit(res.text, "\n", -1);

                for (guint i = 0; lines[i]; i++) {
                        if (strstr(lines[i], "Priority") || strstr(lines[i], "Service") ||
                            strstr(lines[i], "Enclosed"))
                                continue;
                        g_assert_null(strstr(lines[i], "\u2612"));
                        g_assert_null(strstr(lines[i], "\u2610"));
                }
        }
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
}

/* A list of enclosures with several boxes ticked, as a form has them:
 * each ticked box reads "☒" before its word, the one left empty does not,
 * though no box of the row is clean but that one.  The X of a drawn box
 * runs corner to corner, which OCR reads as letters glued to the word
 * ("KJEKG"). */
typedef struct {
        const char *font;
        double size;
        gboolean fax;
        int empty; /* which box is left empty */
} ListCase;

static const char *const enclosed[] = { "EKG", "Labs", "Echo", "Office notes" };

static void
test_enclosure_list(gconstpointer data)
{
        const ListCase *lc = data;
        MarkCase c = { lc->font, lc->size, lc->fax };
        cairo_surface_t *s;
        cairo_t *cr = blank_page(1700, 700, &s);
        g_autoptr(GError) error = NULL;
        g_autofree char *row = NULL;
        double x, y = 160, side = lc->size * 0.8;
        RdOcrResult res;
        PIX *pix;

        show(cr, 160, y, "Referral Reason: Preoperative cardiac evaluation", FALSE, &c);
        y += lc->size * 2;
        show(cr, 160, y, "Diagnosis: R00.2, R94.31, I10", FALSE, &c);
        y += lc->size * 2;
        x = show(cr, 160, y, "Records enclosed:", TRUE, &c) + lc->size * 0.6;
        for (int k = 0; k < (int)G_N_ELEMENTS(enclosed); k++) {
                cairo_set_line_width(cr, MAX(1.5, lc->size / 16));
                cairo_rectangle(cr, x, y - side, side, side);
                if (k != lc->empty) {
                        cairo_move_to(cr, x, y - side);
                        cairo_line_to(cr, x + side, y);
                        cairo_move_to(cr, x, y);
                        cairo_line_to(cr, x + side, y - side);
                }
                cairo_stroke(cr);
                x = show(cr, x + side + lc->size * 0.4, y, enclosed[k], FALSE, &c) + lc->size;
        }
        y += lc->size * 2;
        show(cr, 160, y, "Comment: ECG to be obtained at next visit", FALSE, &c);
        cairo_destroy(cr);
        pix = rd_test_surface_to_gray(s, 200, 200);
        if (lc->fax)
                pix = as_fax(pix);
        g_assert_true(rd_ocr_engine_read(engine, pix, 0, &res, &error));
        g_assert_no_error(error);
        g_test_message("%s", res.text);
        row = line_with(res.text, "enclosed");
        g_assert_nonnull(row);
        /* the marks in the row's order, whatever OCR made of the words */
        {
                GString *want = g_string_new(NULL), *got = g_string_new(NULL);

                for (int k = 0; k < (int)G_N_ELEMENTS(enclosed); k++)
                        g_string_append(want, k == lc->empty ? "\u2610" : "\u2612");
                for (const char *p = row; *p; p = g_utf8_next_char(p)) {
                        gunichar u = g_utf8_get_char(p);

                        if (u == 0x2610 || u == 0x2612)
                                g_string_append_unichar(got, u);
                }
                g_assert_cmpstr(got->str, ==, want->str);
                g_string_free(want, TRUE);
                g_string_free(got, TRUE);
        }
        /* and the first ticked item's word whole after its mark */
        {
                int k = lc->empty == 0 ? 1 : 0;
                g_autofree char *ticked = g_ascii_strdown(enclosed[k], -1);
                g_autofree char *want = g_strdup_printf("\u2612 %s", ticked);
                g_autofree char *lower = g_ascii_strdown(row, -1);

                g_assert_nonnull(strstr(lower, want));
        }
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
}

/* A stamp's word OCR read among the line of print it lies on, with no
 * frame the stamp finder knows, comes out on a line of its own too; a
 * title in large print does not. */
static void
test_big_word(gconstpointer data)
{
        gboolean fax = GPOINTER_TO_INT(data);
        MarkCase c = { "DejaVu Sans", 26, fax };
        cairo_surface_t *s;
        cairo_t *cr = blank_page(1700, 1000, &s);
        g_autoptr(GError) error = NULL;
        static const char *const body[] = { "Patient: Doe, Jane   DOB: 05/06/1950", "Phone: 555-611-9122",
                                            "Patient ID: E4667410   Visit date: 23-Jul-2027",
                                            "Referring provider: Dr. Lee   NPI 2459591634",
                                            "Reason for consult: HFrEF, recurrent admissions",
                                            "Diagnoses: I50.22 chronic systolic heart failure" };
        double x, y = 150;
        RdOcrResult res;
        gboolean stamp = FALSE, title = FALSE;
        PIX *pix;

        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, 40);
        cairo_move_to(cr, 160, y);
        cairo_show_text(cr, "Referral Authorization");
        y += 80;
        for (gsize i = 0; i < G_N_ELEMENTS(body); i++) {
                x = show(cr, 160, y, body[i], FALSE, &c);
                if (i == 2) {
                        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
                        cairo_set_font_size(cr, 80);
                        cairo_move_to(cr, x + 60, y + 10);
                        cairo_show_text(cr, "STAT");
                }
                y += 60;
        }
        cairo_destroy(cr);
        pix = rd_test_surface_to_gray(s, 200, 200);
        if (fax)
                pix = as_fax(pix);
        g_assert_true(rd_ocr_engine_read(engine, pix, 0, &res, &error));
        g_assert_no_error(error);
        g_test_message("%s", res.text);
        {
                g_auto(GStrv) lines = g_strsplit(res.text, "\n", -1);

                for (guint i = 0; lines[i]; i++) {
                        g_strstrip(lines[i]);
                        stamp = stamp || strcmp(lines[i], "STAT") == 0;
                        title = title || strcmp(lines[i], "Referral") == 0 || strcmp(lines[i], "Authorization") == 0;
                }
        }
        g_assert_true(stamp);
        g_assert_false(title);
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
}

/* A stamp pressed at a slant over several rows of a form's print, which
 * notch its frame's inside: its word comes out on a line of its own. (A
 * guard: the inside these rows leave still fills its rectangle as a
 * frame's does. Deeper notches, which seed 5281's faxes showed and the
 * looser reading of a frame with big letters in it is for, were not
 * drawn here: heavier print spoils the letters too.) */
static void
test_stamp_over_rows(gconstpointer data)
{
        gboolean fax = GPOINTER_TO_INT(data);
        static const char *const rows[] = { "Practice: Granite Falls Family Practice", "Ph: (312) 620-8008",
                                            "Clinic: General Cardiology   Heart Failure   Interventional",
                                            "Reason for referral: new cardiomyopathy" };
        static const double turns[] = { 9, -13 };

        for (gsize t = 0; t < G_N_ELEMENTS(turns); t++) {
                cairo_surface_t *s;
                cairo_t *cr = blank_page(1700, 900, &s);
                MarkCase c = { "DejaVu Sans", 30, fax };
                g_autoptr(GError) error = NULL;
                gboolean stamp = FALSE;
                RdOcrResult res;
                PIX *pix;

                show(cr, 160, 120, "Specialist Referral - Cardiology", TRUE, &c);
                for (gsize r = 0; r < G_N_ELEMENTS(rows); r++)
                        show(cr, 160 + (r % 2) * 500, 300 + 52 * r, rows[r], r % 2 == 0, &c);
                cairo_save(cr);
                cairo_translate(cr, 760, 420);
                cairo_rotate(cr, -turns[t] * G_PI / 180);
                cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
                cairo_set_font_size(cr, 90);
                {
                        cairo_text_extents_t ext;

                        cairo_text_extents(cr, "STAT", &ext);
                        cairo_set_line_width(cr, 7);
                        cairo_rectangle(cr, -22, -92, ext.x_advance + 44, 116);
                        cairo_stroke(cr);
                }
                cairo_move_to(cr, 0, 0);
                cairo_show_text(cr, "STAT");
                cairo_restore(cr);
                cairo_destroy(cr);
                pix = rd_test_surface_to_gray(s, 200, 200);
                if (fax)
                        pix = as_fax(pix);
                g_assert_true(rd_ocr_engine_read(engine, pix, 0, &res, &error));
                g_assert_no_error(error);
                {
                        g_auto(GStrv) lines = g_strsplit(res.text, "\n", -1);

                        for (guint i = 0; lines[i]; i++)
                                stamp = stamp || strcmp(g_strstrip(lines[i]), "STAT") == 0;
                }
                if (!stamp)
                        g_test_message("turned %.0f: %s", turns[t], res.text);
                g_assert_true(stamp);
                rd_ocr_result_clear(&res);
                pixDestroy(&pix);
        }
}

/* A row of boxes as a standard-resolution fax damages it, one ticked: a
 * streak the scanner drew joins the ticked box to the print beside it
 * (and another runs through an empty box's middle), a check mark's arm
 * leaves the box over its top, or the fax drops pieces of the ticked
 * box's sides.  The tick is read before its option, and only there. */
typedef enum {
        DAMAGE_STREAK = 1 << 0,  /* a slanted streak touches the ticked box's bottom */
        DAMAGE_CROSSED = 1 << 1, /* a level streak runs through an empty box */
        DAMAGE_ARM = 1 << 2,     /* the check mark's arm leaves the box */
        DAMAGE_DROPS = 1 << 3,   /* the ticked box's sides have gaps */
} Damage;

typedef struct {
        const char *font;
        double size;
        int ticked;
        unsigned damage;
} DamageCase;

static void
test_fax_damage(gconstpointer data)
{
        const DamageCase *dc = data;
        MarkCase c = { dc->font, dc->size, TRUE };
        cairo_surface_t *s;
        cairo_t *cr = blank_page(1700, 700, &s);
        g_autoptr(GError) error = NULL;
        double x, y = 300, side = dc->size * 0.72, at[3];
        int crossed = (dc->ticked + 1) % 3;
        RdOcrResult res;
        PIX *pix;

        show(cr, 160, 160, "Referral Reason: Palpitations, evaluate for arrhythmia", FALSE, &c);
        x = show(cr, 160, y, "Priority:", TRUE, &c) + c.size;
        for (int k = 0; k < 3; k++) {
                at[k] = x;
                cairo_set_line_width(cr, MAX(1.5, c.size / 16));
                cairo_rectangle(cr, x, y - side, side, side);
                cairo_stroke(cr);
                if (k == dc->ticked) {
                        cairo_set_line_width(cr, MAX(2.0, c.size / 12));
                        cairo_move_to(cr, x + side * 0.2, y - side * 0.5);
                        cairo_line_to(cr, x + side * 0.42, y - side * 0.2);
                        cairo_line_to(cr, x + side * ((dc->damage & DAMAGE_ARM) ? 1.0 : 0.85),
                                      y - side * ((dc->damage & DAMAGE_ARM) ? 1.45 : 0.85));
                        cairo_stroke(cr);
                }
                x = show(cr, x + side + c.size * 0.4, y, urgency[k], FALSE, &c) + c.size * 1.6;
        }
        if (dc->damage & DAMAGE_STREAK) {
                /* climbing a few pixels across the page, as a scanner's
                 * streak does, through the ticked box's bottom side */
                cairo_set_line_width(cr, 3);
                cairo_move_to(cr, at[dc->ticked] - 260, y + 5);
                cairo_line_to(cr, at[dc->ticked] + side + 200, y - 3);
                cairo_stroke(cr);
        }
        if (dc->damage & DAMAGE_CROSSED) {
                /* from the white before it to just past its right side */
                cairo_set_line_width(cr, 3);
                cairo_move_to(cr, at[crossed] - c.size * 0.8, y - side / 2);
                cairo_line_to(cr, at[crossed] + side + 2, y - side / 2);
                cairo_stroke(cr);
        }
        if (dc->damage & DAMAGE_DROPS) {
                double bx = at[dc->ticked];

                /* a third of the top and of the left side gone */
                cairo_set_source_rgb(cr, 1, 1, 1);
                cairo_rectangle(cr, bx - 3, y - side * 0.8, 6, side * 0.15);
                cairo_rectangle(cr, bx - 3, y - side * 0.4, 6, side * 0.15);
                cairo_rectangle(cr, bx + side * 0.2, y - side - 3, side * 0.15, 6);
                cairo_rectangle(cr, bx + side * 0.6, y - side - 3, side * 0.15, 6);
                cairo_fill(cr);
                cairo_set_source_rgb(cr, 0, 0, 0);
        }
        show(cr, 160, y + 3 * c.size, "Comment: Holter monitor results to follow", FALSE, &c);
        cairo_destroy(cr);
        pix = as_fax(rd_test_surface_to_gray(s, 200, 200));
        g_assert_true(rd_ocr_engine_read(engine, pix, 0, &res, &error));
        g_assert_no_error(error);
        g_test_message("%s", res.text);
        assert_one_tick(res.text, urgency[dc->ticked]);
        rd_ocr_result_clear(&res);
        pixDestroy(&pix);
}

/* The urgency row drawn at 200 dpi, the ticked option's word left out
 * when @word is FALSE; standard fax resolution when @fax. */
static PIX *
draw_urgency_row(const MarkCase *c, gboolean word)
{
        cairo_surface_t *s;
        cairo_t *cr = blank_page(1700, 500, &s);
        double x, y = 260;
        PIX *pix;

        show(cr, 160, 140, "PROVIDER NPI: 2764426575   PH: +1 5552845486", FALSE, c);
        x = show(cr, 160, y, "URGENCY:", TRUE, c) + c->size * 0.6;
        for (int k = 0; k < 3; k++) {
                x = draw_box(cr, x, y, k == c->ticked, c);
                if (word || k != c->ticked)
                        show(cr, x, y, urgency[k], FALSE, c);
                x += c->size * 5.5;
        }
        show(cr, 160, y + 3 * c->size, "SERVICE: General Cardiology", TRUE, c);
        cairo_destroy(cr);
        pix = rd_test_surface_to_gray(s, 200, 200);
        if (c->fax) {
                /* as the reader gets a fax page: its rows doubled back to
                 * square pixels */
                PIX *fax = as_fax(pix), *square = pixScale(fax, 1.0, 2.0);

                pixDestroy(&fax);
                pixSetResolution(square, 204, 204);
                return square;
        }
        return pix;
}

/* A ticked option's word OCR left out of every line of the page, as it
 * does on a fax between two options it read: the marks read it on its
 * own, after its box. The page OCR reads is drawn without the word, the
 * one the marks look at with it. Read with the word, it is not read
 * twice. */
static void
test_dropped_word(gconstpointer data)
{
        const MarkCase *c = data;
        PIX *full = draw_urgency_row(c, TRUE);
        PIX *without = draw_urgency_row(c, FALSE);
        TessBaseAPI *api = TessBaseAPICreate();
        int ppi = pixGetXRes(full);

        g_assert_cmpint(TessBaseAPIInit3(api, NULL, "eng"), ==, 0);
        TessBaseAPISetVariable(api, "debug_file", "/dev/null");
        TessBaseAPISetPageSegMode(api, PSM_AUTO);
        for (int pass = 0; pass < 2; pass++) {
                PIX *read = pass == 0 ? without : full;
                char *text;
                g_autofree char *marked = NULL, *row = NULL, *want = NULL, *label = NULL;

                TessBaseAPISetImage2(api, read);
                TessBaseAPISetSourceResolution(api, ppi);
                g_assert_cmpint(TessBaseAPIRecognize(api, NULL), ==, 0);
                text = TessBaseAPIGetUTF8Text(api);
                marked = rd_marks_annotate(api, full, ppi, text);
                TessDeleteText(text);
                g_assert_nonnull(marked);
                g_test_message("%s", marked);
                row = line_with(marked, "URGENCY");
                want = g_strdup_printf("\u2612 %s", urgency[c->ticked]);
                g_assert_nonnull(row);
                g_assert_nonnull(strstr(row, want));
                /* once on the page */
                g_assert_null(strstr(strstr(marked, urgency[c->ticked]) + 1, urgency[c->ticked]));
                /* the label's square capitals are no box */
                label = line_with(marked, "PROVIDER");
                g_assert_true(label == NULL || strstr(label, "\u2612") == NULL);
                TessBaseAPIClear(api);
        }
        TessBaseAPIEnd(api);
        TessBaseAPIDelete(api);
        pixDestroy(&full);
        pixDestroy(&without);
}

int
main(int argc, char **argv)
{
        static const ListCase lists[] = {
                { "DejaVu Sans", 30, FALSE, 3 }, { "DejaVu Sans", 28, TRUE, 1 },
                { "DejaVu Serif", 26, TRUE, 0 }, { "DejaVu Sans Mono", 28, FALSE, 2 },
                { "DejaVu Sans Condensed", 24, TRUE, 3 },
        };
        static const MarkCase dropped[] = {
                { "DejaVu Serif", 24, FALSE, 1 },     { "DejaVu Serif", 26, TRUE, 1 },
                { "DejaVu Sans", 26, TRUE, 0 },       { "DejaVu Sans Mono", 26, FALSE, 2 },
        };
        static const DamageCase damaged[] = {
                { "DejaVu Sans", 26, 1, DAMAGE_STREAK },
                { "DejaVu Serif", 24, 2, DAMAGE_STREAK | DAMAGE_CROSSED },
                { "DejaVu Sans Mono", 26, 0, DAMAGE_STREAK },
                { "DejaVu Sans", 24, 2, DAMAGE_ARM },
                { "DejaVu Serif", 26, 1, DAMAGE_ARM | DAMAGE_CROSSED },
                { "DejaVu Sans", 26, 1, DAMAGE_DROPS },
                { "DejaVu Sans Mono", 24, 2, DAMAGE_DROPS },
                { "DejaVu Serif", 28, 0, DAMAGE_CROSSED },
        };
        static const MarkCase cases[] = {
                { "DejaVu Sans", 30, FALSE, 1, 0, FALSE, 15, FALSE, FALSE, 4 },
                { "DejaVu Serif", 26, FALSE, 2, 1, TRUE, 0 },
                { "DejaVu Sans Mono", 28, FALSE, 0, 2, FALSE, -12 },
                { "DejaVu Sans", 30, TRUE, 2, 1, TRUE, 0 },
                { "DejaVu Serif", 34, TRUE, 1, 2, FALSE, 20 },
                { "DejaVu Sans Mono", 30, TRUE, 0, 0, TRUE, 0 },
                { "DejaVu Serif", 28, FALSE, 0, 1, TRUE, 6 },
                { "DejaVu Sans", 30, FALSE, 1, 0, FALSE, 3, TRUE },
                { "DejaVu Sans", 30, TRUE, 1, 0, FALSE, -2 },
                { "DejaVu Serif", 28, FALSE, 2, 1, TRUE, 1.5 },
                { "DejaVu Sans Mono", 30, TRUE, 2, 1, TRUE, 2, TRUE },
                { "DejaVu Sans Mono", 25, FALSE, 2, 1, TRUE, 0, FALSE, TRUE },
                { "DejaVu Sans Mono", 24, FALSE, 1, 2, TRUE, 0, FALSE, TRUE },
                { "DejaVu Serif", 26, TRUE, 0, 2, TRUE, 0, FALSE, FALSE, 0, TRUE },
                { "DejaVu Sans", 28, TRUE, 1, 1, FALSE, 0, FALSE, FALSE, 0, TRUE },
                { "DejaVu Serif", 28, FALSE, 2, 0, TRUE, 0, FALSE, FALSE, 0, TRUE },
                { "DejaVu Sans", 30, FALSE, 1, 0, FALSE, 9, TRUE, FALSE, 0, FALSE, TRUE },
                { "DejaVu Serif", 28, TRUE, 0, 2, TRUE, -14, FALSE, FALSE, 0, FALSE, TRUE },
                { "DejaVu Sans Mono", 30, TRUE, 2, 1, FALSE, 4, TRUE, FALSE, 0, FALSE, TRUE },
                /* a level stamp (within half a degree) the page's rule runs
                 * through: its frame's inside comes in two */
                { "DejaVu Sans", 30, FALSE, 1, 0, FALSE, 0.3 },
                { "DejaVu Serif", 28, TRUE, 2, 1, TRUE, -0.3 },
                { "DejaVu Sans Mono", 26, FALSE, 0, 2, FALSE, 0.1, TRUE },
        };
        g_autoptr(GError) error = NULL;
        int rc;

        g_test_init(&argc, &argv, NULL);
        engine = rd_ocr_engine_new(&error);
        g_assert_no_error(error);
        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *path = g_strdup_printf("/marks/%s/%.0fpx/%s/stamp%g%s%s%s%s%s", cases[i].font,
                                                        cases[i].size, cases[i].fax ? "fax" : "fine",
                                                        cases[i].stamp, cases[i].over ? "-over-print" : "",
                                                        cases[i].glyphs ? "-glyph-boxes" : "",
                                                        cases[i].askew != 0 ? "-rule-askew" : "",
                                                        cases[i].wrapped ? "-ring-wrapped" : "",
                                                        cases[i].crowded ? "-crowded" : "");
                g_strdelimit(path + 1, " ", '-');
                g_test_add_data_func(path, &cases[i], test_marks);
        }
        for (gsize i = 0; i < G_N_ELEMENTS(lists); i++) {
                g_autofree char *path = g_strdup_printf("/marks/enclosure-list/%s/%.0fpx/%s", lists[i].font,
                                                        lists[i].size, lists[i].fax ? "fax" : "fine");

                g_strdelimit(path + 1, " ", '-');
                g_test_add_data_func(path, &lists[i], test_enclosure_list);
        }
        for (gsize i = 0; i < G_N_ELEMENTS(damaged); i++) {
                g_autofree char *path = g_strdup_printf("/marks/fax-damage/%s/%.0fpx/ticked%d%s%s%s%s", damaged[i].font,
                                                        damaged[i].size, damaged[i].ticked,
                                                        (damaged[i].damage & DAMAGE_STREAK) ? "-streak" : "",
                                                        (damaged[i].damage & DAMAGE_CROSSED) ? "-crossed" : "",
                                                        (damaged[i].damage & DAMAGE_ARM) ? "-arm" : "",
                                                        (damaged[i].damage & DAMAGE_DROPS) ? "-drops" : "");

                g_strdelimit(path + 1, " ", '-');
                g_test_add_data_func(path, &damaged[i], test_fax_damage);
        }
        for (gsize i = 0; i < G_N_ELEMENTS(dropped); i++) {
                g_autofree char *path = g_strdup_printf("/marks/dropped-word/%zu", i);

                g_test_add_data_func(path, &dropped[i], test_dropped_word);
        }
        g_test_add_data_func("/marks/big-word/fine", GINT_TO_POINTER(FALSE), test_big_word);
        g_test_add_data_func("/marks/big-word/fax", GINT_TO_POINTER(TRUE), test_big_word);
        g_test_add_data_func("/marks/stamp-over-rows/fine", GINT_TO_POINTER(FALSE), test_stamp_over_rows);
        g_test_add_data_func("/marks/stamp-over-rows/fax", GINT_TO_POINTER(TRUE), test_stamp_over_rows);
        rc = g_test_run();
        rd_ocr_engine_free(engine);
        return rc;
}
