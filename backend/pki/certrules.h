/*
 * certrules.h - the certificate rules of the verify checklist (the list
 * and their order are stages/verify.h's): each function looks at the leaf
 * (and its key, its extra certificates) in struct cert_check and appends
 * exactly one diagnostic with its check ID: PASS, WARN or FAIL (SKIP where
 * the rule cannot apply), a message naming the certificate, and a fix.
 *
 * Owner: backend/pki/certrules.c.  Ownership: leaf, key, extra, fqdn,
 * key_err, key_path and dl are borrowed; cn, label and chain belong to
 * the struct (cert_check_release frees them).
 */
#ifndef OPSMGR_CERTRULES_H
#define OPSMGR_CERTRULES_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/diag.h"

#define CERTRULE_EXPIRY_WARN_DAYS 30

struct cert_check {
	X509 *leaf;
	EVP_PKEY *key;               /* NULL: key_match fails */
	STACK_OF(X509) *extra;       /* untrusted certificates, or NULL */
	STACK_OF(X509) *chain;       /* built chain (leaf first) or NULL */
	const char *fqdn;            /* the name the certificate must carry */
	const char *key_err;         /* why key is NULL, or NULL */
	const char *key_path;        /* where the key came from, or NULL */
	char *cn;                    /* the leaf's first CN, or NULL */
	char *label;                 /* "the certificate 'CN=x'" for messages */
	struct diag_list *dl;
};

/* Fill c for leaf (cn and label computed); key_err, key_path stay NULL. */
void cert_check_init(struct cert_check *c, X509 *leaf, EVP_PKEY *key,
		     STACK_OF(X509) *extra, const char *fqdn,
		     struct diag_list *dl);
void cert_check_release(struct cert_check *c);

void certrule_key_match(struct cert_check *c);      /* event 20068 */
void certrule_subject_name(struct cert_check *c);   /* CN == FQDN */
void certrule_san(struct cert_check *c);
void certrule_eku(struct cert_check *c);            /* event 20050 */
void certrule_key_usage(struct cert_check *c);
void certrule_key_type(struct cert_check *c);       /* event 20069 */
/* Returns 1 when the leaf is inside its validity window. */
int certrule_validity(struct cert_check *c);
void certrule_expiry(struct cert_check *c);         /* < 30 days: WARN */
/* Weak hashes on the leaf and the intermediates of c->chain (or extra
 * when no chain was built). */
void certrule_signature_hash(struct cert_check *c);

#endif
