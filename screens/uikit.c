/*
 * uikit.c - the helpers the screens share (see uikit.h): the status
 * message, key reading with resize handling and a lost terminal, and the
 * hooks that keep the screen alive during long backend work (spinner,
 * elapsed time, Esc cancels; no threads).  Painting during long work is the
 * current screen's repaint callback.
 */
#include "uikit.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ui_set_msg(struct ui *ui, enum theme_el el, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof(ui->msg), fmt, ap);
	va_end(ap);
	ui->msg_el = el;
}

void ui_relayout(struct ui *ui)
{
	int y, x;
	getmaxyx(stdscr, y, x);
	layout_compute(&ui->lay, x, y);
}

/* The console went away (ssh dropped, terminal closed): the terminal
 * reports a hang-up and every read fails at once.  Quit then (progress is
 * saved after every step) instead of spinning on get_wch's errors. */
static bool terminal_gone(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	return poll(&p, 1, 0) == 1 &&
	       (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

int ui_getkey(struct ui *ui, wint_t *ch)
{
	int r = get_wch(ch);
	if (r == ERR && terminal_gone())
		return keymap_key(ACT_QUIT, KC_ANY, ch);
	if (r == KEY_CODE_YES && *ch == KEY_RESIZE)
		ui_relayout(ui);
	return r;
}

bool ui_key_ignored(int r, wint_t ch)
{
	return r == ERR || (r == KEY_CODE_YES && ch == KEY_RESIZE);
}

bool ui_scroll(enum action act, int *first)
{
	if (act == ACT_DOWN)
		(*first)++;
	else if (act == ACT_UP && *first > 0)
		(*first)--;
	return act == ACT_DOWN || act == ACT_UP;
}

bool ui_page(enum action act, int *first, int page)
{
	if (page < 1)
		page = 1;
	if (act == ACT_PAGE_DOWN)
		*first += page;
	else if (act == ACT_PAGE_UP)
		*first = *first > page ? *first - page : 0;
	return act == ACT_PAGE_DOWN || act == ACT_PAGE_UP;
}

static long ms_since(const struct timespec *a)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - a->tv_sec) * 1000 +
	       (now.tv_nsec - a->tv_nsec) / 1000000;
}

/* The screen running long work repaints itself (status line and spinner
 * included, or the "too small" notice); it sets ui->repaint first. */
static void busy_paint(struct ui *ui)
{
	if (ui->repaint)
		ui->repaint(ui, ui->repaint_ud);
}

/* Poll keys without waiting and redraw at most ten times a second. */
static void busy_tick(struct ui *ui, bool force)
{
	wint_t ch;
	int r;
	bool resized = false;

	nodelay(stdscr, TRUE);
	while ((r = get_wch(&ch)) != ERR) {
		enum action act = keymap_action(r, ch, KC_BUSY);
		if (act == ACT_CANCEL) {
			ui->cancel = true;
			snprintf(ui->busy_what, sizeof(ui->busy_what), "cancelling...");
		} else if (act == ACT_QUIT) {
			ui->cancel = true;
			ui->quit_after = true;
		} else if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			ui_relayout(ui);
			resized = true;
		}
	}
	nodelay(stdscr, FALSE);
	if (terminal_gone()) {
		ui->cancel = true;
		ui->quit_after = true;
	}
	if (force || resized || ms_since(&ui->last_tick) >= 100) {
		clock_gettime(CLOCK_MONOTONIC, &ui->last_tick);
		ui->tick++;
		busy_paint(ui);
	}
}

/*
 * A progress line that repeats the previous one's "topic:" (e.g. "attempt
 * 3: pending, 4 s elapsed") replaces it instead of scrolling the pane.
 */
static void live_line(struct pane *p, const char *what)
{
	const char *c = strchr(what, ':');
	if (p->n > 0 && c && p->rows[p->n - 1].el == TH_DIM) {
		struct prow *last = &p->rows[p->n - 1];
		size_t k = (size_t)(c - what) + 1;
		if (strncmp(last->text, what, k) == 0) {
			char *dup = strdup(what);
			if (dup) {
				free(last->text);
				last->text = dup;
			}
			return;
		}
	}
	/* a step repeated by a polling loop is not listed again */
	for (int i = p->n - 1; i >= 0 && i >= p->n - 4; i--)
		if (strcmp(p->rows[i].text, what) == 0)
			return;
	pane_add(p, TH_DIM, NULL, what, NULL, 0);
}

static void hook_progress(void *ud, const char *what, double fraction)
{
	struct ui *ui = ud;
	bool changed = what && strcmp(what, ui->busy_what) != 0;
	if (what && !ui->cancel)
		snprintf(ui->busy_what, sizeof(ui->busy_what), "%s", what);
	ui->busy_frac = fraction;
	if (changed && ui->live && what && *what)
		live_line(ui->live, what);
	busy_tick(ui, changed);
}

static int hook_cancelled(void *ud)
{
	struct ui *ui = ud;
	busy_tick(ui, false);
	return ui->cancel;
}

static void hook_line(void *ud, const char *line)
{
	struct ui *ui = ud;
	if (ui->live && line)
		pane_add(ui->live, TH_NORMAL, NULL, line, NULL, 0);
	busy_tick(ui, false);
}

void ui_hooks(struct ui *ui, struct hooks *h)
{
	h->progress = hook_progress;
	h->cancelled = hook_cancelled;
	h->line = hook_line;
	h->ud = ui;
}

void ui_busy_begin(struct ui *ui, const char *what)
{
	ui->busy = true;
	ui->cancel = false;
	ui->quit_after = false;
	ui->busy_frac = -1.0;
	ui->tick = 0;
	snprintf(ui->busy_what, sizeof(ui->busy_what), "%s", what);
	clock_gettime(CLOCK_MONOTONIC, &ui->busy_start);
	ui->last_tick = ui->busy_start;
	curs_set(0);
	busy_paint(ui);
}

void ui_busy_end(struct ui *ui)
{
	ui->busy = false;
	ui->busy_what[0] = 0;
}

enum status ui_run_stage(struct ui *ui, enum stage s)
{
	struct hooks h;
	enum status st;
	char what[120];

	ui_hooks(ui, &h);
	snprintf(what, sizeof(what), "%s...", stage_title(s));
	ui_busy_begin(ui, what);
	st = flow_run_stage(ui->f, s, &h, NULL);
	ui_busy_end(ui);
	return st;
}
