/*
 * fuzz_pkcs12.c - libFuzzer target: PKCS#12 (PFX) import as the product
 * does it (pkcs12_verify: read, MAC, decrypt, walk the bags, match key
 * and certificate) on untrusted bytes.  The first input byte picks the
 * password (the seeds' password, empty, or a wrong one) and whether a
 * certificate to compare with is given; the rest is the file.
 * Seeds: tests/fuzz/corpus/fuzz_pkcs12 (openssl pkcs12 -export output,
 * password "fuzz", with and without MAC and encryption).  Owner: faults.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pki/pkcs12.h"

static char pfx_path[64], cert_path[64];

static int write_file(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	if (n && fwrite(d, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* A valid self-signed certificate that matches no seed: the "expected
 * certificate" comparison then has something real to compare. */
static void make_other_cert(const char *path)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	FILE *f = NULL;
	if (!k || !x)
		goto out;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"other.fuzz.test", -1,
				   -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	if (!X509_sign(x, k, EVP_sha256()))
		goto out;
	f = fopen(path, "w");
	if (f) {
		PEM_write_X509(f, x);
		fclose(f);
	}
out:
	X509_free(x);
	EVP_PKEY_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const passwords[] = { "fuzz", "", "wrong", "fuzz" };
	struct pfx_info info;
	char err[512];

	if (!pfx_path[0]) {
		snprintf(pfx_path, sizeof(pfx_path), "/tmp/fuzz-pkcs12-%d.pfx",
			 (int)getpid());
		snprintf(cert_path, sizeof(cert_path), "/tmp/fuzz-pkcs12-%d.pem",
			 (int)getpid());
		make_other_cert(cert_path);
	}
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	if (write_file(pfx_path, data + 1, size - 1) != 0)
		return 0;
	enum pfx_verify r = pkcs12_verify(pfx_path, passwords[sel & 3],
					      (sel & 4) ? cert_path : NULL,
					      &info, err, sizeof(err));
	if (r != PFX_OK && (!err[0] || strlen(err) >= sizeof(err)))
		abort();   /* every failure says what failed */
	if (r == PFX_OK && (!info.thumbprint || info.ncerts < 1))
		abort();   /* success means a key and its certificate */
	pfx_info_release(&info);
	return 0;
}
