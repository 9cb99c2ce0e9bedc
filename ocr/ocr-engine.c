/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Owns the Tesseract handles: recognition, quality scoring and the decision
 * how a page is read: not at all (blank), only its text regions turned
 * upright (a tracing), or whole with an orientation check on its body. */
#include <string.h>
#include <tesseract/capi.h>

#include "marks-private.h"
#include "ocr-private.h"
#include "picture-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rd-ocr"

struct RdOcrEngine {
        TessBaseAPI *api; /* owned, "eng" */
        TessBaseAPI *osd; /* owned, "osd", created on first need */
        gboolean osd_unavailable;
        guint pages;
        guint osd_runs;
        guint rotated;
};

/* One recognition pass over one image. */
typedef struct {
        char *text; /* owned */
        double confidence;
        guint n_words;
        guint n_good;
        guint n_body_words; /* words below the header band */
        guint n_body_good;
        int rotation; /* clockwise turn Tesseract's layout analysis found the text needs */
} RdOcrPass;

static void
rd_ocr_pass_clear(RdOcrPass *pass)
{
        g_clear_pointer(&pass->text, g_free);
}

void
rd_ocr_result_clear(RdOcrResult *result)
{
        if (result == NULL)
                return;
        g_clear_pointer(&result->text, g_free);
}

static void
rd_ocr_silence(TessBaseAPI *api)
{
        /* tprintf() chatter ("Detected N diacritics", "Estimating
         * resolution") would go to stderr, i.e. the journal */
        TessBaseAPISetVariable(api, "debug_file", "/dev/null");
}

RdOcrEngine *
rd_ocr_engine_new(GError **error)
{
        g_autofree RdOcrEngine *self = g_new0(RdOcrEngine, 1);

        setMsgSeverity(L_SEVERITY_NONE);
        self->api = TessBaseAPICreate();
        rd_ocr_silence(self->api);
        if (TessBaseAPIInit3(self->api, NULL, "eng") != 0) {
                TessBaseAPIDelete(self->api);
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_INIT,
                                    "cannot load the tesseract \"eng\" model");
                return NULL;
        }
        rd_ocr_silence(self->api);
        /* the API default is a single block; whole pages (forms, columns,
         * letterheads) need the automatic layout analysis the CLI uses */
        TessBaseAPISetPageSegMode(self->api, PSM_AUTO);
        return g_steal_pointer(&self);
}

void
rd_ocr_engine_free(RdOcrEngine *self)
{
        if (self == NULL)
                return;
        if (self->api != NULL) {
                TessBaseAPIEnd(self->api);
                TessBaseAPIDelete(self->api);
        }
        if (self->osd != NULL) {
                TessBaseAPIEnd(self->osd);
                TessBaseAPIDelete(self->osd);
        }
        g_free(self);
}

void
rd_ocr_engine_get_stats(const RdOcrEngine *self, guint *ret_pages, guint *ret_osd_runs,
                        guint *ret_rotated)
{
        if (ret_pages != NULL)
                *ret_pages = self->pages;
        if (ret_osd_runs != NULL)
                *ret_osd_runs = self->osd_runs;
        if (ret_rotated != NULL)
                *ret_rotated = self->rotated;
}

/* A "good" word is what upright text yields and rotated text almost never
 * does: three or more characters, mostly letters, read with confidence.
 * Upside-down pages come back as punctuation soup with low confidences. */
static gboolean
rd_ocr_word_is_good(const char *word, float conf)
{
        guint letters = 0, total = 0;

        if (conf < 60.0f)
                return FALSE;
        for (const char *p = word; *p != '\0'; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                total++;
                if (g_unichar_isalpha(c))
                        letters++;
        }
        return letters >= 3 && letters * 5 >= total * 4;
}

/* The fax header band: a sending machine stamps an upright line of good
 * words at the top of every page, whichever way the page itself runs. */
static int
rd_ocr_header_rows(PIX *pix)
{
        return pixGetHeight(pix) * RD_OCR_HEADER_PERMILLE / 1000;
}

