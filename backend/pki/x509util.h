/*
 * x509util.h - certificate helpers shared by the stages and check (the lab
 * has its own, so that it checks these rather than repeats them):
 * loading certificates from any of the formats operators bring (PKCS#7 DER
 * or PEM, including AD CS's PKCS#7 inside CERTIFICATE armour, PEM bundles
 * with junk between blocks, DER), fingerprints as Windows prints them,
 * serials in both byte orders, names and times as text, key matching.
 *
 * Owners: backend/pki/x509load.c (loading), backend/pki/x509util.c (the
 * rest).  Ownership: char * results are malloc'd, the caller frees them
 * with free() (x509_key_to_pem's with OPENSSL_cleanse first); EVP_PKEY
 * results with EVP_PKEY_free(); STACK_OF(X509) results with
 * OSSL_STACK_OF_X509_free().  Arguments are borrowed.
 */
#ifndef OPSMGR_X509UTIL_H
#define OPSMGR_X509UTIL_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/*
 * Parse every certificate in buf.  Tries, in order: PKCS#7 DER, PKCS#7 PEM
 * (PKCS7 or CERTIFICATE armour), PEM certificate bundle, DER certificate.
 * Returns 0 with *out non-empty, or -1 with err naming the formats tried
 * ("not a certificate: tried PKCS#7 (DER), PKCS#7 (PEM), PEM bundle, DER").
 */
int x509_load_certs(const unsigned char *buf, size_t len,
		    STACK_OF(X509) **out, char *err, size_t errlen);
int x509_load_certs_file(const char *path, STACK_OF(X509) **out, char *err,
			 size_t errlen);
/* Load a private key (PEM or DER; PKCS#8 or traditional), unencrypted. */
EVP_PKEY *x509_load_key_file(const char *path, char *err, size_t errlen);

/* Hex fingerprint, upper case, no separators (Windows thumbprint style). */
char *x509_fingerprint(const X509 *x, const EVP_MD *md);
/* Same, colon separated ("AB:CD:..."), as openssl prints SHA-256. */
char *x509_fingerprint_colons(const X509 *x, const EVP_MD *md);
/* Normalise a user-typed fingerprint (colons/spaces removed, upper). */
char *x509_normalise_hex(const char *s);

char *x509_name_text(const X509_NAME *n);   /* "CN=a, O=b" (RFC 2253 order) */
char *x509_subject_cn(const X509 *x);      /* first CN or NULL */
char *x509_time_text(const ASN1_TIME *t);  /* "2026-11-25 07:39:22 UTC" */
/* Text of a general name of `type` (GEN_DNS or GEN_URI); NULL when gn is
 * of another type, empty or holds a NUL byte. */
char *x509_general_name_text(const GENERAL_NAME *gn, int type);

/* Serial: DER content bytes (leading 00 kept when DER has it). */
int x509_serial_bytes(const X509 *x, unsigned char **out, size_t *len);
/* Upper hex of the serial as Windows prints it ("0A1B..."). */
char *x509_serial_hex(const X509 *x);
/* Hex of the bytes reversed (registry order). */
char *x509_serial_reversed_hex(const X509 *x);
/* Reverse a hex byte string ("AF3C56" -> "563CAF"); NULL on bad input. */
char *hex_reverse_bytes(const char *hex);

int x509_is_self_signed(X509 *x);          /* issuer==subject and sig ok */
int x509_is_ca(X509 *x);                   /* basicConstraints CA:TRUE */
/* Signature digest name ("SHA256", "SHA1", "MD5"), static string. */
const char *x509_sig_hash_name(const X509 *x);
int x509_sig_hash_weak(const X509 *x);     /* MD5 or SHA-1 */

/* 1 when the certificate's public key matches pkey. */
int x509_key_matches(X509 *x, EVP_PKEY *pkey);

/* PEM of one certificate / a stack, malloc'd NUL-terminated. */
char *x509_to_pem(X509 *x);
char *x509_stack_to_pem(STACK_OF(X509) *sk);
/* PEM of a private key (PKCS#8, unencrypted); cleanse+free when done. */
char *x509_key_to_pem(EVP_PKEY *k, size_t *len);

/* Last OpenSSL error as text, into buf; returns buf. */
const char *x509_ossl_err(char *buf, size_t len);

/*
 * OSSL_STACK_OF_X509_free() exists from OpenSSL 3.2; Debian 12 ships 3.0.
 * This shim keeps the ownership rule above true on both.
 */
#include <openssl/opensslv.h>
#if OPENSSL_VERSION_NUMBER < 0x30200000L
static inline void OSSL_STACK_OF_X509_free(STACK_OF(X509) *sk)
{
	sk_X509_pop_free(sk, X509_free);
}
#endif

#endif
