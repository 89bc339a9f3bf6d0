/*
 * config.c - the configuration / answers file (config.h): the schema table,
 * a strict scan of every INI file before iniparser sees it, loading through
 * iniparser 4.1 with its error callback captured, per-value validation, the
 * layers (system < user < --config < --answers) and cross-field checks.
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
 * Every value iniparser returns (iniparser_getstring only) is compared
 * with the scan's; numbers are parsed here with strtol and full checks.
 * ';' or '#' after a blank in an unquoted value starts an inline comment.
 * A file is read with a 1 MiB cap and at most 1000 keys / 100 sections.
 * A file with any failure changes nothing in struct config.
 *
 * Cross-field checks (config_validate) fail on contradictions; a setting
 * that the wizard can still ask for (the [ca] user for basic auth while no
 * CA URL is configured) is not required yet.
 */
#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iniparser.h>

#include "sys/fsutil.h"
#include "sys/proc.h"
#include "core/text.h"

#define INI_LINE_MAX 1022         /* longest line iniparser 4.1 accepts */
#define INI_VALUE_MAX 1000        /* longest value we write */
#define INI_FILE_CAP (1024u * 1024u)
#define SCAN_MAX_ERRORS 20
#define SCAN_MAX_ENTRIES 1000     /* an answers file has about 50 keys */
#define SCAN_MAX_SECTIONS 100
#define SHOW_MAX 80               /* longest value quoted in a message */
#define SYSTEM_CONFIG "/etc/opsmgr-enroll/opsmgr-enroll.ini"
#define APP_DIR "opsmgr-enroll"
#define CONFIG_FILE "opsmgr-enroll.ini"

/* ---- enum names ---------------------------------------------------------- */

static const char *const TRUST_NAMES[] = { "ca", "file", "url", NULL };
static const char *const AUTH_NAMES[] = { "basic", "ntlm", "negotiate",
					  "cert", "none", NULL };
static const char *const COMPAT_NAMES[] = { "modern", "legacy", NULL };
static const char *const TARGET_NAMES[] = { "local", "windows", NULL };
static const char *const APPROVAL_NAMES[] = { "lab", "command", "none", NULL };
static const char *const ROLE_NAMES[] = { "agent", "server", NULL };

static const char *enum_name(const char *const *names, int n, int v)
{
	return v >= 0 && v < n ? names[v] : "unknown";
}

const char *trust_source_name(enum trust_source s)
{
	return enum_name(TRUST_NAMES, 3, (int)s);
}

const char *ca_auth_name(enum ca_auth a)
{
	return enum_name(AUTH_NAMES, 5, (int)a);
}

const char *pfx_compat_name(enum pfx_compat c)
{
	return enum_name(COMPAT_NAMES, 2, (int)c);
}

const char *agent_target_name(enum agent_target t)
{
	return enum_name(TARGET_NAMES, 2, (int)t);
}

const char *approval_source_name(enum approval_source s)
{
	return enum_name(APPROVAL_NAMES, 3, (int)s);
}

const char *role_name(enum role r)
{
	return enum_name(ROLE_NAMES, 2, (int)r);
}

/* ---- schema ------------------------------------------------------------ */

enum kind {
	K_STR,      /* free text on one line */
	K_PATH,     /* a file or directory path */
	K_CMD,      /* an argv string (proc_split_argv) */
	K_HOST,     /* DNS name or IP address */
	K_URL,      /* http:// or https:// URL */
	K_PIN,      /* SHA-256 fingerprint */
	K_MGMT,     /* Operations Manager management group name */
	K_INT,
	K_BOOL,
	K_ENUM
};

struct keydef {
	const char *section;
	const char *key;
	enum kind kind;
	size_t off;                 /* offsetof(struct config, member) */
	int min, max;               /* K_INT */
	const char *unit;           /* K_INT: " seconds", "" */
	const char *const *names;   /* K_ENUM, NULL terminated */
};

_Static_assert(sizeof(enum trust_source) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ca_auth) == sizeof(int), "enum size");
_Static_assert(sizeof(enum pfx_compat) == sizeof(int), "enum size");
_Static_assert(sizeof(enum agent_target) == sizeof(int), "enum size");
_Static_assert(sizeof(enum approval_source) == sizeof(int), "enum size");
_Static_assert(sizeof(enum role) == sizeof(int), "enum size");

#define OFF(m) offsetof(struct config, m)
#define S(sec, key, kind, m) { sec, key, kind, OFF(m), 0, 0, NULL, NULL }
#define I(sec, key, m, lo, hi, unit) { sec, key, K_INT, OFF(m), lo, hi, unit, NULL }
#define E(sec, key, m, names) { sec, key, K_ENUM, OFF(m), 0, 0, NULL, names }

