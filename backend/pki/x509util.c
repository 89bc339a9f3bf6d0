/*
 * x509util.c - certificate helpers (x509util.h): loading certificates from
 * every format operators bring, fingerprints, serials, names, times, key
 * matching and PEM output.  No diagnostics here: errors go into the
 * caller's buffer, the stages turn them into diagnostics.
 */
#include "pki/x509util.h"
#include "core/errbuf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "sys/fsutil.h"

#define TRIED_FORMATS "PKCS#7 (DER), PKCS#7 (PEM), PEM bundle, DER"

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

/* --- loading ----------------------------------------------------------- */

/* Move the certificates of a signed PKCS#7 onto out.  0 / -1 (none). */
static int pkcs7_take_certs(PKCS7 *p7, STACK_OF(X509) *out)
{
	STACK_OF(X509) *certs = NULL;
	if (!p7 || !p7->d.ptr)
		return -1;
	int nid = OBJ_obj2nid(p7->type);
	if (nid == NID_pkcs7_signed)
		certs = p7->d.sign ? p7->d.sign->cert : NULL;
	else if (nid == NID_pkcs7_signedAndEnveloped)
		certs = p7->d.signed_and_enveloped ?
				p7->d.signed_and_enveloped->cert : NULL;
	if (!certs || sk_X509_num(certs) == 0)
		return -1;
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);
		if (!X509_up_ref(x))
			return -1;
		if (!sk_X509_push(out, x)) {
			X509_free(x);
			return -1;
		}
	}
	return 0;
}

static int try_pkcs7_der(const unsigned char *buf, size_t len,
			 STACK_OF(X509) *out)
{
	const unsigned char *p = buf;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	if (!p7)
		return -1;
	int r = pkcs7_take_certs(p7, out);
	PKCS7_free(p7);
	return r;
}

static int try_der_cert(const unsigned char *buf, size_t len,
			STACK_OF(X509) *out)
{
	const unsigned char *p = buf;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (!x)
		return -1;
	/* Only trailing padding (NUL / whitespace) may follow the certificate. */
	for (const unsigned char *q = p; q < buf + len; q++) {
		if (*q != 0 && !isspace(*q)) {
			X509_free(x);
			return -1;
		}
	}
	if (!sk_X509_push(out, x)) {
		X509_free(x);
		return -1;
	}
	return 0;
}

static int is_cert_label(const char *name)
{
	return strcmp(name, "CERTIFICATE") == 0 ||
	       strcmp(name, "X509 CERTIFICATE") == 0 ||
	       strcmp(name, "TRUSTED CERTIFICATE") == 0;
}

static int is_p7_label(const char *name)
{
	return strcmp(name, "PKCS7") == 0 || strcmp(name, "PKCS #7 SIGNED DATA") == 0 ||
	       strcmp(name, "CMS") == 0;
}

/*
 * One pass over every PEM block: certificates (CERTIFICATE / X509
 * CERTIFICATE / TRUSTED CERTIFICATE), PKCS#7 (PKCS7 armour, or AD CS's
 * PKCS#7 inside CERTIFICATE armour).  Text between blocks is skipped by
 * PEM_read_bio; other block types (keys, CRLs) are ignored.
 * Returns 0 with certificates added; -1 with *saw_pem telling whether any
 * PEM block was present and detail naming a damaged block.
 */
