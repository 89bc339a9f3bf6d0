/*
 * approval_server.c - stage 7 for a management server: list the agents
 * waiting for approval (lab over mutual TLS, or [approval] list_command)
 * and approve the ones the operator picks (lab, or approve_command).
 */
#include "stages/approval_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/stage_table.h"
#include "core/text.h"
#include "core/validate.h"
#include "sys/http.h"
#include "sys/netprobe.h"

/* ---- server role ------------------------------------------------------------- */

/* [approval] list_command: one agent FQDN per output line, blank lines
 * ignored (the names are checked by approval_list).  0 / -1. */
static int list_by_command(struct ctx *c, const struct approval_target *t,
			   const struct hooks *h, struct approval_agents *out,
			   struct diag_list *dl)
{
	struct approval_cmd cmd;
	approval_cmd_init(&cmd, c->cfg, "list_command", F_LIST,
			  c->cfg->approval_list_command, t, NULL);
	cmd.spec.check = DIAG_APPROVAL_AGENTS;
	struct cmdrun_result run;
	enum status rs = cmdrun_run(&cmd.spec, h, &run, dl);
	if (rs == ST_OK && !cmdrun_exited(&run, 0)) {
		cmdrun_report(&cmd.spec, &run, SEV_FAIL,
			      "fix the list command: it prints one agent FQDN "
			      "per line and exits 0", NULL, dl);
		rs = ST_FAIL;
	}
	if (rs != ST_OK) {
		cmdrun_result_release(&run);
		return -1;
	}
	char *save = NULL;
	for (char *line = strtok_r(run.proc.output, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		size_t l = strlen(line);
		while (l && (line[l - 1] == ' ' || line[l - 1] == '\t'))
			line[--l] = '\0';
		if (!l)
			continue;
		char *name = strdup(line);
		char *state = strdup("pending");
		if (!name || !state || approval_agents_push(out, name, NULL, state)) {
			free(name);
			free(state);
			break;
		}
	}
	cmdrun_result_release(&run);
	return 0;
}

/* The lab's list over mutual TLS.  0 / -1. */
static int list_from_lab(struct ctx *c, const struct approval_target *t,
			 const struct hooks *h, struct approval_agents *out,
			 struct diag_list *dl)
{
	if (!t->server) {
		diag_add(dl, DIAG_APPROVAL_DNS, SEV_FAIL, F_SERVER,
			 "set [agent] server to the management server's "
			 "address",
			 "no management server to ask for pending agents");
		return -1;
	}
	int fd = -1;
	enum np_result nr = netprobe_check(t->server, t->port,
					   APPROVAL_PROBE_TIMEOUT_MS, h, dl,
					   DIAG_APPROVAL_DNS, DIAG_APPROVAL_TCP,
					   F_SERVER, F_PORT, 21016, &fd);
	struct mtls_response r;
	if (nr != NP_OK ||
	    approval_lab_request(c, t, fd, "GET", APPROVAL_AGENTS_PATH, NULL,
				 "the agent list request", h, &r, dl) != 0)
		return -1;
	diag_add(dl, DIAG_APPROVAL_TLS, SEV_PASS, F_SERVER, NULL,
		 "mutually authenticated TLS with '%s' port %d", t->server,
		 t->port);
	int rc = approval_parse_agents(r.body, r.body_len, out);
	if (rc != 0)
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_FAIL, F_SERVER,
			 "check that [agent] server and port name the "
			 "management server",
			 "the management server's agent list is not "
			 "understood");
	mtls_response_release(&r);
	return rc;
}

/*
 * An agent's name comes from the agent itself (its certificate's CN) and
 * goes into approve_command's argv and environment: only a DNS name is
 * accepted -- the computer-name rule of validate.c (letters, digits, '-'
 * and '.', no label starting or ending with '-', at most 253 characters),
 * so it can never be read as an option or carry shell syntax.  v says why
 * not.
 */
static bool agent_name_ok(const char *name, struct verdict *v)
{
	return rule_computer_fqdn(name, v) == SEV_PASS;
}

/* A refused name: shown (escaped) with the reason, never offered. */
static void refuse_agent(const char *field, const struct verdict *v,
			 enum diag_severity sev, struct diag_list *dl)
{
	char *why = text_escape_dup(v->msg);
	diag_add(dl, DIAG_APPROVAL_AGENTS, sev, field,
		 "only an agent whose certificate names a DNS name (letters, "
		 "digits, '-' and '.') can be approved here; look at that "
		 "agent's certificate",
		 "agent name refused, not offered for approval: %s",
		 why ? why : "(out of memory)");
	free(why);
}

/* Keep only the agents with a DNS name; a WARN at field for each other. */
static void drop_bad_names(struct approval_agents *a, const char *field,
			   struct diag_list *dl)
{
	size_t kept = 0;
	for (size_t i = 0; i < a->n; i++) {
		struct approval_agent *it = &a->items[i];
		struct verdict v;
		if (agent_name_ok(it->name, &v)) {
			a->items[kept++] = *it;
			continue;
		}
		refuse_agent(field, &v, SEV_WARN, dl);
		free(it->name);
		free(it->serial);
		free(it->state);
	}
	a->n = kept;
}

/* The agents waiting on the server, those with a DNS name.  0 / -1
 * (diagnostics say why). */
static int approval_list(struct ctx *c, const struct hooks *h,
			 struct approval_agents *out, struct diag_list *dl)
{
	out->items = NULL;
	out->n = 0;
	struct approval_target t;
	approval_target_resolve(c, &t);
	const char *cmd = c->cfg->approval_list_command;
	bool by_cmd = cmd && *cmd;
	int rc = by_cmd ? list_by_command(c, &t, h, out, dl)
			: list_from_lab(c, &t, h, out, dl);
	if (rc == 0)
		drop_bad_names(out, by_cmd ? F_LIST : F_SERVER, dl);
	approval_target_release(&t);
	return rc;
}

