/*
 * export.c - stage 4 (export.h): builds the PKCS#12 file Windows imports,
 * bag by bag with explicit algorithms and the Microsoft key attributes,
 * writes it 0600 atomically, and reads it back with the password.
 * export_verify_pfx() is also what `check --pfx` uses.
 */
#include "stages/export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "core/ctx.h"
#include "sys/fsutil.h"
#include "stages/stages.h"
#include "pki/x509util.h"

#define FIELD_PFX "export.pfx"
#define FIELD_PASSWORD "export.password"
#define FIELD_PASSWORD_FILE "export.password_file"

/* ---- results ------------------------------------------------------------- */

void export_result_release(struct export_result *r)
{
	if (!r)
		return;
	free(r->pfx_path);
	free(r->thumbprint);
	free(r->friendly_name);
	memset(r, 0, sizeof(*r));
}

void export_result_free(void *r)
{
	export_result_release(r);
	free(r);
}

void pfx_info_release(struct pfx_info *i)
{
	if (!i)
		return;
	free(i->csp_name);
	free(i->friendly_name);
	free(i->thumbprint);
	free(i->subject);
	memset(i, 0, sizeof(*i));
}

char *export_default_path(const char *state_dir, const char *name)
{
	char *file = NULL;
	if (asprintf(&file, "%s.pfx", name && *name ? name : "opsmgr-agent") < 0)
		return NULL;
	char *p = fs_join(state_dir && *state_dir ? state_dir : ".", file);
	free(file);
	return p;
}

/* ---- building -------------------------------------------------------------- */

/* The password-based encryption of one compat mode, explicit in full. */
static X509_ALGOR *make_pbe(enum pfx_compat compat)
{
	if (compat == COMPAT_LEGACY)
		return PKCS5_pbe_set_ex(NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
					EXPORT_PBE_ITER, NULL, 0, NULL);
	return PKCS5_pbe2_set_iv_ex(EVP_aes_256_cbc(), EXPORT_PBE_ITER, NULL, 0,
				    NULL, NID_hmacWithSHA256, NULL);
}

static const char *compat_text(enum pfx_compat c)
{
	return c == COMPAT_LEGACY ? "3DES, SHA-1" : "AES-256, SHA-256";
}

/* The shrouded key bag with the Microsoft attributes. */
static PKCS12_SAFEBAG *key_bag(EVP_PKEY *pkey, const struct export_opts *o,
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
			 compat_text(o->compat), x509_ossl_err(ebuf, sizeof(ebuf)));
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
		 PKCS12_add_CSPName_asc(bag, EXPORT_CSP_NAME, -1) &&
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
			     const struct export_opts *o)
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
static int load_chain(const struct export_opts *o, X509 *leaf,
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

int export_build_pfx(const struct export_opts *o, const struct hooks *h,
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
	hooks_progress(h, "encrypting the certificates", 0.2);
	if (hooks_cancelled(h)) {
		snprintf(err, errlen, "cancelled");
		goto out;
	}
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
			 compat_text(o->compat),
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		goto out;
	}

	hooks_progress(h, "encrypting the private key", 0.45);
	if (hooks_cancelled(h)) {
		snprintf(err, errlen, "cancelled");
		goto out;
	}
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

	hooks_progress(h, "computing the integrity MAC", 0.65);
	if (hooks_cancelled(h)) {
		snprintf(err, errlen, "cancelled");
		goto out;
	}
	p12 = PKCS12_init_ex(NID_pkcs7_data, NULL, NULL);
	if (!p12 || !PKCS12_pack_authsafes(p12, safes)) {
		snprintf(err, errlen, "cannot assemble the PKCS#12 file: %s",
			 x509_ossl_err(ebuf, sizeof(ebuf)));
		goto out;
	}
	const EVP_MD *md = o->compat == COMPAT_LEGACY ? EVP_sha1() : EVP_sha256();
	if (!PKCS12_set_mac(p12, o->password, (int)strlen(o->password), NULL, 0,
			    EXPORT_MAC_ITER, md)) {
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

/* ---- reading back -------------------------------------------------------- */

/* Record pbe/cipher/prf of an AlgorithmIdentifier. */
static void algor_nids(const X509_ALGOR *alg, int *pbe, int *cipher, int *prf)
{
	const ASN1_OBJECT *obj = NULL;
	int ptype = 0;
	const void *pval = NULL;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	*pbe = OBJ_obj2nid(obj);
	*cipher = *pbe;
	*prf = 0;
	if (*pbe != NID_pbes2 || ptype != V_ASN1_SEQUENCE)
		return;
	PBE2PARAM *p2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM),
						  alg->parameter);
	if (!p2)
		return;
	*cipher = OBJ_obj2nid(p2->encryption->algorithm);
	if (OBJ_obj2nid(p2->keyfunc->algorithm) == NID_id_pbkdf2) {
		PBKDF2PARAM *kdf = ASN1_TYPE_unpack_sequence(
			ASN1_ITEM_rptr(PBKDF2PARAM), p2->keyfunc->parameter);
		if (kdf) {
			/* absent PRF means hmacWithSHA1 (RFC 8018) */
			*prf = kdf->prf ? OBJ_obj2nid(kdf->prf->algorithm)
					: NID_hmacWithSHA1;
			PBKDF2PARAM_free(kdf);
		}
	}
	PBE2PARAM_free(p2);
}

