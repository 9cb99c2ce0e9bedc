/* SPDX-License-Identifier: GPL-2.0-or-later */
/* referralctl partner: the directory of referring practices, the keys
 * (NPIs, addresses, domains, fax numbers) that tell whose an item is,
 * and how each wants replies.  Import and export use one CSV layout so
 * the office can keep the directory in a spreadsheet. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "partner.h"
#include "ctl.h"
#include "daemon/store/db.h"
#include "daemon/replies/partner.h"

/* partner_key.kind, in the CSV's column order, with the CSV column and
 * the command line option that carry it. */
static const struct {
        const char *kind;
        const char *column;
        const char *option;
} key_kinds[] = {
        { "npi", "npis", "--npi" },
        { "email", "emails", "--email" },
        { "domain", "domains", "--domain" },
        { "fax", "faxes", "--fax" },
};
#define N_KINDS G_N_ELEMENTS(key_kinds)

static const char *const csv_columns[] = {
        "name",  "npis", "emails", "domains", "faxes", "tier", "reply_channel", "reply_email", "reply_fax",
        "contact", NULL,
};
enum { COL_NAME, COL_NPIS, COL_EMAILS, COL_DOMAINS, COL_FAXES, COL_TIER, COL_REPLY_CHANNEL, COL_REPLY_EMAIL,
       COL_REPLY_FAX, COL_CONTACT, N_COLUMNS };

/* One partner as given on the command line or in a CSV row, validated
 * and normalised. */
typedef struct {
        guint line; /* CSV line the row starts on; 0 on the command line */
        char *name;
        char *tier;
        char *reply_channel;
        char *reply_email;
        char *reply_fax;
        char *contact;
        GPtrArray *keys[N_KINDS]; /* char*, normalised, no duplicates */
        gboolean given[N_COLUMNS]; /* an update leaves a column the CSV lacks as it was */
} PartnerRow;

static void
partner_row_free(PartnerRow *row)
{
        if (row == NULL)
                return;
        g_free(row->name);
        g_free(row->tier);
        g_free(row->reply_channel);
        g_free(row->reply_email);
        g_free(row->reply_fax);
        g_free(row->contact);
        for (guint k = 0; k < N_KINDS; k++)
                g_ptr_array_unref(row->keys[k]);
        g_free(row);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PartnerRow, partner_row_free)

static PartnerRow *
partner_row_new(guint line)
{
        PartnerRow *row = g_new0(PartnerRow, 1);

        row->line = line;
        for (guint c = 0; c < N_COLUMNS; c++)
                row->given[c] = TRUE;
        for (guint k = 0; k < N_KINDS; k++)
                row->keys[k] = g_ptr_array_new_with_free_func(g_free);
        return row;
}

static gboolean
invalid(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

static gboolean
invalid(GError **error, const char *format, ...)
{
        g_autofree char *message = NULL;
        va_list ap;

        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);
        g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
        return FALSE;
}

/* NULL for an empty or blank value: the CSV has no other way to say "none". */
static char *
nonblank(const char *s)
{
        g_autofree char *t = s ? g_strstrip(g_strdup(s)) : NULL;

        return t && *t ? g_steal_pointer(&t) : NULL;
}

static gboolean
row_add_key(PartnerRow *row, guint k, const char *field, const char *value, GError **error)
{
        g_autoptr(GError) local = NULL;
        g_autofree char *v = nonblank(value);
        g_autofree char *norm = NULL;

        if (v == NULL)
                return TRUE;
        norm = rd_partner_parse_key(key_kinds[k].kind, v, &local);
        if (norm == NULL)
                return invalid(error, "%s %s: %s", field, v, local->message);
        if (!g_ptr_array_find_with_equal_func(row->keys[k], norm, g_str_equal, NULL))
                g_ptr_array_add(row->keys[k], g_steal_pointer(&norm));
        return TRUE;
}

/* The single-valued fields; @labels name them as the user wrote them
 * (option or column), indexed by COL_*. */
