/*
 * request_change.c - stage 2 decides by what changed: its recorded inputs
 * (stage_inputs.h) against the answers now give a new key and request, a
 * new request with the same key, or nothing (request_int.h: req_decide);
 * a renewal that is due (state.h: renewal) counts as a changed key input;
 * a request the CA holds is left only with the operator's yes
 * (request_needs_confirm, also the runner's check before any work).
 */
#include "stages/request_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/stage_inputs.h"
#include "core/stage_table.h"

/* Does a change of input `name` need a new key (it is in the CSR or
 * shapes the key)? */
static bool key_input(const char *name)
{
	return strcmp(name, "computer.fqdn") == 0 || strncmp(name, "key.", 4) == 0;
}

unsigned req_changed_inputs(const struct ctx *c, const char **first)
{
	unsigned bits = 0;
	if (first)
		*first = NULL;
	for (const char *const *k = stage_input_keys(STAGE_REQUEST); *k; k++) {
		if (!stage_input_changed(c, STAGE_REQUEST, *k))
			continue;
		bits |= key_input(*k) ? REQ_CHANGED_KEY_INPUT
				      : REQ_CHANGED_REQ_INPUT;
		if (first && !*first)
			*first = *k;
	}
	return bits;
}

void req_decide(enum request_phase phase, unsigned changed, bool new_key,
		bool abandon, struct req_decision *d)
{
	memset(d, 0, sizeof(*d));
	if (phase == REQ_NONE || !changed)
		return;
	d->renewal = (changed & REQ_CHANGED_RENEWAL) != 0;
	d->change = (changed & (REQ_CHANGED_KEY_INPUT | REQ_CHANGED_RENEWAL)) ||
				    new_key
			    ? REQ_CHANGE_KEY : REQ_CHANGE_REQUEST;
	/* a key and CSR nothing was sent with serve any CA and template */
	if (phase == REQ_KEY_WRITTEN && d->change == REQ_CHANGE_REQUEST) {
		d->change = REQ_CHANGE_NONE;
		return;
	}
	d->archive = true;
	d->confirm = (phase == REQ_PENDING || phase == REQ_SUBMITTING) &&
		     !abandon;
}

void req_decide_for(const struct ctx *c, struct req_decision *d)
{
	const char *first = NULL;
	unsigned bits = c->st && c->cfg ? req_changed_inputs(c, &first) : 0;
	if (c->st && c->st->renewal == RENEWAL_DUE)
		bits |= REQ_CHANGED_RENEWAL;
	req_decide(c->st ? c->st->req_phase : REQ_NONE, bits,
		   c->request_new_key, c->confirm_abandon, d);
	d->field = first;
}

void req_renewal_started(struct run *r)
{
	if (r->st->renewal != RENEWAL_DUE)
		return;
	r->st->renewal = RENEWAL_RUNNING;
	log_msg("request: renewal of serial %s: a new key and request",
		r->st->previous_serial ? r->st->previous_serial : "?");
}

/* The warning that stops the stage: which answers changed, that the CA
 * may still issue the request, and what confirming does. */
static void changed_diag(const struct ctx *c, const struct req_decision *d,
			 struct diag_list *dl)
{
	const struct state *st = c->st;
	char *why = stage_inputs_explain(c, STAGE_REQUEST, "->");
	char req[48] = "the request (no ID yet)";
	if (st->request_id > 0)
		snprintf(req, sizeof(req), "request %ld", st->request_id);
	struct diag *g = diag_add(
		dl, DIAG_REQ_CHANGED, SEV_WARN, d->field, NULL,
		"%s since %s was sent to '%s': %s %s at the CA, which may still "
		"issue it", why ? why : "answers changed", req,
		st->request_ca_url ? st->request_ca_url : "the CA", req,
		st->req_phase == REQ_PENDING ? "is still pending"
					     : "may have arrived (the program "
					       "stopped while sending it)");
	diag_set_fix(g,
		     "confirm to archive %s (its ID stays in the archive, "
		     "listed by 'opsmgr-enroll history') and send a new request "
		     "%s; non-interactive: pass --abandon-pending; to keep "
		     "waiting for it instead, change the answers back", req,
		     d->change == REQ_CHANGE_KEY ? "with a new key"
						 : "with the same key");
	free(why);
}

bool request_needs_confirm(const struct ctx *c, struct diag_list *dl)
{
	struct req_decision d;
	req_decide_for(c, &d);
	if (d.confirm && dl)
		changed_diag(c, &d, dl);
	return d.confirm;
}
