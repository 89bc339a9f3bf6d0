/*
 * http.c - the one libcurl wrapper (http.h): connect and total timeouts,
 * cancellation and progress through hooks (xferinfo callback), a body cap,
 * TLS verification always on against exactly the trust the caller names,
 * the authentication schemes the CA may want, and libcurl errors mapped to
 * enum http_err with specific messages.  Credentials go to libcurl through
 * CURLOPT_USERNAME / CURLOPT_PASSWORD only: never into a URL, a message or
 * a log line.
 *
 * libcurl itself is loaded at the first network call (curl_dl.h), and
 * curl_global_init() runs then, once, under g_mu, before any handle exists.
 *
 * Connection reuse: finished easy handles go back to a small process-wide
 * pool (g_pool) instead of being destroyed; curl_easy_reset() keeps a
 * handle's live connections and TLS session cache, so the next request to
 * the same server takes that handle and reuses its connection.  A handle
 * is used by one thread at a time (taken out of the pool under g_mu), so
 * requests from the wizard's worker thread are safe; libcurl's shared
 * connection cache (CURLSH + CURL_LOCK_DATA_CONNECT) is not used because
 * libcurl documents it as unsafe across concurrent threads (KNOWN_BUGS
 * "A shared connection cache is not thread-safe").  libcurl reuses a cached
 * connection only for the same scheme, host and port with the same TLS
 * settings (CA file, CA path, client certificate, verify flags: its
 * Curl_ssl_config_matches()), and an NTLM-authenticated one only with the
 * same credentials; every option is set again for every request.
 */
#include "sys/http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "sys/curl_dl.h"
#include "core/errbuf.h"

#ifndef OPSMGR_VERSION
#define OPSMGR_VERSION "0"
#endif

/* Browser-like, so that IIS serves downloads with their proper types. */
#define HTTP_USER_AGENT                                                   \
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; Trident/7.0; rv:11.0) " \
	"like Gecko opsmgr-enroll/" OPSMGR_VERSION

#define HDR_CAP 16384u

/* Idle easy handles kept for their connections (at most POOL_MAX). */
#define POOL_MAX 4

struct pooled {
	CURL *c;
	char origin[192];           /* scheme://host:port of its last request */
	unsigned long long used;    /* g_tick at its return: larger = newer */
};

/* g_mu guards everything below it, and the OpenSSL providers. */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static const struct curl_fns *g_curl;   /* non-NULL once curl_global_init ran */
static struct pooled g_pool[POOL_MAX];
static int g_npool;
static unsigned long long g_tick;
static unsigned long g_connects;        /* connections opened, all requests */
static void (*g_trace)(void *ud, const char *line);
static void *g_trace_ud;

static OSSL_PROVIDER *g_legacy, *g_default;

struct xfer {
	const struct http_opts *o;
	const struct hooks *h;
	size_t cap;
	int cancelled;
	int too_large;
	long long last_ms;     /* last progress report (monotonic ms) */
	char what[160];
	void (*trace)(void *ud, const char *line);
	void *trace_ud;

	unsigned char *body;
	size_t len, alloc;

	char *content_type;
	char *www_auth;        /* "; "-joined */
	size_t www_auth_len;
};

void http_opts_init(struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->auth = AUTH_NONE;
	o->connect_timeout_s = 10;
	o->timeout_s = CONFIG_DEFAULT_CA_TIMEOUT;
	o->body_cap = HTTP_DEFAULT_BODY_CAP;
}

/*
 * Nothing to do at process start any more: libcurl is loaded and
 * curl_global_init() runs at the first network call (curl_ready()), so that
 * commands which never use the network do not pay for loading it.
 */
int http_global_init(void)
{
	return 0;
}

/*
 * libcurl, loaded and initialised: once per process (or again after
 * http_global_cleanup()), under g_mu, so that no thread can create a
 * handle before curl_global_init() has returned.
 */
static const struct curl_fns *curl_ready(char *err, size_t errlen)
{
	const struct curl_fns *f;

	pthread_mutex_lock(&g_mu);
	f = g_curl;
	if (!f) {
		f = curl_dl(err, errlen);
		if (f && f->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			errbuf_printf(err, errlen,
				      "cannot initialise libcurl (curl_global_init "
				      "failed: out of memory, or its TLS library "
				      "could not start)");
			f = NULL;
		}
		g_curl = f;
	}
	pthread_mutex_unlock(&g_mu);
	return f;
}

