/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PDF pages through poppler-glib: the text layer when the page has a real
 * one, otherwise a cairo rendering handed to OCR. */
#include <math.h>
#include <poppler.h>
#include <cairo.h>

#include "pdf.h"
#include "ocr/marks.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PIX, rd_pages_pix_free)
/* poppler-glib 22.12 declares no autoptr cleanups of its own */
typedef PopplerDocument RdPopplerDocument;
typedef PopplerPage RdPopplerPage;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdPopplerDocument, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdPopplerPage, g_object_unref)

/* Fax gateways embed 204x196 dpi images (fine mode). Rendering at exactly
 * that resolution copies the fax pixels one to one instead of resampling
 * them; for other pages it is as good as a fax of them would be. */
#define RD_PDF_DPI_X 204.0
#define RD_PDF_DPI_Y 196.0
/* below this the text is too small to OCR: refuse rather than read noise */
#define RD_PDF_MIN_DPI 72.0
/* cairo image surfaces are limited to 32767 pixels a side */
#define RD_PDF_MAX_SIDE 32767.0

/* Fraction of the page covered by images (0..1, overlaps counted twice). */
static double
rd_pdf_image_coverage(PopplerPage *page, double width, double height)
{
        GList *mapping = poppler_page_get_image_mapping(page);
        double area = 0.0;

        for (GList *l = mapping; l != NULL; l = l->next) {
                PopplerImageMapping *m = l->data;

                area += fabs((m->area.x2 - m->area.x1) * (m->area.y2 - m->area.y1));
        }
        poppler_page_free_image_mapping(mapping);
        return MIN(area / (width * height), 1.0);
}

/* Whether the 1 bpp @bin repeats every row once, as a page drawn at 196
 * lines per inch from a standard fax's 98 does: in one of the two ways to
 * pair the rows, the rows of nearly every inked pair are the same, where
 * the neighbouring rows of any other page differ. */
static gboolean
rd_pdf_rows_doubled(PIX *bin)
{
        const l_uint32 *data = pixGetData(bin);
        int wpl = pixGetWpl(bin), h = pixGetHeight(bin);

        for (int phase = 0; phase < 2; phase++) {
                int inked = 0, same = 0;

                for (int y = phase; y + 1 < h; y += 6) {
                        const l_uint32 *a = data + (gsize)y * wpl, *b = a + wpl;
                        gboolean ink = FALSE;

                        for (int i = 0; i < wpl && !ink; i++)
                                ink = a[i] != 0 || b[i] != 0;
                        if (!ink)
                                continue;
                        inked++;
                        same += memcmp(a, b, (gsize)wpl * sizeof(*a)) == 0;
                }
                if (inked >= 50 && same >= 0.95 * inked)
                        return TRUE;
        }
        return FALSE;
}

/* A real text layer: an EHR export, or an OCR layer someone already added.
 * Not real: no text, or a few stamped words (an e-fax header line, a page
 * number) over a scanned image or a picture, which still has to be read
 * from its pixels: a quarter of the page is no logo but a scan, a photo
 * or a tracing laid on a page with its header line. */
#define RD_PDF_PICTURE_PART 0.25

static gboolean
rd_pdf_has_text_layer(PopplerPage *page, const char *text, double width, double height)
{
        guint alnum = 0;

        if (text == NULL)
                return FALSE;
        for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p))
                if (g_unichar_isalnum(g_utf8_get_char(p)))
                        alnum++;
        if (alnum >= 200)
                return TRUE;
        return alnum >= 20 && rd_pdf_image_coverage(page, width, height) < RD_PDF_PICTURE_PART;
}

/* Two characters of one word touch or nearly so, in whatever direction the
 * text runs (left to right, right to left, rotated). Word gaps are wider
 * than a tenth of the font size; the jumps between table cells that
 * poppler_page_get_text() glues together are whole columns or lines. */
#define RD_PDF_TOUCH 0.3

