/*
 * state_format.c - struct state as a record and as text (state.h): its
 * members and names, init/release, and the state file's line format:
 * formatting and strict parsing.  Files and the directory are state.c's.
 *
 * Format (STATE_VERSION 1):
 *     opsmgr-enroll-state 1
 *     key=value            one per line, value percent-escaped
 *     ...
 *     end
 * In values '%', '=', CR, LF, other control characters and DEL are written
 * as %XX (upper-case hex); other bytes (UTF-8 included) as they are.  A
 * string member that is NULL has no line; an empty string has "key=".
 * Parsing is strict: unknown version, missing "end", text after it, a line
 * without '=', a bad escape, an unescaped control character or '=', a
 * duplicate key, an unknown enum value or a bad number make the whole file
 * corrupt.  Unknown keys are skipped (a newer version may add some).
 *
 * state_parse() and state_load() expect s to have been set up with
 * state_init(); on success the old contents are released and replaced.
 */
#include "core/state.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stage_table.h"
#include "core/config_schema.h"
#include "core/strbuf.h"
#include "core/text.h"

#define STATE_HEADER "opsmgr-enroll-state"

static const char *const STATUS_NAMES[] = { "none", "done", "warn", "failed",
					    "waiting", "skipped", NULL };
static const char *const PHASE_NAMES[] = { "none", "key_written",
					   "submitting", "pending", "issued",
					   "denied", NULL };

static const char *const RENEWAL_NAMES[] = { "none", "due", "running",
					     NULL };

const char *stage_status_name(enum stage_status st)
{
	return (unsigned)st <= STAGE_ST_SKIPPED ? STATUS_NAMES[st] : "unknown";
}

const char *request_phase_name(enum request_phase p)
{
	return (unsigned)p <= REQ_DENIED ? PHASE_NAMES[p] : "unknown";
}

const char *renewal_phase_name(enum renewal_phase p)
{
	return (unsigned)p <= RENEWAL_RUNNING ? RENEWAL_NAMES[p] : "unknown";
}

/* ---- the string members, in file order ----------------------------------- */

#define SOFF(m) offsetof(struct state, m)
static const struct {
	const char *key;
	size_t off;
} STRS[] = {
	{ "fqdn", SOFF(fqdn) },
	{ "root_sha256", SOFF(root_sha256) },
	{ "root_path", SOFF(root_path) },
	{ "request_ca_url", SOFF(request_ca_url) },
	{ "request_template", SOFF(request_template) },
	{ "disposition", SOFF(disposition) },
	{ "key_path", SOFF(key_path) },
	{ "csr_path", SOFF(csr_path) },
	{ "cert_path", SOFF(cert_path) },
	{ "chain_path", SOFF(chain_path) },
	{ "cert_sha256", SOFF(cert_sha256) },
	{ "pfx_path", SOFF(pfx_path) },
	{ "pfx_sha256", SOFF(pfx_sha256) },
	{ "pfx_password", SOFF(pfx_password) },
	{ "agent_config_path", SOFF(agent_config_path) },
	{ "serial_hex", SOFF(serial_hex) },
	{ "thumbprint", SOFF(thumbprint) },
	{ "approval", SOFF(approval) },
	{ "approval_at", SOFF(approval_at) },
	{ "mgmt_server", SOFF(mgmt_server) },
	{ "mgmt_port", SOFF(mgmt_port) },
	{ "mgmt_group", SOFF(mgmt_group) },
	{ "serial_reversed", SOFF(serial_reversed) },
	{ "reg_file", SOFF(reg_file) },
	{ "bundle_dir", SOFF(bundle_dir) },
	{ "bundle_zip", SOFF(bundle_zip) },
	{ "bundle_files", SOFF(bundle_files) },
	{ "ca_web_root", SOFF(ca_web_root) },
	{ "previous_serial", SOFF(previous_serial) },
};
#define NSTRS (sizeof(STRS) / sizeof(STRS[0]))

static char **str_at(struct state *s, size_t i)
{
	return (char **)((char *)s + STRS[i].off);
}

static char *const *str_at_c(const struct state *s, size_t i)
{
	return (char *const *)((const char *)s + STRS[i].off);
}

