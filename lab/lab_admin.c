/*
 * lab_admin.c - the administrator's client of the lab's management server:
 * one request over mutual TLS to the running lab (its ms_port from
 * DIR/lab.ini, the server checked against DIR/ca/root.pem as 'localhost')
 * with the administrator certificate DIR/admin/admin.pem and its key, the
 * only certificate the admin endpoints answer.  `approve` and `deny` of an
 * agent use it while the lab runs (lab_cli.c), so the server role's
 * commands (answers.ini [approval] approve_command) approve with it too.
 * OpenSSL directly: the lab uses none of the client's network code.
 * Also the numbers the running lab left in DIR/lab.ini for its commands
 * (ports, --validity).
 */
#include "lab.h"
#include "core/duration.h"
#include "core/fsutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <iniparser.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define ADMIN_TIMEOUT_S 30
#define ADMIN_BODY_CAP (1024u * 1024u)

/* The number under [lab] key of DIR/lab.ini when it is 1..max, else -1. */
static long long ini_number(const char *dir, const char *key, long long max)
{
	char *p = fs_join(dir, "lab.ini");
	dictionary *d;
	const char *v;
	char name[64];
	long long num = -1;

	if (!p || !fs_is_regular(p)) {
		free(p);
		return -1;
	}
	d = iniparser_load(p);
	free(p);
	if (!d)
		return -1;
	snprintf(name, sizeof(name), "lab:%s", key);
	v = iniparser_getstring(d, name, NULL);
	if (v) {
		char *end;
		long long n;

		errno = 0;
		n = strtoll(v, &end, 10);
		if (!errno && end != v && !*end && n > 0 && n <= max)
			num = n;
	}
	iniparser_freedict(d);
	return num;
}

int lab_ini_port(const char *dir, const char *key)
{
	return (int)ini_number(dir, key, 65535);
}

long long lab_ini_validity(const char *dir)
{
	long long v = ini_number(dir, "validity_seconds", DURATION_MAX_S);

	return v > 0 ? v : 0;
}

/* TCP to 127.0.0.1:port with send/receive time-outs.  fd, or -1 with
 * errno kept. */
static int connect_local(int port)
{
	struct sockaddr_in sin;
	struct timeval tv = { ADMIN_TIMEOUT_S, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A TLS client context presenting the administrator certificate and
 * trusting the lab root only.  NULL with err. */
static SSL_CTX *admin_tls(const char *dir, char *err, size_t errlen)
{
	char *root = fs_join(dir, "ca/root.pem");
	char *cert = fs_join(dir, LAB_ADMIN_CERT);
	char *key = fs_join(dir, LAB_ADMIN_KEY);
	SSL_CTX *ctx = root && cert && key ? SSL_CTX_new(TLS_client_method())
					   : NULL;

	if (ctx) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if (SSL_CTX_load_verify_locations(ctx, root, NULL) != 1 ||
		    SSL_CTX_use_certificate_file(ctx, cert,
						 SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, key,
						SSL_FILETYPE_PEM) != 1) {
			lab_ossl_err(err, errlen, "cannot load the lab "
				     "administrator certificate");
			SSL_CTX_free(ctx);
			ctx = NULL;
		}
	} else {
		snprintf(err, errlen, "out of memory");
	}
	free(root);
	free(cert);
	free(key);
	return ctx;
}

/* Send req on ssl and read the whole answer (the server closes).  The
 * answer, malloc'd and NUL terminated, or NULL with err. */
static char *exchange(SSL *ssl, const char *req, char *err, size_t errlen)
{
	size_t n = 0, cap = 16384;
	char *buf = malloc(cap);
	int r;

	if (!buf || SSL_write(ssl, req, (int)strlen(req)) <= 0) {
		free(buf);
		lab_ossl_err(err, errlen, "cannot send the request");
		return NULL;
	}
	while ((r = SSL_read(ssl, buf + n, (int)(cap - n - 1))) > 0) {
		n += (size_t)r;
		if (cap - n - 1 == 0) {
			char *nb = cap < ADMIN_BODY_CAP ? realloc(buf, cap * 2)
							: NULL;
			if (!nb) {
				free(buf);
				snprintf(err, errlen, "the answer is too long");
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	ERR_clear_error();
	buf[n] = '\0';
	return buf;
}

int lab_admin_request(const char *dir, const char *method, const char *path,
		      const char *form, unsigned *status, char **body,
		      char *err, size_t errlen)
{
	int port = lab_ini_port(dir, "ms_port"), fd, rc = -1;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	char *req = NULL, *ans = NULL, *sep;

	*status = 0;
	*body = NULL;
	if (port < 0)
		return 1;     /* no lab serves from dir */
	fd = connect_local(port);
	if (fd < 0) {
		if (errno == ECONNREFUSED)
			return 1;   /* lab.ini of a lab that is gone */
		snprintf(err, errlen, "cannot reach the lab's management server "
			 "on port %d: %s", port, strerror(errno));
		return -1;
	}
	ctx = admin_tls(dir, err, errlen);
	if (!ctx || !(ssl = SSL_new(ctx)) || !SSL_set_fd(ssl, fd) ||
	    !SSL_set_tlsext_host_name(ssl, "localhost") ||
	    !SSL_set1_host(ssl, "localhost") || SSL_connect(ssl) != 1) {
		if (ctx)
			lab_ossl_err(err, errlen, "no mutually authenticated "
				     "connection to the lab's management server");
		goto out;
	}
	if (asprintf(&req, "%s %s HTTP/1.1\r\nHost: localhost\r\n"
		     "Connection: close\r\n%sContent-Length: %zu\r\n\r\n%s",
		     method, path, form ? "Content-Type: "
		     "application/x-www-form-urlencoded\r\n" : "",
		     form ? strlen(form) : 0, form ? form : "") < 0) {
		req = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ans = exchange(ssl, req, err, errlen);
	if (!ans)
		goto out;
	sep = strstr(ans, "\r\n\r\n");
	if (strncmp(ans, "HTTP/1.", 7) || strlen(ans) < 12 || !sep) {
		snprintf(err, errlen, "the lab's management server sent no HTTP "
			 "answer");
		goto out;
	}
	*status = (unsigned)strtoul(ans + 9, NULL, 10);
	*body = strdup(sep + 4);
	if (!*body) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(req);
	free(ans);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return rc;
}
