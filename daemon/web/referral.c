/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One referral: why it is flagged, its fields with how sure the reader
 * was and an edit control each, the checklist, the page pictures with
 * each page's document type and a control to correct it, the status,
 * the follow-ups attached and the unmatched ones that could be, the
 * replies exactly as written, and the timeline.
 *
 * Every form that changes the referral carries its version (edit.c
 * refuses a change to a referral that moved on since the page was drawn)
 * and the session's CSRF token.  Every value is escaped. */
#include <string.h>

#include "daemon/store/web.h"
#include "html.h"
#include "parsers/referral.h"
#include "web-private.h"

#define nz rd_web_nz

/* Columns of rd_db_web_referral(). */
enum {
        C_ID, C_REFERENCE, C_STATUS, C_RANK, C_URGENCY, C_LINE, C_FAMILY, C_GIVEN, C_DOB, C_SEX, C_PHONE, C_MRN,
        C_REF_NAME, C_REF_NPI, C_REF_PRACTICE, C_REF_PHONE, C_REF_FAX, C_REASON, C_DIAGNOSES, C_PARTNER, C_CHANNEL,
        C_RECEIVED, C_CREATED, C_STATUS_NOTE, C_CONFIDENCE, C_VERSION, C_APPOINTMENT, C_URGENCY_STRENGTH,
        C_LINE_STRENGTH, C_NEEDS_REVIEW, C_FILE,
};

typedef struct {
        RdWebRequest *req;
        GString *html;
        RdDbRows *ref;
        const char *id;      /* the referral's id, as text */
        const char *version; /* its version, as text */
} Page;

static const char *
cell(const Page *pg, guint col)
{
        return rd_db_rows_cell(pg->ref, 0, col);
}

/* <form method=post action=/referral/ID/ACTION> with the CSRF token and
 * the version. */
static void
form_open(const Page *pg, const char *action, const char *css_class)
{
        rd_html_join(pg->html, "<form method=\"post\" class=\"", css_class, "\" action=\"/referral/", pg->id, "/",
                     action, "\">", NULL);
        rd_html_csrf(pg->html, pg->req->session->csrf_token);
        rd_html_join(pg->html, "<input type=\"hidden\" name=\"version\" value=\"", pg->version, "\">", NULL);
}

static void
hidden(GString *html, const char *name, const char *value)
{
        rd_html_join(html, "<input type=\"hidden\" name=\"", name, "\" value=\"", value, "\">", NULL);
}

static void
select_of(GString *html, const char *name, const char *const *values, const char *current)
{
        rd_html_join(html, "<select name=\"", name, "\">", NULL);
        for (guint i = 0; values[i]; i++)
                rd_html_join(html, "<option value=\"", values[i],
                             g_strcmp0(values[i], current) == 0 ? "\" selected>" : "\">", values[i], "</option>", NULL);
        g_string_append(html, "</select>");
}

/* Why the referral sits where it does in the queue, in staff's words. */
static void
why_flagged(const Page *pg, RdDbRows *checks)
{
        static const struct {
                guint col;
                const char *what;
        } needed[] = { { C_LINE, "service line not found" }, { C_URGENCY, "urgency not found" },
                       { C_FAMILY, "patient's family name not found" }, { C_DOB, "date of birth not found" } };
        gboolean open = g_strcmp0(cell(pg, C_STATUS), "incomplete") == 0 ||
                        g_strcmp0(cell(pg, C_STATUS), "complete") == 0;

        g_string_append(pg->html, "<section id=\"why\"><h2>Why it is flagged</h2><ul>");
        for (guint i = 0; open && i < G_N_ELEMENTS(needed); i++)
                if (cell(pg, needed[i].col) == NULL)
                        rd_html_join(pg->html, "<li class=\"review\">Needs review: ", needed[i].what, "</li>", NULL);
        if (g_strcmp0(cell(pg, C_NEEDS_REVIEW), "t") == 0)
                g_string_append(pg->html, "<li class=\"review\">The reader was unsure: a person checks it</li>");
        for (guint r = 0; r < checks->rows->len; r++)
                if (strcmp(rd_db_rows_cell(checks, r, 1), "missing") == 0)
                        rd_html_join(pg->html, "<li class=\"missing\">Missing ", rd_db_rows_cell(checks, r, 0), ": ",
                                     nz(rd_db_rows_cell(checks, r, 2)), "</li>", NULL);
        g_string_append(pg->html, "</ul></section>");
}

