/*
 * http.h - the one libcurl wrapper: GET and form POST with connect and total
 * timeouts, cancellation through hooks (libcurl's xferinfo callback), a body
 * size cap, TLS verification always on (against ca_file and/or the
 * trust-store directory, or the system store when neither is given: see
 * "Trust" at the end), and the authentication schemes the CA may want
 * (Basic, NTLM, Negotiate, client certificate, none).
 *
 * Plain http:// is refused unless allow_http is set; then a warning is
 * expected from the caller.  Authorization headers are never logged.
 * Credentials (user and password, Negotiate, the client certificate) go
 * only to the origin they belong to (cred_url): a request elsewhere is
 * refused, and a redirect to another origin is followed without them
 * (redirects are followed here, not by libcurl: at most HTTP_MAX_REDIRECTS,
 * each target checked like the URL asked for).
 * Used by certsrv_client.c (stages 1 and 2, options from ca_http.c),
 * trust.c (URL source) and verify.c (CRL fetches).
 *
 * Ownership: struct http_response owns its strings and body;
 * http_response_release() frees them.  Options are borrowed.
 */
#ifndef OPSMGR_HTTP_H
#define OPSMGR_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include "core/config.h"
#include "core/hooks.h"
#include "core/secret.h"

#define HTTP_DEFAULT_BODY_CAP (8u * 1024u * 1024u)
#define HTTP_CONNECT_TIMEOUT 10   /* s: connect_timeout_s when unset */
#define HTTP_MAX_REDIRECTS 5

struct http_opts {
	const char *ca_file;          /* PEM bundle to verify the server, or NULL */
	const char *ca_path;          /* hashed directory (trust store), or NULL */
	enum ca_auth auth;
	const char *user;
	const struct secret *password;
	const char *client_cert;      /* PEM, for AUTH_CERT */
	const char *client_key;
	/* The server the credentials above belong to (its origin: scheme,
	 * host, port); NULL: the URL requested. */
	const char *cred_url;
	int connect_timeout_s;        /* default HTTP_CONNECT_TIMEOUT */
	int timeout_s;                /* total; default 60 */
	size_t body_cap;              /* 0 = HTTP_DEFAULT_BODY_CAP */
	bool allow_http;
	/*
	 * With ca_path and no ca_file: trust the system store (libcurl's
	 * default CA bundle) as well as ca_path.  For the CA's own web server
	 * (stages 1 and 2), which may carry a publicly issued certificate
	 * when the operator names no ca_file; not for CRL fetches.
	 */
	bool system_trust;
};

enum http_err {
	HTTP_OK = 0,
	HTTP_E_URL,          /* malformed URL or scheme not allowed */
	HTTP_E_DNS,
	HTTP_E_CONNECT,      /* refused / unreachable */
	HTTP_E_TLS,          /* handshake or verification failed */
	HTTP_E_TIMEOUT,
	HTTP_E_CANCELLED,
	HTTP_E_TOO_LARGE,
	HTTP_E_PROTOCOL,     /* malformed answer, reset, truncated */
	HTTP_E_OTHER
};

struct http_response {
	long status;                  /* HTTP status, 0 when none */
	char *content_type;           /* NULL when absent */
	char *www_authenticate;       /* all WWW-Authenticate values, "; "-joined */
	unsigned char *body;          /* NUL terminated (not counted in len) */
	size_t body_len;
};

void http_opts_init(struct http_opts *o);
/* 0 / -1; call once per process (curl_global_init). */
int http_global_init(void);
void http_global_cleanup(void);

enum http_err http_get(const struct http_opts *o, const char *url,
		       const struct hooks *h, struct http_response *r,
		       char *err, size_t errlen);
/* POST application/x-www-form-urlencoded body (already encoded). */
enum http_err http_post_form(const struct http_opts *o, const char *url,
			     const char *body, const struct hooks *h,
			     struct http_response *r, char *err, size_t errlen);
void http_response_release(struct http_response *r);

/*
 * The origin of a URL: what decides which server a request reaches.  The
 * one comparison of "is this the same server" (credentials, the pool of
 * connections).
 */
struct http_origin {
	char scheme[8];   /* "https" or "http" */
	/* percent-decoded, ASCII lower case, a trailing dot kept (it changes
	 * name resolution); IDN bytes as written (another spelling counts as
	 * another server); an IPv6 address in canonical text, no brackets */
	char host[256];
	int port;         /* as given (leading zeros allowed), else 443 / 80 */
};

/* 0 with *out, or -1 with err saying why url has no comparable origin
 * (not http/https, '@' or '\' or a control character in the server
 * part, a host that is not a name or address, a port outside 1-65535). */
int http_url_origin(const char *url, struct http_origin *out, char *err,
		    size_t errlen);
/* Whether a and b reach the same server: both have an origin and scheme,
 * host and port are equal.  False when either cannot be parsed. */
bool http_same_origin(const char *a, const char *b);

/* URL-encode s into a malloc'd string; caller frees. */
char *http_urlencode(const char *s);
const char *http_err_name(enum http_err e);

/*
 * Whether this libcurl/OpenSSL can do auth scheme a: NTLM needs libcurl's
 * NTLM and OpenSSL's legacy provider (MD4; loaded here), Negotiate needs
 * GSS-API/SPNEGO.  Returns 1, or 0 with err saying precisely what is
 * missing and what to use instead.
 */
int http_auth_supported(enum ca_auth a, char *err, size_t errlen);

/*
 * libcurl is loaded at the first network call, not at process start
 * (backend/sys/curl_dl.h): http_global_init() now only returns 0 and may still
 * be called; curl_global_init() runs once, inside http.c, before the first
 * handle is made, from whichever thread makes the first request.  When
 * libcurl.so.4 is missing, that request fails with HTTP_E_OTHER and err
 * names the file, the loader's reason and "apt-get install libcurl4".
 *
 * Trust: the server is verified against exactly what the options name -
 * ca_file alone: that bundle only; ca_path alone: that trust store only
 * (plus the system's CA bundle when system_trust is set); both: both;
 * neither: the system store (libcurl's default CA bundle and directory).
 *
 * Connection reuse: connections stay open after a request and a later
 * request to the same scheme://host:port with the same TLS settings (CA
 * file, CA path, client certificate, verification) reuses one instead of
 * a new TCP connection and handshake; NTLM-authenticated connections only
 * with the same credentials.  Timeouts and cancellation apply as before.
 * http_global_cleanup() closes them.
 */

/* Close the connections kept open for reuse (they also close at
 * http_global_cleanup()).  Safe while other threads make requests. */
void http_close_idle(void);

/* How many connections the requests of this process have opened so far
 * (libcurl's CURLINFO_NUM_CONNECTS, summed): for tests and benchmarks. */
unsigned long http_connections_opened(void);

/*
 * Send libcurl's informational messages (connection setup, TLS, the trust
 * files it loads - never headers or bodies, so never credentials), one line
 * at a time without the newline, to fn(ud, line) for every request started
 * afterwards in this process; fn NULL turns it off.  fn may run on any
 * thread that makes requests.  The line is valid only during the call.
 */
void http_set_trace(void (*fn)(void *ud, const char *line), void *ud);

#endif
