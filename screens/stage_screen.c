/*
 * stage_screen.c - the engine behind the stage screens (see
 * stage_screen.h): drawing, keys, validation before Next, what Enter does
 * on a done stage (one answer for the key line and the status line),
 * running the stage with a live spinner, and the outcome phases.
 */
#include "stage_screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stage_inputs.h"
#include "help.h"
#include "scr_explain.h"
#include "stage_draft.h"

enum phase { P_EDIT, P_DONE, P_PENDING, P_CONFIRM };

struct sstate {
	struct ui *ui;
	const struct stage_screen *sc;
	struct uform fm;
	struct pane pane;
	struct pane out;         /* live lines / command output of the last run */
	struct draft draft;      /* the fields changed since load / last run */
	enum phase phase;
	bool pane_focus;
	bool ran;                /* run in this visit */
	unsigned drawn;          /* what_shows() when last drawn */
	char cut[300];           /* a status message too long for the status
				    line: whole as the list's first rows */
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
	pane_add_wrapped(&ss->pane, TH_STALE, ss->cut, ss->ui->lay.inner.w);
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

#define HINT(a, what) ((struct keyhint){ (a), ACT_NONE, (what) })

/*
 * What Enter does on a done stage: true when it runs the stage again, with
 * why ("answers changed (ca.template WebServer -> OpsMgr)", "changed:
 * Mode"); false when it goes on to the next stage.  The key line and the
 * status line both ask here.
 */
static bool done_runs(struct sstate *ss, char *why, size_t n)
{
	uform_sync(&ss->fm);
	return draft_runs(&ss->draft, &ss->ui->f->ctx, theme_arrow(&ss->ui->th),
			  why, n);
}

/* The status line of a done stage, from done_runs; ran: it has just run
 * (warn: with warnings). */
static void say_done(struct sstate *ss, bool ran, bool warn)
{
	struct ui *ui = ss->ui;
	enum stage s = ss->sc->stage;
	char why[300], head[64], again[16];

	snprintf(head, sizeof(head), ran ? "stage %d done%s" : "stage %d is done%s",
		 s, warn ? " with warnings" : "");
	if (done_runs(ss, why, sizeof(why))) {
		ui_set_msg(ui, TH_STALE, "%s%s%s: Enter runs stage %d again",
			   ran ? head : "", ran ? ", but " : "", why, s);
		return;
	}
	keymap_key_name(ACT_RETRY, KC_STAGE, again, sizeof(again));
	ui_set_msg(ui, warn ? TH_WARN : TH_DONE, "%s: Enter for the next stage, "
		   "%s runs it again anyway", head, again);
}

static bool choice_offered(const struct sstate *ss)
{
	const struct run_choice *c = ss->sc->choice;
	return c && ss->phase == P_DONE && !ss->ui->busy && c->offered(ss->ui);
}

/* What the rail, the key line and the status line show that a change of
 * a field can change: the stale stages, Enter's meaning, the run choice. */
static unsigned what_shows(struct sstate *ss)
{
	char why[300];
	unsigned m = 0;
	if (ss->ui->busy)
		return 0;   /* the stage is reading the configuration */
	if (ss->phase == P_DONE && done_runs(ss, why, sizeof(why)))
		m |= 1u;
	if (ss->fm.active && uform_selected(&ss->fm))
		m |= 1u << 12;   /* the key line's "End Keep" */
	if (choice_offered(ss))
		m |= 2u;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		if (stage_is_stale(&ss->ui->f->ctx, (enum stage)s))
			m |= 4u << s;
	return m;
}

static enum keyctx key_ctx(const struct sstate *ss)
{
	if (ss->ui->busy)
		return KC_BUSY;
	if (ss->phase == P_CONFIRM)
		return KC_CONFIRM;
	if (ss->phase == P_PENDING)
		return KC_PENDING;
	/* a focused text field takes letters as text (a choice does not) */
	return ss->fm.n > 0 && ss->fm.active && !ss->pane_focus &&
	       ss->fm.defs[ss->fm.focus].type != FT_CHOICE ?
	       KC_STAGE | KC_TEXT : KC_STAGE;
}

/* The key line of the phase: its own keys, then the ones every stage
 * screen has. */
static int keys_for(struct sstate *ss, struct keyhint *k)
{
	int i = 0;
	if (ss->ui->busy) {
		k[i++] = HINT(ACT_CANCEL, ss->sc->cancel_leaves ?
			      keymap_what(ACT_LEAVE) : NULL);
		k[i++] = HINT(ACT_QUIT, NULL);
		return i;
	}
	if (ss->phase == P_EDIT) {
		const char *edit[4];
		int ne;
		k[i++] = HINT(ACT_NEXT, ss->sc->run_label);
		if (ss->fm.n > 0)
			k[i++] = (struct keyhint){ ACT_FIELD_NEXT, ACT_FIELD_PREV, NULL };
		ne = ss->pane_focus ? 0 : uform_edit_hints(&ss->fm, edit, 4);
		for (int e = 0; e < ne; e++)
			k[i++] = HINT(ACT_NONE, edit[e]);
	} else if (ss->phase == P_DONE) {
		char why[300];
		if (done_runs(ss, why, sizeof(why))) {
			k[i++] = HINT(ACT_NEXT, keymap_what(ACT_RETRY));
		} else {
			k[i++] = HINT(ACT_NEXT, NULL);
			k[i++] = HINT(ACT_RETRY, "Run again anyway");
		}
		if (choice_offered(ss))
			k[i++] = HINT(ss->sc->choice->act, NULL);
	} else if (ss->phase == P_PENDING) {
		k[i++] = HINT(ACT_CHECK, NULL);
		k[i++] = HINT(ACT_LEAVE, NULL);
		if (ss->fm.n > 0)
			k[i++] = HINT(ACT_EDIT, NULL);
	} else {
		k[i++] = HINT(ACT_YES, NULL);
		k[i++] = HINT(ACT_NO, NULL);
	}
	if (ss->sc->key_hint && ss->phase != P_CONFIRM &&
	    ss->sc->key_hint(ss->ui, &k[i]))
		i++;
	if (ss->phase != P_CONFIRM)
		k[i++] = HINT(ACT_BACK, NULL);
	k[i++] = HINT(ACT_HELP, NULL);
	if (ss->phase != P_CONFIRM && ss->phase != P_PENDING)
		k[i++] = HINT(ACT_RAIL, NULL);
	if (ss->phase != P_CONFIRM)
		k[i++] = HINT(ACT_RUN_ALL, NULL);
	k[i++] = HINT(ACT_QUIT, NULL);
	return i;
}

static void draw(struct ui *ui, void *ud)
{
	struct sstate *ss = ud;
	const struct stage_screen *sc = ss->sc;
	struct keyhint keys[14];
	struct keyline kl = { key_ctx(ss), keys, 0 };
	int y, nintro, form_need, form_h, pane_y, pane_h, pane_min;
	char heading[120];
	struct rect in;

	uform_sync(&ss->fm);
	uform_hide(&ss->fm);
	if (ui->lay.too_small) {
		frame_too_small(ui);
		return;
	}
	/* before the key line, which says what a letter does */
	ss->fm.active = !ss->pane_focus && !ui->busy &&
			ss->phase != P_CONFIRM && ss->phase != P_PENDING;
	ss->drawn = what_shows(ss);
	in = ui->lay.inner;
	kl.n = keys_for(ss, keys);
	snprintf(heading, sizeof(heading), "Stage %d of %d: %s", sc->stage,
		 STAGE_LAST, stage_title(sc->stage));
	frame_draw(ui, heading, kl);

	y = in.y;
	theme_on(&ui->th, stdscr, TH_DIM);
	nintro = frame_text((struct rect){ y, in.x, 3, in.w }, sc->intro, NULL);
	theme_on(&ui->th, stdscr, TH_NORMAL);
	if (nintro > 0)
		y += (nintro < 3 ? nintro : 3) + 1;

	if (sc->update)
		sc->update(ui, &ss->fm);
	form_need = ss->fm.n > 0 ? uform_need(&ss->fm, in.w) : 0;
	/* the list in use, or the results of a run, get room for whole rows
	 * (they wrap); while fields are edited the form comes first */
	pane_min = (ss->pane.n > 0 || ui->busy) ?
		   (ss->fm.n > 0 && !ss->pane_focus && ss->phase == P_EDIT ?
		    5 : 10) : 0;
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
		uform_show(&ss->fm, &ui->th, (struct rect){ y, in.x, form_h, in.w });
		uform_place_cursor(&ss->fm);
	} else {
		curs_set(0);
	}
	refresh();
	if (ss->fm.shown && ss->fm.active) {
		uform_place_cursor(&ss->fm);
		refresh();
	}
}

