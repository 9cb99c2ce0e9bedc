/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "extract.h"
#include "parsers/understand/extract.h"
#include "parsers/fields/dates.h"
#include "parsers/item-read.h"
#include "parsers/mime/mime.h"
#include "ocr/ocr-engine.h"
#include "parsers/pages/pages.h"
#include "parsers/understand/policy.h"
#include "parsers/sniff.h"

static RdPolicy *
load_policy(const char *config, GError **error)
{
        g_autoptr(GKeyFile) kf = g_key_file_new();

        if (config == NULL)
                return rd_policy_new_reference();
        if (!g_key_file_load_from_file(kf, config, G_KEY_FILE_NONE, error)) {
                g_prefix_error(error, "%s: ", config);
                return NULL;
        }
        return rd_policy_new_from_keyfile(kf, error);
}

/* The pages of one file, as the daemon's workers read them.  A file read
 * only in part (a damaged attachment, a page limit) still gives what it
 * says, with a warning; nothing read at all is an error. */
static gboolean
read_item(const char *path, GPtrArray *pages, RdItemMeta *meta, GError **error)
{
        g_autofree char *data = NULL;
        gsize len = 0;
        RdReadLimits limits;
        g_autoptr(RdOcrEngine) ocr = NULL;
        g_autoptr(GError) local = NULL;

        if (!g_file_get_contents(path, &data, &len, error))
                return FALSE;
        rd_read_limits_init(&limits);
        ocr = rd_ocr_engine_new(error);
        if (ocr == NULL)
                return FALSE;
        if (rd_item_read((const guint8 *)data, len, &limits, ocr, pages, meta, &local))
                return TRUE;
        if (pages->len == 0) {
                g_propagate_prefixed_error(error, g_steal_pointer(&local), "%s: ", path);
                return FALSE;
        }
        g_printerr("referralctl: warning: %s: %s\n", path, local->message);
        return TRUE;
}

/* The day the file was last modified, in local time, as ISO 8601. */
static char *
file_day(const char *path, GError **error)
{
        g_autoptr(GFile) file = g_file_new_for_path(path);
        g_autoptr(GFileInfo) info = NULL;
        g_autoptr(GDateTime) mtime = NULL;
        g_autoptr(GDateTime) local = NULL;

        info = g_file_query_info(file, G_FILE_ATTRIBUTE_TIME_MODIFIED, G_FILE_QUERY_INFO_NONE, NULL, error);
        if (info == NULL)
                return NULL;
        mtime = g_file_info_get_modification_date_time(info);
        if (mtime == NULL) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: no modification time", path);
                return NULL;
        }
        local = g_date_time_to_local(mtime);
        return g_date_time_format(local, "%Y-%m-%d");
}

/* Where the received date came from, by the daemon's rule: the
 * --received date when given, else the date the item carries (its fax
 * headers or its email's Date:), else the day the file was last modified,
 * standing in for the day it arrived. */
static const char *
received_source(const RdReferral *ref, const char *option, const RdItemMeta *item)
{
        if (option != NULL)
                return "option";
        if (ref->received_arrival)
                return "file-time";
        return item->received != NULL ? "email-date" : "header";
}

int
rd_cmd_extract(int argc, char **argv)
{
        g_autofree char *config = NULL;
        g_autofree char *received = NULL;
        g_autofree char *arrived = NULL;
        gboolean compact = FALSE;
        g_auto(GStrv) files = NULL;
        GOptionEntry entries[] = {
                { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
                  "policy from this configuration file (default: the reference policy)", "FILE" },
                { "received", 'r', 0, G_OPTION_ARG_STRING, &received,
                  "the day the item was received, YYYY-MM-DD (default: its fax header or email Date:, "
                  "else the file's modification day)", "DATE" },
                { "compact", 0, 0, G_OPTION_ARG_NONE, &compact, "one-line JSON", NULL },
                { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE" },
                { NULL },
        };
        g_autoptr(GOptionContext) ctx = g_option_context_new("FILE - print what a referral says, as JSON");
        g_autoptr(GError) error = NULL;
        g_autoptr(RdPolicy) policy = NULL;
        g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func((GDestroyNotify)rd_page_free);
        g_autoptr(RdReferral) ref = NULL;
        g_autofree char *json = NULL;
        RdItemMeta item_meta = { 0 };
        RdExtractMeta meta;

        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                g_printerr("referralctl extract: %s\n", error->message);
                return 2;
        }
        if (files == NULL || files[0] == NULL || files[1] != NULL) {
                g_printerr("referralctl extract: give exactly one FILE\n");
                return 2;
        }
        if (received != NULL && !rd_iso_date(received, NULL)) {
                g_printerr("referralctl extract: --received: not a date YYYY-MM-DD: %s\n", received);
                return 2;
        }
        policy = load_policy(config, &error);
        if (policy == NULL) {
                g_printerr("referralctl extract: %s\n", error->message);
                return 1;
        }
        if (!read_item(files[0], pages, &item_meta, &error)) {
                g_printerr("referralctl extract: %s\n", error->message);
                rd_item_meta_clear(&item_meta);
                return 1;
        }
        meta = rd_item_meta_for_extract(&item_meta);
        if (received != NULL) {
                meta.received = received;
        } else if ((arrived = file_day(files[0], &error)) == NULL) {
                g_printerr("referralctl extract: %s\n", error->message);
                rd_item_meta_clear(&item_meta);
                return 1;
        }
        meta.arrived = arrived;
        ref = rd_extract_referral(pages, &meta, policy, &error);
        if (ref != NULL)
                ref->received_source = received_source(ref, received, &item_meta);
        rd_item_meta_clear(&item_meta);
        if (ref == NULL) {
                g_printerr("referralctl extract: %s\n", error->message);
                return 1;
        }
        /* what a person reads here is the daemon's verdict: a referral
         * that needs review is not complete until someone confirms it */
        ref->complete_confirmed_only = TRUE;
        json = rd_referral_to_json(ref, !compact);
        printf("%s\n", json);
        return fflush(stdout) == 0 ? 0 : 1;
}
