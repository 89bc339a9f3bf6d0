/*
 * lab_cli.c - the lab's administrator commands, working on the lab
 * directory while the server runs (state changes are made under the state
 * lock, so the server sees them on its next request):
 *   approve --dir DIR (REQUEST_ID | AGENT_FQDN)  issue a pending request /
 *                                                approve an agent
 *   deny    --dir DIR (REQUEST_ID | AGENT_FQDN)  deny a pending request /
 *                                                reject an agent
 *   revoke  --dir DIR REQUEST_ID                 revoke an issued cert
 *   list    --dir DIR [--pending-agents]         requests and agents (or
 *                                                the FQDNs of the agents
 *                                                waiting, one a line)
 * They act on the directory as its owner: DIR, DIR/ca and DIR/admin
 * must pass the private-directory check first (whoever can write there
 * could hand the commands another CA).  Approving or rejecting an agent
 * while the lab runs goes to its management server with the administrator
 * certificate DIR/admin/admin.pem (lab_admin.c), the one certificate its
 * admin endpoints answer (lab_ms.c); without a running lab the state is
 * changed directly.  A request approved while the lab runs is issued for
 * the lab's --validity (lab.ini), else for the default year.
 * Exit codes: 0 done, 1 the request/agent is unknown or in the wrong
 * state (or the directory holds no lab, or is not private), 2 usage.
 */
#include "lab.h"
#include "core/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


static int usage(const char *cmd)
{
	fprintf(stderr,
		"usage: opsmgr-enroll-lab %s --dir DIR%s\n", cmd,
		!strcmp(cmd, "list") ? " [--pending-agents]" :
		!strcmp(cmd, "revoke") ? " REQUEST_ID" :
		" (REQUEST_ID | AGENT_FQDN)");
	return 2;
}

/* CDP URL of the running (or last) lab from lab.ini, or NULL. */
static char *cdp_from_lab_ini(const char *dir)
{
	int port = lab_ini_port(dir, "ca_port");

	return port > 0 ? lab_cdp_url(port) : NULL;
}

/* Print an error line; returns 1 (the exit code). */
static int fail(const char *msg)
{
	fprintf(stderr, "opsmgr-enroll-lab: %s\n", msg);
	return 1;
}

/*
 * Approve, deny or revoke request id in st.  0 with the line to print in
 * done, or 1 after printing why not.
 */
static int change_request(struct lab_ctx *c, struct lab_state *st,
			  const char *cmd, long id, char *done, size_t len)
{
	struct lab_request *r = lab_state_find_req(st, id);
	char err[512];
	int irc;

	if (!r) {
		fprintf(stderr, "opsmgr-enroll-lab: no request %ld in '%s' "
			"(see 'opsmgr-enroll-lab list --dir %s')\n", id,
			c->dir, c->dir);
		return 1;
	}
	if (!strcmp(cmd, "revoke")) {
		if (r->state != REQ_ISSUED) {
			fprintf(stderr, "opsmgr-enroll-lab: request %ld is %s; "
				"only issued certificates can be revoked\n", id,
				lab_req_state_name(r->state));
			return 1;
		}
		r->state = REQ_REVOKED;
		r->revoked_at = (long long)time(NULL);
	} else if (r->state != REQ_PENDING) {
		fprintf(stderr, "opsmgr-enroll-lab: request %ld is %s, not "
			"pending\n", id, lab_req_state_name(r->state));
		return 1;
	} else if (!strcmp(cmd, "approve")) {
		char *cdp = cdp_from_lab_ini(c->dir);

		if (lab_pki_init(c, 0, err, sizeof(err))) {
			free(cdp);
			return fail(err);
		}
		irc = lab_issue_stored(c, r, cdp, err, sizeof(err));
		free(cdp);
		if (irc) {
			fprintf(stderr, "opsmgr-enroll-lab: cannot issue request "
				"%ld: %s\n", id, err);
			return 1;
		}
	} else {
		r->state = REQ_DENIED;
		r->deny = DENY_ADMIN;
	}
	snprintf(done, len, "request %ld %s%s%s", id,
		 lab_req_state_name(r->state),
		 strcmp(r->serial, "-") ? " serial " : "",
		 strcmp(r->serial, "-") ? r->serial : "");
	return 0;
}

/* Approve or reject the agent fqdn in st (see change_request). */
static int change_agent(struct lab_state *st, const char *cmd,
			const char *fqdn, const char *dir, char *done,
			size_t len)
{
	struct lab_agent *a = lab_state_find_agent(st, fqdn);

	if (!a) {
		fprintf(stderr, "opsmgr-enroll-lab: no agent '%s' has contacted "
			"the management server of '%s' yet (and it is no "
			"request ID)\n", fqdn, dir);
		return 1;
	}
	a->state = !strcmp(cmd, "approve") ? AGENT_APPROVED : AGENT_REJECTED;
	snprintf(done, len, "agent %s %s", a->fqdn,
		 lab_agent_state_name(a->state));
	return 0;
}

