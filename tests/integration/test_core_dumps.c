/*
 * test_core_dumps.c - the real binaries, opsmgr-enroll and
 * opsmgr-enroll-lab, cannot leave a core dump holding a password or the
 * private key: seen from outside while each one runs, the kernel reports
 * it not dumpable (its /proc/PID files then belong to root, not to the
 * user it runs as) and its RLIMIT_CORE 0 (/proc/PID/limits), although it
 * was started with a core limit above 0.
 *
 * How a binary is kept alive long enough: it runs '--version' with its
 * standard output on a pipe filled to the brim, so it blocks writing its
 * one line at exit, after main has done everything it does first.  As
 * root the binary runs as uid 65534, since root's /proc files belong to
 * root anyway.  A control run of /bin/echo shows the method sees a
 * dumpable process with the core limit it was given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_harness.h"

#define START_CORE (1024 * 1024)  /* the core limit a binary starts with */
#define NOBODY 65534

struct seen {
	int exit_code;          /* -1 while it ran; else why it did not */
	int dumpable;           /* its /proc files belong to its own user */
	long long core_soft;    /* -1 = unlimited */
	long long core_hard;
};

/* Fill the pipe's write end until it would block. */
static void fill_pipe(int fd)
{
	static char block[4096];
	int fl = fcntl(fd, F_GETFL);
	assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
	while (write(fd, block, sizeof(block)) > 0)
		;
	while (write(fd, block, 1) > 0)
		;
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(fcntl(fd, F_SETFL, fl), 0);
}

/* In the child: the core limit, the user, stdout; never returns. */
static void child(const char *const argv[], int outw, uid_t uid)
{
	struct rlimit rl;
	int null = open("/dev/null", O_RDWR);
	if (null < 0 || getrlimit(RLIMIT_CORE, &rl) != 0)
		_exit(125);
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > START_CORE
			      ? START_CORE : rl.rlim_max;
	if (setrlimit(RLIMIT_CORE, &rl) != 0 || dup2(null, 0) < 0 ||
	    dup2(outw, 1) < 0 || dup2(null, 2) < 0)
		_exit(125);
	if (uid != getuid() &&
	    (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
	     setresuid(uid, uid, uid) != 0))
		_exit(125);
	if (access(argv[0], R_OK | X_OK) != 0)
		_exit(126); /* the test cannot run it as that user */
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

static long long limit_value(const char *s, const char **end)
{
	while (*s == ' ')
		s++;
	if (strncmp(s, "unlimited", 9) == 0) {
		*end = s + 9;
		return -1;
	}
	char *e;
	long long v = strtoll(s, &e, 10);
	*end = e;
	return v;
}

/* Soft and hard limit of "Max core file size" in /proc/PID/limits. */
static void core_limits(pid_t pid, struct seen *s)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	assert_int_equal(read_text(path, buf, sizeof(buf)), 0);
	const char *p = strstr(buf, "Max core file size");
	assert_non_null(p);
	p += strlen("Max core file size");
	s->core_soft = limit_value(p, &p);
	s->core_hard = limit_value(p, &p);
}

/* Blocked writing to its stdout (or ended), at most 10 s. */
static void wait_blocked(pid_t pid, struct seen *s)
{
	char path[64], buf[128];
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	for (int i = 0; i < 1000; i++) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			s->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
			return;
		}
		if (read_text(path, buf, sizeof(buf)) == 0 &&
		    strstr(buf, "pipe_write"))
			return;
		usleep(10000);
	}
}

/* Run argv as uid with a full pipe for stdout; what /proc says of it. */
static struct seen look_at(const char *const argv[], uid_t uid)
{
	struct seen s = { .exit_code = -1 };
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fill_pipe(p[1]);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(argv, p[1], uid);
	close(p[1]);
	wait_blocked(pid, &s);
	if (s.exit_code < 0) {
		char path[64];
		struct stat sb;
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		assert_int_equal(stat(path, &sb), 0);
		s.dumpable = sb.st_uid == uid;
		core_limits(pid, &s);
		close(p[0]); /* its write fails, it ends */
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
	} else {
		close(p[0]);
	}
	return s;
}

static uid_t run_uid(void)
{
	return getuid() == 0 ? NOBODY : getuid();
}

/* The method works here: echo is dumpable and keeps its core limit. */
static int method_works(void)
{
	const char *const argv[] = { "/bin/echo", "control", NULL };
	struct seen s = look_at(argv, run_uid());
	if (s.exit_code >= 0 || !s.dumpable || s.core_soft <= 0) {
		print_message("skipped: this machine does not show a plain process as dumpable with a core limit (echo: ended %d, dumpable %d, core %lld)\n",
			      s.exit_code, s.dumpable, s.core_soft);
		return 0;
	}
	return 1;
}

static void check_binary(const char *name)
{
	if (!method_works())
		skip();
	char *bin = test_build_path(name);
	assert_non_null(bin);
	const char *const argv[] = { bin, "--version", NULL };
	struct seen s = look_at(argv, run_uid());
	if (s.exit_code == 126) {
		print_message("skipped: uid %u cannot read '%s'\n",
			      (unsigned)run_uid(), bin);
		free(bin);
		skip();
	}
	if (s.exit_code >= 0)
		fail_msg("'%s --version' ended (%d) before it could be looked at",
			 bin, s.exit_code);
	printf("%s: dumpable %d, core limit %lld / %lld\n", name, s.dumpable,
	       s.core_soft, s.core_hard);
	assert_int_equal(s.dumpable, 0);
	assert_int_equal(s.core_soft, 0);
	assert_int_equal(s.core_hard, 0);
	free(bin);
}

static void test_enroll_not_dumpable(void **st)
{
	check_binary("opsmgr-enroll");
}

static void test_lab_not_dumpable(void **st)
{
	check_binary("opsmgr-enroll-lab");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enroll_not_dumpable),
		cmocka_unit_test(test_lab_not_dumpable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