static void load_fields(struct sstate *ss)
{
	draft_load_form(&ss->fm, &ss->ui->f->cfg);
	if (ss->sc->load)
		ss->sc->load(ss->ui, &ss->fm);
}

static int commit_fields(struct sstate *ss)
{
	draft_store_form(&ss->fm, &ss->ui->f->cfg);
	return ss->sc->commit ? ss->sc->commit(ss->ui, &ss->fm) : 0;
}

static void focus_first_problem(struct sstate *ss)
{
	/* a failed field takes the focus; warnings do not (a field the
	 * run's findings show, e.g. the CA's user after a 401, first) */
	if (ss->sc->update)
		ss->sc->update(ss->ui, &ss->fm);
	for (int i = 0; i < ss->fm.n; i++)
		if (!ss->fm.fs[i].hidden && ss->fm.fs[i].sev == SEV_FAIL) {
			uform_focus(&ss->fm, i);
			ss->pane_focus = false;
			return;
		}
	if (ss->pane.n > 0 && ss->fm.n == 0)
		ss->pane_focus = true;
}

/* Waiting on someone: the screen's own words, or the general ones. */
static void enter_pending(struct sstate *ss, const char *resume_note)
{
	char buf[300];
	ss->phase = P_PENDING;
	if (ss->sc->pending_text &&
	    ss->sc->pending_text(ss->ui, buf, sizeof(buf)))
		ui_set_msg(ss->ui, TH_WAIT, "%s", buf);
	else
		ui_say_waiting(ss->ui, resume_note);
}

