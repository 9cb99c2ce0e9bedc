/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Marks that a form's reader sees and OCR drops: a ticked or empty box
 * before a word, a ring drawn around a word.  Tesseract reads a box glyph
 * as anything ("Ci", "=", "a" glued to the word) or as nothing, and a
 * ring as a stray bracket or "©"; the picture says plainly which option
 * carries ink.  A line with such a mark is written again with the mark in
 * a form the field readers know: "☒ Urgent", "☐ Routine", "(STAT)". */
#include <math.h>
#include <string.h>
#include <tesseract/capi.h>

#include "dropped.h"
#include "marks-private.h"
#include "marks.h"
#include "ocr-private.h"

/* One recognised symbol of a line, in image coordinates. */
typedef struct {
        char *text; /* owned */
        int x1, y1, x2, y2;
        gboolean word_start;
        float conf;        /* its word's confidence */
        gboolean drop;     /* part of a mark, not of a word */
        const char *before; /* static: a mark to write before this symbol's word */
        gboolean ring_open, ring_close;
} Sym;

typedef struct {
        TessBaseAPI *api; /* to read a ringed word OCR skipped */
        PIX *bin;
        int ppi;
        GPtrArray *lines; /* Line: every line OCR read on the page */
} Reader;

struct RdMarkLine {
        GArray *syms; /* Sym */
        char *text;   /* owned: the line as Tesseract gives it, with its "\n" */
        int x1, y1, x2, y2;
        const Reader *reader; /* NULL: a text layer, nothing to read again */
};
typedef RdMarkLine Line;

typedef struct {
        int x, y, w, h;
} Rect;

static void
sym_clear(gpointer p)
{
        g_free(((Sym *)p)->text);
}

void
rd_mark_line_free(RdMarkLine *p)
{
        if (p == NULL)
                return;
        g_array_unref(p->syms);
        g_free(p->text);
        g_free(p);
}

static gboolean
ink(PIX *bin, int x, int y)
{
        l_uint32 v = 0;

        if (x < 0 || y < 0 || x >= pixGetWidth(bin) || y >= pixGetHeight(bin))
                return FALSE;
        pixGetPixel(bin, x, y, &v);
        return v != 0;
}

/* Share of the columns of rows [y0, y0 + n) within [x0, x1) that hold ink
 * (or of the rows of columns when @vertical). */
static double
side_cover(PIX *bin, const Rect *r, gboolean vertical, gboolean far)
{
        int t = MAX(1, (vertical ? r->w : r->h) / 7);
        int len = vertical ? r->h : r->w, hit = 0;

        for (int i = 0; i < len; i++) {
                gboolean any = FALSE;

                for (int j = 0; j < t && !any; j++) {
                        int along = i, across = far ? (vertical ? r->w : r->h) - 1 - j : j;

                        any = vertical ? ink(bin, r->x + across, r->y + along)
                                       : ink(bin, r->x + along, r->y + across);
                }
                hit += any;
        }
        return len > 0 ? (double)hit / len : 0;
}

static gboolean
corner_inked(PIX *bin, const Rect *r, gboolean right, gboolean bottom)
{
        int c = MAX(2, MIN(r->w, r->h) / 6);

        for (int dy = 0; dy < c; dy++)
                for (int dx = 0; dx < c; dx++) {
                        int x = right ? r->x + r->w - 1 - dx : r->x + dx;
                        int y = bottom ? r->y + r->h - 1 - dy : r->y + dy;

                        if (ink(bin, x, y))
                                return TRUE;
                }
        return FALSE;
}

/* Share of [x, x + w) x [y, y + h) (page coordinates) inked on @pix,
 * whose top left corner lies at (@ox, @oy) of the page. */
static double
fill(PIX *pix, int ox, int oy, int x, int y, int w, int h)
{
        int n = 0;

        if (w <= 0 || h <= 0)
                return 0;
        for (int j = 0; j < h; j++)
                for (int i = 0; i < w; i++)
                        n += ink(pix, x + i - ox, y + j - oy);
        return (double)n / (w * h);
}

/* How far in from the outside the side of a box whose ink's bounding
 * box is @r lies, looking along rows (@vertical: columns) from the top
 * (@far: from the bottom), between rows @from and @to (columns): a check
 * mark's arm that leaves the box over its top, or a speck on a side,
 * moves the bounding box off the frame.  The side is a row ink runs along
 * most of, a quarter of the box in at most, and what lies outside it is
 * sparse; a letter's round edge is not, and keeps its bounding box. */
static int
side_inset(PIX *bin, const Rect *r, gboolean vertical, gboolean far, int from, int to)
{
        int len = vertical ? r->w : r->h;

        for (int k = 0; k <= len / 4; k++) {
                int at = far ? len - 1 - k : k;
                double c = vertical ? fill(bin, 0, 0, r->x + at, r->y + from, 1, to - from)
                                    : fill(bin, 0, 0, r->x + from, r->y + at, to - from, 1);

                if (c >= 0.75)
                        return k;
                if (c >= 0.25)
                        break;
        }
        return 0;
}

/* The frame of a box whose ink's bounding box is @r (see side_inset()). */
static Rect
box_frame(PIX *bin, const Rect *r)
{
        int top = side_inset(bin, r, FALSE, FALSE, 0, r->w), bottom = side_inset(bin, r, FALSE, TRUE, 0, r->w);
        int left = side_inset(bin, r, TRUE, FALSE, top, r->h - bottom);
        int right = side_inset(bin, r, TRUE, TRUE, top, r->h - bottom);
        Rect f = { r->x + left, r->y + top, r->w - left - right, r->h - top - bottom };

        return f;
}

/* How a box's outline is judged: by its ink's bounding box; by a frame
 * found inside that (box_frame()), whose four sides must all be whole;
 * or as a box the fax broke, beside a whole one of its size, of whose
 * every side half is enough. */
typedef enum { BOX_BOUNDS, BOX_FRAME, BOX_BROKEN } BoxTest;

/* A square outline (a printed or drawn box) at @r, judged as @test says:
 * ink along its sides and in all four corners, which no round letter
 * has.  Returns 1 for a box, with the share of its inside that carries
 * ink in @ret_inside; 0 for none.  The inside is measured on @clean,
 * whose corner lies at (@ox, @oy) of the page (@bin when NULL): the page
 * without the long strokes of a streak or a rule that ran through the
 * box. */
static int
box_kind(PIX *bin, PIX *clean, int ox, int oy, const Rect *r, BoxTest test, double *ret_inside)
{
        int in = MAX(3, MIN(r->w, r->h) / 3), full = 0;
        double inside, weakest = 1;

        if (clean == NULL) {
                clean = bin;
                ox = oy = 0;
        }
        inside = fill(clean, ox, oy, r->x + in, r->y + in, r->w - 2 * in, r->h - 2 * in);
        for (int s = 0; s < 4; s++) {
                double c = side_cover(bin, r, s >= 2, s & 1);

                full += c >= 0.75;
                weakest = MIN(weakest, c);
        }
        if (test == BOX_BROKEN ? weakest < 0.5 : test == BOX_FRAME ? full < 4 :
            /* a low-resolution fax loses a thin side of a box; a filled
             * box keeps its square shape */
            full < 3 || (full == 3 && (weakest < 0.25 || inside < 0.25 || r->w * 5 < r->h * 4 || r->h * 5 < r->w * 4)))
                return 0;
        if (!corner_inked(bin, r, FALSE, FALSE) || !corner_inked(bin, r, TRUE, FALSE) ||
            !corner_inked(bin, r, FALSE, TRUE) || !corner_inked(bin, r, TRUE, TRUE))
                return 0;
        *ret_inside = inside;
        return 1;
}

/* The text of @pix read as one line by @api at @ppi: its letters and
 * digits, words split by single spaces; NULL when fewer than @min. */
static char *
read_one_line(TessBaseAPI *api, PIX *pix, int ppi, gsize min)
{
        TessPageSegMode mode = TessBaseAPIGetPageSegMode(api);
        GString *word = g_string_new(NULL);
        char *got;

        TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
        TessBaseAPISetImage2(api, pix);
        TessBaseAPISetSourceResolution(api, ppi);
        got = TessBaseAPIGetUTF8Text(api);
        TessBaseAPISetPageSegMode(api, mode);
        for (const char *q = got; q != NULL && *q; q++)
                if (g_ascii_isalnum(*q) || (*q == ' ' && word->len > 0 && word->str[word->len - 1] != ' '))
                        g_string_append_c(word, *q);
        if (got != NULL)
                TessDeleteText(got);
        g_strchomp(word->str);
        word->len = strlen(word->str);
        return g_string_free(word, word->len < min);
}

static int
median_height(GArray *syms)
{
        g_autoptr(GArray) hs = g_array_new(FALSE, FALSE, sizeof(int));

        for (guint i = 0; i < syms->len; i++) {
                const Sym *s = &g_array_index(syms, Sym, i);

                if (s->text[0] != '\0' && g_ascii_isupper(s->text[0])) {
                        int h = s->y2 - s->y1;

                        g_array_append_val(hs, h);
                }
        }
        if (hs->len == 0)
                for (guint i = 0; i < syms->len; i++) {
                        const Sym *s = &g_array_index(syms, Sym, i);
                        int h = s->y2 - s->y1;

                        if (g_ascii_isalnum(s->text[0]))
                                g_array_append_val(hs, h);
                }
        if (hs->len == 0)
                return 0;
        return rd_ocr_median(hs);
}

static gboolean
is_alnum_sym(const Sym *s)
{
        return g_ascii_isalnum(s->text[0]);
}

/* Marks a box at @r (page coordinates) on @line: the symbols inside it are
 * the box as OCR read it; the word right after it carries the mark.
 * @word_x: where the next ink after the box begins on the line (the
 * picture's word), -1 when none is near.  OCR may read the box as letters
 * that run on past it ("☒ EKG" read "KJEKG", the J over the white between
 * them): what it read before that ink is the box's. */
