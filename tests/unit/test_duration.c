/*
 * test_duration.c - backend/core/duration.c: every unit, the refusals
 * (empty, bare number, zero, negative, fraction, space, unknown unit,
 * trailing text, too long, overflow of the digits) with their words, the
 * value left alone on a refusal, and the text of a length of time in its
 * largest whole unit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/duration.h"

static void expect_ok(const char *text, long long want)
{
	struct verdict v;
	long long got = -1;

	if (duration_parse(text, &got, &v) != 0 || got != want ||
	    v.sev != SEV_PASS || v.msg[0])
		fail_msg("'%s': got %lld (want %lld), message \"%s\"", text,
			 got, want, v.msg);
}

static void expect_refused(const char *text, const char *needle)
{
	struct verdict v;
	long long got = 77;

	if (duration_parse(text, &got, &v) != -1 || v.sev != SEV_FAIL ||
	    got != 77 || !strstr(v.msg, needle) || !v.fix[0])
		fail_msg("'%s': got %lld, severity %d, message \"%s\" (want "
			 "\"%s\")", text ? text : "(null)", got, (int)v.sev,
			 v.msg, needle);
}

static void test_units(void **state)
{
	(void)state;
	expect_ok("45s", 45);
	expect_ok("10m", 600);
	expect_ok("12h", 43200);
	expect_ok("30d", 2592000);
	expect_ok("1s", 1);
	expect_ok("007m", 420);
	expect_ok("36500d", DURATION_MAX_S);
	expect_ok("3153600000s", DURATION_MAX_S);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_refused(NULL, "is empty");
	expect_refused("", "is empty");
	expect_refused("30", "'30' has no unit");
	expect_refused("0d", "'0d' is zero");
	expect_refused("000s", "is zero");
	expect_refused("-5m", "'-5m' is negative");
	expect_refused("1.5h", "'1.5h' is not a whole number");
	expect_refused("1,5h", "is not a whole number");
	expect_refused("d", "does not start with a number");
	expect_refused(" 5m", "does not start with a number");
	expect_refused("5 m", "unknown unit");
	expect_refused("5w", "'5w' has an unknown unit");
	expect_refused("5M", "unknown unit");
	expect_refused("5mm", "trailing text");
	expect_refused("5m ", "trailing text");
	expect_refused("36501d", "'36501d' is too long");
	expect_refused("3153600001s", "too long");
	expect_refused("99999999999999999999999999d", "too long");
}

static void test_long_text_cut(void **state)
{
	char text[200];
	struct verdict v;
	long long got;

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(duration_parse(text, &got, &v), -1);
	assert_non_null(strstr(v.msg, "xxx...' does not start"));
	assert_true(strlen(v.msg) < 120);
}

static void test_text(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(duration_text(0, b, sizeof(b)), "0 seconds");
	assert_string_equal(duration_text(1, b, sizeof(b)), "1 second");
	assert_string_equal(duration_text(59, b, sizeof(b)), "59 seconds");
	assert_string_equal(duration_text(60, b, sizeof(b)), "1 minute");
	assert_string_equal(duration_text(3599, b, sizeof(b)), "59 minutes");
	assert_string_equal(duration_text(7200, b, sizeof(b)), "2 hours");
	assert_string_equal(duration_text(86399, b, sizeof(b)), "23 hours");
	assert_string_equal(duration_text(86400, b, sizeof(b)), "1 day");
	assert_string_equal(duration_text(30 * 86400 + 5, b, sizeof(b)),
			    "30 days");
	assert_string_equal(duration_text(-125, b, sizeof(b)), "2 minutes");
	assert_string_equal(duration_text(-9223372036854775807LL - 1, b,
					  sizeof(b)),
			    "106751991167300 days");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_long_text_cut),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
