/*
 * scr_diagnose.c - "diagnose" from the welcome screen: runs the check
 * report (check_collect) with the spinner and shows every result by stage,
 * the fix of the selected line underneath; F3/v explains its event.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "frame.h"
#include "help.h"
#include "scr_explain.h"
#include "screens.h"

struct dstate {
	struct pane pane;
};

static void draw(struct ui *ui, void *ud)
{
	struct dstate *ds = ud;
	static const struct keyhint keys[] = {
		{ ACT_UP, ACT_DOWN, "Select" }, { ACT_RETRY, ACT_NONE, NULL },
		{ ACT_BACK, ACT_NONE, NULL }, { ACT_HELP, ACT_NONE, NULL },
		{ ACT_EXPLAIN, ACT_NONE, "Explain" }, { ACT_QUIT, ACT_NONE, NULL },
	};
	struct rect in = ui->lay.inner;
	int top;
	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	frame_draw(ui, "Diagnose", (struct keyline){ KC_LIST, keys, 6 });
	theme_on(&ui->th, stdscr, TH_DIM);
	/* the intro wraps at a narrow terminal: two lines at most */
	top = frame_text((struct rect){ in.y, in.x, 2, in.w }, "Every check of "
			 "the existing setup, by stage; the fix of the selected "
			 "line is shown below.", NULL);
	top = (top < 2 ? top : 2) + 1;
	theme_on(&ui->th, stdscr, TH_NORMAL);
	pane_draw(&ui->th, stdscr, ui->busy && ui->live ? ui->live : &ds->pane,
		  (struct rect){ in.y + top, in.x, in.h - top, in.w }, true);
	curs_set(0);
	refresh();
}

static void run(struct ui *ui, struct dstate *ds)
{
	struct check_opts o;
	struct diag_list dl;
	struct hooks h;
	struct pane live;
	int r;

	memset(&o, 0, sizeof(o));
	diag_list_init(&dl);
	pane_init(&live, false, true);
	ui->live = &live;
	ui->repaint = draw;
	ui->repaint_ud = ds;
	ui_hooks(ui, &h);
	ui_busy_begin(ui, "running every check...");
	r = check_collect(ui->f, &o, &h, &dl);
	ui_busy_end(ui);
	ui->live = NULL;
	pane_release(&live);
	pane_clear(&ds->pane);
	pane_add_diags(&ds->pane, &dl, NULL, NULL, true);
	if (ui->cancel)
		ui_set_msg(ui, TH_WARN, "cancelled: the list is incomplete");
	else
		ui_set_msg(ui, r ? TH_ERROR : TH_DONE, "%s: %zu passed, %zu "
			   "warnings, %zu failed", r ? "problems found" :
			   "no failures", diag_count(&dl, SEV_PASS) +
			   diag_count(&dl, SEV_INFO), diag_count(&dl, SEV_WARN),
			   diag_count(&dl, SEV_FAIL));
	for (int i = 0; i < ds->pane.n; i++)
		if (strcmp(ds->pane.rows[i].tag, "FAIL") == 0) {
			ds->pane.sel = i;
			break;
		}
	diag_list_release(&dl);
}

enum nav scr_diagnose_run(struct ui *ui)
{
	struct dstate ds;
	enum nav nav = NAV_STAY;

	memset(&ds, 0, sizeof(ds));
	pane_init(&ds.pane, true, false);
	run(ui, &ds);
	while (nav == NAV_STAY) {
		enum action act;
		wint_t ch;
		int r;
		draw(ui, &ds);
		r = ui_getkey(ui, &ch);
		act = keymap_action(r, ch, KC_LIST);
		if (act == ACT_HELP)
			nav = help_show(ui, SCREEN_WELCOME);
		else if (act == ACT_EXPLAIN)
			nav = scr_explain_show(ui,
					       scr_explain_pane_event(&ds.pane));
		else if (act == ACT_RETRY)
			run(ui, &ds);
		else if (act == ACT_QUIT || act == ACT_BACK)
			nav = act == ACT_QUIT ? NAV_QUIT : NAV_BACK;
		else
			pane_key(&ds.pane, act, 5);
	}
	ui->repaint = NULL;
	ui->msg[0] = 0;
	pane_release(&ds.pane);
	return nav;
}
