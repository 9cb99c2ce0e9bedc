/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The changes staff make to a referral from its page: each form posts
 * here (after web.c checked the session and the CSRF token) and the store
 * makes the change in one transaction with its audit record.  A change to
 * a referral that changed since the person's page was drawn is refused
 * with 409 and a page that says so. */
#include <stdio.h>
#include <string.h>

#include "daemon/base/log.h"
#include "daemon/replies/queue.h"
#include "html.h"
#include "web-private.h"

#define param rd_web_param

static void
message_page(RdWebRequest *req, gint64 id, guint status, const char *css_id, const char *title, const char *text,
             const char *extra)
{
        g_autoptr(GString) html = g_string_new(NULL);
        g_autofree char *sid = g_strdup_printf("%" G_GINT64_FORMAT, id);

        rd_html_begin(html, title, req->session->user_name, req->session->csrf_token);
        rd_html_join(html, "<section class=\"message\" id=\"", css_id, "\"><h1>", title, "</h1><p>", text, "</p>",
                     NULL);
        if (extra)
                g_string_append(html, extra);
        rd_html_join(html, "<p><a id=\"back\" href=\"/referral/", sid, "\">Back to referral #", sid,
                     "</a></p></section>", NULL);
        rd_html_end(html);
        rd_web_send_html(req, status, html);
}

/* Answers a change the store made, or did not. */
static void
answer(RdWebRequest *req, gint64 id, gboolean ok, const RdWebEditResult *res, const GError *error, const char *what,
       const char *anchor)
{
        g_autofree char *back = NULL, *text = NULL;

        if (!ok) {
                rd_web_fail(req, what, error);
                return;
        }
        switch (res->outcome) {
        case RD_WEB_EDIT_DONE:
                if (res->complete)
                        rd_log_info(RD_WEB_LOG, 0, "referral %" G_GINT64_FORMAT ": complete after a change by staff",
                                    id);
                back = g_strdup_printf("/referral/%" G_GINT64_FORMAT "#%s", id, anchor);
                rd_web_redirect(req, back);
                return;
        case RD_WEB_EDIT_CONFLICT:
                text = g_strdup_printf("Someone changed this referral after you opened it, so your change was not"
                                       " saved. %s Open the referral again to see it as it is now, then make your"
                                       " change again if it is still needed.",
                                       res->why ? res->why : "");
                message_page(req, id, SOUP_STATUS_CONFLICT, "conflict", "The referral changed under you", text, NULL);
                return;
        case RD_WEB_EDIT_NOT_FOUND:
                rd_web_send_text(req, SOUP_STATUS_NOT_FOUND, res->why ? res->why : "Not found.\n");
                return;
        case RD_WEB_EDIT_REFUSED:
        case RD_WEB_EDIT_CONFIRM:
                message_page(req, id, SOUP_STATUS_BAD_REQUEST, "refused", "Not changed", res->why ? res->why : "",
                             NULL);
                return;
        }
}

static RdWebActor
actor(RdWebRequest *req, GHashTable *form)
{
        const char *version = param(form, "version");

        /* a form without a version never matches: it is treated as stale */
        return (RdWebActor){ req->session->user_name, req->remote, version ? version : "" };
}

static gboolean
form_id(GHashTable *form, const char *name, gint64 *ret)
{
        const char *v = param(form, name);

        return v != NULL && g_ascii_string_to_signed(v, 10, 1, G_MAXINT64, ret, NULL);
}

static char *
stripped(GHashTable *form, const char *name)
{
        const char *v = param(form, name);

        return v ? g_strstrip(g_strdup(v)) : NULL;
}

static void
bad_request(RdWebRequest *req, const char *text)
{
        rd_web_send_text(req, SOUP_STATUS_BAD_REQUEST, text);
}

static void
page_type(RdWebRequest *req, gint64 id, GHashTable *form)
{
        RdWebActor who = actor(req, form);
        g_auto(RdWebEditResult) res = { 0 };
        g_autoptr(GError) error = NULL;
        gint64 item, page;
        gboolean ok;

        if (!form_id(form, "item", &item) || !form_id(form, "page", &page) || page > G_MAXUINT ||
            param(form, "type") == NULL) {
                bad_request(req, "Choose the page's document type. Go back and try again.\n");
                return;
        }
        ok = rd_db_web_page_type(req->web->db, req->web->config, id, item, (guint)page, param(form, "type"), &who, &res,
                                 &error);
        answer(req, id, ok, &res, error, "page type", "checklist");
}

