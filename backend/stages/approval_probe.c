/*
 * approval_probe.c - one attempt of stage 7 (approval_probe in approval.h):
 * where to talk to and with what (the agent configuration, then the
 * configuration and the state), DNS and TCP probes, the lab's mutually
 * authenticated status exchange, or the [approval] command.  Also the
 * diagnostics of a failed TLS exchange the server role shares.
 */
#include "stages/approval_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/agentconf.h"
#include "core/config.h"
#include "core/fsutil.h"
#include "core/stage_table.h"
#include "sys/netprobe.h"
#include "pki/x509util.h"

/* ---- where to talk to, with what ---------------------------------------- */

void approval_target_release(struct approval_target *t)
{
	free(t->server);
	free(t->cert);
	free(t->key);
	free(t->fqdn);
	memset(t, 0, sizeof(*t));
}

static char *cert_cn(const char *path)
{
	STACK_OF(X509) *sk = NULL;
	char err[256];
	if (!path || x509_load_certs_file(path, &sk, err, sizeof(err)) != 0)
		return NULL;
	char *cn = x509_subject_cn(sk_X509_value(sk, 0));
	OSSL_STACK_OF_X509_free(sk);
	return cn;
}

static char *dup_existing(const char *p)
{
	return p && *p && fs_is_regular(p) ? strdup(p) : NULL;
}

/* Server, port, certificate and key: the agent configuration (stages 5
 * and 6) and the configuration, then the state's certificate. */
void approval_target_resolve(struct ctx *c, struct approval_target *t)
{
	const struct config *cfg = c->cfg;
	memset(t, 0, sizeof(*t));
	char *path = agentconf_path(cfg, c->st, c->state_dir);
	struct agentconf a;
	struct diag_list tmp;
	diag_list_init(&tmp);
	if (agentconf_read(path, &a, &tmp) != 0)
		agentconf_init(&a);
	diag_list_release(&tmp);
	free(path);

	/* An agent talks to the server its installed configuration names; a
	 * management server's own configuration names itself, so there the
	 * configured [agent] server (where the list lives) comes first. */
	const char *cs = cfg->agent_server && *cfg->agent_server
				 ? cfg->agent_server : NULL;
	const char *srv = cfg->role == ROLE_SERVER ? (cs ? cs : a.server)
						   : (a.server ? a.server : cs);
	t->server = srv && *srv ? strdup(srv) : NULL;
	int cp = cfg->agent_port > 0 ? cfg->agent_port : 0;
	int port = cfg->role == ROLE_SERVER ? (cp ? cp : a.port)
					    : (a.port > 0 ? a.port : cp);
	t->port = port > 0 ? port : CONFIG_DEFAULT_PORT;
	t->cert = dup_existing(a.cert_path);
	t->key = dup_existing(a.key_path);
	if (!t->cert || !t->key) {
		free(t->cert);
		free(t->key);
		t->cert = c->st && c->st->cert_path ? strdup(c->st->cert_path)
						    : NULL;
		t->key = c->st && c->st->key_path ? strdup(c->st->key_path)
						  : NULL;
	}
	const char *f = ctx_fqdn(c);
	t->fqdn = f ? strdup(f) : cert_cn(t->cert);
	agentconf_release(&a);
}

/* ---- the lab exchange ------------------------------------------------------ */

/* How each failed TLS exchange is reported: "<lead>TLS with '<server>'
 * port <port><verb>: <err><events>", event 0 = the check's own.  The fix
 * is a format: "%d" there are the stages s1 and s2 in that order.  A row
 * serves e and, when set, also. */
