/*
 * test_lab_files.c - what the lab leaves in its directory and how it
 * starts and stops: secrets 0600, lab.ini and answers.ini consistent with
 * the running lab (ports, URL, the root's SHA-256 pin), CA material and
 * password reused on a restart, clean exit 0 on SIGINT with lab.ini
 * removed, usage errors exit 2, commands on a directory without a lab
 * exit 1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <iniparser.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/config.h"
#include "core/config_load.h"
#include "core/diag.h"
#include "lab_harness.h"

static int file_mode(const char *dir, const char *name)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (lstat(p, &st) != 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

static char *root_sha256(const char *pem)
{
	FILE *f = fopen(pem, "r");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *hex;
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	assert_true(X509_digest(x, EVP_sha256(), md, &n));
	X509_free(x);
	hex = malloc(n * 2 + 1);
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + i * 2, 3, "%02X", md[i]);
	return hex;
}

static void test_files_and_answers(void **state)
{
	struct lab l;
	dictionary *d;
	char path[1024], want[256], *pin;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(lab_start(&l, NULL, NULL), 0);
	assert_int_equal(file_mode(l.dir, "password"), 0600);
	assert_int_equal(file_mode(l.dir, "pfx-password"), 0600);
	assert_int_equal(file_mode(l.dir, "ca/root.key"), 0600);
	assert_int_equal(file_mode(l.dir, "ca/server.key"), 0600);
	assert_true(strlen(l.password) >= 16);
	assert_string_equal(l.user, "labuser");
	snprintf(want, sizeof(want), "https://127.0.0.1:%d/certsrv/",
		 l.ca_port);
	assert_string_equal(l.ca_url, want);
	assert_int_not_equal(l.ca_port, l.ms_port);

	pin = root_sha256(l.root_pem);
	d = iniparser_load(l.answers);
	assert_non_null(d);
	assert_string_equal(iniparser_getstring(d, "trust:source", ""), "ca");
	assert_string_equal(iniparser_getstring(d, "trust:sha256", ""), pin);
	assert_string_equal(iniparser_getstring(d, "trust:accept", ""), "no");
	assert_string_equal(iniparser_getstring(d, "ca:url", ""), l.ca_url);
	assert_string_equal(iniparser_getstring(d, "ca:template", ""),
			    "OpsMgr");
	assert_string_equal(iniparser_getstring(d, "ca:auth", ""), "basic");
	assert_string_equal(iniparser_getstring(d, "ca:user", ""), "labuser");
	assert_string_equal(iniparser_getstring(d, "ca:password_file", ""),
			    l.password_file);
	assert_string_equal(iniparser_getstring(d, "ca:ca_file", ""),
			    l.root_pem);
	assert_string_equal(iniparser_getstring(d, "computer:fqdn", ""),
			    "agent01.lab.test");
	assert_string_equal(iniparser_getstring(d, "agent:management_group",
						""), "LAB");
	assert_string_equal(iniparser_getstring(d, "agent:server", ""),
			    "localhost");
	snprintf(want, sizeof(want), "%d", l.ms_port);
	assert_string_equal(iniparser_getstring(d, "agent:port", ""), want);
	assert_string_equal(iniparser_getstring(d, "approval:source", ""),
			    "lab");
	snprintf(path, sizeof(path), "%s/pfx-password", l.dir);
	assert_string_equal(iniparser_getstring(d, "export:password_file", ""),
			    path);
	/* no secret in the answers file */
	{
		FILE *f = fopen(l.answers, "r");
		char buf[8192];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		fclose(f);
		buf[n] = '\0';
		assert_null(strstr(buf, l.password));
	}
	iniparser_freedict(d);
	free(pin);
	lab_stop(&l);
}

/* The wizard's own loader takes the lab's answers file as it is. */
static void test_answers_load_in_wizard_config(void **state)
{
	struct lab l;
	struct config cfg;
	struct diag_list dl;
	char *empty = test_mkdtemp("opsmgr-labf-");

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(lab_start(&l, NULL, NULL), 0);
	setenv("OPSMGR_ENROLL_SYSTEM_CONFIG", "/nonexistent/system.ini", 1);
	setenv("XDG_CONFIG_HOME", empty, 1);
	config_init(&cfg);
	diag_list_init(&dl);
	assert_int_equal(config_load_layers(&cfg, NULL, l.answers, &dl), 0);
	assert_int_equal(config_validate(&cfg, &dl), 0);
	if (diag_worst(&dl) >= SEV_WARN)
		diag_print_text(stderr, &dl, SEV_WARN);
	assert_true(diag_worst(&dl) < SEV_WARN);
	diag_list_release(&dl);
	config_release(&cfg);
	lab_stop(&l);
	test_rm_rf(empty);
	free(empty);
}

static void test_restart_reuses_ca_and_password(void **state)
{
	struct lab l;
	char *pin1, *pin2, *pw1;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.keep_dir = 1;
	assert_int_equal(lab_start(&l, NULL, NULL), 0);
	pin1 = root_sha256(l.root_pem);
	pw1 = strdup(l.password);
	lab_kill(&l);
	assert_int_equal(lab_start(&l, l.dir, NULL), 0);
	pin2 = root_sha256(l.root_pem);
	assert_string_equal(pin1, pin2);
	assert_string_equal(pw1, l.password);
	l.keep_dir = 0;
	lab_stop(&l);
	free(pin1);
	free(pin2);
	free(pw1);
}

static void test_sigint_clean_exit(void **state)
{
	struct lab l;
	char ini[1024];
	int st = 0;
	pid_t r = 0;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(lab_start(&l, NULL, NULL), 0);
	snprintf(ini, sizeof(ini), "%s/lab.ini", l.dir);
	assert_int_equal(access(ini, F_OK), 0);
	assert_int_equal(kill(l.pid, SIGINT), 0);
	for (int i = 0; i < 1000 && r != l.pid; i++) {
		struct timespec ts = { 0, 10000000L };

		r = waitpid(l.pid, &st, WNOHANG);
		if (r != l.pid)
			nanosleep(&ts, NULL);
	}
	assert_int_equal(r, l.pid);
	l.pid = 0;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(access(ini, F_OK), -1);
	lab_stop(&l);
}

static void test_usage_errors(void **state)
{
	char *dir = test_mkdtemp("opsmgr-labf-"), *out = NULL;
	const char *no_dir[] = { "--auto-approve", "0", NULL };
	const char *bad_num[] = { "--dir", dir, "--auto-approve", "soon",
				  NULL };
	const char *unknown[] = { "--dir", dir, "--bogus", NULL };
	const char *list[] = { "list", "--dir", dir, NULL };
	const char *extra[] = { "list", "--dir", dir, "more", NULL };

	(void)state;
	assert_non_null(dir);
	assert_int_equal(lab_cmd(no_dir, &out), 2);
	assert_non_null(strstr(out, "--dir"));
	free(out);
	assert_int_equal(lab_cmd(bad_num, &out), 2);
	assert_non_null(strstr(out, "'soon'"));
	free(out);
	assert_int_equal(lab_cmd(unknown, &out), 2);
	assert_non_null(strstr(out, "--bogus"));
	free(out);
	assert_int_equal(lab_cmd(list, &out), 1);
	assert_non_null(strstr(out, "holds no lab"));
	free(out);
	assert_int_equal(lab_cmd(extra, &out), 2);
	free(out);
	test_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_and_answers),
		cmocka_unit_test(test_answers_load_in_wizard_config),
		cmocka_unit_test(test_restart_reuses_ca_and_password),
		cmocka_unit_test(test_sigint_clean_exit),
		cmocka_unit_test(test_usage_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
