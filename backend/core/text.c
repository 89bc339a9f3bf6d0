/*
 * text.c - hex digits, UTF-8 sequences and the log-line escape (text.h).
 */
#include "core/text.h"

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

size_t text_escape_log(char *dst, size_t cap, const char *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, cut = 0;
	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)src[i];
		char esc[4];
		size_t k = 0;
		if (ch == '\\') {
			esc[k++] = '\\';
			esc[k++] = '\\';
		} else if (ch >= 0x20 && ch < 0x7f) {
			esc[k++] = (char)ch;
		} else {
			esc[k++] = '\\';
			esc[k++] = 'x';
			esc[k++] = hex[ch >> 4];
			esc[k++] = hex[ch & 15];
		}
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
	}
	dst[o] = '\0';
	return o;
}
