/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the web room's SQL files (web.c: reading, web-edit.c:
 * changing). */
#pragma once

#include "web.h"

G_BEGIN_DECLS

/* The items of a referral ($1): the first, and the follow-ups added to it. */
#define RD_REFERRAL_ITEMS \
        "(SELECT item_id FROM referral WHERE id = $1::bigint" \
        " UNION SELECT item_id FROM item_origin WHERE referral_id = $1::bigint)"

/* A referral's version as its forms carry it: updated_at in microseconds
 * (every writer of a referral sets updated_at = now()). */
#define RD_REFERRAL_VERSION "(extract(epoch FROM r.updated_at) * 1000000)::bigint::text"

G_END_DECLS
