/*
 * crl.h - revocation for the verify stage: the CRL distribution points of
 * a certificate, fetching a CRL over http(s) (libcurl through http.h, with
 * timeouts and cancellation), parsing it (DER or PEM), checking its
 * signature against the issuer, and looking the certificate up in it.
 *
 * CRLs are signed by the CA, so plain http:// distribution points (the
 * usual way AD CS publishes them) are fetched without the allow-insecure
 * option: integrity comes from the signature check, not the transport.
 *
 * Owner: backend/pki/crl.c.  Ownership: crl_distribution_points() returns a
 * NULL-terminated malloc'd array of malloc'd strings (strv_free());
 * X509_CRL results are freed with X509_CRL_free().
 */
#ifndef OPSMGR_CRL_H
#define OPSMGR_CRL_H

#include <stddef.h>
#include <time.h>
#include <openssl/x509.h>

#include "core/cmdline.h"
#include "core/hooks.h"
#include "sys/http.h"

#define CRL_DEFAULT_TIMEOUT 15
#define CRL_BODY_CAP (16u * 1024u * 1024u)

/* URIs of the cRLDistributionPoints extension (NULL when none). */
char **crl_distribution_points(X509 *x);

/* Parse DER or PEM.  NULL with err when neither. */
X509_CRL *crl_parse(const unsigned char *buf, size_t len, char *err,
		    size_t errlen);

/*
 * GET url and parse the CRL.  o may be NULL (defaults: timeout
 * CRL_DEFAULT_TIMEOUT, plain http allowed).  Returns HTTP_OK with *out, or
 * the transport error; a non-200 answer or a body that is no CRL is
 * HTTP_E_PROTOCOL.  err says what happened.
 */
enum http_err crl_fetch(const struct http_opts *o, const char *url,
			const struct hooks *h, X509_CRL **out, char *err,
			size_t errlen);

enum crl_status {
	CRL_GOOD = 0,        /* listed issuer, signature fine, not revoked */
	CRL_REVOKED,         /* x is on the list */
	CRL_BAD_SIGNATURE,   /* not signed by issuer */
	CRL_WRONG_ISSUER,    /* CRL issuer name differs from x's issuer */
	CRL_STALE            /* nextUpdate has passed (still not revoked) */
};

/*
 * Check x against crl issued by issuer (issuer may be NULL: signature not
 * checked).  On CRL_REVOKED *revoked_at (optional) receives the date
 * text ("2026-11-25 07:39:22 UTC", malloc'd, caller frees).
 */
enum crl_status crl_check(X509_CRL *crl, X509 *x, X509 *issuer,
			  char **revoked_at);

#endif
