/*
 * config_load.c - the layered loader of config.h: one file (scanned by
 * config_scan.c, then read by iniparser 4.1 and compared value by value),
 * each value judged by its key's rule in the schema (config_schema.c),
 * the layers (system < user < --config < --answers), the cross-field
 * checks, and which values can be written back to an INI file.
 *
 * Every value iniparser returns (iniparser_getstring only) is compared
 * with the scan's; numbers are parsed by the schema, never by iniparser.
 * A file is read with a 1 MiB cap.  A file with any failure changes
 * nothing in struct config.
 *
 * Cross-field checks (config_validate) fail on contradictions; a setting
 * that the wizard can still ask for (the [ca] user for basic auth while no
 * CA URL is configured) is not required yet.
 */
#include "core/config_load.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config_scan.h"
#include "core/config_schema.h"
#include "core/stage_table.h"
#include "core/text.h"
#include "core/fsutil.h"

#define INI_VALUE_MAX 1000        /* longest value we write */
#define INI_FILE_CAP (1024u * 1024u)
#define SHOW_MAX 80               /* longest value quoted in a message */
#define SYSTEM_CONFIG "/etc/opsmgr-enroll/opsmgr-enroll.ini"
#define APP_DIR "opsmgr-enroll"
#define CONFIG_FILE "opsmgr-enroll.ini"

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
	for (int i = 0; CONFIG_SECTIONS[i]; i++)
		if (strcmp(CONFIG_SECTIONS[i], s) == 0)
			return true;
	return false;
}

/* ---- loading one file --------------------------------------------------- */

static void warn_unknown_section(struct scan *s, size_t i)
{
	const char *name = s->secs[i];
	size_t nsec = 0;
	while (CONFIG_SECTIONS[nsec])
		nsec++;
	const char *sug = closest(name, CONFIG_SECTIONS, nsec);
	char fix[200], known[128];
	config_join(known, sizeof(known), CONFIG_SECTIONS, "[", "]", " ");
	if (sug)
		snprintf(fix, sizeof(fix), "rename it to [%s]", sug);
	else
		snprintf(fix, sizeof(fix), "known sections: %s", known);
	if (sug)
		diag_add(s->dl, DIAG_CONFIG, SEV_WARN, NULL, fix,
			 "'%s' line %d: unknown section [%s] (did you mean [%s]?); its keys are ignored",
			 s->path, s->sec_line[i], name, sug);
	else
		diag_add(s->dl, DIAG_CONFIG, SEV_WARN, NULL, fix,
			 "'%s' line %d: unknown section [%s]; its keys are ignored",
			 s->path, s->sec_line[i], name);
}

