/*
 * test_cmdrun.c - backend/sys/cmdrun.c, the one runner for configured
 * commands: exit 0, a non-zero exit with the output's tail, the time-out
 * (and its default), a program that cannot start, a command that cannot be
 * split or is not set, a cancel, the extra environment, "{agent}", the
 * caller's placeholders (one pass) and the fixed tail size.  Every message starts with the setting's name.
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
#include "line_sink.h"

struct fx {
	struct cmdrun spec;
	struct cmdrun_result r;
	struct diag_list dl;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->spec.setting = "install_command";
	f->spec.field = "agent.install_command";
	f->spec.check = DIAG_AGENT_INSTALL;
	diag_list_init(&f->dl);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	cmdrun_result_release(&f->r);
	diag_list_release(&f->dl);
	free(f);
	return 0;
}

/* Run cmdline afresh (the previous result and diagnostics dropped). */
static enum status run(struct fx *f, const char *cmdline,
		       const struct hooks *h)
{
	cmdrun_result_release(&f->r);
	diag_list_release(&f->dl);
	f->spec.cmdline = cmdline;
	return cmdrun_run(&f->spec, h, &f->r, &f->dl);
}

/* The only diagnostic cmdrun_run added. */
static const struct diag *only(const struct fx *f, enum diag_check check,
			       enum diag_severity sev)
{
	assert_int_equal(f->dl.n, 1);
	assert_int_equal(f->dl.items[0].check, check);
	assert_int_equal(f->dl.items[0].sev, sev);
	return &f->dl.items[0];
}

static void test_exit_zero(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, "printf 'hello\\n'", NULL), ST_OK);
	assert_true(cmdrun_exited(&f->r, 0));
	assert_false(cmdrun_exited(&f->r, 1));
	assert_int_equal(f->dl.n, 0);
	assert_string_equal(f->r.program, "printf");
	assert_string_equal(f->r.tail, "hello");
	/* the one default: [agent] command_timeout's */
	assert_int_equal(f->r.timeout_ms, CONFIG_DEFAULT_COMMAND_TIMEOUT * 1000);
	cmdrun_report(&f->spec, &f->r, SEV_PASS, NULL, "done", &f->dl);
	const struct diag *d = only(f, DIAG_AGENT_INSTALL, SEV_PASS);
	assert_string_equal(d->message,
			    "install_command 'printf' exited with status 0 (done)");
	assert_string_equal(d->field, "agent.install_command");
}

static void test_nonzero_with_tail(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, "sh -c 'echo working; echo MSI error 1603 >&2; "
				"exit 3'", NULL), ST_OK);
	assert_true(cmdrun_exited(&f->r, 3));
	cmdrun_report(&f->spec, &f->r, SEV_FAIL, "fix it", NULL, &f->dl);
	const struct diag *d = only(f, DIAG_AGENT_INSTALL, SEV_FAIL);
	assert_string_equal(d->message,
			    "install_command 'sh' exited with status 3; last "
			    "output: working MSI error 1603");
	assert_string_equal(d->fix, "fix it");

	/* no output at all */
	assert_int_equal(run(f, "false", NULL), ST_OK);
	cmdrun_report(&f->spec, &f->r, SEV_FAIL, NULL, NULL, &f->dl);
	assert_string_equal(only(f, DIAG_AGENT_INSTALL, SEV_FAIL)->message,
			    "install_command 'false' exited with status 1 (no output)");
}

static void test_tail_is_fixed_size(void **state)
{
	struct fx *f = *state;
	/* 1000 'a', then the end that matters */
	assert_int_equal(run(f, "sh -c 'head -c 1000 /dev/zero | tr \"\\\\0\" a; "
				"echo; echo THE END'", NULL), ST_OK);
	size_t n = strlen(f->r.tail);
	assert_int_equal(n, CMDRUN_TAIL_MAX);
	assert_string_equal(f->r.tail + n - 7, "THE END");
	/* the newline became a blank */
	assert_int_equal(f->r.tail[n - 8], ' ');
}

