/*
 * answers_write.c - an answers file from a configuration (answers_write.h):
 * the lines through the configuration schema, the INI quoting the loader
 * reads back unchanged, the placeholders for password files and
 * per-computer values, and the 0600 no-replace writes.
 */
#include "core/answers_write.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config_scan.h"
#include "core/config_schema.h"
#include "core/errbuf.h"
#include "core/fsutil.h"
#include "core/stage_table.h"
#include "core/strbuf.h"
#include "core/text.h"

#define VALUE_MAX 2048            /* > INI_LINE_MAX: longer is refused */
#define PLACEHOLDER_PATH "/path/to/file"
#define PLACEHOLDER_FQDN "host.example.com"
#define NOTE_PASSWORD "first line: the password"
#define NOTE_FQDN "differs per computer: set this computer's name, or leave it out to detect it"
#define NOTE_COMPUTER "differs per computer: it names this one"
#define PLACEHOLDER_USER "ca-user"
#define NOTE_USER "the CA account: set it (ca.auth sends a user and password)"
#define ANSWERS_FILE_CAP (1024u * 1024u)
#define NUMBERED_MAX 100

/* ---- one value as an INI line holds it ---------------------------------- */

/* Does v need quotes: ';' or '#' (a comment), a blank at either end
 * (trimmed), a quote first (taken as quoting), '\' last (joins lines),
 * or nothing at all. */
static bool needs_quotes(const char *v, size_t len)
{
	if (!len || strpbrk(v, ";#"))
		return true;
	return isspace((unsigned char)v[0]) ||
	       isspace((unsigned char)v[len - 1]) || v[0] == '"' ||
	       v[0] == '\'' || v[len - 1] == '\\';
}

int answers_ini_value(const char *value, char *out, size_t n, char *why,
		      size_t whylen)
{
	size_t len = strlen(value);
	for (size_t i = 0; i < len;) {
		unsigned char ch = (unsigned char)value[i];
		size_t l = text_utf8_seq((const unsigned char *)value + i,
					 len - i);
		if (ch < 0x20 || ch == 0x7F) {
			errbuf_printf(why, whylen,
				      "it holds the control character 0x%02X, which an INI line cannot hold",
				      ch);
			return -1;
		}
		if (l == 0) {
			errbuf_printf(why, whylen, "it is not UTF-8 text");
			return -1;
		}
		i += l;
	}
	char q = 0;
	if (needs_quotes(value, len)) {
		bool dq = strchr(value, '"') != NULL;
		bool sq = strchr(value, '\'') != NULL;
		if (dq && sq) {
			errbuf_printf(why, whylen,
				      "it must be quoted (it has ';', '#', a quote first, '\\' last or a blank at an end) but holds both ' and \", and an INI value cannot escape a quote");
			return -1;
		}
		q = dq ? '\'' : '"';
	}
	int w = q ? snprintf(out, n, "%c%s%c", q, value, q)
		  : snprintf(out, n, "%s", value);
	if (w < 0 || (size_t)w >= n || w > INI_LINE_MAX) {
		errbuf_printf(why, whylen,
			      "it is longer than an INI line holds (%d characters)",
			      INI_LINE_MAX);
		return -1;
	}
	return 0;
}

/* ---- what a line is -------------------------------------------------------- */

/* The computer the answers were made on: the configured FQDN, else the
 * one the state recorded (ctx_fqdn's order); NULL when neither, or when
 * it is no host name (it names a file and stands in comment lines). */
static const char *answers_fqdn(const struct config *cfg,
				const struct state *st)
{
	struct verdict v;
	const char *f = cfg->fqdn && *cfg->fqdn ? cfg->fqdn
			: st && st->fqdn && *st->fqdn ? st->fqdn : NULL;
	if (!f || config_key_check_text(config_key_find("computer.fqdn"), f,
					&v) == SEV_FAIL)
		return NULL;
	return f;
}

static bool host_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

/* Does value name this computer: its FQDN anywhere, or its host name (the
 * FQDN's first label, 3 characters or more) as a word of its own? */
static bool names_computer(const char *value, const char *fqdn)
{
	if (!fqdn || !*fqdn)
		return false;
	if (strcasestr(value, fqdn))
		return true;
	size_t hl = strcspn(fqdn, ".");
	if (hl < 3)
		return false;
	for (size_t i = 0; value[i]; i++)
		if ((i == 0 || !host_char(value[i - 1])) &&
		    strncasecmp(value + i, fqdn, hl) == 0 &&
		    !host_char(value[i + hl]))
			return true;
	return false;
}

