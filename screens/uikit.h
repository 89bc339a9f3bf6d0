/*
 * ui_int.h - what the wizard's screens share: the ui object (flow, theme,
 * layout, busy state for the spinner, the status line), navigation results,
 * and the helpers in ui.c / frame.c.  Internal to screens/.
 *
 * Ownership: struct ui lives on ui_run()'s stack; it borrows the flow.
 */
#ifndef OPSMGR_UI_INT_H
#define OPSMGR_UI_INT_H

#include <stdbool.h>
#include <time.h>
#include <wchar.h>
#include <curses.h>

#include "flow.h"
#include "core/hooks.h"
#include "layout.h"
#include "theme.h"
#include "widgets/pane.h"

/* Where a screen wants to go next. */
enum nav {
	NAV_STAY = 0,
	NAV_NEXT,      /* the following stage */
	NAV_BACK,      /* the previous stage (or the welcome screen) */
	NAV_QUIT,      /* F10: exit 0 */
	NAV_LEAVE,     /* leave while waiting on someone: exit 75 */
	NAV_GOTO,      /* ui->go_to */
	NAV_DONE       /* summary acknowledged: exit 0 */
};

#define SCREEN_WELCOME 0
#define SCREEN_SUMMARY STAGE_COUNT

struct ui {
	struct flow *f;
	struct theme th;
	struct layout lay;
	int cur;                /* screen shown: 0 welcome, 1..7, 8 summary */
	int go_to;              /* target of NAV_GOTO */

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

/* ui.c */
void ui_relayout(struct ui *ui);
/* Read one key (blocking).  Returns get_wch's OK / KEY_CODE_YES; handles
 * KEY_RESIZE by recomputing the layout (and still returns it). */
int ui_getkey(struct ui *ui, wint_t *ch);
void ui_hooks(struct ui *ui, struct hooks *h);
void ui_busy_begin(struct ui *ui, const char *what);
void ui_busy_end(struct ui *ui);
/* Run stage s through the flow with the UI's hooks (spinner, Esc). */
enum status ui_run_stage(struct ui *ui, enum stage s);
void ui_set_msg(struct ui *ui, enum theme_el el, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* frame.c: title, rail, body frame, status and key lines */
struct keyhint {
	const char *key;
	const char *what;
};
void frame_draw(struct ui *ui, const char *heading,
		const struct keyhint *keys, int nkeys);
void frame_status(struct ui *ui);
void frame_too_small(struct ui *ui);
/* F2: choose a stage on the rail; returns the stage or 0 (Esc). */
int frame_rail_select(struct ui *ui);
bool frame_stage_reachable(const struct ui *ui, int s);

/* help.c */
const char *help_title(int screen);
const char *help_text(int screen);
/* Show the help page of a screen until Esc/F1/q.  NAV_QUIT on F10. */
enum nav help_show(struct ui *ui, int screen);

/* Key codes the screens share. */
#define UI_KEY_ESC 27
#define UI_KEY_TAB 9
#define UI_KEY_ENTER_CR 13
#define UI_KEY_ENTER_LF 10
static inline bool ui_is_enter(int r, wint_t ch)
{
	return (r == OK && (ch == UI_KEY_ENTER_CR || ch == UI_KEY_ENTER_LF)) ||
	       (r == KEY_CODE_YES && ch == KEY_ENTER);
}

#endif
