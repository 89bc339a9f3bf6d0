/*
 * config_schema.c - the configuration key table (config_schema.h) with
 * each key's type, limits, enumeration names, default and rule; struct
 * config's defaults and release; one value of one key to and from text.
 */
#include "core/config_schema.h"
#include "core/stage_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- enumeration names ------------------------------------------------------ */

const char *const CONFIG_NAMES_TRUST_SOURCE[] = { "ca", "file", "url", NULL };
const char *const CONFIG_NAMES_CA_AUTH[] = { "basic", "ntlm", "negotiate",
					     "cert", "none", NULL };
const char *const CONFIG_NAMES_PFX_COMPAT[] = { "modern", "legacy", NULL };
const char *const CONFIG_NAMES_AGENT_TARGET[] = { "local", "windows", NULL };
const char *const CONFIG_NAMES_APPROVAL_SOURCE[] = { "lab", "command", "none",
						      NULL };
const char *const CONFIG_NAMES_ROLE[] = { "agent", "server", NULL };

/* An enumeration value's name, "unknown" when out of range. */
static const char *config_enum_name(const char *const *names, int v)
{
	for (int i = 0; names[i]; i++)
		if (i == v)
			return names[i];
	return "unknown";
}

#define ENUM_NAME_FN(fn, type, names)                                       \
	const char *fn(type v) { return config_enum_name(names, (int)v); }

ENUM_NAME_FN(trust_source_name, enum trust_source, CONFIG_NAMES_TRUST_SOURCE)
ENUM_NAME_FN(ca_auth_name, enum ca_auth, CONFIG_NAMES_CA_AUTH)
ENUM_NAME_FN(pfx_compat_name, enum pfx_compat, CONFIG_NAMES_PFX_COMPAT)
ENUM_NAME_FN(agent_target_name, enum agent_target, CONFIG_NAMES_AGENT_TARGET)
ENUM_NAME_FN(approval_source_name, enum approval_source, CONFIG_NAMES_APPROVAL_SOURCE)
ENUM_NAME_FN(role_name, enum role, CONFIG_NAMES_ROLE)

bool ca_auth_needs_password(enum ca_auth a)
{
	return a == AUTH_BASIC || a == AUTH_NTLM;
}

/* ---- the table ----------------------------------------------------------- */

_Static_assert(sizeof(enum trust_source) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ca_auth) == sizeof(int), "enum size");
_Static_assert(sizeof(enum pfx_compat) == sizeof(int), "enum size");
_Static_assert(sizeof(enum agent_target) == sizeof(int), "enum size");
_Static_assert(sizeof(enum approval_source) == sizeof(int), "enum size");
_Static_assert(sizeof(enum role) == sizeof(int), "enum size");

#define OFF(m) offsetof(struct config, m)
/* a string with its rule (NULL: any text) */
#define S(sec, k, m, rule)                                                  \
	{ sec, k, sec "." k, CT_STR, OFF(m), 0, 0, NULL, NULL, 0, rule, NULL, false }
#define PIN(sec, k, m)                                                      \
	{ sec, k, sec "." k, CT_STR, OFF(m), 0, 0, NULL, NULL, 0, NULL, NULL, true }
/* a number from lo to hi, or judged by its own rule */
#define I(sec, k, m, lo, hi, unit, def, rule)                               \
	{ sec, k, sec "." k, CT_INT, OFF(m), lo, hi, unit, NULL, def, NULL, rule, false }
#define B(sec, k, m, def)                                                   \
	{ sec, k, sec "." k, CT_BOOL, OFF(m), 0, 0, NULL, NULL, def, NULL, NULL, false }
#define E(sec, k, m, names, def)                                            \
	{ sec, k, sec "." k, CT_ENUM, OFF(m), 0, 0, NULL, names, def, NULL, NULL, false }

