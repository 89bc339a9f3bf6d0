/*
 * pkcs12_build.c - the PKCS#12 (PFX) file Windows imports (pkcs12.h),
 * built bag by bag with every algorithm named and the Microsoft key
 * attributes, in memory; writing it is stage 4's job (stages/export.c).
 */
#include "pki/pkcs12.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "core/fsutil.h"
#include "pki/x509util.h"

/* The password-based encryption of one compat mode, explicit in full. */
static X509_ALGOR *make_pbe(enum pfx_compat compat)
{
	if (compat == COMPAT_LEGACY)
		return PKCS5_pbe_set_ex(NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
					PFX_PBE_ITER, NULL, 0, NULL);
	return PKCS5_pbe2_set_iv_ex(EVP_aes_256_cbc(), PFX_PBE_ITER, NULL, 0,
				    NULL, NID_hmacWithSHA256, NULL);
}

const char *pkcs12_compat_text(enum pfx_compat c)
{
	return c == COMPAT_LEGACY ? "3DES, SHA-1" : "AES-256, SHA-256";
}

/* The shrouded key bag with the Microsoft attributes. */
static PKCS12_SAFEBAG *key_bag(EVP_PKEY *pkey, const struct pkcs12_opts *o,
			       const unsigned char *keyid, unsigned keyidlen,
			       char *err, size_t errlen)
{
	char ebuf[256];
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pkey);
	if (!p8) {
		snprintf(err, errlen, "cannot convert the private key to PKCS#8: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		return NULL;
	}
	/* AT_KEYEXCHANGE, what `openssl pkcs12 -keyex` writes */
	if (!PKCS8_add_keyusage(p8, KEY_EX)) {
		PKCS8_PRIV_KEY_INFO_free(p8);
		snprintf(err, errlen, "cannot add the key usage attribute: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		return NULL;
	}
	X509_ALGOR *pbe = make_pbe(o->compat);
	X509_SIG *sig = NULL;
	if (pbe)
		sig = PKCS8_set0_pbe_ex(o->password, (int)strlen(o->password),
					p8, pbe, NULL, NULL);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (!sig) {
		X509_ALGOR_free(pbe);
		snprintf(err, errlen, "cannot encrypt the private key (%s): %s",
			 pkcs12_compat_text(o->compat), x509_ossl_err(ebuf, sizeof(ebuf)));
		return NULL;
	}
	PKCS12_SAFEBAG *bag = PKCS12_SAFEBAG_create0_pkcs8(sig);
	if (!bag) {
		X509_SIG_free(sig);
		snprintf(err, errlen, "cannot create the key bag: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		return NULL;
	}
	int ok = PKCS12_add_localkeyid(bag, (unsigned char *)keyid,
				       (int)keyidlen) &&
		 PKCS12_add_CSPName_asc(bag, PFX_CSP_NAME, -1) &&
		 /* empty value set, as `openssl pkcs12 -LMK` writes it */
		 PKCS12_add1_attr_by_NID(bag, NID_LocalKeySet, 0, NULL, -1);
	if (ok && o->friendly_name && *o->friendly_name)
		ok = PKCS12_add_friendlyname_utf8(bag, o->friendly_name, -1);
	if (!ok) {
		PKCS12_SAFEBAG_free(bag);
		snprintf(err, errlen, "cannot set the key bag attributes: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		return NULL;
	}
	return bag;
}

/* An encrypted-data safe holding bags, encrypted with a fresh pbe. */
static PKCS7 *encrypted_safe(STACK_OF(PKCS12_SAFEBAG) *bags,
			     const struct pkcs12_opts *o)
{
	X509_ALGOR *pbe = make_pbe(o->compat);
	if (!pbe)
		return NULL;
	ASN1_OCTET_STRING *enc = PKCS12_item_i2d_encrypt_ex(
		pbe, ASN1_ITEM_rptr(PKCS12_SAFEBAGS), o->password,
		(int)strlen(o->password), bags, 1, NULL, NULL);
	PKCS7 *p7 = enc ? PKCS7_new() : NULL;
	if (!p7 || !PKCS7_set_type(p7, NID_pkcs7_encrypted)) {
		PKCS7_free(p7);
		ASN1_OCTET_STRING_free(enc);
		X509_ALGOR_free(pbe);
		return NULL;
	}
	PKCS7_ENC_CONTENT *ec = p7->d.encrypted->enc_data;
	X509_ALGOR_free(ec->algorithm);
	ec->algorithm = pbe;
	ASN1_OCTET_STRING_free(ec->enc_data);
	ec->enc_data = enc;
	return p7;
}

static int push_cert_bag(STACK_OF(PKCS12_SAFEBAG) *bags, X509 *x,
			 const char *name, const unsigned char *keyid,
			 unsigned keyidlen)
{
	PKCS12_SAFEBAG *b = PKCS12_SAFEBAG_create_cert(x);
	if (!b)
		return -1;
	int ok = 1;
	if (keyid)
		ok = PKCS12_add_localkeyid(b, (unsigned char *)keyid,
					   (int)keyidlen);
	if (ok && name && *name)
		ok = PKCS12_add_friendlyname_utf8(b, name, -1);
	if (!ok || !sk_PKCS12_SAFEBAG_push(bags, b)) {
		PKCS12_SAFEBAG_free(b);
		return -1;
	}
	return 0;
}

/* Certificates from chain_path other than the leaf, without duplicates. */
static int load_chain(const struct pkcs12_opts *o, X509 *leaf,
		      STACK_OF(X509) **out, char *err, size_t errlen)
{
	*out = sk_X509_new_null();
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!o->include_chain || !o->chain_path || !*o->chain_path)
		return 0;
	char lerr[FS_ERRLEN];
	STACK_OF(X509) *sk = NULL;
	if (x509_load_certs_file(o->chain_path, &sk, lerr, sizeof(lerr)) != 0) {
		snprintf(err, errlen, "cannot read the chain '%s': %s",
			 o->chain_path, lerr);
		return -1;
	}
	for (int i = 0; i < sk_X509_num(sk); i++) {
		X509 *x = sk_X509_value(sk, i);
		int dup = X509_cmp(x, leaf) == 0;
		for (int j = 0; !dup && j < sk_X509_num(*out); j++)
			dup = X509_cmp(x, sk_X509_value(*out, j)) == 0;
		if (dup)
			continue;
		if (!X509_up_ref(x) || !sk_X509_push(*out, x)) {
			X509_free(x);
			OSSL_STACK_OF_X509_free(sk);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	OSSL_STACK_OF_X509_free(sk);
	return 0;
}

/* Progress, then -1 with "cancelled" in err when hooks say stop. */
static int step(const struct hooks *h, const char *what, double fraction,
		char *err, size_t errlen)
{
	hooks_progress(h, what, fraction);
	if (!hooks_cancelled(h))
		return 0;
	snprintf(err, errlen, "cancelled");
	return -1;
}

int pkcs12_build(const struct pkcs12_opts *o, const struct hooks *h,
		     unsigned char **der, size_t *derlen, int *ncerts,
		     char *err, size_t errlen)
{
	char lerr[FS_ERRLEN], ebuf[256];
	EVP_PKEY *pkey = NULL;
	STACK_OF(X509) *leafs = NULL, *chain = NULL;
	STACK_OF(PKCS12_SAFEBAG) *certbags = NULL, *keybags = NULL;
	STACK_OF(PKCS7) *safes = NULL;
	PKCS12 *p12 = NULL;
	int rc = -1;

	*der = NULL;
	*derlen = 0;
	if (!o->password || !*o->password) {
		snprintf(err, errlen, "the PFX password is empty");
		return -1;
	}
	hooks_progress(h, "reading the key and the certificate", 0.05);
	pkey = x509_load_key_file(o->key_path, lerr, sizeof(lerr));
	if (!pkey) {
		snprintf(err, errlen, "cannot read the private key '%s': %s",
			 o->key_path, lerr);
		goto out;
	}
	if (x509_load_certs_file(o->cert_path, &leafs, lerr, sizeof(lerr)) != 0) {
		snprintf(err, errlen, "cannot read the certificate '%s': %s",
			 o->cert_path, lerr);
		goto out;
	}
	X509 *leaf = sk_X509_value(leafs, 0);
	if (x509_key_matches(leaf, pkey) != 1) {
		snprintf(err, errlen,
			 "the private key '%s' does not belong to the "
			 "certificate '%s'",
			 o->key_path, o->cert_path);
		goto out;
	}
	if (load_chain(o, leaf, &chain, err, errlen) != 0)
		goto out;

	unsigned char keyid[EVP_MAX_MD_SIZE];
	unsigned keyidlen = 0;
	if (!X509_digest(leaf, EVP_sha1(), keyid, &keyidlen)) {
		snprintf(err, errlen, "cannot hash the certificate: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		goto out;
	}

	/* Certificates: leaf first (with the key's id and name), then chain. */
	if (step(h, "encrypting the certificates", 0.2, err, errlen))
		goto out;
	certbags = sk_PKCS12_SAFEBAG_new_null();
	keybags = sk_PKCS12_SAFEBAG_new_null();
	safes = sk_PKCS7_new_null();
	if (!certbags || !keybags || !safes ||
	    push_cert_bag(certbags, leaf, o->friendly_name, keyid, keyidlen)) {
		snprintf(err, errlen, "cannot create the certificate bag: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		goto out;
	}
	for (int i = 0; i < sk_X509_num(chain); i++) {
		if (push_cert_bag(certbags, sk_X509_value(chain, i), NULL, NULL,
				  0)) {
			snprintf(err, errlen,
				 "cannot create a chain certificate bag: %s",
				 x509_ossl_err(ebuf, sizeof(ebuf)));
			goto out;
		}
	}
	PKCS7 *p7 = encrypted_safe(certbags, o);
	if (!p7 || !sk_PKCS7_push(safes, p7)) {
		PKCS7_free(p7);
		snprintf(err, errlen, "cannot encrypt the certificates (%s): %s",
			 pkcs12_compat_text(o->compat),
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		goto out;
	}

	if (step(h, "encrypting the private key", 0.45, err, errlen))
		goto out;
	PKCS12_SAFEBAG *kb = key_bag(pkey, o, keyid, keyidlen, err, errlen);
	if (!kb)
		goto out;
	if (!sk_PKCS12_SAFEBAG_push(keybags, kb)) {
		PKCS12_SAFEBAG_free(kb);
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	p7 = PKCS12_pack_p7data(keybags);
	if (!p7 || !sk_PKCS7_push(safes, p7)) {
		PKCS7_free(p7);
		snprintf(err, errlen, "cannot pack the key bag: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		goto out;
	}

	if (step(h, "computing the integrity MAC", 0.65, err, errlen))
		goto out;
	p12 = PKCS12_init_ex(NID_pkcs7_data, NULL, NULL);
	if (!p12 || !PKCS12_pack_authsafes(p12, safes)) {
		snprintf(err, errlen, "cannot assemble the PKCS#12 file: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		goto out;
	}
	const EVP_MD *md = o->compat == COMPAT_LEGACY ? EVP_sha1() : EVP_sha256();
	if (!PKCS12_set_mac(p12, o->password, (int)strlen(o->password), NULL, 0,
			    PFX_MAC_ITER, md)) {
		snprintf(err, errlen, "cannot compute the PKCS#12 MAC: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		goto out;
	}
	unsigned char *buf = NULL;
	int n = i2d_PKCS12(p12, &buf);
	if (n <= 0) {
		snprintf(err, errlen, "cannot encode the PKCS#12 file: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		goto out;
	}
	*der = malloc((size_t)n);
	if (!*der) {
		OPENSSL_clear_free(buf, (size_t)n);
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(*der, buf, (size_t)n);
	OPENSSL_clear_free(buf, (size_t)n);
	*derlen = (size_t)n;
	if (ncerts)
		*ncerts = 1 + sk_X509_num(chain);
	rc = 0;
out:
	PKCS12_free(p12);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	sk_PKCS12_SAFEBAG_pop_free(certbags, PKCS12_SAFEBAG_free);
	sk_PKCS12_SAFEBAG_pop_free(keybags, PKCS12_SAFEBAG_free);
	OSSL_STACK_OF_X509_free(chain);
	OSSL_STACK_OF_X509_free(leafs);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}

