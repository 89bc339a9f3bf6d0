/*
 * proc.c - commands from configuration (see proc.h): running an argv with fork +
 * execvp in its own process group, stdin from /dev/null, stdout and stderr
 * captured through one pipe, a poll() loop for output, timeout and cancel,
 * and SIGTERM then SIGKILL to the group when we stop it, until no process
 * of the group is left (also after its leader, our child, has ended).
 */
#include "sys/proc.h"
#include "core/errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 100          /* cancel / timeout granularity */
#define KILL_GRACE_MS 1000   /* SIGTERM -> SIGKILL */
#define REAP_WAIT_MS 500     /* after SIGKILL: for init to reap the rest */
#define GROUP_NAP_MS 20      /* how often a group's end is checked */
#define LINE_MAX_BYTES 4096  /* longer lines reach hooks->line in pieces */
#define CHUNK 4096
#define STEP_DRAIN (64u * 1024u)      /* per poll() wake-up */
#define FINAL_DRAIN (2u * 1024u * 1024u) /* > the largest pipe buffer */

extern char **environ;

/* ---- running ----------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* environ plus extra (extra wins for the same name); pointers only. */
static char **build_env(char *const extra[])
{
	size_t ne = 0, nx = 0;
	for (char **e = environ; e && *e; e++)
		ne++;
	while (extra[nx])
		nx++;
	char **env = calloc(ne + nx + 1, sizeof(*env));
	if (!env)
		return NULL;
	size_t k = 0;
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t kl = eq ? (size_t)(eq - *e) : strlen(*e);
		int overridden = 0;
		for (size_t j = 0; j < nx && !overridden; j++)
			overridden = strncmp(extra[j], *e, kl) == 0 &&
				     extra[j][kl] == '=';
		if (!overridden)
			env[k++] = *e;
	}
	for (size_t j = 0; j < nx; j++)
		env[k++] = extra[j];
	env[k] = NULL;
	return env;
}

struct capture {
	const struct hooks *h;
	char *out;
	size_t len, cap;
	int out_failed;
	char line[LINE_MAX_BYTES + 1];
	size_t ll;
};

static void flush_line(struct capture *c)
{
	size_t l = c->ll;
	if (l > 0 && c->line[l - 1] == '\r')
		l--;
	c->line[l] = '\0';
	hooks_line(c->h, c->line);
	c->ll = 0;
}

static void take(struct capture *c, const char *p, size_t n)
{
	/* the collected copy, capped */
	size_t room = c->len < PROC_OUTPUT_CAP ? PROC_OUTPUT_CAP - c->len : 0;
	size_t keep = n < room ? n : room;
	if (keep && !c->out_failed) {
		if (c->len + keep + 1 > c->cap) {
			size_t ncap = c->cap ? c->cap : CHUNK;
			while (ncap < c->len + keep + 1)
				ncap *= 2;
			if (ncap > PROC_OUTPUT_CAP + 1)
				ncap = PROC_OUTPUT_CAP + 1;
			char *no = realloc(c->out, ncap);
			if (!no) {
				c->out_failed = 1;
				keep = 0;
			} else {
				c->out = no;
				c->cap = ncap;
			}
		}
		if (keep) {
			memcpy(c->out + c->len, p, keep);
			c->len += keep;
		}
	}
	/* the line sink, uncapped */
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			flush_line(c);
			continue;
		}
		if (c->ll == LINE_MAX_BYTES)
			flush_line(c);
		c->line[c->ll++] = p[i] ? p[i] : ' ';
	}
}

/*
 * Read what is there, at most max bytes (a command that writes without
 * pause must not keep us from checking the timeout); returns 1 at EOF,
 * 0 otherwise.
 */
static int drain(int fd, struct capture *c, size_t max)
{
	char buf[CHUNK];
	for (size_t got = 0; got < max;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r > 0) {
			take(c, buf, (size_t)r);
			got += (size_t)r;
			continue;
		}
		if (r == 0)
			return 1;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return 1; /* treat read errors as the end of output */
	}
	return 0;
}

