/*
 * approval.c - stage 7, await approval (approval.h): the probe sequence
 * (DNS, TCP, mutual TLS status exchange or approval command), the polling
 * loop with back-off and cancellation, the administrator's approval
 * command, the server role's list-and-approve, and tolerant parsers for
 * the lab's small JSON answers.
 */
#include "stages/approval.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "stages/agent.h"
#include "core/agentconf.h"
#include "core/config.h"
#include "sys/fsutil.h"
#include "sys/http.h"
#include "sys/mtls.h"
#include "sys/netprobe.h"
#include "sys/cmdrun.h"
#include "stages/stages.h"
#include "pki/x509util.h"
#include "core/text.h"

#define F_SERVER "agent.server"
#define F_PORT "agent.port"
#define F_SOURCE "approval.source"
#define F_COMMAND "approval.command"
#define F_LIST "approval.list_command"
#define F_APPROVE "approval.approve_command"
#define F_TIMEOUT "approval.timeout"
#define F_CONFIG "agent.config"
#define JSON_MAX_DEPTH 32

/* ---- tolerant JSON reading ------------------------------------------------ */

struct jcur {
	const char *p, *end;
};

static void j_ws(struct jcur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* Parse a string at c->p ('"' expected).  out (may be NULL) gets a
 * malloc'd copy with escapes decoded (non-ASCII \u as '?').  0 / -1. */
static int j_string(struct jcur *c, char **out)
{
	if (c->p >= c->end || *c->p != '"')
		return -1;
	c->p++;
	size_t cap = 16, n = 0;
	char *s = out ? malloc(cap) : NULL;
	if (out && !s)
		return -1;
	while (c->p < c->end && *c->p != '"') {
		char ch = *c->p++;
		if ((unsigned char)ch < 0x20)
			goto bad;
		if (ch == '\\') {
			if (c->p >= c->end)
				goto bad;
			char e = *c->p++;
			switch (e) {
			case '"': case '\\': case '/': ch = e; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			case 'u': {
				if (c->end - c->p < 4)
					goto bad;
				int v = 0;
				for (int i = 0; i < 4; i++) {
					int hv = text_hex_digit(c->p[i]);
					if (hv < 0)
						goto bad;
					v = v * 16 + hv;
				}
				c->p += 4;
				ch = (v > 0 && v < 0x80) ? (char)v : '?';
				break;
			}
			default:
				goto bad;
			}
		}
		if (s) {
			if (n + 2 > cap) {
				char *ns = realloc(s, cap * 2);
				if (!ns)
					goto bad;
				s = ns;
				cap *= 2;
			}
			s[n++] = ch;
		}
	}
	if (c->p >= c->end)
		goto bad;
	c->p++;
	if (s) {
		s[n] = '\0';
		*out = s;
	}
	return 0;
bad:
	free(s);
	return -1;
}

static int j_skip(struct jcur *c, int depth);

/* After a member or element: ',' -> 1 (another follows), the closing
 * character -> 0 (consumed), anything else -> -1. */
static int j_after_item(struct jcur *c, char close)
{
	j_ws(c);
	if (c->p < c->end && *c->p == ',') {
		c->p++;
		return 1;
	}
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return 0;
	}
	return -1;
}

/* Walk an array, handing each element to fn (NULL: skip it).  0 / -1. */
typedef int (*j_elem_fn)(struct jcur *c, void *ud, int depth);
static int j_array(struct jcur *c, int depth, j_elem_fn fn, void *ud)
{
	if (depth > JSON_MAX_DEPTH)
		return -1;
	j_ws(c);
	if (c->p >= c->end || *c->p != '[')
		return -1;
	c->p++;
	j_ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return 0;
	}
	for (;;) {
		j_ws(c);
		if ((fn ? fn(c, ud, depth + 1) : j_skip(c, depth + 1)) != 0)
			return -1;
		int r = j_after_item(c, ']');
		if (r <= 0)
			return r;
	}
}

/* Iterate an object at c->p; for each key calls fn(key, c, ud) positioned
 * at the value, which must consume it (or return 1 to have it skipped). */
typedef int (*j_member_fn)(const char *key, struct jcur *c, void *ud,
			   int depth);

