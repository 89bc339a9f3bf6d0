/*
 * test_ui_basic.c - the wizard's screen handling through a real terminal
 * emulator (pty + libvterm), no lab needed: F10 quits with exit 0 and the
 * terminal restored, the too-small screen at 40x12, resize to 100x30 and
 * back, F1 help and Esc, ASCII drawing with TERM=linux and a C locale,
 * NO_COLOR versus colour, inline validation refusing Next.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lab_harness.h"
#include "vterm_harness.h"

struct fx {
	char *dir;
	struct vt t;
	bool started;
};

#define WAIT(t, text)                                                     \
	do {                                                              \
		if (vt_wait_text((t), (text), VT_DEFAULT_WAIT_MS) != 0) { \
			vt_dump((t), stderr);                             \
			fail_msg("timed out waiting for '%s'", (text));   \
		}                                                         \
	} while (0)

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	fx->dir = test_mkdtemp("ui-basic-");
	if (!fx->dir) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	if (fx->started)
		vt_close(&fx->t);
	test_rm_rf(fx->dir);
	free(fx->dir);
	free(fx);
	return 0;
}

static void start(struct fx *fx, int rows, int cols, const char *const env[])
{
	char sd[4096];
	snprintf(sd, sizeof(sd), "%s/state", fx->dir);
	assert_int_equal(vt_start_wizard(&fx->t, rows, cols, sd, NULL, env), 0);
	fx->started = true;
}

static void quit_ok(struct fx *fx)
{
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
}

static void test_f10_quits_and_restores(void **state)
{
	struct fx *fx = *state;
	start(fx, 24, 80, NULL);
	WAIT(&fx->t, "Welcome");
	assert_true(fx->t.altscreen);
	WAIT(&fx->t, "F10 Quit");
	quit_ok(fx);
	/* the alternate screen is left and the cursor shown again */
	assert_true(fx->t.ever_altscreen);
	assert_false(fx->t.altscreen);
	assert_true(fx->t.cursor_visible);
	assert_true(vt_output_has(&fx->t, "\033[?1049l"));
	assert_true(vt_output_has(&fx->t, "\033[?25h"));
	/* the welcome text is gone from the normal screen */
	assert_false(vt_has_text(&fx->t, "Welcome"));
}

static void test_too_small(void **state)
{
	struct fx *fx = *state;
	start(fx, 12, 40, NULL);
	WAIT(&fx->t, "terminal too small: 40x12");
	assert_true(vt_has_text(&fx->t, "need at least 80x24"));
	assert_false(vt_has_text(&fx->t, "Welcome"));
	/* growing the terminal brings the wizard back */
	vt_resize(&fx->t, 24, 80);
	WAIT(&fx->t, "Welcome");
	assert_false(vt_has_text(&fx->t, "too small"));
	/* and shrinking shows the notice again, F10 still quits */
	vt_resize(&fx->t, 20, 60);
	WAIT(&fx->t, "terminal too small: 60x20");
	quit_ok(fx);
}

static void test_resize(void **state)
{
	struct fx *fx = *state;
	char row[1024];
	start(fx, 24, 80, NULL);
	WAIT(&fx->t, "Welcome");
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	WAIT(&fx->t, "Stage 1 of 7: Trust root");
	assert_int_equal(vt_find_row(&fx->t, "F10 Quit"), 23);

	vt_resize(&fx->t, 30, 100);
	vt_pump(&fx->t, 300);
	for (int i = 0; i < 100 && vt_find_row(&fx->t, "F10 Quit") != 29; i++)
		vt_pump(&fx->t, 100);
	if (vt_find_row(&fx->t, "F10 Quit") != 29)
		vt_dump(&fx->t, stderr);
	assert_int_equal(vt_find_row(&fx->t, "F10 Quit"), 29);
	assert_true(vt_has_text(&fx->t, "Stage 1 of 7: Trust root"));
	/* the title line spans the new width: "role" ends at column 100 */
	vt_row(&fx->t, 0, row, sizeof(row));
	assert_non_null(strstr(row, "role: agent"));
	assert_true(strlen(row) > 80);
	/* the body frame's right edge moved to the last column */
	vt_row(&fx->t, 2, row, sizeof(row));
	assert_true(strlen(row) > 80);

	vt_resize(&fx->t, 24, 80);
	for (int i = 0; i < 100 && vt_find_row(&fx->t, "F10 Quit") != 23; i++)
		vt_pump(&fx->t, 100);
	assert_int_equal(vt_find_row(&fx->t, "F10 Quit"), 23);
	assert_true(vt_has_text(&fx->t, "Stage 1 of 7: Trust root"));
	quit_ok(fx);
}

