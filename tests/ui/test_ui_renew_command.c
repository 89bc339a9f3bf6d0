/*
 * test_ui_renew_command.c - `opsmgr-enroll renew` without
 * --non-interactive, in a pty at 80x24 against the lab, after a complete
 * enrollment: with --if-due and nothing due it says so on the terminal and
 * exits 0 without opening the wizard; without it the renewal is begun and
 * the wizard opens with stage 2 to continue at and the stages after it out
 * of date (stage 5 stays done); x runs them all to the summary, F10 leaves
 * with 0, and the agent configuration names a new serial.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <iniparser.h>

#include "run_capture.h"
#include "ui_steps.h"

#define STALE "\u21bb"   /* the rail's mark of an out-of-date stage */

/* The serial the agent configuration records (malloc'd). */
static char *serial_in_use(const char *answers)
{
	dictionary *a = iniparser_load(answers);
	assert_non_null(a);
	dictionary *d = iniparser_load(iniparser_getstring(a, "agent:config", ""));
	assert_non_null(d);
	const char *s = iniparser_getstring(d, "certificate:serial", NULL);
	assert_non_null(s);
	char *r = strdup(s);
	iniparser_freedict(d);
	iniparser_freedict(a);
	return r;
}

static void start_renew(struct ui_fx *fx, const char *opt)
{
	char *bin = test_build_path("opsmgr-enroll"), xdg[4096];
	snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s/xdg-config", fx->state);
	const char *env[] = { "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL",
			      "LC_CTYPE", "NO_COLOR",
			      "OPSMGR_ENROLL_SYSTEM_CONFIG=/nonexistent/x.ini",
			      xdg, NULL };
	const char *argv[] = { bin, "renew", "--answers", fx->lab->answers,
			       "--state-dir", fx->state, opt, NULL };
	if (fx->started)
		vt_close(&fx->t);
	assert_int_equal(vt_spawn(&fx->t, 24, 80, argv, env), 0);
	fx->started = true;
	free(bin);
}

static void test_renew_in_the_wizard(void **state)
{
	struct ui_fx *fx = *state;
	char *bin = test_build_path("opsmgr-enroll"), *out = NULL;
	const char *argv[] = { bin, "--answers", fx->lab->answers, "--state-dir",
			       fx->state, "--non-interactive", NULL };
	assert_int_equal(run_capture(argv, 120, &out), 0);
	free(out);
	free(bin);
	char *old = serial_in_use(fx->lab->answers);

	/* not due (a year's certificate): said on the terminal, no wizard */
	start_renew(fx, "--if-due");
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
	assert_true(vt_output_has(&fx->t, "renew: not due: nothing to do"));
	assert_false(fx->t.ever_altscreen);

	/* asked for: the wizard continues at stage 2, the later stages that
	 * used its certificate out of date */
	start_renew(fx, NULL);
	ui_wait(&fx->t, "Continue at stage 2: Request");
	ui_wait(&fx->t, STALE " 3 Verify");
	assert_true(vt_has_text(&fx->t, STALE " 6 Import serial"));
	assert_true(vt_has_text(&fx->t, STALE " 7 Await approval"));
	assert_true(vt_has_text(&fx->t, "\u2713 5 Install agent"));
	assert_true(vt_has_text(&fx->t, "\u2713 1 Trust root"));
	vt_type(&fx->t, "x");
	ui_wait(&fx->t, "Enrollment complete: the agent is approved.");
	assert_true(vt_has_text(&fx->t, "\u2713 3 Verify"));
	assert_true(vt_has_text(&fx->t, "\u2713 6 Import serial"));
	assert_true(vt_has_text(&fx->t, "\u2713 7 Await approval"));
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
	char *now = serial_in_use(fx->lab->answers);
	if (strcmp(now, old) == 0)
		fail_msg("serial %s is still in use after the renewal", old);
	free(now);
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_renew_in_the_wizard),
	};
	return cmocka_run_group_tests(tests, ui_lab_group_setup,
				      ui_lab_group_teardown);
}
