/*
 * approval_wait.c - stage 7 for an agent: attempts with back-off until
 * approved, rejected, a probe failure, the time-out or a cancel; the lab's
 * long poll between attempts; progress and the live view for the screen;
 * the administrator's approval command.
 */
#include "stages/approval_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "sys/netprobe.h"

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


/* ---- the agent's wait ----------------------------------------------------- */

/* An answer of the management server becomes the state's last answer,
 * with its time (state.h); a failed or cancelled attempt gave none and
 * leaves the earlier one as it was. */
static void record_answer(struct state *st, enum approval_state a)
{
	const char *word = a == APPR_PENDING ? "pending" :
			   a == APPR_APPROVED ? "approved" :
			   a == APPR_REJECTED ? "rejected" : NULL;
	char at[40];
	time_t now = time(NULL);
	struct tm tm;
	if (!word)
		return;
	if (!gmtime_r(&now, &tm) ||
	    strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(at, sizeof(at), "%lld", (long long)now);
	state_set_str(&st->approval, word);
	state_set_str(&st->approval_at, at);
}

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
static void attempt_text(const struct approval_result *v, char *what,
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

static void report(const struct hooks *h, const struct approval_result *v,
		   const char *what)
{
	double frac = v->timeout_s > 0 ? v->elapsed_s / v->timeout_s : 1.0;
	hooks_progress(h, what, frac > 1.0 ? 1.0 : frac);
}

/* Wait ms (poll slices, cancel checked), updating the view and calling
 * progress once a second.  1 when cancelled. */
static int wait_reporting(int ms, long long start, struct approval_result *v,
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
	struct approval_result *v;
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
					 struct approval_result *v,
					 const char *what,
					 const struct hooks *h)
{
	long long end = netprobe_now_ms() + ms;
	enum approval_state st = APPR_PENDING;
	struct approval_target t;
	approval_target_resolve(c, &t);
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
		approval_mtls_opts(c, &t, &o);
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
	approval_target_release(&t);
	return st;
}

enum status approval_agent_wait(struct ctx *c, const struct hooks *h,
				struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	int interval = cfg->approval_interval > 0 ? cfg->approval_interval
						  : CONFIG_DEFAULT_INTERVAL;
	int timeout = cfg->approval_timeout >= 0 ? cfg->approval_timeout
						 : CONFIG_DEFAULT_APPROVAL_TIMEOUT;
	struct approval_result *v = calloc(1, sizeof(*v));
	if (!v) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}
	struct approval_target t;
	approval_target_resolve(c, &t);
	char *fqdn = t.fqdn ? strdup(t.fqdn) : NULL;
	approval_target_release(&t);
	v->timeout_s = timeout;
	v->next_in_s = -1;
	v->admin_command = approval_admin_command(fqdn);
	ctx_set_out(c, STAGE_APPROVAL, v, approval_result_free);

	long long start = netprobe_now_ms();
	int delay = 0;
	int cancelled = 0, timed_out = 0;
	enum approval_state st = APPR_UNKNOWN;
	struct diag_list last;
	diag_list_init(&last);
	for (;;) {
		diag_list_release(&last);
		st = approval_probe(c, h, &last);
		record_answer(c->st, st);
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
		rs = ST_PENDING;
	} else if (st == APPR_APPROVED || st == APPR_NOT_CHECKED) {
		rs = ST_OK;
	} else if (st == APPR_REJECTED) {
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

