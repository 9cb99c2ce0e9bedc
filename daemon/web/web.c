/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The web process: the listener (libsoup), security headers, sessions,
 * login and logout, CSRF checks and routing to the views. */
#include <glib-unix.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/base/child.h"
#include "daemon/base/log.h"
#include "html.h"
#include "web-private.h"
#include "rd-web-resources.h"

#define SESSION_COOKIE "rd_session"
#define LOGIN_COOKIE "rd_login"

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
                          " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void
rd_web_request_free(RdWebRequest *req)
{
        if (req == NULL)
                return;
        rd_web_session_free(req->session);
        g_free(req->token_sha256);
        g_free(req->remote);
        g_free(req);
}

static void
security_headers(RdWebRequest *req)
{
        SoupMessageHeaders *h = soup_server_message_get_response_headers(req->msg);

        soup_message_headers_replace(h, "Content-Security-Policy", csp);
        soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
        soup_message_headers_replace(h, "X-Frame-Options", "DENY");
        soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
        soup_message_headers_replace(h, "Cross-Origin-Opener-Policy", "same-origin");
        if (req->secure)
                soup_message_headers_replace(h, "Strict-Transport-Security", "max-age=31536000");
}

void
rd_web_server_timing(SoupServerMessage *msg, gint64 started)
{
        char value[64];

        g_snprintf(value, sizeof value, "app;dur=%.1f", (double)(g_get_monotonic_time() - started) / 1000.0);
        soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Server-Timing", value);
}

void
rd_web_send_html(RdWebRequest *req, guint status, GString *html)
{
        SoupMessageHeaders *h = soup_server_message_get_response_headers(req->msg);

        rd_web_server_timing(req->msg, req->started);
        soup_message_headers_replace(h, "Cache-Control", "no-store");
        soup_server_message_set_status(req->msg, status, NULL);
        soup_server_message_set_response(req->msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, html->str,
                                         html->len);
}

void
rd_web_send_text(RdWebRequest *req, guint status, const char *text)
{
        soup_message_headers_replace(soup_server_message_get_response_headers(req->msg), "Cache-Control",
                                     "no-store");
        soup_server_message_set_status(req->msg, status, NULL);
        soup_server_message_set_response(req->msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, text,
                                         strlen(text));
}

void
rd_web_redirect(RdWebRequest *req, const char *location)
{
        SoupMessageHeaders *h = soup_server_message_get_response_headers(req->msg);

        /* a path, not soup_server_message_set_redirect()'s absolute URI: behind
         * a TLS proxy the URI libsoup sees says http:// and the wrong host */
        soup_message_headers_replace(h, "Cache-Control", "no-store");
        soup_message_headers_replace(h, "Location", location);
        soup_server_message_set_status(req->msg, SOUP_STATUS_SEE_OTHER, NULL);
}

void
rd_web_fail(RdWebRequest *req, const char *what, const GError *error)
{
        rd_log_warning(RD_WEB_LOG, 0, "%s: %s", what, error ? error->message : "failed");
        rd_web_send_text(req, SOUP_STATUS_SERVICE_UNAVAILABLE, "The database did not answer. Try again shortly.\n");
}

void
rd_web_audit(RdWebRequest *req, const char *action, gint64 referral_id, const char *detail_json)
{
        g_autoptr(GError) error = NULL;
        const char *who = req->session ? req->session->user_name : "(anonymous)";

        if (!rd_db_web_audit(req->web->db, who, action, referral_id, detail_json, req->remote, &error))
                rd_log_warning(RD_WEB_LOG, 0, "audit record %s: %s", action, error->message);
}

static char *
random_token(void)
{
        guint8 raw[32];
        char hex[sizeof raw * 2 + 1];

        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
        return g_strdup(hex);
}

static gboolean
tokens_equal(const char *a, const char *b)
{
        return a != NULL && b != NULL && strlen(a) == strlen(b) && strlen(a) >= 32 &&
               sodium_memcmp(a, b, strlen(a)) == 0;
}

