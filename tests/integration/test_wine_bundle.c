/*
 * test_wine_bundle.c - the Windows half on Windows' own tools, under Wine
 * (issue 16): one fresh WINEPREFIX in the build directory for the whole
 * program (group setup; removed in the group teardown), the stand-in
 * MOMAgent.msi built with wixl from tests/data/wine/momagent.wxs, and
 * scripts run with `wine cmd /c`, asserted with `wine reg query`.
 *
 * What Wine cannot show: its certutil is an empty stub that returns 0, so
 * the certificate-store steps (Root, CA, the PFX into My with the SChannel
 * provider) are checked against Microsoft's documented syntax in
 * tests/unit/test_installcmd.c, not here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab_harness.h"
#include "run_capture.h"
#include "wine_harness.h"

#define CMD_TIMEOUT_S 180

struct wine_fixture {
	struct wine_prefix w;
	char *work;      /* <build>/winetest-XXXXXX: scripts, the msi */
	char *msi;       /* <work>/MOMAgent.msi */
};

static struct wine_fixture fx;

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static int group_setup(void **st)
{
	(void)st;
	char tmpl[4096];
	char *b = realpath(test_build_dir(), NULL);
	if (!b)
		return -1;
	snprintf(tmpl, sizeof(tmpl), "%s/winetest-XXXXXX", b);
	free(b);
	if (!mkdtemp(tmpl))
		return -1;
	fx.work = strdup(tmpl);
	fx.msi = path_in(fx.work, "MOMAgent.msi");
	if (wine_build_momagent_msi(fx.msi) != 0)
		return -1;
	return wine_prefix_create(&fx.w);
}