static gboolean
rd_ocr_engine_pass(RdOcrEngine *self, PIX *pix, int ppi, gboolean marks, gint64 deadline_us,
                   RdOcrPass *ret, GError **error)
{
        int header = rd_ocr_header_rows(pix);
        ETEXT_DESC *monitor = NULL;
        TessResultIterator *it;
        char *text;
        int rc;

        TessBaseAPISetImage2(self->api, pix);
        TessBaseAPISetSourceResolution(self->api, ppi);
        if (deadline_us > 0) {
                gint64 left_ms = (deadline_us - g_get_monotonic_time()) / 1000;

                if (left_ms <= 0) {
                        g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_TIMEOUT,
                                            "time budget exhausted");
                        return FALSE;
                }
                monitor = TessMonitorCreate();
                TessMonitorSetDeadlineMSecs(monitor, (int)MIN(left_ms, G_MAXINT));
        }
        rc = TessBaseAPIRecognize(self->api, monitor);
        if (monitor != NULL)
                TessMonitorDelete(monitor);
        if (deadline_us > 0 && g_get_monotonic_time() >= deadline_us) {
                TessBaseAPIClear(self->api);
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_TIMEOUT,
                                    "time budget exhausted during ocr");
                return FALSE;
        }
        if (rc != 0) {
                TessBaseAPIClear(self->api);
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_FAILED,
                                    "tesseract could not recognise the page");
                return FALSE;
        }

        it = TessBaseAPIGetIterator(self->api);
        ret->n_words = ret->n_good = ret->n_body_words = ret->n_body_good = 0;
        ret->rotation = 0;
        if (it != NULL) {
                /* words running right, up, left, down the page */
                guint by_direction[4] = { 0 };

                do {
                        char *word = TessResultIteratorGetUTF8Text(it, RIL_WORD);
                        float conf = TessResultIteratorConfidence(it, RIL_WORD);
                        int x1 = 0, y1 = 0, x2 = 0, y2 = 0;
                        int left = 0, top = 0, right = 0, bottom = 0;

                        if (word != NULL) {
                                gboolean body = !TessPageIteratorBoundingBox(
                                                        TessResultIteratorGetPageIterator(it),
                                                        RIL_WORD, &left, &top, &right, &bottom) ||
                                                top >= header;
                                gboolean good = g_utf8_validate(word, -1, NULL) &&
                                                rd_ocr_word_is_good(word, conf);

                                /* baselines are in page coordinates, so
                                 * they show which way the text runs */
                                if (TessPageIteratorBaseline(TessResultIteratorGetPageIterator(it),
                                                             RIL_WORD, &x1, &y1, &x2, &y2)) {
                                        int dx = x2 - x1, dy = y2 - y1;

                                        if (ABS(dx) >= ABS(dy))
                                                by_direction[dx >= 0 ? 0 : 2]++;
                                        else
                                                by_direction[dy < 0 ? 1 : 3]++;
                                }
                                ret->n_words++;
                                ret->n_good += good;
                                ret->n_body_words += body;
                                ret->n_body_good += body && good;
                                TessDeleteText(word);
                        }
                } while (TessResultIteratorNext(it, RIL_WORD));
                TessResultIteratorDelete(it);
                /* Tesseract reads text set sideways by itself (it turns
                 * the page when most lines are vertical); only the report
                 * needs the angle. Text running up the page needs a
                 * clockwise quarter turn. */
                if (by_direction[1] * 2 > ret->n_words)
                        ret->rotation = 90;
                else if (by_direction[3] * 2 > ret->n_words)
                        ret->rotation = 270;
                else if (by_direction[2] * 2 > ret->n_words)
                        ret->rotation = 180;
        }
        text = TessBaseAPIGetUTF8Text(self->api);
        ret->text = g_utf8_make_valid(text != NULL ? text : "", -1);
        if (text != NULL)
                TessDeleteText(text);
        ret->confidence = ret->n_words > 0 ? MAX(TessBaseAPIMeanTextConf(self->api), 0) : 0.0;
        /* a form's boxes and rings, which OCR reads as noise or not at all
         * (a tracing's grid is all boxes: not there); last, as it may read
         * a ringed word again */
        if (marks) {
                char *marked = rd_marks_annotate(self->api, pix, ppi, ret->text);

                if (marked != NULL) {
                        g_free(ret->text);
                        ret->text = g_utf8_make_valid(marked, -1);
                        g_free(marked);
                }
        }
        TessBaseAPIClear(self->api);
        return TRUE;
}

/* Upright text: most words good and a decent mean confidence. Pages with
 * few good words among many (tracings, rotated text) are worth an
 * orientation check: a sideways page yields fragments, an upside-down one
 * punctuation soup. Only the body counts: the upright fax header line on
 * a page faxed the wrong way up must not vouch for it. */
