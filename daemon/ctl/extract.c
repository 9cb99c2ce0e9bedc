/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "extract.h"
#include "parsers/understand/extract.h"
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

int
rd_cmd_extract(int argc, char **argv)
{
        g_autofree char *config = NULL;
        gboolean compact = FALSE;
        g_auto(GStrv) files = NULL;
        GOptionEntry entries[] = {
                { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
                  "policy from this configuration file (default: the reference policy)", "FILE" },
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
        ref = rd_extract_referral(pages, &meta, policy, &error);
        rd_item_meta_clear(&item_meta);
        if (ref == NULL) {
                g_printerr("referralctl extract: %s\n", error->message);
                return 1;
        }
        json = rd_referral_to_json(ref, !compact);
        printf("%s\n", json);
        return fflush(stdout) == 0 ? 0 : 1;
}
