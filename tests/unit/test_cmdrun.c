/*
 * test_cmdrun.c - backend/sys/cmdrun.c, the one runner for configured
 * commands: exit 0, a non-zero exit with the output's tail, the time-out
 * (and its default), a program that cannot start, a command that cannot be
 * split or is not set, a cancel, the extra environment, "{agent}" and the
 * fixed tail size.  Every message starts with the setting's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "sys/cmdrun.h"

static struct cmdrun spec(const char *cmdline)
{
	struct cmdrun s = {
		.setting = "install_command",
		.field = "agent.install_command",
		.check = DIAG_AGENT_INSTALL,
		.cmdline = cmdline,
	};
	return s;
}

static void test_exit_zero(void **state)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct cmdrun s = spec("printf 'hello\\n'");
	struct cmdrun_result r;
	assert_int_equal(cmdrun_run(&s, NULL, &r, &dl), ST_OK);
	assert_true(cmdrun_exited(&r, 0));
	assert_false(cmdrun_exited(&r, 1));
	assert_int_equal(dl.n, 0);
	assert_string_equal(r.program, "printf");
	assert_string_equal(r.tail, "hello");
	/* the one default: [agent] command_timeout's */
	assert_int_equal(r.timeout_ms, CONFIG_DEFAULT_COMMAND_TIMEOUT * 1000);
	const struct diag *d = cmdrun_report(&s, &r, SEV_PASS, NULL, "done",
					     &dl);
	assert_non_null(d);
	assert_string_equal(d->message,
			    "install_command 'printf' exited with status 0 (done)");
	assert_string_equal(d->field, "agent.install_command");
	assert_int_equal(d->check, DIAG_AGENT_INSTALL);
	cmdrun_result_release(&r);
	diag_list_release(&dl);
}

static void test_nonzero_with_tail(void **state)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct cmdrun s = spec("sh -c 'echo working; echo MSI error 1603 >&2; exit 3'");
	struct cmdrun_result r;
	assert_int_equal(cmdrun_run(&s, NULL, &r, &dl), ST_OK);
	assert_true(cmdrun_exited(&r, 3));
	const struct diag *d = cmdrun_report(&s, &r, SEV_FAIL, "fix it", NULL,
					     &dl);
	assert_string_equal(d->message,
			    "install_command 'sh' exited with status 3; last "
			    "output: working MSI error 1603");
	assert_string_equal(d->fix, "fix it");
	assert_int_equal(d->sev, SEV_FAIL);
	cmdrun_result_release(&r);

	/* no output at all */
	s.cmdline = "false";
	assert_int_equal(cmdrun_run(&s, NULL, &r, &dl), ST_OK);
	d = cmdrun_report(&s, &r, SEV_FAIL, NULL, NULL, &dl);
	assert_string_equal(d->message,
			    "install_command 'false' exited with status 1 (no output)");
	cmdrun_result_release(&r);
	diag_list_release(&dl);
}

static void test_tail_is_fixed_size(void **state)
{
	struct diag_list dl;
	diag_list_init(&dl);
	/* 1000 'a', then the end that matters */
	struct cmdrun s = spec("sh -c 'head -c 1000 /dev/zero | tr \"\\\\0\" a; echo; echo THE END'");
	struct cmdrun_result r;
	assert_int_equal(cmdrun_run(&s, NULL, &r, &dl), ST_OK);
	assert_int_equal(strlen(r.tail), CMDRUN_TAIL_MAX);
	size_t n = strlen(r.tail);
	assert_string_equal(r.tail + n - 7, "THE END");
	/* the newline became a blank */
	assert_int_equal(r.tail[n - 8], ' ');
	cmdrun_result_release(&r);
	diag_list_release(&dl);
}