static void child_exec(char *const argv[], char **envp, int devnull,
		       int outw, int statw, long maxfd)
{
	static const int sigs[] = { SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP,
				    SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU,
				    SIGWINCH, SIGALRM, SIGUSR1, SIGUSR2 };
	sigset_t none;
	(void)setpgid(0, 0);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* if the parent ran with 0..2 closed, our fds may sit there: move
	 * them up first so the dup2() calls below cannot clobber them */
	if (devnull < 3)
		devnull = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
	if (outw < 3)
		outw = fcntl(outw, F_DUPFD_CLOEXEC, 3);
	if (statw < 3)
		statw = fcntl(statw, F_DUPFD_CLOEXEC, 3);
	if (devnull < 0 || outw < 0 || statw < 0)
		goto fail;
	if (dup2(devnull, 0) < 0 || dup2(outw, 1) < 0 || dup2(outw, 2) < 0)
		goto fail;
	for (int fd = 0; fd <= 2; fd++)
		(void)fcntl(fd, F_SETFD, 0);
	/* anything else we inherited must not reach the command */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
		for (long fd = 3; fd < maxfd; fd++)
			if (fd != statw)
				(void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	}
	if (envp)
		execvpe(argv[0], argv, envp);
	else
		execvp(argv[0], argv);
fail:;
	int e = errno;
	ssize_t w;
	do
		w = write(statw, &e, sizeof(e));
	while (w < 0 && errno == EINTR);
	_exit(127);
}

static pid_t wait_child(pid_t pid, int *status, int flags)
{
	pid_t r;
	do
		r = waitpid(pid, status, flags);
	while (r < 0 && errno == EINTR);
	return r;
}

/* No process of the group is left (zombies included). */
static int group_gone(pid_t pgid)
{
	return kill(-pgid, 0) != 0 && errno == ESRCH;
}

/*
 * After a timeout or cancel the group's leader is reaped, but members of
 * its group may live on: one that ignores SIGTERM (a background job of a
 * shell, a daemon that forked) would survive the leader's end.  SIGTERM
 * went to the group at term_at; SIGKILL follows when the grace period is
 * over.  Returns once the group is empty, or a while after SIGKILL (it
 * cannot be ignored: what is left is dying, or a zombie that is init's to
 * reap and runs no code).
 */
static void end_group(pid_t pgid, long long term_at, int killed)
{
	long long killed_at = killed ? now_ms() : -1;
	while (!group_gone(pgid)) {
		long long now = now_ms();
		if (!killed && now - term_at >= KILL_GRACE_MS) {
			kill(-pgid, SIGKILL);
			killed = 1;
			killed_at = now;
		}
		if (killed && now - killed_at >= REAP_WAIT_MS)
			return;
		poll(NULL, 0, GROUP_NAP_MS);
	}
}

