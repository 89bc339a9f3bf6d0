/*
 * scr_welcome.c - the first screen: what the wizard does, the role (agent
 * or management server), and with saved progress "continue at stage N"
 * (the first stage not done, or done but out of date: the status line says
 * why it must run again), "start over" (the old state is moved aside,
 * never deleted) or "diagnose" (every check on the existing setup, with
 * fixes); "diagnose a Windows computer" reads the evidence its collect.cmd
 * wrote (scr_evidence.c); "run all" runs every remaining stage from here.  When the
 * certificate in use is due for renewal (pki/expiry.h decides), the first
 * entry says "certificate expires in N days - Renew" and Enter on it, or
 * the Renew key, starts the renewal (flow_begin_renewal) and runs what
 * remains from the stage it returns to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/stage_inputs.h"
#include "pki/expiry.h"

#include "frame.h"
#include "help.h"
#include "scr_explain.h"
#include "screens.h"

enum item { IT_ROLE, IT_RENEW, IT_CONTINUE, IT_START_OVER, IT_DIAGNOSE,
	    IT_EVIDENCE };
#define MAX_ITEMS 6

/* The certificate in use, when it is due for renewal: true with *e. */
static bool renewal_due(const struct ui *ui, struct cert_expiry *e)
{
	struct diag_list dl;
	char *cert = NULL;
	bool due;

	diag_list_init(&dl);
	due = cert_expiry_in_use(ui->f->ctx.cfg, ui->f->ctx.st,
				 ui->f->ctx.state_dir, time(NULL), -1, e,
				 &cert, &dl) == 0 && e->due;
	diag_list_release(&dl);
	free(cert);
	return due;
}

static bool has_progress(const struct ui *ui)
{
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		if (ui->f->st.stage[s] != STAGE_ST_NONE)
			return true;
	return ui->f->st.req_phase != REQ_NONE;
}

static int items(const struct ui *ui, enum item *it)
{
	struct cert_expiry e;
	int n = 0;
	it[n++] = IT_ROLE;
	if (renewal_due(ui, &e))
		it[n++] = IT_RENEW;
	it[n++] = IT_CONTINUE;
	if (has_progress(ui))
		it[n++] = IT_START_OVER;
	it[n++] = IT_DIAGNOSE;
	it[n++] = IT_EVIDENCE;
	return n;
}

static void item_text(const struct ui *ui, enum item it, char *buf, size_t n)
{
	int next = flow_next_stage(ui->f);
	struct cert_expiry e;
	char line[120];

	switch (it) {
	case IT_RENEW:
		if (!renewal_due(ui, &e))
			snprintf(buf, n, "Renew the certificate");
		else
			snprintf(buf, n, "%s %s Renew",
				 cert_expiry_line(&e, line, sizeof(line)),
				 theme_dash(&ui->th));
		break;
	case IT_ROLE:
		snprintf(buf, n, "Role:  < %s >",
			 ui->f->cfg.role == ROLE_SERVER ? "management server" : "agent");
		break;
	case IT_CONTINUE:
		if (!has_progress(ui))
			snprintf(buf, n, "Start at stage %d: %s", STAGE_FIRST, stage_title(STAGE_FIRST));
		else if (next >= STAGE_COUNT)
			snprintf(buf, n, "Every stage is done: show the summary");
		else
			snprintf(buf, n, "Continue at stage %d: %s%s", next,
				 stage_title((enum stage)next),
				 stage_is_stale(&ui->f->ctx, (enum stage)next) ?
				 " (out of date)" : "");
		break;
	case IT_START_OVER:
		snprintf(buf, n, "Start over (the saved progress is moved aside)");
		break;
	case IT_DIAGNOSE:
		snprintf(buf, n, "Diagnose the existing setup");
		break;
	case IT_EVIDENCE:
		snprintf(buf, n, "Diagnose a Windows computer (collect.cmd "
			 "evidence)");
		break;
	}
}

/* The stage "continue" resumes at is done but out of date: why, on the
 * status line (two lines at most, the reason is one line of the state). */
static void say_why_again(struct ui *ui)
{
	int next = flow_next_stage(ui->f);
	char *why;
	if (next >= STAGE_COUNT || !has_progress(ui))
		return;
	why = stage_stale_reason(&ui->f->ctx, (enum stage)next,
				 theme_arrow(&ui->th));
	if (why)
		ui_set_msg(ui, TH_STALE, "%s must run again: %s",
			   stage_ref((enum stage)next), why);
	free(why);
}

