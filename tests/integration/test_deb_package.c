/*
 * test_deb_package.c - the Debian packages, built and used the way an
 * operator would: `make deb` (dpkg-buildpackage -b -us -uc on a copy of
 * the tree in $OPSMGR_BUILD_DIR/deb), lintian with no error and no
 * warning, `apt-get install ./opsmgr-enroll_*.deb ./opsmgr-enroll-lab_*.deb`,
 * the installed `opsmgr-enroll --version`, `man -w opsmgr-enroll`, the
 * conffile, the bash completion, a headless enrollment by the installed
 * opsmgr-enroll against the installed opsmgr-enroll-lab, then `apt-get
 * purge`: every file the packages installed is gone, /etc/opsmgr-enroll
 * too, and the enrollment's state directory (user state) stays.
 *
 * Installing touches the machine, so the test:
 *   - runs in the plain build only (the packages are built without
 *     sanitizers; under ASan+UBSan it is skipped, saying so);
 *   - needs root;
 *   - holds an flock on $TMPDIR/opsmgr-enroll-deb-test.lock for the whole
 *     install..purge, so two suites on one machine never interleave, and
 *     then needs the packages not installed (else skipped: it will not
 *     remove an installation it did not make);
 *   - lets apt-get wait up to DPKG_WAIT_S for the dpkg lock (another
 *     apt-get, e.g. a concurrent `make deps`), and is skipped, saying so,
 *     only when dpkg stayed busy that long;
 *   - purges in its teardown whatever it installed, also after a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lab_harness.h"
#include "run_capture.h"

#if defined(__SANITIZE_ADDRESS__)
#define SAN_BUILD 1
#else
#define SAN_BUILD 0
#endif

#define DPKG_WAIT_S 600
#define LOCK_WAIT_S 900
#define PKG "opsmgr-enroll"
#define PKG_LAB "opsmgr-enroll-lab"
#define VERSION_LINE "opsmgr-enroll 0.1.0\n"
#define CONFFILE "/etc/opsmgr-enroll/opsmgr-enroll.ini"

static struct {
	char src[PATH_MAX + 4];    /* the source tree */
	char build[PATH_MAX];      /* $OPSMGR_BUILD_DIR, absolute */
	char deb[PATH_MAX], deb_lab[PATH_MAX];
	char *work;                /* state dir, lab, a bin dir */
	char *installed_files;     /* dpkg -L of both, before the purge */
	int lock_fd;
	bool built, installed, purged;
	const char *skip_why;      /* why the install tests are skipped */
} g = { .lock_fd = -1 };

/* Run argv (PATH searched through /usr/bin/env), output in *out. */
static int run(const char *const argv[], int timeout_s, char **out)
{
	const char *v[32] = { "/usr/bin/env" };
	size_t n = 1;

	for (; argv[n - 1] && n < 31; n++)
		v[n] = argv[n - 1];
	v[n] = NULL;
	*out = NULL;
	return run_capture(v, timeout_s, out);
}

/* run() that must exit 0; fails naming the command and its output. */
static char *must_run(const char *const argv[], int timeout_s)
{
	char *out = NULL;
	int rc = run(argv, timeout_s, &out);

	if (rc != 0)
		fail_msg("'%s %s' exited %d:\n%s", argv[0], argv[1] ? argv[1] : "",
			 rc, out ? out : "");
	return out;
}

/* dpkg's status of pkg: "ii" installed, "rc" config left, "" unknown. */
static void pkg_status(const char *pkg, char *st, size_t n)
{
	const char *argv[] = { "dpkg-query", "-W", "-f=${db:Status-Abbrev}",
			       pkg, NULL };
	char *out = NULL;

	run(argv, 60, &out);
	snprintf(st, n, "%.2s", out && strlen(out) >= 2 ? out : "");
	free(out);
}