static gboolean
row_set_fields(PartnerRow *row, const char *const *values, const char *const *labels, GError **error)
{
        g_autoptr(GError) local = NULL;
        g_autofree char *reply_email = nonblank(values[COL_REPLY_EMAIL]);
        g_autofree char *reply_fax = nonblank(values[COL_REPLY_FAX]);

        row->name = nonblank(values[COL_NAME]);
        if (row->name == NULL)
                return invalid(error, "%s: a partner needs a name", labels[COL_NAME]);
        row->tier = nonblank(values[COL_TIER]);
        row->contact = nonblank(values[COL_CONTACT]);
        row->reply_channel = nonblank(values[COL_REPLY_CHANNEL]);
        if (row->reply_channel == NULL)
                row->reply_channel = g_strdup("auto");
        if (!g_strv_contains((const char *const[]){ "auto", "email", "fax", "none", NULL }, row->reply_channel))
                return invalid(error, "%s %s: expected auto, email, fax or none", labels[COL_REPLY_CHANNEL],
                               row->reply_channel);
        if (reply_email) {
                row->reply_email = rd_partner_parse_key("email", reply_email, &local);
                if (row->reply_email == NULL)
                        return invalid(error, "%s %s: %s", labels[COL_REPLY_EMAIL], reply_email, local->message);
        }
        if (reply_fax) {
                row->reply_fax = rd_partner_parse_key("fax", reply_fax, &local);
                if (row->reply_fax == NULL)
                        return invalid(error, "%s %s: %s", labels[COL_REPLY_FAX], reply_fax, local->message);
        }
        return TRUE;
}

/* The partner named @row->name, created or (@update) brought up to
 * date in the columns given; its keys are not touched.  Inside the
 * caller's transaction. */
static gboolean
store_partner(RdDb *db, const PartnerRow *row, gboolean update, char **ret_id, gboolean *ret_added,
              GError **error)
{
        const char *params[] = { row->name,
                                 row->tier,
                                 row->reply_channel,
                                 row->reply_email,
                                 row->reply_fax,
                                 row->contact,
                                 row->given[COL_TIER] ? "t" : "f",
                                 row->given[COL_REPLY_CHANNEL] ? "t" : "f",
                                 row->given[COL_REPLY_EMAIL] ? "t" : "f",
                                 row->given[COL_REPLY_FAX] ? "t" : "f",
                                 row->given[COL_CONTACT] ? "t" : "f" };
        g_autoptr(RdDbRows) res = NULL;
        GPtrArray *r;

        res = rd_db_query(db, "SELECT id FROM partner WHERE name = $1", 1, params, error);
        if (res == NULL)
                return FALSE;
        if (res->rows->len > 0 && !update)
                return invalid(error, "partner %s already exists (partner import updates partners)", row->name);
        g_clear_pointer(&res, rd_db_rows_free);
        res = rd_db_query(db,
                          "INSERT INTO partner (name, tier, reply_channel, reply_email, reply_fax, contact)"
                          " VALUES ($1, $2, $3, $4, $5, $6)"
                          " ON CONFLICT (name) DO UPDATE SET"
                          "  tier = CASE WHEN $7::boolean THEN excluded.tier ELSE partner.tier END,"
                          "  reply_channel = CASE WHEN $8::boolean THEN excluded.reply_channel"
                          "   ELSE partner.reply_channel END,"
                          "  reply_email = CASE WHEN $9::boolean THEN excluded.reply_email"
                          "   ELSE partner.reply_email END,"
                          "  reply_fax = CASE WHEN $10::boolean THEN excluded.reply_fax"
                          "   ELSE partner.reply_fax END,"
                          "  contact = CASE WHEN $11::boolean THEN excluded.contact ELSE partner.contact END,"
                          "  updated_at = now()"
                          " RETURNING id, (xmax = 0)::text",
                          G_N_ELEMENTS(params), params, error);
        if (res == NULL)
                return FALSE;
        r = res->rows->pdata[0];
        *ret_id = g_strdup(r->pdata[0]);
        *ret_added = g_strcmp0(r->pdata[1], "true") == 0;
        return TRUE;
}

/* Give @partner_id the keys of @row.  A key of another partner is an
 * error naming that partner (and, from a CSV, its line in @lines). */