static int j_object(struct jcur *c, int depth, j_member_fn fn, void *ud)
{
	if (depth > JSON_MAX_DEPTH || c->p >= c->end || *c->p != '{')
		return -1;
	c->p++;
	j_ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return 0;
	}
	for (;;) {
		j_ws(c);
		char *key = NULL;
		if (j_string(c, &key) != 0)
			return -1;
		j_ws(c);
		if (c->p >= c->end || *c->p != ':') {
			free(key);
			return -1;
		}
		c->p++;
		j_ws(c);
		int r = fn ? fn(key, c, ud, depth) : 1;
		free(key);
		if (r < 0)
			return -1;
		if (r > 0 && j_skip(c, depth + 1) != 0)
			return -1;
		r = j_after_item(c, '}');
		if (r <= 0)
			return r;
	}
}

static int j_skip(struct jcur *c, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return -1;
	j_ws(c);
	if (c->p >= c->end)
		return -1;
	char ch = *c->p;
	if (ch == '"')
		return j_string(c, NULL);
	if (ch == '{')
		return j_object(c, depth, NULL, NULL);
	if (ch == '[')
		return j_array(c, depth, NULL, NULL);
	const char *s = c->p;
	while (c->p < c->end && (isalnum((unsigned char)*c->p) ||
				 *c->p == '-' || *c->p == '+' || *c->p == '.'))
		c->p++;
	return c->p > s ? 0 : -1;
}

struct agent_fields {
	char *agent, *serial, *state;
};

static int take_string_or_skip(struct jcur *c, char **dst, int depth)
{
	if (c->p < c->end && *c->p == '"') {
		char *v = NULL;
		if (j_string(c, &v) != 0)
			return -1;
		free(*dst);
		*dst = v;
		return 0;
	}
	if (c->p < c->end && *c->p == 'n')   /* null */
		return 1;
	return j_skip(c, depth + 1) == 0 ? 0 : -1;
}

static int agent_member(const char *key, struct jcur *c, void *ud, int depth)
{
	struct agent_fields *f = ud;
	if (strcmp(key, "agent") == 0 || strcmp(key, "fqdn") == 0 ||
	    strcmp(key, "name") == 0)
		return take_string_or_skip(c, &f->agent, depth);
	if (strcmp(key, "serial") == 0)
		return take_string_or_skip(c, &f->serial, depth);
	if (strcmp(key, "state") == 0)
		return take_string_or_skip(c, &f->state, depth);
	return 1;
}

static void fields_free(struct agent_fields *f)
{
	free(f->agent);
	free(f->serial);
	free(f->state);
	memset(f, 0, sizeof(*f));
}

static enum approval_state state_from_text(const char *s)
{
	if (!s)
		return APPR_UNKNOWN;
	if (strcasecmp(s, "pending") == 0)
		return APPR_PENDING;
	if (strcasecmp(s, "approved") == 0)
		return APPR_APPROVED;
	if (strcasecmp(s, "rejected") == 0 || strcasecmp(s, "denied") == 0)
		return APPR_REJECTED;
	return APPR_UNKNOWN;
}

int approval_parse_status(const char *body, size_t len,
			  enum approval_state *state, char **agent,
			  char **serial)
{
	if (agent)
		*agent = NULL;
	if (serial)
		*serial = NULL;
	*state = APPR_UNKNOWN;
	if (!body)
		return -1;
	struct jcur c = { body, body + len };
	struct agent_fields f = { 0 };
	j_ws(&c);
	if (j_object(&c, 0, agent_member, &f) != 0) {
		fields_free(&f);
		return -1;
	}
	enum approval_state st = state_from_text(f.state);
	if (st == APPR_UNKNOWN) {
		fields_free(&f);
		return -1;
	}
	*state = st;
	if (agent) {
		*agent = f.agent;
		f.agent = NULL;
	}
	if (serial) {
		*serial = f.serial;
		f.serial = NULL;
	}
	fields_free(&f);
	return 0;
}

void approval_agents_release(struct approval_agents *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->items[i].name);
		free(a->items[i].serial);
		free(a->items[i].state);
	}
	free(a->items);
	a->items = NULL;
	a->n = 0;
}

static int agents_push(struct approval_agents *a, char *name, char *serial,
		       char *state)
{
	struct approval_agent *ni =
		realloc(a->items, (a->n + 1) * sizeof(*ni));
	if (!ni)
		return -1;
	a->items = ni;
	a->items[a->n].name = name;
	a->items[a->n].serial = serial;
	a->items[a->n].state = state;
	a->n++;
	return 0;
}

