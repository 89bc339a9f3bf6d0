/*
 * test_ui_stale.c - changed answers on screen, against the lab, at 80x24:
 * the WebServer -> OpsMgr correction (stage 3 fails for the missing
 * Client Authentication, stage 2's template is changed: the rail marks
 * stage 2 out of date, the status line says what changed and that Enter
 * runs it again, the key line agrees and offers F6 for a new key; Enter
 * runs stage 2, the old request is archived, and stage 3 passes); a done
 * stage with nothing changed goes on with Enter and offers "run again
 * anyway" (F5), a change makes the later done stages out of date until it
 * is typed back, leaving puts the loaded answers back; and a changed
 * answers file makes the welcome screen name the out-of-date stage and
 * why, in ASCII on a plain terminal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "run_capture.h"
#include "ui_steps.h"

#define STALE "\u21bb"   /* the rail's mark of an out-of-date stage */

static void seen(struct ui_fx *fx, const char *text)
{
	if (!vt_has_text(&fx->t, text)) {
		vt_dump(&fx->t, stderr);
		fail_msg("'%s' is not on screen", text);
	}
}

static void unseen(struct ui_fx *fx, const char *text)
{
	if (vt_has_text(&fx->t, text)) {
		vt_dump(&fx->t, stderr);
		fail_msg("'%s' is still on screen", text);
	}
}

/* Press Down until text shows (the selected row of the list shows its
 * whole message underneath), at most 30 times. */
