/*
 * trust_boot.c - stage 1 when the CA's web server does not verify yet
 * (trust_int.h): its certificate is issued by the very CA being trusted.
 * Like SSH's first connection, but stricter: the certificates presented
 * in the TLS handshake are shown and the top one must be confirmed (the
 * operator compares its thumbprint, or trust.sha256 pins it) before any
 * request - and so any credential - goes to the server; the download that
 * follows is verified against exactly that certificate, and what it
 * brings must contain it and chain the server's certificate to its root.
 */
#include "stages/trust_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "adcs/ca_http.h"
#include "core/fsutil.h"
#include "pki/x509util.h"

#define ANCHOR_NAME "trust-bootstrap.pem"

void trust_boot_release(struct trust_boot *b)
{
	X509_free(b->leaf);
	X509_free(b->top);
	if (b->anchor)
		unlink(b->anchor);
	free(b->anchor);
	memset(b, 0, sizeof(*b));
}

char *trust_boot_shown_top(const struct ctx *c)
{
	const struct trust_result *r = c->out[STAGE_TRUST];
	if (!r || !r->presented || r->top < 0 || (size_t)r->top >= r->n)
		return NULL;
	return x509_normalise_hex(r->certs[r->top].sha256);
}

/* The presented certificates as stage 1 shows them. */
static struct trust_result *describe_presented(STACK_OF(X509) *sk,
					       const char *url)
{
	struct trust_result *r = calloc(1, sizeof(*r));
	int n = sk_X509_num(sk);
	if (!r)
		return NULL;
	r->root = -1;
	r->top = n - 1;
	r->presented = true;
	r->certs = calloc((size_t)n, sizeof(*r->certs));
	if (!r->certs ||
	    asprintf(&r->source, "the TLS handshake of '%s'", url) < 0) {
		r->source = NULL;
		trust_result_free(r);
		return NULL;
	}
	r->n = (size_t)n;
	for (int i = 0; i < n; i++)
		if (trust_describe(sk_X509_value(sk, i), &r->certs[i]) != 0) {
			trust_result_free(r);
			return NULL;
		}
	return r;
}

/* A verifying handshake: BOOT_VERIFIED, or BOOT_NEED_CONFIRM meaning
 * "does not verify" (why in why), or BOOT_FAIL / BOOT_CANCELLED. */
static enum trust_boot_step probe(const struct http_opts *o, const char *url,
				  const struct hooks *h, char *why,
				  size_t whylen, struct diag_list *dl)
{
	enum http_err e = http_peer_certs(o, url, h, true, NULL, NULL, why,
					  whylen);
	if (e == HTTP_OK)
		return BOOT_VERIFIED;
	if (e == HTTP_E_TLS)
		return BOOT_NEED_CONFIRM;
	if (e == HTTP_E_CANCELLED)
		return BOOT_CANCELLED;
	diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "ca.url",
		 "check ca.url and that the CA's web server is reachable",
		 "cannot connect to the CA: %s", why);
	return BOOT_FAIL;
}

/* The presented chain: 0 with *sk (at least one certificate), else the
 * step to return. */
static enum trust_boot_step presented(const struct http_opts *o,
				      const char *url, const struct hooks *h,
				      STACK_OF(X509) **sk,
				      struct diag_list *dl)
{
	char err[1024], *pem = NULL;
	size_t len = 0;
	enum http_err e = http_peer_certs(o, url, h, false, &pem, &len, err,
					  sizeof(err));
	if (e == HTTP_E_CANCELLED)
		return BOOT_CANCELLED;
	if (e == HTTP_OK &&
	    x509_load_certs((unsigned char *)pem, len, sk, err, sizeof(err)) != 0)
		e = HTTP_E_PROTOCOL;
	free(pem);
	if (e != HTTP_OK) {
		diag_add(dl, DIAG_TRUST_SOURCE, SEV_FAIL, "ca.url",
			 "check ca.url, or get the root as a file from the CA administrator (trust.source = file)",
			 "cannot read the certificates the CA's web server presents: %s",
			 err);
		return BOOT_FAIL;
	}
	return BOOT_CONFIRMED;
}

/* Whether top is confirmed: by the pin, or by the operator's yes to
 * the same certificate.  A verdict as a diagnostic either way. */
