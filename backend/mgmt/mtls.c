/*
 * mtls.c - mutually authenticated TLS client for one HTTP/1.1 request
 * (mtls.h): context set-up (our certificate and key, the confirmed root as
 * the only trust anchor, name checks), a non-blocking handshake and exchange under one deadline with
 * cancellation, and classification of TLS failures.  The HTTP text of the
 * request and the answer is mtls_http.c's.
 */
#include "mgmt/mtls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/stage_table.h"
#include "mgmt/mtls_http.h"
#include "sys/netprobe.h"
#include "pki/x509util.h"

#define HEADER_CAP (32u * 1024u)

/* ---- context ------------------------------------------------------------ */

/*
 * The confirmed root as the only trust anchor: the certificates of
 * o->ca_file, or with o->root_sha256 only the one with that fingerprint.
 * The other files of the trust store are never trusted for the server.
 */
static int trust_confirmed_root(X509_STORE *store, const struct mtls_opts *o,
				char *err, size_t errlen)
{
	if (!o->ca_file) {
		snprintf(err, errlen,
			 "no confirmed root to verify the management server: "
			 "stage %d's root is not recorded or its file is gone "
			 "(the other certificates of the trust store '%s' are "
			 "not trusted for it); run stage %d first",
			 STAGE_TRUST, o->ca_dir ? o->ca_dir : "(none)",
			 STAGE_TRUST);
		return -1;
	}
	STACK_OF(X509) *sk = NULL;
	char xe[256];
	if (x509_load_certs_file(o->ca_file, &sk, xe, sizeof(xe)) != 0) {
		snprintf(err, errlen, "cannot read the confirmed root '%s': %s",
			 o->ca_file, xe);
		return -1;
	}
	char *pin = o->root_sha256 ? x509_normalise_hex(o->root_sha256) : NULL;
	int n = 0;
	for (int i = 0; i < sk_X509_num(sk); i++) {
		X509 *x = sk_X509_value(sk, i);
		char *fp = pin ? x509_fingerprint(x, EVP_sha256()) : NULL;
		if ((!pin || (fp && strcmp(fp, pin) == 0)) &&
		    X509_STORE_add_cert(store, x) == 1)
			n++;
		free(fp);
		ERR_clear_error();   /* duplicates are fine */
	}
	OSSL_STACK_OF_X509_free(sk);
	if (n == 0)
		snprintf(err, errlen,
			 "'%s' does not hold the root confirmed in stage %d "
			 "(SHA-256 %s); run stage %d again",
			 o->ca_file, STAGE_TRUST,
			 o->root_sha256 ? o->root_sha256 : "(none)", STAGE_TRUST);
	free(pin);
	return n ? 0 : -1;
}

void mtls_trust_confirmed_root(struct mtls_opts *o, const struct state *st)
{
	o->ca_file = st && st->root_path && *st->root_path ? st->root_path
							   : NULL;
	o->root_sha256 = st ? st->root_sha256 : NULL;
}

