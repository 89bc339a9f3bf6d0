/*
 * test_answers_save_lab.c - `opsmgr-enroll save-answers` against a real
 * opsmgr-enroll-lab: after a full enrollment the saved answers hold no
 * password, leave the password files and the computer's name to fill in,
 * and - once the test fills them in for another computer - run the next
 * enrollment on a fresh state directory with --non-interactive to exit 0.
 * Also: an existing file is replaced only with --overwrite, and the
 * answers of a state directory alone (no --answers) are the ones its
 * stages recorded, with the root it trusted pinned.
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

#include "core/stage_table.h"
#include "lab_harness.h"
#include "run_capture.h"

static struct lab g_lab;
static int g_lab_up;
static char *g_work;

static int group_setup(void **st)
{
	static const char *const extra[] = { "--auto-approve", "0", NULL };
	(void)st;
	if (lab_start(&g_lab, NULL, extra) != 0)
		return -1;
	g_lab_up = 1;
	g_work = test_mkdtemp("answers-lab-");
	return g_work ? 0 : -1;
}

static int group_teardown(void **st)
{
	(void)st;
	if (g_lab_up)
		lab_stop(&g_lab);
	if (g_work)
		test_rm_rf(g_work);
	free(g_work);
	return 0;
}

/* <work>/<name> (static buffer per call site: the caller copies). */
static void work_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", g_work, name);
}

static int run(const char *const argv[], char **out)
{
	int rc = run_capture(argv, 300, out);
	if (rc != 0)
		fprintf(stderr, "%s exited %d:\n%s\n", argv[1], rc,
			*out ? *out : "");
	return rc;
}

/* The wizard, non-interactively, with answers on state_dir. */
static int enroll(const char *answers, const char *state_dir, char **out)
{
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", answers, "--state-dir",
			       state_dir, "--non-interactive", NULL };
	int rc = run(argv, out);
	free(bin);
	return rc;
}

/* save-answers FILE --state-dir D [--answers F] [--overwrite]. */
static int save_answers(const char *file, const char *state_dir,
			const char *answers, bool overwrite, char **out)
{
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[9] = { bin, "save-answers", file, "--state-dir",
				state_dir };
	int n = 5;
	if (answers) {
		argv[n++] = "--answers";
		argv[n++] = answers;
	}
	if (overwrite)
		argv[n++] = "--overwrite";
	argv[n] = NULL;
	int rc = run_capture(argv, 60, out);
	free(bin);
	return rc;
}

/* Every line of want is in text; fails naming the first missing one. */
static void has_all(const char *text, const char *const *want)
{
	for (; *want; want++)
		if (!strstr(text, *want))
			fail_msg("no '%s' in:\n%s", *want, text);
}
#define HAS(text, ...) has_all((text), (const char *const[]){ __VA_ARGS__, NULL })

/* The first line of a file (a password), malloc'd. */
static char *first_line(const char *path)
{
	char *t = test_read_file(path);
	assert_non_null(t);
	t[strcspn(t, "\r\n")] = '\0';
	return t;
}

/* text with the line starting with `from` (up to its end) replaced by
 * `to`; fails when there is no such line. */
static char *replace_line(char *text, const char *from, const char *to)
{
	char *p = strstr(text, from);
	if (!p)
		fail_msg("no line '%s' in:\n%s", from, text);
	char *end = strchr(p, '\n');
	size_t tail = end ? strlen(end) : 0;
	char *r = malloc(strlen(text) + strlen(to) + 1);
	memcpy(r, text, (size_t)(p - text));
	strcpy(r + (p - text), to);
	if (end)
		memcpy(r + (p - text) + strlen(to), end, tail + 1);
	free(text);
	return r;
}

