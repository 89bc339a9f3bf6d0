/*
 * scr_serial.c - stage 6 screen: what MOMCertImport does, shown: the
 * certificate's serial as printed and in the registry's reversed byte
 * order, the thumbprint, and every file written; for a Windows target the
 * bundle (folder, zip) and the one thing to do with it.
 */
#include <stdio.h>

#include "stages/serial.h"
#include "screens.h"
#include "stage_screen.h"

static void result(struct ui *ui, struct pane *p, enum status st)
{
	const struct serial_result *r = ui->f->ctx.out[STAGE_SERIAL];
	if (!r) {
		if (!stage_result_current(ui, STAGE_SERIAL, st))
			return;
		pane_add_value(p, TH_DONE, "serial %s recorded earlier",
			       ui->f->st.serial_hex);
		pane_add_value(p, TH_NORMAL, "Windows bundle %s",
			       ui->f->st.bundle_zip);
		return;
	}
	pane_add_value(p, TH_NORMAL, "serial as printed:  %s", r->serial_hex);
	pane_add_value(p, TH_NORMAL, "registry (reversed): %s", r->serial_reversed);
	pane_add_value(p, TH_NORMAL, "SHA-1 thumbprint:   %s", r->thumbprint);
	/* the bundle and the one thing to do next, in view at 80x24 */
	pane_add_value(p, TH_DONE, "bundle zip   %s", r->bundle_zip);
	pane_add_value(p, TH_DONE, "next: %s", r->bundle_todo);
	pane_add_value(p, TH_NORMAL, "bundle folder %s", r->bundle_dir);
	pane_add_value(p, TH_NORMAL, "certificate  %s", r->cert_path);
	pane_add_value(p, TH_NORMAL, "private key  %s (0600)", r->key_path);
	pane_add_value(p, TH_NORMAL, "agent config %s", r->config_path);
	pane_add_value(p, TH_NORMAL, "registry file %s", r->reg_file);
	if (r->restarted)
		pane_addf(p, TH_DONE, "the agent service was restarted");
}

const struct stage_screen SCR_SERIAL = {
	.stage = STAGE_SERIAL,
	.intro = "Install the certificate for the agent and record its serial "
		 "number where the agent looks for it (what MOMCertImport does).",
	.result = result,
	.run_label = "Import",
	.live_output = true,
};