void http_close_idle(void)
{
	struct pooled drop[POOL_MAX];
	int n;
	const struct curl_fns *f;

	pthread_mutex_lock(&g_mu);
	f = g_curl;
	n = g_npool;
	memcpy(drop, g_pool, sizeof(drop));
	g_npool = 0;
	pthread_mutex_unlock(&g_mu);
	for (int i = 0; i < n; i++)
		f->easy_cleanup(drop[i].c);   /* closes its connections */
}

unsigned long http_connections_opened(void)
{
	pthread_mutex_lock(&g_mu);
	unsigned long n = g_connects;
	pthread_mutex_unlock(&g_mu);
	return n;
}

void http_set_trace(void (*fn)(void *ud, const char *line), void *ud)
{
	pthread_mutex_lock(&g_mu);
	g_trace = fn;
	g_trace_ud = ud;
	pthread_mutex_unlock(&g_mu);
}

void http_global_cleanup(void)
{
	http_close_idle();
	pthread_mutex_lock(&g_mu);
	if (g_curl) {
		g_curl->global_cleanup();
		g_curl = NULL;
	}
	if (g_legacy) {
		OSSL_PROVIDER_unload(g_legacy);
		g_legacy = NULL;
	}
	if (g_default) {
		OSSL_PROVIDER_unload(g_default);
		g_default = NULL;
	}
	pthread_mutex_unlock(&g_mu);
}

const char *http_err_name(enum http_err e)
{
	switch (e) {
	case HTTP_OK: return "ok";
	case HTTP_E_URL: return "bad URL";
	case HTTP_E_DNS: return "name resolution failed";
	case HTTP_E_CONNECT: return "connection failed";
	case HTTP_E_TLS: return "TLS failure";
	case HTTP_E_TIMEOUT: return "timeout";
	case HTTP_E_CANCELLED: return "cancelled";
	case HTTP_E_TOO_LARGE: return "answer too large";
	case HTTP_E_PROTOCOL: return "protocol error";
	case HTTP_E_OTHER: return "transfer failed";
	}
	return "unknown";
}

char *http_urlencode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(n * 3 + 1), *p = out;
	if (!out)
		return NULL;
	for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
		if (isalnum(*q) || *q == '-' || *q == '_' || *q == '.' ||
		    *q == '~') {
			*p++ = (char)*q;
		} else {
			*p++ = '%';
			*p++ = hex[*q >> 4];
			*p++ = hex[*q & 15];
		}
	}
	*p = '\0';
	return out;
}

void http_response_release(struct http_response *r)
{
	if (!r)
		return;
	free(r->content_type);
	free(r->www_authenticate);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ */

/* The scheme://host[:port] part of url, for progress lines. */
static void url_host(const char *url, char *out, size_t outlen)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, "/?#");
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Typed curl_easy_setopt (the table's function is variadic and unchecked). */
static void opt_long(const struct curl_fns *f, CURL *c, CURLoption o, long v)
{
	f->easy_setopt(c, o, v);
}

static void opt_str(const struct curl_fns *f, CURL *c, CURLoption o,
		    const char *v)
{
	f->easy_setopt(c, o, v);
}

static void opt_ptr(const struct curl_fns *f, CURL *c, CURLoption o, void *v)
{
	f->easy_setopt(c, o, v);
}

static void opt_off(const struct curl_fns *f, CURL *c, CURLoption o,
		    curl_off_t v)
{
	f->easy_setopt(c, o, v);
}

/* Lower-case scheme://host:port of url, the key for picking a handle. */
static void url_origin(const char *url, char *out, size_t outlen)
{
	size_t n = strcspn(url, "/?#");   /* "https:" */
	const char *rest = url + n;
	if (strncmp(rest, "//", 2) == 0)
		n += 2 + strcspn(rest + 2, "/?#");
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)url[i]);
	out[n] = '\0';
}

/*
 * An easy handle for a request to url: preferably the idle one that last
 * talked to the same server (its connection can be reused), else any idle
 * one, else a new one.  The caller owns it until give_back().
 */