static void draw(struct ui *ui, int sel, bool confirm)
{
	/* at 80 columns the last entry that does not fit is left out; Renew
	 * (second) only while the certificate is due */
	static const struct keyhint keys[] = {
		{ ACT_NEXT, ACT_NONE, "Choose" }, { ACT_RENEW, ACT_NONE, NULL },
		{ ACT_RUN_ALL, ACT_NONE, NULL },
		{ ACT_HELP, ACT_NONE, NULL }, { ACT_LEFT, ACT_RIGHT, "Role" },
		{ ACT_UP, ACT_DOWN, "Move" }, { ACT_QUIT, ACT_NONE, NULL },
	};
	static const struct keyhint keys_no_renew[] = {
		{ ACT_NEXT, ACT_NONE, "Choose" }, { ACT_RUN_ALL, ACT_NONE, NULL },
		{ ACT_HELP, ACT_NONE, NULL }, { ACT_LEFT, ACT_RIGHT, "Role" },
		{ ACT_UP, ACT_DOWN, "Move" }, { ACT_QUIT, ACT_NONE, NULL },
	};
	static const struct keyhint ckeys[] = {
		{ ACT_YES, ACT_NONE, NULL }, { ACT_NO, ACT_NONE, NULL },
		{ ACT_QUIT, ACT_NONE, NULL },
	};
	static const char *const intro =
		"This wizard enrolls this computer in System Center Operations "
		"Manager with certificates, for computers outside the management "
		"server's domain: trust the CA root, request a certificate, verify "
		"it, export it, install the agent, import the serial, and wait for "
		"approval. Progress is saved after every step.";
	struct rect in = ui->lay.inner;
	enum item it[MAX_ITEMS];
	int n = items(ui, it), y = in.y, nl, step;
	bool due = n > 1 && it[1] == IT_RENEW;

	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	if (!confirm && !ui->msg[0] && it[sel] == IT_CONTINUE)
		say_why_again(ui);
	frame_draw(ui, "Welcome", confirm ? (struct keyline){ KC_CONFIRM, ckeys, 3 } :
		   due ? (struct keyline){ KC_WELCOME, keys, 7 } :
		   (struct keyline){ KC_WELCOME, keys_no_renew, 6 });
	nl = frame_text((struct rect){ y, in.x, 8, in.w }, intro, NULL);
	y += nl < 8 ? nl : 8;
	y++;
	if (has_progress(ui)) {
		char line[300];
		snprintf(line, sizeof(line), "Saved progress found in %s",
			 ui->f->state_dir);
		theme_on(&ui->th, stdscr, TH_WAIT);
		theme_put(stdscr, y++, in.x, line, in.w);
		if (ui->f->st.req_phase == REQ_PENDING) {
			snprintf(line, sizeof(line), "request ID %ld is pending at the CA",
				 ui->f->st.request_id);
			theme_put(stdscr, y++, in.x, line, in.w);
		}
		theme_on(&ui->th, stdscr, TH_NORMAL);
		y++;
	}
	/* a blank line between entries while there is room for it */
	step = y + 2 * n - 1 <= in.y + in.h ? 2 : 1;
	for (int i = 0; i < n && y < in.y + in.h; i++) {
		char line[200];
		item_text(ui, it[i], line, sizeof(line));
		theme_on(&ui->th, stdscr, i == sel ? TH_SELECT : TH_NORMAL);
		mvhline(y, in.x, ' ', in.w);
		theme_put(stdscr, y, in.x + 2, line, in.w - 4);
		theme_on(&ui->th, stdscr, TH_NORMAL);
		y += step;
	}
	curs_set(0);
	refresh();
}

static void set_role(struct ui *ui, enum role r)
{
	ui->f->cfg.role = r;
	ui->f->st.role = r;
}

static void start_over(struct ui *ui)
{
	struct diag_list dl;
	diag_list_init(&dl);
	if (flow_start_over(ui->f, &dl) < 0)
		ui_set_msg(ui, TH_ERROR, "cannot start over: %s",
			   dl.n ? dl.items[0].message : "unknown error");
	else
		ui_set_msg(ui, TH_DONE, "started over: the old state was moved "
			   "aside");
	diag_list_release(&dl);
}

