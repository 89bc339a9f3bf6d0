/*
 * verify_chain.h - stage 3's checks beyond the certificate itself: the
 * chain to a trusted root and revocation through the CRL distribution
 * points (the order and meaning of the checks: verify.h).
 *
 * Owner: backend/stages/verify_chain.c.  Ownership: everything is
 * borrowed; verify_check_chain stores the built chain in c->chain, which
 * cert_check_release frees.
 */
#ifndef OPSMGR_VERIFY_CHAIN_H
#define OPSMGR_VERIFY_CHAIN_H

#include "core/hooks.h"
#include "pki/certrules.h"
#include "stages/verify_input.h"

/* One DIAG_VERIFY_CHAIN diagnostic: the trust store of in (and ca_file). */
void verify_check_chain(struct cert_check *c, const struct verify_input *in);

/* One DIAG_VERIFY_REVOCATION diagnostic; returns 1 (and adds nothing)
 * when cancelled. */
int verify_check_revocation(struct cert_check *c,
			    const struct verify_input *in,
			    const struct hooks *h);

#endif
