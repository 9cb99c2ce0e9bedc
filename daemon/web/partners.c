/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The partner directory (everyone views it; an admin adds, edits and
 * merges duplicates, since it decides where replies go) and the funnel
 * report with its charts drawn on the server as SVG. */
#include <stdio.h>
#include <string.h>

#include "daemon/base/log.h"
#include "daemon/replies/partner.h"
#include "html.h"
#include "web-private.h"

#define nz rd_web_nz
#define param rd_web_param

static const char *const channels[] = { "auto", "email", "fax", "none", NULL };

static gboolean
is_admin(RdWebRequest *req)
{
        return g_strcmp0(req->session->role, "admin") == 0;
}

static void
partner_form(RdWebRequest *req, GString *html, RdDbRows *one)
{
        const char *id = one ? rd_db_rows_cell(one, 0, 0) : NULL;
#define V(c) (one ? nz(rd_db_rows_cell(one, 0, c)) : "")

        if (id)
                rd_html_join(html, "<form method=\"post\" class=\"partner-edit\" action=\"/partner/", id, "/edit\">",
                             NULL);
        else
                g_string_append(html, "<form method=\"post\" class=\"partner-add\" action=\"/partners/add\">");
        rd_html_csrf(html, req->session->csrf_token);
        rd_html_join(html, "<label>Name <input name=\"name\" required maxlength=\"200\" value=\"", V(1),
                     "\"></label><label>Tier <input name=\"tier\" maxlength=\"50\" value=\"", V(2),
                     "\"></label><label>Replies by <select name=\"reply_channel\">", NULL);
        for (guint i = 0; channels[i]; i++)
                rd_html_join(html, "<option value=\"", channels[i],
                             g_strcmp0(V(3), channels[i]) == 0 ? "\" selected>" : "\">", channels[i], "</option>",
                             NULL);
        rd_html_join(html,
                     "</select></label><label>Reply address <input name=\"reply_email\" maxlength=\"200\" value=\"",
                     V(4), "\"></label><label>Reply fax <input name=\"reply_fax\" maxlength=\"20\" value=\"", V(5),
                     "\"></label><label>Contact <input name=\"contact\" maxlength=\"200\" value=\"", V(6),
                     "\"></label><label>Keys, one a line (<code>email</code>, <code>domain</code>, <code>fax</code>"
                     " or <code>npi</code>, then the value) <textarea name=\"keys\" rows=\"5\">",
                     V(7), "</textarea></label><button type=\"submit\">", id ? "Save" : "Add the partner",
                     "</button></form>", NULL);
#undef V
}

static void
directory(RdWebRequest *req)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) rows = rd_db_web_partner_list(req->web->db, &error);
        g_autoptr(GString) html = g_string_new(NULL);

        if (rows == NULL) {
                rd_web_fail(req, "partners", error);
                return;
        }
        rd_html_begin(html, "Partners", req->session->user_name, req->session->csrf_token);
        g_string_append(html, "<h1>Partners</h1><table class=\"partners\" id=\"partners\"><thead><tr><th>Name</th>"
                              "<th>Tier</th><th>Replies by</th><th>Keys</th><th>Referrals</th></tr></thead><tbody>");
        for (guint r = 0; r < rows->rows->len; r++)
                rd_html_join(html, "<tr data-partner=\"", rd_db_rows_cell(rows, r, 0), "\"><td><a href=\"/partner/",
                             rd_db_rows_cell(rows, r, 0), "\">", rd_db_rows_cell(rows, r, 1), "</a></td><td>",
                             nz(rd_db_rows_cell(rows, r, 2)), "</td><td>", rd_db_rows_cell(rows, r, 3), "</td><td>",
                             nz(rd_db_rows_cell(rows, r, 7)), "</td><td class=\"n\">", rd_db_rows_cell(rows, r, 8),
                             "</td></tr>", NULL);
        if (rows->rows->len == 0)
                g_string_append(html, "<tr><td colspan=\"5\" class=\"empty\">No partners yet.</td></tr>");
        g_string_append(html, "</tbody></table>");
        if (is_admin(req)) {
                g_string_append(html, "<h2>Add a partner</h2><p>Referrals that came before it was known are matched"
                                      " to it by its keys.</p>");
                partner_form(req, html, NULL);
        }
        rd_html_end(html);
        rd_web_send_html(req, SOUP_STATUS_OK, html);
}

