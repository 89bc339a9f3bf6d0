/*
 * request_name.c - stage 2's computer name (request.h): detecting this
 * computer's fully qualified name, and checking that the name in use is
 * what this computer resolves itself to.
 */
#include "stages/request_int.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* Canonical name of host (AI_CANONNAME), malloc'd, or NULL. */
static char *canon_name(const char *host)
{
	struct addrinfo hints, *res = NULL;
	char *out = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res) {
		if (res->ai_canonname && *res->ai_canonname)
			out = strdup(res->ai_canonname);
		freeaddrinfo(res);
	}
	return out;
}

static int own_hostname(char *host, size_t len)
{
	if (gethostname(host, len) != 0)
		return -1;
	host[len - 1] = '\0';
	return host[0] ? 0 : -1;
}

char *request_detect_fqdn(char *err, size_t errlen)
{
	char host[256];
	if (own_hostname(host, sizeof(host)) < 0) {
		snprintf(err, errlen, "cannot read this computer's host name: %s",
			 strerror(errno));
		return NULL;
	}
	char *canon = canon_name(host);
	if (canon && strchr(canon, '.'))
		return canon;
	free(canon);
	if (strchr(host, '.'))
		return strdup(host);
	snprintf(err, errlen,
		 "this computer is called '%s', which has no domain part, and "
		 "the name does not resolve to a fully qualified one", host);
	return NULL;
}

void req_check_resolution(struct run *r)
{
	char host[256];
	if (own_hostname(host, sizeof(host)) < 0)
		return;
	char *canon = canon_name(host);
	const char *mine = canon ? canon : host;
	if (strcasecmp(mine, r->fqdn) == 0 || strcasecmp(host, r->fqdn) == 0) {
		diag_add(r->dl, DIAG_REQ_FQDN_RESOLVE, SEV_PASS, "computer.fqdn",
			 NULL, "this computer resolves its own name to '%s'",
			 r->fqdn);
	} else {
		char also[300] = "";
		size_t hl = strcspn(host, "."), fl = strcspn(r->fqdn, ".");
		if (canon && strcasecmp(canon, host) != 0)
			snprintf(also, sizeof(also), ", which resolves to '%s'", canon);
		else if (hl == fl && strncasecmp(host, r->fqdn, hl) == 0)
			snprintf(also, sizeof(also), " (the same short name, but no "
				 "domain resolves for it here)");
		diag_add(r->dl, DIAG_REQ_FQDN_RESOLVE, SEV_WARN, "computer.fqdn",
			 "make sure the management server reaches this computer as "
			 "the name in computer.fqdn (DNS or hosts file); otherwise "
			 "the certificate will not match",
			 "this computer's own name is '%s'%s, not '%s'", host, also,
			 r->fqdn);
	}
	free(canon);
}
