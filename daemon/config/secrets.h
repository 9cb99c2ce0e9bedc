/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Secrets: passwords and tokens read from a file or a systemd credential,
 * and wiped when dropped.  A leaf: it knows no configuration group; its
 * callers add which key named the file. */

#define RD_SECRET_ERROR (rd_secret_error_quark())
GQuark rd_secret_error_quark(void);
typedef enum {
        RD_SECRET_ERROR_READ,   /* missing, unreadable, not a regular file */
        RD_SECRET_ERROR_FORMAT, /* not one non-empty line */
        RD_SECRET_ERROR_NO_CREDENTIALS, /* $CREDENTIALS_DIRECTORY is not set */
} RdSecretError;

/* Where a group's password comes from: its password-file= or
 * password-credential= key, filled in by the group's key table. */
typedef struct {
        char *file;       /* owned: an absolute path, or NULL */
        char *credential; /* owned: a credential name, or NULL */
} RdSecretKeys;

/* A credential name as systemd.exec(5) LoadCredential= accepts it: a file
 * name, no '/', not starting with '.'.  The signature fits a key table's
 * check (RdKeyCheck). */
gboolean rd_secret_check_name(char *name);

/* The one non-empty line of @path (a trailing newline is not part of it),
 * at most 64 KiB.  Returns: (transfer full): free with rd_secret_free(). */
char *rd_secret_read_file(const char *path, GError **error);

/* The credential @name from $CREDENTIALS_DIRECTORY (systemd.exec(5)
 * LoadCredential=, SetCredentialEncrypted=). */
char *rd_secret_read_credential(const char *name, GError **error);

/* Reads the secret @keys name; *ret_secret is NULL when they name none. */
gboolean rd_secret_keys_read(const RdSecretKeys *keys, char **ret_secret, GError **error);
void rd_secret_keys_clear(RdSecretKeys *keys);

/* Overwrites the secret with zeros in a way the compiler may not drop
 * (explicit_bzero), then frees it.  Accepts NULL. */
void rd_secret_free(char *secret);

typedef char RdSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdSecret, rd_secret_free)

G_END_DECLS