void state_init(struct state *s)
{
	memset(s, 0, sizeof(*s));
	s->version = STATE_VERSION;
	s->role = ROLE_AGENT;
	for (int i = 0; i < STAGE_COUNT; i++)
		s->stage[i] = STAGE_ST_NONE;
	s->req_phase = REQ_NONE;
}

void state_release(struct state *s)
{
	for (size_t i = 0; i < NSTRS; i++) {
		char **m = str_at(s, i);
		free(*m);
		*m = NULL;
	}
	for (int i = 0; i < STAGE_COUNT; i++) {
		free(s->inputs[i]);
		free(s->digest[i]);
	}
	state_init(s);
}

void state_set_str(char **member, const char *v)
{
	char *n = v ? strdup(v) : NULL;
	free(*member);
	*member = n;
}

/* ---- formatting ---------------------------------------------------------- */

static bool needs_escape(unsigned char c)
{
	return c == '%' || c == '=' || c < 0x20 || c == 0x7F;
}

static void sb_escaped(struct strbuf *b, const char *key, const char *v)
{
	strbuf_put(b, key, strlen(key));
	strbuf_put(b, "=", 1);
	const char *run = v;
	for (const char *p = v; *p; p++) {
		if (!needs_escape((unsigned char)*p))
			continue;
		strbuf_put(b, run, (size_t)(p - run));
		strbuf_printf(b, "%%%02X", (unsigned char)*p);
		run = p + 1;
	}
	strbuf_put(b, run, strlen(run));
	strbuf_put(b, "\n", 1);
}

char *state_format(const struct state *s)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_printf(&b, "%s %d\n", STATE_HEADER, STATE_VERSION);
	strbuf_printf(&b, "role=%s\n", (unsigned)s->role <= ROLE_SERVER ?
		  CONFIG_NAMES_ROLE[s->role] : CONFIG_NAMES_ROLE[0]);
	for (int i = STAGE_FIRST; i <= STAGE_LAST; i++)
		strbuf_printf(&b, "stage%d=%s\n", i, stage_status_name(s->stage[i]));
	strbuf_printf(&b, "req_phase=%s\n", request_phase_name(s->req_phase));
	strbuf_printf(&b, "request_id=%ld\n", s->request_id);
	strbuf_printf(&b, "submitted_at=%" PRId64 "\n", (int64_t)s->submitted_at);
	if (s->renewal != RENEWAL_NONE)
		strbuf_printf(&b, "renewal=%s\n",
			      renewal_phase_name(s->renewal));
	for (size_t i = 0; i < NSTRS; i++) {
		const char *v = *str_at_c(s, i);
		if (v)
			sb_escaped(&b, STRS[i].key, v);
	}
	for (int i = STAGE_FIRST; i <= STAGE_LAST; i++) {
		char key[32];
		if (s->inputs[i]) {
			snprintf(key, sizeof(key), "stage%d_inputs", i);
			sb_escaped(&b, key, s->inputs[i]);
		}
		if (s->digest[i]) {
			snprintf(key, sizeof(key), "stage%d_digest", i);
			sb_escaped(&b, key, s->digest[i]);
		}
	}
	strbuf_printf(&b, "updated=%" PRId64 "\n", (int64_t)s->updated);
	strbuf_put(&b, "end\n", 4);
	return strbuf_take(&b);
}

/* ---- parsing ------------------------------------------------------------- */