static CURL *take_handle(const struct curl_fns *f, const char *origin)
{
	int best = -1;
	pthread_mutex_lock(&g_mu);
	for (int i = 0; i < g_npool; i++) {
		int same = strcmp(g_pool[i].origin, origin) == 0;
		int best_same = best >= 0 && strcmp(g_pool[best].origin, origin) == 0;
		if (best < 0 || (same && !best_same) ||
		    (same == best_same && g_pool[i].used > g_pool[best].used))
			best = i;
	}
	CURL *c = NULL;
	if (best >= 0) {
		c = g_pool[best].c;
		g_pool[best] = g_pool[--g_npool];
	}
	pthread_mutex_unlock(&g_mu);
	/* a pooled handle was reset when it was given back: no options left,
	 * its connections and TLS sessions kept */
	return c ? c : f->easy_init();
}

/* Return a handle (already curl_easy_reset()) to the pool; the least
 * recently used one beyond POOL_MAX is destroyed (closing its
 * connections). */
static void give_back(const struct curl_fns *f, CURL *c, const char *origin)
{
	CURL *drop = NULL;
	pthread_mutex_lock(&g_mu);
	if (g_curl != f) {
		/* http_global_cleanup() ran meanwhile: do not keep it */
		drop = c;
	} else {
		if (g_npool == POOL_MAX) {
			int old = 0;
			for (int i = 1; i < g_npool; i++)
				if (g_pool[i].used < g_pool[old].used)
					old = i;
			drop = g_pool[old].c;
			g_pool[old] = g_pool[--g_npool];
		}
		struct pooled *p = &g_pool[g_npool++];
		p->c = c;
		snprintf(p->origin, sizeof(p->origin), "%s", origin);
		p->used = ++g_tick;
	}
	pthread_mutex_unlock(&g_mu);
	if (drop)
		f->easy_cleanup(drop);
}

/* libcurl's informational lines (CURLINFO_TEXT only: never headers or
 * bodies, so never credentials) to the trace sink, one line at a time. */
static int on_debug(CURL *c, curl_infotype type, char *data, size_t size,
		    void *ud)
{
	struct xfer *x = ud;
	char line[512];
	(void)c;
	if (type != CURLINFO_TEXT || !x->trace)
		return 0;
	while (size && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		size--;
	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	x->trace(x->trace_ud, line);
	return 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (n > x->cap || x->len > x->cap - n) {
		x->too_large = 1;
		return 0;
	}
	if (x->len + n + 1 > x->alloc) {
		size_t na = x->alloc ? x->alloc : 4096;
		while (na < x->len + n + 1)
			na *= 2;
		unsigned char *nb = realloc(x->body, na);
		if (!nb)
			return 0;
		x->body = nb;
		x->alloc = na;
	}
	memcpy(x->body + x->len, ptr, n);
	x->len += n;
	x->body[x->len] = '\0';
	return n;
}

/* Copy a header value (after "Name:") trimmed, into a new string. */
static char *header_value(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' ' ||
		     p[n - 1] == '\t'))
		n--;
	char *v = malloc(n + 1);
	if (!v)
		return NULL;
	memcpy(v, p, n);
	v[n] = '\0';
	/* a header value cannot contain a NUL meaningfully: cut there */
	return v;
}

static size_t on_header(char *ptr, size_t size, size_t nitems, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nitems;

	/* A new response (auth round trip, redirect): forget earlier headers. */
	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		free(x->content_type);
		free(x->www_auth);
		x->content_type = NULL;
		x->www_auth = NULL;
		x->www_auth_len = 0;
		return n;
	}
	if (n > 13 && strncasecmp(ptr, "Content-Type:", 13) == 0) {
		free(x->content_type);
		x->content_type = header_value(ptr + 13, n - 13);
	} else if (n > 17 && strncasecmp(ptr, "WWW-Authenticate:", 17) == 0) {
		char *v = header_value(ptr + 17, n - 17);
		if (!v)
			return n;
		size_t vl = strlen(v);
		if (x->www_auth_len + vl + 3 <= HDR_CAP) {
			char *nb = realloc(x->www_auth, x->www_auth_len + vl + 3);
			if (nb) {
				if (x->www_auth_len) {
					memcpy(nb + x->www_auth_len, "; ", 2);
					x->www_auth_len += 2;
				}
				memcpy(nb + x->www_auth_len, v, vl + 1);
				x->www_auth_len += vl;
				x->www_auth = nb;
			}
		}
		free(v);
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ud;
	(void)ultotal;
	(void)ulnow;
	if (hooks_cancelled(x->h)) {
		x->cancelled = 1;
		return 1;
	}
	/* at most ~20 reports a second: libcurl calls this per chunk */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (x->last_ms && ms - x->last_ms < 50)
		return 0;
	x->last_ms = ms;
	double f = dltotal > 0 ? (double)dlnow / (double)dltotal : -1.0;
	hooks_progress(x->h, x->what, f);
	return 0;
}