static const struct tls_text {
	enum mtls_err e, also;
	const char *field, *lead, *verb, *events, *fix;
	int event;
	enum stage s1, s2;
} tls_texts[] = {
	{ MTLS_E_CLIENT_REJECTED, MTLS_E_CLIENT_UNTRUSTED, F_SERVER,
	  "mutually authenticated ",
	  " failed", "; the agent logs event 21007 (cannot create a mutually "
		     "authenticated connection) and the server 20071 "
		     "(connection closed before authentication)",
	  "have the certificate issued by a CA the management server trusts "
	  "(its root must be in the server's Trusted Root store), then run "
	  "stages %d-%d again", 21007, STAGE_REQUEST, STAGE_SERIAL },
	{ MTLS_E_SERVER_UNTRUSTED, MTLS_OK, F_SERVER, "", " failed",
	  "; the agent logs event 20072 (remote certificate not trusted), "
	  "then 21007",
	  "trust the root CA that issued the management server's certificate "
	  "(stage %d)", 20072, STAGE_TRUST, STAGE_NONE },
	{ MTLS_E_NAME_MISMATCH, MTLS_OK, F_SERVER, "", " failed",
	  " (event 21007)",
	  "set [agent] server to the name in the management server's "
	  "certificate (its FQDN)", 0, STAGE_NONE, STAGE_NONE },
	{ MTLS_E_CLOSED, MTLS_OK, F_SERVER, "", "",
	  " (the server logs event 20071 when it closes before "
	  "authentication, 20070 right after it)",
	  "check that the management server trusts our CA and that the agent "
	  "is approved", 20071, STAGE_NONE, STAGE_NONE },
	{ MTLS_E_CONNECT, MTLS_E_TIMEOUT, F_PORT, "", "",
	  "; the agent logs event 21006, then 21016 (no channel, no failover)",
	  "check that the management server is running and reachable on this "
	  "port", 21006, STAGE_NONE, STAGE_NONE },
};

static void approval_http_failure(struct ctx *c, struct diag_list *dl,
				  const struct approval_target *t,
				  const char *what,
				  const struct mtls_response *r);

/* A failed TLS exchange: a diagnostic naming the events the agent and the
 * server log. */
static void approval_tls_failure(struct ctx *c, struct diag_list *dl,
				 enum mtls_err e, const char *err,
				 const struct approval_target *t)
{
	if (e == MTLS_E_CONFIG) {
		struct diag *d = diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL,
					  F_CONFIG, NULL,
					  "cannot prepare the TLS connection: "
					  "%s (event 21007)", err);
		diag_set_fix(d, "run stages %d-%d first so the certificate, "
			     "key and trusted root are in place", STAGE_TRUST,
			     STAGE_SERIAL);
		approval_tls_cause(c, t, d, false);
		return;
	}
	static const struct tls_text other = {
		MTLS_OK, MTLS_OK, F_SERVER, "", " failed", " (event 21007)",
		"check the management server's TLS set-up", 0, STAGE_NONE,
		STAGE_NONE
	};
	const struct tls_text *x = &other;
	for (size_t i = 0; i < sizeof(tls_texts) / sizeof(tls_texts[0]); i++)
		if (tls_texts[i].e == e || tls_texts[i].also == e)
			x = &tls_texts[i];
	struct diag *d = diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL, x->field,
				  NULL, "%sTLS with '%s' port %d%s: %s%s",
				  x->lead, t->server, t->port, x->verb, err,
				  x->events);
	diag_set_fix(d, x->fix, x->s1, x->s2);
	if (d && x->event)
		d->event = x->event;
	/* the server refused us: our own checks of what we presented say
	 * why, or the fix is a guess - unless the server's alert named the
	 * cause (it does not trust our issuer) */
	if (e == MTLS_E_CLIENT_REJECTED || e == MTLS_E_CLOSED ||
	    e == MTLS_E_HANDSHAKE || e == MTLS_E_CLIENT_UNTRUSTED)
		approval_tls_cause(c, t, d, e != MTLS_E_CLIENT_UNTRUSTED);
}

int approval_lab_request(struct ctx *c, const struct approval_target *t,
			 int fd, const char *method, const char *path,
			 const char *form, const char *what,
			 const struct hooks *h, struct mtls_response *r,
			 struct diag_list *dl)
{
	struct mtls_opts o;
	approval_mtls_opts(c, t, &o);
	char err[512];
	enum mtls_err e = mtls_request(&o, fd, method, path, form, h, r, err,
				       sizeof(err));
	if (e == MTLS_E_CANCELLED) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "%s: cancelled (management server '%s')", what,
			 t->server);
		return 1;
	}
	if (e != MTLS_OK) {
		approval_tls_failure(c, dl, e, err, t);
		return -1;
	}
	if (r->status != 200) {
		approval_http_failure(c, dl, t, what, r);
		mtls_response_release(r);
		return -1;
	}
	return 0;
}

void approval_mtls_opts(struct ctx *c, const struct approval_target *t,
			struct mtls_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = t->server;
	o->port = t->port;
	o->cert_path = t->cert;
	o->key_path = t->key;
	mtls_trust_confirmed_root(o, c->st);
	o->ca_dir = ctx_trust_store(c);
	o->timeout_ms = APPROVAL_PROBE_TIMEOUT_MS;
}

