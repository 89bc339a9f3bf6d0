/*
 * test_ui_bundle.c - the Windows bundle on the wizard's screens at 80x24,
 * against the lab with [agent] target = windows and a short bundle_dir:
 * stage 5 names the zip stage 6 will write and the one thing to do;
 * stage 6 shows the bundle's folder, its zip and "copy <zip> to <fqdn>,
 * extract, right-click install.cmd > Run as administrator" in full (no
 * row cut off); the summary lists every file of the bundle with its path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab_harness.h"
#include "robust_util.h"
#include "run_capture.h"
#include "ui_steps.h"
#include "vterm_harness.h"

#define FQDN "agent01.lab.test"

/* The stage panel's text (right of the rail's "\u2502\u2502"), its rows
 * trimmed and joined by one blank: a wrapped pane row reads as one line
 * again.  Rows without the rail (the summary) are taken whole. */
static char *joined_screen(struct vt *t)
{
	char *s = vt_screen_text(t);
	assert_non_null(s);
	char *out = calloc(1, strlen(s) + 2);
	char *o = out;
	const char *bar = "\u2502";
	for (char *line = s, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *l = line, *p;
		if ((p = strstr(l, "\u2502\u2502")))
			l = p + 2 * strlen(bar);
		size_t n = strlen(l);
		if (n >= strlen(bar) && strcmp(l + n - strlen(bar), bar) == 0)
			n -= strlen(bar);
		while (n && l[n - 1] == ' ')
			n--;
		while (n && *l == ' ') {
			l++;
			n--;
		}
		if (!n)
			continue;
		if (o != out)
			*o++ = ' ';
		memcpy(o, l, n);
		o += n;
	}
	free(s);
	return out;
}

static void assert_joined_has(struct vt *t, const char *text)
{
	char *j = joined_screen(t);
	if (!strstr(j, text)) {
		vt_dump(t, stderr);
		fail_msg("'%s' is not on the screen", text);
	}
	free(j);
}

static void test_bundle_on_screens(void **state)
{
	struct ui_fx *fx = *state;
	char *dir = test_mkdtemp("uib");
	char *out = NULL, *answers = NULL, *zip = NULL, *todo = NULL;
	assert_true(asprintf(&out, "%s/o", dir) > 0);
	assert_true(asprintf(&answers, "%s/a.ini", dir) > 0);
	assert_true(asprintf(&zip, "%s/" FQDN "-opsmgr.zip", out) > 0);
	assert_true(asprintf(&todo, "copy %s to " FQDN ", extract, right-click "
			     "install.cmd > Run as administrator", zip) > 0);
	const char *const repl[][3] = {
		{ "agent", "target", "windows" },
		{ "agent", "bundle_dir", out },
		{ NULL, NULL, NULL },
	};
	assert_int_equal(ru_answers_write(fx->lab->answers, answers, repl), 0);
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, fx->state, answers,
					 NULL), 0);
	fx->started = true;
	ui_wait(&fx->t, "Welcome");
	ui_enter(&fx->t);
	for (int s = 1; s <= 4; s++)
		ui_pass_stage(&fx->t, s);

	ui_run_stage_ok(&fx->t, 5);
	assert_joined_has(&fx->t, "Windows bundle (made on import): ");
	assert_joined_has(&fx->t, zip);
	assert_joined_has(&fx->t, todo);
	ui_enter(&fx->t);

	ui_run_stage_ok(&fx->t, 6);
	assert_joined_has(&fx->t, "bundle zip");
	assert_joined_has(&fx->t, zip);
	assert_joined_has(&fx->t, todo);
	assert_true(access(zip, F_OK) == 0);
	ui_enter(&fx->t);
	ui_run_stage_ok(&fx->t, 7);
	ui_enter(&fx->t);

	ui_wait(&fx->t, "Summary");
	ui_wait(&fx->t, "Enrollment complete");
	for (int i = 0; i < 60; i++)
		vt_key(&fx->t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	ui_wait(&fx->t, "README.txt");
	char *line = NULL;
	assert_true(asprintf(&line, "%s/" FQDN "-opsmgr/install.cmd", out) > 0);
	assert_joined_has(&fx->t, line);
	free(line);
	assert_joined_has(&fx->t, "Bundle zip:");
	assert_joined_has(&fx->t, todo);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
	test_rm_rf(dir);
	free(todo);
	free(zip);
	free(answers);
	free(out);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_bundle_on_screens),
	};
	return cmocka_run_group_tests(tests, ui_lab_group_setup,
				      ui_lab_group_teardown);
}
