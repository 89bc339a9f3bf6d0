/*
 * test_text.c - backend/core/text.c: one hex digit's value, and the length
 * of one valid UTF-8 sequence (every way a sequence can be invalid).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/text.h"

static void test_hex_digit(void **st)
{
	(void)st;
	static const char HEX[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		assert_int_equal(text_hex_digit(HEX[i]), i);
		assert_int_equal(text_hex_digit(HEX[i] >= 'a' ? HEX[i] - 32 : HEX[i]),
				 i);
	}
	static const int BAD[] = { 'g', 'G', '/', ':', '@', '`', ' ', 0, -1,
				   0xC3 };
	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++)
		assert_int_equal(text_hex_digit(BAD[i]), -1);
}

static size_t seq(const char *s)
{
	return text_utf8_seq((const unsigned char *)s, strlen(s));
}

static void test_utf8_seq(void **st)
{
	(void)st;
	static const struct {
		const char *s;
		size_t len;
	} CASES[] = {
		{ "a", 1 },
		{ "\x7f", 1 },
		{ "\xc3\xa9", 2 },                /* U+00E9 */
		{ "\xdf\xbf", 2 },                /* U+07FF */
		{ "\xe2\x82\xac", 3 },            /* U+20AC */
		{ "\xef\xbf\xbf", 3 },            /* U+FFFF */
		{ "\xf0\x9f\x98\x80", 4 },        /* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4 },        /* U+10FFFF */
		{ "\x80", 0 },                    /* stray continuation */
		{ "\xc0\x80", 0 },                /* overlong NUL */
		{ "\xc1\xbf", 0 },                /* overlong */
		{ "\xe0\x9f\xbf", 0 },            /* overlong 3-byte */
		{ "\xf0\x8f\xbf\xbf", 0 },        /* overlong 4-byte */
		{ "\xed\xa0\x80", 0 },            /* surrogate U+D800 */
		{ "\xed\xbf\xbf", 0 },            /* surrogate U+DFFF */
		{ "\xf4\x90\x80\x80", 0 },        /* beyond U+10FFFF */
		{ "\xf5\x80\x80\x80", 0 },        /* no such lead byte */
		{ "\xff", 0 },
		{ "\xc3(", 0 },                   /* not a continuation */
		{ "\xe2\x82", 0 },                /* cut short */
	};
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++)
		if (seq(CASES[i].s) != CASES[i].len)
			fail_msg("case %zu: %zu, want %zu", i, seq(CASES[i].s),
				 CASES[i].len);
	/* avail limits the read; a NUL inside the sequence ends it */
	const unsigned char euro[] = { 0xe2, 0x82, 0xac };
	assert_int_equal(text_utf8_seq(euro, 3), 3);
	assert_int_equal(text_utf8_seq(euro, 2), 0);
	assert_int_equal(text_utf8_seq(euro, 0), 0);
	const unsigned char nul[] = { 0xc3, 0x00 };
	assert_int_equal(text_utf8_seq(nul, 2), 0);
	/* U+0000 itself is one byte */
	assert_int_equal(text_utf8_seq(nul + 1, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_digit),
		cmocka_unit_test(test_utf8_seq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
