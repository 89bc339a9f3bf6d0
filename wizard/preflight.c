/*
 * preflight.c - the runner's check of every stage's fields before any work
 * (preflight.h): each stage's own field check, called in stage order.
 */
#include "preflight.h"

#include "core/log.h"
#include "core/stage_table.h"
#include "core/status.h"
#include "stages/agent.h"
#include "stages/approval.h"
#include "stages/export.h"
#include "stages/request.h"
#include "stages/trust.h"

/* Whether the runner will run stage s itself (flow_will_run; a stage of
 * another role is only marked skipped, it has no fields to check). */
static bool will_run(const struct flow *f, enum stage s)
{
	return flow_stage_applies(f, s) && flow_will_run(f, s);
}

/* Stage s's own field check.  Stages 3 and 6 have none: their values were
 * judged by the loader and nothing of theirs can be missing. */
static int check_stage(struct flow *f, enum stage s, struct diag_list *dl)
{
	struct ctx *c = &f->ctx;
	switch (s) {
	case STAGE_TRUST:
		return trust_check_fields(c->cfg, dl);
	case STAGE_REQUEST:
		return request_validate(c, ctx_fqdn(c),
					c->request_action == REQ_ACT_AUTO, dl);
	case STAGE_EXPORT:
		return export_check_fields(c, dl);
	case STAGE_AGENT:
		return agent_check_fields(c->cfg, dl);
	case STAGE_APPROVAL:
		return approval_check_fields(c->cfg, dl);
	default:
		return 0;
	}
}

int preflight_check(struct flow *f, int from, int to, struct diag_list *dl)
{
	int bad = 0;
	for (int s = from; s <= to; s++) {
		struct diag_list one;
		if (s < STAGE_FIRST || s > STAGE_LAST ||
		    !will_run(f, (enum stage)s))
			continue;
		diag_list_init(&one);
		if (check_stage(f, (enum stage)s, &one) != 0)
			bad = -1;
		for (size_t i = 0; i < one.n; i++) {
			struct diag *d = &one.items[i];
			if (d->sev < SEV_FAIL)
				continue;
			d->event = 0;   /* a configuration problem */
			struct diag_list pick = { d, 1, 1 };
			diag_list_append(dl, &pick);
		}
		diag_list_release(&one);
	}
	return bad;
}

int preflight_gate(struct flow *f, int from, int to, FILE *out)
{
	struct diag_list dl;
	diag_list_init(&dl);
	int bad = preflight_check(f, from, to, &dl);
	if (bad) {
		fprintf(out, "configuration: %zu problem%s before stage %d; "
			"nothing was run\n", dl.n, dl.n == 1 ? "" : "s", from);
		diag_print_text(out, &dl, SEV_PASS);
		for (size_t i = 0; i < dl.n; i++)
			log_msg("preflight: %s: %s",
				dl.items[i].field ? dl.items[i].field : "?",
				dl.items[i].message);
		fflush(out);
	}
	diag_list_release(&dl);
	if (bad)
		return EXIT_USAGE;
	/* Leaving a request the CA holds needs --abandon-pending. */
	if (from <= STAGE_REQUEST && STAGE_REQUEST <= to &&
	    flow_stage_applies(f, STAGE_REQUEST) &&
	    request_needs_confirm(&f->ctx, &f->last[STAGE_REQUEST])) {
		diag_print_text(out, &f->last[STAGE_REQUEST], SEV_PASS);
		fprintf(out, "[%d/%d] %s: needs a confirmation: pass "
			"--abandon-pending to archive that request and send a "
			"new one; nothing was changed\n", STAGE_REQUEST,
			STAGE_LAST, stage_title(STAGE_REQUEST));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