static gboolean
place_box(Line *line, const Rect *r, int word_x, int kind, int h)
{
        int next = -1, gap = MAX(3, 3 * h / 10), right = r->x + r->w;

        if (word_x < 0)
                return FALSE;
        /* a box stands apart from the words on either side; a square
         * letter (a bold R, B or M) touches the next letter of its word */
        if (word_x - right < gap)
                return FALSE;
        for (guint i = 0; i < line->syms->len; i++) {
                Sym *s = &g_array_index(line->syms, Sym, i);

                /* a letter OCR read with a piece of the box in front
                 * of it still reaches well into the word */
                if (((s->x1 + s->x2) / 2 >= word_x || s->x2 >= word_x + h / 2) && is_alnum_sym(s)) {
                        next = (int)i;
                        break;
                }
        }
        /* the word OCR read there begins where the ink after the box
         * does: one further on is another's, this one left out */
        if (next < 0 || g_array_index(line->syms, Sym, next).x1 > word_x + h)
                return FALSE;
        for (guint i = 0; i < (guint)next; i++) {
                const Sym *s = &g_array_index(line->syms, Sym, i);
                int cx = (s->x1 + s->x2) / 2;
                gboolean over = cx >= r->x;

                if (!over && s->x2 > r->x - gap)
                        return FALSE;
                /* a text layer's own character there ("☒", "[X]") says
                 * what was printed better than its picture */
                if (over && line->reader == NULL)
                        return FALSE;
                /* what is dropped is a word or a word's front, never
                 * letters after others of their word ("Reaso|n|") */
                if (over && !s->word_start && i > 0) {
                        const Sym *before = &g_array_index(line->syms, Sym, i - 1);
                        int bx = (before->x1 + before->x2) / 2;

                        if (bx < r->x)
                                return FALSE;
                }
        }
        for (guint i = 0; i < (guint)next; i++) {
                Sym *s = &g_array_index(line->syms, Sym, i);

                if ((s->x1 + s->x2) / 2 >= r->x)
                        s->drop = TRUE;
        }
        g_array_index(line->syms, Sym, next).before = kind == 2 ? "\u2612" : "\u2610";
        return TRUE;
}

/* The word in @pix (1 bpp, cut from the page) read as one line at twice
 * its size, a word of fax resolution reads better so, in a white border
 * of @h (a letter's height) at that size; NULL when none. */
static char *
read_enlarged(const Reader *rd, PIX *pix, int h)
{
        g_autoptr(PIX) big = pixScaleBinary(pix, 2.0, 2.0);
        g_autoptr(PIX) framed = big != NULL ? pixAddBorder(big, 2 * h, 0) : NULL;

        return framed != NULL ? read_one_line(rd->api, framed, 2 * rd->ppi, 2) : NULL;
}

/* Orders rectangles by their left edge. */
static gint
rect_x_cmp(gconstpointer a, gconstpointer b)
{
        return ((const Rect *)a)->x - ((const Rect *)b)->x;
}

/* A box at @r on @line whose word, from @word_x on, OCR left out of
 * every line of the page (a fax's "☒ Urgent" between two options it
 * read): the word read on its own, set on @line after the box.  Its ink
 * is the pieces of @ink on the row round @mid (letters @h high) that
 * follow each other with less than a word's gap. */
static gboolean
place_dropped_word(Line *line, BOXA *ink, const Rect *r, int word_x, int kind, int h, int mid)
{
        const Reader *rd = line->reader;
        int end = word_x, x0, y0, w, hh;
        g_autofree char *word = NULL;
        Sym s = { 0 };
        guint pos = 0;

        if (rd == NULL || rd->api == NULL || rd->lines == NULL || word_x < 0)
                return FALSE;
        /* the word: the row's letter-sized pieces from @word_x on, in
         * order, while each begins within a letter's gap of the last */
        {
                g_autoptr(GArray) row = g_array_new(FALSE, FALSE, sizeof(Rect));

                for (int i = 0; i < boxaGetCount(ink); i++) {
                        Rect b;

                        boxaGetBoxGeometry(ink, i, &b.x, &b.y, &b.w, &b.h);
                        if (b.x >= word_x && 4 * b.h >= h && b.h <= 2 * h &&
                            ABS(b.y + b.h / 2 - mid) <= 3 * h / 4)
                                g_array_append_val(row, b);
                }
                g_array_sort(row, rect_x_cmp);
                for (guint i = 0; i < row->len; i++) {
                        const Rect *b = &g_array_index(row, Rect, i);

                        if (b->x > end + 3 * h / 5)
                                break;
                        end = MAX(end, b->x + b->w);
                }
        }
        if (end - word_x < h)
                return FALSE;
        /* a word OCR read on this line or another is theirs */
        for (guint i = 0; i < line->syms->len; i++) {
                const Sym *t = &g_array_index(line->syms, Sym, i);

                if (is_alnum_sym(t) && t->x1 < end && t->x2 > word_x)
                        return FALSE;
        }
        for (guint i = 0; i < rd->lines->len; i++) {
                const Line *o = g_ptr_array_index(rd->lines, i);

                if (o != line && o->syms->len > 0 && o->x1 < end && o->x2 > word_x && o->y1 < mid + h &&
                    o->y2 > mid - h)
                        return FALSE;
        }
        x0 = MAX(0, word_x - 2);
        y0 = MAX(0, mid - h);
        w = MIN(pixGetWidth(rd->bin), end + 2) - x0;
        hh = MIN(pixGetHeight(rd->bin), mid + h) - y0;
        {
                BOX *clip = boxCreate(x0, y0, w, hh);
                g_autoptr(PIX) piece = clip != NULL ? pixClipRectangle(rd->bin, clip, NULL) : NULL;

                boxDestroy(&clip);
                if (piece == NULL)
                        return FALSE;
                word = read_enlarged(rd, piece, h);
        }
        if (word == NULL)
                return FALSE;
        while (pos < line->syms->len && g_array_index(line->syms, Sym, pos).x1 < r->x)
                pos++;
        /* what OCR made of the box itself */
        for (; pos < line->syms->len && g_array_index(line->syms, Sym, pos).x1 < word_x; pos++)
                g_array_index(line->syms, Sym, pos).drop = TRUE;
        if (pos < line->syms->len)
                g_array_index(line->syms, Sym, pos).word_start = TRUE;
        s.text = g_steal_pointer(&word);
        s.word_start = TRUE;
        s.before = kind == 2 ? "\u2612" : "\u2610";
        s.x1 = word_x;
        s.x2 = end;
        s.y1 = mid - h / 2;
        s.y2 = mid + h / 2;
        g_array_insert_val(line->syms, pos, s);
        return TRUE;
}

/* The inside of a ring (@hole: the white it encloses, page coordinates)
 * read on its own, as one line: OCR reads a ringed word poorly or not at
 * all, its strokes touching the letters.  Everything outside the ellipse
 * the hole fills is whitened first.  NULL when no word is there. */
static char *
read_ring(const Reader *rd, const Rect *hole)
{
        /* the hole and a pixel more: the ring runs along its edge */
        int m = 1;
        int x0 = MAX(0, hole->x - m), y0 = MAX(0, hole->y - m);
        int w = rd != NULL ? MIN(pixGetWidth(rd->bin), hole->x + hole->w + m) - x0 : 0;
        int hh = rd != NULL ? MIN(pixGetHeight(rd->bin), hole->y + hole->h + m) - y0 : 0;
        BOX *clip = rd != NULL ? boxCreate(x0, y0, w, hh) : NULL;
        g_autoptr(PIX) inside = clip != NULL ? pixClipRectangle(rd->bin, clip, NULL) : NULL;
        g_autoptr(PIX) seed = NULL;
        g_autoptr(PIX) ring = NULL;
        double a = hole->w / 2.0, b = hole->h / 2.0;
        double ox = hole->x - x0, oy = hole->y - y0;

        boxDestroy(&clip);
        if (rd == NULL || rd->api == NULL || inside == NULL || w <= 2 || hh <= 2)
                return NULL;
        /* the ring is the ink that reaches the edge of this clip (with any
         * letter it touches); letters clear of it stay whole, and of the
         * ring's ink only what lies inside the ellipse of the hole stays */
        seed = pixCopy(NULL, inside);
        clip = boxCreate(1, 1, w - 2, hh - 2);
        if (seed == NULL || clip == NULL) {
                boxDestroy(&clip);
                return NULL;
        }
        pixClearInRect(seed, clip);
        boxDestroy(&clip);
        ring = pixSeedfillBinary(NULL, seed, inside, 8);
        if (ring == NULL)
                return NULL;
        for (int y = 0; y < hh; y++)
                for (int x = 0; x < w; x++) {
                        double dx = (x + 0.5 - ox - a) / a, dy = (y + 0.5 - oy - b) / b;
                        l_uint32 v = 0;

                        pixGetPixel(ring, x, y, &v);
                        if (v != 0 && dx * dx + dy * dy > 1.0)
                                pixSetPixel(inside, x, y, 0);
                }
        /* the specks a dotted ring leaves along its edge are no letters */
        {
                BOXA *specks = pixConnCompBB(inside, 8);

                for (int i = 0; specks != NULL && i < boxaGetCount(specks); i++) {
                        int sx, sy, sw, sh;
                        double dx, dy;

                        boxaGetBoxGeometry(specks, i, &sx, &sy, &sw, &sh);
                        dx = (sx + sw / 2.0 - ox - a) / a;
                        dy = (sy + sh / 2.0 - oy - b) / b;
                        /* small, or flat like a piece of the ring's arc */
                        if ((MAX(sw, sh) * 5 <= hole->h || sh * 6 <= hole->h) && dx * dx + dy * dy > 0.6) {
                                BOX *speck = boxCreate(sx, sy, sw, sh);

                                if (speck != NULL)
                                        pixClearInRect(inside, speck);
                                boxDestroy(&speck);
                        }
                }
                boxaDestroy(&specks);
        }
        return read_enlarged(rd, inside, hole->h);
}

/* Puts the ringed word read from @hole on @line in place of what OCR made
 * of the ring and its letters. */
