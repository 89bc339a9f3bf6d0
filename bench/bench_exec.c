/*
 * bench_exec.c - run one command and record what it cost: wall time from
 * before fork to its exit, its CPU time (user + system, its own and that
 * of every child it waited for, from wait4), its peak RSS and exit code.
 *
 *   bench_exec RESULT_FILE [-o OUT_FILE] [-t TIMEOUT_S] COMMAND [ARG...]
 *
 * Appends one line "wall_ms user_ms sys_ms maxrss_kib exit_code" to
 * RESULT_FILE.  The command's stdout and stderr go to OUT_FILE (default
 * /dev/null).  A command still running after TIMEOUT_S (default 600) is
 * killed and reported with exit code 124; SIGTERM and SIGINT are passed
 * on to the command.  Exits 0 when the line was
 * written, 1 when the command could not be run or measured, 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

static volatile sig_atomic_t timed_out;
static volatile pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* SIGTERM / SIGINT: passed on to the command, whose exit ends the wait */
static void on_stop(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null";
	int timeout_s = 600;
	int i = 2;
	if (argc < 3) {
		fprintf(stderr, "usage: bench_exec RESULT_FILE [-o OUT] [-t SECONDS] COMMAND [ARG...]\n");
		return 2;
	}
	while (i + 1 < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-o") == 0)
			out = argv[i + 1];
		else if (strcmp(argv[i], "-t") == 0)
			timeout_s = atoi(argv[i + 1]);
		else
			break;
		i += 2;
	}
	if (i >= argc || timeout_s <= 0) {
		fprintf(stderr, "bench_exec: no command given\n");
		return 2;
	}
	FILE *res = fopen(argv[1], "a");
	if (!res) {
		fprintf(stderr, "bench_exec: cannot open '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	int ofd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (ofd < 0) {
		fprintf(stderr, "bench_exec: cannot open '%s': %s\n", out, strerror(errno));
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench_exec: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(ofd, 2);
		execvp(argv[i], &argv[i]);
		_exit(127);
	}
	child = pid;
	alarm((unsigned)timeout_s);
	int st = 0;
	struct rusage ru;
	pid_t r;
	for (;;) {
		r = wait4(pid, &st, 0, &ru);
		if (r == pid)
			break;
		if (r < 0 && errno == EINTR && timed_out) {
			kill(pid, SIGKILL);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "bench_exec: wait4: %s\n", strerror(errno));
			return 1;
		}
	}
	double wall = now_ms() - t0;
	alarm(0);
	int code = timed_out ? 124 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(res, "%.3f %.3f %.3f %ld %d\n", wall, tv_ms(ru.ru_utime),
		tv_ms(ru.ru_stime), ru.ru_maxrss, code);
	if (fclose(res) != 0) {
		fprintf(stderr, "bench_exec: cannot write '%s'\n", argv[1]);
		return 1;
	}
	return code == 127 ? 1 : 0;
}
