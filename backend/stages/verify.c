/*
 * verify.c - stage 3 and the reusable certificate checklist (verify.h):
 * reading the inputs (certificate files, key, chain, PKCS#12), then one
 * diagnostic per check in the fixed order of product.md s.4.
 */
#include "stages/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "pki/crl.h"
#include "core/ctx.h"
#include "sys/fsutil.h"
#include "core/log.h"
#include "stages/stages.h"
#include "pki/truststore.h"
#include "pki/x509util.h"

#define FIELD_FQDN "computer.fqdn"

struct run {
	X509 *leaf;
	EVP_PKEY *key;
	STACK_OF(X509) *extra;       /* untrusted certificates */
	const struct verify_input *in;
	const struct hooks *h;
	struct diag_list *dl;
	size_t first;                /* index of our first diagnostic */
	char *cn;                    /* leaf CN or NULL */
	char *label;                 /* "'CN=x'" for messages */
	STACK_OF(X509) *chain;       /* built chain (leaf first) or NULL */
	const char *key_err;         /* why key is NULL, or NULL */
	const char *key_path;
};

/* --- small helpers ------------------------------------------------------ */

static size_t trimmed_len(const char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '.')
		n--;
	return n;
}

/* Case-insensitive DNS name equality, ignoring one trailing dot. */
static int name_eq(const char *a, const char *b)
{
	size_t la = trimmed_len(a), lb = trimmed_len(b);
	return la == lb && la > 0 && strncasecmp(a, b, la) == 0;
}

static char *first_label(const char *fqdn)
{
	size_t n = strcspn(fqdn, ".");
	return strndup(fqdn, n);
}

