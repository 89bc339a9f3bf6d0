/*
 * certsrv_scan.c - the small scanners of certsrv_pages.h that read no
 * answer page: whether a body is a certificate, the schemes a 401's
 * WWW-Authenticate value(s) offer, certcarc.asp's "var nRenewals=N;",
 * and a kind's name.  Bounded, no allocation, NUL-safe.
 */
#include "adcs/certsrv_pages.h"
#include "adcs/certsrv_html.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

unsigned certsrv_classify_401(const char *www, size_t len, char *names,
			      size_t nameslen)
{
	unsigned bits = 0;
	struct tbuf t;
	char tmp[64];
	tb_init(&t, names, nameslen);
	if (!www)
		len = 0;
	const char *p = www, *end = www ? www + len : NULL;
	int at_start = 1;
	while (p && p < end) {
		unsigned char c = (unsigned char)*p;
		if (c == '"') {
			/* skip a quoted string */
			p++;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end)
					p++;
				p++;
			}
			if (p < end)
				p++;
			at_start = 0;
			continue;
		}
		if (c == ',' || c == ';') {
			at_start = 1;
			p++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0') {
			p++;
			continue;
		}
		const char *s = p;
		while (p < end && (isalnum((unsigned char)*p) || *p == '-' ||
				   *p == '_' || *p == '.'))
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0) {
			p++;
			at_start = 0;
			continue;
		}
		const char *q = p;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		int is_param = q < end && *q == '=';
		if (at_start && !is_param) {
			unsigned bit;
			const char *name;
			if (n == 5 && strncasecmp(s, "Basic", 5) == 0) {
				bit = CERTSRV_SCHEME_BASIC;
				name = "Basic";
			} else if (n == 4 && strncasecmp(s, "NTLM", 4) == 0) {
				bit = CERTSRV_SCHEME_NTLM;
				name = "NTLM";
			} else if (n == 9 && strncasecmp(s, "Negotiate", 9) == 0) {
				bit = CERTSRV_SCHEME_NEGOTIATE;
				name = "Negotiate";
			} else if (n == 6 && strncasecmp(s, "Digest", 6) == 0) {
				bit = CERTSRV_SCHEME_DIGEST;
				name = "Digest";
			} else {
				bit = CERTSRV_SCHEME_OTHER;
				if (n >= sizeof(tmp))
					n = sizeof(tmp) - 1;
				memcpy(tmp, s, n);
				tmp[n] = '\0';
				name = tmp;
			}
			if (!(bits & bit) || bit == CERTSRV_SCHEME_OTHER) {
				if (t.n)
					tb_put(&t, ",", 1), tb_ws(&t);
				tb_put(&t, name, strlen(name));
			}
			bits |= bit;
		}
		at_start = 0;
		/* a token68 or params follow until the next ',' */
	}
	if (nameslen && t.n == 0)
		snprintf(names, nameslen, "none");
	return bits;
}

long certsrv_parse_renewals(const char *page, size_t len)
{
	if (!page)
		return -1;
	const char *end = page + len, *p = page;
	while (p < end) {
		const char *f = find_ci(p, (size_t)(end - p), "nRenewals");
		if (!f)
			return -1;
		const char *q = f + 9;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && *q == '=') {
			q++;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			int nd;
			long v = parse_digits(q, end, &nd);
			if (nd > 0 && nd <= 6)
				return v;
		}
		p = f + 9;
	}
	return -1;
}

int certsrv_looks_like_cert(const char *content_type, const char *body,
			    size_t len)
{
	int allow_der = !(content_type &&
			  find_ci(content_type, strlen(content_type), "html"));
	const char *end = body + len, *p = body;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (starts_ci(p, end, "-----BEGIN CERTIFICATE-----") ||
	    starts_ci(p, end, "-----BEGIN X509 CERTIFICATE-----") ||
	    starts_ci(p, end, "-----BEGIN PKCS7-----"))
		return 1;
	return allow_der && len >= 2 && (unsigned char)body[0] == 0x30 &&
	       ((unsigned char)body[1] & 0x80);
}

const char *certsrv_kind_name(enum certsrv_kind k)
{
	switch (k) {
	case CERTSRV_UNEXPECTED: return "unexpected page";
	case CERTSRV_ISSUED: return "issued";
	case CERTSRV_PENDING: return "pending";
	case CERTSRV_DENIED: return "denied";
	case CERTSRV_UNKNOWN_TEMPLATE: return "unknown template";
	case CERTSRV_BAD_REQUEST: return "error parsing request";
	case CERTSRV_NO_SUCH_REQUEST: return "no such request";
	case CERTSRV_CA_ERROR: return "CA error";
	case CERTSRV_CERT: return "certificate";
	case CERTSRV_AUTH: return "authentication required";
	}
	return "unknown";
}