/* An array of agent objects at c->p. */
/* One element of "agents": an agent object, kept when it names an agent. */
static int agent_elem(struct jcur *c, void *ud, int depth)
{
	struct approval_agents *out = ud;
	struct agent_fields f = { 0 };
	if (j_object(c, depth, agent_member, &f) != 0) {
		fields_free(&f);
		return -1;
	}
	if (f.agent && *f.agent) {
		if (agents_push(out, f.agent, f.serial, f.state)) {
			fields_free(&f);
			return -1;
		}
	} else {
		fields_free(&f);
	}
	return 0;
}

static int agents_array(struct jcur *c, struct approval_agents *out,
			int depth)
{
	return j_array(c, depth, agent_elem, out);
}

struct agents_ud {
	struct approval_agents *out;
	int found;
};

static int agents_member(const char *key, struct jcur *c, void *ud, int depth)
{
	struct agents_ud *a = ud;
	if (strcmp(key, "agents") == 0 && c->p < c->end && *c->p == '[') {
		a->found = 1;
		return agents_array(c, a->out, depth) == 0 ? 0 : -1;
	}
	return 1;
}

int approval_parse_agents(const char *body, size_t len,
			  struct approval_agents *out)
{
	out->items = NULL;
	out->n = 0;
	if (!body)
		return -1;
	struct jcur c = { body, body + len };
	j_ws(&c);
	int r;
	if (c.p < c.end && *c.p == '[') {
		r = agents_array(&c, out, 0);
	} else {
		struct agents_ud ud = { out, 0 };
		r = j_object(&c, 0, agents_member, &ud);
		if (r == 0 && !ud.found)
			r = -1;
	}
	if (r != 0)
		approval_agents_release(out);
	return r;
}

int approval_next_delay(int prev_s, int interval_s, int left_s)
{
	if (interval_s < 1)
		interval_s = 1;
	int cap = interval_s > APPROVAL_BACKOFF_CAP_S ? interval_s
						      : APPROVAL_BACKOFF_CAP_S;
	int d;
	if (prev_s <= 0)
		d = interval_s;
	else
		d = prev_s > cap / 2 ? cap : prev_s * 2;
	if (d > cap)
		d = cap;
	if (left_s >= 0 && d > left_s)
		d = left_s;
	return d;
}

char *approval_admin_command(const char *fqdn)
{
	const char *name = fqdn && *fqdn ? fqdn : "<agent FQDN>";
	size_t n = strlen(name);
	char *q = malloc(2 * n + 1);
	if (!q)
		return NULL;
	char *o = q;
	for (const char *p = name; *p; p++) {
		if (*p == '\'')
			*o++ = '\'';
		*o++ = *p;
	}
	*o = '\0';
	char *s = NULL;
	if (asprintf(&s,
		     "Get-SCOMPendingManagement | Where-Object "
		     "{$_.AgentName -eq '%s'} | Approve-SCOMPendingManagement",
		     q) < 0)
		s = NULL;
	free(q);
	return s;
}

void approval_view_free(void *p)
{
	struct approval_view *v = p;
	if (!v)
		return;
	free(v->admin_command);
	approval_agents_release(&v->agents);
	free(v);
}

/* ---- where to talk to, with what ---------------------------------------- */

struct target {
	char *server;
	int port;
	char *cert;
	char *key;
	char *fqdn;
};

static void target_release(struct target *t)
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
static void target_resolve(struct ctx *c, struct target *t)
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

