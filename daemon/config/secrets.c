/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secrets: reading a password or token from a file or a systemd
 * credential into memory of our own, and wiping it when it is dropped. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secrets.h"

G_DEFINE_QUARK(rd-secret-error-quark, rd_secret_error)

#define RD_SECRET_MAX (64 * 1024)

void
rd_secret_free(char *secret)
{
        if (secret == NULL)
                return;
        /* memset() before free() is a dead store the compiler may remove */
        explicit_bzero(secret, strlen(secret));
        g_free(secret);
}

gboolean
rd_secret_check_name(char *name)
{
        return *name != '\0' && name[0] != '.' && strchr(name, '/') == NULL && strlen(name) <= 255;
}

/* Reads at most RD_SECRET_MAX bytes into one buffer of our own, so that no
 * copy is left behind by a growing buffer (g_file_get_contents reallocs). */
static char *
read_all(const char *path, gsize *ret_len, GError **error)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        char *buf;
        gsize len = 0;

        if (fd < 0) {
                g_set_error(error, RD_SECRET_ERROR, RD_SECRET_ERROR_READ, "cannot read %s: %s", path,
                            g_strerror(errno));
                return NULL;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                g_set_error(error, RD_SECRET_ERROR, RD_SECRET_ERROR_READ, "cannot read %s: not a regular file",
                            path);
                return NULL;
        }
        buf = g_malloc(RD_SECRET_MAX + 1);
        for (;;) {
                ssize_t n = read(fd, buf + len, RD_SECRET_MAX + 1 - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int err = errno;

                        close(fd);
                        explicit_bzero(buf, len);
                        g_free(buf);
                        g_set_error(error, RD_SECRET_ERROR, RD_SECRET_ERROR_READ, "cannot read %s: %s", path,
                                    g_strerror(err));
                        return NULL;
                }
                len += (gsize)n;
                if (n == 0 || len > RD_SECRET_MAX)
                        break;
        }
        close(fd);
        buf[MIN(len, (gsize)RD_SECRET_MAX)] = '\0';
        *ret_len = len;
        return buf;
}

char *
rd_secret_read_file(const char *path, GError **error)
{
        gsize len = 0;
        char *text = read_all(path, &len, error);

        if (text == NULL)
                return NULL;
        if (len <= RD_SECRET_MAX) {
                while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
                        text[--len] = '\0';
        }
        if (len == 0 || len > RD_SECRET_MAX || memchr(text, '\0', len) != NULL ||
            memchr(text, '\n', len) != NULL) {
                explicit_bzero(text, MIN(len, (gsize)RD_SECRET_MAX));
                g_free(text);
                g_set_error(error, RD_SECRET_ERROR, RD_SECRET_ERROR_FORMAT,
                            "%s: expected one non-empty line of at most 64 KiB", path);
                return NULL;
        }
        return text;
}

char *
rd_secret_read_credential(const char *name, GError **error)
{
        const char *dir = g_getenv("CREDENTIALS_DIRECTORY");
        g_autofree char *path = NULL;

        if (dir == NULL || *dir == '\0') {
                g_set_error(error, RD_SECRET_ERROR, RD_SECRET_ERROR_NO_CREDENTIALS,
                            "$CREDENTIALS_DIRECTORY is not set (add LoadCredential=%s:FILE to the unit)", name);
                return NULL;
        }
        path = g_build_filename(dir, name, NULL);
        return rd_secret_read_file(path, error);
}

gboolean
rd_secret_keys_read(const RdSecretKeys *keys, char **ret_secret, GError **error)
{
        *ret_secret = NULL;
        if (keys->file != NULL)
                *ret_secret = rd_secret_read_file(keys->file, error);
        else if (keys->credential != NULL)
                *ret_secret = rd_secret_read_credential(keys->credential, error);
        else
                return TRUE;
        return *ret_secret != NULL;
}

void
rd_secret_keys_clear(RdSecretKeys *keys)
{
        g_clear_pointer(&keys->file, g_free);
        g_clear_pointer(&keys->credential, g_free);
}