/* Load the OpenSSL providers NTLM needs (MD4 lives in "legacy"). */
static int ntlm_providers(char *err, size_t errlen)
{
	pthread_mutex_lock(&g_mu);   /* two threads may want NTLM at once */
	if (!g_default)
		g_default = OSSL_PROVIDER_load(NULL, "default");
	if (!g_legacy)
		g_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	int ok = g_legacy && g_default;
	int legacy_missing = !g_legacy;
	pthread_mutex_unlock(&g_mu);
	if (!ok) {
		/* the first queued error says why (e.g. the .so path tried) */
		char oe[512] = "";
		const char *data = NULL;
		int flags = 0;
		unsigned long e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
		if (e) {
			char txt[256];
			ERR_error_string_n(e, txt, sizeof(txt));
			const char *reason = ERR_reason_error_string(e);
			snprintf(oe, sizeof(oe), "%s%s%s", reason ? reason : txt,
				 (flags & ERR_TXT_STRING) && data && *data ? ": " : "",
				 (flags & ERR_TXT_STRING) && data ? data : "");
		}
		ERR_clear_error();
		errbuf_printf(err, errlen,
		              "NTLM authentication needs MD4, which OpenSSL 3 only has in "
		              "its 'legacy' provider, and the %s provider could not be "
		              "loaded (is legacy.so in %s?%s%s); use auth = basic or "
		              "negotiate instead",
		              legacy_missing ? "legacy" : "default",
		              getenv("OPENSSL_MODULES") ? getenv("OPENSSL_MODULES")
		                                        : "OpenSSL's modules directory",
		              oe[0] ? " OpenSSL says: " : "", oe);
		return -1;
	}
	return 0;
}

int http_auth_supported(enum ca_auth a, char *err, size_t errlen)
{
	const struct curl_fns *f;
	curl_version_info_data *vi;
	switch (a) {
	case AUTH_NTLM:
		if (!(f = curl_ready(err, errlen)))
			return 0;
		vi = f->version_info(CURLVERSION_NOW);
		if (!(vi->features & CURL_VERSION_NTLM)) {
			errbuf_printf(err, errlen,
			              "this libcurl (%s) was built without NTLM support; use "
			              "auth = basic or negotiate",
			              vi->version);
			return 0;
		}
		return ntlm_providers(err, errlen) == 0;
	case AUTH_NEGOTIATE:
		if (!(f = curl_ready(err, errlen)))
			return 0;
		vi = f->version_info(CURLVERSION_NOW);
		if (!(vi->features & CURL_VERSION_GSSAPI) ||
		    !(vi->features & CURL_VERSION_SPNEGO)) {
			errbuf_printf(err, errlen,
			              "this libcurl (%s) was built without GSS-API/SPNEGO, "
			              "so Negotiate (Kerberos) authentication is not "
			              "available; use auth = basic or ntlm",
			              vi->version);
			return 0;
		}
		return 1;
	case AUTH_BASIC:
	case AUTH_CERT:
	case AUTH_NONE:
		return 1;
	}
	return 1;
}

static int scheme_is(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);
	return strncasecmp(url, scheme, n) == 0 && strncmp(url + n, "://", 3) == 0;
}

