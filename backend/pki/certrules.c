/*
 * certrules.c - the certificate rules of the verify checklist
 * (certrules.h): key match, subject name, subjectAltName, extended and
 * plain key usage, key type and size, validity, expiry and signature
 * hash, each one diagnostic about the certificate.  The chain and
 * revocation checks need the trust store and the network: they are
 * stage 3's (stages/verify_chain.c).
 */
#include "pki/certrules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/duration.h"
#include "core/stage_table.h"
#include "core/validate.h"
#include "pki/x509util.h"

#define FIELD_FQDN "computer.fqdn"

void cert_check_init(struct cert_check *c, X509 *leaf, EVP_PKEY *key,
		     STACK_OF(X509) *extra, const char *fqdn,
		     struct diag_list *dl)
{
	*c = (struct cert_check){ .leaf = leaf, .key = key, .extra = extra,
				  .fqdn = fqdn, .dl = dl };
	char *name = x509_name_text(X509_get_subject_name(leaf));
	c->cn = x509_subject_cn(leaf);
	if (asprintf(&c->label, "the certificate '%s'", name ? name : "?") < 0)
		c->label = NULL;
	free(name);
	if (!c->label)
		c->label = strdup("the certificate");
}

void cert_check_release(struct cert_check *c)
{
	free(c->cn);
	free(c->label);
	OSSL_STACK_OF_X509_free(c->chain);
	c->cn = c->label = NULL;
	c->chain = NULL;
}

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

/* --- the rules ------------------------------------------------------------ */

