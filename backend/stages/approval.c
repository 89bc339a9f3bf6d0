/*
 * approval.c - stage 7, await approval (approval.h): the entry point that
 * picks the agent's wait (approval_wait.c) or the server role's list
 * (approval_server.c), the check of its fields before any of them, and
 * the result it leaves for the screen.  One
 * attempt is approval_probe.c; the lab's JSON answers approval_json.c.
 */
#include "stages/approval_int.h"

#include <stdbool.h>
#include <stdlib.h>

#include "core/config.h"

void approval_result_free(void *p)
{
	struct approval_result *v = p;
	if (!v)
		return;
	free(v->admin_command);
	approval_agents_release(&v->agents);
	free(v);
}


int approval_check_fields(const struct config *cfg, struct diag_list *dl)
{
	/* (source = command without its commands: the loader's rule) */
	bool list_cmd = cfg->approval_list_command &&
			*cfg->approval_list_command;
	if (cfg->role == ROLE_SERVER && !list_cmd &&
	    cfg->approval_source != APPROVAL_LAB) {
		diag_add(dl, DIAG_APPROVAL_AGENTS, SEV_FAIL, F_LIST,
			 "set [approval] source = lab, or [approval] "
			 "list_command",
			 "no way to list the agents waiting for approval");
		return -1;
	}
	return 0;
}

enum status stage_approval_run(struct ctx *c, const struct hooks *h,
			       struct diag_list *dl)
{
	if (approval_check_fields(c->cfg, dl) != 0)
		return ST_FAIL;
	if (c->cfg->role == ROLE_SERVER)
		return approval_server_run(c, h, dl);
	return approval_agent_wait(c, h, dl);
}

