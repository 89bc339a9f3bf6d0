/*
 * csr.c - building, encoding and reading the PKCS#10 request (csr.h).
 */
#include "pki/csr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki/x509util.h"
#include "core/fsutil.h"

static int add_ext(STACK_OF(X509_EXTENSION) *exts, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, NULL, NULL, NULL, NULL, 0);
	X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ex)
		return -1;
	if (!sk_X509_EXTENSION_push(exts, ex)) {
		X509_EXTENSION_free(ex);
		return -1;
	}
	return 0;
}

X509_REQ *csr_build(EVP_PKEY *key, const char *fqdn, char *err,
		    size_t errlen)
{
	char oe[256];
	X509_REQ *req = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	char *san = NULL;
	const char *step = "create the request";

	if (!key || !fqdn || !*fqdn || strpbrk(fqdn, ",=+\"\\<>;\r\n")) {
		snprintf(err, errlen, "cannot build a request for '%s': not a "
			 "host name", fqdn ? fqdn : "");
		return NULL;
	}
	req = X509_REQ_new();
	if (!req)
		goto fail;
	step = "set the request version";
	if (!X509_REQ_set_version(req, 0))
		goto fail;
	step = "set the subject";
	X509_NAME *name = X509_REQ_get_subject_name(req);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)fqdn, -1, -1, 0))
		goto fail;
	step = "set the public key";
	if (!X509_REQ_set_pubkey(req, key))
		goto fail;

	step = "add the extensions";
	exts = sk_X509_EXTENSION_new_null();
	size_t sl = strlen(fqdn) + 8;
	san = malloc(sl);
	if (!exts || !san)
		goto fail;
	snprintf(san, sl, "DNS:%s", fqdn);
	if (add_ext(exts, NID_subject_alt_name, san) < 0 ||
	    add_ext(exts, NID_ext_key_usage, "serverAuth,clientAuth") < 0 ||
	    add_ext(exts, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment") < 0 ||
	    !X509_REQ_add_extensions(req, exts))
		goto fail;

	step = "sign the request (SHA-256)";
	if (X509_REQ_sign(req, key, EVP_sha256()) <= 0)
		goto fail;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	free(san);
	return req;
fail:
	x509_ossl_err(oe, sizeof(oe));
	snprintf(err, errlen, "cannot %s for '%s': %s", step, fqdn, oe);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	free(san);
	X509_REQ_free(req);
	return NULL;
}

char *csr_to_pem(X509_REQ *req)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *out = NULL, *data = NULL;
	if (b && PEM_write_bio_X509_REQ(b, req)) {
		long n = BIO_get_mem_data(b, &data);
		out = malloc((size_t)n + 1);
		if (out) {
			memcpy(out, data, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(b);
	return out;
}

X509_REQ *csr_parse(const unsigned char *buf, size_t len, char *err,
		    size_t errlen)
{
	char oe[256];
	X509_REQ *req = NULL;
	if (!buf || len == 0 || len > (1u << 24)) {
		snprintf(err, errlen, "empty or oversized certificate request");
		return NULL;
	}
	BIO *b = BIO_new_mem_buf(buf, (int)len);
	if (b)
		req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!req) {
		const unsigned char *p = buf;
		ERR_clear_error();
		req = d2i_X509_REQ(NULL, &p, (long)len);
	}
	if (!req) {
		x509_ossl_err(oe, sizeof(oe));
		snprintf(err, errlen,
			 "not a certificate request (tried PEM and DER): %s", oe);
	}
	return req;
}

X509_REQ *csr_load_file(const char *path, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char e2[FS_ERRLEN];
	if (fs_read_file(path, 1u << 20, &buf, &len, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "%s", e2);
		return NULL;
	}
	X509_REQ *req = csr_parse(buf, len, e2, sizeof(e2));
	if (!req)
		snprintf(err, errlen, "'%s': %s", path, e2);
	free(buf);
	return req;
}

int csr_matches_key(X509_REQ *req, EVP_PKEY *key)
{
	EVP_PKEY *pub = X509_REQ_get0_pubkey(req);
	int ok = pub && key && EVP_PKEY_eq(pub, key) == 1 &&
		 X509_REQ_verify(req, pub) == 1;
	ERR_clear_error();
	return ok;
}

char *csr_subject_cn(X509_REQ *req)
{
	X509_NAME *n = X509_REQ_get_subject_name(req);
	int i = n ? X509_NAME_get_index_by_NID(n, NID_commonName, -1) : -1;
	if (i < 0)
		return NULL;
	ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	unsigned char *u = NULL;
	int l = ASN1_STRING_to_UTF8(&u, s);
	if (l < 0)
		return NULL;
	char *out = malloc((size_t)l + 1);
	if (out) {
		memcpy(out, u, (size_t)l);
		out[l] = '\0';
	}
	OPENSSL_free(u);
	return out;
}
