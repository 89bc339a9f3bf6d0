/*
 * test_lab_ca.c - the lab CA's web-enrollment pages driven with libcurl
 * against a real opsmgr-enroll-lab on an ephemeral loopback port: 401/200,
 * certcarc.asp, CA certificate and chain downloads, OpsMgr / WebServer /
 * unknown-template submissions, bad CSR, pending -> approve / deny,
 * unknown request IDs, revocation in the CRL, oversized bodies (413),
 * a malformed request line (400), pending requests surviving a
 * restart, and --validity (short-lived certificates, also when approved
 * by the command; a bare number refused).  Certificates are checked with
 * OpenSSL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certgen.h"
#include "lab_harness.h"

static struct lab L;
static EVP_PKEY *key;
static const char *extra_header;   /* one more request header, or NULL */

struct resp {
	long status;
	char ctype[128];
	char *body;           /* NUL terminated */
	size_t len;
	char *headers;
	size_t hlen;
};

struct bufpair {
	char *buf;
	size_t len;
};

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	struct bufpair *b = ud;
	size_t add = sz * n;
	char *nb = realloc(b->buf, b->len + add + 1);

	if (!nb)
		return 0;
	memcpy(nb + b->len, p, add);
	b->len += add;
	nb[b->len] = '\0';
	b->buf = nb;
	return add;
}

static void resp_free(struct resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

/* GET (post == NULL) or POST a form; auth: 1 = lab credentials,
 * 0 = none, -1 = wrong password.  Returns the curl code. */
static CURLcode fetch(const char *path, const char *post, size_t postlen,
		      int auth, struct resp *r)
{
	CURL *h = curl_easy_init();
	struct bufpair body = { NULL, 0 }, hdr = { NULL, 0 };
	char url[1024], up[512];
	struct curl_slist *hl = NULL;
	char *ct = NULL;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	assert_non_null(h);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/certsrv/%s",
		 L.ca_port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, L.root_pem);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_USERAGENT,
			 "Mozilla/5.0 opsmgr-enroll-lab test");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &hdr);
	if (auth) {
		snprintf(up, sizeof(up), "%s:%s", L.user,
			 auth > 0 ? L.password : "wrong-password");
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERPWD, up);
	}
	if (post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)postlen);
	}
	if (extra_header) {
		hl = curl_slist_append(NULL, extra_header);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	}
	rc = curl_easy_perform(h);
	curl_slist_free_all(hl);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
	if (ct)
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct);
	curl_easy_cleanup(h);
	r->body = body.buf ? body.buf : strdup("");
	r->len = body.len;
	r->headers = hdr.buf ? hdr.buf : strdup("");
	r->hlen = hdr.len;
	return rc;
}

static void get_ok(const char *path, struct resp *r)
{
	assert_int_equal(fetch(path, NULL, 0, 1, r), CURLE_OK);
}

static char *csr_pem(const char *cn, const char *san)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long len;

	assert_non_null(req);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_REQ_set_subject_name(req, n);
	X509_REQ_set_pubkey(req, key);
	if (san) {
		STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL,
			NID_subject_alt_name, san);

		assert_non_null(e);
		sk_X509_EXTENSION_push(exts, e);
		X509_REQ_add_extensions(req, exts);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	PEM_write_bio_X509_REQ(b, req);
	len = BIO_get_mem_data(b, &data);
	out = strndup(data, (size_t)len);
	BIO_free(b);
	X509_NAME_free(n);
	X509_REQ_free(req);
	return out;
}

/* POST certfnsh.asp Mode=newreq with csr text and template. */
static void submit(const char *csr, const char *tmpl, struct resp *r)
{
	CURL *h = curl_easy_init();
	char attrib[256], *e_csr, *e_attr, *form;

	snprintf(attrib, sizeof(attrib), "CertificateTemplate:%s\r\n"
		 "UserAgent:lab-test\r\n", tmpl);
	e_csr = curl_easy_escape(h, csr, 0);
	e_attr = curl_easy_escape(h, attrib, 0);
	assert_true(asprintf(&form, "Mode=newreq&CertRequest=%s&CertAttrib=%s"
			     "&FriendlyType=Saved-Request%%20Certificate"
			     "&TargetStoreFlags=0&SaveCert=yes", e_csr,
			     e_attr) > 0);
	curl_free(e_csr);
	curl_free(e_attr);
	curl_easy_cleanup(h);
	assert_int_equal(fetch("certfnsh.asp", form, strlen(form), 1, r),
			 CURLE_OK);
	free(form);
	assert_int_equal(r->status, 200);
}

