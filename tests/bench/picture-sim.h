/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fax simulation and synthetic pages for the picture measure's tests and
 * benchmark: what a fax gateway makes of a printed page. */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>

G_BEGIN_DECLS

typedef enum {
        RD_SIM_FINE,     /* 204x196 dpi, thresholded */
        RD_SIM_STANDARD, /* 204x98 dpi, thresholded, a few dropped lines */
        RD_SIM_DITHER,   /* 204x196 dpi, error-diffusion dither */
} RdSimMode;

/* Returns: (transfer full) @src faxed: turned clockwise by @quads quarter
 * turns, scaled to a 1728 px wide page (or, when @on_portrait, fitted into
 * a portrait letter page), 1 bpp with specks, an upright fax header line
 * at the top, resolution tags as a gateway sets them. */
PIX *rd_sim_fax(PIX *src, RdSimMode mode, int quads, gboolean on_portrait, guint32 seed);

/* Returns: (transfer full) an 8 bpp synthetic 12-lead-like tracing
 * (4 rows of spiky periodic strokes) over a 5 mm grid, landscape,
 * with a few labels; @grid_level is the gray of the grid lines. */
PIX *rd_sim_tracing(int width, int grid_level, guint32 seed);

/* Returns: (transfer full) an 8 bpp letter page of text lines. */
PIX *rd_sim_text_page(int width, guint32 seed);

/* Returns: (transfer full) an 8 bpp letter page with a ruled table and
 * form boxes with words in them. */
PIX *rd_sim_table_page(int width, guint32 seed);

/* Returns: (transfer full) an 8 bpp letter page of scribbled
 * "handwriting" lines and a signature. */
PIX *rd_sim_handwriting_page(int width, guint32 seed);

G_END_DECLS
