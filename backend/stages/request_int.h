/*
 * request_int.h - what the files of stage 2 share among themselves
 * (request.c and request_*.c): the run in progress and the steps of the
 * stage; not for other stages or screens.
 *
 * Ownership: struct run borrows c, cfg, st, h, dl and fqdn; it owns
 * ca_url, key_path, csr_path, key, req and csr_pem, which
 * stage_request_run frees when the run ends (out goes to the ctx).
 */
#ifndef OPSMGR_REQUEST_INT_H
#define OPSMGR_REQUEST_INT_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/hooks.h"
#include "core/status.h"
#include "stages/request.h"
#include "sys/http.h"

#define REQ_ERRLEN 1024

/* One run of the stage: borrowed context, owned working copies. */
struct run {
	struct ctx *c;
	struct config *cfg;
	struct state *st;
	const struct hooks *h;
	struct diag_list *dl;
	const char *fqdn;
	char *ca_url;             /* where the request goes / went (owned copy:
				   * the state's string is replaced while used) */
	char *key_path, *csr_path;
	EVP_PKEY *key;
	X509_REQ *req;
	char *csr_pem;
	struct http_opts o;
	struct request_result *out;
};

/* key.bits, or its default when unset. */
int key_bits(const struct config *cfg);

/* request.c: steps every part uses */
enum status req_cancelled(struct run *r, const char *what);
/* Save the state before `what`; -1 (with a diagnostic) when it cannot. */
int req_checkpoint(struct run *r, const char *what);
void req_set_phase(struct run *r, enum request_phase p);

/* request_name.c: warn when this computer is not known as r->fqdn. */
void req_check_resolution(struct run *r);

/* request_keys.c: r->key, r->req and r->csr_pem */
/* Warn when the request's CN is not r->fqdn (why: "pending at the CA"). */
void req_check_cn(struct run *r, const char *why);
/* The key and CSR a sent request belongs to; never replaced. */
enum status req_load_bound(struct run *r);
/* Key and CSR for a request nothing has been sent with yet. */
enum status req_make_key_csr(struct run *r);

/* request_cert.c */
enum status req_store_cert(struct run *r, STACK_OF(X509) *certs, long id,
			   const char *what);
enum status req_store_cert_bytes(struct run *r, const unsigned char *buf,
				 size_t len, long id);
enum status req_already_issued(struct run *r);

/* request_submit.c */
enum status req_submit(struct run *r);
enum status req_retrieve(struct run *r, long id);

/* request_offline.c: the two offline actions */
enum status req_save_csr(struct run *r);
enum status req_import_cert(struct run *r);

#endif
