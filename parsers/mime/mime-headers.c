/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The header fields of a message that the rest of referrald reads: From,
 * Reply-To, Subject, Date, Message-ID, In-Reply-To, References, and the
 * marks of a message sent by a machine (RFC 3834).  GMime parses the
 * header grammar (folding, comments, angle brackets); this file picks
 * and cleans the values. */
#include <string.h>

#include "mime-private.h"

#define RD_MIME_MAX_REFERENCES 100
#define RD_MIME_MAX_HEADER_BYTES (256 * 1024)

char *
rd_mime_mailbox_addr(InternetAddressList *list)
{
        InternetAddress *ia = NULL;
        const char *addr;
        char *clean, *at;

        if (list == NULL || internet_address_list_length(list) == 0)
                return NULL;
        ia = internet_address_list_get_address(list, 0);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
                InternetAddressList *members =
                        internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));

                if (members == NULL || internet_address_list_length(members) == 0)
                        return NULL;
                ia = internet_address_list_get_address(members, 0);
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
                return NULL;
        addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        clean = rd_mime_clean_header_text(addr);
        if (clean == NULL)
                return NULL;
        /* RFC 5321 2.4: the local part may be case-sensitive, the domain is not */
        at = strrchr(clean, '@');
        if (at != NULL) {
                g_autofree char *domain = g_utf8_strdown(at + 1, -1);

                *at = '\0';
                at = g_strconcat(clean, "@", domain, NULL);
                g_free(clean);
                clean = at;
        }
        return clean;
}

char *
rd_mime_mailbox_name(InternetAddressList *list)
{
        InternetAddress *ia;

        if (list == NULL || internet_address_list_length(list) == 0)
                return NULL;
        ia = internet_address_list_get_address(list, 0);
        return rd_mime_clean_header_text(internet_address_get_name(ia));
}

/* An unstructured header (Subject) decoded by us from its raw value. */
char *
rd_mime_header_text(GMimeObject *obj, const char *name)
{
        GMimeHeader *h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj), name);
        const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
        g_autofree char *decoded = NULL;

        if (raw == NULL)
                return NULL;
        decoded = rd_mime_decode_header_text(raw);
        return rd_mime_clean_header_text(decoded);
}

static char *
header_value_lower(GMimeObject *obj, const char *name)
{
        const char *v = g_mime_object_get_header(obj, name);
        g_autofree char *clean = rd_mime_clean_header_text(v);

        return clean ? g_ascii_strdown(clean, -1) : NULL;
}

/* RFC 3834 5 and common practice: headers that mark a message as sent
 * by a machine or to a list, which we must never answer. */
static gboolean
headers_say_automatic(GMimeMessage *message, const char *from_addr)
{
        GMimeObject *obj = GMIME_OBJECT(message);
        g_autofree char *auto_submitted = header_value_lower(obj, "Auto-Submitted");
        g_autofree char *precedence = header_value_lower(obj, "Precedence");
        g_autofree char *return_path = header_value_lower(obj, "Return-Path");

        if (auto_submitted != NULL) {
                char *semi = strchr(auto_submitted, ';');

                if (semi != NULL)
                        *semi = '\0';
                g_strstrip(auto_submitted);
                if (*auto_submitted != '\0' && strcmp(auto_submitted, "no") != 0)
                        return TRUE;
        }
        if (precedence != NULL &&
            (g_str_has_prefix(precedence, "bulk") || g_str_has_prefix(precedence, "list") ||
             g_str_has_prefix(precedence, "junk") || g_str_has_prefix(precedence, "auto_reply")))
                return TRUE;
        if (g_mime_object_get_header(obj, "List-Id") != NULL ||
            g_mime_object_get_header(obj, "List-Unsubscribe") != NULL ||
            g_mime_object_get_header(obj, "X-Autoreply") != NULL ||
            g_mime_object_get_header(obj, "X-Autorespond") != NULL)
                return TRUE;
        if (return_path != NULL) {
                /* RFC 5321 4.5.5: a null reverse-path is a notification */
                GString *s = g_string_new(NULL);
                gboolean null_path;

                for (const char *p = return_path; *p; p++)
                        if (!g_ascii_isspace(*p))
                                g_string_append_c(s, *p);
                null_path = strcmp(s->str, "<>") == 0;
                g_string_free(s, TRUE);
                if (null_path)
                        return TRUE;
        }
        if (from_addr != NULL) {
                const char *at = strrchr(from_addr, '@');
                gsize local_len = at ? (gsize)(at - from_addr) : strlen(from_addr);

                if ((local_len == 13 && g_ascii_strncasecmp(from_addr, "mailer-daemon", 13) == 0) ||
                    (local_len == 10 && g_ascii_strncasecmp(from_addr, "postmaster", 10) == 0))
                        return TRUE;
        }
        return FALSE;
}

gboolean
rd_mime_is_report_type(const char *type, const char *subtype)
{
        if (g_ascii_strcasecmp(type, "multipart") == 0)
                return g_ascii_strcasecmp(subtype, "report") == 0;
        if (g_ascii_strcasecmp(type, "message") == 0)
                return g_ascii_strcasecmp(subtype, "delivery-status") == 0 ||
                       g_ascii_strcasecmp(subtype, "global-delivery-status") == 0 ||
                       g_ascii_strcasecmp(subtype, "disposition-notification") == 0 ||
                       g_ascii_strcasecmp(subtype, "feedback-report") == 0;
        return FALSE;
}

