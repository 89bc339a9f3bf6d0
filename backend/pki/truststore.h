/*
 * truststore.h - the directory trust store: one PEM file per trusted root,
 * named by its SHA-256 ("<64 hex>.pem", mode 0644), plus OpenSSL
 * subject-hash links "<8 hex>.0" (".1", ... when two roots share a subject
 * hash) pointing at it, so X509_LOOKUP_hash_dir, `openssl verify -CApath`
 * and libcurl's CURLOPT_CAPATH use the directory as it is.  The directory
 * is created 0700 when missing and must be private (truststore_check);
 * files are written atomically.
 *
 * Owner: backend/pki/truststore.c.  Errors: 0 / -1 with a specific message in
 * err.  Ownership: char * results are malloc'd, caller frees; the X509_STORE
 * from truststore_open() is freed with X509_STORE_free().
 */
#ifndef OPSMGR_TRUSTSTORE_H
#define OPSMGR_TRUSTSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/x509.h>

/*
 * Add cert to the store in dir.  *pem_path (optional) receives the path of
 * its PEM file; *already (optional) is set when the certificate was there
 * before (its hash link is still checked and repaired).
 */
int truststore_add(const char *dir, X509 *cert, char **pem_path,
		   bool *already, char *err, size_t errlen);

/* 1 when cert is in the store (its PEM file holds exactly it), else 0. */
int truststore_contains(const char *dir, X509 *cert);

/* Path "<dir>/<SHA-256 hex>.pem" the store uses for cert (malloc'd). */
char *truststore_pem_path(const char *dir, X509 *cert);

/*
 * The trust store's private-directory check (privdir_check: owned by us or
 * root, not writable by others, nor any directory on the way to it):
 * every file in it is a trust anchor.  truststore_add and truststore_open
 * run it; whoever hands dir to a TLS library as its CA path runs it too.
 * 0, or -1 with the offending path, its owner and mode and the fix in err.
 */
int truststore_check(const char *dir, char *err, size_t errlen);

/*
 * An X509_STORE that looks certificates up in dir by subject hash
 * (X509_LOOKUP_hash_dir).  NULL with err when dir is not a directory or
 * fails truststore_check.
 */
X509_STORE *truststore_open(const char *dir, char *err, size_t errlen);

#endif
