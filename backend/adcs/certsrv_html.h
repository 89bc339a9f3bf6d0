/*
 * certsrv_html.h - bounded text helpers of the certsrv page classifiers
 * (certsrv_pages.c): case-insensitive search, digits, and the visible text
 * of an HTML fragment (tags, comments, scripts and styles dropped, entities
 * decoded, white space collapsed, invalid UTF-8 as '?').  They never read
 * past the end given, never allocate, and treat NUL as an ordinary byte.
 */
#ifndef OPSMGR_CERTSRV_HTML_H
#define OPSMGR_CERTSRV_HTML_H

#include <stddef.h>

/* Case-insensitive (ASCII) search of needle (C string) in h[0..hl). */
const char *find_ci(const char *h, size_t hl, const char *needle);
/* Whether [p, end) starts with s, case-insensitively. */
int starts_ci(const char *p, const char *end, const char *s);
/* Decimal digits at p (bounded); the value (capped) and *ndig. */
long parse_digits(const char *p, const char *end, int *ndig);

/* Output buffer (caller's memory) with white-space collapsing; whole
 * UTF-8 sequences only, always NUL-terminated. */
struct tbuf {
	char *out;
	size_t cap, n;
	int space;      /* a space is owed before the next visible char */
	int full;
};
void tb_init(struct tbuf *t, char *out, size_t cap);
void tb_ws(struct tbuf *t);
void tb_put(struct tbuf *t, const char *s, size_t n);

/* Visible text of [p, end) appended to t. */
void html_text(const char *p, const char *end, struct tbuf *t);
/* Visible text of [p, end) into out (outlen > 0); "" when p >= end. */
void text_of(const char *p, const char *end, char *out, size_t outlen);

#endif
