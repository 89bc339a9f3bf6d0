/*
 * regfile.c - text of the Windows .reg file stage 6 writes (regfile.h).
 * Pure formatting: no I/O here; serial.c writes the result atomically.
 */
#include "windows/regfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex_ok(const char *hex, size_t *ndigits)
{
	size_t n = 0;
	if (!hex)
		return 0;
	for (const char *p = hex; *p; p++, n++)
		if (!isxdigit((unsigned char)*p))
			return 0;
	*ndigits = n;
	return n > 0;
}

char *regfile_hex_list(const char *hex)
{
	size_t n;
	if (!hex_ok(hex, &n) || n % 2 != 0)
		return NULL;
	size_t bytes = n / 2;
	char *out = malloc(bytes * 3);   /* "xx," per byte, last ',' -> NUL */
	if (!out)
		return NULL;
	char *o = out;
	for (size_t i = 0; i < bytes; i++) {
		if (i)
			*o++ = ',';
		*o++ = (char)tolower((unsigned char)hex[2 * i]);
		*o++ = (char)tolower((unsigned char)hex[2 * i + 1]);
	}
	*o = '\0';
	return out;
}

char *regfile_format(const char *reversed_hex, const char *thumbprint,
		     size_t *len, char *err, size_t errlen)
{
	size_t n;
	char *list = regfile_hex_list(reversed_hex);
	if (!list) {
		snprintf(err, errlen,
			 "serial '%s' is not an even number of hex digits",
			 reversed_hex ? reversed_hex : "");
		return NULL;
	}
	if (!hex_ok(thumbprint, &n) || n != 40) {
		snprintf(err, errlen,
			 "thumbprint '%s' is not 40 hex digits (SHA-1)",
			 thumbprint ? thumbprint : "");
		free(list);
		return NULL;
	}
	char thumb[41];
	for (size_t i = 0; i < 40; i++)
		thumb[i] = (char)toupper((unsigned char)thumbprint[i]);
	thumb[40] = '\0';

	char *out = NULL;
	int r = asprintf(&out,
			 "Windows Registry Editor Version 5.00\r\n"
			 "\r\n"
			 "[" REGFILE_KEY "]\r\n"
			 "\"ChannelCertificateSerialNumber\"=hex:%s\r\n"
			 "\"ChannelCertificateHash\"=\"%s\"\r\n",
			 list, thumb);
	free(list);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (len)
		*len = (size_t)r;
	return out;
}
