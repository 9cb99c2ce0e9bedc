/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A referral's reference: "RD-", then 9 random symbols and 1 check
 * symbol, written in two groups of five, e.g. "RD-JNT4P-TJKMX".  The
 * alphabet has no look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), so a person
 * can read it over the phone and OCR reads it back.  References given
 * by earlier versions are "RD-" then 6 symbols computed from the referral id and a
 * check symbol ("RD-JNT4PTJ"); they are still read, so that answers to old
 * requests find their referral. */

#define RD_REFTOKEN_LEN 14                   /* strlen("RD-XXXXX-XXXXC") */
#define RD_REFTOKEN_OLD_LEN 10               /* strlen("RD-XXXXXXC") */
#define RD_REFTOKEN_SPACE 322687697779ULL    /* 19^9: 38.2 bits */

/* The token of a random @value below RD_REFTOKEN_SPACE (the caller draws
 * it from the kernel's CSPRNG, uniformly); NULL when out of range. */
char *rd_reftoken_from_random(guint64 value);

/* The old token of a referral id (1 .. 2^25): a fixed scramble, kept only
 * to read old references back and for tests.  NULL when out of range. */
char *rd_reftoken_from_id(guint64 id);

/* Reads a token as a person typed or OCR read it (case, spaces, dashes and
 * look-alike misreads forgiven); TRUE with its canonical form (transfer
 * full, may be NULL) when the check symbol agrees. */
gboolean rd_reftoken_parse(const char *text, char **ret_token);

/* Every valid token in free text (subject, body, OCR page), canonical
 * form, first appearance first, no repeats.  Never NULL. */
GPtrArray *rd_reftoken_find(const char *text);

G_END_DECLS
