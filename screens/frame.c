/*
 * frame.c - what every screen has around its content: the title line, the
 * stage rail with done/current/failed/warning/waiting marks and its own
 * mark for a finished stage that must run again (stale: its answers or an
 * earlier stage's output changed), the body frame, the status line
 * (messages on up to two lines, spinner with elapsed time) and the key
 * line; the "terminal too small" screen; choosing a stage on the rail (F2).
 */
#include "frame.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/stage_inputs.h"

static void fill_line(struct ui *ui, int y, enum theme_el el)
{
	theme_on(&ui->th, stdscr, el);
	mvhline(y, 0, ' ', ui->lay.cols);
}

static void draw_title(struct ui *ui)
{
	char right[120];
	int rl;
	fill_line(ui, 0, TH_TITLE);
	snprintf(right, sizeof(right), "role: %s ", role_name(ui->f->cfg.role));
	rl = (int)strlen(right);
	{
		char t[160];
		snprintf(t, sizeof(t), "opsmgr-enroll %s %s Operations Manager "
			 "agent enrollment", OPSMGR_VERSION, theme_dash(&ui->th));
		theme_put(stdscr, 0, 1, t, ui->lay.cols - rl - 2);
	}
	theme_put(stdscr, 0, ui->lay.cols - rl, right, rl);
	theme_on(&ui->th, stdscr, TH_NORMAL);
}

static enum theme_el mark_el(enum stage_status st)
{
	switch (st) {
	case STAGE_ST_DONE:
		return TH_DONE;
	case STAGE_ST_WARN:
		return TH_WARN;
	case STAGE_ST_FAILED:
		return TH_FAIL;
	case STAGE_ST_WAITING:
		return TH_WAIT;
	default:
		return TH_DIM;
	}
}

/* The marks explained at the bottom of the rail, when there is room. */
static void draw_legend(struct ui *ui)
{
	struct rect r = ui->lay.rail;
	const struct theme *t = &ui->th;
	char l[3][80];
	int y = r.y + r.h - 4;
	if (r.h < 20)
		return;
	snprintf(l[0], sizeof(l[0]), "%s done  %s failed",
		 theme_stage_mark(t, STAGE_ST_DONE, false),
		 theme_stage_mark(t, STAGE_ST_FAILED, false));
	snprintf(l[1], sizeof(l[1]), "! warn  %s waiting",
		 theme_stage_mark(t, STAGE_ST_WAITING, false));
	snprintf(l[2], sizeof(l[2]), "%s out of date", theme_stale_mark(t));
	theme_on(t, stdscr, TH_DIM);
	for (int i = 0; i < 3; i++)
		theme_put(stdscr, y + i, r.x + 2, l[i], r.w - 4);
	theme_on(t, stdscr, TH_NORMAL);
}

static void draw_rail(struct ui *ui, int selected)
{
	struct rect r = ui->lay.rail;
	const struct theme *t = &ui->th;

	theme_on(t, stdscr, TH_FRAME);
	theme_box(t, stdscr, r.y, r.x, r.h, r.w);
	theme_on(t, stdscr, TH_NORMAL);
	theme_put(stdscr, r.y, r.x + 2, " Stages ", 8);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		int y = r.y + 1 + (s - 1) * 2;
		enum stage_status st = ui->f->st.stage[s];
		bool cur = ui->cur == s;
		bool applies = flow_stage_applies(ui->f, (enum stage)s);
		bool stale = applies && stage_is_stale(&ui->f->ctx, (enum stage)s);
		char line[64];
		if (y >= r.y + r.h - 1)
			break;
		if (!applies)
			st = STAGE_ST_SKIPPED;
		theme_on(t, stdscr, s == selected ? TH_SELECT :
			 cur ? TH_RAIL_CUR : TH_RAIL);
		mvhline(y, r.x + 1, ' ', r.w - 2);
		snprintf(line, sizeof(line), "%d %s", s, stage_rail_name((enum stage)s));
		theme_put(stdscr, y, r.x + 4, line, r.w - 6);
		if (!cur && s != selected)
			theme_on(t, stdscr, stale ? TH_STALE : mark_el(st));
		theme_put(stdscr, y, r.x + 2, stale ? theme_stale_mark(t) :
			  theme_stage_mark(t, st, cur), 1);
		theme_on(t, stdscr, TH_NORMAL);
	}
	draw_legend(ui);
}

/* The key name of an entry ("F1", or "Up/Down" for a pair); returns its
 * text ("Help"). */
static const char *hint(const struct keyhint *k, enum keyctx ctx, char *key,
			size_t n)
{
	char second[32];
	if (k->act == ACT_NONE && k->what) {
		const char *sp = strchr(k->what, ' ');
		snprintf(key, n, "%.*s", sp ? (int)(sp - k->what) : 0, k->what);
		return sp ? sp + 1 : k->what;
	}
	keymap_key_label(k->act, ctx, key, n);
	if (k->act2 != ACT_NONE &&
	    keymap_key_name(k->act2, ctx, second, sizeof(second)) == 0) {
		size_t l = strlen(key);
		snprintf(key + l, n - l, "/%s", second);
	}
	return k->what ? k->what : keymap_what(k->act);
}

