/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pages staff work with: the queue, one referral (fields, checklist,
 * page pictures, replies, timeline), one page large, and resolving a
 * checklist item.  Every value from the database is escaped. */
#include <stdio.h>
#include <string.h>

#include "daemon/base/log.h"
#include "html.h"
#include "web-private.h"

#define PAGE_SIZE 50

static const char *const state_names[] = { "review", "incomplete", "complete", "scheduled", "closed" };
static const char *const state_labels[] = { "Needs review", "Incomplete", "Complete", "Scheduled", "Closed" };
static const char *const lines[] = { "general", "preventive", "interventional", "electrophysiology",
                                     "heart_failure" };

static const char *
nz(const char *s)
{
        return s ? s : "";
}

static const char *
param(GHashTable *params, const char *name)
{
        const char *v = params ? g_hash_table_lookup(params, name) : NULL;

        return v && *v ? v : NULL;
}

static const char *
known(const char *value, const char *const *names, gsize n)
{
        for (gsize i = 0; value && i < n; i++)
                if (strcmp(value, names[i]) == 0)
                        return names[i];
        return NULL;
}

static void
state_tabs(GString *html, RdDbRows *counts, const char *state)
{
        g_string_append(html, "<nav class=\"tabs\" id=\"counts\"><a href=\"/queue\"");
        if (state == NULL)
                g_string_append(html, " class=\"on\"");
        g_string_append(html, ">All</a>");
        for (guint i = 0; i < G_N_ELEMENTS(state_names); i++) {
                const char *n = "0";

                for (guint r = 0; r < counts->rows->len; r++)
                        if (g_ascii_strtoll(rd_db_rows_cell(counts, r, 0), NULL, 10) == i)
                                n = rd_db_rows_cell(counts, r, 1);
                g_string_append_printf(html, "<a href=\"/queue?state=%s\" id=\"count-%s\"%s>%s <span>", state_names[i],
                                       state_names[i], g_strcmp0(state, state_names[i]) == 0 ? " class=\"on\"" : "",
                                       state_labels[i]);
                rd_html_text(html, n);
                g_string_append(html, "</span></a>");
        }
        g_string_append(html, "</nav>");
}

static void
option(GString *html, const char *value, const char *label, gboolean selected)
{
        rd_html_join(html, "<option value=\"", value, selected ? "\" selected>" : "\">", label, "</option>", NULL);
}

/* The filters travel in the URL (no patient data in them); the search
 * text travels only in a POST body, so a name never lands in a URL, a
 * proxy log or the browser history. */
static void
filter_forms(GString *html, RdWebRequest *req, RdDbRows *partners, const char *state, const char *line,
             const char *partner, const char *q)
{
        g_string_append(html, "<div class=\"filters\"><form method=\"get\" action=\"/queue\" id=\"filter\">"
                              "<select name=\"state\"><option value=\"\">any state</option>");
        for (guint i = 0; i < G_N_ELEMENTS(state_names); i++)
                option(html, state_names[i], state_labels[i], g_strcmp0(state, state_names[i]) == 0);
        g_string_append(html, "</select><select name=\"line\"><option value=\"\">any service line</option>");
        for (guint i = 0; i < G_N_ELEMENTS(lines); i++)
                option(html, lines[i], lines[i], g_strcmp0(line, lines[i]) == 0);
        g_string_append(html, "</select><select name=\"partner\"><option value=\"\">any partner</option>");
        for (guint r = 0; r < partners->rows->len; r++)
                option(html, rd_db_rows_cell(partners, r, 0), rd_db_rows_cell(partners, r, 1),
                       g_strcmp0(partner, rd_db_rows_cell(partners, r, 0)) == 0);
        g_string_append(html, "</select><button type=\"submit\">Filter</button></form>"
                              "<form method=\"post\" action=\"/queue\" id=\"search\">");
        rd_html_csrf(html, req->session->csrf_token);
        rd_html_join(html, "<input type=\"hidden\" name=\"state\" value=\"", state ? state : "",
                     "\"><input type=\"hidden\" name=\"line\" value=\"", line ? line : "",
                     "\"><input type=\"hidden\" name=\"partner\" value=\"", partner ? partner : "",
                     "\"><input type=\"search\" name=\"q\" id=\"q\" maxlength=\"100\" value=\"", q ? q : "",
                     "\" placeholder=\"patient name, DOB, MRN or reference\">"
                     "<button type=\"submit\" id=\"search-go\">Search</button></form></div>",
                     NULL);
}