static void
one_partner(RdWebRequest *req, gint64 id, const char *notice)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) one = rd_db_web_partner_one(req->web->db, id, &error);
        g_autoptr(RdDbRows) all = one ? rd_db_web_partner_list(req->web->db, &error) : NULL;
        g_autoptr(GString) html = g_string_new(NULL);

        if (all == NULL) {
                rd_web_fail(req, "partner", error);
                return;
        }
        if (one->rows->len == 0) {
                rd_web_send_text(req, SOUP_STATUS_NOT_FOUND, "No such partner.\n");
                return;
        }
        rd_html_begin(html, "Partner", req->session->user_name, req->session->csrf_token);
        rd_html_join(html, "<p><a href=\"/partners\">&larr; Partners</a></p><h1 id=\"partner-name\">",
                     rd_db_rows_cell(one, 0, 1), "</h1><p>", rd_db_rows_cell(one, 0, 8), " referrals.</p>", NULL);
        if (notice)
                rd_html_join(html, "<p class=\"notice\" id=\"notice\">", notice, "</p>", NULL);
        if (!is_admin(req)) {
                rd_html_join(html, "<pre class=\"keys\">", nz(rd_db_rows_cell(one, 0, 7)),
                             "</pre><p>An administrator edits the directory.</p>", NULL);
        } else {
                partner_form(req, html, one);
                rd_html_join(html, "<h2>Merge a duplicate</h2><p>This partner's keys, items and referrals become the"
                                   " other's, and this one goes.</p><form method=\"post\" class=\"partner-merge\""
                                   " action=\"/partner/", rd_db_rows_cell(one, 0, 0), "/merge\">", NULL);
                rd_html_csrf(html, req->session->csrf_token);
                g_string_append(html, "<select name=\"into\">");
                for (guint r = 0; r < all->rows->len; r++)
                        if (strcmp(rd_db_rows_cell(all, r, 0), rd_db_rows_cell(one, 0, 0)) != 0)
                                rd_html_join(html, "<option value=\"", rd_db_rows_cell(all, r, 0), "\">",
                                             rd_db_rows_cell(all, r, 1), "</option>", NULL);
                g_string_append(html, "</select><button type=\"submit\">Merge into it</button></form>");
        }
        rd_html_end(html);
        rd_web_send_html(req, SOUP_STATUS_OK, html);
}

static void
refused(RdWebRequest *req, guint status, const char *why)
{
        g_autoptr(GString) html = g_string_new(NULL);

        rd_html_begin(html, "Not changed", req->session->user_name, req->session->csrf_token);
        rd_html_join(html, "<section class=\"message\" id=\"refused\"><h1>Not changed</h1><p>", why,
                     "</p><p><a href=\"/partners\">Partners</a></p></section>", NULL);
        rd_html_end(html);
        rd_web_send_html(req, status, html);
}

static char *
field(GHashTable *form, const char *name)
{
        const char *v = param(form, name);
        char *s = v ? g_strstrip(g_strdup(v)) : NULL;

        if (s && *s == '\0')
                g_clear_pointer(&s, g_free);
        return s;
}

