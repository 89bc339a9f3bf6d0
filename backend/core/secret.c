/*
 * secret.c - passwords in memory (see secret.h): the first line of a
 * password file, or typed text; every copy cleansed with OPENSSL_cleanse.
 */
#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/log.h"

void secret_wipe(struct secret *s)
{
	if (!s)
		return;
	if (s->buf) {
		OPENSSL_cleanse(s->buf, s->len);
		free(s->buf);
	}
	s->buf = NULL;
	s->len = 0;
}

int secret_set(struct secret *s, const char *text, size_t len)
{
	if (!s || (!text && len))
		return -1;
	char *b = malloc(len + 1);
	if (!b)
		return -1;
	if (len)
		memcpy(b, text, len);
	b[len] = '\0';
	secret_wipe(s);
	s->buf = b;
	s->len = len;
	return 0;
}

int secret_read_file(struct secret *s, const char *path, char *err,
		     size_t errlen)
{
	if (!s || !path || !*path) {
		snprintf(err, errlen, "no password file given");
		return -1;
	}
	/* O_NONBLOCK + fstat: a FIFO or device must not block us */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read password file '%s': %s",
			 path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read password file '%s': %s",
			 path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "cannot read password file '%s': not a regular file",
			 path);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH))
		log_msg("warning: password file '%s' is readable by group or others: run chmod 600 '%s'",
			path, path);

	/* the first line only, at most SECRET_MAX bytes of it */
	char buf[SECRET_MAX + 1];
	size_t n = 0;
	int rc = -1;
	char *nl = NULL;
	while (n < sizeof(buf) && !nl) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen,
				 "cannot read password file '%s': %s", path,
				 strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		nl = memchr(buf + n, '\n', (size_t)r);
		n += (size_t)r;
	}
	size_t len = nl ? (size_t)(nl - buf) : n;
	if (len > SECRET_MAX) {
		snprintf(err, errlen,
			 "password in file '%s' is longer than %d bytes: put only the password on its first line",
			 path, SECRET_MAX);
		goto out;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		snprintf(err, errlen,
			 "password file '%s' is empty: put the password on its first line",
			 path);
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen,
			 "password file '%s' contains a NUL byte: it must hold the password as text",
			 path);
		goto out;
	}
	if (secret_set(s, buf, len) != 0) {
		snprintf(err, errlen, "cannot read password file '%s': out of memory",
			 path);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}
