/*
 * cmdrun.c - configured commands (cmdrun.h): argv from the setting, the
 * "{agent}" placeholder and the caller's own ones, the extra environment, the one time-out default,
 * the output tail, and the diagnostics of a command that could not run,
 * was cancelled, or ended (exit status, signal, time-out).
 */
#include "sys/cmdrun.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/config.h"
#include "core/strbuf.h"

#define PLACEHOLDER "{agent}"

/* "{agent}" replaced literally inside each argument.  0 / -1. */
static int substitute(char **argv, const char *value)
{
	size_t pl = strlen(PLACEHOLDER), vl = strlen(value);
	for (char **a = argv; *a; a++) {
		char *p = strstr(*a, PLACEHOLDER);
		while (p) {
			size_t pre = (size_t)(p - *a);
			char *ns = NULL;
			if (asprintf(&ns, "%.*s%s%s", (int)pre, *a, value,
				     p + pl) < 0)
				return -1;
			free(*a);
			*a = ns;
			p = strstr(*a + pre + vl, PLACEHOLDER);
		}
	}
	return 0;
}

/* The pair of subst whose placeholder starts at p, or -1. */
static int subst_at(const char *p, const char *const *subst)
{
	for (int i = 0; subst[i] && subst[i + 1]; i += 2)
		if (strncmp(p, subst[i], strlen(subst[i])) == 0)
			return i;
	return -1;
}

/* Every placeholder of subst replaced in one left-to-right pass over each
 * argument.  0 / -1. */
static int substitute_all(char **argv, const char *const *subst)
{
	if (!subst)
		return 0;
	for (char **a = argv; *a; a++) {
		struct strbuf b = STRBUF_INIT;
		for (const char *p = *a; *p;) {
			int i = subst_at(p, subst);
			if (i < 0) {
				strbuf_put(&b, p++, 1);
				continue;
			}
			strbuf_puts(&b, subst[i + 1]);
			p += strlen(subst[i]);
		}
		if (b.oom) {
			strbuf_release(&b);
			return -1;
		}
		char *ns = b.p ? strbuf_take(&b) : strdup("");
		if (!ns)
			return -1;
		free(*a);
		*a = ns;
	}
	return 0;
}

/* "NAME=value" strings from the NAME, value pairs; NULL when none. */
static int make_env(const char *const *pairs, char ***out)
{
	*out = NULL;
	if (!pairs || !pairs[0])
		return 0;
	size_t n = 0;
	while (pairs[2 * n] && pairs[2 * n + 1])
		n++;
	char **env = calloc(n + 1, sizeof(*env));
	if (!env)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (asprintf(&env[i], "%s=%s", pairs[2 * i],
			     pairs[2 * i + 1]) < 0) {
			env[i] = NULL;
			strv_free(env);
			return -1;
		}
	}
	*out = env;
	return 0;
}

/* The last CMDRUN_TAIL_MAX bytes, trailing blanks cut, printable. */
static void take_tail(const struct proc_result *pr, char *buf)
{
	const char *o = pr->output ? pr->output : "";
	size_t l = pr->output ? pr->output_len : 0;
	while (l && isspace((unsigned char)o[l - 1]))
		l--;
	size_t from = l > CMDRUN_TAIL_MAX ? l - CMDRUN_TAIL_MAX : 0;
	size_t n = 0;
	for (size_t i = from; i < l; i++)
		buf[n++] = isprint((unsigned char)o[i]) ? o[i] : ' ';
	buf[n] = '\0';
}

static enum status refuse(const struct cmdrun *s, const char *fix,
			  const char *what, struct diag_list *dl)
{
	diag_add(dl, s->check, SEV_FAIL, s->field, fix, "%s: %s", s->setting,
		 what);
	return ST_FAIL;
}

