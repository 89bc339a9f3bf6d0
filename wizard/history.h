/*
 * history.h - `opsmgr-enroll history`: the requests stage 2 archived when
 * changed answers replaced them (stages/request_history.h), newest first,
 * as text or JSON.
 */
#ifndef OPSMGR_HISTORY_H
#define OPSMGR_HISTORY_H

#include <stdbool.h>
#include <stdio.h>
#include "flow.h"

/*
 * Print the archive of the state directory o names (--state-dir, else the
 * configuration's [wizard] state_dir, else the default) to out; problems
 * to err.  Returns the exit status: 0 (also with nothing archived), 2 when
 * the configuration or the archive cannot be read.
 */
int history_run(const struct flow_opts *o, bool json, FILE *out, FILE *err);

#endif