static void tls_failure(struct diag_list *dl, enum mtls_err e,
			const char *err, const struct target *t)
{
	struct diag *d;
	switch (e) {
	case MTLS_E_CLIENT_REJECTED:
		d = diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL, F_SERVER,
			     "have the certificate issued by a CA the "
			     "management server trusts (its root must be in "
			     "the server's Trusted Root store), then run "
			     "stages 2-6 again",
			     "mutually authenticated TLS with '%s' port %d "
			     "failed: %s; the agent logs event 21007 (cannot "
			     "create a mutually authenticated connection) and "
			     "the server 20071 (connection closed before "
			     "authentication)",
			     t->server, t->port, err);
		if (d)
			d->event = 21007;
		break;
	case MTLS_E_SERVER_UNTRUSTED:
		d = diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL, F_SERVER,
			     "trust the root CA that issued the management "
			     "server's certificate (stage 1)",
			     "TLS with '%s' port %d failed: %s; the agent logs "
			     "event 20072 (remote certificate not trusted), "
			     "then 21007",
			     t->server, t->port, err);
		if (d)
			d->event = 20072;
		break;
	case MTLS_E_NAME_MISMATCH:
		diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL, F_SERVER,
			 "set [agent] server to the name in the management "
			 "server's certificate (its FQDN)",
			 "TLS with '%s' port %d failed: %s (event 21007)",
			 t->server, t->port, err);
		break;
	case MTLS_E_CONFIG:
		diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL, F_CONFIG,
			 "run stages 1-6 first so the certificate, key and "
			 "trusted root are in place",
			 "cannot prepare the TLS connection: %s (event 21007)",
			 err);
		break;
	case MTLS_E_CLOSED:
		d = diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL, F_SERVER,
			     "check that the management server trusts our CA "
			     "and that the agent is approved",
			     "TLS with '%s' port %d: %s (the server logs event "
			     "20071 when it closes before authentication, "
			     "20070 right after it)",
			     t->server, t->port, err);
		if (d)
			d->event = 20071;
		break;
	case MTLS_E_TIMEOUT:
	case MTLS_E_CONNECT:
		d = diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL, F_PORT,
			     "check that the management server is running and "
			     "reachable on this port",
			     "TLS with '%s' port %d: %s; the agent logs event "
			     "21006, then 21016 (no channel, no failover)",
			     t->server, t->port, err);
		if (d)
			d->event = 21006;
		break;
	default:
		diag_add(dl, DIAG_APPROVAL_TLS, SEV_FAIL, F_SERVER,
			 "check the management server's TLS set-up",
			 "TLS with '%s' port %d failed: %s (event 21007)",
			 t->server, t->port, err);
		break;
	}
}

static void mtls_opts_for(struct ctx *c, const struct target *t,
			  struct mtls_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = t->server;
	o->port = t->port;
	o->cert_path = t->cert;
	o->key_path = t->key;
	o->ca_file = c->st && c->st->root_path && fs_is_regular(c->st->root_path)
			     ? c->st->root_path
			     : NULL;
	o->ca_dir = ctx_trust_store(c);
	o->timeout_ms = APPROVAL_PROBE_TIMEOUT_MS;
}

/* HTTP status other than 200 from the lab: a diagnostic. */
static void http_status_failure(struct diag_list *dl, const struct target *t,
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
			"have the certificate issued by a CA the management "
			"server trusts, then run stages 2-6 again",
			"the management server '%s' refused %s with HTTP %d "
			"(%s): our certificate is not accepted (event 21007, "
			"server event 20071)",
			t->server, what, r->status, body);
		if (d)
			d->event = 21007;
		return;
	}
	diag_add(dl, DIAG_APPROVAL_STATE, SEV_FAIL, F_SERVER,
		 "check that [agent] server and port name the management "
		 "server",
		 "the management server '%s' answered %s with HTTP %d (%s)",
		 t->server, what, r->status, body);
}

static enum approval_state lab_status(struct ctx *c, const struct target *t,
				      int fd, const struct hooks *h,
				      struct diag_list *dl)
{
	struct mtls_opts o;
	mtls_opts_for(c, t, &o);
	struct mtls_response r;
	char err[512];
	enum mtls_err e = mtls_request(&o, fd, "GET", APPROVAL_STATUS_PATH,
				       NULL, h, &r, err, sizeof(err));
	if (e == MTLS_E_CANCELLED) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "cancelled during the TLS exchange with '%s'",
			 t->server);
		return APPR_CANCELLED;
	}
	if (e != MTLS_OK) {
		tls_failure(dl, e, err, t);
		return APPR_UNKNOWN;
	}
	if (r.status != 200) {
		http_status_failure(dl, t, "the status request", &r);
		mtls_response_release(&r);
		return APPR_UNKNOWN;
	}
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

/* A configured [approval] command with what it learns from its
 * environment; the caller runs it with cmdrun_run. */
struct approval_cmd {
	struct cmdrun spec;
	char port[16];
	const char *env[7];
};

static void approval_cmd_init(struct approval_cmd *a, const struct config *cfg,
			      const char *setting, const char *field,
			      const char *cmdline, const struct target *t)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->port, sizeof(a->port), "%d", t->port);
	const char *env[] = {
		"OPSMGR_AGENT_FQDN", t->fqdn ? t->fqdn : "",
		"OPSMGR_MANAGEMENT_SERVER", t->server ? t->server : "",
		"OPSMGR_MANAGEMENT_PORT", a->port, NULL
	};
	memcpy(a->env, env, sizeof(env));
	a->spec.setting = setting;
	a->spec.field = field;
	a->spec.check = DIAG_APPROVAL_COMMAND;
	a->spec.cmdline = cmdline;
	a->spec.env = a->env;
	a->spec.timeout_s = cfg->agent_command_timeout;
}

