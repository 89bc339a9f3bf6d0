/*
 * scr_diagnose.c - "diagnose" from the welcome screen: runs the check
 * report (check_collect) and shows every result by stage in the shared
 * results view (diag_view.h): the fix of the selected line underneath,
 * F3/v explains its event.
 */
#include <string.h>

#include "check.h"
#include "diag_view.h"
#include "screens.h"

static int collect(struct ui *ui, void *ud, struct diag_list *dl)
{
	struct check_opts o;
	struct hooks h;
	(void)ud;
	memset(&o, 0, sizeof(o));
	ui_hooks(ui, &h);
	return check_collect(ui->f, &o, &h, dl);
}

enum nav scr_diagnose_run(struct ui *ui)
{
	struct diag_view v;
	struct diag_list dl;
	enum nav nav;

	diag_view_init(&v, "Diagnose", SCREEN_WELCOME, collect, NULL);
	/* the intro wraps at a narrow terminal */
	diag_view_set_intro(&v, "Every check of the existing setup, by stage; "
			    "the fix of the selected line is shown below.");
	diag_list_init(&dl);
	diag_view_run(ui, &v, &dl);
	diag_list_release(&dl);
	nav = diag_view_loop(ui, &v);
	ui->msg[0] = 0;
	diag_view_release(&v);
	return nav;
}