static int try_pem(const unsigned char *buf, size_t len, STACK_OF(X509) *out,
		   int *saw_p7, int *saw_pem, char *detail, size_t dlen)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return -1;
	int blocks = 0, bad = 0, added = 0;
	*saw_pem = 0;
	*saw_p7 = 0;
	detail[0] = 0;
	for (;;) {
		char *name = NULL, *header = NULL;
		unsigned char *data = NULL;
		long dl = 0;
		if (!PEM_read_bio(bio, &name, &header, &data, &dl)) {
			unsigned long e = ERR_peek_last_error();
			if (ERR_GET_REASON(e) != PEM_R_NO_START_LINE && !detail[0]) {
				/* A BEGIN line without a usable block after it. */
				char eb[160];
				snprintf(detail, dlen, "PEM block %d is damaged (%s)",
					 blocks + 1, x509_ossl_err(eb, sizeof(eb)));
				bad++;
				*saw_pem = 1;
			}
			ERR_clear_error();
			break;
		}
		blocks++;
		*saw_pem = 1;
		int ok = 0;
		const unsigned char *p = data;
		if (is_cert_label(name)) {
			X509 *x = NULL;
			if (strcmp(name, "TRUSTED CERTIFICATE") == 0)
				x = d2i_X509_AUX(NULL, &p, dl);
			else
				x = d2i_X509(NULL, &p, dl);
			if (x) {
				if (sk_X509_push(out, x)) {
					ok = 1;
					added++;
				} else {
					X509_free(x);
				}
			} else if (strcmp(name, "CERTIFICATE") == 0) {
				/* AD CS: PKCS#7 in CERTIFICATE armour. */
				ERR_clear_error();
				*saw_p7 = 1;
				int before = sk_X509_num(out);
				if (try_pkcs7_der(data, (size_t)dl, out) == 0) {
					ok = 1;
					added += sk_X509_num(out) - before;
				}
			}
		} else if (is_p7_label(name)) {
			*saw_p7 = 1;
			int before = sk_X509_num(out);
			if (try_pkcs7_der(data, (size_t)dl, out) == 0) {
				ok = 1;
				added += sk_X509_num(out) - before;
			}
		} else {
			ok = 1;    /* key, CRL, request...: not ours, skip */
		}
		if (!ok) {
			bad++;
			if (!detail[0]) {
				char eb[160];
				snprintf(detail, dlen,
					 "PEM block %d ('%s') is damaged (%s)",
					 blocks, name, x509_ossl_err(eb, sizeof(eb)));
			}
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (bad || added == 0)
		return -1;
	return 0;
}

static int load_certs_bytes(const unsigned char *buf, size_t len,
			    STACK_OF(X509) **out, char *err, size_t errlen);

int x509_load_certs(const unsigned char *buf, size_t len,
		    STACK_OF(X509) **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!buf || len == 0) {
		errbuf_printf(err, errlen, "not a certificate: the input is empty (tried "
			TRIED_FORMATS ")");
		return -1;
	}
	if (len > (size_t)0x7fffffff) {
		errbuf_printf(err, errlen, "not a certificate: the input is too large");
		return -1;
	}
	/*
	 * Text saved by Windows tools: a UTF-8 byte order mark (Notepad) or
	 * UTF-16LE with a BOM (PowerShell 5's "> file").  PEM is ASCII, so
	 * UTF-16 is narrowed when every high byte is zero.
	 */
	unsigned char *narrow = NULL;
	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
		buf += 3;
		len -= 3;
	} else if (len >= 4 && len % 2 == 0 && buf[0] == 0xFF && buf[1] == 0xFE) {
		size_t n = (len - 2) / 2, i;
		narrow = malloc(n ? n : 1);
		if (!narrow) {
			errbuf_printf(err, errlen, "out of memory");
			return -1;
		}
		for (i = 0; i < n && buf[2 + 2 * i + 1] == 0; i++)
			narrow[i] = buf[2 + 2 * i];
		if (i == n) {
			buf = narrow;
			len = n;
		}
	}
	int r = load_certs_bytes(buf, len, out, err, errlen);
	free(narrow);
	return r;
}

static int load_certs_bytes(const unsigned char *buf, size_t len,
			    STACK_OF(X509) **out, char *err, size_t errlen)
{
	if (len == 0) {
		errbuf_printf(err, errlen, "not a certificate: the input is empty (tried "
			TRIED_FORMATS ")");
		return -1;
	}
	STACK_OF(X509) *sk = sk_X509_new_null();
	if (!sk) {
		errbuf_printf(err, errlen, "out of memory");
		return -1;
	}
	if (try_pkcs7_der(buf, len, sk) == 0)
		goto ok;
	ERR_clear_error();
	sk_X509_pop_free(sk, X509_free);
	sk = sk_X509_new_null();
	if (!sk) {
		errbuf_printf(err, errlen, "out of memory");
		return -1;
	}

	char detail[256];
	int saw_p7 = 0, saw_pem = 0;
	if (try_pem(buf, len, sk, &saw_p7, &saw_pem, detail, sizeof(detail)) == 0)
		goto ok;
	sk_X509_pop_free(sk, X509_free);
	sk = sk_X509_new_null();
	if (!sk) {
		errbuf_printf(err, errlen, "out of memory");
		return -1;
	}
	if (!saw_pem && try_der_cert(buf, len, sk) == 0)
		goto ok;
	ERR_clear_error();
	sk_X509_pop_free(sk, X509_free);
	if (saw_pem && detail[0])
		errbuf_printf(err, errlen, "not a certificate: tried " TRIED_FORMATS
			"; %s", detail);
	else if (saw_pem)
		errbuf_printf(err, errlen, "not a certificate: tried " TRIED_FORMATS
			"; the PEM text holds no certificate block");
	else
		errbuf_printf(err, errlen, "not a certificate: tried " TRIED_FORMATS);
	return -1;
ok:
	ERR_clear_error();
	*out = sk;
	return 0;
}