/* Did the last OpenSSL error say "this algorithm is not available"? */
static int err_unsupported(void)
{
	unsigned long e = ERR_peek_last_error();
	int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);
	return (lib == ERR_LIB_EVP &&
		(reason == EVP_R_UNSUPPORTED_ALGORITHM ||
		 reason == EVP_R_UNKNOWN_PBE_ALGORITHM ||
		 reason == EVP_R_UNSUPPORTED_CIPHER)) ||
	       reason == ERR_R_UNSUPPORTED ||
	       (lib == ERR_LIB_PKCS12 &&
		reason == PKCS12_R_UNKNOWN_DIGEST_ALGORITHM);
}

static void read_key_attrs(const PKCS12_SAFEBAG *bag, struct pfx_info *info)
{
	const STACK_OF(X509_ATTRIBUTE) *attrs = PKCS12_SAFEBAG_get0_attrs(bag);
	ASN1_TYPE *t = PKCS12_get_attr_gen(attrs, NID_ms_csp_name);
	if (t && t->type == V_ASN1_BMPSTRING && !info->csp_name) {
		char *u = OPENSSL_uni2utf8(t->value.bmpstring->data,
					   t->value.bmpstring->length);
		if (u) {
			info->csp_name = strdup(u);
			OPENSSL_free(u);
		}
	}
	if (X509at_get_attr_by_NID(attrs, NID_LocalKeySet, -1) >= 0)
		info->local_machine = true;
	if (!info->friendly_name) {
		char *fn = PKCS12_get_friendlyname((PKCS12_SAFEBAG *)bag);
		if (fn) {
			info->friendly_name = strdup(fn);
			OPENSSL_free(fn);
		}
	}
}

static void read_key_usage(const PKCS8_PRIV_KEY_INFO *p8, struct pfx_info *info)
{
	const STACK_OF(X509_ATTRIBUTE) *attrs = PKCS8_pkey_get0_attrs(p8);
	int idx = X509at_get_attr_by_NID(attrs, NID_key_usage, -1);
	if (idx < 0)
		return;
	X509_ATTRIBUTE *a = X509at_get_attr(attrs, idx);
	ASN1_TYPE *t = a ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
	if (t && t->type == V_ASN1_BIT_STRING && t->value.bit_string->length > 0)
		info->key_usage = t->value.bit_string->data[0];
}

struct walk {
	const char *path;
	const char *pass;
	struct pfx_info *info;
	EVP_PKEY *pkey;
	STACK_OF(X509) *certs;
	char *err;
	size_t errlen;
};

