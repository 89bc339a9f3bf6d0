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
 * read back with iniparser.  Owner: backend/core/agentconf.c.
 * Ownership: struct agentconf owns its strings; agentconf_release() frees.
 */
#ifndef OPSMGR_AGENTCONF_H
#define OPSMGR_AGENTCONF_H

#include "core/diag.h"

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

#endif