static void test_help_and_esc(void **state)
{
	struct fx *fx = *state;
	start(fx, 24, 80, NULL);
	WAIT(&fx->t, "Welcome");
	vt_fkey(&fx->t, 1);
	WAIT(&fx->t, "Help: welcome");
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	WAIT(&fx->t, "Start at stage 1");
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	WAIT(&fx->t, "Stage 1 of 7: Trust root");
	vt_fkey(&fx->t, 1);
	WAIT(&fx->t, "Help: 1 Trust root");
	assert_true(vt_has_text(&fx->t, "Why Operations Manager needs it"));
	assert_true(vt_has_text(&fx->t, "Esc Close help"));
	/* scrolling shows what usually goes wrong */
	for (int i = 0; i < 12; i++)
		vt_key(&fx->t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	WAIT(&fx->t, "What usually goes wrong");
	/* Esc closes help and returns to the same stage */
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	WAIT(&fx->t, "Stage 1 of 7: Trust root");
	assert_int_equal(vt_wait_gone(&fx->t, "Help:", 5000), 0);
	/* Esc on a stage goes back to the welcome screen */
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	WAIT(&fx->t, "Welcome");
	quit_ok(fx);
}

static void test_ascii_on_linux_console(void **state)
{
	struct fx *fx = *state;
	static const char *const env[] = { "TERM=linux", "LANG=C", "LC_ALL=C",
					   NULL };
	start(fx, 24, 80, env);
	WAIT(&fx->t, "Welcome");
	WAIT(&fx->t, "F10 Quit");
	if (!vt_all_ascii(&fx->t))
		vt_dump(&fx->t, stderr);
	assert_true(vt_all_ascii(&fx->t));
	/* frames drawn with ASCII corners and lines, rail marks in ASCII */
	assert_true(vt_has_text(&fx->t, "+- Stages -"));
	assert_true(vt_has_text(&fx->t, "|   1 Trust root"));
	assert_true(vt_has_text(&fx->t, "+ done  x failed"));
	quit_ok(fx);
}

static void test_unicode_in_utf8_locale(void **state)
{
	struct fx *fx = *state;
	start(fx, 24, 80, NULL);
	WAIT(&fx->t, "Welcome");
	WAIT(&fx->t, "F10 Quit");
	assert_false(vt_all_ascii(&fx->t));
	assert_true(vt_has_text(&fx->t, "\u250c\u2500 Stages"));
	quit_ok(fx);
}

static void test_no_color(void **state)
{
	struct fx *fx = *state;
	static const char *const env[] = { "NO_COLOR=1", NULL };
	start(fx, 24, 80, env);
	WAIT(&fx->t, "Welcome");
	WAIT(&fx->t, "F10 Quit");
	assert_false(vt_any_color(&fx->t));
	/* still readable: the selected item is shown in reverse video */
	assert_true(vt_has_text(&fx->t, "Start at stage 1"));
	quit_ok(fx);
}

static void test_color_by_default(void **state)
{
	struct fx *fx = *state;
	start(fx, 24, 80, NULL);
	WAIT(&fx->t, "Welcome");
	WAIT(&fx->t, "F10 Quit");
	assert_true(vt_any_color(&fx->t));
	quit_ok(fx);
}

static void test_invalid_field_refuses_next(void **state)
{
	struct fx *fx = *state;
	int r;
	char row[1024];
	start(fx, 24, 80, NULL);
	WAIT(&fx->t, "Welcome");
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	WAIT(&fx->t, "Stage 1 of 7: Trust root");
	/* no answers: the CA URL is empty, Enter is refused */
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	WAIT(&fx->t, "'CA URL' is not valid: fix it first");
	r = vt_find_row(&fx->t, "CA URL:");
	assert_true(r > 0);
	vt_row(&fx->t, r + 1, row, sizeof(row));
	assert_non_null(strstr(row, "no CA URL is set"));
	/* a wrong scheme is named at the field when leaving it */
	vt_type(&fx->t, "ftp://ca.example.com/");
	vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_NONE);
	WAIT(&fx->t, "http:// or https:// URL");
	r = vt_find_row(&fx->t, "CA URL:");
	vt_row(&fx->t, r + 1, row, sizeof(row));
	assert_non_null(strstr(row, "'ftp://ca.example.com/' is not an"));
	/* the stage rail still shows stage 1 as current, nothing ran */
	assert_true(vt_has_text(&fx->t, "\u25b6 1 Trust root"));
	quit_ok(fx);
}

static void test_vt100_plain(void **state)
{
	struct fx *fx = *state;
	static const char *const env[] = { "TERM=vt100", "LANG=C", "LC_ALL=C",
					   NULL };
	start(fx, 24, 80, env);
	WAIT(&fx->t, "Welcome");
	WAIT(&fx->t, "F10 Quit");
	/* vt100 has no colours and the C locale no Unicode */
	assert_false(vt_any_color(&fx->t));
	assert_true(vt_all_ascii(&fx->t));
	assert_true(vt_has_text(&fx->t, "+- Welcome -"));
	/* vt100 has no F10 in terminfo: ^C quits too, as an interrupt */
	vt_send(&fx->t, "\003", 1);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 130);
	assert_false(fx->t.altscreen);
}

static void test_role_choice(void **state)
{
	struct fx *fx = *state;
	start(fx, 24, 80, NULL);
	WAIT(&fx->t, "Role:  < agent >");
	assert_true(vt_has_text(&fx->t, "role: agent"));
	vt_key(&fx->t, VTERM_KEY_UP, VTERM_MOD_NONE);
	vt_key(&fx->t, VTERM_KEY_RIGHT, VTERM_MOD_NONE);
	WAIT(&fx->t, "Role:  < management server >");
	WAIT(&fx->t, "role: server");
	vt_key(&fx->t, VTERM_KEY_LEFT, VTERM_MOD_NONE);
	WAIT(&fx->t, "Role:  < agent >");
	quit_ok(fx);
}

static void test_unknown_terminal(void **state)
{
	struct fx *fx = *state;
	static const char *const env[] = { "TERM=no-such-terminal-type", NULL };
	start(fx, 24, 80, env);
	/* a clear message and the usage exit code, not a crash */
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 2);
	assert_true(vt_has_text(&fx->t, "cannot use the terminal "
				"'no-such-terminal-type'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_f10_quits_and_restores, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_and_esc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ascii_on_linux_console, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unicode_in_utf8_locale, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_color, setup, teardown),
		cmocka_unit_test_setup_teardown(test_color_by_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalid_field_refuses_next,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vt100_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_role_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_terminal, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
