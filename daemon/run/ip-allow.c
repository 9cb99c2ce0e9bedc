/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The addresses the unit must let through (see ip-allow.h). */
#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/config/mailbox.h"
#include "daemon/store/db.h"
#include "ip-allow.h"

static void
allow_host(GString *out, GHashTable *seen, const char *what, const char *host)
{
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
        struct addrinfo *res = NULL;
        int r;

        g_string_append_printf(out, "# %s: %s\n", what, host);
        r = getaddrinfo(host, NULL, &hints, &res);
        if (r != 0) {
                g_string_append_printf(out, "# (cannot resolve %s now: %s; add its address by hand)\n", host,
                                       gai_strerror(r));
                return;
        }
        for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
                char text[INET6_ADDRSTRLEN] = "";
                const void *addr = a->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                                   : a->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr
                                   : NULL;

                if (addr == NULL || inet_ntop(a->ai_family, addr, text, sizeof text) == NULL)
                        continue;
                if (g_hash_table_contains(seen, text))
                        continue;
                g_hash_table_add(seen, g_strdup(text));
                g_string_append_printf(out, "IPAddressAllow=%s\n", text);
        }
        freeaddrinfo(res);
}

static void
allow_url(GString *out, GHashTable *seen, const char *what, const char *url)
{
        g_autoptr(GUri) uri = url ? g_uri_parse(url, G_URI_FLAGS_NONE, NULL) : NULL;

        if (uri != NULL && g_uri_get_host(uri) != NULL)
                allow_host(out, seen, what, g_uri_get_host(uri));
}

char *
rd_ip_allow_dropin(const RdConfig *config)
{
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_auto(GStrv) db_hosts = rd_db_conninfo_hosts(config->db_conninfo);
        g_autofree char *resolv = NULL;
        GString *out = g_string_new(NULL);

        g_string_append_printf(out,
                               "# systemctl edit referrald: the servers %s names, resolved now.\n"
                               "# The unit denies every other address (IPAddressDeny=any) except localhost.\n"
                               "[Service]\n",
                               config->path);
        for (guint i = 0; db_hosts[i] != NULL; i++)
                allow_host(out, seen, "[database] conninfo", db_hosts[i]);
        for (guint i = 0; i < config->mailboxes->len; i++) {
                const RdMailboxConfig *mb = g_ptr_array_index(config->mailboxes, i);
                g_autofree char *what = g_strdup_printf("[mailbox.%s] url", mb->name);

                allow_url(out, seen, what, mb->url);
        }
        if (config->smtp != NULL)
                allow_url(out, seen, "[smtp] url", config->smtp->url);
        /* host names above are looked up through these */
        if (g_file_get_contents("/etc/resolv.conf", &resolv, NULL, NULL)) {
                g_auto(GStrv) lines = g_strsplit(resolv, "\n", -1);

                for (guint i = 0; lines[i] != NULL; i++) {
                        g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);

                        if (g_strcmp0(words[0], "nameserver") == 0 && words[1] != NULL)
                                allow_host(out, seen, "DNS server (/etc/resolv.conf)", words[1]);
                }
        }
        if (config->web != NULL)
                g_string_append(out, "# [web]: staff's browsers connect from their own network; allow it, e.g.\n"
                                     "#IPAddressAllow=192.168.10.0/24\n");
        return g_string_free(out, FALSE);
}
