/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The configuration's one value parser: a group's keys are a table of
 * RdKey ending with { NULL }, and rd_keys_parse_group() reads a group of the key-file into a
 * struct through it.  A leaf: it knows no group, only kinds of value, and
 * every error it reports names the file, line, group and key. */

#define RD_CONFIG_ERROR (rd_config_error_quark())
GQuark rd_config_error_quark(void);
typedef enum {
        RD_CONFIG_ERROR_IO,
        RD_CONFIG_ERROR_SYNTAX,
        RD_CONFIG_ERROR_UNKNOWN, /* unknown group or key */
        RD_CONFIG_ERROR_VALUE,   /* bad value */
        RD_CONFIG_ERROR_MISSING, /* required key absent */
} RdConfigError;

typedef enum {
        RD_KEY_STRING,   /* char*: not empty */
        RD_KEY_PATH,     /* char*: an absolute path */
        RD_KEY_BOOL,     /* gboolean: true/false, yes/no, on/off, 1/0 */
        RD_KEY_DURATION, /* guint64 microseconds: "90", "90s", "250ms", "5min", "2h", "3d", "10y" (at most 100 years) */
        RD_KEY_SIZE,     /* guint64 bytes: "1048576", "64K", "64M", "1G" */
        RD_KEY_UINT,     /* guint, within min..max */
        RD_KEY_UINT64,   /* guint64, within min..max */
        RD_KEY_ENUM,     /* int: one of choices */
        RD_KEY_LIST,     /* char**: values separated by ';', empty ones dropped */
        RD_KEY_TEMPLATE, /* char*: multi-line text, kept as written (not stripped) */
        RD_KEY_OTHER,    /* read by the group's own code (a secret's name, the policy) */
} RdKeyType;

typedef struct {
        const char *name;
        int value;
} RdKeyChoice;

/* An extra check of a string (or of each list item).  It may canonicalise
 * the value in place, never making it longer (a letter's case, a trailing
 * slash). */
typedef gboolean (*RdKeyCheck)(char *value);

typedef struct {
        const char *key;            /* NULL: the end of the table */
        RdKeyType type;
        gsize offset;               /* of the field in the group's struct */
        const char *def;            /* default, as written in the file; NULL: none */
        const char *what;           /* for errors: what a good value looks like */
        RdKeyCheck check;           /* STRING, LIST, TEMPLATE: may be NULL */
        guint64 min, max;           /* UINT, UINT64, DURATION, SIZE: the range (max 0: no limit) */
        const RdKeyChoice *choices; /* ENUM: NULL-name terminated */
} RdKey;

/* Where keys come from, for messages: "FILE:LINE".  @keyfile holds the
 * merged values; @lines maps "group" and "group\037key" to where each was
 * last set; @path names the main file when a line is unknown. */
typedef struct {
        GKeyFile *keyfile;  /* borrowed */
        GHashTable *lines;  /* borrowed, may be NULL */
        const char *path;   /* borrowed */
} RdKeySource;

/* "FILE:LINE" of @key in @group (or of the group's header with a NULL
 * @key), or the main file's name. */
const char *rd_key_where(const RdKeySource *src, const char *group, const char *key);

/* Sets @error to "FILE:LINE: [group] MESSAGE", the line of @key (or of
 * the group with a NULL @key), and returns FALSE. */
gboolean rd_key_fail(const RdKeySource *src, RdConfigError code, const char *group, const char *key,
                     GError **error, const char *format, ...) G_GNUC_PRINTF(6, 7);

/* Stores every default of @table into @target. */
void rd_keys_set_defaults(const RdKey *table, gpointer target);

/* Reads @group's keys into @target: an unknown key or a bad value is an
 * error.  A group missing from the file is not. */
gboolean rd_keys_parse_group(const RdKeySource *src, const char *group, const RdKey *table, gpointer target,
                             GError **error);

/* Frees what the table's string and list fields own; rd_keys_free() then
 * frees @target too (a group struct's destructor; accepts NULL). */
void rd_keys_clear(const RdKey *table, gpointer target);
void rd_keys_free(const RdKey *table, gpointer target);

/* SCHEME://host[:port] for one of @schemes (NULL-terminated), nothing
 * after the authority: a trailing '/' is dropped in place.  An RdKeyCheck
 * with the schemes bound. */
gboolean rd_key_check_server_url(char *value, const char *const *schemes);

/* The value parsers, for values that are not in a table. */
gboolean rd_key_parse_duration(const char *text, guint64 *ret_usec);
gboolean rd_key_parse_size(const char *text, guint64 *ret_bytes);

G_END_DECLS
