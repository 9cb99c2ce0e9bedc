/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fax-to-email relays (eFax, RingCentral, Sfax, Updox, SRFax, mFax, and
 * [replies] relay-senders): recognising one by its sender, and reading the
 * faxing office's number from what it sends.  Pure. */
#pragma once

#include <glib.h>

#include "daemon/config/replies.h"

G_BEGIN_DECLS

/* The relay's name ("efax", "ringcentral", ..., "configured") when
 * @from_addr is a relay's address, else NULL.  Static string. */
const char *rd_relay_name(const RdRepliesConfig *rc, const char *from_addr);

/* The sending office's fax number as a relay names it: in the subject
 * ("eFax message from 555-201-0042"), a body line (Caller ID, From,
 * Sender, CSID, Remote ID) or an attachment's file name
 * ("fax_5552010042_20261121.pdf"), in that order; never one of our own
 * numbers.  10 digits, or NULL.  @filenames: @n_filenames names. */
char *rd_relay_sender_fax(const RdRepliesConfig *rc, const char *subject, const char *body,
                          const char *const *filenames, guint n_filenames);

G_END_DECLS
