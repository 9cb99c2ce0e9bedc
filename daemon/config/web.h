/* SPDX-License-Identifier: GPL-2.0-or-later */
/* [web]: the staff web interface's listener, TLS, time zone, session
 * lifetime and trusted reverse proxy.  Parsed by config.c through these
 * functions; every error names the file, line, group and key. */
#pragma once

#include <glib.h>

#include "keys.h"

G_BEGIN_DECLS

typedef struct {
        char *listen;               /* as written: "127.0.0.1:8470", "[::1]:8470" */
        char *listen_host;          /* owned, from listen: "127.0.0.1", "::1", "0.0.0.0" */
        guint listen_port;          /* from listen: default 8470 */
        char *tls_certificate;      /* PEM path, NULL: plain HTTP */
        char *tls_key;              /* PEM path, set exactly when tls_certificate is */
        char *timezone;             /* IANA name for shown times, NULL: the system's */
        guint64 session_idle_usec;  /* a session unused this long ends (default 15min) */
        char *trusted_proxy;        /* address whose X-Forwarded-Proto is believed, NULL: none */
} RdWebConfig;

extern const RdKey rd_web_keys[];

/* NULL with no error when the file has no [web] group: no web process. */
RdWebConfig *rd_web_config_parse(const RdKeySource *src, GError **error);
void rd_web_config_free(RdWebConfig *wc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdWebConfig, rd_web_config_free)

G_END_DECLS
