/*
 * lab_issue.c - what the lab CA hands out: CSRs parsed the way AD CS
 * accepts them, certificates issued per template profile, stored requests
 * issued on approval, CRLs, PKCS#7 chains, CRLF PEM armour for the
 * download pages, and the serials and names read back from certificates
 * (computed here, apart from the client's x509util, so that the lab's
 * tests check the client against an independent result).
 */
#include "lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#define ISSUE_DAYS 365
#define ISSUE_BACKDATE_S 600   /* notBefore 10 minutes back (clock skew) */

/* Disposition texts for CSRs AD CS cannot use (shown on the error page). */
#define DISP_PARSE "Error Parsing Request  ASN1 bad tag value met. " \
	"0x8009310b (ASN: 267 CRYPT_E_ASN1_BADTAG)"
#define DISP_SIG "Error Verifying Request Signature or signing " \
	"certificate  The signature of the certificate cannot be verified. " \
	"0x80096004 (-2146869244 TRUST_E_CERT_SIGNATURE)"

/*
 * The serial's DER content bytes in upper hex, as Windows prints them,
 * worked out from the integer's value: its big-endian magnitude, with a
 * 00 in front when the top bit is set (or the value is 0).  Serials the
 * lab sees are positive; a negative one gives NULL.
 */
char *lab_serial_hex(const X509 *x)
{
	static const char digits[] = "0123456789ABCDEF";
	BIGNUM *bn = x ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)
		       : NULL;
	unsigned char *mag = NULL;
	char *hex = NULL;
	int len, pad;

	if (!bn || BN_is_negative(bn))
		goto out;
	mag = malloc((size_t)BN_num_bytes(bn) + 1);
	if (!mag)
		goto out;
	mag[0] = 0;
	len = BN_bn2bin(bn, mag + 1);
	pad = len == 0 || (mag[1] & 0x80);
	hex = malloc(2 * (size_t)(len + pad) + 1);
	if (!hex)
		goto out;
	for (int i = 0; i < len + pad; i++) {
		unsigned char byte = mag[1 - pad + i];

		hex[2 * i] = digits[byte >> 4];
		hex[2 * i + 1] = digits[byte & 15];
	}
	hex[2 * (len + pad)] = '\0';
out:
	ERR_clear_error();
	free(mag);
	BN_free(bn);
	return hex;
}

char *lab_name_cn(const X509_NAME *n)
{
	int i = n ? X509_NAME_get_index_by_NID(n, NID_commonName, -1) : -1;
	unsigned char *utf8 = NULL;
	char *out = malloc(LAB_CN_MAX + 1);
	int len;

	if (!out)
		return NULL;
	out[0] = '\0';
	if (i < 0)
		return out;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
					  X509_NAME_get_entry(n, i)));
	if (len >= 0 && utf8) {
		size_t k = 0;

		for (int j = 0; j < len && k < LAB_CN_MAX; j++) {
			unsigned char ch = utf8[j];

			out[k++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
		}
		out[k] = '\0';
	}
	OPENSSL_free(utf8);
	return out;
}

char *lab_cdp_url(int ca_port)
{
	char *u;

	if (ca_port <= 0)
		return NULL;
	if (asprintf(&u, "https://127.0.0.1:%d/certsrv/certcrl.crl?"
		     "Type=base&Renewal=0&Enc=bin", ca_port) < 0)
		return NULL;
	return u;
}

char *lab_pem_crlf(const char *label, const unsigned char *der, size_t len,
		   size_t *outlen)
{
	size_t b64 = 4 * ((len + 2) / 3);
	size_t cap = b64 + (b64 / 64 + 2) * 2 + 2 * strlen(label) + 64;
	unsigned char *tmp = malloc(b64 + 1);
	char *out = malloc(cap);
	size_t o = 0;

	if (!tmp || !out) {
		free(tmp);
		free(out);
		return NULL;
	}
	EVP_EncodeBlock(tmp, der, (int)len);
	o += (size_t)snprintf(out + o, cap - o, "-----BEGIN %s-----\r\n", label);
	for (size_t i = 0; i < b64; i += 64) {
		size_t n = b64 - i < 64 ? b64 - i : 64;

		memcpy(out + o, tmp + i, n);
		o += n;
		out[o++] = '\r';
		out[o++] = '\n';
	}
	o += (size_t)snprintf(out + o, cap - o, "-----END %s-----\r\n", label);
	free(tmp);
	if (outlen)
		*outlen = o;
	return out;
}