/* HTTP status other than 200 from the lab: a diagnostic. */
static void approval_http_failure(struct ctx *c, struct diag_list *dl,
				  const struct approval_target *t,
				  const char *what,
				  const struct mtls_response *r)
{
	char body[200];
	size_t n = r->body_len < sizeof(body) - 1 ? r->body_len
						  : sizeof(body) - 1;
	for (size_t i = 0; i < n; i++)
		body[i] = isprint((unsigned char)r->body[i]) ? r->body[i] : ' ';
	body[n] = '\0';
	if (r->status == 401 || r->status == 403) {
		struct diag *d = diag_add(
			dl, DIAG_APPROVAL_TLS, SEV_FAIL, F_SERVER,
			NULL,
			"the management server '%s' refused %s with HTTP %d "
			"(%s): our certificate is not accepted (event 21007, "
			"server event 20071)",
			t->server, what, r->status, body);
		diag_set_fix(d, "have the certificate issued by a CA the "
			     "management server trusts, then run stages %d-%d "
			     "again", STAGE_REQUEST, STAGE_SERIAL);
		if (d)
			d->event = 21007;
		approval_tls_cause(c, t, d, true);
		return;
	}
	diag_add(dl, DIAG_APPROVAL_STATE, SEV_FAIL, F_SERVER,
		 "check that [agent] server and port name the management "
		 "server",
		 "the management server '%s' answered %s with HTTP %d (%s)",
		 t->server, what, r->status, body);
}

static enum approval_state lab_status(struct ctx *c,
				      const struct approval_target *t, int fd,
				      const struct hooks *h,
				      struct diag_list *dl)
{
	struct mtls_response r;
	int rc = approval_lab_request(c, t, fd, "GET", APPROVAL_STATUS_PATH,
				      NULL, "the status request", h, &r, dl);
	if (rc != 0)
		return rc > 0 ? APPR_CANCELLED : APPR_UNKNOWN;
	diag_add(dl, DIAG_APPROVAL_TLS, SEV_PASS, F_SERVER, NULL,
		 "mutually authenticated TLS with '%s' port %d (server "
		 "certificate %s)", t->server, t->port,
		 r.peer_subject ? r.peer_subject : "?");
	enum approval_state st;
	char *agent = NULL, *serial = NULL;
	if (approval_parse_status(r.body, r.body_len, &st, &agent, &serial)) {
		diag_add(dl, DIAG_APPROVAL_STATE, SEV_FAIL, F_SERVER,
			 "check that [agent] server and port name the "
			 "management server",
			 "the management server's status answer is not "
			 "understood (expected {\"agent\":...,\"state\":"
			 "\"pending|approved|rejected\"})");
		mtls_response_release(&r);
		return APPR_UNKNOWN;
	}
	mtls_response_release(&r);
	const char *who = agent ? agent : t->fqdn ? t->fqdn : "this agent";
	if (agent && t->fqdn && strcasecmp(agent, t->fqdn) != 0)
		diag_add(dl, DIAG_APPROVAL_STATE, SEV_WARN, F_SERVER,
			 "check that the certificate's CN is this computer's "
			 "FQDN",
			 "the management server knows this agent as '%s', "
			 "not '%s'", agent, t->fqdn);
	struct diag *d;
	switch (st) {
	case APPR_APPROVED:
		diag_add(dl, DIAG_APPROVAL_STATE, SEV_PASS, NULL, NULL,
			 "'%s' is approved by the management server%s%s",
			 who, serial ? "; certificate serial " : "",
			 serial ? serial : "");
		break;
	case APPR_REJECTED:
		d = diag_add(dl, DIAG_APPROVAL_STATE, SEV_FAIL, NULL,
			     "ask the administrator to remove the rejection "
			     "(Operations console, Administration > Pending "
			     "Management) and approve it",
			     "the management server rejected '%s' (it logs "
			     "event 20000 for each connection attempt)", who);
		if (d)
			d->event = 20000;
		break;
	default:
		d = diag_add(dl, DIAG_APPROVAL_STATE, SEV_INFO, NULL,
			     "ask the administrator to approve the agent "
			     "(command below)",
			     "'%s' waits for approval in Pending Management; "
			     "until then the agent logs event 20070", who);
		if (d)
			d->event = 20070;
		break;
	}
	free(agent);
	free(serial);
	return st;
}

/* ---- the command source ---------------------------------------------------- */

