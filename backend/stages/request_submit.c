/*
 * request_submit.c - stage 2 online: submission to AD CS web enrollment
 * and retrieval of a pending request (certsrv.h), each answer of the CA
 * turned into a state change plus diagnostics at the field concerned.
 */
#include "stages/request_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adcs/ca_negotiate.h"
#include "adcs/certsrv.h"
#include "adcs/hresult.h"
#include "core/log.h"
#include "core/stage_table.h"

/*
 * A transport failure: the diagnostic at ca.url.  `reached` tells the
 * caller whether the CA may have received what was sent.
 */
static enum status net_failure(struct run *r, enum http_err e, const char *err,
			       const char *doing, int *reached)
{
	enum diag_check chk = DIAG_REQ_SUBMIT;
	const char *fix = "check that ca.url is the CA's web enrollment address "
			  "(https://HOST/certsrv/), then run again";
	*reached = 1;
	switch (e) {
	case HTTP_E_CANCELLED:
		/* err is http.c's "cancelled while talking to '...'" */
		diag_add(r->dl, DIAG_CANCELLED, SEV_INFO, NULL,
			 "run the stage again to continue; nothing is lost", "%s",
			 err);
		return ST_CANCELLED;
	case HTTP_E_TLS:
		*reached = 0;
		chk = DIAG_REQ_TLS;
		fix = NULL;   /* names the trust stage: set below */
		break;
	case HTTP_E_TIMEOUT:
		chk = DIAG_REQ_TIMEOUT;
		fix = NULL;   /* names ca.timeout's value: set below */
		break;
	case HTTP_E_URL:
	case HTTP_E_DNS:
	case HTTP_E_CONNECT:
		*reached = 0;
		chk = DIAG_REQ_CA_URL;
		fix = "check the host and port in ca.url and that the CA's web "
		      "server is running and reachable from here";
		break;
	case HTTP_E_TOO_LARGE:
	case HTTP_E_PROTOCOL:
	case HTTP_E_OTHER:
	case HTTP_OK:
		break;
	}
	struct diag *d = diag_add(r->dl, chk, SEV_FAIL, "ca.url", fix, "%s: %s",
				  doing, err);
	if (d && e == HTTP_E_TIMEOUT)
		diag_set_fix(d,
			     "run again: the same request is sent again and "
			     "nothing is lost; if the CA is just slow, raise "
			     "ca.timeout (now %d s)", r->o.timeout_s);
	if (d && e == HTTP_E_TLS)
		diag_set_fix(d,
			     "import the CA root first (stage %d) so the CA web "
			     "server's certificate can be verified, or set "
			     "ca.ca_file to the CA bundle that signed it",
			     STAGE_TRUST);
	return ST_FAIL;
}

enum answer_ctx { FROM_SUBMIT, FROM_RETRIEVE };

static enum status answer_auth(struct run *r, const struct certsrv_result *res,
			       enum answer_ctx from)
{
	static const unsigned want[] = {
		[AUTH_BASIC] = CERTSRV_SCHEME_BASIC,
		[AUTH_NTLM] = CERTSRV_SCHEME_NTLM,
		[AUTH_NEGOTIATE] = CERTSRV_SCHEME_NEGOTIATE,
		[AUTH_CERT] = 0,
		[AUTH_NONE] = 0,
	};
	enum ca_auth a = r->cfg->ca_auth;
	if (from == FROM_SUBMIT)
		req_set_phase(r, REQ_KEY_WRITTEN);   /* refused: nothing was taken */
	if (a == AUTH_NONE || a == AUTH_CERT ||
	    (res->schemes && !(res->schemes & want[a]))) {
		diag_add(r->dl, DIAG_REQ_AUTH, SEV_FAIL, "ca.auth",
			 "set ca.auth to a scheme the server offers (basic, ntlm "
			 "or negotiate) and give ca.user and the password",
			 "the CA at '%s' wants authentication the configuration "
			 "does not give (ca.auth = %s; the server offers: %s)",
			 r->ca_url, ca_auth_name(a), res->scheme_names);
		return ST_FAIL;
	}
	if (a == AUTH_NEGOTIATE) {   /* no password: the Kerberos ticket */
		ca_negotiate_refused(r->dl, DIAG_REQ_AUTH, r->ca_url,
				     r->cfg->ca_user, res->scheme_names);
		return ST_FAIL;
	}
	/* the server's own words on its 401 page, in its language */
	const char *said = res->ans.title[0] ? res->ans.title
					     : res->ans.excerpt;
	diag_add(r->dl, DIAG_REQ_PASSWORD, SEV_FAIL, "ca.password",
		 "check the password (ca.password_file) and ca.user; domain "
		 "users may need 'DOMAIN\\user' or 'user@domain'",
		 "the CA at '%s' refused the credentials of user '%s' (HTTP 401%s"
		 "%s%s; the server offers: %s)",
		 r->ca_url, r->cfg->ca_user ? r->cfg->ca_user : "",
		 said[0] ? ": \"" : "", said, said[0] ? "\"" : "",
		 res->scheme_names);
	return ST_FAIL;
}

