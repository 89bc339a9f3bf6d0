/*
 * faultproxy.h - test helper: a fault-injecting HTTPS proxy on an
 * ephemeral 127.0.0.1 port (OpenSSL server side, one thread per
 * connection) in front of a real HTTPS server (the lab's CA).  Healthy, it
 * passes every connection through; with a fault set, connections whose
 * first request line contains `match` (all connections when match is NULL
 * or for the TLS-level faults) get the fault instead:
 *
 *   FP_SLOW_FIRST_BYTE  the request goes upstream, the answer is held for
 *                       delay_ms before its first byte reaches the client
 *   FP_STALL_BODY       status line, headers (Content-Length 5000) and
 *                       part of the body, then silence until the client
 *                       gives up
 *   FP_RESET            the request is read, then the TCP connection is
 *                       reset (RST, no TLS close)
 *   FP_STATUS           `status` (500, 503, ...) with an IIS-like page
 *   FP_TRUNCATED        Content-Length 4000, 1000 bytes, clean TLS close
 *   FP_GARBAGE          200 text/html that is no certsrv page at all
 *   FP_HUGE             200 with Content-Length `bytes` and that many
 *                       bytes streamed (until the client closes)
 *   FP_HUGE_UNSIZED     the same without Content-Length (read to close)
 *   FP_TLS_ALERT        a TLS handshake_failure alert instead of a
 *                       ServerHello
 *   FP_WRONG_NAME       the handshake completes with the alternative
 *                       certificate (issued for another name), then
 *                       passes through
 *   FP_SILENT           the request is read and never answered (a server
 *                       that hangs before its first byte, no upstream)
 *
 * With client_ca set the proxy asks for a client certificate and requires
 * one chaining to client_ca, as the lab's management server does (faults
 * for stage 7); pass-through then presents the identity given to
 * faultproxy_set_upstream_identity() upstream.
 *
 * Connections are decided by their first request; a passed-through one
 * carries only that request (the proxy adds "Connection: close" to it, so
 * upstream closes after its answer and a client that reuses connections,
 * as http.c does, opens a new one for its next request).  Upstream TLS is
 * verified against upstream_ca when given.
 *
 * Owner: engineer "faults".
 * Ownership: faultproxy_start() returns a proxy that faultproxy_stop()
 * stops (joining every connection thread) and frees; options and the
 * strings in them are copied.
 */
#ifndef OPSMGR_TEST_FAULTPROXY_H
#define OPSMGR_TEST_FAULTPROXY_H

#include <stddef.h>

enum fp_fault {
	FP_NONE = 0,
	FP_SLOW_FIRST_BYTE,
	FP_STALL_BODY,
	FP_RESET,
	FP_STATUS,
	FP_TRUNCATED,
	FP_GARBAGE,
	FP_HUGE,
	FP_HUGE_UNSIZED,
	FP_TLS_ALERT,
	FP_WRONG_NAME,
	FP_SILENT
};

struct faultproxy_opts {
	const char *cert, *key;          /* PEM: the proxy's normal identity */
	const char *alt_cert, *alt_key;  /* PEM: for FP_WRONG_NAME (may be NULL) */
	int upstream_port;               /* 127.0.0.1, HTTPS */
	const char *upstream_ca;         /* PEM to verify upstream, or NULL */
	const char *client_ca;           /* PEM: require client certificates */
};

struct faultproxy;

/* NULL on failure (message on stderr). */
struct faultproxy *faultproxy_start(const struct faultproxy_opts *o);
int faultproxy_port(const struct faultproxy *p);

struct fp_setting {
	enum fp_fault fault;
	const char *match;       /* substring of the request line, NULL = any */
	int status;              /* FP_STATUS: 500, 503, ... */
	size_t bytes;            /* FP_HUGE*: body size (default 100 MiB) */
	int delay_ms;            /* FP_SLOW_FIRST_BYTE (default 10000) */
};
/*
 * Present this client certificate and key upstream from now on (PEM
 * files), e.g. the agent's own, so pass-through to a server that
 * requires mutual TLS works.  0 / -1.
 */
int faultproxy_set_upstream_identity(struct faultproxy *p, const char *cert,
				     const char *key);
/* Change what new connections get (copied). */
void faultproxy_set(struct faultproxy *p, const struct fp_setting *s);
/* Back to plain pass-through. */
void faultproxy_heal(struct faultproxy *p);

/* Connections accepted / connections that got the fault / requests
 * passed upstream, since start. */
int faultproxy_connections(struct faultproxy *p);
int faultproxy_faults(struct faultproxy *p);
int faultproxy_passed(struct faultproxy *p);
/* Bytes of body sent by FP_HUGE* so far (to show the client stopped). */
size_t faultproxy_huge_sent(struct faultproxy *p);

void faultproxy_stop(struct faultproxy *p);

const char *fp_fault_name(enum fp_fault f);

#endif
