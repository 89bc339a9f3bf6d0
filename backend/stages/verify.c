/*
 * verify.c - stage 3 and the reusable certificate checklist (verify.h):
 * reading the inputs (certificate files, key, chain, PKCS#12), then one
 * diagnostic per check in the fixed order of product.md s.4, skips after
 * a failure to read or a cancel, and the stage's verdict.  The rules
 * themselves are pki/certrules.c's and stages/verify_chain.c's.
 */
#include "stages/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "core/ctx.h"
#include "core/log.h"
#include "core/stage_table.h"
#include "pki/crl.h"
#include "pki/x509util.h"
#include "stages/stages.h"
#include "stages/verify_chain.h"
#include "core/fsutil.h"

/* --- small helpers ------------------------------------------------------ */

static void skip_from(struct diag_list *dl, enum diag_check from,
		      const char *why)
{
	for (int c = from; c <= DIAG_VERIFY_REVOCATION; c++)
		diag_add(dl, (enum diag_check)c, SEV_SKIP, NULL, NULL,
			 "not checked: %s", why);
}

/* Nothing to check: parse FAILs with fix and message, the rest SKIP. */
static enum status unreadable(struct diag_list *dl, const char *fix,
			      const char *why_skipped, const char *message)
{
	diag_add(dl, DIAG_VERIFY_PARSE, SEV_FAIL, NULL, fix, "%s", message);
	skip_from(dl, DIAG_VERIFY_KEY_MATCH, why_skipped);
	return ST_FAIL;
}

/* No certificate yet: the fix names stage 2 (fix_fmt has one %s for it). */
static enum status no_certificate(struct diag_list *dl, const char *fix_fmt,
				  const char *message)
{
	char fix[160];
	snprintf(fix, sizeof(fix), fix_fmt, stage_ref(STAGE_REQUEST));
	return unreadable(dl, fix, "there is no certificate", message);
}

static enum status status_since(const struct diag_list *dl, size_t first)
{
	enum diag_severity w = SEV_PASS;
	for (size_t i = first; i < dl->n; i++)
		if (dl->items[i].sev > w)
			w = dl->items[i].sev;
	if (w == SEV_FAIL)
		return ST_FAIL;
	if (w == SEV_WARN)
		return ST_NEED_CONFIRM;
	return ST_OK;
}

static enum status cancelled(struct diag_list *dl, enum diag_check next)
{
	skip_from(dl, next, "cancelled");
	diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
		 "verify: cancelled before '%s'", diag_check_id(next));
	return ST_CANCELLED;
}

/* --- the checks ---------------------------------------------------------- */

/* Every check after parse, in order; dl from index first is ours. */
static enum status run_checks(struct cert_check *r,
			      const struct verify_input *in,
			      const struct hooks *h, size_t first)
{
	enum status st;

#define STEP(check, call)                                                \
	do {                                                             \
		if (hooks_cancelled(h)) {                                \
			st = cancelled(r->dl, check);                    \
			goto out;                                        \
		}                                                        \
		call;                                                    \
	} while (0)

	STEP(DIAG_VERIFY_KEY_MATCH, certrule_key_match(r));
	STEP(DIAG_VERIFY_SUBJECT_NAME, certrule_subject_name(r));
	STEP(DIAG_VERIFY_SAN, certrule_san(r));
	STEP(DIAG_VERIFY_EKU, certrule_eku(r));
	STEP(DIAG_VERIFY_KEY_USAGE, certrule_key_usage(r));
	STEP(DIAG_VERIFY_KEY_TYPE, certrule_key_type(r));
	STEP(DIAG_VERIFY_VALIDITY, certrule_validity(r));
	STEP(DIAG_VERIFY_EXPIRY, certrule_expiry(r));
	STEP(DIAG_VERIFY_CHAIN, verify_check_chain(r, in));
	STEP(DIAG_VERIFY_SIGNATURE_HASH, certrule_signature_hash(r));
	if (hooks_cancelled(h) || verify_check_revocation(r, in, h)) {
		/* verify_check_revocation adds nothing when it was cancelled. */
		st = cancelled(r->dl, DIAG_VERIFY_REVOCATION);
		goto out;
	}
#undef STEP
	st = status_since(r->dl, first);
out:
	cert_check_release(r);
	return st;
}