static gboolean
place_ring(Line *line, const Rect *hole, int h)
{
        g_autofree char *word = NULL;
        int margin = MAX(2, h / 3), pos = -1, first = -1, last = -1;
        guint letters = 0;
        gboolean sure = TRUE;
        Sym s = { 0 };

        /* words OCR read inside the ring with confidence stand */
        for (guint i = 0; i < line->syms->len; i++) {
                const Sym *t = &g_array_index(line->syms, Sym, i);
                int cx = (t->x1 + t->x2) / 2;

                if (cx < hole->x || cx > hole->x + hole->w || !is_alnum_sym(t))
                        continue;
                if (first < 0)
                        first = (int)i;
                last = (int)i;
                letters++;
                sure = sure && t->conf >= 85;
        }
        if (first >= 0 && sure && letters >= 3 &&
            (g_array_index(line->syms, Sym, first).word_start ||
             (g_array_index(line->syms, Sym, first - 1).x1 + g_array_index(line->syms, Sym, first - 1).x2) / 2 <
                     hole->x) &&
            ((guint)last + 1 == line->syms->len || g_array_index(line->syms, Sym, last + 1).word_start)) {
                /* what OCR made of the ring's own strokes, either side */
                for (guint i = 0; i < line->syms->len; i++) {
                        Sym *t = &g_array_index(line->syms, Sym, i);
                        int cx = (t->x1 + t->x2) / 2;

                        if ((int)i < first || (int)i > last)
                                t->drop = t->drop || (cx >= hole->x - margin && cx <= hole->x + hole->w + margin);
                        else if (!is_alnum_sym(t) && (i == (guint)first || i == (guint)last))
                                t->drop = TRUE;
                }
                if (first > 0 && !g_array_index(line->syms, Sym, first).word_start)
                        g_array_index(line->syms, Sym, first).word_start = TRUE;
                g_array_index(line->syms, Sym, first).ring_open = TRUE;
                g_array_index(line->syms, Sym, last).ring_close = TRUE;
                return TRUE;
        }
        word = read_ring(line->reader, hole);
        if (word == NULL)
                return FALSE;
        for (guint i = 0; i < line->syms->len; i++) {
                Sym *t = &g_array_index(line->syms, Sym, i);
                int cx = (t->x1 + t->x2) / 2;

                if (cx >= hole->x - margin && cx <= hole->x + hole->w + margin) {
                        t->drop = TRUE;
                        if (pos < 0)
                                pos = (int)i;
                }
        }
        if (pos < 0) {
                pos = 0;
                while ((guint)pos < line->syms->len && g_array_index(line->syms, Sym, pos).x1 < hole->x)
                        pos++;
        }
        s.text = g_steal_pointer(&word);
        s.word_start = TRUE;
        s.ring_open = s.ring_close = TRUE;
        s.x1 = hole->x;
        s.x2 = hole->x + hole->w;
        s.y1 = hole->y;
        s.y2 = hole->y + hole->h;
        for (guint i = (guint)pos; i < line->syms->len; i++) {
                Sym *t = &g_array_index(line->syms, Sym, i);

                if (!t->drop) {
                        t->word_start = TRUE;
                        break;
                }
        }
        g_array_insert_val(line->syms, (guint)pos, s);
        return TRUE;
}

/* Is @hole (crop coordinates in @holes) the inside of a ring drawn round
 * a word on a line of letters @h high: wider than a letter, a line or
 * two high, and round, its corners outside it (a table cell's or a
 * frame's inside fills its corners)? */
static gboolean
is_ring_hole(PIX *holes, const Rect *r, int h)
{
        return 2 * r->w >= 3 * h && 5 * r->h >= 4 * h && r->h <= 3 * h &&
               !corner_inked(holes, r, FALSE, FALSE) && !corner_inked(holes, r, TRUE, FALSE) &&
               !corner_inked(holes, r, FALSE, TRUE) && !corner_inked(holes, r, TRUE, TRUE);
}

/* The middle of the line's letters, page y (Tesseract's line box also
 * takes in a ring or a stroke that touches the line). */
static int
middle_y(GArray *syms)
{
        g_autoptr(GArray) ys = g_array_new(FALSE, FALSE, sizeof(int));

        for (guint i = 0; i < syms->len; i++) {
                const Sym *s = &g_array_index(syms, Sym, i);
                int y = (s->y1 + s->y2) / 2;

                if (is_alnum_sym(s))
                        g_array_append_val(ys, y);
        }
        if (ys->len == 0)
                return -1;
        return rd_ocr_median(ys);
}

/* What a page's marks are found among, computed once a page: its ink
 * in 1 bpp, the white its strokes close (holes) and the bounding boxes
 * of both. */
struct RdMarkPage {
        PIX *bin;
        PIX *holes;
        BOXA *ink;
        BOXA *hole_boxes;
};

RdMarkPage *
rd_mark_page_new(PIX *bin)
{
        RdMarkPage *pm;

        g_return_val_if_fail(bin != NULL && pixGetDepth(bin) == 1, NULL);
        pm = g_new0(RdMarkPage, 1);
        pm->bin = pixClone(bin);
        pm->holes = pixHolesByFilling(bin, 4);
        pm->ink = pixConnCompBB(bin, 8);
        pm->hole_boxes = pm->holes != NULL ? pixConnCompBB(pm->holes, 4) : NULL;
        if (pm->holes == NULL || pm->ink == NULL || pm->hole_boxes == NULL) {
                rd_mark_page_free(pm);
                return NULL;
        }
        return pm;
}

void
rd_mark_page_free(RdMarkPage *pm)
{
        if (pm == NULL)
                return;
        pixDestroy(&pm->bin);
        pixDestroy(&pm->holes);
        boxaDestroy(&pm->ink);
        boxaDestroy(&pm->hole_boxes);
        g_free(pm);
}

/* The inside of the ring whose hole is @i of @pm's holes, on a line
 * of letters @h high: a letter that touches the ring above and below
 * cuts a sliver off its inside, and the inside is all of them. */
static Rect
ring_inside(const RdMarkPage *pm, int i, int h)
{
        Rect r, ring;

        boxaGetBoxGeometry(pm->hole_boxes, i, &r.x, &r.y, &r.w, &r.h);
        ring = r;
        for (int j = 0; j < boxaGetCount(pm->hole_boxes); j++) {
                Rect o;

                boxaGetBoxGeometry(pm->hole_boxes, j, &o.x, &o.y, &o.w, &o.h);
                if (j == i || 3 * o.h < r.h || o.y + o.h / 2 < r.y || o.y + o.h / 2 > r.y + r.h ||
                    o.x + o.w < r.x - 2 * h || o.x > r.x + r.w + 2 * h)
                        continue;
                ring.w = MAX(ring.x + ring.w, o.x + o.w) - MIN(ring.x, o.x);
                ring.x = MIN(ring.x, o.x);
                ring.h = MAX(ring.y + ring.h, o.y + o.h) - MIN(ring.y, o.y);
                ring.y = MIN(ring.y, o.y);
        }
        return ring;
}

/* Is @r (page coordinates) a letter inside a word OCR read on @line (a
 * bold "o" or "m" of a label is square, and inked inside)? A box stands
 * before its option: OCR reads it, if at all, as a word of its own or as
 * the first letters of the option's, never after a letter outside it. */
static gboolean
inside_word(const Line *line, const Rect *r)
{
        for (guint i = 1; i < line->syms->len; i++) {
                const Sym *s = &g_array_index(line->syms, Sym, i);
                const Sym *prev = &g_array_index(line->syms, Sym, i - 1);
                int cx = (s->x1 + s->x2) / 2;
                /* OCR's letter boxes are rough: one that covers most of
                 * @r counts as well as one centred on it */
                int over = MIN(s->x2, r->x + r->w) - MAX(s->x1, r->x);

                if (((cx >= r->x && cx <= r->x + r->w) || 2 * over >= r->w) && !s->word_start &&
                    is_alnum_sym(s) && is_alnum_sym(prev) && (prev->x1 + prev->x2) / 2 < r->x &&
                    prev->x1 < r->x)
                        return TRUE;
        }
        return FALSE;
}

/* Where the first ink right of the box @r on the line of letters @h high
 * round @mid begins: a piece of @ink (bounding boxes whose origin lies at
 * (@ox, @oy) of the page) at least a quarter of a letter high, within
 * four letters of the box; -1 when there is none. */
static int
ink_after(BOXA *ink, int ox, int oy, const Rect *r, int mid, int h)
{
        int best = -1, right = r->x + r->w;

        for (int i = 0; i < boxaGetCount(ink); i++) {
                int x, y, w, bh;

                boxaGetBoxGeometry(ink, i, &x, &y, &w, &bh);
                x += ox;
                y += oy;
                if (x < right || x > right + 4 * h || 4 * bh < h || ABS(y + bh / 2 - mid) > 3 * h / 4)
                        continue;
                if (best < 0 || x < best)
                        best = x;
        }
        return best;
}

/* A piece of ink on a line that has a box's size: a box, or one looked
 * at again beside the boxes that were. */
typedef struct {
        Rect bounds;      /* its ink's bounding box */
        Rect r;           /* its frame (box_frame()), or @bounds when that is the box */
        double inside;    /* the share of its inside inked (a box's) */
        gboolean cleaned; /* found on the line without its long strokes */
} Candidate;

static gboolean
rect_equal(const Rect *a, const Rect *b)
{
        return a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h;
}

/* Has @r the size of a box before an option on a line of letters @h
 * high? */
static gboolean
box_sized(const Rect *r, int h)
{
        return r->w >= h / 2 && r->h >= h / 2 && r->w <= 3 * h / 2 && r->h <= 3 * h / 2 && r->w * 20 >= r->h * 11 &&
               r->h * 20 >= r->w * 11;
}

/* Is the piece of ink @r a box before an option on @line (letters @h
 * high)? A box goes on @boxes, a piece of a box's size that is not one
 * on @failed.  @clean, with its corner at (@cx, @cy) of the page, is
 * what its inside is measured on (NULL: the page). */
