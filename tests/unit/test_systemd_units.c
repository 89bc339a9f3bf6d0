/*
 * test_systemd_units.c - contrib/systemd/opsmgr-enroll-renew.service and
 * .timer: `systemd-analyze verify` accepts them without a word (the
 * service's ExecStart pointed at the build's opsmgr-enroll, which verify
 * needs to exist, and the man page its Documentation= names found through
 * MANPATH), they say what the issue asks (daily with a randomized delay,
 * `renew --if-due --non-interactive`, 75 not a failure, a state
 * directory), and verify does catch a unit with an unknown key or a
 * missing program, so a pass means something.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab_harness.h"
#include "run_capture.h"

#define UNIT_DIR "contrib/systemd"
#define SERVICE "opsmgr-enroll-renew.service"
#define TIMER "opsmgr-enroll-renew.timer"
#define INSTALLED_BIN "/usr/local/bin/opsmgr-enroll"

struct fx {
	char *tmp;                /* a copy of the units, the man page */
	char *service, *timer;    /* the texts as committed */
	char bin[PATH_MAX];       /* the build's opsmgr-enroll */
};

/* A file of the source tree ($OPSMGR_BUILD_DIR/.. or the current
 * folder), malloc'd text or NULL. */
static char *source_file(const char *rel)
{
	const char *b = getenv("OPSMGR_BUILD_DIR");
	char path[PATH_MAX];
	char *text = NULL;

	if (b) {
		snprintf(path, sizeof(path), "%s/../%s", b, rel);
		text = test_read_file(path);
	}
	return text ? text : test_read_file(rel);
}

/* Write text into fx->tmp/name with every INSTALLED_BIN replaced by
 * bin. */
static void write_unit(const struct fx *f, const char *name,
		       const char *text, const char *bin)
{
	char path[PATH_MAX], *out = malloc(strlen(text) * 4 + 1), *o = out;
	const char *p = text, *hit;

	assert_non_null(out);
	while ((hit = strstr(p, INSTALLED_BIN)) != NULL) {
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		o += sprintf(o, "%s", bin);
		p = hit + strlen(INSTALLED_BIN);
	}
	strcpy(o, p);
	snprintf(path, sizeof(path), "%s/%s", f->tmp, name);
	assert_int_equal(test_write_file(path, out), 0);
	free(out);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *b = test_build_path("opsmgr-enroll"), *man;
	char path[PATH_MAX];

	if (!f || !b || !realpath(b, f->bin)) {
		fprintf(stderr, "no opsmgr-enroll in the build directory\n");
		free(b);
		return -1;
	}
	free(b);
	f->service = source_file(UNIT_DIR "/" SERVICE);
	f->timer = source_file(UNIT_DIR "/" TIMER);
	man = source_file("man/opsmgr-enroll.1");
	f->tmp = test_mkdtemp("units");
	if (!f->service || !f->timer || !man || !f->tmp) {
		fprintf(stderr, "cannot read " UNIT_DIR " or the man page\n");
		free(man);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/man", f->tmp);
	setenv("MANPATH", path, 1);
	if (mkdir(path, 0700))
		return -1;
	snprintf(path, sizeof(path), "%s/man/man1", f->tmp);
	if (mkdir(path, 0700))
		return -1;
	snprintf(path, sizeof(path), "%s/man/man1/opsmgr-enroll.1", f->tmp);
	if (test_write_file(path, man)) {
		free(man);
		return -1;
	}
	free(man);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	test_rm_rf(f->tmp);
	free(f->tmp);
	free(f->service);
	free(f->timer);
	free(f);
	return 0;
}

/* systemd-analyze from $PATH (run_capture does not search it) into buf;
 * fails the test when it is not installed (scripts/deps.sh: systemd). */
static const char *systemd_analyze(char *buf, size_t n)
{
	const char *path = getenv("PATH");
	char dirs[4096], *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, n, "%s/systemd-analyze", d);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	fail_msg("systemd-analyze is not installed (package systemd, "
		 "scripts/deps.sh)");
	return NULL;
}

/* systemd-analyze verify on the two units in fx->tmp; its output in
 * *out, its exit status returned. */
static int verify(const struct fx *f, char **out)
{
	char s[PATH_MAX], t[PATH_MAX], prog[PATH_MAX];
	snprintf(s, sizeof(s), "%s/" SERVICE, f->tmp);
	snprintf(t, sizeof(t), "%s/" TIMER, f->tmp);
	const char *argv[] = { systemd_analyze(prog, sizeof(prog)), "verify",
			       s, t, NULL };
	return run_capture(argv, 120, out);
}

static void test_verify_accepts(void **state)
{
	struct fx *f = *state;
	char *out = NULL;

	write_unit(f, SERVICE, f->service, f->bin);
	write_unit(f, TIMER, f->timer, f->bin);
	int rc = verify(f, &out);
	if (rc != 0 || (out && *out))
		fail_msg("systemd-analyze verify: exit %d:\n%s", rc,
			 out ? out : "");
	free(out);
}

static void test_units_say(void **state)
{
	struct fx *f = *state;

	assert_non_null(strstr(f->service, "\nType=oneshot\n"));
	assert_non_null(strstr(f->service, "\nExecStart=" INSTALLED_BIN
				" renew --if-due --non-interactive\n"));
	assert_non_null(strstr(f->service, "\nSuccessExitStatus=75\n"));
	assert_non_null(strstr(f->service, "\nStateDirectory=opsmgr-enroll\n"));
	assert_non_null(strstr(f->service, "\nNoNewPrivileges=yes\n"));
	assert_non_null(strstr(f->timer, "\nOnCalendar=daily\n"));
	assert_non_null(strstr(f->timer, "\nRandomizedDelaySec="));
	assert_non_null(strstr(f->timer, "\nPersistent=true\n"));
	assert_non_null(strstr(f->timer, "\nWantedBy=timers.target\n"));
}

/* The same check fails on a unit with a typo and on a program that is
 * not there. */
static void test_verify_catches(void **state)
{
	struct fx *f = *state;
	char *bad, *out = NULL;

	assert_true(asprintf(&bad, "%sRandomiseDelaySec=1h\n", f->timer) > 0);
	write_unit(f, SERVICE, f->service, f->bin);
	write_unit(f, TIMER, bad, f->bin);
	free(bad);
	verify(f, &out);
	assert_non_null(out);
	assert_non_null(strstr(out, "RandomiseDelaySec"));
	free(out);
	write_unit(f, TIMER, f->timer, f->bin);
	write_unit(f, SERVICE, f->service, "/nonexistent/opsmgr-enroll");
	assert_int_not_equal(verify(f, &out), 0);
	assert_non_null(strstr(out, "/nonexistent/opsmgr-enroll"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_accepts),
		cmocka_unit_test(test_units_say),
		cmocka_unit_test(test_verify_catches),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
