/*
 * scr_welcome.c - the first screen: what the wizard does, the role (agent
 * or management server), and with saved progress "continue at stage N",
 * "start over" (the old state is moved aside, never deleted) or
 * "diagnose" (every check on the existing setup, with fixes).
 */
#include <stdio.h>
#include <string.h>

#include "stage_screen.h"

enum item { IT_ROLE, IT_CONTINUE, IT_START_OVER, IT_DIAGNOSE };

static bool has_progress(const struct ui *ui)
{
	for (int s = STAGE_TRUST; s <= STAGE_APPROVAL; s++)
		if (ui->f->st.stage[s] != STAGE_ST_NONE)
			return true;
	return ui->f->st.req_phase != REQ_NONE;
}

static int items(const struct ui *ui, enum item *it)
{
	int n = 0;
	it[n++] = IT_ROLE;
	it[n++] = IT_CONTINUE;
	if (has_progress(ui))
		it[n++] = IT_START_OVER;
	it[n++] = IT_DIAGNOSE;
	return n;
}

static void item_text(const struct ui *ui, enum item it, char *buf, size_t n)
{
	int next = flow_next_stage(ui->f);
	switch (it) {
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
			snprintf(buf, n, "Continue at stage %d: %s", next,
				 stage_title((enum stage)next));
		break;
	case IT_START_OVER:
		snprintf(buf, n, "Start over (the saved progress is moved aside)");
		break;
	case IT_DIAGNOSE:
		snprintf(buf, n, "Diagnose the existing setup");
		break;
	}
}

static void draw(struct ui *ui, int sel, bool confirm)
{
	static const struct keyhint keys[] = {
		{ "Enter", "Choose" }, { "Up/Down", "Move" },
		{ "Left/Right", "Role" }, { "F1", "Help" }, { "F10", "Quit" },
	};
	static const struct keyhint ckeys[] = {
		{ "y", "Yes" }, { "n", "No" }, { "F10", "Quit" },
	};
	static const char *const intro =
		"This wizard enrolls this computer in System Center Operations "
		"Manager with certificates, for computers outside the management "
		"server's domain: trust the CA root, request a certificate, verify "
		"it, export it, install the agent, import the serial, and wait for "
		"approval. Progress is saved after every step.";
	struct rect in = ui->lay.inner;
	enum item it[4];
	int n = items(ui, it), y = in.y, starts[8], lens[8], nl;

	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	frame_draw(ui, "Welcome", confirm ? ckeys : keys, confirm ? 3 : 5);
	nl = layout_wrap(intro, in.w, 8, starts, lens);
	for (int i = 0; i < nl && i < 8; i++) {
		char line[300];
		snprintf(line, sizeof(line), "%.*s", lens[i], intro + starts[i]);
		theme_put(stdscr, y++, in.x, line, in.w);
	}
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
	for (int i = 0; i < n && y < in.y + in.h; i++) {
		char line[200];
		item_text(ui, it[i], line, sizeof(line));
		theme_on(&ui->th, stdscr, i == sel ? TH_SELECT : TH_NORMAL);
		mvhline(y, in.x, ' ', in.w);
		theme_put(stdscr, y, in.x + 2, line, in.w - 4);
		theme_on(&ui->th, stdscr, TH_NORMAL);
		y += 2;
	}
	curs_set(0);
	refresh();
}

static void set_role(struct ui *ui, enum role r)
{
	ui->f->cfg.role = r;
	ui->f->st.role = r;
}

enum nav scr_welcome_run(struct ui *ui)
{
	int sel = 1;
	bool confirm = false;

	for (;;) {
		enum item it[4];
		int n = items(ui, it);
		wint_t ch;
		int r;

		if (sel >= n)
			sel = n - 1;
		draw(ui, sel, confirm);
		r = ui_getkey(ui, &ch);
		if (r == ERR || (r == KEY_CODE_YES && ch == KEY_RESIZE))
			continue;
		if (r == KEY_CODE_YES && ch == KEY_F(10))
			return NAV_QUIT;
		if (ui->lay.too_small)
			continue;
		ui->msg[0] = 0;
		if (confirm) {
			confirm = false;
			if (r == OK && (ch == 'y' || ch == 'Y')) {
				struct diag_list dl;
				diag_list_init(&dl);
				if (flow_start_over(ui->f, &dl) < 0)
					ui_set_msg(ui, TH_ERROR, "cannot start over: %s",
						   dl.n ? dl.items[0].message : "unknown error");
				else
					ui_set_msg(ui, TH_DONE, "started over: the old state "
						   "was moved aside");
				diag_list_release(&dl);
				sel = 1;
			}
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_F(1)) {
			if (help_show(ui, SCREEN_WELCOME) == NAV_QUIT)
				return NAV_QUIT;
			continue;
		}
		if (r == KEY_CODE_YES && (ch == KEY_UP || ch == KEY_BTAB)) {
			sel = sel > 0 ? sel - 1 : n - 1;
		} else if ((r == KEY_CODE_YES && ch == KEY_DOWN) ||
			   (r == OK && ch == '\t')) {
			sel = (sel + 1) % n;
		} else if (it[sel] == IT_ROLE &&
			   ((r == KEY_CODE_YES && (ch == KEY_LEFT || ch == KEY_RIGHT)) ||
			    (r == OK && ch == ' '))) {
			set_role(ui, ui->f->cfg.role == ROLE_SERVER ? ROLE_AGENT :
								      ROLE_SERVER);
		} else if (ui_is_enter(r, ch)) {
			switch (it[sel]) {
			case IT_ROLE:
				sel++;
				break;
			case IT_CONTINUE: {
				int next = flow_next_stage(ui->f);
				ui->go_to = has_progress(ui) ? next : STAGE_TRUST;
				return NAV_GOTO;
			}
			case IT_START_OVER:
				confirm = true;
				ui_set_msg(ui, TH_WARN, "start over? the saved progress is "
					   "moved aside, not deleted (y/n)");
				break;
			case IT_DIAGNOSE:
				if (scr_diagnose_run(ui) == NAV_QUIT)
					return NAV_QUIT;
				break;
			}
		}
	}
}
