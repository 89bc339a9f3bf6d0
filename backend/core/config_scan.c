/*
 * config_scan.c - the strict scan of every INI file before iniparser sees
 * it, and iniparser's loading with its error callback captured
 * (config_scan.h).
 *
 * Why a scan of our own: iniparser 4.1 (Debian 12) rejects a whole file for
 * one bad line and says only "syntax error" on stderr, and it silently
 * changes some values.  What 4.1 was seen to do (tests/unit/test_config.c
 * pins these down):
 *   - an unquoted value stops at the first ';' or '#' ("x;y" -> "x");
 *   - "..." and '...' quote a value: ';' '#' and edge spaces are kept, the
 *     other quote character may appear inside, there is no escape ("a\"b"
 *     -> "a\"), text after the closing quote is dropped, and a missing
 *     closing quote is ignored ("\"abc" -> "abc");
 *   - a line ending in '\' is joined with the next one (also comments);
 *   - a line of more than 1022 characters fails the whole file;
 *   - section and key names are lowercased, values keep their case;
 *   - keys before the first section are stored as ":key";
 *   - a section "[ca:url]" shows up as key "url" of [ca] with no value,
 *     which makes iniparser_getint() crash (CVE-2023-33461).
 * So the scan refuses what would be misread (unterminated quotes, text
 * after a closing quote, ';'/'#' inside an unquoted value, continuations,
 * long lines, ':' in names, control characters, invalid UTF-8), reports it
 * as "cannot parse 'FILE': line N: ...", and only then asks iniparser.
 * ';' or '#' after a blank in an unquoted value starts an inline comment.
 * At most 1000 keys / 100 sections are read.
 */
#include "core/config_scan.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_schema.h"
#include "core/text.h"

#define SCAN_MAX_ERRORS 20
#define SCAN_MAX_ENTRIES 1000     /* an answers file has about 50 keys */
#define SCAN_MAX_SECTIONS 100

static bool is_name_char(unsigned char ch)
{
	return isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
}

static void entry_release(struct scan_entry *e)
{
	free(e->section);
	free(e->key);
	free(e->value);
}

void scan_release(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_release(&s->e[i]);
	free(s->e);
	for (size_t i = 0; i < s->nsec; i++)
		free(s->secs[i]);
	free(s->secs);
	free(s->sec_line);
	memset(s, 0, sizeof(*s));
}

static void scan_error(struct scan *s, int line, const char *field,
		       const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void scan_error(struct scan *s, int line, const char *field,
		       const char *fix, const char *fmt, ...)
{
	s->errors++;
	if (s->errors > SCAN_MAX_ERRORS)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->errors == SCAN_MAX_ERRORS)
		diag_add(s->dl, DIAG_CONFIG, SEV_FAIL, field, fix,
			 "cannot parse '%s': line %d: %s (further errors not shown)",
			 s->path, line, msg);
	else
		diag_add(s->dl, DIAG_CONFIG, SEV_FAIL, field, fix,
			 "cannot parse '%s': line %d: %s", s->path, line, msg);
}

static char *dup_lower(const char *p, size_t n)
{
	char *r = malloc(n + 1);
	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)p[i]);
	r[n] = '\0';
	return r;
}

static int add_section(struct scan *s, const char *name, int line)
{
	for (size_t i = 0; i < s->nsec; i++)
		if (strcmp(s->secs[i], name) == 0)
			return 0;
	if (s->nsec == s->seccap) {
		size_t nc = s->seccap ? s->seccap * 2 : 8;
		char **ns = realloc(s->secs, nc * sizeof(*ns));
		if (!ns)
			return -1;
		s->secs = ns;
		int *nl = realloc(s->sec_line, nc * sizeof(*nl));
		if (!nl)
			return -1;
		s->sec_line = nl;
		s->seccap = nc;
	}
	char *d = strdup(name);
	if (!d)
		return -1;
	s->secs[s->nsec] = d;
	s->sec_line[s->nsec] = line;
	s->nsec++;
	return 0;
}

static int add_entry(struct scan *s, const char *section, const char *key,
		     const char *value, size_t vlen, int line)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 32;
		struct scan_entry *ne = realloc(s->e, nc * sizeof(*ne));
		if (!ne)
			return -1;
		s->e = ne;
		s->cap = nc;
	}
	struct scan_entry *e = &s->e[s->n];
	e->section = strdup(section);
	e->key = strdup(key);
	e->value = malloc(vlen + 1);
	if (!e->section || !e->key || !e->value) {
		entry_release(e);
		return -1;
	}
	memcpy(e->value, value, vlen);
	e->value[vlen] = '\0';
	e->line = line;
	e->superseded = false;
	s->n++;
	return 0;
}