static SSL_CTX *make_ctx(const struct mtls_opts *o, char *err, size_t errlen)
{
	char oe[256];
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context: %s",
			 x509_ossl_err(oe, sizeof(oe)));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);

	/* Our certificate (first in the file) plus any chain after it. */
	STACK_OF(X509) *mine = NULL;
	char xe[512];
	if (!o->cert_path || !o->key_path) {
		snprintf(err, errlen, "no client certificate and key to "
				      "present (run stages %d and %d first)",
			 STAGE_REQUEST, STAGE_SERIAL);
		goto fail;
	}
	if (x509_load_certs_file(o->cert_path, &mine, xe, sizeof(xe)) != 0) {
		snprintf(err, errlen, "cannot load our certificate '%s': %s",
			 o->cert_path, xe);
		goto fail;
	}
	if (SSL_CTX_use_certificate(ctx, sk_X509_value(mine, 0)) != 1) {
		snprintf(err, errlen, "cannot use our certificate '%s': %s",
			 o->cert_path, x509_ossl_err(oe, sizeof(oe)));
		OSSL_STACK_OF_X509_free(mine);
		goto fail;
	}
	for (int i = 1; i < sk_X509_num(mine); i++)
		SSL_CTX_add1_chain_cert(ctx, sk_X509_value(mine, i));
	OSSL_STACK_OF_X509_free(mine);
	EVP_PKEY *key = x509_load_key_file(o->key_path, xe, sizeof(xe));
	if (!key) {
		snprintf(err, errlen, "cannot load our private key '%s': %s",
			 o->key_path, xe);
		goto fail;
	}
	int kok = SSL_CTX_use_PrivateKey(ctx, key) == 1 &&
		  SSL_CTX_check_private_key(ctx) == 1;
	EVP_PKEY_free(key);
	if (!kok) {
		snprintf(err, errlen, "the private key '%s' does not belong to "
				      "the certificate '%s'",
			 o->key_path, o->cert_path);
		goto fail;
	}

	if (trust_confirmed_root(SSL_CTX_get_cert_store(ctx), o, err,
				 errlen) != 0)
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* ---- waiting and classification ---------------------------------------- */

/* Called when the server asks for our certificate (CertificateRequest):
 * a close after that without an answer means it refused what we sent. */
static int note_cert_request(SSL *ssl, void *arg)
{
	*(int *)arg = 1;
	return 1;
}

/* The close of a server that asked for our certificate and then hung up
 * without an alert or an answer (TLS 1.3 clients finish the handshake
 * before the server has checked the certificate). */
static enum mtls_err closed_after_cert(int cert_requested, int handshake,
				       char *err, size_t errlen)
{
	if (cert_requested) {
		snprintf(err, errlen,
			 "the server closed the connection %s without an "
			 "answer after receiving our certificate: it does not "
			 "accept it",
			 handshake ? "during the TLS handshake" : "right after "
				     "the TLS handshake");
		return MTLS_E_CLIENT_REJECTED;
	}
	snprintf(err, errlen, "the server closed the connection %s",
		 handshake ? "during the TLS handshake (before "
			     "authentication)"
			   : "without an answer (right after authentication)");
	return MTLS_E_CLOSED;
}

/* The alerts a server refusing our certificate sends (RFC 8446 6.2,
 * RFC 5246 7.2.2): their names, what each says about our certificate, and
 * the one that names the cause outright (the issuer is not trusted). */
static const struct client_alert {
	int reason;
	const char *name, *meaning;
	enum mtls_err e;
} CLIENT_ALERTS[] = {
	{ SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED, "certificate_expired",
	  "our certificate is expired or not yet valid", MTLS_E_CLIENT_REJECTED },
	{ SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported_certificate",
	  "our certificate is not for this use (its extended key usage)",
	  MTLS_E_CLIENT_REJECTED },
	{ SSL_R_TLSV1_ALERT_UNKNOWN_CA, "unknown_ca",
	  "the server does not trust the CA that issued our certificate",
	  MTLS_E_CLIENT_UNTRUSTED },
	{ SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED, "certificate_revoked",
	  "our certificate is revoked", MTLS_E_CLIENT_REJECTED },
	{ SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, "bad_certificate",
	  "our certificate is unusable to the server", MTLS_E_CLIENT_REJECTED },
	{ SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, "certificate_unknown",
	  "the server rejects our certificate without saying why",
	  MTLS_E_CLIENT_REJECTED },
	{ SSL_R_TLSV1_ALERT_ACCESS_DENIED, "access_denied",
	  "our certificate is valid but not allowed", MTLS_E_CLIENT_REJECTED },
	{ SSL_R_TLSV1_ALERT_DECRYPT_ERROR, "decrypt_error",
	  "our signature did not verify (key and certificate do not match)",
	  MTLS_E_CLIENT_REJECTED },
#ifdef SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED
	{ SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, "certificate_required",
	  "the server received no certificate from us", MTLS_E_CLIENT_REJECTED },
#endif
};

