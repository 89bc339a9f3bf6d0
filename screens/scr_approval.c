/*
 * scr_approval.c - stage 7 screen: the live probe of the management server
 * (DNS, TCP, mutually authenticated TLS, pending / approved) with elapsed
 * time and the next attempt on the spinner line, the administrator's
 * approval command, Esc to leave and resume later (exit 75).  For the
 * management-server role: the agents waiting for approval, 'a' approves
 * the selected one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages/approval.h"
#include "screens.h"
#include "stage_screen.h"

#define AGENT_TAG "AGNT"

static void live_intro(struct ui *ui, struct pane *p)
{
	char *cmd;
	if (ui->f->cfg.role == ROLE_SERVER) {
		pane_add(p, TH_DIM, NULL, "listing the agents waiting for "
			 "approval", NULL, 0);
		return;
	}
	cmd = approval_admin_command(ctx_fqdn(&ui->f->ctx) ?
				     ctx_fqdn(&ui->f->ctx) : "this computer");
	if (cmd) {
		pane_add(p, TH_DIM, NULL, "the administrator approves this "
			 "agent in the Operations Manager Shell with:", NULL, 0);
		/* one pipeline stage per line so it fits the pane */
		for (char *part = cmd, *bar; part; part = bar) {
			char line[600];
			bar = strstr(part, " | ");
			if (bar) {
				*bar = 0;
				bar += 3;
			}
			snprintf(line, sizeof(line), "%s%s%s", part == cmd ? "  " : "    ",
				 part, bar ? " |" : "");
			pane_add(p, TH_WARN, NULL, line, NULL, 0);
		}
		free(cmd);
	}
}

static const char *view_state(enum approval_state s)
{
	switch (s) {
	case APPR_PENDING:
		return "pending";
	case APPR_APPROVED:
		return "approved";
	case APPR_REJECTED:
		return "rejected";
	case APPR_CANCELLED:
		return "cancelled";
	case APPR_NOT_CHECKED:
		return "not checked (probes only)";
	case APPR_UNKNOWN:
	default:
		return "no answer (see below)";
	}
}

/* The server's answer a run ended with (APPR_UNKNOWN: none).  Without this
 * session's run, the stage's recorded status says which answer it ended
 * with; a failed run ended with none we can tell. */
static enum approval_state run_answer(struct ui *ui,
				      const struct approval_result *v)
{
	const char *a = ui->f->st.approval;
	if (v)
		return v->state;
	switch (ui->f->st.stage[STAGE_APPROVAL]) {
	case STAGE_ST_DONE:
	case STAGE_ST_WARN:
		return a && strcmp(a, "approved") == 0 ? APPR_APPROVED
						       : APPR_NOT_CHECKED;
	case STAGE_ST_WAITING:
		return APPR_PENDING;
	default:
		return APPR_UNKNOWN;
	}
}

static void answer_rows(struct pane *p, enum approval_state a)
{
	if (a == APPR_APPROVED)
		pane_add(p, TH_DONE, "DONE", "the management server approved this "
			 "agent", NULL, 0);
	else if (a == APPR_PENDING)
		pane_add(p, TH_WAIT, "WAIT", "the management server has not "
			 "approved this agent yet",
			 "ask the Operations Manager administrator to approve it "
			 "(Administration > Pending Management), then check again",
			 20070);
	else if (a == APPR_REJECTED)
		pane_add(p, TH_FAIL, "FAIL", "the management server rejected this "
			 "agent", "ask the administrator to approve it instead of "
			 "rejecting it", 20000);
}

static void server_list(struct pane *p, const struct approval_result *v)
{
	pane_addf(p, TH_NORMAL, "%zu agent%s known to the management "
		  "server (select one, a approves it):", v->agents.n,
		  v->agents.n == 1 ? "" : "s");
	for (size_t i = 0; i < v->agents.n; i++) {
		const struct approval_agent *ag = &v->agents.items[i];
		char line[600];
		if (i == 0)
			p->sel = p->n;   /* the first agent is selected */
		snprintf(line, sizeof(line), "%s  %s%s%s", ag->name,
			 ag->state ? ag->state : "pending",
			 ag->serial ? "  serial " : "",
			 ag->serial ? ag->serial : "");
		pane_add(p, ag->state && strcmp(ag->state, "approved") == 0 ?
			 TH_DONE : TH_WAIT, AGENT_TAG, line, NULL, 0);
	}
}

