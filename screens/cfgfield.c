/*
 * cfgfield.c - the "section.key" <-> struct config table the screens'
 * fields use (cfgfield.h).
 */
#include "cfgfield.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_STR, K_INT, K_TRUST_SRC, K_AUTH, K_COMPAT, K_TARGET, K_ROLE,
	    K_BOOL };

struct entry {
	const char *key;
	enum kind kind;
	size_t off;
};

#define E(k, kind, member) { k, kind, offsetof(struct config, member) }

static const struct entry TABLE[] = {
	E("computer.fqdn", K_STR, fqdn),
	E("trust.source", K_TRUST_SRC, trust_source),
	E("trust.file", K_STR, trust_file),
	E("trust.url", K_STR, trust_url),
	E("trust.sha256", K_STR, trust_sha256),
	E("ca.url", K_STR, ca_url),
	E("ca.template", K_STR, ca_template),
	E("ca.auth", K_AUTH, ca_auth),
	E("ca.user", K_STR, ca_user),
	E("key.bits", K_INT, key_bits),
	E("export.pfx", K_STR, export_pfx),
	E("export.compat", K_COMPAT, export_compat),
	E("export.friendly_name", K_STR, export_friendly_name),
	E("export.include_chain", K_BOOL, export_include_chain),
	E("agent.management_group", K_STR, agent_mgmt_group),
	E("agent.server", K_STR, agent_server),
	E("agent.port", K_INT, agent_port),
	E("agent.target", K_TARGET, agent_target),
	E("wizard.role", K_ROLE, role),
};

static const struct entry *find(const char *key)
{
	for (size_t i = 0; i < sizeof(TABLE) / sizeof(TABLE[0]); i++)
		if (strcmp(TABLE[i].key, key) == 0)
			return &TABLE[i];
	return NULL;
}

static const char *enum_name(enum kind k, int v)
{
	switch (k) {
	case K_TRUST_SRC:
		return trust_source_name((enum trust_source)v);
	case K_AUTH:
		return ca_auth_name((enum ca_auth)v);
	case K_COMPAT:
		return pfx_compat_name((enum pfx_compat)v);
	case K_TARGET:
		return agent_target_name((enum agent_target)v);
	case K_ROLE:
		return role_name((enum role)v);
	default:
		return NULL;
	}
}

static int enum_count(enum kind k)
{
	switch (k) {
	case K_TRUST_SRC:
		return 3;
	case K_AUTH:
		return 5;
	case K_COMPAT:
	case K_TARGET:
	case K_ROLE:
		return 2;
	default:
		return 0;
	}
}

int cfgfield_get(const struct config *c, const char *key, char *buf,
		 size_t n)
{
	const struct entry *e = find(key);
	const char *base = (const char *)c;
	if (!e) {
		snprintf(buf, n, "%s", "");
		return -1;
	}
	switch (e->kind) {
	case K_STR: {
		const char *s = *(char *const *)(const void *)(base + e->off);
		snprintf(buf, n, "%s", s ? s : "");
		break;
	}
	case K_INT:
		snprintf(buf, n, "%d", *(const int *)(const void *)(base + e->off));
		break;
	case K_BOOL:
		snprintf(buf, n, "%s",
			 *(const bool *)(const void *)(base + e->off) ? "yes" : "no");
		break;
	default: {
		int v = *(const int *)(const void *)(base + e->off);
		const char *nm = enum_name(e->kind, v);
		snprintf(buf, n, "%s", nm ? nm : "");
		break;
	}
	}
	return 0;
}

int cfgfield_set(struct config *c, const char *key, const char *v)
{
	const struct entry *e = find(key);
	char *base = (char *)c;
	if (!e || !v)
		return -1;
	switch (e->kind) {
	case K_STR:
		config_set_str((char **)(void *)(base + e->off), *v ? v : NULL);
		return 0;
	case K_INT: {
		char *end;
		long l = strtol(v, &end, 10);
		if (!*v || *end || l < 0 || l > 1000000)
			return -1;
		*(int *)(void *)(base + e->off) = (int)l;
		return 0;
	}
	case K_BOOL:
		*(bool *)(void *)(base + e->off) = strcmp(v, "yes") == 0;
		return 0;
	default:
		for (int i = 0; i < enum_count(e->kind); i++) {
			const char *nm = enum_name(e->kind, i);
			if (nm && strcmp(nm, v) == 0) {
				*(int *)(void *)(base + e->off) = i;
				return 0;
			}
		}
		return -1;
	}
}
