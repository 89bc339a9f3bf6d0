/*
 * mtls_http.c - the HTTP/1.1 text of the mutual-TLS exchange (mtls_http.h):
 * the one request we send, and the answer parsed as it arrives
 * (Content-Length, chunked, or read to close).
 */
#include "mgmt/mtls_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void mtls_response_release(struct mtls_response *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->peer_subject);
	memset(r, 0, sizeof(*r));
}

int mtls_request_text(const char *host, int port, const char *method,
		      const char *path, const char *form_body, char **out)
{
	/* An IPv6 literal goes in brackets in the Host header. */
	const char *open = strchr(host, ':') ? "[" : "";
	const char *close = *open ? "]" : "";
	char form_headers[128] = "";
	if (form_body)
		snprintf(form_headers, sizeof(form_headers),
			 "Content-Type: application/x-www-form-urlencoded\r\n"
			 "Content-Length: %zu\r\n", strlen(form_body));
	int n = asprintf(out,
			 "%s %s HTTP/1.1\r\nHost: %s%s%s:%d\r\n"
			 "User-Agent: opsmgr-enroll\r\n"
			 "Accept: application/json\r\n"
			 "%sConnection: close\r\n\r\n%s",
			 method, path, open, host, close, port,
			 form_headers, form_body ? form_body : "");
	if (n < 0)
		*out = NULL;
	return n;
}

static const char *find_header_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n')
			return buf + i + 4;
	return NULL;
}

/* Value of header `name` within the header block, copied into out. */
static int header_value(const char *hdr, size_t hlen, const char *name,
			char *out, size_t outlen)
{
	size_t nl = strlen(name);
	const char *p = hdr, *end = hdr + hlen;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			const char *v = p + nl + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = eol;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
				ve--;
			size_t n = (size_t)(ve - v);
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 0;
		}
		p = eol + 1;
	}
	return -1;
}

/* Decode a chunked body in place; returns the new length or -1. */
static long dechunk(char *b, size_t len, int *complete)
{
	size_t in = 0, out = 0;
	*complete = 0;
	for (;;) {
		size_t s = in;
		while (in < len && b[in] != '\n')
			in++;
		if (in >= len)
			return (long)out;     /* incomplete */
		char *ep = NULL;
		unsigned long n = strtoul(b + s, &ep, 16);
		if (ep == b + s)
			return -1;
		in++;
		if (n == 0) {
			*complete = 1;
			return (long)out;
		}
		if (n > len - in)
			return (long)out;     /* incomplete */
		memmove(b + out, b + in, n);
		out += n;
		in += n;
		if (in + 2 <= len && b[in] == '\r' && b[in + 1] == '\n')
			in += 2;
		else if (in < len && b[in] == '\n')
			in += 1;
		else if (in >= len)
			return (long)out;
		else
			return -1;
	}
}

enum mtls_err mtls_parse_answer(char *buf, size_t len, int eof,
			        struct mtls_response *r, char *err,
			        size_t errlen, int *need_more)
{
	*need_more = 0;
	const char *body = find_header_end(buf, len);
	if (!body) {
		if (!eof) {
			*need_more = 1;
			return MTLS_OK;
		}
		snprintf(err, errlen, "the server's answer has no complete "
				      "HTTP header");
		return MTLS_E_PROTOCOL;
	}
	int status = 0;
	if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1 || status < 100 ||
	    status > 999) {
		snprintf(err, errlen, "the server's answer is not HTTP");
		return MTLS_E_PROTOCOL;
	}
	size_t hlen = (size_t)(body - buf);
	size_t blen = len - hlen;
	char v[64];
	char *bcopy;
	if (header_value(buf, hlen, "Transfer-Encoding", v, sizeof(v)) == 0 &&
	    strcasestr(v, "chunked")) {
		bcopy = malloc(blen + 1);
		if (!bcopy)
			return MTLS_E_PROTOCOL;
		memcpy(bcopy, body, blen);
		int complete = 0;
		long n = dechunk(bcopy, blen, &complete);
		if (n < 0) {
			free(bcopy);
			snprintf(err, errlen, "malformed chunked answer");
			return MTLS_E_PROTOCOL;
		}
		if (!complete && !eof) {
			free(bcopy);
			*need_more = 1;
			return MTLS_OK;
		}
		blen = (size_t)n;
	} else {
		if (header_value(buf, hlen, "Content-Length", v, sizeof(v)) ==
		    0) {
			char *ep = NULL;
			unsigned long cl = strtoul(v, &ep, 10);
			if (ep == v || *ep) {
				snprintf(err, errlen, "invalid Content-Length "
						      "'%s'", v);
				return MTLS_E_PROTOCOL;
			}
			if (blen < cl) {
				if (!eof) {
					*need_more = 1;
					return MTLS_OK;
				}
				snprintf(err, errlen,
					 "the answer was cut short (%zu of %lu "
					 "bytes)", blen, cl);
				return MTLS_E_PROTOCOL;
			}
			blen = cl;
		} else if (!eof) {
			*need_more = 1;
			return MTLS_OK;
		}
		bcopy = malloc(blen + 1);
		if (!bcopy)
			return MTLS_E_PROTOCOL;
		memcpy(bcopy, body, blen);
	}
	bcopy[blen] = '\0';
	r->status = status;
	r->body = bcopy;
	r->body_len = blen;
	return MTLS_OK;
}

