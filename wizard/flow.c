/*
 * flow.c - the stage state machine (flow.h): loading configuration and
 * state, running a stage, recording its outcome, saving after every step.
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "core/agentconf.h"
#include "core/config_load.h"
#include "core/stage_table.h"
#include "sys/http.h"
#include "core/log.h"
#include "core/stage_inputs.h"
#include "stages/stages.h"

static int flow_save(struct flow *f, struct diag_list *dl);

static int flow_checkpoint(struct ctx *c, struct diag_list *dl)
{
	struct flow *f = c->checkpoint_ud;
	return flow_save(f, dl);
}

/* The state directory: --state-dir, else [wizard] state_dir, else the
 * default; malloc'd (NULL: none can be found, out of memory). */
static char *flow_state_dir(const struct flow_opts *o,
			    const struct config *cfg)
{
	if (o->state_dir)
		return strdup(o->state_dir);
	if (cfg->state_dir)
		return strdup(cfg->state_dir);
	return config_default_state_dir();
}

char *flow_config_and_state_dir(const struct flow_opts *o,
				struct config *cfg, struct diag_list *dl)
{
	if (config_load_layers(cfg, o->config_path, o->answers_path, dl) < 0)
		return NULL;
	char *dir = flow_state_dir(o, cfg);
	if (!dir)
		diag_add(dl, DIAG_STATE, SEV_FAIL, "wizard.state_dir",
			 "set [wizard] state_dir or pass --state-dir",
			 "cannot determine the state directory (no HOME?)");
	return dir;
}

int flow_resume_answers(struct config *cfg, const struct state *st)
{
	if (!st->updated)
		return 0;
	cfg->role = st->role;
	return stage_inputs_adopt(cfg, st);
}

int flow_open(struct flow *f, const struct flow_opts *o, struct diag_list *dl)
{
	memset(f, 0, sizeof(*f));
	config_init(&f->cfg);
	state_init(&f->st);
	for (int i = 0; i < STAGE_COUNT; i++)
		diag_list_init(&f->last[i]);
	ctx_init(&f->ctx, &f->cfg, &f->st, NULL);

	f->state_dir = flow_config_and_state_dir(o, &f->cfg, dl);
	if (!f->state_dir || config_validate(&f->cfg, dl) < 0)
		return -1;
	if (o->stage_from) {
		f->stages_given = true;
		f->cfg.stage_from = o->stage_from;
		f->cfg.stage_to = o->stage_to;
	}

	if (state_dir_prepare(f->state_dir, dl) < 0)
		return -1;
	int r = state_load(&f->st, f->state_dir, dl);
	if (r < 0)
		return -1;
	f->resumed = r == 0 && f->st.updated != 0;
	int taken = flow_resume_answers(&f->cfg, &f->st);
	if (!f->resumed)
		f->st.role = f->cfg.role;

	if (log_open(f->state_dir) < 0)
		diag_add(dl, DIAG_IO, SEV_WARN, "wizard.state_dir",
			 "remove whatever stands at that path (the log must be a regular file); the run goes on without a log",
			 "cannot open the log '%s/opsmgr-enroll.log' (a link or unwritable): this run is not logged",
			 f->state_dir);
	log_msg("opened: state %s, role %s, %d answers from the state, next stage %d",
		f->resumed ? "resumed" : "new", role_name(f->st.role), taken,
		flow_next_stage(f));

	free(f->ctx.state_dir);
	f->ctx.state_dir = strdup(f->state_dir);
	f->ctx.interactive = o->interactive;
	f->ctx.checkpoint = flow_checkpoint;
	f->ctx.checkpoint_ud = f;

	/* Passwords from files.  Interactive runs may type them instead. */
	struct diag_list sd;
	diag_list_init(&sd);
	int sr = ctx_load_secrets(&f->ctx, &sd);
	if (sr < 0 && !o->interactive) {
		diag_list_append(dl, &sd);
		diag_list_release(&sd);
		return -1;
	}
	if (sr < 0)
		for (size_t i = 0; i < sd.n; i++)
			sd.items[i].sev = SEV_WARN;
	diag_list_append(dl, &sd);
	diag_list_release(&sd);
	if (secret_is_set(&f->ctx.ca_password))
		log_redact_add(f->ctx.ca_password.buf);
	if (secret_is_set(&f->ctx.pfx_password))
		log_redact_add(f->ctx.pfx_password.buf);
	return 0;
}

