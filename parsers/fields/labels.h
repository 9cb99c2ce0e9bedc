/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Labelled values on forms: labels by class, columns, checkboxes. All pure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
        RD_BOX_NONE,    /* no box there (a word, or nothing) */
        RD_BOX_EMPTY,   /* a printed box, not marked: "[ ]", "☐", "( )" */
        RD_BOX_TICKED,  /* "[X]", "☒", "✓", "■", "X" */
} RdBox;

/* The checkbox written just before @label_start on @line, or just after
 * the option that ends at @label_end ("Urgent [X]"). */
RdBox rd_checkbox_before(const char *line, const char *label_start);
RdBox rd_checkbox_after(const char *label_end);

/* Is the checkbox written just before @label_start on the line ticked?
 * Tolerates OCR damage ("[XJ", "K}", "&]" ticked; "[J", "(1", "O" empty). */
gboolean rd_checkbox_ticked(const char *line, const char *label_start);

G_END_DECLS