static enum http_err check_url(const struct http_opts *o, const char *url,
			       char *err, size_t errlen)
{
	if (!url || !*url) {
		errbuf_printf(err, errlen, "no URL given");
		return HTTP_E_URL;
	}
	if (strpbrk(url, " \t\r\n")) {
		errbuf_printf(err, errlen, "'%s' is not a valid URL: it contains white space",
		              url);
		return HTTP_E_URL;
	}
	if (scheme_is(url, "http")) {
		if (!o->allow_http) {
			errbuf_printf(err, errlen,
			              "'%s' uses plain http, which sends the request and "
			              "credentials unencrypted; use https:// (or set "
			              "allow_insecure_http = yes on a test bench)",
			              url);
			return HTTP_E_URL;
		}
	} else if (!scheme_is(url, "https")) {
		errbuf_printf(err, errlen,
		              "'%s' is not an https:// URL; give the full address, e.g. "
		              "https://ca.example.com/certsrv/",
		              url);
		return HTTP_E_URL;
	}
	const char *host = strstr(url, "://") + 3;
	size_t hl = strcspn(host, "/?#");
	if (hl == 0) {
		errbuf_printf(err, errlen, "'%s' has no host name", url);
		return HTTP_E_URL;
	}
	if (memchr(host, '@', hl)) {
		/* do not echo the URL: it may hold a password */
		errbuf_printf(err, errlen,
		              "the URL must not contain a user name or password; put the "
		              "user in ca.user and the password in ca.password_file");
		return HTTP_E_URL;
	}
	return HTTP_OK;
}

