/*
 * approval.h - stage 7, await approval (stage_approval_run in stages.h),
 * its single-attempt probe for `check`, and the management-server role's
 * approve call for the screen (the list comes from the stage run).
 *
 * Agent role.  Each attempt is a probe sequence, each step a diagnostic:
 * DNS (every address), TCP (refused / timed out / unreachable: event 21006
 * then 21016), and for [approval] source = lab a mutually authenticated TLS
 * exchange with our certificate and key, the server verified against the
 * trust store: `GET /opsmgr/v1/status` answering
 * {"agent":CN,"serial":HEX,"state":"pending|approved|rejected"}.
 * Sources:
 *   lab      the exchange above;
 *   command  [approval] command run as argv (no shell) each attempt:
 *            exit 0 = approved, exit 75 (APPROVAL_EXIT_PENDING, EX_TEMPFAIL)
 *            = pending, any other status = an error shown with its output;
 *   none     probes only: passes once DNS and TCP do.
 * Waiting: attempts at 0, interval, then doubling (capped at
 * APPROVAL_BACKOFF_CAP_S and at the time left) within [approval] timeout;
 * the wait is poll() in 100 ms slices checking hooks_cancelled (no CPU).
 * After every attempt hooks->progress gets "attempt N: STATE, E s elapsed,
 * next attempt in D s" with fraction elapsed/timeout; during the wait the
 * same text comes again every second with a growing fraction (a caller
 * printing lines prints one per attempt), and ctx->out[STAGE_APPROVAL]
 * (struct approval_result) keeps elapsed_s and next_in_s current for a
 * screen to draw.
 * Results: approved -> ST_OK, st->approval = "approved"; rejected ->
 * ST_FAIL; time-out -> ST_PENDING with DIAG_APPROVAL_TIMEOUT and
 * st->approval = "pending" (a re-run resumes waiting); cancelled ->
 * ST_CANCELLED.  A probe failure (DNS, TCP, TLS, command error) ends the
 * wait with ST_FAIL: it does not fix itself.  An info diagnostic
 * (DIAG_APPROVAL_ADMIN_HINT) always carries the administrator's command.
 *
 * Server role ([wizard] role = server).  Stage 7 lists the agents waiting
 * for approval (lab: `GET /opsmgr/v1/agents` over mutual TLS with the
 * server's own certificate; or [approval] list_command, one agent FQDN per
 * output line) into ctx->out[STAGE_APPROVAL] (result->agents) and a
 * DIAG_APPROVAL_AGENTS diagnostic.  An agent names itself (its
 * certificate's CN): a name that is not a DNS name (rule_computer_fqdn)
 * is left out of the list, shown as a WARN at the list's field with the
 * reason escaped.  The screen lets the operator pick and calls
 * approval_approve() for each, which checks the name again (lab: `POST
 * /opsmgr/v1/approve` form agent=FQDN; or [approval] approve_command with
 * the argument `{agent}` replaced and the name in OPSMGR_AGENT_FQDN).
 * Non-interactively nobody picks: none is approved and the stage just
 * reports the list (ST_OK).
 *
 * Files: approval.c (entry point), approval_probe.c (one attempt),
 * approval_wait.c (the agent's wait), approval_server.c (server role),
 * approval_json.c (the lab's answers); approval_int.h joins them.
 *
 * Ownership: struct approval_result is owned by the ctx once stored
 * (approval_result_free); struct approval_agents owns its items
 * (approval_agents_release); strings returned are malloc'd.
 */
#ifndef OPSMGR_APPROVAL_H
#define OPSMGR_APPROVAL_H

#include <stddef.h>
#include "core/config.h"
#include "core/ctx.h"
#include "core/diag.h"
#include "core/hooks.h"
#include "core/status.h"

#define APPROVAL_EXIT_PENDING 75
#define APPROVAL_BACKOFF_CAP_S 60
#define APPROVAL_PROBE_TIMEOUT_MS 10000
#define APPROVAL_STATUS_PATH "/opsmgr/v1/status"
#define APPROVAL_LONG_POLL_MAX_S 10   /* lab: status?wait=N upper bound */
#define APPROVAL_AGENTS_PATH "/opsmgr/v1/agents"
#define APPROVAL_APPROVE_PATH "/opsmgr/v1/approve"

enum approval_state {
	APPR_UNKNOWN = 0,     /* probe failed: see the diagnostics */
	APPR_PENDING,
	APPR_APPROVED,
	APPR_REJECTED,
	APPR_CANCELLED,
	APPR_NOT_CHECKED      /* source = none: probes passed, state unknown */
};

struct approval_agent {
	char *name;           /* agent FQDN (certificate CN) */
	char *serial;         /* hex, or NULL */
	char *state;          /* "pending" | "approved" | "rejected" | NULL */
};

struct approval_agents {
	struct approval_agent *items;
	size_t n;
};

/* What the screen shows while stage 7 runs (ctx->out[STAGE_APPROVAL]). */
struct approval_result {
	int attempt;                 /* attempts made so far */
	enum approval_state state;   /* result of the last attempt */
	double elapsed_s;
	double next_in_s;            /* < 0 when no further attempt */
	int timeout_s;
	char *admin_command;         /* the Approve-SCOMPendingManagement line */
	struct approval_agents agents;  /* server role: waiting agents */
};
void approval_result_free(void *v);

/* Stage 7's fields, without I/O: a management server needs a way to list
 * the waiting agents ([approval] source = lab or list_command; source =
 * command without its commands is the loader's rule).  0, or -1 with the
 * diagnostic at the field.  The stage runs it first; so does the runner's
 * preflight (wizard/preflight.h). */
int approval_check_fields(const struct config *cfg, struct diag_list *dl);

/* One attempt, no waiting (check mode; stage 7 calls it in its loop).
 * Diagnostics of each probe step go to dl. */
enum approval_state approval_probe(struct ctx *c, const struct hooks *h,
				   struct diag_list *dl);

/* "Get-SCOMPendingManagement | Where-Object {$_.AgentName -eq '<fqdn>'} |
 * Approve-SCOMPendingManagement" (single quotes in fqdn doubled). */
char *approval_admin_command(const char *fqdn);

/* Server role.  0 / -1 (diagnostics say why). */
int approval_approve(struct ctx *c, const struct hooks *h, const char *agent,
		     struct diag_list *dl);
void approval_agents_release(struct approval_agents *a);

/*
 * Parsers of the lab's JSON answers, tolerant of any input (never read
 * past len, never crash): 0 / -1.  Strings come back escaped
 * (text_escape_dup): a control character as \xHH.  A status needs a "state" string; the
 * list is a JSON array of objects with "agent" (or "fqdn"/"name"),
 * "serial", "state", or an object holding such an array under "agents".
 */
int approval_parse_status(const char *body, size_t len,
			  enum approval_state *state, char **agent,
			  char **serial);
int approval_parse_agents(const char *body, size_t len,
			  struct approval_agents *out);
/* The next delay of the back-off: min(prev * 2, cap, left); first = interval. */
int approval_next_delay(int prev_s, int interval_s, int left_s);

#endif