static gboolean
rd_ocr_pass_is_poor(const RdOcrPass *pass)
{
        guint words = pass->n_body_words, good = pass->n_body_good;

        /* nothing on the page to orient: OSD would only guess (and cost
         * ~0.5 s on every blank back side) */
        if (words < 5)
                return FALSE;
        if (good >= 40 && good * 2 >= words)
                return FALSE;
        /* an upside-down page yields a handful of good words at most; 30
         * read with confidence are upright text among tables and rules
         * (on the samples OSD then always said 0, at ~0.4 s a page) */
        if (good >= 30 && pass->confidence >= 75.0)
                return FALSE;
        if (good >= 8 && good * 3 >= words * 2 && pass->confidence >= 70.0)
                return FALSE;
        return TRUE;
}

/* Is @pass junk: twenty words or more in the body, not one in ten of
 * them good? Upright print reads far better, even damaged. */
static gboolean
rd_ocr_pass_is_junk(const RdOcrPass *pass)
{
        return pass->n_body_words >= 20 && pass->n_body_good * 10 < pass->n_body_words;
}

/* Returns the clockwise rotation that makes @pix upright according to OSD:
 * 0 also when OSD is unavailable, -1 when it is unsure. */
static int
rd_ocr_engine_detect_orientation(RdOcrEngine *self, PIX *pix, int ppi)
{
        int deg = 0;
        float deg_conf = 0.0f, script_conf = 0.0f;
        const char *script = NULL;

        if (self->osd_unavailable)
                return 0;
        if (self->osd == NULL) {
                self->osd = TessBaseAPICreate();
                rd_ocr_silence(self->osd);
                if (TessBaseAPIInit2(self->osd, NULL, "osd", OEM_TESSERACT_ONLY) != 0) {
                        g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "MESSAGE",
                                         "osd model unavailable, orientation not checked");
                        TessBaseAPIDelete(self->osd);
                        self->osd = NULL;
                        self->osd_unavailable = TRUE;
                        return 0;
                }
                rd_ocr_silence(self->osd);
        }
        self->osd_runs++;
        TessBaseAPISetImage2(self->osd, pix);
        TessBaseAPISetSourceResolution(self->osd, ppi);
        if (!TessBaseAPIDetectOrientationScript(self->osd, &deg, &deg_conf, &script,
                                                &script_conf))
                deg = 0;
        TessBaseAPIClear(self->osd);
        if (g_getenv("RD_OCR_DEBUG") != NULL)
                g_printerr("rd-ocr: osd deg=%d conf=%.2f\n", deg, deg_conf);
        /* OSD's confidence is a margin over the runner-up; below ~1.5 it
         * flips between candidates on pages with little text: unsure */
        if (deg_conf < 1.5f)
                return -1;
        /* deg is the counter-clockwise angle of the text; undo it */
        return (360 - deg) % 360;
}

/* Returns the clockwise turn OSD finds for the body of @pix (below the
 * fax header band, which is upright whichever way the page runs), -1
 * when it is unsure. */
static int
rd_ocr_engine_orient_body(RdOcrEngine *self, PIX *pix, int ppi)
{
        int header = rd_ocr_header_rows(pix);
        BOX *box = boxCreate(0, header, pixGetWidth(pix), pixGetHeight(pix) - header);
        g_autoptr(PIX) body = box != NULL ? pixClipRectangle(pix, box, NULL) : NULL;
        int turn = 0;

        if (body != NULL) {
                pixSetResolution(body, ppi, ppi);
                turn = rd_ocr_engine_detect_orientation(self, body, ppi);
        }
        boxDestroy(&box);
        return turn;
}

/* Returns: (transfer full) @prepared with everything but the text-like
 * regions of @mask (a working-scale 1 bpp mask) whitened: the header,
 * measurements and lead labels of a tracing, not its waveform nor grid,
 * which only cost Tesseract time and yield punctuation. */
static PIX *
rd_ocr_text_regions(PIX *prepared, PIX *mask)
{
        int pw = pixGetWidth(prepared), ph = pixGetHeight(prepared);
        /* whole text lines, not only the letters the mask kept: a thin
         * capital I at a word's start looks like a stroke of the trace,
         * and the mask comes from a reduced, slightly straightened copy
         * (half a degree moves a line's end by 9 px of it: 7 px of
         * margin above and below cut the tops off a header line) */
        g_autoptr(PIX) grown = pixDilateBrick(NULL, mask, 41, 15);
        g_autoptr(PIX) big = NULL;
        PIX *out;

        if (grown == NULL)
                return NULL;
        big = pixScale(grown, (float)pw / (float)pixGetWidth(mask),
                       (float)ph / (float)pixGetHeight(mask));
        if (big == NULL)
                return NULL;
        pixInvert(big, big);
        out = pixCopy(NULL, prepared);
        if (out != NULL)
                pixSetMasked(out, big, pixGetDepth(out) == 1 ? 0 : 255);
        return out;
}

