/*
 * ui.c - the router: ui_run() sets the terminal up and restores it (stderr
 * captured to a temporary file while curses owns the screen, printed after
 * endwin), owns the table of screens (welcome, one per stage, summary,
 * diagnose, Windows evidence), runs the one that is current and decides
 * from the navigation value it returns which one comes next, and the exit
 * code a quit means.
 * Screens never call each other.
 */
#include "ui.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errcap.h"
#include "preflight.h"
#include "screens.h"
#include "stage_screen.h"
#include "termcheck.h"
#include "uikit.h"

/* A screen of the table: its own loop, or a stage screen for the engine. */
struct route {
	enum nav (*run)(struct ui *ui);
	const struct stage_screen *stage;
};

static const struct route ROUTES[SCREEN_COUNT] = {
	[SCREEN_WELCOME] = { scr_welcome_run, NULL },
	[STAGE_TRUST] = { NULL, &SCR_TRUST },
	[STAGE_REQUEST] = { NULL, &SCR_REQUEST },
	[STAGE_VERIFY] = { NULL, &SCR_VERIFY },
	[STAGE_EXPORT] = { NULL, &SCR_EXPORT },
	[STAGE_AGENT] = { NULL, &SCR_AGENT },
	[STAGE_SERIAL] = { NULL, &SCR_SERIAL },
	[STAGE_APPROVAL] = { NULL, &SCR_APPROVAL },
	[SCREEN_SUMMARY] = { scr_summary_run, NULL },
	[SCREEN_DIAGNOSE] = { scr_diagnose_run, NULL },
	[SCREEN_EVIDENCE] = { scr_evidence_run, NULL },
};

/* A stage that does not apply to this role is recorded as skipped and
 * passed over in the direction the operator was going. */
static enum nav show(struct ui *ui, int dir)
{
	const struct route *rt = &ROUTES[ui->cur];
	if (rt->run)
		return rt->run(ui);
	if (!flow_stage_applies(ui->f, (enum stage)ui->cur)) {
		if (ui->f->st.stage[ui->cur] != STAGE_ST_SKIPPED)
			flow_run_stage(ui->f, (enum stage)ui->cur, NULL, NULL);
		return dir > 0 ? NAV_NEXT : NAV_BACK;
	}
	return stage_screen_run(ui, rt->stage);
}

/* The screen after ui->cur for nav; *dir is the direction of travel. */
static int route(const struct ui *ui, enum nav nv, int *dir)
{
	switch (nv) {
	case NAV_NEXT:
		*dir = 1;
		return ui->cur + 1 < SCREEN_SUMMARY ? ui->cur + 1 : SCREEN_SUMMARY;
	case NAV_BACK:
		*dir = -1;
		if (ui->cur == SCREEN_DIAGNOSE || ui->cur == SCREEN_EVIDENCE)
			return SCREEN_WELCOME;
		return ui->cur > SCREEN_WELCOME ? ui->cur - 1 : SCREEN_WELCOME;
	case NAV_GOTO:
		*dir = ui->go_to >= ui->cur ? 1 : -1;
		return ui->go_to < SCREEN_SUMMARY ? ui->go_to : SCREEN_SUMMARY;
	case NAV_DIAGNOSE:
		return SCREEN_DIAGNOSE;
	case NAV_EVIDENCE:
		return SCREEN_EVIDENCE;
	default:
		return ui->cur;
	}
}

/* Whether someone else has the next move: the CA holds the request, or a
 * stage (the approval) ended waiting. */
static bool waiting_on_someone(const struct flow *f)
{
	if (f->st.req_phase == REQ_PENDING)
		return true;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		if (flow_stage_applies(f, (enum stage)s) &&
		    f->st.stage[s] == STAGE_ST_WAITING)
			return true;
	return false;
}

/* Whether the answers a file gave (--config, --answers) leave the next
 * stage unable to run: its field checks (the runner's preflight) fail on
 * an answer other than a password (typed, never in a file). */
static bool answers_in_error(struct flow *f)
{
	struct diag_list dl;
	bool bad = false;
	int next = flow_next_stage(f);
	if (!f->cfg.explicit_keys || next > STAGE_LAST)
		return false;
	diag_list_init(&dl);
	preflight_check(f, next, next, &dl);
	for (size_t i = 0; i < dl.n; i++) {
		const char *fl = dl.items[i].field;
		size_t l = fl ? strlen(fl) : 0;
		if (l > 0 && (l < 9 || strcmp(fl + l - 9, ".password") != 0))
			bad = true;
	}
	diag_list_release(&dl);
	return bad;
}

/* The exit code of a quit (product.md s.4): interrupted by ^C or a signal
 * 128 + its number, waiting on someone else 75, answers from a file in
 * error 2, else 0.  The state is already saved: the flow saves after
 * every step. */
static int quit_code(struct ui *ui)
{
	if (ui->quit_sig)
		return 128 + ui->quit_sig;
	if (waiting_on_someone(ui->f))
		return EXIT_WAITING;
	return answers_in_error(ui->f) ? EXIT_USAGE : EXIT_OK;
}

static int ui_loop(struct ui *ui)
{
	int dir = 1;
	ui->prev = SCREEN_WELCOME;
	for (;;) {
		enum nav nv;
		int next;
		ui->msg[0] = 0;
		/* "run what remains" ends where the stages end */
		if (ui->cur < STAGE_FIRST || ui->cur > STAGE_LAST)
			ui->run_all = false;
		nv = show(ui, dir);
		switch (nv) {
		case NAV_QUIT:
			return quit_code(ui);
		case NAV_DONE:
			return EXIT_OK;
		case NAV_LEAVE:
			return EXIT_WAITING;
		default:
			break;
		}
		next = route(ui, nv, &dir);
		if (next != ui->cur) {
			ui->prev = ui->cur;
			ui->cur = next;
		}
	}
}

static int refuse_terminal(void)
{
	fprintf(stderr, "opsmgr-enroll: cannot use the terminal '%s': "
		"set TERM, or use --answers FILE --non-interactive\n",
		getenv("TERM") ? getenv("TERM") : "(unset)");
	return EXIT_USAGE;
}

int ui_run(struct flow *f)
{
	struct ui ui;
	struct errcap ec;
	SCREEN *scr;
	int code;

	memset(&ui, 0, sizeof(ui));
	ui.f = f;
	setlocale(LC_ALL, "");
	if (!getenv("ESCDELAY"))
		set_escdelay(60);
	/* ask terminfo first: a failed newterm() leaks inside ncurses */
	if (!termcheck_usable(STDOUT_FILENO))
		return refuse_terminal();
	errcap_begin(&ec);
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		errcap_end(&ec);
		return refuse_terminal();
	}
	set_term(scr);
	raw();   /* ^C arrives as a key and quits like F10 (keymap.c) */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	ui_keys_init();
	curs_set(0);
	theme_init(&ui.th);
	ui_relayout(&ui);
	f->ctx.interactive = true;

	code = ui_loop(&ui);

	curs_set(1);
	endwin();
	delscreen(scr);
	errcap_end(&ec);
	if (code == EXIT_WAITING)
		fprintf(stderr, "opsmgr-enroll: waiting on someone else; run "
			"opsmgr-enroll again to resume (state in %s)\n",
			f->state_dir ? f->state_dir : "the state directory");
	return code;
}
