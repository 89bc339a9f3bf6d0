/*
 * test_proc.c - backend/sys/proc.c: argv splitting without shell expansion,
 * running commands (exit status, signals, timeout with SIGTERM then
 * SIGKILL, cancel through hooks, exec failure, output lines and cap,
 * environment) without leaving zombies or leaking descriptors; on a
 * timeout or cancel no member of the command's process group survives,
 * also one that ignores SIGTERM after the group's leader has ended.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cmdline.h"
#include "sys/proc.h"

static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void assert_no_children(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct lines {
	char *v[64];
	size_t n;
	size_t total;
	int cancel_on_ready;
	int ready;
	int polls;
};

static void on_line(void *ud, const char *line)
{
	struct lines *l = ud;
	if (l->n < 64)
		l->v[l->n++] = strdup(line);
	l->total++;
	if (strcmp(line, "ready") == 0)
		l->ready = 1;
}

static int on_cancelled(void *ud)
{
	struct lines *l = ud;
	l->polls++;
	return l->cancel_on_ready && l->ready;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

/* split cmdline and run it; returns proc_run's result */
static int run_cmd(const char *cmdline, char *const env[], int timeout_ms,
		   const struct hooks *h, struct proc_result *res, char *err)
{
	char **argv = NULL;
	assert_int_equal(cmdline_split(cmdline, &argv, err, 256), 0);
	int r = proc_run(argv, env, timeout_ms, h, res, err, 256);
	strv_free(argv);
	return r;
}

static void check_split(const char *cmdline, const char *const *want)
{
	char **argv = NULL;
	char err[256] = "";
	int r = cmdline_split(cmdline, &argv, err, sizeof(err));
	if (r != 0)
		fail_msg("split of [%s] failed: %s", cmdline, err);
	size_t i = 0;
	for (; want[i]; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
	strv_free(argv);
}

static void check_split_error(const char *cmdline, const char *want_err)
{
	char **argv = (char **)1;
	char err[256] = "";
	assert_int_equal(cmdline_split(cmdline, &argv, err, sizeof(err)), -1);
	assert_null(argv);
	assert_string_equal(err, want_err);
}

static void test_split_quoting(void **state)
{
	check_split("a  b\tc", (const char *[]){ "a", "b", "c", NULL });
	check_split("  lead trail  ", (const char *[]){ "lead", "trail", NULL });
	check_split("a 'b c' \"d e\"",
		    (const char *[]){ "a", "b c", "d e", NULL });
	check_split("x'y'\"z\"w", (const char *[]){ "xyzw", NULL });
	check_split("'' \"\"", (const char *[]){ "", "", NULL });
	/* in double quotes: \" \\ \$ \` escape, other backslashes stay */
	check_split("\"q\\\"q\" \"b\\\\s\" \"\\$x\" \"a\\nb\"",
		    (const char *[]){ "q\"q", "b\\s", "$x", "a\\nb", NULL });
	/* in single quotes nothing is special */
	check_split("'a\\b \"c\"'", (const char *[]){ "a\\b \"c\"", NULL });
	/* outside quotes a backslash takes the next character literally */
	check_split("f\\ g \\'h", (const char *[]){ "f g", "'h", NULL });
	/* no expansion of any kind */
	check_split("echo $HOME $(id) `id` *.c ~ ~/x a=b ; | & > <",
		    (const char *[]){ "echo", "$HOME", "$(id)", "`id`", "*.c",
				      "~", "~/x", "a=b", ";", "|", "&", ">",
				      "<", NULL });
}

/* Quote random words the way a shell user would; splitting gives them back. */
static void test_split_round_trip(void **state)
{
	unsigned seed = 12345;
	for (int round = 0; round < 500; round++) {
		char words[6][24];
		int nw = 1 + (int)(rand_r(&seed) % 6);
		char line[6 * 24 * 2 + 64];
		size_t ll = 0;
		for (int w = 0; w < nw; w++) {
			int len = (int)(rand_r(&seed) % 20);
			for (int i = 0; i < len; i++)
				words[w][i] = (char)(' ' + rand_r(&seed) % 95);
			words[w][len] = '\0';
			int style = (int)(rand_r(&seed) % 3);
			line[ll++] = ' ';
			if (style == 0 && !strchr(words[w], '\'')) {
				line[ll++] = '\'';
				for (int i = 0; i < len; i++)
					line[ll++] = words[w][i];
				line[ll++] = '\'';
			} else if (style == 1) {
				line[ll++] = '"';
				for (int i = 0; i < len; i++) {
					if (strchr("\"\\$`", words[w][i]))
						line[ll++] = '\\';
					line[ll++] = words[w][i];
				}
				line[ll++] = '"';
			} else {
				if (len == 0) {
					line[ll++] = '\'';
					line[ll++] = '\'';
				}
				for (int i = 0; i < len; i++) {
					line[ll++] = '\\';
					line[ll++] = words[w][i];
				}
			}
		}
		line[ll] = '\0';
		char **argv = NULL;
		char err[256];
		if (cmdline_split(line, &argv, err, sizeof(err)) != 0)
			fail_msg("round %d: [%s]: %s", round, line, err);
		for (int w = 0; w < nw; w++) {
			if (!argv[w] || strcmp(argv[w], words[w]) != 0)
				fail_msg("round %d word %d: [%s] from [%s]", round,
					 w, argv[w] ? argv[w] : "(null)", line);
		}
		assert_null(argv[nw]);
		strv_free(argv);
	}
}

static void test_split_errors(void **state)
{
	check_split_error("echo 'abc",
			  "unterminated single quote at position 6: add the closing '");
	check_split_error("a \"b\\\"",
			  "unterminated double quote at position 3: add the closing \"");
	check_split_error("echo x\\",
			  "lone backslash at the end of the command (position 7): remove it or write '\\\\'");
	check_split_error("", "the command is empty: give a program and its arguments");
	check_split_error("  \t ", "the command is empty: give a program and its arguments");
}

static void test_exit_status(void **state)
{
	struct proc_result res;
	char err[256], d[64];
	assert_int_equal(run_cmd("sh -c 'exit 3'", NULL, 5000, NULL, &res, err), 0);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.exit_code, 3);
	assert_int_equal(res.signaled, 0);
	assert_int_equal(res.timed_out, 0);
	assert_string_equal(proc_describe(&res, 5000, d, sizeof(d)),
			    "exited with status 3");
	proc_result_release(&res);
	assert_null(res.output);

	assert_int_equal(run_cmd("true", NULL, 0, NULL, &res, err), 0);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.exit_code, 0);
	assert_non_null(res.output);
	assert_int_equal(res.output_len, 0);
	assert_string_equal(res.output, "");
	proc_result_release(&res);
	assert_no_children();
}