static char *
cookie(RdWebRequest *req, const char *name)
{
        const char *header = soup_message_headers_get_list(soup_server_message_get_request_headers(req->msg),
                                                           "Cookie");
        g_autoptr(GHashTable) pairs = NULL;
        const char *value;

        if (header == NULL)
                return NULL;
        pairs = soup_header_parse_semi_param_list(header);
        value = g_hash_table_lookup(pairs, name);
        return value ? g_strdup(value) : NULL;
}

static void
set_cookie(RdWebRequest *req, const char *name, const char *value, const char *path, gboolean clear)
{
        g_autofree char *line = g_strdup_printf("%s=%s; Path=%s; HttpOnly; SameSite=Strict%s%s", name, value, path,
                                                req->secure ? "; Secure" : "", clear ? "; Max-Age=0" : "");

        soup_message_headers_append(soup_server_message_get_response_headers(req->msg), "Set-Cookie", line);
}

/* Who is asking: X-Forwarded-Proto and -For count only when the
 * connection comes from the configured proxy. */
static void
identify_client(RdWebRequest *req)
{
        const RdWebConfig *wc = req->web->config->web;
        SoupMessageHeaders *h = soup_server_message_get_request_headers(req->msg);
        const char *peer = soup_server_message_get_remote_host(req->msg);

        req->secure = wc->tls_certificate != NULL;
        req->remote = g_strdup(peer ? peer : "?");
        if (wc->trusted_proxy != NULL && peer != NULL && strcmp(peer, wc->trusted_proxy) == 0) {
                const char *proto = soup_message_headers_get_one(h, "X-Forwarded-Proto");
                const char *fwd = soup_message_headers_get_list(h, "X-Forwarded-For");

                if (proto != NULL)
                        req->secure = g_ascii_strcasecmp(proto, "https") == 0;
                if (fwd != NULL) {
                        const char *last = strrchr(fwd, ',');
                        g_autofree char *client = g_strstrip(g_strdup(last ? last + 1 : fwd));

                        if (g_hostname_is_ip_address(client)) {
                                g_free(req->remote);
                                req->remote = g_steal_pointer(&client);
                        }
                }
        }
}

static gboolean
load_session(RdWebRequest *req, GError **error)
{
        g_autofree char *token = cookie(req, SESSION_COOKIE);

        if (token == NULL || strlen(token) != 64)
                return TRUE;
        req->token_sha256 = g_compute_checksum_for_string(G_CHECKSUM_SHA256, token, -1);
        return rd_db_web_session_get(req->web->db, req->token_sha256, req->web->config->web->session_idle_usec,
                                     &req->session, error);
}

static void
login_form(RdWebRequest *req, guint status, const char *message)
{
        g_autoptr(GString) html = g_string_new(NULL);
        g_autofree char *nonce = cookie(req, LOGIN_COOKIE);

        /* login CSRF: the form's token must match a cookie only this site
         * sets.  A nonce the browser already holds is kept: a second tab, or
         * the login page loaded twice, must not make the first form stale. */
        if (nonce == NULL || strlen(nonce) != 64 || strspn(nonce, "0123456789abcdef") != 64) {
                g_free(nonce);
                nonce = random_token();
        }
        set_cookie(req, LOGIN_COOKIE, nonce, "/login", FALSE);
        rd_html_begin(html, "Log in", NULL, NULL);
        g_string_append(html, "<section class=\"login\"><h1>Log in</h1>");
        if (message)
                rd_html_join(html, "<p class=\"error\" id=\"login-error\">", message, "</p>", NULL);
        g_string_append(html, "<form method=\"post\" action=\"/login\">");
        rd_html_csrf(html, nonce);
        g_string_append(html, "<label>Name <input name=\"name\" id=\"name\" autocomplete=\"username\" required"
                              " autofocus></label><label>Password <input type=\"password\" name=\"password\""
                              " id=\"password\" autocomplete=\"current-password\" required></label>"
                              "<button type=\"submit\" id=\"login\">Log in</button></form></section>");
        rd_html_end(html);
        rd_web_send_html(req, status, html);
}

