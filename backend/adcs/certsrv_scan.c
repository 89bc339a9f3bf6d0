/*
 * certsrv_scan.c - the two small scanners of certsrv_pages.h that read no
 * answer page: the schemes a 401's WWW-Authenticate value(s) offer, and
 * certcarc.asp's "var nRenewals=N;".  Bounded, no allocation, NUL-safe.
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