/* Reads @text turned by @turn into @pass. */
static gboolean
rd_ocr_engine_pass_turned(RdOcrEngine *self, PIX *text, int turn, int ppi, gint64 deadline_us,
                          RdOcrPass *pass, GError **error)
{
        g_autoptr(PIX) upright = turn != 0 ? rd_ocr_page_rotate(text, turn) : pixClone(text);

        if (upright == NULL) {
                g_set_error_literal(error, RD_OCR_ERROR, RD_OCR_ERROR_IMAGE,
                                    "cannot turn the page");
                return FALSE;
        }
        if (!rd_ocr_engine_pass(self, upright, ppi, FALSE, deadline_us, pass, error))
                return FALSE;
        pass->rotation = turn;
        return TRUE;
}

/* Returns how well @pass reads as an upright tracing: its good words and
 * its lead labels. The labels that change when turned upside down (aVR,
 * V1 ...) are often the only text on a tracing; I, II, III are not. */
static guint
rd_ocr_tracing_evidence(const RdOcrPass *pass)
{
        static const char *const labels[] = { "avr", "avl", "avf", "v1", "v2", "v3",
                                              "v4",  "v5",  "v6" };
        g_auto(GStrv) tokens = NULL;
        guint found = 0;

        if (pass->text == NULL)
                return pass->n_good * 2;
        tokens = g_strsplit_set(pass->text, " \t\n\r,.:;-_|", -1);
        for (guint i = 0; tokens[i] != NULL; i++)
                for (gsize k = 0; k < G_N_ELEMENTS(labels); k++)
                        if (g_ascii_strcasecmp(tokens[i], labels[k]) == 0)
                                found++;
        return pass->n_good * 2 + found;
}

/* A tracing's text read upright: below the header band, a dozen good
 * words or more, read with confidence. Its grid and traces give many
 * junk words either way, so their share tells nothing. On the sample
 * tracings upright gave 19-28 good words at 72-90, upside down 2-4 at
 * 31-67. */
static gboolean
rd_ocr_tracing_reads_upright(const RdOcrPass *pass)
{
        return pass->n_body_good >= 12 && pass->confidence >= 70.0;
}

/* A tracing: only its text regions are read (cheap: a mostly white page),
 * with the trace rows horizontal. Which of the two turns that give that
 * is upright, the spikes rarely tell; OSD on the text left below the
 * header band often does; when it cannot, both are read and the one with
 * more good words wins. */
static gboolean
rd_ocr_engine_read_tracing(RdOcrEngine *self, PIX *prepared, PIX *mask, int ppi,
                           gint64 deadline_us, RdOcrResult *ret, RdOcrPass *pass, GError **error)
{
        g_autoptr(PIX) text = rd_ocr_text_regions(prepared, mask);
        int base = ret->picture.tracing_angle == 90 ? 90 : 0;
        int turn = ret->picture.upright_turn, osd;
        RdOcrPass other = { 0 };

        if (text == NULL)
                text = pixClone(prepared);
        if (turn >= 0) {
                ret->passes = 1;
                return rd_ocr_engine_pass_turned(self, text, turn, ppi, deadline_us, pass, error);
        }
        /* first the way the rows run: a tracing's own words (its
         * measurements, the patient's block) read upright need no OSD */
        if (!rd_ocr_engine_pass_turned(self, text, base, ppi, deadline_us, pass, error))
                return FALSE;
        ret->passes = 1;
        if (g_getenv("RD_OCR_DEBUG") != NULL)
                g_printerr("rd-ocr: tracing pass%d body %u/%u conf=%.1f\n", base, pass->n_body_good,
                           pass->n_body_words, pass->confidence);
        if (rd_ocr_tracing_reads_upright(pass))
                return TRUE;
        ret->osd_used = TRUE;
        osd = rd_ocr_engine_orient_body(self, text, ppi);
        if (osd == base)
                return TRUE;
        if (!rd_ocr_engine_pass_turned(self, text, base + 180, ppi, deadline_us, &other, error)) {
                rd_ocr_pass_clear(pass);
                return FALSE;
        }
        ret->passes = 2;
        /* OSD's word when it has one, else the turn that reads better */
        if (osd == base + 180 ||
            (osd != base && (rd_ocr_tracing_evidence(&other) > rd_ocr_tracing_evidence(pass) ||
                             (rd_ocr_tracing_evidence(&other) == rd_ocr_tracing_evidence(pass) &&
                              other.confidence > pass->confidence)))) {
                RdOcrPass tmp = *pass;

                *pass = other;
                other = tmp;
        }
        rd_ocr_pass_clear(&other);
        return TRUE;
}

