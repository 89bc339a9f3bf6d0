/*
 * http.c - the one libcurl wrapper (http.h): easy handles and their pool,
 * connect and total timeouts, cancellation and progress through hooks
 * (xferinfo callback), a body cap, the transfer itself, and the process-wide
 * set-up, and the redirects (followed here, one hop at a time, so that
 * credentials go only to their origin: libcurl's own following would
 * present a client certificate to any server it is sent to).  Every
 * option set is checked (OPT_*, http_int.h).  URL checks and origins are
 * in http_url.c, authentication and trust options in
 * http_auth.c, libcurl errors as enum http_err in http_err.c (http_int.h).
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
#include "sys/http_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
	char origin[300];           /* scheme://host:port of its last request */
	unsigned long long used;    /* g_tick at its return: larger = newer */
};

/* g_mu guards everything below it. */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static const struct curl_fns *g_curl;   /* non-NULL once curl_global_init ran */
static struct pooled g_pool[POOL_MAX];
static int g_npool;
static unsigned long long g_tick;
static unsigned long g_connects;        /* connections opened, all requests */
static void (*g_trace)(void *ud, const char *line);
static void *g_trace_ud;


void http_opts_init(struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->auth = AUTH_NONE;
	o->connect_timeout_s = HTTP_CONNECT_TIMEOUT;
	o->timeout_s = CONFIG_DEFAULT_CA_TIMEOUT;
	o->body_cap = HTTP_DEFAULT_BODY_CAP;
}

/*
 * Nothing to do at process start any more: libcurl is loaded and
 * curl_global_init() runs at the first network call (http_curl_ready()), so that
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
const struct curl_fns *http_curl_ready(char *err, size_t errlen)
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
	pthread_mutex_unlock(&g_mu);
	http_providers_unload();
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

enum http_err optset_result(const struct optset *s, char *err, size_t errlen)
{
	if (s->rc == CURLE_OK)
		return HTTP_OK;
	errbuf_printf(err, errlen,
		      "libcurl refused the option %s (%s), so the request "
		      "cannot be made the way it must be; nothing was sent",
		      s->failed, s->f->easy_strerror(s->rc));
	return HTTP_E_OTHER;
}

/* The pool's key for url: its origin, "" when it has none. */
static void origin_key(const char *url, char *out, size_t outlen)
{
	struct http_origin og;
	char err[8];
	if (http_url_origin(url, &og, err, sizeof(err)) == 0)
		snprintf(out, outlen, "%s://%s:%d", og.scheme, og.host, og.port);
	else
		out[0] = '\0';
}

/* One request of a transfer: the URL asked for, then each redirect. */
struct hop {
	const char *url;
	const char *post;   /* NULL: GET */
	bool creds;         /* o's credentials go with it */
};

/* Forget what an earlier hop (a redirect's answer) left in x. */
static void xfer_clear(struct xfer *x)
{
	free(x->body);
	free(x->content_type);
	free(x->www_auth);
	x->body = NULL;
	x->content_type = x->www_auth = NULL;
	x->len = x->alloc = x->www_auth_len = 0;
}

