/*
 * csr.h - the PKCS#10 request stage 2 sends: CN=FQDN, SAN dNSName=FQDN,
 * EKU serverAuth + clientAuth, key usage digitalSignature +
 * keyEncipherment (critical), signed with SHA-256.
 *
 * Ownership: X509_REQ results are freed with X509_REQ_free(); char *
 * results are malloc'd, caller frees.
 */
#ifndef OPSMGR_CSR_H
#define OPSMGR_CSR_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Build and sign the request.  NULL with err on failure. */
X509_REQ *csr_build(EVP_PKEY *key, const char *fqdn, char *err,
		    size_t errlen);
/* PEM ("-----BEGIN CERTIFICATE REQUEST-----"), NUL terminated. */
char *csr_to_pem(X509_REQ *req);
/* Parse a PEM (or DER) request from memory / a file. NULL with err. */
X509_REQ *csr_parse(const unsigned char *buf, size_t len, char *err,
		    size_t errlen);
X509_REQ *csr_load_file(const char *path, char *err, size_t errlen);
/* 1 when the request carries key's public key and its signature verifies. */
int csr_matches_key(X509_REQ *req, EVP_PKEY *key);
/* The request's first CN, malloc'd, or NULL. */
char *csr_subject_cn(X509_REQ *req);

#endif
