/*
 * test_runner_text.c - what the runner (`--non-interactive`) prints from
 * outside reaches the terminal escaped (issue 18 item 11): stage 7 with
 * [approval] source = command, against a port this test listens on, runs
 * a command whose output holds ESC [2J and the C1 CSI; the runner's
 * "  | " line shows them as \xHH and its whole output holds no raw
 * control byte.
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
#include "unit_util.h"

static void test_command_output_escaped(void **st)
{
	(void)st;
	char *dir = test_mkdtemp("runner-text-");
	int port = 0;
	int lfd = test_listen_loopback(&port);
	assert_true(lfd >= 0);
	char script[600], answers[600], state[600], text[2048];
	snprintf(script, sizeof(script), "%s/approve.sh", dir);
	assert_int_equal(test_write_file(script,
					 "#!/bin/sh\n"
					 "printf 'ok\\033[2J \\302\\233x\\n'\n"
					 "exit 0\n"), 0);
	assert_int_equal(chmod(script, 0700), 0);
	snprintf(answers, sizeof(answers), "%s/answers.ini", dir);
	snprintf(text, sizeof(text),
		 "[computer]\nfqdn = agent01.example.test\n"
		 "[agent]\nmanagement_group = LAB\nserver = 127.0.0.1\n"
		 "port = %d\n"
		 "[approval]\nsource = command\ncommand = %s\n", port, script);
	assert_int_equal(test_write_file(answers, text), 0);
	snprintf(state, sizeof(state), "%s/state", dir);

	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", answers, "--state-dir", state,
			       "--non-interactive", "--stages", "7-7", NULL };
	char *out = NULL;
	int rc = run_capture(argv, 120, &out);
	if (rc != 0 || !strstr(out, "  | ok\\x1b[2J \\xc2\\x9bx\n"))
		fprintf(stderr, "rc %d:\n%s\n", rc, out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "  | ok\\x1b[2J \\xc2\\x9bx\n"));
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f ||
		    (p[0] == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0))
			fail_msg("raw control byte 0x%02x", *p);
	free(out);
	free(bin);
	close(lfd);
	test_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_output_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