static const struct config_key KEYS[] = {
	S("computer", "fqdn", fqdn, rule_computer_fqdn),

	E("trust", "source", trust_source, CONFIG_NAMES_TRUST_SOURCE, TRUST_SRC_CA),
	S("trust", "file", trust_file, rule_path),
	S("trust", "url", trust_url, rule_url),
	S("trust", "store", trust_store, rule_path),
	PIN("trust", "sha256", trust_sha256),
	B("trust", "accept", trust_accept, false),

	S("ca", "url", ca_url, rule_url),
	S("ca", "template", ca_template, rule_template),
	E("ca", "auth", ca_auth, CONFIG_NAMES_CA_AUTH, AUTH_BASIC),
	S("ca", "user", ca_user, NULL),
	S("ca", "password_file", ca_password_file, rule_path),
	S("ca", "client_cert", ca_client_cert, rule_path),
	S("ca", "client_key", ca_client_key, rule_path),
	S("ca", "ca_file", ca_file, rule_path),
	I("ca", "timeout", ca_timeout, 1, 86400, " seconds",
	  CONFIG_DEFAULT_CA_TIMEOUT, NULL),
	B("ca", "allow_insecure_http", ca_allow_http, false),

	I("key", "bits", key_bits, RULE_KEY_BITS_MIN, RULE_KEY_BITS_MAX,
	  " bits", CONFIG_DEFAULT_KEY_BITS, rule_key_bits),

	S("export", "pfx", export_pfx, rule_path),
	S("export", "password_file", export_password_file, rule_path),
	E("export", "compat", export_compat, CONFIG_NAMES_PFX_COMPAT, COMPAT_MODERN),
	S("export", "friendly_name", export_friendly_name, rule_friendly_name),
	B("export", "overwrite", export_overwrite, false),
	B("export", "include_chain", export_include_chain, true),

	S("agent", "management_group", agent_mgmt_group, rule_mgmt_group),
	S("agent", "server", agent_server, rule_server),
	I("agent", "port", agent_port, RULE_PORT_MIN, RULE_PORT_MAX, "",
	  CONFIG_DEFAULT_PORT, rule_port),
	S("agent", "config", agent_config, rule_path),
	S("agent", "install_command", agent_install_command, rule_command),
	S("agent", "restart_command", agent_restart_command, rule_command),
	I("agent", "command_timeout", agent_command_timeout, 1, 86400,
	  " seconds", CONFIG_DEFAULT_COMMAND_TIMEOUT, NULL),
	E("agent", "target", agent_target, CONFIG_NAMES_AGENT_TARGET, TARGET_LOCAL),
	S("agent", "reg_file", agent_reg_file, rule_path),
	S("agent", "msi_command_file", agent_msi_command_file, rule_path),
	S("agent", "bundle_dir", agent_bundle_dir, rule_path),
	S("agent", "push_command", agent_push_command, rule_command),

	E("approval", "source", approval_source, CONFIG_NAMES_APPROVAL_SOURCE, APPROVAL_LAB),
	S("approval", "command", approval_command, rule_command),
	S("approval", "list_command", approval_list_command, rule_command),
	S("approval", "approve_command", approval_approve_command, rule_command),
	I("approval", "interval", approval_interval, 1, 3600, " seconds",
	  CONFIG_DEFAULT_INTERVAL, NULL),
	I("approval", "timeout", approval_timeout, 1, 604800, " seconds",
	  CONFIG_DEFAULT_APPROVAL_TIMEOUT, NULL),

	S("wizard", "state_dir", state_dir, rule_path),
	E("wizard", "role", role, CONFIG_NAMES_ROLE, ROLE_AGENT),
};
#define NKEYS (sizeof(KEYS) / sizeof(KEYS[0]))
_Static_assert(NKEYS <= 64, "explicit_keys has one bit per key");

const char *const CONFIG_SECTIONS[] = { "computer", "trust", "ca", "key",
					"export", "agent", "approval",
					"wizard", NULL };

size_t config_key_count(void)
{
	return NKEYS;
}

const struct config_key *config_key_at(size_t i)
{
	return i < NKEYS ? &KEYS[i] : NULL;
}

size_t config_key_index(const struct config_key *k)
{
	return (size_t)(k - KEYS);
}

const struct config_key *config_key_find(const char *name)
{
	for (size_t i = 0; name && i < NKEYS; i++)
		if (strcmp(KEYS[i].name, name) == 0)
			return &KEYS[i];
	return NULL;
}

const struct config_key *config_key_lookup(const char *section,
					   const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(KEYS[i].section, section) == 0 &&
		    strcmp(KEYS[i].key, key) == 0)
			return &KEYS[i];
	return NULL;
}

/* ---- members --------------------------------------------------------------- */

static char **str_at(struct config *c, const struct config_key *k)
{
	return (char **)(void *)((char *)c + k->off);
}

static void int_put(struct config *c, const struct config_key *k, int v)
{
	char *m = (char *)c + k->off;
	if (k->type == CT_BOOL) {
		bool b = v != 0;
		memcpy(m, &b, sizeof(b));
	} else {
		memcpy(m, &v, sizeof(v));
	}
}

static int int_get(const struct config *c, const struct config_key *k)
{
	const char *m = (const char *)c + k->off;
	if (k->type == CT_BOOL) {
		bool b;
		memcpy(&b, m, sizeof(b));
		return b;
	}
	int v;
	memcpy(&v, m, sizeof(v));
	return v;
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++)
		if (KEYS[i].type != CT_STR)
			int_put(c, &KEYS[i], KEYS[i].def);
	c->stage_from = STAGE_FIRST;
	c->stage_to = STAGE_LAST;
}

void config_release(struct config *c)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (KEYS[i].type != CT_STR)
			continue;
		char **m = str_at(c, &KEYS[i]);
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