static enum http_err set_auth(const struct curl_fns *f, CURL *c,
			      const struct http_opts *o, const char *url,
			      char *err, size_t errlen)
{
	const char *user = o->user ? o->user : "";
	const char *pw = (o->password && o->password->buf) ? o->password->buf : "";

	switch (o->auth) {
	case AUTH_NONE:
		return HTTP_OK;
	case AUTH_BASIC:
		if (!scheme_is(url, "https") && !o->allow_http) {
			errbuf_printf(err, errlen,
			              "refusing Basic authentication over plain http for "
			              "'%s': the password would travel in clear",
			              url);
			return HTTP_E_URL;
		}
		opt_long(f, c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		opt_str(f, c, CURLOPT_USERNAME, user);
		opt_str(f, c, CURLOPT_PASSWORD, pw);
		return HTTP_OK;
	case AUTH_NTLM:
		if (!http_auth_supported(AUTH_NTLM, err, errlen))
			return HTTP_E_OTHER;
		opt_long(f, c, CURLOPT_HTTPAUTH, (long)CURLAUTH_NTLM);
		opt_str(f, c, CURLOPT_USERNAME, user);
		opt_str(f, c, CURLOPT_PASSWORD, pw);
		return HTTP_OK;
	case AUTH_NEGOTIATE:
		if (!http_auth_supported(AUTH_NEGOTIATE, err, errlen))
			return HTTP_E_OTHER;
		opt_long(f, c, CURLOPT_HTTPAUTH, (long)CURLAUTH_NEGOTIATE);
		/* credentials come from the Kerberos ticket cache */
		opt_str(f, c, CURLOPT_USERNAME, "");
		opt_str(f, c, CURLOPT_PASSWORD, "");
		return HTTP_OK;
	case AUTH_CERT:
		if (!o->client_cert || !*o->client_cert) {
			errbuf_printf(err, errlen,
			              "client certificate authentication needs a "
			              "certificate file (ca.client_cert)");
			return HTTP_E_OTHER;
		}
		opt_str(f, c, CURLOPT_SSLCERT, o->client_cert);
		opt_str(f, c, CURLOPT_SSLCERTTYPE, "PEM");
		if (o->client_key && *o->client_key) {
			opt_str(f, c, CURLOPT_SSLKEY, o->client_key);
			opt_str(f, c, CURLOPT_SSLKEYTYPE, "PEM");
		}
		return HTTP_OK;
	}
	return HTTP_OK;
}

/* Describe where verification looked, for TLS messages. */
static void trust_desc(const struct http_opts *o, char *out, size_t outlen)
{
	int n = 0;
	out[0] = '\0';
	if (o->ca_file && *o->ca_file)
		n += snprintf(out + n, outlen - (size_t)n, "ca_file '%s'", o->ca_file);
	if (o->ca_path && *o->ca_path && (size_t)n < outlen)
		n += snprintf(out + n, outlen - (size_t)n, "%strust store '%s'",
			      n ? ", " : "", o->ca_path);
	if (n == 0)   /* neither given: libcurl's default bundle and path */
		snprintf(out, outlen, "the system store");
	else if (!(o->ca_file && *o->ca_file) && o->system_trust &&
		 (size_t)n < outlen)
		snprintf(out + n, outlen - (size_t)n, ", the system CA bundle");
}

static enum http_err map_error(const struct curl_fns *f, CURL *c,
			       CURLcode rc, const struct xfer *x,
			       const struct http_opts *o, const char *url,
			       const char *cerr, char *err, size_t errlen)
{
	const char *detail = cerr && *cerr ? cerr : f->easy_strerror(rc);
	char trust[768];
	int cto = o->connect_timeout_s > 0 ? o->connect_timeout_s : 10;
	int tto = o->timeout_s > 0 ? o->timeout_s : CONFIG_DEFAULT_CA_TIMEOUT;

	if (x->cancelled || (rc == CURLE_ABORTED_BY_CALLBACK)) {
		errbuf_printf(err, errlen, "cancelled while talking to '%s'", url);
		return HTTP_E_CANCELLED;
	}
	if (x->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		errbuf_printf(err, errlen,
		              "the answer from '%s' is larger than %zu bytes; this is not "
		              "what a certificate server sends - check the URL",
		              url, x->cap);
		return HTTP_E_TOO_LARGE;
	}
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL: {
		/* after our URL checks this is the server's doing: an HTTP/0.9
		 * or non-HTTP answer, or a redirect to a refused scheme */
		char *ip = NULL;
		f->easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip);
		if (ip && *ip) {
			errbuf_printf(err, errlen,
			              "'%s' did not answer like a web server: %s", url,
			              detail);
			return HTTP_E_PROTOCOL;
		}
	}
		/* FALLTHROUGH */
	case CURLE_URL_MALFORMAT:
		errbuf_printf(err, errlen, "'%s' is not a usable URL: %s", url, detail);
		return HTTP_E_URL;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		errbuf_printf(err, errlen,
		              "cannot resolve the host of '%s' (%s); check the name and "
		              "this computer's DNS settings",
		              url, detail);
		return HTTP_E_DNS;
	case CURLE_COULDNT_CONNECT:
		errbuf_printf(err, errlen,
		              "cannot connect to '%s' (%s); check the host, the port and "
		              "any firewall in between",
		              url, detail);
		return HTTP_E_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		errbuf_printf(err, errlen,
		              "no answer from '%s' in time (connect timeout %d s, total "
		              "%d s): %s; the server may be busy or unreachable - try "
		              "again, or raise ca.timeout",
		              url, cto, tto, detail);
		return HTTP_E_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION: {
		long vr = 0;
		const char *why = detail;
		f->easy_getinfo(c, CURLINFO_SSL_VERIFYRESULT, &vr);
		if (vr != 0)
			why = X509_verify_cert_error_string(vr);
		trust_desc(o, trust, sizeof(trust));
		if (strstr(detail, "subject name") || strstr(detail, "hostname") ||
		    strstr(detail, "host name")) {
			errbuf_printf(err, errlen,
			              "certificate verify failed for %s: %s; the server's "
			              "certificate does not name the host in the URL - use "
			              "the name the certificate was issued to",
			              url, detail);
		} else {
			errbuf_printf(err, errlen,
			              "certificate verify failed for %s: %s (trusted: %s) - "
			              "import the CA root first (stage 1)",
			              url, why, trust);
		}
		return HTTP_E_TLS;
	}
	case CURLE_SSL_CACERT_BADFILE:
		trust_desc(o, trust, sizeof(trust));
		errbuf_printf(err, errlen,
		              "cannot load the trusted certificates (%s) to check %s: %s",
		              trust, url, detail);
		return HTTP_E_TLS;
	case CURLE_SSL_CERTPROBLEM:
		errbuf_printf(err, errlen,
		              "cannot use the client certificate '%s' for %s: %s",
		              o->client_cert ? o->client_cert : "(none)", url, detail);
		return HTTP_E_TLS;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		errbuf_printf(err, errlen, "TLS handshake with %s failed: %s", url, detail);
		return HTTP_E_TLS;
	case CURLE_GOT_NOTHING:
		errbuf_printf(err, errlen,
		              "'%s' closed the connection without answering (%s); is it "
		              "an https web server?",
		              url, detail);
		return HTTP_E_PROTOCOL;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_TOO_MANY_REDIRECTS:
		errbuf_printf(err, errlen, "broken answer from '%s': %s", url, detail);
		return HTTP_E_PROTOCOL;
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
		errbuf_printf(err, errlen,
		              "authentication with '%s' failed inside libcurl: %s", url,
		              detail);
		return HTTP_E_OTHER;
	case CURLE_OUT_OF_MEMORY:
		errbuf_printf(err, errlen, "out of memory talking to '%s'", url);
		return HTTP_E_OTHER;
	default:
		errbuf_printf(err, errlen, "transfer from '%s' failed: %s", url, detail);
		return HTTP_E_OTHER;
	}
}