static void test_timeout(void **state)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct cmdrun s = spec("sleep 30");
	s.timeout_s = 1;
	struct cmdrun_result r;
	assert_int_equal(cmdrun_run(&s, NULL, &r, &dl), ST_OK);
	assert_true(r.proc.timed_out);
	assert_false(cmdrun_exited(&r, 0));
	const struct diag *d = cmdrun_report(&s, &r, SEV_FAIL, "not this", NULL,
					     &dl);
	assert_non_null(strstr(d->message,
			       "install_command 'sleep' timed out after 1 s"));
	assert_non_null(strstr(d->fix, "command_timeout"));
	cmdrun_result_release(&r);
	diag_list_release(&dl);
}

static void test_cannot_start(void **state)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct cmdrun s = spec("/nonexistent/installer --now");
	struct cmdrun_result r;
	assert_int_equal(cmdrun_run(&s, NULL, &r, &dl), ST_FAIL);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].sev, SEV_FAIL);
	assert_int_equal(dl.items[0].check, DIAG_AGENT_INSTALL);
	assert_string_equal(dl.items[0].field, "agent.install_command");
	assert_non_null(strstr(dl.items[0].message,
			       "install_command: cannot run '/nonexistent/installer'"));
	cmdrun_result_release(&r);
	diag_list_release(&dl);

	/* cannot be split */
	s.cmdline = "install 'unterminated";
	assert_int_equal(cmdrun_run(&s, NULL, &r, &dl), ST_FAIL);
	assert_non_null(strstr(dl.items[0].message,
			       "install_command: cannot use 'install 'unterminated'"));
	assert_non_null(strstr(dl.items[0].message, "unterminated single quote"));
	cmdrun_result_release(&r);
	diag_list_release(&dl);

	/* not set */
	s.cmdline = "";
	assert_int_equal(cmdrun_run(&s, NULL, &r, &dl), ST_FAIL);
	assert_string_equal(dl.items[0].message,
			    "install_command: no command is set");
	assert_non_null(strstr(dl.items[0].fix, "agent.install_command"));
	cmdrun_result_release(&r);
	diag_list_release(&dl);
}

static int cancel_now(void *ud)
{
	return *(int *)ud;
}

static void test_cancelled(void **state)
{
	struct diag_list dl;
	diag_list_init(&dl);
	int cancel = 1;
	struct hooks h = { .cancelled = cancel_now, .ud = &cancel };
	struct cmdrun s = spec("sleep 30");
	struct cmdrun_result r;
	assert_int_equal(cmdrun_run(&s, &h, &r, &dl), ST_CANCELLED);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].check, DIAG_CANCELLED);
	assert_int_equal(dl.items[0].sev, SEV_INFO);
	assert_string_equal(dl.items[0].message,
			    "install_command 'sleep' was stopped: cancelled");
	cmdrun_result_release(&r);
	diag_list_release(&dl);
}

struct lines {
	char buf[256];
};

static void on_line(void *ud, const char *line)
{
	struct lines *l = ud;
	strncat(l->buf, line, sizeof(l->buf) - strlen(l->buf) - 2);
	strcat(l->buf, "|");
}

static void test_env_agent_and_lines(void **state)
{
	struct diag_list dl;
	diag_list_init(&dl);
	const char *env[] = { "OPSMGR_TEST_A", "one", "OPSMGR_TEST_B", "two",
			      NULL };
	struct cmdrun s = spec("sh -c 'echo $OPSMGR_TEST_A $OPSMGR_TEST_B; "
			       "echo \"$1\"' sh --agent={agent}/{agent}");
	s.env = env;
	s.agent = "a.contoso.com";
	struct lines l = { "" };
	struct hooks h = { .line = on_line, .ud = &l };
	struct cmdrun_result r;
	assert_int_equal(cmdrun_run(&s, &h, &r, &dl), ST_OK);
	assert_true(cmdrun_exited(&r, 0));
	assert_string_equal(l.buf,
			    "one two|--agent=a.contoso.com/a.contoso.com|");
	cmdrun_result_release(&r);
	diag_list_release(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_zero),
		cmocka_unit_test(test_nonzero_with_tail),
		cmocka_unit_test(test_tail_is_fixed_size),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cannot_start),
		cmocka_unit_test(test_cancelled),
		cmocka_unit_test(test_env_agent_and_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
