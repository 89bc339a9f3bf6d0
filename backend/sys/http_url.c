/*
 * http_url.c - the URLs of the libcurl wrapper (http_int.h): what may be
 * fetched (rule_url and rule_plain_http of core/validate.h: https, or http
 * when allowed; a host; no credentials in the URL), the origin of a URL
 * (http_url_origin, http_same_origin: the one "same server" comparison,
 * for credentials and the pool of handles), the host named in progress
 * lines, and form encoding (http_urlencode, http.h).
 */
#include "sys/http_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/errbuf.h"
#include "core/text.h"
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

/* Lower-case scheme ("http" or "https") of url into out, and the rest after "://". */
static const char *origin_scheme(const char *url, struct http_origin *out,
				 char *err, size_t errlen)
{
	static const char *const known[] = { "https", "http" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t n = strlen(known[i]);
		if (strncasecmp(url, known[i], n) == 0 &&
		    strncmp(url + n, "://", 3) == 0) {
			memcpy(out->scheme, known[i], n + 1);
			out->port = i == 0 ? 443 : 80;
			return url + n + 3;
		}
	}
	errbuf_printf(err, errlen, "'%s' is not an http:// or https:// URL", url);
	return NULL;
}

/* The port text p[0..n) (digits, leading zeros allowed), or the default. */
static int origin_port(const char *p, size_t n, struct http_origin *out)
{
	long v = 0;
	if (n == 0)
		return 0;   /* "host:" keeps the scheme's default */
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
		if (v > 65535)
			return -1;
	}
	if (v == 0)
		return -1;
	out->port = (int)v;
	return 0;
}

/* Percent-decode, lower-case (ASCII) and check a host name. */
static int origin_name(const char *p, size_t n, struct http_origin *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '%') {
			int hi = i + 2 < n ? text_hex_digit((unsigned char)p[i + 1]) : -1;
			int lo = hi >= 0 ? text_hex_digit((unsigned char)p[i + 2]) : -1;
			if (lo < 0)
				return -1;
			ch = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		/* letters, digits, '-', '_', '.' and the bytes of an IDN
		 * (compared as written: another spelling is another name) */
		if (!((ch < 0x80 && isalnum(ch)) || ch == '-' || ch == '_' || ch == '.' ||
		      ch >= 0x80) || o + 1 >= sizeof(out->host))
			return -1;
		if (ch == '.' && (o == 0 || out->host[o - 1] == '.'))
			return -1;   /* empty label */
		out->host[o++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	out->host[o] = '\0';
	return o ? 0 : -1;
}

/* "[v6]" p[0..n): the address in its canonical text. */
static int origin_v6(const char *p, size_t n, struct http_origin *out)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char a[16];
	if (n < 3 || n - 2 >= sizeof(buf))
		return -1;
	memcpy(buf, p + 1, n - 2);
	buf[n - 2] = '\0';
	if (inet_pton(AF_INET6, buf, a) != 1)
		return -1;
	inet_ntop(AF_INET6, a, out->host, sizeof(out->host));
	return 0;
}

int http_url_origin(const char *url, struct http_origin *out, char *err,
		    size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!url) {
		errbuf_printf(err, errlen, "no URL");
		return -1;
	}
	const char *a = origin_scheme(url, out, err, errlen);
	if (!a)
		return -1;
	size_t alen = strcspn(a, "/?#");
	const char *bad = NULL;
	for (size_t i = 0; i < alen && !bad; i++)
		if (a[i] == '@' || a[i] == '\\' || (unsigned char)a[i] <= ' ' ||
		    a[i] == 0x7f)
			bad = a + i;
	if (bad) {
		errbuf_printf(err, errlen,
			      "the server part of '%s' contains '%s' (0x%02x), which hides the host",
			      url, *bad == '@' ? "@" : *bad == '\\' ? "\\" : "a control character",
			      (unsigned char)*bad);
		return -1;
	}
	const char *hend = a + alen;
	int r;
	if (alen && *a == '[') {
		const char *rb = memchr(a, ']', alen);
		hend = rb ? rb + 1 : a + alen;
		r = rb ? origin_v6(a, (size_t)(hend - a), out) : -1;
	} else {
		const char *colon = memchr(a, ':', alen);
		hend = colon ? colon : a + alen;
		r = origin_name(a, (size_t)(hend - a), out);
	}
	if (r != 0) {
		errbuf_printf(err, errlen, "'%s' has no usable host name", url);
		return -1;
	}
	if (hend < a + alen && (*hend != ':' ||
				origin_port(hend + 1, (size_t)(a + alen - hend - 1), out) != 0)) {
		errbuf_printf(err, errlen, "'%s' has no usable port (1 to 65535)", url);
		return -1;
	}
	return 0;
}

bool http_same_origin(const char *a, const char *b)
{
	struct http_origin oa, ob;
	char err[8];
	return http_url_origin(a, &oa, err, sizeof(err)) == 0 &&
	       http_url_origin(b, &ob, err, sizeof(err)) == 0 &&
	       strcmp(oa.scheme, ob.scheme) == 0 &&
	       strcmp(oa.host, ob.host) == 0 && oa.port == ob.port;
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
