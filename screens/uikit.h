/*
 * uikit.h - the helper library every screen uses: the ui object (flow,
 * theme, layout, busy state for the spinner, the status line), the
 * navigation values a screen returns to the router (screens/ui.c), key
 * reading with resize handling, the status message, and the hooks that keep
 * the screen alive during long backend work.  Owner: screens/uikit.c.
 * Nothing here calls a screen.
 *
 * Ownership: struct ui lives on ui_run()'s stack; it borrows the flow.
 */
#ifndef OPSMGR_UIKIT_H
#define OPSMGR_UIKIT_H

#include <stdbool.h>
#include <time.h>
#include <wchar.h>
#include <curses.h>

#include "flow.h"
#include "core/hooks.h"
#include "keymap.h"
#include "layout.h"
#include "theme.h"
#include "widgets/pane.h"

/* Where a screen wants to go next; the router decides what that means. */
enum nav {
	NAV_STAY = 0,
	NAV_NEXT,      /* the following stage */
	NAV_BACK,      /* the previous stage (or the screen we came from) */
	NAV_QUIT,      /* F10: exit 0, 75 with a request pending; a signal or
			  ^C: 128 + its number (struct ui's quit_sig) */
	NAV_LEAVE,     /* leave while waiting on someone: exit 75 */
	NAV_GOTO,      /* ui->go_to */
	NAV_DIAGNOSE,  /* the diagnose screen */
	NAV_EVIDENCE,  /* the screen diagnosing a Windows computer */
	NAV_DONE       /* summary acknowledged: exit 0 */
};

/* Screens of the router's table: 0 welcome, STAGE_FIRST..STAGE_LAST the
 * stages, then these. */
#define SCREEN_WELCOME 0
#define SCREEN_SUMMARY STAGE_COUNT
#define SCREEN_DIAGNOSE (STAGE_COUNT + 1)
#define SCREEN_EVIDENCE (STAGE_COUNT + 2)
#define SCREEN_COUNT (STAGE_COUNT + 3)

struct ui {
	struct flow *f;
	struct theme th;
	struct layout lay;
	int cur;                /* screen shown (SCREEN_* or a stage) */
	int prev;               /* the screen shown before it */
	int go_to;              /* target of NAV_GOTO */
	bool run_all;           /* "run what remains": each stage screen runs
				   its stage and goes on while they pass */
	int quit_sig;           /* the quit came from a signal or ^C (SIGINT):
				   its number; 0 from the quit key */

	/* status line message (cleared on the next key) */
	char msg[300];
	enum theme_el msg_el;

	/* long work */
	bool busy;
	struct timespec busy_start, last_tick;
	char busy_what[200];
	double busy_frac;
	unsigned tick;
	bool cancel;            /* Esc pressed while busy */
	bool quit_after;        /* F10 pressed while busy */
	struct pane *live;      /* where progress lines and command output go */

	/* repaint of the current screen (resize while busy) */
	void (*repaint)(struct ui *ui, void *ud);
	void *repaint_ud;
};

void ui_relayout(struct ui *ui);
/* After newterm and keypad: the F-key sequences of PuTTY's default
 * keyboard (ESC [ 11 ~ ...) and of the Linux console (ESC [ [ A ...) that
 * the terminal's terminfo entry lacks are taught to curses, so they arrive
 * as F-keys whatever TERM says. */
void ui_keys_init(void);
/* From a signal handler (async-signal-safe): the wizard quits at its next
 * key or step, a running stage cancelled (the flow saves the state), with
 * exit code 128 + sig (ui_run's return). */
void ui_signal(int sig);
/* Read one key (blocking).  Returns get_wch's OK / KEY_CODE_YES / ERR;
 * handles KEY_RESIZE by recomputing the layout (and still returns it); Esc
 * then a digit reads as that F-key (keymap.h); a terminal that went away
 * or a signal (ui_signal) reads as the quit key. */
int ui_getkey(struct ui *ui, wint_t *ch);
/* Whether a key read by ui_getkey is a terminal resize (or nothing). */
bool ui_key_ignored(int r, wint_t ch);
/* Up/Down scroll a text by one line (*first, never below 0); returns
 * whether act was one of them. */
bool ui_scroll(enum action act, int *first);
/* PgUp/PgDn scroll it by page lines (at least one); returns whether act
 * was one of them. */
bool ui_page(enum action act, int *first, int page);
void ui_hooks(struct ui *ui, struct hooks *h);
void ui_busy_begin(struct ui *ui, const char *what);
void ui_busy_end(struct ui *ui);
/* Run stage s through the flow with the UI's hooks (spinner, Esc). */
enum status ui_run_stage(struct ui *ui, enum stage s);
void ui_set_msg(struct ui *ui, enum theme_el el, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The status line's y/n question: "Confirm (y/n): question", key names
 * from the keymap. */
void ui_ask(struct ui *ui, const char *question);
/* "c checks again, l leaves" with the keymap's key names, into buf;
 * returns buf. */
const char *ui_waiting_keys(char *buf, size_t n);
/* The status line while waiting on someone: "waiting: " ui_waiting_keys
 * and note. */
void ui_say_waiting(struct ui *ui, const char *note);
/* "Run what remains": a stage screen pressed Enter for it and got nav
 * (done: its stage is done now).  Returns where to go: the next stage
 * while stages pass; anything short of done ends the run (ui->run_all
 * cleared) and nav stands. */
enum nav ui_run_all_step(struct ui *ui, enum nav nav, bool done);

#endif