static void
try_box(const RdMarkPage *pm, const Line *line, const Rect *r, int h, PIX *clean, int cx, int cy,
        GArray *boxes, GArray *failed)
{
        Candidate c = { *r, *r, 0, clean != NULL };

        /* a check mark's arm may leave the box by half a letter */
        if (r->w < h / 2 || r->h < h / 2 || r->w > 2 * h || r->h > 2 * h || inside_word(line, r))
                return;
        if (box_sized(r, h) && box_kind(pm->bin, clean, cx, cy, r, BOX_BOUNDS, &c.inside)) {
                g_array_append_val(boxes, c);
                return;
        }
        c.r = box_frame(pm->bin, r);
        if (!box_sized(&c.r, h))
                return;
        if (!rect_equal(&c.r, r) && box_kind(pm->bin, clean, cx, cy, &c.r, BOX_FRAME, &c.inside))
                g_array_append_val(boxes, c);
        else
                g_array_append_val(failed, c);
}

/* Returns: (transfer full) the ink of @bin in the rectangle (@x, @y, @w,
 * @h), clipped to the page, without its horizontal and vertical strokes
 * @len pixels long or longer: a fax's streak, a form's rule. */
static PIX *
without_long_strokes(PIX *bin, int x, int y, int w, int h, int len)
{
        BOX *box = boxCreate(MAX(0, x), MAX(0, y), w - (MAX(0, x) - x), h - (MAX(0, y) - y));
        PIX *clip = box != NULL ? pixClipRectangle(bin, box, NULL) : NULL;
        PIX *across = NULL, *down = NULL;

        boxDestroy(&box);
        if (clip == NULL)
                return NULL;
        across = pixOpenBrick(NULL, clip, len, 1);
        down = pixOpenBrick(NULL, clip, 1, len);
        if (across != NULL)
                pixSubtract(clip, clip, across);
        if (down != NULL)
                pixSubtract(clip, clip, down);
        pixDestroy(&across);
        pixDestroy(&down);
        return clip;
}

/* Looks for boxes and rings on @line; TRUE when one was placed. */
static gboolean
find_marks(const RdMarkPage *pm, Line *line)
{
        int h = median_height(line->syms), mid = middle_y(line->syms);
        int x0, x1;
        gboolean placed = FALSE;

        if (h < 6 || mid < 0)
                return FALSE;
        x0 = line->x1 - 3 * h;
        x1 = line->x2 + 20 * h;
        /* boxes: small squares of ink on the line */
        {
                g_autoptr(GArray) boxes = g_array_new(FALSE, FALSE, sizeof(Candidate));
                g_autoptr(GArray) failed = g_array_new(FALSE, FALSE, sizeof(Candidate));
                g_autoptr(PIX) clean = NULL;
                BOXA *pieces = NULL;
                int cx = 0, cy = 0;
                gboolean joined = FALSE;

                for (int i = 0; i < boxaGetCount(pm->ink); i++) {
                        Rect r;

                        boxaGetBoxGeometry(pm->ink, i, &r.x, &r.y, &r.w, &r.h);
                        /* a streak or a rule a box touches makes one
                         * piece of ink bigger than a box */
                        joined |= (r.w > 3 * h / 2 || r.h > 3 * h / 2) && r.x < x1 && r.x + r.w > x0 &&
                                  r.y < mid + 3 * h / 4 && r.y + r.h > mid - 3 * h / 4;
                        if (ABS(r.y + r.h / 2 - mid) > 3 * h / 4 || r.x < x0 || r.x + r.w > x1)
                                continue; /* another line's */
                        try_box(pm, line, &r, h, NULL, 0, 0, boxes, failed);
                }
                /* the row again without strokes longer than a box's side:
                 * the boxes such a stroke joined stand alone */
                if (joined && (clean = without_long_strokes(pm->bin, x0, mid - 2 * h, x1 - x0, 4 * h, 3 * h / 2 + 1)) != NULL) {
                        cx = MAX(0, x0);
                        cy = MAX(0, mid - 2 * h);
                        pieces = pixConnCompBB(clean, 8);
                }
                for (int i = 0; pieces != NULL && i < boxaGetCount(pieces); i++) {
                        Rect r;
                        gboolean seen = FALSE;
                        int g = MAX(1, h / 10);

                        boxaGetBoxGeometry(pieces, i, &r.x, &r.y, &r.w, &r.h);
                        r.x += cx;
                        r.y += cy;
                        if (ABS(r.y + r.h / 2 - mid) > 3 * h / 4 || r.x < x0 || r.x + r.w > x1)
                                continue;
                        /* a piece nothing touched was looked at already */
                        for (guint j = 0; j < boxes->len && !seen; j++)
                                seen = rect_equal(&g_array_index(boxes, Candidate, j).bounds, &r);
                        for (guint j = 0; j < failed->len && !seen; j++)
                                seen = rect_equal(&g_array_index(failed, Candidate, j).bounds, &r);
                        if (seen)
                                continue;
                        /* with the rows a stroke took off its sides back:
                         * box_frame() finds where they lie */
                        r.w = MIN(pixGetWidth(pm->bin), r.x + r.w + g) - MAX(0, r.x - g);
                        r.h = MIN(pixGetHeight(pm->bin), r.y + r.h + g) - MAX(0, r.y - g);
                        r.x = MAX(0, r.x - g);
                        r.y = MAX(0, r.y - g);
                        try_box(pm, line, &r, h, clean, cx, cy, boxes, failed);
                }
                /* a box the fax broke, beside a whole box of its size on
                 * the row */
                for (guint i = 0, whole = boxes->len; i < failed->len; i++) {
                        Candidate *c = &g_array_index(failed, Candidate, i);
                        gboolean sibling = FALSE;

                        for (guint j = 0; j < whole && !sibling; j++) {
                                const Rect *b = &g_array_index(boxes, Candidate, j).r;

                                sibling = ABS(b->w - c->r.w) <= MAX(2, b->w / 6) && ABS(b->h - c->r.h) <= MAX(2, b->h / 6) &&
                                          ABS((b->y + b->h / 2) - (c->r.y + c->r.h / 2)) <= MAX(2, h / 5);
                        }
                        if (sibling && box_kind(pm->bin, c->cleaned ? clean : NULL, cx, cy, &c->r, BOX_BROKEN, &c->inside))
                                g_array_append_val(boxes, *c);
                }
                /* ticked: inked inside, and plainly more than the row's
                 * cleanest other box (a damaged fax specks them all alike;
                 * a list of enclosures has several ticked); empty: nearly
                 * clean inside; anything between says nothing, and so does
                 * a row whose boxes are all inked alike */
                for (guint i = 0; i < boxes->len; i++) {
                        const Candidate *box = &g_array_index(boxes, Candidate, i);
                        double others = 1;
                        int kind = 0;

                        for (guint j = 0; j < boxes->len; j++)
                                if (j != i)
                                        others = MIN(others, g_array_index(boxes, Candidate, j).inside);
                        if (boxes->len == 1)
                                others = 0;
                        if (box->inside >= 0.20 && box->inside >= 1.6 * others + 0.05 &&
                            (boxes->len > 1 || box->inside >= 0.25))
                                kind = 2;
                        else if (box->inside <= 0.03)
                                kind = 1;
                        if (kind > 0) {
                                int word_x = box->cleaned ? ink_after(pieces, cx, cy, &box->r, mid, h)
                                                          : ink_after(pm->ink, 0, 0, &box->r, mid, h);

                                placed |= place_box(line, &box->r, word_x, kind, h) ||
                                          (!box->cleaned &&
                                           place_dropped_word(line, pm->ink, &box->r, word_x, kind, h, mid));
                        }
                }
                boxaDestroy(&pieces);
        }
        /* rings: the white a drawn ring closes round a word */
        for (int i = 0; i < boxaGetCount(pm->hole_boxes); i++) {
                Rect r;

                boxaGetBoxGeometry(pm->hole_boxes, i, &r.x, &r.y, &r.w, &r.h);
                if (ABS(r.y + r.h / 2 - mid) > 3 * h / 4 || r.x < x0 || r.x + r.w > x1 ||
                    !is_ring_hole(pm->holes, &r, h))
                        continue;
                {
                        Rect ring = ring_inside(pm, i, h);

                        placed |= place_ring(line, &ring, h);
                }
        }
        return placed;
}

/* The words ringed on the line below @line (of @lines) that OCR did not
 * read as a line at all: an option a row wrapped onto a line of its own,
 * the ring's strokes through every letter. Each as "(word)" on a line of
 * its own; NULL when there is none. */
static char *
rings_below(const RdMarkPage *pm, GPtrArray *lines, const Line *line)
{
        int h = median_height(line->syms);
        g_autoptr(GString) out = NULL;

        if (h < 6 || line->reader == NULL)
                return NULL;
        for (int i = 0; i < boxaGetCount(pm->hole_boxes); i++) {
                Rect r, ring;
                int mid;
                gboolean read = FALSE;
                g_autofree char *word = NULL;

                boxaGetBoxGeometry(pm->hole_boxes, i, &r.x, &r.y, &r.w, &r.h);
                mid = r.y + r.h / 2;
                if (mid <= line->y2 || mid > line->y2 + 5 * h / 2 || r.x < line->x1 - 3 * h ||
                    r.x + r.w > line->x2 + 20 * h || !is_ring_hole(pm->holes, &r, h))
                        continue;
                /* a line OCR did read there has its rings looked for */
                for (guint k = 0; k < lines->len && !read; k++) {
                        const Line *o = g_ptr_array_index(lines, k);

                        /* and one nearer above it claims it */
                        read = o->syms->len > 0 && o->x1 < r.x + r.w && r.x < o->x2 &&
                               ((mid >= o->y1 && mid <= o->y2) || (o->y1 > line->y1 && o->y2 < mid));
                }
                if (read)
                        continue;
                ring = ring_inside(pm, i, h);
                word = read_ring(line->reader, &ring);
                if (word == NULL)
                        continue;
                if (out == NULL)
                        out = g_string_new(NULL);
                g_string_append_printf(out, "(%s)\n", word);
        }
        return out != NULL ? g_string_free(g_steal_pointer(&out), FALSE) : NULL;
}

