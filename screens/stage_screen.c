/*
 * stage_screen.c - the engine behind the seven stage screens (see
 * stage_screen.h): drawing, keys, validation before Next, running the
 * stage with a live spinner, and the outcome phases.
 */
#include "stage_screen.h"

#include <stdio.h>
#include <string.h>

#include "core/config_schema.h"

enum phase { P_EDIT, P_DONE, P_PENDING, P_CONFIRM };

struct sstate {
	struct ui *ui;
	const struct stage_screen *sc;
	struct uform fm;
	struct pane pane;
	struct pane out;         /* live lines / command output of the last run */
	enum phase phase;
	bool pane_focus;
	bool ran;                /* run in this visit */
};

static bool skip_owned(const struct diag *d, void *ud)
{
	struct sstate *ss = ud;
	return uform_owns_diag(&ss->fm, d);
}

static void fill_pane(struct sstate *ss, enum status st)
{
	struct flow *f = ss->ui->f;
	enum stage s = ss->sc->stage;
	pane_clear(&ss->pane);
	if (ss->sc->result)
		ss->sc->result(ss->ui, &ss->pane, st);   /* may choose sel */
	pane_add_diags(&ss->pane, &f->last[s], skip_owned, ss, false);
	if (ss->out.n > 0) {
		pane_add(&ss->pane, TH_DIM, NULL, "-- output --", NULL, 0);
		for (int i = 0; i < ss->out.n; i++)
			pane_add(&ss->pane, ss->out.rows[i].el, NULL,
				 ss->out.rows[i].text, NULL, 0);
	}
	/* command output (not progress lines): show its end, unless the
	 * screen chose a row */
	for (int i = 0; i < ss->out.n; i++)
		if (ss->out.rows[i].el == TH_NORMAL && ss->pane.sel == 0) {
			ss->pane.sel = ss->pane.n - 1;
			break;
		}
	/* select the first failure, else the first warning */
	for (int want = SEV_FAIL; want >= SEV_WARN; want--) {
		bool found = false;
		for (int i = 0; i < ss->pane.n; i++)
			if (strcmp(ss->pane.rows[i].tag, theme_sev_tag(want)) == 0) {
				ss->pane.sel = i;
				found = true;
				break;
			}
		if (found)
			break;
	}
	ss->pane.first = 0;
}

static void keys_for(struct sstate *ss, struct keyhint *k, int *n)
{
	int i = 0;
	if (ss->ui->busy) {
		k[i++] = (struct keyhint){ "Esc", ss->sc->cancel_leaves ?
					   "Leave, resume later" : "Cancel" };
		k[i++] = (struct keyhint){ "F10", "Quit" };
		*n = i;
		return;
	}
	switch (ss->phase) {
	case P_EDIT:
		k[i++] = (struct keyhint){ "Enter", ss->sc->run_label };
		if (ss->fm.n > 0)
			k[i++] = (struct keyhint){ "Tab/S-Tab", "Field" };
		break;
	case P_DONE:
		k[i++] = (struct keyhint){ "Enter", "Next" };
		k[i++] = (struct keyhint){ "F5", "Run again" };
		break;
	case P_PENDING:
		k[i++] = (struct keyhint){ "c", "Check again" };
		k[i++] = (struct keyhint){ "l", "Leave, resume later" };
		if (ss->fm.n > 0)
			k[i++] = (struct keyhint){ "e", "Edit" };
		break;
	case P_CONFIRM:
		k[i++] = (struct keyhint){ "y", "Yes" };
		k[i++] = (struct keyhint){ "n", "No" };
		break;
	}
	if (ss->sc->key_hint && ss->phase != P_CONFIRM &&
	    ss->sc->key_hint(ss->ui, &k[i]))
		i++;
	if (ss->phase != P_CONFIRM)
		k[i++] = (struct keyhint){ "Esc", "Back" };
	k[i++] = (struct keyhint){ "F1", "Help" };
	if (ss->phase != P_CONFIRM && ss->phase != P_PENDING)
		k[i++] = (struct keyhint){ "F2", "Stages" };
	k[i++] = (struct keyhint){ "F10", "Quit" };
	*n = i;
}

