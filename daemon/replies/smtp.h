/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "daemon/config/replies.h"

G_BEGIN_DECLS

#define RD_SMTP_ERROR (rd_smtp_error_quark())
GQuark rd_smtp_error_quark(void);
typedef enum {
        RD_SMTP_ERROR_TRANSIENT, /* connect, timeout, TLS, 4xx: try again later */
        RD_SMTP_ERROR_PERMANENT, /* 5xx for this message or recipient: never again */
        RD_SMTP_ERROR_CONFIG,    /* login denied, bad URL: fix the configuration */
} RdSmtpError;

/* Sends one message to one recipient with libcurl.  Errors carry the SMTP
 * reply code and text, never the message. */
gboolean rd_smtp_send(const RdSmtpConfig *config, const char *mail_from, const char *rcpt, GBytes *message,
                      GError **error);

G_END_DECLS