static void warn_unknown_key(struct scan *s, const struct scan_entry *e)
{
	size_t nkeys = config_key_count(), n = 0;
	const char *cands[nkeys + 1];
	for (size_t i = 0; i < nkeys; i++)
		if (strcmp(config_key_at(i)->section, e->section) == 0)
			cands[n++] = config_key_at(i)->key;
	cands[n] = NULL;
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
	for (size_t i = 0; i < nkeys; i++) {
		const struct config_key *k = config_key_at(i);
		if (strcmp(k->key, e->key) == 0) {
			snprintf(fix, sizeof(fix), "move it to [%s]", k->section);
			diag_add(s->dl, DIAG_CONFIG, SEV_WARN, field, fix,
				 "'%s' line %d: unknown key [%s] %s (it belongs in [%s])",
				 s->path, e->line, e->section, e->key,
				 k->section);
			return;
		}
	}
	char known[200];
	config_join(known, sizeof(known), cands, "", "", ", ");
	snprintf(fix, sizeof(fix), "known keys: %s", known);
	diag_add(s->dl, DIAG_CONFIG, SEV_WARN, field, n ? fix : NULL,
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

/* A value that passed its key's rule, stored once the whole file passed. */
struct staged {
	const struct config_key *k;
	const char *text;           /* the scan's entry */
};

/* The rule's verdict on one line, with the file and line in front. */
static void value_diag(struct scan *s, const struct scan_entry *e,
		       const char *field, const struct verdict *v)
{
	diag_add(s->dl, DIAG_CONFIG, v->sev, field, v->fix[0] ? v->fix : NULL,
		 "'%s' line %d: [%s] %s: %s", s->path, e->line, e->section,
		 e->key, v->msg);
}

static void refuse_password(struct scan *s, const struct scan_entry *e,
			    const char *field)
{
	char fix[200];
	if (strcmp(e->section, "ca") == 0 || strcmp(e->section, "export") == 0)
		snprintf(fix, sizeof(fix),
			 "put the password in a file only you can read (chmod 600) and set [%s] password_file to its path",
			 e->section);
	else
		snprintf(fix, sizeof(fix),
			 "remove it; passwords are read from files named by password_file, or typed");
	diag_add(s->dl, DIAG_CONFIG, SEV_FAIL, field, fix,
		 "'%s' line %d: [%s] password is not allowed: passwords are never written into INI files",
		 s->path, e->line, e->section);
}

/* Whether iniparser read the value the scan saw; a diagnostic if not. */
static bool same_as_iniparser(struct scan *s, const struct scan_entry *e,
			      const char *field, dictionary *d)
{
	char ikey[256], sb[SHOW_MAX + 4], sb2[SHOW_MAX + 4];
	snprintf(ikey, sizeof(ikey), "%s:%s", e->section, e->key);
	const char *iv = iniparser_getstring(d, ikey, NULL);
	if (iv && strcmp(iv, e->value) == 0)
		return true;
	diag_add(s->dl, DIAG_CONFIG, SEV_FAIL, field,
		 "put the value in double quotes",
		 "cannot parse '%s': line %d: iniparser reads [%s] %s as '%s' but the line says '%s'",
		 s->path, e->line, e->section, e->key,
		 iv ? show(iv, sb, sizeof(sb)) : "(nothing)",
		 show(e->value, sb2, sizeof(sb2)));
	return false;
}

/* Judge one entry: 1 staged, 0 nothing to store, -1 a failure. */
static int judge(struct scan *s, const struct scan_entry *e, dictionary *d,
		 struct staged *st)
{
	char field[256];
	struct verdict v;
	snprintf(field, sizeof(field), "%s.%s", e->section, e->key);
	if (strcmp(e->key, "password") == 0) {
		refuse_password(s, e, field);
		return -1;
	}
	if (!section_known(e->section))
		return 0;
	const struct config_key *k = config_key_lookup(e->section, e->key);
	if (!k) {
		warn_unknown_key(s, e);
		return 0;
	}
	if (!same_as_iniparser(s, e, field, d))
		return -1;
	st->k = k;
	st->text = e->value;
	if (k->type == CT_STR && !*e->value)
		return 1;           /* empty: back to the default */
	if (config_key_check_text(k, e->value, &v) != SEV_PASS)
		value_diag(s, e, field, &v);
	return v.sev == SEV_FAIL ? -1 : 1;
}

/* Interpret the scanned entries (checked against iniparser's reading). */
static int interpret(struct config *c, struct scan *s, dictionary *d,
		     bool explicit_layer)
{
	int fails = 0;
	size_t nst = 0;
	struct staged *st = calloc(s->n ? s->n : 1, sizeof(*st));
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
		if (s->e[i].superseded)
			continue;
		int r = judge(s, &s->e[i], d, &st[nst]);
		if (r < 0)
			fails++;
		else if (r > 0)
			nst++;
	}
	for (size_t i = 0; !fails && i < nst; i++) {
		if (config_key_set_text(c, st[i].k, st[i].text, NULL) != 0)
			fails++;
		else if (explicit_layer)
			c->explicit_keys |= CONFIG_KEY_BIT(st[i].k);
	}
	free(st);
	if (fails)
		return -1;
	append_loaded(c, s->path);
	return 0;
}

/* A file that cannot be read: 0 skipped (optional layer), -1 failure. */
static int unreadable(const char *path, int e, bool required,
		      struct diag_list *dl)
{
	char eb[256];
	if (!required && (e == ENOENT || e == ENOTDIR))
		return 0;
	diag_add(dl, DIAG_CONFIG, required ? SEV_FAIL : SEV_WARN, NULL,
		 e == ENOENT ? "check the file name and directory" : NULL,
		 "cannot read '%s': %s%s", path,
		 e == ENOENT ? "the file does not exist" : diag_errno_text(e, eb, sizeof(eb)),
		 required ? "" : "; skipped");
	return required ? -1 : 0;
}

/* Scan, then read with iniparser, then interpret. */
static int load_buffer(struct config *c, const char *path,
		       const unsigned char *buf, size_t len, bool explicit_layer,
		       struct diag_list *dl)
{
	struct scan s;
	char ierr[512];
	int rc = -1;
	memset(&s, 0, sizeof(s));
	s.path = path;
	s.dl = dl;
	scan_file(&s, buf, len);
	if (s.oom)
		diag_add(dl, DIAG_CONFIG, SEV_FAIL, NULL, NULL,
			 "cannot load '%s': out of memory", path);
	if (s.oom || s.errors)
		goto out;
	dictionary *d = ini_load_quiet(path, ierr, sizeof(ierr));
	if (!d) {
		diag_add(dl, DIAG_CONFIG, SEV_FAIL, NULL,
			 "check the file's syntax: [section] headers and key = value lines",
			 "cannot parse '%s': %s", path,
			 ierr[0] ? ierr : "iniparser rejected the file");
		goto out;
	}
	rc = interpret(c, &s, d, explicit_layer);
	iniparser_freedict(d);
out:
	scan_release(&s);
	return rc;
}

int config_load_file(struct config *c, const char *path, bool required,
		     struct diag_list *dl)
{
	if (!path || !*path) {
		diag_add(dl, DIAG_CONFIG, SEV_FAIL, NULL, NULL,
			 "cannot load a configuration file: no path given");
		return -1;
	}
	struct stat sb;
	if (stat(path, &sb) != 0)
		return unreadable(path, errno, required, dl);
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[FS_ERRLEN];
	if (fs_read_file(path, INI_FILE_CAP, &buf, &len, err, sizeof(err)) != 0) {
		diag_add(dl, DIAG_CONFIG, required ? SEV_FAIL : SEV_WARN, NULL,
			 NULL, "%s%s", err, required ? "" : "; skipped");
		return required ? -1 : 0;
	}
	int rc = load_buffer(c, path, buf, len, required, dl);
	free(buf);
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
	if (c->ca_url) {
		struct verdict v;
		if (rule_ca_url(c->ca_url, c->ca_allow_http, &v) == SEV_FAIL)
			fails++;
		rule_diag(dl, DIAG_CONFIG, "ca.url", &v);
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
	if (c->stage_from < STAGE_FIRST || c->stage_to > STAGE_LAST ||
	    c->stage_from > c->stage_to) {
		diag_set_fix(diag_add(dl, DIAG_CONFIG, SEV_FAIL, NULL, NULL,
				      "stages %d-%d are not a range within %d-%d",
				      c->stage_from, c->stage_to, STAGE_FIRST,
				      STAGE_LAST),
			     "give --stages A-B with %d <= A <= B <= %d",
			     STAGE_FIRST, STAGE_LAST);
		fails++;
	}
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
	if (n && (isspace((unsigned char)value[0]) ||
		  isspace((unsigned char)value[n - 1])))
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