int proc_run(char *const argv[], char *const extra_env[], int timeout_ms,
	     const struct hooks *h, struct proc_result *res, char *err,
	     size_t errlen)
{
	if (!res)
		return -1;
	memset(res, 0, sizeof(*res));
	if (!argv || !argv[0] || !argv[0][0]) {
		errbuf_printf(err, errlen, "cannot run an empty command: give a program and its arguments");
		return -1;
	}
	const char *name = argv[0];
	char **envp = NULL;
	if (extra_env && extra_env[0]) {
		envp = build_env(extra_env);
		if (!envp) {
			errbuf_printf(err, errlen, "cannot run '%s': out of memory",
				name);
			return -1;
		}
	}
	int devnull = -1, outp[2] = { -1, -1 }, stp[2] = { -1, -1 };
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(outp, O_CLOEXEC) != 0 ||
	    pipe2(stp, O_CLOEXEC) != 0) {
		errbuf_printf(err, errlen, "cannot run '%s': %s", name,
			strerror(errno));
		goto setup_fail;
	}
	long maxfd = sysconf(_SC_OPEN_MAX);
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	/* no handler of ours may run in the child before it resets them */
	sigset_t all, saved;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	pid_t pid = fork();
	int fork_errno = errno;
	if (pid != 0)
		pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (pid < 0) {
		errbuf_printf(err, errlen, "cannot run '%s': fork failed: %s", name,
			strerror(fork_errno));
		goto setup_fail;
	}
	if (pid == 0)
		child_exec(argv, envp, devnull, outp[1], stp[1], maxfd);

	(void)setpgid(pid, pid); /* whoever is first; EACCES after exec */
	close(outp[1]);
	close(stp[1]);
	close(devnull);
	free(envp);
	envp = NULL;

	/* EOF: exec succeeded (CLOEXEC); an int: the child's errno */
	int child_errno = 0;
	ssize_t r;
	do
		r = read(stp[0], &child_errno, sizeof(child_errno));
	while (r < 0 && errno == EINTR);
	close(stp[0]);
	if (r == (ssize_t)sizeof(child_errno)) {
		int st;
		wait_child(pid, &st, 0);
		close(outp[0]);
		errbuf_printf(err, errlen, "cannot run '%s': %s", name,
			strerror(child_errno));
		return -1;
	}

	int fd = outp[0];
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);

	struct capture *c = calloc(1, sizeof(*c));
	if (!c) {
		/* cannot collect: stop the command rather than lose it */
		kill(-pid, SIGKILL);
		int st;
		wait_child(pid, &st, 0);
		close(fd);
		errbuf_printf(err, errlen, "cannot run '%s': out of memory", name);
		return -1;
	}
	c->h = h;

	long long start = now_ms();
	long long deadline = timeout_ms > 0 ? start + timeout_ms : -1;
	long long term_at = -1;
	int reaped = 0, eof = 0, killed = 0, status = 0, have_status = 0;
	int nap = 1;

	while (!reaped || !eof) {
		if (!reaped) {
			pid_t w = wait_child(pid, &status, WNOHANG);
			if (w == pid) {
				reaped = 1;
				have_status = 1;
			} else if (w < 0) {
				reaped = 1; /* ECHILD: someone else reaped it */
			}
		}
		if (reaped) {
			/* what the child wrote is in the pipe now; a
			 * background grandchild holding it open must not keep
			 * us here */
			if (!eof)
				drain(fd, c, FINAL_DRAIN);
			eof = 1;
			break;
		}
		long long now = now_ms();
		if (term_at < 0) {
			int why = 0;
			if (hooks_cancelled(h))
				why = 1;
			else if (deadline >= 0 && now >= deadline)
				why = 2;
			if (why) {
				if (why == 1)
					res->cancelled = 1;
				else
					res->timed_out = 1;
				kill(-pid, SIGTERM);
				kill(pid, SIGTERM); /* if setpgid lost a race */
				term_at = now;
			}
		} else if (!killed && now - term_at >= KILL_GRACE_MS) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = 1;
		}
		long long wait = POLL_MS;
		if (term_at < 0 && deadline >= 0 && deadline - now < wait)
			wait = deadline - now;
		if (term_at >= 0 && !killed &&
		    term_at + KILL_GRACE_MS - now < wait)
			wait = term_at + KILL_GRACE_MS - now;
		if (wait < 0)
			wait = 0;
		if (eof) {
			/* output closed, child still running: short naps so
			 * a normal exit is noticed quickly */
			if (nap < wait)
				wait = nap;
			if (nap < POLL_MS)
				nap *= 2;
			poll(NULL, 0, (int)wait);
			continue;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, (int)wait);
		if (pr > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			eof = drain(fd, c, STEP_DRAIN);
	}
	close(fd);
	if (term_at >= 0)
		end_group(pid, term_at, killed);
	if (c->ll > 0)
		flush_line(c); /* the last line without a newline */

	if (have_status) {
		if (WIFEXITED(status)) {
			res->exited = 1;
			res->exit_code = WEXITSTATUS(status);
		} else if (WIFSIGNALED(status)) {
			res->signaled = WTERMSIG(status);
		}
	}
	if (!c->out) {
		c->out = malloc(1);
		c->len = 0;
	}
	if (c->out)
		c->out[c->len] = '\0';
	res->output = c->out;
	res->output_len = c->out ? c->len : 0;
	free(c);
	if (!res->output) {
		errbuf_printf(err, errlen, "cannot run '%s': out of memory", name);
		return -1;
	}
	return 0;

setup_fail:
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (stp[i] >= 0)
			close(stp[i]);
	}
	free(envp);
	return -1;
}

void proc_result_release(struct proc_result *res)
{
	if (!res)
		return;
	free(res->output);
	memset(res, 0, sizeof(*res));
}

const char *proc_describe(const struct proc_result *res, int timeout_ms,
			  char *buf, size_t buflen)
{
	if (!buf || buflen == 0)
		return "";
	if (!res) {
		snprintf(buf, buflen, "did not run");
	} else if (res->timed_out) {
		if (timeout_ms % 1000 == 0)
			snprintf(buf, buflen, "timed out after %d s",
				 timeout_ms / 1000);
		else
			snprintf(buf, buflen, "timed out after %.1f s",
				 timeout_ms / 1000.0);
	} else if (res->cancelled) {
		snprintf(buf, buflen, "cancelled");
	} else if (res->exited) {
		snprintf(buf, buflen, "exited with status %d", res->exit_code);
	} else if (res->signaled) {
		snprintf(buf, buflen, "killed by signal %d", res->signaled);
	} else {
		snprintf(buf, buflen, "ended with an unknown status");
	}
	return buf;
}