static char *
line_text(const Line *line)
{
        GString *out = g_string_new(NULL);
        gboolean pending_space = FALSE;

        for (guint i = 0; i < line->syms->len; i++) {
                const Sym *s = &g_array_index(line->syms, Sym, i);

                if (s->word_start && out->len > 0)
                        pending_space = TRUE;
                if (s->drop)
                        continue;
                if (pending_space) {
                        g_string_append_c(out, ' ');
                        pending_space = FALSE;
                }
                if (s->before != NULL)
                        g_string_append_printf(out, "%s ", s->before);
                if (s->ring_open)
                        g_string_append_c(out, '(');
                g_string_append(out, s->text);
                if (s->ring_close)
                        g_string_append_c(out, ')');
        }
        return g_string_free(out, FALSE);
}

static char *find_stamps(TessBaseAPI *api, const RdMarkPage *pm, int ppi);

static GPtrArray *
collect_lines(TessBaseAPI *api)
{
        GPtrArray *lines = g_ptr_array_new_with_free_func((GDestroyNotify)rd_mark_line_free);
        TessResultIterator *it = TessBaseAPIGetIterator(api);
        const TessPageIterator *pit;
        Line *cur = NULL;
        float word_conf = 0;

        if (it == NULL)
                return lines;
        pit = TessResultIteratorGetPageIterator(it);
        do {
                Sym s = { 0 };
                char *t;

                if (TessPageIteratorIsAtBeginningOf(pit, RIL_TEXTLINE) || cur == NULL) {
                        char *lt = TessResultIteratorGetUTF8Text(it, RIL_TEXTLINE);

                        cur = rd_mark_line_new();
                        g_free(cur->text);
                        cur->text = g_strdup(lt != NULL ? lt : "");
                        if (lt != NULL)
                                TessDeleteText(lt);
                        TessPageIteratorBoundingBox(pit, RIL_TEXTLINE, &cur->x1, &cur->y1, &cur->x2,
                                                    &cur->y2);
                        g_ptr_array_add(lines, cur);
                }
                t = TessResultIteratorGetUTF8Text(it, RIL_SYMBOL);
                if (t == NULL)
                        continue;
                s.text = g_strdup(t);
                TessDeleteText(t);
                s.word_start = TessPageIteratorIsAtBeginningOf(pit, RIL_WORD);
                if (s.word_start)
                        word_conf = TessResultIteratorConfidence(it, RIL_WORD);
                s.conf = word_conf;
                TessPageIteratorBoundingBox(pit, RIL_SYMBOL, &s.x1, &s.y1, &s.x2, &s.y2);
                g_array_append_val(cur->syms, s);
        } while (TessResultIteratorNext(it, RIL_SYMBOL));
        TessResultIteratorDelete(it);
        return lines;
}

/* The words of @lines set in letters far taller than the page's print,
 * each on a line: a stamp OCR read among the line it lies on ("MEMBER
 * ID: ZQP563869547 I STAT").  Letters a fifth of an inch tall (@ppi) or
 * more and over twice the page's usual height, three of them at least;
 * NULL when there is none. */
static char *
big_words(GPtrArray *lines, int ppi)
{
        g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(int));
        GString *out = NULL;
        int usual;

        for (guint i = 0; i < lines->len; i++) {
                const Line *line = g_ptr_array_index(lines, i);

                for (guint k = 0; k < line->syms->len; k++) {
                        const Sym *s = &g_array_index(line->syms, Sym, k);
                        int h = s->y2 - s->y1;

                        if (is_alnum_sym(s))
                                g_array_append_val(all, h);
                }
        }
        if (all->len < 40)
                return NULL;
        usual = rd_ocr_median(all);
        for (guint i = 0; i < lines->len; i++) {
                const Line *line = g_ptr_array_index(lines, i);
                g_autoptr(GString) word = g_string_new(NULL);
                gboolean big = TRUE;

                for (guint k = 0; k <= line->syms->len; k++) {
                        const Sym *s = k < line->syms->len ? &g_array_index(line->syms, Sym, k) : NULL;

                        if (s == NULL || s->word_start) {
                                if (big && word->len >= 3) {
                                        if (out == NULL)
                                                out = g_string_new(NULL);
                                        g_string_append_printf(out, "%s\n", word->str);
                                }
                                g_string_truncate(word, 0);
                                big = TRUE;
                        }
                        if (s == NULL)
                                break;
                        if (!is_alnum_sym(s))
                                continue;
                        big = big && s->y2 - s->y1 >= ppi / 5 && s->y2 - s->y1 > 2 * usual;
                        g_string_append(word, s->text);
                }
        }
        return out != NULL ? g_string_free(out, FALSE) : NULL;
}

/* @text with each of @blocks (top to bottom) put in before the first
 * of @lines (read from it) below the block's top; NULL when none. */
static char *
with_dropped(const char *text, GPtrArray *lines, GPtrArray *blocks)
{
        g_autofree gsize *at = NULL;
        GString *out;
        const char *cursor = text;
        gsize from = 0;

        if (blocks->len == 0)
                return NULL;
        /* where each line read starts in the text */
        at = g_new(gsize, lines->len + 1);
        for (guint i = 0; i < lines->len; i++) {
                const Line *line = g_ptr_array_index(lines, i);
                const char *p = line->text[0] != '\0' ? strstr(cursor, line->text) : NULL;

                at[i] = p != NULL ? (gsize)(p - text) : G_MAXSIZE;
                if (p != NULL)
                        cursor = p + strlen(line->text);
        }
        out = g_string_new(NULL);
        for (guint b = 0; b < blocks->len; b++) {
                const RdDroppedBlock *block = g_ptr_array_index(blocks, b);
                gsize to = strlen(text);

                for (guint i = 0; i < lines->len; i++) {
                        const Line *line = g_ptr_array_index(lines, i);

                        if (line->y1 >= block->y && at[i] != G_MAXSIZE && at[i] >= from) {
                                to = at[i];
                                break;
                        }
                }
                g_string_append_len(out, text + from, to - from);
                if (out->len > 0 && out->str[out->len - 1] != '\n')
                        g_string_append_c(out, '\n');
                g_string_append(out, block->text);
                if (!g_str_has_suffix(block->text, "\n"))
                        g_string_append_c(out, '\n');
                g_string_append_c(out, '\n');
                from = to;
        }
        g_string_append(out, text + from);
        return g_string_free(out, FALSE);
}

char *
rd_marks_annotate(TessBaseAPI *api, PIX *pix, int ppi, const char *text)
{
        Reader reader = { api, NULL, ppi, NULL };
        g_autoptr(RdMarkPage) pm = NULL;
        g_autofree char *stamps = NULL;
        g_autofree char *with = NULL;
        g_autofree char *big = NULL;
        g_autoptr(GPtrArray) lines = NULL;
        g_autoptr(PIX) bin = NULL;
        GString *out = NULL;
        const char *cursor = text;

        if (pixGetDepth(pix) != 1 && pixGetDepth(pix) != 8)
                return NULL;
        bin = pixGetDepth(pix) == 1 ? pixClone(pix) : pixConvertTo1(pix, 140);
        if (bin == NULL)
                return NULL;
        reader.bin = bin;
        pm = rd_mark_page_new(bin);
        if (pm == NULL)
                return NULL;
        lines = collect_lines(api);
        reader.lines = lines;
        big = big_words(lines, ppi);
        /* blocks the page's layout dropped, read again: first, as that
         * spends the results the lines came from */
        {
                BOXA *read = boxaCreate(lines->len);
                g_autoptr(GPtrArray) blocks = NULL;

                for (guint i = 0; read != NULL && i < lines->len; i++) {
                        const Line *line = g_ptr_array_index(lines, i);

                        if (line->syms->len > 0)
                                boxaAddBox(read, boxCreate(line->x1, line->y1, line->x2 - line->x1, line->y2 - line->y1),
                                           L_INSERT);
                }
                blocks = rd_dropped_blocks(api, bin, pm->ink, read, ppi);
                boxaDestroy(&read);
                with = with_dropped(text, lines, blocks);
                if (with != NULL)
                        cursor = text = with;
        }
        for (guint i = 0; i < lines->len; i++) {
                Line *line = g_ptr_array_index(lines, i);
                g_autofree char *again = NULL;
                const char *at;

                g_autofree char *below = NULL;
                gboolean marked;

                line->reader = &reader;
                if (line->syms->len == 0)
                        continue;
                marked = find_marks(pm, line);
                below = rings_below(pm, lines, line);
                if (!marked && below == NULL)
                        continue;
                at = line->text[0] != '\0' ? strstr(cursor, line->text) : NULL;
                if (at == NULL)
                        continue;
                if (out == NULL)
                        out = g_string_new(NULL);
                g_string_append_len(out, cursor, at - cursor);
                if (marked) {
                        again = line_text(line);
                        g_string_append(out, again);
                        g_string_append_c(out, '\n');
                } else {
                        g_string_append(out, line->text);
                        if (!g_str_has_suffix(line->text, "\n"))
                                g_string_append_c(out, '\n');
                }
                if (below != NULL)
                        g_string_append(out, below);
                cursor = at + strlen(line->text);
        }
        stamps = find_stamps(api, pm, ppi);
        if (big != NULL) {
                char *both = g_strconcat(stamps != NULL ? stamps : "", big, NULL);

                g_free(stamps);
                stamps = both;
        }
        if (out == NULL && stamps == NULL && with == NULL)
                return NULL;
        if (out == NULL)
                out = g_string_new(NULL);
        g_string_append(out, cursor);
        if (stamps != NULL)
                g_string_append_printf(out, "\n%s", stamps);
        return g_string_free(out, FALSE);
}

RdMarkLine *
rd_mark_line_new(void)
{
        RdMarkLine *line = g_new0(RdMarkLine, 1);

        line->syms = g_array_new(FALSE, TRUE, sizeof(Sym));
        g_array_set_clear_func(line->syms, sym_clear);
        line->text = g_strdup("");
        return line;
}

void
rd_mark_line_add(RdMarkLine *line, const char *text, int x1, int y1, int x2, int y2,
                 gboolean word_start)
{
        Sym s = { 0 };

        s.text = g_strdup(text);
        s.x1 = x1;
        s.y1 = y1;
        s.x2 = x2;
        s.y2 = y2;
        s.word_start = word_start || line->syms->len == 0;
        s.conf = 100; /* a text layer's characters are what was printed */
        if (line->syms->len == 0) {
                line->x1 = x1;
                line->y1 = y1;
                line->x2 = x2;
                line->y2 = y2;
        } else {
                line->x1 = MIN(line->x1, x1);
                line->y1 = MIN(line->y1, y1);
                line->x2 = MAX(line->x2, x2);
                line->y2 = MAX(line->y2, y2);
        }
        g_array_append_val(line->syms, s);
}

