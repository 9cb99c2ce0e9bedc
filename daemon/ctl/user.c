/* SPDX-License-Identifier: GPL-2.0-or-later */
/* referralctl user: web accounts, one per person.  Passwords come from
 * standard input or a prompt without echo, never from argv (where ps and
 * the shell history would keep them), and are stored only as libsodium
 * argon2id hashes. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl.h"
#include "user.h"
#include "daemon/store/web.h"

#define RD_PASSWORD_MIN 12
#define RD_PASSWORD_MAX 256

static int
usage_error(const char *what)
{
        fprintf(stderr, "referralctl user: %s\n", what);
        return 2;
}

/* One line from @in, without its newline; NULL at end of input. */
static char *
read_line(FILE *in)
{
        char buf[RD_PASSWORD_MAX + 2];
        size_t len;

        if (fgets(buf, sizeof buf, in) == NULL)
                return NULL;
        len = strcspn(buf, "\r\n");
        buf[len] = '\0';
        {
                char *line = g_strdup(buf);

                sodium_memzero(buf, sizeof buf);
                return line;
        }
}

static char *
prompt_password(const char *prompt)
{
        struct termios old, quiet;
        char *line;

        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) != 0)
                return read_line(stdin);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        line = read_line(stdin);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
        return line;
}

static void
wipe_free(char *s)
{
        if (s != NULL)
                sodium_memzero(s, strlen(s));
        g_free(s);
}

/* The password from a terminal (asked twice) or one line of standard input,
 * hashed; NULL after printing why not. */
static char *
new_password_hash(void)
{
        char hash[crypto_pwhash_STRBYTES];
        char *first, *second = NULL;
        gboolean tty = isatty(STDIN_FILENO);
        gboolean ok;

        first = tty ? prompt_password("new password: ") : read_line(stdin);
        if (tty && first != NULL)
                second = prompt_password("again: ");
        if (first == NULL || (tty && g_strcmp0(first, second) != 0)) {
                fprintf(stderr, "referralctl user: %s\n", first == NULL ? "no password on standard input" :
                                                                          "the passwords differ");
                wipe_free(first);
                wipe_free(second);
                return NULL;
        }
        wipe_free(second);
        if (g_utf8_strlen(first, -1) < RD_PASSWORD_MIN || !g_utf8_validate(first, -1, NULL)) {
                fprintf(stderr, "referralctl user: a password needs at least %d characters\n", RD_PASSWORD_MIN);
                wipe_free(first);
                return NULL;
        }
        /* the interactive limits: about 0.1 s and 64 MiB per login */
        ok = crypto_pwhash_str(hash, first, strlen(first), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
        wipe_free(first);
        if (!ok) {
                fprintf(stderr, "referralctl user: hashing the password failed (out of memory)\n");
                return NULL;
        }
        return g_strdup(hash);
}

static gboolean
valid_name(const char *name)
{
        gsize len = strlen(name);

        if (len == 0 || len > 64 || !g_ascii_isalnum(name[0]))
                return FALSE;
        for (gsize i = 0; i < len; i++)
                if (!g_ascii_isalnum(name[i]) && strchr("._@-", name[i]) == NULL)
                        return FALSE;
        return TRUE;
}

static int
run_user(const char *verb, const char *name, const char *role)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(RdDb) db = rd_ctl_open_db_as(RD_DB_ROLE_ADMIN, &error);
        g_autofree char *hash = NULL;
        gboolean found = TRUE;

        if (db == NULL)
                return rd_ctl_fail(error);
        if (strcmp(verb, "list") == 0) {
                g_autoptr(RdDbRows) rows = rd_db_web_user_list(db, &error);

                if (rows == NULL)
                        return rd_ctl_fail(error);
                rd_ctl_print_rows(rows, NULL);
                return 0;
        }
        if (strcmp(verb, "disable") == 0) {
                if (!rd_db_web_user_disable(db, name, &found, &error))
                        return rd_ctl_fail(error);
        } else {
                hash = new_password_hash();
                if (hash == NULL)
                        return 1;
                if (strcmp(verb, "add") == 0 ? !rd_db_web_user_add(db, name, role, hash, &error) :
                                               !rd_db_web_user_reset(db, name, role, hash, &found, &error)) {
                        if (error->domain == RD_DB_ERROR && error->code == RD_DB_ERROR_REJECTED)
                                fprintf(stderr, "referralctl user: %s already exists\n", name);
                        else
                                rd_ctl_fail(error);
                        return 1;
                }
        }
        if (!found) {
                fprintf(stderr, "referralctl user: no user %s\n", name);
                return 1;
        }
        printf("user %s: %s\n", name, strcmp(verb, "add") == 0 ? "added" :
                                      strcmp(verb, "disable") == 0 ? "disabled, logged out" :
                                                                     "new password set, unlocked, logged out");
        return 0;
}

int
rd_cmd_user(int argc, char **argv)
{
        static char *role;
        GOptionEntry extra[] = {
                { "role", 'r', 0, G_OPTION_ARG_STRING, &role, "staff or admin", "ROLE" },
                { NULL },
        };
        g_autoptr(GError) error = NULL;
        const char *verb;

        if (!rd_ctl_parse_options(&argc, &argv, "add|disable|reset NAME [--role staff|admin] | list", extra,
                                  &error))
                return rd_ctl_fail(error);
        if (argc < 2)
                return usage_error("give add, disable, reset or list");
        verb = argv[1];
        if (strcmp(verb, "list") == 0)
                return argc == 2 ? run_user(verb, NULL, NULL) : usage_error("list takes no name");
        if (!g_strv_contains((const char *const[]){ "add", "disable", "reset", NULL }, verb))
                return usage_error("give add, disable, reset or list");
        if (argc != 3 || !valid_name(argv[2]))
                return usage_error("give one user name: letters, digits, '.', '_', '@', '-', at most 64");
        if (role != NULL && strcmp(role, "staff") != 0 && strcmp(role, "admin") != 0)
                return usage_error("--role is staff or admin");
        if (strcmp(verb, "add") == 0 && role == NULL)
                return usage_error("add needs --role staff or --role admin");
        if (strcmp(verb, "disable") == 0 && role != NULL)
                return usage_error("disable takes no --role");
        if (sodium_init() < 0) {
                fprintf(stderr, "referralctl user: libsodium failed to start\n");
                return 1;
        }
        return run_user(verb, argv[2], role);
}