/* The person who last edited @column, from the timeline. */
static const char *
edited_by(RdDbRows *events, const char *column)
{
        const char *by = NULL;

        for (guint r = 0; r < events->rows->len; r++)
                if (g_strcmp0(rd_db_rows_cell(events, r, 1), "field-edited") == 0 &&
                    g_strcmp0(rd_db_rows_cell(events, r, 6), column) == 0)
                        by = rd_db_rows_cell(events, r, 2);
        return by;
}

/* How sure the value is: a person's edit; the strength of the evidence
 * for the service line and urgency; else the reader's overall confidence. */
static void
confidence(const Page *pg, RdDbRows *events, const char *column, guint col)
{
        const char *by = edited_by(events, column);

        g_string_append(pg->html, "<td class=\"conf\">");
        if (by != NULL)
                rd_html_join(pg->html, "<span class=\"person\">set by ", by, "</span>", NULL);
        else if (cell(pg, col) == NULL)
                g_string_append(pg->html, "<span class=\"none\">&mdash;</span>");
        else if (col == C_URGENCY || col == C_LINE) {
                const char *s = cell(pg, col == C_URGENCY ? C_URGENCY_STRENGTH : C_LINE_STRENGTH);

                rd_html_join(pg->html, "<span class=\"ev ", s ? s : "none", "\">", s ? s : "default",
                             " evidence</span>", NULL);
        } else
                rd_html_join(pg->html, "<span class=\"read\">read, ",
                             cell(pg, C_CONFIDENCE) ? cell(pg, C_CONFIDENCE) : "?", " %</span>", NULL);
        g_string_append(pg->html, "</td>");
}

static void
field_row(const Page *pg, RdDbRows *events, const char *column, guint col)
{
        const RdWebField *f = rd_web_field_lookup(column);

        rd_html_join(pg->html, "<tr data-field=\"", column, "\"><th>", f->label, "</th><td class=\"value\">", NULL);
        rd_html_text_or(pg->html, cell(pg, col), "<i class=\"none\">not found</i>");
        g_string_append(pg->html, "</td>");
        confidence(pg, events, column, col);
        g_string_append(pg->html, "<td><details class=\"edit\"><summary>edit</summary>");
        form_open(pg, "field", "field");
        hidden(pg->html, "field", column);
        if (f->kind == RD_WEB_FIELD_SERVICE_LINE)
                select_of(pg->html, "value", rd_web_service_lines, cell(pg, col));
        else if (f->kind == RD_WEB_FIELD_URGENCY)
                select_of(pg->html, "value", rd_web_urgencies, cell(pg, col));
        else
                rd_html_join(pg->html, "<input name=\"value\" maxlength=\"500\" value=\"", nz(cell(pg, col)), "\"",
                             f->kind == RD_WEB_FIELD_DATE ? " placeholder=\"YYYY-MM-DD\"" : "", ">", NULL);
        g_string_append(pg->html, "<button type=\"submit\">Save</button></form></details></td></tr>");
}

static void
plain_row(GString *html, const char *label, const char *value)
{
        rd_html_join(html, "<tr><th>", label, "</th><td>", NULL);
        rd_html_text_or(html, value, "<i class=\"none\">not found</i>");
        g_string_append(html, "</td><td></td><td></td></tr>");
}