static long regex_id(const char *text, const char *pattern)
{
	regex_t re;
	regmatch_t m[2];
	long id = -1;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED), 0);
	if (regexec(&re, text, 2, m, 0) == 0 && m[1].rm_so >= 0)
		id = strtol(text + m[1].rm_so, NULL, 10);
	regfree(&re);
	return id;
}

/* certsrv.py's disposition regex; malloc'd capture or NULL. */
static char *disposition(const char *text)
{
	regex_t re;
	regmatch_t m[2];
	char *out = NULL;

	assert_int_equal(regcomp(&re,
		"Disposition message:[^\t]+\t\t([^\r\n]+)", REG_EXTENDED), 0);
	if (regexec(&re, text, 2, m, 0) == 0)
		out = strndup(text + m[1].rm_so,
			      (size_t)(m[1].rm_eo - m[1].rm_so));
	regfree(&re);
	return out;
}

static X509 *root_cert(void)
{
	FILE *f = fopen(L.root_pem, "r");
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

/* Every LF preceded by CR. */
static int crlf_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return 0;
	return 1;
}

static X509 *fetch_cert(long id, int b64)
{
	char path[128];
	struct resp r;
	X509 *x;

	snprintf(path, sizeof(path), "certnew.cer?ReqID=%ld&Enc=%s", id,
		 b64 ? "b64" : "bin");
	get_ok(path, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "application/pkix-cert");
	if (b64) {
		BIO *b = BIO_new_mem_buf(r.body, (int)r.len);

		assert_true(crlf_only(r.body, r.len));
		assert_non_null(strstr(r.body, "-----BEGIN CERTIFICATE-----\r\n"));
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *p = (const unsigned char *)r.body;

		x = d2i_X509(NULL, &p, (long)r.len);
	}
	resp_free(&r);
	assert_non_null(x);
	return x;
}

static long submit_issued(const char *cn, const char *tmpl)
{
	char san[300];
	char *csr;
	struct resp r;
	long id;

	snprintf(san, sizeof(san), "DNS:%s", cn);
	csr = csr_pem(cn, san);
	submit(csr, tmpl, &r);
	free(csr);
	assert_non_null(strstr(r.body, "Certificate Issued"));
	id = regex_id(r.body, "certnew.cer\\?ReqID=([0-9]+)&");
	assert_true(id > 0);
	assert_non_null(strstr(r.body, "&amp;Enc=b64"));
	resp_free(&r);
	return id;
}

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	key = certgen_key(CERTGEN_RSA, 2048, 0);   /* cached test key */
	if (!key)
		return -1;
	memset(&L, 0, sizeof(L));
	return lab_start(&L, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	lab_stop(&L);
	EVP_PKEY_free(key);
	certgen_cleanup();
	curl_global_cleanup();
	return 0;
}

/* ---- tests ----------------------------------------------------------- */
static void test_home_401_then_200(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(fetch("", NULL, 0, 0, &r), CURLE_OK);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.headers,
			       "WWW-Authenticate: Basic realm=\"127.0.0.1\""));
	assert_non_null(strstr(r.body, "401 - Unauthorized: Access is denied "
			       "due to invalid credentials."));
	resp_free(&r);

	assert_int_equal(fetch("", NULL, 0, -1, &r), CURLE_OK);
	assert_int_equal(r.status, 401);
	resp_free(&r);

	assert_int_equal(fetch("certcarc.asp", NULL, 0, 0, &r), CURLE_OK);
	assert_int_equal(r.status, 401);
	resp_free(&r);

	get_ok("", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.ctype, "text/html"));
	assert_non_null(strstr(r.body, "Microsoft Active Directory "
			       "Certificate Services"));
	resp_free(&r);
}

