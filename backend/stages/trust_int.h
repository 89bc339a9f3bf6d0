/*
 * trust_int.h - what stage 1's files share (trust.c: the stage;
 * trust_boot.c: trusting the CA's web server before anything is sent to
 * it).  Not for callers outside backend/stages/trust*.c.
 *
 * Ownership: struct trust_boot owns its certificates and its anchor file;
 * trust_boot_release() frees them and removes the file.
 */
#ifndef OPSMGR_TRUST_INT_H
#define OPSMGR_TRUST_INT_H

#include <stdbool.h>

#include "core/ctx.h"
#include "core/hooks.h"
#include "stages/trust.h"
#include "sys/http.h"

/* One certificate as stage 1 shows it (trust.c).  0 / -1 (out of memory;
 * c holds what was made and trust_cert_release frees it). */
int trust_describe(X509 *x, struct trust_cert *c);

enum trust_boot_step {
	BOOT_VERIFIED,      /* the server verifies (or is plain http): no bootstrap */
	BOOT_CONFIRMED,     /* the top certificate is confirmed: b is set up */
	BOOT_NEED_CONFIRM,  /* the operator has to compare the thumbprint */
	BOOT_FAIL,
	BOOT_CANCELLED
};

struct trust_boot {
	bool active;        /* BOOT_CONFIRMED: the download goes through it */
	bool pinned;        /* confirmed by trust.sha256 (else by the operator) */
	X509 *leaf;         /* the server's own certificate, as presented */
	X509 *top;          /* the confirmed certificate */
	char *anchor;       /* PEM file holding top, the download's only trust */
};

void trust_boot_release(struct trust_boot *b);
/* After stage 1 trusted root_sha256: record in the state which root the
 * CA's web server is verified against from now on (state.h ca_web_root):
 * the one a bootstrap confirmed; kept while a later run verified the
 * server through it; forgotten otherwise. */
void trust_boot_record_web_root(struct ctx *c, const struct trust_boot *b,
				const char *root_sha256);

/*
 * Before anything is sent to ca.url (source ca, no ca.ca_file, https):
 * a verifying handshake; when it does not verify, the certificates the
 * server presents (no request sent), shown as *shown (presented = true,
 * top = the last one: the root when the server sends it, else the
 * issuing CA).  The top is confirmed by trust.sha256 (its SHA-256), or
 * interactively by the operator's yes (ctx.confirm_trust) given to the
 * very certificate shown before (confirmed: its SHA-256 from the earlier
 * result, or NULL).  Non-interactive without a pin: a FAIL at
 * trust.sha256.  *shown (NULL when nothing was presented) is for
 * ctx->out; the caller owns it.
 */
enum trust_boot_step trust_boot_begin(struct ctx *c, const char *confirmed,
				      const struct hooks *h,
				      struct trust_boot *b,
				      struct trust_result **shown,
				      struct diag_list *dl);

/* The SHA-256 (plain hex) of the top certificate the operator was shown
 * in c's earlier stage 1 result, malloc'd; NULL when there is none. */
char *trust_boot_shown_top(const struct ctx *c);

/* The CA connection after BOOT_CONFIRMED: ca_http_options with
 * credentials, verified against exactly the confirmed certificate (a
 * root, or an issuing CA: see "Trust" in http.h).
 * 0 / -1 with diagnostics. */
int trust_boot_options(struct ctx *c, const struct trust_boot *b,
		       struct http_opts *o, struct diag_list *dl);

/* The chain downloaded after the bootstrap holds the confirmed
 * certificate, and the server's certificate chains to root (the root
 * stage 1 is about to trust).  0, or -1 with a FAIL. */
int trust_boot_check(const struct trust_boot *b, STACK_OF(X509) *chain,
		     X509 *root, struct diag_list *dl);

#endif