/*
 * Which certificates verify the server: exactly the ones the caller names.
 * libcurl falls back to its built-in defaults (Debian: the bundle
 * /etc/ssl/certs/ca-certificates.crt and the directory /etc/ssl/certs) for
 * whichever of CAINFO / CAPATH is not set, so the one not given is
 * cleared explicitly; the system store is used only when neither is given.
 * (Loading the 144-certificate system bundle also cost ~17 ms of CPU per
 * CRL fetch in stage 3.)
 */
static void set_trust(const struct curl_fns *f, CURL *c,
		      const struct http_opts *o)
{
	int has_file = o->ca_file && *o->ca_file;
	int has_path = o->ca_path && *o->ca_path;
	if (!has_file && !has_path)
		return;
	/* system_trust: the trust store adds to the system store (libcurl's
	 * default bundle stays) instead of replacing it */
	if (has_file || !o->system_trust)
		opt_str(f, c, CURLOPT_CAINFO, has_file ? o->ca_file : NULL);
	opt_str(f, c, CURLOPT_CAPATH, has_path ? o->ca_path : NULL);
}

static enum http_err request(const struct http_opts *o, const char *url,
			     const char *post, const struct hooks *h,
			     struct http_response *r, char *err, size_t errlen)
{
	struct xfer x;
	char cerr[CURL_ERROR_SIZE];
	char origin[192];
	enum http_err e;
	const struct curl_fns *f;
	CURL *c;

	memset(r, 0, sizeof(*r));
	if (err && errlen)
		err[0] = '\0';
	e = check_url(o, url, err, errlen);
	if (e != HTTP_OK)
		return e;
	if (hooks_cancelled(h)) {
		errbuf_printf(err, errlen, "cancelled before contacting '%s'", url);
		return HTTP_E_CANCELLED;
	}
	f = curl_ready(err, errlen);
	if (!f)
		return HTTP_E_OTHER;
	url_origin(url, origin, sizeof(origin));
	c = take_handle(f, origin);
	if (!c) {
		errbuf_printf(err, errlen, "cannot create a libcurl handle (out of memory?)");
		return HTTP_E_OTHER;
	}

	memset(&x, 0, sizeof(x));
	x.o = o;
	x.h = h;
	x.cap = o->body_cap ? o->body_cap : HTTP_DEFAULT_BODY_CAP;
	{
		char host[128];
		url_host(url, host, sizeof(host));
		snprintf(x.what, sizeof(x.what), "%s %s", post ? "sending to" : "fetching from", host);
	}
	pthread_mutex_lock(&g_mu);
	x.trace = g_trace;
	x.trace_ud = g_trace_ud;
	pthread_mutex_unlock(&g_mu);
	cerr[0] = '\0';

