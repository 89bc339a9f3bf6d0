/*
 * mtls_http.h - the HTTP/1.1 text mtls.c sends and reads over its TLS
 * connection: one request with "Connection: close", the answer parsed as it
 * arrives, and what an exchange ends with (enum mtls_err, struct
 * mtls_response).
 *
 * Owner: backend/mgmt/mtls_http.c.  Ownership: mtls_request_text's *out is
 * malloc'd (caller frees); on MTLS_OK with need_more 0, mtls_parse_answer
 * leaves r->body malloc'd (mtls_response_release frees it).
 */
#ifndef OPSMGR_MTLS_HTTP_H
#define OPSMGR_MTLS_HTTP_H

#include <stddef.h>

enum mtls_err {
	MTLS_OK = 0,
	MTLS_E_CONFIG,          /* our certificate or key unusable */
	MTLS_E_CONNECT,         /* DNS / TCP failed (err says which) */
	MTLS_E_TIMEOUT,
	MTLS_E_CANCELLED,
	MTLS_E_SERVER_UNTRUSTED,/* the server's chain does not verify */
	MTLS_E_NAME_MISMATCH,   /* the server's certificate is for another name */
	MTLS_E_CLIENT_REJECTED, /* the server refused our certificate (alert) */
	MTLS_E_CLIENT_UNTRUSTED,/* ... saying it does not trust its issuer */
	MTLS_E_CLOSED,          /* closed without an answer */
	MTLS_E_HANDSHAKE,       /* any other TLS failure */
	MTLS_E_PROTOCOL,        /* not an HTTP answer we understand */
	MTLS_E_TOO_LARGE
};

struct mtls_response {
	int status;             /* HTTP status */
	char *body;             /* NUL terminated (not counted in body_len) */
	size_t body_len;
	char *peer_subject;     /* the server certificate's subject, text */
};

void mtls_response_release(struct mtls_response *r);

/* "METHOD path HTTP/1.1" with Host (host:port), User-Agent, Accept and, with
 * form_body, its urlencoded headers and the body.  Length, or -1. */
int mtls_request_text(const char *host, int port, const char *method,
		      const char *path, const char *form_body, char **out);

/*
 * Parse buf[0..len) (NUL terminated) as the answer so far; eof says the
 * connection ended.  MTLS_OK with *need_more set: read on; MTLS_OK
 * without: r has status and body; otherwise err says what is wrong.
 */
enum mtls_err mtls_parse_answer(char *buf, size_t len, int eof,
				struct mtls_response *r, char *err,
				size_t errlen, int *need_more);

#endif