static void test_certcarc_renewals(void **state)
{
	struct resp r;

	(void)state;
	get_ok("certcarc.asp", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(regex_id(r.body, "var nRenewals=([0-9]+);"), 0);
	resp_free(&r);

	get_ok("certrqxt.asp", &r);
	assert_non_null(strstr(r.body, "lbCertTemplate"));
	assert_non_null(strstr(r.body, ";OpsMgr;"));
	assert_non_null(strstr(r.body, ";WebServer;"));
	resp_free(&r);
}

static void test_ca_cert_b64_and_bin(void **state)
{
	struct resp r;
	X509 *root = root_cert(), *x;
	BIO *b;
	const unsigned char *p;

	(void)state;
	get_ok("certnew.cer?ReqID=CACert&Renewal=0&Enc=b64", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "application/pkix-cert");
	assert_true(crlf_only(r.body, r.len));
	assert_memory_equal(r.body, "-----BEGIN CERTIFICATE-----\r\n", 29);
	b = BIO_new_mem_buf(r.body, (int)r.len);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(x);
	assert_int_equal(X509_cmp(x, root), 0);
	X509_free(x);
	resp_free(&r);

	get_ok("certnew.cer?ReqID=CACert&Renewal=0&Enc=bin", &r);
	assert_string_equal(r.ctype, "application/pkix-cert");
	p = (const unsigned char *)r.body;
	x = d2i_X509(NULL, &p, (long)r.len);
	assert_non_null(x);
	assert_int_equal(X509_cmp(x, root), 0);
	{
		char cn[128];

		X509_NAME_get_text_by_NID(X509_get_subject_name(x),
					  NID_commonName, cn, sizeof(cn));
		assert_string_equal(cn, "opsmgr-enroll lab root");
		assert_int_equal(EVP_PKEY_get_bits(X509_get0_pubkey(x)), 3072);
	}
	X509_free(x);
	resp_free(&r);
	X509_free(root);
}

static PKCS7 *p7_from(const struct resp *r, int b64)
{
	const unsigned char *p;
	unsigned char *der;
	PKCS7 *p7;
	char *s, *e;
	int n;

	if (!b64) {
		p = (const unsigned char *)r->body;
		return d2i_PKCS7(NULL, &p, (long)r->len);
	}
	s = strstr(r->body, "-----\r\n");
	e = strstr(r->body, "\r\n-----END");
	assert_non_null(s);
	assert_non_null(e);
	s += 7;
	{
		char *clean = malloc((size_t)(e - s) + 1);
		size_t k = 0;

		for (char *q = s; q < e; q++)
			if (*q != '\r' && *q != '\n')
				clean[k++] = *q;
		clean[k] = '\0';
		der = malloc(k);
		n = EVP_DecodeBlock(der, (unsigned char *)clean, (int)k);
		while (k && clean[--k] == '=')
			n--;
		free(clean);
	}
	p = der;
	p7 = d2i_PKCS7(NULL, &p, n);
	free(der);
	return p7;
}

static void test_chain_p7b(void **state)
{
	struct resp r;
	X509 *root = root_cert();
	PKCS7 *p7;

	(void)state;
	for (int b64 = 0; b64 < 2; b64++) {
		get_ok(b64 ? "certnew.p7b?ReqID=CACert&Renewal=0&Enc=b64"
			   : "certnew.p7b?ReqID=CACert&Renewal=0&Enc=bin", &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.ctype,
				    "application/x-pkcs7-certificates");
		if (b64)
			assert_true(crlf_only(r.body, r.len));
		p7 = p7_from(&r, b64);
		assert_non_null(p7);
		assert_true(PKCS7_type_is_signed(p7));
		assert_int_equal(sk_X509_num(p7->d.sign->cert), 1);
		assert_int_equal(X509_cmp(sk_X509_value(p7->d.sign->cert, 0),
					  root), 0);
		PKCS7_free(p7);
		resp_free(&r);
	}
	X509_free(root);
}

static int has_dns(X509 *x, const char *name)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					       NULL);
	int found = 0;

	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_DNS &&
		    !strcmp((const char *)ASN1_STRING_get0_data(g->d.dNSName),
			    name))
			found = 1;
	}
	GENERAL_NAMES_free(gens);
	return found;
}

