/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text that Tesseract's page layout left out.  Its automatic layout
 * sometimes takes a block of plain lines for a picture (a paragraph set
 * a little aslant, speckled by the fax) and returns nothing for it: a
 * letter's whole body between "Dear Colleague," and "Sincerely,".  The
 * picture shows what it dropped: letter-sized pieces of ink in rows that
 * no line it read covers.  Such a block is read again as one block of
 * text, and kept when it reads as words. */
#include <string.h>
#include <tesseract/capi.h>

#include "dropped.h"
#include "ocr-private.h"

/* the picture is grouped at a quarter of its size */
#define SCALE 4

void
rd_dropped_block_free(RdDroppedBlock *b)
{
        if (b == NULL)
                return;
        g_free(b->text);
        g_free(b);
}

static gboolean
inside_any(const BOXA *lines, int x, int y)
{
        for (int i = 0; i < boxaGetCount((BOXA *)lines); i++) {
                int lx, ly, lw, lh;

                boxaGetBoxGeometry((BOXA *)lines, i, &lx, &ly, &lw, &lh);
                if (x >= lx && x < lx + lw && y >= ly && y < ly + lh)
                        return TRUE;
        }
        return FALSE;
}

/* Whether @text reads as words: at least three of three letters or
 * more, and those the most of what it holds. */
static gboolean
reads_as_words(const char *text)
{
        g_auto(GStrv) words = g_strsplit_set(text, " \n\t", -1);
        guint n = 0, good = 0;

        for (guint i = 0; words[i] != NULL; i++) {
                guint letters = 0, all = 0;

                if (words[i][0] == '\0')
                        continue;
                n++;
                for (const char *p = words[i]; *p; p = g_utf8_next_char(p)) {
                        all++;
                        letters += g_unichar_isalpha(g_utf8_get_char(p));
                }
                good += letters >= 3 && letters * 5 >= all * 4;
        }
        return good >= 3 && good * 2 >= n;
}

GPtrArray *
rd_dropped_blocks(TessBaseAPI *api, PIX *bin, BOXA *ink, BOXA *lines, int ppi)
{
        GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)rd_dropped_block_free);
        g_autoptr(GArray) heights = g_array_new(FALSE, FALSE, sizeof(int));
        g_autoptr(PIX) left = NULL;
        BOXA *groups = NULL;
        int n, h, pw = pixGetWidth(bin), ph = pixGetHeight(bin), dropped = 0;

        if (ink == NULL || lines == NULL || boxaGetCount(lines) < 3)
                return out;
        n = boxaGetCount(ink);
        /* the height of the page's letters: the pieces inside lines read */
        for (int i = 0; i < n; i++) {
                int x, y, w, bh;

                boxaGetBoxGeometry(ink, i, &x, &y, &w, &bh);
                if (bh >= 4 && inside_any(lines, x + w / 2, y + bh / 2))
                        g_array_append_val(heights, bh);
        }
        if (heights->len < 20)
                return out;
        h = rd_ocr_median(heights);
        left = pixCreate(pw / SCALE + 1, ph / SCALE + 1, 1);
        if (left == NULL)
                return out;
        /* the letter-sized pieces no line read covers */
        for (int i = 0; i < n; i++) {
                int x, y, w, bh;

                boxaGetBoxGeometry(ink, i, &x, &y, &w, &bh);
                if (2 * bh < h || bh > 2 * h || w > 6 * h || w * 4 < h)
                        continue;
                if (inside_any(lines, x + w / 2, y + bh / 2))
                        continue;
                pixRasterop(left, x / SCALE, y / SCALE, MAX(w / SCALE, 1), MAX(bh / SCALE, 1), PIX_SET, NULL, 0,
                            0);
                dropped++;
        }
        if (dropped < 12)
                return out;
        /* into blocks: letters into words, words into lines, lines into
         * paragraphs */
        pixCloseSafeBrick(left, left, MAX(2 * h / SCALE, 3), MAX(2 * h / SCALE, 3));
        groups = pixConnCompBB(left, 8);
        /* a block set aslant comes apart in pieces whose boxes overlap */
        if (groups != NULL) {
                BOXA *merged = boxaCombineOverlaps(groups, NULL);

                boxaDestroy(&groups);
                groups = merged != NULL ? boxaSort(merged, L_SORT_BY_Y, L_SORT_INCREASING, NULL) : NULL;
                boxaDestroy(&merged);
        }
        for (int g = 0; groups != NULL && g < boxaGetCount(groups); g++) {
                int gx, gy, gw, gh, pieces = 0;
                g_autoptr(PIX) clip = NULL;
                BOX *box;
                char *got;

                boxaGetBoxGeometry(groups, g, &gx, &gy, &gw, &gh);
                gx *= SCALE;
                gy *= SCALE;
                gw *= SCALE;
                gh *= SCALE;
                /* a line of a few words at least */
                if (gw < 12 * h || gh < h)
                        continue;
                for (int i = 0; i < n; i++) {
                        int x, y, w, bh;

                        boxaGetBoxGeometry(ink, i, &x, &y, &w, &bh);
                        pieces += x >= gx && y >= gy && x + w <= gx + gw + SCALE && y + bh <= gy + gh + SCALE &&
                                  2 * bh >= h && bh <= 2 * h;
                }
                if (pieces < 12)
                        continue;
                gx = MAX(gx - h, 0);
                gy = MAX(gy - h / 2, 0);
                gw = MIN(gw + 2 * h, pw - gx);
                gh = MIN(gh + h, ph - gy);
                box = boxCreate(gx, gy, gw, gh);
                clip = box != NULL ? pixClipRectangle(bin, box, NULL) : NULL;
                boxDestroy(&box);
                if (clip == NULL)
                        continue;
                /* and not the lines read already that it reaches */
                for (int i = 0; i < boxaGetCount(lines); i++) {
                        int lx, ly, lw, lh;

                        boxaGetBoxGeometry(lines, i, &lx, &ly, &lw, &lh);
                        pixRasterop(clip, lx - gx, ly - gy, lw, lh, PIX_CLR, NULL, 0, 0);
                }
                {
                        TessPageSegMode mode = TessBaseAPIGetPageSegMode(api);

                        TessBaseAPISetPageSegMode(api, PSM_SINGLE_BLOCK);
                        TessBaseAPISetImage2(api, clip);
                        TessBaseAPISetSourceResolution(api, ppi);
                        got = TessBaseAPIGetUTF8Text(api);
                        TessBaseAPISetPageSegMode(api, mode);
                }
                if (got == NULL)
                        continue;
                if (g_utf8_validate(got, -1, NULL) && reads_as_words(got)) {
                        RdDroppedBlock *b = g_new0(RdDroppedBlock, 1);

                        b->y = gy;
                        b->text = g_strdup(got);
                        g_ptr_array_add(out, b);
                }
                TessDeleteText(got);
        }
        boxaDestroy(&groups);
        return out;
}
