/*
 * explain.c - `opsmgr-enroll explain` (explain.h): finds the event ID in
 * what was given and writes the events table's entry for it, wrapped.
 */
#include "explain.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/status.h"

#define KEY_SCAN_MAX 120   /* bytes of XML attributes between key and '>' */

static bool word_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The number of 1-6 digits at p standing free (no letter or digit after
 * it), or -1. */
static int number_at(const char *p)
{
	int v = 0, n = 0;
	while (isdigit((unsigned char)p[n]) && n < 7)
		v = v * 10 + (p[n++] - '0');
	if (n == 0 || n > 6 || word_char(p[n]))
		return -1;
	return v;
}

static const char *skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* After "Event ID" / "EventID": ": 21007", "=21007", " 21007" or XML
 * attributes then ">21007<".  The number, or -1. */
static int value_after_key(const char *p)
{
	p = skip_blank(p);
	if (*p == ':' || *p == '=') {
		p = skip_blank(p + 1);
	} else if (*p != '>' && !isdigit((unsigned char)*p)) {
		const char *gt = p;
		while (*gt && *gt != '>' && *gt != '<' && *gt != '\n' &&
		       gt - p < KEY_SCAN_MAX)
			gt++;
		if (*gt != '>')
			return -1;
		p = gt;
	}
	if (*p == '>')
		p = skip_blank(p + 1);
	return number_at(p);
}

/* "event" then " ", "_" or nothing then "id", at a word start. */
static const char *event_id_key(const char *s, const char *p)
{
	if (p > s && word_char(p[-1]))
		return NULL;
	if (strncasecmp(p, "event", 5) != 0)
		return NULL;
	const char *q = p + 5;
	if (*q == ' ' || *q == '_')
		q++;
	if (strncasecmp(q, "id", 2) != 0 || word_char(q[2]))
		return NULL;
	return q + 2;
}

static int find_keyed(const char *s)
{
	for (const char *p = s; *p; p++) {
		const char *after = event_id_key(s, p);
		int v = after ? value_after_key(after) : -1;
		if (v > 0)
			return v;
	}
	return 0;
}

/* PowerShell's Format-List: a line "Id   : 21007". */
static int find_ps_id(const char *s)
{
	for (const char *line = s; line; line = strchr(line, '\n')) {
		const char *p = skip_blank(*line == '\n' ? line + 1 : line);
		if (strncasecmp(p, "id", 2) == 0 && !word_char(p[2])) {
			p = skip_blank(p + 2);
			int v = *p == ':' ? number_at(skip_blank(p + 1)) : -1;
			if (v > 0)
				return v;
		}
		if (*line == '\n')
			line++;
	}
	return 0;
}

/* The first free-standing number the table knows; a number inside an
 * address, a time or a version ("10.0.0.5:5723", "4:17:44") is not one. */
static int find_known(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) || (p > s && (word_char(p[-1]) ||
		    p[-1] == '.' || p[-1] == ':')))
			continue;
		int v = number_at(p);
		const char *e = p;
		while (isdigit((unsigned char)*e))
			e++;
		if (v > 0 && *e != '.' && *e != ':' && om_event_find(v))
			return v;
		p = e - 1;
	}
	return 0;
}

int explain_find_id(const char *text)
{
	if (!text)
		return 0;
	const char *p = text;
	while (isspace((unsigned char)*p))
		p++;
	int v = number_at(p);
	if (v > 0) {
		const char *e = p;
		while (isdigit((unsigned char)*e))
			e++;
		while (isspace((unsigned char)*e))
			e++;
		if (!*e)
			return v;
	}
	if ((v = find_keyed(text)) > 0)
		return v;
	if ((v = find_ps_id(text)) > 0)
		return v;
	return find_known(text);
}

/* text at indent, wrapped at width (0: not wrapped), the first line
 * already started at column `col`. */