static gboolean
store_keys(RdDb *db, const char *partner_id, const PartnerRow *row, GHashTable *lines, GError **error)
{
        for (guint k = 0; k < N_KINDS; k++) {
                for (guint i = 0; i < row->keys[k]->len; i++) {
                        const char *params[] = { partner_id, key_kinds[k].kind, row->keys[k]->pdata[i] };
                        g_autoptr(RdDbRows) owner = NULL;

                        owner = rd_db_query(db,
                                            "SELECT p.name FROM partner_key k JOIN partner p ON p.id = k.partner_id"
                                            " WHERE k.kind = $2 AND k.value = $3 AND k.partner_id <> $1::bigint",
                                            3, params, error);
                        if (owner == NULL)
                                return FALSE;
                        if (owner->rows->len > 0) {
                                const char *other = ((GPtrArray *)owner->rows->pdata[0])->pdata[0];
                                guint other_line = lines ? GPOINTER_TO_UINT(g_hash_table_lookup(lines, other)) : 0;
                                g_autofree char *where =
                                        other_line ? g_strdup_printf(" (line %u)", other_line) : g_strdup("");

                                return invalid(error, "%s %s already belongs to partner %s%s", key_kinds[k].kind,
                                               (char *)row->keys[k]->pdata[i], other, where);
                        }
                        if (!rd_db_exec(db,
                                        "INSERT INTO partner_key (partner_id, kind, value) VALUES ($1, $2, $3)"
                                        " ON CONFLICT DO NOTHING",
                                        3, params, error))
                                return FALSE;
                }
        }
        return TRUE;
}

static int
partner_add(RdDb *db, PartnerRow *row)
{
        g_autoptr(GError) error = NULL;
        g_autofree char *id = NULL;
        gboolean added;

        if (!rd_db_begin(db, &error))
                return rd_ctl_fail(error);
        if (!store_partner(db, row, FALSE, &id, &added, &error) || !store_keys(db, id, row, NULL, &error) ||
            !rd_db_commit(db, &error)) {
                rd_db_rollback(db);
                return rd_ctl_fail(error);
        }
        printf("partner %s added: %s\n", id, row->name);
        return 0;
}

/* "npi 1, email 2": how a partner is recognised, at a glance. */
#define KEYS_SUMMARY_SQL                                                                            \
        "(SELECT string_agg(n::text || ' ' || kind, ', ' ORDER BY array_position("                  \
        "  ARRAY['npi','email','domain','fax'], kind))"                                             \
        " FROM (SELECT kind, count(*) AS n FROM partner_key WHERE partner_id = p.id GROUP BY kind) s)"

#define KEYS_OBJECT_SQL                                                                             \
        "jsonb_build_object("                                                                       \
        " 'npi', (SELECT coalesce(jsonb_agg(value ORDER BY value), '[]') FROM partner_key"          \
        "   WHERE partner_id = p.id AND kind = 'npi'),"                                             \
        " 'email', (SELECT coalesce(jsonb_agg(value ORDER BY value), '[]') FROM partner_key"        \
        "   WHERE partner_id = p.id AND kind = 'email'),"                                           \
        " 'domain', (SELECT coalesce(jsonb_agg(value ORDER BY value), '[]') FROM partner_key"       \
        "   WHERE partner_id = p.id AND kind = 'domain'),"                                          \
        " 'fax', (SELECT coalesce(jsonb_agg(value ORDER BY value), '[]') FROM partner_key"          \
        "   WHERE partner_id = p.id AND kind = 'fax'))"

static int
partner_list(RdDb *db)
{
        static const char *const numeric[] = { "id", "referrals", "incomplete", NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) rows = NULL;

        if (rd_ctl_opt_json) {
                rows = rd_db_query(db,
                                   "SELECT jsonb_pretty(coalesce(jsonb_agg(jsonb_build_object("
                                   " 'id', p.id, 'name', p.name, 'tier', p.tier, 'reply_channel', p.reply_channel,"
                                   " 'reply_email', p.reply_email, 'reply_fax', p.reply_fax,"
                                   " 'keys', " KEYS_OBJECT_SQL ","
                                   " 'referrals', (SELECT count(*) FROM referral r WHERE r.partner_id = p.id),"
                                   " 'incomplete', (SELECT count(*) FROM referral r WHERE r.partner_id = p.id"
                                   "   AND r.status = 'incomplete')) ORDER BY p.name, p.id), '[]'))"
                                   " FROM partner p",
                                   0, NULL, &error);
                if (rows == NULL)
                        return rd_ctl_fail(error);
                printf("%s\n", (char *)((GPtrArray *)rows->rows->pdata[0])->pdata[0]);
                return 0;
        }
        rows = rd_db_query(db,
                           "SELECT p.id, p.name, p.tier, p.reply_channel AS reply, " KEYS_SUMMARY_SQL " AS keys,"
                           " (SELECT count(*) FROM referral r WHERE r.partner_id = p.id) AS referrals,"
                           " (SELECT count(*) FROM referral r WHERE r.partner_id = p.id"
                           "   AND r.status = 'incomplete') AS incomplete"
                           " FROM partner p ORDER BY p.name, p.id",
                           0, NULL, &error);
        if (rows == NULL)
                return rd_ctl_fail(error);
        rd_ctl_print_rows(rows, numeric);
        return 0;
}

