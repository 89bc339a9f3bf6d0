/*
 * scr_summary.c - the end: shows the report wizard/summary.c builds from
 * the state (files produced, serial and thumbprint, what to do on the
 * Windows side); s saves it (<state dir>/summary.txt, an earlier different
 * report kept as summary-N.txt).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/fsutil.h"
#include "summary.h"
#include "frame.h"
#include "help.h"
#include "screens.h"

static void draw(struct ui *ui, const char *text, int *first)
{
	static const struct keyhint keys[] = {
		{ ACT_NEXT, ACT_NONE, "Finish" }, { ACT_SAVE, ACT_NONE, NULL },
		{ ACT_BACK, ACT_NONE, NULL }, { ACT_HELP, ACT_NONE, NULL },
		{ ACT_QUIT, ACT_NONE, NULL },
	};
	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	frame_draw(ui, "Summary", (struct keyline){ KC_LIST, keys, 5 });
	frame_text(ui->lay.inner, text, first);
	curs_set(0);
	refresh();
}

/* The actions that leave the summary, and where to. */
static const enum nav LEAVES[ACT_COUNT] = {
	[ACT_QUIT] = NAV_QUIT, [ACT_NEXT] = NAV_DONE, [ACT_BACK] = NAV_BACK,
};

/* s: <state dir>/summary.txt; an earlier different report is kept. */
static void save_report(struct ui *ui, const char *text)
{
	char err[FS_ERRLEN], saved[4096], kept[4096];
	if (summary_save(ui->f->state_dir, text, saved, sizeof(saved), kept,
			 sizeof(kept), err, sizeof(err)) < 0)
		ui_set_msg(ui, TH_ERROR, "cannot save the report: %s", err);
	else if (*kept)
		ui_set_msg(ui, TH_DONE, "report saved to %s (the earlier one "
			   "kept as %s)", saved, kept);
	else
		ui_set_msg(ui, TH_DONE, "report saved to %s", saved);
}

enum nav scr_summary_run(struct ui *ui)
{
	char *text = summary_text(&ui->f->st);
	int first = 0;
	enum nav nav = NAV_STAY;

	if (!text)
		return NAV_DONE;
	while (nav == NAV_STAY) {
		enum action act;
		wint_t ch;
		int r;
		draw(ui, text, &first);
		r = ui_getkey(ui, &ch);
		act = keymap_action(r, ch, KC_LIST);
		if (act == ACT_HELP)
			nav = help_show(ui, SCREEN_SUMMARY);
		else if (act == ACT_SAVE)
			save_report(ui, text);
		else if (!ui_scroll(act, &first))
			nav = LEAVES[act];
	}
	free(text);
	return nav;
}
