/*
 * lab_pki.c - the lab's certificate authority with OpenSSL: creating or
 * loading the root CA (RSA 3072, SHA-256), the HTTPS server certificate
 * (127.0.0.1 + localhost) and the password files; parsing CSRs the way
 * AD CS accepts them; issuing certificates per template profile; CRLs,
 * PKCS#7 chains and CRLF PEM armour for the download pages.
 */
#include "lab.h"
#include "sys/fsutil.h"
#include "pki/x509util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#define ROOT_CN "opsmgr-enroll lab root"
#define ROOT_DAYS (10 * 365)
#define SERVER_DAYS 825
#define ISSUE_DAYS 365
#define PEM_CAP (1024u * 1024u)

/* Disposition texts for CSRs AD CS cannot use (shown on the error page). */
#define DISP_PARSE "Error Parsing Request  ASN1 bad tag value met. " \
	"0x8009310b (ASN: 267 CRYPT_E_ASN1_BADTAG)"
#define DISP_SIG "Error Verifying Request Signature or signing " \
	"certificate  The signature of the certificate cannot be verified. " \
	"0x80096004 (-2146869244 TRUST_E_CERT_SIGNATURE)"

static void ossl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e ? buf : "unknown error");
	ERR_clear_error();
}

char *lab_random_password(size_t n)
{
	static const char alpha[] = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		"abcdefghijkmnopqrstuvwxyz23456789";
	const size_t na = sizeof(alpha) - 1;
	char *p = malloc(n + 1);
	size_t i = 0;

	if (!p)
		return NULL;
	while (i < n) {
		unsigned char b[32];

		if (RAND_bytes(b, sizeof(b)) != 1) {
			free(p);
			return NULL;
		}
		for (size_t k = 0; k < sizeof(b) && i < n; k++)
			if (b[k] < 256 - (256 % na))
				p[i++] = alpha[b[k] % na];
		OPENSSL_cleanse(b, sizeof(b));
	}
	p[n] = '\0';
	return p;
}

/* Positive random 16-byte serial whose first byte has no sign bit. */
static int set_random_serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[0] = (unsigned char)((b[0] & 0x6f) | 0x10);
	bn = BN_bin2bn(b, sizeof(b), NULL);
	if (!bn)
		return -1;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