/* The y/n question on the status line. */
static void ask(struct sstate *ss)
{
	char q[300];
	ui_ask(ss->ui, ss->sc->question ?
	       ss->sc->question(ss->ui, q, sizeof(q)) : "go on?");
}

/* The status line shows two lines at most (frame_status): a longer
 * message is also written at the top of the list.  Returns whether the
 * list changed. */
static bool keep_cut(struct sstate *ss)
{
	struct ui *ui = ss->ui;
	bool cut = !ui->busy && frame_status_lines(ui) > FRAME_STATUS_MAX;
	if (cut ? strcmp(ss->cut, ui->msg) == 0 : !ss->cut[0])
		return false;
	snprintf(ss->cut, sizeof(ss->cut), "%s", cut ? ui->msg : "");
	fill_pane(ss, ui->f->last_status[ss->sc->stage]);
	return true;
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
	uform_sync(&ss->fm);
	draft_mark(&ss->draft);   /* what ran is what later changes count from */
	fill_pane(ss, st);
	worst = diag_worst(&ui->f->last[s]);
	switch (st) {
	case ST_OK:
		ss->phase = P_DONE;
		ss->fm.active = false;
		say_done(ss, true, worst >= SEV_WARN);
		break;
	case ST_FAIL:
		ss->phase = P_EDIT;
		ui_set_msg(ui, TH_ERROR, "stage %d failed: fix what is marked "
			   "and press Enter to try again", s);
		focus_first_problem(ss);
		break;
	case ST_PENDING:
		enter_pending(ss, " (run the wizard again to resume)");
		break;
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
		ask(ss);
		break;
	}
	return NAV_STAY;
}

/* Every field valid, then stored: true; false with the reason shown. */
static bool fields_ok(struct sstate *ss)
{
	int bad;
	if (ss->fm.n == 0)
		return true;
	bad = uform_validate_all(&ss->fm);
	if (bad >= 0) {
		uform_focus(&ss->fm, bad);
		ss->pane_focus = false;
		ui_set_msg(ss->ui, TH_ERROR, "'%s' is not valid: fix it first",
			   ss->fm.defs[bad].label);
		return false;
	}
	if (commit_fields(ss) < 0)
		return false;
	/* stored: the starting point now (a run reads the configuration) */
	draft_mark(&ss->draft);
	return true;
}

