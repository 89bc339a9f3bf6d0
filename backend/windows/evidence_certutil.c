/*
 * evidence_certutil.c - the certutil store-dump reader of the evidence
 * (evidence_certutil.h).
 */
#include "evidence_certutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "evidence_text.h"

#define CU_DONE "CertUtil: -store command completed successfully."
#define CU_FAILED "CertUtil: -store command FAILED"

void cu_store_init(struct cu_store *s)
{
	memset(s, 0, sizeof(*s));
}

void cu_store_release(struct cu_store *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct cu_cert *c = &s->c[i];
		free(c->serial);
		free(c->sha1);
		free(c->subject);
		free(c->issuer);
		free(c->not_after);
		free(c->provider);
	}
	free(s->c);
	cu_store_init(s);
}

/* Hex digits of s, blanks dropped, upper case; NULL when something else
 * is there or there are none / an odd number. */
static char *hex_of(const char *s)
{
	char *out = malloc(strlen(s) + 1);
	size_t o = 0;
	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t')
			continue;
		if (text_hex_digit((unsigned char)*s) < 0) {
			free(out);
			return NULL;
		}
		out[o++] = (char)toupper((unsigned char)*s);
	}
	out[o] = '\0';
	if (!o || o % 2) {
		free(out);
		return NULL;
	}
	return out;
}

/* "================ Certificate N ================" -> N, else -1. */
static int cert_header(const char *s)
{
	int n;
	char tail[32];
	if (strncmp(s, "================ Certificate ", 28) != 0)
		return -1;
	if (sscanf(s + 28, "%d %31s", &n, tail) != 2 || n < 0 ||
	    strncmp(tail, "====", 4) != 0)
		return -1;
	return n;
}

static struct cu_cert *add_cert(struct cu_store *s, int index)
{
	if (evidence_grow(&s->c, s->n, &s->cap, sizeof(*s->c)) < 0)
		return NULL;
	struct cu_cert *c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	c->index = index;
	c->keyspec = -1;
	return c;
}

/* "Name: value" / "Name = value" with Name at the line's start (after
 * blanks when indented is true): the value (may be ""), else NULL. */
static char *field(char *line, const char *name, char sep, bool indented)
{
	char *s = line;
	if (indented)
		while (*s == ' ' || *s == '\t')
			s++;
	size_t n = strlen(name);
	if (strncmp(s, name, n) != 0)
		return NULL;
	s += n;
	while (*s == ' ')
		s++;
	if (*s != sep)
		return NULL;
	return evidence_trim(s + 1);
}

static void set_once(char **dst, const char *v)
{
	if (!*dst && v)
		*dst = strdup(v);
}

/* An indented "TYPE=value" line below "Subject:" (-v prints one part a
 * line) appended to *dst with ", "; false for any other line. */
static bool name_part(char **dst, char *line)
{
	if (line[0] != ' ' && line[0] != '\t')
		return false;
	char *s = evidence_trim(line);
	if (!strchr(s, '=') || !strncmp(s, "Name Hash", 9))
		return false;
	size_t o = *dst ? strlen(*dst) : 0;
	char *n = realloc(*dst, o + strlen(s) + 3);
	if (!n)
		return false;
	sprintf(n + o, "%s%s", o ? ", " : "", s);
	*dst = n;
	return true;
}

/* A line inside certificate c.  *want: the field whose value is on the
 * next line (-v prints "Subject:" then the name indented). */
static const char *cert_line(struct cu_cert *c, char *line, char ***want)
{
	char *v;
	if (*want) {
		if (name_part(*want, line))
			return NULL;
		*want = NULL;
	}
	if ((v = field(line, "Serial Number", ':', false))) {
		if (c->serial)
			return NULL;
		c->serial = hex_of(v);
		return c->serial ? NULL : "'Serial Number:' is not hex bytes";
	}
	if ((v = field(line, "Cert Hash(sha1)", ':', true))) {
		if (!c->sha1 && !(c->sha1 = hex_of(v)))
			return "'Cert Hash(sha1):' is not hex bytes";
		return NULL;
	}
	if ((v = field(line, "Subject", ':', false)) ||
	    (v = field(line, "Issuer", ':', false))) {
		char **dst = line[0] == 'S' ? &c->subject : &c->issuer;
		if (*v)
			set_once(dst, v);
		else if (!*dst)
			*want = dst;
		return NULL;
	}
	if ((v = field(line, "NotAfter", ':', true)))
		set_once(&c->not_after, v);
	else if ((v = field(line, "Provider", '=', true)))
		set_once(&c->provider, v);
	else if ((v = field(line, "KeySpec", '=', true)))
		c->keyspec = c->keyspec >= 0 ? c->keyspec : atoi(v);
	else if (strstr(line, "Missing stored keyset"))
		c->missing_keyset = true;
	return NULL;
}

int certutil_parse(const unsigned char *buf, size_t len, struct cu_store *s,
		   char *err, size_t errlen)
{
	char e[160];
	char *text = evidence_decode(buf, len, err, errlen);
	if (!text)
		return -1;
	char *p = text, *line;
	size_t no = 0;
	bool done = false;
	const char *why = NULL;
	struct cu_cert *c = NULL;
	char **want = NULL;
	while (!why && !done && (line = evidence_next_line(&p)) != NULL) {
		no++;
		int idx = cert_header(line);
		if (idx >= 0 || !strncmp(line, "CertUtil:", 9)) {
			if (c && !c->serial)
				why = "the certificate before this line has no 'Serial Number:'";
			want = NULL;
		}
		if (why)
			break;
		if (idx >= 0) {
			if (!(c = add_cert(s, idx)))
				why = "out of memory";
		} else if (!strncmp(line, CU_DONE, strlen(CU_DONE))) {
			done = true;
		} else if (!strncmp(line, CU_FAILED, strlen(CU_FAILED))) {
			snprintf(e, sizeof(e), "certutil failed: %.120s", line);
			why = e;
		} else if (c) {
			why = cert_line(c, line, &want);
		}
	}
	if (!why && !done)
		why = s->n ? "truncated: certutil's completion line is missing"
			   : "not certutil's store dump: no \"Certificate N\" block and no completion line";
	free(text);
	return why ? evidence_line_error(err, errlen, no ? no : 1, why) : 0;
}

/* hex without blanks and leading "00" pairs, upper case, into out. */
static void canon_serial(const char *hex, char *out, size_t cap)
{
	size_t o = 0;
	for (; *hex && o + 1 < cap; hex++)
		if (*hex != ' ')
			out[o++] = (char)toupper((unsigned char)*hex);
	out[o] = '\0';
	size_t z = 0;
	while (z + 2 < o && out[z] == '0' && out[z + 1] == '0')
		z += 2;
	memmove(out, out + z, o - z + 1);
}

const struct cu_cert *cu_find_serial(const struct cu_store *s, const char *hex)
{
	char want[512], have[512];
	canon_serial(hex, want, sizeof(want));
	for (size_t i = 0; i < s->n; i++) {
		canon_serial(s->c[i].serial, have, sizeof(have));
		if (!strcmp(want, have))
			return &s->c[i];
	}
	return NULL;
}
