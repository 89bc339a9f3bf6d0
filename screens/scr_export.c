/*
 * scr_export.c - stage 4 screen: PFX path, password typed twice (a
 * mismatch is shown at the confirmation field), compatibility with a
 * one-line note of which Windows needs which, friendly name (judged by its
 * key's rule, as the loader and stage 4 judge it); asks before an existing
 * file is replaced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_schema.h"
#include "stages/export.h"
#include "screens.h"
#include "stage_screen.h"

static const char *const COMPAT_HINTS[] = {
	"AES-256/SHA-256: Windows Server 2019, Windows 10 1709 and later",
	"3DES/SHA-1: Windows Server 2016 and older cannot read AES PFX files",
};

static bool have_password(struct ui *ui)
{
	return secret_is_set(&ui->f->ctx.pfx_password);
}

static enum diag_severity val_pw(struct uform *fm, int idx, const char *v,
				 char *msg, size_t n, void *ud)
{
	if (!*v && !have_password(ud))
		return uform_say(SEV_FAIL, msg, n, "type a password to protect the "
				 "PFX (Windows asks for it on import)");
	return SEV_PASS;
}

static enum diag_severity val_confirm(struct uform *fm, int idx,
				      const char *v, char *msg, size_t n,
				      void *ud)
{
	const char *pw = uform_value(fm, "export.password");
	if ((*pw || *v) && strcmp(pw, v) != 0)
		return uform_say(SEV_FAIL, msg, n, "the two passwords differ: type "
				 "the same password in both fields");
	return SEV_PASS;
}

static const struct fdef FIELDS[] = {
	{ "export.pfx", "PFX file", FT_TEXT, NULL, NULL, val_required },
	{ "export.password", "Password", FT_PASSWORD, NULL, NULL, val_pw },
	{ "export.password_confirm", "Password again", FT_PASSWORD, NULL, NULL,
	  val_confirm },
	{ "export.compat", "Compatibility", FT_CHOICE, CONFIG_NAMES_PFX_COMPAT,
	  COMPAT_HINTS, NULL },
	{ "export.friendly_name", "Friendly name", FT_TEXT, NULL, NULL,
	  val_schema },
};

static void load(struct ui *ui, struct uform *fm)
{
	if (!*uform_value(fm, "export.pfx")) {
		char *p = ctx_path(&ui->f->ctx, "agent.pfx");
		if (p)
			uform_set(fm, "export.pfx", p);
		free(p);
	}
}

static int commit(struct ui *ui, struct uform *fm)
{
	const char *pw = uform_value(fm, "export.password");
	if (*pw) {
		if (ctx_set_typed_password(&ui->f->ctx, CTX_PFX_PASSWORD, pw) < 0) {
			ui_set_msg(ui, TH_ERROR, "cannot keep the password in memory");
			return -1;
		}
		uform_wipe(fm, "export.password");
		uform_wipe(fm, "export.password_confirm");
	}
	return 0;
}

static void result(struct ui *ui, struct pane *p, enum status st)
{
	/* stage 4 keeps its result only when it passed: after a failed or
	 * unconfirmed run, what is there is an earlier run's */
	const struct export_result *r = ui->f->ctx.out[STAGE_EXPORT];
	if (!stage_result_current(ui, STAGE_EXPORT, st))
		return;
	if (!r) {
		pane_add_value(p, TH_DONE, "PFX written earlier: %s",
			       ui->f->st.pfx_path);
		return;
	}
	pane_add(p, TH_DONE, "DONE", "PFX written and read back with the password",
		 NULL, 0);
	pane_addf(p, TH_NORMAL, "file %s (%zu bytes, mode 0600)", r->pfx_path,
		  r->size);
	pane_addf(p, TH_NORMAL, "%s, %d certificate%s, friendly name %s",
		  pfx_compat_name(r->compat), r->ncerts, r->ncerts == 1 ? "" : "s",
		  r->friendly_name ? r->friendly_name : "(none)");
	pane_addf(p, TH_NORMAL, "SHA-1 thumbprint %s", r->thumbprint);
}

static const char *question(struct ui *ui, char *q, size_t n)
{
	snprintf(q, n, "'%.200s' exists: replace it?",
		 ui->f->cfg.export_pfx ? ui->f->cfg.export_pfx : "the PFX file");
	return q;
}

const struct stage_screen SCR_EXPORT = {
	.stage = STAGE_EXPORT,
	.intro = "Write the certificate and its key into a password-protected "
		 "PFX file for Windows and MOMCertImport.",
	SCREEN_FIELDS(FIELDS),
	.load = load,
	.commit = commit,
	.result = result,
	.question = question,
	.confirm_flag = CTX_FLAG(confirm_overwrite),
	.run_label = "Export",
};
