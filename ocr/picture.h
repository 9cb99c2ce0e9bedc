/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a page image looks like, measured from its pixels alone (no OCR):
 * how much it looks like a 12-lead EKG tracing, which way the tracing runs,
 * how much text it carries, whether it is blank. The score is a cue for the
 * classifier; it does not decide the document type. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

struct Pix; /* leptonica */

/* Share of ink at and above which a page is dark. */
#define RD_PICTURE_DARK_INK 0.4

/* Score at and above which a page is reported as a tracing. */
#define RD_PICTURE_ECG_THRESHOLD 0.5

typedef struct {
        double ecg_score;      /* 0..1: how much the page looks like a 12-lead tracing */
        int tracing_angle;     /* 0 when the trace rows run horizontally in the image,
                                * 90 when vertically (page turned); -1 unknown */
        int upright_turn;      /* clockwise turn (0/90/180/270) that sets the tracing
                                * upright, only when its spikes go clearly one way;
                                * -1 unknown (the usual case: OCR decides) */
        guint trace_rows;      /* long thin quasi-periodic stroke rows found */
        double trace_coverage; /* mean fraction of the width those rows span */
        guint spikes;          /* sharp excursions (QRS-like) found on those rows */
        double spike_regularity; /* 0..1: 1 when the spikes on a row are evenly spaced */
        double polarity;       /* share of spike excursion above the baseline (0.5 unknown) */
        double grid_score;     /* 0..1: regular straight grid lines */
        double text_density;   /* share of the page covered by text-like components */
        double ink;            /* share of the working image that is ink */
        gboolean blank;        /* nothing but specks / a header line */
        gboolean dark;         /* mostly ink (a dark photo or a bad scan faxed
                                * black): never blank, likely unreadable */
        gboolean ecg_paper;    /* no tracing found, but a dense grid of straight
                                * lines both ways over most of the page, as on
                                * ECG paper: a tracing the measure could not
                                * tell from its grid (a dark or shaded photo) */
        gboolean joined;       /* the trace was found only once its pieces were
                                * joined (a faint trace a fax broke up) */
        guint work_width;      /* the reduced image the measure ran on */
        guint work_height;
        guint ms;              /* time spent measuring */
} RdPicture;

/* Measures @pix (borrowed; any depth, colormap or alpha). Standard-fax
 * resolution tags (204x98) are honoured. Works on a reduced copy: a few
 * tens of milliseconds for a fax page. Returns FALSE with @error set only
 * for an unusable image. */
gboolean rd_picture_measure(struct Pix *pix, RdPicture *ret, GError **error);

/* Returns: (transfer full) one line explaining the measure, no page content. */
char *rd_picture_explain(const RdPicture *p);

/* TRUE when the score reaches RD_PICTURE_ECG_THRESHOLD. */
gboolean rd_picture_is_tracing(const RdPicture *p);

G_END_DECLS