static void test_submit_opsmgr_issued(void **state)
{
	long id = submit_issued("agent01.lab.test", "OpsMgr");
	X509 *b64 = fetch_cert(id, 1), *bin = fetch_cert(id, 0);
	X509 *root = root_cert();
	ASN1_BIT_STRING *ku;
	int crit = -1;
	char cn[256];

	(void)state;
	assert_int_equal(X509_cmp(b64, bin), 0);
	assert_int_equal(X509_verify(bin, X509_get0_pubkey(root)), 1);
	assert_int_equal(X509_check_issued(root, bin), X509_V_OK);
	X509_NAME_get_text_by_NID(X509_get_subject_name(bin), NID_commonName,
				  cn, sizeof(cn));
	assert_string_equal(cn, "agent01.lab.test");
	assert_true(has_dns(bin, "agent01.lab.test"));
	assert_true(X509_get_extended_key_usage(bin) & XKU_SSL_SERVER);
	assert_true(X509_get_extended_key_usage(bin) & XKU_SSL_CLIENT);
	ku = X509_get_ext_d2i(bin, NID_key_usage, &crit, NULL);
	assert_non_null(ku);
	assert_int_equal(crit, 1);
	assert_true(X509_get_key_usage(bin) & KU_DIGITAL_SIGNATURE);
	assert_true(X509_get_key_usage(bin) & KU_KEY_ENCIPHERMENT);
	ASN1_BIT_STRING_free(ku);
	{
		STACK_OF(DIST_POINT) *cdp = X509_get_ext_d2i(
			bin, NID_crl_distribution_points, NULL, NULL);
		GENERAL_NAME *g;

		assert_non_null(cdp);
		g = sk_GENERAL_NAME_value(
			sk_DIST_POINT_value(cdp, 0)->distpoint->name.fullname, 0);
		assert_int_equal(g->type, GEN_URI);
		assert_non_null(strstr((const char *)ASN1_STRING_get0_data(
					       g->d.uniformResourceIdentifier),
				       "/certsrv/certcrl.crl?Type=base"));
		CRL_DIST_POINTS_free(cdp);
	}
	/* about one year */
	{
		int days = 0, secs = 0;

		ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(bin),
			       X509_get0_notAfter(bin));
		assert_in_range(days, 364, 366);
	}
	X509_free(b64);
	X509_free(bin);
	X509_free(root);
}

static void test_webserver_server_auth_only(void **state)
{
	long id = submit_issued("web01.lab.test", "WebServer");
	X509 *x = fetch_cert(id, 0);

	(void)state;
	assert_true(X509_get_extended_key_usage(x) & XKU_SSL_SERVER);
	assert_false(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT);
	X509_free(x);
}

static void test_unknown_template_denied(void **state)
{
	char *csr = csr_pem("agent02.lab.test", NULL);
	struct resp r;

	(void)state;
	submit(csr, "Ops Mgr", &r);
	assert_null(strstr(r.body, "certnew.cer?ReqID="));
	assert_null(strstr(r.body, "Certificate Pending"));
	assert_non_null(strstr(r.body, "The disposition message is \"Denied "
			       "by Policy Module  0x80094800, The request was "
			       "for a certificate template that is not "
			       "supported."));
	assert_non_null(strstr(r.body, "CERTSRV_E_UNSUPPORTED_CERT_TYPE"));
	resp_free(&r);
	free(csr);
}

static void test_bad_csr(void **state)
{
	struct resp r;

	(void)state;
	submit("-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgQ1NS\n"
	       "-----END CERTIFICATE REQUEST-----\n", "OpsMgr", &r);
	assert_non_null(strstr(r.body, "The disposition message is \"Error "
			       "Parsing Request"));
	assert_null(strstr(r.body, "certnew.cer?ReqID="));
	resp_free(&r);
	submit("", "OpsMgr", &r);
	assert_non_null(strstr(r.body, "Error Parsing Request"));
	resp_free(&r);
}

static long submit_pending(const char *cn)
{
	char *csr = csr_pem(cn, NULL);
	struct resp r;
	long id;

	submit(csr, "OpsMgrManual", &r);
	free(csr);
	assert_non_null(strstr(r.body, "Certificate Pending"));
	assert_null(strstr(r.body, "certnew.cer?ReqID="));
	id = regex_id(r.body, "Your Request Id is ([0-9]+)\\.");
	assert_true(id > 0);
	resp_free(&r);
	return id;
}

static void expect_disposition(long id, const char *prefix)
{
	char path[128];
	struct resp r;
	char *d;

	snprintf(path, sizeof(path), "certnew.cer?ReqID=%ld&Enc=b64", id);
	get_ok(path, &r);
	assert_int_equal(r.status, 200);
	assert_string_not_equal(r.ctype, "application/pkix-cert");
	d = disposition(r.body);
	assert_non_null(d);
	if (strncmp(d, prefix, strlen(prefix)))
		fail_msg("disposition '%s' does not start with '%s'", d,
			 prefix);
	free(d);
	resp_free(&r);
}

