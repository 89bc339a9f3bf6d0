/*
 * cmdrun.h - the one runner for commands from the configuration ([agent]
 * install_command and restart_command, [approval] command, list_command
 * and approve_command): split the configured string into argv (proc.h,
 * never a shell), run it with the one timeout default, hand its output
 * lines to hooks->line, keep a tail of its output of one fixed size, and
 * report everything that is not a normal exit in one diagnostic shape that
 * starts with the setting's name ("install_command: ...").
 *
 * Ownership: struct cmdrun is borrowed (nothing is copied);
 * struct cmdrun_result owns its strings and the output, freed by
 * cmdrun_result_release().
 */
#ifndef OPSMGR_CMDRUN_H
#define OPSMGR_CMDRUN_H

#include <stdbool.h>

#include "core/diag.h"
#include "core/hooks.h"
#include "core/status.h"
#include "sys/proc.h"

#define CMDRUN_TAIL_MAX 400   /* bytes of output quoted in a diagnostic */

struct cmdrun {
	const char *setting;     /* "install_command": starts every message */
	const char *field;       /* "agent.install_command", the field */
	enum diag_check check;   /* the check its problems are reported under */
	const char *cmdline;     /* as configured */
	/* NAME, value, NAME, value, ..., NULL: added to the environment;
	 * may be NULL */
	const char *const *env;
	const char *agent;       /* replaces every "{agent}" in an argument;
				  * may be NULL */
	/* "{name}", value, "{name}", value, ..., NULL: each placeholder
	 * replaced by its value inside every argument after splitting, in
	 * one pass (a value is never searched again); may be NULL */
	const char *const *subst;
	int timeout_s;           /* [agent] command_timeout; <= 0 means
				  * CONFIG_DEFAULT_COMMAND_TIMEOUT */
	const char *progress;    /* hooks_progress text while it runs; NULL */
};

struct cmdrun_result {
	char *program;           /* argv[0] after splitting, or NULL */
	struct proc_result proc; /* exit status and the whole output */
	int timeout_ms;          /* the time-out it ran with */
	char how[128];           /* "exited with status 3", "timed out ..." */
	char tail[CMDRUN_TAIL_MAX + 1]; /* the output's end, printable */
};

/*
 * Run spec->cmdline.  ST_OK: it ran to its end, or was stopped at the
 * time-out (read res; nothing is reported yet).  ST_FAIL: it is not set,
 * cannot be split or cannot start (a SEV_FAIL diagnostic under spec->check
 * says "<setting>: ..." with a fix).  ST_CANCELLED: hooks cancelled it (a
 * DIAG_CANCELLED info says so).  res is always filled enough to release.
 */
enum status cmdrun_run(const struct cmdrun *spec, const struct hooks *h,
		       struct cmdrun_result *res, struct diag_list *dl);

/* It exited normally with this status. */
bool cmdrun_exited(const struct cmdrun_result *res, int code);

/*
 * One diagnostic about a command that ran: "<setting> '<program>' <how>",
 * then " (<note>)" when note is given, and for SEV_FAIL "; last output:
 * <tail>" or " (no output)".  A time-out failure gets the fix "raise
 * [agent] command_timeout ..." instead of fix.  Returns the item or NULL.
 */
struct diag *cmdrun_report(const struct cmdrun *spec,
			   const struct cmdrun_result *res,
			   enum diag_severity sev, const char *fix,
			   const char *note, struct diag_list *dl);

/*
 * cmdrun_run, then one report: a pass (with pass_note, may be NULL) when
 * it exited 0, else a fail with fail_fix.  ST_OK only for exit 0, ST_FAIL
 * (also when it could not run), ST_CANCELLED.
 */
enum status cmdrun_run_report(const struct cmdrun *spec,
			      const struct hooks *h, const char *pass_note,
			      const char *fail_fix, struct diag_list *dl);

void cmdrun_result_release(struct cmdrun_result *res);

#endif