static void
queue_row(GString *html, RdDbRows *rows, guint r)
{
        const char *id = rd_db_rows_cell(rows, r, 0);
        const char *urgency = rd_db_rows_cell(rows, r, 4);
        guint rank = (guint)g_ascii_strtoull(rd_db_rows_cell(rows, r, 2), NULL, 10);

        rd_html_join(html, "<tr class=\"rank", rd_db_rows_cell(rows, r, 2), "\"><td><a href=\"/referral/", id,
                     "\" class=\"ref\">#", id, "</a> ", nz(rd_db_rows_cell(rows, r, 1)),
                     "</td><td><span class=\"urg ", urgency ? urgency : "unknown", "\">", urgency ? urgency : "?",
                     "</span></td><td class=\"patient\">", NULL);
        rd_html_text_or(html, rd_db_rows_cell(rows, r, 6), "<i>no family name</i>");
        g_string_append(html, ", ");
        rd_html_text_or(html, rd_db_rows_cell(rows, r, 7), "<i>?</i>");
        g_string_append(html, "</td><td>");
        rd_html_text_or(html, rd_db_rows_cell(rows, r, 8), "<i>no DOB</i>");
        g_string_append(html, "</td><td>");
        rd_html_text_or(html, rd_db_rows_cell(rows, r, 5), "<i>unknown</i>");
        g_string_append(html, "</td><td>");
        rd_html_text_or(html, rd_db_rows_cell(rows, r, 9), "<i>unknown sender</i>");
        rd_html_join(html, "</td><td>", rd_db_rows_cell(rows, r, 10), "</td><td>", rank < 5 ? state_labels[rank] : "",
                     "</td><td class=\"missing\">", nz(rd_db_rows_cell(rows, r, 11)), "</td></tr>", NULL);
}

static void
pager(GString *html, RdWebRequest *req, guint page, gboolean more, const char *state, const char *line,
      const char *partner, const char *q)
{
        g_string_append(html, "<nav class=\"pager\">");
        for (int step = -1; step <= 1; step += 2) {
                guint to = page + step;

                if ((step < 0 && page == 0) || (step > 0 && !more))
                        continue;
                g_string_append(html, "<form method=\"post\" action=\"/queue\">");
                rd_html_csrf(html, req->session->csrf_token);
                rd_html_join(html, "<input type=\"hidden\" name=\"state\" value=\"", state ? state : "",
                             "\"><input type=\"hidden\" name=\"line\" value=\"", line ? line : "",
                             "\"><input type=\"hidden\" name=\"partner\" value=\"", partner ? partner : "",
                             "\"><input type=\"hidden\" name=\"q\" value=\"", q ? q : "", "\">", NULL);
                g_string_append_printf(html, "<input type=\"hidden\" name=\"page\" value=\"%u\">"
                                             "<button type=\"submit\">%s</button></form>",
                                       to, step < 0 ? "&larr; Previous" : "Next &rarr;");
        }
        g_string_append(html, "</nav>");
}