static void test_saved_answers_run_the_next_enrollment(void **st)
{
	(void)st;
	char state1[600], state2[600], next[600], filled[600], line[1200];
	char pfx_pw_file[600], *out = NULL;
	work_path(state1, sizeof(state1), "state1");
	work_path(state2, sizeof(state2), "state2");
	work_path(next, sizeof(next), "next.ini");
	work_path(filled, sizeof(filled), "next-filled.ini");
	snprintf(pfx_pw_file, sizeof(pfx_pw_file), "%s/pfx-password", g_lab.dir);

	/* the first computer, from the lab's answers */
	assert_int_equal(enroll(g_lab.answers, state1, &out), 0);
	free(out);

	/* its answers, saved */
	assert_int_equal(save_answers(next, state1, g_lab.answers, false, &out), 0);
	assert_non_null(strstr(out, "answers saved to"));
	free(out);
	struct stat sb;
	assert_int_equal(stat(next, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char *text = test_read_file(next);
	char *ca_pw = first_line(g_lab.password_file);
	char *pfx_pw = first_line(pfx_pw_file);
	assert_true(strlen(ca_pw) > 3 && strlen(pfx_pw) > 3);
	assert_null(strstr(text, ca_pw));
	assert_null(strstr(text, pfx_pw));
	snprintf(line, sizeof(line), "\n; pfx = %s/agent01.pfx  ; differs per computer", g_lab.dir);
	HAS(text, "\ntemplate = OpsMgr\n", "\nmanagement_group = LAB\n",
	    "\n; fqdn = agent01.lab.test  ;", line);
	assert_null(strstr(text, "\npassword_file"));

	/* not replaced unless told */
	assert_int_equal(save_answers(next, state1, g_lab.answers, false, &out), 2);
	assert_non_null(strstr(out, "already exists"));
	free(out);
	char *again = test_read_file(next);
	assert_string_equal(again, text);
	free(again);
	assert_int_equal(save_answers(next, state1, g_lab.answers, true, &out), 0);
	free(out);

	/* the next computer: its name and the password files filled in */
	snprintf(line, sizeof(line), "password_file = %s", g_lab.password_file);
	text = replace_line(text, "; password_file = ", line);
	snprintf(line, sizeof(line), "password_file = %s", pfx_pw_file);
	text = replace_line(text, "; password_file = ", line);
	text = replace_line(text, "; fqdn = ", "fqdn = agent02.lab.test");
	assert_int_equal(test_write_file(filled, text), 0);
	free(text);

	assert_int_equal(enroll(filled, state2, &out), 0);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char want[64];
		snprintf(want, sizeof(want), "[%d/%d] %s ...", s, STAGE_LAST,
			 stage_title((enum stage)s));
		assert_non_null(strstr(out, want));
	}
	free(out);
	/* its PFX where the default puts it, named for it */
	snprintf(line, sizeof(line), "%s/agent02.lab.test.pfx", state2);
	assert_int_equal(stat(line, &sb), 0);
	char *state_text = NULL;
	snprintf(line, sizeof(line), "%s/state", state2);
	state_text = test_read_file(line);
	assert_non_null(strstr(state_text, "agent02.lab.test"));
	free(state_text);
	free(ca_pw);
	free(pfx_pw);
}

/* From the state directory alone: the answers its stages recorded, the
 * root stage 1 trusted pinned, the CA account asked for. */
static void test_answers_of_a_state_alone(void **st)
{
	(void)st;
	char state1[600], file[600], *out = NULL, *labini, line[200];
	work_path(state1, sizeof(state1), "state1");
	work_path(file, sizeof(file), "from-state.ini");
	if (access(state1, F_OK) != 0) {
		assert_int_equal(enroll(g_lab.answers, state1, &out), 0);
		free(out);
	}
	assert_int_equal(save_answers(file, state1, NULL, false, &out), 0);
	free(out);
	char *text = test_read_file(file);
	assert_non_null(text);
	HAS(text, "\ntemplate = OpsMgr\n", "\nmanagement_group = LAB\n",
	    "\nserver = localhost\n", "\n; fqdn = agent01.lab.test  ;",
	    "\n; user = ca-user  ;", "\n; password_file = /path/to/file  ;");
	/* the lab's root, as lab.ini names it */
	char ini[600];
	snprintf(ini, sizeof(ini), "%s/lab.ini", g_lab.dir);
	labini = test_read_file(ini);
	char *pin = strstr(labini, "root_sha256 = ");
	assert_non_null(pin);
	pin += strlen("root_sha256 = ");
	pin[strcspn(pin, "\n")] = '\0';
	for (char *p = pin; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	snprintf(line, sizeof(line), "\nsha256 = %s\n", pin);
	if (!strstr(text, line))
		fail_msg("no '%s' in:\n%s", line + 1, text);
	free(labini);
	free(text);

	/* no enrollment there and no files: nothing to save */
	char empty[600];
	work_path(empty, sizeof(empty), "empty-state");
	work_path(file, sizeof(file), "nothing.ini");
	assert_int_equal(save_answers(file, empty, NULL, false, &out), 2);
	assert_non_null(strstr(out, "nothing to save"));
	free(out);
	assert_int_equal(access(file, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saved_answers_run_the_next_enrollment),
		cmocka_unit_test(test_answers_of_a_state_alone),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