static const struct client_alert *client_cert_alert(int reason)
{
	for (size_t i = 0; i < sizeof(CLIENT_ALERTS) / sizeof(CLIENT_ALERTS[0]); i++)
		if (CLIENT_ALERTS[i].reason == reason)
			return &CLIENT_ALERTS[i];
	return NULL;
}

static enum mtls_err classify(SSL *ssl, int sslerr, int handshake,
			      int cert_requested, const struct mtls_opts *o,
			      char *err, size_t errlen)
{
	long vr = SSL_get_verify_result(ssl);
	if (handshake && vr != X509_V_OK) {
		const char *why = X509_verify_cert_error_string(vr);
		if (vr == X509_V_ERR_HOSTNAME_MISMATCH ||
		    vr == X509_V_ERR_IP_ADDRESS_MISMATCH) {
			snprintf(err, errlen,
				 "the server's certificate is not issued to "
				 "'%s' (%s)", o->host, why);
			return MTLS_E_NAME_MISMATCH;
		}
		snprintf(err, errlen,
			 "we do not trust the server's certificate: %s", why);
		return MTLS_E_SERVER_UNTRUSTED;
	}
	unsigned long e = ERR_peek_last_error();
	int reason = ERR_GET_REASON(e);
	char oe[256] = "";
	if (e)
		ERR_error_string_n(e, oe, sizeof(oe));
	const struct client_alert *a = e && ERR_GET_LIB(e) == ERR_LIB_SSL ?
		client_cert_alert(reason) : NULL;
	if (a) {
		snprintf(err, errlen, "the server refused our certificate with "
			 "TLS alert %s: %s", a->name, a->meaning);
		return a->e;
	}
	if (sslerr == SSL_ERROR_ZERO_RETURN ||
	    (sslerr == SSL_ERROR_SYSCALL && (errno == 0 || errno == ECONNRESET ||
					     errno == EPIPE)) ||
	    (e && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	     reason == SSL_R_UNEXPECTED_EOF_WHILE_READING))
		return closed_after_cert(cert_requested, handshake, err,
					 errlen);
	if (sslerr == SSL_ERROR_SYSCALL)
		snprintf(err, errlen, "TLS %s failed: %s",
			 handshake ? "handshake" : "exchange",
			 errno ? strerror(errno) : "connection lost");
	else
		snprintf(err, errlen, "TLS %s failed: %s",
			 handshake ? "handshake" : "exchange",
			 oe[0] ? oe : "unknown error");
	return MTLS_E_HANDSHAKE;
}

/* Drive one SSL operation to completion.  Returns the op's result (> 0),
 * or 0 with *code set. */
enum io_op { OP_CONNECT, OP_WRITE, OP_READ };

static int ssl_step(SSL *ssl, int fd, enum io_op op, void *buf, int len,
		    long long end, const struct hooks *h,
		    const struct mtls_opts *o, const int *cert_requested,
		    enum mtls_err *code, char *err, size_t errlen)
{
	for (;;) {
		ERR_clear_error();
		errno = 0;
		int r;
		if (op == OP_CONNECT)
			r = SSL_connect(ssl);
		else if (op == OP_WRITE)
			r = SSL_write(ssl, buf, len);
		else
			r = SSL_read(ssl, buf, len);
		if (r > 0)
			return r;
		int se = SSL_get_error(ssl, r);
		short ev;
		if (se == SSL_ERROR_WANT_READ)
			ev = POLLIN;
		else if (se == SSL_ERROR_WANT_WRITE)
			ev = POLLOUT;
		else {
			if (op == OP_READ && se == SSL_ERROR_ZERO_RETURN) {
				*code = MTLS_OK;   /* clean end of stream */
				return 0;
			}
			*code = classify(ssl, se, op == OP_CONNECT,
					 *cert_requested, o, err, errlen);
			return 0;
		}
		enum np_wait w = netprobe_wait(fd, ev, end, h);
		if (w == NPW_TIMEOUT) {
			snprintf(err, errlen, "no answer from '%s' port %d "
					      "within %d ms (TLS %s)",
				 o->host, o->port,
				 o->timeout_ms > 0 ? o->timeout_ms
						   : MTLS_DEFAULT_TIMEOUT_MS,
				 op == OP_CONNECT ? "handshake" : "exchange");
			*code = MTLS_E_TIMEOUT;
			return 0;
		}
		if (w == NPW_CANCELLED) {
			snprintf(err, errlen, "TLS exchange cancelled");
			*code = MTLS_E_CANCELLED;
			return 0;
		}
		if (w == NPW_ERROR) {
			snprintf(err, errlen, "waiting for the server: %s",
				 strerror(errno));
			*code = MTLS_E_HANDSHAKE;
			return 0;
		}
	}
}