char *
rd_mark_line_rewrite(RdMarkLine *line, const RdMarkPage *page)
{
        g_return_val_if_fail(line != NULL && page != NULL, NULL);
        if (line->syms->len == 0 || !find_marks(page, line))
                return NULL;
        return line_text(line);
}

/* ---- stamps ----------------------------------------------------------- */

/* A stamp is a word in a frame pressed on at a slant ("URGENT" at 15
 * degrees, or at one): OCR, which reads lines level, skips it. The white
 * inside a slanted frame is a hole shaped like a turned rectangle: it
 * fills the smallest rectangle round it (a ring's inside leaves that
 * rectangle's corners empty), the rectangle is wider than high along
 * the writing, and it is turned by half a degree or more (a level frame,
 * a table cell, is read by OCR already, and is a stamp only round big
 * letters). */
typedef struct {
        int x, y;
} Pt;

/* The extents of @pts along the direction @angle turns from level
 * (counter-clockwise on screen, radians) and across it. */
static void
extents_at(const GArray *pts, double angle, double *u0, double *u1, double *v0, double *v1)
{
        double c = cos(angle), s = sin(angle);

        *u0 = *v0 = G_MAXDOUBLE;
        *u1 = *v1 = -G_MAXDOUBLE;
        for (guint i = 0; i < pts->len; i++) {
                const Pt *p = &g_array_index(pts, Pt, i);
                double u = p->x * c - p->y * s, v = p->x * s + p->y * c;

                *u0 = MIN(*u0, u);
                *u1 = MAX(*u1, u);
                *v0 = MIN(*v0, v);
                *v1 = MAX(*v1, v);
        }
}

/* Twice the signed area of the triangle @o @a @b: positive when @b is
 * counter-clockwise of @a seen from @o (y up). */
static long
cross(Pt o, Pt a, Pt b)
{
        return (long)(a.x - o.x) * (b.y - o.y) - (long)(a.y - o.y) * (b.x - o.x);
}

static int
pt_cmp(gconstpointer pa, gconstpointer pb)
{
        const Pt *a = pa, *b = pb;

        return a->x != b->x ? (a->x > b->x) - (a->x < b->x) : (a->y > b->y) - (a->y < b->y);
}

/* The convex hull of @pts (sorted in place), its area in @ret_area. */
static GArray *
convex_hull(GArray *pts, double *ret_area)
{
        GArray *hull = g_array_sized_new(FALSE, FALSE, sizeof(Pt), 2 * pts->len + 1);
        guint k = 0;
        double area = 0;

        g_array_sort(pts, pt_cmp);
        g_array_set_size(hull, 2 * pts->len + 1);
        for (guint i = 0; i < pts->len; i++) {
                Pt p = g_array_index(pts, Pt, i);

                while (k >= 2 && cross(g_array_index(hull, Pt, k - 2), g_array_index(hull, Pt, k - 1), p) <= 0)
                        k--;
                g_array_index(hull, Pt, k++) = p;
        }
        for (guint i = pts->len - 1, lower = k + 1; i-- > 0;) {
                Pt p = g_array_index(pts, Pt, i);

                while (k >= lower && cross(g_array_index(hull, Pt, k - 2), g_array_index(hull, Pt, k - 1), p) <= 0)
                        k--;
                g_array_index(hull, Pt, k++) = p;
        }
        g_array_set_size(hull, k > 1 ? k - 1 : k);
        for (guint i = 0; i < hull->len; i++) {
                Pt a = g_array_index(hull, Pt, i), b = g_array_index(hull, Pt, (i + 1) % hull->len);

                area += (double)a.x * b.y - (double)b.x * a.y;
        }
        *ret_area = ABS(area) / 2;
        return hull;
}

/* The smallest rectangle round the set pixels of @shape, turned by at
 * most 45 degrees either way: its corners clockwise on screen from the
 * top left in @q, and the turn of its longer side in @ret_angle
 * (counter-clockwise positive). In @ret_fill, the share of it the
 * shape's outline fills (its convex hull: a letter of print that
 * crosses the frame cuts a notch in the inside, not in that), and in
 * @ret_ink the share the shape itself does. FALSE for an empty shape. */
static gboolean
min_area_rect(PIX *shape, Pt q[4], double *ret_angle, double *ret_fill, double *ret_ink)
{
        g_autoptr(GArray) edge = g_array_new(FALSE, FALSE, sizeof(Pt));
        g_autoptr(GArray) hull = NULL;
        int w = pixGetWidth(shape), h = pixGetHeight(shape), wpl = pixGetWpl(shape), n = 0;
        l_uint32 *data = pixGetData(shape);
        double best = G_MAXDOUBLE, angle = 0, hull_area, u0, u1, v0, v1, c, s;

        /* its edge pixels are all the outline depends on */
        for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                        l_uint32 *row = data + y * wpl;

                        if (!GET_DATA_BIT(row, x))
                                continue;
                        n++;
                        if (x == 0 || y == 0 || x == w - 1 || y == h - 1 || !GET_DATA_BIT(row, x - 1) ||
                            !GET_DATA_BIT(row, x + 1) || !GET_DATA_BIT(row - wpl, x) ||
                            !GET_DATA_BIT(row + wpl, x)) {
                                Pt p = { x, y };

                                g_array_append_val(edge, p);
                        }
                }
        if (n == 0)
                return FALSE;
        hull = convex_hull(edge, &hull_area);
        /* by degrees, then by tenths round the best */
        for (int pass = 0; pass < 2; pass++) {
                double from = pass == 0 ? -45 : angle * 180 / G_PI - 1, step = pass == 0 ? 1 : 0.1;

                for (int k = 0; k <= (pass == 0 ? 90 : 20); k++) {
                        double a = (from + k * step) * G_PI / 180, area;

                        extents_at(hull, a, &u0, &u1, &v0, &v1);
                        area = (u1 - u0) * (v1 - v0);
                        if (area < best) {
                                best = area;
                                angle = a;
                        }
                }
        }
        extents_at(hull, angle, &u0, &u1, &v0, &v1);
        c = cos(angle);
        s = sin(angle);
        {
                const double corner[4][2] = { { u0, v0 }, { u1, v0 }, { u1, v1 }, { u0, v1 } };

                for (int k = 0; k < 4; k++)
                        q[k] = (Pt){ (int)lround(corner[k][0] * c + corner[k][1] * s),
                                     (int)lround(-corner[k][0] * s + corner[k][1] * c) };
        }
        /* the writing runs along the longer side */
        *ret_angle = u1 - u0 >= v1 - v0 ? angle : angle + (angle > 0 ? -G_PI / 2 : G_PI / 2);
        *ret_fill = best > 0 ? hull_area / best : 0;
        *ret_ink = n / ((u1 - u0 + 1) * (v1 - v0 + 1));
        return TRUE;
}

/* Leaves in @ink the stamp's own letters: the tallest pieces, all of a
 * height. A form's print the stamp was pressed over is smaller, and the
 * frame cuts it: the half of a printed line inside the frame, a ring's
 * arc. A stroke the whole height of @ink (a rule) sets no height. */
static void
keep_stamp_letters(PIX *ink)
{
        PIXA *pixa = NULL;
        BOXA *boxa = pixConnComp(ink, &pixa, 8);
        int h = pixGetHeight(ink), tall = 0;

        for (int i = 0; boxa != NULL && i < boxaGetCount(boxa); i++) {
                int bx, by, bw, bh;

                boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
                if (10 * bh < 9 * h)
                        tall = MAX(tall, bh);
        }
        for (int i = 0; boxa != NULL && pixa != NULL && i < boxaGetCount(boxa); i++) {
                int bx, by, bw, bh;

                boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
                if (5 * bh < 3 * tall) {
                        PIX *piece = pixaGetPix(pixa, i, L_CLONE);

                        pixRasterop(ink, bx, by, bw, bh, PIX_DST & PIX_NOT(PIX_SRC), piece, 0, 0);
                        pixDestroy(&piece);
                }
        }
        boxaDestroy(&boxa);
        pixaDestroy(&pixa);
}

/* The frame round a stamp's letters: the corners of its inside and the
 * turn of its writing. */
typedef struct {
        Pt q[4];
        double angle;
        gboolean square;
} StampShape;

/* Are the letters inside @hole (@inner: the hole with them filled) a
 * stamp's: three or more, at least half of them over 0.15 in tall? */
static gboolean
big_letters_inside(PIX *hole, PIX *inner, int ppi)
{
        g_autoptr(PIX) letters = pixSubtract(NULL, inner, hole);
        BOXA *lb = letters != NULL ? pixConnCompBB(letters, 8) : NULL;
        int big = 0, all = 0;

        for (int i = 0; lb != NULL && i < boxaGetCount(lb); i++) {
                int bx, by, bw, bh;

                boxaGetBoxGeometry(lb, i, &bx, &by, &bw, &bh);
                if (bh < 4)
                        continue;
                all++;
                big += bh >= ppi * 0.15;
        }
        boxaDestroy(&lb);
        return all >= 3 && 2 * big >= all;
}

/* Whether @hole (a clip of the page's holes) is the inside of a stamp's
 * frame, and its shape in @shape; @turned_only: none in a level frame.
 * This depends on the hole alone, so it runs before the page's ink is
 * clipped, mended and read. */