void
rd_web_queue_page(RdWebRequest *req, GHashTable *params)
{
        RdDb *db = req->web->db;
        gboolean post = strcmp(soup_server_message_get_method(req->msg), "POST") == 0;
        const char *state = known(param(params, "state"), state_names, G_N_ELEMENTS(state_names));
        const char *line = known(param(params, "line"), lines, G_N_ELEMENTS(lines));
        const char *partner = param(params, "partner");
        const char *q = post ? param(params, "q") : NULL;
        guint64 page = 0, partner_id = 0;
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) counts = NULL, partners = NULL, rows = NULL;
        g_autoptr(GString) html = g_string_new(NULL);
        RdWebQueueQuery query = { 0 };
        g_autofree char *qs = q ? g_strstrip(g_strndup(q, 100)) : NULL;

        if (param(params, "page"))
                g_ascii_string_to_unsigned(param(params, "page"), 10, 0, 10000, &page, NULL);
        if (partner && !g_ascii_string_to_unsigned(partner, 10, 1, G_MAXINT64, &partner_id, NULL))
                partner = NULL;
        query = (RdWebQueueQuery){ state, line, (gint64)partner_id, qs && *qs ? qs : NULL, (guint)page * PAGE_SIZE,
                                   PAGE_SIZE + 1 };
        counts = rd_db_web_queue_counts(db, &error);
        partners = counts ? rd_db_web_partners(db, &error) : NULL;
        rows = partners ? rd_db_web_queue(db, &query, &error) : NULL;
        if (rows == NULL) {
                rd_web_fail(req, "queue", error);
                return;
        }
        rd_html_begin(html, "Queue", req->session->user_name, req->session->csrf_token);
        g_string_append(html, "<h1>Queue</h1>");
        state_tabs(html, counts, state);
        filter_forms(html, req, partners, state, line, partner, query.q);
        g_string_append(html, "<table class=\"queue\" id=\"queue\"><thead><tr><th>Referral</th><th>Urgency</th>"
                              "<th>Patient</th><th>DOB</th><th>Service line</th><th>From</th><th>Received</th>"
                              "<th>State</th><th>Missing</th></tr></thead><tbody>");
        for (guint r = 0; r < MIN(rows->rows->len, PAGE_SIZE); r++)
                queue_row(html, rows, r);
        if (rows->rows->len == 0)
                g_string_append(html, "<tr><td colspan=\"9\" class=\"empty\">Nothing here.</td></tr>");
        g_string_append(html, "</tbody></table>");
        pager(html, req, (guint)page, rows->rows->len > PAGE_SIZE, state, line, partner, query.q);
        rd_html_end(html);
        rd_web_send_html(req, SOUP_STATUS_OK, html);
}

static void
field_row(GString *html, const char *label, const char *value)
{
        rd_html_join(html, "<tr><th>", label, "</th><td>", NULL);
        rd_html_text_or(html, value, "<i class=\"none\">not found</i>");
        g_string_append(html, "</td></tr>");
}

/* Why the referral sits where it does in the queue, in staff's words. */
static void
why_flagged(GString *html, RdDbRows *ref, RdDbRows *checks)
{
        static const struct {
                guint col;
                const char *what;
        } needed[] = { { 5, "service line not found" }, { 4, "urgency not found" },
                       { 6, "patient's family name not found" }, { 8, "date of birth not found" } };
        gboolean open = g_strcmp0(rd_db_rows_cell(ref, 0, 2), "incomplete") == 0 ||
                        g_strcmp0(rd_db_rows_cell(ref, 0, 2), "complete") == 0;

        g_string_append(html, "<section id=\"why\"><h2>Why it is flagged</h2><ul>");
        for (guint i = 0; open && i < G_N_ELEMENTS(needed); i++)
                if (rd_db_rows_cell(ref, 0, needed[i].col) == NULL)
                        rd_html_join(html, "<li class=\"review\">Needs review: ", needed[i].what, "</li>", NULL);
        for (guint r = 0; r < checks->rows->len; r++)
                if (strcmp(rd_db_rows_cell(checks, r, 1), "missing") == 0)
                        rd_html_join(html, "<li class=\"missing\">Missing ", rd_db_rows_cell(checks, r, 0), ": ",
                                     nz(rd_db_rows_cell(checks, r, 2)), "</li>", NULL);
        g_string_append(html, "</ul></section>");
}