static enum status start(const struct cmdrun *s, char **argv,
			 const struct hooks *h, struct cmdrun_result *res,
			 struct diag_list *dl)
{
	char err[512];
	char **env = NULL;
	if ((s->agent && substitute(argv, s->agent) != 0) ||
	    substitute_all(argv, s->subst) != 0 ||
	    make_env(s->env, &env) != 0)
		return refuse(s, NULL, "out of memory", dl);
	int secs = s->timeout_s > 0 ? s->timeout_s
				    : CONFIG_DEFAULT_COMMAND_TIMEOUT;
	res->timeout_ms = secs * 1000;
	if (s->progress)
		hooks_progress(h, s->progress, -1.0);
	int rc = proc_run(argv, env, res->timeout_ms, h, &res->proc, err,
			  sizeof(err));
	strv_free(env);
	if (rc != 0)
		return refuse(s, "check the program's path and that it is "
				 "executable", err, dl);
	if (res->proc.cancelled) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, s->field, NULL,
			 "%s '%s' was stopped: cancelled", s->setting,
			 res->program);
		return ST_CANCELLED;
	}
	proc_describe(&res->proc, res->timeout_ms, res->how, sizeof(res->how));
	take_tail(&res->proc, res->tail);
	return ST_OK;
}

enum status cmdrun_run(const struct cmdrun *s, const struct hooks *h,
		       struct cmdrun_result *res, struct diag_list *dl)
{
	memset(res, 0, sizeof(*res));
	if (!s->cmdline || !*s->cmdline) {
		char fix[256];
		snprintf(fix, sizeof(fix),
			 "set %s to a program and its arguments", s->field);
		return refuse(s, fix, "no command is set", dl);
	}
	char err[512];
	char **argv = NULL;
	if (cmdline_split(s->cmdline, &argv, err, sizeof(err)) != 0) {
		char *what = NULL;
		enum status st = refuse(
			s, "write the command as a program and its arguments, "
			   "quoted like a shell would (no shell features)",
			asprintf(&what, "cannot use '%s': %s", s->cmdline,
				 err) < 0 ? "out of memory" : what, dl);
		free(what);
		return st;
	}
	res->program = strdup(argv[0]);
	enum status st = res->program ? start(s, argv, h, res, dl)
				      : refuse(s, NULL, "out of memory", dl);
	strv_free(argv);
	return st;
}

bool cmdrun_exited(const struct cmdrun_result *res, int code)
{
	return res->proc.exited && res->proc.exit_code == code;
}

struct diag *cmdrun_report(const struct cmdrun *s,
			   const struct cmdrun_result *res,
			   enum diag_severity sev, const char *fix,
			   const char *note, struct diag_list *dl)
{
	char timeout_fix[256];
	bool fail = sev == SEV_FAIL;
	if (fail && res->proc.timed_out) {
		snprintf(timeout_fix, sizeof(timeout_fix),
			 "raise [agent] command_timeout or check why '%s' "
			 "hangs", res->program ? res->program : "the command");
		fix = timeout_fix;
	}
	return diag_add(dl, s->check, sev, s->field, fix,
			"%s '%s' %s%s%s%s%s%s",
			s->setting, res->program ? res->program : "",
			res->how, note ? " (" : "", note ? note : "",
			note ? ")" : "",
			!fail ? "" : res->tail[0] ? "; last output: "
						  : " (no output)",
			fail ? res->tail : "");
}

enum status cmdrun_run_report(const struct cmdrun *spec,
			      const struct hooks *h, const char *pass_note,
			      const char *fail_fix, struct diag_list *dl)
{
	struct cmdrun_result run;
	enum status s = cmdrun_run(spec, h, &run, dl);
	if (s == ST_OK && cmdrun_exited(&run, 0)) {
		cmdrun_report(spec, &run, SEV_PASS, NULL, pass_note, dl);
	} else if (s == ST_OK) {
		cmdrun_report(spec, &run, SEV_FAIL, fail_fix, NULL, dl);
		s = ST_FAIL;
	}
	cmdrun_result_release(&run);
	return s;
}

void cmdrun_result_release(struct cmdrun_result *res)
{
	if (!res)
		return;
	free(res->program);
	proc_result_release(&res->proc);
	memset(res, 0, sizeof(*res));
}
