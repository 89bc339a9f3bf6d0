/*
 * pane.h - a scrolling list of rows drawn in a rectangle.  Two uses: the
 * checklist (each row a PASS/WARN/FAIL tag, a message, its fix and the
 * Operations Manager event it leads to; one row selected) and the output
 * pane (command output and live progress lines, following the end).
 * Nothing of a row is cut: its text, fix and event wrap at the pane's
 * width (a thumbprint, a path, the CA's words read whole), and the list
 * scrolls by lines (Up/Down, PgUp/PgDn, Home/End); a list longer than its
 * rectangle says on its last line how much is above and below.
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
	int sel;             /* the selected row (output pane: the newest shown) */
	int first;           /* the first screen line shown */
	int view_h, view_w;  /* lines and columns of the rows when last drawn */
	bool selectable;     /* checklist: a selected row */
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
/* Append diagnostics as checklist rows, their message and fix escaped for
 * the terminal (text_escape, core/text.h: they may quote a certificate or
 * a Windows computer's evidence); skip those for which skip(d, ud)
 * returns true (e.g. already shown under a field). */
void pane_add_diags(struct pane *p, const struct diag_list *dl,
		    bool (*skip)(const struct diag *d, void *ud), void *ud,
		    bool with_stage);
/* Draw into r of w. */
void pane_draw(const struct theme *t, WINDOW *w, struct pane *p,
	       struct rect r, bool focused);
/* The last line (y) of a list in r that does not fit: how much is above
 * and below, and the keys that scroll ("v 12 more lines below (PgDn,
 * End)"). */
void pane_draw_more(const struct theme *t, WINDOW *w, struct rect r, int y,
		    int above, int below);
/* Move the selection by an action (keymap.h): ACT_UP, ACT_DOWN (a line of
 * a selected row taller than the list first), ACT_PAGE_UP, ACT_PAGE_DOWN
 * (a page of the list as last drawn; page rows before it was drawn),
 * ACT_TOP, ACT_BOTTOM (the last line); returns true when act was one of
 * them. */
bool pane_key(struct pane *p, enum action act, int page);

#endif