static gboolean
rd_pdf_chars_touch(const PopplerRectangle *a, const PopplerRectangle *b)
{
        double aw = a->x2 - a->x1, ah = a->y2 - a->y1;
        double bw = b->x2 - b->x1, bh = b->y2 - b->y1;
        double size, dx, dy;

        /* an empty box (a combining mark, a zero-width glyph) tells nothing */
        if (!(aw > 0.0 && ah > 0.0 && bw > 0.0 && bh > 0.0))
                return TRUE;
        size = MIN(MAX(aw, ah), MAX(bw, bh));
        dx = MAX(0.0, MAX(b->x1 - a->x2, a->x1 - b->x2));
        dy = MAX(0.0, MAX(b->y1 - a->y2, a->y1 - b->y2));
        return dx <= RD_PDF_TOUCH * size && dy <= RD_PDF_TOUCH * size;
}

/* One line of pdftotext: a byte range of the page text and its ink. */
typedef struct {
        gsize start, end;       /* bytes of the page text, end exclusive */
        int first, last;        /* first and last inked character, -1 if none */
        double min_x, max_x;
} RdPdfLine;

static gboolean
rd_pdf_is_space(gunichar c)
{
        /* what a reader splitting words on \s splits on */
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The next line continues a hyphenated word when it starts just below the
 * hyphen, within the horizontal extent of the hyphen's line: the next line
 * of the same paragraph. */
static gboolean
rd_pdf_continues(const RdPdfLine *line, const RdPdfLine *next, const PopplerRectangle *rects)
{
        const PopplerRectangle *hyphen, *first;
        double h;

        if (line->last < 0 || next->first < 0)
                return FALSE;
        hyphen = &rects[line->last];
        first = &rects[next->first];
        h = hyphen->y2 - hyphen->y1;
        if (!(h > 0.0))
                return FALSE;
        return first->y1 >= hyphen->y2 - 0.5 * h && first->y1 <= hyphen->y2 + 1.5 * h &&
               first->x1 >= line->min_x - 2.0 * h && first->x1 <= line->max_x;
}

/* Returns: (transfer full) the page drawn in 8 bpp gray, @w x @h pixels
 * at @dpi_x x @dpi_y, or NULL when the pixels cannot be had. */
static PIX *
rd_pdf_render_gray(PopplerPage *page, int w, int h, double dpi_x, double dpi_y)
{
        cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        cairo_t *cr;
        PIX *pix;
        const guint8 *src;
        l_uint32 *dst;
        int stride, wpl;

        if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
                cairo_surface_destroy(surface);
                return NULL;
        }
        cr = cairo_create(surface);
        /* poppler leaves the background alone: paper is white */
        cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
        cairo_paint(cr);
        cairo_scale(cr, dpi_x / 72.0, dpi_y / 72.0);
        poppler_page_render_for_printing(page, cr);
        cairo_destroy(cr);
        cairo_surface_flush(surface);

        pix = pixCreate(w, h, 8);
        if (pix == NULL) {
                cairo_surface_destroy(surface);
                return NULL;
        }
        src = cairo_image_surface_get_data(surface);
        stride = cairo_image_surface_get_stride(surface);
        dst = pixGetData(pix);
        wpl = pixGetWpl(pix);
        for (int y = 0; y < h; y++) {
                /* RGB24 is native-endian 0xXXRRGGBB */
                const guint32 *row = (const guint32 *)(const void *)(src + (gsize)y * stride);
                l_uint32 *line = dst + (gsize)y * wpl;

                for (int x = 0; x < w; x++) {
                        guint32 p = row[x];
                        guint r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;

                        SET_DATA_BYTE(line, x, (r * 299 + g * 587 + b * 114) / 1000);
                }
        }
        cairo_surface_destroy(surface);
        pixSetResolution(pix, (l_int32)lround(dpi_x), (l_int32)lround(dpi_y));
        return pix;
}

/* The marks a text layer does not hold: boxes and rings drawn as lines
 * beside its words (a ticked box is a drawing, not a character).  The
 * page is drawn at RD_PDF_MARKS_DPI; returns, for each of @lines, the line
 * written again with the marks its picture shows, or NULL where it shows
 * none; NULL when no line does. */
