/*
 * approval.c - stage 7, await approval (approval.h): the entry point that
 * picks the agent's wait (approval_wait.c) or the server role's list
 * (approval_server.c), and the result it leaves for the screen.  One
 * attempt is approval_probe.c; the lab's JSON answers approval_json.c.
 */
#include "stages/approval_int.h"

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


enum status stage_approval_run(struct ctx *c, const struct hooks *h,
			       struct diag_list *dl)
{
	if (c->cfg->role == ROLE_SERVER)
		return approval_server_run(c, h, dl);
	return approval_agent_wait(c, h, dl);
}