void certrule_key_match(struct cert_check *r)
{
	if (!r->key) {
		if (r->key_err)
			diag_set_fix(diag_add(r->dl, DIAG_VERIFY_KEY_MATCH,
					      SEV_FAIL, NULL, NULL,
					      "cannot use the private key for %s: %s",
					      r->label, r->key_err),
				     "give the unencrypted private key that was generated with the request (stage %d writes it 0600 in the state directory)",
				     STAGE_REQUEST);
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

void certrule_subject_name(struct cert_check *r)
{
	const char *fqdn = r->fqdn;
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

void certrule_san(struct cert_check *r)
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
	const char *fqdn = r->fqdn;
	char list[512] = "";
	int pos = -1, ndns = 0;
	for (int i = 0; i < sk_GENERAL_NAME_num(gns); i++) {
		char *name = x509_general_name_text(sk_GENERAL_NAME_value(gns, i),
						    GEN_DNS);
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
		diag_set_fix(diag_add(r->dl, DIAG_VERIFY_SAN, SEV_FAIL,
				      FIELD_FQDN, NULL,
				      "the subjectAltName of %s does not contain '%s' (DNS names: %s)",
				      r->label, fqdn, ndns ? list : "none"),
			     "request a certificate whose subjectAltName includes the FQDN (stage %d puts it there)",
			     STAGE_REQUEST);
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

/*
 * The two usage rules: an extension that, when there, must grant both
 * parts (a missing one is each rule's own verdict).
 */
struct usage_rule {
	enum diag_check check;
	const char *what;              /* "extended key usage" */
	const char *a, *b;             /* the two parts it must grant */
	const char *pass;
	const char *fix;
};

#define SERVER_AUTH "Server Authentication (1.3.6.1.5.5.7.3.1)"
#define CLIENT_AUTH "Client Authentication (1.3.6.1.5.5.7.3.2)"

static const struct usage_rule EKU_RULE = {
	DIAG_VERIFY_EKU, "extended key usage", SERVER_AUTH, CLIENT_AUTH,
	"the extended key usage has Server and Client Authentication",
	"request the certificate from a template with both Server and Client Authentication (e.g. the Operations Manager template, not 'WebServer')"
};

static const struct usage_rule KU_RULE = {
	DIAG_VERIFY_KEY_USAGE, "key usage", "digitalSignature", "keyEncipherment",
	"the key usage allows digitalSignature and keyEncipherment",
	"request from a template whose key usage includes digital signature and key encipherment (0xA0)"
};

static void usage(struct cert_check *r, const struct usage_rule *u,
		  int has_a, int has_b)
{
	char lacks[128];
	if (has_a && has_b) {
		diag_add(r->dl, u->check, SEV_PASS, NULL, NULL, "%s", u->pass);
		return;
	}
	snprintf(lacks, sizeof(lacks), "%s%s%s", has_a ? "" : u->a,
		 !has_a && !has_b ? " and " : "", has_b ? "" : u->b);
	diag_add(r->dl, u->check, SEV_FAIL, "ca.template", u->fix,
		 "the %s of %s lacks %s", u->what, r->label, lacks);
}

void certrule_eku(struct cert_check *r)
{
	if (!(X509_get_extension_flags(r->leaf) & EXFLAG_XKUSAGE)) {
		diag_add(r->dl, DIAG_VERIFY_EKU, SEV_FAIL, "ca.template",
			 EKU_RULE.fix,
			 "%s has no extended key usage; Operations Manager needs "
			 SERVER_AUTH " and " CLIENT_AUTH, r->label);
		return;
	}
	uint32_t x = X509_get_extended_key_usage(r->leaf);
	usage(r, &EKU_RULE, (x & XKU_SSL_SERVER) != 0, (x & XKU_SSL_CLIENT) != 0);
}

void certrule_key_usage(struct cert_check *r)
{
	if (!(X509_get_extension_flags(r->leaf) & EXFLAG_KUSAGE)) {
		diag_add(r->dl, DIAG_VERIFY_KEY_USAGE, SEV_PASS, NULL, NULL,
			 "%s has no keyUsage extension: every usage is allowed",
			 r->label);
		return;
	}
	uint32_t ku = X509_get_key_usage(r->leaf);
	usage(r, &KU_RULE, (ku & KU_DIGITAL_SIGNATURE) != 0,
	      (ku & KU_KEY_ENCIPHERMENT) != 0);
}

void certrule_key_type(struct cert_check *r)
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
	} else if (bits < RULE_KEY_BITS_MIN) {
		diag_add(r->dl, DIAG_VERIFY_KEY_TYPE, SEV_FAIL, "key.bits",
			 "request a new certificate with a 2048-bit (or larger) RSA key",
			 "the RSA key of %s has %d bits, below the %d-bit floor",
			 r->label, bits, RULE_KEY_BITS_MIN);
	} else if (bits < RULE_KEY_BITS_GOOD) {
		diag_add(r->dl, DIAG_VERIFY_KEY_TYPE, SEV_WARN, "key.bits",
			 "request a new certificate with a 2048-bit (or larger) RSA key",
			 "the RSA key of %s has only %d bits; %d is recommended",
			 r->label, bits, RULE_KEY_BITS_GOOD);
	} else {
		diag_add(r->dl, DIAG_VERIFY_KEY_TYPE, SEV_PASS, NULL, NULL,
			 "RSA key of %d bits", bits);
	}
}

/* Returns 1 when the leaf is inside its validity window. */
int certrule_validity(struct cert_check *r)
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
		diag_set_fix(diag_add(r->dl, DIAG_VERIFY_VALIDITY, SEV_FAIL,
				      NULL, NULL, "%s expired on %s", r->label,
				      to),
			     "request a new certificate (stage %d) and import its serial again (stage %d)",
			     STAGE_REQUEST, STAGE_SERIAL);
	else {
		diag_add(r->dl, DIAG_VERIFY_VALIDITY, SEV_PASS, NULL, NULL,
			 "valid from %s to %s", from, to);
		ok = 1;
	}
	free(from);
	free(to);
	return ok;
}

void certrule_expiry(struct cert_check *r)
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
	char *to = x509_time_text(X509_get0_notAfter(r->leaf)), left[64];
	/* "3 days", or hours or minutes in its last day (core/duration.h) */
	duration_text((long long)days * 86400 + secs, left, sizeof(left));
	if (days < CERTRULE_EXPIRY_WARN_DAYS)
		diag_set_fix(diag_add(r->dl, DIAG_VERIFY_EXPIRY, SEV_WARN,
				      NULL, NULL, "%s expires in %s (%s)",
				      r->label, left, to),
			     "renew the certificate soon: request a new one (stage %d) and import its serial (stage %d)",
			     STAGE_REQUEST, STAGE_SERIAL);
	else
		diag_add(r->dl, DIAG_VERIFY_EXPIRY, SEV_PASS, NULL, NULL,
			 "expires in %d days (%s)", days, to);
	free(to);
}

void certrule_signature_hash(struct cert_check *r)
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
