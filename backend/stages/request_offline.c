/*
 * request_offline.c - stage 2 without the network: save the certificate
 * request to a file for the CA administrator, import the certificate the
 * CA issued for it.
 */
#include "stages/request_int.h"

#include <stdio.h>
#include <string.h>

#include "pki/x509util.h"
#include "core/fsutil.h"

static enum status save_csr_file(struct run *r)
{
	char err[REQ_ERRLEN];
	const char *path = r->c->offline_csr_path;
	if (!path || !*path) {
		diag_add(r->dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
			 "give the file to save the request to",
			 "no file name for the certificate request");
		return ST_FAIL;
	}
	if (fs_write_atomic(path, r->csr_pem, strlen(r->csr_pem), 0644, err,
			    sizeof(err)) < 0) {
		diag_add(r->dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
			 "choose a writable location", "cannot save the request: %s",
			 err);
		return ST_FAIL;
	}
	struct diag *d = diag_add(
		r->dl, DIAG_REQ_OFFLINE, SEV_PASS, NULL, NULL,
		"certificate request for '%s' saved to '%s'", r->fqdn, path);
	if (d)
		diag_set_fix(d,
			     "submit it at the CA (web enrollment: advanced "
			     "certificate request, or 'certreq -submit -attrib "
			     "\"CertificateTemplate:%s\"'), then import the issued "
			     "certificate here",
			     r->cfg->ca_template && *r->cfg->ca_template
				     ? r->cfg->ca_template : "OpsMgr");
	return r->st->req_phase == REQ_ISSUED ? ST_OK : ST_PENDING;
}

static enum status import_cert_file(struct run *r)
{
	char err[REQ_ERRLEN], what[512];
	const char *path = r->c->import_cert_path;
	STACK_OF(X509) *certs = NULL;
	if (!path || !*path) {
		diag_add(r->dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
			 "give the certificate file the CA issued",
			 "no certificate file to import");
		return ST_FAIL;
	}
	if (x509_load_certs_file(path, &certs, err, sizeof(err)) < 0) {
		diag_add(r->dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
			 "export the certificate from the CA as a .cer (DER or "
			 "Base64) or .p7b file and import that",
			 "cannot import '%s': %s", path, err);
		return ST_FAIL;
	}
	snprintf(what, sizeof(what), "the certificate in '%s'", path);
	enum status s = req_store_cert(r, certs, r->st->request_id, what);
	OSSL_STACK_OF_X509_free(certs);
	return s;
}

enum status req_save_csr(struct run *r)
{
	const struct state *st = r->st;
	enum status s;
	if (st->req_phase == REQ_SUBMITTING || st->req_phase == REQ_PENDING ||
	    st->req_phase == REQ_ISSUED)
		s = req_load_bound(r);
	else
		s = req_make_key_csr(r);
	if (s == ST_OK)
		s = save_csr_file(r);
	return s;
}

enum status req_import_cert(struct run *r)
{
	char err[REQ_ERRLEN];
	r->key = fs_exists(r->key_path)
			 ? x509_load_key_file(r->key_path, err, sizeof(err))
			 : NULL;
	if (!r->key) {
		diag_add(r->dl, DIAG_REQ_OFFLINE, SEV_FAIL, NULL,
			 "make the request first (save the CSR), have the "
			 "CA issue it, then import the certificate",
			 "there is no private key to match the certificate "
			 "to ('%s'%s)", r->key_path,
			 fs_exists(r->key_path) ? " cannot be read" : " is missing");
		return ST_FAIL;
	}
	return import_cert_file(r);
}