static void skip_from(struct diag_list *dl, enum diag_check from,
		      const char *why)
{
	for (int c = from; c <= DIAG_VERIFY_REVOCATION; c++)
		diag_add(dl, (enum diag_check)c, SEV_SKIP, NULL, NULL,
			 "not checked: %s", why);
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

static enum status cancelled(struct run *r, enum diag_check next)
{
	skip_from(r->dl, next, "cancelled");
	diag_add(r->dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
		 "verify: cancelled before '%s'", diag_check_id(next));
	return ST_CANCELLED;
}

/* --- the checks ---------------------------------------------------------- */

static void check_key_match(struct run *r)
{
	if (!r->key) {
		if (r->key_err)
			diag_add(r->dl, DIAG_VERIFY_KEY_MATCH, SEV_FAIL, NULL,
				 "give the unencrypted private key that was generated with the request (stage 2 writes it 0600 in the state directory)",
				 "cannot use the private key for %s: %s", r->label,
				 r->key_err);
		else
			diag_add(r->dl, DIAG_VERIFY_KEY_MATCH, SEV_FAIL, NULL,
				 "give the private key file (or a PFX that holds certificate and key)",
				 "no private key was given for %s; Operations Manager needs the certificate with its key",
				 r->label);
		return;
	}
	if (!x509_key_matches(r->leaf, r->key)) {
		diag_add(r->dl, DIAG_VERIFY_KEY_MATCH, SEV_FAIL, NULL,
			 "use the key generated for this certificate's request, or request a new certificate for this key",
			 "the private key%s%s%s does not belong to %s",
			 r->key_path ? " in '" : "", r->key_path ? r->key_path : "",
			 r->key_path ? "'" : "", r->label);
		return;
	}
	diag_add(r->dl, DIAG_VERIFY_KEY_MATCH, SEV_PASS, NULL, NULL,
		 "the private key matches %s", r->label);
}

static void check_subject_name(struct run *r)
{
	const char *fqdn = r->in->fqdn;
	if (!fqdn || !*fqdn) {
		diag_add(r->dl, DIAG_VERIFY_SUBJECT_NAME, SEV_WARN, FIELD_FQDN,
			 "set [computer] fqdn (or --fqdn) to this computer's DNS name",
			 "no FQDN is known to compare with the subject CN '%s'",
			 r->cn ? r->cn : "(none)");
		return;
	}
	if (!r->cn) {
		diag_add(r->dl, DIAG_VERIFY_SUBJECT_NAME, SEV_FAIL, FIELD_FQDN,
			 "request a certificate with subject CN=<the computer's FQDN>",
			 "%s has no subject CN; Operations Manager needs CN=%s",
			 r->label, fqdn);
		return;
	}
	if (name_eq(r->cn, fqdn)) {
		diag_add(r->dl, DIAG_VERIFY_SUBJECT_NAME, SEV_PASS, FIELD_FQDN,
			 NULL, "the subject CN '%s' is the FQDN '%s'", r->cn, fqdn);
		return;
	}
	char *short_name = first_label(fqdn);
	if (short_name && strchr(fqdn, '.') && name_eq(r->cn, short_name)) {
		diag_add(r->dl, DIAG_VERIFY_SUBJECT_NAME, SEV_WARN, FIELD_FQDN,
			 "prefer a certificate with CN equal to the FQDN; the short name works only where the management server resolves it the same way",
			 "the subject CN '%s' is only the short name of '%s'",
			 r->cn, fqdn);
	} else {
		diag_add(r->dl, DIAG_VERIFY_SUBJECT_NAME, SEV_FAIL, FIELD_FQDN,
			 "request a certificate for this computer's FQDN, or correct [computer] fqdn",
			 "the subject CN '%s' does not match the FQDN '%s'",
			 r->cn, fqdn);
	}
	free(short_name);
}

static void check_san(struct run *r)
{
	GENERAL_NAMES *gns = X509_get_ext_d2i(r->leaf, NID_subject_alt_name,
					      NULL, NULL);
	ERR_clear_error();
	if (!gns) {
		diag_add(r->dl, DIAG_VERIFY_SAN, SEV_PASS, FIELD_FQDN, NULL,
			 "%s has no subjectAltName; the subject CN is used",
			 r->label);
		return;
	}
	const char *fqdn = r->in->fqdn;
	char list[512] = "";
	int pos = -1, ndns = 0;
	for (int i = 0; i < sk_GENERAL_NAME_num(gns); i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(gns, i);
		if (gn->type != GEN_DNS)
			continue;
		const ASN1_IA5STRING *s = gn->d.dNSName;
		int l = ASN1_STRING_length(s);
		const unsigned char *d = ASN1_STRING_get0_data(s);
		if (l <= 0 || memchr(d, 0, (size_t)l))
			continue;
		char *name = strndup((const char *)d, (size_t)l);
		if (!name)
			continue;
		if (pos < 0 && fqdn && name_eq(name, fqdn))
			pos = ndns;
		size_t used = strlen(list);
		if (used < sizeof(list) - 1)
			snprintf(list + used, sizeof(list) - used, "%s%s",
				 ndns ? ", " : "", name);
		ndns++;
		free(name);
	}
	GENERAL_NAMES_free(gns);
	if (!fqdn || !*fqdn) {
		diag_add(r->dl, DIAG_VERIFY_SAN, SEV_SKIP, FIELD_FQDN, NULL,
			 "no FQDN to look for in the subjectAltName (%s)",
			 ndns ? list : "no DNS names");
	} else if (pos < 0) {
		diag_add(r->dl, DIAG_VERIFY_SAN, SEV_FAIL, FIELD_FQDN,
			 "request a certificate whose subjectAltName includes the FQDN (stage 2 puts it there)",
			 "the subjectAltName of %s does not contain '%s' (DNS names: %s)",
			 r->label, fqdn, ndns ? list : "none");
	} else if (pos > 0) {
		diag_add(r->dl, DIAG_VERIFY_SAN, SEV_WARN, FIELD_FQDN,
			 "request a certificate whose first DNS name is the FQDN",
			 "the subjectAltName contains '%s' but not as its first DNS name (%s)",
			 fqdn, list);
	} else {
		diag_add(r->dl, DIAG_VERIFY_SAN, SEV_PASS, FIELD_FQDN, NULL,
			 "the subjectAltName contains '%s' (DNS names: %s)", fqdn,
			 list);
	}
}

static void check_eku(struct run *r)
{
	uint32_t flags = X509_get_extension_flags(r->leaf);
	const char *fix =
		"request the certificate from a template with both Server and Client Authentication (e.g. the Operations Manager template, not 'WebServer')";
	if (!(flags & EXFLAG_XKUSAGE)) {
		diag_add(r->dl, DIAG_VERIFY_EKU, SEV_FAIL, "ca.template", fix,
			 "%s has no extended key usage; Operations Manager needs Server Authentication (1.3.6.1.5.5.7.3.1) and Client Authentication (1.3.6.1.5.5.7.3.2)",
			 r->label);
		return;
	}
	uint32_t x = X509_get_extended_key_usage(r->leaf);
	int server = (x & XKU_SSL_SERVER) != 0, client = (x & XKU_SSL_CLIENT) != 0;
	if (server && client) {
		diag_add(r->dl, DIAG_VERIFY_EKU, SEV_PASS, NULL, NULL,
			 "the extended key usage has Server and Client Authentication");
		return;
	}
	diag_add(r->dl, DIAG_VERIFY_EKU, SEV_FAIL, "ca.template", fix,
		 "the extended key usage of %s lacks %s%s%s",
		 r->label,
		 server ? "" : "Server Authentication (1.3.6.1.5.5.7.3.1)",
		 !server && !client ? " and " : "",
		 client ? "" : "Client Authentication (1.3.6.1.5.5.7.3.2)");
}

static void check_key_usage(struct run *r)
{
	uint32_t flags = X509_get_extension_flags(r->leaf);
	if (!(flags & EXFLAG_KUSAGE)) {
		diag_add(r->dl, DIAG_VERIFY_KEY_USAGE, SEV_PASS, NULL, NULL,
			 "%s has no keyUsage extension: every usage is allowed",
			 r->label);
		return;
	}
	uint32_t ku = X509_get_key_usage(r->leaf);
	int ds = (ku & KU_DIGITAL_SIGNATURE) != 0, ke = (ku & KU_KEY_ENCIPHERMENT) != 0;
	if (ds && ke) {
		diag_add(r->dl, DIAG_VERIFY_KEY_USAGE, SEV_PASS, NULL, NULL,
			 "the key usage allows digitalSignature and keyEncipherment");
		return;
	}
	diag_add(r->dl, DIAG_VERIFY_KEY_USAGE, SEV_FAIL, "ca.template",
		 "request from a template whose key usage includes digital signature and key encipherment (0xA0)",
		 "the key usage of %s lacks %s%s%s", r->label,
		 ds ? "" : "digitalSignature", !ds && !ke ? " and " : "",
		 ke ? "" : "keyEncipherment");
}

static void check_key_type(struct run *r)
{
	EVP_PKEY *pk = X509_get0_pubkey(r->leaf);
	ERR_clear_error();
	if (!pk) {
		diag_add(r->dl, DIAG_VERIFY_KEY_TYPE, SEV_FAIL, "key.bits",
			 "request a new certificate with an RSA key",
			 "the public key of %s cannot be read", r->label);
		return;
	}
	int id = EVP_PKEY_get_base_id(pk);
	int bits = EVP_PKEY_get_bits(pk);
	if (id != EVP_PKEY_RSA) {
		const char *name = id == EVP_PKEY_EC ? "EC"
				   : id == EVP_PKEY_RSA_PSS ? "RSA-PSS"
				   : OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "unknown";
		diag_add(r->dl, DIAG_VERIFY_KEY_TYPE, SEV_FAIL, "key.bits",
			 "request a certificate with an RSA key (2048 bits or more) stored in a legacy CSP",
			 "%s has a %s key (%d bits); Operations Manager needs RSA",
			 r->label, name, bits);
	} else if (bits < 1024) {
		diag_add(r->dl, DIAG_VERIFY_KEY_TYPE, SEV_FAIL, "key.bits",
			 "request a new certificate with a 2048-bit (or larger) RSA key",
			 "the RSA key of %s has %d bits, below the 1024-bit floor",
			 r->label, bits);
	} else if (bits < 2048) {
		diag_add(r->dl, DIAG_VERIFY_KEY_TYPE, SEV_WARN, "key.bits",
			 "request a new certificate with a 2048-bit (or larger) RSA key",
			 "the RSA key of %s has only %d bits; 2048 is recommended",
			 r->label, bits);
	} else {
		diag_add(r->dl, DIAG_VERIFY_KEY_TYPE, SEV_PASS, NULL, NULL,
			 "RSA key of %d bits", bits);
	}
}

/* Returns 1 when the leaf is inside its validity window. */
static int check_validity(struct run *r)
{
	int nb = X509_cmp_current_time(X509_get0_notBefore(r->leaf));
	int na = X509_cmp_current_time(X509_get0_notAfter(r->leaf));
	char *from = x509_time_text(X509_get0_notBefore(r->leaf));
	char *to = x509_time_text(X509_get0_notAfter(r->leaf));
	int ok = 0;
	if (nb == 0 || na == 0)
		diag_add(r->dl, DIAG_VERIFY_VALIDITY, SEV_FAIL, NULL,
			 "request a new certificate", "the validity dates of %s cannot be read",
			 r->label);
	else if (nb > 0)
		diag_add(r->dl, DIAG_VERIFY_VALIDITY, SEV_FAIL, NULL,
			 "check this computer's clock and time zone, or wait until the certificate becomes valid",
			 "%s is not valid yet: valid from %s", r->label, from);
	else if (na < 0)
		diag_add(r->dl, DIAG_VERIFY_VALIDITY, SEV_FAIL, NULL,
			 "request a new certificate (stage 2) and import its serial again (stage 6)",
			 "%s expired on %s", r->label, to);
	else {
		diag_add(r->dl, DIAG_VERIFY_VALIDITY, SEV_PASS, NULL, NULL,
			 "valid from %s to %s", from, to);
		ok = 1;
	}
	free(from);
	free(to);
	return ok;
}

static void check_expiry(struct run *r)
{
	int days = 0, secs = 0;
	if (X509_cmp_current_time(X509_get0_notAfter(r->leaf)) < 0) {
		diag_add(r->dl, DIAG_VERIFY_EXPIRY, SEV_SKIP, NULL, NULL,
			 "already expired (see validity)");
		return;
	}
	if (!ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(r->leaf))) {
		ERR_clear_error();
		diag_add(r->dl, DIAG_VERIFY_EXPIRY, SEV_SKIP, NULL, NULL,
			 "the expiry date cannot be read (see validity)");
		return;
	}
	char *to = x509_time_text(X509_get0_notAfter(r->leaf));
	if (days < VERIFY_EXPIRY_WARN_DAYS)
		diag_add(r->dl, DIAG_VERIFY_EXPIRY, SEV_WARN, NULL,
			 "renew the certificate soon: request a new one (stage 2) and import its serial (stage 6)",
			 "%s expires in %d day%s (%s)", r->label, days,
			 days == 1 ? "" : "s", to);
	else
		diag_add(r->dl, DIAG_VERIFY_EXPIRY, SEV_PASS, NULL, NULL,
			 "expires in %d days (%s)", days, to);
	free(to);
}

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

