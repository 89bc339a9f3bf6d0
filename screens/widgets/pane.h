/*
 * pane.h - a scrolling list of lines drawn in a rectangle.  Two uses:
 * the checklist (each row a PASS/WARN/FAIL tag, a message and a fix shown
 * under the list for the selected row) and the output pane (command output
 * and live progress lines, following the end).
 *
 * Ownership: a pane owns its rows and their strings; pane_release() frees
 * them (the struct itself belongs to the caller).
 */
#ifndef OPSMGR_PANE_H
#define OPSMGR_PANE_H

#include <stdbool.h>
#include <curses.h>
#include "core/diag.h"
#include "keymap.h"
#include "layout.h"
#include "theme.h"

#define PANE_MAX_ROWS 2000

struct prow {
	enum theme_el el;    /* colour of the tag (or the whole line) */
	char tag[8];         /* "PASS", "WARN", ... or "" */
	char *text;
	char *fix;           /* may be NULL */
	int event;           /* Operations Manager event, 0 = none */
};

struct pane {
	struct prow *rows;
	int n, cap;
	int sel, first;
	bool selectable;     /* checklist: a selected row and its detail */
	bool follow;         /* output: keep the last row visible */
	char title[80];      /* drawn on the separator line above, may be "" */
};

void pane_init(struct pane *p, bool selectable, bool follow);
void pane_release(struct pane *p);
void pane_clear(struct pane *p);
/* Append a row (strings copied; oldest rows dropped past PANE_MAX_ROWS). */
void pane_add(struct pane *p, enum theme_el el, const char *tag,
	      const char *text, const char *fix, int event);
void pane_addf(struct pane *p, enum theme_el el, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append text as untagged rows wrapped at width (a message longer than
 * the place it was shown in: every line readable by scrolling). */
void pane_add_wrapped(struct pane *p, enum theme_el el, const char *text,
		      int width);
/* Append fmt (one %s) with value, when value is set. */
void pane_add_value(struct pane *p, enum theme_el el, const char *fmt,
		    const char *value) __attribute__((format(printf, 3, 0)));
/* Append diagnostics as checklist rows; skip those for which skip(d, ud)
 * returns true (e.g. already shown under a field). */
void pane_add_diags(struct pane *p, const struct diag_list *dl,
		    bool (*skip)(const struct diag *d, void *ud), void *ud,
		    bool with_stage);
/* Draw into r of w. */
void pane_draw(const struct theme *t, WINDOW *w, struct pane *p,
	       struct rect r, bool focused);
/* Move the selection by an action (keymap.h): ACT_UP, ACT_DOWN, ACT_PAGE_UP,
 * ACT_PAGE_DOWN (page rows), ACT_TOP, ACT_BOTTOM; returns true when act
 * was one of them. */
bool pane_key(struct pane *p, enum action act, int page);

#endif