/* The pin the next computer checks: the configured one, else the root
 * stage 1 trusted in the state; NULL when none. */
static const char *state_pin(const struct config *cfg, const struct state *st)
{
	if (cfg->trust_sha256 || !st || !st->root_sha256 ||
	    !stage_status_finished(st->stage[STAGE_TRUST]))
		return NULL;
	return st->root_sha256;
}

/* ---- the text ---------------------------------------------------------------- */

struct writer {
	struct strbuf b;
	const struct config *cfg;
	const struct state *st;
	const char *fqdn;
	const char *section;       /* the last section header written */
	char *err;
	size_t errlen;
	int failed;
};

static void put_section(struct writer *w, const struct config_key *k)
{
	if (w->section && strcmp(w->section, k->section) == 0)
		return;
	strbuf_printf(&w->b, "%s[%s]\n", w->section ? "\n" : "", k->section);
	w->section = k->section;
}

/* "key = value", or "; key = value  ; note" when note is given (commented
 * out: uncommenting it gives the value, the note stays a comment). */
static void put_line(struct writer *w, const struct config_key *k,
		     const char *value, const char *note)
{
	char q[VALUE_MAX], why[256], line[INI_LINE_MAX + 2];
	if (w->failed)
		return;
	if (answers_ini_value(value, q, sizeof(q), why, sizeof(why)) < 0) {
		errbuf_printf(w->err, w->errlen,
			      "cannot write '%s' into an answers file: %s",
			      k->name, why);
		w->failed = 1;
		return;
	}
	int n = note ? snprintf(line, sizeof(line), "; %s = %s  ; %s", k->key,
				q, note)
		     : snprintf(line, sizeof(line), "%s = %s", k->key, q);
	if (n < 0 || n > INI_LINE_MAX) {
		errbuf_printf(w->err, w->errlen,
			      "cannot write '%s' into an answers file: the line would be longer than an INI line holds (%d characters)",
			      k->name, INI_LINE_MAX);
		w->failed = 1;
		return;
	}
	put_section(w, k);
	strbuf_printf(&w->b, "%s\n", line);
}

/* A password file: always a placeholder; [ca]'s only when its auth sends
 * a password or a file was named. */
static void put_password_file(struct writer *w, const struct config_key *k,
			      const char *value)
{
	bool ca = strcmp(k->section, "ca") == 0;
	if (ca && !*value && !ca_auth_needs_password(w->cfg->ca_auth))
		return;
	put_line(w, k, *value ? value : PLACEHOLDER_PATH, NOTE_PASSWORD);
}

static void put_key(struct writer *w, const struct config_key *k,
		    const struct config *defaults)
{
	char value[VALUE_MAX], def[VALUE_MAX];
	config_key_get_text(w->cfg, k, value, sizeof(value));
	config_key_get_text(defaults, k, def, sizeof(def));
	if (strcmp(k->key, "password_file") == 0) {
		put_password_file(w, k, value);
		return;
	}
	if (strcmp(k->name, "computer.fqdn") == 0) {
		put_line(w, k, w->fqdn ? w->fqdn : PLACEHOLDER_FQDN, NOTE_FQDN);
		return;
	}
	/* a state records no CA account (it is no stage's input): without
	 * one the next run stops at the loader, so ask for it here */
	if (strcmp(k->name, "ca.user") == 0 && !*value && w->cfg->ca_url &&
	    ca_auth_needs_password(w->cfg->ca_auth)) {
		put_line(w, k, PLACEHOLDER_USER, NOTE_USER);
		return;
	}
	const char *pin = k->pin ? state_pin(w->cfg, w->st) : NULL;
	struct verdict v;
	if (pin && config_key_check_text(k, pin, &v) != SEV_FAIL) {
		put_section(w, k);
		strbuf_printf(&w->b, "; the root %s trusted%s%s: the next "
			      "computer trusts exactly this root\n",
			      stage_ref(STAGE_TRUST), w->fqdn ? " on " : "",
			      w->fqdn ? w->fqdn : "");
		put_line(w, k, pin, NULL);
		return;
	}
	bool set = (w->cfg->explicit_keys & CONFIG_KEY_BIT(k)) != 0;
	if ((!set && strcmp(value, def) == 0) || (k->type == CT_STR && !*value))
		return;
	bool mine = k->type == CT_STR && !k->pin &&
		    names_computer(value, w->fqdn);
	put_line(w, k, value, mine ? NOTE_COMPUTER : NULL);
}