static void put_wrapped(FILE *out, const char *text, int col, int indent,
			int width)
{
	const char *p = text;
	bool first = true;
	while (*p) {
		const char *w = p;
		while (*w && *w != ' ')
			w++;
		int len = (int)(w - p);
		if (!first && width > 0 && col + 1 + len > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, (size_t)len, out);
		col += len;
		first = false;
		p = *w ? w + 1 : w;
	}
	fputc('\n', out);
}

static void put_item(FILE *out, const char *label, const char *text,
		     int indent, int width)
{
	int col = fprintf(out, "%*s%s", indent, "", label);
	put_wrapped(out, text, col, indent + (int)strlen(label), width);
}

/* A cause's two deciders: `check`'s row here, `check --evidence`'s on a
 * Windows computer's collected evidence. */
static void put_deciders(FILE *out, const struct om_cause *c, int width)
{
	put_item(out, EXPLAIN_DECIDED_HERE, c->check ? c->check :
		 "the event's own text, or the other computer (no check here)",
		 5, width);
	put_item(out, EXPLAIN_DECIDED_EVIDENCE,
		 c->evidence ? c->evidence : "cannot tell", 5, width);
}

void explain_write(FILE *out, const struct om_event *e, int width)
{
	fprintf(out, "event %d (%s, log \"%s\")\n", e->id, e->source,
		OM_EVENT_LOG);
	put_item(out, "meaning: ", e->meaning, 0, width);
	fputs("\nusual causes, and the checks that decide each:\n", out);
	for (int i = 0; i < OM_EVENT_CAUSES && e->causes[i].what; i++) {
		char num[8];
		snprintf(num, sizeof(num), "%d. ", i + 1);
		put_item(out, num, e->causes[i].what, 2, width);
		put_deciders(out, &e->causes[i], width);
	}
	fputc('\n', out);
	put_item(out, "fix: ", e->fix, 0, width);
	put_wrapped(out, "\nThe checks are rows (stage/id): 'decided by' of "
		    "'opsmgr-enroll check' on this computer, 'on collected "
		    "evidence' of 'opsmgr-enroll check --evidence DIR|ZIP' on "
		    "what collect.cmd gathered on a Windows computer.", 0, 0,
		    width);
}

char *explain_text(const struct om_event *e, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	explain_write(m, e, width);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

const char *explain_unknown(int id, char *buf, size_t n)
{
	size_t count = 0;
	const struct om_event *t = om_event_table(&count);
	if (id > 0)
		snprintf(buf, n, "event %d is not one of the %zu Operations "
			 "Manager events on certificates and channels this "
			 "program knows (%d to %d)", id, count, t[0].id,
			 t[count - 1].id);
	else
		snprintf(buf, n, "no event ID found in the text: give the "
			 "number (e.g. 21007), or paste the whole event with "
			 "its 'Event ID' line");
	return buf;
}

/* Standard input, at most EXPLAIN_INPUT_MAX bytes; malloc'd or NULL. */
static char *read_all(FILE *in)
{
	char *buf = malloc(EXPLAIN_INPUT_MAX + 1);
	if (!buf)
		return NULL;
	size_t n = fread(buf, 1, EXPLAIN_INPUT_MAX, in);
	buf[n] = 0;
	return buf;
}

static char *join_words(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = 0;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int explain_run(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	char *text = argc == 1 && strcmp(argv[0], "-") == 0 ? read_all(in)
							     : join_words(argc, argv);
	if (!text) {
		fprintf(err, "opsmgr-enroll: explain: out of memory\n");
		return EXIT_USAGE;
	}
	int id = explain_find_id(text);
	free(text);
	const struct om_event *e = id > 0 ? om_event_find(id) : NULL;
	if (!e) {
		char msg[256];
		fprintf(err, "opsmgr-enroll: explain: %s\n",
			explain_unknown(id, msg, sizeof(msg)));
		return EXIT_USAGE;
	}
	explain_write(out, e, 79);
	return EXIT_OK;
}
