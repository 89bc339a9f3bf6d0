/*
 * digest.h - SHA-256 as lower-case hex, of bytes or of a file: the one
 * way the product names an artefact by its content (recorded stage inputs,
 * the PFX's identity, a root's fingerprint text).
 *
 * Ownership: results go into the caller's buffer; nothing allocates.
 */
#ifndef OPSMGR_DIGEST_H
#define OPSMGR_DIGEST_H

#include <stddef.h>

#define DIGEST_HEX_LEN 64        /* SHA-256: 32 bytes, 64 hex digits */

/* out gets DIGEST_HEX_LEN digits and a NUL.  0, or -1 (OpenSSL failed). */
int digest_sha256_hex(const void *data, size_t len,
		      char out[DIGEST_HEX_LEN + 1]);
/* The same of a file's content.  0, or -1 with err (cannot read). */
int digest_file_sha256_hex(const char *path, char out[DIGEST_HEX_LEN + 1],
			   char *err, size_t errlen);

#endif