/* "agent=<fqdn, %XX-escaped>" (malloc'd). */
static char *agent_form(const char *fqdn)
{
	static const char hex[] = "0123456789ABCDEF";
	char *f = malloc(6 + 3 * strlen(fqdn) + 1), *o = f;

	if (!f)
		return NULL;
	o += sprintf(o, "agent=");
	for (const unsigned char *p = (const unsigned char *)fqdn; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return f;
}

/*
 * Approve or reject the agent fqdn at the running lab's management server
 * with the administrator certificate.  0 done (printed), 1 failed
 * (printed), 2 no lab runs there (the caller changes the state itself).
 */
static int agent_remote(const char *dir, const char *cmd, const char *fqdn)
{
	char err[512], *form = agent_form(fqdn), *body = NULL;
	unsigned status = 0;
	int rc;

	if (!form)
		return fail("out of memory");
	rc = lab_admin_request(dir, "POST", !strcmp(cmd, "approve") ?
			       "/opsmgr/v1/approve" : "/opsmgr/v1/reject",
			       form, &status, &body, err, sizeof(err));
	free(form);
	if (rc == 1)
		return 2;
	if (rc < 0)
		return fail(err);
	if (status == 200)
		printf("agent %s %s\n", fqdn, lab_agent_state_name(
			       !strcmp(cmd, "approve") ? AGENT_APPROVED
						      : AGENT_REJECTED));
	else if (status == 404)
		fprintf(stderr, "opsmgr-enroll-lab: no agent '%s' has contacted "
			"the management server of '%s' yet (and it is no "
			"request ID)\n", fqdn, dir);
	else
		fprintf(stderr, "opsmgr-enroll-lab: the management server "
			"answered %u: %s", status, body);
	free(body);
	return status == 200 ? 0 : 1;
}

/* One command under the state lock: change, save, then say what was done.
 * id > 0 names a request, else arg an agent: while the lab runs, that goes
 * to its management server with the administrator certificate. */
static int act(struct lab_ctx *c, const char *cmd, long id, const char *arg)
{
	struct lab_state st;
	char err[512], done[LAB_CN_MAX + LAB_SERIAL_MAX + 64];
	int fd, rc;

	if (id <= 0 && (rc = agent_remote(c->dir, cmd, arg)) != 2)
		return rc;
	fd = lab_state_open(c->dir, &st, err, sizeof(err));
	if (fd < 0)
		return fail(err);
	rc = id > 0 ? change_request(c, &st, cmd, id, done, sizeof(done))
		    : change_agent(&st, cmd, arg, c->dir, done, sizeof(done));
	if (rc == 0 && lab_state_save(c->dir, &st, err, sizeof(err)))
		rc = fail(err);
	if (rc == 0)
		printf("%s\n", done);
	lab_state_unlock(fd);
	lab_state_release(&st);
	return rc;
}

/* list, or with pending_agents the FQDN of each agent waiting for
 * approval, one a line (what [approval] list_command prints). */
static int act_list(struct lab_ctx *c, int pending_agents)
{
	struct lab_state st;
	char err[512];
	int fd;

	fd = lab_state_open(c->dir, &st, err, sizeof(err));
	if (fd < 0)
		return fail(err);
	lab_state_unlock(fd);
	for (size_t i = 0; pending_agents && i < st.nag; i++)
		if (st.ag[i].state == AGENT_PENDING)
			printf("%s\n", st.ag[i].fqdn);
	for (size_t i = 0; !pending_agents && i < st.nreq; i++)
		printf("request %ld %s %s %s\n", st.req[i].id,
		       lab_req_state_name(st.req[i].state), st.req[i].templ,
		       st.req[i].cn);
	for (size_t i = 0; !pending_agents && i < st.nag; i++)
		printf("agent %s %s %s\n", st.ag[i].fqdn,
		       lab_agent_state_name(st.ag[i].state), st.ag[i].serial);
	lab_state_release(&st);
	return 0;
}

int lab_cli_main(int argc, char **argv)
{
	const char *cmd = argv[0], *dir = NULL, *arg = NULL;
	int pending_agents = 0;
	struct lab_ctx c;
	char *state = NULL, err[1024];
	long id;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strncmp(argv[i], "--dir=", 6))
			dir = argv[i] + 6;
		else if (!strcmp(argv[i], "--pending-agents") &&
			 !strcmp(cmd, "list"))
			pending_agents = 1;
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
	c.validity_s = lab_ini_validity(dir);
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
	if (lab_dir_check(&c, err, sizeof(err))) {
		rc = fail(err);
	} else if (!strcmp(cmd, "list")) {
		rc = act_list(&c, pending_agents);
	} else {
		id = lab_parse_id(arg);
		if (id < 0 && !strcmp(cmd, "revoke"))
			rc = usage(cmd);
		else
			rc = act(&c, cmd, id, arg);
	}
	lab_ctx_release(&c);
	return rc;
}