int x509_load_certs_file(const char *path, STACK_OF(X509) **out, char *err,
			 size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char ferr[FS_ERRLEN];
	*out = NULL;
	if (fs_read_file(path, FS_DEFAULT_CAP, &buf, &len, ferr, sizeof(ferr)) != 0) {
		errbuf_printf(err, errlen, "%s", ferr);
		return -1;
	}
	char lerr[512];
	int r = x509_load_certs(buf, len, out, lerr, sizeof(lerr));
	free(buf);
	if (r != 0)
		errbuf_printf(err, errlen, "'%s' is %s", path, lerr);
	return r;
}

/* Refuse to prompt for a pass phrase: encrypted keys are an error here. */
static int no_password_cb(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

EVP_PKEY *x509_load_key_file(const char *path, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char ferr[FS_ERRLEN];
	if (fs_read_file(path, FS_DEFAULT_CAP, &buf, &len, ferr, sizeof(ferr)) != 0) {
		errbuf_printf(err, errlen, "%s", ferr);
		return NULL;
	}
	EVP_PKEY *k = NULL;
	if (len == 0 || len > (size_t)0x7fffffff) {
		errbuf_printf(err, errlen, "'%s' is %s", path,
			len ? "too large for a private key" : "empty");
		goto out;
	}
	if (memmem(buf, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----", 37) ||
	    memmem(buf, len, "Proc-Type: 4,ENCRYPTED", 22)) {
		errbuf_printf(err, errlen,
			"the private key in '%s' is encrypted; give an unencrypted key (PEM or DER)",
			path);
		goto out;
	}
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	if (bio) {
		k = PEM_read_bio_PrivateKey(bio, NULL, no_password_cb, NULL);
		BIO_free(bio);
	}
	if (!k) {
		const unsigned char *p = buf;
		k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	}
	if (!k) {
		const unsigned char *p = buf;
		PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
		if (p8) {
			k = EVP_PKCS82PKEY(p8);
			PKCS8_PRIV_KEY_INFO_free(p8);
		}
	}
	if (!k)
		errbuf_printf(err, errlen,
			"'%s' holds no private key: tried PEM (PKCS#8 and traditional) and DER",
			path);
out:
	ERR_clear_error();
	fs_free_secret(buf, len);
	return k;
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
	if (X509_NAME_print_ex(bio, n, 0, flags) >= 0) {
		char *p = NULL;
		long l = BIO_get_mem_data(bio, &p);
		s = malloc((size_t)l + 1);
		if (s) {
			memcpy(s, p, (size_t)l);
			s[l] = 0;
		}
	}
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

static char *bio_to_string(BIO *bio, size_t *len)
{
	char *p = NULL;
	long l = BIO_get_mem_data(bio, &p);
	if (l < 0)
		return NULL;
	char *s = malloc((size_t)l + 1);
	if (!s)
		return NULL;
	memcpy(s, p, (size_t)l);
	s[l] = 0;
	if (len)
		*len = (size_t)l;
	return s;
}

char *x509_to_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (bio && x && PEM_write_bio_X509(bio, x))
		s = bio_to_string(bio, NULL);
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
		s = bio_to_string(bio, NULL);
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
	    PEM_write_bio_PKCS8PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL)) {
		char *p = NULL;
		long l = BIO_get_mem_data(bio, &p);
		if (l >= 0) {
			s = malloc((size_t)l + 1);
			if (s) {
				memcpy(s, p, (size_t)l);
				s[l] = 0;
				if (len)
					*len = (size_t)l;
			}
			OPENSSL_cleanse(p, (size_t)l);
		}
	}
	BIO_free(bio);
	ERR_clear_error();
	return s;
}