/* The result of the last run and nothing else: its answer, its attempts;
 * the state's last answer (state.h) only as a dated record when this run
 * got none. */
static void result(struct ui *ui, struct pane *p, enum status st)
{
	const struct approval_result *v = ui->f->ctx.out[STAGE_APPROVAL];
	const struct state *s = &ui->f->st;
	enum approval_state a;
	if (ui->f->cfg.role == ROLE_SERVER) {
		if (v)
			server_list(p, v);
		return;
	}
	a = run_answer(ui, v);
	answer_rows(p, a);
	if (v && v->attempt > 0)
		pane_addf(p, TH_NORMAL, "%d attempt%s in %.0f s, last answer: %s",
			  v->attempt, v->attempt == 1 ? "" : "s", v->elapsed_s,
			  view_state(v->state));
	if (a != APPR_APPROVED && a != APPR_PENDING && a != APPR_REJECTED &&
	    s->approval)
		pane_addf(p, TH_DIM, "earlier answer of the management server: "
			  "%s (%s), not the result of this check", s->approval,
			  s->approval_at ? s->approval_at : "time unknown");
}

/* Server role: 'a' approves the agent on the selected row. */
static bool key(struct ui *ui, struct pane *p, enum action act)
{
	struct diag_list dl;
	struct hooks h;
	char name[300];
	const char *sp;
	const struct prow *row;
	int rc;

	if (ui->f->cfg.role != ROLE_SERVER || act != ACT_APPROVE)
		return false;
	if (p->n == 0 || p->sel < 0 || p->sel >= p->n ||
	    strcmp(p->rows[p->sel].tag, AGENT_TAG) != 0) {
		ui_set_msg(ui, TH_WARN, "select an agent in the list first "
			   "(Up/Down)");
		return true;
	}
	row = &p->rows[p->sel];
	sp = strchr(row->text, ' ');
	snprintf(name, sizeof(name), "%.*s",
		 sp ? (int)(sp - row->text) : (int)strlen(row->text), row->text);
	diag_list_init(&dl);
	ui_hooks(ui, &h);
	ui_busy_begin(ui, "approving...");
	rc = approval_approve(&ui->f->ctx, &h, name, &dl);
	ui_busy_end(ui);
	if (rc == 0) {
		char *text = NULL;
		ui_set_msg(ui, TH_DONE, "approved '%s'", name);
		if (asprintf(&text, "%s  approved", name) > 0) {
			free(p->rows[p->sel].text);
			p->rows[p->sel].text = text;
			p->rows[p->sel].el = TH_DONE;
		}
	} else {
		ui_set_msg(ui, TH_ERROR, "cannot approve '%s': %s", name,
			   dl.n ? dl.items[dl.n - 1].message : "unknown error");
	}
	diag_list_release(&dl);
	return true;
}

static bool key_hint(struct ui *ui, struct keyhint *k)
{
	if (ui->f->cfg.role != ROLE_SERVER)
		return false;
	*k = (struct keyhint){ ACT_APPROVE, ACT_NONE, NULL };
	return true;
}

static const char *pending_text(struct ui *ui, char *buf, size_t n)
{
	char keys[64];
	snprintf(buf, n, "not approved yet: %s (run the wizard again to "
		 "resume)", ui_waiting_keys(keys, sizeof(keys)));
	return buf;
}

const struct stage_screen SCR_APPROVAL = {
	.stage = STAGE_APPROVAL,
	.intro = "Connect to the management server with the new certificate "
		 "and wait for approval. Esc leaves; the wizard resumes here.",
	.result = result,
	.pending_text = pending_text,
	.live_intro = live_intro,
	.key = key,
	.key_hint = key_hint,
	.run_label = "Connect",
	.live_output = true,
	.cancel_leaves = true,
};