/* Message-IDs written without angle brackets ("In-Reply-To: id@host"),
 * which GMime's References grammar skips: the words holding an "@",
 * comments removed, each read as a Message-ID. */
static void
parse_bare_ids(const char *value, GPtrArray *out, guint max)
{
        g_autoptr(GString) plain = g_string_new(NULL);
        g_auto(GStrv) words = NULL;
        guint depth = 0;

        /* RFC 5322 3.2.2: comments nest; a backslash quotes a parenthesis */
        for (const char *p = value; *p; p++) {
                if (*p == '\\' && depth > 0 && p[1] != '\0')
                        p++;
                else if (*p == '(')
                        depth++;
                else if (*p == ')' && depth > 0)
                        depth--;
                else if (depth == 0)
                        g_string_append_c(plain, *p);
        }
        words = g_strsplit_set(plain->str, " \t\r\n,", -1);
        for (guint i = 0; words[i] && out->len < max; i++) {
                g_autofree char *raw = NULL;
                char *id;

                if (strchr(words[i], '@') == NULL)
                        continue;
                raw = g_mime_utils_decode_message_id(words[i]);
                id = rd_mime_clean_header_text(raw);
                if (id != NULL)
                        g_ptr_array_add(out, id);
        }
}

/* In-Reply-To and References (RFC 5322 3.6.4), through GMime's parser:
 * folded over lines, with comments, with or without angle brackets. */
static void
parse_id_list(GMimeParserOptions *options, const char *value, GPtrArray *out, guint max)
{
        GMimeReferences *refs;
        guint before = out->len;

        if (value == NULL)
                return;
        refs = g_mime_references_parse(options, value);
        for (int i = 0; refs && i < g_mime_references_length(refs) && out->len < max; i++) {
                char *id = rd_mime_clean_header_text(g_mime_references_get_message_id(refs, i));

                if (id != NULL)
                        g_ptr_array_add(out, id);
        }
        if (refs != NULL)
                g_mime_references_free(refs);
        if (out->len == before)
                parse_bare_ids(value, out, max);
}

void
rd_mime_fill_headers(RdMimeInfo *info, GMimeMessage *message, GMimeParserOptions *options)
{
        GMimeObject *obj = GMIME_OBJECT(message);
        GDateTime *date = g_mime_message_get_date(message);
        g_autoptr(GPtrArray) in_reply_to = g_ptr_array_new_with_free_func(g_free);

        info->from_addr = rd_mime_mailbox_addr(g_mime_message_get_from(message));
        info->from_name = rd_mime_mailbox_name(g_mime_message_get_from(message));
        info->reply_to = rd_mime_mailbox_addr(g_mime_message_get_reply_to(message));
        info->subject = rd_mime_header_text(obj, "Subject");
        info->message_id = rd_mime_clean_header_text(g_mime_message_get_message_id(message));
        if (date != NULL) {
                /* the sender's own calendar day, as the header states it */
                info->date_iso = g_date_time_format(date, "%Y-%m-%d");
                info->date_unix = g_date_time_to_unix(date);
        }
        parse_id_list(options, g_mime_object_get_header(obj, "In-Reply-To"), in_reply_to, 1);
        if (in_reply_to->len > 0)
                info->in_reply_to = g_strdup(in_reply_to->pdata[0]);
        parse_id_list(options, g_mime_object_get_header(obj, "References"), info->references,
                      RD_MIME_MAX_REFERENCES);
        info->auto_submitted = headers_say_automatic(message, info->from_addr);
}
/* The header block of a message: up to the first empty line, at most
 * @max bytes (a header block is a few KB; a message without a body is
 * all header). */
static gsize
header_block_len(const guint8 *data, gsize len, gsize max)
{
        gsize n = MIN(len, max);

        for (gsize i = 0; i + 1 < n; i++) {
                if (data[i] != '\n')
                        continue;
                if (data[i + 1] == '\n')
                        return i + 1;
                if (data[i + 1] == '\r' && i + 2 < n && data[i + 2] == '\n')
                        return i + 1;
        }
        return n;
}

char *
rd_mime_message_id(const guint8 *data, gsize len)
{
        gsize n;
        GMimeStream *stream;
        GMimeParser *parser;
        GMimeMessage *message;
        char *id = NULL;

        if (data == NULL || len == 0)
                return NULL;
        rd_mime_init();
        n = header_block_len(data, len, RD_MIME_MAX_HEADER_BYTES);
        /* GMime reads the header grammar: folding, comments, brackets */
        stream = g_mime_stream_mem_new_with_buffer((const char *)data, n);
        parser = g_mime_parser_new_with_stream(stream);
        g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
        message = g_mime_parser_construct_message(parser, NULL);
        g_object_unref(parser);
        g_object_unref(stream);
        if (message == NULL)
                return NULL;
        id = rd_mime_clean_header_text(g_mime_message_get_message_id(message));
        g_object_unref(message);
        /* the id is a database key and goes back out in our replies'
         * References: refuse what cannot be printed between < and > */
        if (id != NULL && strlen(id) > 500)
                g_clear_pointer(&id, g_free);
        for (const char *q = id; q && *q; q++) {
                if ((guchar)*q <= 0x20 || (guchar)*q >= 0x7f) {
                        g_clear_pointer(&id, g_free);
                        break;
                }
        }
        return id;
}
