/*
 * agent.h - stage 5, install agent (stage_agent_run in stages.h): field
 * validation a screen can call on leave, the resolved paths the stage
 * writes, and what the stage leaves in ctx->out[STAGE_AGENT] for the
 * screen (struct agent_result).
 *
 * Management group rules (opsmgr-facts.md; Microsoft's manual agent install
 * doc): none of ( ) ^ ~ : ; . ! ? " , ' ` @ # % \ / * + = $ | & [ ] < > { },
 * no leading or trailing space, 1..AGENT_MGMT_GROUP_MAX characters (50: the
 * agent configuration API's AddManagementGroup documents "between 1 and 50
 * characters"), no control characters.
 *
 * Ownership: strings returned are malloc'd, the caller frees them; struct
 * agent_result is owned by the ctx once stored there (freed with
 * agent_result_free).
 */
#ifndef OPSMGR_AGENT_H
#define OPSMGR_AGENT_H

#include <stddef.h>
#include "core/ctx.h"
#include "core/diag.h"
#include "core/hooks.h"
#include "core/status.h"

#define AGENT_MGMT_GROUP_MAX 50
#define AGENT_MGMT_GROUP_FORBIDDEN "()^~:;.!?\",'`@#%\\/*+=$|&[]<>{}"
#define AGENT_SERVER_MAX 253
#define AGENT_PROBE_TIMEOUT_MS 10000

/* Field checks: 0 when fine, -1 with a message (lowercase, specific) in err.
 * agent_check_server accepts an FQDN, a host name or an IPv4/IPv6 literal;
 * it returns 1 for a usable single-label name other than "localhost" (a
 * warning: the management server should be named by its FQDN). */
int agent_check_mgmt_group(const char *mg, char *err, size_t errlen);
int agent_check_server(const char *server, char *err, size_t errlen);
int agent_check_port(long port, char *err, size_t errlen);

/* The install command file (malloc'd): [agent] msi_command_file or
 * <state_dir>/install.cmd.  The agent configuration's path is
 * agentconf_path (agentconf.h). */
char *agent_msi_file_path(const struct ctx *c);

/* For the screen: what the last run of stage 5 produced. */
struct agent_result {
	char *config_path;     /* the agent configuration written */
	char *addresses;       /* "127.0.0.1, ::1" or NULL */
	char *msi_line;        /* the msiexec line as typed at a prompt */
	char *msi_file;        /* install.cmd written, or NULL */
	int install_ran;       /* install_command was run */
	int install_exit;      /* its exit status (when it exited) */
};
void agent_result_free(void *r);

#endif