/* A partner by id, or by name when no partner has that id. */
#define PARTNER_BY_ID_OR_NAME_SQL                                                                   \
        " WHERE p.id = (SELECT q.id FROM partner q WHERE (q.id::text = $1) OR q.name = $1"          \
        "   ORDER BY q.id::text = $1 DESC LIMIT 1)"

/* The partner query of `partner show` found one; else says why. */
static gboolean
found_partner(const RdDbRows *rows, const char *which, GError *error)
{
        if (rows == NULL) {
                rd_ctl_fail(error);
                return FALSE;
        }
        if (rows->rows->len == 0) {
                fprintf(stderr, "referralctl partner show: no partner %s\n", which);
                return FALSE;
        }
        return TRUE;
}

static int
partner_show(RdDb *db, const char *which)
{
        const char *params[] = { which };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) p = NULL;
        g_autoptr(RdDbRows) keys = NULL;
        g_autoptr(RdDbRows) refs = NULL;
        GPtrArray *row;

        if (rd_ctl_opt_json) {
                p = rd_db_query(db,
                                "SELECT jsonb_pretty(jsonb_build_object('id', p.id, 'name', p.name, 'tier', p.tier,"
                                " 'reply_channel', p.reply_channel, 'reply_email', p.reply_email,"
                                " 'reply_fax', p.reply_fax, 'contact', p.contact,"
                                " 'created_at', p.created_at, 'updated_at', p.updated_at,"
                                " 'keys', " KEYS_OBJECT_SQL ","
                                " 'referrals', (SELECT count(*) FROM referral r WHERE r.partner_id = p.id),"
                                " 'incomplete', (SELECT count(*) FROM referral r WHERE r.partner_id = p.id"
                                "   AND r.status = 'incomplete'),"
                                " 'last_referrals', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id,"
                                "   'reference', x.reference, 'received_at', x.received_at, 'status', x.status)"
                                "   ORDER BY x.received_at DESC NULLS LAST, x.id DESC), '[]')"
                                "   FROM (SELECT * FROM referral r WHERE r.partner_id = p.id"
                                "   ORDER BY r.received_at DESC NULLS LAST, r.id DESC LIMIT 20) x)))"
                                " FROM partner p" PARTNER_BY_ID_OR_NAME_SQL,
                                1, params, &error);
                if (!found_partner(p, which, error))
                        return 1;
                printf("%s\n", rd_db_rows_cell(p, 0, 0));
                return 0;
        }
        p = rd_db_query(db,
                        "SELECT p.id AS \"id\", p.name AS \"name\", p.tier AS \"tier\","
                        " p.reply_channel AS \"reply channel\", p.reply_email AS \"reply email\","
                        " p.reply_fax AS \"reply fax\", p.contact AS \"contact\","
                        " to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS\"Z\"') AS \"created\","
                        " to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS\"Z\"') AS \"updated\","
                        " (SELECT count(*) FROM referral r WHERE r.partner_id = p.id)::text || ' ('"
                        "  || (SELECT count(*) FROM referral r WHERE r.partner_id = p.id"
                        "      AND r.status = 'incomplete')::text || ' incomplete)' AS \"referrals\""
                        " FROM partner p" PARTNER_BY_ID_OR_NAME_SQL,
                        1, params, &error);
        if (!found_partner(p, which, error))
                return 1;
        row = p->rows->pdata[0];
        params[0] = row->pdata[0]; /* the id from here on */
        keys = rd_db_query(db,
                           "SELECT kind, value FROM partner_key WHERE partner_id = $1::bigint"
                           " ORDER BY array_position(ARRAY['npi','email','domain','fax'], kind), value",
                           1, params, &error);
        refs = keys ? rd_db_query(db,
                                  "SELECT id, reference,"
                                  " to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI\"Z\"') AS received,"
                                  " status FROM referral WHERE partner_id = $1::bigint"
                                  " ORDER BY received_at DESC NULLS LAST, id DESC LIMIT 20",
                                  1, params, &error)
                    : NULL;
        if (refs == NULL)
                return rd_ctl_fail(error);
        for (guint c = 0; c < p->columns->len; c++)
                printf("%-14s %s\n", (char *)p->columns->pdata[c], row->pdata[c] ? (char *)row->pdata[c] : "-");
        printf("\nkeys:\n");
        rd_ctl_print_rows(keys, NULL);
        printf("\nlast referrals:\n");
        rd_ctl_print_rows(refs, NULL);
        return 0;
}