static void
fields_section(GString *html, RdDbRows *ref)
{
        g_autofree char *patient = g_strdup_printf("%s, %s", nz(rd_db_rows_cell(ref, 0, 6)),
                                                   nz(rd_db_rows_cell(ref, 0, 7)));

        g_string_append(html, "<section class=\"fields\"><h2>Patient</h2><table>");
        field_row(html, "Name", strcmp(patient, ", ") == 0 ? NULL : patient);
        field_row(html, "Date of birth", rd_db_rows_cell(ref, 0, 8));
        field_row(html, "Sex", rd_db_rows_cell(ref, 0, 9));
        field_row(html, "Phone", rd_db_rows_cell(ref, 0, 10));
        field_row(html, "MRN", rd_db_rows_cell(ref, 0, 11));
        g_string_append(html, "</table><h2>Referred by</h2><table>");
        field_row(html, "Clinician", rd_db_rows_cell(ref, 0, 12));
        field_row(html, "NPI", rd_db_rows_cell(ref, 0, 13));
        field_row(html, "Practice", rd_db_rows_cell(ref, 0, 14));
        field_row(html, "Partner", rd_db_rows_cell(ref, 0, 19));
        field_row(html, "Phone", rd_db_rows_cell(ref, 0, 15));
        field_row(html, "Fax", rd_db_rows_cell(ref, 0, 16));
        g_string_append(html, "</table><h2>Referral</h2><table>");
        field_row(html, "Service line", rd_db_rows_cell(ref, 0, 5));
        field_row(html, "Urgency", rd_db_rows_cell(ref, 0, 4));
        field_row(html, "Reason", rd_db_rows_cell(ref, 0, 17));
        field_row(html, "Diagnoses", rd_db_rows_cell(ref, 0, 18));
        field_row(html, "Came by", rd_db_rows_cell(ref, 0, 20));
        field_row(html, "Received", rd_db_rows_cell(ref, 0, 21));
        field_row(html, "Stored", rd_db_rows_cell(ref, 0, 22));
        field_row(html, "Status note", rd_db_rows_cell(ref, 0, 23));
        g_string_append(html, "</table></section>");
}

static void
checklist_section(GString *html, RdWebRequest *req, const char *id, RdDbRows *checks)
{
        g_string_append(html, "<section id=\"checklist\"><h2>Checklist</h2><table><thead><tr><th>Item</th>"
                              "<th>State</th><th>Why / note</th><th></th></tr></thead><tbody>");
        for (guint r = 0; r < checks->rows->len; r++) {
                const char *item = rd_db_rows_cell(checks, r, 0), *state = rd_db_rows_cell(checks, r, 1);

                rd_html_join(html, "<tr class=\"", state, "\" data-item=\"", item, "\"><td>", item,
                             "</td><td class=\"state\">", state, "</td><td>", nz(rd_db_rows_cell(checks, r, 2)),
                             "</td><td>", NULL);
                if (strcmp(state, "missing") == 0) {
                        rd_html_join(html, "<form method=\"post\" class=\"resolve\" action=\"/referral/", id,
                                     "/resolve\">", NULL);
                        rd_html_csrf(html, req->session->csrf_token);
                        rd_html_join(html, "<input type=\"hidden\" name=\"item\" value=\"", item,
                                     "\"><input name=\"note\" required maxlength=\"500\""
                                     " placeholder=\"how it was received\">"
                                     "<button type=\"submit\">Resolve</button></form>",
                                     NULL);
                }
                g_string_append(html, "</td></tr>");
        }
        g_string_append(html, "</tbody></table></section>");
}

static void
pages_section(GString *html, const char *id, RdDbRows *pages)
{
        g_string_append(html, "<section id=\"pages\"><h2>Pages</h2><div class=\"thumbs\">");
        for (guint r = 0; r < pages->rows->len; r++) {
                const char *item = rd_db_rows_cell(pages, r, 0), *n = rd_db_rows_cell(pages, r, 1);
                const char *type = rd_db_rows_cell(pages, r, 3);

                rd_html_join(html, "<figure><a class=\"page\" href=\"/referral/", id, "/page/", item, "/", n,
                             "\" data-large=\"/referral/", id, "/page/", item, "/", n,
                             /* literals and values alternate: one literal here */
                             ".png?size=large\"><img class=\"thumb\" loading=\"lazy\" src=\"/referral/",
                             id, "/page/", item, "/", n,
                             ".png\" alt=\"page ", n, "\"></a><figcaption>page ", n, " &middot; ",
                             type ? type : "unclassified", "</figcaption></figure>", NULL);
        }
        if (pages->rows->len == 0)
                g_string_append(html, "<p>No page pictures (an email body only).</p>");
        g_string_append(html, "</div></section>");
}