char *lab_serial_hex(const X509 *x)
{
	/* DER content bytes, as Windows prints serials (x509util.h) */
	return x509_serial_hex(x);
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

char *lab_root_sha256(const struct lab_ctx *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *hex;

	if (!X509_digest(c->root, EVP_sha256(), md, &n))
		return NULL;
	hex = malloc(n * 2 + 1);
	if (!hex)
		return NULL;
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + i * 2, 3, "%02X", md[i]);
	return hex;
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

/* ---- extensions ------------------------------------------------------ */
static int add_ext(X509 *issuer, X509 *subject, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, subject, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(subject, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

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

static X509 *new_cert(X509_NAME *subject, X509_NAME *issuer, EVP_PKEY *pub,
		      long days)
{
	X509 *x = X509_new();

	if (!x || !X509_set_version(x, 2) || set_random_serial(x) ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, issuer) || !X509_set_pubkey(x, pub) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -600) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* ---- creation -------------------------------------------------------- */
static int write_key(const char *path, EVP_PKEY *k, char *err, size_t errlen)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *data;
	long n;
	int rc = -1;

	if (!b || !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)) {
		ossl_err(err, errlen, "cannot encode a private key");
		BIO_free(b);
		return -1;
	}
	n = BIO_get_mem_data(b, &data);
	rc = fs_write_atomic(path, data, (size_t)n, 0600, err, errlen);
	BIO_free(b);
	return rc;
}

static int write_cert(const char *path, X509 *x, char *err, size_t errlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc;

	if (!b || !PEM_write_bio_X509(b, x)) {
		ossl_err(err, errlen, "cannot encode a certificate");
		BIO_free(b);
		return -1;
	}
	n = BIO_get_mem_data(b, &data);
	rc = fs_write_atomic(path, data, (size_t)n, 0644, err, errlen);
	BIO_free(b);
	return rc;
}

static int create_root(struct lab_ctx *c, const char *kpath,
		       const char *cpath, char *err, size_t errlen)
{
	EVP_PKEY *k = EVP_RSA_gen(3072);
	X509_NAME *n = X509_NAME_new();
	X509 *x = NULL;
	int rc = -1;

	if (!k || !n || !X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
		(const unsigned char *)"opsmgr-enroll lab", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
		(const unsigned char *)ROOT_CN, -1, -1, 0)) {
		ossl_err(err, errlen, "cannot create the lab root key");
		goto out;
	}
	x = new_cert(n, n, k, ROOT_DAYS);
	if (!x || add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_ext(x, x, NID_key_usage,
		    "critical,keyCertSign,cRLSign,digitalSignature") ||
	    add_ext(x, x, NID_subject_key_identifier, "hash") ||
	    !X509_sign(x, k, EVP_sha256())) {
		ossl_err(err, errlen, "cannot create the lab root certificate");
		goto out;
	}
	if (write_key(kpath, k, err, errlen) ||
	    write_cert(cpath, x, err, errlen))
		goto out;
	c->root = x;
	c->root_key = k;
	x = NULL;
	k = NULL;
	rc = 0;
out:
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

static int create_server(struct lab_ctx *c, const char *kpath,
			 const char *cpath, char *err, size_t errlen)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	X509_NAME *n = X509_NAME_new();
	X509 *x = NULL;
	int rc = -1;

	if (!k || !n || !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
		(const unsigned char *)"localhost", -1, -1, 0)) {
		ossl_err(err, errlen, "cannot create the lab server key");
		goto out;
	}
	x = new_cert(n, X509_get_subject_name(c->root), k, SERVER_DAYS);
	if (!x || add_ext(c->root, x, NID_subject_alt_name,
			  "DNS:localhost,IP:127.0.0.1") ||
	    add_ext(c->root, x, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment") ||
	    add_ext(c->root, x, NID_ext_key_usage, "serverAuth") ||
	    add_ext(c->root, x, NID_subject_key_identifier, "hash") ||
	    add_ext(c->root, x, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(x, c->root_key, EVP_sha256())) {
		ossl_err(err, errlen, "cannot create the lab server certificate");
		goto out;
	}
	if (write_key(kpath, k, err, errlen) ||
	    write_cert(cpath, x, err, errlen))
		goto out;
	rc = 0;
out:
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

static int ensure_secret_file(const char *path, int create, char **out,
			      char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;

	if (!fs_exists(path)) {
		char *pw;
		int rc;

		if (!create) {
			snprintf(err, errlen, "'%s' is missing (start the lab "
				 "in that directory first)", path);
			return -1;
		}
		pw = lab_random_password(24);
		if (!pw) {
			snprintf(err, errlen, "cannot make a random password");
			return -1;
		}
		rc = fs_write_atomic(path, pw, strlen(pw), 0600, err, errlen);
		if (rc || !out)
			fs_free_secret(pw, strlen(pw));
		else
			*out = pw;
		return rc;
	}
	if (!out)
		return 0;
	if (fs_read_file(path, 4096, &buf, &len, err, errlen))
		return -1;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	*out = (char *)buf;
	return 0;
}

static char *read_text(const char *path, size_t *len, char *err,
		       size_t errlen)
{
	unsigned char *buf = NULL;
	size_t n = 0;

	if (fs_read_file(path, PEM_CAP, &buf, &n, err, errlen))
		return NULL;
	if (len)
		*len = n;
	return (char *)buf;
}

int lab_pki_init(struct lab_ctx *c, int create, char *err, size_t errlen)
{
	char *cadir = lab_path(c, "ca");
	char *rk = lab_path(c, "ca/root.key"), *rc_ = lab_path(c, "ca/root.pem");
	char *sk = lab_path(c, "ca/server.key");
	char *sc = lab_path(c, "ca/server.pem");
	char *pw = lab_path(c, "password"), *ppw = lab_path(c, "pfx-password");
	char *rq = lab_path(c, "requests"), *ag = lab_path(c, "agent");
	char *key = NULL;
	size_t keylen = 0;
	BIO *b = NULL;
	int rc = -1, new_root = 0;

	if (!cadir || !rk || !rc_ || !sk || !sc || !pw || !ppw || !rq || !ag) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (create && (fs_mkdir_p(cadir, 0700, err, errlen) ||
		       fs_mkdir_p(rq, 0700, err, errlen) ||
		       fs_mkdir_p(ag, 0700, err, errlen)))
		goto out;
	if (!fs_exists(rk) || !fs_exists(rc_)) {
		if (!create) {
			snprintf(err, errlen, "'%s' has no lab CA (start the "
				 "lab in that directory first)", c->dir);
			goto out;
		}
		if (create_root(c, rk, rc_, err, errlen))
			goto out;
		new_root = 1;
	} else {
		key = read_text(rk, &keylen, err, errlen);
		if (!key)
			goto out;
		b = BIO_new_mem_buf(key, (int)keylen);
		c->root_key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)
				: NULL;
		BIO_free(b);
		b = NULL;
		fs_free_secret(key, keylen);
		key = NULL;
		if (!c->root_key) {
			ossl_err(err, errlen, "cannot read the lab root key");
			goto out;
		}
		c->root_pem = read_text(rc_, NULL, err, errlen);
		if (!c->root_pem)
			goto out;
		b = BIO_new_mem_buf(c->root_pem, -1);
		c->root = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
		b = NULL;
		if (!c->root) {
			ossl_err(err, errlen, "cannot read the lab root");
			goto out;
		}
		if (X509_check_private_key(c->root, c->root_key) != 1) {
			snprintf(err, errlen, "'%s' does not match '%s'", rk,
				 rc_);
			goto out;
		}
	}
	if (!c->root_pem && !(c->root_pem = read_text(rc_, NULL, err, errlen)))
		goto out;
	if (new_root || !fs_exists(sk) || !fs_exists(sc)) {
		if (!create) {
			snprintf(err, errlen, "'%s' is missing", sc);
			goto out;
		}
		if (create_server(c, sk, sc, err, errlen))
			goto out;
	}
	if (create) {
		c->server_pem = read_text(sc, NULL, err, errlen);
		c->server_key_pem = c->server_pem ?
			read_text(sk, &c->server_key_len, err, errlen) : NULL;
		if (!c->server_key_pem)
			goto out;
	}
	if (ensure_secret_file(pw, create, &c->password, err, errlen) ||
	    ensure_secret_file(ppw, create, NULL, err, errlen))
		goto out;
	rc = 0;
out:
	free(cadir);
	free(rk);
	free(rc_);
	free(sk);
	free(sc);
	free(pw);
	free(ppw);
	free(rq);
	free(ag);
	return rc;
}

/* ---- CSRs ------------------------------------------------------------ */
static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
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

X509 *lab_issue(const struct lab_ctx *c, X509_REQ *req, enum lab_profile p,
		const char *cdp_url, char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	EVP_PKEY *pub = X509_REQ_get0_pubkey(req);
	X509 *x;
	int i;

	x = pub ? new_cert(X509_REQ_get_subject_name(req),
			   X509_get_subject_name(c->root), pub, ISSUE_DAYS)
		: NULL;
	if (!x)
		goto fail;
	/* never beyond the root's own validity */
	if (ASN1_TIME_compare(X509_get0_notAfter(x),
			      X509_get0_notAfter(c->root)) > 0 &&
	    !X509_set1_notAfter(x, X509_get0_notAfter(c->root)))
		goto fail;
	i = exts ? X509v3_get_ext_by_NID(exts, NID_subject_alt_name, -1) : -1;
	if (i >= 0 && !X509_add_ext(x, sk_X509_EXTENSION_value(exts, i), -1))
		goto fail;
	if (add_ext(c->root, x, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment") ||
	    add_ext(c->root, x, NID_ext_key_usage,
		    p == LAB_PROFILE_WEBSERVER ? "serverAuth"
					       : "serverAuth,clientAuth") ||
	    add_ext(c->root, x, NID_subject_key_identifier, "hash") ||
	    add_ext(c->root, x, NID_authority_key_identifier, "keyid:always"))
		goto fail;
	if (cdp_url && add_cdp(x, cdp_url))
		goto fail;
	if (!X509_sign(x, c->root_key, EVP_sha256()))
		goto fail;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return x;
fail:
	ossl_err(err, errlen, "cannot issue the certificate");
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_free(x);
	return NULL;
}

int lab_issue_stored(const struct lab_ctx *c, struct lab_request *r,
		     const char *cdp_url, char *err, size_t errlen)
{
	char name[64];
	char *csrp, *certp;
	char *text;
	size_t len = 0;
	X509_REQ *req;
	X509 *x = NULL;
	char *hex = NULL;
	int rc = -1;

	snprintf(name, sizeof(name), "requests/%ld.csr", r->id);
	csrp = lab_path(c, name);
	snprintf(name, sizeof(name), "requests/%ld.pem", r->id);
	certp = lab_path(c, name);
	if (!csrp || !certp) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	text = read_text(csrp, &len, err, errlen);
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
	if (!x || write_cert(certp, x, err, errlen))
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
	ossl_err(err, errlen, "cannot make the CRL");
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