	const char *protos = o->allow_http ? "https,http" : "https";
	opt_str(f, c, CURLOPT_URL, url);
	opt_str(f, c, CURLOPT_PROTOCOLS_STR, protos);
	opt_str(f, c, CURLOPT_REDIR_PROTOCOLS_STR, protos);
	opt_long(f, c, CURLOPT_FOLLOWLOCATION, 1L);
	opt_long(f, c, CURLOPT_MAXREDIRS, 5L);
	opt_long(f, c, CURLOPT_NOSIGNAL, 1L);
	opt_ptr(f, c, CURLOPT_ERRORBUFFER, cerr);
	opt_str(f, c, CURLOPT_USERAGENT, HTTP_USER_AGENT);
	opt_long(f, c, CURLOPT_CONNECTTIMEOUT,
		 (long)(o->connect_timeout_s > 0 ? o->connect_timeout_s : 10));
	opt_long(f, c, CURLOPT_TIMEOUT,
		 (long)(o->timeout_s > 0 ? o->timeout_s : CONFIG_DEFAULT_CA_TIMEOUT));
	opt_off(f, c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x.cap);
	f->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	opt_ptr(f, c, CURLOPT_WRITEDATA, &x);
	f->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	opt_ptr(f, c, CURLOPT_HEADERDATA, &x);
	opt_long(f, c, CURLOPT_NOPROGRESS, 0L);
	f->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	opt_ptr(f, c, CURLOPT_XFERINFODATA, &x);
	if (x.trace) {
		f->easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
		opt_ptr(f, c, CURLOPT_DEBUGDATA, &x);
		opt_long(f, c, CURLOPT_VERBOSE, 1L);
	}
	opt_long(f, c, CURLOPT_SSL_VERIFYPEER, 1L);
	opt_long(f, c, CURLOPT_SSL_VERIFYHOST, 2L);
	set_trust(f, c, o);
	if (post) {
		/*
		 * A POST (the certificate request) is not idempotent: on a
		 * kept-alive connection that turns out dead, libcurl re-sends
		 * the request on a new one by itself, and a CA that had
		 * received the first would then hold two requests.  A new
		 * connection for every POST means a failure is reported
		 * instead (stage 2 then says the request may have reached the
		 * CA).  GETs may reuse: repeating them is harmless.
		 */
		opt_long(f, c, CURLOPT_FRESH_CONNECT, 1L);
		opt_long(f, c, CURLOPT_POST, 1L);
		opt_str(f, c, CURLOPT_POSTFIELDS, post);
		opt_off(f, c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(post));
	}

	e = set_auth(f, c, o, url, err, errlen);
	if (e == HTTP_OK) {
		hooks_progress(h, x.what, -1.0);
		CURLcode rc = f->easy_perform(c);
		long nconn = 0;
		if (f->easy_getinfo(c, CURLINFO_NUM_CONNECTS, &nconn) == CURLE_OK &&
		    nconn > 0) {
			pthread_mutex_lock(&g_mu);
			g_connects += (unsigned long)nconn;
			pthread_mutex_unlock(&g_mu);
		}
		if (rc != CURLE_OK) {
			e = map_error(f, c, rc, &x, o, url, cerr, err, errlen);
		} else {
			f->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
			if (!x.content_type) {
				char *ct = NULL;
				f->easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
				if (ct)
					x.content_type = strdup(ct);
			}
			if (!x.body) {
				x.body = calloc(1, 1);
				if (!x.body) {
					errbuf_printf(err, errlen, "out of memory");
					e = HTTP_E_OTHER;
				}
			}
			if (e == HTTP_OK) {
				r->content_type = x.content_type;
				r->www_authenticate = x.www_auth;
				r->body = x.body;
				r->body_len = x.len;
				x.content_type = x.www_auth = NULL;
				x.body = NULL;
				hooks_progress(h, x.what, 1.0);
			}
		}
	}
	/* the handle still points at x, cerr and the password: forget them
	 * before it waits in the pool (its connections stay open) */
	f->easy_reset(c);
	give_back(f, c, origin);
	free(x.body);
	free(x.content_type);
	free(x.www_auth);
	return e;
}

enum http_err http_get(const struct http_opts *o, const char *url,
		       const struct hooks *h, struct http_response *r,
		       char *err, size_t errlen)
{
	return request(o, url, NULL, h, r, err, errlen);
}

enum http_err http_post_form(const struct http_opts *o, const char *url,
			     const char *body, const struct hooks *h,
			     struct http_response *r, char *err, size_t errlen)
{
	return request(o, url, body ? body : "", h, r, err, errlen);
}
