/*
 * evidence_check_cert.c - `check --evidence`'s certificate part
 * (evidence_check.h): the .cer file of the certificate the registry names
 * (found by its serial among certs/my-N.cer) through the verify checklist
 * of pki/certrules.h against the computer's FQDN, and its issuer (through
 * the CA store) in the computer's Root store.  Names are compared as sets
 * of "TYPE=value" parts, blanks and case ignored: certutil prints
 * "CN=a, O=b" like OpenSSL's RFC 2253 order, and either order is accepted.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "evidence_check_int.h"
#include "pki/certrules.h"
#include "pki/x509util.h"
#include "windows/evidence_layout.h"

#define ROOT_HOPS 8

/* "CN=a, O=b" -> sorted lower-case parts without blanks "cn=a,o=b". */
static void canon_name(const char *s, char *out, size_t cap)
{
	char parts[16][256];
	size_t n = 0;
	while (*s && n < 16) {
		size_t o = 0;
		while (*s == ' ')
			s++;
		for (; *s && *s != ','; s++)
			if (*s != ' ' && o + 1 < sizeof(parts[0]))
				parts[n][o++] = (char)tolower((unsigned char)*s);
		parts[n][o] = '\0';
		if (o)
			n++;
		if (*s == ',')
			s++;
	}
	qsort(parts, n, sizeof(parts[0]),
	      (int (*)(const void *, const void *))strcmp);
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "," : "",
				      parts[i]);
}

static const struct cu_cert *by_subject(const struct cu_store *s,
					const char *name)
{
	char want[1024], have[1024];
	canon_name(name, want, sizeof(want));
	for (size_t i = 0; i < s->n; i++) {
		if (!s->c[i].subject)
			continue;
		canon_name(s->c[i].subject, have, sizeof(have));
		if (!strcmp(want, have))
			return &s->c[i];
	}
	return NULL;
}

/* Walk from the leaf's issuer through the CA store to a root in Root. */
static void check_root_store(struct ev_run *r, X509 *leaf)
{
	if (!r->root_ok)
		return;   /* the file's own FAIL says why */
	char *issuer = x509_name_text(X509_get_issuer_name(leaf));
	const char *name = issuer;
	const struct cu_cert *root = NULL;
	for (int hop = 0; name && hop < ROOT_HOPS && !root; hop++) {
		root = by_subject(&r->root, name);
		const struct cu_cert *ca = r->ca_ok ? by_subject(&r->ca, name) : NULL;
		if (root || !ca || !ca->issuer)
			break;
		name = ca->issuer;
	}
	if (root)
		diag_add(r->dl, DIAG_EVIDENCE_ROOT_STORE, SEV_PASS, NULL, NULL,
			 "the root '%s' of the certificate's chain is in the computer's Root store (thumbprint %s)",
			 root->subject, root->sha1 ? root->sha1 : "not printed");
	else
		diag_add(r->dl, DIAG_EVIDENCE_ROOT_STORE, SEV_FAIL, NULL,
			 "import the CA's root certificate into LocalMachine\\Root (the bundle's install.cmd does it: certutil -addstore Root)",
			 "the chain of the certificate (issuer '%s') reaches no certificate of the computer's Root store (%zu there)",
			 issuer ? issuer : "?", r->root.n);
	free(issuer);
}

/* The certificate of certs/ whose serial is the registry's, or NULL. */
static X509 *cert_file_of(struct ev_run *r, const char *serial, char **which)
{
	char **names = evidence_cert_names(&r->src);
	X509 *found = NULL;
	for (char **p = names; p && *p && !found; p++) {
		unsigned char *buf;
		size_t len;
		char err[256];
		STACK_OF(X509) *sk = NULL;
		if (evidence_read(&r->src, *p, &buf, &len, err, sizeof(err)) != 0)
			continue;
		if (x509_load_certs(buf, len, &sk, err, sizeof(err)) == 0) {
			char *hex = x509_serial_hex(sk_X509_value(sk, 0));
			struct cu_store one = { 0 };
			struct cu_cert c = { .serial = hex };
			one.c = &c;
			one.n = 1;
			if (hex && cu_find_serial(&one, serial)) {
				found = X509_dup(sk_X509_value(sk, 0));
				*which = strdup(*p);
			}
			free(hex);
		} else {
			ev_file_fail(r, *p, err);
		}
		sk_X509_pop_free(sk, X509_free);
		free(buf);
	}
	evidence_names_free(names);
	return found;
}

void ev_check_cert_file(struct ev_run *r)
{
	if (!r->cert)
		return;
	char *which = NULL;
	X509 *leaf = cert_file_of(r, r->cert->serial, &which);
	if (!leaf) {
		diag_add(r->dl, DIAG_VERIFY_PARSE, SEV_SKIP, NULL,
			 "run collect.cmd again: it writes every certificate of My to " EVIDENCE_CERTS_DIR,
			 "no file in %s/ holds certificate %d (serial %s): its checklist cannot run",
			 EVIDENCE_CERTS_DIR, r->cert->index, r->cert->serial);
		return;
	}
	struct diag *d = diag_add(r->dl, DIAG_VERIFY_PARSE, SEV_PASS, NULL, NULL,
				  "'%s' is the certificate the registry names", which);
	if (d)
		d->event = 0;
	struct cert_check c;
	cert_check_init(&c, leaf, NULL, NULL, r->fqdn, r->dl);
	certrule_subject_name(&c);
	certrule_san(&c);
	certrule_eku(&c);
	certrule_key_usage(&c);
	certrule_key_type(&c);
	certrule_validity(&c);
	certrule_expiry(&c);
	certrule_signature_hash(&c);
	cert_check_release(&c);
	check_root_store(r, leaf);
	X509_free(leaf);
	free(which);
}
