/*
 * theme.c - colour/monochrome attributes per screen element, Unicode or
 * ASCII marks and frames, and a column-clipping string printer that copes
 * with any locale (bytes that do not decode are shown as '?').
 */
#include "theme.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* True when the environment asks for no colour (NO_COLOR non-empty). */
static bool theme_no_color_env(void)
{
	const char *nc = getenv("NO_COLOR");
	return nc && *nc;
}

/* True when the current locale's codeset is UTF-8. */
static bool theme_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

struct el_def {
	short fg, bg;
	attr_t color_attr;   /* added to the pair in colour mode */
	attr_t mono_attr;    /* used alone in monochrome mode */
};

static const struct el_def DEFS[TH_COUNT] = {
	[TH_NORMAL] = { -1, -1, 0, 0 },
	[TH_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD },
	[TH_FRAME] = { COLOR_BLUE, -1, 0, 0 },
	[TH_RAIL] = { -1, -1, 0, 0 },
	[TH_RAIL_CUR] = { COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE },
	[TH_DONE] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[TH_FAIL] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[TH_WARN] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[TH_WAIT] = { COLOR_MAGENTA, -1, 0, A_DIM },
	[TH_STALE] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[TH_LABEL] = { -1, -1, 0, 0 },
	[TH_FIELD] = { COLOR_BLACK, COLOR_WHITE, 0, A_UNDERLINE },
	[TH_FIELD_FOCUS] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[TH_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[TH_KEYS] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[TH_KEYNAME] = { COLOR_WHITE, COLOR_BLACK, A_BOLD, A_BOLD },
	[TH_DIALOG] = { COLOR_BLACK, COLOR_WHITE, 0, 0 },
	[TH_SELECT] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[TH_DIM] = { -1, -1, A_DIM, A_DIM },
};

void theme_init(struct theme *t)
{
	memset(t, 0, sizeof(*t));
	t->utf8 = theme_locale_utf8();
	t->color = has_colors() && !theme_no_color_env();
	if (t->color && start_color() != OK)
		t->color = false;
	if (t->color) {
		bool dflt = use_default_colors() == OK;
		for (int e = 1; e < TH_COUNT; e++) {
			short fg = DEFS[e].fg, bg = DEFS[e].bg;
			if (!dflt) {
				if (fg < 0)
					fg = COLOR_WHITE;
				if (bg < 0)
					bg = COLOR_BLACK;
			}
			if (init_pair((short)e, fg, bg) == OK)
				t->pair[e] = (short)e;
			t->attr[e] = DEFS[e].color_attr;
		}
	} else {
		for (int e = 0; e < TH_COUNT; e++)
			t->attr[e] = DEFS[e].mono_attr;
	}
}

void theme_on(const struct theme *t, WINDOW *w, enum theme_el e)
{
	wattr_set(w, t->attr[e], t->pair[e], NULL);
}

static void put_line_ch(const struct theme *t, WINDOW *w, int y, int x,
			const char *uni, chtype ascii)
{
	if (t->utf8)
		theme_put(w, y, x, uni, 1);
	else
		mvwaddch(w, y, x, ascii);
}

void theme_hline(const struct theme *t, WINDOW *w, int y, int x, int n)
{
	for (int i = 0; i < n; i++)
		put_line_ch(t, w, y, x + i, "\u2500", '-');
}

void theme_box(const struct theme *t, WINDOW *w, int y, int x, int h, int wd)
{
	if (h < 2 || wd < 2)
		return;
	put_line_ch(t, w, y, x, "\u250c", '+');
	put_line_ch(t, w, y, x + wd - 1, "\u2510", '+');
	theme_hline(t, w, y, x + 1, wd - 2);
	theme_box_bottom(t, w, y + h - 1, x, wd);
	for (int i = 1; i < h - 1; i++) {
		put_line_ch(t, w, y + i, x, "\u2502", '|');
		put_line_ch(t, w, y + i, x + wd - 1, "\u2502", '|');
	}
}

void theme_box_bottom(const struct theme *t, WINDOW *w, int y, int x, int wd)
{
	if (wd < 2)
		return;
	put_line_ch(t, w, y, x, "\u2514", '+');
	put_line_ch(t, w, y, x + wd - 1, "\u2518", '+');
	theme_hline(t, w, y, x + 1, wd - 2);
}

const char *theme_stage_mark(const struct theme *t, enum stage_status st,
			     bool current)
{
	/* the current stage shows its result once it has one */
	if (current && (st == STAGE_ST_NONE || st == STAGE_ST_SKIPPED))
		return t->utf8 ? "\u25b6" : ">";
	switch (st) {
	case STAGE_ST_DONE:
		return t->utf8 ? "\u2713" : "+";
	case STAGE_ST_WARN:
		return "!";
	case STAGE_ST_FAILED:
		return t->utf8 ? "\u2717" : "x";
	case STAGE_ST_WAITING:
		return t->utf8 ? "\u2026" : "~";
	case STAGE_ST_SKIPPED:
		return "-";
	case STAGE_ST_NONE:
	default:
		return " ";
	}
}

const char *theme_stale_mark(const struct theme *t)
{
	return t->utf8 ? "\u21bb" : "*";
}

const char *theme_sev_tag(enum diag_severity s)
{
	switch (s) {
	case SEV_PASS:
		return "PASS";
	case SEV_SKIP:
		return "SKIP";
	case SEV_INFO:
		return "INFO";
	case SEV_WARN:
		return "WARN";
	case SEV_FAIL:
	default:
		return "FAIL";
	}
}

enum theme_el theme_sev_el(enum diag_severity s)
{
	switch (s) {
	case SEV_PASS:
		return TH_DONE;
	case SEV_WARN:
		return TH_WARN;
	case SEV_FAIL:
		return TH_FAIL;
	default:
		return TH_NORMAL;
	}
}

const char *theme_spinner(const struct theme *t, unsigned tick)
{
	static const char *const uni[] = { "\u280b", "\u2819", "\u2839",
		"\u2838", "\u283c", "\u2834", "\u2826", "\u2827", "\u2807",
		"\u280f" };
	static const char *const asc[] = { "|", "/", "-", "\\" };
	if (t->utf8)
		return uni[tick % 10];
	return asc[tick % 4];
}

const char *theme_dash(const struct theme *t)
{
	return t->utf8 ? "\u2014" : "-";
}

const char *theme_arrow(const struct theme *t)
{
	return t->utf8 ? "\u2192" : "->";
}

const char *theme_ellipsis(const struct theme *t)
{
	return t->utf8 ? "\u2026" : "...";
}

const char *theme_more(const struct theme *t, bool up)
{
	if (t->utf8)
		return up ? "\u25b2" : "\u25bc";
	return up ? "^" : "v";
}

int theme_put(WINDOW *w, int y, int x, const char *s, int n)
{
	mbstate_t ps;
	int used = 0;
	size_t len;

	if (!s || n <= 0)
		return 0;
	memset(&ps, 0, sizeof(ps));
	len = strlen(s);
	wmove(w, y, x);
	while (len > 0 && used < n) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, len, &ps);
		int cw;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&ps, 0, sizeof(ps));
			wc = L'?';
			k = 1;
		}
		if (wc == L'\t' || wc == L'\n' || wc == L'\r')
			wc = L' ';
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > n)
			break;
		if (cw > 0) {
			wchar_t str[2] = { wc, 0 };
			waddnwstr(w, str, 1);
		}
		used += cw;
		s += k;
		len -= k;
	}
	return used;
}
