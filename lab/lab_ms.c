/*
 * lab_ms.c - the lab's management server, socket-free (the exchange is
 * documented in lab/PROTOCOL.md).  The caller has verified the client
 * certificate (it chains to the lab root) and passes its subject CN,
 * serial and SHA-256; requests without them are refused with 403.  An
 * agent is known by its name: a second certificate for the same name from
 * the lab root authenticates as that agent (the serial change is logged),
 * as on a real management server.  The administrator is known by the
 * whole certificate: only DIR/admin/admin.pem (its SHA-256 in the
 * context) may list, approve and reject; an agent asking gets 403.
 *   GET  /opsmgr/v1/status   the caller's own state; first contact records
 *                            it as pending (approved at once or after
 *                            --auto-approve SECONDS).  With ?wait=N
 *                            (1..LAB_MS_MAX_WAIT_S) a pending answer is
 *                            held until the state changes or N seconds
 *                            pass (long poll: approval is seen at once
 *                            without the agent polling often).
 *   GET  /opsmgr/v1/agents   every agent                (administrator)
 *   POST /opsmgr/v1/approve  agent=<fqdn>   (and /opsmgr/v1/reject;
 *                            administrator)
 * Answers are JSON.
 */
#include "lab.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CT_JSON "application/json"
#define LAB_MS_MAX_WAIT_S 10     /* below the connection timeout (15 s) */
#define LAB_MS_WAIT_STEP_MS 200

static void put_json_str(struct strbuf *b, const char *s)
{
	strbuf_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[8];

		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			strbuf_put(b, esc, 2);
		} else if (ch < 0x20 || ch >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			strbuf_put(b, esc, 6);
		} else {
			strbuf_put(b, (const char *)&ch, 1);
		}
	}
	strbuf_put(b, "\"", 1);
}

static void put_agent(struct strbuf *b, const struct lab_agent *a)
{
	strbuf_puts(b, "{\"agent\":");
	put_json_str(b, a->fqdn);
	strbuf_puts(b, ",\"serial\":");
	put_json_str(b, a->serial);
	strbuf_puts(b, ",\"state\":");
	put_json_str(b, lab_agent_state_name(a->state));
	strbuf_puts(b, "}");
}

static void json(struct lab_resp *r, unsigned status, struct strbuf *b)
{
	strbuf_puts(b, "\n");
	size_t n = b->n;
	char *text = strbuf_take(b);
	if (!text) {
		lab_resp_text(r, 500, CT_JSON, "{\"error\":\"out of memory\"}\n");
		return;
	}
	lab_resp_take(r, status, CT_JSON, (unsigned char *)text, n);
}

static void json_error(struct lab_resp *r, unsigned status, const char *msg)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_puts(&b, "{\"error\":");
	put_json_str(&b, msg);
	strbuf_puts(&b, "}");
	json(r, status, &b);
}

/* Approve agents whose --auto-approve delay has passed; 1 when changed. */
static int auto_approve(const struct lab_ctx *c, struct lab_state *st,
			long long now)
{
	int changed = 0;

	if (c->auto_approve < 0)
		return 0;
	for (size_t i = 0; i < st->nag; i++) {
		struct lab_agent *a = &st->ag[i];

		if (a->state == AGENT_PENDING &&
		    now - a->first_seen >= c->auto_approve) {
			a->state = AGENT_APPROVED;
			changed = 1;
			lab_log(c, "ms: agent '%s' approved automatically after "
				"%d s", a->fqdn, c->auto_approve);
		}
	}
	return changed;
}

static void do_status(const struct lab_ctx *c, const struct lab_http_req *q,
		      struct lab_state *st, int *dirty, struct lab_resp *r)
{
	struct lab_agent *a = lab_state_find_agent(st, q->peer_cn);
	long long now = (long long)time(NULL);
	struct strbuf b = STRBUF_INIT;