/* A flag of struct ctx (CTX_FLAG) the operator's answer sets. */
static void set_flag(struct sstate *ss, size_t flag)
{
	if (flag)
		*(bool *)((char *)&ss->ui->f->ctx + flag) = true;
}

/* Run with the fields stored; flag (0: none) is set after the screen's
 * commit, for this run. */
static enum nav try_run(struct sstate *ss, size_t flag)
{
	if (!fields_ok(ss))
		return NAV_STAY;
	set_flag(ss, flag);
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
		ss->phase = P_DONE;   /* the status line: say_done */
	} else if (st == STAGE_ST_WAITING) {
		enter_pending(ss, "");
	} else {
		ss->phase = P_EDIT;
	}
	focus_first_problem(ss);
}

static void close_form(struct sstate *ss)
{
	uform_sync(&ss->fm);
	uform_hide(&ss->fm);
}

/* y runs the stage with "yes" set; n or Esc leaves things as they are. */
static enum nav on_confirm(struct sstate *ss, enum action act)
{
	const struct stage_screen *sc = ss->sc;
	if (act == ACT_YES) {
		set_flag(ss, sc->confirm_flag);
		return run(ss);
	}
	if (act == ACT_NO) {
		ss->phase = P_EDIT;
		ui_set_msg(ss->ui, TH_WARN, "not confirmed: nothing was changed");
	} else {
		ask(ss);
	}
	return NAV_STAY;
}

/* F2: another stage from the rail. */
static enum nav on_rail(struct sstate *ss)
{
	int t;
	close_form(ss);
	t = frame_rail_select(ss->ui);
	if (t == -2)
		return NAV_QUIT;
	if (t > 0 && t != (int)ss->sc->stage) {
		ss->ui->go_to = t;
		return NAV_GOTO;
	}
	return NAV_STAY;
}

/* Waiting: check again (c or Enter), leave, or edit the fields. */
static enum nav on_pending(struct sstate *ss, enum action act, int r,
			   wint_t ch)
{
	if (act == ACT_CHECK || act == ACT_NEXT) {
		if (ss->sc->recheck)
			ss->sc->recheck(ss->ui);
		return run(ss);
	}
	if (act == ACT_LEAVE)
		return NAV_LEAVE;
	if (act == ACT_EDIT && ss->fm.n > 0) {
		ss->phase = P_EDIT;
		ss->pane_focus = false;
		ui_set_msg(ss->ui, TH_NORMAL, "change the fields, Enter runs the "
			   "stage again");
	} else {
		pane_key(&ss->pane, act, 5);
	}
	return NAV_STAY;
}

/* Enter: the next stage when done and no change needs a run (changes
 * that need none, e.g. a user name, are kept), else run. */
static enum nav on_enter(struct sstate *ss)
{
	char why[300];
	if (ss->phase == P_DONE && !done_runs(ss, why, sizeof(why))) {
		if (draft_any_changed(&ss->draft) && !fields_ok(ss))
			return NAV_STAY;
		return NAV_NEXT;
	}
	return try_run(ss, 0);
}

/* Tab moves between the form and the result list; Shift-Tab back. */
static void on_field_key(struct sstate *ss, enum action act)
{
	if (act == ACT_FIELD_NEXT) {
		if (ss->pane_focus || ss->pane.n == 0) {
			ss->pane_focus = false;
			if (ss->fm.n > 0)
				uform_focus(&ss->fm, 0);
		} else {
			uform_sync(&ss->fm);
			ss->pane_focus = true;
		}
	} else if (ss->pane_focus) {
		ss->pane_focus = false;
	} else if (ss->pane.n > 0) {
		ss->pane_focus = true;
	}
}

/* A printable character while a field has the focus is text, not a key. */
static bool typing(const struct sstate *ss, int r, wint_t ch)
{
	return ss->fm.n > 0 && ss->fm.active && !ss->pane_focus && r == OK &&
	       ch >= 32;
}

/* What is left after the engine's own keys: the form, the screen's own
 * actions, focus moves, and the result list.  *full is cleared when only
 * the field changed (the form drew it). */
