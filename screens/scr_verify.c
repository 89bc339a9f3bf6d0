/*
 * scr_verify.c - stage 3 screen: the checklist of the issued certificate,
 * one PASS / WARN / FAIL line per check, the fix and the Operations
 * Manager event of the selected line underneath; WARN lines need a
 * confirmation to go on, a FAIL blocks.
 */
#include <stdio.h>
#include <string.h>

#include "screens.h"
#include "stage_screen.h"

static const char *const REVOCATION[] = { "check", "skip", NULL };
static const char *const REVOCATION_HINTS[] = {
	"fetch the CRLs named in the certificate (unreachable = warning)",
	"do not fetch CRLs (offline computers)",
};

static const struct fdef FIELDS[] = {
	{ "verify.revocation", "Revocation", FT_CHOICE, REVOCATION,
	  REVOCATION_HINTS, NULL },
};

static void load(struct ui *ui, struct uform *fm)
{
	uform_set_choice(fm, "verify.revocation",
			 ui->f->ctx.skip_revocation ? "skip" : "check");
}

static int commit(struct ui *ui, struct uform *fm)
{
	ui->f->ctx.skip_revocation =
		strcmp(uform_choice(fm, "verify.revocation"), "skip") == 0;
	return 0;
}

static void result(struct ui *ui, struct pane *p, enum status st)
{
	const struct diag_list *dl = &ui->f->last[STAGE_VERIFY];
	if (dl->n == 0)
		return;
	pane_addf(p, TH_DIM, "%zu passed, %zu warnings, %zu failed",
		  diag_count(dl, SEV_PASS), diag_count(dl, SEV_WARN),
		  diag_count(dl, SEV_FAIL));
}

static const char *question(struct ui *ui, char *q, size_t n)
{
	snprintf(q, n, "accept %zu warning(s) and go on?",
		 diag_count(&ui->f->last[STAGE_VERIFY], SEV_WARN));
	return q;
}

const struct stage_screen SCR_VERIFY = {
	.stage = STAGE_VERIFY,
	.intro = "Check the certificate the way the Operations Manager agent "
		 "will before it is used.",
	SCREEN_FIELDS(FIELDS),
	.load = load,
	.commit = commit,
	.result = result,
	.question = question,
	.confirm_flag = CTX_FLAG(confirm_warnings),
	.run_label = "Check",
};