static enum approval_state command_status(struct ctx *c,
					  const struct target *t,
					  const struct hooks *h,
					  struct diag_list *dl)
{
	struct approval_cmd cmd;
	approval_cmd_init(&cmd, c->cfg, "command", F_COMMAND,
			  c->cfg->approval_command, t);
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
	struct target t;
	target_resolve(c, &t);
	enum approval_state st = APPR_UNKNOWN;
	int fd = -1;

	if (!t.server) {
		if (cfg->approval_source == APPROVAL_COMMAND) {
			diag_add(dl, DIAG_APPROVAL_DNS, SEV_SKIP, F_SERVER,
				 NULL, "no management server configured: DNS "
				       "and TCP probes skipped");
		} else {
			diag_add(dl, DIAG_APPROVAL_DNS, SEV_FAIL, F_SERVER,
				 "set [agent] server to the management "
				 "server's FQDN (stage 5)",
				 "no management server to probe");
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
	target_release(&t);
	return st;
}

/* ---- the agent's wait ----------------------------------------------------- */

static const char *state_word(enum approval_state s)
{
	switch (s) {
	case APPR_PENDING: return "pending";
	case APPR_APPROVED: return "approved";
	case APPR_REJECTED: return "rejected";
	case APPR_CANCELLED: return "cancelled";
	case APPR_NOT_CHECKED: return "reachable";
	default: return "failed";
	}
}

/* The line for an attempt; it stays the same during the wait after it so
 * a line-printing caller (the runner) prints one line per attempt, while
 * the fraction and the view's elapsed/next times move every second. */
static void attempt_text(const struct approval_view *v, char *what,
			 size_t len)
{
	if (v->next_in_s >= 0)
		snprintf(what, len,
			 "attempt %d: %s, %.0f s elapsed, next attempt in "
			 "%.0f s", v->attempt, state_word(v->state),
			 v->elapsed_s, v->next_in_s);
	else
		snprintf(what, len, "attempt %d: %s, %.0f s elapsed",
			 v->attempt, state_word(v->state), v->elapsed_s);
}

static void report(const struct hooks *h, const struct approval_view *v,
		   const char *what)
{
	double frac = v->timeout_s > 0 ? v->elapsed_s / v->timeout_s : 1.0;
	hooks_progress(h, what, frac > 1.0 ? 1.0 : frac);
}

/* Wait ms (poll slices, cancel checked), updating the view and calling
 * progress once a second.  1 when cancelled. */
static int wait_reporting(int ms, long long start, struct approval_view *v,
			  const char *what, const struct hooks *h)
{
	long long end = netprobe_now_ms() + ms;
	for (;;) {
		long long now = netprobe_now_ms();
		if (now >= end)
			return hooks_cancelled(h) ? 1 : 0;
		int chunk = end - now > 1000 ? 1000 : (int)(end - now);
		if (netprobe_sleep(chunk, h))
			return 1;
		now = netprobe_now_ms();
		v->elapsed_s = (double)(now - start) / 1000.0;
		v->next_in_s = end > now ? (double)(end - now) / 1000.0 : 0;
		report(h, v, what);
	}
}

/*
 * Long poll (lab source): instead of sleeping between attempts, ask the
 * lab to hold a pending answer (GET status?wait=N, at most
 * APPROVAL_LONG_POLL_MAX_S per request) so an approval is seen within a
 * fraction of a second while the agent makes one TLS exchange per N
 * seconds.  The wrapped hooks keep the caller's view live (elapsed time
 * once a second) and its Esc working while the request is held.
 */
struct poll_hooks {
	const struct hooks *inner;
	struct approval_view *v;
	long long start, end, last_report;
	const char *what;
};

static int poll_cancelled(void *ud)
{
	struct poll_hooks *p = ud;
	long long now = netprobe_now_ms();
	if (now - p->last_report >= 1000) {
		p->last_report = now;
		p->v->elapsed_s = (double)(now - p->start) / 1000.0;
		p->v->next_in_s = p->end > now ? (double)(p->end - now) / 1000.0
					       : 0;
		report(p->inner, p->v, p->what);
	}
	return hooks_cancelled(p->inner);
}

/* Hold for up to ms; returns the state seen (APPR_PENDING when the time
 * ran out), APPR_CANCELLED, or APPR_UNKNOWN on any failure (the caller
 * then sleeps the rest and the next attempt reports the problem). */
static enum approval_state lab_long_poll(struct ctx *c, long long ms,
					 long long start,
					 struct approval_view *v,
					 const char *what,
					 const struct hooks *h)
{
	long long end = netprobe_now_ms() + ms;
	enum approval_state st = APPR_PENDING;
	struct target t;
	target_resolve(c, &t);
	while (st == APPR_PENDING) {
		long long left = end - netprobe_now_ms();
		int wait_s = (int)(left / 1000);
		if (wait_s > APPROVAL_LONG_POLL_MAX_S)
			wait_s = APPROVAL_LONG_POLL_MAX_S;
		if (wait_s < 1 || !t.server)
			break;
		struct poll_hooks ph = { h, v, start, end, netprobe_now_ms(),
					 what };
		struct hooks wh = { NULL, poll_cancelled, NULL, &ph };
		struct mtls_opts o;
		mtls_opts_for(c, &t, &o);
		o.timeout_ms = wait_s * 1000 + APPROVAL_PROBE_TIMEOUT_MS;
		char path[64], err[512];
		snprintf(path, sizeof(path), "%s?wait=%d", APPROVAL_STATUS_PATH,
			 wait_s);
		struct mtls_response r;
		enum mtls_err e = mtls_request(&o, -1, "GET", path, NULL, &wh,
					       &r, err, sizeof(err));
		if (e == MTLS_E_CANCELLED) {
			st = APPR_CANCELLED;
			break;
		}
		if (e != MTLS_OK) {
			st = APPR_UNKNOWN;
			break;
		}
		char *agent = NULL, *serial = NULL;
		if (r.status != 200 ||
		    approval_parse_status(r.body, r.body_len, &st, &agent,
					  &serial))
			st = APPR_UNKNOWN;
		free(agent);
		free(serial);
		mtls_response_release(&r);
	}
	target_release(&t);
	return st;
}

static enum status agent_wait(struct ctx *c, const struct hooks *h,
			      struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	int interval = cfg->approval_interval > 0 ? cfg->approval_interval
						  : CONFIG_DEFAULT_INTERVAL;
	int timeout = cfg->approval_timeout >= 0 ? cfg->approval_timeout
						 : CONFIG_DEFAULT_APPROVAL_TIMEOUT;
	struct approval_view *v = calloc(1, sizeof(*v));
	if (!v) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}
	struct target t;
	target_resolve(c, &t);
	char *fqdn = t.fqdn ? strdup(t.fqdn) : NULL;
	target_release(&t);
	v->timeout_s = timeout;
	v->next_in_s = -1;
	v->admin_command = approval_admin_command(fqdn);
	ctx_set_out(c, STAGE_APPROVAL, v, approval_view_free);

	long long start = netprobe_now_ms();
	int delay = 0;
	int cancelled = 0, timed_out = 0;
	enum approval_state st = APPR_UNKNOWN;
	struct diag_list last;
	diag_list_init(&last);
	for (;;) {
		diag_list_release(&last);
		st = approval_probe(c, h, &last);
		v->attempt++;
		v->state = st;
		long long now = netprobe_now_ms();
		v->elapsed_s = (double)(now - start) / 1000.0;
		v->next_in_s = -1;
		if (st == APPR_CANCELLED) {
			cancelled = 1;
			break;
		}
		char what[200];
		if (st != APPR_PENDING) {
			attempt_text(v, what, sizeof(what));
			report(h, v, what);
			break;
		}
		long long left_ms = (long long)timeout * 1000 - (now - start);
		if (left_ms <= 0) {
			timed_out = 1;
			attempt_text(v, what, sizeof(what));
			report(h, v, what);
			break;
		}
		delay = approval_next_delay(delay, interval,
					    (int)((left_ms + 999) / 1000));
		long long wait_ms = (long long)delay * 1000;
		if (wait_ms > left_ms)
			wait_ms = left_ms;
		v->next_in_s = (double)wait_ms / 1000.0;
		attempt_text(v, what, sizeof(what));
		report(h, v, what);
		long long wait_end = netprobe_now_ms() + wait_ms;
		if (cfg->approval_source == APPROVAL_LAB) {
			enum approval_state lp =
				lab_long_poll(c, wait_ms, start, v, what, h);
			if (lp == APPR_CANCELLED) {
				cancelled = 1;
				st = APPR_PENDING;
				break;
			}
			if (lp == APPR_APPROVED || lp == APPR_REJECTED)
				continue;   /* the next attempt confirms it */
		}
		long long rest = wait_end - netprobe_now_ms();
		if (rest > 0 && wait_reporting((int)rest, start, v, what, h)) {
			cancelled = 1;
			st = APPR_PENDING;
			break;
		}
	}
	diag_list_append(dl, &last);
	diag_list_release(&last);
	v->next_in_s = -1;

	enum status rs;
	if (cancelled) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "stopped waiting for approval after %d attempt%s "
			 "(%.0f s); run this stage again to resume",
			 v->attempt, v->attempt == 1 ? "" : "s", v->elapsed_s);
		if (st == APPR_PENDING || st == APPR_CANCELLED)
			state_set_str(&c->st->approval, "pending");
		rs = ST_CANCELLED;
	} else if (timed_out) {
		diag_add(dl, DIAG_APPROVAL_TIMEOUT, SEV_WARN, F_TIMEOUT,
			 "ask the administrator to approve the agent (command "
			 "below), then run again: the wait resumes",
			 "'%s' was not approved within %d s (%d attempt%s); "
			 "the agent logs event 20070 after each connection, "
			 "then 21016",
			 fqdn ? fqdn : "this agent", timeout, v->attempt,
			 v->attempt == 1 ? "" : "s");
		state_set_str(&c->st->approval, "pending");
		rs = ST_PENDING;
	} else if (st == APPR_APPROVED) {
		state_set_str(&c->st->approval, "approved");
		rs = ST_OK;
	} else if (st == APPR_NOT_CHECKED) {
		rs = ST_OK;
	} else if (st == APPR_REJECTED) {
		state_set_str(&c->st->approval, "rejected");
		rs = ST_FAIL;
	} else {
		rs = ST_FAIL;
	}
	diag_add(dl, DIAG_APPROVAL_ADMIN_HINT, SEV_INFO, NULL, NULL,
		 "the management server's administrator approves this agent "
		 "with: %s",
		 v->admin_command ? v->admin_command : "?");
	free(fqdn);
	return rs;
}

