/*
 * http_url.c - the URLs of the libcurl wrapper (http_int.h): what may be
 * fetched (rule_url and rule_plain_http of core/validate.h: https, or http
 * when allowed; a host; no credentials in the URL), the origin that picks a pooled handle, the host named in progress
 * lines, and form encoding (http_urlencode, http.h).
 */
#include "sys/http_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errbuf.h"
#include "core/validate.h"

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

enum http_err http_check_url(const struct http_opts *o, const char *url,
			     char *err, size_t errlen)
{
	struct verdict v;
	if (rule_plain_http(url, o->allow_http, &v) == SEV_FAIL) {
		errbuf_printf(err, errlen, "%s", v.msg);
		return HTTP_E_URL;
	}
	return HTTP_OK;
}
