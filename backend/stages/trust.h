/*
 * trust.h - stage 1, trust root (product.md s.2.1): read the CA chain from
 * the CA's web-enrollment pages, a file or a URL; present every
 * certificate; find and check the self-signed root (CA flag, dates,
 * signature hash, pin); ask for confirmation unless pinned or accepted;
 * write the root into the directory trust store (truststore.h).
 *
 * The entry point is stage_trust_run() in stages.h.  It leaves a
 * struct trust_result in ctx->out[STAGE_TRUST] (ctx_set_out, freed by
 * trust_result_free) so screens can list the certificates, also when it
 * returns ST_NEED_CONFIRM or ST_FAIL after the certificates were read.
 *
 * Diagnostics (check IDs DIAG_TRUST_*, fields "trust.source", "trust.file",
 * "trust.url", "ca.url", "trust.sha256", "trust.accept", "trust.store"):
 *   source/parse   fail: nothing to read, or not a certificate (formats tried)
 *   parse          info: one line per certificate read (subject, SHA-1, SHA-256)
 *   root           fail: no self-signed root / pass: which one it is
 *   ca_flag        fail: root without basicConstraints CA:TRUE
 *   validity       fail: root expired or not yet valid
 *   signature_hash warn: a certificate signed with MD5/SHA-1
 *   pin            fail: root's SHA-256 differs from trust.sha256 (names both)
 *                  pass: it matches
 *   confirm        warn: needs the operator's yes (ST_NEED_CONFIRM)
 *   store          pass: written / "already trusted"; fail: cannot write
 *
 * Source ca without ca.ca_file, when the web server does not verify
 * (its certificate comes from the CA being trusted): nothing is sent to it
 * until the top certificate it presents is confirmed - trust.sha256 (pin
 * pass/fail), or the operator (confirm warn, ST_NEED_CONFIRM, the result
 * has presented = true, and stays in ctx->out until a downloaded chain
 * replaces it, so a retry after a 401 needs no second yes); trust.accept
 * does not confirm it; non-interactive without a pin: a pin failure at
 * trust.sha256.  The download is then verified against that certificate
 * only, must contain it and chain the server's certificate to its root.
 *
 * Ownership: trust_result owns all its strings; trust_result_free() frees
 * the struct and everything in it.
 */
#ifndef OPSMGR_TRUST_H
#define OPSMGR_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/x509.h>

#include "core/config.h"
#include "core/diag.h"
#include "core/status.h"

struct trust_cert {
	char *subject;          /* "CN=Root, O=Org" */
	char *issuer;
	char *not_before;       /* "2026-11-25 07:39:22 UTC" */
	char *not_after;
	char *serial_hex;       /* as Windows prints it */
	char *sha1;             /* thumbprint: 40 upper-case hex digits */
	char *sha256;           /* "AB:CD:..." (openssl -fingerprint style) */
	const char *sig_hash;   /* static: "SHA256", "SHA1", ... */
	bool self_signed;
	bool is_ca;
	bool weak_hash;
	bool is_root;           /* the root this stage trusts */
};

struct trust_result {
	char *source;           /* "the CA at https://...", "file '/x.p7b'", ... */
	struct trust_cert *certs;
	size_t n;
	int root;               /* index into certs, -1 when there is none */
	char *root_sha256;      /* plain upper-case hex of the root, or NULL */
	char *stored_path;      /* PEM file in the trust store once written */
	bool already_trusted;
	bool pinned;            /* trust.sha256 matched */
	/* The certificates the CA's web server presented in its TLS
	 * handshake (it does not verify yet, trust_boot.c), not a chain
	 * read from the source: root is -1, top the one to confirm. */
	bool presented;
	int top;
};

void trust_result_free(void *result);

/*
 * Stage 1's fields, without I/O: the setting trust.source needs (ca.url,
 * trust.file or trust.url) is given.  0, or -1 with a DIAG_TRUST_SOURCE
 * failure at that field.  The stage runs it first; so does the runner's
 * preflight (wizard/preflight.h).
 */
int trust_check_fields(const struct config *cfg, struct diag_list *dl);

/*
 * The checks of stage 1 on certificates already read: fills res->certs,
 * res->root and res->root_sha256, appends diagnostics to dl (root,
 * ca_flag, validity, signature_hash, pin).  pin may be NULL (no pin).
 * Returns the index of the root in certs, or -1 when a check failed
 * (the diagnostics say which; res->root may still name the root found).
 * Used by stage_trust_run and by `check` on the stored root.
 */
int trust_evaluate(STACK_OF(X509) *certs, const char *pin,
		   struct trust_result *res, struct diag_list *dl);

struct ctx;
/*
 * For `check` on an existing setup (no network, no writes): re-run the
 * root checks on the root recorded in the state (st->root_path, pin from
 * cfg->trust_sha256) and make sure OpenSSL finds it in the trust store
 * through its hash link.  Nothing recorded: a DIAG_TRUST_STORE failure
 * saying to run stage 1.  Returns ST_OK, ST_NEED_CONFIRM (warnings only)
 * or ST_FAIL.  Leaves a trust_result in ctx->out[STAGE_TRUST].
 */
enum status trust_check_existing(struct ctx *c, struct diag_list *dl);

#endif