enum status verify_x509(X509 *leaf, EVP_PKEY *key, STACK_OF(X509) *extra,
			const struct verify_input *in, const struct hooks *h,
			struct diag_list *dl)
{
	size_t first = dl->n;
	if (!leaf) {
		return unreadable(dl, "give a certificate file",
				  "there is no certificate",
				  "no certificate to verify");
	}
	char *name = x509_name_text(X509_get_subject_name(leaf));
	diag_add(dl, DIAG_VERIFY_PARSE, SEV_PASS, NULL, NULL,
		 "the certificate '%s' was read", name ? name : "?");
	free(name);
	struct cert_check r;
	cert_check_init(&r, leaf, key, extra, in->fqdn, dl);
	return run_checks(&r, in, h, first);
}

/* --- reading the inputs ------------------------------------------------- */

static int load_pfx(const struct verify_input *in, X509 **leaf,
		    EVP_PKEY **key, STACK_OF(X509) **extra, char *err,
		    size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char ferr[FS_ERRLEN];
	if (fs_read_file(in->pfx_path, FS_DEFAULT_CAP, &buf, &len, ferr,
			 sizeof(ferr)) != 0) {
		snprintf(err, errlen, "%s", ferr);
		return -1;
	}
	const unsigned char *p = buf;
	PKCS12 *p12 = len ? d2i_PKCS12(NULL, &p, (long)len) : NULL;
	fs_free_secret(buf, len);
	if (!p12) {
		ERR_clear_error();
		snprintf(err, errlen, "'%s' is not a PKCS#12 (PFX) file", in->pfx_path);
		return -1;
	}
	const char *pass = in->pfx_password && in->pfx_password->buf
				   ? in->pfx_password->buf : "";
	int plen = (int)strlen(pass);
	if (!PKCS12_verify_mac(p12, pass, plen) &&
	    !(plen == 0 && PKCS12_verify_mac(p12, NULL, 0))) {
		ERR_clear_error();
		PKCS12_free(p12);
		snprintf(err, errlen,
			 "cannot open '%s': the password is wrong (the PFX's integrity check failed)",
			 in->pfx_path);
		return -1;
	}
	STACK_OF(X509) *ca = NULL;
	if (!PKCS12_parse(p12, pass, key, leaf, &ca)) {
		char eb[160];
		snprintf(err, errlen, "cannot read '%s': %s (a legacy RC2-encrypted PFX needs OpenSSL's legacy provider)",
			 in->pfx_path, x509_ossl_err(eb, sizeof(eb)));
		PKCS12_free(p12);
		return -1;
	}
	PKCS12_free(p12);
	ERR_clear_error();
	if (!*leaf) {
		EVP_PKEY_free(*key);
		*key = NULL;
		OSSL_STACK_OF_X509_free(ca);
		snprintf(err, errlen, "'%s' holds no certificate", in->pfx_path);
		return -1;
	}
	*extra = ca ? ca : sk_X509_new_null();
	return 0;
}

/* Pick the leaf: the one matching the key, else the first non-CA. */
static X509 *pick_leaf(STACK_OF(X509) *certs, EVP_PKEY *key)
{
	int n = sk_X509_num(certs);
	for (int i = 0; key && i < n; i++)
		if (x509_key_matches(sk_X509_value(certs, i), key))
			return sk_X509_delete(certs, i);
	for (int i = 0; i < n; i++)
		if (!x509_is_ca(sk_X509_value(certs, i)))
			return sk_X509_delete(certs, i);
	return sk_X509_shift(certs);
}