/* Start the renewal (R1's flow_begin_renewal: a new key at stage 2 and
 * stages 2-7 again) and run what remains from the stage it leaves next. */
static enum nav renew(struct ui *ui)
{
	struct diag_list dl;
	diag_list_init(&dl);
	if (flow_begin_renewal(ui->f, &dl) < 0) {
		ui_set_msg(ui, TH_ERROR, "cannot renew: %s",
			   dl.n ? dl.items[0].message : "unknown error");
		diag_list_release(&dl);
		return NAV_STAY;
	}
	diag_list_release(&dl);
	ui->go_to = flow_next_stage(ui->f);
	if (ui->go_to >= STAGE_COUNT)
		return NAV_STAY;
	ui->run_all = true;
	return NAV_GOTO;
}

/* Where "continue" goes: the first stage to run. */
static enum nav go_on(struct ui *ui)
{
	ui->go_to = has_progress(ui) ? flow_next_stage(ui->f) : STAGE_FIRST;
	return NAV_GOTO;
}

/* Enter on an item: where to go, or NAV_STAY (*confirm: ask y/n). */
static enum nav choose(struct ui *ui, enum item it, int *sel, bool *confirm)
{
	switch (it) {
	case IT_ROLE:
		(*sel)++;
		break;
	case IT_RENEW:
		return renew(ui);
	case IT_CONTINUE:
		return go_on(ui);
	case IT_START_OVER:
		*confirm = true;
		ui_ask(ui, "start over? the saved progress is moved aside, not "
		       "deleted");
		break;
	case IT_DIAGNOSE:
		return NAV_DIAGNOSE;
	case IT_EVIDENCE:
		return NAV_EVIDENCE;
	}
	return NAV_STAY;
}

/* The item selected first: a Diagnose entry again when coming back from
 * its screen. */
static int first_item(const struct ui *ui)
{
	enum item it[MAX_ITEMS], back;
	int n = items(ui, it);
	if (ui->prev == SCREEN_DIAGNOSE)
		back = IT_DIAGNOSE;
	else if (ui->prev == SCREEN_EVIDENCE)
		back = IT_EVIDENCE;
	else
		return 1;
	for (int i = 0; i < n; i++)
		if (it[i] == back)
			return i;
	return 1;
}

enum nav scr_welcome_run(struct ui *ui)
{
	int sel = first_item(ui);
	bool confirm = false;

	for (;;) {
		enum item it[MAX_ITEMS];
		int n = items(ui, it);
		enum action act;
		enum nav nav;
		wint_t ch;
		int r;

		if (sel >= n)
			sel = n - 1;
		draw(ui, sel, confirm);
		r = ui_getkey(ui, &ch);
		if (ui_key_ignored(r, ch))
			continue;
		act = keymap_action(r, ch, confirm ? KC_CONFIRM : KC_WELCOME);
		if (act == ACT_QUIT)
			return NAV_QUIT;
		if (ui->lay.too_small)
			continue;
		ui->msg[0] = 0;
		if (confirm) {
			confirm = false;
			if (act == ACT_YES) {
				start_over(ui);
				sel = 1;
			}
			continue;
		}
		switch (act) {
		case ACT_HELP:
			if (help_show(ui, SCREEN_WELCOME) == NAV_QUIT)
				return NAV_QUIT;
			break;
		case ACT_EXPLAIN:
			if (scr_explain_show(ui, 0) == NAV_QUIT)
				return NAV_QUIT;
			break;
		case ACT_RENEW:
			if (n > 1 && it[1] == IT_RENEW) {
				nav = renew(ui);
				if (nav != NAV_STAY)
					return nav;
			}
			break;
		case ACT_RUN_ALL:
			/* every remaining stage, from the first to run */
			ui->run_all = true;
			return go_on(ui);
		case ACT_UP:
			sel = sel > 0 ? sel - 1 : n - 1;
			break;
		case ACT_DOWN:
			sel = (sel + 1) % n;
			break;
		case ACT_LEFT:
		case ACT_RIGHT:
			if (it[sel] == IT_ROLE)
				set_role(ui, ui->f->cfg.role == ROLE_SERVER ?
					     ROLE_AGENT : ROLE_SERVER);
			break;
		case ACT_NEXT:
			nav = choose(ui, it[sel], &sel, &confirm);
			if (nav != NAV_STAY)
				return nav;
			break;
		default:
			break;
		}
	}
}