/* Hold the whole-test lock (bounded wait); 0, or -1 with why. */
static int take_lock(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/opsmgr-enroll-deb-test.lock",
		 tmp && *tmp ? tmp : "/tmp");
	g.lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (g.lock_fd < 0)
		return -1;
	for (int i = 0; i < LOCK_WAIT_S; i++) {
		if (flock(g.lock_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		sleep(1);
	}
	return -1;
}

/* apt-get with the dpkg lock waited for; rc, output in *out. */
static int apt_get(const char *const args[], char **out)
{
	static char wait_opt[64];
	const char *argv[16] = { "apt-get", "-y", "-q", "-o", wait_opt };
	size_t n = 5;

	snprintf(wait_opt, sizeof(wait_opt), "DPkg::Lock::Timeout=%d",
		 DPKG_WAIT_S);
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	setenv("DEBIAN_FRONTEND", "noninteractive", 1);
	return run(argv, DPKG_WAIT_S + 300, out);
}

static bool dpkg_busy(const char *apt_out)
{
	return apt_out && (strstr(apt_out, "Could not get lock") ||
			   strstr(apt_out, "Unable to acquire the dpkg"));
}

static void purge(void)
{
	const char *args[] = { "purge", PKG, PKG_LAB, NULL };
	char *out = NULL;
	int rc = apt_get(args, &out);

	if (rc != 0)
		fprintf(stderr, "apt-get purge exited %d:\n%s\n", rc,
			out ? out : "");
	else
		g.purged = true;
	free(out);
}

static int setup(void **state)
{
	const char *b = test_build_dir();

	(void)state;
	if (!realpath(b, g.build)) {
		fprintf(stderr, "no build directory '%s'\n", b);
		return -1;
	}
	snprintf(g.src, sizeof(g.src), "%s/..", g.build);
	g.work = test_mkdtemp("deb-test-");
	if (!g.work)
		return -1;
	if (SAN_BUILD)
		g.skip_why = "the packages are built without sanitizers: tested "
			     "in the plain suite only";
	else if (geteuid() != 0)
		g.skip_why = "installing packages needs root";
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (g.installed && !g.purged)
		purge();
	if (g.lock_fd >= 0)
		close(g.lock_fd);
	if (g.work)
		test_rm_rf(g.work);
	free(g.work);
	free(g.installed_files);
	return 0;
}

/* The one file in dir matching prefix..._amd64.deb-like "<pkg>_*.deb". */
static void find_deb(const char *dir, const char *pkg, char *out, size_t n)
{
	char pattern[PATH_MAX];
	const char *argv[] = { "sh", "-c", pattern, NULL };
	char *o;

	snprintf(pattern, sizeof(pattern), "ls %s/%s_*.deb", dir, pkg);
	o = must_run(argv, 30);
	o[strcspn(o, "\n")] = '\0';
	snprintf(out, n, "%s", o);
	free(o);
}

static void test_make_deb_and_lintian(void **state)
{
	char dir[PATH_MAX + 8], bvar[PATH_MAX + 8];
	(void)state;

	if (SAN_BUILD) {
		fprintf(stderr, "skipped: %s\n", g.skip_why);
		skip();
	}
	snprintf(bvar, sizeof(bvar), "B=%s", g.build);
	const char *make[] = { "make", "-C", g.src, "--no-print-directory",
			       bvar, "deb", NULL };
	free(must_run(make, 900));
	snprintf(dir, sizeof(dir), "%s/deb", g.build);
	find_deb(dir, PKG, g.deb, sizeof(g.deb));
	find_deb(dir, PKG_LAB, g.deb_lab, sizeof(g.deb_lab));
	g.built = true;

	/* the conffile and what it is built from */
	const char *conf[] = { "dpkg-deb", "-I", g.deb, "conffiles", NULL };
	char *out = must_run(conf, 60);
	assert_non_null(strstr(out, CONFFILE "\n"));
	free(out);
	const char *deps[] = { "dpkg-deb", "-f", g.deb, "Depends", NULL };
	out = must_run(deps, 60);
	assert_non_null(strstr(out, "libcurl4"));
	assert_non_null(strstr(out, "libssl3"));   /* from shlibs */
	free(out);

	/* lintian: no E: and no W: line (informational I: lines allowed) */
	const char *lint[] = { "lintian", "--tag-display-limit", "0", g.deb,
			       g.deb_lab, NULL };
	out = NULL;
	int rc = run(lint, 300, &out);
	assert_non_null(out);
	for (char *l = out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 :
		     l + strlen(l))
		if (strncmp(l, "E: ", 3) == 0 || strncmp(l, "W: ", 3) == 0)
			fail_msg("lintian (exit %d):\n%s", rc, out);
	assert_int_equal(rc, 0);
	free(out);
}

static void test_installed_packages_enroll(void **state)
{
	char *out = NULL, st[3], st_lab[3];
	(void)state;

	if (g.skip_why) {
		fprintf(stderr, "skipped: %s\n", g.skip_why);
		skip();
	}
	assert_true(g.built);
	if (take_lock() < 0)
		fail_msg("no lock on $TMPDIR/opsmgr-enroll-deb-test.lock within "
			 "%d s", LOCK_WAIT_S);
	pkg_status(PKG, st, sizeof(st));
	pkg_status(PKG_LAB, st_lab, sizeof(st_lab));
	if (strcmp(st, "ii") == 0 || strcmp(st_lab, "ii") == 0) {
		fprintf(stderr, "skipped: opsmgr-enroll is installed on this "
			"machine: the test will not remove an installation it "
			"did not make\n");
		skip();
	}
	const char *inst[] = { "install", "--no-install-recommends", g.deb,
			       g.deb_lab, NULL };
	int rc = apt_get(inst, &out);
	if (rc != 0 && dpkg_busy(out)) {
		fprintf(stderr, "skipped: dpkg stayed busy for %d s:\n%s\n",
			DPKG_WAIT_S, out);
		free(out);
		skip();
	}
	g.installed = true;   /* even a half install is purged in teardown */
	if (rc != 0)
		fail_msg("apt-get install exited %d:\n%s", rc, out ? out : "");
	free(out);

	const char *ver[] = { "/usr/bin/opsmgr-enroll", "--version", NULL };
	out = must_run(ver, 30);
	assert_string_equal(out, VERSION_LINE);
	free(out);
	const char *man[] = { "man", "-aw", "opsmgr-enroll", NULL };
	out = must_run(man, 60);
	assert_non_null(strstr(out, "/usr/share/man/man1/opsmgr-enroll.1.gz"));
	free(out);
	const char *man_lab[] = { "man", "-aw", "opsmgr-enroll-lab", NULL };
	free(must_run(man_lab, 60));

	/* the conffile: every key commented, so loading it changes nothing;
	 * the same text `config-template` prints */
	char *conf = test_read_file(CONFFILE);
	assert_non_null(conf);
	const char *tmpl[] = { "/usr/bin/opsmgr-enroll", "config-template", NULL };
	out = must_run(tmpl, 30);
	assert_string_equal(conf, out);
	assert_non_null(strstr(conf, "\n;port = 5723\n"));
	free(out);
	free(conf);
	struct stat sb;
	assert_int_equal(stat("/usr/share/bash-completion/completions/opsmgr-enroll", &sb), 0);
	assert_int_equal(stat("/usr/share/bash-completion/completions/opsmgr-enroll-lab", &sb), 0);
	assert_int_equal(stat("/lib/systemd/system/opsmgr-enroll-renew.timer", &sb), 0);
	const char *exec_line[] = { "grep", "-qx",
		"ExecStart=/usr/bin/opsmgr-enroll renew --if-due --non-interactive",
		"/lib/systemd/system/opsmgr-enroll-renew.service", NULL };
	free(must_run(exec_line, 30));

	/* the completion completes the commands */
	const char *compl[] = { "bash", "-c",
		". /usr/share/bash-completion/bash_completion; "
		". /usr/share/bash-completion/completions/opsmgr-enroll; "
		"COMP_WORDS=(opsmgr-enroll re); COMP_CWORD=1; "
		"COMP_LINE='opsmgr-enroll re'; COMP_POINT=${#COMP_LINE}; "
		"_opsmgr_enroll; echo \"${COMPREPLY[*]}\"", NULL };
	out = must_run(compl, 60);
	assert_string_equal(out, "renew\n");
	free(out);

	/* a headless enrollment: the installed lab (the harness pointed at
	 * a folder of links to /usr/bin), the installed opsmgr-enroll */
	char bindir[PATH_MAX], link[PATH_MAX + 32], state_dir[PATH_MAX];
	snprintf(bindir, sizeof(bindir), "%s/bin", g.work);
	assert_int_equal(mkdir(bindir, 0700), 0);
	snprintf(link, sizeof(link), "%s/opsmgr-enroll-lab", bindir);
	assert_int_equal(symlink("/usr/bin/opsmgr-enroll-lab", link), 0);
	char *saved = getenv("OPSMGR_BUILD_DIR") ?
		strdup(getenv("OPSMGR_BUILD_DIR")) : NULL;
	setenv("OPSMGR_BUILD_DIR", bindir, 1);
	struct lab lab;
	static const char *const extra[] = { "--auto-approve", "0", NULL };
	int lab_rc = lab_start(&lab, NULL, extra);
	if (saved)
		setenv("OPSMGR_BUILD_DIR", saved, 1);
	free(saved);
	assert_int_equal(lab_rc, 0);
	snprintf(state_dir, sizeof(state_dir), "%s/state", g.work);
	const char *enroll[] = { "/usr/bin/opsmgr-enroll", "--answers",
				 lab.answers, "--state-dir", state_dir,
				 "--non-interactive", NULL };
	out = NULL;
	rc = run(enroll, 300, &out);
	lab_stop(&lab);
	if (rc != 0)
		fail_msg("installed opsmgr-enroll exited %d:\n%s", rc,
			 out ? out : "");
	free(out);

	const char *list[] = { "dpkg", "-L", PKG, PKG_LAB, NULL };
	g.installed_files = must_run(list, 60);
}

static void test_purge_leaves_only_user_state(void **state)
{
	char st[3], path[PATH_MAX];
	struct stat sb;
	(void)state;

	if (g.skip_why || !g.installed)
		skip();
	purge();
	assert_true(g.purged);
	pkg_status(PKG, st, sizeof(st));
	assert_false(strcmp(st, "ii") == 0 || strcmp(st, "rc") == 0);
	pkg_status(PKG_LAB, st, sizeof(st));
	assert_false(strcmp(st, "ii") == 0 || strcmp(st, "rc") == 0);
	/* every regular file or link the packages held is gone */
	for (char *l = g.installed_files, *e; l && *l; l = e + 1) {
		e = strchr(l, '\n');
		if (!e)
			break;
		*e = '\0';
		if (stat(l, &sb) == 0 && S_ISDIR(sb.st_mode))
			continue;   /* a directory (or /lib -> usr/lib) */
		if (lstat(l, &sb) == 0)
			fail_msg("'%s' is still there after the purge", l);
	}
	errno = 0;
	assert_int_not_equal(stat("/etc/opsmgr-enroll", &sb), 0);
	assert_int_equal(errno, ENOENT);
	/* the enrollment's own state stays */
	snprintf(path, sizeof(path), "%s/state", g.work);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_deb_and_lintian),
		cmocka_unit_test(test_installed_packages_enroll),
		cmocka_unit_test(test_purge_leaves_only_user_state),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
