/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The partner directory and the funnel report. */
#include <string.h>

#include "html.h"
#include "web-private.h"

gboolean
rd_web_partners_route(RdWebRequest *req, gboolean get, const char *path, GHashTable *form)
{
        (void)req;
        (void)get;
        (void)path;
        (void)form;
        return FALSE;
}
