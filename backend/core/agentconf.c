/*
 * agentconf.c - the agent configuration file (agentconf.h): the INI that
 * stage 5 writes and stage 6 completes.  Writing is ours (fs_write_atomic,
 * 0600, every value checked to round-trip through iniparser); reading uses
 * iniparser with its error callback captured during the load (then reset
 * to the default, as config_scan.c does), and validates every value
 * (numbers are parsed here, never with iniparser_getint).
 */
#include "core/agentconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iniparser.h>

#include "core/config.h"
#include "core/config_load.h"
#include "core/config_scan.h"
#include "core/stage_table.h"
#include "core/config_schema.h"
#include "core/state.h"
#include "core/fsutil.h"
#include "core/validate.h"

#define AGENTCONF_FIELD "agent.config"
#define AGENTCONF_CAP (256u * 1024u)

void agentconf_init(struct agentconf *a)
{
	memset(a, 0, sizeof(*a));
}

void agentconf_release(struct agentconf *a)
{
	free(a->management_group);
	free(a->server);
	free(a->role);
	free(a->target);
	free(a->cert_path);
	free(a->key_path);
	free(a->serial_hex);
	free(a->serial_reversed);
	free(a->thumbprint);
	agentconf_init(a);
}

/* ---- where it lives ------------------------------------------------------ */

char *agentconf_path(const struct config *cfg, const struct state *st,
		     const char *state_dir)
{
	if (cfg && cfg->agent_config && *cfg->agent_config)
		return strdup(cfg->agent_config);
	if (st && st->agent_config_path && *st->agent_config_path)
		return strdup(st->agent_config_path);
	return fs_join(state_dir ? state_dir : ".", AGENTCONF_DEFAULT_NAME);
}

static char *sibling(const char *config_path, const char *name)
{
	char *dir = fs_dirname(config_path);
	char *p = dir ? fs_join(dir, name) : NULL;
	free(dir);
	return p;
}

char *agentconf_default_cert_path(const char *config_path)
{
	return sibling(config_path, AGENTCONF_CERT_NAME);
}

char *agentconf_default_key_path(const char *config_path)
{
	return sibling(config_path, AGENTCONF_KEY_NAME);
}

/* ---- writing ------------------------------------------------------------ */

struct kv {
	const char *section;
	const char *key;
	const char *value;
};

/* A value may be written when it reads back unchanged and is one line. */
static int value_ok(const char *v)
{
	if (strchr(v, '\n') || strchr(v, '\r'))
		return 0;
	return config_value_ok_for_ini(v) ? 1 : 0;
}

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (*len + (size_t)n + 1 > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 1024) + (size_t)n;
		char *nb = realloc(*buf, ncap);
		if (!nb) {
			free(s);
			return -1;
		}
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, (size_t)n + 1);
	*len += (size_t)n;
	free(s);
	return 0;
}

int agentconf_write(const char *path, const struct agentconf *a,
		    struct diag_list *dl)
{
	if (!path || !*path) {
		diag_add(dl, DIAG_AGENT_CONFIG, SEV_FAIL, AGENTCONF_FIELD,
			 "set [agent] config to a file path",
			 "no path for the agent configuration file");
		return -1;
	}
	char port[16] = "";
	if (a->port > 0)
		snprintf(port, sizeof(port), "%d", a->port);
	const struct kv items[] = {
		{ "agent", "management_group", a->management_group },
		{ "agent", "server", a->server },
		{ "agent", "port", a->port > 0 ? port : NULL },
		{ "agent", "role", a->role },
		{ "agent", "target", a->target },
		{ "certificate", "certificate", a->cert_path },
		{ "certificate", "key", a->key_path },
		{ "certificate", "serial", a->serial_hex },
		{ "certificate", "serial_reversed", a->serial_reversed },
		{ "certificate", "thumbprint", a->thumbprint },
	};
	const size_t n = sizeof(items) / sizeof(items[0]);

	struct verdict v;
	if (a->port != 0 && rule_port(a->port, &v) == SEV_FAIL) {
		diag_add(dl, DIAG_AGENT_CONFIG, SEV_FAIL, "agent.port", v.fix,
			 "cannot write the agent configuration '%s': %s", path,
			 v.msg);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (items[i].value && !value_ok(items[i].value)) {
			diag_add(dl, DIAG_AGENT_CONFIG, SEV_FAIL,
				 AGENTCONF_FIELD,
				 "avoid ';', '#', quotes, line breaks and "
				 "leading or trailing blanks in this value",
				 "value '%s' of [%s] %s cannot be written to "
				 "the agent configuration '%s': it would not "
				 "read back unchanged",
				 items[i].value, items[i].section, items[i].key,
				 path);
			return -1;
		}
	}

	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = append(&buf, &len, &cap,
			"; agent configuration written by opsmgr-enroll\n"
			"; (%s, %s)\n", stage_ref(STAGE_AGENT),
			stage_ref(STAGE_SERIAL));
	const char *cur = NULL;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!cur || strcmp(cur, items[i].section) != 0) {
			rc = append(&buf, &len, &cap, "\n[%s]\n",
				    items[i].section);
			cur = items[i].section;
		}
		if (rc == 0 && items[i].value)
			rc = append(&buf, &len, &cap, "%s = %s\n",
				    items[i].key, items[i].value);
	}
	if (rc != 0) {
		free(buf);
		diag_add(dl, DIAG_AGENT_CONFIG, SEV_FAIL, AGENTCONF_FIELD, NULL,
			 "out of memory while building the agent "
			 "configuration '%s'", path);
		return -1;
	}

	char err[FS_ERRLEN];
	char *dir = fs_dirname(path);
	if (dir && !fs_exists(dir) && fs_mkdir_p(dir, 0700, err, sizeof(err))) {
		diag_add(dl, DIAG_AGENT_CONFIG, SEV_FAIL, AGENTCONF_FIELD,
			 "create the directory or choose another [agent] config",
			 "cannot create the directory of the agent "
			 "configuration: %s", err);
		free(dir);
		free(buf);
		return -1;
	}
	free(dir);
	if (fs_write_atomic(path, buf, len, 0600, err, sizeof(err)) != 0) {
		diag_add(dl, DIAG_AGENT_CONFIG, SEV_FAIL, AGENTCONF_FIELD,
			 "check the directory exists and is writable, or "
			 "choose another [agent] config",
			 "cannot write the agent configuration: %s", err);
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

static char *get_dup(dictionary *d, const char *key)
{
	const char *v = iniparser_getstring(d, key, NULL);
	if (!v || !*v)
		return NULL;
	return strdup(v);
}

/* The port as agentconf_write wrote it: digits that rule_port accepts. */
static int parse_port(const char *s, int *out, struct verdict *v)
{
	char *end = NULL;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno == ERANGE) {
		verdict_set(v, SEV_FAIL, NULL, "'%s' is not a port number", s);
		return -1;
	}
	if (rule_port(n, v) == SEV_FAIL)
		return -1;
	*out = (int)n;
	return 0;
}