static void draw(struct ui *ui, void *ud)
{
	struct sstate *ss = ud;
	const struct stage_screen *sc = ss->sc;
	struct keyhint keys[10];
	int nkeys, y, starts[4], lens[4], nintro, form_need, form_h, pane_y,
	    pane_h, pane_min;
	char heading[120];
	struct rect in;

	uform_sync(&ss->fm);
	uform_hide(&ss->fm);
	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	in = ui->lay.inner;
	keys_for(ss, keys, &nkeys);
	snprintf(heading, sizeof(heading), "Stage %d of 7: %s", sc->stage,
		 stage_title(sc->stage));
	frame_draw(ui, heading, keys, nkeys);

	y = in.y;
	nintro = layout_wrap(sc->intro, in.w, 3, starts, lens);
	if (nintro > 3)
		nintro = 3;
	for (int i = 0; i < nintro; i++) {
		char line[300];
		snprintf(line, sizeof(line), "%.*s", lens[i], sc->intro + starts[i]);
		theme_on(&ui->th, stdscr, TH_DIM);
		theme_put(stdscr, y++, in.x, line, in.w);
	}
	theme_on(&ui->th, stdscr, TH_NORMAL);
	if (nintro > 0)
		y++;

	if (sc->update)
		sc->update(ui, &ss->fm);
	form_need = ss->fm.n > 0 ? uform_need(&ss->fm, in.w) : 0;
	pane_min = (ss->pane.n > 0 || ui->busy) ? (ss->fm.n > 0 ? 5 : 8) : 0;
	form_h = layout_split(in.y + in.h - y, form_need, pane_min, &pane_y,
			      &pane_h);
	if (pane_h > 0) {
		struct rect pr = { y + pane_y, in.x, pane_h, in.w };
		struct pane *p = ui->busy && ui->live ? ui->live : &ss->pane;
		if (form_h > 0) {
			theme_on(&ui->th, stdscr, TH_DIM);
			theme_hline(&ui->th, stdscr, pr.y - 1, in.x, in.w);
			theme_put(stdscr, pr.y - 1, in.x + 1,
				  ui->busy ? " progress " : " results ", 10);
			theme_on(&ui->th, stdscr, TH_NORMAL);
		}
		pane_draw(&ui->th, stdscr, p, pr, ss->pane_focus || ss->fm.n == 0);
	}
	frame_status(ui);
	if (ss->fm.n > 0 && form_h > 0) {
		ss->fm.active = !ss->pane_focus && !ui->busy &&
				ss->phase != P_CONFIRM && ss->phase != P_PENDING;
		uform_show(&ss->fm, &ui->th, (struct rect){ y, in.x, form_h, in.w });
		uform_place_cursor(&ss->fm);
	} else {
		curs_set(0);
	}
	refresh();
	if (ss->fm.form && ss->fm.active)
		uform_place_cursor(&ss->fm), refresh();
}

static void load_fields(struct sstate *ss)
{
	struct uform *fm = &ss->fm;
	for (int i = 0; i < fm->n; i++) {
		const struct fdef *d = &fm->defs[i];
		char buf[UFORM_VALUE_MAX];
		if (d->type == FT_PASSWORD)
			continue;
		if (config_key_get_text(&ss->ui->f->cfg, config_key_find(d->key),
					buf, sizeof(buf)) < 0)
			continue;
		if (d->type == FT_CHOICE)
			uform_set_choice(fm, d->key, buf);
		else
			uform_set(fm, d->key, buf);
	}
	if (ss->sc->load)
		ss->sc->load(ss->ui, fm);
}

static int commit_fields(struct sstate *ss)
{
	struct uform *fm = &ss->fm;
	for (int i = 0; i < fm->n; i++) {
		const struct fdef *d = &fm->defs[i];
		if (d->type == FT_PASSWORD || fm->fs[i].hidden)
			continue;
		config_key_set_text(&ss->ui->f->cfg, config_key_find(d->key),
				    uform_value(fm, d->key), NULL);
	}
	return ss->sc->commit ? ss->sc->commit(ss->ui, fm) : 0;
}

static void focus_first_problem(struct sstate *ss)
{
	/* a failed field takes the focus; warnings do not */
	for (int i = 0; i < ss->fm.n; i++)
		if (!ss->fm.fs[i].hidden && ss->fm.fs[i].sev == SEV_FAIL) {
			ss->fm.focus = i;
			ss->pane_focus = false;
			return;
		}
	if (ss->pane.n > 0 && ss->fm.n == 0)
		ss->pane_focus = true;
}

/* Run the stage; returns a navigation when the screen must be left. */
static enum nav run(struct sstate *ss)
{
	struct ui *ui = ss->ui;
	const struct stage_screen *sc = ss->sc;
	enum stage s = sc->stage;
	enum status st;
	int worst;

