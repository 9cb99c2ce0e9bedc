/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Labelled values on forms: labels by class, columns, checkboxes. All pure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Is the checkbox written just before @label_start on the line ticked?
 * Tolerates OCR damage ("[XJ", "K}", "&]" ticked; "[J", "(1", "O" empty). */
gboolean rd_checkbox_ticked(const char *line, const char *label_start);

G_END_DECLS
