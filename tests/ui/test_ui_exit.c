/*
 * test_ui_exit.c - the wizard's exit codes against the lab (product.md
 * s.4, the man page's EXIT STATUS), and "run what remains": one key on
 * the welcome screen runs stage 1 to the approval wait, F4 on a stage
 * screen to the summary; ^C there exits
 * 130 and SIGTERM 143 with the state saved (stages 1-6 done, 7 not), and
 * the same from a non-interactive run; F10
 * with a request the CA holds exits 75; an answers file without the CA
 * URL exits 2, non-interactive and from the wizard.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "run_capture.h"
#include "ui_steps.h"

#define WAIT_MS 60000

/* The lab's answers with the line starting with `drop` left out and
 * `add` (may be NULL) added, written into the test's directory. */
static char *answers_without(struct ui_fx *fx, const char *drop,
			     const char *add)
{
	char *text = test_read_file(fx->lab->answers), *out, *path;
	size_t n = 0;
	assert_non_null(text);
	out = calloc(1, strlen(text) + (add ? strlen(add) : 0) + 2);
	assert_non_null(out);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, drop, strlen(drop)) == 0) {
			if (add)
				n += (size_t)sprintf(out + n, "%s\n", add);
			continue;
		}
		n += (size_t)sprintf(out + n, "%s\n", line);
	}
	assert_true(asprintf(&path, "%s/answers.ini", fx->state) > 0);
	assert_int_equal(test_write_file(path, out), 0);
	free(text);
	free(out);
	return path;
}

static void start(struct ui_fx *fx, const char *answers)
{
	char sd[4096];
	if (fx->started)
		vt_close(&fx->t);
	snprintf(sd, sizeof(sd), "%s/state", fx->state);
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, sd, answers, NULL), 0);
	fx->started = true;
	ui_wait(&fx->t, "Welcome");
}

/* A lab of the test's own that keeps the agent pending (no
 * --auto-approve). */
static void own_lab(struct ui_fx *fx)
{
	assert_int_equal(lab_start(&fx->own, NULL, NULL), 0);
	fx->own_up = true;
	fx->lab = &fx->own;
}

/* One key, x, on the welcome screen; then nothing but waiting until stage
 * 7 polls the management server and hears "pending". */
static void run_all_to_approval(struct ui_fx *fx)
{
	vt_type(&fx->t, "x");
	ui_wait(&fx->t, "Stage 7 of 7");
	ui_wait(&fx->t, ": pending");
}

/* The state file in <test dir>/<sub>: stages 1-6 done, stage 7 not. */
static void assert_state_in(struct ui_fx *fx, const char *sub)
{
	char path[4200], *st;
	snprintf(path, sizeof(path), "%s/%s/state", fx->state, sub);
	st = test_read_file(path);
	assert_non_null(st);
	for (int s = 1; s <= 6; s++) {
		char done[32], warn[32];
		snprintf(done, sizeof(done), "stage%d=done\n", s);
		snprintf(warn, sizeof(warn), "stage%d=warn\n", s);
		if (!strstr(st, done) && !strstr(st, warn))
			fail_msg("stage %d is not done in the state:\n%s", s, st);
	}
	assert_null(strstr(st, "stage7=done"));
	assert_null(strstr(st, "stage7=warn"));
	free(st);
}

static void assert_state_before_approval(struct ui_fx *fx)
{
	assert_state_in(fx, "state");
}

static void test_run_all_then_interrupt(void **state)
{
	struct ui_fx *fx = *state;
	own_lab(fx);
	start(fx, fx->lab->answers);
	run_all_to_approval(fx);
	vt_send(&fx->t, "\003", 1);   /* ^C: a key in raw mode */
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 130);
	assert_false(fx->t.altscreen);
	assert_state_before_approval(fx);

	/* again: done stages are passed over, SIGTERM while waiting */
	start(fx, fx->lab->answers);
	run_all_to_approval(fx);
	kill(fx->t.pid, SIGTERM);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 143);
	assert_false(fx->t.altscreen);
	assert_state_before_approval(fx);
}