static const struct keydef KEYS[] = {
	S("computer", "fqdn", K_HOST, fqdn),

	E("trust", "source", trust_source, TRUST_NAMES),
	S("trust", "file", K_PATH, trust_file),
	S("trust", "url", K_URL, trust_url),
	S("trust", "store", K_PATH, trust_store),
	S("trust", "sha256", K_PIN, trust_sha256),
	S("trust", "accept", K_BOOL, trust_accept),

	S("ca", "url", K_URL, ca_url),
	S("ca", "template", K_STR, ca_template),
	E("ca", "auth", ca_auth, AUTH_NAMES),
	S("ca", "user", K_STR, ca_user),
	S("ca", "password_file", K_PATH, ca_password_file),
	S("ca", "client_cert", K_PATH, ca_client_cert),
	S("ca", "client_key", K_PATH, ca_client_key),
	S("ca", "ca_file", K_PATH, ca_file),
	I("ca", "timeout", ca_timeout, 1, 86400, " seconds"),
	S("ca", "allow_insecure_http", K_BOOL, ca_allow_http),

	I("key", "bits", key_bits, 1024, 16384, " bits"),

	S("export", "pfx", K_PATH, export_pfx),
	S("export", "password_file", K_PATH, export_password_file),
	E("export", "compat", export_compat, COMPAT_NAMES),
	S("export", "friendly_name", K_STR, export_friendly_name),
	S("export", "overwrite", K_BOOL, export_overwrite),
	S("export", "include_chain", K_BOOL, export_include_chain),

	S("agent", "management_group", K_MGMT, agent_mgmt_group),
	S("agent", "server", K_HOST, agent_server),
	I("agent", "port", agent_port, 1, 65535, ""),
	S("agent", "config", K_PATH, agent_config),
	S("agent", "install_command", K_CMD, agent_install_command),
	S("agent", "restart_command", K_CMD, agent_restart_command),
	I("agent", "command_timeout", agent_command_timeout, 1, 86400,
	  " seconds"),
	E("agent", "target", agent_target, TARGET_NAMES),
	S("agent", "reg_file", K_PATH, agent_reg_file),
	S("agent", "msi_command_file", K_PATH, agent_msi_command_file),

	E("approval", "source", approval_source, APPROVAL_NAMES),
	S("approval", "command", K_CMD, approval_command),
	S("approval", "list_command", K_CMD, approval_list_command),
	S("approval", "approve_command", K_CMD, approval_approve_command),
	I("approval", "interval", approval_interval, 1, 3600, " seconds"),
	I("approval", "timeout", approval_timeout, 1, 604800, " seconds"),

	S("wizard", "state_dir", K_PATH, state_dir),
	E("wizard", "role", role, ROLE_NAMES),
};
#define NKEYS (sizeof(KEYS) / sizeof(KEYS[0]))

static const char *const SECTIONS[] = { "computer", "trust", "ca", "key",
					"export", "agent", "approval",
					"wizard", NULL };

static char **str_member(struct config *c, const struct keydef *k)
{
	return (char **)((char *)c + k->off);
}

/* ---- init / release ---------------------------------------------------- */

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->trust_source = TRUST_SRC_CA;
	c->ca_auth = AUTH_BASIC;
	c->ca_timeout = CONFIG_DEFAULT_CA_TIMEOUT;
	c->key_bits = CONFIG_DEFAULT_KEY_BITS;
	c->export_compat = COMPAT_MODERN;
	c->export_include_chain = true;
	c->agent_port = CONFIG_DEFAULT_PORT;
	c->agent_command_timeout = CONFIG_DEFAULT_COMMAND_TIMEOUT;
	c->agent_target = TARGET_LOCAL;
	c->approval_source = APPROVAL_LAB;
	c->approval_interval = CONFIG_DEFAULT_INTERVAL;
	c->approval_timeout = CONFIG_DEFAULT_APPROVAL_TIMEOUT;
	c->role = ROLE_AGENT;
	c->stage_from = 1;
	c->stage_to = 7;
}

void config_release(struct config *c)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct keydef *k = &KEYS[i];
		if (k->kind == K_INT || k->kind == K_BOOL || k->kind == K_ENUM)
			continue;
		char **m = str_member(c, k);
		free(*m);
		*m = NULL;
	}
	free(c->loaded_files);
	c->loaded_files = NULL;
	config_init(c);
}

void config_set_str(char **member, const char *v)
{
	char *n = v ? strdup(v) : NULL;
	free(*member);
	*member = n;
}

/* ---- small helpers ------------------------------------------------------ */

/* A value as shown in messages: cut after SHOW_MAX characters. */
static const char *show(const char *v, char *buf, size_t len)
{
	size_t n = strlen(v);
	if (n <= SHOW_MAX || len < SHOW_MAX + 4)
		return v;
	memcpy(buf, v, SHOW_MAX);
	memcpy(buf + SHOW_MAX, "...", 4);
	return buf;
}

