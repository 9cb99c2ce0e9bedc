/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The picture measure's extra output for the OCR engine. */
#pragma once

#include <leptonica/allheaders.h>

#include "picture.h"

G_BEGIN_DECLS

/* As rd_picture_measure(); also returns in *@ret_text_mask (transfer full,
 * may be NULL) a 1 bpp mask, at the working scale (ret->work_width x
 * ret->work_height, deskewed as the measure saw it), of the boxes of the
 * text-like components: what is worth OCR on a tracing page. */
gboolean rd_picture_measure_mask(PIX *pix, RdPicture *ret, PIX **ret_text_mask,
                                 GError **error);

G_END_DECLS