static void test_signal(void **state)
{
	struct proc_result res;
	char err[256], d[64];
	assert_int_equal(run_cmd("sh -c 'kill -9 $$'", NULL, 5000, NULL, &res,
				 err), 0);
	assert_int_equal(res.exited, 0);
	assert_int_equal(res.signaled, SIGKILL);
	assert_string_equal(proc_describe(&res, 5000, d, sizeof(d)),
			    "killed by signal 9");
	proc_result_release(&res);
	assert_no_children();
}

static void test_timeout_kills_sleep(void **state)
{
	struct proc_result res;
	char err[256], d[64];
	long long t0 = ms_now();
	assert_int_equal(run_cmd("sleep 30", NULL, 300, NULL, &res, err), 0);
	long long took = ms_now() - t0;
	assert_int_equal(res.timed_out, 1);
	assert_int_equal(res.cancelled, 0);
	assert_int_equal(res.exited, 0);
	assert_int_equal(res.signaled, SIGTERM);
	assert_true(took < 10000); /* far from sleep's 30 s */
	assert_string_equal(proc_describe(&res, 300, d, sizeof(d)),
			    "timed out after 0.3 s");
	proc_result_release(&res);
	assert_no_children();
}

static void test_timeout_escalates_to_sigkill(void **state)
{
	struct proc_result res;
	char err[256];
	long long t0 = ms_now();
	/* ignored signals stay ignored across exec: sleep ignores TERM too */
	assert_int_equal(run_cmd("sh -c 'trap \"\" TERM; sleep 30'", NULL, 200,
				 NULL, &res, err), 0);
	long long took = ms_now() - t0;
	assert_int_equal(res.timed_out, 1);
	assert_int_equal(res.signaled, SIGKILL);
	assert_true(took < 10000);
	proc_result_release(&res);
	/* the whole group got SIGKILL: the sleep is gone as well */
	assert_no_children();
}

/* ---- a process group that outlives its leader ---------------------------- */

/* The command of issue 18: the background sleep ignores TERM, the shell
 * becomes "sleep 66", the direct child, which TERM ends at once. */
