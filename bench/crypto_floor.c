/*
 * crypto_floor.c - the cryptography an enrollment cannot avoid, in one
 * process with OpenSSL alone: an RSA-2048 key (EVP_PKEY_keygen, e=65537)
 * and the PKCS#12 file with the product's modern algorithms and iteration
 * counts (backend/pki/pkcs12.h: PBES2 = PBKDF2-HMAC-SHA-256 + AES-256-CBC for
 * key and certificates, PFX_PBE_ITER rounds; SHA-256 MAC,
 * PFX_MAC_ITER rounds).  The certificate put in the PFX is signed
 * outside the timed part (the CA signs it in a real enrollment).
 *
 *   crypto_floor RUNS
 *
 * Prints one line per run: "keygen_wall_ms pkcs12_wall_ms total_wall_ms
 * total_cpu_ms race_keygen_wall_ms race_total_wall_ms race_total_cpu_ms
 * racers".  The first four are the floor as issue 9 defines it: one
 * EVP_PKEY_keygen on this thread (CPU: CLOCK_THREAD_CPUTIME_ID).  The
 * race_ columns are the same work the way stage 2 does its key
 * (backend/pki/keygen.h keygen_rsa(): one generation per core, the first key
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

#include "pki/pkcs12.h"
#include "pki/keygen.h"

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

/* Figures of one floor run: key generation, then the PKCS#12 file. */
struct floor_run {
	double keygen_wall, pkcs12_wall, cpu;
};

static EVP_PKEY *race2048(void)
{
	char err[256];
	EVP_PKEY *k = keygen_rsa(2048, NULL, NULL, err, sizeof(err));
	if (!k)
		fprintf(stderr, "crypto_floor: %s\n", err);
	return k;
}

/*
 * Time gen() and the PKCS#12 of its key (the certificate in it is made
 * between the two, untimed: the CA's work).  CPU from cpu_clock.
 * 0, or -1 with a message.
 */
static int floor_once(EVP_PKEY *(*gen)(void), clockid_t cpu_clock,
		      struct floor_run *out)
{
	const char *pass = "bench-pfx-password-0123";
	double w0 = ms(CLOCK_MONOTONIC), c0 = ms(cpu_clock);
	EVP_PKEY *key = gen();
	double w1 = ms(CLOCK_MONOTONIC), c1 = ms(cpu_clock);
	if (!key) {
		fprintf(stderr, "crypto_floor: RSA key generation failed\n");
		return -1;
	}
	X509 *cert = self_signed(key);
	if (!cert) {
		fprintf(stderr, "crypto_floor: cannot make the certificate\n");
		EVP_PKEY_free(key);
		return -1;
	}
	double w2 = ms(CLOCK_MONOTONIC), c2 = ms(cpu_clock);
	PKCS12 *p12 = PKCS12_create_ex(pass, "OpsMgr agent", key, cert, NULL,
				       NID_aes_256_cbc, NID_aes_256_cbc,
				       PFX_PBE_ITER, PFX_MAC_ITER, 0,
				       NULL, NULL);
	unsigned char *der = NULL;
	int len = p12 ? i2d_PKCS12(p12, &der) : -1;
	double w3 = ms(CLOCK_MONOTONIC), c3 = ms(cpu_clock);
	OPENSSL_free(der);
	PKCS12_free(p12);
	X509_free(cert);
	EVP_PKEY_free(key);
	if (len <= 0) {
		fprintf(stderr, "crypto_floor: PKCS12_create failed\n");
		return -1;
	}
	out->keygen_wall = w1 - w0;
	out->pkcs12_wall = w3 - w2;
	out->cpu = (c1 - c0) + (c3 - c2);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 1;
	if (runs < 1) {
		fprintf(stderr, "usage: crypto_floor RUNS\n");
		return 2;
	}
	for (int i = 0; i < runs; i++) {
		struct floor_run one, race;
		if (floor_once(rsa2048, CLOCK_THREAD_CPUTIME_ID, &one) ||
		    floor_once(race2048, CLOCK_PROCESS_CPUTIME_ID, &race))
			return 1;
		printf("%.3f %.3f %.3f %.3f %.3f %.3f %.3f %d\n", one.keygen_wall,
		       one.pkcs12_wall, one.keygen_wall + one.pkcs12_wall, one.cpu,
		       race.keygen_wall, race.keygen_wall + race.pkcs12_wall,
		       race.cpu, keygen_default_racers());
		fflush(stdout);
	}
	return 0;
}