/* Any other page: read as it is; when its body reads poorly, OSD on the
 * body decides whether a turned page is read again. */
static gboolean
rd_ocr_engine_read_page(RdOcrEngine *self, PIX *prepared, int ppi, gint64 deadline_us,
                        RdOcrResult *ret, RdOcrPass *first, GError **error)
{
        RdOcrPass second = { 0 };
        g_autoptr(PIX) turned = NULL;
        int turn;

        if (!rd_ocr_engine_pass(self, prepared, ppi, TRUE, deadline_us, first, error))
                return FALSE;
        ret->passes = 1;
        if (g_getenv("RD_OCR_DEBUG") != NULL)
                g_printerr("rd-ocr: pass0 words=%u good=%u body %u/%u conf=%.1f\n",
                           first->n_words, first->n_good, first->n_body_good,
                           first->n_body_words, first->confidence);
        if (!rd_ocr_pass_is_poor(first))
                return TRUE;
        ret->osd_used = TRUE;
        turn = rd_ocr_engine_orient_body(self, prepared, ppi);
        /* OSD unsure (a table, small type at a fax's resolution), or sure
         * of upright while hardly a word reads (a skewed, damaged page): a
         * page that reads this poorly is most often one fed upside down,
         * and read so it shows */
        if (turn < 0 || (turn == 0 && rd_ocr_pass_is_junk(first)))
                turn = 180;
        if (turn == 0)
                return TRUE;
        turned = rd_ocr_page_rotate(prepared, turn);
        if (turned == NULL)
                return TRUE;
        if (!rd_ocr_engine_pass(self, turned, ppi, TRUE, deadline_us, &second, error)) {
                rd_ocr_pass_clear(first);
                return FALSE;
        }
        ret->passes = 2;
        if (g_getenv("RD_OCR_DEBUG") != NULL)
                g_printerr("rd-ocr: pass%d words=%u good=%u conf=%.1f\n", turn,
                           second.n_words, second.n_good, second.confidence);
        /* trust OSD only when the turned page reads better */
        if (second.n_body_good > first->n_body_good) {
                RdOcrPass tmp = *first;

                second.rotation = (turn + second.rotation) % 360;
                *first = second;
                second = tmp;
        }
        rd_ocr_pass_clear(&second);
        return TRUE;
}

gboolean
rd_ocr_engine_read(RdOcrEngine *self, PIX *pix, guint deadline_ms, RdOcrResult *ret,
                   GError **error)
{
        gint64 start = g_get_monotonic_time();
        gint64 deadline_us = deadline_ms > 0 ? start + (gint64)deadline_ms * 1000 : 0;
        g_autoptr(PIX) prepared = NULL;
        g_autoptr(PIX) mask = NULL;
        RdOcrPass pass = { 0 };
        int ppi = 0;
        double skew = 0.0;
        gboolean ok;

        g_return_val_if_fail(self != NULL && pix != NULL && ret != NULL, FALSE);
        memset(ret, 0, sizeof(*ret));
        ret->width = pixGetWidth(pix);
        ret->height = pixGetHeight(pix);

        prepared = rd_ocr_page_prepare(pix, &ppi, &skew, &ret->picture, &mask, error);
        if (prepared == NULL)
                return FALSE;
        if (ret->picture.blank) {
                /* specks or a header line: nothing worth a pass */
                pass.text = g_strdup("");
                ok = TRUE;
        } else if (rd_picture_is_tracing(&ret->picture) && mask != NULL) {
                ok = rd_ocr_engine_read_tracing(self, prepared, mask, ppi, deadline_us, ret, &pass,
                                                error);
        } else {
                ok = rd_ocr_engine_read_page(self, prepared, ppi, deadline_us, ret, &pass, error);
        }
        if (!ok)
                return FALSE;

        self->pages++;
        if (pass.rotation != 0)
                self->rotated++;
        ret->text = g_steal_pointer(&pass.text);
        ret->confidence = pass.confidence;
        ret->n_words = pass.n_words;
        ret->n_good = pass.n_good;
        ret->rotation = pass.rotation;
        ret->skew = skew;
        ret->ms = (guint)((g_get_monotonic_time() - start) / 1000);
        return TRUE;
}