static int is_hex(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* value (when set) is one of the schema's names (CONFIG_NAMES_*); else a
 * diagnostic naming the key. */
static bool one_of(const char *path, const char *key, const char *value,
		   const char *const *names, struct diag_list *dl)
{
	char open[32], fix[160];
	for (int i = 0; value && names[i]; i++)
		if (strcmp(value, names[i]) == 0)
			return true;
	if (!value)
		return true;
	snprintf(open, sizeof(open), "%s = ", key);
	config_join(fix, sizeof(fix), names, open, "", " or ");
	struct diag *d = diag_add(dl, DIAG_AGENT_CONFIG, SEV_FAIL,
				  AGENTCONF_FIELD, NULL,
				  "the agent configuration '%s' has an unknown "
				  "%s '%s'", path, key, value);
	if (d)
		diag_set_fix(d, "use %s", fix);
	return false;
}

int agentconf_read(const char *path, struct agentconf *a, struct diag_list *dl)
{
	agentconf_init(a);
	if (!path || !*path || !fs_exists(path))
		return 1;

	/* Checks iniparser does not do: regular file, size cap. */
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	char err[FS_ERRLEN];
	if (fs_read_file(path, AGENTCONF_CAP, &raw, &rawlen, err,
			 sizeof(err)) != 0) {
		struct diag *dg = diag_add(
			dl, DIAG_AGENT_CONFIG, SEV_FAIL, AGENTCONF_FIELD, NULL,
			"cannot read the agent configuration: %s", err);
		diag_set_fix(dg, "check the file's permissions, or run %s "
			     "again to rewrite it", stage_ref(STAGE_AGENT));
		return -1;
	}
	free(raw);

	char ini_err[512];
	dictionary *d = ini_load_quiet(path, ini_err, sizeof(ini_err));
	if (!d) {
		diag_add_rerun(
			dl, DIAG_AGENT_CONFIG, SEV_FAIL, AGENTCONF_FIELD, STAGE_AGENT,
			" again to rewrite it",
			"the agent configuration '%s' is not a valid INI "
			"file%s%s",
			path, ini_err[0] ? ": " : "", ini_err);
		return -1;
	}

	a->management_group = get_dup(d, "agent:management_group");
	a->server = get_dup(d, "agent:server");
	a->role = get_dup(d, "agent:role");
	a->target = get_dup(d, "agent:target");
	a->cert_path = get_dup(d, "certificate:certificate");
	a->key_path = get_dup(d, "certificate:key");
	a->serial_hex = get_dup(d, "certificate:serial");
	a->serial_reversed = get_dup(d, "certificate:serial_reversed");
	a->thumbprint = get_dup(d, "certificate:thumbprint");
	const char *port = iniparser_getstring(d, "agent:port", NULL);
	int rc = 0;
	struct verdict v;
	if (port && *port && parse_port(port, &a->port, &v) != 0) {
		diag_add_rerun(dl, DIAG_AGENT_CONFIG, SEV_FAIL, AGENTCONF_FIELD,
			       STAGE_AGENT, " again to rewrite it",
			       "the agent configuration '%s' has an invalid port: %s",
			       path, v.msg);
		rc = -1;
	}
	if (!one_of(path, "role", a->role, CONFIG_NAMES_ROLE, dl))
		rc = -1;
	if (!one_of(path, "target", a->target, CONFIG_NAMES_AGENT_TARGET, dl))
		rc = -1;
	const struct {
		const char *name;
		const char *v;
	} hex[] = {
		{ "serial", a->serial_hex },
		{ "serial_reversed", a->serial_reversed },
		{ "thumbprint", a->thumbprint },
	};
	for (size_t i = 0; i < sizeof(hex) / sizeof(hex[0]); i++) {
		if (hex[i].v && !is_hex(hex[i].v)) {
			diag_add_rerun(
				dl, DIAG_AGENT_CONFIG, SEV_FAIL,
				AGENTCONF_FIELD, STAGE_SERIAL,
				" again to rewrite it",
				"the agent configuration '%s' has a [certificate] "
				"%s that is not hexadecimal: '%s'",
				path, hex[i].name, hex[i].v);
			rc = -1;
		}
	}
	iniparser_freedict(d);
	if (rc != 0)
		agentconf_release(a);
	return rc;
}
