/*
 * config.h - struct config: the settings of the configuration / answers
 * file (product.md section 4) as the program uses them, their enums and
 * defaults.  Loading (config_load.h) fills it.
 *
 * Every key (type, limits, default, rule) is declared once in the schema
 * (config_schema.h); the loader lives in config_load.c, the strict INI
 * scan in config_scan.c, the value rules in validate.h.
 *
 * iniparser 4.1 pitfalls handled (see shared/docs/style.md): its error
 * callback is captured instead of writing to stderr, a rejected file is
 * reported with the offending line, numbers are parsed by us, and
 * config_value_ok_for_ini() tells whether a value round-trips.
 *
 * Ownership: struct config owns all its strings; config_release() frees.
 * Passwords are never part of struct config: only the *files* they live in.
 */
#ifndef OPSMGR_CONFIG_H
#define OPSMGR_CONFIG_H

#include <stdbool.h>

enum trust_source { TRUST_SRC_CA = 0, TRUST_SRC_FILE, TRUST_SRC_URL };
enum ca_auth { AUTH_BASIC = 0, AUTH_NTLM, AUTH_NEGOTIATE, AUTH_CERT, AUTH_NONE };
enum pfx_compat { COMPAT_MODERN = 0, COMPAT_LEGACY };
enum agent_target { TARGET_LOCAL = 0, TARGET_WINDOWS };
enum approval_source { APPROVAL_LAB = 0, APPROVAL_COMMAND, APPROVAL_NONE };
enum role { ROLE_AGENT = 0, ROLE_SERVER };

/* Defaults the schema's table reads (config_schema.c); stages fall back
 * on them for a zeroed struct. */
#define CONFIG_DEFAULT_KEY_BITS 2048
#define CONFIG_DEFAULT_PORT 5723
#define CONFIG_DEFAULT_CA_TIMEOUT 60
#define CONFIG_DEFAULT_INTERVAL 5
#define CONFIG_DEFAULT_APPROVAL_TIMEOUT 3600
#define CONFIG_DEFAULT_COMMAND_TIMEOUT 300

struct config {
	/* [computer] */
	char *fqdn;                   /* NULL = detect */

	/* [trust] */
	enum trust_source trust_source;
	char *trust_file;
	char *trust_url;
	char *trust_store;            /* directory; NULL = <state_dir>/trust */
	char *trust_sha256;           /* pin: 64 hex digits, colons allowed */
	bool trust_accept;

	/* [ca] */
	char *ca_url;                 /* https://host:port/certsrv/ */
	char *ca_template;
	enum ca_auth ca_auth;
	char *ca_user;
	char *ca_password_file;
	char *ca_client_cert;
	char *ca_client_key;
	char *ca_file;                /* CA bundle for TLS to the CA */
	int ca_timeout;               /* seconds, total per request */
	bool ca_allow_http;           /* [ca] allow_insecure_http = yes */

	/* [key] */
	int key_bits;

	/* [export] */
	char *export_pfx;
	char *export_password_file;
	enum pfx_compat export_compat;
	char *export_friendly_name;
	bool export_overwrite;
	bool export_include_chain;    /* default yes */

	/* [agent] */
	char *agent_mgmt_group;
	char *agent_server;
	int agent_port;
	char *agent_config;           /* agent configuration INI path */
	char *agent_install_command;  /* argv string, see cmdline_split */
	char *agent_restart_command;
	int agent_command_timeout;    /* seconds */
	enum agent_target agent_target;
	char *agent_reg_file;
	char *agent_msi_command_file;
	char *agent_bundle_dir;       /* Windows bundle folder; state dir */
	char *agent_push_command;     /* argv string, {zip} {bundle} {fqdn} */

	/* [approval] */
	enum approval_source approval_source;
	char *approval_command;       /* argv string: exit 0 approved */
	char *approval_list_command;  /* server role: list pending agents */
	char *approval_approve_command; /* server role: argv, {agent} replaced */
	int approval_interval;        /* seconds, first poll interval */
	int approval_timeout;         /* seconds, total */

	/* [wizard] */
	char *state_dir;
	enum role role;
	int stage_from, stage_to;     /* --stages A-B, STAGE_FIRST..STAGE_LAST */
	/* Keys set by an explicit layer (--config, --answers), one bit each
	 * (CONFIG_KEY_BIT, config_schema.h): a resumed enrollment's recorded
	 * answers fill in only the others (stage_inputs_adopt). */
	unsigned long long explicit_keys;

	/* bookkeeping: which files were loaded, for messages */
	char *loaded_files;           /* "a.ini, b.ini" or NULL */
};

void config_init(struct config *c);        /* the schema's defaults */
void config_release(struct config *c);

/* Enum <-> string. */
const char *trust_source_name(enum trust_source s);
const char *ca_auth_name(enum ca_auth a);
/* Whether ca.auth a sends a user name and password (basic, ntlm; negotiate
 * takes the Kerberos ticket, cert the client certificate).  Stage 2 and
 * its screen ask for them by this. */
bool ca_auth_needs_password(enum ca_auth a);
const char *pfx_compat_name(enum pfx_compat c);
const char *agent_target_name(enum agent_target t);
const char *approval_source_name(enum approval_source s);
const char *role_name(enum role r);

/* Replace a string member: frees the old value, copies v (NULL allowed). */
void config_set_str(char **member, const char *v);

#endif