#define RD_PDF_MARKS_DPI 150.0

/* A character box's edge in pixels of the marks picture: a damaged PDF
 * may put a character anywhere, NaN and far off the page included. */
static int
page_px(double v)
{
        if (!(v > -100000))
                return -100000;
        return v < 100000 ? (int)v : 100000;
}

static GPtrArray *
rd_pdf_text_marks(PopplerPage *page, const char *text, const PopplerRectangle *rects,
                  GArray *lines, double width, double height)
{
        double f = RD_PDF_MARKS_DPI / 72.0;
        int w, h;
        g_autoptr(PIX) gray = NULL;
        g_autoptr(PIX) bin = NULL;
        g_autoptr(RdMarkPage) pm = NULL;
        GPtrArray *out = NULL;

        if (!(width > 0 && height > 0 && width * f <= 4000 && height * f <= 6000))
                return NULL; /* not a letter-size form */
        w = (int)ceil(width * f);
        h = (int)ceil(height * f);
        gray = rd_pdf_render_gray(page, w, h, RD_PDF_MARKS_DPI, RD_PDF_MARKS_DPI);
        bin = gray != NULL ? pixConvertTo1(gray, 160) : NULL;
        pm = bin != NULL ? rd_mark_page_new(bin) : NULL;
        if (pm == NULL)
                return NULL;
        for (guint i = 0; i < lines->len; i++) {
                const RdPdfLine *l = &g_array_index(lines, RdPdfLine, i);
                g_autoptr(RdMarkLine) ml = NULL;
                g_autofree char *again = NULL;
                const char *p;
                glong k;
                gboolean space = TRUE;

                if (l->first < 0)
                        continue;
                ml = rd_mark_line_new();
                /* the character index of the line's first byte */
                k = g_utf8_pointer_to_offset(text, text + l->start);
                for (p = text + l->start; p < text + l->end; p = g_utf8_next_char(p), k++) {
                        gunichar c = g_utf8_get_char(p);
                        char ch[8] = { 0 };
                        const PopplerRectangle *r = &rects[k];

                        if (rd_pdf_is_space(c) || c == '\n') {
                                space = TRUE;
                                continue;
                        }
                        g_unichar_to_utf8(c, ch);
                        rd_mark_line_add(ml, ch, page_px(floor(r->x1 * f)), page_px(floor(r->y1 * f)),
                                         page_px(ceil(r->x2 * f)), page_px(ceil(r->y2 * f)), space);
                        space = FALSE;
                }
                again = rd_mark_line_rewrite(ml, pm);
                if (again == NULL)
                        continue;
                if (out == NULL) {
                        out = g_ptr_array_new_with_free_func(g_free);
                        g_ptr_array_set_size(out, (gint)lines->len);
                }
                g_ptr_array_index(out, i) = g_steal_pointer(&again);
        }
        return out;
}

/* the most characters a piece of a slanted word has on its own line, and
 * the most pieces looked at */
#define RD_PDF_SLANT_PIECE 4
#define RD_PDF_SLANT_RUN 24
/* how many lines after a slanted word's first pieces its later ones may
 * stand (the lines of the form the stamp lies across) */
#define RD_PDF_SLANT_SCAN 200

static gboolean
rd_pdf_short_piece(const RdPdfLine *l)
{
        return l->first >= 0 && l->last - l->first + 1 <= RD_PDF_SLANT_PIECE;
}

/* Do two lines touch: some character of one against some of the other. */
static gboolean
rd_pdf_lines_touch(const RdPdfLine *a, const RdPdfLine *b, const PopplerRectangle *rects)
{
        for (int i = a->first; i <= a->last; i++)
                for (int j = b->first; j <= b->last; j++)
                        if (rd_pdf_chars_touch(&rects[i], &rects[j]))
                                return TRUE;
        return FALSE;
}

typedef struct {
        const PopplerRectangle *rects;
        gboolean down; /* the word runs straight down the page */
} RdPdfSlant;