static void
replies_section(GString *html, RdDbRows *replies)
{
        g_string_append(html, "<section id=\"replies\"><h2>Replies</h2>");
        for (guint r = 0; r < replies->rows->len; r++)
                rd_html_join(html, "<article class=\"reply\"><p><b>", rd_db_rows_cell(replies, r, 1), "</b> by ",
                             rd_db_rows_cell(replies, r, 2), " to ", rd_db_rows_cell(replies, r, 3), ": ",
                             rd_db_rows_cell(replies, r, 4), " ", nz(rd_db_rows_cell(replies, r, 5)), " ",
                             nz(rd_db_rows_cell(replies, r, 6)), "</p><p class=\"subject\">",
                             rd_db_rows_cell(replies, r, 7), "</p><pre>", rd_db_rows_cell(replies, r, 8),
                             "</pre></article>", NULL);
        if (replies->rows->len == 0)
                g_string_append(html, "<p>No replies.</p>");
        g_string_append(html, "</section>");
}

static void
events_section(GString *html, RdDbRows *events)
{
        g_string_append(html, "<section id=\"timeline\"><h2>Timeline</h2><ol>");
        for (guint r = 0; r < events->rows->len; r++) {
                rd_html_join(html, "<li><time>", rd_db_rows_cell(events, r, 0), "</time> ",
                             rd_db_rows_cell(events, r, 1), NULL);
                if (rd_db_rows_cell(events, r, 3))
                        rd_html_join(html, " ", rd_db_rows_cell(events, r, 3), NULL);
                if (rd_db_rows_cell(events, r, 5))
                        rd_html_join(html, " &rarr; ", rd_db_rows_cell(events, r, 5), NULL);
                if (rd_db_rows_cell(events, r, 4))
                        rd_html_join(html, ": &ldquo;", rd_db_rows_cell(events, r, 4), "&rdquo;", NULL);
                if (rd_db_rows_cell(events, r, 2))
                        rd_html_join(html, " <span class=\"by\">by ", rd_db_rows_cell(events, r, 2), "</span>",
                                     NULL);
                g_string_append(html, "</li>");
        }
        g_string_append(html, "</ol></section>");
}

void
rd_web_referral_page(RdWebRequest *req, gint64 id)
{
        RdDb *db = req->web->db;
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) ref = NULL, checks = NULL, pages = NULL, replies = NULL, events = NULL;
        g_autoptr(GString) html = g_string_new(NULL);
        g_autofree char *sid = g_strdup_printf("%" G_GINT64_FORMAT, id);
        g_autofree char *title = g_strdup_printf("Referral %s", sid);

        ref = rd_db_web_referral(db, id, &error);
        if (ref != NULL && ref->rows->len == 0) {
                rd_web_send_text(req, SOUP_STATUS_NOT_FOUND, "No such referral.\n");
                return;
        }
        checks = ref ? rd_db_web_checklist(db, id, &error) : NULL;
        pages = checks ? rd_db_web_pages(db, id, &error) : NULL;
        replies = pages ? rd_db_web_replies(db, id, &error) : NULL;
        events = replies ? rd_db_web_events(db, id, &error) : NULL;
        if (events == NULL) {
                rd_web_fail(req, "referral page", error);
                return;
        }
        rd_web_audit(req, "view", id, NULL);
        rd_html_begin(html, title, req->session->user_name, req->session->csrf_token);
        rd_html_join(html, "<p><a href=\"/queue\">&larr; Queue</a></p><h1>Referral #", sid, " <small>",
                     nz(rd_db_rows_cell(ref, 0, 1)), "</small> <span class=\"status\" id=\"status\">",
                     rd_db_rows_cell(ref, 0, 2), "</span></h1>", NULL);
        why_flagged(html, ref, checks);
        g_string_append(html, "<div class=\"cols\"><div>");
        fields_section(html, ref);
        checklist_section(html, req, sid, checks);
        g_string_append(html, "</div><div>");
        pages_section(html, sid, pages);
        g_string_append(html, "</div></div>");
        replies_section(html, replies);
        events_section(html, events);
        rd_html_end(html);
        rd_web_send_html(req, SOUP_STATUS_OK, html);
}

