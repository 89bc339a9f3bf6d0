/*
 * test_console_lost.c - the operator's console goes away (ssh drop, closed
 * terminal): the interactive wizard gets SIGHUP and EIO on its terminal.
 * It must exit within seconds (not spin), and a later run must resume.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab_harness.h"
#include "robust_util.h"
#include "run_capture.h"

static void test_hangup_exits(void **st)
{
	(void)st;
	struct lab l;
	const char *extra[] = { "--auto-approve", "0", NULL };
	assert_int_equal(lab_start(&l, NULL, extra), 0);
	char *work = test_mkdtemp("hup-");
	char statedir[600];
	snprintf(statedir, sizeof(statedir), "%s/state", work);
	char *bin = test_build_path("opsmgr-enroll");
	int master = -1;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("TERM", "xterm", 1);
		execl(bin, bin, "--answers", l.answers, "--state-dir", statedir,
		      (char *)NULL);
		_exit(127);
	}
	/* let it draw its first screen */
	char buf[4096];
	long long t0 = ru_now_ms();
	size_t got = 0;
	while (ru_now_ms() - t0 < 5000 && got < 200) {
		ssize_t n = read(master, buf, sizeof(buf));
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	assert_true(got > 0);
	close(master);   /* the console is gone: SIGHUP, EIO */
	int rc = ru_wait(pid, 10000);
	if (rc < 0)
		fprintf(stderr, "the wizard was still running 10 s after its "
			"terminal went away (killed now)\n");
	assert_true(rc >= 0);

	/* the state it left lets a non-interactive run finish */
	const char *argv[] = { bin, "--answers", l.answers, "--state-dir",
			       statedir, "--non-interactive", NULL };
	char *out = NULL;
	rc = run_capture(argv, 300, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	free(out);
	free(bin);
	test_rm_rf(work);
	free(work);
	lab_stop(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hangup_exits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
