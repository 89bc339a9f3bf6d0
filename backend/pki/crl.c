/*
 * crl.c - CRL distribution points, fetching, parsing and look-up for the
 * verify stage's revocation check (crl.h).
 */
#include "pki/crl.h"
#include "core/errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki/x509util.h"

char **crl_distribution_points(X509 *x)
{
	STACK_OF(DIST_POINT) *dps =
		X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	if (!dps) {
		ERR_clear_error();
		return NULL;
	}
	size_t cap = 4, n = 0;
	char **urls = calloc(cap + 1, sizeof(*urls));
	for (int i = 0; urls && i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
		if (!dp->distpoint || dp->distpoint->type != 0)
			continue;   /* only fullName lists */
		GENERAL_NAMES *gns = dp->distpoint->name.fullname;
		for (int j = 0; j < sk_GENERAL_NAME_num(gns); j++) {
			char *u = x509_general_name_text(
				sk_GENERAL_NAME_value(gns, j), GEN_URI);
			if (!u)
				continue;
			if (n == cap) {
				char **nu = realloc(urls, (cap * 2 + 1) * sizeof(*urls));
				if (!nu) {
					free(u);
					break;
				}
				urls = nu;
				cap *= 2;
			}
			urls[n++] = u;
			urls[n] = NULL;
		}
	}
	CRL_DIST_POINTS_free(dps);
	if (urls && n == 0) {
		free(urls);
		return NULL;
	}
	return urls;
}

X509_CRL *crl_parse(const unsigned char *buf, size_t len, char *err,
		    size_t errlen)
{
	X509_CRL *crl = NULL;
	if (!buf || len == 0 || len > 0x7fffffff) {
		errbuf_printf(err, errlen, "the CRL is empty");
		return NULL;
	}
	const unsigned char *p = buf;
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	if (!crl) {
		BIO *b = BIO_new_mem_buf(buf, (int)len);
		if (b) {
			crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
			BIO_free(b);
		}
	}
	if (!crl)
		errbuf_printf(err, errlen, "not a CRL: tried DER and PEM");
	ERR_clear_error();
	return crl;
}

enum http_err crl_fetch(const struct http_opts *o, const char *url,
			const struct hooks *h, X509_CRL **out, char *err,
			size_t errlen)
{
	struct http_opts def;
	*out = NULL;
	if (!o) {
		http_opts_init(&def);
		def.auth = AUTH_NONE;
		def.timeout_s = CRL_DEFAULT_TIMEOUT;
		def.connect_timeout_s = 5;
		def.allow_http = true;
		def.body_cap = CRL_BODY_CAP;
		o = &def;
	}
	struct http_response r;
	memset(&r, 0, sizeof(r));
	char herr[512];
	enum http_err e = http_get(o, url, h, &r, herr, sizeof(herr));
	if (e != HTTP_OK) {
		errbuf_printf(err, errlen, "%s", herr);
		http_response_release(&r);
		return e;
	}
	if (r.status != 200) {
		errbuf_printf(err, errlen, "'%s' answered HTTP %ld", url, r.status);
		http_response_release(&r);
		return HTTP_E_PROTOCOL;
	}
	char perr[128];
	*out = crl_parse(r.body, r.body_len, perr, sizeof(perr));
	http_response_release(&r);
	if (!*out) {
		errbuf_printf(err, errlen, "'%s' did not serve a CRL (%s)", url, perr);
		return HTTP_E_PROTOCOL;
	}
	return HTTP_OK;
}

enum crl_status crl_check(X509_CRL *crl, X509 *x, X509 *issuer,
			  char **revoked_at)
{
	if (revoked_at)
		*revoked_at = NULL;
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(x)) != 0)
		return CRL_WRONG_ISSUER;
	if (issuer) {
		EVP_PKEY *pk = X509_get0_pubkey(issuer);
		int ok = pk ? X509_CRL_verify(crl, pk) : 0;
		ERR_clear_error();
		if (ok != 1)
			return CRL_BAD_SIGNATURE;
	}
	X509_REVOKED *rev = NULL;
	if (X509_CRL_get0_by_cert(crl, &rev, x) == 1 && rev) {
		if (revoked_at)
			*revoked_at = x509_time_text(X509_REVOKED_get0_revocationDate(rev));
		ERR_clear_error();
		return CRL_REVOKED;
	}
	ERR_clear_error();
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
	if (next && X509_cmp_current_time(next) < 0)
		return CRL_STALE;
	return CRL_GOOD;
}