static void
fields_section(const Page *pg, RdDbRows *events)
{
        static const struct {
                const char *column;
                guint col;
        } patient[] = { { "patient_family", C_FAMILY }, { "patient_given", C_GIVEN }, { "patient_dob", C_DOB },
                        { "patient_sex", C_SEX },       { "patient_phone", C_PHONE }, { "patient_mrn", C_MRN } },
          referring[] = { { "referring_name", C_REF_NAME },   { "referring_npi", C_REF_NPI },
                          { "referring_practice", C_REF_PRACTICE }, { "referring_phone", C_REF_PHONE },
                          { "referring_fax", C_REF_FAX } },
          referral[] = { { "service_line", C_LINE }, { "urgency", C_URGENCY }, { "reason", C_REASON } };

        g_string_append(pg->html, "<section class=\"fields\" id=\"fields\"><h2>Patient</h2><table>");
        for (guint i = 0; i < G_N_ELEMENTS(patient); i++)
                field_row(pg, events, patient[i].column, patient[i].col);
        g_string_append(pg->html, "</table><h2>Referred by</h2><table>");
        for (guint i = 0; i < G_N_ELEMENTS(referring); i++)
                field_row(pg, events, referring[i].column, referring[i].col);
        plain_row(pg->html, "Partner", cell(pg, C_PARTNER));
        g_string_append(pg->html, "</table><h2>Referral</h2><table>");
        for (guint i = 0; i < G_N_ELEMENTS(referral); i++)
                field_row(pg, events, referral[i].column, referral[i].col);
        plain_row(pg->html, "Diagnoses", cell(pg, C_DIAGNOSES));
        plain_row(pg->html, "Came by", cell(pg, C_CHANNEL));
        plain_row(pg->html, "File", cell(pg, C_FILE));
        plain_row(pg->html, "Received", cell(pg, C_RECEIVED));
        plain_row(pg->html, "Stored", cell(pg, C_CREATED));
        g_string_append(pg->html, "</table></section>");
}

/* The pages that meet a present item: documents of its type (a lab
 * panel's: lab reports with that panel), each linked to its page. */
static void
evidence(const Page *pg, const char *item, RdDbRows *docs)
{
        g_autofree char *type = g_strdup(item);
        char *panel = strchr(type, ':');
        gboolean any = FALSE;

        if (panel)
                *panel++ = '\0';
        for (guint r = 0; r < docs->rows->len; r++) {
                g_auto(GStrv) pages = NULL;

                if (g_strcmp0(rd_db_rows_cell(docs, r, 0), type) != 0)
                        continue;
                if (panel) {
                        g_auto(GStrv) panels = g_strsplit(nz(rd_db_rows_cell(docs, r, 4)), ", ", -1);

                        if (!g_strv_contains((const char *const *)panels, panel))
                                continue;
                }
                pages = g_strsplit(nz(rd_db_rows_cell(docs, r, 2)), ", ", -1);
                for (guint i = 0; pages[i] && *pages[i]; i++) {
                        rd_html_join(pg->html, any ? ", " : "found on ", "", "<a class=\"evidence\" href=\"/referral/",
                                     pg->id, "/page/", rd_db_rows_cell(docs, r, 1), "/", pages[i], "\">page ", pages[i],
                                     "</a>", NULL);
                        any = TRUE;
                }
        }
}

static void
checklist_section(const Page *pg, RdDbRows *checks, RdDbRows *docs)
{
        g_string_append(pg->html, "<section id=\"checklist\"><h2>Checklist</h2><table><thead><tr><th>Item</th>"
                                  "<th>State</th><th>Why / note</th><th></th></tr></thead><tbody>");
        for (guint r = 0; r < checks->rows->len; r++) {
                const char *item = rd_db_rows_cell(checks, r, 0), *state = rd_db_rows_cell(checks, r, 1);

                rd_html_join(pg->html, "<tr class=\"", state, "\" data-item=\"", item, "\"><td>", item,
                             "</td><td class=\"state\">", state, "</td><td>", nz(rd_db_rows_cell(checks, r, 2)), NULL);
                if (strcmp(state, "present") == 0)
                        evidence(pg, item, docs);
                g_string_append(pg->html, "</td><td>");
                if (strcmp(state, "missing") == 0) {
                        form_open(pg, "resolve", "resolve");
                        hidden(pg->html, "item", item);
                        g_string_append(pg->html, "<input name=\"note\" required maxlength=\"500\""
                                                  " placeholder=\"how it was received\">"
                                                  "<button type=\"submit\">Resolve</button></form>");
                }
                g_string_append(pg->html, "</td></tr>");
        }
        g_string_append(pg->html, "</tbody></table></section>");
}

