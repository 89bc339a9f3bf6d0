/*
 * request_cert.c - stage 2's issued certificate: matched to the key,
 * saved as cert.pem with its issuers in chain.pem (from the answer, the
 * CA's certnew.p7b or the trusted root), and the ISSUED state checked.
 */
#include "stages/request_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adcs/certsrv.h"
#include "core/log.h"
#include "core/stage_table.h"
#include "pki/x509util.h"
#include "core/fsutil.h"

static void fill_out_cert(struct run *r, X509 *leaf)
{
	struct request_result *o = r->out;
	if (!o)
		return;
	free(o->subject);
	free(o->serial_hex);
	free(o->not_after);
	o->subject = x509_name_text(X509_get_subject_name(leaf));
	o->serial_hex = x509_serial_hex(leaf);
	o->not_after = x509_time_text(X509_get0_notAfter(leaf));
}

/* The issuers for chain.pem: from `extra` (minus leaf), else the CA's
 * certnew.p7b for id, else the trusted root of stage 1. */
static STACK_OF(X509) *chain_for(struct run *r, X509 *leaf,
				 STACK_OF(X509) *extra, long id)
{
	char err[REQ_ERRLEN];
	STACK_OF(X509) *chain = sk_X509_new_null();
	STACK_OF(X509) *got = NULL;
	if (!chain)
		return NULL;
	if (extra && sk_X509_num(extra) > 1) {
		got = extra;
	} else if (id > 0 && r->ca_url &&
		   r->c->request_action == REQ_ACT_AUTO) {   /* online */
		unsigned char *p7 = NULL;
		size_t p7len = 0;
		enum http_err e = certsrv_fetch_chain(&r->o, r->ca_url, id, r->h,
						      &p7, &p7len, err, sizeof(err));
		if (e == HTTP_OK &&
		    x509_load_certs(p7, p7len, &got, err, sizeof(err)) == 0) {
			/* got */
		} else {
			got = NULL;
			diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_INFO, NULL, NULL,
				 "could not fetch the chain of request %ld (%s); "
				 "using the trusted root instead", id, err);
		}
		free(p7);
	}
	if (got) {
		for (int i = 0; i < sk_X509_num(got); i++) {
			X509 *x = sk_X509_value(got, i);
			if (X509_cmp(x, leaf) == 0)
				continue;
			if (X509_up_ref(x) && !sk_X509_push(chain, x))
				X509_free(x);
		}
		if (got != extra)
			OSSL_STACK_OF_X509_free(got);
	}
	if (sk_X509_num(chain) == 0 && r->st->root_path &&
	    fs_exists(r->st->root_path)) {
		STACK_OF(X509) *root = NULL;
		if (x509_load_certs_file(r->st->root_path, &root, err,
					 sizeof(err)) == 0) {
			for (int i = 0; i < sk_X509_num(root); i++) {
				X509 *x = sk_X509_value(root, i);
				if (X509_up_ref(x) && !sk_X509_push(chain, x))
					X509_free(x);
			}
			OSSL_STACK_OF_X509_free(root);
		}
	}
	return chain;
}

/* The certificate's identity in the state (stage_inputs.h: what later
 * stages were made from): its SHA-256. */
static void record_cert_identity(struct run *r, X509 *leaf)
{
	char *fp = x509_fingerprint(leaf, EVP_sha256());
	if (fp)
		state_set_str(&r->st->cert_sha256, fp);
	free(fp);
}

/*
 * Store the certificate for our key found among certs: cert.pem, chain.pem,
 * REQ_ISSUED.  `what` names the source for messages.
 */