/* [approval] approve_command with {agent} replaced.  0 / -1. */
static int approve_by_command(struct ctx *c, const struct approval_target *t,
			      const char *agent, const struct hooks *h,
			      struct diag_list *dl)
{
	struct approval_cmd cmd;
	approval_cmd_init(&cmd, c->cfg, "approve_command", F_APPROVE,
			  c->cfg->approval_approve_command, t, agent);
	cmd.spec.check = DIAG_APPROVAL_AGENTS;
	struct cmdrun_result run;
	int rc = -1;
	char note[300];
	snprintf(note, sizeof(note), "approving '%s'", agent);
	if (cmdrun_run(&cmd.spec, h, &run, dl) != ST_OK) {
		/* reported by cmdrun_run */
	} else if (cmdrun_exited(&run, 0)) {
		cmdrun_report(&cmd.spec, &run, SEV_PASS, NULL, note, dl);
		rc = 0;
	} else {
		cmdrun_report(&cmd.spec, &run, SEV_FAIL,
			      "fix the approve command: it must exit 0 once "
			      "the agent is approved", note, dl);
	}
	cmdrun_result_release(&run);
	return rc;
}

/* The lab's approve request over mutual TLS.  0 / -1. */
static int approve_at_lab(struct ctx *c, const struct approval_target *t,
			  const char *agent, const struct hooks *h,
			  struct diag_list *dl)
{
	if (c->cfg->approval_source != APPROVAL_LAB || !t->server) {
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_FAIL, F_APPROVE,
			 "set [approval] source = lab with [agent] server, or "
			 "[approval] approve_command",
			 "no way to approve '%s'", agent);
		return -1;
	}
	char *enc = http_urlencode(agent);
	char *form = NULL;
	if (!enc || asprintf(&form, "agent=%s", enc) < 0) {
		free(enc);
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return -1;
	}
	free(enc);
	char what[300];
	snprintf(what, sizeof(what), "approving '%s'", agent);
	struct mtls_response r;
	int rc = approval_lab_request(c, t, -1, "POST", APPROVAL_APPROVE_PATH,
				      form, what, h, &r, dl);
	free(form);
	if (rc != 0)
		return -1;
	diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_PASS, NULL, NULL,
		 "approved '%s' on the management server '%s'", agent,
		 t->server);
	mtls_response_release(&r);
	return 0;
}

int approval_approve(struct ctx *c, const struct hooks *h, const char *agent,
		     struct diag_list *dl)
{
	struct verdict v;
	if (!agent_name_ok(agent, &v)) {
		refuse_agent(NULL, &v, SEV_FAIL, dl);
		return -1;
	}
	struct approval_target t;
	approval_target_resolve(c, &t);
	const char *cmd = c->cfg->approval_approve_command;
	int rc = cmd && *cmd ? approve_by_command(c, &t, agent, h, dl)
			     : approve_at_lab(c, &t, agent, h, dl);
	approval_target_release(&t);
	return rc;
}

/* Stage 5 is skipped for a management server: the server and port it
 * answered on are what the summary prints (state.h). */
static void record_server(struct ctx *c)
{
	struct approval_target t;
	char port[16];
	approval_target_resolve(c, &t);
	snprintf(port, sizeof(port), "%d", t.port);
	state_set_str(&c->st->mgmt_server, t.server);
	state_set_str(&c->st->mgmt_port, port);
	state_set_str(&c->st->mgmt_group, c->cfg->agent_mgmt_group);
	approval_target_release(&t);
}

enum status approval_server_run(struct ctx *c, const struct hooks *h,
				struct diag_list *dl)
{
	struct approval_result *v = calloc(1, sizeof(*v));
	if (!v) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}
	v->next_in_s = -1;
	v->attempt = 1;
	ctx_set_out(c, STAGE_APPROVAL, v, approval_result_free);
	if (approval_list(c, h, &v->agents, dl) != 0)
		return hooks_cancelled(h) ? ST_CANCELLED : ST_FAIL;

	size_t pending = 0;
	size_t cap = 1;
	for (size_t i = 0; i < v->agents.n; i++)
		cap += strlen(v->agents.items[i].name) + 2;
	char *names = calloc(1, cap);
	for (size_t i = 0; names && i < v->agents.n; i++) {
		const char *s = v->agents.items[i].state;
		if (s && strcasecmp(s, "pending") != 0)
			continue;
		if (pending++)
			strcat(names, ", ");
		strcat(names, v->agents.items[i].name);
	}
	if (pending == 0)
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_INFO, NULL, NULL,
			 "no agent waits for approval (%zu known)",
			 v->agents.n);
	else
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_INFO, NULL, NULL,
			 "%zu agent%s wait%s for approval: %s", pending,
			 pending == 1 ? "" : "s", pending == 1 ? "s" : "",
			 names ? names : "?");
	free(names);
	record_server(c);
	if (!c->interactive && pending > 0) {
		struct diag *d = diag_add(
			dl, DIAG_APPROVAL_AGENTS, SEV_INFO, NULL, NULL,
			"non-interactive run: no agent was approved (an "
			"operator picks which)");
		diag_set_fix(d, "approve them in the wizard's stage %d, with "
			     "'opsmgr-enroll-lab approve', or with the "
			     "administrator's Approve-SCOMPendingManagement",
			     STAGE_APPROVAL);
	}
	return ST_OK;
}

