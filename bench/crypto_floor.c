/*
 * crypto_floor.c - the cryptography an enrollment cannot avoid, in one
 * process with OpenSSL alone: an RSA-2048 key (EVP_PKEY_keygen, e=65537)
 * and the PKCS#12 file with the product's modern algorithms and iteration
 * counts (backend/export.h: PBES2 = PBKDF2-HMAC-SHA-256 + AES-256-CBC for
 * key and certificates, EXPORT_PBE_ITER rounds; SHA-256 MAC,
 * EXPORT_MAC_ITER rounds).  The certificate put in the PFX is signed
 * outside the timed part (the CA signs it in a real enrollment).
 *
 *   crypto_floor RUNS
 *
 * Prints one line per run: "keygen_wall_ms pkcs12_wall_ms total_wall_ms
 * total_cpu_ms race_keygen_wall_ms race_total_wall_ms race_total_cpu_ms
 * racers".  The first four are the floor as issue 9 defines it: one
 * EVP_PKEY_keygen on this thread (CPU: CLOCK_THREAD_CPUTIME_ID).  The
 * race_ columns are the same work the way stage 2 does its key
 * (backend/keygen.h keygen_rsa(): one generation per core, the first key
 * wins; CPU of the whole process, all racers, CLOCK_PROCESS_CPUTIME_ID)
 * plus the same PKCS#12.  Exits 1 when OpenSSL fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "export.h"
#include "keygen.h"

static double ms(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static EVP_PKEY *rsa2048(void)
{
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	if (!c || EVP_PKEY_keygen_init(c) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) <= 0 ||
	    EVP_PKEY_keygen(c, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(c);
	return key;
}

static X509 *self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();
	if (!x)
		return NULL;
	X509_NAME *n = X509_get_subject_name(x);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"agent01.lab.test", -1, -1, 0);
	X509_set_issuer_name(x, n);
	if (!X509_set_pubkey(x, key) || !X509_sign(x, key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 1;
	const char *pass = "bench-pfx-password-0123";
	if (runs < 1) {
		fprintf(stderr, "usage: crypto_floor RUNS\n");
		return 2;
	}
	for (int i = 0; i < runs; i++) {
		double w0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_THREAD_CPUTIME_ID);
		EVP_PKEY *key = rsa2048();
		double w1 = ms(CLOCK_MONOTONIC), c1 = ms(CLOCK_THREAD_CPUTIME_ID);
		if (!key) {
			fprintf(stderr, "crypto_floor: RSA key generation failed\n");
			return 1;
		}
		X509 *cert = self_signed(key);   /* not timed: the CA's work */
		if (!cert) {
			fprintf(stderr, "crypto_floor: cannot make the certificate\n");
			return 1;
		}
		double w2 = ms(CLOCK_MONOTONIC), c2 = ms(CLOCK_THREAD_CPUTIME_ID);
		PKCS12 *p12 = PKCS12_create_ex(pass, "OpsMgr agent", key, cert, NULL,
					       NID_aes_256_cbc, NID_aes_256_cbc,
					       EXPORT_PBE_ITER, EXPORT_MAC_ITER, 0,
					       NULL, NULL);
		unsigned char *der = NULL;
		int len = p12 ? i2d_PKCS12(p12, &der) : -1;
		double w3 = ms(CLOCK_MONOTONIC), c3 = ms(CLOCK_THREAD_CPUTIME_ID);
		if (len <= 0) {
			fprintf(stderr, "crypto_floor: PKCS12_create failed\n");
			return 1;
		}
		OPENSSL_free(der);
		PKCS12_free(p12);
		der = NULL;

		/* the same, with stage 2's racing key generation */
		char err[256];
		double rw0 = ms(CLOCK_MONOTONIC), rc0 = ms(CLOCK_PROCESS_CPUTIME_ID);
		EVP_PKEY *rkey = keygen_rsa(2048, NULL, NULL, err, sizeof(err));
		double rw1 = ms(CLOCK_MONOTONIC), rc1 = ms(CLOCK_PROCESS_CPUTIME_ID);
		if (!rkey) {
			fprintf(stderr, "crypto_floor: %s\n", err);
			return 1;
		}
		X509 *rcert = self_signed(rkey);   /* not timed */
		if (!rcert) {
			fprintf(stderr, "crypto_floor: cannot make the certificate\n");
			return 1;
		}
		double rw2 = ms(CLOCK_MONOTONIC), rc2 = ms(CLOCK_PROCESS_CPUTIME_ID);
		p12 = PKCS12_create_ex(pass, "OpsMgr agent", rkey, rcert, NULL,
				       NID_aes_256_cbc, NID_aes_256_cbc,
				       EXPORT_PBE_ITER, EXPORT_MAC_ITER, 0, NULL,
				       NULL);
		len = p12 ? i2d_PKCS12(p12, &der) : -1;
		double rw3 = ms(CLOCK_MONOTONIC), rc3 = ms(CLOCK_PROCESS_CPUTIME_ID);
		if (len <= 0) {
			fprintf(stderr, "crypto_floor: PKCS12_create failed\n");
			return 1;
		}
		printf("%.3f %.3f %.3f %.3f %.3f %.3f %.3f %d\n", w1 - w0, w3 - w2,
		       (w1 - w0) + (w3 - w2), (c1 - c0) + (c3 - c2), rw1 - rw0,
		       (rw1 - rw0) + (rw3 - rw2), (rc1 - rc0) + (rc3 - rc2),
		       keygen_default_racers());
		fflush(stdout);
		OPENSSL_free(der);
		PKCS12_free(p12);
		X509_free(rcert);
		EVP_PKEY_free(rkey);
		X509_free(cert);
		EVP_PKEY_free(key);
	}
	return 0;
}
