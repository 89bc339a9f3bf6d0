/*
 * tls_stub.c - the one-thread loopback HTTPS stub server for tests
 * (tls_stub.h).  Every socket has a receive timeout, and the accept loop
 * polls a stop flag, so a broken client can never hang a test.
 */
#include "tls_stub.h"

#include <signal.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "certgen.h"
#include "core/fsutil.h"

#define MAX_SILENT 64
#define REQ_CAP (256 * 1024)

struct tls_stub {
	enum tls_stub_mode mode;
	int lfd, port;
	SSL_CTX *ctx;
	char *resp;
	size_t resp_len;
	pthread_t th;
	pthread_mutex_t mu;
	int stop;
	int requests;
	char *last;
	char *client_subject;
	char *(*respond)(const char *request, void *ud, size_t *outlen);
	void *ud;
	int silent[MAX_SILENT];
	int nsilent;
};

static void set_timeout(int fd, int seconds)
{
	struct timeval tv = {seconds, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Length of the request in buf so far when complete, else 0. */
static size_t complete(const char *buf, size_t n)
{
	const char *end = memmem(buf, n, "\r\n\r\n", 4);
	if (!end)
		return 0;
	size_t hdr = (size_t)(end - buf) + 4;
	size_t body = 0;
	for (const char *p = buf; p < end; p++) {
		if ((p == buf || p[-1] == '\n') &&
		    strncasecmp(p, "Content-Length:", 15) == 0) {
			body = (size_t)strtoul(p + 15, NULL, 10);
			break;
		}
	}
	return n >= hdr + body ? hdr + body : 0;
}

static int write_all(SSL *ssl, const char *p, size_t n)
{
	size_t off = 0;
	while (off < n) {
		int w = SSL_write(ssl, p + off, (int)(n - off));
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static void serve_one(struct tls_stub *s, int fd)
{
	SSL *ssl = SSL_new(s->ctx);
	char *buf = malloc(REQ_CAP + 1);
	if (!ssl || !buf)
		goto out;
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1)
		goto out;
	X509 *peer = SSL_get1_peer_certificate(ssl);
	if (peer) {
		char *name = X509_NAME_oneline(X509_get_subject_name(peer), NULL, 0);
		pthread_mutex_lock(&s->mu);
		free(s->client_subject);
		s->client_subject = name ? strdup(name) : NULL;
		pthread_mutex_unlock(&s->mu);
		OPENSSL_free(name);
		X509_free(peer);
	}
	for (;;) {
		size_t n = 0, used = 0;
		while (n < REQ_CAP) {
			int r = SSL_read(ssl, buf + n, (int)(REQ_CAP - n));
			if (r <= 0)
				break;
			n += (size_t)r;
			if ((used = complete(buf, n)) != 0)
				break;
		}
		if (n == 0)
			break;
		buf[used ? used : n] = '\0';
		pthread_mutex_lock(&s->mu);
		free(s->last);
		s->last = strdup(buf);
		s->requests++;
		pthread_mutex_unlock(&s->mu);
		if (!s->respond) {
			write_all(ssl, s->resp, s->resp_len);
			break;
		}
		size_t olen = 0;
		char *ans = s->respond(buf, s->ud, &olen);
		if (!ans)
			break;
		int w = write_all(ssl, ans, olen);
		free(ans);
		if (w < 0 || !used)
			break;
	}
	SSL_shutdown(ssl);
out:
	ERR_clear_error();
	SSL_free(ssl);
	free(buf);
	close(fd);
}

static void *loop(void *ud)
{
	struct tls_stub *s = ud;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		int stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			break;
		struct pollfd p = {s->lfd, POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		set_timeout(fd, 5);
		if (s->mode == TLS_STUB_SILENT) {
			pthread_mutex_lock(&s->mu);
			if (s->nsilent < MAX_SILENT)
				s->silent[s->nsilent++] = fd;
			else
				close(fd);
			s->requests++;
			pthread_mutex_unlock(&s->mu);
			continue;
		}
		serve_one(s, fd);
	}
	return NULL;
}

struct tls_stub *tls_stub_start(enum tls_stub_mode mode, const char *cert,
				const char *key, const void *response,
				size_t len)
{
	struct tls_stub_opts o;
	memset(&o, 0, sizeof(o));
	o.mode = mode;
	o.cert = cert;
	o.key = key;
	o.response = response;
	o.len = len;
	return tls_stub_start_opts(&o);
}

struct tls_stub *tls_stub_start_opts(const struct tls_stub_opts *o)
{
	enum tls_stub_mode mode = o->mode;
	const char *cert = o->cert, *key = o->key;
	const void *response = o->response;
	size_t len = o->len;
	struct tls_stub *s = calloc(1, sizeof(*s));
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	if (!s)
		return NULL;
	s->mode = mode;
	s->lfd = -1;
	pthread_mutex_init(&s->mu, NULL);
	if (response) {
		s->resp = malloc(len ? len : 1);
		if (!s->resp)
			goto fail;
		memcpy(s->resp, response, len);
		s->resp_len = len;
	}
	if (mode == TLS_STUB_REPLY) {
		s->ctx = SSL_CTX_new(TLS_server_method());
		if (!s->ctx || SSL_CTX_use_certificate_chain_file(s->ctx, cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(s->ctx, key, SSL_FILETYPE_PEM) != 1) {
			fprintf(stderr, "tls_stub: cannot load '%s' / '%s'\n", cert, key);
			goto fail;
		}
		if (o->client_ca) {
			if (SSL_CTX_load_verify_locations(s->ctx, o->client_ca, NULL) != 1) {
				fprintf(stderr, "tls_stub: cannot load '%s'\n", o->client_ca);
				goto fail;
			}
			SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER |
					   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		}
	}
	s->respond = o->respond;
	s->ud = o->ud;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)o->port);
	if (o->port && s->lfd >= 0 &&
	    bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto fail;   /* taken: the caller tries another */
	if (s->lfd < 0 ||
	    (!o->port && bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) != 0) ||
	    listen(s->lfd, 16) != 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&a, &al) != 0) {
		fprintf(stderr, "tls_stub: cannot listen: %s\n", strerror(errno));
		goto fail;
	}
	s->port = ntohs(a.sin_port);
	/* a client that hangs up before our answer is written must not kill
	 * the test process with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	if (pthread_create(&s->th, NULL, loop, s) != 0)
		goto fail;
	return s;
fail:
	if (s->lfd >= 0)
		close(s->lfd);
	SSL_CTX_free(s->ctx);
	free(s->resp);
	pthread_mutex_destroy(&s->mu);
	free(s);
	return NULL;
}

char *tls_stub_client_subject(struct tls_stub *s)
{
	pthread_mutex_lock(&s->mu);
	char *c = s->client_subject ? strdup(s->client_subject) : NULL;
	pthread_mutex_unlock(&s->mu);
	return c;
}

int tls_stub_port(const struct tls_stub *s)
{
	return s->port;
}

int tls_stub_requests(struct tls_stub *s)
{
	pthread_mutex_lock(&s->mu);
	int n = s->requests;
	pthread_mutex_unlock(&s->mu);
	return n;
}

char *tls_stub_last_request(struct tls_stub *s)
{
	pthread_mutex_lock(&s->mu);
	char *c = s->last ? strdup(s->last) : NULL;
	pthread_mutex_unlock(&s->mu);
	return c;
}

int tls_stub_last_has(struct tls_stub *s, const char *text)
{
	pthread_mutex_lock(&s->mu);
	int has = s->last && strstr(s->last, text) != NULL;
	pthread_mutex_unlock(&s->mu);
	return has;
}

void tls_stub_stop(struct tls_stub *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	for (int i = 0; i < s->nsilent; i++)
		close(s->silent[i]);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
	free(s->resp);
	free(s->last);
	free(s->client_subject);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

int tls_stub_make_certs(const char *dir, char **root_pem, char **cert_pem,
			char **key_pem)
{
	struct certgen_opts o;
	X509 *root = NULL, *leaf = NULL;
	EVP_PKEY *rk = NULL, *lk = NULL;
	int rc = -1;
	*root_pem = fs_join(dir, "stub-root.pem");
	*cert_pem = fs_join(dir, "stub-server.pem");
	*key_pem = fs_join(dir, "stub-server.key");
	certgen_opts_ca(&o, "TLS stub test root");
	if (certgen_make(&o, &root, &rk) != 0)
		goto out;
	certgen_opts_leaf(&o, "localhost");
	/* certgen writes "DNS:<name>" into the SAN text: the comma adds an
	 * IP entry, so https://127.0.0.1:port verifies as well */
	o.san_dns[0] = "localhost,IP:127.0.0.1";
	o.issuer = root;
	o.issuer_key = rk;
	if (certgen_make(&o, &leaf, &lk) != 0)
		goto out;
	if (certgen_write_pem(*root_pem, &root, 1) != 0 ||
	    certgen_write_pem(*cert_pem, &leaf, 1) != 0 ||
	    certgen_write_key(*key_pem, lk) != 0)
		goto out;
	rc = 0;
out:
	X509_free(root);
	X509_free(leaf);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(lk);
	return rc;
}