	if (!a) {
		struct lab_agent na;

		memset(&na, 0, sizeof(na));
		na.state = AGENT_PENDING;
		na.first_seen = now;
		lab_sanitise(na.fqdn, sizeof(na.fqdn), q->peer_cn, 1);
		lab_sanitise(na.serial, sizeof(na.serial), q->peer_serial, 1);
		a = lab_state_add_agent(st, &na);
		if (!a) {
			json_error(r, 500, "out of memory");
			return;
		}
		*dirty = 1;
		lab_log(c, "ms: new agent '%s' (serial %s) is pending approval "
			"(like event 20000: a device which is not part of this "
			"management group has tried to access this health "
			"service)", a->fqdn, a->serial);
	} else if (strcmp(a->serial, q->peer_serial)) {
		lab_log(c, "ms: agent '%s' now presents serial %s (was %s)",
			a->fqdn, q->peer_serial, a->serial);
		lab_sanitise(a->serial, sizeof(a->serial), q->peer_serial, 1);
		*dirty = 1;
	}
	if (auto_approve(c, st, now))
		*dirty = 1;
	put_agent(&b, a);
	json(r, 200, &b);
}

static void do_agents(const struct lab_state *st, struct lab_resp *r)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_puts(&b, "{\"agents\":[");
	for (size_t i = 0; i < st->nag; i++) {
		if (i)
			strbuf_puts(&b, ",");
		put_agent(&b, &st->ag[i]);
	}
	strbuf_puts(&b, "]}");
	json(r, 200, &b);
}

static void do_set(const struct lab_ctx *c, const struct lab_http_req *q,
		   struct lab_state *st, int *dirty, struct lab_resp *r,
		   enum lab_agent_state to)
{
	const char *name = lab_kvs_get(q->form, "agent");
	struct lab_agent *a = name && *name ? lab_state_find_agent(st, name)
					    : NULL;
	struct strbuf b = STRBUF_INIT;

	if (!name || !*name) {
		json_error(r, 400, "the form field 'agent' is missing");
		return;
	}
	if (!a) {
		char msg[300];

		snprintf(msg, sizeof(msg), "no agent '%.*s' has contacted this "
			 "management server", LAB_CN_MAX, name);
		json_error(r, 404, msg);
		return;
	}
	if (a->state != to) {
		a->state = to;
		*dirty = 1;
		lab_log(c, "ms: agent '%s' %s by the administrator", a->fqdn,
			lab_agent_state_name(to));
	}
	put_agent(&b, a);
	json(r, 200, &b);
}

/* The peer is the lab administrator (its whole certificate). */
static int is_admin(const struct lab_ctx *c, const struct lab_http_req *q)
{
	return c->admin_sha256 && q->peer_sha256 &&
	       !strcmp(c->admin_sha256, q->peer_sha256);
}

/* Who may call path: the administrator its endpoints, agents status.
 * 0, or -1 with the 403 in r. */
static int check_role(const struct lab_ctx *c, const struct lab_http_req *q,
		      const char *path, struct lab_resp *r)
{
	int admin = is_admin(c, q);
	char msg[600];

	if (!strcmp(path, "/opsmgr/v1/status")) {
		if (!admin)
			return 0;
		json_error(r, 403, "the lab administrator certificate is no "
			   "agent's: ask for /opsmgr/v1/status with an agent "
			   "certificate");
		return -1;
	}
	if (admin)
		return 0;
	snprintf(msg, sizeof(msg), "listing, approving and rejecting agents "
		 "needs the lab administrator certificate (%s/" LAB_ADMIN_CERT
		 "); '%.*s' (serial %.*s) is an agent's certificate", c->dir,
		 LAB_CN_MAX, q->peer_cn, LAB_SERIAL_MAX, q->peer_serial);
	lab_log(c, "ms: refused %s %s to '%s' (serial %s): not the lab "
		"administrator certificate", q->method ? q->method : "",
		path, q->peer_cn, q->peer_serial);
	json_error(r, 403, msg);
	return -1;
}

/* ?wait=N of a status request, clamped to 0..LAB_MS_MAX_WAIT_S. */
static int status_wait_s(const struct lab_http_req *q)
{
	const char *w = q->query ? lab_kvs_get(q->query, "wait") : NULL;
	if (!w || !*w)
		return 0;
	char *end;
	long n = strtol(w, &end, 10);
	if (*end || n <= 0)
		return 0;
	return n > LAB_MS_MAX_WAIT_S ? LAB_MS_MAX_WAIT_S : (int)n;
}

