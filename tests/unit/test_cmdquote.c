/*
 * test_cmdquote.c - the one quoting rule for values that reach cmd.exe and
 * msiexec (windows/cmdquote.c): what is refused and why (control
 * characters, '"', non-ASCII, a trailing '\'), when an argument is quoted,
 * '%' doubled only in a batch file, the `set "NAME=value"` line, and the
 * echo writer for fixed text (specials escaped outside quotes only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "windows/cmdquote.h"

static void test_check(void **state)
{
	(void)state;
	char why[160];
	static const char *const ok[] = {
		"", "plain", "two words", "50% off", "a^b&c|d<e>f", "(x),y;z=1",
		"Bang!", "back\\slash inside", "'single'",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(cmdquote_check(ok[i], why, sizeof(why)), 0);
	static const struct {
		const char *v, *says;
	} bad[] = {
		{ "say \"hi\"", "'\"'" },
		{ "a\rb", "0x0D" },
		{ "a\nb", "0x0A" },
		{ "a\tb", "0x09" },
		{ "a\x7f", "0x7F" },
		{ "caf\xc3\xa9", "non-ASCII byte 0xC3" },
		{ "dir\\", "ends in '\\'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cmdquote_check(bad[i].v, why, sizeof(why)),
				 -1);
		if (!strstr(why, bad[i].says))
			fail_msg("'%s' does not say %s", why, bad[i].says);
	}
	assert_int_equal(cmdquote_check(NULL, why, sizeof(why)), -1);
}

static void expect_arg(const char *v, bool always, bool batch,
		       const char *want)
{
	char *q = cmdquote_arg(v, always, batch);
	if (!want) {
		assert_null(q);
		return;
	}
	assert_non_null(q);
	assert_string_equal(q, want);
	free(q);
}

static void test_arg(void **state)
{
	(void)state;
	expect_arg("plain", false, true, "plain");
	expect_arg("plain", true, true, "\"plain\"");
	expect_arg("two words", false, false, "\"two words\"");
	expect_arg("", false, false, "\"\"");
	expect_arg("a&b", false, false, "\"a&b\"");
	expect_arg("a!b", false, false, "\"a!b\"");
	expect_arg("50%", false, true, "\"50%%\"");
	expect_arg("50%", false, false, "\"50%\"");
	expect_arg("say \"hi\"", true, false, NULL);
	expect_arg("line\r\nbreak", false, true, NULL);
	expect_arg(NULL, false, true, NULL);
}

static void test_set_line(void **state)
{
	(void)state;
	char *l = cmdquote_set_line("MG", "Ops 50% a^b&c!");
	assert_string_equal(l, "set \"MG=Ops 50%% a^b&c!\"");
	free(l);
	l = cmdquote_set_line("EMPTY", "");
	assert_string_equal(l, "set \"EMPTY=\"");
	free(l);
	assert_null(cmdquote_set_line("MG", "a\"b"));
	assert_null(cmdquote_set_line("mg", "x"));
	assert_null(cmdquote_set_line("A B", "x"));
	assert_null(cmdquote_set_line("", "x"));
}

static char *echo_of(const char *text, bool *inq)
{
	struct strbuf b = STRBUF_INIT;
	if (cmdquote_echo(&b, text, strlen(text), inq) != 0) {
		strbuf_release(&b);
		return NULL;
	}
	strbuf_puts(&b, "");
	return strbuf_take(&b);
}

static void test_echo(void **state)
{
	(void)state;
	bool inq = false;
	char *e = echo_of("a (b) & c | d < e > f 100%", &inq);
	assert_string_equal(e, "a ^(b^) ^& c ^| d ^< e ^> f 100%%");
	assert_false(inq);
	free(e);
	/* inside quotes cmd takes them literally: no caret */
	e = echo_of("choose \"Run (as) administrator\" (x)", &inq);
	assert_string_equal(e, "choose \"Run (as) administrator\" ^(x^)");
	free(e);
	/* the quote state carries over to the next piece */
	e = echo_of("open \"", &inq);
	assert_true(inq);
	free(e);
	e = echo_of("(in) quotes\" (out)", &inq);
	assert_string_equal(e, "(in) quotes\" ^(out^)");
	assert_false(inq);
	free(e);
	/* what it cannot write */
	assert_null(echo_of("bang!", &inq));
	assert_null(echo_of("caret ^", &inq));
	assert_null(echo_of("tab\there", &inq));
	assert_null(echo_of("caf\xc3\xa9", &inq));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_arg),
		cmocka_unit_test(test_set_line),
		cmocka_unit_test(test_echo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
