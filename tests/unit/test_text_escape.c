/*
 * test_text_escape.c - the escape of outside text (backend/core/text.c).
 * text_escape_log, the escape every lab.log line goes through: printable
 * ASCII kept, a backslash doubled, a line break, ESC, DEL, NUL and
 * non-ASCII bytes as \xHH, so a client's URL cannot start a line of its
 * own or colour the terminal; a text too long is cut at an escape
 * boundary and ends in "...".  The terminal mode (text_escape_dup,
 * text_fputs, what every printed diagnostic goes through): the same
 * controls and invalid UTF-8 as \xHH, also the C1 controls, valid
 * printable UTF-8 and a backslash kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
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

/* Every byte of out printable ASCII or part of valid UTF-8 that is not a
 * C1 control. */
static void assert_terminal_safe(const char *out)
{
	const unsigned char *p = (const unsigned char *)out;
	while (*p) {
		size_t n = text_utf8_seq(p, strlen((const char *)p));
		assert_true(n > 0);
		if (n == 1)
			assert_true(*p >= 0x20 && *p < 0x7f);
		else
			assert_false(p[0] == 0xC2 && p[1] < 0xA0);
		p += n;
	}
}

static void test_terminal(void **st)
{
	(void)st;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain C:\\path", "plain C:\\path" },     /* '\\' kept */
		{ "ctl\x01x\x1b[31mred", "ctl\\x01x\\x1b[31mred" },
		{ "a\nb\r\tc\x7f", "a\\x0ab\\x0d\\x09c\\x7f" },
		/* UTF-8 kept; C1 (CSI U+009B, U+0085) escaped, U+00A0 kept */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92",
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92" },
		{ "\xc2\x9b" "2J\xc2\x85\xc2\xa0", "\\xc2\\x9b2J\\xc2\\x85\xc2\xa0" },
		/* invalid UTF-8: every byte visible */
		{ "bad\xff\xc3(\xed\xa0\x80\xe2\x82",
		  "bad\\xff\\xc3(\\xed\\xa0\\x80\\xe2\\x82" },
		/* escaping twice changes nothing */
		{ "ctl\\x01x\\x1b[31m", "ctl\\x01x\\x1b[31m" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = text_escape_dup(cases[i].in);
		assert_non_null(d);
		if (strcmp(d, cases[i].out) != 0)
			fail_msg("case %zu: got [%s], want [%s]", i, d,
				 cases[i].out);
		assert_terminal_safe(d);
		/* the stream writer writes the same */
		char *buf = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&buf, &len);
		text_fputs(cases[i].in, fp);
		fclose(fp);
		assert_string_equal(buf, d);
		free(buf);
		free(d);
	}
	assert_null(text_escape_dup(NULL));

	/* every byte value: nothing unsafe comes through */
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	char *d = text_escape_dup(all);
	assert_non_null(d);
	assert_terminal_safe(d);
	free(d);

	/* the bounded form cuts at a character boundary, never inside a
	 * UTF-8 sequence or an escape */
	char out[12];
	size_t n = text_escape(out, sizeof(out), "abcdef\xc3\xa9\x1bghi", 13,
			       TEXT_ESC_TERM);
	assert_string_equal(out, "abcdef\xc3\xa9...");
	assert_int_equal(n, 11);
	n = text_escape(out, sizeof(out), "abcdefgh\xe2\x82\xac", 11,
			TEXT_ESC_TERM);
	assert_string_equal(out, "abcdefgh\xe2\x82\xac");   /* fits */
	n = text_escape(out, sizeof(out), "abcdefghi\xe2\x82\xac", 12,
			TEXT_ESC_TERM);
	assert_string_equal(out, "abcdefgh...");
	assert_int_equal(n, 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