void
rd_web_page_view(RdWebRequest *req, gint64 id, gint64 item, guint number)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) pages = rd_db_web_pages(req->web->db, id, &error);
        g_autoptr(GString) html = g_string_new(NULL);
        g_autofree char *sid = g_strdup_printf("%" G_GINT64_FORMAT, id);
        g_autofree char *sitem = g_strdup_printf("%" G_GINT64_FORMAT, item);
        g_autofree char *snum = g_strdup_printf("%u", number);
        g_autofree char *detail = g_strdup_printf("{\"item\": %" G_GINT64_FORMAT ", \"page\": %u}", item, number);
        int at = -1;

        if (pages == NULL) {
                rd_web_fail(req, "page view", error);
                return;
        }
        for (guint r = 0; r < pages->rows->len; r++)
                if (strcmp(rd_db_rows_cell(pages, r, 0), sitem) == 0 && strcmp(rd_db_rows_cell(pages, r, 1), snum) == 0)
                        at = (int)r;
        if (at < 0) {
                rd_web_send_text(req, SOUP_STATUS_NOT_FOUND, "No such page.\n");
                return;
        }
        rd_web_audit(req, "view-page", id, detail);
        rd_html_begin(html, "Page", req->session->user_name, req->session->csrf_token);
        rd_html_join(html, "<p><a href=\"/referral/", sid, "\">&larr; Referral #", sid, "</a>", NULL);
        for (int step = -1; step <= 1; step += 2) {
                int to = at + step;

                if (to < 0 || to >= (int)pages->rows->len)
                        continue;
                rd_html_join(html, " &middot; <a href=\"/referral/", sid, "/page/", rd_db_rows_cell(pages, to, 0), "/",
                             rd_db_rows_cell(pages, to, 1), "\">", step < 0 ? "previous page" : "next page", "</a>",
                             NULL);
        }
        rd_html_join(html, "</p><img class=\"large\" id=\"large\" src=\"/referral/", sid, "/page/", sitem, "/", snum,
                     ".png?size=large\" alt=\"page ", snum, "\">", NULL);
        rd_html_end(html);
        rd_web_send_html(req, SOUP_STATUS_OK, html);
}

void
rd_web_resolve(RdWebRequest *req, gint64 id, GHashTable *form)
{
        const char *item = param(form, "item");
        g_autofree char *note = param(form, "note") ? g_strstrip(g_strdup(param(form, "note"))) : NULL;
        g_autofree char *back = g_strdup_printf("/referral/%" G_GINT64_FORMAT "#checklist", id);
        g_autoptr(GError) error = NULL;
        gboolean is_known = FALSE, complete = FALSE;

        if (item == NULL || note == NULL || *note == '\0' || strlen(note) > 2000 || strlen(item) > 64 ||
            !g_utf8_validate(note, -1, NULL)) {
                rd_web_send_text(req, SOUP_STATUS_BAD_REQUEST,
                                        "Say how the item was received (a note is required). Go back and try again.\n");
                return;
        }
        if (!rd_db_web_resolve(req->web->db, req->web->config, id, item, note, req->session->user_name, req->remote,
                               &is_known, &complete, &error)) {
                rd_web_fail(req, "resolve", error);
                return;
        }
        if (!is_known) {
                rd_web_send_text(req, SOUP_STATUS_BAD_REQUEST, "That item is not on this referral's checklist.\n");
                return;
        }
        rd_log_info(RD_WEB_LOG, 0, "referral %" G_GINT64_FORMAT ": checklist item resolved by staff%s", id,
                    complete ? "; now complete" : "");
        rd_web_redirect(req, back);
}
