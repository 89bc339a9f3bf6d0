/*
 * diag_view.h - the results of a diagnosis by stage, shared by the two
 * screens that diagnose (scr_diagnose.c: this setup, scr_evidence.c: a
 * Windows computer's evidence): the checks run with the spinner, their
 * diagnostics as checklist rows (pane.h: the fix and event of each row
 * under it), the first failure selected, "N passed, N warnings, N failed"
 * on the status line; Up/Down select, F3/v explains the selected row's
 * event (scr_explain.h), F5/r runs the checks again, F1 the help page,
 * Esc goes back.  Owner: screens/diag_view.c.
 *
 * Ownership: struct diag_view is the caller's; diag_view_release() frees
 * its rows and intro.
 */
#ifndef OPSMGR_DIAG_VIEW_H
#define OPSMGR_DIAG_VIEW_H

#include "core/diag.h"
#include "uikit.h"

/* Run the checks into dl (the caller's); returns 0 (no failure), 1 (a
 * failure) or -1 (nothing could be checked: dl says why). */
typedef int (*diag_view_collect_fn)(struct ui *ui, void *ud,
				    struct diag_list *dl);

struct diag_view {
	struct pane pane;
	const char *title;              /* the frame's heading */
	char *intro;                    /* above the list, or NULL */
	int help_screen;                /* F1's page (help.h) */
	const char *busy_what;          /* the spinner's words */
	diag_view_collect_fn collect;
	void *ud;                       /* collect's */
};

void diag_view_init(struct diag_view *v, const char *title, int help_screen,
		    diag_view_collect_fn collect, void *ud);
void diag_view_release(struct diag_view *v);
/* The text above the list (copied; wrapped over four lines at most). */
void diag_view_set_intro(struct diag_view *v, const char *text);
/* Run collect with the spinner, the rows and the status line from what
 * it found (dl keeps the diagnostics for the caller, who releases it);
 * returns collect's value. */
int diag_view_run(struct ui *ui, struct diag_view *v, struct diag_list *dl);
/* Draw the view (also ui->repaint's while the checks run). */
void diag_view_draw(struct ui *ui, void *view);
/* The view's keys until Esc (NAV_BACK) or the quit key (NAV_QUIT). */
enum nav diag_view_loop(struct ui *ui, struct diag_view *v);

#endif