#define GROUP_CMD "sh -c '(trap \"\" TERM; exec sleep 77) & exec sleep 66'"

/* From /proc/PID/stat: state, parent and process group (0 / -1). */
static int proc_stat(long pid, char *state, long *ppid, long *pgrp)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the name may hold anything */
	if (!p || sscanf(p + 1, " %c %ld %ld", state, ppid, pgrp) != 3)
		return -1;
	return 0;
}

/* Is pid running "sleep 77"? */
static int is_sleep77(long pid)
{
	char path[64], buf[64];
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == 9 && memcmp(buf, "sleep\0" "77\0", 9) == 0;
}

/* Live (not zombie) members of group pgrp; *sleep77 counts the one that
 * ignores TERM.  With pgrp 0: our own child's pid is returned instead
 * (the command's group: it is the group leader). */
static long scan_procs(long pgrp, int *sleep77)
{
	DIR *d = opendir("/proc");
	assert_non_null(d);
	struct dirent *e;
	long found = 0;
	if (sleep77)
		*sleep77 = 0;
	while ((e = readdir(d)) != NULL) {
		char *end, state;
		long pid = strtol(e->d_name, &end, 10), ppid, g;
		if (*end || pid <= 0 || proc_stat(pid, &state, &ppid, &g) != 0)
			continue;
		if (pgrp == 0 && ppid == (long)getpid()) {
			found = pid;
			break;
		}
		if (pgrp != 0 && g == pgrp && state != 'Z' && state != 'X') {
			found++;
			if (sleep77 && is_sleep77(pid))
				(*sleep77)++;
		}
	}
	closedir(d);
	return found;
}

struct group_watch {
	long pgid;        /* the command's process group, once seen */
	int both_seen;    /* sleep 77 ran in it beside the leader */
	int cancel;       /* cancel as soon as both are seen */
};

/* Polled while the command runs: learns its group from /proc. */
static int watch_group(void *ud)
{
	struct group_watch *w = ud;
	if (!w->pgid)
		w->pgid = scan_procs(0, NULL);
	if (w->pgid && !w->both_seen) {
		int s77;
		w->both_seen = scan_procs(w->pgid, &s77) >= 2 && s77 == 1;
	}
	return w->cancel && w->both_seen;
}

/* Run GROUP_CMD; afterwards no process of its group may be left. */
static void check_group_ends(int cancel)
{
	struct group_watch w = { .cancel = cancel };
	struct hooks h = { .cancelled = watch_group, .ud = &w };
	struct proc_result res;
	char err[256];
	assert_int_equal(run_cmd(GROUP_CMD, NULL, cancel ? 0 : 1000, &h, &res,
				 err), 0);
	assert_true(w.pgid > 1);
	assert_true(w.both_seen); /* the test tested what it means to */
	assert_int_equal(cancel ? res.cancelled : res.timed_out, 1);
	int s77 = 0;
	long left = scan_procs(w.pgid, &s77);
	if (left > 0) {
		kill((pid_t)-w.pgid, SIGKILL); /* do not leave it behind */
		fail_msg("%ld process(es) of group %ld survived (sleep 77: %d)",
			 left, w.pgid, s77);
	}
	proc_result_release(&res);
	assert_no_children();
}

static void test_timeout_ends_whole_group(void **state)
{
	check_group_ends(0);
}

static void test_cancel_ends_whole_group(void **state)
{
	check_group_ends(1);
}

static void test_cancel_via_hooks(void **state)
{
	struct lines l = { .cancel_on_ready = 1 };
	struct hooks h = { .line = on_line, .cancelled = on_cancelled,
			   .ud = &l };
	struct proc_result res;
	char err[256], d[64];
	long long t0 = ms_now();
	assert_int_equal(run_cmd("sh -c 'echo ready; sleep 30'", NULL, 0, &h,
				 &res, err), 0);
	long long took = ms_now() - t0;
	assert_int_equal(res.cancelled, 1);
	assert_int_equal(res.timed_out, 0);
	assert_true(res.signaled == SIGTERM || res.signaled == SIGKILL);
	assert_true(took < 10000);
	assert_string_equal(res.output, "ready\n");
	assert_true(l.polls > 0);
	assert_string_equal(proc_describe(&res, 0, d, sizeof(d)), "cancelled");
	proc_result_release(&res);
	lines_free(&l);

	/* polled while the command runs (every 100 ms: ~10 times in 1 s) */
	struct lines q = { 0 };
	struct hooks hq = { .cancelled = on_cancelled, .ud = &q };
	assert_int_equal(run_cmd("sleep 1", NULL, 0, &hq, &res, err), 0);
	assert_int_equal(res.cancelled, 0);
	assert_int_equal(res.exit_code, 0);
	assert_true(q.polls >= 3);
	proc_result_release(&res);
	assert_no_children();
}

