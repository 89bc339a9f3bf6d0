/*
 * verify_chain.c - the two checks of stage 3 that reach beyond the
 * certificate (verify_chain.h): the chain to a root of the trust store
 * (plus ca_file), and revocation through the leaf's CRL distribution
 * points (fetched with timeouts and cancellation).
 */
#include "stages/verify_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "core/stage_table.h"
#include "pki/crl.h"
#include "pki/truststore.h"
#include "pki/x509util.h"

/* The leaf's own dates are the validity check's business. */
static int chain_verify_cb(int ok, X509_STORE_CTX *ctx)
{
	if (ok)
		return 1;
	int e = X509_STORE_CTX_get_error(ctx);
	if (X509_STORE_CTX_get_error_depth(ctx) == 0 &&
	    (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID))
		return 1;
	return 0;
}

static X509_STORE *open_store(const struct verify_input *in, char *err,
			      size_t errlen)
{
	X509_STORE *store = NULL;
	char serr[512] = "";
	if (in->trust_store)
		store = truststore_open(in->trust_store, serr, sizeof(serr));
	if (!store && in->ca_file && *in->ca_file)
		store = X509_STORE_new();
	if (!store) {
		snprintf(err, errlen, "%s", serr[0] ? serr : "no trust store is configured");
		return NULL;
	}
	if (in->ca_file && *in->ca_file && !X509_STORE_load_file(store, in->ca_file)) {
		char eb[160];
		snprintf(err, errlen, "cannot load the CA file '%s': %s", in->ca_file,
			 x509_ossl_err(eb, sizeof(eb)));
		X509_STORE_free(store);
		return NULL;
	}
	return store;
}

void verify_check_chain(struct cert_check *r, const struct verify_input *in)
{
	char err[600];
	X509_STORE *store = open_store(in, err, sizeof(err));
	if (!store) {
		struct diag *d = diag_add(
			r->dl, DIAG_VERIFY_CHAIN, SEV_FAIL, "trust.store", NULL,
			"cannot check the chain of %s: %s", r->label, err);
		diag_set_fix(d, "trust the CA's root first (stage %d), or give "
			     "--trust-store", STAGE_TRUST);
		return;
	}
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, store, r->leaf, r->extra)) {
		diag_add(r->dl, DIAG_VERIFY_CHAIN, SEV_FAIL, NULL, NULL,
			 "cannot set up chain verification: out of memory");
		X509_STORE_CTX_free(ctx);
		X509_STORE_free(store);
		return;
	}
	X509_STORE_CTX_set_verify_cb(ctx, chain_verify_cb);
	int ok = X509_verify_cert(ctx);
	if (ok == 1) {
		r->chain = X509_STORE_CTX_get1_chain(ctx);
		int n = r->chain ? sk_X509_num(r->chain) : 0;
		X509 *top = n ? sk_X509_value(r->chain, n - 1) : NULL;
		char *root = top ? x509_name_text(X509_get_subject_name(top)) : NULL;
		diag_add(r->dl, DIAG_VERIFY_CHAIN, SEV_PASS, NULL, NULL,
			 "%s chains to the trusted root '%s' (%d certificate%s)",
			 r->label, root ? root : "?", n, n == 1 ? "" : "s");
		free(root);
	} else {
		int e = X509_STORE_CTX_get_error(ctx);
		int depth = X509_STORE_CTX_get_error_depth(ctx);
		X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
		char *bn = bad ? x509_name_text(X509_get_subject_name(bad)) : NULL;
		char *bi = bad ? x509_name_text(X509_get_issuer_name(bad)) : NULL;
		char fix[200];
		snprintf(fix, sizeof(fix),
			 "trust the root of the CA that issued this certificate (stage %d) and give its intermediate CA certificates in the chain file",
			 STAGE_TRUST);
		if (e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
		    e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
		    e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
		    e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
			diag_add(r->dl, DIAG_VERIFY_CHAIN, SEV_FAIL, "trust.store", fix,
				 "no chain from %s to a trusted root: %s ('%s', issued by '%s', depth %d)",
				 r->label, X509_verify_cert_error_string(e),
				 bn ? bn : "?", bi ? bi : "?", depth);
		else
			diag_add(r->dl, DIAG_VERIFY_CHAIN, SEV_FAIL, "trust.store", fix,
				 "the chain of %s does not verify: %s at '%s' (depth %d)",
				 r->label, X509_verify_cert_error_string(e),
				 bn ? bn : "?", depth);
		free(bn);
		free(bi);
	}
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
}

static X509 *find_issuer(struct cert_check *r)
{
	if (r->chain && sk_X509_num(r->chain) > 1)
		return sk_X509_value(r->chain, 1);
	if (x509_is_self_signed(r->leaf))
		return r->leaf;
	for (int i = 0; r->extra && i < sk_X509_num(r->extra); i++) {
		X509 *x = sk_X509_value(r->extra, i);
		if (X509_check_issued(x, r->leaf) == X509_V_OK)
			return x;
	}
	ERR_clear_error();
	return NULL;
}

