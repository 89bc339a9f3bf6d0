/*
 * flow.h - the stage state machine shared by the screens and the
 * non-interactive runner, so the two cannot drift apart: it loads the
 * layered configuration, prepares the state directory, loads (resumes) the
 * state, runs one stage through its backend entry point, records the result
 * and saves the state after every step.  It is the only caller of
 * state_save.
 *
 * Ownership: struct flow owns cfg, st, ctx and the per-stage diagnostics;
 * flow_close() releases everything (and wipes secrets).
 */
#ifndef OPSMGR_FLOW_H
#define OPSMGR_FLOW_H

#include <stdbool.h>
#include "core/config.h"
#include "core/ctx.h"
#include "core/diag.h"
#include "core/hooks.h"
#include "core/state.h"
#include "core/status.h"

struct flow_opts {
	const char *config_path;     /* --config */
	const char *answers_path;    /* --answers */
	const char *state_dir;       /* --state-dir (overrides config) */
	bool interactive;
	int stage_from, stage_to;    /* --stages A-B, 0 = all */
};

struct flow {
	struct config cfg;
	struct state st;
	struct ctx ctx;
	char *state_dir;
	struct diag_list last[STAGE_COUNT];  /* diagnostics of each stage's last run */
	enum status last_status[STAGE_COUNT];
	bool resumed;                        /* a state file was loaded */
	bool stages_given;                   /* --stages named the stages: run
						them even when done */
};

/* Load configuration and state.  Returns 0, or -1 with diagnostics (the
 * caller exits 2). */
int flow_open(struct flow *f, const struct flow_opts *o, struct diag_list *dl);
void flow_close(struct flow *f);
/*
 * A saved state (st->updated set) keeps the role it was made in and the
 * answers it was made with where no --config or --answers file says
 * otherwise (stage_inputs_adopt): cfg takes them, for the screens, the
 * runner and save-answers alike.  Returns how many answers were taken.
 */
int flow_resume_answers(struct config *cfg, const struct state *st);

/* Load the configuration layers (--config, --answers) into cfg and pick
 * the state directory (--state-dir, else [wizard] state_dir, else the
 * default): malloc'd, or NULL with the diagnostics in dl.  flow_open and
 * the commands that only read a state (history, save-answers) start
 * here. */
char *flow_config_and_state_dir(const struct flow_opts *o,
				struct config *cfg, struct diag_list *dl);

/* Does stage s apply to the flow's role (the stage table's roles)?  A
 * resumed flow uses the role its state was saved with. */
bool flow_stage_applies(const struct flow *f, enum stage s);
/* First stage not done or stale (stage_inputs.h) that applies to the
 * role (STAGE_FIRST..STAGE_LAST), STAGE_COUNT when everything is done. */
int flow_next_stage(const struct flow *f);

/* Does a run over a range of stages run s: not finished, stale, or named
 * by --stages (stages_given)?  The runner's rule; the preflight checks the
 * fields of exactly these stages. */
bool flow_will_run(const struct flow *f, enum stage s);

/*
 * Run stage s: clears f->last[s], calls the backend, copies diagnostics to
 * f->last[s] and dl (dl may be NULL), sets st.stage[s], records what a
 * completed stage was made from (stage_inputs_record), saves the state.
 */
enum status flow_run_stage(struct flow *f, enum stage s, const struct hooks *h,
			   struct diag_list *dl);

/*
 * Begin renewing the certificate in use (the one the agent configuration
 * names; wizard/renew.h decides when): the state records the renewal
 * (renewal = due) and the serial it replaces (previous_serial), and stage
 * 2 is no longer done, so stages 2-7 run again with the same answers -
 * stage 2 archives the old key, request, certificate and PFX and makes a
 * new key (request_change.c), the later stages follow as their inputs
 * changed, stage 6 switches the agent to the new pair.  A renewal already
 * in progress is left as it is (it resumes).  Nothing is saved here: the
 * first stage that runs saves it, so a run stopped before any work leaves
 * no trace.  The flow ends the renewal when every stage is done again.
 * 0, or -1 with a DIAG_RENEW diagnostic (no certificate in use, or the
 * request in the state is not an issued one).
 */
int flow_begin_renewal(struct flow *f, struct diag_list *dl);

/* "Start over": move the state aside (never delete), fresh state. */
int flow_start_over(struct flow *f, struct diag_list *dl);

/* Process exit code for a stage that ended with st (product.md s.4; a
 * failed stage gives stage_exit_code(s)). */
int flow_exit_code(enum stage s, enum status st);

#endif