static void down_until(struct ui_fx *fx, const char *text)
{
	for (int i = 0; i < 30; i++) {
		vt_pump(&fx->t, 200);
		if (vt_has_text(&fx->t, text))
			return;
		vt_key(&fx->t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	}
	seen(fx, text);
}

/* Replace the text of the focused field. */
static void retype(struct ui_fx *fx, const char *text)
{
	ui_clear_field(&fx->t);
	vt_type(&fx->t, text);
}

static void test_template_correction(void **state)
{
	struct ui_fx *fx = *state;

	ui_fx_verify_fails(fx, "WebServer");
	seen(fx, "event 20050");

	/* back to stage 2: done, nothing changed, Enter would go on */
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	ui_heading(&fx->t, 2);
	ui_wait(&fx->t, "stage 2 is done");   /* with warnings on a host not
						 named agent01 */
	ui_wait(&fx->t, "Enter for the next stage, F5 runs it");
	seen(fx, "F5 Run again anyway");
	seen(fx, "\u2717 3 Verify");
	/* the template: the rail, the status and the key line follow */
	ui_tab(&fx->t, 2);
	retype(fx, "OpsMgr");
	ui_wait(&fx->t, "answers changed (ca.template WebServer \u2192 OpsMgr): "
		"Enter runs stage 2 again");
	seen(fx, STALE " 2 Request");
	seen(fx, STALE " out of date");
	seen(fx, "Enter Run again");
	seen(fx, "F6 Run with new key");
	unseen(fx, "Run again anyway");
	/* Enter runs it: a new request, the old one archived */
	ui_run_stage_ok(&fx->t, 2);
	unseen(fx, STALE " 2 Request");
	seen(fx, "the CA issued the certificate");
	/* needs the request stage's archive (issue 14, branch i14-request):
	 * its line is in the list, whole when selected */
	down_until(fx, "archived");
	vt_key(&fx->t, VTERM_KEY_HOME, VTERM_MOD_NONE);
	down_until(fx, "archive/");
	/* the new certificate has both usages: stage 3 passes */
	ui_enter(&fx->t);
	ui_run_stage_ok(&fx->t, 3);
	seen(fx, "\u2713 3 Verify");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
}

static void test_unchanged_goes_on(void **state)
{
	struct ui_fx *fx = *state;

	ui_fx_start_at(fx, 5);
	for (int s = 4; s >= 2; s--) {
		vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
		ui_heading(&fx->t, s);
	}
	ui_wait(&fx->t, "stage 2 is done");
	ui_wait(&fx->t, "Enter for the next stage, F5 runs it");
	seen(fx, "Enter Next");
	seen(fx, "F5 Run again anyway");
	unseen(fx, "F6 Run with new key");

	/* a new key size: stage 2 and the done stages after it are out of
	 * date; typed back, they are done again */
	ui_tab(&fx->t, 3);
	retype(fx, "3072");
	ui_wait(&fx->t, "answers changed (key.bits 2048 \u2192 3072)");
	seen(fx, STALE " 2 Request");
	seen(fx, STALE " 3 Verify");
	seen(fx, STALE " 4 Export");
	seen(fx, "Enter Run again");
	unseen(fx, "F6 Run with new key");   /* a new key size: a new key anyway */
	retype(fx, "2048");
	ui_wait(&fx->t, "\u2713 3 Verify");
	seen(fx, "\u2713 4 Export");
	seen(fx, "F5 Run again anyway");

	/* a change left without running is put back */
	vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
	retype(fx, "Another");
	ui_wait(&fx->t, STALE " 3 Verify");
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	ui_heading(&fx->t, 1);
	ui_wait(&fx->t, "\u2713 3 Verify");
	unseen(fx, STALE " 2 Request");

	/* Enter on the unchanged stage 2 goes on without running it */
	ui_enter(&fx->t);
	ui_heading(&fx->t, 2);
	ui_wait(&fx->t, "stage 2 is done");
	/* a reason too long for two status lines is cut there and written
	 * whole at the top of the list */
	retype(fx, "agent01-longer-name.lab.test");
	ui_tab(&fx->t, 2);
	retype(fx, "AnotherTemplate");
	ui_tab(&fx->t, 1);
	retype(fx, "4096");
	ui_wait(&fx->t, "answers changed (computer.fqdn agent01.lab.test");
	seen(fx, "\u2026");
	seen(fx, "AnotherTemplate, key.bits 2048 \u2192 4096): Enter runs");
	seen(fx, "\u2502 stage 2 again ");
	/* all typed back: done, nothing to run */
	retype(fx, "2048");
	vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
	retype(fx, "OpsMgr");
	for (int i = 0; i < 2; i++)
		vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
	retype(fx, "agent01.lab.test");
	ui_wait(&fx->t, "stage 2 is done");
	unseen(fx, "\u2502 stage 2 again ");
	ui_enter(&fx->t);
	ui_heading(&fx->t, 3);
	ui_wait(&fx->t, "stage 3 is done");
	/* F5 runs it again anyway */
	vt_fkey(&fx->t, 5);
	ui_wait(&fx->t, "stage 3 done:");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
}

/* The answers file changes between two runs: the welcome screen offers
 * the out-of-date stage and says why, over two lines when it must; a
 * plain terminal gets the ASCII mark and arrow. */
static void test_welcome_names_out_of_date(void **state)
{
	static const char *const env[] = { "TERM=linux", "LANG=C", "LC_ALL=C",
					   NULL };
	struct ui_fx *fx = *state;
	char path[4096], *base, *text;
	size_t n;

	ui_fx_start_at(fx, 5);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);

	base = test_read_file(fx->lab->answers);
	assert_non_null(base);
	n = strlen(base) + 64;
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "%s\n[export]\ncompat = legacy\n", base);
	snprintf(path, sizeof(path), "%s/answers-legacy.ini", fx->state);
	assert_int_equal(test_write_file(path, text), 0);
	free(text);
	free(base);

	vt_close(&fx->t);
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, fx->state, path, env),
			 0);
	ui_wait(&fx->t, "Continue at stage 4: Export (out of date)");
	ui_wait(&fx->t, "stage 4 (export) must run again: answers changed "
		"(export.compat modern ->");
	seen(fx, "legacy)");
	seen(fx, "* 4 Export");
	seen(fx, "* out of date");
	assert_true(vt_all_ascii(&fx->t));
	/* Continue: stage 4 says the same, and Enter exports again */
	ui_enter(&fx->t);
	ui_heading(&fx->t, 4);
	ui_wait(&fx->t, "answers changed (export.compat modern -> legacy): "
		"Enter runs stage 4 again");
	ui_run_stage_ok(&fx->t, 4);
	seen(fx, "+ 4 Export");
	seen(fx, "legacy");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_template_correction),
		UI_TEST(test_unchanged_goes_on),
		UI_TEST(test_welcome_names_out_of_date),
	};
	return cmocka_run_group_tests(tests, ui_lab_group_setup,
				       ui_lab_group_teardown);
}
