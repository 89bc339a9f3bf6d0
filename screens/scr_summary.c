/*
 * scr_summary.c - the end: shows the report wizard/summary.c builds from
 * the state (files produced, serial and thumbprint, what to do on the
 * Windows side); s saves it (<state dir>/summary.txt, an earlier different
 * report kept as summary-N.txt); a saves the answers for the next
 * computer (<state dir>/answers-<fqdn>.ini, core/answers_write.h) and
 * shows where under the report.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/answers_write.h"
#include "core/fsutil.h"
#include "summary.h"
#include "frame.h"
#include "help.h"
#include "scr_explain.h"
#include "screens.h"

static void draw(struct ui *ui, const char *text, int *first)
{
	static const struct keyhint keys[] = {
		{ ACT_NEXT, ACT_NONE, "Finish" }, { ACT_SAVE, ACT_NONE, NULL },
		{ ACT_SAVE_ANSWERS, ACT_NONE, NULL },
		{ ACT_BACK, ACT_NONE, NULL }, { ACT_HELP, ACT_NONE, NULL },
		{ ACT_QUIT, ACT_NONE, NULL },
	};
	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	frame_draw(ui, "Summary", (struct keyline){ KC_LIST, keys, 6 });
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

/*
 * a: the answers the wizard holds (loaded and typed, never a password)
 * into the state directory; the path on the message line and, whole,
 * under the report (scrolled into view).  Returns the report with that
 * paragraph (malloc'd), or NULL when nothing was saved.
 */
static char *save_answers(struct ui *ui, const char *text, int *first)
{
	char err[FS_ERRLEN + 300], saved[4096];
	char *shown = NULL;
	int r = answers_save_in(ui->f->state_dir, &ui->f->cfg, &ui->f->st,
				saved, sizeof(saved), err, sizeof(err));
	if (r < 0) {
		ui_set_msg(ui, TH_ERROR, "cannot save the answers: %s", err);
		return NULL;
	}
	ui_set_msg(ui, TH_DONE, r ? "answers already saved in %s"
				  : "answers saved to %s", saved);
	if (asprintf(&shown, "%s\n\nAnswers for the next computer%s:\n%s\n"
		     "No password is in it: create the files its password_file "
		     "lines name, set computer.fqdn, then run opsmgr-enroll "
		     "--answers FILE --non-interactive.\n", text,
		     r ? " (already saved)" : "", saved) < 0)
		return NULL;
	*first = 1 << 20;      /* the end: frame_text stops at the last line */
	return shown;
}

enum nav scr_summary_run(struct ui *ui)
{
	char *text = summary_text(&ui->f->st), *shown = NULL;
	int first = 0;
	enum nav nav = NAV_STAY;

	if (!text)
		return NAV_DONE;
	while (nav == NAV_STAY) {
		enum action act;
		wint_t ch;
		int r;
		draw(ui, shown ? shown : text, &first);
		r = ui_getkey(ui, &ch);
		act = keymap_action(r, ch, KC_LIST);
		if (act == ACT_HELP)
			nav = help_show(ui, SCREEN_SUMMARY);
		else if (act == ACT_EXPLAIN)
			nav = scr_explain_show(ui, 0);
		else if (act == ACT_SAVE)
			save_report(ui, text);
		else if (act == ACT_SAVE_ANSWERS) {
			char *s = save_answers(ui, text, &first);
			if (s) {
				free(shown);
				shown = s;
			}
		} else if (!ui_scroll(act, &first))
			nav = LEAVES[act];
	}
	free(shown);
	free(text);
	return nav;
}
