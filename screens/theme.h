/*
 * theme.h - named screen elements mapped to curses attributes: colour when
 * the terminal has colours and NO_COLOR is unset, monochrome attributes
 * otherwise; Unicode marks and lines in a UTF-8 locale, plain ASCII
 * otherwise (TERM=linux console, vt100, LANG=C).
 * Owner: screens/theme.c.  No allocation.
 */
#ifndef OPSMGR_THEME_H
#define OPSMGR_THEME_H

#include <stdbool.h>
#include <curses.h>
#include "core/state.h"
#include "core/diag.h"

enum theme_el {
	TH_NORMAL = 0,
	TH_TITLE,
	TH_FRAME,
	TH_RAIL,
	TH_RAIL_CUR,
	TH_DONE,
	TH_FAIL,
	TH_WARN,
	TH_WAIT,
	TH_STALE,     /* a finished stage whose answers changed */
	TH_LABEL,
	TH_FIELD,
	TH_FIELD_FOCUS,
	TH_ERROR,
	TH_KEYS,
	TH_KEYNAME,
	TH_DIALOG,
	TH_SELECT,
	TH_DIM,
	TH_COUNT
};

struct theme {
	bool color;   /* colour pairs in use */
	bool utf8;    /* Unicode marks and lines */
	attr_t attr[TH_COUNT];
	short pair[TH_COUNT];
};

/* Decide colour / UTF-8 (call after initscr and setlocale). */
void theme_init(struct theme *t);

void theme_on(const struct theme *t, WINDOW *w, enum theme_el e);

/* A frame around (y,x,h,w) of w: Unicode/ACS lines or ASCII +-|. */
void theme_box(const struct theme *t, WINDOW *w, int y, int x, int h, int wd);
/* Only its bottom edge (row y, wd wide). */
void theme_box_bottom(const struct theme *t, WINDOW *w, int y, int x, int wd);
void theme_hline(const struct theme *t, WINDOW *w, int y, int x, int n);

/* Marks (a short string, one column wide). */
const char *theme_stage_mark(const struct theme *t, enum stage_status st,
			     bool current);
/* The mark of a finished stage that must run again (stage_is_stale): its
 * own glyph, whatever its status. */
const char *theme_stale_mark(const struct theme *t);
const char *theme_sev_tag(enum diag_severity s);   /* "PASS" .. "FAIL" */
enum theme_el theme_sev_el(enum diag_severity s);
const char *theme_spinner(const struct theme *t, unsigned tick);
const char *theme_dash(const struct theme *t);     /* em dash or "-" */
const char *theme_arrow(const struct theme *t);    /* old -> new: arrow or "->" */
const char *theme_ellipsis(const struct theme *t); /* cut text: ellipsis or "..." */
/* A list's "more above" (up) / "more below" mark: a triangle or ^ / v. */
const char *theme_more(const struct theme *t, bool up);

/* Print a UTF-8/ASCII string at (y,x) clipped to n columns. Returns cols used. */
int theme_put(WINDOW *w, int y, int x, const char *s, int n);

#endif
