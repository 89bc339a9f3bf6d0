/*
 * test_ui_keys.c - keys that work on any keyboard, through a real terminal
 * emulator (pty + libvterm), no lab needed: help, quit and "run what
 * remains" (the key that goes on, F4) driven with PuTTY's default F-key
 * sequences (ESC [ 1 1 ~ is F1, ESC [ 2 1 ~ is F10), the Linux console's
 * (ESC [ [ A), Esc then a digit, and the letters, under TERM=xterm and
 * TERM=linux; letters typed into a field stay text; the key line shows
 * the letters and the help page every alternative.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ui_steps.h"

/* One way of typing the three keys. */
struct keys {
	const char *name;
	const char *help, *quit, *next;
};

static const struct keys PUTTY = { "PuTTY", "\033[11~", "\033[21~",
				   "\033[14~" };
static const struct keys LINUX = { "Linux console", "\033[[A", "\033[21~",
				   "\033[[D" };
static const struct keys ESC_DIGIT = { "Esc+digit", "\0331", "\0330", "\0334" };
static const struct keys LETTERS = { "letters", "?", "q", "x" };

static void wait_for(struct ui_fx *fx, const char *text, const char *why)
{
	if (vt_wait_text(&fx->t, text, VT_DEFAULT_WAIT_MS) != 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("%s: timed out waiting for '%s'", why, text);
	}
}

/* The wizard without answers at 80x24 under TERM=term, on its welcome. */
static void start(struct ui_fx *fx, const char *term)
{
	char sd[4096], tv[64];
	const char *env[] = { tv, NULL };
	if (fx->started)
		vt_close(&fx->t);
	snprintf(sd, sizeof(sd), "%s/state", fx->state);
	snprintf(tv, sizeof(tv), "TERM=%s", term);
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, sd, NULL, env), 0);
	fx->started = true;
	wait_for(fx, "Welcome", term);
}

static void send(struct ui_fx *fx, const char *bytes)
{
	vt_send(&fx->t, bytes, strlen(bytes));
}

static void quits(struct ui_fx *fx, const struct keys *k)
{
	send(fx, k->quit);
	if (vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS) != 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("%s: the quit key did not quit with 0", k->name);
	}
}

/* Help opens and closes again (Esc), run what remains goes to stage 1,
 * and the quit key quits; on the welcome screen. */
static void drive(struct ui_fx *fx, const char *term, const struct keys *k)
{
	char why[80];
	snprintf(why, sizeof(why), "%s under TERM=%s", k->name, term);
	start(fx, term);
	send(fx, k->help);
	wait_for(fx, "Help: welcome", why);
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	if (vt_wait_gone(&fx->t, "Help: welcome", VT_DEFAULT_WAIT_MS) != 0)
		fail_msg("%s: help did not close", why);
	quits(fx, k);

	start(fx, term);
	send(fx, k->next);
	wait_for(fx, "Stage 1 of 7", why);
	/* a field has the focus: a letter is text there, Esc 0 still quits */
	send(fx, "q");
	vt_pump(&fx->t, 300);
	assert_false(fx->t.exited);
	quits(fx, &ESC_DIGIT);
}

/* Each keyboard under each TERM it meets. */
static void test_each_keyboard(void **state)
{
	static const struct {
		const char *term;
		const struct keys *k;
	} RUNS[] = {
		{ "xterm", &PUTTY },     { "linux", &PUTTY },
		{ "xterm", &LINUX },     { "xterm", &ESC_DIGIT },
		{ "linux", &ESC_DIGIT }, { "xterm", &LETTERS },
		{ "linux", &LETTERS },
	};
	for (size_t i = 0; i < sizeof(RUNS) / sizeof(RUNS[0]); i++)
		drive(*state, RUNS[i].term, RUNS[i].k);
}

/* The terminal's own F-keys still work (xterm's ESC O P under TERM=linux
 * too), and a lone Esc is still Esc. */
static void test_own_fkeys(void **state)
{
	struct ui_fx *fx = *state;
	start(fx, "linux");
	send(fx, "\033OP");
	wait_for(fx, "Help: welcome", "xterm's F1 under TERM=linux");
	send(fx, "\033");
	if (vt_wait_gone(&fx->t, "Help: welcome", VT_DEFAULT_WAIT_MS) != 0)
		fail_msg("a lone Esc did not close help");
	start(fx, "xterm");
	vt_fkey(&fx->t, 1);
	wait_for(fx, "Help: welcome", "F1 as xterm sends it");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
}

/* The key line names the letters; the help page lists every key of an
 * action, Esc+digit included. */
static void test_key_line_and_help(void **state)
{
	struct ui_fx *fx = *state;
	start(fx, "xterm");
	wait_for(fx, "q/F10 Quit", "key line");
	assert_true(vt_has_text(&fx->t, "?/F1 Help"));
	assert_true(vt_has_text(&fx->t, "x/F4 Run all"));
	send(fx, "?");
	wait_for(fx, "Help: welcome", "help");
	for (int i = 0; i < 60 && !vt_has_text(&fx->t, "F10, Esc 0, ^C, q"); i++) {
		vt_key(&fx->t, VTERM_KEY_PAGEDOWN, VTERM_MOD_NONE);
		vt_pump(&fx->t, 50);
	}
	wait_for(fx, "F10, Esc 0, ^C, q", "help lists the keys");
	wait_for(fx, "F4, Esc 4, x", "help lists run all");
	send(fx, "q");   /* closes help */
	if (vt_wait_gone(&fx->t, "Help: welcome", VT_DEFAULT_WAIT_MS) != 0)
		fail_msg("q did not close help");
	assert_false(fx->t.exited);
	send(fx, "Q");
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_each_keyboard),
		UI_TEST(test_own_fkeys),
		UI_TEST(test_key_line_and_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