/* ---- server role ------------------------------------------------------------- */

/* [approval] list_command: one agent FQDN per output line, blank lines
 * ignored.  0 / -1. */
static int list_by_command(struct ctx *c, const struct target *t,
			   const struct hooks *h, struct approval_agents *out,
			   struct diag_list *dl)
{
	struct approval_cmd cmd;
	approval_cmd_init(&cmd, c->cfg, "list_command", F_LIST,
			  c->cfg->approval_list_command, t);
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
		if (!name || !state || agents_push(out, name, NULL, state)) {
			free(name);
			free(state);
			break;
		}
	}
	cmdrun_result_release(&run);
	return 0;
}

int approval_list(struct ctx *c, const struct hooks *h,
		  struct approval_agents *out, struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	out->items = NULL;
	out->n = 0;
	struct target t;
	target_resolve(c, &t);
	int rc = -1;

	if (cfg->approval_list_command && *cfg->approval_list_command) {
		rc = list_by_command(c, &t, h, out, dl);
		goto out;
	}
	if (cfg->approval_source != APPROVAL_LAB) {
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_FAIL, F_LIST,
			 "set [approval] source = lab, or [approval] "
			 "list_command",
			 "no way to list the agents waiting for approval");
		goto out;
	}
	if (!t.server) {
		diag_add(dl, DIAG_APPROVAL_DNS, SEV_FAIL, F_SERVER,
			 "set [agent] server to the management server's "
			 "address",
			 "no management server to ask for pending agents");
		goto out;
	}
	int fd = -1;
	enum np_result nr = netprobe_check(t.server, t.port,
					   APPROVAL_PROBE_TIMEOUT_MS, h, dl,
					   DIAG_APPROVAL_DNS, DIAG_APPROVAL_TCP,
					   F_SERVER, F_PORT, 21016, &fd);
	if (nr != NP_OK)
		goto out;
	struct mtls_opts o;
	mtls_opts_for(c, &t, &o);
	struct mtls_response r;
	char err[512];
	enum mtls_err e = mtls_request(&o, fd, "GET", APPROVAL_AGENTS_PATH,
				       NULL, h, &r, err, sizeof(err));
	if (e == MTLS_E_CANCELLED) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "cancelled while listing agents");
		goto out;
	}
	if (e != MTLS_OK) {
		tls_failure(dl, e, err, &t);
		goto out;
	}
	if (r.status != 200) {
		http_status_failure(dl, &t, "the agent list request", &r);
		mtls_response_release(&r);
		goto out;
	}
	diag_add(dl, DIAG_APPROVAL_TLS, SEV_PASS, F_SERVER, NULL,
		 "mutually authenticated TLS with '%s' port %d", t.server,
		 t.port);
	if (approval_parse_agents(r.body, r.body_len, out) != 0) {
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_FAIL, F_SERVER,
			 "check that [agent] server and port name the "
			 "management server",
			 "the management server's agent list is not "
			 "understood");
		mtls_response_release(&r);
		goto out;
	}
	mtls_response_release(&r);
	rc = 0;