static void
login_failed(RdWebRequest *req)
{
        login_form(req, SOUP_STATUS_UNAUTHORIZED,
                   "Login failed. After 5 failed attempts in a row an account is locked for 15 minutes;"
                   " an administrator can unlock it at once with referralctl user reset.");
}

static void
do_login(RdWebRequest *req, GHashTable *form)
{
        RdWeb *web = req->web;
        const char *name = form ? g_hash_table_lookup(form, "name") : NULL;
        const char *password = form ? g_hash_table_lookup(form, "password") : NULL;
        g_autofree char *nonce = cookie(req, LOGIN_COOKIE);
        g_autoptr(RdWebUser) user = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *token = NULL, *csrf = NULL, *sha = NULL;
        gboolean good, locked = FALSE;

        if (!tokens_equal(nonce, form ? g_hash_table_lookup(form, "csrf") : NULL)) {
                rd_web_send_text(req, SOUP_STATUS_FORBIDDEN, "Request refused: reload the login page.\n");
                return;
        }
        if (name == NULL || password == NULL || strlen(name) > 64 || strlen(password) > 256) {
                login_failed(req);
                return;
        }
        if (!rd_db_web_user_lookup(web->db, name, &user, &error)) {
                rd_web_fail(req, "login", error);
                return;
        }
        /* an unknown name costs the same hashing as a known one */
        good = crypto_pwhash_str_verify(user ? user->password_hash : web->dummy_hash, password,
                                        strlen(password)) == 0 && user != NULL;
        if (!good || user->disabled || user->locked) {
                if (user != NULL && !good &&
                    !rd_db_web_login_failed(web->db, user->id, RD_WEB_MAX_FAILURES, RD_WEB_LOCK_USEC, &locked,
                                            &error)) {
                        rd_web_fail(req, "login", error);
                        return;
                }
                if (!rd_db_web_audit(web->db, user ? user->name : "(unknown)",
                                     user && user->locked ? "login-locked" : locked ? "login-lockout" :
                                                                                      "login-failed",
                                     0, NULL, req->remote, &error)) {
                        rd_web_fail(req, "login", error);
                        return;
                }
                login_failed(req);
                return;
        }
        token = random_token();
        csrf = random_token();
        sha = g_compute_checksum_for_string(G_CHECKSUM_SHA256, token, -1);
        if (!rd_db_web_login_ok(web->db, user->id, sha, csrf, req->remote, &error) ||
            !rd_db_web_audit(web->db, user->name, "login", 0, NULL, req->remote, &error)) {
                rd_web_fail(req, "login", error);
                return;
        }
        set_cookie(req, LOGIN_COOKIE, "", "/login", TRUE);
        set_cookie(req, SESSION_COOKIE, token, "/", FALSE);
        rd_web_redirect(req, "/queue");
}

static void
do_logout(RdWebRequest *req)
{
        g_autoptr(GError) error = NULL;

        rd_web_audit(req, "logout", 0, NULL);
        if (!rd_db_web_session_end(req->web->db, req->token_sha256, &error)) {
                rd_web_fail(req, "logout", error);
                return;
        }
        set_cookie(req, SESSION_COOKIE, "", "/", TRUE);
        rd_web_redirect(req, "/login");
}

static void
send_static(RdWebRequest *req, const char *path)
{
        g_autofree char *name = g_strconcat("/org/referrald/web", path, NULL);
        g_autoptr(GBytes) data = g_resources_lookup_data(name, 0, NULL);
        const char *type = g_str_has_suffix(path, ".js") ? "text/javascript; charset=utf-8" :
                                                           "text/css; charset=utf-8";

        if (data == NULL) {
                rd_web_send_text(req, SOUP_STATUS_NOT_FOUND, "Not found.\n");
                return;
        }
        soup_message_headers_replace(soup_server_message_get_response_headers(req->msg), "Cache-Control",
                                     "no-cache");
        soup_server_message_set_status(req->msg, SOUP_STATUS_OK, NULL);
        soup_server_message_set_response(req->msg, type, SOUP_MEMORY_COPY, g_bytes_get_data(data, NULL),
                                         g_bytes_get_size(data));
}

