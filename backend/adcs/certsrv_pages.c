/*
 * certsrv_pages.c - the page classifiers of certsrv_pages.h: what the CA
 * answered (issued, pending with its ID, denied with the disposition,
 * unknown template, ...) read from the bytes of a certsrv page.
 *
 * The classifiers never read past len, never allocate, and treat NUL bytes
 * like any other byte: they are fuzz targets.
 */
#include "adcs/certsrv_pages.h"
#include "core/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* bounded text helpers                                                */

static int lc(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Case-insensitive search of needle (C string) in h[0..hl). */
static const char *find_ci(const char *h, size_t hl, const char *needle)
{
	size_t nl = strlen(needle);
	if (!h || nl == 0 || hl < nl)
		return NULL;
	int f0 = lc((unsigned char)needle[0]);
	int f1 = (f0 >= 'a' && f0 <= 'z') ? f0 - 32 : f0;
	for (size_t i = 0; i + nl <= hl; i++) {
		if (h[i] != (char)f0 && h[i] != (char)f1)
			continue;
		size_t j = 1;
		while (j < nl && lc((unsigned char)h[i + j]) ==
					 lc((unsigned char)needle[j]))
			j++;
		if (j == nl)
			return h + i;
	}
	return NULL;
}

static int starts_ci(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lc((unsigned char)p[i]) != lc((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Digits at p (bounded); returns the value (capped) and sets *ndig. */
static long parse_digits(const char *p, const char *end, int *ndig)
{
	long v = 0;
	int n = 0;
	while (p < end && *p >= '0' && *p <= '9') {
		if (v < 100000000000L)
			v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	*ndig = n;
	return v;
}

/* Output buffer with white-space collapsing. */
struct tbuf {
	char *out;
	size_t cap, n;
	int space;      /* a space is owed before the next visible char */
	int full;
};

static void tb_init(struct tbuf *t, char *out, size_t cap)
{
	t->out = out;
	t->cap = cap;
	t->n = 0;
	t->space = 0;
	t->full = cap == 0;
	if (cap)
		out[0] = '\0';
}

static void tb_ws(struct tbuf *t)
{
	if (t->n)
		t->space = 1;
}

static void tb_put(struct tbuf *t, const char *s, size_t n)
{
	if (t->full)
		return;
	size_t need = n + (t->space ? 1 : 0);
	if (t->n + need + 1 > t->cap) {
		t->full = 1;
		return;
	}
	if (t->space)
		t->out[t->n++] = ' ';
	t->space = 0;
	memcpy(t->out + t->n, s, n);
	t->n += n;
	t->out[t->n] = '\0';
}

/* Decode an entity at p ('&'); returns bytes consumed (0: not an entity). */
static size_t entity(const char *p, const char *end, struct tbuf *t)
{
	static const struct {
		const char *name;
		const char *text;
	} ents[] = {
		{"&nbsp;", " "}, {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"},
		{"&quot;", "\""}, {"&apos;", "'"}, {"&#39;", "'"},
	};
	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		if (starts_ci(p, end, ents[i].name)) {
			if (ents[i].text[0] == ' ')
				tb_ws(t);
			else
				tb_put(t, ents[i].text, 1);
			return strlen(ents[i].name);
		}
	}
	if (end - p >= 4 && p[1] == '#') {
		const char *q = p + 2;
		int nd;
		long v = parse_digits(q, end, &nd);
		if (nd > 0 && nd < 8 && q + nd < end && q[nd] == ';') {
			if (v >= 0x20 && v < 0x7f) {
				char c = (char)v;
				tb_put(t, &c, 1);
			} else if (v == 0xa0 || v == 9 || v == 10 || v == 13) {
				tb_ws(t);
			} else {
				tb_put(t, "?", 1);
			}
			return (size_t)(2 + nd + 1);
		}
	}
	return 0;
}

/* Skip past needle (case-insensitive) or to end. */
static const char *skip_past(const char *p, const char *end, const char *needle)
{
	const char *f = find_ci(p, (size_t)(end - p), needle);
	return f ? f + strlen(needle) : end;
}

/* Visible text of page[p..end) into t. */
static void html_text(const char *p, const char *end, struct tbuf *t)
{
	while (p < end && !t->full) {
		unsigned char c = (unsigned char)*p;
		if (c == '<') {
			if (starts_ci(p, end, "<!--")) {
				p = skip_past(p + 4, end, "-->");
			} else if (starts_ci(p, end, "<script")) {
				p = skip_past(p + 7, end, "</script");
				p = skip_past(p, end, ">");
			} else if (starts_ci(p, end, "<style")) {
				p = skip_past(p + 6, end, "</style");
				p = skip_past(p, end, ">");
			} else {
				const char *gt = memchr(p, '>', (size_t)(end - p));
				p = gt ? gt + 1 : end;
			}
			tb_ws(t);
			continue;
		}
		if (c == '&') {
			size_t n = entity(p, end, t);
			if (n) {
				p += n;
				continue;
			}
			tb_put(t, "&", 1);
			p++;
			continue;
		}
		if (c < 0x20 || c == 0x7f || c == ' ') {
			tb_ws(t);
			p++;
			continue;
		}
		size_t n = text_utf8_seq((const unsigned char *)p, (size_t)(end - p));
		if (n == 0) {
			tb_put(t, "?", 1);
			p++;
		} else {
			tb_put(t, p, n);
			p += n;
		}
	}
}

static void text_of(const char *p, const char *end, char *out, size_t outlen)
{
	struct tbuf t;
	tb_init(&t, out, outlen);
	if (p && end && p < end)
		html_text(p, end, &t);
}

/* ------------------------------------------------------------------ */
/* page features                                                       */

/* Title: the locPageTitle element's text, else <title>. */
static void page_title(const char *page, size_t len, char *out, size_t outlen)
{
	const char *end = page + len;
	const char *m = find_ci(page, len, "ID=locPageTitle");
	if (!m)
		m = find_ci(page, len, "id=\"locPageTitle\"");
	out[0] = '\0';
	if (m) {
		const char *gt = memchr(m, '>', (size_t)(end - m));
		if (gt) {
			const char *s = gt + 1;
			const char *stop = end;
			static const char *const stops[] = {"<!--", "<P", "</P",
							    "<Table", "<Form", "<DIV"};
			for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
				const char *f = find_ci(s, (size_t)(stop - s), stops[i]);
				if (f && f < stop)
					stop = f;
			}
			if (stop - s > 600)
				stop = s + 600;
			text_of(s, stop, out, outlen);
			if (out[0])
				return;
		}
	}
	m = find_ci(page, len, "<title");
	if (m) {
		const char *gt = memchr(m, '>', (size_t)(end - m));
		if (gt) {
			const char *s = gt + 1;
			const char *e = find_ci(s, (size_t)(end - s), "</title");
			if (!e || e - s > 600)
				e = (end - s > 600) ? s + 600 : end;
			text_of(s, e, out, outlen);
		}
	}
}

/* certnew.cer?ReqID=<digits>: the issued link. */
static long issued_link_id(const char *page, size_t len)
{
	const char *p = page, *end = page + len;
	static const char key[] = "certnew.cer?ReqID=";
	while (p < end) {
		const char *f = find_ci(p, (size_t)(end - p), key);
		if (!f)
			return 0;
		const char *d = f + sizeof(key) - 1;
		int nd;
		long v = parse_digits(d, end, &nd);
		if (nd > 0 && nd <= 10 && v > 0)
			return v;
		p = d;
	}
	return 0;
}

/* "Request Id is N" (*english = 1), else a ReqID field or parameter. */
static long text_request_id(const char *page, size_t len, int *english)
{
	const char *end = page + len;
	const char *f = find_ci(page, len, "Request Id is");
	int nd;
	*english = f != NULL;
	if (f) {
		const char *p = f + 13;
		while (p < end && (*p == ' ' || *p == '\t' || *p == ':'))
			p++;
		long v = parse_digits(p, end, &nd);
		return (nd > 0 && nd <= 10) ? v : 0;
	}
	/* A page in another language: a ReqID form field or link parameter
	 * ("ReqID=12", Name=ReqID Value="12"), never the CACert link. */
	for (const char *p = page; p < end;) {
		f = find_ci(p, (size_t)(end - p), "ReqID");
		if (!f)
			break;
		const char *q = f + 5;
		for (int i = 0; i < 16 && q < end && strchr("=\"' \tVvAaLlUuEe", *q) && *q;
		     i++)
			q++;
		long v = parse_digits(q, end, &nd);
		if (nd > 0 && nd <= 10 && v > 0)
			return v;
		p = f + 5;
	}
	return 0;
}

/* The disposition message: 'The disposition message is "..."' or the
 * advanced-info row 'Disposition message: ... </DD>'. */
static void disposition(const char *page, size_t len, char *out, size_t outlen)
{
	const char *end = page + len;
	static const char k1[] = "disposition message is \"";
	const char *f = find_ci(page, len, k1);
	out[0] = '\0';
	if (f) {
		const char *s = f + sizeof(k1) - 1;
		const char *q = memchr(s, '"', (size_t)(end - s));
		if (!q || q - s > 800)
			q = (end - s > 800) ? s + 800 : end;
		text_of(s, q, out, outlen);
	} else if (!find_ci(page, len, "Disposition message:") &&
		   (f = find_ci(page, len, "ID=locDispMsg>")) != NULL) {
		/* another language: the quoted text inside the locDispMsg
		 * element */
		const char *s = f + 14;
		const char *e = find_ci(s, (size_t)(end - s), "</LocID");
		if (!e || e - s > 1000)
			e = (end - s > 1000) ? s + 1000 : end;
		const char *q1 = memchr(s, '"', (size_t)(e - s));
		const char *q2 = NULL;
		for (const char *x = e; q1 && x > q1 + 1; x--)
			if (x[-1] == '"') {
				q2 = x - 1;
				break;
			}
		if (q1 && q2)
			text_of(q1 + 1, q2, out, outlen);
		else
			text_of(s, e, out, outlen);
	} else {
		static const char k2[] = "Disposition message:";
		f = find_ci(page, len, k2);
		if (!f)
			return;
		const char *s = f + sizeof(k2) - 1;
		const char *stop = end;
		const char *a = find_ci(s, (size_t)(end - s), "</DD");
		const char *b = find_ci(s, (size_t)(end - s), "<DT");
		if (a && a < stop)
			stop = a;
		if (b && b < stop)
			stop = b;
		if (stop - s > 800)
			stop = s + 800;
		text_of(s, stop, out, outlen);
	}
	/* trim trailing white space, and the '.' AD CS leaves before the quote */
	size_t n = strlen(out);
	while (n && (out[n - 1] == ' ' || out[n - 1] == '.'))
		out[--n] = '\0';
}

/* The page's own words: title, then the text after the title element. */
static void page_excerpt(const char *page, size_t len, const char *title,
			 char *out, size_t outlen)
{
	const char *end = page + len;
	const char *m = find_ci(page, len, "locPageTitle");
	struct tbuf t;
	tb_init(&t, out, outlen);
	if (m && title[0]) {
		tb_put(&t, title, strlen(title));
		tb_put(&t, ":", 1);
		tb_ws(&t);
		const char *gt = memchr(m, '>', (size_t)(end - m));
		const char *s = gt ? gt + 1 : end;
		/* skip the title text itself */
		const char *b = find_ci(s, (size_t)(end - s), "</B>");
		if (b && b - s < 600)
			s = b + 4;
		html_text(s, end, &t);
	} else {
		html_text(page, end, &t);
	}
	/* cut back to a UTF-8 boundary is implicit: tb_put copies whole
	 * sequences only */
}

static int in_either(const char *a, const char *page, size_t len,
		     const char *needle)
{
	return find_ci(a, strlen(a), needle) || find_ci(page, len, needle);
}

static int unknown_template(const char *disp, const char *page, size_t len)
{
	return in_either(disp, page, len, "CERTSRV_E_UNSUPPORTED_CERT_TYPE") ||
	       in_either(disp, page, len, "0x80094800") ||
	       in_either(disp, page, len, "template that is not supported") ||
	       /* no template at all (empty or unreadable CertAttrib) */
	       in_either(disp, page, len, "CERTSRV_E_NO_CERT_TYPE") ||
	       in_either(disp, page, len, "0x80094801");
}

static int bad_request(const char *disp, const char *page, size_t len)
{
	return in_either(disp, page, len, "Error Parsing Request") ||
	       in_either(disp, page, len, "CERTSRV_E_BAD_REQUEST") ||
	       in_either(disp, page, len, "0x80093102");
}

static int no_such_request(const char *disp, const char *page, size_t len)
{
	return in_either(disp, page, len, "requested property value is empty") ||
	       in_either(disp, page, len, "CERTSRV_E_PROPERTY_EMPTY") ||
	       in_either(disp, page, len, "0x80094004");
}

static int is_denied(const char *title, const char *disp, const char *page,
		     size_t len)
{
	return (strncasecmp(disp, "Denied", 6) == 0) ||
	       find_ci(disp, strlen(disp), "Denied by") ||
	       find_ci(title, strlen(title), "Request Denied") ||
	       find_ci(page, len, "ID=locDenied");
}

static int is_pending(const char *title, const char *disp, const char *page,
		      size_t len)
{
	return find_ci(title, strlen(title), "Pending") ||
	       find_ci(disp, strlen(disp), "Taken Under Submission") ||
	       find_ci(page, len, "Taken Under Submission") ||
	       find_ci(page, len, "ID=locPendInfo") ||
	       find_ci(page, len, "Certificate Pending");
}

static void answer_init(struct certsrv_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = CERTSRV_UNEXPECTED;
}

/* What every answer page has: title, visible text, the CA's disposition
 * message and any request ID in the prose.  Returns whether that ID came
 * from the English sentence ("Request Id is N"). */
static int read_page(const char *page, size_t len, struct certsrv_answer *a)
{
	int english;
	page_title(page, len, a->title, sizeof(a->title));
	page_excerpt(page, len, a->title, a->excerpt, sizeof(a->excerpt));
	disposition(page, len, a->disposition, sizeof(a->disposition));
	a->request_id = text_request_id(page, len, &english);
	return english;
}

void certsrv_classify_submit(const char *page, size_t len,
			     struct certsrv_answer *a)
{
	answer_init(a);
	if (!page)
		len = 0;
	if (!page || len == 0) {
		snprintf(a->excerpt, sizeof(a->excerpt), "(empty page)");
		return;
	}
	int english = read_page(page, len, a);

	long issued = issued_link_id(page, len);
	if (issued > 0) {
		a->kind = CERTSRV_ISSUED;
		a->request_id = issued;
		return;
	}
	if (unknown_template(a->disposition, page, len))
		a->kind = CERTSRV_UNKNOWN_TEMPLATE;
	else if (bad_request(a->disposition, page, len))
		a->kind = CERTSRV_BAD_REQUEST;
	else if (is_denied(a->title, a->disposition, page, len))
		a->kind = CERTSRV_DENIED;
	else if (is_pending(a->title, a->disposition, page, len) ||
		 (english && a->request_id > 0 && !a->disposition[0]))
		a->kind = CERTSRV_PENDING;
	else if (a->disposition[0])
		a->kind = CERTSRV_CA_ERROR;
	else
		a->kind = CERTSRV_UNEXPECTED;
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

void certsrv_classify_retrieve(const char *content_type, const char *body,
			       size_t len, struct certsrv_answer *a)
{
	answer_init(a);
	if (!body)
		len = 0;
	int ct_cert = content_type &&
		      (strncasecmp(content_type, "application/pkix-cert", 21) == 0 ||
		       strncasecmp(content_type, "application/x-x509", 18) == 0);
	if (len && (ct_cert || certsrv_looks_like_cert(content_type, body, len))) {
		a->kind = CERTSRV_CERT;
		snprintf(a->title, sizeof(a->title), "certificate");
		return;
	}
	if (len == 0) {
		snprintf(a->excerpt, sizeof(a->excerpt), "(empty answer)");
		return;
	}
	read_page(body, len, a);

	if (no_such_request(a->disposition, body, len))
		a->kind = CERTSRV_NO_SUCH_REQUEST;
	else if (unknown_template(a->disposition, body, len))
		a->kind = CERTSRV_UNKNOWN_TEMPLATE;
	else if (bad_request(a->disposition, body, len))
		a->kind = CERTSRV_BAD_REQUEST;
	else if (find_ci(a->disposition, strlen(a->disposition),
			 "Taken Under Submission") ||
		 find_ci(body, len, "Taken Under Submission"))
		a->kind = CERTSRV_PENDING;
	else if (is_denied(a->title, a->disposition, body, len))
		a->kind = CERTSRV_DENIED;
	else if (issued_link_id(body, len) > 0) {
		a->kind = CERTSRV_ISSUED;
		a->request_id = issued_link_id(body, len);
	} else if (is_pending(a->title, a->disposition, body, len))
		a->kind = CERTSRV_PENDING;
	else if (a->disposition[0])
		a->kind = CERTSRV_CA_ERROR;
}

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

size_t certsrv_page_text(const char *page, size_t len, char *out,
			 size_t outlen)
{
	char title[CERTSRV_TEXT_MAX];
	if (!out || !outlen)
		return 0;
	out[0] = '\0';
	if (!page || !len)
		return 0;
	page_title(page, len, title, sizeof(title));
	page_excerpt(page, len, title, out, outlen);
	return strlen(out);
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