static enum pfx_verify walk_bags(struct walk *w,
				 const STACK_OF(PKCS12_SAFEBAG) *bags)
{
	for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
		int nid = PKCS12_SAFEBAG_get_nid(bag);
		if (nid == NID_pkcs8ShroudedKeyBag) {
			const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
			const X509_ALGOR *alg = NULL;
			X509_SIG_get0(sig, &alg, NULL);
			if (!w->info->key_pbe_nid)
				algor_nids(alg, &w->info->key_pbe_nid,
					   &w->info->key_cipher_nid,
					   &w->info->key_prf_nid);
			read_key_attrs(bag, w->info);
			ERR_clear_error();
			PKCS8_PRIV_KEY_INFO *p8 = PKCS12_decrypt_skey_ex(
				bag, w->pass, (int)strlen(w->pass), NULL, NULL);
			if (!p8) {
				if (err_unsupported()) {
					snprintf(w->err, w->errlen,
						 "'%s' encrypts its key with an "
						 "algorithm this system cannot use",
						 w->path);
					return PFX_UNSUPPORTED;
				}
				snprintf(w->err, w->errlen,
					 "wrong password for '%s': the private "
					 "key does not decrypt",
					 w->path);
				return PFX_WRONG_PASSWORD;
			}
			read_key_usage(p8, w->info);
			if (!w->pkey)
				w->pkey = EVP_PKCS82PKEY(p8);
			PKCS8_PRIV_KEY_INFO_free(p8);
		} else if (nid == NID_keyBag) {
			read_key_attrs(bag, w->info);
			const PKCS8_PRIV_KEY_INFO *p8 =
				PKCS12_SAFEBAG_get0_p8inf(bag);
			if (p8) {
				read_key_usage(p8, w->info);
				if (!w->pkey)
					w->pkey = EVP_PKCS82PKEY(p8);
			}
		} else if (nid == NID_certBag &&
			   PKCS12_SAFEBAG_get_bag_nid(bag) ==
				   NID_x509Certificate) {
			X509 *x = PKCS12_SAFEBAG_get1_cert(bag);
			if (x && !sk_X509_push(w->certs, x))
				X509_free(x);
		}
	}
	return PFX_OK;
}