static int group_teardown(void **st)
{
	(void)st;
	wine_prefix_destroy(&fx.w);
	if (fx.work)
		test_rm_rf(fx.work);
	free(fx.work);
	free(fx.msi);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/* Forget the stand-in agent: uninstall it and remove every key it or an
 * install.cmd wrote, so each test starts from "agent not installed". */
static void agent_reset(void)
{
	char *win = wine_win_path(fx.msi);
	const char *args[] = { "msiexec", "/x", win, "/qn", NULL };
	wine_run(&fx.w, args, fx.work, CMD_TIMEOUT_S, NULL);
	free(win);
	wine_reg_delete_key(&fx.w, "HKLM\\SOFTWARE\\opsmgr-enroll-test");
	wine_reg_delete_key(&fx.w,
			    "HKLM\\SOFTWARE\\Microsoft\\Microsoft Operations Manager");
	assert_int_equal(wine_reg_key_exists(&fx.w, WINE_MSI_RECORD_KEY), 0);
}

/* The value the stand-in MSI recorded for a property (NULL: none). */
static char *msi_received(const char *prop)
{
	char type[32] = "";
	char *v = wine_reg_value(&fx.w, WINE_MSI_RECORD_KEY, prop, type,
				 sizeof(type));
	if (v)
		assert_string_equal(type, "REG_SZ");
	return v;
}

/* A .cmd file (CRLF) in the work directory from LF-separated lines. */
static char *write_cmd(const char *name, const char *lf_text)
{
	size_t n = strlen(lf_text);
	char *crlf = malloc(2 * n + 1), *o = crlf;
	assert_non_null(crlf);
	for (const char *c = lf_text; *c; c++) {
		if (*c == '\n')
			*o++ = '\r';
		*o++ = *c;
	}
	*o = '\0';
	char *p = path_in(fx.work, name);
	assert_int_equal(test_write_file(p, crlf), 0);
	free(crlf);
	return p;
}

/* ---- the stand-in MSI and the harness ---------------------------------- */

/*
 * The harness and the stand-in: the values the issue names (a space, %,
 * ^, &, !) and cmd's other special characters reach the MSI byte for byte
 * when a script writes them inside quotes on msiexec's line with % doubled
 * (DisableDelayedExpansion); the script's exit code comes back from cmd.
 *
 * Not through a variable: Wine 8's cmd scans a substituted value again,
 * so after  set "MG=a%%b 100%% c"  the line  echo "%MG%"  prints "a c"
 * (Windows' cmd expands once and prints "a%b 100% c"), and "!MG!" under
 * EnableDelayedExpansion loses everything between two '!' of the value.
 */
static void test_msi_records_exact_properties(void **st)
{
	(void)st;
	static const struct { const char *value, *in_script; } groups[] = {
		{ "Contoso Ops", "Contoso Ops" },
		{ "R&D 100% ^up! (a) <b>|c;d,e=f",
		  "R&D 100%% ^up! (a) <b>|c;d,e=f" },
		{ "%PATH% !x! ^^", "%%PATH%% !x! ^^" },
	};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		agent_reset();
		char text[2048];
		snprintf(text, sizeof(text),
			 "@echo off\n"
			 "setlocal EnableExtensions DisableDelayedExpansion\n"
			 "msiexec /i \"%%~dp0MOMAgent.msi\" /qn /l*v \"%%~dp0msi.log\" "
			 "MANAGEMENT_GROUP=\"%s\" MANAGEMENT_SERVER_DNS=ms01.example.test "
			 "SECURE_PORT=5723 USE_SETTINGS_FROM_AD=0 "
			 "USE_MANUALLY_SPECIFIED_SETTINGS=1 ACTIONS_USE_COMPUTER_ACCOUNT=1 "
			 "AcceptEndUserLicenseAgreement=1\n"
			 "if errorlevel 1 exit /b 40\n"
			 "exit /b 7\n", groups[i].in_script);
		char *script = write_cmd("props.cmd", text);
		char *out = NULL;
		int rc = wine_cmd_script(&fx.w, script, CMD_TIMEOUT_S, &out);
		if (rc != 7)
			fprintf(stderr, "props.cmd rc %d:\n%s\n", rc, out);
		assert_int_equal(rc, 7);
		char *mg = msi_received("MANAGEMENT_GROUP");
		assert_non_null(mg);
		assert_string_equal(mg, groups[i].value);
		char *srv = msi_received("MANAGEMENT_SERVER_DNS");
		char *port = msi_received("SECURE_PORT");
		char *eula = msi_received("AcceptEndUserLicenseAgreement");
		char *ad = msi_received("USE_SETTINGS_FROM_AD");
		assert_string_equal(srv, "ms01.example.test");
		assert_string_equal(port, "5723");
		assert_string_equal(eula, "1");
		assert_string_equal(ad, "0");
		free(mg);
		free(srv);
		free(port);
		free(eula);
		free(ad);
		free(out);
		free(script);
	}
}

/* Like the real package, the stand-in refuses to install without the
 * licence property: msiexec's 1603 reaches the script, nothing is
 * recorded. */
static void test_msi_refuses_without_eula(void **st)
{
	(void)st;
	agent_reset();
	char *script = write_cmd("noeula.cmd",
				 "@echo off\n"
				 "msiexec /i \"%~dp0MOMAgent.msi\" /qn MANAGEMENT_GROUP=G "
				 "MANAGEMENT_SERVER_DNS=ms01.example.test SECURE_PORT=5723 "
				 "USE_MANUALLY_SPECIFIED_SETTINGS=1\n"
				 "set RC=%ERRORLEVEL%\n"
				 "if \"%RC%\"==\"1603\" exit /b 9\n"
				 "exit /b 1\n");
	char *out = NULL;
	int rc = wine_cmd_script(&fx.w, script, CMD_TIMEOUT_S, &out);
	if (rc != 9)
		fprintf(stderr, "noeula.cmd rc %d:\n%s\n", rc, out);
	assert_int_equal(rc, 9);
	assert_int_equal(wine_reg_key_exists(&fx.w, WINE_MSI_RECORD_KEY), 0);
	free(out);
	free(script);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msi_records_exact_properties),
		cmocka_unit_test(test_msi_refuses_without_eula),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
