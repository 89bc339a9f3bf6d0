/*
 * text.c - hex digits, UTF-8 sequences and the escape of outside text for
 * log lines and terminals (text.h).
 */
#include "core/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int text_hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

size_t text_utf8_seq(const unsigned char *p, size_t avail)
{
	if (avail == 0)
		return 0;
	unsigned char c = p[0];
	size_t len;
	unsigned long min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > avail)
		return 0;
	unsigned long cp = c & (0xFFu >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* The longest escape of one unit: a C1 character's two bytes as \xHH. */
#define ESC_UNIT_MAX 8

static size_t hex_byte(char *esc, unsigned char ch)
{
	static const char hex[] = "0123456789abcdef";
	esc[0] = '\\';
	esc[1] = 'x';
	esc[2] = hex[ch >> 4];
	esc[3] = hex[ch & 15];
	return 4;
}

/*
 * The shared core: how the unit at p (one byte, or in TEXT_ESC_TERM one
 * whole UTF-8 sequence) is written.  Fills esc (ESC_UNIT_MAX bytes) with
 * *k bytes and returns how many bytes of p it used (at least 1).
 */
static size_t escape_unit(const unsigned char *p, size_t avail,
			  enum text_escape_mode mode, char *esc, size_t *k)
{
	unsigned char ch = p[0];
	if (ch == '\\') {
		esc[0] = esc[1] = '\\';
		*k = mode == TEXT_ESC_LOG ? 2 : 1;
		return 1;
	}
	if (ch >= 0x20 && ch < 0x7f) {
		esc[0] = (char)ch;
		*k = 1;
		return 1;
	}
	size_t len = mode == TEXT_ESC_TERM && ch >= 0x80
			     ? text_utf8_seq(p, avail) : 0;
	if (len == 0) {               /* C0, DEL, a byte not kept */
		*k = hex_byte(esc, ch);
		return 1;
	}
	if (len == 2 && ch == 0xC2 && p[1] < 0xA0) {   /* C1: U+0080..9F */
		*k = hex_byte(esc, p[0]);
		*k += hex_byte(esc + *k, p[1]);
		return 2;
	}
	memcpy(esc, p, len);
	*k = len;
	return len;
}

size_t text_escape(char *dst, size_t cap, const char *src, size_t n,
		   enum text_escape_mode mode)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t o = 0, cut = 0;
	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n;) {
		char esc[ESC_UNIT_MAX];
		size_t k;
		size_t used = escape_unit(p + i, n - i, mode, esc, &k);
		if (o + 3 < cap)
			cut = o;      /* the last boundary "..." fits after */
		if (o + k >= cap) {
			o = cut;
			if (o + 3 < cap) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, esc, k);
		o += k;
		i += used;
	}
	dst[o] = '\0';
	return o;
}

size_t text_escape_log(char *dst, size_t cap, const char *src, size_t n)
{
	return text_escape(dst, cap, src, n, TEXT_ESC_LOG);
}

char *text_escape_dup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (n > (SIZE_MAX - 1) / 4)
		return NULL;
	size_t cap = 4 * n + 1;       /* every byte as \xHH at most */
	char *d = malloc(cap);
	if (d)
		text_escape(d, cap, s, n, TEXT_ESC_TERM);
	return d;
}

void text_fputs(const char *s, FILE *out)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		char esc[ESC_UNIT_MAX];
		size_t k;
		i += escape_unit(p + i, n - i, TEXT_ESC_TERM, esc, &k);
		fwrite(esc, 1, k, out);
	}
}