static enum pfx_verify walk_safes(struct walk *w, PKCS12 *p12)
{
	STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
	if (!safes) {
		snprintf(w->err, w->errlen,
			 "'%s' is damaged: its contents cannot be decoded",
			 w->path);
		return PFX_CORRUPT;
	}
	enum pfx_verify r = PFX_OK;
	for (int i = 0; r == PFX_OK && i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		int nid = OBJ_obj2nid(p7->type);
		STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
		if (nid == NID_pkcs7_data) {
			bags = PKCS12_unpack_p7data(p7);
			if (!bags) {
				snprintf(w->err, w->errlen,
					 "'%s' is damaged: a safe cannot be "
					 "decoded", w->path);
				r = PFX_CORRUPT;
			}
		} else if (nid == NID_pkcs7_encrypted) {
			if (p7->d.encrypted && !w->info->cert_pbe_nid)
				algor_nids(p7->d.encrypted->enc_data->algorithm,
					   &w->info->cert_pbe_nid,
					   &w->info->cert_cipher_nid,
					   &w->info->cert_prf_nid);
			ERR_clear_error();
			bags = PKCS12_unpack_p7encdata(p7, w->pass,
						       (int)strlen(w->pass));
			if (!bags) {
				if (err_unsupported()) {
					snprintf(w->err, w->errlen,
						 "'%s' encrypts its certificates "
						 "with an algorithm this system "
						 "cannot use (RC2 needs OpenSSL's "
						 "legacy provider)",
						 w->path);
					r = PFX_UNSUPPORTED;
				} else {
					snprintf(w->err, w->errlen,
						 "wrong password for '%s': the "
						 "certificates do not decrypt",
						 w->path);
					r = PFX_WRONG_PASSWORD;
				}
			}
		}
		if (bags)
			r = walk_bags(w, bags);
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	return r;
}

static enum pfx_verify check_mac(PKCS12 *p12, struct walk *w)
{
	if (!PKCS12_mac_present(p12)) {
		w->info->mac_md_nid = NID_undef;
		return PFX_OK;
	}
	const X509_ALGOR *macalg = NULL;
	const ASN1_INTEGER *iter = NULL;
	PKCS12_get0_mac(NULL, &macalg, NULL, &iter, p12);
	if (macalg) {
		const ASN1_OBJECT *obj = NULL;
		X509_ALGOR_get0(&obj, NULL, NULL, macalg);
		w->info->mac_md_nid = OBJ_obj2nid(obj);
	}
	w->info->mac_iter = iter ? (int)ASN1_INTEGER_get(iter) : 1;
	ERR_clear_error();
	if (PKCS12_verify_mac(p12, w->pass, (int)strlen(w->pass)))
		return PFX_OK;
	/* OpenSSL 3.0 queues nothing for a plain mismatch (later versions
	 * say PKCS12_R_MAC_VERIFY_FAILURE); an error here means the MAC
	 * could not even be computed. */
	unsigned long e = ERR_peek_last_error();
	if (e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PKCS12 &&
		       ERR_GET_REASON(e) == PKCS12_R_MAC_VERIFY_FAILURE)) {
		snprintf(w->err, w->errlen,
			 "wrong password for '%s': the integrity check (MAC) "
			 "fails with it", w->path);
		return PFX_WRONG_PASSWORD;
	}
	if (err_unsupported()) {
		snprintf(w->err, w->errlen,
			 "'%s' uses a MAC algorithm this system cannot use",
			 w->path);
		return PFX_UNSUPPORTED;
	}
	char ebuf[256];
	snprintf(w->err, w->errlen, "'%s' is damaged: its MAC cannot be "
		 "computed (%s)", w->path, x509_ossl_err(ebuf, sizeof(ebuf)));
	return PFX_CORRUPT;
}

/* The certificate that belongs to pkey, or NULL. */
static X509 *find_leaf(STACK_OF(X509) *certs, EVP_PKEY *pkey)
{
	for (int i = 0; i < sk_X509_num(certs); i++)
		if (x509_key_matches(sk_X509_value(certs, i), pkey) == 1)
			return sk_X509_value(certs, i);
	return NULL;
}

