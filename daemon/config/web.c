/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The [web] group: its key table (through keys.c like every group), the
 * listen address split into host and port, and the checks across keys. */
#include <gio/gio.h>
#include <string.h>

#include "web.h"

/* "127.0.0.1:8470", "[::1]:8470", "0.0.0.0:443" into host and port: an
 * address literal, not a name, so the listener never depends on DNS at
 * start. FALSE when it is not one. */
static gboolean
split_listen(const char *value, char **ret_host, guint *ret_port)
{
        g_autofree char *host = NULL;
        g_autoptr(GInetAddress) addr = NULL;
        const char *colon;
        guint64 port;

        if (value[0] == '[') {
                const char *close = strchr(value, ']');

                if (close == NULL || close[1] != ':')
                        return FALSE;
                host = g_strndup(value + 1, close - value - 1);
                colon = close + 1;
        } else {
                colon = strrchr(value, ':');
                if (colon == NULL)
                        return FALSE;
                host = g_strndup(value, colon - value);
        }
        if (!g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL))
                return FALSE;
        addr = g_inet_address_new_from_string(host);
        if (addr == NULL)
                return FALSE;
        if (ret_host != NULL)
                *ret_host = g_steal_pointer(&host);
        if (ret_port != NULL)
                *ret_port = (guint)port;
        return TRUE;
}

static gboolean
check_listen(char *value)
{
        return split_listen(value, NULL, NULL);
}

static gboolean
check_address(char *value)
{
        g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(value);

        return addr != NULL;
}

/* An IANA zone name GLib can load ("America/Chicago", "UTC"). */
static gboolean
check_timezone(char *value)
{
        g_autoptr(GTimeZone) tz = NULL;

        if (strlen(value) > 64 || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                "0123456789/_+-") != strlen(value))
                return FALSE;
        tz = g_time_zone_new_identifier(value);
        return tz != NULL;
}

#define W(k, t, f, d, w, ...) { k, t, G_STRUCT_OFFSET(RdWebConfig, f), d, w, __VA_ARGS__ }
const RdKey rd_web_keys[] = {
        W("listen", RD_KEY_STRING, listen, "127.0.0.1:8470", "an address and port such as 127.0.0.1:8470 or [::1]:8470",
          check_listen),
        W("tls-certificate", RD_KEY_PATH, tls_certificate, NULL, "an absolute path"),
        W("tls-key", RD_KEY_PATH, tls_key, NULL, "an absolute path"),
        W("timezone", RD_KEY_STRING, timezone, NULL, "a time zone name such as America/Chicago", check_timezone),
        W("session-idle", RD_KEY_DURATION, session_idle_usec, "15min", "a duration such as 15min", .min = 1),
        W("trusted-proxy", RD_KEY_STRING, trusted_proxy, NULL, "an IP address", check_address),
        { NULL },
};
#undef W

void
rd_web_config_free(RdWebConfig *wc)
{
        if (wc == NULL)
                return;
        g_free(wc->listen_host);
        rd_keys_free(rd_web_keys, wc);
}

RdWebConfig *
rd_web_config_parse(const RdKeySource *src, GError **error)
{
        g_autoptr(RdWebConfig) wc = NULL;

        if (!g_key_file_has_group(src->keyfile, "web"))
                return NULL;
        wc = g_new0(RdWebConfig, 1);
        rd_keys_set_defaults(rd_web_keys, wc);
        if (!rd_keys_parse_group(src, "web", rd_web_keys, wc, error))
                return NULL;
        if (!split_listen(wc->listen, &wc->listen_host, &wc->listen_port)) {
                rd_key_fail(src, RD_CONFIG_ERROR_VALUE, "web", "listen", error, "not an address and port");
                return NULL;
        }
        if ((wc->tls_certificate == NULL) != (wc->tls_key == NULL)) {
                rd_key_fail(src, RD_CONFIG_ERROR_MISSING, "web", wc->tls_certificate ? "tls-certificate" : "tls-key",
                            error, "tls-certificate and tls-key go together");
                return NULL;
        }
        return g_steal_pointer(&wc);
}