static void lower_first(char *s)
{
	if (s[0] && s[1] && !isupper((unsigned char)s[1]))
		s[0] = (char)tolower((unsigned char)s[0]);
}

static const char *errno_text(int e, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(e));
	lower_first(buf);
	return buf;
}

static bool is_name_char(unsigned char ch)
{
	return isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
}

static int find_enum(const char *const *names, const char *v)
{
	for (int i = 0; names[i]; i++)
		if (strcasecmp(names[i], v) == 0)
			return i;
	return -1;
}

static void join_names(const char *const *names, char *buf, size_t len)
{
	buf[0] = '\0';
	size_t used = 0;
	for (int i = 0; names[i]; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 names[i]);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* Optimal string alignment distance (a transposition counts as one). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* Closest candidate within distance 2 (and shorter than the word). */
static const char *closest(const char *word, const char *const *cands,
			   size_t n)
{
	const char *best = NULL;
	size_t bestd = 3;
	size_t wl = strlen(word);
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i]);
		if (d < bestd && d < wl) {
			best = cands[i];
			bestd = d;
		}
	}
	return best;
}

static bool section_known(const char *s)
{
	for (int i = 0; SECTIONS[i]; i++)
		if (strcmp(SECTIONS[i], s) == 0)
			return true;
	return false;
}

static const struct keydef *find_key(const char *section, const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(KEYS[i].section, section) == 0 &&
		    strcmp(KEYS[i].key, key) == 0)
			return &KEYS[i];
	return NULL;
}

/* ---- the scan ------------------------------------------------------------ */

struct entry {
	char *section;      /* lowercased, "" before the first section */
	char *key;          /* lowercased */
	char *value;        /* as iniparser should return it */
	int line;
	bool superseded;    /* a later line sets the same key */
};

struct scan {
	const char *path;
	struct diag_list *dl;
	struct entry *e;
	size_t n, cap;
	char **secs;        /* sections seen, with their first line */
	int *sec_line;
	size_t nsec, seccap;
	int errors;
	int oom;
	int stop;           /* give up on the rest of the file */
	size_t orphans;     /* keys before the first section */
};

