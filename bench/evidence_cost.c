/*
 * evidence_cost.c - what `check --evidence` costs per evidence folder
 * (issue 17: <= 5 ms each on 1,000 folders).
 *
 *   evidence_cost inproc DIR N       evidence_check() (wizard/evidence_check.h)
 *                                    on DIR/e-0 .. DIR/e-(N-1); one line per
 *                                    folder: "wall_ms cpu_ms"
 *   evidence_cost exec DIR N BIN     BIN check --evidence DIR/e-I --json for
 *                                    each, fork to exit, output to /dev/null;
 *                                    one line "wall_ms cpu_ms"
 *
 * The folders are copies of tests/data/evidence/<fault>/ (bench/run.sh
 * makes them, cycling through every fault), so the figure covers the
 * failing paths as well as the healthy one.  A folder that is not read
 * (exit 2 / -1) makes the program exit 1; exit 2 on usage.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/diag.h"
#include "evidence_check.h"

static double ms(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double child_cpu_ms(void)
{
	struct rusage u;
	getrusage(RUSAGE_CHILDREN, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
	       (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static int one_inproc(const char *dir)
{
	struct diag_list dl;
	diag_list_init(&dl);
	double w = ms(CLOCK_MONOTONIC), c = ms(CLOCK_PROCESS_CPUTIME_ID);
	int r = evidence_check(dir, NULL, &dl);
	printf("%.3f %.3f\n", ms(CLOCK_MONOTONIC) - w,
	       ms(CLOCK_PROCESS_CPUTIME_ID) - c);
	diag_list_release(&dl);
	return r < 0 ? -1 : 0;
}

static int one_exec(const char *bin, const char *dir)
{
	double w = ms(CLOCK_MONOTONIC), c = child_cpu_ms();
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(bin, bin, "check", "--evidence", dir, "--json", (char *)NULL);
		_exit(127);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	printf("%.3f %.3f\n", ms(CLOCK_MONOTONIC) - w, child_cpu_ms() - c);
	return WIFEXITED(st) && WEXITSTATUS(st) <= 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc < 4 || (strcmp(argv[1], "inproc") && strcmp(argv[1], "exec")) ||
	    (!strcmp(argv[1], "exec") && argc < 5)) {
		fprintf(stderr, "usage: evidence_cost inproc DIR N | exec DIR N BIN\n");
		return 2;
	}
	int n = atoi(argv[3]), bad = 0;
	for (int i = 0; i < n; i++) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/e-%d", argv[2], i);
		int r = argv[1][0] == 'i' ? one_inproc(dir) : one_exec(argv[4], dir);
		if (r < 0) {
			fprintf(stderr, "evidence_cost: '%s' was not read\n", dir);
			bad = 1;
		}
	}
	return bad;
}