static int
rd_pdf_cmp_along(gconstpointer a, gconstpointer b, gpointer data)
{
        const RdPdfSlant *sl = data;
        const PopplerRectangle *ra = &sl->rects[*(const int *)a], *rb = &sl->rects[*(const int *)b];
        double va = sl->down ? ra->y1 + ra->y2 : ra->x1 + ra->x2;
        double vb = sl->down ? rb->y1 + rb->y2 : rb->x1 + rb->x2;

        return va < vb ? -1 : va > vb ? 1 : 0;
}

/* Do the characters @idx, in reading order, lie along one slant: across
 * the word, each further than the last or level with it, never back. A
 * stamp's letters do at any angle; short labels set one under the other
 * ("Ph:" over "Fax:", a line apart) touch too, but read left to right
 * their letters go down, up and down again. */
static gboolean
rd_pdf_one_slant(GArray *idx, const RdPdfSlant *sl)
{
        double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, size = 0.0;
        gboolean down = TRUE, up = TRUE;

        for (guint k = 0; k < idx->len; k++) {
                const PopplerRectangle *r = &sl->rects[g_array_index(idx, int, k)];

                size = MAX(size, MIN(r->x2 - r->x1, r->y2 - r->y1));
        }
        for (guint k = 0; k < idx->len; k++) {
                const PopplerRectangle *r = &sl->rects[g_array_index(idx, int, k)];
                /* the centre across the reading direction */
                double v = sl->down ? r->x1 + r->x2 : r->y1 + r->y2;

                v /= 2.0;
                if (k > 0) {
                        /* a letter's own height moves its centre a little */
                        down &= v >= hi - 0.4 * size;
                        up &= v <= lo + 0.4 * size;
                }
                lo = MIN(lo, v);
                hi = MAX(hi, v);
        }
        return down || up;
}

/* The tallest character box of @l. */
static double
rd_pdf_line_height(const RdPdfLine *l, const PopplerRectangle *rects)
{
        double h = 0.0;

        for (int c = l->first; c <= l->last; c++)
                h = MAX(h, rects[c].y2 - rects[c].y1);
        return h;
}

/* Does @b go on from @a as the next letters of a slanted word: beside
 * it (not under it, as the next line of a column is) and a step higher
 * or lower, less than a letter's height? */
static gboolean
rd_pdf_piece_steps(const RdPdfLine *a, const RdPdfLine *b, const PopplerRectangle *rects)
{
        double h = MIN(rd_pdf_line_height(a, rects), rd_pdf_line_height(b, rects));
        double ya = (rects[a->first].y1 + rects[a->first].y2) / 2.0;
        double yb = (rects[b->first].y1 + rects[b->first].y2) / 2.0;
        double dy = fabs(ya - yb);

        return h > 0.0 && (b->min_x >= a->max_x - 0.3 * h || a->min_x >= b->max_x - 0.3 * h) &&
               dy >= 0.15 * h && dy <= 0.9 * h;
}

/* Do the @n pieces @word_lines make one slanted word: two or more, each
 * after the first going on from one before it? */
static gboolean
rd_pdf_pieces_step(GArray *lines, const guint *word_lines, guint n, const PopplerRectangle *rects)
{
        if (n < 2)
                return FALSE;
        for (guint k = 1; k < n; k++) {
                gboolean on = FALSE;

                for (guint m = 0; m < k && !on; m++)
                        on = rd_pdf_piece_steps(&g_array_index(lines, RdPdfLine, word_lines[m]),
                                                &g_array_index(lines, RdPdfLine, word_lines[k]), rects);
                if (!on)
                        return FALSE;
        }
        return TRUE;
}

/* The lines of the word the @n lines from @i make, in *@word (its first
 * @n, then its later pieces): the short pieces after them that touch the
 * word, letter to letter, and whose letters are as tall as its own. They
 * are the rest of a stamp that poppler set apart, among the lines of the
 * form it lies across (a "U" after the row of options its slant
 * crosses); each is marked in @taken. Returns how many lines *@word
 * holds. */