static void put_header(struct writer *w, time_t now)
{
	char when[64];
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(when, sizeof(when), "an unknown date");
	strbuf_printf(&w->b, "; answers for opsmgr-enroll, written by opsmgr-enroll %s on %s\n",
		      OPSMGR_VERSION, when);
	if (w->fqdn)
		strbuf_printf(&w->b, "; from the enrollment of %s\n", w->fqdn);
	strbuf_puts(&w->b,
		    ";\n"
		    "; The next computer: opsmgr-enroll --answers FILE --non-interactive\n"
		    "; No password is in this file.  Each \"; password_file =\" line names a\n"
		    "; file to create (chmod 600, its first line the password): give its\n"
		    "; path and remove the \"; \" in front.  Lines marked \"differs per\n"
		    "; computer\" are commented out: set them for the next computer, or\n"
		    "; leave them out.\n\n");
}

char *answers_text(const struct config *cfg, const struct state *st,
		   time_t now, char *err, size_t errlen)
{
	struct config defaults;
	struct writer w = { .b = STRBUF_INIT, .cfg = cfg, .st = st,
			    .fqdn = answers_fqdn(cfg, st), .err = err,
			    .errlen = errlen };
	config_init(&defaults);
	put_header(&w, now);
	for (size_t i = 0; i < config_key_count() && !w.failed; i++)
		put_key(&w, config_key_at(i), &defaults);
	config_release(&defaults);
	if (w.failed) {
		strbuf_release(&w.b);
		return NULL;
	}
	char *text = strbuf_take(&w.b);
	if (!text)
		errbuf_printf(err, errlen, "cannot write the answers: out of memory");
	return text;
}

/* ---- files ---------------------------------------------------------------- */

int answers_write(const char *path, const struct config *cfg,
		  const struct state *st, bool overwrite, char *err,
		  size_t errlen)
{
	if (!overwrite && fs_exists(path)) {
		errbuf_printf(err, errlen,
			      "'%s' already exists; it is not replaced", path);
		return -1;
	}
	char *text = answers_text(cfg, st, time(NULL), err, errlen);
	if (!text)
		return -1;
	int rc = overwrite ? fs_write_atomic(path, text, strlen(text), 0600,
					     err, errlen)
			   : fs_write_new(path, text, strlen(text), 0600, err,
					  errlen);
	free(text);
	return rc;
}

/* Text after the first line (the header's date). */
static const char *after_date(const char *text)
{
	const char *nl = strchr(text, '\n');
	return nl ? nl + 1 : "";
}

/* Does the file at path hold text, apart from the first line? */
static bool same_answers(const char *path, const char *text)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[FS_ERRLEN];
	if (!fs_is_regular(path) ||
	    fs_read_file(path, ANSWERS_FILE_CAP, &buf, &len, err, sizeof(err)) != 0)
		return false;
	bool same = strcmp(after_date((const char *)buf), after_date(text)) == 0;
	free(buf);
	return same;
}

/* <dir>/answers-<fqdn>[-N].ini (answers[-N].ini without an FQDN). */
static char *numbered_path(const char *dir, const char *fqdn, int n)
{
	char name[512];
	char num[16] = "";
	if (n > 1)
		snprintf(num, sizeof(num), "-%d", n);
	if (fqdn)
		snprintf(name, sizeof(name), "answers-%s%s.ini", fqdn, num);
	else
		snprintf(name, sizeof(name), "answers%s.ini", num);
	return fs_join(dir, name);
}

int answers_save_in(const char *dir, const struct config *cfg,
		    const struct state *st, char *saved, size_t savedlen,
		    char *err, size_t errlen)
{
	const char *fqdn = answers_fqdn(cfg, st);
	char *text = answers_text(cfg, st, time(NULL), err, errlen);
	int rc = -1;
	if (!text)
		return -1;
	errbuf_printf(err, errlen, "cannot save the answers in '%s': "
		      "answers-*.ini up to %d are taken", dir, NUMBERED_MAX);
	for (int n = 1; n <= NUMBERED_MAX && rc < 0; n++) {
		char *path = numbered_path(dir, fqdn, n);
		if (!path) {
			errbuf_printf(err, errlen, "cannot save the answers: out of memory");
			break;
		}
		if (same_answers(path, text))
			rc = 1;
		else if (!fs_exists(path) &&
			 fs_write_new(path, text, strlen(text), 0600, err,
				      errlen) == 0)
			rc = 0;
		else if (!fs_exists(path)) {
			free(path);         /* not a name taken meanwhile */
			break;
		}
		if (rc >= 0)
			snprintf(saved, savedlen, "%s", path);
		free(path);
	}
	free(text);
	return rc;
}
