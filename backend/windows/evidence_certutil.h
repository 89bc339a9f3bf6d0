/*
 * evidence_certutil.h - reading certutil's text dump of a certificate store
 * (`certutil -v -store My`, `certutil -store Root`) as it prints it: a
 * "================ Certificate N ================" line per certificate,
 * then "Serial Number: 1a00..." (hex, with or without blanks), "Issuer:" /
 * "Subject:" (on the line, or -v: on the next, indented), " NotAfter: ...",
 * "Cert Hash(sha1): ..." and, for a certificate with a private key, the key
 * provider's lines ("Provider = Microsoft RSA SChannel Cryptographic
 * Provider", -v: "KeySpec = 1 -- AT_KEYEXCHANGE") or "Missing stored
 * keyset"; the last line "CertUtil: -store command completed successfully."
 *
 * Owner: backend/windows/evidence_certutil.c.  certutil_parse fills a
 * caller-owned struct cu_store; cu_store_release frees what it holds.
 */
#ifndef OPSMGR_EVIDENCE_CERTUTIL_H
#define OPSMGR_EVIDENCE_CERTUTIL_H

#include <stdbool.h>
#include <stddef.h>

struct cu_cert {
	int index;             /* N of "Certificate N" */
	char *serial;          /* upper-case hex, no blanks, as printed */
	char *sha1;            /* upper-case hex thumbprint, or NULL */
	char *subject;         /* or NULL */
	char *issuer;          /* or NULL */
	char *not_after;       /* as printed, or NULL */
	char *provider;        /* key provider, or NULL (no key information) */
	int keyspec;           /* -1 when not printed */
	bool missing_keyset;   /* "Missing stored keyset" */
};

struct cu_store {
	struct cu_cert *c;
	size_t n, cap;
};

void cu_store_init(struct cu_store *s);
void cu_store_release(struct cu_store *s);

/*
 * Parse the bytes of certutil's output (UTF-16LE or ANSI/UTF-8).  Returns
 * 0; -1 with "line N: what" in err for a dump that is not certutil's, a
 * certificate without its serial, certutil's own FAILED line, or a dump
 * cut before its completion line (the certificates read stay in s).
 */
int certutil_parse(const unsigned char *buf, size_t len, struct cu_store *s,
		   char *err, size_t errlen);

/* The certificate whose serial is hex (blanks, case and leading zero bytes
 * ignored), or NULL. */
const struct cu_cert *cu_find_serial(const struct cu_store *s,
				     const char *hex);

#endif