enum pfx_verify export_verify_pfx(const char *path, const char *password,
				  const char *expect_cert_path,
				  struct pfx_info *info, char *err,
				  size_t errlen)
{
	struct pfx_info scratch;
	unsigned char *buf = NULL;
	size_t len = 0;
	char lerr[FS_ERRLEN];
	enum pfx_verify r;
	PKCS12 *p12 = NULL;

	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	struct walk w = { .path = path, .pass = password ? password : "",
			  .info = info, .err = err, .errlen = errlen };

	if (fs_read_file(path, FS_DEFAULT_CAP, &buf, &len, lerr,
			 sizeof(lerr)) != 0) {
		snprintf(err, errlen, "cannot read '%s': %s", path, lerr);
		r = PFX_IO;
		goto out;
	}
	const unsigned char *p = buf;
	p12 = d2i_PKCS12(NULL, &p, (long)len);
	if (!p12 || p != buf + len) {
		snprintf(err, errlen,
			 "'%s' is not a PKCS#12 (PFX) file, or it is damaged",
			 path);
		r = PFX_CORRUPT;
		goto out;
	}
	r = check_mac(p12, &w);
	if (r != PFX_OK)
		goto out;
	w.certs = sk_X509_new_null();
	if (!w.certs) {
		snprintf(err, errlen, "out of memory");
		r = PFX_IO;
		goto out;
	}
	r = walk_safes(&w, p12);
	if (r != PFX_OK)
		goto out;
	info->ncerts = sk_X509_num(w.certs);
	if (!w.pkey) {
		snprintf(err, errlen, "'%s' holds no private key", path);
		r = PFX_NO_KEY;
		goto out;
	}
	if (info->ncerts == 0) {
		snprintf(err, errlen, "'%s' holds no certificate", path);
		r = PFX_NO_CERT;
		goto out;
	}
	X509 *leaf = find_leaf(w.certs, w.pkey);
	if (!leaf) {
		snprintf(err, errlen,
			 "'%s' holds no certificate for its private key", path);
		r = PFX_MISMATCH;
		goto out;
	}
	info->thumbprint = x509_fingerprint(leaf, EVP_sha1());
	info->subject = x509_name_text(X509_get_subject_name(leaf));
	if (expect_cert_path) {
		STACK_OF(X509) *exp = NULL;
		if (x509_load_certs_file(expect_cert_path, &exp, lerr,
					 sizeof(lerr)) != 0) {
			snprintf(err, errlen, "cannot read the certificate "
				 "'%s': %s", expect_cert_path, lerr);
			r = PFX_IO;
			goto out;
		}
		X509 *want = sk_X509_value(exp, 0);
		if (X509_cmp(want, leaf) != 0) {
			char *t = x509_fingerprint(want, EVP_sha1());
			snprintf(err, errlen,
				 "'%s' holds certificate %s, not the one in "
				 "'%s' (%s)",
				 path, info->thumbprint ? info->thumbprint : "?",
				 expect_cert_path, t ? t : "?");
			free(t);
			r = PFX_MISMATCH;
		}
		OSSL_STACK_OF_X509_free(exp);
	}
out:
	PKCS12_free(p12);
	EVP_PKEY_free(w.pkey);
	OSSL_STACK_OF_X509_free(w.certs);
	fs_free_secret(buf, len);
	ERR_clear_error();
	if (info == &scratch)
		pfx_info_release(&scratch);
	return r;
}

/* ---- the export job ------------------------------------------------------ */

enum status export_pfx(const struct export_opts *o, const struct hooks *h,
		       struct diag_list *dl, struct export_result *res)
{
	char err[FS_ERRLEN];
	struct stat sb;

	if (!o->password || !*o->password) {
		diag_add(dl, DIAG_EXPORT_PASSWORD, SEV_FAIL, FIELD_PASSWORD,
			 "type a password (asked twice) or set [export] "
			 "password_file to a file whose first line is it",
			 "no password for the PFX file: Windows needs one to "
			 "import the private key");
		return ST_FAIL;
	}
	if (!o->out_path || !*o->out_path) {
		diag_add(dl, DIAG_EXPORT_PATH, SEV_FAIL, FIELD_PFX,
			 "set [export] pfx to the file to write",
			 "no path for the PFX file");
		return ST_FAIL;
	}
	if (lstat(o->out_path, &sb) == 0) {
		if (S_ISLNK(sb.st_mode)) {
			diag_add(dl, DIAG_EXPORT_PATH, SEV_FAIL, FIELD_PFX,
				 "remove the link or choose another path",
				 "'%s' is a symbolic link: refusing to write "
				 "the PFX through it", o->out_path);
			return ST_FAIL;
		}
		if (!S_ISREG(sb.st_mode)) {
			diag_add(dl, DIAG_EXPORT_PATH, SEV_FAIL, FIELD_PFX,
				 "choose a path for a regular file",
				 "'%s' exists and is not a regular file",
				 o->out_path);
			return ST_FAIL;
		}
		if (!o->overwrite) {
			diag_add(dl, DIAG_EXPORT_OVERWRITE, SEV_FAIL, FIELD_PFX,
				 "set overwrite = yes or choose another path",
				 "'%s' exists; set overwrite = yes or choose "
				 "another path", o->out_path);
			return ST_FAIL;
		}
	}

