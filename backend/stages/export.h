/*
 * export.h - stage 4: the PKCS#12 (PFX) file Windows imports, and the
 * re-read check that `check --pfx` uses too.
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
 * Ownership: export_result and pfx_info own their strings; release them
 * with export_result_release() / pfx_info_release().  Passwords are only
 * borrowed and never copied except into OpenSSL's own (cleansed) buffers.
 */
#ifndef OPSMGR_EXPORT_H
#define OPSMGR_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/diag.h"
#include "core/hooks.h"
#include "core/status.h"

#define EXPORT_CSP_NAME "Microsoft RSA SChannel Cryptographic Provider"
#define EXPORT_PBE_ITER 2048   /* PBKDF2 / PKCS#12 KDF iterations */
#define EXPORT_MAC_ITER 2048

struct export_opts {
	const char *key_path;       /* PEM/DER private key */
	const char *cert_path;      /* the leaf certificate (first one used) */
	const char *chain_path;     /* more certificates, NULL = none */
	bool include_chain;         /* put chain_path's certificates in */
	const char *out_path;       /* the PFX to write */
	const char *password;       /* borrowed; non-empty */
	enum pfx_compat compat;
	const char *friendly_name;  /* NULL = none */
	bool overwrite;             /* replace an existing regular file */
};

struct export_result {
	char *pfx_path;
	char *thumbprint;           /* SHA-1 of the leaf, upper hex */
	char *friendly_name;        /* NULL when none */
	enum pfx_compat compat;
	int ncerts;                 /* certificates in the PFX (leaf + chain) */
	size_t size;                /* bytes written */
};

void export_result_release(struct export_result *r);
void export_result_free(void *r);   /* release + free (ctx_set_out) */

/*
 * Build the PFX in memory (DER).  *der is malloc'd; the caller frees it.
 * ncerts (optional) receives the number of certificates included.
 * Returns 0, or -1 with err.  Does not touch the file system except to
 * read the inputs.  Progress reported through h.
 */
int export_build_pfx(const struct export_opts *o, const struct hooks *h,
		     unsigned char **der, size_t *derlen, int *ncerts,
		     char *err, size_t errlen);

/*
 * The whole job: check the destination (not a symlink, not existing unless
 * o->overwrite), build, write 0600 atomically, re-read with the password
 * and compare key and certificate.  Problems become diagnostics at the
 * field they concern ("export.pfx", "export.password", ...).  Returns
 * ST_OK (res filled), ST_FAIL or ST_CANCELLED.  res may be NULL.
 */
enum status export_pfx(const struct export_opts *o, const struct hooks *h,
		       struct diag_list *dl, struct export_result *res);

/* What export_verify_pfx found in a PFX. */
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
enum pfx_verify export_verify_pfx(const char *path, const char *password,
				  const char *expect_cert_path,
				  struct pfx_info *info, char *err,
				  size_t errlen);

/*
 * export_verify_pfx() as a diagnostic: on failure one DIAG_EXPORT_REREAD
 * fail (field "export.password" for a wrong password, else "export.pfx")
 * carrying its message.  Returns ST_OK or ST_FAIL.  info as above (the
 * caller releases it in both cases).
 */
enum status export_reread(const char *path, const char *password,
			  const char *expect_cert_path, struct pfx_info *info,
			  struct diag_list *dl);

/* Default PFX path: <state_dir>/<name>.pfx; malloc'd, caller frees. */
char *export_default_path(const char *state_dir, const char *name);

#endif