/*
 * Long poll: the caller (status request, state saved and unlocked) is
 * pending; re-read the state every LAB_MS_WAIT_STEP_MS until its state
 * changes (approve/deny command, --auto-approve) or wait_s pass, then
 * replace r with the current answer.  Runs in the connection's own thread
 * (MHD thread per connection), so other clients are not held.
 */
static void status_long_poll(const struct lab_ctx *c,
			     const struct lab_http_req *q, int wait_s,
			     struct lab_resp *r)
{
	struct timespec step = { 0, LAB_MS_WAIT_STEP_MS * 1000000L };
	long long end = (long long)time(NULL) + wait_s;
	char err[512];

	while ((long long)time(NULL) < end) {
		nanosleep(&step, NULL);
		struct lab_state st;
		int fd = lab_state_open(c->dir, &st, err, sizeof(err));
		if (fd < 0)
			return;   /* keep the pending answer already in r */
		int dirty = auto_approve(c, &st, (long long)time(NULL));
		if (dirty)
			lab_state_save(c->dir, &st, err, sizeof(err));
		struct lab_agent *a = lab_state_find_agent(&st, q->peer_cn);
		int done = !a || a->state != AGENT_PENDING;
		if (done && a) {
			struct strbuf b = STRBUF_INIT;
			lab_resp_release(r);
			memset(r, 0, sizeof(*r));
			put_agent(&b, a);
			json(r, 200, &b);
		}
		lab_state_unlock(fd);
		lab_state_release(&st);
		if (done)
			return;
	}
}

void lab_ms_handle(const struct lab_ctx *c, const struct lab_http_req *q,
		   struct lab_resp *r)
{
	const char *path = q->path ? q->path : "";
	int get = q->method && !strcmp(q->method, "GET");
	int post = q->method && !strcmp(q->method, "POST");
	struct lab_state st;
	char err[512];
	int fd, dirty = 0;

	memset(r, 0, sizeof(*r));
	if (!q->peer_cn || !*q->peer_cn || !q->peer_serial) {
		json_error(r, 403, "a client certificate issued by the lab "
			   "root is required");
		r->close = 1;
		return;
	}
	if (strcmp(path, "/opsmgr/v1/status") &&
	    strcmp(path, "/opsmgr/v1/agents") &&
	    strcmp(path, "/opsmgr/v1/approve") &&
	    strcmp(path, "/opsmgr/v1/reject")) {
		json_error(r, 404, "no such endpoint");
		return;
	}
	if (!strcmp(path, "/opsmgr/v1/approve") ||
	    !strcmp(path, "/opsmgr/v1/reject")) {
		if (!post) {
			json_error(r, 405, "use POST");
			return;
		}
	} else if (!get) {
		json_error(r, 405, "use GET");
		return;
	}
	if (check_role(c, q, path, r))
		return;
	fd = lab_state_open(c->dir, &st, err, sizeof(err));
	if (fd < 0) {
		lab_log(c, "ms: %s", err);
		json_error(r, 500, err);
		return;
	}
	int wait_s = 0;
	if (!strcmp(path, "/opsmgr/v1/status")) {
		do_status(c, q, &st, &dirty, r);
		struct lab_agent *me = lab_state_find_agent(&st, q->peer_cn);
		if (r->status == 200 && me && me->state == AGENT_PENDING)
			wait_s = status_wait_s(q);
	} else if (!strcmp(path, "/opsmgr/v1/agents")) {
		dirty = auto_approve(c, &st, (long long)time(NULL));
		do_agents(&st, r);
	} else {
		do_set(c, q, &st, &dirty, r,
		       !strcmp(path, "/opsmgr/v1/approve") ? AGENT_APPROVED
							  : AGENT_REJECTED);
	}
	if (dirty && lab_state_save(c->dir, &st, err, sizeof(err))) {
		lab_log(c, "ms: %s", err);
		lab_resp_release(r);
		json_error(r, 500, err);
	}
	lab_state_unlock(fd);
	lab_state_release(&st);
	if (wait_s > 0 && r->status == 200)
		status_long_poll(c, q, wait_s, r);
}
