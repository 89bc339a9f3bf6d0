/*
 * mtls.h - a small mutually authenticated TLS client (OpenSSL) for the
 * management server's status exchange (stage 7, check): presents our
 * certificate and key, verifies the server against the trust store (every
 * certificate file in a directory, hashed or not) and/or a CA file, checks
 * the server's name (DNS name with SNI, or IP address), sends one HTTP/1.1
 * request and reads the answer.  Non-blocking throughout: every wait is a
 * poll() of at most 100 ms that also checks hooks_cancelled(), all within
 * one total timeout.
 *
 * Failures are classified so the caller can name the Operations Manager
 * event: the server refused our certificate (21007 / 20071) - with an
 * alert, or by hanging up after asking for it -, we do not
 * trust the server's (20072), the connection closed before or right after
 * authentication, time-outs, cancellation.
 *
 * Owner: backend/sys/mtls.c.  Ownership: options are borrowed; struct
 * mtls_response owns body and peer_subject, mtls_response_release() frees
 * them (on failure mtls_request leaves nothing to free).
 */
#ifndef OPSMGR_MTLS_H
#define OPSMGR_MTLS_H

#include <stddef.h>
#include "core/hooks.h"

#define MTLS_DEFAULT_TIMEOUT_MS 10000
#define MTLS_DEFAULT_BODY_CAP (1024u * 1024u)

enum mtls_err {
	MTLS_OK = 0,
	MTLS_E_CONFIG,          /* our certificate or key unusable */
	MTLS_E_CONNECT,         /* DNS / TCP failed (err says which) */
	MTLS_E_TIMEOUT,
	MTLS_E_CANCELLED,
	MTLS_E_SERVER_UNTRUSTED,/* the server's chain does not verify */
	MTLS_E_NAME_MISMATCH,   /* the server's certificate is for another name */
	MTLS_E_CLIENT_REJECTED, /* the server refused our certificate (alert) */
	MTLS_E_CLOSED,          /* closed without an answer */
	MTLS_E_HANDSHAKE,       /* any other TLS failure */
	MTLS_E_PROTOCOL,        /* not an HTTP answer we understand */
	MTLS_E_TOO_LARGE
};

struct mtls_opts {
	const char *host;       /* server name or address: verified, SNI */
	int port;
	const char *cert_path;  /* our certificate (PEM, chain allowed) */
	const char *key_path;   /* our private key */
	const char *ca_file;    /* PEM bundle trusted for the server, or NULL */
	const char *ca_dir;     /* trust store directory, or NULL */
	int timeout_ms;         /* total; 0 = MTLS_DEFAULT_TIMEOUT_MS */
	size_t body_cap;        /* 0 = MTLS_DEFAULT_BODY_CAP */
};

struct mtls_response {
	int status;             /* HTTP status */
	char *body;             /* NUL terminated (not counted in body_len) */
	size_t body_len;
	char *peer_subject;     /* the server certificate's subject, text */
};

/*
 * One request: method "GET" or "POST" (form_body then sent as
 * application/x-www-form-urlencoded).  fd >= 0 is an already connected
 * socket to use (ownership passes to mtls_request, which makes it
 * non-blocking and closes it);
 * fd < 0 resolves and connects itself.  Returns MTLS_OK with r filled
 * whatever the HTTP status; otherwise err explains.
 */
enum mtls_err mtls_request(const struct mtls_opts *o, int fd,
			   const char *method, const char *path,
			   const char *form_body, const struct hooks *h,
			   struct mtls_response *r, char *err, size_t errlen);

void mtls_response_release(struct mtls_response *r);
const char *mtls_err_name(enum mtls_err e);

#endif
