/*
 * lab_ctx.c - the lab context's lifetime, paths inside the lab directory
 * and the lab's log (stderr plus DIR/lab.log, one timestamped line per
 * event, its text escaped so that what a client sent (a URL with %0a or
 * ESC in it) cannot make a line of its own; never secrets).
 */
#include "lab.h"
#include "core/fsutil.h"
#include "core/text.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>

char *lab_path(const struct lab_ctx *c, const char *name)
{
	return fs_join(c->dir, name);
}

void lab_log(const struct lab_ctx *c, const char *fmt, ...)
{
	char msg[1024], line[2048], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	size_t n;
	char *p;
	int fd;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = (size_t)snprintf(line, sizeof(line), "%s opsmgr-enroll-lab: ",
			     stamp);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n += text_escape_log(line + n, sizeof(line) - n - 1, msg, strlen(msg));
	line[n++] = '\n';
	line[n] = '\0';
	if (write(2, line, n) < 0) {
		/* stderr gone: the log file below still gets it */
	}
	p = c && c->dir && !c->dir_refused ? lab_path(c, "lab.log") : NULL;
	if (!p)
		return;
	fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	free(p);
	if (fd < 0)
		return;
	if (write(fd, line, n) < 0) {
		/* best effort */
	}
	close(fd);
}

void lab_ctx_release(struct lab_ctx *c)
{
	free(c->dir);
	if (c->password) {
		OPENSSL_cleanse(c->password, strlen(c->password));
		free(c->password);
	}
	if (c->server_key_pem) {
		OPENSSL_cleanse(c->server_key_pem, c->server_key_len);
		free(c->server_key_pem);
	}
	free(c->root_pem);
	free(c->admin_sha256);
	lab_crl_cache_free(c->crl);
	free(c->server_pem);
	X509_free(c->root);
	EVP_PKEY_free(c->root_key);
	memset(c, 0, sizeof(*c));
}
