/*
 * proc.h - running commands from configuration: an argv (never a shell),
 * with a timeout, cancellable, output captured and handed line by line to
 * a callback (for the UI's scrolling pane) as well as collected.
 * Command strings from the INI become an argv through core/cmdline.h.
 *
 * Ownership: struct proc_result owns its output, freed by proc_result_release().
 */
#ifndef OPSMGR_PROC_H
#define OPSMGR_PROC_H

#include <stddef.h>
#include "core/hooks.h"

#define PROC_OUTPUT_CAP (1024u * 1024u)

struct proc_result {
	int exited;        /* 1 when the child exited normally */
	int exit_code;     /* valid when exited */
	int signaled;      /* signal number that killed it, 0 = none */
	int timed_out;     /* we killed it at the timeout */
	int cancelled;     /* we killed it because hooks said cancel */
	char *output;      /* stdout+stderr interleaved, NUL terminated */
	size_t output_len; /* capped at PROC_OUTPUT_CAP (rest dropped) */
};


/*
 * Run argv[0] (PATH searched when it has no '/') with argv, stdin from
 * /dev/null, stdout+stderr captured.  timeout_ms <= 0 means no timeout.
 * Each complete output line is passed to hooks->line (if set); hooks->
 * cancelled is polled at least every 100 ms.  The command runs in a
 * process group of its own; on timeout or cancel the whole group gets
 * SIGTERM, then SIGKILL after a second, and proc_run returns when no
 * process of the group is left, even if the command itself ended at once
 * (a background job that ignores SIGTERM is killed too).  A command that
 * ends by itself may leave background processes running.
 * Returns 0 when the command ran (check res for its exit status), -1 when
 * it could not be started (err says why, e.g. "no such file").
 * `extra_env` (NULL-terminated "K=V" list, may be NULL) is added to the
 * environment.
 */
int proc_run(char *const argv[], char *const extra_env[], int timeout_ms,
	     const struct hooks *h, struct proc_result *res, char *err,
	     size_t errlen);
void proc_result_release(struct proc_result *res);

/* Human description: "exited with status 3", "killed by signal 9",
 * "timed out after 5 s", "cancelled". Static buffer-free: writes to buf. */
const char *proc_describe(const struct proc_result *res, int timeout_ms,
			  char *buf, size_t buflen);

#endif
