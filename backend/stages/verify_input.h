/*
 * verify_input.h - what stage 3's checklist is run on (verify.h): the
 * certificate files, the name it must carry, and where trust and
 * revocation come from.  Shared by the checklist (verify.c) and its chain
 * and revocation checks (verify_chain.c).
 *
 * Ownership: everything in struct verify_input is borrowed.
 */
#ifndef OPSMGR_VERIFY_INPUT_H
#define OPSMGR_VERIFY_INPUT_H

#include <stdbool.h>
#include "core/secret.h"

struct verify_input {
	/* Files: either cert_path (+ key_path, chain_path) or pfx_path. */
	const char *cert_path;      /* PEM/DER/PKCS#7; may hold the chain too */
	const char *key_path;       /* unencrypted private key, or NULL */
	const char *chain_path;     /* extra intermediates, or NULL */
	const char *pfx_path;       /* PKCS#12 with pfx_password */
	const struct secret *pfx_password;

	const char *fqdn;           /* the name the certificate must carry */
	const char *trust_store;    /* hashed directory of trusted roots */
	const char *ca_file;        /* extra trusted roots (PEM), or NULL */
	bool skip_revocation;
	int crl_timeout_s;          /* 0 = CRL_DEFAULT_TIMEOUT */
};

#endif
