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
 * Owner: backend/mgmt/mtls.c.  Ownership: options are borrowed; struct
 * mtls_response owns body and peer_subject, mtls_response_release() frees
 * them (on failure mtls_request leaves nothing to free).
 */
#ifndef OPSMGR_MTLS_H
#define OPSMGR_MTLS_H

#include <stddef.h>
#include "core/hooks.h"
#include "mgmt/mtls_http.h"

#define MTLS_DEFAULT_TIMEOUT_MS 10000
#define MTLS_DEFAULT_BODY_CAP (1024u * 1024u)


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


#endif