enum status verify_certificate(const struct verify_input *in,
			       const struct hooks *h, struct diag_list *dl)
{
	size_t first = dl->n;
	char err[1024];
	X509 *leaf = NULL;
	EVP_PKEY *key = NULL;
	STACK_OF(X509) *certs = NULL;
	char key_err[600] = "";
	const char *src = NULL;
	enum status st;

	if (in->pfx_path && *in->pfx_path) {
		src = in->pfx_path;
		if (load_pfx(in, &leaf, &key, &certs, err, sizeof(err)) != 0) {
			return unreadable(dl,
				"give the PFX file and its password (--pfx FILE --password-file FILE)",
				"the PFX could not be read", err);
		}
		if (!key)
			snprintf(key_err, sizeof(key_err), "'%s' holds no private key",
				 in->pfx_path);
	} else {
		src = in->cert_path;
		if (!in->cert_path || !*in->cert_path)
			return no_certificate(dl,
				"give the certificate file (--cert FILE) or run %s first",
				"no certificate file was given");
		if (x509_load_certs_file(in->cert_path, &certs, err, sizeof(err)) != 0) {
			return unreadable(dl,
				"give the certificate as PEM, DER (.cer) or PKCS#7 (.p7b)",
				"the certificate could not be read", err);
		}
		if (in->key_path && *in->key_path) {
			key = x509_load_key_file(in->key_path, key_err, sizeof(key_err));
			if (key)
				key_err[0] = 0;
		}
		leaf = pick_leaf(certs, key);
	}

	/* Extra intermediates from the chain file. */
	char chain_note[1100] = "";
	if (in->chain_path && *in->chain_path && !(in->pfx_path && *in->pfx_path)) {
		STACK_OF(X509) *more = NULL;
		if (x509_load_certs_file(in->chain_path, &more, err, sizeof(err)) != 0) {
			snprintf(chain_note, sizeof(chain_note), "%s", err);
		} else {
			while (sk_X509_num(more) > 0)
				sk_X509_push(certs, sk_X509_shift(more));
			OSSL_STACK_OF_X509_free(more);
		}
	}

	char *name = x509_name_text(X509_get_subject_name(leaf));
	if (chain_note[0])
		diag_add(dl, DIAG_VERIFY_PARSE, SEV_WARN, NULL,
			 "give the CA chain as PEM or PKCS#7, or leave the chain file out",
			 "the certificate '%s' was read from '%s', but the chain file is unusable: %s",
			 name ? name : "?", src, chain_note);
	else
		diag_add(dl, DIAG_VERIFY_PARSE, SEV_PASS, NULL, NULL,
			 "the certificate '%s' was read from '%s'%s", name ? name : "?",
			 src, sk_X509_num(certs) ? " with its chain" : "");
	free(name);

	struct cert_check r;
	cert_check_init(&r, leaf, key, certs, in->fqdn, dl);
	r.key_err = key_err[0] ? key_err : NULL;
	r.key_path = in->pfx_path && *in->pfx_path ? in->pfx_path : in->key_path;
	st = run_checks(&r, in, h, first);

	X509_free(leaf);
	EVP_PKEY_free(key);
	OSSL_STACK_OF_X509_free(certs);
	return st;
}

/* --- the stage ------------------------------------------------------------ */

enum status stage_verify_run(struct ctx *c, const struct hooks *h,
			     struct diag_list *dl)
{
	if (!c || !c->st) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "verify: no state");
		return ST_FAIL;
	}
	const struct state *st = c->st;
	if (!st->cert_path || !*st->cert_path)
		return no_certificate(dl,
			"run %s first, or import an issued certificate there",
			"there is no certificate to verify yet");
	struct verify_input in = {
		.cert_path = st->cert_path,
		.key_path = st->key_path,
		.chain_path = st->chain_path,
		.fqdn = ctx_fqdn(c),
		.trust_store = ctx_trust_store(c),
		.skip_revocation = c->skip_revocation,
		.crl_timeout_s = CRL_DEFAULT_TIMEOUT,
	};
	hooks_progress(h, "verifying the certificate", -1);
	size_t first = dl->n;
	enum status r = verify_certificate(&in, h, dl);
	size_t nf = 0, nw = 0;
	for (size_t i = first; i < dl->n; i++) {
		nf += dl->items[i].sev == SEV_FAIL;
		nw += dl->items[i].sev == SEV_WARN;
	}
	log_msg("verify: '%s': %zu failed, %zu warnings (%s)", st->cert_path, nf,
		nw, status_name(r));
	if (r == ST_NEED_CONFIRM && c->confirm_warnings)
		r = ST_OK;
	return r;
}
