/*
 * evidence_text.c - decoding an evidence file's bytes into UTF-8 lines
 * (evidence_text.h).
 */
#include "evidence_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t put_utf8(char *o, unsigned long c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static char *utf16_to_utf8(const unsigned char *b, size_t len, size_t *outlen,
			   char *err, size_t errlen)
{
	if (len % 2) {
		snprintf(err, errlen, "truncated UTF-16 text: odd length %zu",
			 len + 2);
		return NULL;
	}
	char *out = malloc(len / 2 * 3 + 1);
	if (!out) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	size_t o = 0;
	for (size_t i = 0; i < len; i += 2) {
		unsigned long c = b[i] | ((unsigned long)b[i + 1] << 8);
		if (c >= 0xD800 && c <= 0xDBFF && i + 3 < len) {
			unsigned long lo = b[i + 2] | ((unsigned long)b[i + 3] << 8);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		if (c == 0 || (c >= 0xD800 && c <= 0xDFFF)) {
			snprintf(err, errlen, "byte %zu: %s", i + 2,
				 c ? "lone UTF-16 surrogate" : "NUL character");
			free(out);
			return NULL;
		}
		o += put_utf8(out + o, c);
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

char *evidence_text_utf8(const unsigned char *buf, size_t len, size_t *outlen,
			 char *err, size_t errlen)
{
	if (len >= 2 && buf[0] == 0xFF && buf[1] == 0xFE)
		return utf16_to_utf8(buf + 2, len - 2, outlen, err, errlen);
	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
		buf += 3;
		len -= 3;
	}
	const void *nul = memchr(buf, 0, len);
	if (nul) {
		snprintf(err, errlen, "byte %zu: NUL character (UTF-16 without its byte-order mark?)",
			 (size_t)((const unsigned char *)nul - buf));
		return NULL;
	}
	char *out = malloc(len + 1);
	if (!out) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(out, buf, len);
	out[len] = '\0';
	if (outlen)
		*outlen = len;
	return out;
}

int evidence_line_error(char *err, size_t errlen, size_t line,
			const char *what)
{
	snprintf(err, errlen, "line %zu: %s", line, what);
	return -1;
}

char *evidence_decode(const unsigned char *buf, size_t len, char *err,
		      size_t errlen)
{
	char e[160];
	char *text = evidence_text_utf8(buf, len, NULL, e, sizeof(e));
	if (!text)
		evidence_line_error(err, errlen, 1, e);
	return text;
}

char *evidence_next_line(char **p)
{
	char *s = *p;
	if (!s || !*s)
		return NULL;
	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	size_t n = strlen(s);
	if (n && s[n - 1] == '\r')
		s[n - 1] = '\0';
	return s;
}

int evidence_grow(void *parr, size_t n, size_t *cap, size_t size)
{
	void *arr;
	if (n < *cap)
		return 0;
	size_t want = *cap ? *cap * 2 : 16;
	memcpy(&arr, parr, sizeof(arr));
	void *grown = realloc(arr, want * size);
	if (!grown)
		return -1;
	memcpy(parr, &grown, sizeof(grown));
	*cap = want;
	return 0;
}

char *evidence_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}