/* The routes behind the login. */
static void
route(RdWebRequest *req, const char *method, const char *path, GHashTable *query, GHashTable *form)
{
        gboolean get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
        long long id = 0, item = 0;
        unsigned number = 0;
        int end = 0;

        if (get && (strcmp(path, "/") == 0)) {
                rd_web_redirect(req, "/queue");
                return;
        }
        if (strcmp(path, "/queue") == 0) {
                rd_web_queue_page(req, get ? query : form);
                return;
        }
        if (!get && strcmp(path, "/logout") == 0) {
                do_logout(req);
                return;
        }
        if (get && sscanf(path, "/referral/%lld%n", &id, &end) == 1 && path[end] == '\0' && id > 0) {
                rd_web_referral_page(req, id);
                return;
        }
        if (!get && sscanf(path, "/referral/%lld/%n", &id, &end) == 1 && id > 0 &&
            rd_web_edit(req, id, path + end, form))
                return;
        if (rd_web_partners_route(req, get, path, get ? query : form))
                return;
        if (get && sscanf(path, "/referral/%lld/page/%lld/%u%n", &id, &item, &number, &end) == 3 && id > 0) {
                if (path[end] == '\0') {
                        rd_web_page_view(req, id, item, number);
                        return;
                }
                if (strcmp(path + end, ".png") == 0) {
                        const char *size = query ? g_hash_table_lookup(query, "size") : NULL;

                        rd_web_page_image(req, id, item, number, g_strcmp0(size, "large") == 0);
                        return;
                }
        }
        rd_web_send_text(req, SOUP_STATUS_NOT_FOUND, "Not found.\n");
}

static void
on_request(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
        g_autoptr(RdWebRequest) req = g_new0(RdWebRequest, 1);
        g_autoptr(GHashTable) form = NULL;
        g_autoptr(GError) error = NULL;
        const char *method = soup_server_message_get_method(msg);
        gboolean get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

        (void)server;
        req->started = g_get_monotonic_time();
        req->web = data;
        req->msg = msg;
        identify_client(req);
        security_headers(req);
        if (!get && strcmp(method, "POST") != 0) {
                rd_web_send_text(req, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed.\n");
                return;
        }
        if (!get) {
                SoupMessageBody *body = soup_server_message_get_request_body(msg);
                g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
                g_autofree char *text = g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));

                form = soup_form_decode(text);
        }
        if (get && g_str_has_prefix(path, "/static/") && strstr(path, "..") == NULL) {
                send_static(req, path);
                return;
        }
        {
                const char *p[1] = { req->web->timezone };

                if (!rd_db_exec(req->web->db, "SELECT set_config('TimeZone', $1, false)", 1, p, &error)) {
                        rd_web_fail(req, "setting the time zone", error);
                        return;
                }
        }
        if (strcmp(path, "/login") == 0)
                return get ? login_form(req, SOUP_STATUS_OK, NULL) : do_login(req, form);
        if (!load_session(req, &error)) {
                rd_web_fail(req, "reading the session", error);
                return;
        }
        if (req->session == NULL) {
                rd_web_redirect(req, "/login");
                return;
        }
        /* every state-changing request carries the session's CSRF token */
        if (!get && !tokens_equal(req->session->csrf_token, form ? g_hash_table_lookup(form, "csrf") : NULL)) {
                rd_web_audit(req, "csrf-refused", 0, NULL);
                rd_web_send_text(req, SOUP_STATUS_FORBIDDEN,
                                        "Request refused: the form was stale or did not come from this site."
                                        " Go back, reload the page and try again.\n");
                return;
        }
        route(req, method, path, query, form);
}

static gboolean
on_stop(gpointer data)
{
        g_main_loop_quit(((RdWeb *)data)->loop);
        return G_SOURCE_REMOVE;
}

