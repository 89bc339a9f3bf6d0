/*
 * approval_cause.c - why the management server refused the certificate we
 * presented (approval_tls_cause in approval_int.h): after the peer's own
 * words (its TLS alert or answer, already in the message), our own
 * verification of that certificate and key with stage 3's checklist
 * names the check that fails; when every such check passes, the fix is
 * labelled as the guess it is.
 */
#include "stages/approval_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "stages/verify.h"

/* The checks whose failure makes a TLS server refuse a client
 * certificate, in the order a failure is named (the name itself is no
 * matter for the handshake). */
static const enum diag_check TLS_CAUSES[] = {
	DIAG_VERIFY_PARSE, DIAG_VERIFY_KEY_MATCH, DIAG_VERIFY_VALIDITY,
	DIAG_VERIFY_EKU, DIAG_VERIFY_KEY_USAGE, DIAG_VERIFY_KEY_TYPE,
	DIAG_VERIFY_CHAIN, DIAG_VERIFY_REVOCATION,
};

/* The first failure among TLS_CAUSES in dl, or NULL. */
static const struct diag *first_cause(const struct diag_list *dl)
{
	for (size_t k = 0; k < sizeof(TLS_CAUSES) / sizeof(TLS_CAUSES[0]); k++)
		for (size_t i = 0; i < dl->n; i++)
			if (dl->items[i].check == TLS_CAUSES[k] &&
			    dl->items[i].sev == SEV_FAIL)
				return &dl->items[i];
	return NULL;
}

/* d's message followed by "; <what> '<cert>' fails verify/<id>: <its message>". */
static void append_message(struct diag *d, const char *what,
			   const char *cert, const struct diag *cause)
{
	char *m = NULL;
	if (asprintf(&m, "%s; %s '%s' fails verify/%s: %s", d->message, what,
		     cert, diag_check_id(cause->check), cause->message) < 0)
		return;
	free(d->message);
	d->message = m;
}

void approval_tls_cause(struct ctx *c, const struct approval_target *t,
			struct diag *d, bool refused)
{
	if (!d || !t->cert)
		return;
	struct verify_input in;
	memset(&in, 0, sizeof(in));
	in.cert_path = t->cert;
	in.key_path = t->key;
	in.chain_path = c->st ? c->st->chain_path : NULL;
	in.fqdn = t->fqdn;
	in.trust_store = ctx_trust_store(c);
	in.skip_revocation = true;   /* no network on a failure's path */
	struct diag_list own;
	diag_list_init(&own);
	verify_certificate(&in, NULL, &own);
	const struct diag *cause = first_cause(&own);
	if (cause) {
		append_message(d, "the cause is ours: the certificate we "
			       "presented", t->cert, cause);
		if (cause->fix)
			diag_set_fix(d, "%s", cause->fix);
	} else if (refused && d->fix) {
		char *old = strdup(d->fix);
		if (old)
			diag_set_fix(d, "likely (our own checks of '%s' pass, "
				     "so the server's trust is the guess): %s",
				     t->cert, old);
		free(old);
	}
	diag_list_release(&own);
}
