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

/* The token (a run of non-spaces) that ends before @label_start on @line,
 * spaces between skipped: [*@ret_start, *@ret_end). FALSE when there is
 * none or it is @max bytes long or longer (@max 0: any length). */
gboolean rd_token_before(const char *line, const char *label_start, gsize max, const char **ret_start,
                         const char **ret_end);

/* Does @s hold a checkbox: a box glyph, ticked or empty, or a bracket
 * ("CLINIC - [x] General Cardiology" is a row of options, no value)? */
gboolean rd_holds_checkbox(const char *s);

/* The checkbox written just before @label_start on @line, or just after
 * the option that ends at @label_end ("Urgent [X]"). */
RdBox rd_checkbox_before(const char *line, const char *label_start);
RdBox rd_checkbox_after(const char *label_end);

/* Is the checkbox written just before @label_start on the line ticked?
 * Tolerates OCR damage ("[XJ", "K}", "&]" ticked; "[J", "(1", "O" empty). */
gboolean rd_checkbox_ticked(const char *line, const char *label_start);

G_END_DECLS