static void test_timeout(void **state)
{
	struct fx *f = *state;
	f->spec.timeout_s = 1;
	assert_int_equal(run(f, "sleep 30", NULL), ST_OK);
	assert_true(f->r.proc.timed_out);
	assert_false(cmdrun_exited(&f->r, 0));
	cmdrun_report(&f->spec, &f->r, SEV_FAIL, "not this", NULL, &f->dl);
	const struct diag *d = only(f, DIAG_AGENT_INSTALL, SEV_FAIL);
	assert_non_null(strstr(d->message,
			       "install_command 'sleep' timed out after 1 s"));
	assert_non_null(strstr(d->fix, "command_timeout"));
}

static void test_cannot_start(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, "/nonexistent/installer --now", NULL), ST_FAIL);
	const struct diag *d = only(f, DIAG_AGENT_INSTALL, SEV_FAIL);
	assert_string_equal(d->field, "agent.install_command");
	assert_non_null(strstr(d->message, "install_command: cannot run "
					   "'/nonexistent/installer'"));

	/* cannot be split */
	assert_int_equal(run(f, "install 'unterminated", NULL), ST_FAIL);
	d = only(f, DIAG_AGENT_INSTALL, SEV_FAIL);
	assert_non_null(strstr(d->message, "install_command: cannot use "
					   "'install 'unterminated'"));
	assert_non_null(strstr(d->message, "unterminated single quote"));

	/* not set */
	assert_int_equal(run(f, "", NULL), ST_FAIL);
	d = only(f, DIAG_AGENT_INSTALL, SEV_FAIL);
	assert_string_equal(d->message, "install_command: no command is set");
	assert_non_null(strstr(d->fix, "agent.install_command"));
}

static int cancel_now(void *ud)
{
	return *(int *)ud;
}

static void test_cancelled(void **state)
{
	struct fx *f = *state;
	int cancel = 1;
	struct hooks h = { .cancelled = cancel_now, .ud = &cancel };
	assert_int_equal(run(f, "sleep 30", &h), ST_CANCELLED);
	assert_string_equal(only(f, DIAG_CANCELLED, SEV_INFO)->message,
			    "install_command 'sleep' was stopped: cancelled");
}

static void test_env_agent_and_lines(void **state)
{
	struct fx *f = *state;
	const char *env[] = { "OPSMGR_TEST_A", "one", "OPSMGR_TEST_B", "two",
			      NULL };
	f->spec.env = env;
	f->spec.agent = "a.contoso.com";
	struct line_sink l = { 0 };
	struct hooks h = { .line = line_sink_add, .ud = &l };
	assert_int_equal(run(f, "sh -c 'echo $OPSMGR_TEST_A $OPSMGR_TEST_B; "
				"echo \"$1\"' sh --agent={agent}/{agent}", &h),
			 ST_OK);
	assert_true(cmdrun_exited(&f->r, 0));
	assert_string_equal(l.buf,
			    "one two|--agent=a.contoso.com/a.contoso.com|");
}

/* The caller's placeholders ({zip} {bundle} {fqdn} of push_command):
 * replaced inside every argument, in one pass, so a value that holds a
 * placeholder's text is not replaced again; an empty argument stays. */
static void test_subst_one_pass(void **state)
{
	struct fx *f = *state;
	const char *subst[] = { "{zip}", "/b/{fqdn}.zip", "{fqdn}", "a.test",
				"{bundle}", "", NULL };
	f->spec.subst = subst;
	struct line_sink l = { 0 };
	struct hooks h = { .line = line_sink_add, .ud = &l };
	assert_int_equal(run(f, "sh -c 'printf \"%s|\" \"$@\"; echo' sh "
				"{zip} u@{fqdn}:{zip} '' x{bundle}y {other}",
			     &h),
			 ST_OK);
	assert_true(cmdrun_exited(&f->r, 0));
	assert_string_equal(l.buf, "/b/{fqdn}.zip|u@a.test:/b/{fqdn}.zip||xy|"
				   "{other}||");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_exit_zero), T(test_nonzero_with_tail),
		T(test_tail_is_fixed_size), T(test_timeout), T(test_cannot_start),
		T(test_cancelled), T(test_env_agent_and_lines),
		T(test_subst_one_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
