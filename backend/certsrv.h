/*
 * certsrv.h - the AD CS web-enrollment client (certsrv-protocol.md): CA
 * chain download, request submission, pending retrieval, and the pure page
 * classifiers behind them (fuzzable, no network).
 *
 * Owner: backend/certsrv.c.  Ownership of results is stated per function.
 */
#ifndef OPSMGR_CERTSRV_H
#define OPSMGR_CERTSRV_H

#include <stddef.h>
#include "diag.h"
#include "hooks.h"
#include "http.h"

/*
 * Download the CA certificate chain: certcarc.asp -> nRenewals (missing ->
 * 0 with an info diagnostic) -> certnew.p7b?ReqID=CACert&Renewal=N&Enc=b64
 * (falls back to Enc=bin).  base_url is ".../certsrv/" (trailing slash
 * optional).  On success *data (malloc'd, caller frees) holds the PKCS#7 as
 * served (base64 in CERTIFICATE armour, or DER).  Failures are DIAG_TRUST_SOURCE
 * diagnostics at field "trust.source"/"ca.url" naming the server's answer.
 * Returns 0 / -1.
 */
int certsrv_fetch_ca_chain(const struct http_opts *o, const char *base_url,
			   const struct hooks *h, unsigned char **data,
			   size_t *len, struct diag_list *dl);

/* --- declarations below are added by the owner of certsrv.c ----------- */