static void scan_release(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].section);
		free(s->e[i].key);
		free(s->e[i].value);
	}
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
		struct entry *ne = realloc(s->e, nc * sizeof(*ne));
		if (!ne)
			return -1;
		s->e = ne;
		s->cap = nc;
	}
	struct entry *e = &s->e[s->n];
	e->section = strdup(section);
	e->key = strdup(key);
	e->value = malloc(vlen + 1);
	if (!e->section || !e->key || !e->value) {
		free(e->section);
		free(e->key);
		free(e->value);
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
	for (const char *p = nb; p < ne; p++) {
		if (!is_name_char((unsigned char)*p)) {
			scan_error(s, line, NULL,
				   "section names use letters, digits, '_', '-' and '.' only, e.g. [ca]",
				   "section name '%.*s' contains '%c'",
				   (int)(ne - nb), nb, *p);
			return;
		}
	}
	if (s->nsec >= SCAN_MAX_SECTIONS) {
		scan_error(s, line, NULL,
			   "remove the extra sections; known ones: [computer] [trust] [ca] [key] [export] [agent] [approval] [wizard]",
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
	for (const char *p = kb; p < ke; p++) {
		if (!is_name_char((unsigned char)*p)) {
			scan_error(s, line, NULL,
				   "key names use letters, digits, '_', '-' and '.' only",
				   "key name '%.*s' contains '%c'",
				   (int)(ke - kb), kb, *p);
			return;
		}
	}
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

/* Load with iniparser, its complaints captured into err (never stderr). */
static dictionary *ini_load_quiet(const char *path, char *err, size_t errlen)
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

/* ---- value validation ------------------------------------------------------ */

struct staged {
	const struct keydef *def;
	char *s;
	int i;
};

struct vctx {
	const char *path;
	int line;
	const char *section;
	const char *key;
	const char *value;
	char field[256];
	struct diag_list *dl;
};

static void vfail(struct vctx *v, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void vfail(struct vctx *v, const char *fix, const char *fmt, ...)
{
	char problem[512], sb[SHOW_MAX + 4];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	diag_add(v->dl, DIAG_CONFIG, SEV_FAIL, v->field, fix,
		 "'%s' line %d: [%s] %s = '%s' %s", v->path, v->line,
		 v->section, v->key, show(v->value, sb, sizeof(sb)), problem);
}

static int parse_int(struct vctx *v, const struct keydef *k, int *out)
{
	char ex[64];
	snprintf(ex, sizeof(ex), "write a whole number from %d to %d%s",
		 k->min, k->max, k->unit);
	const char *s = v->value;
	if (!*s) {
		vfail(v, ex, "is empty: a number is needed");
		return -1;
	}
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p)) {
		vfail(v, ex, "is not a number");
		return -1;
	}
	errno = 0;
	char *end = NULL;
	long n = strtol(s, &end, 10);
	if (end == s || *end != '\0') {
		vfail(v, ex, "is not a number");
		return -1;
	}
	if (errno == ERANGE || n < k->min || n > k->max) {
		vfail(v, ex, "is out of range: it must be between %d and %d%s",
		      k->min, k->max, k->unit);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static int parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "1", NULL };
	static const char *const no[] = { "no", "false", "0", NULL };
	for (int i = 0; yes[i]; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (int i = 0; no[i]; i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

static int check_host(struct vctx *v)
{
	const char *s = v->value;
	const char *fix = "write a DNS name such as 'host.example.com' or an IP address";
	unsigned char buf[16];
	if (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1)
		return 0;
	size_t n = strlen(s);
	if (n && s[n - 1] == '.')
		n--;                    /* one trailing dot: fully qualified */
	if (n == 0) {
		vfail(v, fix, "is not a valid DNS name");
		return -1;
	}
	if (n > 253) {
		vfail(v, fix, "is too long for a DNS name (%zu characters, at most 253)", n);
		return -1;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i;
		for (; j < n && s[j] != '.'; j++) {
			if (!isalnum((unsigned char)s[j]) && s[j] != '-') {
				vfail(v, fix, "is not a valid DNS name: '%c' is not allowed (letters, digits, '-' and '.')", s[j]);
				return -1;
			}
		}
		if (j == i || (j < n && j + 1 == n)) {
			vfail(v, fix, "is not a valid DNS name: it has an empty label (\"..\" or a leading '.')");
			return -1;
		}
		if (j - i > 63) {
			vfail(v, fix, "is not a valid DNS name: a label is longer than 63 characters");
			return -1;
		}
		if (s[i] == '-' || s[j - 1] == '-') {
			vfail(v, fix, "is not a valid DNS name: a label starts or ends with '-'");
			return -1;
		}
		i = j + 1;
	}
	return 0;
}

static int check_url(struct vctx *v)
{
	const char *s = v->value;
	const char *fix = "write the full URL, e.g. https://ca.example.com/certsrv/";
	const char *rest;
	if (strncasecmp(s, "https://", 8) == 0)
		rest = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		rest = s + 7;
	else {
		vfail(v, fix, "is not an http:// or https:// URL");
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if (ini_space(*p)) {
			vfail(v, "write spaces in a URL as %20", "contains a space");
			return -1;
		}
	}
	size_t alen = strcspn(rest, "/?#");
	if (alen == 0) {
		vfail(v, fix, "has no host name");
		return -1;
	}
	if (memchr(rest, '@', alen)) {
		vfail(v, "put the user name in [ca] user and the password in a file named by [ca] password_file",
		      "must not contain a user name or password");
		return -1;
	}
	/* a port after the host (IPv6 literals are in brackets) */
	const char *ab = rest, *ae = rest + alen;
	const char *colon = NULL;
	if (*ab == '[') {
		const char *rb = memchr(ab, ']', alen);
		if (!rb) {
			vfail(v, fix, "has an unterminated '[' in the host");
			return -1;
		}
		if (rb + 1 < ae) {
			if (rb[1] != ':') {
				vfail(v, fix, "has text after the IPv6 address");
				return -1;
			}
			colon = rb + 1;
		}
	} else {
		colon = memchr(ab, ':', alen);
		if (colon == ab) {
			vfail(v, fix, "has no host name");
			return -1;
		}
	}
	if (colon) {
		const char *pb = colon + 1;
		long port = 0;
		if (pb == ae) {
			vfail(v, fix, "has an empty port after ':'");
			return -1;
		}
		for (const char *p = pb; p < ae; p++) {
			if (!isdigit((unsigned char)*p) || port > 65535) {
				vfail(v, "write the port as a number from 1 to 65535",
				      "has an invalid port '%.*s'", (int)(ae - pb), pb);
				return -1;
			}
			port = port * 10 + (*p - '0');
		}
		if (port < 1 || port > 65535) {
			vfail(v, "write the port as a number from 1 to 65535",
			      "has a port out of range (%ld)", port);
			return -1;
		}
	}
	return 0;
}

static char *normalise_pin(struct vctx *v)
{
	char hex[65];
	size_t n = 0;
	const char *fix = "write the SHA-256 fingerprint as 64 hex digits, colons allowed (AB:CD:...)";
	for (const char *p = v->value; *p; p++) {
		if (*p == ':')
			continue;
		if (!isxdigit((unsigned char)*p)) {
			vfail(v, fix, "is not a SHA-256 fingerprint: '%c' is not a hex digit", *p);
			return NULL;
		}
		if (n < 64)
			hex[n] = (char)toupper((unsigned char)*p);
		n++;
	}
	if (n != 64) {
		vfail(v, fix, "is not a SHA-256 fingerprint: it has %zu hex digits, 64 are needed", n);
		return NULL;
	}
	hex[64] = '\0';
	return strdup(hex);
}

static int check_mgmt_group(struct vctx *v)
{
	static const char bad[] = "()^~:;.!?\",'`@#%\\/*+=$|&[]<>{}";
	const char *s = v->value;
	const char *fix = "use letters, digits, '-', '_' and inner spaces only; the name cannot be changed later";
	if (ini_space(s[0]) || ini_space(s[strlen(s) - 1])) {
		vfail(v, fix, "begins or ends with a space");
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if (strchr(bad, *p)) {
			vfail(v, fix, "is not a valid management group name: '%c' is not allowed", *p);
			return -1;
		}
	}
	return 0;
}

/* Validate one value into st.  0 ok, -1 failure (diagnostic added). */
static int validate_value(struct vctx *v, const struct keydef *k,
			  struct staged *st)
{
	st->def = k;
	st->s = NULL;
	st->i = 0;
	char names[128];
	const char *s = v->value;
	switch (k->kind) {
	case K_INT:
		return parse_int(v, k, &st->i);
	case K_BOOL: {
		int b = parse_bool(s);
		if (b < 0) {
			vfail(v, "write yes or no",
			      "is not a yes/no value: use yes, no, true, false, 1 or 0");
			return -1;
		}
		st->i = b;
		return 0;
	}
	case K_ENUM: {
		int i = find_enum(k->names, s);
		if (i < 0) {
			join_names(k->names, names, sizeof(names));
			char fix[160];
			snprintf(fix, sizeof(fix), "write one of: %s", names);
			vfail(v, fix, "must be one of %s", names);
			return -1;
		}
		st->i = i;
		return 0;
	}
	default:
		break;
	}
	/* strings: empty means "not set" (back to the default) */
	if (!*s)
		return 0;
	switch (k->kind) {
	case K_HOST:
		if (check_host(v) != 0)
			return -1;
		break;
	case K_URL:
		if (check_url(v) != 0)
			return -1;
		break;
	case K_PIN:
		st->s = normalise_pin(v);
		return st->s ? 0 : -1;
	case K_MGMT:
		if (check_mgmt_group(v) != 0)
			return -1;
		break;
	case K_CMD: {
		/* the same splitting the command will get when it runs */
		char **argv = NULL;
		char err[256] = "";
		if (proc_split_argv(s, &argv, err, sizeof(err)) != 0) {
			vfail(v, "write the program and its arguments separated by blanks; quote arguments with '...' or \"...\"",
			      "is not a usable command: %s", err);
			return -1;
		}
		proc_argv_free(argv);
		break;
	}
	case K_PATH:
		if (s[0] == '~')
			diag_add(v->dl, DIAG_CONFIG, SEV_WARN, v->field,
				 "write the full path, e.g. /home/me/...",
				 "'%s' line %d: [%s] %s = '%s': '~' is not expanded; the path is used literally",
				 v->path, v->line, v->section, v->key, s);
		break;
	default:
		break;
	}
	st->s = strdup(s);
	return st->s ? 0 : -1;
}

static void apply_staged(struct config *c, const struct staged *st)
{
	const struct keydef *k = st->def;
	char *base = (char *)c + k->off;
	switch (k->kind) {
	case K_INT:
		memcpy(base, &st->i, sizeof(int));
		break;
	case K_ENUM:
		memcpy(base, &st->i, sizeof(int));
		break;
	case K_BOOL: {
		bool b = st->i != 0;
		memcpy(base, &b, sizeof(bool));
		break;
	}
	default: {
		char **m = (char **)base;
		free(*m);
		*m = st->s;
		break;
	}
	}
}

/* ---- loading one file --------------------------------------------------- */

static void warn_unknown_section(struct scan *s, size_t i)
{
	const char *name = s->secs[i];
	const char *sug = closest(name, SECTIONS, sizeof(SECTIONS) / sizeof(SECTIONS[0]) - 1);
	char fix[160];
	if (sug)
		snprintf(fix, sizeof(fix), "rename it to [%s]", sug);
	else
		snprintf(fix, sizeof(fix),
			 "known sections: [computer] [trust] [ca] [key] [export] [agent] [approval] [wizard]");
	if (sug)
		diag_add(s->dl, DIAG_CONFIG, SEV_WARN, NULL, fix,
			 "'%s' line %d: unknown section [%s] (did you mean [%s]?); its keys are ignored",
			 s->path, s->sec_line[i], name, sug);
	else
		diag_add(s->dl, DIAG_CONFIG, SEV_WARN, NULL, fix,
			 "'%s' line %d: unknown section [%s]; its keys are ignored",
			 s->path, s->sec_line[i], name);
}

static void warn_unknown_key(struct scan *s, const struct entry *e)
{
	const char *cands[NKEYS];
	size_t n = 0;
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(KEYS[i].section, e->section) == 0)
			cands[n++] = KEYS[i].key;
	char field[256], fix[256];
	snprintf(field, sizeof(field), "%s.%s", e->section, e->key);
	const char *sug = closest(e->key, cands, n);
	if (sug) {
		snprintf(fix, sizeof(fix), "rename it to '%s'", sug);
		diag_add(s->dl, DIAG_CONFIG, SEV_WARN, field, fix,
			 "'%s' line %d: unknown key [%s] %s (did you mean '%s'?)",
			 s->path, e->line, e->section, e->key, sug);
		return;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(KEYS[i].key, e->key) == 0) {
			snprintf(fix, sizeof(fix), "move it to [%s]",
				 KEYS[i].section);
			diag_add(s->dl, DIAG_CONFIG, SEV_WARN, field, fix,
				 "'%s' line %d: unknown key [%s] %s (it belongs in [%s])",
				 s->path, e->line, e->section, e->key,
				 KEYS[i].section);
			return;
		}
	}
	size_t used = 0;
	fix[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(fix + used, sizeof(fix) - used, "%s%s",
				 i ? ", " : "known keys: ", cands[i]);
		if (w < 0 || (size_t)w >= sizeof(fix) - used)
			break;
		used += (size_t)w;
	}
	diag_add(s->dl, DIAG_CONFIG, SEV_WARN, field, fix[0] ? fix : NULL,
		 "'%s' line %d: unknown key [%s] %s; it is ignored", s->path,
		 e->line, e->section, e->key);
}

static void mark_duplicates(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t j = i + 1; j < s->n; j++) {
			if (strcmp(s->e[i].section, s->e[j].section) == 0 &&
			    strcmp(s->e[i].key, s->e[j].key) == 0) {
				s->e[i].superseded = true;
				char field[256];
				snprintf(field, sizeof(field), "%s.%s",
					 s->e[i].section, s->e[i].key);
				diag_add(s->dl, DIAG_CONFIG, SEV_WARN, field,
					 "remove one of the two lines",
					 "'%s': [%s] %s is set twice (lines %d and %d); the later one is used",
					 s->path, s->e[i].section, s->e[i].key,
					 s->e[i].line, s->e[j].line);
				break;
			}
		}
	}
}

static void append_loaded(struct config *c, const char *path)
{
	char *n = NULL;
	if (c->loaded_files) {
		if (asprintf(&n, "%s, %s", c->loaded_files, path) < 0)
			return;
	} else {
		n = strdup(path);
		if (!n)
			return;
	}
	free(c->loaded_files);
	c->loaded_files = n;
}

/* Interpret the scanned entries (checked against iniparser's reading). */
static int interpret(struct config *c, struct scan *s, dictionary *d)
{
	int fails = 0;
	struct staged *st = calloc(s->n ? s->n : 1, sizeof(*st));
	size_t nst = 0;
	if (!st) {
		diag_add(s->dl, DIAG_CONFIG, SEV_FAIL, NULL, NULL,
			 "cannot load '%s': out of memory", s->path);
		return -1;
	}
	for (size_t i = 0; i < s->nsec; i++)
		if (!section_known(s->secs[i]))
			warn_unknown_section(s, i);
	mark_duplicates(s);

	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->e[i];
		if (e->superseded)
			continue;
		char field[256];
		snprintf(field, sizeof(field), "%s.%s", e->section, e->key);
		if (strcmp(e->key, "password") == 0) {
			char fix[200];
			if (strcmp(e->section, "ca") == 0 ||
			    strcmp(e->section, "export") == 0)
				snprintf(fix, sizeof(fix),
					 "put the password in a file only you can read (chmod 600) and set [%s] password_file to its path",
					 e->section);
			else
				snprintf(fix, sizeof(fix),
					 "remove it; passwords are read from files named by password_file, or typed");
			diag_add(s->dl, DIAG_CONFIG, SEV_FAIL, field, fix,
				 "'%s' line %d: [%s] password is not allowed: passwords are never written into INI files",
				 s->path, e->line, e->section);
			fails++;
			continue;
		}
		if (!section_known(e->section))
			continue;
		const struct keydef *k = find_key(e->section, e->key);
		if (!k) {
			warn_unknown_key(s, e);
			continue;
		}
		char ikey[256];
		snprintf(ikey, sizeof(ikey), "%s:%s", e->section, e->key);
		const char *iv = iniparser_getstring(d, ikey, NULL);
		if (!iv || strcmp(iv, e->value) != 0) {
			char sb[SHOW_MAX + 4], sb2[SHOW_MAX + 4];
			diag_add(s->dl, DIAG_CONFIG, SEV_FAIL, field,
				 "put the value in double quotes",
				 "cannot parse '%s': line %d: iniparser reads [%s] %s as '%s' but the line says '%s'",
				 s->path, e->line, e->section, e->key,
				 iv ? show(iv, sb, sizeof(sb)) : "(nothing)",
				 show(e->value, sb2, sizeof(sb2)));
			fails++;
			continue;
		}
		struct vctx v = { .path = s->path, .line = e->line,
				  .section = e->section,
				  .key = e->key, .value = iv, .dl = s->dl };
		snprintf(v.field, sizeof(v.field), "%s", field);
		if (validate_value(&v, k, &st[nst]) != 0) {
			fails++;
			continue;
		}
		nst++;
	}
	if (fails) {
		for (size_t i = 0; i < nst; i++)
			if (st[i].def->kind != K_INT && st[i].def->kind != K_BOOL &&
			    st[i].def->kind != K_ENUM)
				free(st[i].s);
		free(st);
		return -1;
	}
	for (size_t i = 0; i < nst; i++)
		apply_staged(c, &st[i]);
	free(st);
	append_loaded(c, s->path);
	return 0;
}

