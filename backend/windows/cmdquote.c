/*
 * cmdquote.c - the quoting and refusal rule for values that reach cmd.exe
 * or msiexec (cmdquote.h).  Pure string work.
 */
#include "windows/cmdquote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

int cmdquote_check(const char *value, char *why, size_t whylen)
{
	if (!value) {
		snprintf(why, whylen, "is missing");
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(why, whylen,
				 "contains the control character 0x%02X, which "
				 "cannot be written into a batch file", *p);
			return -1;
		}
		if (*p >= 0x80) {
			snprintf(why, whylen,
				 "contains the non-ASCII byte 0x%02X: install.cmd "
				 "is ASCII and cmd.exe reads it in the OEM code "
				 "page", *p);
			return -1;
		}
		if (*p == '"') {
			snprintf(why, whylen,
				 "contains '\"', which cmd.exe and msiexec cannot "
				 "carry inside a quoted value");
			return -1;
		}
	}
	size_t n = strlen(value);
	if (n && value[n - 1] == '\\') {
		snprintf(why, whylen,
			 "ends in '\\', which would stand before msiexec's "
			 "closing quote");
		return -1;
	}
	return 0;
}

static bool needs_quotes(const char *v)
{
	return !*v || strpbrk(v, " &|<>^(),;=!%") != NULL;
}

char *cmdquote_arg(const char *value, bool always, bool batch)
{
	char why[160];
	if (cmdquote_check(value, why, sizeof(why)) != 0)
		return NULL;
	bool q = always || needs_quotes(value);
	struct strbuf b = STRBUF_INIT;
	if (q)
		strbuf_puts(&b, "\"");
	for (const char *p = value; *p; p++) {
		if (*p == '%' && batch)
			strbuf_puts(&b, "%");
		strbuf_put(&b, p, 1);
	}
	if (q)
		strbuf_puts(&b, "\"");
	return strbuf_take(&b);
}

char *cmdquote_set_line(const char *name, const char *value)
{
	if (!name || !*name || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789_") != strlen(name))
		return NULL;
	char *arg = cmdquote_arg(value, false, true);
	if (!arg)
		return NULL;
	free(arg);
	struct strbuf b = STRBUF_INIT;
	strbuf_printf(&b, "set \"%s=", name);
	for (const char *p = value; *p; p++)
		strbuf_puts(&b, *p == '%' ? "%%" : (char[2]){ *p, 0 });
	strbuf_puts(&b, "\"");
	return strbuf_take(&b);
}

int cmdquote_echo(struct strbuf *b, const char *text, size_t n,
		  bool *in_quotes)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c >= 0x7f || c == '!' || c == '^')
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c == '"')
			*in_quotes = !*in_quotes;
		else if (c == '%')
			strbuf_puts(b, "%");
		else if (!*in_quotes && strchr("&|<>()", c))
			strbuf_puts(b, "^");
		strbuf_put(b, &c, 1);
	}
	return 0;
}