/* RFC 4180: fields separated by commas, records by CRLF (a bare LF is
 * accepted too), a field in double quotes may hold commas, line breaks
 * and doubled quotes.  Returns the records (GPtrArray of char*), and
 * in @ret_lines the line each one starts on. */
static GPtrArray *
csv_parse(const char *text, GArray **ret_lines, GError **error)
{
        g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
        g_autoptr(GArray) lines = g_array_new(FALSE, FALSE, sizeof(guint));
        g_autoptr(GPtrArray) record = NULL;
        g_autoptr(GString) field = g_string_new(NULL);
        const char *p = text;
        guint line = 1, record_line = 1;

        if (g_str_has_prefix(p, "\xEF\xBB\xBF")) /* the BOM a spreadsheet may write */
                p += 3;
        for (;;) {
                if (record == NULL) {
                        record = g_ptr_array_new_with_free_func(g_free);
                        record_line = line;
                }
                g_string_truncate(field, 0);
                if (*p == '"') {
                        guint quote_line = line;

                        p++;
                        for (;;) {
                                if (*p == '\0') {
                                        invalid(error, "line %u: a quoted field is not closed", quote_line);
                                        return NULL;
                                }
                                if (*p == '"' && p[1] == '"') {
                                        g_string_append_c(field, '"');
                                        p += 2;
                                } else if (*p == '"') {
                                        p++;
                                        break;
                                } else {
                                        if (*p == '\n')
                                                line++;
                                        g_string_append_c(field, *p++);
                                }
                        }
                        if (*p != ',' && *p != '\n' && *p != '\r' && *p != '\0') {
                                invalid(error, "line %u: text after a closing quote", line);
                                return NULL;
                        }
                } else {
                        while (*p != ',' && *p != '\n' && *p != '\r' && *p != '\0') {
                                if (*p == '"') {
                                        invalid(error, "line %u: a quote inside a field that does not start with one",
                                                line);
                                        return NULL;
                                }
                                g_string_append_c(field, *p++);
                        }
                }
                g_ptr_array_add(record, g_strdup(field->str));
                if (*p == ',') {
                        p++;
                        continue;
                }
                if (*p == '\r')
                        p++;
                if (*p == '\n') {
                        p++;
                        line++;
                }
                /* the end of a record; a blank line is none */
                if (!(record->len == 1 && *(char *)record->pdata[0] == '\0')) {
                        g_ptr_array_add(records, g_steal_pointer(&record));
                        g_array_append_val(lines, record_line);
                }
                g_clear_pointer(&record, g_ptr_array_unref);
                if (*p == '\0')
                        break;
        }
        *ret_lines = g_steal_pointer(&lines);
        return g_steal_pointer(&records);
}

static gboolean
csv_needs_quotes(const char *s)
{
        return *s == ' ' || (*s && g_str_has_suffix(s, " ")) || strpbrk(s, ",\"\r\n") != NULL;
}

static void
csv_append_field(GString *out, const char *s, gboolean last)
{
        if (s == NULL)
                s = "";
        if (csv_needs_quotes(s)) {
                g_string_append_c(out, '"');
                for (const char *p = s; *p; p++) {
                        if (*p == '"')
                                g_string_append_c(out, '"');
                        g_string_append_c(out, *p);
                }
                g_string_append_c(out, '"');
        } else {
                g_string_append(out, s);
        }
        g_string_append(out, last ? "\r\n" : ",");
}

/* A CSV row as a PartnerRow; @cols maps COL_* to the record's field
 * index (-1: the column is absent). */
static PartnerRow *
row_from_csv(GPtrArray *record, guint line, const int *cols, GError **error)
{
        g_autoptr(PartnerRow) row = partner_row_new(line);
        const char *values[N_COLUMNS] = { NULL };

        for (guint c = 0; c < N_COLUMNS; c++) {
                values[c] = cols[c] >= 0 ? record->pdata[cols[c]] : NULL;
                row->given[c] = cols[c] >= 0;
        }
        if (!row_set_fields(row, values, csv_columns, error))
                return NULL;
        for (guint k = 0; k < N_KINDS; k++) {
                const char *multi = values[COL_NPIS + k];
                g_auto(GStrv) parts = multi ? g_strsplit(multi, ";", -1) : NULL;

                for (guint i = 0; parts && parts[i]; i++)
                        if (!row_add_key(row, k, key_kinds[k].column, parts[i], error))
                                return NULL;
        }
        return g_steal_pointer(&row);
}

