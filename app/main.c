/*
 * app/main.c - opsmgr-enroll's entry point: parses the command line, opens
 * the flow (configuration + state) and hands over to the wizard screens, the
 * non-interactive runner, the check report, the history of archived
 * requests, the renewal or an event's explanation.  The only place that exits.
 * It lives above wizard/ and screens/ so that neither includes the other's
 * caller: app/ -> screens/, wizard/, backend/; screens/ -> wizard/.
 */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "answers_save.h"
#include "collect_script.h"
#include "check.h"
#include "cli.h"
#include "core/config_template.h"
#include "evidence_check.h"
#include "core/secret.h"
#include "explain.h"
#include "flow.h"
#include "history.h"
#include "renew.h"
#include "sys/http.h"
#include "runner.h"
#include "ui.h"
#include "uikit.h"

/* SIGINT, SIGTERM, SIGHUP: the running stage is cancelled (the flow
 * saves the state) and the program exits 128 + the signal's number. */
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
	runner_request_cancel();
	ui_signal(sig);
}

/* A run cut off by a signal exits 128 + its number (130 SIGINT, 143
 * SIGTERM); the runner's cancelled run says 130 whatever stopped it. */
static int signal_code(int code)
{
	return got_signal && code == 128 + SIGINT ? 128 + got_signal : code;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int open_flow(struct flow *f, const struct flow_opts *o)
{
	struct diag_list dl;
	diag_list_init(&dl);
	int r = flow_open(f, o, &dl);
	/* Configuration warnings and errors go to stderr before any UI. */
	diag_print_text(stderr, &dl, SEV_WARN);
	diag_list_release(&dl);
	return r;
}

/* check --evidence: no state, no configuration; -1 (not evidence) is 2. */
static int run_check_evidence(const struct check_opts *o)
{
	struct diag_list dl;
	diag_list_init(&dl);
	int r = evidence_check(o->evidence, o->fqdn, &dl);
	if (o->json)
		diag_write_json(stdout, &dl);
	else
		diag_print_text(stdout, &dl, SEV_PASS);
	if (!o->json && r >= 0)
		printf("%s: %zu passed, %zu warnings, %zu failed\n",
		       r ? "problems found" : "no failures",
		       diag_count(&dl, SEV_PASS) + diag_count(&dl, SEV_INFO),
		       diag_count(&dl, SEV_WARN), diag_count(&dl, SEV_FAIL));
	diag_list_release(&dl);
	return r < 0 ? EXIT_USAGE : r;
}

static int run_check(struct cli *c)
{
	struct flow f;
	if (c->check.evidence)
		return run_check_evidence(&c->check);
	if (open_flow(&f, &c->flow) < 0) {
		flow_close(&f);
		return EXIT_USAGE;
	}
	struct diag_list dl;
	diag_list_init(&dl);
	int r = check_collect(&f, &c->check, NULL, &dl);
	if (c->check.json)
		diag_write_json(stdout, &dl);
	else {
		diag_print_text(stdout, &dl, SEV_PASS);
		printf("%s: %zu passed, %zu warnings, %zu failed\n",
		       r ? "problems found" : "no failures",
		       diag_count(&dl, SEV_PASS) + diag_count(&dl, SEV_INFO),
		       diag_count(&dl, SEV_WARN), diag_count(&dl, SEV_FAIL));
	}
	diag_list_release(&dl);
	flow_close(&f);
	return r ? 1 : 0;
}

/* renew: the runner's renewal, or the wizard once it is begun. */
static int run_renew(struct cli *c, bool non_interactive)
{
	struct flow f;
	int code = EXIT_USAGE;
	const struct renew_opts o = { c->if_due, c->before_s };
	if (open_flow(&f, &c->flow) < 0) {
		/* exit 2 */
	} else if (non_interactive) {
		code = signal_code(renew_run(&f, &o, stdout));
	} else {
		code = renew_prepare(&f, &o, time(NULL), stdout);
		if (code == RENEW_RUN)
			code = signal_code(ui_run(&f));
	}
	flow_close(&f);
	return code;
}

/* config-template: the commented system configuration file on stdout. */
static int print_config_template(void)
{
	char *text = config_template_text();
	int rc = text && fputs(text, stdout) >= 0 && fflush(stdout) == 0 ? 0 : 1;

	if (!text)
		fprintf(stderr, "opsmgr-enroll: out of memory\n");
	free(text);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c;
	char err[512];
	/* before anything holds a secret: no core dumps (see secret.h) */
	secret_harden_process();
	if (cli_parse(argc, argv, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "opsmgr-enroll: %s\n", err);
		fprintf(stderr, "try 'opsmgr-enroll --help'\n");
		return EXIT_USAGE;
	}
	if (c.cmd == CLI_HELP) {
		cli_usage(stdout);
		return 0;
	}
	if (c.cmd == CLI_VERSION) {
		printf("opsmgr-enroll %s\n", OPSMGR_VERSION);
		return 0;
	}
	if (c.cmd == CLI_CONFIG_TEMPLATE)
		return print_config_template();
	if (c.cmd == CLI_EXPLAIN)
		return explain_run(c.explain_argc, c.explain_argv, stdin,
				   stdout, stderr);
	if (c.cmd == CLI_HISTORY)
		return history_run(&c.flow, c.check.json, stdout, stderr);
	if (c.cmd == CLI_COLLECT_SCRIPT)
		return collect_script_run(c.collect_server, c.collect_port,
					  stdout, stderr);
	if (c.cmd == CLI_SAVE_ANSWERS)
		return answers_save_run(&c.flow, c.save_path, c.overwrite,
					stdout, stderr);
	if (http_global_init() < 0) {
		fprintf(stderr, "opsmgr-enroll: cannot initialise libcurl\n");
		return 1;
	}
	install_signals();
	int code;
	if (c.cmd == CLI_CHECK) {
		code = run_check(&c);
	} else if (c.cmd == CLI_RENEW && c.non_interactive) {
		code = run_renew(&c, true);
	} else if (!c.non_interactive &&
		   (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "opsmgr-enroll: no terminal: run with "
			"--answers FILE --non-interactive, or from a terminal\n");
		code = EXIT_USAGE;
	} else if (c.cmd == CLI_RENEW) {
		code = run_renew(&c, false);
	} else {
		struct flow f;
		int opened = open_flow(&f, &c.flow);
		/* the operator's answers to stage 2's questions, given up front */
		f.ctx.confirm_abandon = c.abandon_pending;
		f.ctx.request_new_key = c.new_key;
		if (opened < 0) {
			code = EXIT_USAGE;
		} else if (c.non_interactive) {
			code = signal_code(runner_run(&f, stdout));
		} else {
			code = signal_code(ui_run(&f));
		}
		flow_close(&f);
	}
	http_global_cleanup();
	return code;
}
