/*
 * certsrv_html.c - the bounded text helpers of certsrv_html.h: search,
 * digits and the visible text of HTML as the page classifiers read it.
 */
#include "adcs/certsrv_html.h"
#include "core/text.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* bounded text helpers                                                */

static int lc(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Case-insensitive search of needle (C string) in h[0..hl). */
const char *find_ci(const char *h, size_t hl, const char *needle)
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

int starts_ci(const char *p, const char *end, const char *s)
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
long parse_digits(const char *p, const char *end, int *ndig)
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


void tb_init(struct tbuf *t, char *out, size_t cap)
{
	t->out = out;
	t->cap = cap;
	t->n = 0;
	t->space = 0;
	t->full = cap == 0;
	if (cap)
		out[0] = '\0';
}

void tb_ws(struct tbuf *t)
{
	if (t->n)
		t->space = 1;
}

void tb_put(struct tbuf *t, const char *s, size_t n)
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

/* Code point v as UTF-8 into t: control characters and white space as
 * white space, surrogates and out-of-range values as '?'. */
static void put_code_point(struct tbuf *t, long v)
{
	char u[4];
	size_t n;
	if (v < 0x20 || v == 0x7f || v == 0xa0 || (v >= 0x80 && v < 0xa0)) {
		tb_ws(t);
		return;
	}
	if (v < 0x80) {
		u[0] = (char)v;
		n = 1;
	} else if (v < 0x800) {
		u[0] = (char)(0xc0 | (v >> 6));
		u[1] = (char)(0x80 | (v & 0x3f));
		n = 2;
	} else if (v < 0x10000 && !(v >= 0xd800 && v < 0xe000)) {
		u[0] = (char)(0xe0 | (v >> 12));
		u[1] = (char)(0x80 | ((v >> 6) & 0x3f));
		u[2] = (char)(0x80 | (v & 0x3f));
		n = 3;
	} else if (v >= 0x10000 && v < 0x110000) {
		u[0] = (char)(0xf0 | (v >> 18));
		u[1] = (char)(0x80 | ((v >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((v >> 6) & 0x3f));
		u[3] = (char)(0x80 | (v & 0x3f));
		n = 4;
	} else {
		u[0] = '?';
		n = 1;
	}
	tb_put(t, u, n);
}

/* A numeric entity "&#NNN;" or "&#xHHH;" at p: bytes consumed, 0 if none. */
static size_t numeric_entity(const char *p, const char *end, struct tbuf *t)
{
	const char *q = p + 2;
	long v = 0;
	int nd = 0;
	if (end - p < 4 || p[1] != '#')
		return 0;
	if (*q == 'x' || *q == 'X') {
		q++;
		while (q + nd < end && nd < 7 &&
		       text_hex_digit((unsigned char)q[nd]) >= 0) {
			v = v * 16 + text_hex_digit((unsigned char)q[nd]);
			nd++;
		}
	} else {
		v = parse_digits(q, end, &nd);
		if (nd >= 8)
			nd = 0;
	}
	if (nd == 0 || q + nd >= end || q[nd] != ';')
		return 0;
	put_code_point(t, v);
	return (size_t)(q + nd + 1 - p);
}

/* Decode an entity at p ('&'); returns bytes consumed (0: not an entity).
 * Named ones: the markup characters and the letters and quotes of the
 * languages certsrv is localized into, when a page spells them so. */
static size_t entity(const char *p, const char *end, struct tbuf *t)
{
	static const struct {
		const char *name;
		long cp;
	} ents[] = {
		{"&nbsp;", 0xa0}, {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'},
		{"&quot;", '"'}, {"&apos;", '\''}, {"&auml;", 0xe4},
		{"&ouml;", 0xf6}, {"&uuml;", 0xfc}, {"&Auml;", 0xc4},
		{"&Ouml;", 0xd6}, {"&Uuml;", 0xdc}, {"&szlig;", 0xdf},
		{"&eacute;", 0xe9}, {"&egrave;", 0xe8}, {"&ecirc;", 0xea},
		{"&agrave;", 0xe0}, {"&acirc;", 0xe2}, {"&ccedil;", 0xe7},
		{"&ocirc;", 0xf4}, {"&icirc;", 0xee}, {"&ugrave;", 0xf9},
		{"&Eacute;", 0xc9}, {"&laquo;", 0xab}, {"&raquo;", 0xbb},
		{"&ldquo;", 0x201c}, {"&rdquo;", 0x201d}, {"&bdquo;", 0x201e},
		{"&rsquo;", 0x2019},
	};
	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		size_t n = strlen(ents[i].name);
		/* case matters for the letters (&Auml; vs &auml;) */
		if ((size_t)(end - p) >= n && memcmp(p, ents[i].name, n) == 0) {
			put_code_point(t, ents[i].cp);
			return n;
		}
	}
	return numeric_entity(p, end, t);
}

/* Skip past needle (case-insensitive) or to end. */
static const char *skip_past(const char *p, const char *end, const char *needle)
{
	const char *f = find_ci(p, (size_t)(end - p), needle);
	return f ? f + strlen(needle) : end;
}

/* Visible text of page[p..end) into t. */
void html_text(const char *p, const char *end, struct tbuf *t)
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

void text_of(const char *p, const char *end, char *out, size_t outlen)
{
	struct tbuf t;
	tb_init(&t, out, outlen);
	if (p && end && p < end)
		html_text(p, end, &t);
}

