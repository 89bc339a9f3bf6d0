/*
 * cli.h - command-line parsing for opsmgr-enroll (product.md section 4).
 * Pure: no I/O besides what the caller prints, so it is unit-tested.
 * Ownership: struct cli points into argv (nothing to free).
 */
#ifndef OPSMGR_CLI_H
#define OPSMGR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include "check.h"
#include "flow.h"

enum cli_command { CLI_WIZARD = 0, CLI_CHECK, CLI_HISTORY, CLI_HELP,
		   CLI_VERSION, CLI_SAVE_ANSWERS, CLI_RENEW,
		   CLI_CONFIG_TEMPLATE, CLI_COLLECT_SCRIPT, CLI_EXPLAIN };

struct cli {
	enum cli_command cmd;
	struct flow_opts flow;
	bool non_interactive;
	bool abandon_pending;        /* --abandon-pending: ctx.confirm_abandon */
	bool new_key;                /* --new-key: ctx.request_new_key */
	struct check_opts check;     /* check.json: also history's --json */
	const char *save_path;       /* save-answers FILE */
	bool overwrite;              /* save-answers --overwrite */
	bool if_due;                 /* renew --if-due */
	long long before_s;          /* renew --before, seconds; -1: default */
	const char *collect_server;  /* collect-script --server; NULL: none */
	int collect_port;            /* collect-script --port; 0: none */
	int explain_argc;            /* explain: the words after it (TEXT, */
	char **explain_argv;         /*   an EVENT_ID or "-"), not options */
};

/* Returns 0, or -1 with a one-line message in err (exit 2). */
int cli_parse(int argc, char **argv, struct cli *out, char *err,
	      size_t errlen);
/* Parse "A-B" or "N" (STAGE_FIRST..STAGE_LAST) into from/to. 0 / -1. */
int cli_parse_stages(const char *s, int *from, int *to);
void cli_usage(FILE *out);

#endif
