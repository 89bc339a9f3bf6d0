/*
 * kill_tracer.c - run a program under ptrace and SIGKILL it at an exact
 * system call (kill_tracer.h).  One tracer loop: every thread of the
 * program stops at each system call entry and exit; the entry's number and
 * arguments are remembered per thread so the exit can be matched; paths
 * are read from the program's memory with process_vm_readv.
 */
#include "kill_tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KT_MAX_THREADS 64
#define KT_MAX_FDS 16
#define KT_PATH_MAX 4096

struct kt_thread {
	pid_t tid;
	int in_syscall;       /* between entry and exit stops */
	uint64_t nr;
	uint64_t args[6];
};

struct kt_state {
	pid_t pid;
	const struct kt_trigger *t;
	struct kt_thread th[KT_MAX_THREADS];
	int fds[KT_MAX_FDS];  /* fds of matching temp files (KT_WRITE_AFTER) */
	int nfds;
	int fired;
	long long kill_at;    /* ms; 0 = none */
};

static long long kt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct kt_thread *thread_of(struct kt_state *s, pid_t tid, int add)
{
	struct kt_thread *free_slot = NULL;

	for (int i = 0; i < KT_MAX_THREADS; i++) {
		if (s->th[i].tid == tid)
			return &s->th[i];
		if (!s->th[i].tid && !free_slot)
			free_slot = &s->th[i];
	}
	if (add && free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->tid = tid;
	}
	return add ? free_slot : NULL;
}

static void thread_gone(struct kt_state *s, pid_t tid)
{
	struct kt_thread *t = thread_of(s, tid, 0);

	if (t)
		memset(t, 0, sizeof(*t));
}

/* Read a NUL-terminated string from the tracee, page by page. */
static int read_str(pid_t tid, uint64_t addr, char *out, size_t cap)
{
	size_t got = 0;

	if (!addr)
		return -1;
	while (got + 1 < cap) {
		size_t page_left = 4096 - ((addr + got) & 4095);
		size_t want = cap - 1 - got;
		struct iovec local, remote;
		ssize_t n;
		char *nul;

		if (want > page_left)
			want = page_left;
		local.iov_base = out + got;
		local.iov_len = want;
		remote.iov_base = (void *)(uintptr_t)(addr + got);
		remote.iov_len = want;
		n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return -1;
		nul = memchr(out + got, '\0', (size_t)n);
		got += (size_t)n;
		if (nul)
			return 0;
	}
	out[cap - 1] = '\0';
	return 0;
}

static int is_rename(uint64_t nr)
{
#ifdef SYS_rename
	if (nr == SYS_rename)
		return 1;
#endif
#ifdef SYS_renameat
	if (nr == SYS_renameat)
		return 1;
#endif
	return nr == SYS_renameat2;
}

/* The rename's destination path argument. */
static uint64_t rename_new_arg(const struct kt_thread *t)
{
#ifdef SYS_rename
	if (t->nr == SYS_rename)
		return t->args[1];
#endif
	return t->args[3];   /* renameat, renameat2 */
}

static int is_open(uint64_t nr, uint64_t *path_arg_index)
{
#ifdef SYS_open
	if (nr == SYS_open) {
		*path_arg_index = 0;
		return 1;
	}
#endif
	*path_arg_index = 1;
	return nr == SYS_openat;
}

/* mkdir, link, unlink: is nr one of the kind, and which argument is the
 * path it makes or removes? */
static int is_path_call(enum kt_kind k, uint64_t nr, uint64_t *idx)
{
	switch (k) {
	case KT_MKDIR_AFTER:
#ifdef SYS_mkdir
		if (nr == SYS_mkdir)
			return *idx = 0, 1;
#endif
		return *idx = 1, nr == SYS_mkdirat;
	case KT_LINK_AFTER:
#ifdef SYS_link
		if (nr == SYS_link)
			return *idx = 1, 1;
#endif
		return *idx = 3, nr == SYS_linkat;
	case KT_UNLINK_AFTER:
#ifdef SYS_unlink
		if (nr == SYS_unlink)
			return *idx = 0, 1;
#endif
		return *idx = 1, nr == SYS_unlinkat;
	default:
		return 0;
	}
}

static int is_write(uint64_t nr)
{
	return nr == SYS_write || nr == SYS_pwrite64 || nr == SYS_writev;
}

static int matches(struct kt_state *s, pid_t tid, uint64_t addr, int prefix)
{
	char path[KT_PATH_MAX];
	size_t n = strlen(s->t->path);

	if (read_str(tid, addr, path, sizeof(path)) != 0)
		return 0;
	return prefix ? strncmp(path, s->t->path, n) == 0
		      : strcmp(path, s->t->path) == 0;
}

static int check_ok(struct kt_state *s)
{
	return !s->t->check || s->t->check(s->t->ud);
}

/* Fire: kill now, or after after_ms. */
static void fire(struct kt_state *s)
{
	s->fired = 1;
	if (s->t->after_ms > 0) {
		s->kill_at = kt_now_ms() + s->t->after_ms;
	} else {
		kill(s->pid, SIGKILL);
	}
}