static int perr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Unescape [v, v+len) into a new string; NULL + err on a bad escape. */
static char *unescape(const char *v, size_t len, int line, char *err,
		      size_t errlen)
{
	char *out = malloc(len + 1);
	if (!out) {
		perr(err, errlen, "out of memory");
		return NULL;
	}
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '%') {
			int h = i + 2 < len ? text_hex_digit(v[i + 1]) : -1;
			int l = i + 2 < len ? text_hex_digit(v[i + 2]) : -1;
			if (h < 0 || l < 0) {
				free(out);
				perr(err, errlen,
				     "line %d: bad escape '%.*s' (expected %% and two hex digits)",
				     line, (int)(len - i < 3 ? len - i : 3), v + i);
				return NULL;
			}
			out[o++] = (char)(h * 16 + l);
			i += 2;
			continue;
		}
		if (c < 0x20 || c == 0x7F || c == '=') {
			free(out);
			perr(err, errlen,
			     "line %d: unescaped character 0x%02X in a value", line,
			     c);
			return NULL;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

static int lookup(const char *const *names, const char *v)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

/* Decimal integer >= 0 with no sign, spaces or trailing text. */
static int parse_nonneg(const char *v, long long max, long long *out)
{
	if (!*v)
		return -1;
	long long n = 0;
	for (const char *p = v; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		int d = *p - '0';
		if (n > (max - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

/*
 * Decimal integer in -max..max, optional '-', nothing else.  Numbers are
 * written as they are in memory, so whatever state_format writes (even a
 * value a stage should not have set) reads back.
 */
static int parse_signed(const char *v, long long max, long long *out)
{
	bool neg = *v == '-';
	if (parse_nonneg(neg ? v + 1 : v, max, out) != 0)
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

/* Keys the parser knows (so duplicates of them are caught). */
enum { K_ROLE, K_STAGE, K_INPUTS = K_STAGE + STAGE_COUNT,
       K_DIGEST = K_INPUTS + STAGE_COUNT, K_PHASE = K_DIGEST + STAGE_COUNT,
       K_REQID, K_SUBMITTED, K_UPDATED, K_RENEWAL, K_STR0 };
#define NSEEN (K_STR0 + (int)NSTRS)

/* "stageN" + suffix with N a stage number: N, else 0. */
static int stage_key(const char *key, const char *suffix)
{
	if (strncmp(key, "stage", 5) != 0 || key[5] - '0' < STAGE_FIRST ||
	    key[5] - '0' > STAGE_LAST || strcmp(key + 6, suffix) != 0)
		return 0;
	return key[5] - '0';
}

static int key_index(const char *key)
{
	if (strcmp(key, "role") == 0)
		return K_ROLE;
	if (stage_key(key, ""))
		return K_STAGE + stage_key(key, "");
	if (stage_key(key, "_inputs"))
		return K_INPUTS + stage_key(key, "_inputs");
	if (stage_key(key, "_digest"))
		return K_DIGEST + stage_key(key, "_digest");
	if (strcmp(key, "req_phase") == 0)
		return K_PHASE;
	if (strcmp(key, "request_id") == 0)
		return K_REQID;
	if (strcmp(key, "submitted_at") == 0)
		return K_SUBMITTED;
	if (strcmp(key, "updated") == 0)
		return K_UPDATED;
	if (strcmp(key, "renewal") == 0)
		return K_RENEWAL;
	for (size_t i = 0; i < NSTRS; i++)
		if (strcmp(key, STRS[i].key) == 0)
			return K_STR0 + (int)i;
	return -1;
}

static int set_field(struct state *t, int idx, const char *key, char *val,
		     int line, char *err, size_t errlen)
{
	long long n;
	int e;
	if (idx == K_ROLE) {
		e = lookup(CONFIG_NAMES_ROLE, val);
		if (e < 0)
			return perr(err, errlen, "line %d: unknown role '%s'",
				    line, val);
		t->role = (enum role)e;
	} else if (idx > K_STAGE && idx < K_STAGE + STAGE_COUNT) {
		e = lookup(STATUS_NAMES, val);
		if (e < 0)
			return perr(err, errlen,
				    "line %d: unknown stage status '%s' for %s",
				    line, val, key);
		t->stage[idx - K_STAGE] = (enum stage_status)e;
	} else if (idx == K_PHASE || idx == K_RENEWAL) {
		bool phase = idx == K_PHASE;
		e = lookup(phase ? PHASE_NAMES : RENEWAL_NAMES, val);
		if (e < 0)
			return perr(err, errlen, "line %d: unknown %s phase '%s'",
				    line, phase ? "request" : "renewal", val);
		if (phase)
			t->req_phase = (enum request_phase)e;
		else
			t->renewal = (enum renewal_phase)e;
	} else if (idx == K_REQID) {
		if (parse_signed(val, LONG_MAX, &n) != 0)
			return perr(err, errlen,
				    "line %d: request_id '%s' is not a number",
				    line, val);
		t->request_id = (long)n;
	} else if (idx == K_SUBMITTED || idx == K_UPDATED) {
		if (parse_signed(val, INT64_MAX, &n) != 0)
			return perr(err, errlen,
				    "line %d: %s '%s' is not a time in seconds",
				    line, key, val);
		if (idx == K_SUBMITTED)
			t->submitted_at = (time_t)n;
		else
			t->updated = (time_t)n;
	}
	return 0;
}

int state_parse(struct state *s, const char *buf, size_t len, char *err,
		size_t errlen)
{
	struct state t;
	state_init(&t);
	bool seen[NSEEN];
	memset(seen, 0, sizeof(seen));
	int line = 0, rc = -1;
	bool ended = false;
	const char *p = buf, *end = buf + len;
	char *val = NULL;

	if (!buf || len == 0) {
		perr(err, errlen, "the file is empty");
		goto out;
	}
	while (p < end) {
		line++;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			perr(err, errlen,
			     "line %d: the file ends in the middle of a line (truncated)",
			     line);
			goto out;
		}
		const char *lb = p;
		size_t ll = (size_t)(nl - p);
		p = nl + 1;
		if (memchr(lb, '\0', ll)) {
			perr(err, errlen, "line %d: contains a NUL byte", line);
			goto out;
		}
		if (ended) {
			perr(err, errlen, "line %d: text after the 'end' line",
			     line);
			goto out;
		}
		if (line == 1) {
			size_t hl = strlen(STATE_HEADER);
			if (ll <= hl + 1 || memcmp(lb, STATE_HEADER, hl) != 0 ||
			    lb[hl] != ' ') {
				perr(err, errlen,
				     "line 1: not an opsmgr-enroll state file (expected '%s %d')",
				     STATE_HEADER, STATE_VERSION);
				goto out;
			}
			char vb[16];
			size_t vl = ll - hl - 1;
			long long v;
			if (vl >= sizeof(vb)) {
				perr(err, errlen, "line 1: bad version");
				goto out;
			}
			memcpy(vb, lb + hl + 1, vl);
			vb[vl] = '\0';
			if (parse_nonneg(vb, INT32_MAX, &v) != 0) {
				perr(err, errlen, "line 1: bad version '%s'", vb);
				goto out;
			}
			if (v != STATE_VERSION) {
				perr(err, errlen,
				     "line 1: unsupported state version %lld (this program reads version %d)",
				     v, STATE_VERSION);
				goto out;
			}
			continue;
		}
		if (ll == 3 && memcmp(lb, "end", 3) == 0) {
			ended = true;
			continue;
		}
		const char *eq = memchr(lb, '=', ll);
		if (!eq || eq == lb) {
			perr(err, errlen, "line %d: expected key=value, found '%.*s'",
			     line, (int)(ll > 40 ? 40 : ll), lb);
			goto out;
		}
		size_t kl = (size_t)(eq - lb);
		char key[64];
		if (kl >= sizeof(key)) {
			perr(err, errlen, "line %d: key too long", line);
			goto out;
		}
		for (size_t i = 0; i < kl; i++) {
			unsigned char c = (unsigned char)lb[i];
			if (!(islower(c) || isdigit(c) || c == '_')) {
				perr(err, errlen,
				     "line %d: bad character 0x%02X in a key",
				     line, c);
				goto out;
			}
		}
		memcpy(key, lb, kl);
		key[kl] = '\0';
		val = unescape(eq + 1, ll - kl - 1, line, err, errlen);
		if (!val)
			goto out;
		int idx = key_index(key);
		if (idx >= 0) {
			if (seen[idx]) {
				perr(err, errlen, "line %d: duplicate key '%s'",
				     line, key);
				goto out;
			}
			seen[idx] = true;
			if (idx >= K_STR0) {
				char **m = str_at(&t, (size_t)(idx - K_STR0));
				*m = val;
				val = NULL;
			} else if (idx >= K_INPUTS && idx < K_PHASE) {
				char **m = idx < K_DIGEST
						   ? &t.inputs[idx - K_INPUTS]
						   : &t.digest[idx - K_DIGEST];
				*m = val;
				val = NULL;
			} else if (set_field(&t, idx, key, val, line, err,
					     errlen) != 0) {
				goto out;
			}
		}
		free(val);
		val = NULL;
	}
	if (line == 0 || !ended) {
		perr(err, errlen, "no 'end' line: the file is incomplete (truncated)");
		goto out;
	}
	state_release(s);
	*s = t;
	state_init(&t);
	rc = 0;
out:
	free(val);
	state_release(&t);
	return rc;
}