static void test_no_shell_expansion(void **state)
{
	char marker[64];
	snprintf(marker, sizeof(marker), "/tmp/test_proc_marker.%d", (int)getpid());
	unlink(marker);
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "printf '%%s|' $(touch %s) $HOME `id` ~ *.c \"$USER\" ';' '&&'",
		 marker);
	struct proc_result res;
	char err[256];
	assert_int_equal(run_cmd(cmd, NULL, 5000, NULL, &res, err), 0);
	char want[512];
	snprintf(want, sizeof(want),
		 "$(touch|%s)|$HOME|`id`|~|*.c|$USER|;|&&|", marker);
	assert_string_equal(res.output, want);
	assert_int_equal(access(marker, F_OK), -1);
	proc_result_release(&res);
}

static void test_exec_failure(void **state)
{
	struct proc_result res;
	char err[256];
	int fds = count_fds();
	char *const argv1[] = { "/nonexistent/opsmgr-tool", "x", NULL };
	assert_int_equal(proc_run(argv1, NULL, 5000, NULL, &res, err,
				  sizeof(err)), -1);
	assert_string_equal(err,
			    "cannot run '/nonexistent/opsmgr-tool': No such file or directory");
	assert_null(res.output);
	/* PATH search too */
	char *const argv2[] = { "opsmgr-no-such-command-here", NULL };
	assert_int_equal(proc_run(argv2, NULL, 5000, NULL, &res, err,
				  sizeof(err)), -1);
	assert_string_equal(err,
			    "cannot run 'opsmgr-no-such-command-here': No such file or directory");
	/* not executable (even for root: no x bit at all) */
	char plain[] = "/tmp/test_proc_plain.XXXXXX";
	int pfd = mkstemp(plain);
	assert_true(pfd >= 0);
	assert_int_equal(fchmod(pfd, 0644), 0);
	close(pfd);
	fds = count_fds();
	char *const argv3[] = { plain, NULL };
	int r3 = proc_run(argv3, NULL, 5000, NULL, &res, err, sizeof(err));
	unlink(plain);
	assert_int_equal(r3, -1);
	char want[256];
	snprintf(want, sizeof(want), "cannot run '%s': Permission denied", plain);
	assert_string_equal(err, want);
	char *const argv4[] = { NULL };
	assert_int_equal(proc_run(argv4, NULL, 5000, NULL, &res, err,
				  sizeof(err)), -1);
	assert_int_equal(count_fds(), fds);
	assert_no_children();
}

static void test_output_lines(void **state)
{
	struct lines l = { 0 };
	struct hooks h = { .line = on_line, .ud = &l };
	struct proc_result res;
	char err[256];
	assert_int_equal(run_cmd("printf 'one\\ntwo\\r\\n\\nthree'", NULL, 5000,
				 &h, &res, err), 0);
	assert_string_equal(res.output, "one\ntwo\r\n\nthree");
	assert_int_equal(res.output_len, 15);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], "one");
	assert_string_equal(l.v[1], "two");
	assert_string_equal(l.v[2], "");
	assert_string_equal(l.v[3], "three"); /* partial last line at EOF */
	proc_result_release(&res);
	lines_free(&l);

	/* stdout and stderr both captured, stdin is /dev/null */
	assert_int_equal(run_cmd("sh -c 'echo out; echo err >&2; cat; echo end'",
				 NULL, 5000, NULL, &res, err), 0);
	assert_string_equal(res.output, "out\nerr\nend\n");
	assert_int_equal(res.exit_code, 0);
	proc_result_release(&res);
}

static void test_output_cap(void **state)
{
	struct lines l = { 0 };
	struct hooks h = { .line = on_line, .ud = &l };
	struct proc_result res;
	char err[256];
	/* 400000 lines, about 2.7 MB: more than the 1 MiB cap */
	assert_int_equal(run_cmd("seq 1 400000", NULL, 30000, &h, &res, err), 0);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(res.output_len, PROC_OUTPUT_CAP);
	assert_int_equal(strlen(res.output), PROC_OUTPUT_CAP);
	assert_memory_equal(res.output, "1\n2\n3\n", 6);
	/* every line still reached the callback */
	assert_int_equal(l.total, 400000);
	assert_string_equal(l.v[0], "1");
	proc_result_release(&res);
	lines_free(&l);
}

