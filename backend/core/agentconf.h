/*
 * agentconf.h - the agent configuration file that stage 5 writes and stage
 * 6 completes ([agent] config, default <state_dir>/agent.ini).  It is the
 * Linux-side stand-in for the agent's registry settings:
 *
 *   [agent]        management_group, server, port, role, target
 *   [certificate]  certificate (PEM path), key (PEM path, 0600),
 *                  serial (hex as printed), serial_reversed (registry byte
 *                  order), thumbprint (SHA-1, upper hex)
 *
 * Written atomically (0600) with values checked by config_value_ok_for_ini;
 * read back with iniparser.  This file also owns where the configuration
 * lives (agentconf_path: stages 5, 6, 7 and `check` all ask it) and where
 * its certificate and key go by default.
 *
 * Ownership: struct agentconf owns its strings; agentconf_release() frees.
 * Paths returned are malloc'd; the caller frees them.
 */
#ifndef OPSMGR_AGENTCONF_H
#define OPSMGR_AGENTCONF_H

#include "core/diag.h"

struct config;
struct state;

#define AGENTCONF_DEFAULT_NAME "agent.ini"
#define AGENTCONF_CERT_NAME "agent-cert.pem"
#define AGENTCONF_KEY_NAME "agent-key.pem"

struct agentconf {
	char *management_group;
	char *server;
	int port;
	char *role;            /* "agent" | "server" */
	char *target;          /* "local" | "windows" */
	char *cert_path;
	char *key_path;
	char *serial_hex;
	char *serial_reversed;
	char *thumbprint;
};

void agentconf_init(struct agentconf *a);
void agentconf_release(struct agentconf *a);
/* 0 ok, 1 file missing (no diagnostic), -1 unreadable/invalid (diagnostic). */
int agentconf_read(const char *path, struct agentconf *a, struct diag_list *dl);
/* Atomic 0600 write; refuses values that would not round-trip. 0 / -1. */
int agentconf_write(const char *path, const struct agentconf *a,
		    struct diag_list *dl);

/*
 * The agent configuration's path, one precedence for every reader and
 * writer: [agent] config when set, else the path stage 5 recorded in the
 * state (st->agent_config_path), else <state_dir>/agent.ini (state_dir
 * NULL: the current directory).  cfg and st may be NULL.  NULL when out
 * of memory.
 */
char *agentconf_path(const struct config *cfg, const struct state *st,
		     const char *state_dir);
/* agent-cert.pem / agent-key.pem in the configuration's directory: where
 * the certificate and key go when the configuration names none. */
char *agentconf_default_cert_path(const char *config_path);
char *agentconf_default_key_path(const char *config_path);

#endif