static void
type_select(GString *html, const char *current)
{
        g_string_append(html, "<select name=\"type\">");
        if (current == NULL)
                g_string_append(html, "<option value=\"\" selected>unclassified</option>");
        for (guint t = 0; t < RD_DOC_N_TYPES; t++) {
                const char *name = rd_doc_type_to_string((RdDocType)t);

                rd_html_join(html, "<option value=\"", name, g_strcmp0(name, current) == 0 ? "\" selected>" : "\">",
                             name, "</option>", NULL);
        }
        g_string_append(html, "</select>");
}

static void
pages_section(const Page *pg, RdDbRows *pages)
{
        const char *id = pg->id;

        g_string_append(pg->html, "<section id=\"pages\"><h2>Pages</h2><div class=\"thumbs\">");
        for (guint r = 0; r < pages->rows->len; r++) {
                const char *item = rd_db_rows_cell(pages, r, 0), *n = rd_db_rows_cell(pages, r, 1);
                const char *type = rd_db_rows_cell(pages, r, 3);

                rd_html_join(pg->html, "<figure data-item=\"", item, "\" data-page=\"", n,
                             "\"><a class=\"page\" href=\"/referral/", id, "/page/", item, "/", n,
                             "\" data-large=\"/referral/", id, "/page/", item, "/", n,
                             /* literals and values alternate: one literal here */
                             ".png?size=large\"><img class=\"thumb\" loading=\"lazy\" src=\"/referral/",
                             id, "/page/", item, "/", n, ".png\" alt=\"page ", n,
                             "\"></a><figcaption>page ", n, " &middot; <span class=\"type\">",
                             type ? type : "unclassified", "</span>", NULL);
                form_open(pg, "pagetype", "pagetype");
                hidden(pg->html, "item", item);
                hidden(pg->html, "page", n);
                type_select(pg->html, type);
                g_string_append(pg->html, "<button type=\"submit\">Correct</button></form></figcaption></figure>");
        }
        if (pages->rows->len == 0)
                g_string_append(pg->html, "<p>No page pictures (an email body only).</p>");
        g_string_append(pg->html, "</div></section>");
}

static void
status_section(const Page *pg, const char *timezone)
{
        static const char *const closing[] = { "declined", "redirected", "seen", NULL };

        rd_html_join(pg->html, "<section id=\"status-section\"><h2>Status</h2><p>Now <b id=\"status-now\">",
                     cell(pg, C_STATUS), "</b>", NULL);
        if (cell(pg, C_APPOINTMENT))
                rd_html_join(pg->html, ", appointment <b id=\"appointment\">", cell(pg, C_APPOINTMENT), "</b> (",
                             timezone, ")", NULL);
        if (cell(pg, C_STATUS_NOTE))
                rd_html_join(pg->html, " &middot; <span id=\"status-note\">", cell(pg, C_STATUS_NOTE), "</span>", NULL);
        g_string_append(pg->html, "</p>");
        form_open(pg, "status", "schedule");
        hidden(pg->html, "status", "scheduled");
        rd_html_join(pg->html, "<label>Appointment <input type=\"date\" name=\"date\" required></label>"
                               "<label>at <input type=\"time\" name=\"time\" required></label> <small>",
                     timezone, "</small> <button type=\"submit\">Scheduled</button></form>", NULL);
        form_open(pg, "status", "close");
        select_of(pg->html, "status", closing, NULL);
        g_string_append(pg->html, "<input name=\"note\" maxlength=\"500\" placeholder=\"reason (declined: required)\">"
                                  "<button type=\"submit\">Set</button></form></section>");
}