static void
resolve(RdWebRequest *req, gint64 id, GHashTable *form)
{
        RdWebActor who = actor(req, form);
        const char *item = param(form, "item");
        g_autofree char *note = stripped(form, "note");
        g_auto(RdWebEditResult) res = { 0 };
        g_autoptr(GError) error = NULL;
        gboolean ok;

        if (item == NULL || note == NULL || *note == '\0' || strlen(note) > 2000 || strlen(item) > 64 ||
            !g_utf8_validate(note, -1, NULL)) {
                bad_request(req, "Say how the item was received (a note is required). Go back and try again.\n");
                return;
        }
        ok = rd_db_web_resolve(req->web->db, req->web->config, id, item, note, &who, &res, &error);
        answer(req, id, ok, &res, error, "resolve", "checklist");
}

static void
field(RdWebRequest *req, gint64 id, GHashTable *form)
{
        RdWebActor who = actor(req, form);
        g_autofree char *value = stripped(form, "value");
        g_auto(RdWebEditResult) res = { 0 };
        g_autoptr(GError) error = NULL;
        gboolean ok;

        if (param(form, "field") == NULL) {
                bad_request(req, "No field named. Go back and try again.\n");
                return;
        }
        ok = rd_db_web_set_field(req->web->db, req->web->config, id, param(form, "field"), value, &who, &res, &error);
        answer(req, id, ok, &res, error, "field", "fields");
}

/* A date and a time as the browser's date and time inputs send them. */
static char *
local_time(const char *date, const char *time)
{
        int y, m, d, hh, mm, n = 0;

        if (date == NULL || time == NULL || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || date[n] != '\0' ||
            !g_date_valid_dmy(d, m, y) || sscanf(time, "%2d:%2d%n", &hh, &mm, &n) != 2 ||
            (time[n] != '\0' && time[n] != ':') || hh < 0 || hh > 23 || mm < 0 || mm > 59)
                return NULL;
        return g_strdup_printf("%04d-%02d-%02d %02d:%02d", y, m, d, hh, mm);
}

static void
status(RdWebRequest *req, gint64 id, GHashTable *form)
{
        RdWebActor who = actor(req, form);
        const char *st = param(form, "status");
        g_autofree char *note = stripped(form, "note");
        g_autofree char *at = NULL;
        g_auto(RdWebEditResult) res = { 0 };
        g_autoptr(GError) error = NULL;
        gboolean ok;

        if (st == NULL) {
                bad_request(req, "Choose a status. Go back and try again.\n");
                return;
        }
        if (strcmp(st, "scheduled") == 0) {
                at = local_time(param(form, "date"), param(form, "time"));
                if (at == NULL) {
                        bad_request(req, "Give the appointment's date and time. Go back and try again.\n");
                        return;
                }
        }
        if (note && (*note == '\0' || strlen(note) > 2000 || !g_utf8_validate(note, -1, NULL)))
                g_clear_pointer(&note, g_free);
        ok = rd_db_web_set_status(req->web->db, id, st, at, req->web->timezone, note, &who, &res, &error);
        answer(req, id, ok, &res, error, "status", "status-section");
}