/* The key line; when it does not fit, entries before the last are dropped
 * so the last one (F10 Quit) always shows. */
static void draw_keys(struct ui *ui, struct keyline kl)
{
	int x = 0, last_w = 0;
	char key[64];
	fill_line(ui, ui->lay.keys.y, TH_KEYS);
	if (kl.n > 0) {
		const char *what = hint(&kl.keys[kl.n - 1], kl.ctx, key, sizeof(key));
		last_w = (int)(strlen(key) + strlen(what)) + 3;
	}
	for (int i = 0; i < kl.n; i++) {
		const char *what = hint(&kl.keys[i], kl.ctx, key, sizeof(key));
		int kw = (int)strlen(key), wl = (int)strlen(what);
		int room = ui->lay.cols - (i < kl.n - 1 ? last_w : 0);
		if (kw == 0 || x + kw + wl + 1 > room)   /* no key here: not shown */
			continue;
		theme_on(&ui->th, stdscr, TH_KEYNAME);
		theme_put(stdscr, ui->lay.keys.y, x, key, kw);
		theme_on(&ui->th, stdscr, TH_KEYS);
		theme_put(stdscr, ui->lay.keys.y, x + kw, " ", 1);
		theme_put(stdscr, ui->lay.keys.y, x + kw + 1, what, wl);
		x += kw + wl + 3;
	}
	theme_on(&ui->th, stdscr, TH_NORMAL);
}

/* The row above the status line: the bottom edges of the rail's and the
 * body's frames, lent to a status message of two lines. */
static void bottom_edges(struct ui *ui)
{
	struct rect r = ui->lay.rail, b = ui->lay.body;
	theme_box_bottom(&ui->th, stdscr, r.y + r.h - 1, r.x, r.w);
	theme_box_bottom(&ui->th, stdscr, b.y + b.h - 1, b.x, b.w);
}

int frame_status_lines(const struct ui *ui)
{
	return layout_wrap(ui->msg, ui->lay.cols - 2, 0, NULL, NULL);
}

/* The message, wrapped: one line on the status line, or two with the row
 * above it; what does not fit in two is cut with an ellipsis. */
static void status_msg(struct ui *ui)
{
	int starts[FRAME_STATUS_MAX], lens[FRAME_STATUS_MAX];
	int w = ui->lay.cols - 2, y = ui->lay.status.y;
	int n = layout_wrap(ui->msg, w, FRAME_STATUS_MAX, starts, lens);
	theme_on(&ui->th, stdscr, TH_FRAME);
	bottom_edges(ui);
	theme_on(&ui->th, stdscr, ui->msg_el);
	if (n <= 1) {
		theme_put(stdscr, y, 1, ui->msg, w);
	} else {
		char line[sizeof(ui->msg)];
		const char *dots = theme_ellipsis(&ui->th);
		mvhline(y - 1, 0, ' ', ui->lay.cols);
		snprintf(line, sizeof(line), "%.*s", lens[0], ui->msg + starts[0]);
		theme_put(stdscr, y - 1, 1, line, w);
		snprintf(line, sizeof(line), "%.*s", n > FRAME_STATUS_MAX ?
			 (int)strlen(ui->msg + starts[1]) : lens[1],
			 ui->msg + starts[1]);
		int used = theme_put(stdscr, y, 1, line, n > FRAME_STATUS_MAX ?
				     w - (int)strlen(dots) : w);
		if (n > FRAME_STATUS_MAX)
			theme_put(stdscr, y, 1 + used, dots, 3);
	}
	theme_on(&ui->th, stdscr, TH_NORMAL);
}

void frame_status(struct ui *ui)
{
	int y = ui->lay.status.y;
	theme_on(&ui->th, stdscr, TH_NORMAL);
	mvhline(y, 0, ' ', ui->lay.cols);
	if (ui->busy) {
		struct timespec now;
		char line[400], bar[40] = "";
		long el;
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (long)(now.tv_sec - ui->busy_start.tv_sec);
		if (ui->busy_frac >= 0.0 && ui->busy_frac <= 1.0) {
			int fill = (int)(ui->busy_frac * 20.0 + 0.5);
			bar[0] = '[';
			for (int i = 0; i < 20; i++)
				bar[1 + i] = i < fill ? '#' : '.';
			bar[21] = ']';
			bar[22] = ' ';
			bar[23] = 0;
		}
		snprintf(line, sizeof(line), " %ld:%02ld %s%s", el / 60, el % 60,
			 bar, ui->busy_what);
		theme_on(&ui->th, stdscr, TH_WAIT);
		theme_put(stdscr, y, 1, theme_spinner(&ui->th, ui->tick), 1);
		theme_on(&ui->th, stdscr, TH_NORMAL);
		theme_put(stdscr, y, 2, line, ui->lay.cols - 3);
	} else if (ui->msg[0]) {
		status_msg(ui);
		return;
	}
	theme_on(&ui->th, stdscr, TH_FRAME);
	bottom_edges(ui);
	theme_on(&ui->th, stdscr, TH_NORMAL);
}