/*
 * The CA's answer as the operator reads it: the server's own words (in its
 * language), then, when the page named an HRESULT of hresult.h, its
 * symbolic name and our plain-language cause:
 *   "<server's words>" (CERTSRV_E_...): <cause>
 */
static void ca_words(const struct certsrv_answer *a, char *out, size_t n)
{
	const char *w = a->disposition[0] ? a->disposition : a->excerpt;
	if (a->hr)
		snprintf(out, n, "\"%s\" (%s): %s", w, a->hr->symbol,
			 a->hr->cause);
	else if (a->hresult)
		snprintf(out, n, "\"%s\" (0x%08lX)", w, a->hresult);
	else
		snprintf(out, n, "\"%s\"", w);
}

/* The field and fix of the answer's HRESULT, or the defaults given. */
static const char *hr_field(const struct certsrv_answer *a, const char *dflt)
{
	return a->hr && a->hr->field ? a->hr->field : dflt;
}

static const char *hr_fix(const struct certsrv_answer *a, const char *dflt)
{
	return a->hr ? a->hr->fix : dflt;
}

static enum status answer_denied(struct run *r, const struct certsrv_answer *a)
{
	const char *tpl = r->cfg->ca_template ? r->cfg->ca_template : "";
	const char *disp = a->disposition[0] ? a->disposition : a->excerpt;
	char words[1024];
	if (a->request_id > 0)
		r->st->request_id = a->request_id;
	state_set_str(&r->st->disposition, disp);
	req_set_phase(r, REQ_DENIED);
	char idtxt[48] = "";
	if (a->request_id > 0)
		snprintf(idtxt, sizeof(idtxt), " %ld", a->request_id);
	ca_words(a, words, sizeof(words));

	if (a->kind == CERTSRV_UNKNOWN_TEMPLATE) {
		const char *t = r->st->request_template ? r->st->request_template : tpl;
		diag_add(r->dl, DIAG_REQ_TEMPLATE, SEV_FAIL,
			 hr_field(a, "ca.template"),
			 strchr(t, ' ')
				 ? "use the template name without spaces, e.g. 'OpsMgr'"
				 : hr_fix(a, "use the template's name (not its display "
					  "name) as published on this CA, e.g. "
					  "'OpsMgr'; the CA administrator can list them"),
			 "the CA does not offer template '%s': %s", t, words);
	} else if (a->kind == CERTSRV_BAD_REQUEST) {
		diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, hr_field(a, NULL),
			 hr_fix(a, "start over to make a new key and request (move "
				"the state directory aside), or send the CA "
				"administrator this message"),
			 "the CA could not read the request%s: %s", idtxt, words);
	} else {
		diag_add(r->dl, DIAG_REQ_DENIED, SEV_FAIL, hr_field(a, NULL),
			 hr_fix(a, "ask the CA administrator why; once the cause is "
				"fixed, run this stage again to send a new request"),
			 "the CA denied request%s: %s", idtxt, words);
	}
	log_msg("request: denied%s: %s", idtxt, words);
	return ST_FAIL;
}