void flow_close(struct flow *f)
{
	ctx_release(&f->ctx);
	for (int i = 0; i < STAGE_COUNT; i++)
		diag_list_release(&f->last[i]);
	state_release(&f->st);
	config_release(&f->cfg);
	free(f->state_dir);
	f->state_dir = NULL;
	log_close();
}

bool flow_stage_applies(const struct flow *f, enum stage s)
{
	return s >= STAGE_FIRST && s <= STAGE_LAST &&
	       stage_applies_to_role(s, (int)f->cfg.role);
}

int flow_next_stage(const struct flow *f)
{
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		if (flow_stage_applies(f, (enum stage)s) &&
		    (!stage_status_finished(f->st.stage[s]) ||
		     stage_is_stale(&f->ctx, (enum stage)s)))
			return s;
	return STAGE_COUNT;
}

bool flow_will_run(const struct flow *f, enum stage s)
{
	return !stage_status_finished(f->st.stage[s]) || f->stages_given ||
	       stage_is_stale(&f->ctx, s);
}

/* Save the state now (also the ctx checkpoint). 0 / -1. */
static int flow_save(struct flow *f, struct diag_list *dl)
{
	if (f->ctx.cfg && !f->st.fqdn && ctx_fqdn(&f->ctx))
		state_set_str(&f->st.fqdn, ctx_fqdn(&f->ctx));
	return state_save(&f->st, f->state_dir, dl);
}

enum status flow_run_stage(struct flow *f, enum stage s, const struct hooks *h,
			   struct diag_list *dl)
{
	if (s < STAGE_FIRST || s > STAGE_LAST)
		return ST_FAIL;
	struct diag_list *out = &f->last[s];
	diag_list_release(out);
	enum status r;

	if (!flow_stage_applies(f, s)) {
		diag_add(out, DIAG_AGENT_SKIPPED, SEV_INFO, NULL, NULL,
			 "%s does not apply to the %s role", stage_ref(s),
			 role_name(f->cfg.role));
		f->st.stage[s] = STAGE_ST_SKIPPED;
		stage_inputs_forget(&f->st, s);
		r = ST_OK;
	} else {
		log_msg("%s: start", stage_ref(s));
		r = stage_entry(s)(&f->ctx, h, out);
		switch (r) {
		case ST_OK:
			f->st.stage[s] = diag_worst(out) >= SEV_WARN ?
				STAGE_ST_WARN : STAGE_ST_DONE;
			break;
		case ST_FAIL:
			f->st.stage[s] = STAGE_ST_FAILED;
			break;
		case ST_PENDING:
			f->st.stage[s] = STAGE_ST_WAITING;
			break;
		case ST_CANCELLED:
		case ST_NEED_CONFIRM:
			break;
		}
		log_msg("%s: %s (%zu diagnostics, worst %s)", stage_ref(s),
			status_name(r), out->n,
			diag_severity_name(diag_worst(out)));
		for (size_t i = 0; i < out->n; i++)
			log_msg("  %s %s/%s: %s",
				diag_severity_name(out->items[i].sev),
				stage_id(out->items[i].stage),
				diag_check_id(out->items[i].check),
				out->items[i].message);
	}
	/* What it was made from: later runs compare against it, and the
	 * later stages it invalidates record its output identity. */
	if (r == ST_OK && f->st.stage[s] != STAGE_ST_SKIPPED &&
	    stage_inputs_record(&f->ctx, s) != 0) {
		diag_add(out, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory recording what %s was made from",
			 stage_ref(s));
		f->st.stage[s] = STAGE_ST_FAILED;
		r = ST_FAIL;
	}
	/* A renewal ends when every stage is done again. */
	if (f->st.renewal != RENEWAL_NONE && r == ST_OK &&
	    flow_next_stage(f) == STAGE_COUNT) {
		log_msg("renewal of serial %s done: serial %s in use",
			f->st.previous_serial ? f->st.previous_serial : "?",
			f->st.serial_hex ? f->st.serial_hex : "?");
		f->st.renewal = RENEWAL_NONE;
	}
	/* Connections are reused within a stage only: closing them here also
	 * drops libcurl's copy of the CA password with the connection that
	 * authenticated with it. */
	http_close_idle();
	f->last_status[s] = r;
	struct diag_list sd;
	diag_list_init(&sd);
	if (flow_save(f, &sd) < 0) {
		diag_list_append(out, &sd);
		r = ST_FAIL;
	}
	diag_list_release(&sd);
	if (dl)
		diag_list_append(dl, out);
	return r;
}

