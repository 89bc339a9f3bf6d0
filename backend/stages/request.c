/*
 * request.c - stage 2, "Request": the entry point stage_request_run
 * (stages.h) and what it leaves in ctx->out[STAGE_REQUEST].  It picks the
 * name, checks the fields (request_fields.c), then, by the state, makes or
 * loads the key and request (request_keys.c), submits or retrieves
 * (request_submit.c) and stores the certificate (request_cert.c), or takes
 * the offline path (request_offline.c).
 *
 * State machine (state.h, req_phase), saved through ctx_checkpoint at the
 * points a kill must not lose:
 *   NONE -> KEY_WRITTEN (key+CSR on disk) -> SUBMITTING (POST in flight)
 *        -> PENDING (CA holds request_id) -> ISSUED (cert.pem on disk)
 *                                         -> DENIED (disposition kept)
 */
#include "stages/request_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adcs/ca_http.h"
#include "core/log.h"
#include "core/stage_inputs.h"
#include "core/stage_table.h"
#include "stages/stages.h"
#include "core/fsutil.h"

void request_result_free(void *p)
{
	struct request_result *o = p;
	if (!o)
		return;
	free(o->fqdn);
	free(o->key_path);
	free(o->csr_path);
	free(o->cert_path);
	free(o->chain_path);
	free(o->disposition);
	free(o->subject);
	free(o->serial_hex);
	free(o->not_after);
	free(o);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ------------------------------------------------------------------ */
/* helpers of the run                                                  */

enum status req_cancelled(struct run *r, const char *what)
{
	diag_add(r->dl, DIAG_CANCELLED, SEV_INFO, NULL,
		 "run the stage again to continue; nothing is lost",
		 "cancelled %s", what);
	return ST_CANCELLED;
}

int req_checkpoint(struct run *r, const char *what)
{
	if (ctx_checkpoint(r->c, r->dl) == 0)
		return 0;
	diag_add(r->dl, DIAG_STATE, SEV_FAIL, NULL,
		 "fix the state directory problem above, then run again",
		 "stopped before %s: the progress could not be saved first", what);
	return -1;
}

int req_record_inputs(struct run *r)
{
	if (stage_inputs_record(r->c, STAGE_REQUEST) == 0)
		return 0;
	diag_add(r->dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
		 "out of memory recording what the request is made from");
	return -1;
}

void req_set_phase(struct run *r, enum request_phase p)
{
	r->st->req_phase = p;
	log_msg("request: phase %s (request id %ld)", request_phase_name(p),
		r->st->request_id);
}

/* ------------------------------------------------------------------ */
/* the stage                                                           */

static void fill_out(struct run *r)
{
	struct request_result *o = r->out;
	struct state *st = r->st;
	if (!o)
		return;
	o->phase = st->req_phase;
	o->request_id = st->request_id;
	o->fqdn = dup_or_null(r->fqdn);
	o->key_path = dup_or_null(st->key_path);
	o->csr_path = dup_or_null(st->csr_path);
	o->cert_path = dup_or_null(st->cert_path);
	o->chain_path = dup_or_null(st->chain_path);
	o->disposition = dup_or_null(st->disposition);
}

static enum status run_auto(struct run *r)
{
	struct state *st = r->st;
	enum status s;

	switch (st->req_phase) {
	case REQ_ISSUED:
		s = req_load_bound(r);
		if (s != ST_OK)
			return s;
		if (req_already_issued(r) == ST_OK)
			return ST_OK;
		if (st->request_id > 0) {
			diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_INFO, NULL, NULL,
				 "the saved certificate is missing or does not "
				 "match; fetching request %ld again", st->request_id);
			return req_retrieve(r, st->request_id);
		}
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_FAIL, NULL,
			 "import the certificate again (offline path)",
			 "the certificate file '%s' is missing or does not match "
			 "the key", st->cert_path ? st->cert_path : "cert.pem");
		return ST_FAIL;
	case REQ_PENDING:
		s = req_load_bound(r);
		if (s != ST_OK)
			return s;
		req_check_cn(r, "pending at the CA");
		if (st->request_id <= 0) {
			diag_add(r->dl, DIAG_REQ_PENDING, SEV_INFO, NULL, NULL,
				 "the state says pending but holds no request ID; "
				 "sending the same request again");
			return req_submit(r);
		}
		return req_retrieve(r, st->request_id);
	case REQ_SUBMITTING:
		s = req_load_bound(r);
		if (s != ST_OK)
			return s;
		req_check_cn(r, "being sent");
		diag_add(r->dl, DIAG_REQ_SUBMIT, SEV_INFO, NULL, NULL,
			 "an earlier submission may have reached the CA (the "
			 "program stopped while sending it); sending the same "
			 "request with the same key again");
		return req_submit(r);
	case REQ_DENIED:
		diag_add(r->dl, DIAG_REQ_DENIED, SEV_INFO, NULL, NULL,
			 "the previous request%s was denied (%s); sending a new one",
			 st->request_id > 0 ? " to this CA" : "",
			 st->disposition ? st->disposition : "no reason given");
		s = req_make_key_csr(r);
		return s != ST_OK ? s : req_submit(r);
	case REQ_NONE:
	case REQ_KEY_WRITTEN:
	default:
		s = req_make_key_csr(r);
		return s != ST_OK ? s : req_submit(r);
	}
}

