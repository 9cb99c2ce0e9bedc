/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "keys.h"
#include "secrets.h"

G_BEGIN_DECLS

/* [replies], [followups] and [smtp]: what the practice tells referring
 * offices, and how mail leaves.  Their key tables and the checks across
 * keys; config.c walks the file.  Also the checks of the values these
 * groups share with daemon/replies/ (addresses, templates), so that the
 * arrow points from replies/ to config/. */

typedef enum {
        RD_PATIENT_DETAIL_INITIALS_DOB, /* "J.D., born 1950-03-07" */
        RD_PATIENT_DETAIL_INITIALS,     /* "J.D." */
        RD_PATIENT_DETAIL_NONE,         /* the reference only */
} RdPatientDetail;

typedef enum {
        RD_DATE_STYLE_US,   /* 11/19/2026 (default: the referring offices are in the US) */
        RD_DATE_STYLE_ISO,  /* 2026-11-19 */
        RD_DATE_STYLE_LONG, /* November 19, 2026 */
} RdDateStyle;

typedef enum {
        RD_FAX_REPLY_NONE,    /* fax-origin referrals get no reply unless the partner has an email */
        RD_FAX_REPLY_SPOOL,   /* one-page PDF in fax-spool, named for the number */
        RD_FAX_REPLY_GATEWAY, /* mail to fax-gateway with {number} filled in */
} RdFaxReplyMode;

typedef enum {
        RD_UNKNOWN_SENDERS_UNSET = -1,
        RD_UNKNOWN_SENDERS_REPLY,  /* reply along the channel, reference and missing items only */
        RD_UNKNOWN_SENDERS_REVIEW, /* the same reply, held for a person (default) */
        RD_UNKNOWN_SENDERS_NONE,   /* no reply */
} RdUnknownSenders;

typedef struct {
        gboolean enabled;            /* false: no outbox rows at all (default) */
        char *from_addr;             /* required when enabled: envelope and From */
        char *from_name;             /* display name, may be NULL */
        char *practice_name;         /* {practice} */
        char *our_fax;               /* {fax}: where partners fax documents, may be NULL */
        RdPatientDetail patient_detail;
        RdDateStyle date_style;      /* dates in replies */
        gboolean missing_request;    /* default true */
        gboolean receipt;            /* default false */
        gboolean complete_notice;    /* default false */
        gboolean reply_unknown;      /* old key: true = unknown-senders reply, false = none */
        RdUnknownSenders unknown_senders; /* senders not in the partner directory (default review) */
        gboolean hold_unsure;        /* a referral that needs review holds its reply (default true) */
        char **own_numbers;          /* 10 digits, never a recipient (fax-number always is) */
        char **relay_senders;        /* fax-to-email relays besides the built-in ones: addresses or domains */
        guint64 min_interval_usec;   /* one reply of a kind per referral per interval (default 3d) */
        guint max_per_recipient;     /* replies to one address per recipient window (default 10) */
        guint64 recipient_window_usec; /* default 1h */
        char **own_addresses;        /* never answered (from_addr always is) */
        RdFaxReplyMode fax_mode;
        char *fax_spool;             /* RD_FAX_REPLY_SPOOL: directory */
        char *fax_gateway;           /* RD_FAX_REPLY_GATEWAY: "{number}@fax.example.org" */
        /* templates: placeholders {reference} {received} {patient} {missing}
         * {how} {practice} {fax} {from}; defaults in config-replies.c */
        char *subject_missing, *body_missing;
        char *subject_receipt, *body_receipt;
        char *subject_complete, *body_complete;
        guint64 followup_window_usec; /* [followups] window: same partner + patient (default 30d) */
} RdRepliesConfig;

typedef struct {
        char *url;                   /* smtp://host[:port] (STARTTLS) or smtps://host[:port] */
        gboolean implicit_tls;       /* smtps:// */
        gboolean allow_plaintext;    /* smtp:// without STARTTLS: only when configured */
        char *user;                  /* NULL: no AUTH */
        RdSecretKeys secret;         /* password-file= or password-credential= */
        char *password;              /* owned, wiped on free; read by config.c */
        char *ca_file;
        gboolean tls_verify;
        char *helo;                  /* EHLO name, default the from domain */
        guint64 timeout_usec;        /* connect and stall, default 30s */
        guint64 retry_backoff_usec;  /* first retry, doubled, at most 1h (default 30s) */
        guint max_attempts;          /* then failed, visible (default 20) */
} RdSmtpConfig;

extern const RdKey rd_replies_keys[];
extern const RdKey rd_followups_keys[];
extern const RdKey rd_smtp_keys[];

/* [replies] and [followups]; defaults (replies disabled) when the file has
 * neither. */
RdRepliesConfig *rd_replies_config_parse(const RdKeySource *src, GError **error);
void rd_replies_config_free(RdRepliesConfig *rc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdRepliesConfig, rd_replies_config_free)

/* NULL with no error when the file has no [smtp] group.  The password is
 * not read here (config.c reads every secret in one place). */
RdSmtpConfig *rd_smtp_config_parse(const RdKeySource *src, GError **error);
void rd_smtp_config_free(RdSmtpConfig *sc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdSmtpConfig, rd_smtp_config_free)

/* A plain addr-spec, local@domain, as replies are sent to and from. */
gboolean rd_mail_address_valid(const char *addr);

/* The placeholders a reply template may use, NULL-terminated. */
extern const char *const rd_reply_placeholders[];

/* TRUE when every {name} of @template is a known placeholder and the
 * braces balance; else *ret_problem (transfer full) says what is wrong. */
gboolean rd_reply_template_valid(const char *template, char **ret_problem);

G_END_DECLS