static guint
rd_pdf_slant_lines(GArray *lines, guint i, guint n, const PopplerRectangle *rects, guint8 *taken,
                   guint word[RD_PDF_SLANT_RUN])
{
        guint last = MIN(lines->len, i + n + RD_PDF_SLANT_SCAN), in_word = 0;
        double height = 0.0;

        for (guint k = 0; k < n && in_word < RD_PDF_SLANT_RUN; k++) {
                word[in_word++] = i + k;
                height = MAX(height, rd_pdf_line_height(&g_array_index(lines, RdPdfLine, i + k), rects));
        }
        for (gboolean more = TRUE; more && in_word < RD_PDF_SLANT_RUN;) {
                more = FALSE;
                for (guint j = i + n; j < last && in_word < RD_PDF_SLANT_RUN; j++) {
                        const RdPdfLine *l = &g_array_index(lines, RdPdfLine, j);
                        double h;

                        if (taken[j] || !rd_pdf_short_piece(l))
                                continue;
                        h = rd_pdf_line_height(l, rects);
                        if (h < 0.75 * height || h > height / 0.75)
                                continue;
                        for (guint m = 0; m < in_word; m++) {
                                if (rd_pdf_lines_touch(&g_array_index(lines, RdPdfLine, word[m]), l, rects)) {
                                        taken[j] = TRUE;
                                        word[in_word++] = j;
                                        more = TRUE;
                                        break;
                                }
                        }
                }
        }
        return in_word;
}

/* A word set on a slant (a stamp laid across a form: "URGENT" at 30
 * degrees) comes out of poppler a few letters a line, in any order
 * ("T", "N", "E", "URG"), and a piece of it can come later, among the
 * form's lines it crosses. Returns how many lines from @i are pieces of
 * one such word (1 when none), with the word in reading order in
 * *ret_word: left to right, or top to bottom for a word set straight
 * down the page; marks in @taken the later lines that are pieces too. */
static guint
rd_pdf_slanted_word(GArray *lines, guint i, const char *text, const PopplerRectangle *rects,
                    guint8 *taken, char **ret_word)
{
        guint n = 0, chars = 0, word_lines[RD_PDF_SLANT_RUN], n_word;
        g_autoptr(GArray) idx = NULL;
        GString *word;

        *ret_word = NULL;
        /* the short lines from @i, and those of them that join the first
         * through touching letters: the word, when they come first */
        {
                guint run = 0;
                gboolean in[RD_PDF_SLANT_RUN] = { TRUE };

                while (i + run < lines->len && run < RD_PDF_SLANT_RUN &&
                       rd_pdf_short_piece(&g_array_index(lines, RdPdfLine, i + run)))
                        run++;
                for (gboolean more = TRUE; more;) {
                        more = FALSE;
                        for (guint k = 1; k < run; k++) {
                                if (in[k])
                                        continue;
                                for (guint m = 0; m < run && !in[k]; m++)
                                        if (in[m] && rd_pdf_lines_touch(&g_array_index(lines, RdPdfLine, i + m),
                                                                        &g_array_index(lines, RdPdfLine, i + k),
                                                                        rects))
                                                in[k] = more = TRUE;
                        }
                }
                while (n < run && in[n])
                        n++;
        }
        for (guint k = 0; k < n; k++) {
                const RdPdfLine *l = &g_array_index(lines, RdPdfLine, i + k);

                chars += (guint)(l->last - l->first + 1);
        }
        if (chars < 3)
                return 1;
        n_word = rd_pdf_slant_lines(lines, i, n, rects, taken, word_lines);
        idx = g_array_new(FALSE, FALSE, sizeof(int));
        for (guint k = 0; k < n_word; k++) {
                const RdPdfLine *l = &g_array_index(lines, RdPdfLine, word_lines[k]);

                for (int c = l->first; c <= l->last; c++)
                        g_array_append_val(idx, c);
        }
        {
                double x0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y0 = G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
                RdPdfSlant sl = { rects, FALSE };

                for (guint k = 0; k < idx->len; k++) {
                        const PopplerRectangle *r = &rects[g_array_index(idx, int, k)];

                        x0 = MIN(x0, (r->x1 + r->x2) / 2);
                        x1 = MAX(x1, (r->x1 + r->x2) / 2);
                        y0 = MIN(y0, (r->y1 + r->y2) / 2);
                        y1 = MAX(y1, (r->y1 + r->y2) / 2);
                }
                /* stamps read left to right at any slant: only a word
                 * set straight down (within ~10 degrees) reads downwards */
                sl.down = x1 - x0 < 0.2 * (y1 - y0);
                g_array_sort_with_data(idx, rd_pdf_cmp_along, &sl);
                /* one piece begins a word only when the later ones go on
                 * from it a step up or down the page (poppler cut
                 * "URGENT" at 30 degrees into "URG" and, lines later,
                 * "ENT") */
                if ((n == 1 && !rd_pdf_pieces_step(lines, word_lines, n_word, rects)) || !rd_pdf_one_slant(idx, &sl)) {
                        for (guint k = n; k < n_word; k++)
                                taken[word_lines[k]] = FALSE;
                        return 1;
                }
        }
        word = g_string_new(NULL);
        for (guint k = 0; k < idx->len; k++) {
                const char *at = g_utf8_offset_to_pointer(text, g_array_index(idx, int, k));

                g_string_append_len(word, at, g_utf8_next_char(at) - at);
        }
        *ret_word = g_string_free(word, FALSE);
        return n;
}

