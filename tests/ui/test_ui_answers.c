/*
 * test_ui_answers.c - the summary screen's "Save answers" key through a
 * real terminal emulator at 80x24 against the lab: after an enrollment,
 * the key line shows the key, pressing it writes
 * <state dir>/answers-<fqdn>.ini and the screen says where, whole (a path
 * longer than the screen is wide wraps instead of being cut); the path
 * read back from the screen is the file: 0600, the answers, no password.
 * Pressing it again with the same answers writes nothing new.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab_harness.h"
#include "run_capture.h"
#include "ui_steps.h"
#include "vterm_harness.h"

#define WAIT_MS 30000
#define LONG_NAME "a-state-directory-with-a-name-long-enough-that-the-path-wraps"

struct fx {
	struct lab lab;       /* the lab this test enrolls against */
	bool lab_up;
	char *work;
	char state[1024];
	struct vt t;
	bool started;
};

static int teardown(void **state)
{
	struct fx *fx = *state;
	if (fx->started)
		vt_close(&fx->t);
	if (fx->lab_up)
		lab_stop(&fx->lab);
	if (fx->work)
		test_rm_rf(fx->work);
	free(fx->work);
	free(fx);
	return 0;
}

static int setup(void **state)
{
	static const char *const args[] = { "--auto-approve", "0", NULL };
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->lab_up = lab_start(&fx->lab, NULL, args) == 0;
	fx->work = test_mkdtemp("ui-answers-");
	if (!fx->lab_up || !fx->work) {
		teardown(state);
		return -1;
	}
	snprintf(fx->state, sizeof(fx->state), "%s/" LONG_NAME, fx->work);
	return 0;
}

/* An enrollment done without the screens (fast), so the wizard opens on
 * a finished one. */
static void enroll(struct fx *fx)
{
	char *bin = test_build_path("opsmgr-enroll"), *out = NULL;
	const char *argv[] = { bin, "--answers", fx->lab.answers, "--state-dir",
			       fx->state, "--non-interactive", NULL };
	int rc = run_capture(argv, 300, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	free(out);
	free(bin);
}

/* Trim the blanks and the frame's border characters around a row. */
static char *trimmed(char *row)
{
	static const char *const EDGES[] = { "\u2502", "|", NULL };
	size_t n;
	for (;;) {
		bool cut = false;
		while (*row == ' ')
			row++;
		n = strlen(row);
		while (n && row[n - 1] == ' ')
			row[--n] = '\0';
		for (int i = 0; EDGES[i]; i++) {
			size_t l = strlen(EDGES[i]);
			if (strncmp(row, EDGES[i], l) == 0) {
				row += l;
				cut = true;
			}
			n = strlen(row);
			if (n >= l && strcmp(row + n - l, EDGES[i]) == 0) {
				row[n - l] = '\0';
				cut = true;
			}
		}
		if (!cut)
			return row;
	}
}

/* The path the screen shows under "Answers for the next computer", its
 * wrapped rows joined (the pane's column only: the rail's legend may stand
 * on the same rows). */
static void path_on_screen(struct fx *fx, char *buf, size_t n)
{
	char row[1024];
	int r = vt_find_row(&fx->t, "Answers for the next computer");
	if (r < 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("no 'Answers for the next computer' on screen");
	}
	buf[0] = '\0';
	for (int i = r + 1; i < fx->t.rows; i++) {
		vt_row(&fx->t, i, row, sizeof(row));
		/* the pane's part of the row: right of the rail's edge and the
		 * pane's ("││"), when the rail is drawn */
		char *pane = strstr(row, "\u2502\u2502");
		char *t = trimmed(pane ? pane + strlen("\u2502\u2502") : row);
		if (!*t || strncmp(t, "No password", 11) == 0)
			break;
		strncat(buf, t, n - strlen(buf) - 1);
	}
}

static void test_summary_key_saves_answers(void **state)
{
	struct fx *fx = *state;
	char want[1200], shown[1200];
	enroll(fx);
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, fx->state,
					 fx->lab.answers, NULL), 0);
	fx->started = true;
	ui_wait(&fx->t, "show the summary");
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	ui_wait(&fx->t, "Enrollment complete");
	/* the key line shows the key */
	ui_wait(&fx->t, "a Save answers");

	vt_type(&fx->t, "a");
	ui_wait(&fx->t, "answers saved to");
	ui_wait(&fx->t, "Answers for the next computer");
	snprintf(want, sizeof(want), "%s/answers-agent01.lab.test.ini",
		 fx->state);
	assert_true(strlen(want) > 80);      /* longer than a row */
	path_on_screen(fx, shown, sizeof(shown));
	if (strcmp(shown, want) != 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("the screen says '%s', expected '%s'", shown, want);
	}

	/* the file the screen names */
	struct stat sb;
	assert_int_equal(stat(shown, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char *text = test_read_file(shown);
	assert_non_null(text);
	assert_non_null(strstr(text, "; answers for opsmgr-enroll"));
	assert_non_null(strstr(text, "\ntemplate = OpsMgr\n"));
	assert_non_null(strstr(text, "\n; fqdn = agent01.lab.test  ;"));
	assert_null(strstr(text, fx->lab.password));
	assert_null(strstr(text, "\npassword_file"));
	free(text);

	/* again, the same answers: nothing new */
	vt_type(&fx->t, "a");
	ui_wait(&fx->t, "answers already saved in");
	snprintf(want, sizeof(want), "%s/answers-agent01.lab.test-2.ini",
		 fx->state);
	assert_int_equal(access(want, F_OK), -1);

	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_summary_key_saves_answers,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