/* Maps the header's columns (any order, case-insensitive) to @cols;
 * FALSE after telling why. */
static gboolean
read_header(GPtrArray *header, int cols[N_COLUMNS])
{
        for (guint c = 0; c < N_COLUMNS; c++)
                cols[c] = -1;
        for (guint i = 0; i < header->len; i++) {
                g_autofree char *h = g_ascii_strdown(g_strstrip((char *)header->pdata[i]), -1);
                guint c;

                if (*h == '\0') /* a spreadsheet's trailing empty columns */
                        continue;
                for (c = 0; c < N_COLUMNS; c++)
                        if (strcmp(h, csv_columns[c]) == 0)
                                break;
                if (c == N_COLUMNS) {
                        fprintf(stderr, "referralctl: line 1: unknown column \"%s\" (expected %s)\n", h,
                                "name,npis,emails,domains,faxes,tier,reply_channel,reply_email,reply_fax,contact");
                        return FALSE;
                }
                if (cols[c] >= 0) {
                        fprintf(stderr, "referralctl: line 1: column %s appears twice\n", h);
                        return FALSE;
                }
                cols[c] = (int)i;
        }
        if (cols[COL_NAME] < 0) {
                fprintf(stderr, "referralctl: line 1: the header has no name column\n");
                return FALSE;
        }

        return TRUE;
}

/* Every row of the file checked into @rows before anything is written;
 * FALSE after telling why. */
static gboolean
check_rows(GPtrArray *records, GArray *lines, const int cols[N_COLUMNS], GPtrArray *rows,
           GHashTable *line_of)
{
        g_autoptr(GError) error = NULL;
        GPtrArray *header = records->pdata[0];

        for (guint r = 1; r < records->len; r++) {
                GPtrArray *record = records->pdata[r];
                guint line = g_array_index(lines, guint, r);
                PartnerRow *row;
                guint first;

                if (record->len != header->len) {
                        fprintf(stderr, "referralctl: line %u: %u field(s), the header has %u\n", line, record->len,
                                header->len);
                        return FALSE;
                }
                row = row_from_csv(record, line, cols, &error);
                if (row == NULL) {
                        fprintf(stderr, "referralctl: line %u: %s\n", line, error->message);
                        return FALSE;
                }
                g_ptr_array_add(rows, row);
                first = GPOINTER_TO_UINT(g_hash_table_lookup(line_of, row->name));
                if (first) {
                        fprintf(stderr, "referralctl: line %u: partner %s is also on line %u\n", line, row->name,
                                first);
                        return FALSE;
                }
                g_hash_table_insert(line_of, row->name, GUINT_TO_POINTER(line));
        }

        return TRUE;
}

/* The key columns the file has, as a PostgreSQL text array literal: those
 * keys are replaced, the others stay. */
static char *
kinds_given_of(const int cols[N_COLUMNS])
{
        g_autoptr(GString) kinds = g_string_new("{");

        for (guint k = 0; k < N_KINDS; k++)
                if (cols[COL_NPIS + k] >= 0)
                        g_string_append_printf(kinds, "%s%s", kinds->len > 1 ? "," : "", key_kinds[k].kind);
        g_string_append_c(kinds, '}');
        return g_string_free(g_steal_pointer(&kinds), FALSE);
}