static void test_endless_writer(void **state)
{
	struct proc_result res;
	char err[256];
	/* output without pause must not keep the timeout from firing */
	long long t0 = ms_now();
	assert_int_equal(run_cmd("yes", NULL, 300, NULL, &res, err), 0);
	assert_true(ms_now() - t0 < 10000);
	assert_int_equal(res.timed_out, 1);
	assert_int_equal(res.output_len, PROC_OUTPUT_CAP);
	proc_result_release(&res);
	/* nor an endless writer left in the background by the command */
	t0 = ms_now();
	assert_int_equal(run_cmd("sh -c 'yes & exit 4'", NULL, 60000, NULL, &res,
				 err), 0);
	assert_true(ms_now() - t0 < 10000);
	assert_int_equal(res.timed_out, 0);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.exit_code, 4);
	proc_result_release(&res);
	assert_no_children();
}

static void test_extra_env(void **state)
{
	struct proc_result res;
	char err[256];
	setenv("OPSMGR_TEST_OLD", "old", 1);
	char *const env[] = { "OPSMGR_TEST_NEW=hello world",
			      "OPSMGR_TEST_OLD=new", NULL };
	assert_int_equal(run_cmd("sh -c 'printf \"%s,%s,%s\" \"$OPSMGR_TEST_NEW\" \"$OPSMGR_TEST_OLD\" \"${PATH:+path}\"'",
				 env, 5000, NULL, &res, err), 0);
	assert_string_equal(res.output, "hello world,new,path");
	proc_result_release(&res);
	unsetenv("OPSMGR_TEST_OLD");
}

static void test_no_fd_leak_and_background_child(void **state)
{
	struct proc_result res;
	char err[256];
	int fds = count_fds();
	/* a descriptor without CLOEXEC in the parent must not reach the child */
	int leak = open("/dev/null", O_RDONLY);
	assert_true(leak > 2);
	char cmd[128];
	snprintf(cmd, sizeof(cmd),
		 "sh -c 'if [ -e /proc/$$/fd/%d ]; then echo leaked; else echo clean; fi'",
		 leak);
	assert_int_equal(run_cmd(cmd, NULL, 5000, NULL, &res, err), 0);
	assert_string_equal(res.output, "clean\n");
	proc_result_release(&res);
	close(leak);

	/* a background grandchild keeping the pipe open does not hold us
	 * until it ends; it is left alone (not our child: no zombie) */
	long long t0 = ms_now();
	assert_int_equal(run_cmd("sh -c 'sleep 30 & echo $!'", NULL, 60000,
				 NULL, &res, err), 0);
	long long took = ms_now() - t0;
	long bg = strtol(res.output, NULL, 10);
	assert_true(bg > 1);
	assert_int_equal(kill((pid_t)bg, 0), 0); /* still running */
	kill((pid_t)bg, SIGKILL);
	assert_true(took < 15000); /* not the 30 s of the sleep */
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(res.timed_out, 0);
	proc_result_release(&res);
	assert_int_equal(count_fds(), fds);
	assert_no_children();
}

static void test_describe(void **state)
{
	char d[64];
	struct proc_result r = { 0 };
	r.timed_out = 1;
	assert_string_equal(proc_describe(&r, 5000, d, sizeof(d)),
			    "timed out after 5 s");
	assert_string_equal(proc_describe(&r, 1500, d, sizeof(d)),
			    "timed out after 1.5 s");
	r.timed_out = 0;
	r.exited = 1;
	r.exit_code = 0;
	assert_string_equal(proc_describe(&r, 0, d, sizeof(d)),
			    "exited with status 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_quoting),
		cmocka_unit_test(test_split_round_trip),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_timeout_kills_sleep),
		cmocka_unit_test(test_timeout_escalates_to_sigkill),
		cmocka_unit_test(test_cancel_via_hooks),
		cmocka_unit_test(test_timeout_ends_whole_group),
		cmocka_unit_test(test_cancel_ends_whole_group),
		cmocka_unit_test(test_no_shell_expansion),
		cmocka_unit_test(test_exec_failure),
		cmocka_unit_test(test_output_lines),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_endless_writer),
		cmocka_unit_test(test_extra_env),
		cmocka_unit_test(test_no_fd_leak_and_background_child),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
