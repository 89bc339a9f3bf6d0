/*
 * http_int.h - what the files of the libcurl wrapper share among
 * themselves (http.c: handles, pool and transfer; http_url.c: URL checks;
 * http_auth.c: authentication and trust options; http_err.c: libcurl
 * errors as enum http_err).  Not for callers of http.h.
 */
#ifndef OPSMGR_HTTP_INT_H
#define OPSMGR_HTTP_INT_H

#include <curl/curl.h>

#include "sys/curl_dl.h"
#include "sys/http.h"

/* One transfer in progress (http.c's callbacks write here). */
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

/* The timeouts a transfer runs with: o's, or the defaults where unset. */
static inline int http_connect_timeout(const struct http_opts *o)
{
	return o->connect_timeout_s > 0 ? o->connect_timeout_s
					: HTTP_CONNECT_TIMEOUT;
}

static inline int http_total_timeout(const struct http_opts *o)
{
	return o->timeout_s > 0 ? o->timeout_s : CONFIG_DEFAULT_CA_TIMEOUT;
}

/*
 * The options being set on one handle.  Every curl_easy_setopt goes
 * through OPT_*: its result is checked, and the first refusal is kept
 * with the option's name for optset_result().  (The table's function is
 * variadic: the macros also give each value its type.)
 */
struct optset {
	const struct curl_fns *f;
	CURL *c;
	CURLcode rc;            /* the first refusal, CURLE_OK while none */
	const char *failed;     /* its option, "CURLOPT_..." */
};

static inline void optset_note(struct optset *s, CURLcode rc,
			       const char *name)
{
	if (rc != CURLE_OK && s->rc == CURLE_OK) {
		s->rc = rc;
		s->failed = name;
	}
}

#define OPT_SET(s, o, v) \
	optset_note((s), (s)->f->easy_setopt((s)->c, (o), (v)), #o)
#define OPT_LONG(s, o, v) OPT_SET(s, o, (long)(v))
#define OPT_STR(s, o, v) OPT_SET(s, o, (const char *)(v))
#define OPT_PTR(s, o, v) OPT_SET(s, o, (void *)(v))
#define OPT_OFF(s, o, v) OPT_SET(s, o, (curl_off_t)(v))

/* http.c: HTTP_OK, or HTTP_E_OTHER with err naming the option libcurl
 * refused and why (never ignored: a refused protocol restriction would
 * otherwise silently not apply). */
enum http_err optset_result(const struct optset *s, char *err,
			    size_t errlen);

/* http.c: libcurl loaded and curl_global_init() done, or NULL with err. */
const struct curl_fns *http_curl_ready(char *err, size_t errlen);

/* http_url.c */
/* The host[:port] part of url, for progress lines. */
void http_url_host(const char *url, char *out, size_t outlen);
/* Refuse what rule_plain_http (core/validate.h) refuses, with its
 * message: a URL that is not https:// (or allowed http://) with a host and
 * without credentials in it. */
enum http_err http_check_url(const struct http_opts *o, const char *url,
			     char *err, size_t errlen);

/* http_auth.c */
/* The credentials of o on the handle (only for a URL of their origin:
 * http.c decides). */
enum http_err http_set_auth(struct optset *s, const struct http_opts *o,
			    char *err, size_t errlen);
void http_set_trust(struct optset *s, const struct http_opts *o);
/* Where verification looked, for TLS messages. */
void http_trust_desc(const struct http_opts *o, char *out, size_t outlen);
/* Unload the OpenSSL providers NTLM loaded (http_global_cleanup). */
void http_providers_unload(void);

/* http_err.c: a failed easy_perform as enum http_err, message into err. */
enum http_err http_map_error(const struct curl_fns *f, CURL *c, CURLcode rc,
			     const struct xfer *x, const struct http_opts *o,
			     const char *url, const char *cerr, char *err,
			     size_t errlen);

#endif
