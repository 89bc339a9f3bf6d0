/*
 * test_text_escape.c - text_escape_log (backend/core/text.c), the escape
 * every lab.log line goes through: printable ASCII kept, a backslash
 * doubled, a line break, ESC, DEL, NUL and non-ASCII bytes as \xHH, so
 * a client's URL cannot start a line of its own or colour the terminal;
 * a text too long is cut at an escape boundary and ends in "...".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/text.h"

static void test_escapes(void **st)
{
	(void)st;
	char out[256];
	static const char in[] = "GET /a\n2030 forged\x1b[31m\\x\x7f\xc3\xa9\r";
	size_t n = text_escape_log(out, sizeof(out), in, sizeof(in) - 1);
	assert_string_equal(out, "GET /a\\x0a2030 forged\\x1b[31m\\\\x\\x7f"
			    "\\xc3\\xa9\\x0d");
	assert_int_equal(n, strlen(out));
	/* a NUL inside the bytes is shown, not an end */
	n = text_escape_log(out, sizeof(out), "a\0b", 3);
	assert_string_equal(out, "a\\x00b");
	/* plain text unchanged */
	n = text_escape_log(out, sizeof(out), "plain text", 10);
	assert_string_equal(out, "plain text");
	assert_int_equal(n, 10);
}

static void test_cut(void **st)
{
	(void)st;
	char out[12];
	/* room for 11 characters: never half an escape, "..." at the end */
	size_t n = text_escape_log(out, sizeof(out), "abcdef\x1bghijkl", 13);
	assert_string_equal(out, "abcdef...");
	assert_int_equal(n, 9);
	n = text_escape_log(out, sizeof(out), "0123456789", 10);
	assert_string_equal(out, "0123456789");
	n = text_escape_log(out, sizeof(out), "0123456789a", 11);
	assert_string_equal(out, "0123456789a");
	n = text_escape_log(out, sizeof(out), "0123456789ab", 12);
	assert_string_equal(out, "01234567...");
	assert_int_equal(n, 11);
	n = text_escape_log(out, 1, "abc", 3);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	assert_int_equal(text_escape_log(out, 0, "abc", 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
