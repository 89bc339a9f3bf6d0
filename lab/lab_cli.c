/*
 * lab_cli.c - the lab's administrator commands, working on the lab
 * directory while the server runs (state changes are made under the state
 * lock, so the server sees them on its next request):
 *   approve --dir DIR (REQUEST_ID | AGENT_FQDN)  issue a pending request /
 *                                                approve an agent
 *   deny    --dir DIR (REQUEST_ID | AGENT_FQDN)  deny a pending request /
 *                                                reject an agent
 *   revoke  --dir DIR REQUEST_ID                 revoke an issued cert
 *   list    --dir DIR                            requests and agents
 * Exit codes: 0 done, 1 the request/agent is unknown or in the wrong
 * state (or the directory holds no lab), 2 usage.
 */
#include "lab.h"
#include "sys/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iniparser.h>

static int usage(const char *cmd)
{
	fprintf(stderr,
		"usage: opsmgr-enroll-lab %s --dir DIR%s\n", cmd,
		!strcmp(cmd, "list") ? "" :
		!strcmp(cmd, "revoke") ? " REQUEST_ID" :
		" (REQUEST_ID | AGENT_FQDN)");
	return 2;
}

/* CDP URL of the running (or last) lab from lab.ini, or NULL. */
static char *cdp_from_lab_ini(const char *dir)
{
	char *p = fs_join(dir, "lab.ini");
	dictionary *d;
	const char *port;
	char *url = NULL;

	if (!p || !fs_is_regular(p)) {
		free(p);
		return NULL;
	}
	d = iniparser_load(p);
	free(p);
	if (!d)
		return NULL;
	port = iniparser_getstring(d, "lab:ca_port", NULL);
	if (port)
		url = lab_cdp_url(atoi(port));
	iniparser_freedict(d);
	return url;
}

static int act_request(struct lab_ctx *c, const char *cmd, long id)
{
	struct lab_state st;
	struct lab_request *r;
	char err[512];
	int fd, rc = 1;

	fd = lab_state_open(c->dir, &st, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "opsmgr-enroll-lab: %s\n", err);
		return 1;
	}
	r = lab_state_find_req(&st, id);
	if (!r) {
		fprintf(stderr, "opsmgr-enroll-lab: no request %ld in '%s' "
			"(see 'opsmgr-enroll-lab list --dir %s')\n", id,
			c->dir, c->dir);
		goto out;
	}
	if (!strcmp(cmd, "revoke")) {
		if (r->state != REQ_ISSUED) {
			fprintf(stderr, "opsmgr-enroll-lab: request %ld is %s; "
				"only issued certificates can be revoked\n", id,
				lab_req_state_name(r->state));
			goto out;
		}
		r->state = REQ_REVOKED;
		r->revoked_at = (long long)time(NULL);
	} else if (r->state != REQ_PENDING) {
		fprintf(stderr, "opsmgr-enroll-lab: request %ld is %s, not "
			"pending\n", id, lab_req_state_name(r->state));
		goto out;
	} else if (!strcmp(cmd, "approve")) {
		char *cdp = cdp_from_lab_ini(c->dir);
		int irc;

		if (lab_pki_init(c, 0, err, sizeof(err))) {
			free(cdp);
			fprintf(stderr, "opsmgr-enroll-lab: %s\n", err);
			goto out;
		}
		irc = lab_issue_stored(c, r, cdp, err, sizeof(err));
		free(cdp);
		if (irc) {
			fprintf(stderr, "opsmgr-enroll-lab: cannot issue request "
				"%ld: %s\n", id, err);
			goto out;
		}
	} else {
		r->state = REQ_DENIED;
		r->deny = DENY_ADMIN;
	}
	if (lab_state_save(c->dir, &st, err, sizeof(err))) {
		fprintf(stderr, "opsmgr-enroll-lab: %s\n", err);
		goto out;
	}
	printf("request %ld %s", id, lab_req_state_name(r->state));
	if (strcmp(r->serial, "-"))
		printf(" serial %s", r->serial);
	printf("\n");
	rc = 0;
out:
	lab_state_unlock(fd);
	lab_state_release(&st);
	return rc;
}

static int act_agent(struct lab_ctx *c, const char *cmd, const char *fqdn)
{
	struct lab_state st;
	struct lab_agent *a;
	char err[512];
	int fd, rc = 1;

	fd = lab_state_open(c->dir, &st, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "opsmgr-enroll-lab: %s\n", err);
		return 1;
	}
	a = lab_state_find_agent(&st, fqdn);
	if (!a) {
		fprintf(stderr, "opsmgr-enroll-lab: no agent '%s' has contacted "
			"the management server of '%s' yet (and it is no "
			"request ID)\n", fqdn, c->dir);
		goto out;
	}
	a->state = !strcmp(cmd, "approve") ? AGENT_APPROVED : AGENT_REJECTED;
	if (lab_state_save(c->dir, &st, err, sizeof(err))) {
		fprintf(stderr, "opsmgr-enroll-lab: %s\n", err);
		goto out;
	}
	printf("agent %s %s\n", a->fqdn, lab_agent_state_name(a->state));
	rc = 0;
out:
	lab_state_unlock(fd);
	lab_state_release(&st);
	return rc;
}

static int act_list(struct lab_ctx *c)
{
	struct lab_state st;
	char err[512];
	int fd;

	fd = lab_state_open(c->dir, &st, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "opsmgr-enroll-lab: %s\n", err);
		return 1;
	}
	lab_state_unlock(fd);
	for (size_t i = 0; i < st.nreq; i++)
		printf("request %ld %s %s %s\n", st.req[i].id,
		       lab_req_state_name(st.req[i].state), st.req[i].templ,
		       st.req[i].cn);
	for (size_t i = 0; i < st.nag; i++)
		printf("agent %s %s %s\n", st.ag[i].fqdn,
		       lab_agent_state_name(st.ag[i].state), st.ag[i].serial);
	lab_state_release(&st);
	return 0;
}

int lab_cli_main(int argc, char **argv)
{
	const char *cmd = argv[0], *dir = NULL, *arg = NULL;
	struct lab_ctx c;
	char *state = NULL;
	long id;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strncmp(argv[i], "--dir=", 6))
			dir = argv[i] + 6;
		else if (argv[i][0] == '-' && argv[i][1])
			return usage(cmd);
		else if (!arg)
			arg = argv[i];
		else
			return usage(cmd);
	}
	if (!dir || (!strcmp(cmd, "list") ? arg != NULL : arg == NULL))
		return usage(cmd);
	memset(&c, 0, sizeof(c));
	c.auto_approve = -1;
	c.dir = strdup(dir);
	state = fs_join(dir, "ca/root.pem");
	if (!c.dir || !state) {
		free(state);
		lab_ctx_release(&c);
		return 1;
	}
	if (!fs_exists(state)) {
		fprintf(stderr, "opsmgr-enroll-lab: '%s' holds no lab (start "
			"one with 'opsmgr-enroll-lab --dir %s')\n", dir, dir);
		free(state);
		lab_ctx_release(&c);
		return 1;
	}
	free(state);
	if (!strcmp(cmd, "list")) {
		rc = act_list(&c);
	} else {
		id = lab_parse_id(arg);
		if (id > 0)
			rc = act_request(&c, cmd, id);
		else if (!strcmp(cmd, "revoke"))
			rc = usage(cmd);
		else
			rc = act_agent(&c, cmd, arg);
	}
	lab_ctx_release(&c);
	return rc;
}