/* The page's text with pdftotext's words. poppler_page_get_text() orders the
 * text as pdftotext does, but it prints a table row (the cells poppler finds
 * side by side) as one line with nothing between the cells: "Fax:" and
 * "555.987.0000" come out as "Fax:555.987.0000". Every character has a box
 * (poppler_page_get_text_layout()); where two characters with no space
 * between them do not touch, a new line begins, as pdftotext begins one for
 * each cell. Like pdftotext, a line ending in a hyphen is joined to the next
 * one without the hyphen when that one continues the paragraph below it. */
static char *
rd_pdf_page_text(PopplerPage *page, const char *text, double width, double height)
{
        PopplerRectangle *rects = NULL;
        guint n_rects = 0;
        g_autoptr(GArray) lines = NULL;
        g_autoptr(GPtrArray) marked = NULL;
        g_autofree guint8 *taken = NULL;
        g_autoptr(GPtrArray) stamps = g_ptr_array_new_with_free_func(g_free);
        RdPdfLine line = { 0, 0, -1, -1, 0.0, 0.0 };
        GString *out;
        const char *p;
        int prev = -1;
        guint i;

        if (!poppler_page_get_text_layout(page, &rects, &n_rects) ||
            (glong)n_rects != g_utf8_strlen(text, -1)) {
                /* no boxes to go by: the page text as poppler gives it */
                g_free(rects);
                return g_strdup(text);
        }
        lines = g_array_new(FALSE, FALSE, sizeof(RdPdfLine));
        for (p = text, i = 0; *p != '\0'; p = g_utf8_next_char(p), i++) {
                gunichar c = g_utf8_get_char(p);
                gsize at = (gsize)(p - text);

                if (c == '\n') {
                        line.end = at;
                        g_array_append_val(lines, line);
                        line = (RdPdfLine){ at + 1, at + 1, -1, -1, 0.0, 0.0 };
                        prev = -1;
                        continue;
                }
                if (rd_pdf_is_space(c)) {
                        prev = -1;
                        continue;
                }
                if (prev >= 0 && !rd_pdf_chars_touch(&rects[prev], &rects[i])) {
                        line.end = at;
                        g_array_append_val(lines, line);
                        line = (RdPdfLine){ at, at, -1, -1, 0.0, 0.0 };
                }
                prev = (int)i;
                if (line.first < 0) {
                        line.first = (int)i;
                        line.min_x = rects[i].x1;
                        line.max_x = rects[i].x2;
                }
                line.last = (int)i;
                line.min_x = MIN(line.min_x, rects[i].x1);
                line.max_x = MAX(line.max_x, rects[i].x2);
        }
        line.end = (gsize)(p - text);
        g_array_append_val(lines, line);

        marked = rd_pdf_text_marks(page, text, rects, lines, width, height);
        taken = g_new0(guint8, lines->len);
        out = g_string_sized_new((gsize)(p - text) + lines->len);
        for (i = 0; i < lines->len; i++) {
                const RdPdfLine *l = &g_array_index(lines, RdPdfLine, i);
                gsize len = l->end - l->start;

                /* a piece of a slanted word written out already */
                if (taken[i])
                        continue;

                if (marked != NULL && g_ptr_array_index(marked, i) != NULL) {
                        g_string_append(out, g_ptr_array_index(marked, i));
                        if (i + 1 < lines->len)
                                g_string_append_c(out, '\n');
                        continue;
                }
                if (rd_pdf_short_piece(l)) {
                        g_autofree char *word = NULL;
                        guint n = rd_pdf_slanted_word(lines, i, text, rects, taken, &word);

                        if (word != NULL) {
                                g_ptr_array_add(stamps, g_steal_pointer(&word));
                                i += n - 1;
                                continue;
                        }
                }

                /* a hyphen ends a word ("consul-"); after a space it is
                 * a dash ("Last/First -", a form's label and its value
                 * column) */
                if (i + 1 < lines->len && len > 1 && text[l->end - 1] == '-' &&
                    (g_ascii_isalpha(text[l->end - 2]) || (guchar)text[l->end - 2] >= 0x80) &&
                    rd_pdf_continues(l, &g_array_index(lines, RdPdfLine, i + 1), rects)) {
                        g_string_append_len(out, text + l->start, (gssize)len - 1);
                        continue;
                }
                g_string_append_len(out, text + l->start, (gssize)len);
                if (i + 1 < lines->len)
                        g_string_append_c(out, '\n');
        }
        /* a stamp's word on a line of its own at the end of the page, as
         * the OCR gives a stamp: not among the rows of a table it lies
         * across, where it would pass for one of its values */
        for (i = 0; i < stamps->len; i++) {
                if (out->len > 0 && out->str[out->len - 1] != '\n')
                        g_string_append_c(out, '\n');
                g_string_append(out, g_ptr_array_index(stamps, i));
        }
        g_free(rects);
        return g_string_free(out, FALSE);
}