static void
followups_section(const Page *pg, RdDbRows *attached, RdDbRows *unmatched)
{
        g_string_append(pg->html, "<section id=\"followups\"><h2>Follow-ups</h2>");
        if (attached->rows->len == 0)
                g_string_append(pg->html, "<p>None attached.</p>");
        else
                g_string_append(pg->html, "<ul class=\"attached\">");
        for (guint r = 0; r < attached->rows->len; r++) {
                const char *item = rd_db_rows_cell(attached, r, 0);

                rd_html_join(pg->html, "<li data-item=\"", item, "\">item ", item, " (",
                             rd_db_rows_cell(attached, r, 1), ") attached ", nz(rd_db_rows_cell(attached, r, 2)),
                             " ", NULL);
                form_open(pg, "detach", "detach");
                hidden(pg->html, "item", item);
                g_string_append(pg->html, "<button type=\"submit\">Detach</button></form></li>");
        }
        if (attached->rows->len > 0)
                g_string_append(pg->html, "</ul>");
        g_string_append(pg->html, "<h3>Unmatched follow-ups</h3>");
        if (unmatched->rows->len == 0)
                g_string_append(pg->html, "<p>None waiting.</p>");
        else
                g_string_append(pg->html, "<table class=\"unmatched\"><thead><tr><th>Item</th><th>Since</th>"
                                          "<th>Patient</th><th>Why it waits</th><th></th></tr></thead><tbody>");
        for (guint r = 0; r < unmatched->rows->len; r++) {
                const char *item = rd_db_rows_cell(unmatched, r, 0);

                rd_html_join(pg->html, "<tr data-item=\"", item, "\"><td>", item, " (",
                             nz(rd_db_rows_cell(unmatched, r, 7)), ")</td><td>", rd_db_rows_cell(unmatched, r, 1),
                             "</td><td>", NULL);
                rd_html_text_or(pg->html, rd_db_rows_cell(unmatched, r, 4), "?");
                g_string_append(pg->html, ", ");
                rd_html_text_or(pg->html, rd_db_rows_cell(unmatched, r, 5), "?");
                rd_html_join(pg->html, " (", nz(rd_db_rows_cell(unmatched, r, 6)), ")</td><td>",
                             rd_db_rows_cell(unmatched, r, 2), "</td><td>", NULL);
                form_open(pg, "attach", "attach");
                hidden(pg->html, "item", item);
                g_string_append(pg->html, "<button type=\"submit\">Attach here</button></form></td></tr>");
        }
        if (unmatched->rows->len > 0)
                g_string_append(pg->html, "</tbody></table>");
        g_string_append(pg->html, "</section>");
}

/* Each reply as written to the outbox: the text the office receives (by
 * mail as it is, by fax printed on the reply page). */
static void
replies_section(const Page *pg, RdDbRows *replies)
{
        g_string_append(pg->html, "<section id=\"replies\"><h2>Replies</h2>");
        for (guint r = 0; r < replies->rows->len; r++) {
                const char *oid = rd_db_rows_cell(replies, r, 0), *state = rd_db_rows_cell(replies, r, 4);
                g_autofree char *base = g_strdup_printf("reply/%s", oid);

                rd_html_join(pg->html, "<article class=\"reply ", state, "\" data-reply=\"", oid, "\"><p><b>",
                             rd_db_rows_cell(replies, r, 1), "</b> by ", rd_db_rows_cell(replies, r, 2), " to <b>",
                             rd_db_rows_cell(replies, r, 3)[0] ? rd_db_rows_cell(replies, r, 3) : "(no recipient)",
                             "</b>: <span class=\"state\">", state, "</span> ", nz(rd_db_rows_cell(replies, r, 5)), " ",
                             nz(rd_db_rows_cell(replies, r, 6)), "</p><p class=\"subject\">Subject: ",
                             rd_db_rows_cell(replies, r, 7), "</p><pre class=\"body\">", rd_db_rows_cell(replies, r, 8),
                             "</pre>", NULL);
                if (strcmp(state, "held") == 0) {
                        g_autofree char *edit = g_strconcat(base, "/edit", NULL);
                        g_autofree char *approve = g_strconcat(base, "/approve", NULL);

                        g_string_append(pg->html, "<details class=\"edit\"><summary>edit before it goes</summary>");
                        form_open(pg, edit, "reply-edit");
                        rd_html_join(pg->html, "<input name=\"subject\" maxlength=\"300\" value=\"",
                                     rd_db_rows_cell(replies, r, 7),
                                     "\"><textarea name=\"body\" rows=\"12\" maxlength=\"20000\">",
                                     rd_db_rows_cell(replies, r, 8),
                                     "</textarea><button type=\"submit\">Save the text</button></form></details>",
                                     NULL);
                        if (rd_db_rows_cell(replies, r, 3)[0]) {
                                form_open(pg, approve, "approve");
                                g_string_append(pg->html, "<button type=\"submit\">Approve and send</button></form>");
                        }
                } else if (strcmp(state, "queued") == 0) {
                        g_autofree char *hold = g_strconcat(base, "/hold", NULL);

                        form_open(pg, hold, "hold");
                        g_string_append(pg->html, "<button type=\"submit\">Hold</button></form>");
                }
                g_string_append(pg->html, "</article>");
        }
        if (replies->rows->len == 0)
                g_string_append(pg->html, "<p>No replies.</p>");
        g_string_append(pg->html, "</section>");
}

