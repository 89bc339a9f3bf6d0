/*
 * http_url.c - the URLs of the libcurl wrapper (http_int.h): what may be
 * fetched (https, or http when allowed; a host; no credentials in the
 * URL), the origin that picks a pooled handle, the host named in progress
 * lines, and form encoding (http_urlencode, http.h).
 */
#include "sys/http_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/errbuf.h"

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

/* The scheme://host[:port] part of url, for progress lines. */
void http_url_host(const char *url, char *out, size_t outlen)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, "/?#");
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Lower-case scheme://host:port of url, the key for picking a handle. */
void http_url_origin(const char *url, char *out, size_t outlen)
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

int http_scheme_is(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);
	return strncasecmp(url, scheme, n) == 0 && strncmp(url + n, "://", 3) == 0;
}

enum http_err http_check_url(const struct http_opts *o, const char *url,
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
	if (http_scheme_is(url, "http")) {
		if (!o->allow_http) {
			errbuf_printf(err, errlen,
			              "'%s' uses plain http, which sends the request and "
			              "credentials unencrypted; use https:// (or set "
			              "allow_insecure_http = yes on a test bench)",
			              url);
			return HTTP_E_URL;
		}
	} else if (!http_scheme_is(url, "https")) {
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