static void
attach(RdWebRequest *req, gint64 id, GHashTable *form)
{
        RdWeb *web = req->web;
        RdWebActor who = actor(req, form);
        g_auto(RdWebEditResult) res = { 0 };
        g_autoptr(GError) error = NULL;
        gint64 item;
        gboolean ok;

        if (!form_id(form, "item", &item)) {
                bad_request(req, "No item named. Go back and try again.\n");
                return;
        }
        ok = rd_db_web_attach(web->db, web->config, id, item, g_strcmp0(param(form, "confirm"), "yes") == 0, &who, &res,
                              &error);
        if (ok && res.outcome == RD_WEB_EDIT_DONE) {
                /* what the worker does when a follow-up completes a referral */
                ok = (!res.complete || web->config->replies == NULL ||
                      rd_reply_queue(web->db, web->config, id, "complete", &error)) &&
                     rd_db_commit(web->db, &error);
                if (!ok)
                        rd_db_rollback(web->db);
        }
        if (ok && res.outcome == RD_WEB_EDIT_CONFIRM) {
                g_autoptr(GString) again = g_string_new(NULL);
                g_autofree char *sid = g_strdup_printf("%" G_GINT64_FORMAT, id);
                g_autofree char *sitem = g_strdup_printf("%" G_GINT64_FORMAT, item);

                /* the same form once more, with the person's yes */
                rd_html_join(again, "<form method=\"post\" class=\"attach-confirm\" action=\"/referral/", sid,
                             "/attach\">", NULL);
                rd_html_csrf(again, req->session->csrf_token);
                rd_html_join(again, "<input type=\"hidden\" name=\"version\" value=\"", who.version,
                             "\"><input type=\"hidden\" name=\"item\" value=\"", sitem,
                             "\"><input type=\"hidden\" name=\"confirm\" value=\"yes\">"
                             "<button type=\"submit\" id=\"confirm-attach\">Attach it anyway</button></form>",
                             NULL);
                message_page(req, id, SOUP_STATUS_OK, "confirm", "A different patient?", res.why, again->str);
                return;
        }
        answer(req, id, ok, &res, error, "attach", "followups");
}

static void
detach(RdWebRequest *req, gint64 id, GHashTable *form)
{
        RdWebActor who = actor(req, form);
        g_auto(RdWebEditResult) res = { 0 };
        g_autoptr(GError) error = NULL;
        gint64 item;
        gboolean ok;

        if (!form_id(form, "item", &item)) {
                bad_request(req, "No item named. Go back and try again.\n");
                return;
        }
        ok = rd_db_web_detach(req->web->db, req->web->config, id, item, &who, &res, &error);
        answer(req, id, ok, &res, error, "detach", "followups");
}

static void
reply(RdWebRequest *req, gint64 id, gint64 outbox, const char *verb, GHashTable *form)
{
        RdWebActor who = actor(req, form);
        g_auto(RdWebEditResult) res = { 0 };
        g_autoptr(GError) error = NULL;
        gboolean ok;

        if (strcmp(verb, "edit") == 0) {
                g_autofree char *subject = stripped(form, "subject");
                g_autoptr(GString) text = g_string_new(param(form, "body"));
                const char *body;

                /* a browser sends a textarea's lines ending in CRLF; the
                 * outbox keeps them as the daemon writes them */
                g_string_replace(text, "\r\n", "\n", 0);
                body = param(form, "body") ? text->str : NULL;

                if (subject == NULL || body == NULL || strlen(subject) > 300 || strlen(body) > 20000 ||
                    !g_utf8_validate(subject, -1, NULL) || !g_utf8_validate(body, -1, NULL) ||
                    strpbrk(subject, "\r\n") != NULL) {
                        bad_request(req, "A reply needs a subject (one line) and a text. Go back and try again.\n");
                        return;
                }
                ok = rd_db_web_reply_edit(req->web->db, id, outbox, subject, body, &who, &res, &error);
        } else {
                ok = rd_db_web_reply_decide(req->web->db, id, outbox, strcmp(verb, "approve") == 0, &who, &res,
                                            &error);
        }
        answer(req, id, ok, &res, error, "reply", "replies");
}

gboolean
rd_web_edit(RdWebRequest *req, gint64 id, const char *action, GHashTable *form)
{
        static const struct {
                const char *name;
                void (*run)(RdWebRequest *, gint64, GHashTable *);
        } actions[] = { { "pagetype", page_type }, { "resolve", resolve }, { "field", field },
                        { "status", status },      { "attach", attach },   { "detach", detach } };
        long long outbox = 0;
        char verb[16];
        int end = 0;

        for (guint i = 0; i < G_N_ELEMENTS(actions); i++)
                if (strcmp(action, actions[i].name) == 0) {
                        actions[i].run(req, id, form);
                        return TRUE;
                }
        if (sscanf(action, "reply/%lld/%15[a-z]%n", &outbox, verb, &end) == 2 && action[end] == '\0' && outbox > 0 &&
            (strcmp(verb, "approve") == 0 || strcmp(verb, "hold") == 0 || strcmp(verb, "edit") == 0)) {
                reply(req, id, outbox, verb, form);
                return TRUE;
        }
        return FALSE;
}