static gboolean
stamp_shape_filled(PIX *hole, int ppi, gboolean turned_only, double min_fill, StampShape *shape)
{
        g_autoptr(PIX) inner = NULL;
        double fill = 0, ink_fill = 0;

        if (hole == NULL)
                return FALSE;
        /* the frame's inside with the letters in it */
        inner = pixHolesByFilling(hole, 4);
        if (inner == NULL)
                return FALSE;
        pixOr(inner, inner, hole);
        if (!min_area_rect(inner, shape->q, &shape->angle, &fill, &ink_fill))
                return FALSE;
        /* level within half a degree */
        shape->square = ABS(shape->angle) < G_PI / 360;
        if ((shape->square && turned_only) || (!shape->square && (fill < min_fill || ink_fill < min_fill - 0.35)))
                return FALSE;
        /* a level frame is a stamp only round letters bigger than a
         * form's (a table cell holds the form's own) */
        if (shape->square) {
                if (!big_letters_inside(hole, inner, ppi))
                        return FALSE;
                shape->angle = 0;
        }
        return ABS(shape->angle) <= 0.8;
}

static gboolean
stamp_shape(PIX *hole, int ppi, gboolean turned_only, StampShape *shape)
{
        return stamp_shape_filled(hole, ppi, turned_only, 0.85, shape);
}

/* How many big letters (over 0.15 in tall, within @r's height) the ink
 * of @bin holds inside @r, not touching its edges (a frame's sides, and
 * letters the edge cuts). */
static int
big_letters_in(PIX *bin, const Rect *r, int ppi)
{
        BOX *clip = boxCreate(r->x, r->y, r->w, r->h);
        g_autoptr(PIX) ink = clip != NULL ? pixClipRectangle(bin, clip, NULL) : NULL;
        BOXA *lb = ink != NULL ? pixConnCompBB(ink, 8) : NULL;
        int big = 0;

        boxDestroy(&clip);
        for (int i = 0; lb != NULL && i < boxaGetCount(lb); i++) {
                int bx, by, bw, bh;

                boxaGetBoxGeometry(lb, i, &bx, &by, &bw, &bh);
                if (bx > 0 && by > 0 && bx + bw < r->w && by + bh < r->h && bh >= ppi * 0.15 && bw < bh * 2)
                        big++;
        }
        boxaDestroy(&lb);
        return big;
}

/* Keeps in @level (a stamp's clip turned level) the stamp's letters
 * in one run along the writing through @mx (the middle of the part of
 * its frame's inside the stamp was found by): pieces of a height
 * between three fifths of the tallest letter and nine tenths of the
 * frame's inside @band (taller is a side of the frame), not a frame's
 * outline (long, and little ink in its box), and each no further than a
 * letter's height from the next.  Print the stamp lies
 * over can cut the frame's inside in parts, and the part found holds a
 * few of the letters. */
static void
keep_letter_run(PIX *level, double mx, double band)
{
        PIXA *pixa = NULL;
        BOXA *boxa = pixConnComp(level, &pixa, 8);
        int n = boxa != NULL && pixa != NULL ? boxaGetCount(boxa) : 0, tall = 0;
        g_autofree gboolean *keep = g_new0(gboolean, MAX(n, 1));
        g_autofree gboolean *outline = g_new0(gboolean, MAX(n, 1));
        gboolean grew = TRUE;

        for (int i = 0; i < n; i++) {
                int bx, by, bw, bh, ink = 0;
                PIX *piece = pixaGetPix(pixa, i, L_CLONE);

                boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
                if (piece != NULL)
                        pixCountPixels(piece, &ink, NULL);
                pixDestroy(&piece);
                outline[i] = bw > 2 * bh && ink < 0.15 * bw * bh;
                if (10 * bh < 9 * band && !outline[i])
                        tall = MAX(tall, bh);
        }
        /* the letters across the middle, then their neighbours */
        for (int i = 0; i < n; i++) {
                int bx, by, bw, bh;

                boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
                keep[i] = !outline[i] && 5 * bh >= 3 * tall && 10 * bh < 9 * band && bx <= mx + tall &&
                          bx + bw >= mx - tall;
        }
        while (grew) {
                grew = FALSE;
                for (int i = 0; i < n; i++) {
                        int bx, by, bw, bh;

                        boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
                        if (keep[i] || outline[i] || 5 * bh < 3 * tall || 10 * bh >= 9 * band)
                                continue;
                        for (int j = 0; j < n && !keep[i]; j++) {
                                int jx, jy, jw, jh;

                                if (!keep[j])
                                        continue;
                                boxaGetBoxGeometry(boxa, j, &jx, &jy, &jw, &jh);
                                keep[i] = bx <= jx + jw + tall && jx <= bx + bw + tall;
                        }
                        grew |= keep[i];
                }
        }
        for (int i = 0; pixa != NULL && i < n; i++) {
                int bx, by, bw, bh;

                if (keep[i])
                        continue;
                boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
                PIX *piece = pixaGetPix(pixa, i, L_CLONE);

                pixRasterop(level, bx, by, bw, bh, PIX_DST & PIX_NOT(PIX_SRC), piece, 0, 0);
                pixDestroy(&piece);
        }
        boxaDestroy(&boxa);
        pixaDestroy(&pixa);
}

/* Reads the stamp of @shape from @ink: the clip of the page its hole
 * is, or for a slanted frame (@dx, @dy: how much wider the clip is
 * each side than the hole) the strip between the frame's long sides. */
static char *
read_stamp(TessBaseAPI *api, PIX *ink, const StampShape *shape, int dx, int dy, int ppi)
{
        g_autoptr(PIX) level = NULL;
        g_autoptr(PIX) framed = NULL;
        Pt q[4];
        double mx = 0, my = 0, band = 0;

        for (int k = 0; k < 4; k++) {
                q[k] = (Pt){ shape->q[k].x + dx, shape->q[k].y + dy };
                mx += q[k].x / 4.0;
                my += q[k].y / 4.0;
        }
        if (shape->square) {
                keep_stamp_letters(ink);
                level = pixClone(ink);
        } else {
                int w = pixGetWidth(ink), h = pixGetHeight(ink);
                /* the long sides: the writing runs along them */
                int e0 = hypot(q[1].x - q[0].x, q[1].y - q[0].y) >= hypot(q[2].x - q[1].x, q[2].y - q[1].y) ? 0 : 1;
                double c, s;

                band = MIN(hypot(q[1].x - q[0].x, q[1].y - q[0].y), hypot(q[2].x - q[1].x, q[2].y - q[1].y));
                /* keep the ink between the long sides (lines without
                 * end), three pixels in: the letters whole, even where
                 * one touches the frame, and none of the frame's long
                 * sides */
                for (int y = 0; y < h; y++)
                        for (int x = 0; x < w; x++) {
                                gboolean in = TRUE;

                                for (int e = e0; e < 4 && in; e += 2) {
                                        const Pt *a = &q[e], *b = &q[(e + 1) % 4];
                                        double ex = b->x - a->x, ey = b->y - a->y, len = hypot(ex, ey);
                                        /* the points run clockwise on screen:
                                         * inside is to the right of each edge */
                                        double d = len > 0 ? (ex * (y - a->y) - ey * (x - a->x)) / len : 1;

                                        in = d >= 3.0;
                                }
                                if (!in)
                                        pixSetPixel(ink, x, y, 0);
                        }
                level = pixRotate(ink, (float)shape->angle, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, w, h);
                if (level == NULL)
                        return NULL;
                /* where the middle of the hole went: turned clockwise
                 * on screen by the angle round the clip's centre */
                c = cos(shape->angle);
                s = sin(shape->angle);
                mx -= w / 2.0;
                my -= h / 2.0;
                mx = mx * c - my * s + pixGetWidth(level) / 2.0;
                /* and away with the frame's short sides, which a
                 * letter touching them would join */
                {
                        g_autoptr(PIX) sides = pixOpenBrick(NULL, level, 1, MAX((int)(0.85 * band), 3));

                        if (sides != NULL) {
                                pixDilateBrick(sides, sides, 3, 1);
                                pixSubtract(level, level, sides);
                        }
                }
                keep_letter_run(level, mx, band);
        }
        framed = pixAddBorder(level, 20, 0);
        if (framed == NULL)
                return NULL;
        return read_one_line(api, framed, ppi, 3);
}

/* Leaves in @rules (a page's long level runs of ink) the rules, and
 * takes out a slanted stroke's runs: a stamp's frame pressed on nearly
 * level is long runs too, but stepped: more than two rows over its
 * thickness, and a row every 125 pixels or less (half a degree). A rule
 * on a page scanned a little askew climbs a row in hundreds. */
static void
keep_level_rules(PIX *rules)
{
        PIXA *pixa = NULL;
        BOXA *boxa = pixConnComp(rules, &pixa, 8);

        for (int i = 0; boxa != NULL && pixa != NULL && i < boxaGetCount(boxa); i++) {
                int bx, by, bw, bh, n = 0;
                PIX *piece = pixaGetPix(pixa, i, L_CLONE);

                boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
                pixCountPixels(piece, &n, NULL);
                /* rows its steps add to its thickness, and over how long */
                double steps = bh - (double)n / bw;

                if (steps > 2 && steps > 0.008 * bw)
                        pixRasterop(rules, bx, by, bw, bh, PIX_DST & PIX_NOT(PIX_SRC), piece, 0, 0);
                pixDestroy(&piece);
        }
        boxaDestroy(&boxa);
        pixaDestroy(&pixa);
}

/* The inside of a level frame that a form's rule runs through, cut in
 * two holes, the one of @pm's holes numbered @i and the one just above or
 * below it across the rule, as one hole in *@ret_rect: the rule's rows
 * are inside where both holes are, so the letters it crossed are whole
 * again. NULL when no such pair. */
