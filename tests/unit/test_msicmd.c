/*
 * test_msicmd.c - the silent MOMAgent.msi command line and install.cmd
 * (msicmd.c): the property names and order, quoting of values (spaces,
 * cmd.exe specials, '%' in a batch file), refusal of quotes and line
 * breaks, and install.cmd compared byte for byte with
 * tests/data/agent/install.cmd (CRLF line ends).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "core/validate.h"
#include "windows/msicmd.h"

static char *data_path(const char *name)
{
	static const char *const dirs[] = { "tests/data/agent",
					    "../tests/data/agent",
					    "../../tests/data/agent" };
	char buf[4096];
	const char *b = getenv("OPSMGR_BUILD_DIR");
	if (b) {
		snprintf(buf, sizeof(buf), "%s/../tests/data/agent/%s", b,
			 name);
		if (fs_exists(buf))
			return strdup(buf);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(buf, sizeof(buf), "%s/%s", dirs[i], name);
		if (fs_exists(buf))
			return strdup(buf);
	}
	return NULL;
}

/* The quoting rule itself is windows/cmdquote.h's (test_cmdquote); here:
 * the line uses it. */
static void test_quote(void **state)
{
	char *l = msicmd_line("a&b", "two words", 5723, true);
	assert_non_null(l);
	assert_non_null(strstr(l, " MANAGEMENT_GROUP=\"a&b\" "));
	assert_non_null(strstr(l, " MANAGEMENT_SERVER_DNS=\"two words\" "));
	free(l);
	l = msicmd_line("50%", "ms", 5723, true);
	assert_non_null(strstr(l, " MANAGEMENT_GROUP=\"50%%\" "));
	free(l);
	l = msicmd_line("50%", "ms", 5723, false);
	assert_non_null(strstr(l, " MANAGEMENT_GROUP=\"50%\" "));
	free(l);
	/* refused: a quote, a line break, a tab */
	assert_null(msicmd_line("say \"hi\"", "ms", 5723, false));
	assert_null(msicmd_line("line\r\nbreak", "ms", 5723, true));
	assert_null(msicmd_line("MG", "tab\there", 5723, true));
}

static void test_line(void **state)
{
	char *l = msicmd_line("OpsMgrMG", "ms01.contoso.com", 5723, false);
	assert_non_null(l);
	assert_string_equal(
		l, "msiexec /i MOMAgent.msi /qn USE_SETTINGS_FROM_AD=0 "
		   "USE_MANUALLY_SPECIFIED_SETTINGS=1 "
		   "MANAGEMENT_GROUP=\"OpsMgrMG\" "
		   "MANAGEMENT_SERVER_DNS=ms01.contoso.com SECURE_PORT=5723 "
		   "ACTIONS_USE_COMPUTER_ACCOUNT=1 "
		   "AcceptEndUserLicenseAgreement=1");
	free(l);
	l = msicmd_line("My MG", "10.0.0.5", 15723, false);
	assert_non_null(l);
	assert_non_null(strstr(l, " MANAGEMENT_GROUP=\"My MG\" "));
	assert_non_null(strstr(l, " MANAGEMENT_SERVER_DNS=10.0.0.5 "));
	assert_non_null(strstr(l, " SECURE_PORT=15723 "));
	free(l);
	assert_null(msicmd_line("MG", "ms", 0, false));
	assert_null(msicmd_line("MG", "ms", 65536, false));
	assert_null(msicmd_line(NULL, "ms", 5723, false));
	assert_null(msicmd_line("MG\n", "ms", 5723, false));
	/* the ports it takes are the ones agent.port's rule takes */
	static const int ports[] = { -1, 0, 1, 5723, 65535, 65536, 70000 };
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct verdict v;
		l = msicmd_line("MG", "ms", ports[i], false);
		assert_int_equal(l != NULL, rule_port(ports[i], &v) == SEV_PASS);
		free(l);
	}
}

static void test_file_byte_for_byte(void **state)
{
	char *p = data_path("install.cmd");
	if (!p)
		fail_msg("tests/data/agent/install.cmd not found (run from the "
			 "source tree)");
	unsigned char *want = NULL;
	size_t wlen = 0;
	char err[FS_ERRLEN];
	assert_int_equal(fs_read_file(p, 65536, &want, &wlen, err,
				      sizeof(err)), 0);
	free(p);
	char *got = msicmd_file_text("Contoso Ops 1", "ms01.contoso.example",
				     5723);
	assert_non_null(got);
	assert_int_equal(strlen(got), wlen);
	assert_memory_equal(got, want, wlen);
	/* Every line ends in CRLF, no bare LF. */
	for (size_t i = 0; i < wlen; i++)
		if (got[i] == '\n')
			assert_int_equal(got[i - 1], '\r');
	assert_int_equal(got[wlen - 1], '\n');
	free(got);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_file_byte_for_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