void frame_draw(struct ui *ui, const char *heading, struct keyline kl)
{
	struct rect b = ui->lay.body;
	erase();
	draw_title(ui);
	draw_rail(ui, 0);
	theme_on(&ui->th, stdscr, TH_FRAME);
	theme_box(&ui->th, stdscr, b.y, b.x, b.h, b.w);
	theme_on(&ui->th, stdscr, TH_NORMAL);
	if (heading) {
		char h[200];
		snprintf(h, sizeof(h), " %s ", heading);
		theme_on(&ui->th, stdscr, TH_TITLE);
		theme_put(stdscr, b.y, b.x + 2, h, b.w - 4);
		theme_on(&ui->th, stdscr, TH_NORMAL);
	}
	frame_status(ui);
	draw_keys(ui, kl);
}

int frame_text(struct rect r, const char *text, int *scroll)
{
	int starts[FRAME_TEXT_MAX], lens[FRAME_TEXT_MAX];
	int n = layout_wrap(text, r.w, FRAME_TEXT_MAX, starts, lens);
	if (n > FRAME_TEXT_MAX)
		n = FRAME_TEXT_MAX;
	int first = 0;
	if (scroll) {
		if (*scroll > n - r.h)
			*scroll = n - r.h;
		if (*scroll < 0)
			*scroll = 0;
		first = *scroll;
	}
	for (int i = 0; i < r.h && first + i < n; i++) {
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", lens[first + i],
			 text + starts[first + i]);
		theme_put(stdscr, r.y + i, r.x, line, r.w);
	}
	return n;
}

void frame_too_small(struct ui *ui)
{
	char l1[120], l2[120];
	int y = ui->lay.lines / 2 - 1;
	erase();
	snprintf(l1, sizeof(l1), "terminal too small: %dx%d", ui->lay.cols,
		 ui->lay.lines);
	snprintf(l2, sizeof(l2), "need at least %dx%d", UI_MIN_COLS, UI_MIN_LINES);
	if (y < 0)
		y = 0;
	theme_on(&ui->th, stdscr, TH_ERROR);
	theme_put(stdscr, y, 0, l1, ui->lay.cols);
	theme_on(&ui->th, stdscr, TH_NORMAL);
	theme_put(stdscr, y + 1, 0, l2, ui->lay.cols);
	theme_put(stdscr, y + 2, 0, "resize, or F10 to quit", ui->lay.cols);
	curs_set(0);
	refresh();
}

static bool frame_stage_reachable(const struct ui *ui, int s)
{
	int next = flow_next_stage(ui->f);
	if (s < STAGE_TRUST || s > STAGE_APPROVAL)
		return false;
	if (!flow_stage_applies(ui->f, (enum stage)s))
		return false;
	return s <= next || s <= ui->cur;
}

/* The nearest reachable stage after sel in direction dir, or sel. */
static int reachable_from(const struct ui *ui, int sel, int dir)
{
	for (int s = sel + dir; s >= STAGE_FIRST && s <= STAGE_LAST; s += dir)
		if (frame_stage_reachable(ui, s))
			return s;
	return sel;
}

int frame_rail_select(struct ui *ui)
{
	int sel = ui->cur >= STAGE_FIRST && ui->cur <= STAGE_LAST ? ui->cur :
		  STAGE_FIRST;
	static const struct keyhint keys[] = {
		{ ACT_UP, ACT_DOWN, "Choose" }, { ACT_NEXT, ACT_NONE, "Go to stage" },
		{ ACT_BACK, ACT_NONE, NULL }, { ACT_QUIT, ACT_NONE, NULL },
	};
	for (;;) {
		wint_t ch;
		int r;
		if (ui->lay.too_small) {
			frame_too_small(ui);
		} else {
			draw_rail(ui, sel);
			ui_set_msg(ui, TH_NORMAL,
				   "choose a completed stage to redo it, or the current one");
			frame_status(ui);
			draw_keys(ui, (struct keyline){ KC_RAIL, keys, 4 });
			curs_set(0);
			refresh();
		}
		r = ui_getkey(ui, &ch);
		ui->msg[0] = 0;
		if (r == KEY_CODE_YES && ch == KEY_RESIZE)
			return -1;   /* caller redraws, then may ask again */
		switch (keymap_action(r, ch, KC_RAIL)) {
		case ACT_QUIT:
			return -2;
		case ACT_BACK:
			return 0;
		case ACT_UP:
			sel = reachable_from(ui, sel, -1);
			break;
		case ACT_DOWN:
			sel = reachable_from(ui, sel, +1);
			break;
		case ACT_NEXT:
			return sel;
		default:
			break;
		}
	}
}