/* A pending answer; a names the page (its words are quoted), id the request. */
static enum status answer_pending(struct run *r, const struct certsrv_answer *a,
				  long id, int first)
{
	const char *w = a->disposition[0] ? a->disposition : a->title;
	if (id <= 0) {
		diag_add(r->dl, DIAG_REQ_SUBMIT, SEV_FAIL, "ca.url",
			 "look the request up on the CA (Pending Requests) and ask "
			 "the administrator to issue it; then import the "
			 "certificate (offline path)",
			 "the CA says the request is pending but gave no request ID");
		return ST_FAIL;
	}
	r->st->request_id = id;
	state_set_str(&r->st->disposition, "Taken Under Submission");
	req_set_phase(r, REQ_PENDING);
	if (first && req_checkpoint(r, "reporting the pending request") < 0)
		return ST_FAIL;
	struct diag *d = diag_add(
		r->dl, DIAG_REQ_PENDING, SEV_INFO, NULL, NULL,
		"request %ld is %s pending at the CA (template '%s'%s%s%s): a "
		"CA manager must issue it; run again later to fetch it", id,
		first ? "now" : "still",
		r->st->request_template ? r->st->request_template : "",
		w[0] ? "; the CA says \"" : "", w, w[0] ? "\"" : "");
	if (d)
		diag_set_fix(d,
			     "ask the CA administrator to approve request %ld "
			     "(Certification Authority > Pending Requests > Issue), "
			     "then run again later: the request ID is kept and "
			     "nothing is sent twice", id);
	if (r->out)
		r->out->request_id = id;
	return ST_PENDING;
}

static enum status answer_other(struct run *r, const struct certsrv_result *res,
				enum answer_ctx from)
{
	const struct certsrv_answer *a = &res->ans;
	enum diag_check chk = from == FROM_SUBMIT ? DIAG_REQ_SUBMIT
						  : DIAG_REQ_RETRIEVE;
	if (a->kind == CERTSRV_CA_ERROR) {
		char words[1024];
		if (from == FROM_SUBMIT)
			req_set_phase(r, REQ_KEY_WRITTEN);
		state_set_str(&r->st->disposition, a->disposition[0] ?
			      a->disposition : a->excerpt);
		ca_words(a, words, sizeof(words));
		diag_add(r->dl, chk, SEV_FAIL, hr_field(a, "ca.url"),
			 hr_fix(a, "tell the CA administrator (the web enrollment "
				"server could not complete it), then run again"),
			 "the CA reported an error: %s", words);
		return ST_FAIL;
	}
	/* unexpected page: quote the server */
	if (from == FROM_SUBMIT && res->http_status >= 400 &&
	    res->http_status < 500)
		req_set_phase(r, REQ_KEY_WRITTEN);
	diag_add(r->dl, chk, SEV_FAIL, "ca.url",
		 "check that ca.url points at the CA's web enrollment "
		 "(https://HOST/certsrv/); the server's own words are quoted",
		 "the CA's answer (HTTP %ld) is not a page this tool knows: \"%s\"",
		 res->http_status, a->excerpt[0] ? a->excerpt : "(empty)");
	return ST_FAIL;
}

/*
 * What submit and retrieve read alike: a refusal (denied, unknown template,
 * unreadable request), a 401, or anything else (quoted).
 */
static enum status answer_common(struct run *r,
				 const struct certsrv_result *res,
				 enum answer_ctx from)
{
	switch (res->ans.kind) {
	case CERTSRV_DENIED:
	case CERTSRV_UNKNOWN_TEMPLATE:
	case CERTSRV_BAD_REQUEST:
		return answer_denied(r, &res->ans);
	case CERTSRV_AUTH:
		return answer_auth(r, res, from);
	default:
		return answer_other(r, res, from);
	}
}

/* ------------------------------------------------------------------ */
/* online steps                                                        */

