/*
 * runner.h - the non-interactive mode (--non-interactive): runs the stages
 * in order through flow_run_stage, one line per step on stdout plus the
 * diagnostics, and returns the exit code of product.md section 4.
 */
#ifndef OPSMGR_RUNNER_H
#define OPSMGR_RUNNER_H

#include <stdio.h>
#include "flow.h"

/* Runs stages [from, to] (0 = all), skipping those already done. */
int runner_run(struct flow *f, FILE *out);

/* The arrow between an old and a new value in plain-text output ("export.
 * compat modern -> legacy"): U+2192 when the environment's locale is
 * UTF-8, "->" otherwise.  Static text. */
const char *runner_arrow(void);

/* Set from a SIGINT/SIGTERM handler: the running stage is cancelled. */
void runner_request_cancel(void);

#endif