static void
save(RdWebRequest *req, gint64 id, GHashTable *form)
{
        g_autofree char *name = field(form, "name"), *tier = field(form, "tier");
        g_autofree char *channel = field(form, "reply_channel");
        g_autofree char *email = field(form, "reply_email"), *fax = field(form, "reply_fax");
        g_autofree char *contact = field(form, "contact"), *reply_email = NULL, *reply_fax = NULL;
        g_autoptr(GPtrArray) kinds = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
        g_auto(GStrv) lines = g_strsplit(nz(param(form, "keys")), "\n", 200);
        g_auto(RdWebEditResult) res = { 0 };
        g_autoptr(GError) error = NULL;
        RdWebActor who = { req->session->user_name, req->remote, NULL };
        RdWebPartnerForm pf;
        gint64 saved = id;
        guint matched = 0;

        if (name == NULL || strlen(name) > 200 || !g_utf8_validate(name, -1, NULL) ||
            (channel && !g_strv_contains(channels, channel))) {
                refused(req, SOUP_STATUS_BAD_REQUEST, "A partner needs a name.");
                return;
        }
        if (email && (reply_email = rd_partner_normalize_key("email", email)) == NULL) {
                refused(req, SOUP_STATUS_BAD_REQUEST, "The reply address is not an email address.");
                return;
        }
        if (fax && (reply_fax = rd_partner_normalize_key("fax", fax)) == NULL) {
                refused(req, SOUP_STATUS_BAD_REQUEST, "The reply fax is not a 10-digit fax number.");
                return;
        }
        for (guint i = 0; lines[i]; i++) {
                g_autofree char *line = g_strstrip(g_strdup(lines[i]));
                g_auto(GStrv) kv = NULL;
                g_autoptr(GError) bad = NULL;
                char *norm;

                if (*line == '\0')
                        continue;
                kv = g_strsplit_set(line, " \t:", 2);
                if (kv[1] == NULL || (norm = rd_partner_parse_key(kv[0], g_strstrip(kv[1]), &bad)) == NULL) {
                        g_autofree char *why = g_strdup_printf("Key line %u: write email, domain, fax or npi, then"
                                                               " the value%s%s",
                                                               i + 1, bad ? ": " : ".", bad ? bad->message : "");

                        refused(req, SOUP_STATUS_BAD_REQUEST, why);
                        return;
                }
                g_ptr_array_add(kinds, g_strdup(kv[0]));
                g_ptr_array_add(values, norm);
        }
        pf = (RdWebPartnerForm){ name,      tier,    channel ? channel : "auto", reply_email,
                                 reply_fax, contact, kinds,                      values };
        if (!rd_db_web_partner_save(req->web->db, id, &pf, &who, &res, &saved, &matched, &error)) {
                rd_web_fail(req, "partner", error);
                return;
        }
        if (res.outcome != RD_WEB_EDIT_DONE) {
                refused(req, res.outcome == RD_WEB_EDIT_NOT_FOUND ? SOUP_STATUS_NOT_FOUND : SOUP_STATUS_BAD_REQUEST,
                        res.why);
                return;
        }
        {
                g_autofree char *notice = g_strdup_printf("Saved. %u earlier referral%s matched to this partner.",
                                                          matched, matched == 1 ? "" : "s");

                one_partner(req, saved, notice);
        }
}

static void
merge(RdWebRequest *req, gint64 id, GHashTable *form)
{
        g_auto(RdWebEditResult) res = { 0 };
        g_autoptr(GError) error = NULL;
        RdWebActor who = { req->session->user_name, req->remote, NULL };
        g_autofree char *back = NULL;
        gint64 into;
        guint matched;

        if (param(form, "into") == NULL ||
            !g_ascii_string_to_signed(param(form, "into"), 10, 1, G_MAXINT64, &into, NULL)) {
                refused(req, SOUP_STATUS_BAD_REQUEST, "Choose the partner to merge into.");
                return;
        }
        if (!rd_db_web_partner_merge(req->web->db, id, into, &who, &res, &matched, &error)) {
                rd_web_fail(req, "partner merge", error);
                return;
        }
        if (res.outcome != RD_WEB_EDIT_DONE) {
                refused(req, SOUP_STATUS_BAD_REQUEST, res.why);
                return;
        }
        back = g_strdup_printf("/partner/%" G_GINT64_FORMAT, into);
        rd_web_redirect(req, back);
}

/* ---- the funnel report --------------------------------------------------------- */

static const char *const stages[] = { "received", "complete on arrival", "asked for more", "completed",
                                      "scheduled", "seen" };

