/*
 * x509load.c - reading certificates and private keys (x509util.h): format
 * detection over every form operators bring (PKCS#7 DER or PEM, AD CS's
 * PKCS#7 inside CERTIFICATE armour, PEM bundles with text between blocks,
 * DER), Windows text encodings (UTF-8 BOM, UTF-16LE), and unencrypted keys
 * in PEM or DER.  Errors go into the caller's buffer.
 */
#include "pki/x509util.h"
#include "core/errbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include "core/fsutil.h"

#define TRIED_FORMATS "PKCS#7 (DER), PKCS#7 (PEM), PEM bundle, DER"
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

/* 1 when [p, end) holds only trailing padding (NUL / whitespace). */
static int only_padding(const unsigned char *p, const unsigned char *end)
{
	for (; p < end; p++)
		if (*p != 0 && !isspace(*p))
			return 0;
	return 1;
}

static int try_der_cert(const unsigned char *buf, size_t len,
			STACK_OF(X509) *out)
{
	const unsigned char *p = buf;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (x && only_padding(p, buf + len) && sk_X509_push(out, x))
		return 0;
	X509_free(x);
	return -1;
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