int verify_check_revocation(struct cert_check *r,
			    const struct verify_input *in,
			    const struct hooks *h)
{
	if (in->skip_revocation) {
		diag_add(r->dl, DIAG_VERIFY_REVOCATION, SEV_SKIP, NULL, NULL,
			 "revocation not checked (skipped on request)");
		return 0;
	}
	char **urls = crl_distribution_points(r->leaf);
	if (!urls) {
		diag_add(r->dl, DIAG_VERIFY_REVOCATION, SEV_SKIP, NULL, NULL,
			 "%s names no CRL distribution point: nothing to check",
			 r->label);
		return 0;
	}
	struct http_opts o;
	http_opts_init(&o);
	o.auth = AUTH_NONE;
	o.allow_http = true;     /* CRLs are signed; see crl.h */
	o.timeout_s = in->crl_timeout_s > 0 ? in->crl_timeout_s
					       : CRL_DEFAULT_TIMEOUT;
	o.connect_timeout_s = o.timeout_s < 5 ? o.timeout_s : 5;
	o.body_cap = CRL_BODY_CAP;
	o.ca_path = in->trust_store;
	o.ca_file = in->ca_file;

	X509 *issuer = find_issuer(r);
	char problems[1024] = "";
	char good[512] = "";
	int tried = 0, cancel = 0, revoked = 0;
	for (char **u = urls; *u && !revoked; u++) {
		if (strncasecmp(*u, "http://", 7) != 0 &&
		    strncasecmp(*u, "https://", 8) != 0)
			continue;   /* ldap:// and file:// are not fetched */
		tried++;
		hooks_progress(h, "fetching the CRL", -1);
		X509_CRL *crl = NULL;
		char err[512];
		enum http_err e = crl_fetch(&o, *u, h, &crl, err, sizeof(err));
		if (e == HTTP_E_CANCELLED) {
			cancel = 1;
			break;
		}
		size_t pl = strlen(problems);
		if (e != HTTP_OK) {
			snprintf(problems + pl, sizeof(problems) - pl, "%s%s",
				 pl ? "; " : "", err);
			continue;
		}
		char *when = NULL;
		enum crl_status cs = crl_check(crl, r->leaf, issuer, &when);
		switch (cs) {
		case CRL_REVOKED: {
			char *serial = x509_serial_hex(r->leaf);
			struct diag *d = diag_add(
				r->dl, DIAG_VERIFY_REVOCATION, SEV_FAIL, NULL, NULL,
				"%s (serial %s) was revoked on %s according to the CRL at '%s'",
				r->label, serial ? serial : "?",
				when ? when : "an unknown date", *u);
			diag_set_fix(d, "request a new certificate (stage %d) "
				     "and import its serial (stage %d)",
				     STAGE_REQUEST, STAGE_SERIAL);
			free(serial);
			revoked = 1;
			break;
		}
		case CRL_BAD_SIGNATURE:
			snprintf(problems + pl, sizeof(problems) - pl,
				 "%sthe CRL at '%s' is not signed by %s", pl ? "; " : "",
				 *u, issuer ? "the issuing CA" : "a known issuer");
			break;
		case CRL_WRONG_ISSUER:
			snprintf(problems + pl, sizeof(problems) - pl,
				 "%sthe CRL at '%s' is for another CA", pl ? "; " : "",
				 *u);
			break;
		case CRL_STALE: {
			char *next = x509_time_text(X509_CRL_get0_nextUpdate(crl));
			snprintf(problems + pl, sizeof(problems) - pl,
				 "%sthe CRL at '%s' is out of date (next update was %s)",
				 pl ? "; " : "", *u, next ? next : "?");
			free(next);
			break;
		}
		case CRL_GOOD:
			if (!good[0])
				snprintf(good, sizeof(good), "%s", *u);
			break;
		}
		free(when);
		X509_CRL_free(crl);
	}
	strv_free(urls);
	if (cancel)
		return 1;
	if (revoked)
		return 0;
	if (good[0] && problems[0])
		diag_add(r->dl, DIAG_VERIFY_REVOCATION, SEV_PASS, NULL, NULL,
			 "%s is not revoked according to the CRL at '%s' (other distribution points: %s)",
			 r->label, good, problems);
	else if (good[0])
		diag_add(r->dl, DIAG_VERIFY_REVOCATION, SEV_PASS, NULL, NULL,
			 "%s is not revoked according to the CRL at '%s'",
			 r->label, good);
	else if (!tried)
		diag_add(r->dl, DIAG_VERIFY_REVOCATION, SEV_SKIP, NULL, NULL,
			 "%s has only non-http CRL distribution points; not fetched",
			 r->label);
	else
		diag_add(r->dl, DIAG_VERIFY_REVOCATION, SEV_WARN, NULL,
			 "make sure this computer (and the management server) can reach the CRL distribution point, and that the CA publishes its CRL",
			 "cannot check whether %s is revoked: %s", r->label,
			 problems);
	return 0;
}