enum status req_store_cert(struct run *r, STACK_OF(X509) *certs, long id,
			   const char *what)
{
	char err[REQ_ERRLEN];
	X509 *leaf = NULL;
	for (int i = 0; i < sk_X509_num(certs); i++) {
		if (x509_key_matches(sk_X509_value(certs, i), r->key) == 1) {
			leaf = sk_X509_value(certs, i);
			break;
		}
	}
	if (!leaf) {
		X509 *first = sk_X509_value(certs, 0);
		char *subj = first ? x509_name_text(X509_get_subject_name(first)) : NULL;
		diag_add(r->dl, DIAG_REQ_CERT_MATCH, SEV_FAIL, NULL,
			 "make sure the certificate was issued for the request in "
			 "this state directory ('request.csr'); nothing was saved",
			 "%s (%s) does not belong to the private key '%s'", what,
			 subj ? subj : "no certificate", r->key_path);
		free(subj);
		return ST_FAIL;
	}
	diag_add(r->dl, DIAG_REQ_CERT_MATCH, SEV_PASS, NULL, NULL,
		 "%s matches the private key '%s'", what, r->key_path);

	char *cert_path = ctx_path(r->c, REQUEST_CERT_FILE);
	char *chain_path = ctx_path(r->c, REQUEST_CHAIN_FILE);
	char *pem = x509_to_pem(leaf);
	enum status rc = ST_FAIL;
	STACK_OF(X509) *chain = NULL;
	if (!cert_path || !chain_path || !pem) {
		diag_add(r->dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL, "out of memory");
		goto out;
	}
	if (fs_write_atomic(cert_path, pem, strlen(pem), 0644, err, sizeof(err)) < 0) {
		diag_add(r->dl, DIAG_IO, SEV_FAIL, NULL,
			 "make sure the state directory is writable, then run again "
			 "(the certificate is fetched again)",
			 "cannot save the certificate: %s", err);
		goto out;
	}
	state_set_str(&r->st->cert_path, cert_path);
	record_cert_identity(r, leaf);

	chain = chain_for(r, leaf, certs, id);
	if (chain && sk_X509_num(chain) > 0) {
		char *cp = x509_stack_to_pem(chain);
		if (cp && fs_write_atomic(chain_path, cp, strlen(cp), 0644, err,
					  sizeof(err)) == 0) {
			state_set_str(&r->st->chain_path, chain_path);
		} else {
			struct diag *d = diag_add(
				r->dl, DIAG_IO, SEV_WARN, NULL, NULL,
				"cannot save the certificate chain: %s",
				cp ? err : "out of memory");
			diag_set_fix(d, "%s builds the chain from the trust "
				     "store instead", stage_ref(STAGE_VERIFY));
		}
		free(cp);
	} else {
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_INFO, NULL, NULL,
			 "no issuer certificates to save with it; %s builds the "
			 "chain from the trust store", stage_ref(STAGE_VERIFY));
	}

	if (id > 0)
		r->st->request_id = id;
	state_set_str(&r->st->disposition, "Issued");
	req_set_phase(r, REQ_ISSUED);
	fill_out_cert(r, leaf);
	{
		char *subj = x509_name_text(X509_get_subject_name(leaf));
		char *serial = x509_serial_hex(leaf);
		char *until = x509_time_text(X509_get0_notAfter(leaf));
		char idtxt[48] = "";
		if (id > 0)
			snprintf(idtxt, sizeof(idtxt), " (request %ld)", id);
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_PASS, NULL, NULL,
			 "certificate issued%s: %s, serial %s, valid until %s; "
			 "saved to '%s'", idtxt, subj ? subj : "?",
			 serial ? serial : "?", until ? until : "?", cert_path);
		log_msg("request: certificate%s saved to %s (serial %s)", idtxt,
			cert_path, serial ? serial : "?");
		free(subj);
		free(serial);
		free(until);
	}
	rc = ST_OK;
out:
	if (chain)
		OSSL_STACK_OF_X509_free(chain);
	free(pem);
	free(cert_path);
	free(chain_path);
	return rc;
}

enum status req_store_cert_bytes(struct run *r, const unsigned char *buf,
				 size_t len, long id)
{
	char err[REQ_ERRLEN], what[96];
	STACK_OF(X509) *certs = NULL;
	if (x509_load_certs(buf, len, &certs, err, sizeof(err)) < 0) {
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_FAIL, "ca.url",
			 "run again; if it persists, fetch the certificate from the "
			 "CA's web pages by hand and import it (offline path)",
			 "the CA's answer for request %ld is not a certificate: %s",
			 id, err);
		return ST_FAIL;
	}
	snprintf(what, sizeof(what), "the certificate issued for request %ld", id);
	enum status s = req_store_cert(r, certs, id, what);
	OSSL_STACK_OF_X509_free(certs);
	return s;
}

/* The certificate of an ISSUED state is on disk and belongs to our key. */
enum status req_already_issued(struct run *r)
{
	char err[REQ_ERRLEN];
	STACK_OF(X509) *certs = NULL;
	const char *cp = r->st->cert_path;
	if (!cp || x509_load_certs_file(cp, &certs, err, sizeof(err)) < 0)
		return ST_FAIL;
	X509 *x = sk_X509_value(certs, 0);
	enum status s = ST_FAIL;
	if (x && x509_key_matches(x, r->key) == 1) {
		fill_out_cert(r, x);
		record_cert_identity(r, x);
		diag_add(r->dl, DIAG_REQ_RETRIEVE, SEV_PASS, NULL, NULL,
			 "the certificate%s is already issued and saved in '%s'",
			 r->st->request_id > 0 ? " of this request" : "", cp);
		s = ST_OK;
	}
	OSSL_STACK_OF_X509_free(certs);
	return s;
}
