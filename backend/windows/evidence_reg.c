/*
 * evidence_reg.c - the .reg reader of the evidence (evidence_reg.h).
 */
#include "evidence_reg.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "evidence_text.h"

void reg_file_init(struct reg_file *f)
{
	memset(f, 0, sizeof(*f));
}

static void drop_last(struct reg_file *f)
{
	struct reg_value *v = &f->v[--f->n];
	free(v->key);
	free(v->name);
	free(v->str);
	free(v->data);
}

void reg_file_release(struct reg_file *f)
{
	while (f->n)
		drop_last(f);
	free(f->v);
	reg_file_init(f);
}

const struct reg_value *reg_find(const struct reg_file *f, const char *key,
				 const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcasecmp(f->v[i].key, key) &&
		    !strcasecmp(f->v[i].name, name))
			return &f->v[i];
	return NULL;
}

/* A quoted string at *p ("..." with \\ and \" escapes): malloc'd, *p past
 * the closing quote; NULL when it is not closed. */
static char *quoted(const char **p)
{
	const char *s = *p + 1;
	char *out = malloc(strlen(s) + 1);
	size_t o = 0;
	if (!out)
		return NULL;
	for (; *s && *s != '"'; s++) {
		if (*s == '\\' && (s[1] == '\\' || s[1] == '"'))
			s++;
		out[o++] = *s;
	}
	if (*s != '"') {
		free(out);
		return NULL;
	}
	out[o] = '\0';
	*p = s + 1;
	return out;
}

/* "a0,0b, 1c" -> bytes appended to v->data.  -1 on a bad byte. */
static int hex_bytes(const char *s, struct reg_value *v)
{
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return 0;
		int hi = text_hex_digit((unsigned char)s[0]);
		int lo = hi < 0 ? -1 : text_hex_digit((unsigned char)s[1]);
		if (lo < 0)
			return -1;
		unsigned char *d = realloc(v->data, v->len + 1);
		if (!d)
			return -1;
		v->data = d;
		v->data[v->len++] = (unsigned char)(hi << 4 | lo);
		s += 2;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
}

static struct reg_value *add_value(struct reg_file *f, const char *key,
				   char *name)
{
	if (evidence_grow(&f->v, f->n, &f->cap, sizeof(*f->v)) < 0)
		return NULL;
	struct reg_value *v = &f->v[f->n];
	memset(v, 0, sizeof(*v));
	v->key = strdup(key);
	v->name = name;
	if (!v->key)
		return NULL;
	f->n++;
	return v;
}

/* The value part after '=' into v (a continuation '\' already cut). */
static const char *parse_data(char *s, struct reg_value *v)
{
	size_t n = strlen(s);
	if (s[0] == '"') {
		const char *p = s;
		v->kind = REGV_SZ;
		v->str = quoted(&p);
		if (!v->str)
			return "string value without its closing quote";
		if (*evidence_trim((char *)p))
			return "text after a string value's closing quote";
		return NULL;
	}
	if (!strncasecmp(s, "dword:", 6)) {
		char *end;
		v->kind = REGV_DWORD;
		if (n != 14 || text_hex_digit((unsigned char)s[6]) < 0)
			return "dword value is not 8 hex digits";
		unsigned long x = strtoul(s + 6, &end, 16);
		if (*end)
			return "dword value is not 8 hex digits";
		v->dword = (uint32_t)x;
		return NULL;
	}
	const char *rest;
	v->kind = REGV_HEX;
	if (!strncasecmp(s, "hex:", 4)) {
		v->hex_type = 3;
		rest = s + 4;
	} else if (!strncasecmp(s, "hex(", 4)) {
		char *end;
		unsigned long t = strtoul(s + 4, &end, 16);
		if (end == s + 4 || strncmp(end, "):", 2) || t > 0xFFFF)
			return "hex(N): type is not a hex number";
		v->hex_type = (int)t;
		rest = end + 2;
	} else {
		return "value is neither \"string\", dword: nor hex:";
	}
	return hex_bytes(rest, v) < 0 ? "bad byte in a hex list" : NULL;
}

/* Strip a trailing '\' (continuation); returns true when there was one. */
static bool continued(char *s)
{
	size_t n = strlen(s);
	if (n && s[n - 1] == '\\') {
		s[n - 1] = '\0';
		return true;
	}
	return false;
}

/* One "name"=value (or @=value) line under key; *pending gets the value
 * whose hex list continues on the next line. */
static int value_line(struct reg_file *f, const char *key, char *s,
		      struct reg_value **pending, const char **why)
{
	char *name;
	const char *p = s;
	if (*s == '@') {
		name = strdup("");
		p = s + 1;
	} else {
		name = quoted(&p);
		if (!name) {
			*why = "value name without its closing quote";
			return -1;
		}
	}
	if (*p != '=') {
		free(name);
		*why = "'=' expected after the value name";
		return -1;
	}
	p++;
	if (!strcmp(p, "-")) {   /* deletion */
		free(name);
		return 0;
	}
	char *data = (char *)p;
	bool more = continued(data);
	struct reg_value *v = add_value(f, key, name);
	if (!v) {
		free(name);
		*why = "out of memory";
		return -1;
	}
	*why = parse_data(data, v);
	if (!*why && more && v->kind != REGV_HEX)
		*why = "'\\' continues a value that is not a hex list";
	if (*why) {   /* only whole values stay in f */
		drop_last(f);
		return -1;
	}
	if (more)
		*pending = v;
	return 0;
}

int reg_parse(const unsigned char *buf, size_t len, struct reg_file *f,
	      char *err, size_t errlen)
{
	char *text = evidence_decode(buf, len, err, errlen);
	if (!text)
		return -1;
	char *p = text, *line, *key = NULL;
	size_t no = 0;
	bool header = false;
	struct reg_value *pending = NULL;
	const char *why = NULL;
	while ((line = evidence_next_line(&p)) != NULL) {
		no++;
		if (pending) {
			char *s = evidence_trim(line);
			bool more = continued(s);
			if (hex_bytes(s, pending) < 0) {
				why = "bad byte in a continued hex list";
				break;
			}
			if (!more)
				pending = NULL;
			continue;
		}
		char *s = evidence_trim(line);
		if (!*s || *s == ';')
			continue;
		if (!header) {
			if (strcmp(s, "Windows Registry Editor Version 5.00") &&
			    strcmp(s, "REGEDIT4")) {
				why = "not a registry file: the first line is not \"Windows Registry Editor Version 5.00\"";
				break;
			}
			header = true;
		} else if (*s == '[') {
			size_t n = strlen(s);
			if (s[n - 1] != ']' || n < 3) {
				why = "key line without its closing ']'";
				break;
			}
			s[n - 1] = '\0';
			free(key);
			key = s[1] == '-' ? NULL : strdup(s + 1);
		} else if (*s == '"' || *s == '@') {
			if (!key) {
				why = "value outside a key";
				break;
			}
			if (value_line(f, key, s, &pending, &why) < 0)
				break;
		} else {
			why = "line is neither a [key] nor a \"name\"=value";
			break;
		}
	}
	if (!why && pending)
		why = "truncated: a hex list continues past the end of the file";
	if (!why && !header)
		why = "empty: no \"Windows Registry Editor Version 5.00\" header";
	free(key);
	free(text);
	return why ? evidence_line_error(err, errlen, no ? no : 1, why) : 0;
}
