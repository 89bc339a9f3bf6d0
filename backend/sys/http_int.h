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

/* Typed curl_easy_setopt (the table's function is variadic and unchecked). */
static inline void opt_long(const struct curl_fns *f, CURL *c, CURLoption o, long v)
{
	f->easy_setopt(c, o, v);
}

static inline void opt_str(const struct curl_fns *f, CURL *c, CURLoption o,
		    const char *v)
{
	f->easy_setopt(c, o, v);
}

static inline void opt_ptr(const struct curl_fns *f, CURL *c, CURLoption o, void *v)
{
	f->easy_setopt(c, o, v);
}

static inline void opt_off(const struct curl_fns *f, CURL *c, CURLoption o,
		    curl_off_t v)
{
	f->easy_setopt(c, o, v);
}

/* http.c: libcurl loaded and curl_global_init() done, or NULL with err. */
const struct curl_fns *http_curl_ready(char *err, size_t errlen);

/* http_url.c */
/* The host[:port] part of url, for progress lines. */
void http_url_host(const char *url, char *out, size_t outlen);
/* Lower-case scheme://host:port of url, the key for picking a handle. */
void http_url_origin(const char *url, char *out, size_t outlen);
/* Refuse what rule_plain_http (core/validate.h) refuses, with its
 * message: a URL that is not https:// (or allowed http://) with a host and
 * without credentials in it. */
enum http_err http_check_url(const struct http_opts *o, const char *url,
			     char *err, size_t errlen);

/* http_auth.c */
enum http_err http_set_auth(const struct curl_fns *f, CURL *c,
			    const struct http_opts *o, char *err, size_t errlen);
void http_set_trust(const struct curl_fns *f, CURL *c,
		    const struct http_opts *o);
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
