/*
 * x509util.c - what is read off a certificate (x509util.h): fingerprints,
 * serials in both byte orders, names, general names and times as text,
 * properties (self-signed, CA, signature hash, key match) and PEM output.
 * Loading lives in x509load.c.  No diagnostics here: the stages turn
 * results into diagnostics.
 */
#include "pki/x509util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

const char *x509_ossl_err(char *buf, size_t len)
{
	unsigned long e, last = 0;
	while ((e = ERR_get_error()) != 0)
		last = e;
	if (!buf || len == 0)
		return buf;
	if (last == 0) {
		snprintf(buf, len, "no detail from OpenSSL");
		return buf;
	}
	const char *reason = ERR_reason_error_string(last);
	if (reason)
		snprintf(buf, len, "%s", reason);
	else
		ERR_error_string_n(last, buf, len);
	return buf;
}

/* --- fingerprints and hex ---------------------------------------------- */

static char *hex_of(const unsigned char *b, size_t n, int colons)
{
	static const char H[] = "0123456789ABCDEF";
	size_t sz = colons ? (n ? n * 3 : 1) : n * 2 + 1;
	char *s = malloc(sz);
	if (!s)
		return NULL;
	char *o = s;
	for (size_t i = 0; i < n; i++) {
		if (colons && i)
			*o++ = ':';
		*o++ = H[b[i] >> 4];
		*o++ = H[b[i] & 15];
	}
	*o = 0;
	return s;
}

static char *fingerprint(const X509 *x, const EVP_MD *md, int colons)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!x || !md || !X509_digest(x, md, d, &n)) {
		ERR_clear_error();
		return NULL;
	}
	return hex_of(d, n, colons);
}

char *x509_fingerprint(const X509 *x, const EVP_MD *md)
{
	return fingerprint(x, md, 0);
}

char *x509_fingerprint_colons(const X509 *x, const EVP_MD *md)
{
	return fingerprint(x, md, 1);
}

/*
 * Separators accepted: ':', ' ', '-', tabs.  Any other non-hex character
 * makes the input invalid (NULL), as does an empty result.
 */
char *x509_normalise_hex(const char *s)
{
	if (!s)
		return NULL;
	char *o = malloc(strlen(s) + 1);
	if (!o)
		return NULL;
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ':' || c == ' ' || c == '-' || c == '\t' || c == '\n' ||
		    c == '\r')
			continue;
		if (!isxdigit(c)) {
			free(o);
			return NULL;
		}
		o[n++] = (char)toupper(c);
	}
	o[n] = 0;
	if (n == 0) {
		free(o);
		return NULL;
	}
	return o;
}

char *hex_reverse_bytes(const char *hex)
{
	char *h = x509_normalise_hex(hex);
	if (!h)
		return NULL;
	size_t n = strlen(h);
	if (n % 2) {
		free(h);
		return NULL;
	}
	char *o = malloc(n + 1);
	if (!o) {
		free(h);
		return NULL;
	}
	for (size_t i = 0; i < n; i += 2) {
		o[i] = h[n - i - 2];
		o[i + 1] = h[n - i - 1];
	}
	o[n] = 0;
	free(h);
	return o;
}

/* --- names and times --------------------------------------------------- */

/* Copy of a memory BIO's contents, NUL terminated; with cleanse set the
 * BIO's own bytes are wiped (secrets). */
static char *bio_to_string(BIO *bio, size_t *len, int cleanse)
{
	char *p = NULL;
	long l = BIO_get_mem_data(bio, &p);
	if (l < 0)
		return NULL;
	char *s = malloc((size_t)l + 1);
	if (s) {
		memcpy(s, p, (size_t)l);
		s[l] = 0;
		if (len)
			*len = (size_t)l;
	}
	if (cleanse)
		OPENSSL_cleanse(p, (size_t)l);
	return s;
}

char *x509_name_text(const X509_NAME *n)
{
	if (!n)
		return NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return NULL;
	unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_DN_REV |
			      XN_FLAG_FN_SN |
			      (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	char *s = NULL;
	if (X509_NAME_print_ex(bio, n, 0, flags) >= 0)
		s = bio_to_string(bio, NULL, 0);
	BIO_free(bio);
	ERR_clear_error();
	return s;
}

char *x509_subject_cn(const X509 *x)
{
	if (!x)
		return NULL;
	const X509_NAME *n = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	if (i < 0)
		return NULL;
	const ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	unsigned char *u = NULL;
	int l = ASN1_STRING_to_UTF8(&u, d);
	if (l < 0) {
		ERR_clear_error();
		return NULL;
	}
	char *s = malloc((size_t)l + 1);
	if (s) {
		/* An embedded NUL must never let a CN match a shorter name. */
		for (int k = 0; k < l; k++)
			s[k] = u[k] ? (char)u[k] : '?';
		s[l] = 0;
	}
	OPENSSL_free(u);
	return s;
}

char *x509_general_name_text(const GENERAL_NAME *gn, int type)
{
	if (!gn || gn->type != type || (type != GEN_DNS && type != GEN_URI))
		return NULL;
	const ASN1_IA5STRING *s = gn->d.ia5;   /* both are IA5Strings */
	int l = ASN1_STRING_length(s);
	const unsigned char *d = ASN1_STRING_get0_data(s);
	if (l <= 0 || memchr(d, 0, (size_t)l))
		return NULL;
	return strndup((const char *)d, (size_t)l);
}

char *x509_time_text(const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm)) {
		ERR_clear_error();
		return strdup("(invalid time)");
	}
	char buf[64];
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	return strdup(buf);
}

