/*
 * tls_stub.h - test helper: a tiny HTTPS (or plain TCP) server on an
 * ephemeral (or a chosen) 127.0.0.1 port, one thread, for what the lab
 * cannot pretend: a server that answers every request with fixed bytes
 * (HTML garbage, oversized bodies, odd headers, non-HTTP junk), or one that
 * accepts the connection and never says anything (timeouts, cancellation).
 * Also makes a throw-away root + "localhost" / 127.0.0.1 server certificate.
 *
 * Used by the tests of sys/http*.c, adcs/certsrv*.c and stage 1.
 * Ownership: tls_stub_stop() frees the stub; strings returned are
 * malloc'd, caller frees.
 */
#ifndef OPSMGR_TEST_TLS_STUB_H
#define OPSMGR_TEST_TLS_STUB_H

#include <stddef.h>

enum tls_stub_mode {
	TLS_STUB_REPLY = 0,   /* TLS, read one request, send the response, close */
	TLS_STUB_SILENT       /* accept TCP, never send a byte */
};

struct tls_stub;

/*
 * Start the server.  cert/key: PEM files for TLS (ignored for SILENT).
 * response: the full bytes to send (status line, headers, body), copied.
 * NULL on failure (message on stderr).
 */
struct tls_stub *tls_stub_start(enum tls_stub_mode mode, const char *cert,
				const char *key, const void *response,
				size_t len);
/*
 * The general form: a computed answer per request on a kept-alive
 * connection (NTLM's handshake needs one connection), and/or a required
 * client certificate (TLS client authentication).
 */
struct tls_stub_opts {
	enum tls_stub_mode mode;
	const char *cert, *key;
	const void *response;          /* fixed answer (when respond is NULL) */
	size_t len;
	/* answer for one request; malloc'd bytes, *outlen set; NULL closes */
	char *(*respond)(const char *request, void *ud, size_t *outlen);
	void *ud;
	const char *client_ca;         /* PEM: require a client certificate */
	int port;                      /* 0: any free port; else this one
					  (NULL, quietly, when it is taken) */
};
struct tls_stub *tls_stub_start_opts(const struct tls_stub_opts *o);
/* Subject ("CN=...") of the last client certificate seen, or NULL. */
char *tls_stub_client_subject(struct tls_stub *s);

int tls_stub_port(const struct tls_stub *s);
/* Requests answered so far. */
int tls_stub_requests(struct tls_stub *s);
/* A copy of the last request received (headers and body), or NULL. */
char *tls_stub_last_request(struct tls_stub *s);
/* Whether the last request received contains text (0 when none came). */
int tls_stub_last_has(struct tls_stub *s, const char *text);
void tls_stub_stop(struct tls_stub *s);

/*
 * In dir: root.pem (a CA) and server.pem + server.key (CN "localhost", SAN
 * DNS localhost and IP 127.0.0.1, issued by that root).  Paths returned malloc'd.  0 / -1.
 */
int tls_stub_make_certs(const char *dir, char **root_pem, char **cert_pem,
			char **key_pem);

#endif
