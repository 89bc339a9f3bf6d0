/*
 * mtls.h - a small mutually authenticated TLS client (OpenSSL) for the
 * management server's status exchange (stage 7, check): presents our
 * certificate and key, verifies the server against the root confirmed in
 * stage 1 only (never the other files of the trust store directory: a CA
 * dropped there must not vouch for a management server), checks
 * the server's name (DNS name with SNI, or IP address), sends one HTTP/1.1
 * request and reads the answer.  Non-blocking throughout: every wait is a
 * poll() of at most 100 ms that also checks hooks_cancelled(), all within
 * one total timeout.
 *
 * Failures are classified so the caller can name the Operations Manager
 * event: the server refused our certificate (21007 / 20071) - with an
 * alert, named with what it says about our certificate (unknown_ca, the
 * one that names the cause outright, is MTLS_E_CLIENT_UNTRUSTED), or by
 * hanging up after asking for it -, we do not
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
#include "core/state.h"
#include "mgmt/mtls_http.h"

#define MTLS_DEFAULT_TIMEOUT_MS 10000
#define MTLS_DEFAULT_BODY_CAP (1024u * 1024u)


struct mtls_opts {
	const char *host;       /* server name or address: verified, SNI */
	int port;
	const char *cert_path;  /* our certificate (PEM, chain allowed) */
	const char *key_path;   /* our private key */
	/* The confirmed root (stage 1's root_path): the only trust anchor.
	 * NULL: the request is refused (MTLS_E_CONFIG). */
	const char *ca_file;
	/* Its SHA-256 as recorded (state root_sha256, hex, colons allowed):
	 * only the certificate of ca_file with this fingerprint is trusted;
	 * NULL: every certificate of ca_file. */
	const char *root_sha256;
	const char *ca_dir;     /* the trust store: named in messages only */
	int timeout_ms;         /* total; 0 = MTLS_DEFAULT_TIMEOUT_MS */
	size_t body_cap;        /* 0 = MTLS_DEFAULT_BODY_CAP */
};


/* The trust of o: the root recorded in st (root_path, root_sha256), as
 * borrowed strings; o->ca_file NULL when none is recorded. */
void mtls_trust_confirmed_root(struct mtls_opts *o, const struct state *st);

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
