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

/*
 * request_change.c: what changed since the request in the state was made
 * (stage 2's recorded inputs) and what the stage does about it.
 */
enum req_change {
	REQ_CHANGE_NONE = 0,      /* the request in the state stands */
	REQ_CHANGE_REQUEST,       /* a new request with the same key */
	REQ_CHANGE_KEY            /* a new key and a new request */
};
/* Bits of req_changed_inputs: which kind of input changed. */
#define REQ_CHANGED_KEY_INPUT 1u     /* computer.fqdn, key.* (the CSR's) */
#define REQ_CHANGED_REQ_INPUT 2u     /* ca.url, ca.template: where it goes */
#define REQ_CHANGED_RENEWAL 4u       /* a renewal is due (state.h renewal):
					the certificate is replaced as a
					changed key input would replace it */

struct req_decision {
	enum req_change change;
	bool archive;             /* what it replaces goes to the archive */
	bool confirm;             /* the CA holds (or may hold) the request:
				     only with the operator's yes */
	bool renewal;             /* made because a renewal is due */
	const char *field;        /* the first changed input (static) */
};
/*
 * The decision table: phase of the request in the state, the changed
 * bits, ctx->request_new_key and ctx->confirm_abandon -> what happens.
 * Nothing made (REQ_NONE) or nothing changed: NONE.  A changed FQDN or
 * key input, a renewal due, or a new key asked for: KEY.  A changed CA or template: a
 * new REQUEST with the same key; nothing sent yet (REQ_KEY_WRITTEN) needs
 * nothing then.  A request the CA holds or may hold (PENDING, SUBMITTING)
 * is left only when confirmed.
 */
void req_decide(enum request_phase phase, unsigned changed, bool new_key,
		bool abandon, struct req_decision *d);
/* Which of stage 2's recorded inputs differ from the answers now (the
 * REQ_CHANGED_* bits; *first: the first such key, may be NULL). */
unsigned req_changed_inputs(const struct ctx *c, const char **first);
/* req_decide for the state and answers in c. */
void req_decide_for(const struct ctx *c, struct req_decision *d);
/* A due renewal now has its new key coming (state.h: RENEWAL_DUE ->
 * RENEWAL_RUNNING, saved with the next checkpoint): a later run resumes
 * the new request and never archives again. */
void req_renewal_started(struct run *r);

/* request_archive.c */
/* Archive what decision d replaces, save the state that no longer holds
 * it, then remove it from the state directory (stages/request_history.h
 * reads the archive back). */
enum status req_archive(struct run *r, const struct req_decision *d);
/* Remove files an archived request left in the state directory after a
 * kill (hard links of archived files the state no longer uses). */
void req_archive_leftovers(struct run *r);

/* key.bits, or its default when unset. */
int key_bits(const struct config *cfg);

/* request.c: steps every part uses */
enum status req_cancelled(struct run *r, const char *what);
/* Save the state before `what`; -1 (with a diagnostic) when it cannot. */
int req_checkpoint(struct run *r, const char *what);
void req_set_phase(struct run *r, enum request_phase p);
/* Record the answers the request is made with (stage_inputs_record) before
 * a checkpoint, so a request in flight knows them.  0 / -1 (diagnostic). */
int req_record_inputs(struct run *r);

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