static gboolean
rd_pdf_render(RdPagesCtx *ctx, PopplerPage *page, guint index, double width, double height,
              gint64 start, GError **error)
{
        double dpi_x = RD_PDF_DPI_X, dpi_y = RD_PDF_DPI_Y;
        double pw = width * dpi_x / 72.0, ph = height * dpi_y / 72.0;
        double max_pixels = (double)ctx->limits->max_page_pixels;
        g_autoptr(PIX) pix = NULL;
        int w, h;

        /* an oversized page is rendered smaller, down to a legible minimum;
         * the size is known from the page box before anything is drawn */
        if (pw * ph > max_pixels || pw > RD_PDF_MAX_SIDE || ph > RD_PDF_MAX_SIDE) {
                double f = MIN(sqrt(max_pixels / (pw * ph)),
                               MIN(RD_PDF_MAX_SIDE / pw, RD_PDF_MAX_SIDE / ph));

                dpi_x *= f;
                dpi_y *= f;
                if (dpi_x < RD_PDF_MIN_DPI || dpi_y < RD_PDF_MIN_DPI) {
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT,
                                    "page %u is %.0fx%.0f points, too large to render", index + 1,
                                    width, height);
                        return FALSE;
                }
        }
        w = MAX((int)ceil(width * dpi_x / 72.0 - 0.01), 1);
        h = MAX((int)ceil(height * dpi_y / 72.0 - 0.01), 1);
        if (!rd_pages_check_size(ctx, index, (guint64)w, (guint64)h, 32, error))
                return FALSE;

        pix = rd_pdf_render_gray(page, w, h, dpi_x, dpi_y);
        if (pix == NULL) {
                g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_LIMIT,
                            "page %u: cannot allocate %dx%d pixels", index + 1, w, h);
                return FALSE;
        }
        /* a fax in a PDF reads as the same fax in a TIFF: in 1 bit, and a
         * standard fax with its 98 lines per inch, not each drawn twice
         * (every dot of a faxed grid would weigh twice) */
        if (rd_ocr_two_tone(pix)) {
                PIX *bits = pixThresholdToBinary(pix, 128);

                if (bits != NULL) {
                        pixCopyResolution(bits, pix);
                        pixDestroy(&pix);
                        pix = bits;
                }
                if (bits != NULL && rd_pdf_rows_doubled(pix)) {
                        PIX *half = pixScaleBySampling(pix, 1.0f, 0.5f);

                        if (half != NULL) {
                                pixSetResolution(half, pixGetXRes(pix), pixGetYRes(pix) / 2);
                                pixDestroy(&pix);
                                pix = half;
                        }
                }
        }
        return rd_pages_add_image(ctx, pix, start, error);
}

