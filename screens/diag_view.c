/*
 * diag_view.c - the results of a diagnosis by stage (diag_view.h): the
 * checks run with the spinner, the checklist with the fix of each row, the
 * summary on the status line, and the keys of the list.
 */
#include "diag_view.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "help.h"
#include "scr_explain.h"

#define INTRO_MAX_LINES 4

void diag_view_init(struct diag_view *v, const char *title, int help_screen,
		    diag_view_collect_fn collect, void *ud)
{
	memset(v, 0, sizeof(*v));
	pane_init(&v->pane, true, false);
	v->title = title;
	v->help_screen = help_screen;
	v->busy_what = "running every check...";
	v->collect = collect;
	v->ud = ud;
}

void diag_view_release(struct diag_view *v)
{
	pane_release(&v->pane);
	free(v->intro);
	v->intro = NULL;
}

void diag_view_set_intro(struct diag_view *v, const char *text)
{
	free(v->intro);
	v->intro = text ? strdup(text) : NULL;
}

void diag_view_draw(struct ui *ui, void *view)
{
	struct diag_view *v = view;
	static const struct keyhint keys[] = {
		{ ACT_UP, ACT_DOWN, "Select" }, { ACT_RETRY, ACT_NONE, NULL },
		{ ACT_BACK, ACT_NONE, NULL }, { ACT_HELP, ACT_NONE, NULL },
		{ ACT_EXPLAIN, ACT_NONE, "Explain" }, { ACT_QUIT, ACT_NONE, NULL },
	};
	struct rect in = ui->lay.inner;
	int top = 0;
	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	frame_draw(ui, v->title, (struct keyline){ KC_LIST, keys, 6 });
	if (v->intro) {
		theme_on(&ui->th, stdscr, TH_DIM);
		top = frame_text((struct rect){ in.y, in.x, INTRO_MAX_LINES,
						in.w }, v->intro, NULL);
		top = (top < INTRO_MAX_LINES ? top : INTRO_MAX_LINES) + 1;
		theme_on(&ui->th, stdscr, TH_NORMAL);
	}
	pane_draw(&ui->th, stdscr, ui->busy && ui->live ? ui->live : &v->pane,
		  (struct rect){ in.y + top, in.x, in.h - top, in.w }, true);
	curs_set(0);
	refresh();
}

/* The rows of dl, the first failure selected, the counts said. */
static void show(struct ui *ui, struct diag_view *v,
		 const struct diag_list *dl, int r)
{
	pane_clear(&v->pane);
	pane_add_diags(&v->pane, dl, NULL, NULL, true);
	if (ui->cancel)
		ui_set_msg(ui, TH_WARN, "cancelled: the list is incomplete");
	else
		ui_set_msg(ui, r ? TH_ERROR : TH_DONE, "%s: %zu passed, %zu "
			   "warnings, %zu failed", r ? "problems found" :
			   "no failures", diag_count(dl, SEV_PASS) +
			   diag_count(dl, SEV_INFO), diag_count(dl, SEV_WARN),
			   diag_count(dl, SEV_FAIL));
	for (int i = 0; i < v->pane.n; i++)
		if (strcmp(v->pane.rows[i].tag, "FAIL") == 0) {
			v->pane.sel = i;
			break;
		}
}

int diag_view_run(struct ui *ui, struct diag_view *v, struct diag_list *dl)
{
	struct pane live;
	int r;

	pane_init(&live, false, true);
	ui->live = &live;
	ui->repaint = diag_view_draw;
	ui->repaint_ud = v;
	ui_busy_begin(ui, v->busy_what);
	r = v->collect(ui, v->ud, dl);
	ui_busy_end(ui);
	ui->live = NULL;
	pane_release(&live);
	show(ui, v, dl, r);
	return r;
}

/* F5: the checks again. */
static void rerun(struct ui *ui, struct diag_view *v)
{
	struct diag_list dl;
	diag_list_init(&dl);
	diag_view_run(ui, v, &dl);
	diag_list_release(&dl);
}

enum nav diag_view_loop(struct ui *ui, struct diag_view *v)
{
	enum nav nav = NAV_STAY;
	ui->repaint = diag_view_draw;
	ui->repaint_ud = v;
	while (nav == NAV_STAY) {
		enum action act;
		wint_t ch;
		int r;
		diag_view_draw(ui, v);
		r = ui_getkey(ui, &ch);
		act = keymap_action(r, ch, KC_LIST);
		if (act == ACT_HELP)
			nav = help_show(ui, v->help_screen);
		else if (act == ACT_EXPLAIN)
			nav = scr_explain_show(ui,
					       scr_explain_pane_event(&v->pane));
		else if (act == ACT_RETRY)
			rerun(ui, v);
		else if (act == ACT_QUIT || act == ACT_BACK)
			nav = act == ACT_QUIT ? NAV_QUIT : NAV_BACK;
		else
			pane_key(&v->pane, act, 5);
	}
	ui->repaint = NULL;
	ui->repaint_ud = NULL;
	return nav;
}
