/*
 * uikit.c - the helpers the screens share (see uikit.h): the status
 * message, key reading with resize handling and a lost terminal, and the
 * hooks that keep the screen alive during long backend work (spinner,
 * elapsed time, Esc cancels; no threads).  Painting during long work is the
 * current screen's repaint callback.  Keys are decoded here: F-key
 * sequences terminfo lacks, Esc then a digit, ^C and signals that quit.
 */
#include "uikit.h"

#include <poll.h>
#include <signal.h>
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

void ui_ask(struct ui *ui, const char *question)
{
	char yes[16], no[16];
	keymap_key_name(ACT_YES, KC_CONFIRM, yes, sizeof(yes));
	keymap_key_name(ACT_NO, KC_CONFIRM, no, sizeof(no));
	ui_set_msg(ui, TH_WARN, "Confirm (%s/%s): %s", yes, no, question);
}

const char *ui_waiting_keys(char *buf, size_t n)
{
	char check[16], leave[16];
	keymap_key_name(ACT_CHECK, KC_PENDING, check, sizeof(check));
	keymap_key_name(ACT_LEAVE, KC_PENDING, leave, sizeof(leave));
	snprintf(buf, n, "%s checks again, %s leaves", check, leave);
	return buf;
}

void ui_say_waiting(struct ui *ui, const char *note)
{
	char keys[64];
	ui_set_msg(ui, TH_WAIT, "waiting: %s%s",
		   ui_waiting_keys(keys, sizeof(keys)), note);
}

enum nav ui_run_all_step(struct ui *ui, enum nav nav, bool done)
{
	if (nav == NAV_STAY && done)
		nav = NAV_NEXT;
	if (nav != NAV_NEXT)
		ui->run_all = false;
	return nav;
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

/*
 * F-key sequences sent whatever TERM says: PuTTY's default keyboard
 * ("ESC [n~", also rxvt's), the Linux console's F1-F5, and xterm's SS3
 * F1-F4 (for TERM=linux).  Only those the terminfo entry does not bind
 * are defined, so no key of the entry changes meaning.
 */
static const struct {
	const char *seq;
	int fkey;
} FKEY_SEQS[] = {
	{ "\033[11~", 1 }, { "\033[12~", 2 }, { "\033[13~", 3 },
	{ "\033[14~", 4 }, { "\033[15~", 5 }, { "\033[17~", 6 },
	{ "\033[18~", 7 }, { "\033[19~", 8 }, { "\033[20~", 9 },
	{ "\033[21~", 10 }, { "\033[23~", 11 }, { "\033[24~", 12 },
	{ "\033[[A", 1 }, { "\033[[B", 2 }, { "\033[[C", 3 },
	{ "\033[[D", 4 }, { "\033[[E", 5 },
	{ "\033OP", 1 }, { "\033OQ", 2 }, { "\033OR", 3 }, { "\033OS", 4 },
};

void ui_keys_init(void)
{
	for (size_t i = 0; i < sizeof(FKEY_SEQS) / sizeof(FKEY_SEQS[0]); i++)
		if (key_defined(FKEY_SEQS[i].seq) == 0)
			define_key(FKEY_SEQS[i].seq, KEY_F(FKEY_SEQS[i].fkey));
}

static volatile sig_atomic_t signal_seen;

void ui_signal(int sig)
{
	signal_seen = sig;
}

/* A signal asked the wizard to stop: remember which. */
static bool signalled(struct ui *ui)
{
	if (!signal_seen)
		return false;
	ui->quit_sig = signal_seen;
	return true;
}

/* ^C (raw mode: a key, not a signal) quits as an interrupt would. */
static void note_interrupt(struct ui *ui, int r, wint_t ch)
{
	ui->quit_sig = r == OK && ch == 3 ? SIGINT : 0;
}

/*
 * Esc, then a digit within KEYMAP_ESC_DIGIT_MS: that F-key.  Another key
 * is put back to be read next; then, and when none comes, it is Esc.
 * wait_after: the input timeout to restore (-1 blocking, 0 no delay).
 */
static int esc_digit(int r, wint_t *ch, int wait_after)
{
	wint_t next;
	int r2, f;
	if (r != OK || *ch != 27)
		return r;
	timeout(KEYMAP_ESC_DIGIT_MS);
	r2 = get_wch(&next);
	timeout(wait_after);
	f = r2 == OK ? keymap_esc_digit(next) : 0;
	if (f) {
		*ch = (wint_t)f;
		return KEY_CODE_YES;
	}
	if (r2 == OK)
		unget_wch((wchar_t)next);
	else if (r2 == KEY_CODE_YES)
		ungetch((int)next);
	return r;
}

int ui_getkey(struct ui *ui, wint_t *ch)
{
	int r;
	/* wake up now and then: a signal may have come */
	for (;;) {
		if (signalled(ui))
			return keymap_key(ACT_QUIT, KC_ANY, ch);
		timeout(250);
		r = get_wch(ch);
		if (r != ERR)
			break;
		if (terminal_gone())
			return keymap_key(ACT_QUIT, KC_ANY, ch);
	}
	r = esc_digit(r, ch, 250);
	timeout(-1);
	note_interrupt(ui, r, *ch);
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
		enum action act;
		r = esc_digit(r, &ch, 0);
		act = keymap_action(r, ch, KC_BUSY);
		if (act == ACT_CANCEL) {
			ui->cancel = true;
			snprintf(ui->busy_what, sizeof(ui->busy_what), "cancelling...");
		} else if (act == ACT_QUIT) {
			ui->cancel = true;
			ui->quit_after = true;
			note_interrupt(ui, r, ch);
		} else if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			ui_relayout(ui);
			resized = true;
		}
	}
	nodelay(stdscr, FALSE);
	if (signalled(ui) || terminal_gone()) {
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