static enum trust_boot_step judge(struct ctx *c, const char *confirmed,
				  const struct trust_result *r,
				  struct trust_boot *b, struct diag_list *dl)
{
	const struct trust_cert *t = &r->certs[r->top];
	char *pin = c->cfg->trust_sha256 && *c->cfg->trust_sha256
			    ? x509_normalise_hex(c->cfg->trust_sha256) : NULL;
	char *fp = x509_normalise_hex(t->sha256);
	enum trust_boot_step step = BOOT_NEED_CONFIRM;

	if (!fp) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL, "out of memory");
		step = BOOT_FAIL;
	} else if (pin && strcmp(pin, fp) == 0) {
		b->pinned = true;
		diag_add(dl, DIAG_TRUST_PIN, SEV_PASS, "trust.sha256", NULL,
			 "'%s' presented by the CA's web server has SHA-256 fingerprint %s, the one trust.sha256 pins",
			 t->subject, t->sha256);
		step = BOOT_CONFIRMED;
	} else if (pin) {
		diag_add(dl, DIAG_TRUST_PIN, SEV_FAIL, "trust.sha256",
			 "make sure ca.url is the CA you expect; put the SHA-256 fingerprint of its root (certutil -ca.cert on the CA) in [trust] sha256",
			 "the CA's web server presents '%s' with SHA-256 fingerprint %s, but trust.sha256 pins %s: nothing was sent to it",
			 t->subject, t->sha256, c->cfg->trust_sha256);
		step = BOOT_FAIL;
	} else if (!c->interactive) {
		diag_add(dl, DIAG_TRUST_PIN, SEV_FAIL, "trust.sha256",
			 "set [trust] sha256 to the root's SHA-256 fingerprint obtained from the CA administrator (certutil -ca.cert), or give [ca] ca_file",
			 "the CA's web server certificate is not trusted yet and no one is there to compare the thumbprint of '%s' (SHA-256 %s): without trust.sha256 nothing is sent to it",
			 t->subject, t->sha256);
		step = BOOT_FAIL;
	} else if (c->confirm_trust && confirmed && strcmp(confirmed, fp) == 0) {
		diag_add(dl, DIAG_TRUST_CONFIRM, SEV_PASS, "trust.sha256", NULL,
			 "you confirmed '%s' (SHA-1 thumbprint %s)", t->subject,
			 t->sha1);
		step = BOOT_CONFIRMED;
	} else {
		diag_add(dl, DIAG_TRUST_CONFIRM, SEV_WARN, NULL,
			 "compare it with the thumbprint the CA administrator gives you (certutil -ca.cert, or the certificate's Details tab), then confirm; nothing, no password either, was sent to the server",
			 "the CA's web server is not trusted yet: is '%s' with SHA-1 thumbprint %s the CA you expect?",
			 t->subject, t->sha1);
	}
	free(pin);
	free(fp);
	return step;
}

/* Keep what the download needs: the leaf, the top and its anchor file. */
static int keep(struct ctx *c, STACK_OF(X509) *sk, struct trust_boot *b,
		struct diag_list *dl)
{
	char err[512];
	b->leaf = X509_dup(sk_X509_value(sk, 0));
	b->top = X509_dup(sk_X509_value(sk, sk_X509_num(sk) - 1));
	b->anchor = ctx_path(c, ANCHOR_NAME);
	char *pem = b->top ? x509_to_pem(b->top) : NULL;
	int rc = b->leaf && pem && b->anchor &&
			 fs_write_atomic(b->anchor, pem, strlen(pem), 0600, err,
					 sizeof(err)) == 0 ? 0 : -1;
	if (rc != 0)
		diag_add(dl, DIAG_TRUST_STORE, SEV_FAIL, NULL,
			 "check that the state directory is writable",
			 "cannot keep the confirmed certificate for the download: %s",
			 b->anchor && pem ? err : "out of memory");
	free(pem);
	b->active = rc == 0;
	return rc;
}

