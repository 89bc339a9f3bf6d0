/*
 * test_collectcmd.c - collect.cmd's text (windows/collectcmd.h, issue 17)
 * and the collect-script command line: CRLF ASCII, Microsoft's documented
 * command syntax for every evidence file of windows/evidence_layout.h,
 * nothing that writes a secret, a key or a change to the computer, and
 * values that cannot reach cmd/PowerShell safely refused at their field.
 * Running it is tests/integration/test_wine_collect.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "collect_script.h"
#include "windows/collectcmd.h"
#include "windows/evidence_layout.h"

static char *text_of(const struct collectcmd_in *in)
{
	char err[256] = "";
	const char *field = "unset";
	char *t = collectcmd_text(in, &field, err, sizeof(err));
	assert_non_null(t);
	assert_null(field);
	return t;
}

static void test_crlf_ascii(void **st)
{
	(void)st;
	struct collectcmd_in in = { 0 };
	char *t = text_of(&in);
	size_t n = strlen(t);
	assert_true(n > 2 && t[n - 2] == '\r' && t[n - 1] == '\n');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		assert_true(c < 0x80);
		assert_true(c >= 0x20 || c == '\r' || c == '\n');
		if (c == '\n')
			assert_true(i > 0 && t[i - 1] == '\r');
		if (c == '\r')
			assert_int_equal(t[i + 1], '\n');
	}
	assert_non_null(strstr(t, "setlocal EnableExtensions "
				  "DisableDelayedExpansion\r\n"));
	free(t);
}

/* Every evidence file by the documented command that writes it. */
static void test_documented_commands(void **st)
{
	(void)st;
	struct collectcmd_in in = { .events = 42 };
	char *t = text_of(&in);
	static const char *const want[] = {
		"reg export \"HKLM\\SOFTWARE\\Microsoft\\Microsoft Operations "
		"Manager\\3.0\\Machine Settings\" \"" EVIDENCE_MACHINE_SETTINGS_REG
		"\" /y",
		"reg export \"HKLM\\SOFTWARE\\Microsoft\\Microsoft Operations "
		"Manager\\3.0\\Agent Management Groups\" \"" EVIDENCE_GROUPS_REG
		"\" /y",
		"reg export \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\"
		"HealthService\\Parameters\\Management Groups\" \""
		EVIDENCE_SERVICE_GROUPS_REG "\" /y",
		"certutil -v -store My >\"" EVIDENCE_STORE_MY "\" 2>&1",
		"certutil -store Root >\"" EVIDENCE_STORE_ROOT "\" 2>&1",
		"certutil -store CA >\"" EVIDENCE_STORE_CA "\" 2>&1",
		"certutil -store My %N% \"" EVIDENCE_CERTS_DIR "\\"
		EVIDENCE_CERT_PREFIX "%N%" EVIDENCE_CERT_SUFFIX "\"",
		"wevtutil qe \"Operations Manager\" /c:42 /rd:true /f:xml >\""
		EVIDENCE_EVENTS_XML "\"",
		"sc qc HealthService >\"" EVIDENCE_SC_QC "\" 2>&1",
		"sc query HealthService >\"" EVIDENCE_SC_QUERY "\" 2>&1",
		"reg query \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\"
		"Parameters\" /v Hostname",
		">\"" EVIDENCE_COMPUTER "\" echo computername=%COMPUTERNAME%",
		"Set-Content -LiteralPath '" EVIDENCE_TCP "'",
		"Net.Sockets.TcpClient",
		"tar.exe\" -a -c -f \"%OUT%.zip\" \"%OUT%\"",
		"Compress-Archive -LiteralPath $env:OPSMGR_OUT",
		"net session >nul 2>&1",
		"set \"OUT=" EVIDENCE_DIR_PREFIX "%COMPUTERNAME%\"",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!strstr(t, want[i]))
			fail_msg("collect.cmd lacks: %s", want[i]);
	}
	free(t);
	in.events = 0;
	t = text_of(&in);
	char def[64];
	snprintf(def, sizeof(def), "/c:%d /rd:true /f:xml",
		 EVIDENCE_EVENTS_DEFAULT);
	assert_non_null(strstr(t, def));
	free(t);
}

/* Nothing that exports a key, takes a password or changes the computer. */
static void test_reads_only(void **st)
{
	(void)st;
	struct collectcmd_in in = { .server = "ms.example.com", .port = 5723 };
	char *t = text_of(&in);
	static const char *const never[] = {
		"-exportpfx", "-p ", "privatekey", "Export-PfxCertificate",
		"-importpfx", "-addstore", "-delstore", "-repairstore",
		"reg import", "reg add", "reg delete", "sc stop", "sc start",
		"sc config", "net stop", "net start", "msiexec", ".pfx", ".pvk",
		"-user",
	};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		if (strcasestr(t, never[i]))
			fail_msg("collect.cmd holds: %s", never[i]);
	}
	free(t);
}