/* A syscall stop of tid: evaluate the trigger. */
static void on_syscall(struct kt_state *s, pid_t tid)
{
	struct __ptrace_syscall_info info;
	struct kt_thread *t = thread_of(s, tid, 1);
	uint64_t idx;

	memset(&info, 0, sizeof(info));
	if (!t || ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) <= 0)
		return;
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		t->in_syscall = 1;
		t->nr = info.entry.nr;
		memcpy(t->args, info.entry.args, sizeof(t->args));
		if (s->fired)
			return;
		if (s->t->kind == KT_RENAME_BEFORE && is_rename(t->nr) &&
		    matches(s, tid, rename_new_arg(t), s->t->prefix) &&
		    check_ok(s))
			fire(s);
		return;
	}
	if (info.op != PTRACE_SYSCALL_INFO_EXIT || !t->in_syscall)
		return;
	t->in_syscall = 0;
	if (s->fired || info.exit.is_error)
		return;
	switch (s->t->kind) {
	case KT_RENAME_AFTER:
		if (is_rename(t->nr) &&
		    matches(s, tid, rename_new_arg(t), s->t->prefix) &&
		    check_ok(s))
			fire(s);
		break;
	case KT_MKDIR_AFTER:
	case KT_LINK_AFTER:
	case KT_UNLINK_AFTER:
		if (is_path_call(s->t->kind, t->nr, &idx) &&
		    matches(s, tid, t->args[idx],
			    s->t->kind != KT_UNLINK_AFTER || s->t->prefix) &&
		    check_ok(s))
			fire(s);
		break;
	case KT_OPEN_AFTER:
		if (is_open(t->nr, &idx) && matches(s, tid, t->args[idx], 1) &&
		    check_ok(s))
			fire(s);
		break;
	case KT_WRITE_AFTER:
		if (is_open(t->nr, &idx) && matches(s, tid, t->args[idx], 1) &&
		    s->nfds < KT_MAX_FDS)
			s->fds[s->nfds++] = (int)info.exit.rval;
		else if (is_write(t->nr) && info.exit.rval > 0)
			for (int i = 0; i < s->nfds; i++)
				if ((uint64_t)s->fds[i] == t->args[0] && check_ok(s)) {
					fire(s);
					break;
				}
		break;
	case KT_RENAME_BEFORE:
		break;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM in ms (at least 1), then every 20 ms so that one landing just
 * before waitpid blocks is not the last; 0 disarms. */
static void arm_timer(long long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	if (ms > 0 || ms < 0) {
		if (ms < 1)
			ms = 1;
		it.it_value.tv_sec = ms / 1000;
		it.it_value.tv_usec = (ms % 1000) * 1000;
		it.it_interval.tv_usec = 20000;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

static void child(const char *const argv[], const char *const env[],
		  const char *out_path)
{
	int nul = open("/dev/null", O_RDONLY);
	int fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);

	if (nul >= 0)
		dup2(nul, 0);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	for (size_t i = 0; env && env[i]; i++)
		putenv((char *)env[i]);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
		_exit(KT_NO_PTRACE);
	raise(SIGSTOP);
	execv(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

int kt_run(const char *const argv[], const char *const env[],
	   const char *out_path, const struct kt_trigger *t, int timeout_ms,
	   int *fired)
{
	struct kt_state s;
	long long deadline = kt_now_ms() + timeout_ms;
	int st = 0, result = -1, timed_out = 0;

	memset(&s, 0, sizeof(s));
	s.t = t;
	*fired = 0;
	fflush(NULL);
	s.pid = fork();
	if (s.pid < 0)
		return -1;
	if (s.pid == 0)
		child(argv, env, out_path);

	/* the child stops itself before execv */
	if (waitpid(s.pid, &st, __WALL) != s.pid || !WIFSTOPPED(st)) {
		kill(s.pid, SIGKILL);
		waitpid(s.pid, &st, __WALL);
		return -1;
	}
	thread_of(&s, s.pid, 1);
	ptrace(PTRACE_SETOPTIONS, s.pid, NULL,
	       (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
			      PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
	ptrace(PTRACE_SYSCALL, s.pid, NULL, NULL);

	struct sigaction sa, old_sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;   /* no SA_RESTART: waitpid returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);
	for (;;) {
		long long now = kt_now_ms();
		long long next = timed_out ? 0 : deadline;
		pid_t w;

		if (s.kill_at && now >= s.kill_at) {
			kill(s.pid, SIGKILL);
			s.kill_at = 0;
		}
		if (!timed_out && now > deadline) {
			timed_out = 1;
			kill(s.pid, SIGKILL);
			next = 0;
		}
		if (s.kill_at && (!next || s.kill_at < next))
			next = s.kill_at;
		arm_timer(next ? next - now : 0);
		w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			thread_gone(&s, w);
			if (w == s.pid) {
				result = WIFEXITED(st) ? WEXITSTATUS(st)
						       : 128 + WTERMSIG(st);
				break;
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		if (!thread_of(&s, w, 0) && w != s.pid) {
			/* a new thread's first stop (or a stray child) */
			if (!thread_of(&s, w, 1))
				continue;
			ptrace(PTRACE_SYSCALL, w, NULL, NULL);
			continue;
		}
		int sig = WSTOPSIG(st);
		int deliver = 0;

		if (sig == (SIGTRAP | 0x80)) {
			on_syscall(&s, w);
			if (s.fired && !s.kill_at)
				continue;   /* killed while stopped: stay there */
		} else if (sig == SIGTRAP && (st >> 16) != 0) {
			/* clone / exec event */
		} else if (sig == SIGSTOP) {
			/* a new thread's initial stop, or ours */
		} else {
			deliver = sig;
		}
		ptrace(PTRACE_SYSCALL, w, NULL, (void *)(long)deliver);
	}
	arm_timer(0);
	sigaction(SIGALRM, &old_sa, NULL);
	*fired = s.fired;
	if (timed_out)
		return -1;
	return result;
}