static X509_STORE *open_store(struct run *r, char *err, size_t errlen)
{
	const struct verify_input *in = r->in;
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

static void check_chain(struct run *r)
{
	char err[600];
	X509_STORE *store = open_store(r, err, sizeof(err));
	if (!store) {
		diag_add(r->dl, DIAG_VERIFY_CHAIN, SEV_FAIL, "trust.store",
			 "trust the CA's root first (stage 1), or give --trust-store",
			 "cannot check the chain of %s: %s", r->label, err);
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
		const char *fix =
			"trust the root of the CA that issued this certificate (stage 1) and give its intermediate CA certificates in the chain file";
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

static void check_signature_hash(struct run *r)
{
	char weak[512] = "";
	int nweak = 0;
	/* The leaf, then the intermediates of the built chain (or the
	 * given extra certificates when no chain was built); a root's own
	 * signature does not matter. */
	STACK_OF(X509) *others = r->chain ? r->chain : r->extra;
	int start = r->chain ? 1 : 0;
	int n = others ? sk_X509_num(others) : 0;
	for (int i = start - 1; i < n; i++) {
		X509 *x = i < start ? r->leaf : sk_X509_value(others, i);
		if (x != r->leaf && x509_is_self_signed(x))
			continue;
		if (!x509_sig_hash_weak(x))
			continue;
		char *s = x509_name_text(X509_get_subject_name(x));
		size_t used = strlen(weak);
		if (used < sizeof(weak) - 1)
			snprintf(weak + used, sizeof(weak) - used, "%s'%s' (%s)",
				 nweak ? ", " : "", s ? s : "?",
				 x509_sig_hash_name(x));
		free(s);
		nweak++;
	}
	if (nweak)
		diag_add(r->dl, DIAG_VERIFY_SIGNATURE_HASH, SEV_WARN, NULL,
			 "ask the CA administrator to issue with SHA-256; MD5 and SHA-1 signatures are being rejected by Windows and OpenSSL",
			 "signed with a weak hash: %s", weak);
	else
		diag_add(r->dl, DIAG_VERIFY_SIGNATURE_HASH, SEV_PASS, NULL, NULL,
			 "%s is signed with %s", r->label,
			 x509_sig_hash_name(r->leaf));
}

static X509 *find_issuer(struct run *r)
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

/* Returns 1 when cancelled. */
static int check_revocation(struct run *r)
{
	if (r->in->skip_revocation) {
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
	o.timeout_s = r->in->crl_timeout_s > 0 ? r->in->crl_timeout_s
					       : CRL_DEFAULT_TIMEOUT;
	o.connect_timeout_s = o.timeout_s < 5 ? o.timeout_s : 5;
	o.body_cap = CRL_BODY_CAP;
	o.ca_path = r->in->trust_store;
	o.ca_file = r->in->ca_file;

	X509 *issuer = find_issuer(r);
	char problems[1024] = "";
	char good[512] = "";
	int tried = 0, cancel = 0, revoked = 0;
	for (char **u = urls; *u && !revoked; u++) {
		if (strncasecmp(*u, "http://", 7) != 0 &&
		    strncasecmp(*u, "https://", 8) != 0)
			continue;   /* ldap:// and file:// are not fetched */
		tried++;
		hooks_progress(r->h, "fetching the CRL", -1);
		X509_CRL *crl = NULL;
		char err[512];
		enum http_err e = crl_fetch(&o, *u, r->h, &crl, err, sizeof(err));
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
			diag_add(r->dl, DIAG_VERIFY_REVOCATION, SEV_FAIL, NULL,
				 "request a new certificate (stage 2) and import its serial (stage 6)",
				 "%s (serial %s) was revoked on %s according to the CRL at '%s'",
				 r->label, serial ? serial : "?",
				 when ? when : "an unknown date", *u);
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
	crl_free_urls(urls);
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

static enum status run_checks(struct run *r)
{
	char *name = x509_name_text(X509_get_subject_name(r->leaf));
	r->cn = x509_subject_cn(r->leaf);
	if (asprintf(&r->label, "the certificate '%s'", name ? name : "?") < 0)
		r->label = NULL;
	free(name);
	if (!r->label)
		r->label = strdup("the certificate");
	enum status st;

#define STEP(check, call)                                                \
	do {                                                             \
		if (hooks_cancelled(r->h)) {                             \
			st = cancelled(r, check);                        \
			goto out;                                        \
		}                                                        \
		call;                                                    \
	} while (0)

	STEP(DIAG_VERIFY_KEY_MATCH, check_key_match(r));
	STEP(DIAG_VERIFY_SUBJECT_NAME, check_subject_name(r));
	STEP(DIAG_VERIFY_SAN, check_san(r));
	STEP(DIAG_VERIFY_EKU, check_eku(r));
	STEP(DIAG_VERIFY_KEY_USAGE, check_key_usage(r));
	STEP(DIAG_VERIFY_KEY_TYPE, check_key_type(r));
	STEP(DIAG_VERIFY_VALIDITY, check_validity(r));
	STEP(DIAG_VERIFY_EXPIRY, check_expiry(r));
	STEP(DIAG_VERIFY_CHAIN, check_chain(r));
	STEP(DIAG_VERIFY_SIGNATURE_HASH, check_signature_hash(r));
	if (hooks_cancelled(r->h) || check_revocation(r)) {
		/* check_revocation adds nothing when it was cancelled. */
		st = cancelled(r, DIAG_VERIFY_REVOCATION);
		goto out;
	}
#undef STEP
	st = status_since(r->dl, r->first);
out:
	free(r->cn);
	free(r->label);
	OSSL_STACK_OF_X509_free(r->chain);
	r->cn = r->label = NULL;
	r->chain = NULL;
	return st;
}

enum status verify_x509(X509 *leaf, EVP_PKEY *key, STACK_OF(X509) *extra,
			const struct verify_input *in, const struct hooks *h,
			struct diag_list *dl)
{
	struct run r;
	memset(&r, 0, sizeof(r));
	r.first = dl->n;
	if (!leaf) {
		diag_add(dl, DIAG_VERIFY_PARSE, SEV_FAIL, NULL,
			 "give a certificate file", "no certificate to verify");
		skip_from(dl, DIAG_VERIFY_KEY_MATCH, "there is no certificate");
		return ST_FAIL;
	}
	char *name = x509_name_text(X509_get_subject_name(leaf));
	diag_add(dl, DIAG_VERIFY_PARSE, SEV_PASS, NULL, NULL,
		 "the certificate '%s' was read", name ? name : "?");
	free(name);
	r.leaf = leaf;
	r.key = key;
	r.extra = extra;
	r.in = in;
	r.h = h;
	r.dl = dl;
	return run_checks(&r);
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
			diag_add(dl, DIAG_VERIFY_PARSE, SEV_FAIL, NULL,
				 "give the PFX file and its password (--pfx FILE --password-file FILE)",
				 "%s", err);
			skip_from(dl, DIAG_VERIFY_KEY_MATCH, "the PFX could not be read");
			return ST_FAIL;
		}
		if (!key)
			snprintf(key_err, sizeof(key_err), "'%s' holds no private key",
				 in->pfx_path);
	} else {
		src = in->cert_path;
		if (!in->cert_path || !*in->cert_path) {
			diag_add(dl, DIAG_VERIFY_PARSE, SEV_FAIL, NULL,
				 "give the certificate file (--cert FILE) or run stage 2 (request) first",
				 "no certificate file was given");
			skip_from(dl, DIAG_VERIFY_KEY_MATCH, "there is no certificate");
			return ST_FAIL;
		}
		if (x509_load_certs_file(in->cert_path, &certs, err, sizeof(err)) != 0) {
			diag_add(dl, DIAG_VERIFY_PARSE, SEV_FAIL, NULL,
				 "give the certificate as PEM, DER (.cer) or PKCS#7 (.p7b)",
				 "%s", err);
			skip_from(dl, DIAG_VERIFY_KEY_MATCH,
				  "the certificate could not be read");
			return ST_FAIL;
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

	struct run r;
	memset(&r, 0, sizeof(r));
	r.first = first;
	r.leaf = leaf;
	r.key = key;
	r.extra = certs;
	r.in = in;
	r.h = h;
	r.dl = dl;
	r.key_err = key_err[0] ? key_err : NULL;
	r.key_path = in->pfx_path && *in->pfx_path ? in->pfx_path : in->key_path;
	st = run_checks(&r);

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
	if (!st->cert_path || !*st->cert_path) {
		diag_add(dl, DIAG_VERIFY_PARSE, SEV_FAIL, NULL,
			 "run stage 2 (request) first, or import an issued certificate there",
			 "there is no certificate to verify yet");
		skip_from(dl, DIAG_VERIFY_KEY_MATCH, "there is no certificate");
		return ST_FAIL;
	}
	struct verify_input in;
	memset(&in, 0, sizeof(in));
	in.cert_path = st->cert_path;
	in.key_path = st->key_path;
	in.chain_path = st->chain_path;
	in.fqdn = ctx_fqdn(c);
	in.trust_store = ctx_trust_store(c);
	in.skip_revocation = c->skip_revocation;
	in.crl_timeout_s = CRL_DEFAULT_TIMEOUT;
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