	unsigned char *der = NULL;
	size_t derlen = 0;
	int ncerts = 0;
	if (export_build_pfx(o, h, &der, &derlen, &ncerts, err,
			     sizeof(err)) != 0) {
		if (hooks_cancelled(h)) {
			diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
				 "export cancelled; nothing was written");
			return ST_CANCELLED;
		}
		diag_add(dl, DIAG_EXPORT_WRITE, SEV_FAIL, NULL,
			 "run stages 2 and 3 again if the key or certificate "
			 "is missing or damaged",
			 "cannot build the PFX: %s", err);
		return ST_FAIL;
	}
	if (hooks_cancelled(h)) {
		fs_free_secret(der, derlen);
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "export cancelled; nothing was written");
		return ST_CANCELLED;
	}

	hooks_progress(h, "writing the PFX file", 0.8);
	int wr = o->overwrite
		 ? fs_write_atomic(o->out_path, der, derlen, 0600, err,
				   sizeof(err))
		 : fs_write_new(o->out_path, der, derlen, 0600, err,
				sizeof(err));
	fs_free_secret(der, derlen);
	if (wr != 0) {
		diag_add(dl, DIAG_EXPORT_WRITE, SEV_FAIL, FIELD_PFX,
			 "check that the directory exists and is writable, or "
			 "choose another path",
			 "cannot write the PFX: %s", err);
		return ST_FAIL;
	}

	hooks_progress(h, "reading the PFX back with the password", 0.9);
	struct pfx_info info;
	enum status st = export_reread(o->out_path, o->password, o->cert_path,
				       &info, dl);
	if (st != ST_OK) {
		pfx_info_release(&info);
		if (unlink(o->out_path) == 0 && dl->n > 0) {
			struct diag *d = &dl->items[dl->n - 1];
			diag_set_fix(d, "the unreadable file was removed; "
				     "export again, and report this if it "
				     "repeats");
		}
		return st;
	}
	hooks_progress(h, "PFX written and verified", 1.0);
	diag_add(dl, DIAG_EXPORT_WRITE, SEV_PASS, FIELD_PFX, NULL,
		 "wrote '%s' (%d certificate%s, %s, mode 0600)", o->out_path,
		 ncerts, ncerts == 1 ? "" : "s", compat_text(o->compat));
	diag_add(dl, DIAG_EXPORT_REREAD, SEV_PASS, FIELD_PFX, NULL,
		 "read '%s' back with the password: key and certificate "
		 "%s match", o->out_path,
		 info.thumbprint ? info.thumbprint : "");
	if (res) {
		memset(res, 0, sizeof(*res));
		res->pfx_path = strdup(o->out_path);
		res->thumbprint = info.thumbprint;
		info.thumbprint = NULL;
		res->friendly_name = o->friendly_name && *o->friendly_name
					     ? strdup(o->friendly_name)
					     : NULL;
		res->compat = o->compat;
		res->ncerts = ncerts;
		res->size = derlen;
	}
	pfx_info_release(&info);
	return ST_OK;
}

enum status export_reread(const char *path, const char *password,
			  const char *expect_cert_path, struct pfx_info *info,
			  struct diag_list *dl)
{
	char err[FS_ERRLEN];
	enum pfx_verify v = export_verify_pfx(path, password, expect_cert_path,
					      info, err, sizeof(err));
	if (v == PFX_OK)
		return ST_OK;
	const char *fix;
	switch (v) {
	case PFX_WRONG_PASSWORD:
		fix = "use the password the PFX was exported with";
		break;
	case PFX_UNSUPPORTED:
		fix = "export again with compat = modern or compat = legacy";
		break;
	case PFX_MISMATCH:
		fix = "export again from the current key and certificate";
		break;
	default:
		fix = "export the PFX again";
		break;
	}
	diag_add(dl, DIAG_EXPORT_REREAD, SEV_FAIL,
		 v == PFX_WRONG_PASSWORD ? FIELD_PASSWORD : FIELD_PFX, fix,
		 "%s", err);
	return ST_FAIL;
}

/* ---- stage 4 ------------------------------------------------------------- */

