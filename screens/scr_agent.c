/*
 * scr_agent.c - stage 5 screen: management group, management server, port
 * and target, each judged by its key's rule in the configuration schema
 * (the loader and stage 5 say the same; a short server name shows as a
 * warning); the DNS and TCP results inline at the server and port
 * fields; the installer's output in the scrolling pane; the silent
 * MOMAgent.msi line for Windows targets, with the bundle stage 6 writes
 * and the one thing to do with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_schema.h"
#include "stages/agent.h"
#include "screens.h"
#include "stage_screen.h"

static const char *const TARGET_HINTS[] = {
	"configure the agent on this computer",
	"prepare a bundle (zip + install.cmd) for a Windows computer",
};

static const struct fdef FIELDS[] = {
	{ "agent.management_group", "Management group", FT_TEXT, NULL, NULL,
	  val_schema },
	{ "agent.server", "Management server", FT_TEXT, NULL, NULL,
	  val_schema },
	{ "agent.port", "Port", FT_INT, NULL, NULL, val_schema },
	{ "agent.target", "Target", FT_CHOICE, CONFIG_NAMES_AGENT_TARGET,
	  TARGET_HINTS, NULL },
};

static void result(struct ui *ui, struct pane *p, enum status st)
{
	const struct agent_result *r = ui->f->ctx.out[STAGE_AGENT];
	if (!r) {
		if (stage_result_current(ui, STAGE_AGENT, st) &&
		    ui->f->st.agent_config_path)
			pane_addf(p, TH_DONE, "agent configuration %s",
				  ui->f->st.agent_config_path);
		return;
	}
	if (r->addresses)
		pane_addf(p, TH_NORMAL, "%s resolves to %s", ui->f->cfg.agent_server ?
			  ui->f->cfg.agent_server : "the server", r->addresses);
	if (r->config_path)
		pane_addf(p, TH_DONE, "agent configuration written: %s",
			  r->config_path);
	if (r->install_ran)
		pane_addf(p, r->install_exit == 0 ? TH_DONE : TH_FAIL,
			  "installer command exited with status %d", r->install_exit);
	/* the bundle and the one thing to do first: they must be in view */
	pane_add_value(p, TH_NORMAL, "Windows bundle (made on import): %s",
		       r->bundle_zip);
	pane_add_value(p, TH_NORMAL, "then: %s", r->bundle_todo);
	if (r->msi_line)
		pane_addf(p, TH_NORMAL, "Windows: %s", r->msi_line);
	if (r->msi_file)
		pane_addf(p, TH_NORMAL, "saved as %s", r->msi_file);
}

const struct stage_screen SCR_AGENT = {
	.stage = STAGE_AGENT,
	.intro = "Say which management group and server the agent reports to; "
		 "the server and its port are checked before anything is "
		 "written.",
	.fields = FIELDS,
	.nfields = (int)(sizeof(FIELDS) / sizeof(FIELDS[0])),
	.result = result,
	.run_label = "Install",
	.live_output = true,
};