/* Horizontal bars, one per stage, scaled to the first; numbers as text. */
static void
funnel_svg(GString *html, RdDbRows *rows, guint r, const char *id)
{
        const guint w = 560, bar = 22, gap = 8, label = 170;
        double first = g_ascii_strtod(rd_db_rows_cell(rows, r, 1), NULL);

        g_string_append_printf(html, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"funnel\" id=\"%s\""
                                     " width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\">",
                               id, w, (guint)(G_N_ELEMENTS(stages) * (bar + gap)), w,
                               (guint)(G_N_ELEMENTS(stages) * (bar + gap)));
        for (guint s = 0; s < G_N_ELEMENTS(stages); s++) {
                double n = g_ascii_strtod(rd_db_rows_cell(rows, r, s + 1), NULL);
                guint len = first > 0 ? (guint)((w - label - 60) * n / first + 0.5) : 0;
                guint y = s * (bar + gap);

                g_string_append_printf(html, "<text x=\"0\" y=\"%u\" class=\"stage\">%s</text>"
                                             "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" class=\"s%u\">"
                                             "<title>%s: %.0f</title></rect>"
                                             "<text x=\"%u\" y=\"%u\" class=\"n\">%.0f</text>",
                                       y + bar - 6, stages[s], label, y, len, bar, s, stages[s], n, label + len + 6,
                                       y + bar - 6, n);
        }
        g_string_append(html, "</svg>");
}

static void
report(RdWebRequest *req, GHashTable *query)
{
        const char *since = param(query, "since");
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        g_autoptr(GString) html = g_string_new(NULL);
        int y, m, d, n = 0;

        if (since && (sscanf(since, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || since[n] != '\0' ||
                      !g_date_valid_dmy(d, m, y)))
                since = NULL;
        rows = rd_db_web_funnel(req->web->db, since, &error);
        if (rows == NULL) {
                rd_web_fail(req, "report", error);
                return;
        }
        rd_html_begin(html, "Report", req->session->user_name, req->session->csrf_token);
        rd_html_join(html, "<h1>The referral funnel</h1><form method=\"get\" action=\"/report\">"
                           "<label>Received since <input type=\"date\" name=\"since\" value=\"", nz(since),
                           "\"></label><button type=\"submit\">Show</button></form>", NULL);
        if (rows->rows->len == 0 || strcmp(rd_db_rows_cell(rows, 0, 1), "0") == 0) {
                g_string_append(html, "<p>No referrals yet.</p>");
        } else {
                g_string_append(html, "<h2>All referrals</h2>");
                funnel_svg(html, rows, 0, "funnel-all");
                g_string_append(html, "<h2>By partner</h2><table class=\"report\" id=\"report\"><thead><tr>"
                                      "<th>Partner</th>");
                for (guint s = 0; s < G_N_ELEMENTS(stages); s++)
                        rd_html_join(html, "<th>", stages[s], "</th>", NULL);
                g_string_append(html, "</tr></thead><tbody>");
                for (guint r = 1; r < rows->rows->len; r++) {
                        g_string_append(html, "<tr><th>");
                        rd_html_text(html, rd_db_rows_cell(rows, r, 0));
                        g_string_append(html, "</th>");
                        for (guint s = 0; s < G_N_ELEMENTS(stages); s++)
                                rd_html_join(html, "<td class=\"n\">", rd_db_rows_cell(rows, r, s + 1), "</td>", NULL);
                        g_string_append(html, "</tr>");
                }
                g_string_append(html, "</tbody></table>");
        }
        rd_html_end(html);
        rd_web_send_html(req, SOUP_STATUS_OK, html);
}

gboolean
rd_web_partners_route(RdWebRequest *req, gboolean get, const char *path, GHashTable *form)
{
        long long id = 0;
        int end = 0;

        if (get && strcmp(path, "/partners") == 0) {
                directory(req);
                return TRUE;
        }
        if (get && strcmp(path, "/report") == 0) {
                report(req, form);
                return TRUE;
        }
        if (get && sscanf(path, "/partner/%lld%n", &id, &end) == 1 && path[end] == '\0' && id > 0) {
                one_partner(req, id, NULL);
                return TRUE;
        }
        if (get)
                return FALSE;
        if (strcmp(path, "/partners/add") != 0 &&
            !(sscanf(path, "/partner/%lld/%n", &id, &end) == 1 && id > 0 &&
              (strcmp(path + end, "edit") == 0 || strcmp(path + end, "merge") == 0)))
                return FALSE;
        if (!is_admin(req)) {
                rd_web_audit(req, "partner-refused", 0, NULL);
                refused(req, SOUP_STATUS_FORBIDDEN, "Only an administrator changes the partner directory.");
                return TRUE;
        }
        if (strcmp(path, "/partners/add") == 0)
                save(req, 0, form);
        else if (strcmp(path + end, "edit") == 0)
                save(req, id, form);
        else
                merge(req, id, form);
        return TRUE;
}
