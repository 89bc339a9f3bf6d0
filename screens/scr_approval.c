/*
 * scr_approval.c - stage 7 screen: the live probe of the management server
 * (DNS, TCP, mutually authenticated TLS, pending / approved) with elapsed
 * time and the next attempt shown by the spinner line, the administrator's
 * approval command, Esc to leave and resume later (exit 75).
 */
#include <stdio.h>
#include <string.h>

#include "stage_screen.h"

static void result(struct ui *ui, struct pane *p, enum status st)
{
	const char *a = ui->f->st.approval;
	(void)st;
	if (a && strcmp(a, "approved") == 0)
		pane_add(p, TH_DONE, "DONE", "the management server approved this "
			 "agent", NULL, 0);
	else if (a && strcmp(a, "pending") == 0)
		pane_add(p, TH_WAIT, "WAIT", "the management server has not "
			 "approved this agent yet",
			 "ask the Operations Manager administrator to approve it "
			 "(Administration > Pending Management), then check again",
			 20070);
	else if (a && strcmp(a, "rejected") == 0)
		pane_add(p, TH_FAIL, "FAIL", "the management server rejected this "
			 "agent", "ask the administrator to approve it instead of "
			 "rejecting it", 20000);
}

static const char *pending_text(struct ui *ui, char *buf, size_t n)
{
	(void)ui;
	snprintf(buf, n, "not approved yet: c checks again, l leaves (run the "
		 "wizard again to resume)");
	return buf;
}

const struct stage_screen SCR_APPROVAL = {
	.stage = STAGE_APPROVAL,
	.intro = "Connect to the management server with the new certificate "
		 "and wait for approval. Esc leaves; the wizard resumes here.",
	.result = result,
	.pending_text = pending_text,
	.run_label = "Connect",
	.live_output = true,
	.cancel_leaves = true,
};