	pane_clear(&ss->out);
	ss->out.follow = true;
	if (sc->live_intro)
		sc->live_intro(ui, &ss->out);
	ui->live = &ss->out;
	ui->repaint = draw;
	ui->repaint_ud = ss;
	ui->msg[0] = 0;
	st = ui_run_stage(ui, s);
	ui->live = NULL;
	ss->ran = true;
	if (ui->quit_after)
		return NAV_QUIT;
	if (!sc->live_output)
		pane_clear(&ss->out);   /* progress lines only matter live */
	uform_apply_diags(&ss->fm, &ui->f->last[s]);
	fill_pane(ss, st);
	worst = diag_worst(&ui->f->last[s]);
	switch (st) {
	case ST_OK:
		ss->phase = P_DONE;
		ss->fm.active = false;
		if (worst >= SEV_WARN)
			ui_set_msg(ui, TH_WARN, "stage %d done with warnings: "
				   "Enter for the next stage", s);
		else
			ui_set_msg(ui, TH_DONE, "stage %d done: Enter for the next "
				   "stage", s);
		break;
	case ST_FAIL:
		ss->phase = P_EDIT;
		ui_set_msg(ui, TH_ERROR, "stage %d failed: fix what is marked "
			   "and press Enter to try again", s);
		focus_first_problem(ss);
		break;
	case ST_PENDING: {
		char buf[300];
		ss->phase = P_PENDING;
		if (sc->pending_text && sc->pending_text(ui, buf, sizeof(buf)))
			ui_set_msg(ui, TH_WAIT, "%s", buf);
		else
			ui_set_msg(ui, TH_WAIT, "waiting: c checks again, l leaves "
				   "(run the wizard again to resume)");
		break;
	}
	case ST_CANCELLED:
		if (sc->cancel_leaves)
			return NAV_LEAVE;
		ss->phase = P_EDIT;
		ui_set_msg(ui, TH_WARN, "cancelled: nothing was lost, Enter "
			   "starts the stage again");
		break;
	case ST_NEED_CONFIRM:
		ss->phase = P_CONFIRM;
		/* show what the question is about: the first row of the list */
		ss->pane.sel = 0;
		ss->pane.first = 0;
		ui_set_msg(ui, TH_WARN, "Confirm (y/n): %s",
			   sc->question ? sc->question(ui) : "go on?");
		break;
	}
	return NAV_STAY;
}

static enum nav try_run(struct sstate *ss)
{
	int bad;
	if (ss->fm.n > 0) {
		bad = uform_validate_all(&ss->fm);
		if (bad >= 0) {
			ss->fm.focus = bad;
			ss->pane_focus = false;
			ui_set_msg(ss->ui, TH_ERROR, "'%s' is not valid: fix it first",
				   ss->fm.defs[bad].label);
			return NAV_STAY;
		}
		if (commit_fields(ss) < 0)
			return NAV_STAY;
	}
	return run(ss);
}

static void enter_phase(struct sstate *ss)
{
	struct flow *f = ss->ui->f;
	enum stage s = ss->sc->stage;
	enum stage_status st = f->st.stage[s];

	fill_pane(ss, f->last_status[s]);
	uform_apply_diags(&ss->fm, &f->last[s]);
	if (st == STAGE_ST_DONE || st == STAGE_ST_WARN) {
		ss->phase = P_DONE;
		ui_set_msg(ss->ui, TH_DONE, "stage %d is done: Enter for the next "
			   "stage, F5 runs it again", s);
	} else if (st == STAGE_ST_WAITING) {
		char buf[300];
		ss->phase = P_PENDING;
		if (ss->sc->pending_text &&
		    ss->sc->pending_text(ss->ui, buf, sizeof(buf)))
			ui_set_msg(ss->ui, TH_WAIT, "%s", buf);
		else
			ui_set_msg(ss->ui, TH_WAIT, "waiting: c checks again, l leaves");
	} else {
		ss->phase = P_EDIT;
	}
	focus_first_problem(ss);
}

enum nav stage_screen_run(struct ui *ui, const struct stage_screen *sc)
{
	struct sstate ss;
	enum nav nav = NAV_STAY;
	bool full = true;

	memset(&ss, 0, sizeof(ss));
	ss.ui = ui;
	ss.sc = sc;
	if (uform_init(&ss.fm, sc->fields, sc->nfields, ui) < 0)
		return NAV_QUIT;
	pane_init(&ss.pane, true, false);
	pane_init(&ss.out, false, true);
	load_fields(&ss);
	enter_phase(&ss);
	ui->repaint = draw;
	ui->repaint_ud = &ss;

