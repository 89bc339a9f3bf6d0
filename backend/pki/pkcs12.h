/*
 * pkcs12.h - the PKCS#12 (PFX) file Windows imports: building it in memory
 * (pkcs12_build.c) and reading one back with its password
 * (pkcs12_read.c).  Stage 4 (stages/export.h) writes and re-reads it;
 * `check --pfx` reads it.
 *
 * The PFX is built bag by bag with every algorithm named explicitly (no
 * library defaults):
 *   modern: key and certificates PBES2 = PBKDF2(hmacWithSHA256) +
 *           AES-256-CBC, MAC HMAC-SHA-256;
 *   legacy: key and certificates pbeWithSHA1And3-KeyTripleDES-CBC, MAC
 *           HMAC-SHA-1 (never RC2: OpenSSL 3 needs its legacy provider
 *           for RC2 and older Windows reads 3DES fine).
 * The key bag carries what `openssl pkcs12 -export -CSP ... -LMK -keyex`
 * writes: the Microsoft CSP name (1.3.6.1.4.1.311.17.1, BMPString
 * "Microsoft RSA SChannel Cryptographic Provider"), the local machine key
 * set flag (1.3.6.1.4.1.311.17.2) and, inside the PKCS#8, key usage
 * KEY_EX (AT_KEYEXCHANGE).  Key and leaf certificate share a localKeyID
 * and the friendly name; chain certificates follow the leaf.
 *
 * Ownership: struct pfx_info owns its strings (pfx_info_release); the DER
 * from pkcs12_build is malloc'd and the caller frees it (it holds the
 * encrypted key: fs_free_secret).  Passwords are only borrowed and never
 * copied except into OpenSSL's own (cleansed) buffers.
 */
#ifndef OPSMGR_PKCS12_H
#define OPSMGR_PKCS12_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/hooks.h"

#define PFX_CSP_NAME "Microsoft RSA SChannel Cryptographic Provider"
#define PFX_PBE_ITER 2048   /* PBKDF2 / PKCS#12 KDF iterations */
#define PFX_MAC_ITER 2048

struct pkcs12_opts {
	const char *key_path;       /* PEM/DER private key */
	const char *cert_path;      /* the leaf certificate (first one used) */
	const char *chain_path;     /* more certificates, NULL = none */
	bool include_chain;         /* put chain_path's certificates in */
	const char *password;       /* borrowed; non-empty */
	enum pfx_compat compat;
	const char *friendly_name;  /* NULL = none */
};

/*
 * Build the PFX in memory (DER).  ncerts (optional) receives the number of
 * certificates included.  Returns 0, or -1 with err ("cancelled" when the
 * hooks said stop).  Reads the inputs only.  Progress reported through h.
 */
int pkcs12_build(const struct pkcs12_opts *o, const struct hooks *h,
		 unsigned char **der, size_t *derlen, int *ncerts, char *err,
		 size_t errlen);

/* "AES-256, SHA-256" or "3DES, SHA-1", for messages. */
const char *pkcs12_compat_text(enum pfx_compat c);

/* What pkcs12_verify found in a PFX. */
struct pfx_info {
	int mac_md_nid;        /* NID_sha256, NID_sha1, ...; NID_undef = no MAC */
	int mac_iter;
	/* Encryption of the key bag and of the certificate safe:
	 * pbe_nid  NID_pbes2 or a PKCS#12 PBE (NID_pbe_WithSHA1And3_Key_...)
	 * cipher   under PBES2 the cipher (NID_aes_256_cbc), else = pbe_nid
	 * prf      under PBES2 the PBKDF2 PRF (NID_hmacWithSHA256), else 0
	 * NID_undef (0) when that part is absent or not encrypted. */
	int key_pbe_nid, key_cipher_nid, key_prf_nid;
	int cert_pbe_nid, cert_cipher_nid, cert_prf_nid;
	int ncerts;            /* certificates in the file */
	char *csp_name;        /* Microsoft CSP name attribute, or NULL */
	bool local_machine;    /* LocalKeySet attribute present */
	int key_usage;         /* PKCS#8 key usage byte (KEY_EX 0x10), 0 none */
	char *friendly_name;   /* of the key bag, or NULL */
	char *thumbprint;      /* SHA-1 of the certificate matching the key */
	char *subject;         /* its subject, "CN=..." */
};

void pfx_info_release(struct pfx_info *i);

enum pfx_verify {
	PFX_OK = 0,
	PFX_IO,                /* cannot read the file */
	PFX_CORRUPT,           /* not a (readable) PKCS#12 structure */
	PFX_WRONG_PASSWORD,    /* MAC or decryption fails with this password */
	PFX_NO_KEY,            /* no private key inside */
	PFX_NO_CERT,           /* no certificate inside */
	PFX_MISMATCH,          /* no certificate matches the key, or the
				* leaf differs from expect_cert_path */
	PFX_UNSUPPORTED        /* an algorithm this OpenSSL cannot use */
};

/*
 * Read path with password and check it: MAC, decryption, a key, the
 * certificate belonging to it; when expect_cert_path is non-NULL that its
 * first certificate is the one in the PFX.  A wrong password is reported
 * as "wrong password for 'path'", distinct from a corrupt file.  info may
 * be NULL; when given it is filled as far as the file could be read.
 * err gets the specific message for any result but PFX_OK.
 */
enum pfx_verify pkcs12_verify(const char *path, const char *password,
			      const char *expect_cert_path,
			      struct pfx_info *info, char *err, size_t errlen);

#endif