static void
rd_pdf_drop_log(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
        (void)domain;
        (void)level;
        (void)message;
        (void)data;
}

gboolean
rd_pages_read_pdf(RdPagesCtx *ctx, const guint8 *data, gsize len, GError **error)
{
        static gsize quiet = 0;
        g_autoptr(GBytes) bytes = g_bytes_new_static(data, len);
        g_autoptr(GError) local_error = NULL;
        g_autoptr(RdPopplerDocument) doc = NULL;
        int n_pages;

        /* poppler reports every syntax problem of a damaged file through
         * g_log("Poppler"): thousands of lines for one hostile PDF, in the
         * journal. What matters reaches the caller as a GError. */
        if (g_once_init_enter(&quiet)) {
                g_log_set_handler("Poppler", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
                                                     G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG,
                                  rd_pdf_drop_log, NULL);
                g_once_init_leave(&quiet, 1);
        }
        doc = poppler_document_new_from_bytes(bytes, NULL, &local_error);
        if (doc == NULL) {
                if (g_error_matches(local_error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
                        g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_ENCRYPTED,
                                            "pdf is encrypted");
                else
                        g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                                            "damaged pdf: cannot open it");
                return FALSE;
        }
        n_pages = poppler_document_get_n_pages(doc);
        if (n_pages <= 0) {
                g_set_error_literal(error, RD_PAGES_ERROR, RD_PAGES_ERROR_EMPTY,
                                    "pdf has no pages");
                return FALSE;
        }

        for (int i = 0; i < n_pages; i++) {
                gint64 start = g_get_monotonic_time();
                g_autoptr(RdPopplerPage) page = NULL;
                g_autofree char *text = NULL;
                double width = 0.0, height = 0.0;

                if (!rd_pages_check_next(ctx, (guint)i, (guint)n_pages, error))
                        return FALSE;
                page = poppler_document_get_page(doc, i);
                if (page == NULL) {
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                                    "damaged pdf: cannot load page %d", i + 1);
                        return FALSE;
                }
                poppler_page_get_size(page, &width, &height);
                if (!isfinite(width) || !isfinite(height) || width < 1.0 || height < 1.0) {
                        g_set_error(error, RD_PAGES_ERROR, RD_PAGES_ERROR_CORRUPT,
                                    "damaged pdf: page %d has no size", i + 1);
                        return FALSE;
                }
                text = poppler_page_get_text(page);
                if (rd_pdf_has_text_layer(page, text, width, height)) {
                        g_autofree char *valid = g_utf8_make_valid(text, -1);

                        rd_pages_add_text(ctx, rd_pdf_page_text(page, valid, width, height), start);
                        continue;
                }
                if (!rd_pdf_render(ctx, page, (guint)i, width, height, start, error))
                        return FALSE;
        }
        return TRUE;
}