void approval_cmd_init(struct approval_cmd *a, const struct config *cfg,
		       const char *setting, const char *field,
		       const char *cmdline, const struct approval_target *t,
		       const char *agent)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->port, sizeof(a->port), "%d", t->port);
	const char *fqdn = agent ? agent : t->fqdn;
	const char *env[] = {
		"OPSMGR_AGENT_FQDN", fqdn ? fqdn : "",
		"OPSMGR_MANAGEMENT_SERVER", t->server ? t->server : "",
		"OPSMGR_MANAGEMENT_PORT", a->port, NULL
	};
	memcpy(a->env, env, sizeof(env));
	a->spec.setting = setting;
	a->spec.field = field;
	a->spec.check = DIAG_APPROVAL_COMMAND;
	a->spec.cmdline = cmdline;
	a->spec.env = a->env;
	a->spec.agent = agent;
	a->spec.timeout_s = cfg->agent_command_timeout;
}

static enum approval_state command_status(struct ctx *c,
					  const struct approval_target *t,
					  const struct hooks *h,
					  struct diag_list *dl)
{
	struct approval_cmd cmd;
	approval_cmd_init(&cmd, c->cfg, "command", F_COMMAND,
			  c->cfg->approval_command, t, NULL);
	struct cmdrun_result run;
	enum status rs = cmdrun_run(&cmd.spec, h, &run, dl);
	enum approval_state st = rs == ST_CANCELLED ? APPR_CANCELLED
						    : APPR_UNKNOWN;
	const char *who = t->fqdn ? t->fqdn : "this agent";
	if (rs != ST_OK) {
		/* reported by cmdrun_run */
	} else if (cmdrun_exited(&run, 0)) {
		cmdrun_report(&cmd.spec, &run, SEV_PASS, NULL, "approved", dl);
		diag_add(dl, DIAG_APPROVAL_STATE, SEV_PASS, NULL, NULL,
			 "'%s' is approved (the approval command said so)",
			 who);
		st = APPR_APPROVED;
	} else if (cmdrun_exited(&run, APPROVAL_EXIT_PENDING)) {
		cmdrun_report(&cmd.spec, &run, SEV_PASS, NULL, "pending", dl);
		struct diag *d = diag_add(
			dl, DIAG_APPROVAL_STATE, SEV_INFO, NULL,
			"ask the administrator to approve the agent (command "
			"below)",
			"'%s' waits for approval; until then the agent logs "
			"event 20070", who);
		if (d)
			d->event = 20070;
		st = APPR_PENDING;
	} else {
		cmdrun_report(&cmd.spec, &run, SEV_FAIL,
			      "the command must exit 0 when approved and 75 "
			      "while pending; fix it or its environment",
			      NULL, dl);
	}
	cmdrun_result_release(&run);
	return st;
}

/* ---- one attempt ------------------------------------------------------------ */

enum approval_state approval_probe(struct ctx *c, const struct hooks *h,
				   struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	struct approval_target t;
	approval_target_resolve(c, &t);
	enum approval_state st = APPR_UNKNOWN;
	int fd = -1;

	if (!t.server) {
		if (cfg->approval_source == APPROVAL_COMMAND) {
			diag_add(dl, DIAG_APPROVAL_DNS, SEV_SKIP, F_SERVER,
				 NULL, "no management server configured: DNS "
				       "and TCP probes skipped");
		} else {
			diag_set_fix(diag_add(dl, DIAG_APPROVAL_DNS, SEV_FAIL,
					      F_SERVER, NULL,
					      "no management server to probe"),
				     "set [agent] server to the management "
				     "server's FQDN (stage %d)", STAGE_AGENT);
			goto out;
		}
	} else {
		enum np_result nr = netprobe_check(
			t.server, t.port, APPROVAL_PROBE_TIMEOUT_MS, h, dl,
			DIAG_APPROVAL_DNS, DIAG_APPROVAL_TCP, F_SERVER, F_PORT,
			21016,
			cfg->approval_source == APPROVAL_LAB ? &fd : NULL);
		if (nr == NP_CANCELLED) {
			st = APPR_CANCELLED;
			goto out;
		}
		if (nr != NP_OK)
			goto out;
	}
	switch (cfg->approval_source) {
	case APPROVAL_LAB:
		st = lab_status(c, &t, fd, h, dl);
		fd = -1;   /* mtls_request owns it */
		break;
	case APPROVAL_COMMAND:
		st = command_status(c, &t, h, dl);
		break;
	case APPROVAL_NONE:
		diag_add(dl, DIAG_APPROVAL_STATE, SEV_SKIP, F_SOURCE, NULL,
			 "[approval] source = none: the server is reachable; "
			 "the approval itself is not checked");
		st = APPR_NOT_CHECKED;
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	approval_target_release(&t);
	return st;
}