static void chkpnd(long id, struct resp *r)
{
	char form[128];

	snprintf(form, sizeof(form), "Mode=chkpnd&ReqID=%ld&SaveCert=yes&"
		 "TargetStoreFlags=0", id);
	assert_int_equal(fetch("certfnsh.asp", form, strlen(form), 1, r),
			 CURLE_OK);
	assert_int_equal(r->status, 200);
}

static void test_pending_then_approve(void **state)
{
	long id = submit_pending("manual01.lab.test");
	char ids[32], *out = NULL;
	struct resp r;
	X509 *x;

	(void)state;
	expect_disposition(id, "Taken Under Submission");
	chkpnd(id, &r);
	assert_non_null(strstr(r.body, "Certificate Pending"));
	resp_free(&r);

	snprintf(ids, sizeof(ids), "%ld", id);
	{
		const char *args[] = { "approve", "--dir", L.dir, ids, NULL };

		assert_int_equal(lab_cmd(args, &out), 0);
		free(out);
		/* approving twice: no longer pending */
		assert_int_equal(lab_cmd(args, &out), 1);
		assert_non_null(strstr(out, "not pending"));
		free(out);
	}
	x = fetch_cert(id, 1);
	assert_true(X509_get_extended_key_usage(x) & XKU_SSL_CLIENT);
	X509_free(x);
	chkpnd(id, &r);
	assert_non_null(strstr(r.body, "Certificate Issued"));
	resp_free(&r);
	{
		const char *args[] = { "list", "--dir", L.dir, NULL };
		char line[128];

		assert_int_equal(lab_cmd(args, &out), 0);
		snprintf(line, sizeof(line), "request %ld issued OpsMgrManual "
			 "manual01.lab.test\n", id);
		assert_non_null(strstr(out, line));
		free(out);
	}
}

static void test_pending_then_deny(void **state)
{
	long id = submit_pending("manual02.lab.test");
	char ids[32], *out = NULL;
	struct resp r;

	(void)state;
	snprintf(ids, sizeof(ids), "%ld", id);
	{
		const char *args[] = { "deny", "--dir", L.dir, ids, NULL };

		assert_int_equal(lab_cmd(args, &out), 0);
		free(out);
	}
	expect_disposition(id, "Denied by Policy Module");
	chkpnd(id, &r);
	assert_non_null(strstr(r.body, "The disposition message is \"Denied"));
	resp_free(&r);
	{
		const char *args[] = { "approve", "--dir", L.dir, ids, NULL };

		assert_int_equal(lab_cmd(args, &out), 1);
		free(out);
	}
}

static void test_unknown_request_id(void **state)
{
	(void)state;
	expect_disposition(987654, "The requested property value is empty");
	{
		const char *args[] = { "approve", "--dir", L.dir, "987654",
				       NULL };
		char *out = NULL;

		assert_int_equal(lab_cmd(args, &out), 1);
		assert_non_null(strstr(out, "no request 987654"));
		free(out);
	}
}

static X509_CRL *fetch_crl(int b64)
{
	struct resp r;
	X509_CRL *crl;

	/* the CRL distribution point needs no credentials */
	assert_int_equal(fetch(b64 ? "certcrl.crl?Type=base&Renewal=0&Enc=b64"
				   : "certcrl.crl?Type=base&Renewal=0&Enc=bin",
			       NULL, 0, 0, &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "application/pkix-crl");
	if (b64) {
		BIO *b = BIO_new_mem_buf(r.body, (int)r.len);

		assert_true(crlf_only(r.body, r.len));
		crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *p = (const unsigned char *)r.body;

		crl = d2i_X509_CRL(NULL, &p, (long)r.len);
	}
	resp_free(&r);
	assert_non_null(crl);
	return crl;
}

static void test_revoke_appears_in_crl(void **state)
{
	long id = submit_issued("revoked01.lab.test", "OpsMgr");
	X509 *x = fetch_cert(id, 0), *root = root_cert();
	X509_REVOKED *rv = NULL;
	X509_CRL *crl;
	char ids[32], *out = NULL;

	(void)state;
	crl = fetch_crl(0);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(root)), 1);
	assert_int_equal(X509_CRL_get0_by_serial(crl, &rv,
			 X509_get0_serialNumber(x)), 0);
	X509_CRL_free(crl);

	snprintf(ids, sizeof(ids), "%ld", id);
	{
		const char *args[] = { "revoke", "--dir", L.dir, ids, NULL };

		assert_int_equal(lab_cmd(args, &out), 0);
		free(out);
	}
	for (int b64 = 0; b64 < 2; b64++) {
		crl = fetch_crl(b64);
		assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(root)),
				 1);
		assert_int_equal(X509_NAME_cmp(X509_CRL_get_issuer(crl),
					       X509_get_subject_name(root)), 0);
		rv = NULL;
		assert_int_equal(X509_CRL_get0_by_serial(crl, &rv,
				 X509_get0_serialNumber(x)), 1);
		X509_CRL_free(crl);
	}
	X509_free(x);
	X509_free(root);
}

