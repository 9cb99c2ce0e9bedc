/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The queue and one page large (the referral page is referral.c).  Every
 * value from the database is escaped. */
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

#define nz rd_web_nz
#define param rd_web_param

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

typedef struct {
        const char *state, *line, *partner, *since, *until, *q;
} Filters;

/* The filters as hidden fields of a POST form (search, paging). */
static void
hidden_filters(GString *html, const Filters *f, gboolean with_q)
{
        rd_html_join(html, "<input type=\"hidden\" name=\"state\" value=\"", nz(f->state),
                     "\"><input type=\"hidden\" name=\"line\" value=\"", nz(f->line),
                     "\"><input type=\"hidden\" name=\"partner\" value=\"", nz(f->partner),
                     "\"><input type=\"hidden\" name=\"since\" value=\"", nz(f->since),
                     "\"><input type=\"hidden\" name=\"until\" value=\"", nz(f->until), "\">", NULL);
        if (with_q)
                rd_html_join(html, "<input type=\"hidden\" name=\"q\" value=\"", nz(f->q), "\">", NULL);
}

/* The filters travel in the URL (no patient data in them); the search
 * text travels only in a POST body, so a name never lands in a URL, a
 * proxy log or the browser history. */
static void
filter_forms(GString *html, RdWebRequest *req, RdDbRows *partners, const Filters *f)
{
        g_string_append(html, "<div class=\"filters\"><form method=\"get\" action=\"/queue\" id=\"filter\">"
                              "<select name=\"state\"><option value=\"\">any state</option>");
        for (guint i = 0; i < G_N_ELEMENTS(state_names); i++)
                option(html, state_names[i], state_labels[i], g_strcmp0(f->state, state_names[i]) == 0);
        g_string_append(html, "</select><select name=\"line\"><option value=\"\">any service line</option>");
        for (guint i = 0; i < G_N_ELEMENTS(lines); i++)
                option(html, lines[i], lines[i], g_strcmp0(f->line, lines[i]) == 0);
        g_string_append(html, "</select><select name=\"partner\"><option value=\"\">any partner</option>");
        for (guint r = 0; r < partners->rows->len; r++)
                option(html, rd_db_rows_cell(partners, r, 0), rd_db_rows_cell(partners, r, 1),
                       g_strcmp0(f->partner, rd_db_rows_cell(partners, r, 0)) == 0);
        rd_html_join(html, "</select><label>received from <input type=\"date\" name=\"since\" value=\"", nz(f->since),
                     "\"></label><label>to <input type=\"date\" name=\"until\" value=\"", nz(f->until),
                     "\"></label><button type=\"submit\">Filter</button></form>"
                     "<form method=\"post\" action=\"/queue\" id=\"search\">",
                     NULL);
        rd_html_csrf(html, req->session->csrf_token);
        hidden_filters(html, f, FALSE);
        rd_html_join(html, "<input type=\"search\" name=\"q\" id=\"q\" maxlength=\"100\" value=\"", nz(f->q),
                     "\" placeholder=\"patient name, DOB, MRN, reference or phone\">"
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
pager(GString *html, RdWebRequest *req, guint page, gboolean more, const Filters *f)
{
        g_string_append(html, "<nav class=\"pager\">");
        for (int step = -1; step <= 1; step += 2) {
                guint to = page + step;

                if ((step < 0 && page == 0) || (step > 0 && !more))
                        continue;
                g_string_append(html, "<form method=\"post\" action=\"/queue\">");
                rd_html_csrf(html, req->session->csrf_token);
                hidden_filters(html, f, TRUE);
                g_string_append_printf(html, "<input type=\"hidden\" name=\"page\" value=\"%u\">"
                                             "<button type=\"submit\">%s</button></form>",
                                       to, step < 0 ? "&larr; Previous" : "Next &rarr;");
        }
        g_string_append(html, "</nav>");
}

/* YYYY-MM-DD as a date input sends it, else NULL. */
static const char *
date_param(GHashTable *params, const char *name)
{
        const char *v = param(params, name);
        int y, m, d, n = 0;

        if (v == NULL || sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || v[n] != '\0' || !g_date_valid_dmy(d, m, y))
                return NULL;
        return v;
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
        Filters filters;
        g_autofree char *qs = q ? g_strstrip(g_strndup(q, 100)) : NULL;

        if (param(params, "page"))
                g_ascii_string_to_unsigned(param(params, "page"), 10, 0, 10000, &page, NULL);
        if (partner && !g_ascii_string_to_unsigned(partner, 10, 1, G_MAXINT64, &partner_id, NULL))
                partner = NULL;
        query = (RdWebQueueQuery){ state, line, (gint64)partner_id, qs && *qs ? qs : NULL, date_param(params, "since"),
                                   date_param(params, "until"), (guint)page * PAGE_SIZE, PAGE_SIZE + 1 };
        filters = (Filters){ state, line, partner, query.since, query.until, query.q };
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
        filter_forms(html, req, partners, &filters);
        g_string_append(html, "<table class=\"queue\" id=\"queue\"><thead><tr><th>Referral</th><th>Urgency</th>"
                              "<th>Patient</th><th>DOB</th><th>Service line</th><th>From</th><th>Received</th>"
                              "<th>State</th><th>Missing</th></tr></thead><tbody>");
        for (guint r = 0; r < MIN(rows->rows->len, PAGE_SIZE); r++)
                queue_row(html, rows, r);
        if (rows->rows->len == 0)
                g_string_append(html, "<tr><td colspan=\"9\" class=\"empty\">Nothing here.</td></tr>");
        g_string_append(html, "</tbody></table>");
        pager(html, req, (guint)page, rows->rows->len > PAGE_SIZE, &filters);
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