/*
 * Check the bytes of the whole file: text, UTF-8, no control characters
 * other than tab and the CR of a CRLF line end.  Reports the first problem.
 */
static int scan_bytes(struct scan *s, const unsigned char *buf, size_t len)
{
	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
		scan_error(s, 1, NULL,
			   "save the file as UTF-8 without a byte order mark",
			   "the file starts with a UTF-8 byte order mark, which iniparser cannot read");
		return -1;
	}
	int line = 1;
	for (size_t i = 0; i < len;) {
		unsigned char c = buf[i];
		if (c == '\n') {
			line++;
			i++;
			continue;
		}
		if (c == '\r' && (i + 1 == len || buf[i + 1] == '\n')) {
			i++;
			continue;
		}
		if (c == '\0' || (c < 0x20 && c != '\t') || c == 0x7F) {
			scan_error(s, line, NULL,
				   "check that the path names the INI file; it must be plain text",
				   "contains the control character 0x%02X: this is not a text file",
				   c);
			return -1;
		}
		size_t l = text_utf8_seq(buf + i, len - i);
		if (l == 0) {
			scan_error(s, line, NULL,
				   "save the file as UTF-8 text",
				   "contains bytes that are not UTF-8 text (0x%02X)",
				   c);
			return -1;
		}
		i += l;
	}
	return 0;
}

static bool ini_space(char c)
{
	return isspace((unsigned char)c) != 0;
}

/* Trim blanks on both sides of [*b, *e). */
static void trim(const char **b, const char **e)
{
	while (*b < *e && ini_space(**b))
		(*b)++;
	while (*e > *b && ini_space((*e)[-1]))
		(*e)--;
}

/* Whether [b, e) is a usable section or key name; a diagnostic if not. */
static bool name_ok(struct scan *s, int line, const char *what,
		    const char *example, const char *b, const char *e)
{
	char fix[128];
	for (const char *p = b; p < e; p++) {
		if (is_name_char((unsigned char)*p))
			continue;
		snprintf(fix, sizeof(fix),
			 "%s names use letters, digits, '_', '-' and '.' only, %s",
			 what, example);
		scan_error(s, line, NULL, fix, "%s name '%.*s' contains '%c'",
			   what, (int)(e - b), b, *p);
		return false;
	}
	return true;
}

static void scan_section(struct scan *s, const char *b, const char *e,
			 int line, char **cur)
{
	const char *nb = b + 1, *ne = e - 1;
	trim(&nb, &ne);
	if (nb == ne) {
		scan_error(s, line, NULL, "write a section name, e.g. [ca]",
			   "empty section name '[]'");
		return;
	}
	if (!name_ok(s, line, "section", "e.g. [ca]", nb, ne))
		return;
	if (s->nsec >= SCAN_MAX_SECTIONS) {
		char fix[200], known[128];
		config_join(known, sizeof(known), CONFIG_SECTIONS, "[", "]", " ");
		snprintf(fix, sizeof(fix), "remove the extra sections; known ones: %s",
			 known);
		scan_error(s, line, NULL, fix,
			   "more than %d sections; the rest of the file is not read",
			   SCAN_MAX_SECTIONS);
		s->stop = 1;
		return;
	}
	char *name = dup_lower(nb, (size_t)(ne - nb));
	if (!name || add_section(s, name, line) != 0) {
		free(name);
		s->oom = 1;
		return;
	}
	free(*cur);
	*cur = name;
}