static void on_other(struct sstate *ss, enum action act, int r, wint_t ch,
		     bool *full)
{
	struct ui *ui = ss->ui;
	const struct stage_screen *sc = ss->sc;
	bool pane_keys = ss->pane_focus || ss->fm.n == 0 || !ss->fm.active;
	if (!pane_keys) {
		int fr = uform_key(&ss->fm, r, ch);
		if (fr == 1)
			*full = false;
		if (fr > 0)
			return;
	}
	if (sc->key && act != ACT_NONE && !typing(ss, r, ch) &&
	    sc->key(ui, &ss->pane, act))
		return;
	if (act == ACT_FIELD_NEXT || act == ACT_FIELD_PREV) {
		on_field_key(ss, act);
		return;
	}
	/* moves the form did not use move the selection in the list */
	if (ss->pane.n > 0 && pane_key(&ss->pane, act, 5))
		ss->pane_focus = ss->fm.n == 0 || pane_keys ||
				 act == ACT_DOWN || act == ACT_UP ||
				 act == ACT_PAGE_DOWN || act == ACT_PAGE_UP;
}

/* One key; returns where to go (NAV_STAY: this screen again). */
static enum nav on_key(struct sstate *ss, int r, wint_t ch, bool *full)
{
	struct ui *ui = ss->ui;
	enum action act = keymap_action(r, ch, key_ctx(ss));

	if (ui->lay.too_small)
		return act == ACT_QUIT ? NAV_QUIT : NAV_STAY;
	if (act != ACT_UP && act != ACT_DOWN)
		ui->msg[0] = 0;
	if (act == ACT_QUIT)
		return NAV_QUIT;
	if (act == ACT_HELP) {
		close_form(ss);
		return help_show(ui, ss->sc->stage);
	}
	if (act == ACT_EXPLAIN) {
		close_form(ss);
		return scr_explain_show(ui, scr_explain_pane_event(&ss->pane));
	}
	if (ss->phase == P_CONFIRM)
		return on_confirm(ss, act);
	switch (act) {
	case ACT_RAIL:
		return on_rail(ss);
	case ACT_BACK:
		return NAV_BACK;
	case ACT_RETRY:
		return try_run(ss, 0);
	case ACT_RUN_ALL:
		ui->run_all = true;   /* the screen's loop runs it */
		return NAV_STAY;
	default:
		break;
	}
	if (ss->sc->choice && act == ss->sc->choice->act && choice_offered(ss))
		return try_run(ss, ss->sc->choice->flag);
	if (ss->phase == P_PENDING)
		return on_pending(ss, act, r, ch);
	if (act == ACT_NEXT)
		return on_enter(ss);
	on_other(ss, act, r, ch, full);
	return NAV_STAY;
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
	if (draft_init(&ss.draft, &ss.fm, &ui->f->cfg, sc->stage) < 0) {
		uform_release(&ss.fm);
		pane_release(&ss.pane);
		pane_release(&ss.out);
		return NAV_QUIT;
	}
	uform_focus(&ss.fm, ss.fm.focus);   /* its value selected */
	enter_phase(&ss);
	ui->repaint = draw;
	ui->repaint_ud = &ss;

	while (nav == NAV_STAY) {
		wint_t ch;
		int r;

		if (ss.phase == P_DONE && !ui->msg[0] && !ui->lay.too_small)
			say_done(&ss, false, ui->f->st.stage[sc->stage] ==
				 STAGE_ST_WARN);
		if (keep_cut(&ss))
			full = true;
		/* a change that moves a mark or a key is drawn in full */
		if (!full && what_shows(&ss) != ss.drawn)
			full = true;
		if (full) {
			draw(ui, &ss);
		} else {
			/* typing in a field: the form already drew it */
			frame_status(ui);
			uform_place_cursor(&ss.fm);
			doupdate();
		}
		full = true;
		if (ui->run_all) {   /* "run what remains": Enter, while stages pass */
			nav = on_key(&ss, OK, '\r', &full);
			nav = ui_run_all_step(ui, nav, ss.phase == P_DONE);
			continue;
		}
		r = ui_getkey(ui, &ch);
		if (!ui_key_ignored(r, ch))
			nav = on_key(&ss, r, ch, &full);
	}
	uform_sync(&ss.fm);
	if (nav != NAV_NEXT)
		draft_restore(&ss.draft);   /* left without running: as loaded */
	draft_release(&ss.draft);
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