static gboolean
start_listening(RdWeb *web, GError **error)
{
        const RdWebConfig *wc = web->config->web;
        g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string(wc->listen_host, wc->listen_port);
        SoupServerListenOptions opts = 0;

        if (wc->tls_certificate != NULL) {
                g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files(wc->tls_certificate,
                                                                                  wc->tls_key, error);

                if (cert == NULL)
                        return FALSE;
                soup_server_set_tls_certificate(web->server, cert);
                opts |= SOUP_SERVER_LISTEN_HTTPS;
        }
        soup_server_add_handler(web->server, NULL, on_request, web, NULL);
        return soup_server_listen(web->server, addr, opts, error);
}

/* [web] timezone, else the system's zone by its name (the database
 * session shows and reads times in it), else UTC. */
static char *
practice_timezone(const RdWebConfig *wc)
{
        g_autoptr(GTimeZone) local = NULL;
        const char *name;
        char buf[256];
        ssize_t n;

        if (wc->timezone != NULL)
                return g_strdup(wc->timezone);
        local = g_time_zone_new_local();
        name = g_time_zone_get_identifier(local);
        if (name != NULL && *name != '/' && *name != ':' && strcmp(name, "Local") != 0 && strlen(name) < 64)
                return g_strdup(name);
        /* /etc/localtime -> /usr/share/zoneinfo/America/Chicago */
        n = readlink("/etc/localtime", buf, sizeof buf - 1);
        if (n > 0) {
                const char *z;

                buf[n] = '\0';
                z = strstr(buf, "zoneinfo/");
                if (z != NULL)
                        return g_strdup(z + strlen("zoneinfo/"));
        }
        return g_strdup("UTC");
}

void
rd_web_run(const RdConfig *config)
{
        RdWeb web = { .config = config };
        char hash[crypto_pwhash_STRBYTES];
        g_autoptr(GError) error = NULL;
        guint8 junk[16];

        rd_child_setup();
        if (sodium_init() < 0) {
                rd_log_err(RD_WEB_LOG, 0, "libsodium failed to start");
                _exit(1);
        }
        randombytes_buf(junk, sizeof junk);
        if (crypto_pwhash_str(hash, (const char *)junk, sizeof junk, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
                rd_log_err(RD_WEB_LOG, 0, "libsodium: out of memory");
                _exit(1);
        }
        web.dummy_hash = g_strdup(hash);
        web.timezone = practice_timezone(config->web);
        g_resources_register(rd_web_get_resource());
        web.exe = g_file_read_link("/proc/self/exe", NULL);
        web.db = rd_db_connect_user(config->db_conninfo, config->db_process_user, config->db_password, RD_DB_ROLE_WEB,
                                    &error);
        web.server = soup_server_new("server-header", NULL, NULL);
        web.loop = g_main_loop_new(NULL, FALSE);
        if (web.db == NULL || !start_listening(&web, &error)) {
                rd_log_err(RD_WEB_LOG, 0, "web interface: %s", error->message);
                _exit(1);
        }
        {
                const char *p[1] = { web.timezone };
                g_autoptr(GError) tz_error = NULL;

                /* a zone the database does not know would fail every request */
                if (!rd_db_exec(web.db, "SELECT set_config('TimeZone', $1, false)", 1, p, &tz_error)) {
                        rd_log_warning(RD_WEB_LOG, 0, "time zone %s unknown to the database, showing UTC: %s",
                                       web.timezone, tz_error->message);
                        g_free(web.timezone);
                        web.timezone = g_strdup("UTC");
                }
        }
        g_unix_signal_add(SIGTERM, on_stop, &web);
        g_unix_signal_add(SIGINT, on_stop, &web);
        rd_log_info(RD_WEB_LOG, 0, "web interface listening on %s port %u%s, times in %s", config->web->listen_host,
                    config->web->listen_port, config->web->tls_certificate ? " (https)" : "", web.timezone);
        if (!rd_child_stop_requested)
                g_main_loop_run(web.loop);
        soup_server_disconnect(web.server);
        g_object_unref(web.server);
        g_main_loop_unref(web.loop);
        rd_db_free(web.db);
        g_free(web.dummy_hash);
        g_free(web.exe);
        g_free(web.timezone);
        _exit(0);
}