enum trust_boot_step trust_boot_begin(struct ctx *c, const char *confirmed,
				      const struct hooks *h,
				      struct trust_boot *b,
				      struct trust_result **shown,
				      struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	const char *url = cfg->ca_url;
	struct http_opts o;
	char why[1024];
	STACK_OF(X509) *sk = NULL;

	*shown = NULL;
	if ((cfg->ca_file && *cfg->ca_file) || strncasecmp(url, "https://", 8) != 0)
		return BOOT_VERIFIED;
	if (ca_http_options(c, CA_WITHOUT_CREDENTIALS, &o, dl) != 0)
		return BOOT_FAIL;
	hooks_progress(h, "checking the CA's web server certificate", -1);
	enum trust_boot_step step = probe(&o, url, h, why, sizeof(why), dl);
	if (step != BOOT_NEED_CONFIRM)
		return step;
	step = presented(&o, url, h, &sk, dl);
	if (step != BOOT_CONFIRMED)
		return step;
	*shown = describe_presented(sk, url);
	if (!*shown) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL, "out of memory");
		OSSL_STACK_OF_X509_free(sk);
		return BOOT_FAIL;
	}
	diag_add(dl, DIAG_TRUST_SOURCE, SEV_INFO, "ca.url", NULL,
		 "the CA's web server presented %zu certificate%s that this computer does not trust yet (%s)",
		 (*shown)->n, (*shown)->n == 1 ? "" : "s", why);
	step = judge(c, confirmed, *shown, b, dl);
	if (step == BOOT_CONFIRMED && keep(c, sk, b, dl) != 0)
		step = BOOT_FAIL;
	OSSL_STACK_OF_X509_free(sk);
	return step;
}

int trust_boot_options(struct ctx *c, const struct trust_boot *b,
		       struct http_opts *o, struct diag_list *dl)
{
	if (ca_http_options(c, CA_WITH_CREDENTIALS, o, dl) != 0)
		return -1;
	o->ca_file = b->anchor;
	o->ca_path = NULL;
	o->system_trust = false;
	return 0;
}

/* Whether leaf chains to root through the certificates of chain. */
static int chains_to(X509 *leaf, X509 *root, STACK_OF(X509) *chain)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *v = X509_STORE_CTX_new();
	int ok = st && v && X509_STORE_add_cert(st, root) == 1 &&
		 X509_STORE_CTX_init(v, st, leaf, chain) == 1 &&
		 X509_verify_cert(v) == 1;
	X509_STORE_CTX_free(v);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

int trust_boot_check(const struct trust_boot *b, STACK_OF(X509) *chain,
		     X509 *root, struct diag_list *dl)
{
	bool found = false;
	for (int i = 0; i < sk_X509_num(chain); i++)
		if (X509_cmp(sk_X509_value(chain, i), b->top) == 0)
			found = true;
	char *subject = x509_name_text(X509_get_subject_name(b->top));
	int rc = 0;
	if (!found) {
		diag_add(dl, DIAG_TRUST_ROOT, SEV_FAIL, "ca.url",
			 "ask the CA administrator whether ca.url is this CA's web enrollment; get the root as a file if it is",
			 "the chain the CA sent does not contain '%s', the certificate you confirmed: nothing was trusted",
			 subject ? subject : "(unknown)");
		rc = -1;
	} else if (!chains_to(b->leaf, root, chain)) {
		diag_add(dl, DIAG_TRUST_ROOT, SEV_FAIL, "ca.url",
			 "ask the CA administrator which CA issued the web server's certificate",
			 "the CA's web server certificate does not chain to the root of the chain the CA sent: nothing was trusted");
		rc = -1;
	}
	free(subject);
	return rc;
}

/* Which root the CA's web server is verified against from now on
 * (state.h ca_web_root): the one a bootstrap confirmed; kept while a
 * later run verified the server through it (same root, no ca.ca_file);
 * forgotten otherwise. */
void trust_boot_record_web_root(struct ctx *c, const struct trust_boot *b,
				const char *root_sha256)
{
	const char *was = c->st->ca_web_root;
	bool has_ca_file = c->cfg->ca_file && *c->cfg->ca_file;
	if (b->active)
		state_set_str(&c->st->ca_web_root, root_sha256);
	else if (has_ca_file || !was || !root_sha256 ||
		 strcmp(was, root_sha256) != 0)
		state_set_str(&c->st->ca_web_root, NULL);
}