/* Every option of one hop, on a handle without any. */
static enum http_err set_options(struct optset *s, const struct http_opts *o,
				 const struct hop *hp, struct xfer *x,
				 char *cerr, char *err, size_t errlen)
{
	const char *protos = o->allow_http ? "https,http" : "https";
	OPT_STR(s, CURLOPT_URL, hp->url);
	OPT_STR(s, CURLOPT_PROTOCOLS_STR, protos);
	OPT_STR(s, CURLOPT_REDIR_PROTOCOLS_STR, protos);
	/* request() follows redirects itself, deciding about credentials */
	OPT_LONG(s, CURLOPT_FOLLOWLOCATION, 0L);
	OPT_LONG(s, CURLOPT_UNRESTRICTED_AUTH, 0L);
	OPT_LONG(s, CURLOPT_NOSIGNAL, 1L);
	OPT_PTR(s, CURLOPT_ERRORBUFFER, cerr);
	OPT_STR(s, CURLOPT_USERAGENT, HTTP_USER_AGENT);
	OPT_LONG(s, CURLOPT_CONNECTTIMEOUT, http_connect_timeout(o));
	OPT_LONG(s, CURLOPT_TIMEOUT, http_total_timeout(o));
	OPT_OFF(s, CURLOPT_MAXFILESIZE_LARGE, x->cap);
	OPT_SET(s, CURLOPT_WRITEFUNCTION, on_body);
	OPT_PTR(s, CURLOPT_WRITEDATA, x);
	OPT_SET(s, CURLOPT_HEADERFUNCTION, on_header);
	OPT_PTR(s, CURLOPT_HEADERDATA, x);
	OPT_LONG(s, CURLOPT_NOPROGRESS, 0L);
	OPT_SET(s, CURLOPT_XFERINFOFUNCTION, on_progress);
	OPT_PTR(s, CURLOPT_XFERINFODATA, x);
	if (x->trace) {
		OPT_SET(s, CURLOPT_DEBUGFUNCTION, on_debug);
		OPT_PTR(s, CURLOPT_DEBUGDATA, x);
		OPT_LONG(s, CURLOPT_VERBOSE, 1L);
	}
	OPT_LONG(s, CURLOPT_SSL_VERIFYPEER, 1L);
	OPT_LONG(s, CURLOPT_SSL_VERIFYHOST, 2L);
	http_set_trust(s, o);
	if (hp->post) {
		/*
		 * A POST (the certificate request) is not idempotent: on a
		 * kept-alive connection that turns out dead, libcurl re-sends
		 * the request on a new one by itself, and a CA that had
		 * received the first would then hold two requests.  A new
		 * connection for every POST means a failure is reported
		 * instead (stage 2 then says the request may have reached the
		 * CA).  GETs may reuse: repeating them is harmless.
		 */
		OPT_LONG(s, CURLOPT_FRESH_CONNECT, 1L);
		OPT_LONG(s, CURLOPT_POST, 1L);
		OPT_STR(s, CURLOPT_POSTFIELDS, hp->post);
		OPT_OFF(s, CURLOPT_POSTFIELDSIZE_LARGE, strlen(hp->post));
	}
	if (hp->creds) {
		enum http_err e = http_set_auth(s, o, err, errlen);
		if (e != HTTP_OK)
			return e;
	}
	return optset_result(s, err, errlen);
}

/*
 * One hop: HTTP_OK with *status and, for a redirect, *next (the absolute
 * target, malloc'd); the handle is reset afterwards (it pointed at x, cerr
 * and the password), its connections kept.
 */