enum status req_retrieve(struct run *r, long id)
{
	struct certsrv_result res;
	char doing[600];
	int reached;
	snprintf(doing, sizeof(doing), "cannot check request %ld at '%s'", id,
		 r->ca_url);
	hooks_progress(r->h, "checking the request at the CA", -1.0);
	enum http_err e = certsrv_retrieve(&r->o, r->ca_url, id, r->h, &res);
	if (e == HTTP_OK && res.ans.kind == CERTSRV_UNEXPECTED &&
	    res.http_status != 401) {
		/* some servers only answer the chkpnd form: try it */
		struct certsrv_result alt;
		if (certsrv_check_pending(&r->o, r->ca_url, id, r->h, &alt) ==
			    HTTP_OK &&
		    alt.ans.kind != CERTSRV_UNEXPECTED) {
			certsrv_result_release(&res);
			res = alt;
		} else {
			certsrv_result_release(&alt);
		}
	}
	if (e != HTTP_OK) {
		enum status s = net_failure(r, e, res.err, doing, &reached);
		certsrv_result_release(&res);
		return s;
	}
	enum status s;
	switch (res.ans.kind) {
	case CERTSRV_CERT:
		s = req_store_cert_bytes(r, res.cert, res.cert_len, id);
		break;
	case CERTSRV_ISSUED: {
		/* the chkpnd page: fetch the certificate it links to */
		struct certsrv_result c2;
		e = certsrv_retrieve(&r->o, r->ca_url, res.ans.request_id, r->h, &c2);
		if (e == HTTP_OK && c2.ans.kind == CERTSRV_CERT)
			s = req_store_cert_bytes(r, c2.cert, c2.cert_len, id);
		else if (e != HTTP_OK)
			s = net_failure(r, e, c2.err, doing, &reached);
		else
			s = answer_other(r, &c2, FROM_RETRIEVE);
		certsrv_result_release(&c2);
		break;
	}
	case CERTSRV_PENDING:
		s = answer_pending(r, &res.ans, id, 0);
		break;
	case CERTSRV_NO_SUCH_REQUEST: {
		char words[1024];
		ca_words(&res.ans, words, sizeof(words));
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_FAIL, NULL,
			 "the request may have been deleted, or ca.url names a "
			 "different CA than the one it went to; run again to send "
			 "the same request anew",
			 "the CA at '%s' has no request %ld: %s", r->ca_url, id,
			 words);
		state_set_str(&r->st->disposition, res.ans.disposition);
		req_set_phase(r, REQ_KEY_WRITTEN);
		s = ST_FAIL;
		break;
	}
	default:
		res.ans.request_id = id;   /* a refusal is of the request asked for */
		s = answer_common(r, &res, FROM_RETRIEVE);
		break;
	}
	certsrv_result_release(&res);
	return s;
}

enum status req_submit(struct run *r)
{
	const char *tpl = r->cfg->ca_template;
	struct certsrv_result res;
	char doing[600];
	int reached;

	if (hooks_cancelled(r->h))
		return req_cancelled(r, "before sending the request");
	r->st->request_id = 0;
	state_set_str(&r->st->request_ca_url, r->ca_url);
	state_set_str(&r->st->request_template, tpl);
	r->st->submitted_at = time(NULL);
	req_set_phase(r, REQ_SUBMITTING);
	if (req_record_inputs(r) < 0 ||
	    req_checkpoint(r, "sending the request") < 0) {
		req_set_phase(r, REQ_KEY_WRITTEN);
		return ST_FAIL;
	}
	snprintf(doing, sizeof(doing), "cannot send the request to '%s'",
		 r->ca_url);
	hooks_progress(r->h, "submitting the certificate request", -1.0);
	log_msg("request: submitting to %s (template %s)", r->ca_url, tpl);
	enum http_err e = certsrv_submit(&r->o, r->ca_url, r->csr_pem, tpl, r->h,
					 &res);
	if (e != HTTP_OK) {
		enum status s = net_failure(r, e, res.err, doing, &reached);
		if (!reached)
			req_set_phase(r, REQ_KEY_WRITTEN);
		certsrv_result_release(&res);
		return s;
	}
	enum status s;
	switch (res.ans.kind) {
	case CERTSRV_ISSUED: {
		long id = res.ans.request_id;
		r->st->request_id = id;
		/* the CA holds it: record the ID before fetching */
		req_set_phase(r, REQ_PENDING);
		if (req_checkpoint(r, "fetching the certificate") < 0) {
			s = ST_FAIL;
			break;
		}
		s = req_retrieve(r, id);
		break;
	}
	case CERTSRV_PENDING:
		s = answer_pending(r, &res.ans, res.ans.request_id, 1);
		break;
	default:
		s = answer_common(r, &res, FROM_SUBMIT);
		break;
	}
	certsrv_result_release(&res);
	return s;
}
