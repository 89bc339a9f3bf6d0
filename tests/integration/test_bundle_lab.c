/*
 * test_bundle_lab.c - the Windows bundle end to end: `opsmgr-enroll
 * --answers --non-interactive` against a real lab with [agent] target =
 * windows and a push_command (a script in the test's directory that
 * records its argv).  The folder and the zip exist (0700, 0600), the zip
 * passes `unzip -t` and holds the folder's files, root.cer is the lab's
 * root as DER, the PFX is stage 4's byte for byte, README.txt and
 * install.cmd are CRLF, no state-dir install.cmd is written, summary.txt
 * lists every file with its path and the one thing to do, the push ran
 * after the bundle with {zip}, {fqdn} and {bundle} replaced, and a second
 * run of stage 6 replaces the bundle as a whole.  The management
 * server's own bundle has no msiexec step.
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
#include "robust_util.h"
#include "run_capture.h"

#define FQDN "agent01.lab.test"

static struct lab L;
static char *Work;

static char *path2(const char *a, const char *b)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", a, b) > 0);
	return p;
}

static int setup(void **st)
{
	(void)st;
	const char *extra[] = { "--auto-approve", "0", NULL };
	memset(&L, 0, sizeof(L));
	Work = test_mkdtemp("bundle-lab-");
	return Work && lab_start(&L, NULL, extra) == 0 ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	lab_stop(&L);
	if (Work)
		test_rm_rf(Work);
	free(Work);
	return 0;
}

static int mode_of(const char *path)
{
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	return (int)(sb.st_mode & 07777);
}

static int run_wizard(const char *answers, const char *state,
		      const char *stages, char **out)
{
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", answers, "--state-dir", state,
			       "--non-interactive", stages ? "--stages" : NULL,
			       stages, NULL };
	int rc = run_capture(argv, 300, out);
	free(bin);
	return rc;
}

/* The shell's exit status of cmd (a test tool, not the product). */
static int sh(const char *fmt, const char *arg)
{
	char *cmd = NULL;
	assert_true(asprintf(&cmd, fmt, arg) > 0);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static void assert_crlf(const char *path)
{
	size_t len = 0;
	unsigned char *b = ru_read(path, &len);
	assert_non_null(b);
	assert_true(len > 10);
	for (size_t i = 0; i < len; i++) {
		assert_true(b[i] < 0x80);
		if (b[i] == '\n')
			assert_true(i > 0 && b[i - 1] == '\r');
	}
	free(b);
}

static void test_agent_bundle_and_push(void **st)
{
	(void)st;
	char *dir = path2(Work, "agent");
	assert_int_equal(mkdir(dir, 0700), 0);
	char *state = path2(dir, "state");
	char *out = path2(dir, "out");
	char *rec = path2(dir, "push-argv.txt");
	char *script = path2(dir, "push.sh");
	char *answers = path2(dir, "answers.ini");
	char *body = NULL;
	assert_true(asprintf(&body, "#!/bin/sh\n"
			     "test -s \"$1\" || exit 9\n"
			     "printf '%%s\\n' \"$@\" > '%s'\n"
			     "echo pushed \"$1\"\n", rec) > 0);
	assert_int_equal(test_write_file(script, body), 0);
	assert_int_equal(chmod(script, 0700), 0);
	char *push = NULL;
	assert_true(asprintf(&push, "%s {zip} admin@{fqdn}:C:/Temp {bundle}",
			     script) > 0);
	const char *const repl[][3] = {
		{ "agent", "target", "windows" },
		{ "agent", "bundle_dir", out },
		{ "agent", "push_command", push },
		{ NULL, NULL, NULL },
	};
	assert_int_equal(ru_answers_write(L.answers, answers, repl), 0);

	char *output = NULL;
	int rc = run_wizard(answers, state, NULL, &output);
	if (rc != 0)
		fail_msg("exit %d:\n%s", rc, output);

	char *folder = path2(out, FQDN "-opsmgr");
	char *zip = path2(out, FQDN "-opsmgr.zip");
	assert_int_equal(mode_of(folder), 0700);
	assert_int_equal(mode_of(zip), 0600);
	assert_non_null(strstr(output, zip));
	assert_non_null(strstr(output, "right-click install.cmd > Run as "
					"administrator"));
	/* stage 5 no longer writes a state-dir install.cmd */
	char *old = path2(state, "install.cmd");
	assert_int_equal(access(old, F_OK), -1);
	free(old);

	/* the zip opens and holds what the folder holds */
	assert_int_equal(sh("unzip -t '%s' >/dev/null", zip), 0);
	assert_int_equal(sh("python3 -c 'import sys, zipfile; "
			    "assert zipfile.ZipFile(sys.argv[1]).testzip() "
			    "is None' '%s'", zip), 0);
	char *x = path2(dir, "x");
	assert_int_equal(mkdir(x, 0700), 0);
	char *cmd = NULL;
	assert_true(asprintf(&cmd, "cd '%s' && unzip -q '%s' && diff -r '%s' "
			     "'%s/" FQDN "-opsmgr'", x, zip, folder, x) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);

	/* root.cer is the lab's root as DER; the PFX is stage 4's */
	char *root = path2(folder, "root.cer");
	assert_true(asprintf(&cmd, "openssl x509 -in '%s' -outform DER | "
			     "cmp -s - '%s'", L.root_pem, root) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	char *pfx = path2(folder, FQDN ".pfx");
	char *lab_pfx = path2(L.dir, "agent01.pfx");
	assert_true(asprintf(&cmd, "cmp -s '%s' '%s'", lab_pfx, pfx) > 0);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mode_of(pfx), 0600);
	free(cmd);
	char *readme = path2(folder, "README.txt");
	char *install = path2(folder, "install.cmd");
	assert_crlf(readme);
	assert_crlf(install);
	assert_int_equal(ru_file_has(install, "\nmsiexec /i "), 1);

	/* the summary lists every file with its path */
	char *summary = path2(state, "summary.txt");
	char *text = test_read_file(summary);
	assert_non_null(text);
	const char *names[] = { "root.cer", FQDN ".pfx", "serial.reg",
				"install.cmd", "README.txt" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *line = NULL;
		assert_true(asprintf(&line, "\n  %s/%s\n", folder, names[i]) > 0);
		assert_non_null(strstr(text, line));
		free(line);
	}
	assert_non_null(strstr(text, zip));
	assert_non_null(strstr(text, "On the Windows side: copy "));

	/* the push ran after the bundle, placeholders replaced */
	char *argv = test_read_file(rec);
	char *want = NULL;
	assert_true(asprintf(&want, "%s\nadmin@" FQDN ":C:/Temp\n%s\n", zip,
			     folder) > 0);
	assert_string_equal(argv, want);
	assert_non_null(strstr(output, "push_command"));

	/* stage 6 again: the bundle is replaced as a whole, nothing left */
	assert_int_equal(unlink(rec), 0);
	char *marker = path2(folder, "stale.txt");
	assert_int_equal(test_write_file(marker, "old"), 0);
	free(output);
	output = NULL;
	rc = run_wizard(answers, state, "6-6", &output);
	if (rc != 0)
		fail_msg("exit %d:\n%s", rc, output);
	assert_int_equal(access(marker, F_OK), -1);
	assert_int_equal(access(rec, F_OK), 0);
	assert_int_equal(sh("unzip -t '%s' >/dev/null", zip), 0);
	assert_int_equal(sh("ls -a '%s' | grep -q '^\\.agent01'", out), 256);

	free(marker);
	free(want);
	free(argv);
	free(text);
	free(summary);
	free(readme);
	free(install);
	free(lab_pfx);
	free(pfx);
	free(root);
	free(x);
	free(folder);
	free(zip);
	free(output);
	free(push);
	free(body);
	free(answers);
	free(script);
	free(rec);
	free(out);
	free(state);
	free(dir);
}

static void test_server_bundle(void **st)
{
	(void)st;
	char *dir = path2(Work, "server");
	assert_int_equal(mkdir(dir, 0700), 0);
	char *state = path2(dir, "state");
	char *answers = path2(dir, "answers.ini");
	char *pfx = path2(dir, "ms.pfx");
	const char *const repl[][3] = {
		{ "computer", "fqdn", "ms01.lab.test" },
		{ "wizard", "role", "server" },
		{ "agent", "target", "windows" },
		{ "export", "pfx", pfx },
		{ "approval", "source", "none" },
		{ NULL, NULL, NULL },
	};
	assert_int_equal(ru_answers_write(L.answers, answers, repl), 0);
	char *output = NULL;
	int rc = run_wizard(answers, state, "1-6", &output);
	if (rc != 0)
		fail_msg("exit %d:\n%s", rc, output);
	char *install = path2(state, "ms01.lab.test-opsmgr/install.cmd");
	assert_int_equal(ru_file_has(install, "\nmsiexec /i "), 0);
	assert_int_equal(ru_file_has(install, "certutil"), 1);
	char *zip = path2(state, "ms01.lab.test-opsmgr.zip");
	assert_int_equal(mode_of(zip), 0600);
	free(zip);
	free(install);
	free(output);
	free(pfx);
	free(answers);
	free(state);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent_bundle_and_push),
		cmocka_unit_test(test_server_bundle),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
