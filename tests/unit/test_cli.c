/*
 * test_cli.c - command-line parsing of opsmgr-enroll (wizard/cli.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int parse(struct cli *c, char *err, int argc, ...)
{
	char *argv[16];
	va_list ap;
	va_start(ap, argc);
	argv[0] = "opsmgr-enroll";
	for (int i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return cli_parse(argc, argv, c, err, 256);
}

static void test_wizard_options(void **st)
{
	(void)st;
	struct cli c;
	char err[256];
	assert_int_equal(parse(&c, err, 7, "--answers", "a.ini", "--state-dir",
			       "/tmp/s", "--non-interactive", "--stages=2-4"), 0);
	assert_int_equal(c.cmd, CLI_WIZARD);
	assert_string_equal(c.flow.answers_path, "a.ini");
	assert_string_equal(c.flow.state_dir, "/tmp/s");
	assert_true(c.non_interactive);
	assert_false(c.flow.interactive);
	assert_int_equal(c.flow.stage_from, 2);
	assert_int_equal(c.flow.stage_to, 4);
}

/* Stage 2's answers given up front, and the history command's options. */
static void test_request_options_and_history(void **st)
{
	(void)st;
	struct cli c;
	char err[256];
	assert_int_equal(parse(&c, err, 3, "--abandon-pending", "--new-key"), 0);
	assert_int_equal(c.cmd, CLI_WIZARD);
	assert_true(c.abandon_pending);
	assert_true(c.new_key);
	assert_int_equal(parse(&c, err, 1), 0);
	assert_false(c.abandon_pending);
	assert_false(c.new_key);

	assert_int_equal(parse(&c, err, 7, "history", "--json", "--state-dir",
			       "/tmp/s", "--answers", "a.ini"), 0);
	assert_int_equal(c.cmd, CLI_HISTORY);
	assert_true(c.check.json);
	assert_string_equal(c.flow.state_dir, "/tmp/s");
	assert_string_equal(c.flow.answers_path, "a.ini");
	/* the wizard's options are not history's */
	assert_int_equal(parse(&c, err, 3, "history", "--abandon-pending"), -1);
	assert_non_null(strstr(err, "--abandon-pending"));
	assert_int_equal(parse(&c, err, 3, "check", "--new-key"), -1);
	assert_int_equal(parse(&c, err, 2, "histroy"), -1);
	assert_non_null(strstr(err, "'history'"));
}

static void test_stages(void **st)
{
	(void)st;
	int a, b;
	assert_int_equal(cli_parse_stages("6", &a, &b), 0);
	assert_int_equal(a, 6);
	assert_int_equal(b, 6);
	assert_int_equal(cli_parse_stages("1-7", &a, &b), 0);
	assert_int_equal(a, STAGE_FIRST);
	assert_int_equal(b, STAGE_LAST);
	assert_int_equal(cli_parse_stages("0-3", &a, &b), -1);
	assert_int_equal(cli_parse_stages("4-2", &a, &b), -1);
	assert_int_equal(cli_parse_stages("1-8", &a, &b), -1);
	assert_int_equal(cli_parse_stages("x", &a, &b), -1);
	assert_int_equal(cli_parse_stages("2-", &a, &b), -1);
	assert_int_equal(cli_parse_stages("2-3x", &a, &b), -1);
}

static void test_errors(void **st)
{
	(void)st;
	struct cli c;
	char err[256];
	assert_int_equal(parse(&c, err, 2, "--bogus"), -1);
	assert_non_null(strstr(err, "unknown option '--bogus'"));
	assert_int_equal(parse(&c, err, 2, "--answers"), -1);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse(&c, err, 3, "--stages", "9"), -1);
	assert_non_null(strstr(err, "--stages '9'"));
	assert_non_null(strstr(err, "with 1 <= A <= B <= 7"));
	assert_int_equal(parse(&c, err, 2, "enroll"), -1);
	assert_non_null(strstr(err, "unexpected argument 'enroll'"));
}

static void test_check_command(void **st)
{
	(void)st;
	struct cli c;
	char err[256];
	assert_int_equal(parse(&c, err, 9, "check", "--json", "--cert", "c.pem",
			       "--key", "k.pem", "--fqdn", "a.b.c"), 0);
	assert_int_equal(c.cmd, CLI_CHECK);
	assert_true(c.check.json);
	assert_string_equal(c.check.cert_path, "c.pem");
	assert_string_equal(c.check.fqdn, "a.b.c");
	assert_int_equal(parse(&c, err, 4, "check", "--cert", "c.pem"), -1);
	assert_non_null(strstr(err, "--cert and --key go together"));
	assert_int_equal(parse(&c, err, 4, "check", "--pfx", "a.pfx"), -1);
	assert_non_null(strstr(err, "--password-file"));
	/* --password-file alone: the state's PFX (typed during enrollment) */
	assert_int_equal(parse(&c, err, 4, "check", "--password-file", "p"), 0);
	assert_string_equal(c.check.password_file, "p");
	assert_null(c.check.pfx_path);
	assert_int_equal(parse(&c, err, 8, "check", "--pfx", "a.pfx",
			       "--password-file", "p", "--cert", "c"), -1);
	/* options of the other command are unknown, abbreviations still work */
	assert_int_equal(parse(&c, err, 2, "--json"), -1);
	assert_non_null(strstr(err, "unknown option '--json'"));
	assert_int_equal(parse(&c, err, 3, "check", "--version"), -1);
	assert_int_equal(parse(&c, err, 4, "check", "--s", "dir"), 0);
	assert_string_equal(c.flow.state_dir, "dir");
	assert_int_equal(parse(&c, err, 3, "--st", "dir"), -1);  /* ambiguous */
	assert_int_equal(parse(&c, err, 2, "--non"), 0);
	assert_true(c.non_interactive);
	/* check has no --non-interactive / --stages */
	assert_int_equal(parse(&c, err, 3, "check", "--stages=1"), -1);
	/* "check" only counts as the first word */
	assert_int_equal(parse(&c, err, 3, "--json", "check"), -1);
}