static void test_server_set_once(void **st)
{
	(void)st;
	struct collectcmd_in in = { .server = "ms-1.example.com", .port = 5724 };
	char *t = text_of(&in);
	assert_non_null(strstr(t, "\r\nset \"OPSMGR_SERVER=ms-1.example.com\"\r\n"));
	assert_non_null(strstr(t, "\r\nset \"OPSMGR_PORT=5724\"\r\n"));
	/* read by PowerShell from its environment, never pasted into it */
	assert_int_equal(strstr(t, "ms-1.example.com") -
			 strstr(t, "OPSMGR_SERVER=ms-1"), 14);
	assert_null(strstr(strstr(t, "ms-1.example.com") + 1,
			   "ms-1.example.com"));
	free(t);
	struct collectcmd_in none = { 0 };
	t = text_of(&none);
	assert_null(strstr(t, "set \"OPSMGR_SERVER=m"));
	assert_non_null(strstr(t, "Agent Management Groups' -ErrorAction"));
	free(t);
}

static void expect_refused(const struct collectcmd_in *in, const char *field)
{
	char err[256] = "";
	const char *f = "unset";
	char *t = collectcmd_text(in, &f, err, sizeof(err));
	assert_null(t);
	assert_true(err[0] != '\0');
	if (field)
		assert_string_equal(f, field);
	else
		assert_null(f);
}

static void test_refused_values(void **st)
{
	(void)st;
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	const char *bad[] = { "a&b", "a b", "-x", ".x", "ms%x%", "ms!x!",
			      "ms\"x", "ms\r\nx", "", "\xc3\xa9t\xc3\xa9", big,
			      "ms^x", "ms(x)" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct collectcmd_in in = { .server = bad[i] };
		expect_refused(&in, "agent.server");
	}
	struct collectcmd_in p = { .port = 65536 };
	expect_refused(&p, "agent.port");
	p.port = -1;
	expect_refused(&p, "agent.port");
	struct collectcmd_in e = { .events = -1 };
	expect_refused(&e, NULL);
	e.events = COLLECTCMD_EVENTS_MAX + 1;
	expect_refused(&e, NULL);
}

static int parse(const char *const *args, int n, struct cli *c, char *err)
{
	char *argv[8];
	for (int i = 0; i < n; i++)
		argv[i] = (char *)args[i];
	return cli_parse(n, argv, c, err, 256);
}

static void test_cli(void **st)
{
	(void)st;
	struct cli c;
	char err[256];
	const char *ok[] = { "opsmgr-enroll", "collect-script", "--server",
			     "ms.example.com", "--port", "5724" };
	assert_int_equal(parse(ok, 6, &c, err), 0);
	assert_int_equal(c.cmd, CLI_COLLECT_SCRIPT);
	assert_string_equal(c.collect_server, "ms.example.com");
	assert_int_equal(c.collect_port, 5724);
	const char *bare[] = { "opsmgr-enroll", "collect-script" };
	assert_int_equal(parse(bare, 2, &c, err), 0);
	assert_null(c.collect_server);
	assert_int_equal(c.collect_port, 0);
	const char *badport[] = { "opsmgr-enroll", "collect-script", "--port",
				  "0" };
	assert_int_equal(parse(badport, 4, &c, err), -1);
	assert_non_null(strstr(err, "--port '0'"));
	const char *wrongcmd[] = { "opsmgr-enroll", "check", "--server", "x" };
	assert_int_equal(parse(wrongcmd, 4, &c, err), -1);
}

static void test_run_prints_or_refuses(void **st)
{
	(void)st;
	char *buf = NULL, *ebuf = NULL;
	size_t n = 0, en = 0;
	FILE *out = open_memstream(&buf, &n);
	FILE *e = open_memstream(&ebuf, &en);
	assert_int_equal(collect_script_run("ms.example.com", 5723, out, e), 0);
	assert_int_equal(collect_script_run("bad host", 0, out, e), 2);
	fclose(out);
	fclose(e);
	assert_true(n > 0 && !strncmp(buf, "@echo off\r\n", 11));
	assert_non_null(strstr(ebuf, "--server: the management server must"));
	assert_null(strstr(buf, "bad host"));
	free(buf);
	free(ebuf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf_ascii),
		cmocka_unit_test(test_documented_commands),
		cmocka_unit_test(test_reads_only),
		cmocka_unit_test(test_server_set_once),
		cmocka_unit_test(test_refused_values),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_run_prints_or_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
