/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One SMTP submission with libcurl: TLS, AUTH, timeouts, and errors
 * sorted into permanent and transient. */
#include <curl/curl.h>
#include <string.h>

#include "smtp.h"

G_DEFINE_QUARK(rd-smtp-error-quark, rd_smtp_error)

typedef struct {
        const guint8 *data;
        gsize len, pos;
} RdUpload;

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
        RdUpload *u = userdata;
        size_t n = MIN(size * nitems, u->len - u->pos);

        memcpy(buf, u->data + u->pos, n);
        u->pos += n;
        return n;
}

gboolean
rd_smtp_send(const RdSmtpConfig *config, const char *mail_from, const char *rcpt, GBytes *message, GError **error)
{
        g_autofree char *url = g_strdup_printf("%s/%s", config->url, config->helo ? config->helo : "localhost");
        g_autofree char *from = g_strdup_printf("<%s>", mail_from);
        g_autofree char *to = g_strdup_printf("<%s>", rcpt);
        struct curl_slist *rcpts = NULL;
        RdUpload up = { 0 };
        long code = 0;
        long timeout_ms = (long)MAX(config->timeout_usec / 1000, 1000);
        CURLcode rc;
        CURL *c;

        c = curl_easy_init();
        if (c == NULL) {
                g_set_error(error, RD_SMTP_ERROR, RD_SMTP_ERROR_TRANSIENT, "SMTP: cannot start libcurl");
                return FALSE;
        }
        up.data = g_bytes_get_data(message, &up.len);
        rcpts = curl_slist_append(rcpts, to);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
        /* a stalled server: under 1 byte/s for the timeout */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, MAX(timeout_ms / 1000, 1L));
        curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, MAX(timeout_ms / 1000, 1L));
        if (!config->implicit_tls)
                curl_easy_setopt(c, CURLOPT_USE_SSL, config->allow_plaintext ? (long)CURLUSESSL_NONE
                                                                             : (long)CURLUSESSL_ALL);
        if (config->user) {
                curl_easy_setopt(c, CURLOPT_USERNAME, config->user);
                curl_easy_setopt(c, CURLOPT_PASSWORD, config->password ? config->password : "");
        }
        if (config->ca_file)
                curl_easy_setopt(c, CURLOPT_CAINFO, config->ca_file);
        if (!config->tls_verify) {
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        }

        rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        curl_slist_free_all(rcpts);
        curl_easy_cleanup(c);
        if (rc == CURLE_OK)
                return TRUE;
        if (rc == CURLE_LOGIN_DENIED || rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ||
            rc == CURLE_USE_SSL_FAILED)
                g_set_error(error, RD_SMTP_ERROR, RD_SMTP_ERROR_CONFIG, "SMTP: %s (server said %ld)",
                            curl_easy_strerror(rc), code);
        else if (code >= 500 && code < 600)
                g_set_error(error, RD_SMTP_ERROR, RD_SMTP_ERROR_PERMANENT, "SMTP: %s (server said %ld)",
                            curl_easy_strerror(rc), code);
        else if (code != 0)
                g_set_error(error, RD_SMTP_ERROR, RD_SMTP_ERROR_TRANSIENT, "SMTP: %s (server said %ld)",
                            curl_easy_strerror(rc), code);
        else
                g_set_error(error, RD_SMTP_ERROR, RD_SMTP_ERROR_TRANSIENT, "SMTP: %s", curl_easy_strerror(rc));
        return FALSE;
}