static void scan_value_line(struct scan *s, const char *b, const char *e,
			    int line, const char *cur)
{
	const char *eq = memchr(b, '=', (size_t)(e - b));
	const char *kb = b, *ke = eq;
	trim(&kb, &ke);
	if (kb == ke) {
		scan_error(s, line, NULL, "write 'key = value'",
			   "missing key name before '=': '%.*s'",
			   (int)(e - b), b);
		return;
	}
	if (!name_ok(s, line, "key", "e.g. template", kb, ke))
		return;
	char *key = dup_lower(kb, (size_t)(ke - kb));
	if (!key) {
		s->oom = 1;
		return;
	}
	char fbuf[256];
	snprintf(fbuf, sizeof(fbuf), "%s.%s", cur ? cur : "", key);
	const char *field = cur ? fbuf : NULL;

	const char *vb = eq + 1, *ve = e;
	trim(&vb, &ve);
	const char *val = vb;
	size_t vlen;
	if (vb < ve && (*vb == '"' || *vb == '\'')) {
		char q = *vb;
		const char *close = memchr(vb + 1, q, (size_t)(ve - vb - 1));
		if (!close) {
			scan_error(s, line, field,
				   "end the value with the same quote it starts with",
				   "[%s] %s: the value has no closing %c",
				   cur ? cur : "", key, q);
			free(key);
			return;
		}
		const char *rest = close + 1;
		while (rest < ve && ini_space(*rest))
			rest++;
		if (rest < ve && *rest != ';' && *rest != '#') {
			scan_error(s, line, field,
				   "put the whole value in one pair of quotes; a value cannot contain its own quote character (use the other kind of quote around it)",
				   "[%s] %s: unexpected text after the closing quote: '%.*s'",
				   cur ? cur : "", key, (int)(ve - rest), rest);
			free(key);
			return;
		}
		val = vb + 1;
		vlen = (size_t)(close - val);
	} else {
		const char *p = vb;
		for (; p < ve; p++) {
			if (*p != ';' && *p != '#')
				continue;
			if (p == vb || ini_space(p[-1]))
				break;  /* inline comment */
			scan_error(s, line, field,
				   "put the value in double quotes, e.g. key = \"a;b\"",
				   "[%s] %s: value contains '%c'; iniparser would cut the value there; put it in double quotes",
				   cur ? cur : "", key, *p);
			free(key);
			return;
		}
		const char *end = p;
		while (end > vb && ini_space(end[-1]))
			end--;
		vlen = (size_t)(end - vb);
	}

	if (s->n + s->orphans >= SCAN_MAX_ENTRIES) {
		scan_error(s, line, NULL,
			   "remove the extra lines; an answers file has about 50 keys",
			   "more than %d keys; the rest of the file is not read",
			   SCAN_MAX_ENTRIES);
		s->stop = 1;
	} else if (!cur) {
		s->orphans++;
		diag_add(s->dl, DIAG_CONFIG, SEV_WARN, NULL,
			 "put it under the section it belongs to, e.g. [ca]",
			 "'%s' line %d: key '%s' comes before any [section] and is ignored",
			 s->path, line, key);
	} else if (add_entry(s, cur, key, val, vlen, line) != 0) {
		s->oom = 1;
	}
	free(key);
}

static void scan_lines(struct scan *s, const char *buf, size_t len)
{
	char *cur = NULL;
	int line = 0;
	const char *p = buf, *end = buf + len;
	while (p < end && !s->oom && !s->stop) {
		line++;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		if (le - p > INI_LINE_MAX) {
			scan_error(s, line, NULL,
				   "shorten the line, e.g. move a long command into a script",
				   "line longer than %d characters (%ld); iniparser reads at most %d",
				   INI_LINE_MAX, (long)(le - p), INI_LINE_MAX);
			p = next;
			continue;
		}
		const char *b = p, *e = le;
		trim(&b, &e);
		p = next;
		if (b == e)
			continue;
		if (e[-1] == '\\') {
			scan_error(s, line, NULL,
				   "remove the trailing '\\', or quote a value that must end with one: key = \"C:\\dir\\\"",
				   "line ends with '\\', which iniparser joins with the next line");
			continue;
		}
		if (*b == ';' || *b == '#')
			continue;
		if (*b == '[') {
			if (e[-1] != ']') {
				scan_error(s, line, NULL,
					   "write a section header alone on its line, e.g. [ca]",
					   "malformed section header '%.*s'",
					   (int)(e - b), b);
				continue;
			}
			scan_section(s, b, e, line, &cur);
			continue;
		}
		if (!memchr(b, '=', (size_t)(e - b))) {
			scan_error(s, line, NULL,
				   "write 'key = value', a [section] header, or start a comment with ';' or '#'",
				   "'%.*s' is neither a [section], a 'key = value' line nor a comment",
				   (int)(e - b), b);
			continue;
		}
		scan_value_line(s, b, e, line, cur);
	}
	free(cur);
}

void scan_file(struct scan *s, const unsigned char *buf, size_t len)
{
	if (scan_bytes(s, buf, len) == 0)
		scan_lines(s, (const char *)buf, len);
}

/* ---- iniparser with its error callback captured --------------------------- */

static char g_ini_err[1024];

static int capture_error(const char *fmt, ...)
{
	size_t used = strlen(g_ini_err);
	if (used + 1 >= sizeof(g_ini_err))
		return 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(g_ini_err + used, sizeof(g_ini_err) - used, fmt, ap);
	va_end(ap);
	return n;
}

dictionary *ini_load_quiet(const char *path, char *err, size_t errlen)
{
	g_ini_err[0] = '\0';
	iniparser_set_error_callback(capture_error);
	dictionary *d = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	size_t j = 0;
	for (size_t i = 0; g_ini_err[i] && j + 1 < errlen; i++) {
		char ch = g_ini_err[i];
		if (ch == '\n') {
			if (g_ini_err[i + 1] == '\0')
				break;
			ch = ' ';
		}
		err[j++] = ch;
	}
	if (errlen)
		err[j] = '\0';
	return d;
}