int config_load_file(struct config *c, const char *path, bool required,
		     struct diag_list *dl)
{
	char eb[256];
	if (!path || !*path) {
		diag_add(dl, DIAG_CONFIG, SEV_FAIL, NULL, NULL,
			 "cannot load a configuration file: no path given");
		return -1;
	}
	struct stat sb;
	if (stat(path, &sb) != 0) {
		int e = errno;
		if (!required && (e == ENOENT || e == ENOTDIR))
			return 0;
		diag_add(dl, DIAG_CONFIG, required ? SEV_FAIL : SEV_WARN, NULL,
			 e == ENOENT ? "check the file name and directory" : NULL,
			 "cannot read '%s': %s%s", path,
			 e == ENOENT ? "the file does not exist" : errno_text(e, eb, sizeof(eb)),
			 required ? "" : "; skipped");
		return required ? -1 : 0;
	}
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[FS_ERRLEN];
	if (fs_read_file(path, INI_FILE_CAP, &buf, &len, err, sizeof(err)) != 0) {
		diag_add(dl, DIAG_CONFIG, required ? SEV_FAIL : SEV_WARN, NULL,
			 NULL, "%s%s", err, required ? "" : "; skipped");
		return required ? -1 : 0;
	}

	struct scan s;
	memset(&s, 0, sizeof(s));
	s.path = path;
	s.dl = dl;
	int rc = -1;
	if (scan_bytes(&s, buf, len) == 0)
		scan_lines(&s, (const char *)buf, len);
	free(buf);
	if (s.oom) {
		diag_add(dl, DIAG_CONFIG, SEV_FAIL, NULL, NULL,
			 "cannot load '%s': out of memory", path);
		goto out;
	}
	if (s.errors)
		goto out;

