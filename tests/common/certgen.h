/*
 * certgen.h - test helper: make CA and leaf certificates (and CRLs, PKCS#7
 * bundles, files) with exactly the properties a test wants: CN, SANs, EKU,
 * key usage, key type and size, signature hash, validity window, serial,
 * CRL distribution point, issuer.  Everything is made in memory with
 * OpenSSL at run time; nothing secret is committed.
 *
 * Typical use:
 *     struct certgen_opts o;
 *     certgen_opts_ca(&o, "Test Root");
 *     X509 *root; EVP_PKEY *root_key;
 *     certgen_make(&o, &root, &root_key);            // self-signed root
 *     certgen_opts_leaf(&o, "host.example.test");    // both EKUs, KU 0xA0
 *     o.issuer = root; o.issuer_key = root_key;
 *     X509 *leaf; EVP_PKEY *key;
 *     certgen_make(&o, &leaf, &key);
 *
 * Ownership: certgen_make and certgen_key return new references; the
 * caller frees them with X509_free / EVP_PKEY_free.  Options only borrow
 * what they point to.
 *
 * Keys (RSA generation is slow, above all under valgrind):
 * - Slots.  A key is picked by (type, size, o.key_slot).  Slot 0 is the
 *   shared key of that type and size; slot N >= 1 is the N-th distinct one.
 *   Within a process (until certgen_cleanup) each slot is generated or
 *   loaded once and then handed out again, and keys of different slots
 *   always differ (checked on load).  So a test that needs "a key that is
 *   not the root's" asks for slot 1, a third party's key slot 2, and pays
 *   for no new key per test.
 * - Disk cache.  Slot keys are also kept as unencrypted PEM files so that
 *   other test programs and later runs (the plain suite, then valgrind
 *   over the same build directory) reuse them: in $OPSMGR_TESTKEY_DIR, else
 *   in $OPSMGR_BUILD_DIR/testkeys (run-tests.sh and valgrind.sh set
 *   OPSMGR_BUILD_DIR), else nowhere.  Files are named TYPE-BITS-SLOT.pem
 *   (rsa-2048-1.pem, ec-256-0.pem), mode 0600, written to a temporary
 *   file in the same directory and renamed into place; a file that does
 *   not parse or has the wrong type or size is replaced.  These are
 *   throwaway test fixtures inside a build directory (gitignored): never
 *   commit them, never use them for anything but tests.
 * - o.fresh_key = 1: a newly generated key that is neither cached nor
 *   written anywhere, for the rare test that needs a key never seen before.
 */
#ifndef OPSMGR_TEST_CERTGEN_H
#define OPSMGR_TEST_CERTGEN_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

enum certgen_key { CERTGEN_RSA = 0, CERTGEN_EC_P256 };

/* EKU bits (0 = no extendedKeyUsage extension at all). */
#define CERTGEN_EKU_SERVER 1
#define CERTGEN_EKU_CLIENT 2
#define CERTGEN_EKU_CODESIGN 4

/* keyUsage: KU_* bits from <openssl/x509v3.h>; -1 = no extension. */
#define CERTGEN_KU_NONE (-1)

struct certgen_opts {
	const char *cn;               /* subject CN, NULL = none */
	const char *org;              /* subject O, NULL = none */
	const char *san_dns[8];       /* dNSName SANs; san_dns[0]==NULL: no SAN */
	enum certgen_key key_type;
	int key_bits;                 /* RSA bits (default 2048) */
	int key_slot;                 /* 0 shared, N>=1 the N-th distinct key */
	int fresh_key;                /* 1: generate, no cache (beats key_slot) */
	EVP_PKEY *key;                /* use this key (borrowed) when non-NULL */
	const EVP_MD *md;             /* signature hash; NULL = SHA-256 */
	long not_before;              /* seconds from now (default -3600) */
	long not_after;               /* seconds from now (default 365 days) */
	int ca;                       /* basicConstraints CA:TRUE, critical */
	int no_basic_constraints;     /* omit basicConstraints entirely */
	int eku;                      /* CERTGEN_EKU_* bits */
	int ku;                       /* KU_* bits or CERTGEN_KU_NONE */
	const unsigned char *serial;  /* DER content bytes; NULL = random */
	size_t serial_len;
	const char *crl_url;          /* CRL distribution point URI, or NULL */
	X509 *issuer;                 /* NULL = self-signed */
	EVP_PKEY *issuer_key;
};

/* Zero everything, then defaults: RSA 2048, SHA-256, -1 h .. +365 d. */
void certgen_opts_init(struct certgen_opts *o);
/* init + CA: CN, CA:TRUE, KU keyCertSign|cRLSign|digitalSignature. */
void certgen_opts_ca(struct certgen_opts *o, const char *cn);
/*
 * init + an Operations Manager leaf: CN=fqdn, SAN dNSName=fqdn, EKU server
 * and client authentication, KU digitalSignature|keyEncipherment.
 */
void certgen_opts_leaf(struct certgen_opts *o, const char *fqdn);

/* 0 / -1 (message on stderr).  *key may be NULL when not wanted. */
int certgen_make(const struct certgen_opts *o, X509 **cert, EVP_PKEY **key);

/*
 * A CRL signed by ca/ca_key listing the given serials (as ASN1 from the
 * certificates), valid from an hour ago for next_update_s seconds.
 * Returns a new X509_CRL (X509_CRL_free) or NULL.
 */
X509_CRL *certgen_crl(X509 *ca, EVP_PKEY *ca_key, X509 *const revoked[],
		      size_t nrevoked, long next_update_s);

/* DER of a signed PKCS#7 holding certs (OPENSSL_free the result). */
unsigned char *certgen_pkcs7_der(X509 *const certs[], size_t n, size_t *len);

/* Write PEM / DER / key files (0600 for keys).  0 / -1. */
int certgen_write_pem(const char *path, X509 *const certs[], size_t n);
int certgen_write_der(const char *path, X509 *x);
int certgen_write_key(const char *path, EVP_PKEY *k);
int certgen_write_file(const char *path, const void *data, size_t len);
/* certgen_make, then the certificate (PEM) and its key into these files.
 * 0 / -1. */
int certgen_make_files(const struct certgen_opts *o, const char *cert_path,
		       const char *key_path);

/*
 * The cached key of this type, size (RSA bits; ignored for EC) and slot
 * (0..CERTGEN_MAX_SLOT), as certgen_make would use it: a new reference
 * (EVP_PKEY_free), or NULL (message on stderr).  For a test that needs a
 * bare key, e.g. "a key that does not belong to that certificate".
 */
#define CERTGEN_MAX_SLOT 63
EVP_PKEY *certgen_key(enum certgen_key type, int bits, int slot);

/* Free the key cache (optional; call at the end of a test program). */
void certgen_cleanup(void);

#endif