out:
	target_release(&t);
	return rc;
}

static int agent_name_ok(const char *a)
{
	if (!a || !*a || strlen(a) > 253)
		return 0;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* [approval] approve_command with {agent} replaced.  0 / -1. */
static int approve_by_command(struct ctx *c, const struct target *t,
			      const char *agent, const struct hooks *h,
			      struct diag_list *dl)
{
	struct approval_cmd cmd;
	approval_cmd_init(&cmd, c->cfg, "approve_command", F_APPROVE,
			  c->cfg->approval_approve_command, t);
	cmd.spec.check = DIAG_APPROVAL_AGENTS;
	cmd.spec.agent = agent;
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

int approval_approve(struct ctx *c, const struct hooks *h, const char *agent,
		     struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	if (!agent_name_ok(agent)) {
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_FAIL, NULL, NULL,
			 "'%s' is not an agent name that can be approved",
			 agent ? agent : "");
		return -1;
	}
	struct target t;
	target_resolve(c, &t);
	int rc = -1;
	if (cfg->approval_approve_command && *cfg->approval_approve_command) {
		rc = approve_by_command(c, &t, agent, h, dl);
		goto out;
	}
	if (cfg->approval_source != APPROVAL_LAB || !t.server) {
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_FAIL, F_APPROVE,
			 "set [approval] source = lab with [agent] server, or "
			 "[approval] approve_command",
			 "no way to approve '%s'", agent);
		goto out;
	}
	char *enc = http_urlencode(agent);
	char *form = NULL;
	if (!enc || asprintf(&form, "agent=%s", enc) < 0) {
		free(enc);
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		goto out;
	}
	free(enc);
	struct mtls_opts o;
	mtls_opts_for(c, &t, &o);
	struct mtls_response r;
	char err[512];
	enum mtls_err e = mtls_request(&o, -1, "POST", APPROVAL_APPROVE_PATH,
				       form, h, &r, err, sizeof(err));
	free(form);
	if (e == MTLS_E_CANCELLED) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "cancelled while approving '%s'", agent);
		goto out;
	}
	if (e != MTLS_OK) {
		tls_failure(dl, e, err, &t);
		goto out;
	}
	if (r.status != 200) {
		char what[300];
		snprintf(what, sizeof(what), "approving '%s'", agent);
		http_status_failure(dl, &t, what, &r);
	} else {
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_PASS, NULL, NULL,
			 "approved '%s' on the management server '%s'", agent,
			 t.server);
		rc = 0;
	}
	mtls_response_release(&r);
out:
	target_release(&t);
	return rc;
}

static enum status server_run(struct ctx *c, const struct hooks *h,
			      struct diag_list *dl)
{
	struct approval_view *v = calloc(1, sizeof(*v));
	if (!v) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}
	v->next_in_s = -1;
	v->attempt = 1;
	ctx_set_out(c, STAGE_APPROVAL, v, approval_view_free);
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
	if (!c->interactive && pending > 0)
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_INFO, NULL,
			 "approve them in the wizard's stage 7, with "
			 "'opsmgr-enroll-lab approve', or with the "
			 "administrator's Approve-SCOMPendingManagement",
			 "non-interactive run: no agent was approved (an "
			 "operator picks which)");
	return ST_OK;
}

enum status stage_approval_run(struct ctx *c, const struct hooks *h,
			       struct diag_list *dl)
{
	if (c->cfg->role == ROLE_SERVER)
		return server_run(c, h, dl);
	return agent_wait(c, h, dl);
}