static void test_oversized_body_413(void **state)
{
	size_t n = 200 * 1024;
	char *big = malloc(n + 1);
	struct resp r;

	(void)state;
	memset(big, 'A', n);
	memcpy(big, "Mode=newreq&CertRequest=", 24);
	big[n] = '\0';
	/* Content-Length too large: refused before the body is read.  With
	 * "Expect: 100-continue" the client waits for that answer instead of
	 * racing the server's close with its upload (a send error, not a
	 * 413, when the close wins). */
	extra_header = "Expect: 100-continue";
	assert_int_equal(fetch("certfnsh.asp", big, n, 1, &r), CURLE_OK);
	extra_header = NULL;
	assert_int_equal(r.status, 413);
	resp_free(&r);
	/* chunked: no Content-Length to refuse up front */
	extra_header = "Transfer-Encoding: chunked";
	assert_int_equal(fetch("certfnsh.asp", big, n, 1, &r), CURLE_OK);
	extra_header = NULL;
	assert_int_equal(r.status, 413);
	resp_free(&r);
	free(big);
	/* still serving */
	get_ok("certcarc.asp", &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

/* Raw TLS: send bytes, return what the server answered (malloc'd). */
static char *raw_tls(const char *data, size_t len)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	BIO *b;
	char host[64], buf[4096];
	size_t got = 0;
	int n;

	assert_non_null(ctx);
	SSL_CTX_load_verify_locations(ctx, L.root_pem, NULL);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	b = BIO_new_ssl_connect(ctx);
	snprintf(host, sizeof(host), "127.0.0.1:%d", L.ca_port);
	BIO_set_conn_hostname(b, host);
	assert_int_equal(BIO_do_connect(b), 1);
	assert_int_equal(BIO_do_handshake(b), 1);
	assert_int_equal(BIO_write(b, data, (int)len), (int)len);
	while (got < sizeof(buf) - 1 &&
	       (n = BIO_read(b, buf + got, (int)(sizeof(buf) - 1 - got))) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	BIO_free_all(b);
	SSL_CTX_free(ctx);
	return strdup(buf);
}

static void expect_400(const char *req, size_t len)
{
	char *ans = raw_tls(req, len);

	if (strncmp(ans, "HTTP/1.1 400", 12) && strncmp(ans, "HTTP/1.0 400", 12))
		fail_msg("expected 400 for '%.40s', got '%.60s'", req, ans);
	free(ans);
}

static void test_malformed_request_line_400(void **state)
{
	static const char bad1[] = "GET /certsrv/ HTTP/1.1 junk junk\r\n"
				   "Host: 127.0.0.1\r\n\r\n";
	static const char bad2[] = "GET /certsrv/ HTTP/1.1\r\n"
				   "this header line has no colon\r\n\r\n";
	static const char bad3[] = "\x01\x02garbage-without-spaces\r\n\r\n";
	struct resp r;
	char *ans;

	(void)state;
	expect_400(bad1, sizeof(bad1) - 1);
	expect_400(bad2, sizeof(bad2) - 1);
	/* binary garbage: refused (400 or closed), never served */
	ans = raw_tls(bad3, sizeof(bad3) - 1);
	assert_null(strstr(ans, " 200 "));
	free(ans);
	get_ok("certcarc.asp", &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

static void test_cli_usage(void **state)
{
	const char *none[] = { "approve", "--dir", L.dir, NULL };
	const char *bad[] = { "revoke", "--dir", L.dir, "agent01.lab.test",
			      NULL };
	char *out = NULL;

	(void)state;
	assert_int_equal(lab_cmd(none, &out), 2);
	free(out);
	assert_int_equal(lab_cmd(bad, &out), 2);
	free(out);
}

/* "opsmgr-enroll-lab approve --dir dir ID" issues request id. */
static void approve_by_command(const char *dir, long id)
{
	char ids[32], *out = NULL;
	const char *args[] = { "approve", "--dir", dir, ids, NULL };

	snprintf(ids, sizeof(ids), "%ld", id);
	if (lab_cmd(args, &out) != 0)
		fail_msg("approve %ld: %s", id, out ? out : "");
	free(out);
}

static void test_pending_survives_restart(void **state)
{
	struct lab saved = L;
	struct lab own;
	long id, id2;
	X509 *x;

	(void)state;
	memset(&own, 0, sizeof(own));
	own.keep_dir = 1;
	assert_int_equal(lab_start(&own, NULL, NULL), 0);
	L = own;
	id = submit_pending("restart01.lab.test");
	own = L;
	lab_kill(&own);
	assert_int_equal(lab_start(&own, own.dir, NULL), 0);
	L = own;
	expect_disposition(id, "Taken Under Submission");
	id2 = submit_pending("restart02.lab.test");
	assert_true(id2 > id);
	approve_by_command(own.dir, id);
	x = fetch_cert(id, 0);
	X509_free(x);
	own.keep_dir = 0;
	lab_stop(&own);
	L = saved;
}

/* Seconds from now to t (negative: t is past). */
static long long secs_from_now(const ASN1_TIME *t)
{
	int days = 0, secs = 0;

	assert_true(ASN1_TIME_diff(&days, &secs, NULL, t));
	return (long long)days * 86400 + secs;
}

/* The certificate x lives 3 minutes from about now: notAfter 180 s ahead
 * (less the seconds the test took), notBefore a tenth of that back. */
static void expect_three_minutes(X509 *x)
{
	long long after = secs_from_now(X509_get0_notAfter(x));
	long long before = secs_from_now(X509_get0_notBefore(x));

	if (after < 120 || after > 181)
		fail_msg("notAfter %lld s from now, want about 180", after);
	if (before < -19 - 60 || before > -17)
		fail_msg("notBefore %lld s from now, want about -18", before);
}

static void test_validity_minutes(void **state)
{
	const char *const extra[] = { "--validity", "3m", NULL };
	struct lab saved = L, own;
	long id;
	X509 *x;

	(void)state;
	memset(&own, 0, sizeof(own));
	assert_int_equal(lab_start(&own, NULL, extra), 0);
	L = own;
	x = fetch_cert(submit_issued("short01.lab.test", "OpsMgr"), 0);
	expect_three_minutes(x);
	X509_free(x);
	/* approved by the command: the running lab's validity too */
	id = submit_pending("short02.lab.test");
	approve_by_command(own.dir, id);
	x = fetch_cert(id, 0);
	expect_three_minutes(x);
	X509_free(x);
	lab_stop(&own);
	L = saved;
}

static void test_validity_refused(void **state)
{
	const char *bare[] = { "--dir", L.dir, "--validity", "30", NULL };
	const char *zero[] = { "--dir", L.dir, "--validity", "0d", NULL };
	const char *none[] = { "--dir", L.dir, "--validity", NULL };
	char *out = NULL;

	(void)state;
	assert_int_equal(lab_cmd(bare, &out), 2);
	assert_non_null(strstr(out, "--validity: '30' has no unit"));
	free(out);
	assert_int_equal(lab_cmd(zero, &out), 2);
	assert_non_null(strstr(out, "'0d' is zero"));
	free(out);
	assert_int_equal(lab_cmd(none, &out), 2);
	assert_non_null(strstr(out, "is empty"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_home_401_then_200),
		cmocka_unit_test(test_certcarc_renewals),
		cmocka_unit_test(test_ca_cert_b64_and_bin),
		cmocka_unit_test(test_chain_p7b),
		cmocka_unit_test(test_submit_opsmgr_issued),
		cmocka_unit_test(test_webserver_server_auth_only),
		cmocka_unit_test(test_unknown_template_denied),
		cmocka_unit_test(test_bad_csr),
		cmocka_unit_test(test_pending_then_approve),
		cmocka_unit_test(test_pending_then_deny),
		cmocka_unit_test(test_unknown_request_id),
		cmocka_unit_test(test_revoke_appears_in_crl),
		cmocka_unit_test(test_oversized_body_413),
		cmocka_unit_test(test_malformed_request_line_400),
		cmocka_unit_test(test_cli_usage),
		cmocka_unit_test(test_pending_survives_restart),
		cmocka_unit_test(test_validity_minutes),
		cmocka_unit_test(test_validity_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
