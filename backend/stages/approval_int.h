/*
 * approval_int.h - what the files of stage 7 share among themselves
 * (approval.c, approval_json.c, approval_probe.c, approval_wait.c,
 * approval_server.c); not for other callers, who use approval.h.
 *
 * Ownership: struct approval_target owns its strings
 * (approval_target_release); struct approval_cmd borrows everything.
 */
#ifndef OPSMGR_APPROVAL_INT_H
#define OPSMGR_APPROVAL_INT_H

#include <stdbool.h>

#include "stages/approval.h"
#include "core/config.h"
#include "sys/cmdrun.h"
#include "mgmt/mtls.h"

#define F_SERVER "agent.server"
#define F_PORT "agent.port"
#define F_CONFIG "agent.config"
#define F_SOURCE "approval.source"
#define F_COMMAND "approval.command"
#define F_LIST "approval.list_command"
#define F_APPROVE "approval.approve_command"
#define F_TIMEOUT "approval.timeout"

/* Where to talk to, with what. */
struct approval_target {
	char *server;
	int port;
	char *cert;
	char *key;
	char *fqdn;
};

/* Server, port, certificate and key: the agent configuration (stages 5
 * and 6) and the configuration, then the state's certificate. */
void approval_target_resolve(struct ctx *c, struct approval_target *t);
void approval_target_release(struct approval_target *t);

/* TLS options for the lab exchange with t (pointers into t and c). */
void approval_mtls_opts(struct ctx *c, const struct approval_target *t,
			struct mtls_opts *o);

/*
 * A failed TLS exchange d (a DIAG_APPROVAL_TLS fail in the caller's list)
 * explained by our own verification of the certificate and key we
 * presented (t->cert, t->key; stage 3's checklist, no CRL fetch): the
 * first failing check that makes a server refuse a client certificate
 * (parse, key_match, validity, eku, key_usage, key_type, chain) is
 * appended to d's message as "the cause is ours: ... fails verify/<id>:
 * ..." and its fix becomes d's.  None fails and refused (the server
 * refused us without naming why: an alert such as bad_certificate, a
 * close, 401/403): d's fix is labelled "likely" (a guess); refused false
 * (an alert that named the cause, or no refusal) keeps it as stated.
 * Nothing is added to any list.
 */
void approval_tls_cause(struct ctx *c, const struct approval_target *t,
			struct diag *d, bool refused);

/* One exchange with the lab over mutual TLS (fd: a connected socket it
 * takes, or -1; form: a POST body or NULL; what: "the status request", for
 * messages).  0: HTTP 200 in r (the caller releases r); -1: failed, 1:
 * cancelled, each with its diagnostic. */
int approval_lab_request(struct ctx *c, const struct approval_target *t,
			 int fd, const char *method, const char *path,
			 const char *form, const char *what,
			 const struct hooks *h, struct mtls_response *r,
			 struct diag_list *dl);

/* A configured [approval] command with what it learns from its
 * environment (OPSMGR_AGENT_FQDN, OPSMGR_MANAGEMENT_SERVER and _PORT);
 * run it with cmdrun_run(&cmd.spec, ...).  agent: the agent it acts on,
 * a name that passed the agent-name rule (approval_server.c), as its
 * "{agent}" and OPSMGR_AGENT_FQDN; or NULL for this computer (t->fqdn, no
 * "{agent}").  Pointers into t and agent. */
struct approval_cmd {
	struct cmdrun spec;
	char port[16];
	const char *env[7];
};
void approval_cmd_init(struct approval_cmd *a, const struct config *cfg,
		       const char *setting, const char *field,
		       const char *cmdline, const struct approval_target *t,
		       const char *agent);

/* Append an agent (takes the strings).  0 / -1 (out of memory). */
int approval_agents_push(struct approval_agents *a, char *name, char *serial,
			 char *state);

/* The two roles of stage 7. */
enum status approval_agent_wait(struct ctx *c, const struct hooks *h,
				struct diag_list *dl);
enum status approval_server_run(struct ctx *c, const struct hooks *h,
				struct diag_list *dl);

#endif