static void test_help_version(void **st)
{
	(void)st;
	struct cli c;
	char err[256];
	assert_int_equal(parse(&c, err, 2, "--help"), 0);
	assert_int_equal(c.cmd, CLI_HELP);
	assert_int_equal(parse(&c, err, 2, "--version"), 0);
	assert_int_equal(c.cmd, CLI_VERSION);
	assert_int_equal(parse(&c, err, 3, "check", "--help"), 0);
	assert_int_equal(c.cmd, CLI_HELP);
}

/* renew: its own options, --before as a duration, the wizard's and
 * check's options refused. */
static void test_renew_command(void **st)
{
	(void)st;
	struct cli c;
	char err[256];
	assert_int_equal(parse(&c, err, 8, "renew", "--if-due", "--before",
			       "12h", "--non-interactive", "--state-dir",
			       "/tmp/s"), 0);
	assert_int_equal(c.cmd, CLI_RENEW);
	assert_true(c.if_due);
	assert_int_equal(c.before_s, 12 * 3600);
	assert_true(c.non_interactive);
	assert_false(c.flow.interactive);
	assert_string_equal(c.flow.state_dir, "/tmp/s");
	assert_int_equal(parse(&c, err, 2, "renew"), 0);
	assert_false(c.if_due);
	assert_int_equal(c.before_s, -1);   /* the default window */
	assert_true(c.flow.interactive);
	assert_int_equal(parse(&c, err, 3, "renew", "--before=30d"), 0);
	assert_int_equal(c.before_s, 30LL * 86400);
	assert_int_equal(parse(&c, err, 3, "renew", "--before=30"), -1);
	assert_non_null(strstr(err, "--before: "));
	assert_non_null(strstr(err, "'30'"));
	assert_int_equal(parse(&c, err, 3, "renew", "--before=0m"), -1);
	assert_int_equal(parse(&c, err, 3, "renew", "--before"), -1);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse(&c, err, 3, "renew", "--stages=2"), -1);
	assert_int_equal(parse(&c, err, 3, "renew", "--json"), -1);
	assert_int_equal(parse(&c, err, 2, "--if-due"), -1);
	assert_int_equal(parse(&c, err, 3, "renew", "now"), -1);
	assert_int_equal(parse(&c, err, 3, "renew", "--help"), 0);
	assert_int_equal(c.cmd, CLI_HELP);
}

/* The usage text names the stages from the stage table, wrapped as it
 * always was. */
static void test_usage_from_table(void **st)
{
	(void)st;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_non_null(m);
	cli_usage(m);
	fclose(m);
	assert_non_null(strstr(text,
		"\nEnrolls an Operations Manager agent (or management server) on a computer\n"
		"outside the domain with certificates, in seven stages: 1 trust root,\n"
		"2 request, 3 verify, 4 export, 5 install agent, 6 import serial,\n"
		"7 await approval.  Without --non-interactive it opens the wizard and\n"
		"resumes saved progress.\n\n  --config FILE"));
	assert_non_null(strstr(text, "only stages A to B (1-7), e.g."));
	assert_non_null(strstr(text, "opsmgr-enroll renew [--if-due] [--before "
				"DURATION] [--non-interactive]"));
	assert_non_null(strstr(text, "\n(11 trust root ... 17 await approval); 75 "));
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char want[64];
		snprintf(want, sizeof(want), "%d %c%s", s,
			 stage_title((enum stage)s)[0] - 'A' + 'a',
			 stage_title((enum stage)s) + 1);
		assert_non_null(strstr(text, want));
	}
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1)
		assert_true(nl - line <= 88);
	free(text);
}

/* config-template: no option but --help, no argument. */
static void test_config_template_command(void **st)
{
	(void)st;
	struct cli c;
	char err[256];
	assert_int_equal(parse(&c, err, 2, "config-template"), 0);
	assert_int_equal(c.cmd, CLI_CONFIG_TEMPLATE);
	assert_int_equal(parse(&c, err, 3, "config-template", "--state-dir=/x"), -1);
	assert_non_null(strstr(err, "--state-dir"));
	assert_int_equal(parse(&c, err, 3, "config-template", "extra"), -1);
	assert_int_equal(parse(&c, err, 3, "config-template", "--help"), 0);
	assert_int_equal(c.cmd, CLI_HELP);
	assert_int_equal(parse(&c, err, 2, "config-templates"), -1);
	assert_non_null(strstr(err, "'config-template'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wizard_options),
		cmocka_unit_test(test_request_options_and_history),
		cmocka_unit_test(test_stages),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_check_command),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_renew_command),
		cmocka_unit_test(test_config_template_command),
		cmocka_unit_test(test_usage_from_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
