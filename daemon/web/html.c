/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTML escaping and the frame every page shares.  The pages carry no
 * inline script or style: the Content-Security-Policy forbids both. */
#include <stdarg.h>

#include "html.h"

void
rd_html_text(GString *out, const char *text)
{
        for (const char *p = text; p && *p; p++) {
                switch (*p) {
                case '&':
                        g_string_append(out, "&amp;");
                        break;
                case '<':
                        g_string_append(out, "&lt;");
                        break;
                case '>':
                        g_string_append(out, "&gt;");
                        break;
                case '"':
                        g_string_append(out, "&quot;");
                        break;
                case '\'':
                        g_string_append(out, "&#39;");
                        break;
                default:
                        g_string_append_c(out, *p);
                }
        }
}

void
rd_html_text_or(GString *out, const char *text, const char *fallback)
{
        if (text == NULL || *text == '\0')
                g_string_append(out, fallback);
        else
                rd_html_text(out, text);
}

void
rd_html_join(GString *out, const char *literal, ...)
{
        va_list ap;
        gboolean is_value = TRUE;

        g_string_append(out, literal);
        va_start(ap, literal);
        for (const char *s = va_arg(ap, const char *); s != NULL; s = va_arg(ap, const char *)) {
                if (is_value)
                        rd_html_text(out, s);
                else
                        g_string_append(out, s);
                is_value = !is_value;
        }
        va_end(ap);
}

void
rd_html_csrf(GString *out, const char *csrf)
{
        rd_html_join(out, "<input type=\"hidden\" name=\"csrf\" value=\"", csrf, "\">", NULL);
}

void
rd_html_begin(GString *out, const char *title, const char *user, const char *csrf)
{
        rd_html_join(out,
                     "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>", title, " - referrald</title>"
                     "<link rel=\"stylesheet\" href=\"/static/app.css\">"
                     "<script src=\"/static/app.js\" defer></script></head><body>"
                     "<header class=\"bar\"><a class=\"brand\" href=\"/queue\">Referral intake</a>",
                     NULL);
        if (user != NULL) {
                g_string_append(out, "<nav class=\"main\"><a href=\"/queue\">Queue</a><a href=\"/partners\">"
                                     "Partners</a><a href=\"/report\">Report</a></nav>");
                rd_html_join(out, "<span class=\"who\">Signed in as <b id=\"user\">", user,
                             "</b></span><form method=\"post\" action=\"/logout\" class=\"logout\">", NULL);
                rd_html_csrf(out, csrf);
                g_string_append(out, "<button type=\"submit\" id=\"logout\">Log out</button></form>");
        }
        g_string_append(out, "</header><main>");
}

void
rd_html_end(GString *out)
{
        g_string_append(out, "</main></body></html>\n");
}