/* ---- text ------------------------------------------------------------------ */

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

static int find_enum(const char *const *names, const char *v)
{
	for (int i = 0; names[i]; i++)
		if (strcasecmp(names[i], v) == 0)
			return i;
	return -1;
}

void config_join(char *buf, size_t n, const char *const *names,
		 const char *open, const char *close, const char *sep)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; names[i]; i++) {
		int w = snprintf(buf + used, n - used, "%s%s%s%s", i ? sep : "",
				 open, names[i], close);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

/* Parse a whole number; its verdict by k's rule or limits. */
static enum diag_severity check_int(const struct config_key *k,
				    const char *s, long *out,
				    struct verdict *v)
{
	char fix[96], range[64];
	snprintf(fix, sizeof(fix), "write a whole number from %d to %d%s",
		 k->min, k->max, k->unit);
	if (!*s)
		return verdict_set(v, SEV_FAIL, fix,
				   "the value is empty: a number is needed");
	const char *p = s + (*s == '-' || *s == '+');
	char *end = NULL;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (*p < '0' || *p > '9' || end == s || *end != '\0')
		return verdict_set(v, SEV_FAIL, fix, "'%s' is not a number", s);
	*out = n;
	if (k->int_rule && errno != ERANGE)
		return k->int_rule(n, v);
	if (errno == ERANGE || n < k->min || n > k->max) {
		snprintf(range, sizeof(range), "%d and %d%s", k->min, k->max,
			 k->unit);
		return verdict_set(v, SEV_FAIL, fix,
				   "'%s' is out of range: it must be between %s",
				   s, range);
	}
	return verdict_pass(v);
}

enum diag_severity config_key_check_text(const struct config_key *k,
					 const char *text, struct verdict *v)
{
	char names[128], fix[160];
	long n;
	switch (k->type) {
	case CT_INT:
		return check_int(k, text, &n, v);
	case CT_BOOL:
		if (parse_bool(text) < 0)
			return verdict_set(v, SEV_FAIL, "write yes or no",
					   "'%s' is not a yes/no value: use yes, no, true, false, 1 or 0",
					   text);
		return verdict_pass(v);
	case CT_ENUM:
		if (find_enum(k->names, text) >= 0)
			return verdict_pass(v);
		config_join(names, sizeof(names), k->names, "", "", ", ");
		snprintf(fix, sizeof(fix), "write one of: %s", names);
		return verdict_set(v, SEV_FAIL, fix, "'%s' must be one of %s",
				   text, names);
	case CT_STR:
		break;
	}
	if (k->pin)
		return rule_pin(text, NULL, v);
	return k->text_rule ? k->text_rule(text, v) : verdict_pass(v);
}

int config_key_get_text(const struct config *c, const struct config_key *k,
			char *buf, size_t n)
{
	if (!k) {
		snprintf(buf, n, "%s", "");
		return -1;
	}
	switch (k->type) {
	case CT_STR: {
		const char *s = *(char *const *)(const void *)((const char *)c +
							       k->off);
		snprintf(buf, n, "%s", s ? s : "");
		break;
	}
	case CT_INT:
		snprintf(buf, n, "%d", int_get(c, k));
		break;
	case CT_BOOL:
		snprintf(buf, n, "%s", int_get(c, k) ? "yes" : "no");
		break;
	case CT_ENUM:
		snprintf(buf, n, "%s", config_enum_name(k->names, int_get(c, k)));
		break;
	}
	return 0;
}

int config_key_set_text(struct config *c, const struct config_key *k,
			const char *text, struct verdict *v)
{
	struct verdict scratch;
	char hex[RULE_PIN_HEX + 1];
	long n = 0;
	if (!v)
		v = &scratch;
	if (!k || !text) {
		verdict_set(v, SEV_FAIL, NULL, "no such configuration key");
		return -1;
	}
	if (k->type == CT_STR && !*text) {
		verdict_pass(v);
		config_set_str(str_at(c, k), NULL);
		return 0;
	}
	if (config_key_check_text(k, text, v) == SEV_FAIL)
		return -1;
	switch (k->type) {
	case CT_STR: {
		const char *keep = text;      /* a pin is kept as 64 hex digits */
		if (k->pin && rule_pin(text, hex, &scratch) == SEV_PASS)
			keep = hex;
		char *d = strdup(keep);
		if (!d)
			return -1;
		free(*str_at(c, k));
		*str_at(c, k) = d;
		return 0;
	}
	case CT_INT:
		check_int(k, text, &n, &scratch);
		int_put(c, k, (int)n);
		return 0;
	case CT_BOOL:
		int_put(c, k, parse_bool(text));
		return 0;
	case CT_ENUM:
		int_put(c, k, find_enum(k->names, text));
		return 0;
	}
	return -1;
}
