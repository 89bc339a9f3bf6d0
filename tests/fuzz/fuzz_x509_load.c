/*
 * fuzz_x509_load.c - libFuzzer target: certificate import from untrusted
 * bytes (PKCS#7 DER/PEM, AD CS armour, PEM bundles, DER) via x509_load_certs.
 */
#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "pki/x509util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	STACK_OF(X509) *sk = NULL;
	char err[256];
	if (x509_load_certs(data, size, &sk, err, sizeof(err)) == 0) {
		for (int i = 0; i < sk_X509_num(sk); i++) {
			X509 *x = sk_X509_value(sk, i);
			free(x509_fingerprint(x, EVP_sha1()));
			free(x509_serial_hex(x));
			free(x509_serial_reversed_hex(x));
			free(x509_subject_cn(x));
			free(x509_name_text(X509_get_subject_name(x)));
			x509_is_self_signed(x);
			x509_is_ca(x);
		}
		sk_X509_pop_free(sk, X509_free);
	}
	return 0;
}
