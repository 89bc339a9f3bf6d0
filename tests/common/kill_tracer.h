/*
 * kill_tracer.h - run a program under ptrace and SIGKILL it at an exact
 * point of its file I/O, for the kill-point tests: just before a file is
 * renamed into place (its temp file complete), just after (the next step
 * not begun), just after a temp file is created (empty), or just after the
 * first write into it (data written, not synced, not renamed), just
 * after a directory is made, a hard link made or a file removed.  The kill
 * is sent while the program is stopped at that system call, so it cannot
 * run on: the point is exact, whatever the machine's load.
 *
 * Threads are followed (libcurl resolves names in threads); children the
 * program forks are not traced.  x86_64 and other architectures with
 * PTRACE_GET_SYSCALL_INFO (Linux 5.3+).
 *
 * Ownership: the caller owns every string passed; nothing is kept.
 */
#ifndef OPSMGR_KILL_TRACER_H
#define OPSMGR_KILL_TRACER_H

enum kt_kind {
	KT_RENAME_BEFORE,   /* rename(2) family, new path == path: at entry */
	KT_RENAME_AFTER,    /* ... at a successful exit */
	KT_OPEN_AFTER,      /* open/openat of a path starting with path: exit */
	KT_WRITE_AFTER,     /* first write to such a file: at its exit */
	KT_MKDIR_AFTER,     /* mkdir/mkdirat of a path starting with path */
	KT_LINK_AFTER,      /* link/linkat, new path starting with path */
	KT_UNLINK_AFTER     /* unlink/unlinkat of path (prefix: see below) */
};

struct kt_trigger {
	enum kt_kind kind;
	const char *path;
	/* Evaluated while the program is stopped at a matching call; the
	 * trigger fires only when it returns non-zero (NULL: always). */
	int (*check)(void *ud);
	void *ud;
	/* Let the program run on this long after the trigger, then kill. */
	int after_ms;
	/* The rename and unlink kinds match a path starting with path (a
	 * name not known in advance, e.g. a time-stamped folder). */
	int prefix;
};

/*
 * Run argv[0] (execv) with stdin from /dev/null, stdout and stderr
 * appended to out_path, traced; SIGKILL it when the trigger fires.
 * Extra environment for the child: "NAME=VALUE" strings in env (NULL-ended,
 * may be NULL).  *fired: 1 when the kill was sent.  Returns the exit
 * status, 128+signal, KT_NO_PTRACE when the child could not be traced, or
 * -1 (could not run, or timeout_ms passed: then it is killed).
 */
#define KT_NO_PTRACE 126
int kt_run(const char *const argv[], const char *const env[],
	   const char *out_path, const struct kt_trigger *t, int timeout_ms,
	   int *fired);

#endif
