/*
 * layout.h - where things go on the screen, computed apart from painting so
 * it can be unit-tested (tests/unit/test_layout.c): the frame of the whole
 * screen (title, stage rail, body, status and key lines), the rows of a
 * form with its inline error lines, the split between form and result pane,
 * word wrapping, and list scrolling.  Pure functions, no curses, no
 * allocation.  Owner: screens/layout.c.
 */
#ifndef OPSMGR_LAYOUT_H
#define OPSMGR_LAYOUT_H

#include <stdbool.h>

#define UI_MIN_COLS 80
#define UI_MIN_LINES 24

struct rect {
	int y, x, h, w;
};

struct layout {
	int cols, lines;
	bool too_small;
	struct rect title;    /* row 0 */
	struct rect rail;     /* left column, framed */
	struct rect body;     /* right of the rail, framed (outer rect) */
	struct rect inner;    /* body without its frame */
	struct rect status;   /* the line above the key line */
	struct rect keys;     /* last line */
};

/* Frame for a terminal of cols x lines.  Below UI_MIN_* too_small is set
 * and only cols/lines are meaningful. */
void layout_compute(struct layout *l, int cols, int lines);

/* Width of the label column for labels of the given lengths inside a body
 * `width` wide: the longest label + 2, at most two fifths of the width. */
int layout_label_width(const int *label_len, int n, int width);

/*
 * Rows of a form: field i takes 1 row plus extra[i] inline lines (error /
 * warning text under it).  Given the height available, the focused field
 * and the current scroll position *first (first field shown, updated so the
 * focused field and its inline lines are visible), writes row[i] (0-based
 * within the form area, -1 when scrolled out).  Returns the rows used.
 */
int layout_form(int n, const int *extra, int height, int focus, int *first,
		int *row);

/* Rows the whole form needs without scrolling. */
int layout_form_need(int n, const int *extra);

/*
 * Split a body of `height` rows between the form (wanting form_need rows)
 * and a pane below it (wanting at least pane_min rows when pane_min > 0,
 * plus one separator row).  Returns the form height; *pane_y / *pane_h get
 * the pane's rows (pane_h 0 when there is no pane).
 */
int layout_split(int height, int form_need, int pane_min, int *pane_y,
		 int *pane_h);

/*
 * Word-wrap s into lines of at most width columns (bytes; callers pass
 * ASCII-ish text, a UTF-8 sequence is never split).  Up to max lines are
 * stored as (start offset, length) in starts/lens.  Returns the number of
 * lines needed in total (may exceed max).
 */
int layout_wrap(const char *s, int width, int max, int *starts, int *lens);

/* Scroll a list of n items in `height` rows so `sel` is visible: returns the
 * new first visible item given the old one. */
int layout_scroll(int n, int height, int sel, int first);

#endif
