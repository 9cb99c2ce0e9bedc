/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "ocr/picture.h"

G_BEGIN_DECLS

/* How the text of a page was obtained. */
typedef enum {
        RD_PAGE_METHOD_TEXT_LAYER, /* PDF text layer, no OCR */
        RD_PAGE_METHOD_OCR,        /* rendered or embedded image, Tesseract */
        RD_PAGE_METHOD_BODY,       /* an email body (page 0) */
} RdPageMethod;

/* One page of an inbound item, as read. */
typedef struct {
        guint number;       /* 1-based over the whole item; an email body is 0 */
        char *source_part;  /* owned: "file", or the MIME part path "1.2" for email */
        char *text;         /* owned: UTF-8 text, never NULL */
        double confidence;  /* mean word confidence 0..100; 100 for a text layer */
        int rotation;       /* degrees the page was rotated to read it upright: 0/90/180/270 */
        double skew;        /* degrees of deskew applied */
        RdPageMethod method;
        guint ms;           /* milliseconds spent on this page */
        guint width, height;/* pixels as read (0 for a text layer) */
        RdPicture picture;  /* OCRed pages: what the image looks like (EKG tracing score,
                             * blank ...); zero (angles -1) for a text layer or an email body */
} RdPage;

RdPage *rd_page_new(void);
void rd_page_free(RdPage *page);
const char *rd_page_method_to_string(RdPageMethod method);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdPage, rd_page_free)

G_END_DECLS