/* --- serials ----------------------------------------------------------- */

int x509_serial_bytes(const X509 *x, unsigned char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!x)
		return -1;
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	unsigned char *der = NULL;
	int dl = i2d_ASN1_INTEGER(sn, &der);
	if (dl < 3) {
		OPENSSL_free(der);
		ERR_clear_error();
		return -1;
	}
	/* Skip tag and length octets: what is left is the content. */
	size_t off = 1;
	unsigned char l0 = der[off++];
	size_t clen = l0;
	if (l0 & 0x80) {
		int nb = l0 & 0x7f;
		clen = 0;
		if (nb < 1 || nb > 4 || off + (size_t)nb > (size_t)dl) {
			OPENSSL_free(der);
			return -1;
		}
		while (nb--)
			clen = (clen << 8) | der[off++];
	}
	if (off + clen != (size_t)dl || clen == 0) {
		OPENSSL_free(der);
		return -1;
	}
	unsigned char *b = malloc(clen);
	if (!b) {
		OPENSSL_free(der);
		return -1;
	}
	memcpy(b, der + off, clen);
	OPENSSL_free(der);
	*out = b;
	*len = clen;
	return 0;
}

char *x509_serial_hex(const X509 *x)
{
	unsigned char *b;
	size_t n;
	if (x509_serial_bytes(x, &b, &n) != 0)
		return NULL;
	char *s = hex_of(b, n, 0);
	free(b);
	return s;
}

char *x509_serial_reversed_hex(const X509 *x)
{
	unsigned char *b;
	size_t n;
	if (x509_serial_bytes(x, &b, &n) != 0)
		return NULL;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned char t = b[i];
		b[i] = b[n - 1 - i];
		b[n - 1 - i] = t;
	}
	char *s = hex_of(b, n, 0);
	free(b);
	return s;
}

/* --- properties -------------------------------------------------------- */

int x509_is_self_signed(X509 *x)
{
	if (!x)
		return 0;
	int r = X509_self_signed(x, 1);
	ERR_clear_error();
	return r == 1;
}

int x509_is_ca(X509 *x)
{
	if (!x)
		return 0;
	uint32_t f = X509_get_extension_flags(x);
	ERR_clear_error();
	return (f & EXFLAG_BCONS) && (f & EXFLAG_CA);
}

static int sig_md_nid(const X509 *x)
{
	int mdnid = NID_undef, pknid = NID_undef;
	/* X509_get_signature_info understands RSA-PSS parameters. */
	if (X509_get_signature_info((X509 *)x, &mdnid, &pknid, NULL, NULL) == 1 &&
	    mdnid != NID_undef)
		return mdnid;
	ERR_clear_error();
	if (OBJ_find_sigid_algs(X509_get_signature_nid(x), &mdnid, &pknid))
		return mdnid;
	return NID_undef;
}

const char *x509_sig_hash_name(const X509 *x)
{
	if (!x)
		return "unknown";
	switch (sig_md_nid(x)) {
	case NID_md2: return "MD2";
	case NID_md4: return "MD4";
	case NID_md5: return "MD5";
	case NID_sha1: return "SHA1";
	case NID_sha224: return "SHA224";
	case NID_sha256: return "SHA256";
	case NID_sha384: return "SHA384";
	case NID_sha512: return "SHA512";
	case NID_sha3_256: return "SHA3-256";
	case NID_sha3_384: return "SHA3-384";
	case NID_sha3_512: return "SHA3-512";
	case NID_undef:
		/* Ed25519/Ed448 have no separate digest. */
		if (X509_get_signature_nid(x) == NID_ED25519)
			return "Ed25519";
		if (X509_get_signature_nid(x) == NID_ED448)
			return "Ed448";
		return "unknown";
	default: return "other";
	}
}

int x509_sig_hash_weak(const X509 *x)
{
	if (!x)
		return 0;
	int n = sig_md_nid(x);
	return n == NID_md5 || n == NID_sha1 || n == NID_md2 || n == NID_md4 ||
	       n == NID_mdc2;
}

int x509_key_matches(X509 *x, EVP_PKEY *pkey)
{
	if (!x || !pkey)
		return 0;
	EVP_PKEY *pub = X509_get0_pubkey(x);
	int r = pub ? EVP_PKEY_eq(pub, pkey) : 0;
	ERR_clear_error();
	return r == 1;
}

/* --- PEM output -------------------------------------------------------- */

char *x509_to_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (bio && x && PEM_write_bio_X509(bio, x))
		s = bio_to_string(bio, NULL, 0);
	BIO_free(bio);
	ERR_clear_error();
	return s;
}

char *x509_stack_to_pem(STACK_OF(X509) *sk)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *s = NULL;
	int ok = bio && sk;
	for (int i = 0; ok && i < sk_X509_num(sk); i++)
		ok = PEM_write_bio_X509(bio, sk_X509_value(sk, i));
	if (ok)
		s = bio_to_string(bio, NULL, 0);
	BIO_free(bio);
	ERR_clear_error();
	return s;
}

char *x509_key_to_pem(EVP_PKEY *k, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	char *s = NULL;
	if (len)
		*len = 0;
	if (bio && k &&
	    PEM_write_bio_PKCS8PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL))
		s = bio_to_string(bio, len, 1);
	BIO_free(bio);
	ERR_clear_error();
	return s;
}
