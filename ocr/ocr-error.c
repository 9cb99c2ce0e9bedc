/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Owns the OCR error domain, so that every file of ocr/ can report errors
 * without depending on the engine. */
#include "ocr-engine.h"

G_DEFINE_QUARK(rd-ocr-error-quark, rd_ocr_error)