static PIX *
rule_split_frame(const RdMarkPage *pm, int i, Rect *ret_rect)
{
        Rect a, b;
        int n = boxaGetCount(pm->hole_boxes);

        boxaGetBoxGeometry(pm->hole_boxes, i, &a.x, &a.y, &a.w, &a.h);
        for (int j = 0; j < n; j++) {
                Rect top, bottom, u;
                BOX *clip;
                PIX *hole;
                int gap;

                if (j == i)
                        continue;
                boxaGetBoxGeometry(pm->hole_boxes, j, &b.x, &b.y, &b.w, &b.h);
                /* the same sides, a rule's width apart */
                if (ABS(a.x - b.x) > 6 || ABS(a.x + a.w - b.x - b.w) > 6)
                        continue;
                top = a.y < b.y ? a : b;
                bottom = a.y < b.y ? b : a;
                gap = bottom.y - (top.y + top.h);
                if (gap < 1 || gap > 8)
                        continue;
                u.x = MIN(a.x, b.x);
                u.y = top.y;
                u.w = MAX(a.x + a.w, b.x + b.w) - u.x;
                u.h = bottom.y + bottom.h - top.y;
                clip = boxCreate(u.x, u.y, u.w, u.h);
                hole = clip != NULL ? pixClipRectangle(pm->holes, clip, NULL) : NULL;
                boxDestroy(&clip);
                if (hole == NULL)
                        return NULL;
                for (int x = 0; x < u.w; x++) {
                        l_uint32 above = 0, below = 0;

                        pixGetPixel(hole, x, top.h - 1, &above);
                        pixGetPixel(hole, x, top.h + gap, &below);
                        if (above && below)
                                for (int y = top.h; y < top.h + gap; y++)
                                        pixSetPixel(hole, x, y, 1);
                }
                *ret_rect = u;
                return hole;
        }
        return NULL;
}

/* Are there a stamp's big letters (see big_letters_inside()) in @r of
 * @bin, once the rule through it is gone? The rule joins them to each
 * other and to the frame, so they are counted as the ink left, not as
 * holes in the frame's inside. */
static gboolean
big_letters_across_rule(PIX *bin, const Rect *r, int ppi)
{
        BOX *clip = boxCreate(r->x, r->y, r->w, r->h);
        g_autoptr(PIX) ink = clip != NULL ? pixClipRectangle(bin, clip, NULL) : NULL;
        /* the rule and the frame's level sides, a little aslant */
        g_autoptr(PIX) thick = ink != NULL ? pixDilateBrick(NULL, ink, 1, 5) : NULL;
        g_autoptr(PIX) rule = thick != NULL ? pixOpenBrick(NULL, thick, MAX(r->w / 3, 10), 1) : NULL;
        BOXA *lb = NULL;
        int big = 0, all = 0;

        boxDestroy(&clip);
        if (rule == NULL)
                return FALSE;
        pixSubtract(ink, ink, rule);
        /* the letters joined again across where the rule ran */
        pixCloseBrick(ink, ink, 1, 11);
        lb = pixConnCompBB(ink, 8);
        for (int i = 0; lb != NULL && i < boxaGetCount(lb); i++) {
                int bx, by, bw, bh;

                boxaGetBoxGeometry(lb, i, &bx, &by, &bw, &bh);
                /* specks, and the frame's sides at the clip's edges */
                if (bh < 4 || bx == 0 || bx + bw >= r->w)
                        continue;
                all++;
                big += bh >= ppi * 0.15;
        }
        boxaDestroy(&lb);
        return all >= 3 && 2 * big >= all;
}

/* The stamps on the page of @pm, each word on a line; NULL when none. */
static char *
find_stamps(TessBaseAPI *api, const RdMarkPage *pm, int ppi)
{
        g_autoptr(PIX) half = pixReduceRankBinary2(pm->bin, 1, NULL);
        g_autoptr(PIX) half_holes = NULL;
        g_autoptr(PIX) rules = NULL;
        g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(Rect));
        BOXA *half_boxes = NULL;
        GString *out = NULL;
        int pw = pixGetWidth(pm->bin), ph = pixGetHeight(pm->bin);

        /* first the slanted stamps, at half size: a form's rules cut
         * through a stamp laid over them, so away with every long level
         * line (a slanted frame's edges step) and every long column
         * rule, and mend the gaps that leaves in the frame; then, at full
         * size, level frames (which those lines are) and any slanted one
         * left */
        if (half != NULL) {
                rules = pixOpenBrick(NULL, half, MAX(pw / 30, 10), 1);
                if (rules != NULL)
                        keep_level_rules(rules);
                g_autoptr(PIX) runs = pixOpenBrick(NULL, half, 1, MAX(ph / 30, 10));
                /* a column's rule runs longer than a stamp's side */
                g_autoptr(PIX) cols = runs != NULL ? pixSelectBySize(runs, 0, MAX(ph / 16, 10), 8, L_SELECT_HEIGHT,
                                                                     L_SELECT_IF_GTE, NULL)
                                                   : NULL;

                if (rules != NULL)
                        pixSubtract(half, half, rules);
                if (cols != NULL)
                        pixSubtract(half, half, cols);
                pixCloseBrick(half, half, 3, 5);
                half_holes = pixHolesByFilling(half, 4);
                half_boxes = half_holes != NULL ? pixConnCompBB(half_holes, 4) : NULL;
        }
        for (int pass = 0; pass < 2; pass++) {
                BOXA *boxes = pass == 0 ? half_boxes : pm->hole_boxes;
                PIX *holes = pass == 0 ? half_holes : pm->holes;
                int scale = pass == 0 ? 2 : 1;

                for (int i = 0; boxes != NULL && i < boxaGetCount(boxes); i++) {
                        Rect r, full, wide;
                        g_autofree char *word = NULL;
                        g_autoptr(PIX) hole = NULL;
                        g_autoptr(PIX) ink = NULL;
                        gboolean seen = FALSE;
                        StampShape shape;
                        BOX *clip;

                        boxaGetBoxGeometry(boxes, i, &r.x, &r.y, &r.w, &r.h);
                        full = (Rect){ r.x * scale, r.y * scale, r.w * scale, r.h * scale };
                        /* a stamp's size: wider than a few letters, under half the page */
                        if (full.w < pw / 12 || full.h < ph / 50 || full.w > pw / 2 || full.h > ph / 4 ||
                            full.w < full.h)
                                continue;
                        for (guint k = 0; k < found->len && !seen; k++) {
                                const Rect *f = &g_array_index(found, Rect, k);

                                seen = full.x < f->x + f->w && f->x < full.x + full.w && full.y < f->y + f->h &&
                                       f->y < full.y + full.h;
                        }
                        if (seen)
                                continue;
                        clip = boxCreate(r.x, r.y, r.w, r.h);
                        hole = clip != NULL ? pixClipRectangle(holes, clip, NULL) : NULL;
                        boxDestroy(&clip);
                        if (hole != NULL && scale == 2) {
                                PIX *big = pixExpandBinaryPower2(hole, 2);

                                pixDestroy(&hole);
                                hole = big;
                        }
                        /* or a slanted frame whose inside print
                         * notches deeply (it fills less of its rectangle,
                         * as a ring's does), round a stamp's big letters */
                        if (!stamp_shape(hole, ppi, pass == 0, &shape) &&
                            !(stamp_shape_filled(hole, ppi, TRUE, 0.65, &shape) &&
                              big_letters_in(pm->bin, &full, ppi) >= 2)) {
                                /* or a level frame a form's rule runs
                                 * through, its inside cut in two */
                                Rect joined;
                                PIX *both = pass == 1 ? rule_split_frame(pm, i, &joined) : NULL;

                                if (both == NULL)
                                        continue;
                                pixDestroy(&hole);
                                hole = both;
                                /* round big letters, as any level frame;
                                 * read as level: the two parts, a little
                                 * apart, make the outline seem turned
                                 * more than it is */
                                if (!stamp_shape(hole, ppi, FALSE, &shape) ||
                                    !big_letters_across_rule(pm->bin, &joined, ppi))
                                        continue;
                                shape.square = TRUE;
                                shape.angle = 0;
                                r = full = joined;
                        }
                        /* a slanted stamp's letters may run on past
                         * the part of its inside found: clip wider */
                        wide = full;
                        if (!shape.square) {
                                int ext = MAX(full.w, 5 * full.h);
                                int rise = (int)(ext * ABS(tan(shape.angle))) + 4;

                                wide.x = MAX(full.x - ext, 0);
                                wide.y = MAX(full.y - rise, 0);
                                wide.w = MIN(full.x + full.w + ext, pw) - wide.x;
                                wide.h = MIN(full.y + full.h + rise, ph) - wide.y;
                        }
                        clip = boxCreate(wide.x, wide.y, wide.w, wide.h);
                        ink = clip != NULL ? pixClipRectangle(pm->bin, clip, NULL) : NULL;
                        boxDestroy(&clip);
                        if (hole == NULL || ink == NULL || pixGetWidth(ink) != wide.w || pixGetHeight(ink) != wide.h)
                                continue;
                        /* a rule across the stamp is not its writing:
                         * the page's long level lines where they cross
                         * it (a table under a stamp ends inside it) */
                        if (rules != NULL) {
                                BOX *half_clip = boxCreate(wide.x / 2, wide.y / 2, wide.w / 2, wide.h / 2);
                                g_autoptr(PIX) part = half_clip ? pixClipRectangle(rules, half_clip, NULL) : NULL;
                                g_autoptr(PIX) big = part ? pixExpandBinaryPower2(part, 2) : NULL;

                                boxDestroy(&half_clip);
                                if (big != NULL) {
                                        g_autoptr(PIX) mend = NULL;

                                        pixDilateBrick(big, big, 1, 3);
                                        pixRasterop(ink, 0, 0, pixGetWidth(big), pixGetHeight(big),
                                                    PIX_DST & PIX_NOT(PIX_SRC), big, 0, 0);
                                        /* and the letters it cut joined again
                                         * across where it ran */
                                        mend = pixCloseBrick(NULL, ink, 1, 11);
                                        if (mend != NULL) {
                                                pixRasterop(mend, 0, 0, pixGetWidth(big), pixGetHeight(big),
                                                            PIX_DST & PIX_SRC, big, 0, 0);
                                                pixOr(ink, ink, mend);
                                        }
                                }
                        }
                        {
                                g_autoptr(PIX) rules = pixOpenBrick(NULL, ink, MAX(full.w * 3 / 5, 10), 1);

                                if (rules != NULL)
                                        pixSubtract(ink, ink, rules);
                        }
                        word = read_stamp(api, ink, &shape, full.x - wide.x, full.y - wide.y, ppi);
                        if (word == NULL)
                                continue;
                        g_array_append_val(found, full);
                        if (out == NULL)
                                out = g_string_new(NULL);
                        g_string_append_printf(out, "%s\n", word);
                }
        }
        boxaDestroy(&half_boxes);
        return out != NULL ? g_string_free(out, FALSE) : NULL;
}

