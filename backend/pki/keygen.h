/*
 * keygen.h - RSA key generation for stage 2 with progress and cancellation
 * through hooks (OpenSSL's keygen callback polls hooks_cancelled), and the
 * key file written 0600 atomically.  The prime search is luck, so one
 * independent key generation runs per core (at most KEYGEN_MAX_RACERS) and
 * the first key finished is kept; the hooks are only called on the
 * caller's thread.
 *
 * Ownership: keygen_rsa() returns an EVP_PKEY the caller frees with
 * EVP_PKEY_free().
 */
#ifndef OPSMGR_KEYGEN_H
#define OPSMGR_KEYGEN_H

#include <stddef.h>
#include <openssl/evp.h>
#include "core/hooks.h"

#define KEYGEN_MAX_RACERS 4

/*
 * Generate an RSA key of `bits` with exponent 65537; a size rule_key_bits
 * (core/validate.h) refuses is refused with its message.
 * Progress: "generating a N-bit RSA key" with fraction 0, 0.5 (first prime
 * found), 1.  Returns NULL with err on failure; *cancelled (may be NULL) is
 * set to 1 when hooks asked to stop (err then says so).
 */
EVP_PKEY *keygen_rsa(int bits, const struct hooks *h, int *cancelled,
		     char *err, size_t errlen);

/*
 * keygen_rsa() with an explicit number of racing generations (clamped to
 * 1..KEYGEN_MAX_RACERS); keygen_rsa() uses keygen_default_racers(): the
 * CPUs this process may run on, at most KEYGEN_MAX_RACERS.
 */
EVP_PKEY *keygen_rsa_racers(int bits, int racers, const struct hooks *h,
			    int *cancelled, char *err, size_t errlen);
int keygen_default_racers(void);

/* Write the key as unencrypted PKCS#8 PEM to path, mode 0600, atomically
 * (the PEM buffer is cleansed afterwards).  0 / -1 with err. */
int keygen_write_key(EVP_PKEY *key, const char *path, char *err,
		     size_t errlen);

/* Size in bits of an RSA key, 0 when not RSA. */
int keygen_rsa_bits(const EVP_PKEY *key);

#endif
