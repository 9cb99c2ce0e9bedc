/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Person names as printed. All pure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Splits a clinician or patient name as printed ("Dr. Jane Doe",
 * "Doe, Jane MD", "DOE, JANE") into family and given names
 * without titles or credentials. Returns FALSE when it is not a name. */
gboolean rd_split_person_name(const char *raw, char **ret_family, char **ret_given);

/* One name word in its usual case: "DOE" -> "Doe"; mixed case is kept. */
char *rd_name_case(const char *word);

G_END_DECLS