static int is_ip(const char *host)
{
	unsigned char b[16];
	return inet_pton(AF_INET, host, b) == 1 ||
	       inet_pton(AF_INET6, host, b) == 1;
}

/* ---- SIGPIPE ------------------------------------------------------------- */

/*
 * OpenSSL writes to the socket with write(): a server that has already hung
 * up (it refused our certificate) would raise SIGPIPE and kill the program.
 * Block it on this thread for the exchange and discard one we caused.
 */
struct sigpipe_guard {
	sigset_t old;
	int was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
	sigset_t pending, block;
	sigemptyset(&pending);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE) == 1;
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &g->old);
}

static void sigpipe_restore(struct sigpipe_guard *g)
{
	sigset_t pending;
	sigemptyset(&pending);
	sigpending(&pending);
	if (!g->was_pending && sigismember(&pending, SIGPIPE) == 1) {
		sigset_t only;
		sigemptyset(&only);
		sigaddset(&only, SIGPIPE);
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&only, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* ---- the request --------------------------------------------------------- */

static enum mtls_err request(const struct mtls_opts *o, int fd,
			     const char *method, const char *path,
			     const char *form_body, const struct hooks *h,
			     struct mtls_response *r, char *err, size_t errlen);

enum mtls_err mtls_request(const struct mtls_opts *o, int fd,
			   const char *method, const char *path,
			   const char *form_body, const struct hooks *h,
			   struct mtls_response *r, char *err, size_t errlen)
{
	struct sigpipe_guard g;
	sigpipe_block(&g);
	enum mtls_err e = request(o, fd, method, path, form_body, h, r, err,
				  errlen);
	sigpipe_restore(&g);
	return e;
}

static enum mtls_err request(const struct mtls_opts *o, int fd,
			     const char *method, const char *path,
			     const char *form_body, const struct hooks *h,
			     struct mtls_response *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (err && errlen)
		err[0] = '\0';
	int timeout = o->timeout_ms > 0 ? o->timeout_ms
					: MTLS_DEFAULT_TIMEOUT_MS;
	long long end = netprobe_now_ms() + timeout;
	size_t cap = (o->body_cap ? o->body_cap : MTLS_DEFAULT_BODY_CAP) +
		     HEADER_CAP;
	enum mtls_err code = MTLS_OK;
	int cert_requested = 0;
	SSL *ssl = NULL;
	char *buf = NULL;
	char *req = NULL;

	SSL_CTX *ctx = make_ctx(o, err, errlen);
	if (!ctx) {
		if (fd >= 0)
			close(fd);
		return MTLS_E_CONFIG;
	}
	if (fd < 0) {
		struct netprobe_addrs a;
		enum np_result nr = netprobe_resolve(o->host, o->port, timeout,
						     h, &a, err, errlen);
		if (nr == NP_OK)
			nr = netprobe_connect(&a, (int)(end - netprobe_now_ms()),
					      h, &fd, NULL, err, errlen);
		if (nr != NP_OK) {
			code = nr == NP_CANCELLED ? MTLS_E_CANCELLED
			       : nr == NP_TIMEOUT ? MTLS_E_TIMEOUT
						  : MTLS_E_CONNECT;
			goto out;
		}
	}

	/* Every wait below is our poll(): the socket must not block. */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "cannot use the connection: %s",
			 strerror(errno));
		code = MTLS_E_CONNECT;
		goto out;
	}
	/*
	 * One request, one answer: without TCP_NODELAY the request record,
	 * written right after the client's handshake flight, waits for the
	 * server's delayed ACK (40 ms on Linux) under Nagle's algorithm.
	 * Not a TCP socket (a test's socketpair): nothing to do.
	 */
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ssl = SSL_new(ctx);
	if (ssl)
		SSL_set_cert_cb(ssl, note_cert_request, &cert_requested);
	if (!ssl || SSL_set_fd(ssl, fd) != 1) {
		snprintf(err, errlen, "cannot set up the TLS connection");
		code = MTLS_E_HANDSHAKE;
		goto out;
	}
	if (is_ip(o->host)) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		X509_VERIFY_PARAM_set1_ip_asc(vp, o->host);
	} else {
		SSL_set_tlsext_host_name(ssl, o->host);
		SSL_set1_host(ssl, o->host);
	}

	hooks_progress(h, "TLS handshake with the management server", -1);
	if (!ssl_step(ssl, fd, OP_CONNECT, NULL, 0, end, h, o,
		      &cert_requested, &code, err, errlen)) {
		if (code == MTLS_OK)
			code = closed_after_cert(cert_requested, 1, err,
						 errlen);
		goto out;
	}
	X509 *peer = SSL_get1_peer_certificate(ssl);
	if (peer) {
		r->peer_subject = x509_name_text(X509_get_subject_name(peer));
		X509_free(peer);
	}

	int rl = mtls_request_text(o->host, o->port, method, path, form_body, &req);
	if (rl < 0) {
		snprintf(err, errlen, "out of memory");
		code = MTLS_E_PROTOCOL;
		goto out;
	}
	for (int off = 0; off < rl;) {
		int n = ssl_step(ssl, fd, OP_WRITE, req + off, rl - off, end, h,
				 o, &cert_requested, &code, err, errlen);
		if (n <= 0) {
			if (code == MTLS_OK)
				code = closed_after_cert(cert_requested, 0,
							 err, errlen);
			goto out;
		}
		off += n;
	}

	size_t len = 0, bufcap = 16384;
	buf = malloc(bufcap);
	if (!buf) {
		code = MTLS_E_PROTOCOL;
		goto out;
	}
	buf[0] = '\0';
	for (;;) {
		if (len + 4096 > bufcap) {
			if (bufcap >= cap) {
				snprintf(err, errlen, "the server's answer is "
						      "larger than %zu bytes",
					 cap);
				code = MTLS_E_TOO_LARGE;
				goto out;
			}
			size_t nc = bufcap * 2 > cap ? cap : bufcap * 2;
			char *nb = realloc(buf, nc);
			if (!nb) {
				code = MTLS_E_PROTOCOL;
				goto out;
			}
			buf = nb;
			bufcap = nc;
		}
		int n = ssl_step(ssl, fd, OP_READ, buf + len,
				 (int)(bufcap - len - 1), end, h, o,
				 &cert_requested, &code, err, errlen);
		int eof = n <= 0;
		if (eof && code != MTLS_OK) {
			/* An error after a complete answer is still an answer. */
			int more = 0;
			char e2[8];
			if (len > 0 && mtls_parse_answer(buf, len, 1, r, e2,
						    sizeof(e2), &more) ==
					       MTLS_OK && r->body) {
				code = MTLS_OK;
				if (err && errlen)
					err[0] = '\0';
			}
			goto out;
		}
		if (n > 0)
			len += (size_t)n;
		buf[len] = '\0';   /* parse_answer reads it as a string */
		int more = 0;
		if (len == 0 && eof) {
			code = closed_after_cert(cert_requested, 0, err,
						 errlen);
			goto out;
		}
		code = mtls_parse_answer(buf, len, eof, r, err, errlen, &more);
		if (code != MTLS_OK || !more)
			break;
	}
out:
	if (ssl) {
		if (code == MTLS_OK)
			SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	free(buf);
	free(req);
	if (code != MTLS_OK)
		mtls_response_release(r);   /* nothing to free on failure */
	ERR_clear_error();
	return code;
}