static enum http_err perform_hop(const struct curl_fns *f, CURL *c,
				 const struct http_opts *o,
				 const struct hop *hp, struct xfer *x,
				 long *status, char **next, char *err,
				 size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct optset s = { .f = f, .c = c, .rc = CURLE_OK };
	xfer_clear(x);
	enum http_err e = set_options(&s, o, hp, x, cerr, err, errlen);
	CURLcode rc = e == HTTP_OK ? f->easy_perform(c) : CURLE_OK;
	long nconn = 0;
	if (e == HTTP_OK &&
	    f->easy_getinfo(c, CURLINFO_NUM_CONNECTS, &nconn) == CURLE_OK &&
	    nconn > 0) {
		pthread_mutex_lock(&g_mu);
		g_connects += (unsigned long)nconn;
		pthread_mutex_unlock(&g_mu);
	}
	if (e == HTTP_OK && rc != CURLE_OK)
		e = http_map_error(f, c, rc, x, o, hp->url, cerr, err, errlen);
	if (e == HTTP_OK) {
		char *loc = NULL, *ct = NULL;
		f->easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		if (*status >= 300 && *status < 400 && *status != 304 &&
		    f->easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
		    loc && !(*next = strdup(loc))) {
			errbuf_printf(err, errlen, "out of memory");
			e = HTTP_E_OTHER;
		}
		if (!x->content_type &&
		    f->easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
			x->content_type = strdup(ct);
	}
	f->easy_reset(c);
	return e;
}

/*
 * The hop after hp's answer redirected to next (hop number n + 1): checked
 * like the URL asked for; o's credentials only when next is their origin
 * (cred_url), otherwise followed without them; a POST stays a POST only
 * for 307 and 308, as in libcurl and browsers.
 */
static enum http_err follow(const struct http_opts *o, const char *cred_url,
			    struct hop *hp, int n, long status,
			    const char *next, const struct xfer *x, char *err,
			    size_t errlen)
{
	char why[512];
	if (n >= HTTP_MAX_REDIRECTS) {
		errbuf_printf(err, errlen,
			      "broken answer from '%s': more than %d redirects",
			      hp->url, HTTP_MAX_REDIRECTS);
		return HTTP_E_PROTOCOL;
	}
	if (http_check_url(o, next, why, sizeof(why)) != HTTP_OK) {
		errbuf_printf(err, errlen,
			      "'%s' redirects to '%s', which is refused: %s",
			      hp->url, next, why);
		return HTTP_E_URL;
	}
	hp->creds = o->auth != AUTH_NONE && http_same_origin(next, cred_url);
	if (o->auth != AUTH_NONE && !hp->creds && x->trace) {
		char line[512];
		snprintf(line, sizeof(line),
			 "redirected to '%s', another server than '%s': credentials not sent",
			 next, cred_url);
		x->trace(x->trace_ud, line);
	}
	if (status != 307 && status != 308)
		hp->post = NULL;
	return HTTP_OK;
}

static void xfer_init(struct xfer *x, const struct http_opts *o,
		      const struct hooks *h, const char *url, const char *post)
{
	char host[128];
	memset(x, 0, sizeof(*x));
	x->o = o;
	x->h = h;
	x->cap = o->body_cap ? o->body_cap : HTTP_DEFAULT_BODY_CAP;
	http_url_host(url, host, sizeof(host));
	snprintf(x->what, sizeof(x->what), "%s %s",
		 post ? "sending to" : "fetching from", host);
	pthread_mutex_lock(&g_mu);
	x->trace = g_trace;
	x->trace_ud = g_trace_ud;
	pthread_mutex_unlock(&g_mu);
}

/* The last hop's answer into r (e: how the transfer ended). */
static enum http_err hand_over(enum http_err e, struct xfer *x,
			       struct http_response *r, char *err,
			       size_t errlen)
{
	if (e == HTTP_OK && !x->body && !(x->body = calloc(1, 1))) {
		errbuf_printf(err, errlen, "out of memory");
		e = HTTP_E_OTHER;
	}
	if (e != HTTP_OK) {
		r->status = 0;
		return e;
	}
	r->content_type = x->content_type;
	r->www_authenticate = x->www_auth;
	r->body = x->body;
	r->body_len = x->len;
	x->content_type = x->www_auth = NULL;
	x->body = NULL;
	hooks_progress(x->h, x->what, 1.0);
	return HTTP_OK;
}

static enum http_err request(const struct http_opts *o, const char *url,
			     const char *post, const struct hooks *h,
			     struct http_response *r, char *err, size_t errlen)
{
	struct xfer x;
	char origin[300];
	const char *cred_url = o->cred_url ? o->cred_url : url;
	enum http_err e;
	const struct curl_fns *f;
	CURL *c;

	memset(r, 0, sizeof(*r));
	if (err && errlen)
		err[0] = '\0';
	e = http_check_url(o, url, err, errlen);
	if (e != HTTP_OK)
		return e;
	if (o->auth != AUTH_NONE && !http_same_origin(url, cred_url)) {
		errbuf_printf(err, errlen,
			      "the credentials for '%s' are not sent to '%s': "
			      "another server (scheme, host and port differ)",
			      cred_url, url);
		return HTTP_E_URL;
	}
	if (hooks_cancelled(h)) {
		errbuf_printf(err, errlen, "cancelled before contacting '%s'", url);
		return HTTP_E_CANCELLED;
	}
	f = http_curl_ready(err, errlen);
	if (!f)
		return HTTP_E_OTHER;
	origin_key(url, origin, sizeof(origin));
	c = take_handle(f, origin);
	if (!c) {
		errbuf_printf(err, errlen, "cannot create a libcurl handle (out of memory?)");
		return HTTP_E_OTHER;
	}

	xfer_init(&x, o, h, url, post);
	struct hop hp = { .url = url, .post = post, .creds = o->auth != AUTH_NONE };
	char *target = NULL;   /* hp.url after a redirect */
	hooks_progress(h, x.what, -1.0);
	for (int n = 0;; n++) {
		char *next = NULL;
		e = perform_hop(f, c, o, &hp, &x, &r->status, &next, err, errlen);
		if (e == HTTP_OK && next)
			e = follow(o, cred_url, &hp, n, r->status, next, &x, err,
				   errlen);
		if (!next || e != HTTP_OK) {
			free(next);
			break;
		}
		free(target);
		hp.url = target = next;
	}
	e = hand_over(e, &x, r, err, errlen);
	origin_key(hp.url, origin, sizeof(origin));
	give_back(f, c, origin);
	free(target);
	xfer_clear(&x);
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