static void
events_section(GString *html, RdDbRows *events)
{
        g_string_append(html, "<section id=\"timeline\"><h2>Timeline</h2><ol>");
        for (guint r = 0; r < events->rows->len; r++) {
                rd_html_join(html, "<li><time>", rd_db_rows_cell(events, r, 0), "</time> ",
                             rd_db_rows_cell(events, r, 1), NULL);
                if (rd_db_rows_cell(events, r, 6))
                        rd_html_join(html, " ", rd_db_rows_cell(events, r, 6), NULL);
                if (rd_db_rows_cell(events, r, 7))
                        rd_html_join(html, " page ", rd_db_rows_cell(events, r, 7), NULL);
                if (rd_db_rows_cell(events, r, 3))
                        rd_html_join(html, " ", rd_db_rows_cell(events, r, 3), NULL);
                if (rd_db_rows_cell(events, r, 5))
                        rd_html_join(html, " &rarr; ", rd_db_rows_cell(events, r, 5), NULL);
                if (rd_db_rows_cell(events, r, 4))
                        rd_html_join(html, ": &ldquo;", rd_db_rows_cell(events, r, 4), "&rdquo;", NULL);
                if (rd_db_rows_cell(events, r, 2))
                        rd_html_join(html, " <span class=\"by\">by ", rd_db_rows_cell(events, r, 2), "</span>", NULL);
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
        g_autoptr(RdDbRows) attached = NULL, unmatched = NULL, docs = NULL;
        g_autoptr(GString) html = g_string_new(NULL);
        g_autofree char *sid = g_strdup_printf("%" G_GINT64_FORMAT, id);
        g_autofree char *title = g_strdup_printf("Referral %s", sid);
        Page pg = { .req = req, .html = html, .id = sid };

        ref = rd_db_web_referral(db, id, &error);
        if (ref != NULL && ref->rows->len == 0) {
                rd_web_send_text(req, SOUP_STATUS_NOT_FOUND, "No such referral.\n");
                return;
        }
        checks = ref ? rd_db_web_checklist(db, id, &error) : NULL;
        pages = checks ? rd_db_web_pages(db, id, &error) : NULL;
        replies = pages ? rd_db_web_replies(db, id, &error) : NULL;
        events = replies ? rd_db_web_events(db, id, &error) : NULL;
        attached = events ? rd_db_web_attached(db, id, &error) : NULL;
        unmatched = attached ? rd_db_web_unmatched(db, &error) : NULL;
        docs = unmatched ? rd_db_web_documents(db, id, &error) : NULL;
        if (docs == NULL) {
                rd_web_fail(req, "referral page", error);
                return;
        }
        pg.ref = ref;
        pg.version = rd_db_rows_cell(ref, 0, C_VERSION);
        rd_web_audit(req, "view", id, NULL);
        rd_html_begin(html, title, req->session->user_name, req->session->csrf_token);
        rd_html_join(html, "<p><a href=\"/queue\">&larr; Queue</a></p><h1>Referral #", sid, " <small>",
                     nz(cell(&pg, C_REFERENCE)), "</small> <span class=\"status\" id=\"status\">", cell(&pg, C_STATUS),
                     "</span></h1>", NULL);
        why_flagged(&pg, checks);
        g_string_append(html, "<div class=\"cols\"><div>");
        fields_section(&pg, events);
        checklist_section(&pg, checks, docs);
        status_section(&pg, req->web->timezone);
        g_string_append(html, "</div><div>");
        pages_section(&pg, pages);
        followups_section(&pg, attached, unmatched);
        g_string_append(html, "</div></div>");
        replies_section(&pg, replies);
        events_section(html, events);
        rd_html_end(html);
        rd_web_send_html(req, SOUP_STATUS_OK, html);
}