	char ierr[512];
	dictionary *d = ini_load_quiet(path, ierr, sizeof(ierr));
	if (!d) {
		diag_add(dl, DIAG_CONFIG, SEV_FAIL, NULL,
			 "check the file's syntax: [section] headers and key = value lines",
			 "cannot parse '%s': %s", path,
			 ierr[0] ? ierr : "iniparser rejected the file");
		goto out;
	}
	rc = interpret(c, &s, d);
	iniparser_freedict(d);
out:
	scan_release(&s);
	return rc;
}

/* ---- layers ------------------------------------------------------------- */

static char *home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && h[0] == '/')
		return strdup(h);
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res &&
	    res->pw_dir && res->pw_dir[0] == '/')
		return strdup(res->pw_dir);
	return NULL;
}

/* $VAR/<app>/<file> when VAR is absolute, else ~/<fallback>/<app>/<file>. */
static char *xdg_path(const char *var, const char *fallback, const char *file)
{
	const char *x = getenv(var);
	char *r = NULL;
	if (x && x[0] == '/') {
		if (asprintf(&r, "%s/%s%s%s", x, APP_DIR, file ? "/" : "",
			     file ? file : "") < 0)
			return NULL;
		return r;
	}
	char *h = home_dir();
	if (!h)
		return NULL;
	if (asprintf(&r, "%s/%s/%s%s%s", strcmp(h, "/") == 0 ? "" : h,
		     fallback, APP_DIR, file ? "/" : "", file ? file : "") < 0)
		r = NULL;
	free(h);
	return r;
}

