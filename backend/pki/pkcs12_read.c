/*
 * pkcs12_read.c - reading a PKCS#12 (PFX) file back (pkcs12.h): MAC,
 * decryption of every safe with the password, the algorithms and
 * Microsoft attributes found, and the certificate that belongs to the key.
 * Stage 4 re-reads what it wrote with it; `check --pfx` uses it too.
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

enum pfx_verify pkcs12_verify(const char *path, const char *password,
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

