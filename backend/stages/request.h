/*
 * request.h - stage 2, "Request" (stage_request_run in stages.h): field
 * validation, FQDN detection, key + CSR on disk before anything is sent,
 * submission to AD CS web enrollment, pending retrieval across runs, the
 * offline path (save the CSR, import an issued certificate), and what the
 * stage leaves for the screen in ctx->out[STAGE_REQUEST].
 *
 * Resume rules: a key that a submitted, pending or issued request belongs
 * to is never regenerated; a recorded pending request is retrieved by its
 * ID and never submitted again; a run that starts in REQ_SUBMITTING (the
 * program died mid-POST) resubmits the same CSR with the same key.
 *
 * Changed answers (request_change.c): the inputs recorded with the
 * request decide - a changed FQDN or key size needs a new key and request,
 * a changed CA or template a new request with the same key (a new key
 * with ctx->request_new_key), credentials nothing.  What is replaced is
 * moved into <state_dir>/archive/ first (request_archive.c, read back by
 * request_history.h); a request the CA holds is left only when
 * ctx->confirm_abandon says so (else ST_NEED_CONFIRM).
 *
 * The stage's files: request.c (entry point), request_fields.c,
 * request_name.c, request_keys.c, request_submit.c, request_cert.c,
 * request_offline.c, request_change.c, request_archive.c,
 * request_history.c; what they share is in request_int.h.
 *
 * Ownership: struct request_result is owned by ctx (freed with
 * request_result_free via ctx_set_out); strings returned by
 * request_detect_fqdn are malloc'd, caller frees.
 */
#ifndef OPSMGR_REQUEST_H
#define OPSMGR_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include "core/ctx.h"
#include "core/diag.h"
#include "core/state.h"

#define REQUEST_KEY_FILE "key.pem"
#define REQUEST_CSR_FILE "request.csr"
#define REQUEST_CERT_FILE "cert.pem"
#define REQUEST_CHAIN_FILE "chain.pem"

/* ctx->out[STAGE_REQUEST] after a run (any member may be NULL). */
struct request_result {
	enum request_phase phase;
	long request_id;
	char *fqdn;
	char *key_path, *csr_path, *cert_path, *chain_path;
	char *disposition;        /* the CA's words, when it said something */
	char *subject, *serial_hex, *not_after;   /* issued certificate */
};
void request_result_free(void *p);

/* RFC 1123 host name with at least one dot, <= 253 characters, not an IP
 * address.  0, or -1 with the reason in why. */
int request_fqdn_check(const char *fqdn, char *why, size_t whylen);

/* This computer's canonical name (getaddrinfo AI_CANONNAME of
 * gethostname()), malloc'd; NULL with err when it cannot be found. */
char *request_detect_fqdn(char *err, size_t errlen);

/*
 * Validate the stage's fields: computer.fqdn (fqdn is the name in use),
 * key.bits, and when online also ca.url, ca.template, ca.auth, ca.user,
 * ca.password, ca.client_cert.  Problems are diagnostics at their fields.
 * Returns 0 when nothing failed (warnings possible), -1 otherwise.
 */
int request_validate(struct ctx *c, const char *fqdn, bool online,
		     struct diag_list *dl);

/*
 * Must the operator confirm before stage 2 leaves the request the CA holds
 * or may hold (pending, or cut off while being sent) because its answers
 * changed (ca.template, ca.url, computer.fqdn, key.bits)?  Then a
 * DIAG_REQ_CHANGED warning at the changed field (dl may be NULL) says which
 * answers changed, that the CA may still issue it and what confirming
 * (ctx->confirm_abandon, --abandon-pending) does.  Changes nothing: the
 * runner asks before any work.
 */
bool request_needs_confirm(const struct ctx *c, struct diag_list *dl);

#endif
