/*
 * test_regfile.c - the Windows .reg text of stage 6 (backend/windows/regfile.c):
 * byte-for-byte against tests/data/serial/doc-example.reg (the example of
 * opsmgr-facts.md: serial AF 3C 56 -> registry 56,3c,af), hex lists, long
 * serials on one line, and bad input refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "windows/regfile.h"
#include "run_capture.h"
#include "unit_util.h"

static void test_doc_example_byte_for_byte(void **state)
{
	char err[256];
	size_t len = 0;
	char *got = regfile_format("563CAF",
				   "0123456789abcdef0123456789ABCDEF01234567",
				   &len, err, sizeof(err));
	assert_non_null(got);
	assert_int_equal(len, strlen(got));
	char *path = test_data_path("serial", "doc-example.reg");
	char *want = test_read_file(path);
	assert_non_null(want);
	assert_string_equal(got, want);
	free(path);
	free(want);
	free(got);
}

static void test_crlf_everywhere(void **state)
{
	char err[256];
	char *got = regfile_format("01", "0123456789ABCDEF0123456789ABCDEF01234567",
				   NULL, err, sizeof(err));
	assert_non_null(got);
	/* every LF is preceded by CR, and the text ends with CRLF */
	for (const char *p = got; *p; p++)
		if (*p == '\n')
			assert_true(p > got && p[-1] == '\r');
	size_t n = strlen(got);
	assert_true(n > 2 && got[n - 2] == '\r' && got[n - 1] == '\n');
	assert_non_null(strstr(got, "[" REGFILE_KEY "]\r\n"));
	free(got);
}

static void test_hex_list(void **state)
{
	char *s = regfile_hex_list("AB");
	assert_string_equal(s, "ab");
	free(s);
	s = regfile_hex_list("00af3C56");
	assert_string_equal(s, "00,af,3c,56");
	free(s);
	assert_null(regfile_hex_list(""));
	assert_null(regfile_hex_list("ABC"));
	assert_null(regfile_hex_list("AG"));
	assert_null(regfile_hex_list("AB CD"));
	assert_null(regfile_hex_list(NULL));
}

static void test_long_serial_one_line(void **state)
{
	char err[256];
	/* 21 bytes: a 20-byte serial with its leading 00 */
	const char *rev = "131211100F0E0D0C0B0A090807060504030201FF00";
	char *got = regfile_format(rev, "0123456789ABCDEF0123456789ABCDEF01234567",
				   NULL, err, sizeof(err));
	assert_non_null(got);
	const char *line = strstr(got, "\"ChannelCertificateSerialNumber\"=hex:");
	assert_non_null(line);
	const char *eol = strstr(line, "\r\n");
	assert_non_null(eol);
	const char *want = "\"ChannelCertificateSerialNumber\"=hex:"
			   "13,12,11,10,0f,0e,0d,0c,0b,0a,09,08,07,06,05,04,"
			   "03,02,01,ff,00";
	assert_int_equal((size_t)(eol - line), strlen(want));
	assert_memory_equal(line, want, strlen(want));
	assert_null(strstr(got, ",\\"));   /* not wrapped */
	free(got);
}

static void test_bad_input(void **state)
{
	char err[256];
	err[0] = '\0';
	assert_null(regfile_format("ABC", "0123456789ABCDEF0123456789ABCDEF01234567",
				   NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "'ABC'"));
	assert_null(regfile_format("AB", "0123", NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "thumbprint '0123'"));
	assert_null(regfile_format("AB", "Z123456789ABCDEF0123456789ABCDEF01234567",
				   NULL, err, sizeof(err)));
	assert_null(regfile_format(NULL, NULL, NULL, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_example_byte_for_byte),
		cmocka_unit_test(test_crlf_everywhere),
		cmocka_unit_test(test_hex_list),
		cmocka_unit_test(test_long_serial_one_line),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