	while (nav == NAV_STAY) {
		wint_t ch;
		int r, fr;
		bool pane_keys;

		if (full) {
			draw(ui, &ss);
		} else {
			/* typing in a field: formw already drew it */
			frame_status(ui);
			uform_place_cursor(&ss.fm);
			doupdate();
		}
		full = true;
		r = ui_getkey(ui, &ch);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		if (ui->lay.too_small) {
			if (r == KEY_CODE_YES && ch == KEY_F(10))
				nav = NAV_QUIT;
			continue;
		}
		if (!(r == KEY_CODE_YES && (ch == KEY_UP || ch == KEY_DOWN)))
			ui->msg[0] = 0;
		if (r == KEY_CODE_YES && ch == KEY_F(10)) {
			nav = NAV_QUIT;
			break;
		}
		if (r == KEY_CODE_YES && ch == KEY_F(1)) {
			uform_sync(&ss.fm);
			uform_hide(&ss.fm);
			if (help_show(ui, sc->stage) == NAV_QUIT)
				nav = NAV_QUIT;
			continue;
		}
		if (ss.phase == P_CONFIRM) {
			if (r == OK && (ch == 'y' || ch == 'Y')) {
				if (sc->confirm_yes)
					sc->confirm_yes(ui);
				nav = run(&ss);
			} else if ((r == OK && (ch == 'n' || ch == 'N' ||
						ch == UI_KEY_ESC))) {
				ss.phase = P_EDIT;
				ui_set_msg(ui, TH_WARN, "not confirmed: nothing was "
					   "changed");
			} else {
				ui_set_msg(ui, TH_WARN, "Confirm (y/n): %s",
					   sc->question ? sc->question(ui) : "go on?");
			}
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_F(2)) {
			int t;
			uform_sync(&ss.fm);
			uform_hide(&ss.fm);
			t = frame_rail_select(ui);
			if (t == -2) {
				nav = NAV_QUIT;
			} else if (t > 0 && t != (int)sc->stage) {
				ui->go_to = t;
				nav = NAV_GOTO;
			}
			continue;
		}
		if (r == OK && ch == UI_KEY_ESC) {
			nav = NAV_BACK;
			break;
		}
		if (r == KEY_CODE_YES && ch == KEY_F(5) && ss.phase != P_CONFIRM) {
			nav = try_run(&ss);
			continue;
		}
		if (ss.phase == P_PENDING) {
			if ((r == OK && (ch == 'c' || ch == 'C')) || ui_is_enter(r, ch)) {
				ui->f->ctx.request_action = REQ_ACT_AUTO;
				nav = run(&ss);
			} else if (r == OK && (ch == 'l' || ch == 'L')) {
				nav = NAV_LEAVE;
			} else if (r == OK && (ch == 'e' || ch == 'E') &&
				   ss.fm.n > 0) {
				ss.phase = P_EDIT;
				ss.pane_focus = false;
				ui_set_msg(ui, TH_NORMAL, "change the fields, Enter runs "
					   "the stage again");
			} else if (r == KEY_CODE_YES) {
				pane_key(&ss.pane, (int)ch, 5);
			}
			continue;
		}
		if (ui_is_enter(r, ch)) {
			if (ss.phase == P_DONE && !uform_any_touched(&ss.fm)) {
				uform_sync(&ss.fm);
				if (!uform_any_touched(&ss.fm)) {
					nav = NAV_NEXT;
					break;
				}
			}
			nav = try_run(&ss);
			continue;
		}
		pane_keys = ss.pane_focus || ss.fm.n == 0 || !ss.fm.active;
		if (!pane_keys) {
			fr = uform_key(&ss.fm, r, ch);
			if (fr == 1)
				full = false;
			if (fr > 0) {
				if (ss.phase == P_DONE && uform_any_touched(&ss.fm) &&
				    !ui->msg[0]) {
					ui_set_msg(ui, TH_NORMAL, "changed: Enter runs the "
						   "stage again with the new values");
					full = true;
				}
				continue;
			}
		}
		if (sc->key && !(ss.fm.n > 0 && ss.fm.active && !ss.pane_focus &&
				 r == OK && ch >= 32) &&
		    sc->key(ui, &ss.pane, r, ch))
			continue;
		if (r == OK && ch == UI_KEY_TAB) {
			if (ss.pane_focus || ss.pane.n == 0) {
				ss.pane_focus = false;
				if (ss.fm.n > 0)
					uform_focus(&ss.fm, 0);
			} else {
				uform_sync(&ss.fm);
				ss.pane_focus = true;
			}
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_BTAB) {
			if (ss.pane_focus)
				ss.pane_focus = false;
			else if (ss.pane.n > 0)
				ss.pane_focus = true;
			continue;
		}
		/* arrows the form did not use move the selection in the list */
		if (r == KEY_CODE_YES && ss.pane.n > 0 &&
		    pane_key(&ss.pane, (int)ch, 5))
			ss.pane_focus = ss.fm.n == 0 || pane_keys ||
					ch == KEY_DOWN || ch == KEY_UP ||
					ch == KEY_NPAGE || ch == KEY_PPAGE;
	}
	uform_sync(&ss.fm);
	for (int i = 0; i < ss.fm.n; i++)
		if (ss.fm.defs[i].type == FT_PASSWORD)
			uform_wipe(&ss.fm, ss.fm.defs[i].key);
	uform_release(&ss.fm);
	pane_release(&ss.pane);
	pane_release(&ss.out);
	ui->repaint = NULL;
	ui->repaint_ud = NULL;
	return nav;
}
