/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The [web] group: parsed into RdWebConfig, validated key by key. */
#include <gio/gio.h>
#include <string.h>

#include "config.h"
#include "web.h"

typedef gboolean (*RdWebKeyParser)(const char *value, gpointer field);

typedef struct {
        const char *key;
        RdWebKeyParser parse;
        gsize offset;
        const char *what;
} RdWebKey;

/* "127.0.0.1:8470", "[::1]:8470", "0.0.0.0:443": an address literal, not a
 * name, so the listener never depends on DNS at start. */
static gboolean
parse_listen(const char *value, gpointer field)
{
        RdWebConfig *wc = field;
        g_autofree char *host = NULL;
        const char *colon;
        guint64 port;
        g_autoptr(GInetAddress) addr = NULL;

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
        g_free(wc->listen_host);
        wc->listen_host = g_steal_pointer(&host);
        wc->listen_port = (guint)port;
        return TRUE;
}

static gboolean
parse_address(const char *value, gpointer field)
{
        g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(value);

        return addr != NULL && rd_config_field_string(value, field);
}

/* An IANA zone name GLib can load ("America/Chicago", "UTC"). */
static gboolean
parse_timezone(const char *value, gpointer field)
{
        g_autoptr(GTimeZone) tz = NULL;

        if (strlen(value) > 64 || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                "0123456789/_+-") != strlen(value))
                return FALSE;
        tz = g_time_zone_new_identifier(value);
        return tz != NULL && rd_config_field_string(value, field);
}

#define F(member) G_STRUCT_OFFSET(RdWebConfig, member)
static const RdWebKey keys[] = {
        { "listen", parse_listen, 0, "an address and port such as 127.0.0.1:8470 or [::1]:8470" },
        { "tls-certificate", rd_config_field_path, F(tls_certificate), "an absolute path" },
        { "tls-key", rd_config_field_path, F(tls_key), "an absolute path" },
        { "timezone", parse_timezone, F(timezone), "a time zone name such as America/Chicago" },
        { "session-idle", rd_config_field_duration, F(session_idle_usec), "a duration such as 15min" },
        { "trusted-proxy", parse_address, F(trusted_proxy), "an IP address" },
};
#undef F

void
rd_web_config_free(RdWebConfig *wc)
{
        if (wc == NULL)
                return;
        g_free(wc->listen_host);
        g_free(wc->tls_certificate);
        g_free(wc->tls_key);
        g_free(wc->timezone);
        g_free(wc->trusted_proxy);
        g_free(wc);
}

static gboolean
parse_key(RdWebConfig *wc, GKeyFile *kf, const char *path, const char *name, GError **error)
{
        g_autofree char *value = g_key_file_get_string(kf, "web", name, NULL);

        for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
                gpointer field;

                if (strcmp(keys[i].key, name) != 0)
                        continue;
                /* listen fills two fields: it gets the whole struct */
                field = keys[i].parse == parse_listen ? (gpointer)wc : G_STRUCT_MEMBER_P(wc, keys[i].offset);
                if (value != NULL)
                        g_strstrip(value);
                if (value == NULL || !keys[i].parse(value, field)) {
                        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_VALUE,
                                    "%s: [web] %s: bad value, expected %s", path, name, keys[i].what);
                        return FALSE;
                }
                return TRUE;
        }
        g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_UNKNOWN, "%s: [web] unknown key %s", path, name);
        return FALSE;
}

RdWebConfig *
rd_web_config_parse(GKeyFile *kf, const char *path, GError **error)
{
        g_autoptr(RdWebConfig) wc = NULL;
        g_auto(GStrv) names = NULL;

        if (!g_key_file_has_group(kf, "web"))
                return NULL;
        wc = g_new0(RdWebConfig, 1);
        wc->listen_host = g_strdup("127.0.0.1");
        wc->listen_port = 8470;
        wc->session_idle_usec = 15 * 60 * G_USEC_PER_SEC;
        names = g_key_file_get_keys(kf, "web", NULL, NULL);
        for (gsize k = 0; names && names[k]; k++)
                if (!parse_key(wc, kf, path, names[k], error))
                        return NULL;
        if ((wc->tls_certificate == NULL) != (wc->tls_key == NULL)) {
                g_set_error(error, RD_CONFIG_ERROR, RD_CONFIG_ERROR_MISSING,
                            "%s: [web] tls-certificate and tls-key go together", path);
                return NULL;
        }
        return g_steal_pointer(&wc);
}
