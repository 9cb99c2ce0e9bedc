/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Identifiers: NANP telephone numbers, NPIs, ICD-10-CM codes. All pure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first NANP telephone number in @s as 10 digits, or NULL. */
char *rd_normalize_phone(const char *s);
/* The NANP number that starts exactly at @p ("(555) 222-4444",
 * "555.222.4444", "+1 555 222 4444", "5552224444") as 10 digits, or
 * NULL; @ret_len (may be NULL) gets the bytes it spans. */
char *rd_phone_at(const char *p, gsize *ret_len);

/* TRUE for a 10-digit NPI whose check digit is right (Luhn over
 * "80840" + the first 9 digits). */
gboolean rd_npi_is_valid(const char *npi);

/* Repairs one ICD-10-CM token as printed or read by OCR ("150.22" ->
 * "I50.22", "R94,39" -> "R94.39") and returns the dot form, or NULL when
 * it does not have a code's shape. */
char *rd_icd10_normalize(const char *token);

G_END_DECLS