/* ---- issuing --------------------------------------------------------- */
static int add_cdp(X509 *x, const char *url)
{
	CRL_DIST_POINTS *cdps = sk_DIST_POINT_new_null();
	DIST_POINT *dp = DIST_POINT_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();
	int rc = -1;

	if (!cdps || !dp || !gn || !s)
		goto out;
	dp->distpoint = DIST_POINT_NAME_new();
	if (!dp->distpoint)
		goto out;
	dp->distpoint->type = 0;
	dp->distpoint->name.fullname = GENERAL_NAMES_new();
	if (!dp->distpoint->name.fullname ||
	    !ASN1_STRING_set(s, url, (int)strlen(url)))
		goto out;
	GENERAL_NAME_set0_value(gn, GEN_URI, s);
	s = NULL;
	if (!sk_GENERAL_NAME_push(dp->distpoint->name.fullname, gn))
		goto out;
	gn = NULL;
	if (!sk_DIST_POINT_push(cdps, dp))
		goto out;
	dp = NULL;
	if (X509_add1_ext_i2d(x, NID_crl_distribution_points, cdps, 0,
			      X509V3_ADD_DEFAULT) == 1)
		rc = 0;
out:
	ASN1_IA5STRING_free(s);
	GENERAL_NAME_free(gn);
	DIST_POINT_free(dp);
	CRL_DIST_POINTS_free(cdps);
	return rc;
}

/* ---- CSRs ------------------------------------------------------------ */
/* Value of one base64 character, standard or URL-safe alphabet; -1 else. */
static int b64val(int ch)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch ? strchr(alphabet, ch) : NULL;

	if (ch == '-')
		return 62;
	if (ch == '_')
		return 63;
	return p ? (int)(p - alphabet) : -1;
}

/* Decode base64 ignoring blanks; stops at '='.  -1 on a foreign char. */
static int b64_decode(const char *s, size_t n, unsigned char *out,
		      size_t *outlen)
{
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		int v;

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			continue;
		if (ch == '=')
			break;
		v = b64val(ch);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
		acc &= (1u << bits) - 1;
	}
	*outlen = o;
	return 0;
}

X509_REQ *lab_parse_csr(const char *text, size_t len, char *err,
			size_t errlen)
{
	const char *b = text, *e;
	const char *begin;
	unsigned char *der;
	const unsigned char *p;
	size_t dlen = 0;
	X509_REQ *req = NULL;
	EVP_PKEY *pk;

	snprintf(err, errlen, "%s", DISP_PARSE);
	if (!text || !len)
		return NULL;
	e = text + len;
	begin = memmem(text, len, "-----BEGIN", 10);
	if (begin) {
		const char *nl = memchr(begin, '\n', (size_t)(e - begin));
		const char *end;

		if (!nl)
			return NULL;
		b = nl + 1;
		end = memmem(b, (size_t)(e - b), "-----END", 8);
		if (!end)
			return NULL;
		e = end;
	}
	der = malloc((size_t)(e - b) + 1);
	if (!der)
		return NULL;
	if (b64_decode(b, (size_t)(e - b), der, &dlen) == 0 && dlen > 0) {
		p = der;
		req = d2i_X509_REQ(NULL, &p, (long)dlen);
		if (req && p != der + dlen) {
			X509_REQ_free(req);
			req = NULL;
		}
	}
	free(der);
	ERR_clear_error();
	if (!req)
		return NULL;
	pk = X509_REQ_get0_pubkey(req);
	if (!pk || X509_REQ_verify(req, pk) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "%s", DISP_SIG);
		X509_REQ_free(req);
		return NULL;
	}
	err[0] = '\0';
	return req;
}

/*
 * --validity: notAfter validity_s from now, notBefore back by a tenth of
 * it, at most the usual 10 minutes, so that a certificate of minutes is
 * not half over when it is issued.  0 / -1.
 */
static int set_validity(X509 *x, long long validity_s)
{
	long long back = validity_s / 10 < ISSUE_BACKDATE_S ? validity_s / 10
							    : ISSUE_BACKDATE_S;

	return X509_gmtime_adj(X509_getm_notBefore(x), -(long)back) &&
	       X509_gmtime_adj(X509_getm_notAfter(x), (long)validity_s)
		       ? 0 : -1;
}

X509 *lab_issue(const struct lab_ctx *c, X509_REQ *req, enum lab_profile p,
		const char *cdp_url, char *err, size_t errlen)
{
	const struct lab_ext profile[] = {
		{ NID_key_usage, "critical,digitalSignature,keyEncipherment" },
		{ NID_ext_key_usage, p == LAB_PROFILE_WEBSERVER
					     ? "serverAuth" : "serverAuth,clientAuth" },
		{ NID_subject_key_identifier, "hash" },
		{ NID_authority_key_identifier, "keyid:always" },
		{ 0, NULL }
	};
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	EVP_PKEY *pub = X509_REQ_get0_pubkey(req);
	X509 *x;
	int i;

	x = pub ? lab_new_cert(X509_REQ_get_subject_name(req),
			   X509_get_subject_name(c->root), pub, ISSUE_DAYS)
		: NULL;
	if (!x || (c->validity_s > 0 && set_validity(x, c->validity_s)))
		goto fail;
	/* never beyond the root's own validity */
	if (ASN1_TIME_compare(X509_get0_notAfter(x),
			      X509_get0_notAfter(c->root)) > 0 &&
	    !X509_set1_notAfter(x, X509_get0_notAfter(c->root)))
		goto fail;
	i = exts ? X509v3_get_ext_by_NID(exts, NID_subject_alt_name, -1) : -1;
	if (i >= 0 && !X509_add_ext(x, sk_X509_EXTENSION_value(exts, i), -1))
		goto fail;
	if (lab_add_exts(c->root, x, profile))
		goto fail;
	if (cdp_url && add_cdp(x, cdp_url))
		goto fail;
	if (!X509_sign(x, c->root_key, EVP_sha256()))
		goto fail;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return x;
fail:
	lab_ossl_err(err, errlen, "cannot issue the certificate");
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_free(x);
	return NULL;
}