/* The password: typed (ctx) or from [export] password_file. */
static int stage_password(struct ctx *c, struct diag_list *dl)
{
	char err[FS_ERRLEN];
	if (!secret_is_set(&c->pfx_password) && c->cfg->export_password_file &&
	    *c->cfg->export_password_file) {
		if (secret_read_file(&c->pfx_password,
				     c->cfg->export_password_file, err,
				     sizeof(err)) != 0) {
			diag_add(dl, DIAG_EXPORT_PASSWORD, SEV_FAIL,
				 FIELD_PASSWORD_FILE,
				 "point password_file at a readable file whose "
				 "first line is the password",
				 "cannot read the PFX password from '%s': %s",
				 c->cfg->export_password_file, err);
			return -1;
		}
	}
	if (!secret_is_set(&c->pfx_password) || c->pfx_password.len == 0) {
		diag_add(dl, DIAG_EXPORT_PASSWORD, SEV_FAIL, FIELD_PASSWORD,
			 "type a password (asked twice) or set [export] "
			 "password_file to a file whose first line is it",
			 "no password for the PFX file: Windows needs one to "
			 "import the private key");
		return -1;
	}
	return 0;
}

/* Name for the default file: the FQDN, else the certificate's CN. */
static char *default_name(struct ctx *c)
{
	const char *fqdn = ctx_fqdn(c);
	if (fqdn)
		return strdup(fqdn);
	char err[FS_ERRLEN];
	STACK_OF(X509) *sk = NULL;
	char *cn = NULL;
	if (x509_load_certs_file(c->st->cert_path, &sk, err, sizeof(err)) == 0)
		cn = x509_subject_cn(sk_X509_value(sk, 0));
	OSSL_STACK_OF_X509_free(sk);
	/* a CN with a '/' must not become a path */
	if (cn && strchr(cn, '/')) {
		free(cn);
		cn = NULL;
	}
	return cn;
}

enum status stage_export_run(struct ctx *c, const struct hooks *h,
			     struct diag_list *dl)
{
	struct config *cfg = c->cfg;
	struct state *st = c->st;

	if (!st->key_path || !*st->key_path || !st->cert_path ||
	    !*st->cert_path) {
		struct diag *d = diag_add(
			dl, DIAG_STATE, SEV_FAIL, NULL,
			"run stage 2 (request) until the certificate is issued",
			"nothing to export yet: there is no %s from stage 2",
			!st->key_path || !*st->key_path
				? "private key"
				: "issued certificate");
		if (d)
			d->stage = STAGE_EXPORT;
		return ST_FAIL;
	}
	if (stage_password(c, dl) != 0)
		return ST_FAIL;

	char *name = default_name(c);
	char *path = cfg->export_pfx && *cfg->export_pfx
			     ? strdup(cfg->export_pfx)
			     : export_default_path(c->state_dir, name);
	if (!path) {
		free(name);
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}

	bool allowed = cfg->export_overwrite || c->confirm_overwrite;
	struct stat sb;
	if (!allowed && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    c->interactive) {
		diag_add(dl, DIAG_EXPORT_OVERWRITE, SEV_WARN, FIELD_PFX,
			 "confirm to replace it, or choose another path",
			 "'%s' exists; replace it?", path);
		free(name);
		free(path);
		return ST_NEED_CONFIRM;
	}

	struct export_opts o = {
		.key_path = st->key_path,
		.cert_path = st->cert_path,
		.chain_path = st->chain_path,
		.include_chain = cfg->export_include_chain,
		.out_path = path,
		.password = c->pfx_password.buf,
		.compat = cfg->export_compat,
		.friendly_name = cfg->export_friendly_name &&
						 *cfg->export_friendly_name
					 ? cfg->export_friendly_name
					 : name,
		.overwrite = allowed,
	};
	struct export_result *res = calloc(1, sizeof(*res));
	if (!res) {
		free(name);
		free(path);
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}
	enum status s = export_pfx(&o, h, dl, res);
	if (s == ST_OK) {
		state_set_str(&st->pfx_path, path);
		ctx_set_out(c, STAGE_EXPORT, res, export_result_free);
	} else {
		export_result_free(res);
	}
	free(name);
	free(path);
	return s;
}