char *config_default_state_dir(void)
{
	return xdg_path("XDG_STATE_HOME", ".local/state", NULL);
}

int config_load_layers(struct config *c, const char *config_path,
		       const char *answers_path, struct diag_list *dl)
{
	int rc = 0;
	const char *sys = getenv("OPSMGR_ENROLL_SYSTEM_CONFIG");
	if (!sys)
		sys = SYSTEM_CONFIG;
	if (*sys && config_load_file(c, sys, false, dl) != 0)
		rc = -1;
	char *user = xdg_path("XDG_CONFIG_HOME", ".config", CONFIG_FILE);
	if (user && config_load_file(c, user, false, dl) != 0)
		rc = -1;
	free(user);
	if (config_path && config_load_file(c, config_path, true, dl) != 0)
		rc = -1;
	if (answers_path && config_load_file(c, answers_path, true, dl) != 0)
		rc = -1;
	return rc;
}

/* ---- cross-field checks ------------------------------------------------- */

int config_validate(const struct config *c, struct diag_list *dl)
{
	int fails = 0;
#define NEED(cond, field, fix, ...)                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			diag_add(dl, DIAG_CONFIG, SEV_FAIL, field, fix,      \
				 __VA_ARGS__);                               \
			fails++;                                             \
		}                                                            \
	} while (0)

	if (c->trust_source == TRUST_SRC_FILE)
		NEED(c->trust_file, "trust.file",
		     "set [trust] file to the .p7b, .cer or PEM file holding the CA certificates",
		     "[trust] source = file needs [trust] file");
	if (c->trust_source == TRUST_SRC_URL)
		NEED(c->trust_url, "trust.url",
		     "set [trust] url to the http(s) address of the CA certificate file",
		     "[trust] source = url needs [trust] url");
	if (c->ca_auth == AUTH_BASIC && c->ca_url)
		NEED(c->ca_user && *c->ca_user, "ca.user",
		     "set [ca] user, or choose another [ca] auth",
		     "[ca] auth = basic needs [ca] user");
	if (c->ca_auth == AUTH_CERT) {
		NEED(c->ca_client_cert, "ca.client_cert",
		     "set [ca] client_cert to the PEM certificate used to log in to the CA",
		     "[ca] auth = cert needs [ca] client_cert");
		NEED(c->ca_client_key, "ca.client_key",
		     "set [ca] client_key to the PEM private key of the client certificate",
		     "[ca] auth = cert needs [ca] client_key");
	}
	if (c->ca_url && strncasecmp(c->ca_url, "http://", 7) == 0) {
		if (c->ca_allow_http)
			diag_add(dl, DIAG_CONFIG, SEV_WARN, "ca.url",
				 "use https:// unless this is a test setup",
				 "[ca] url '%s' is plain http: the password and the request travel unencrypted ([ca] allow_insecure_http = yes)",
				 c->ca_url);
		else
			NEED(false, "ca.url",
			     "use https://, or set [ca] allow_insecure_http = yes for a test setup",
			     "[ca] url '%s' is plain http; the CA must be reached over https",
			     c->ca_url);
	}
	if (c->approval_source == APPROVAL_COMMAND) {
		if (c->role == ROLE_SERVER) {
			NEED(c->approval_list_command, "approval.list_command",
			     "set [approval] list_command to the command that lists pending agents",
			     "[approval] source = command on a management server needs [approval] list_command");
			NEED(c->approval_approve_command,
			     "approval.approve_command",
			     "set [approval] approve_command; {agent} is replaced by the agent's name",
			     "[approval] source = command on a management server needs [approval] approve_command");
		} else {
			NEED(c->approval_command, "approval.command",
			     "set [approval] command to a command that exits 0 once the agent is approved",
			     "[approval] source = command needs [approval] command");
		}
	}
	if (c->approval_interval > c->approval_timeout)
		diag_add(dl, DIAG_CONFIG, SEV_WARN, "approval.interval",
			 "make [approval] interval smaller than [approval] timeout",
			 "[approval] interval (%d s) is longer than [approval] timeout (%d s): only one check will be made",
			 c->approval_interval, c->approval_timeout);
	NEED(c->stage_from >= 1 && c->stage_to <= 7 &&
		     c->stage_from <= c->stage_to,
	     NULL, "give --stages A-B with 1 <= A <= B <= 7",
	     "stages %d-%d are not a range within 1-7", c->stage_from,
	     c->stage_to);
#undef NEED
	return fails ? -1 : 0;
}

/* ---- writing values ----------------------------------------------------- */

bool config_value_ok_for_ini(const char *value)
{
	if (!value)
		return false;
	size_t n = strlen(value);
	if (n > INI_VALUE_MAX)
		return false;
	if (n && (ini_space(value[0]) || ini_space(value[n - 1])))
		return false;
	if (n && value[n - 1] == '\\')
		return false;
	for (size_t i = 0; i < n;) {
		unsigned char ch = (unsigned char)value[i];
		if (ch < 0x20 || ch == 0x7F || ch == ';' || ch == '#' ||
		    ch == '"' || ch == '\'')
			return false;
		size_t l = text_utf8_seq((const unsigned char *)value + i, n - i);
		if (l == 0)
			return false;
		i += l;
	}
	return true;
}
