/*
 * agent.h - stage 5, install agent (stage_agent_run in stages.h): field
 * checks in the err-buffer form (`check` reads the management group's),
 * and what the stage leaves in ctx->out[STAGE_AGENT] for the screen
 * (struct agent_result).  Where the agent configuration goes is
 * agentconf_path (core/agentconf.h).
 *
 * The management group, server and port follow the rules of
 * core/validate.h, the same the loader and the screen apply.
 *
 * Ownership: struct agent_result is owned by the ctx once stored there
 * (freed with agent_result_free); the checks fill the caller's buffer.
 */
#ifndef OPSMGR_AGENT_H
#define OPSMGR_AGENT_H

#include <stddef.h>
#include "core/ctx.h"
#include "core/diag.h"
#include "core/hooks.h"
#include "core/status.h"

#define AGENT_PROBE_TIMEOUT_MS 10000

/* rule_mgmt_group (core/validate.h) for `check`: the rule's message in
 * err; 0 when fine, -1 on a failure. */
int agent_check_mgmt_group(const char *mg, char *err, size_t errlen);

/* Stage 5's fields, without I/O: agent.management_group, agent.server and
 * agent.port by their rules, each a diagnostic at its field (a pass too).
 * 0, or -1 when one failed.  The stage runs it first; so does the
 * runner's preflight (wizard/preflight.h). */
int agent_check_fields(const struct config *cfg, struct diag_list *dl);


/* For the screen: what the last run of stage 5 produced. */
struct agent_result {
	char *config_path;     /* the agent configuration written */
	char *addresses;       /* "127.0.0.1, ::1" or NULL */
	char *msi_line;        /* the msiexec line as typed at a prompt */
	char *msi_file;        /* [agent] msi_command_file written, or NULL */
	char *bundle_zip;      /* Windows target: the zip stage 6 writes */
	char *bundle_todo;     /* "copy <zip> to <fqdn>, extract, ..." */
	int install_ran;       /* install_command was run */
	int install_exit;      /* its exit status (when it exited) */
};
void agent_result_free(void *r);

#endif
