/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the web room's files share: the process state and one request. */
#pragma once

#include <libsoup/soup.h>

#include "daemon/store/web.h"
#include "web.h"

G_BEGIN_DECLS

#define RD_WEB_LOG "rd-web"
#define RD_WEB_MAX_FAILURES 5
#define RD_WEB_LOCK_USEC (15 * 60 * G_USEC_PER_SEC)

typedef struct {
        const RdConfig *config; /* borrowed from the manager's copy */
        RdDb *db;               /* owned: the web process's connection */
        SoupServer *server;     /* owned */
        GMainLoop *loop;        /* owned */
        char *dummy_hash;       /* owned: verified against for unknown names, so timing tells nothing */
        char *exe;              /* owned: this program, for the page drawing child */
        char *timezone;         /* owned: [web] timezone, else the system's */
} RdWeb;

typedef struct {
        RdWeb *web;             /* borrowed */
        SoupServerMessage *msg; /* borrowed */
        RdWebSession *session;  /* owned, NULL when not logged in */
        char *token_sha256;     /* owned: of the session cookie, or NULL */
        char *remote;           /* owned: the client's address (the proxy's client behind a trusted proxy) */
        gboolean secure;        /* TLS here, or https at the trusted proxy */
        gint64 started;         /* monotonic usec when the request was read */
} RdWebRequest;

/* "Server-Timing: app;dur=MS" since @started (the benchmark reads it). */
void rd_web_server_timing(SoupServerMessage *msg, gint64 started);

/* Responses.  Every one carries the security headers set in web.c. */
void rd_web_send_html(RdWebRequest *req, guint status, GString *html);
void rd_web_send_text(RdWebRequest *req, guint status, const char *text);
void rd_web_redirect(RdWebRequest *req, const char *location);
/* Logs @error (a database failure: no patient data in it) and answers 503. */
void rd_web_fail(RdWebRequest *req, const char *what, const GError *error);
/* An audit record for this request's person; failures are logged. */
void rd_web_audit(RdWebRequest *req, const char *action, gint64 referral_id, const char *detail_json);

static inline const char *
rd_web_nz(const char *s)
{
        return s ? s : "";
}

/* A form or query parameter; NULL when absent or empty. */
static inline const char *
rd_web_param(GHashTable *params, const char *name)
{
        const char *v = params ? g_hash_table_lookup(params, name) : NULL;

        return v && *v ? v : NULL;
}

/* views.c */
void rd_web_queue_page(RdWebRequest *req, GHashTable *params);
void rd_web_page_view(RdWebRequest *req, gint64 id, gint64 item, guint number);

/* referral.c: one referral, with a form for every change edit.c makes. */
void rd_web_referral_page(RdWebRequest *req, gint64 id);

/* edit.c: the changes to a referral (POST /referral/ID/ACTION, and
 * /referral/ID/reply/OUTBOX/ACTION); FALSE: no such action. */
gboolean rd_web_edit(RdWebRequest *req, gint64 id, const char *action, GHashTable *form);

/* partners.c: the partner directory and the funnel report. */
gboolean rd_web_partners_route(RdWebRequest *req, gboolean get, const char *path, GHashTable *form);

/* render.c: answers with the PNG of one page, drawn in a child process. */
void rd_web_page_image(RdWebRequest *req, gint64 id, gint64 item, guint number, gboolean large);

void rd_web_request_free(RdWebRequest *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdWebRequest, rd_web_request_free)

G_END_DECLS