/* --non-interactive: SIGTERM while stage 7 waits exits 143, SIGINT 130,
 * the state saved the same way. */
static void test_runner_signals(void **state)
{
	struct ui_fx *fx = *state;
	char *bin = test_build_path("opsmgr-enroll"), sd[4096];
	const char *argv[] = { bin, "--answers", NULL, "--state-dir", sd,
			       "--non-interactive", NULL };
	const char *env[] = { "OPSMGR_ENROLL_SYSTEM_CONFIG=/nonexistent", NULL };
	static const int sigs[] = { SIGTERM, SIGINT };

	own_lab(fx);
	argv[2] = fx->lab->answers;
	snprintf(sd, sizeof(sd), "%s/runner-state", fx->state);
	for (int i = 0; i < 2; i++) {
		if (fx->started)
			vt_close(&fx->t);
		assert_int_equal(vt_spawn(&fx->t, 24, 200, argv, env), 0);
		fx->started = true;
		ui_wait(&fx->t, ": pending");
		kill(fx->t.pid, sigs[i]);
		assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 128 + sigs[i]);
		assert_state_in(fx, "runner-state");
	}
	free(bin);
}

/* From a stage screen whose field has the focus, F4 runs every stage
 * that remains (the group's lab approves at once) to the summary. */
static void test_run_all_from_a_stage(void **state)
{
	struct ui_fx *fx = *state;
	start(fx, fx->lab->answers);
	ui_enter(&fx->t);
	ui_heading(&fx->t, 1);
	vt_fkey(&fx->t, 4);
	ui_wait(&fx->t, "Enrollment complete: the agent is approved.");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

/* SIGTERM on a screen waiting for a key, and SIGINT. */
static void test_signals_on_a_screen(void **state)
{
	struct ui_fx *fx = *state;
	start(fx, fx->lab->answers);
	kill(fx->t.pid, SIGTERM);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 143);
	assert_false(fx->t.altscreen);
	start(fx, fx->lab->answers);
	kill(fx->t.pid, SIGINT);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 130);
}

/* OpsMgrManual: the lab holds the request; run all stops there, F10
 * exits 75 (as l does). */
static void test_quit_with_pending_request(void **state)
{
	struct ui_fx *fx = *state;
	char *answers = answers_without(fx, "template =",
					"template = OpsMgrManual");
	start(fx, answers);
	vt_type(&fx->t, "x");
	ui_wait(&fx->t, "is pending at the CA");
	ui_heading(&fx->t, 2);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 75);
	/* after a restart, the quit key on the welcome screen says the same */
	start(fx, answers);
	vt_type(&fx->t, "q");
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 75);
	free(answers);
}

/* No CA URL: a configuration error, exit 2 from the runner before any
 * work, and from the wizard quit where stage 1 refused it. */
static void test_missing_ca_url(void **state)
{
	struct ui_fx *fx = *state;
	char *answers = answers_without(fx, "url =", NULL);
	char *bin = test_build_path("opsmgr-enroll"), sd[4096];
	snprintf(sd, sizeof(sd), "%s/runner-state", fx->state);
	const char *argv[] = { bin, "--answers", answers, "--state-dir", sd,
			       "--non-interactive", NULL };
	const char *env[] = { "OPSMGR_ENROLL_SYSTEM_CONFIG=/nonexistent", NULL };

	assert_int_equal(vt_spawn(&fx->t, 24, 80, argv, env), 0);
	fx->started = true;
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 2);
	assert_true(vt_output_has(&fx->t, "ca.url"));

	start(fx, answers);
	vt_type(&fx->t, "x");
	ui_heading(&fx->t, 1);
	ui_wait(&fx->t, "'CA URL' is not valid");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 2);
	free(bin);
	free(answers);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_run_all_then_interrupt),
		UI_TEST(test_run_all_from_a_stage),
		UI_TEST(test_signals_on_a_screen),
		UI_TEST(test_runner_signals),
		UI_TEST(test_quit_with_pending_request),
		UI_TEST(test_missing_ca_url),
	};
	return cmocka_run_group_tests(tests, ui_lab_group_setup,
				      ui_lab_group_teardown);
}