/* The serial recorded for the certificate in use (the agent
 * configuration's [certificate] serial), malloc'd; NULL with a diagnostic. */
static char *serial_in_use(const struct flow *f, struct diag_list *dl)
{
	char *path = agentconf_path(&f->cfg, &f->st, f->state_dir);
	struct agentconf a;
	struct diag_list rd;
	diag_list_init(&rd);
	int r = path ? agentconf_read(path, &a, &rd) : -1;
	char *serial = r == 0 && a.serial_hex && a.cert_path
			       ? strdup(a.serial_hex) : NULL;
	if (!serial) {
		diag_list_append(dl, &rd);
		struct diag *d = diag_add(
			dl, DIAG_RENEW, SEV_FAIL, "agent.config", NULL,
			"nothing to renew: the agent configuration '%s' names "
			"no certificate in use", path ? path : "?");
		diag_set_fix(d, "enroll first (run opsmgr-enroll until %s is "
			     "done), or point [agent] config at the agent's "
			     "configuration", stage_ref(STAGE_SERIAL));
	}
	if (r == 0)
		agentconf_release(&a);
	diag_list_release(&rd);
	free(path);
	return serial;
}

int flow_begin_renewal(struct flow *f, struct diag_list *dl)
{
	struct state *st = &f->st;
	if (st->renewal != RENEWAL_NONE)
		return 0;
	char *serial = serial_in_use(f, dl);
	if (!serial)
		return -1;
	if (st->req_phase != REQ_ISSUED) {
		struct diag *d = diag_add(
			dl, DIAG_RENEW, SEV_FAIL, NULL, NULL,
			"cannot renew now: the request in the state is %s, not "
			"issued", request_phase_name(st->req_phase));
		diag_set_fix(d, "finish it first with 'opsmgr-enroll' (%s), "
			     "then renew", stage_ref(STAGE_REQUEST));
		free(serial);
		return -1;
	}
	st->renewal = RENEWAL_DUE;
	state_set_str(&st->previous_serial, serial);
	st->stage[STAGE_REQUEST] = STAGE_ST_NONE;
	log_msg("renewal of serial %s begun: stages %d-%d again with the same "
		"answers", serial, STAGE_REQUEST, STAGE_LAST);
	free(serial);
	return 0;
}

int flow_start_over(struct flow *f, struct diag_list *dl)
{
	char moved[4096];
	if (state_move_aside(f->state_dir, "start over", moved, sizeof(moved),
			     dl) < 0)
		return -1;
	state_release(&f->st);
	state_init(&f->st);
	f->st.role = f->cfg.role;
	for (int i = 0; i < STAGE_COUNT; i++) {
		diag_list_release(&f->last[i]);
		f->last_status[i] = ST_OK;
		ctx_set_out(&f->ctx, (enum stage)i, NULL, NULL);
	}
	f->resumed = false;
	log_msg("started over; previous state moved to %s", moved);
	return flow_save(f, dl);
}

int flow_exit_code(enum stage s, enum status st)
{
	switch (st) {
	case ST_OK:
		return EXIT_OK;
	case ST_PENDING:
		return EXIT_WAITING;
	case ST_CANCELLED:
		return 130;
	case ST_FAIL:
	case ST_NEED_CONFIRM:
		break;
	}
	return stage_exit_code(s);
}