int lab_issue_stored(const struct lab_ctx *c, struct lab_request *r,
		     const char *cdp_url, char *err, size_t errlen)
{
	char *csrp, *certp;
	char *text;
	size_t len = 0;
	X509_REQ *req;
	X509 *x = NULL;
	char *hex = NULL;
	int rc = -1;

	csrp = lab_request_file(c, r->id, "csr");
	certp = lab_request_file(c, r->id, "pem");
	if (!csrp || !certp) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	text = lab_read_text(csrp, &len, err, errlen);
	if (!text)
		goto out;
	req = lab_parse_csr(text, len, err, errlen);
	free(text);
	if (!req) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "stored request '%s' is unusable: %s",
			 csrp, tmp);
		goto out;
	}
	x = lab_issue(c, req, strcasecmp(r->templ, "WebServer") == 0
		      ? LAB_PROFILE_WEBSERVER : LAB_PROFILE_OPSMGR, cdp_url,
		      err, errlen);
	X509_REQ_free(req);
	if (!x || lab_write_pem(certp, LAB_PEM_CERT, x, err, errlen))
		goto out;
	hex = lab_serial_hex(x);
	if (!hex) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(r->serial, sizeof(r->serial), "%s", hex);
	r->state = REQ_ISSUED;
	r->deny = DENY_NONE;
	rc = 0;
out:
	free(hex);
	X509_free(x);
	free(csrp);
	free(certp);
	return rc;
}

/* ---- CRL and PKCS#7 -------------------------------------------------- */
int lab_make_crl(const struct lab_ctx *c, const struct lab_state *st,
		 unsigned char **der, size_t *len, char *err, size_t errlen)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = NULL;
	ASN1_INTEGER *num = NULL;
	X509V3_CTX ctx;
	X509_EXTENSION *ext = NULL;
	time_t now = time(NULL);
	int n, rc = -1;

	*der = NULL;
	if (!crl || !X509_CRL_set_version(crl, 1) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(c->root)))
		goto fail;
	t = ASN1_TIME_adj(NULL, now, 0, -600);
	if (!t || !X509_CRL_set1_lastUpdate(crl, t))
		goto fail;
	if (!ASN1_TIME_adj(t, now, 7, 0) || !X509_CRL_set1_nextUpdate(crl, t))
		goto fail;
	for (size_t i = 0; i < st->nreq; i++) {
		const struct lab_request *r = &st->req[i];
		X509_REVOKED *rv;
		ASN1_INTEGER *ai;
		BIGNUM *bn = NULL;

		if (r->state != REQ_REVOKED || !strcmp(r->serial, "-"))
			continue;
		if (!BN_hex2bn(&bn, r->serial))
			continue;
		rv = X509_REVOKED_new();
		ai = BN_to_ASN1_INTEGER(bn, NULL);
		BN_free(bn);
		if (!rv || !ai || !X509_REVOKED_set_serialNumber(rv, ai) ||
		    !ASN1_TIME_adj(t, (time_t)r->revoked_at, 0, 0) ||
		    !X509_REVOKED_set_revocationDate(rv, t) ||
		    !X509_CRL_add0_revoked(crl, rv)) {
			ASN1_INTEGER_free(ai);
			X509_REVOKED_free(rv);
			goto fail;
		}
		ASN1_INTEGER_free(ai);
	}
	X509_CRL_sort(crl);
	num = ASN1_INTEGER_new();
	if (!num || !ASN1_INTEGER_set_int64(num, (int64_t)now) ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1)
		goto fail;
	X509V3_set_ctx(&ctx, c->root, NULL, NULL, crl, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier,
				  "keyid:always");
	if (!ext || !X509_CRL_add_ext(crl, ext, -1))
		goto fail;
	if (!X509_CRL_sign(crl, c->root_key, EVP_sha256()))
		goto fail;
	n = i2d_X509_CRL(crl, der);
	if (n <= 0)
		goto fail;
	*len = (size_t)n;
	rc = 0;
	goto out;
fail:
	lab_ossl_err(err, errlen, "cannot make the CRL");
out:
	X509_EXTENSION_free(ext);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return rc;
}

int lab_make_p7b(const struct lab_ctx *c, X509 *x, unsigned char **der,
		 size_t *len)
{
	PKCS7 *p7 = PKCS7_new();
	int n, rc = -1;

	*der = NULL;
	if (!p7 || !PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !PKCS7_content_new(p7, NID_pkcs7_data))
		goto out;
	if (x && !PKCS7_add_certificate(p7, x))
		goto out;
	if (!PKCS7_add_certificate(p7, c->root))
		goto out;
	n = i2d_PKCS7(p7, der);
	if (n > 0) {
		*len = (size_t)n;
		rc = 0;
	}
out:
	ERR_clear_error();
	PKCS7_free(p7);
	return rc;
}