static int
partner_import(RdDb *db, const char *path)
{
        g_autoptr(GError) error = NULL;
        g_autofree char *text = NULL;
        g_autoptr(GPtrArray) records = NULL;
        g_autoptr(GArray) lines = NULL;
        g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)partner_row_free);
        g_autoptr(GHashTable) line_of = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *kinds_given = NULL;
        int cols[N_COLUMNS];
        guint added = 0, updated = 0;

        if (!g_file_get_contents(path, &text, NULL, &error))
                return rd_ctl_fail(error);
        if (!g_utf8_validate(text, -1, NULL)) {
                fprintf(stderr, "referralctl: %s: not UTF-8 text\n", path);
                return 1;
        }
        records = csv_parse(text, &lines, &error);
        if (records == NULL)
                return rd_ctl_fail(error);
        if (records->len == 0) {
                fprintf(stderr, "referralctl: %s: no header row\n", path);
                return 1;
        }
        if (!read_header(records->pdata[0], cols) || !check_rows(records, lines, cols, rows, line_of))
                return 1;
        kinds_given = kinds_given_of(cols);

        /* One transaction: the partners first and their old keys gone, so
         * a key may move from one partner to another within the file. */
        if (!rd_db_begin(db, &error))
                return rd_ctl_fail(error);
        for (guint r = 0; r < rows->len; r++) {
                PartnerRow *row = rows->pdata[r];
                char *id = NULL;
                gboolean was_added = FALSE;
                const char *params[2];

                if (!store_partner(db, row, TRUE, &id, &was_added, &error)) {
                        g_prefix_error(&error, "line %u: ", row->line);
                        goto fail;
                }
                g_ptr_array_add(ids, id);
                params[0] = id;
                params[1] = kinds_given;
                if (!rd_db_exec(db,
                                "DELETE FROM partner_key"
                                " WHERE partner_id = $1::bigint AND kind = ANY($2::text[])",
                                2, params, &error))
                        goto fail;
                if (was_added)
                        added++;
                else
                        updated++;
        }
        for (guint r = 0; r < rows->len; r++) {
                PartnerRow *row = rows->pdata[r];

                if (!store_keys(db, ids->pdata[r], row, line_of, &error)) {
                        g_prefix_error(&error, "line %u: ", row->line);
                        goto fail;
                }
        }
        if (!rd_db_commit(db, &error))
                goto fail;
        printf("%u partner(s) imported: %u added, %u updated\n", rows->len, added, updated);
        return 0;
fail:
        rd_db_rollback(db);
        fprintf(stderr, "referralctl: %s (nothing was imported)\n", error->message);
        return 1;
}

static int
partner_export(RdDb *db, const char *path)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDbRows) rows = NULL;
        g_autoptr(GString) out = g_string_new(NULL);

        rows = rd_db_query(db,
                           "SELECT p.name,"
                           " (SELECT string_agg(value, ';' ORDER BY value) FROM partner_key"
                           "   WHERE partner_id = p.id AND kind = 'npi'),"
                           " (SELECT string_agg(value, ';' ORDER BY value) FROM partner_key"
                           "   WHERE partner_id = p.id AND kind = 'email'),"
                           " (SELECT string_agg(value, ';' ORDER BY value) FROM partner_key"
                           "   WHERE partner_id = p.id AND kind = 'domain'),"
                           " (SELECT string_agg(value, ';' ORDER BY value) FROM partner_key"
                           "   WHERE partner_id = p.id AND kind = 'fax'),"
                           " p.tier, p.reply_channel, p.reply_email, p.reply_fax, p.contact"
                           " FROM partner p ORDER BY p.name",
                           0, NULL, &error);
        if (rows == NULL)
                return rd_ctl_fail(error);
        for (guint c = 0; c < N_COLUMNS; c++)
                csv_append_field(out, csv_columns[c], c + 1 == N_COLUMNS);
        for (guint r = 0; r < rows->rows->len; r++) {
                GPtrArray *row = rows->rows->pdata[r];

                for (guint c = 0; c < N_COLUMNS; c++)
                        csv_append_field(out, row->pdata[c], c + 1 == N_COLUMNS);
        }
        if (path == NULL || strcmp(path, "-") == 0) {
                fwrite(out->str, 1, out->len, stdout);
                if (fflush(stdout) != 0) {
                        fprintf(stderr, "referralctl: writing the export: %s\n", g_strerror(errno));
                        return 1;
                }
                return 0;
        }
        if (!g_file_set_contents(path, out->str, (gssize)out->len, &error))
                return rd_ctl_fail(error);
        printf("%u partner(s) exported\n", rows->rows->len);
        return 0;
}