enum status stage_request_run(struct ctx *c, const struct hooks *h,
			      struct diag_list *dl)
{
	struct run r;
	char err[REQ_ERRLEN];
	enum status s;
	struct state *st = c->st;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.cfg = c->cfg;
	r.st = st;
	r.h = h;
	r.dl = dl;
	if (!c->cfg || !c->st) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "%s needs a configuration and a state",
			 stage_ref(STAGE_REQUEST));
		return ST_FAIL;
	}
	if (hooks_cancelled(h))
		return req_cancelled(&r, "before the stage started");

	/* The name: configured, else detected once and kept in the state. */
	char *detected = NULL;
	if (c->cfg->fqdn && *c->cfg->fqdn) {
		r.fqdn = c->cfg->fqdn;
	} else if (st->fqdn && *st->fqdn) {
		r.fqdn = st->fqdn;
	} else {
		detected = request_detect_fqdn(err, sizeof(err));
		if (!detected) {
			diag_add(dl, DIAG_REQ_FQDN, SEV_FAIL, "computer.fqdn",
				 "set [computer] fqdn to this computer's fully "
				 "qualified DNS name, e.g. 'agent01.example.com'",
				 "cannot detect this computer's name: %s", err);
			return ST_FAIL;
		}
		state_set_str(&st->fqdn, detected);
		free(detected);
		r.fqdn = st->fqdn;
		diag_add(dl, DIAG_REQ_FQDN, SEV_INFO, "computer.fqdn",
			 "set [computer] fqdn if the management server knows this "
			 "computer by another name",
			 "using this computer's detected name '%s'", r.fqdn);
	}

	/* What changed since the request was made decides (request_change.c):
	 * a request about to be replaced is sent anew, so it is online. */
	struct req_decision d;
	req_decide_for(c, &d);
	if (c->request_action == REQ_ACT_IMPORT_CERT)
		memset(&d, 0, sizeof(d));   /* a certificate for the key there */
	bool online = c->request_action == REQ_ACT_AUTO &&
		      (d.archive || !(st->req_phase == REQ_ISSUED &&
				      st->cert_path && fs_exists(st->cert_path)));
	if (request_validate(c, r.fqdn, online, dl) < 0)
		return ST_FAIL;
	if (d.confirm) {
		request_needs_confirm(c, dl);
		return ST_NEED_CONFIRM;
	}
	if (r.fqdn != st->fqdn)
		state_set_str(&st->fqdn, r.fqdn);
	r.fqdn = st->fqdn;
	if (c->cfg->fqdn && *c->cfg->fqdn)
		req_check_resolution(&r);

	r.key_path = st->key_path ? strdup(st->key_path)
				  : ctx_path(c, REQUEST_KEY_FILE);
	r.csr_path = st->csr_path ? strdup(st->csr_path)
				  : ctx_path(c, REQUEST_CSR_FILE);
	r.out = calloc(1, sizeof(*r.out));
	if (!r.key_path || !r.csr_path || !r.out) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL, "out of memory");
		s = ST_FAIL;
		goto out;
	}

	req_archive_leftovers(&r);
	if (d.archive && (s = req_archive(&r, &d)) != ST_OK)
		goto out;
	if (!d.archive)   /* nothing to archive (an offline import) */
		req_renewal_started(&r);

	/* A request kept is asked about at the CA it went to (with recorded
	 * inputs a changed ca.url made a new request above). */
	const char *url = c->cfg->ca_url;
	if ((st->req_phase == REQ_PENDING || st->req_phase == REQ_SUBMITTING ||
	     st->req_phase == REQ_ISSUED) &&
	    st->request_ca_url && *st->request_ca_url) {
		if (url && strcmp(url, st->request_ca_url) != 0 &&
		    st->req_phase != REQ_ISSUED)
			diag_add(dl, DIAG_REQ_CA_URL, SEV_INFO, "ca.url", NULL,
				 "request %ld was sent to '%s'; asking there "
				 "(ca.url is now '%s')", st->request_id,
				 st->request_ca_url, url);
		url = st->request_ca_url;
	}
	r.ca_url = dup_or_null(url);
	if (ca_http_options(c, CA_WITH_CREDENTIALS, &r.o, dl) != 0) {
		s = ST_FAIL;
		goto out;
	}

	switch (c->request_action) {
	case REQ_ACT_SAVE_CSR:
		s = req_save_csr(&r);
		break;
	case REQ_ACT_IMPORT_CERT:
		s = req_import_cert(&r);
		break;
	case REQ_ACT_AUTO:
	default:
		s = run_auto(&r);
		break;
	}
out:
	fill_out(&r);
	if (r.out) {
		ctx_set_out(c, STAGE_REQUEST, r.out, request_result_free);
		r.out = NULL;
	}
	EVP_PKEY_free(r.key);
	X509_REQ_free(r.req);
	free(r.csr_pem);
	free(r.key_path);
	free(r.csr_path);
	free(r.ca_url);
	return s;
}
