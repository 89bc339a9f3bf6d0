/*
 * keygen.c - RSA key generation with progress/cancel hooks and the 0600
 * key file (keygen.h).
 */
#include "keygen.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "fsutil.h"

struct kg {
	const struct hooks *h;
	char what[64];
	int primes;       /* primes found so far */
	int cancelled;
	unsigned calls;
};

/*
 * OpenSSL calls this for each step of prime generation (BN_GENCB
 * semantics): p = 0 candidate, 1 primality test round, 2 candidate
 * rejected/accepted, 3 prime found.  Returning 0 aborts generation.
 */
static int kg_cb(EVP_PKEY_CTX *pctx)
{
	struct kg *k = EVP_PKEY_CTX_get_app_data(pctx);
	int p = EVP_PKEY_CTX_get_keygen_info(pctx, 0);
	if (!k)
		return 1;
	if (hooks_cancelled(k->h)) {
		k->cancelled = 1;
		return 0;
	}
	if (p == 3) {
		k->primes++;
		hooks_progress(k->h, k->what, k->primes >= 2 ? 0.95 : 0.5);
	} else if ((k->calls++ & 15) == 0) {
		hooks_progress(k->h, k->what, k->primes ? 0.5 : 0.0);
	}
	return 1;
}

static void ossl_err(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	if (e)
		ERR_error_string_n(e, buf, len);
	else
		snprintf(buf, len, "no OpenSSL error recorded");
	ERR_clear_error();
}

EVP_PKEY *keygen_rsa(int bits, const struct hooks *h, int *cancelled,
		     char *err, size_t errlen)
{
	struct kg k;
	EVP_PKEY *key = NULL;
	char oe[256];

	if (cancelled)
		*cancelled = 0;
	if (bits < KEYGEN_MIN_BITS || bits > KEYGEN_MAX_BITS) {
		snprintf(err, errlen,
			 "key size %d is outside %d..%d bits", bits,
			 KEYGEN_MIN_BITS, KEYGEN_MAX_BITS);
		return NULL;
	}
	memset(&k, 0, sizeof(k));
	k.h = h;
	snprintf(k.what, sizeof(k.what), "generating a %d-bit RSA key", bits);
	if (hooks_cancelled(h)) {
		if (cancelled)
			*cancelled = 1;
		snprintf(err, errlen, "cancelled before generating the key");
		return NULL;
	}
	hooks_progress(h, k.what, 0.0);

	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!pctx || EVP_PKEY_keygen_init(pctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(pctx, bits) <= 0) {
		ossl_err(oe, sizeof(oe));
		snprintf(err, errlen, "cannot set up RSA key generation: %s", oe);
		EVP_PKEY_CTX_free(pctx);
		return NULL;
	}
	EVP_PKEY_CTX_set_app_data(pctx, &k);
	EVP_PKEY_CTX_set_cb(pctx, kg_cb);
	if (EVP_PKEY_generate(pctx, &key) <= 0 || !key) {
		if (k.cancelled) {
			if (cancelled)
				*cancelled = 1;
			snprintf(err, errlen, "key generation cancelled");
			ERR_clear_error();
		} else {
			ossl_err(oe, sizeof(oe));
			snprintf(err, errlen, "RSA key generation (%d bits) failed: %s",
				 bits, oe);
		}
		EVP_PKEY_free(key);
		key = NULL;
	} else {
		hooks_progress(h, k.what, 1.0);
	}
	EVP_PKEY_CTX_free(pctx);
	return key;
}

int keygen_write_key(EVP_PKEY *key, const char *path, char *err,
		     size_t errlen)
{
	char oe[256];
	BIO *b = BIO_new(BIO_s_secmem());
	if (!b)
		b = BIO_new(BIO_s_mem());
	if (!b || !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)) {
		ossl_err(oe, sizeof(oe));
		snprintf(err, errlen, "cannot encode the private key: %s", oe);
		BIO_free(b);
		return -1;
	}
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	int r = fs_write_atomic(path, data, (size_t)n, 0600, err, errlen);
	if (data && n > 0)
		OPENSSL_cleanse(data, (size_t)n);
	BIO_free(b);
	return r;
}

int keygen_rsa_bits(const EVP_PKEY *key)
{
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
		return 0;
	return EVP_PKEY_get_bits(key);
}