int
rd_cmd_partner(int argc, char **argv)
{
        g_auto(GStrv) emails = NULL;
        g_auto(GStrv) domains = NULL;
        g_auto(GStrv) faxes = NULL;
        g_auto(GStrv) npis = NULL;
        g_autofree char *tier = NULL;
        g_autofree char *reply_channel = NULL;
        g_autofree char *reply_email = NULL;
        g_autofree char *reply_fax = NULL;
        g_autofree char *contact = NULL;
        GOptionEntry extra[] = {
                { "email", 0, 0, G_OPTION_ARG_STRING_ARRAY, &emails, "add: an address the partner sends from",
                  "ADDR" },
                { "domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &domains, "add: a mail domain of the partner",
                  "DOMAIN" },
                { "fax", 0, 0, G_OPTION_ARG_STRING_ARRAY, &faxes, "add: a fax number the partner sends from",
                  "NUMBER" },
                { "npi", 0, 0, G_OPTION_ARG_STRING_ARRAY, &npis, "add: an NPI of the practice or a clinician",
                  "NPI" },
                { "tier", 0, 0, G_OPTION_ARG_STRING, &tier, "add: the partner's tier", "TIER" },
                { "reply-channel", 0, 0, G_OPTION_ARG_STRING, &reply_channel,
                  "add: how replies go out: auto (default), email, fax, none", "CHANNEL" },
                { "reply-email", 0, 0, G_OPTION_ARG_STRING, &reply_email, "add: send email replies here", "ADDR" },
                { "reply-fax", 0, 0, G_OPTION_ARG_STRING, &reply_fax, "add: send fax replies here", "NUMBER" },
                { "contact", 0, 0, G_OPTION_ARG_STRING, &contact, "add: a contact person or note", "TEXT" },
                { NULL },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = NULL;
        const char *sub;
        gboolean add_options;

        if (!rd_ctl_parse_options(&argc, &argv,
                                  "add NAME [OPTIONS] | list | show ID|NAME | import FILE.csv | export [FILE]",
                                  extra, &error))
                return rd_ctl_fail(error);
        if (argc < 2) {
                fprintf(stderr, "referralctl partner: expected add, list, show, import or export\n");
                return 2;
        }
        sub = argv[1];
        add_options = emails || domains || faxes || npis || tier || reply_channel || reply_email || reply_fax ||
                      contact;
        if (add_options && strcmp(sub, "add") != 0) {
                fprintf(stderr, "referralctl partner %s: the partner's fields are options of partner add\n", sub);
                return 2;
        }
        for (int i = 2; i < argc; i++)
                if (!g_utf8_validate(argv[i], -1, NULL)) {
                        fprintf(stderr, "referralctl partner: arguments must be UTF-8\n");
                        return 2;
                }

        if (strcmp(sub, "add") == 0) {
                static const char *const labels[N_COLUMNS] = { "NAME", "--npi", "--email", "--domain", "--fax",
                                                               "--tier", "--reply-channel", "--reply-email",
                                                               "--reply-fax", "--contact" };
                const char *values[N_COLUMNS] = { NULL };
                g_autoptr(PartnerRow) row = partner_row_new(0);
                char **given[N_KINDS] = { npis, emails, domains, faxes };

                if (argc != 3) {
                        fprintf(stderr, "referralctl partner add: give one NAME (quote a name with spaces)\n");
                        return 2;
                }
                values[COL_NAME] = argv[2];
                values[COL_TIER] = tier;
                values[COL_REPLY_CHANNEL] = reply_channel;
                values[COL_REPLY_EMAIL] = reply_email;
                values[COL_REPLY_FAX] = reply_fax;
                values[COL_CONTACT] = contact;
                if (!row_set_fields(row, values, labels, &error))
                        return rd_ctl_fail(error);
                for (guint k = 0; k < N_KINDS; k++)
                        for (guint i = 0; given[k] && given[k][i]; i++)
                                if (!row_add_key(row, k, key_kinds[k].option, given[k][i], &error))
                                        return rd_ctl_fail(error);
                db = rd_ctl_open_db(&error);
                if (db == NULL)
                        return rd_ctl_fail(error);
                return partner_add(db, row);
        }
        if (strcmp(sub, "list") == 0) {
                if (argc != 2) {
                        fprintf(stderr, "referralctl partner list: no arguments expected\n");
                        return 2;
                }
                db = rd_ctl_open_db(&error);
                return db ? partner_list(db) : rd_ctl_fail(error);
        }
        if (strcmp(sub, "show") == 0) {
                if (argc != 3) {
                        fprintf(stderr, "referralctl partner show: give one partner id or name\n");
                        return 2;
                }
                db = rd_ctl_open_db(&error);
                return db ? partner_show(db, argv[2]) : rd_ctl_fail(error);
        }
        if (strcmp(sub, "import") == 0) {
                if (argc != 3) {
                        fprintf(stderr, "referralctl partner import: give one CSV file\n");
                        return 2;
                }
                db = rd_ctl_open_db(&error);
                return db ? partner_import(db, argv[2]) : rd_ctl_fail(error);
        }
        if (strcmp(sub, "export") == 0) {
                if (argc > 3) {
                        fprintf(stderr, "referralctl partner export: at most one FILE\n");
                        return 2;
                }
                db = rd_ctl_open_db(&error);
                return db ? partner_export(db, argc == 3 ? argv[2] : NULL) : rd_ctl_fail(error);
        }
        fprintf(stderr, "referralctl partner: unknown subcommand %s (add, list, show, import, export)\n", sub);
        return 2;
}
