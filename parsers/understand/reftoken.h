/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A referral's reference: "RD-" then 6 symbols then 1 check symbol, e.g.
 * "RD-JNT4PTJ".  The alphabet has no look-alikes (no 0/O, 1/I/L, 2/Z, 5/S,
 * 8/B), so a person can read it over the phone and OCR reads it back. */

#define RD_REFTOKEN_LEN 10 /* strlen("RD-XXXXXXC") */

/* The token of a referral id (1 .. 2^25): deterministic, one token per id,
 * consecutive ids give unlike tokens.  NULL when @id is out of range. */
char *rd_reftoken_from_id(guint64 id);

/* Reads a token as a person typed or OCR read it (case, spaces, dashes and
 * look-alike misreads forgiven); TRUE with the id when the check symbol
 * agrees. */
gboolean rd_reftoken_parse(const char *text, guint64 *ret_id);

/* Every valid token in free text (subject, body, OCR page), canonical
 * form, first appearance first, no repeats.  Never NULL. */
GPtrArray *rd_reftoken_find(const char *text);

G_END_DECLS
