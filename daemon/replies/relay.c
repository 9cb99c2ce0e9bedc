/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fax-to-email relays: who they are, and which office a relayed fax is
 * from (see relay.h). */
#include <string.h>

#include "relay.h"
#include "plan.h"
#include "parsers/fields/ids.h"

static const struct {
        const char *domain, *name;
} relays[] = {
        { "efax.com", "efax" },           { "efaxcorporate.com", "efax" }, { "j2.com", "efax" },
        { "ringcentral.com", "ringcentral" }, { "sfax.com", "sfax" },   { "scrypt.com", "sfax" },
        { "updox.com", "updox" },         { "srfax.com", "srfax" },       { "mfax.io", "mfax" },
};

/* @domain is @suffix or a subdomain of it */
static gboolean
domain_within(const char *domain, const char *suffix)
{
        gsize d = strlen(domain), s = strlen(suffix);

        if (d < s || g_ascii_strcasecmp(domain + d - s, suffix) != 0)
                return FALSE;
        return d == s || domain[d - s - 1] == '.';
}

const char *
rd_relay_name(const RdRepliesConfig *rc, const char *from_addr)
{
        const char *at = from_addr ? strrchr(from_addr, '@') : NULL;

        if (at == NULL)
                return NULL;
        for (guint i = 0; rc->relay_senders && rc->relay_senders[i]; i++) {
                const char *s = rc->relay_senders[i];

                if (strchr(s, '@') ? g_ascii_strcasecmp(s, from_addr) == 0 : domain_within(at + 1, s))
                        return "configured";
        }
        for (gsize i = 0; i < G_N_ELEMENTS(relays); i++)
                if (domain_within(at + 1, relays[i].domain))
                        return relays[i].name;
        return NULL;
}

/* The first number after one of @words in @line (case-insensitive). */
static char *
number_after(const RdRepliesConfig *rc, const char *line, const char *const *words)
{
        g_autofree char *low = g_ascii_strdown(line, -1);

        for (guint w = 0; words[w]; w++) {
                for (const char *hit = strstr(low, words[w]); hit; hit = strstr(hit + 1, words[w])) {
                        g_autofree char *n = rd_normalize_phone(line + (hit - low) + strlen(words[w]));

                        if (n != NULL && !rd_reply_is_own_number(rc, n))
                                return g_steal_pointer(&n);
                }
        }
        return NULL;
}

/* A run of 10 digits (or 11 starting with 1) in a file name. */
static char *
number_in_name(const RdRepliesConfig *rc, const char *name)
{
        for (const char *p = name; *p;) {
                gsize n = 0;

                while (g_ascii_isdigit(p[n]))
                        n++;
                if (n == 10 || (n == 11 && p[0] == '1')) {
                        g_autofree char *digits = g_strndup(p + n - 10, 10);

                        if (!rd_reply_is_own_number(rc, digits) && digits[0] >= '2')
                                return g_steal_pointer(&digits);
                }
                p += n ? n : 1;
        }
        return NULL;
}

char *
rd_relay_sender_fax(const RdRepliesConfig *rc, const char *subject, const char *body, const char *const *filenames,
                    guint n_filenames)
{
        static const char *const subject_words[] = { "from", NULL };
        static const char *const body_words[] = { "caller id", "caller-id", "callerid", "sender", "csid",
                                                  "remote id", "from", NULL };
        char *n = subject ? number_after(rc, subject, subject_words) : NULL;

        if (n == NULL && body != NULL) {
                g_auto(GStrv) lines = g_strsplit(body, "\n", 200);

                for (guint i = 0; n == NULL && lines[i]; i++)
                        n = number_after(rc, lines[i], body_words);
        }
        for (guint i = 0; n == NULL && i < n_filenames; i++)
                n = number_in_name(rc, filenames[i]);
        return n;
}
