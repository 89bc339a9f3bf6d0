/*
 * test_x509util.c - backend/pki/x509load.c and x509util.c: every
 * certificate format (PKCS#7 DER, PKCS#7 PEM, AD CS's PKCS#7 in
 * CERTIFICATE armour, PEM bundles with junk between blocks, DER), the
 * "formats tried" errors (truncated PKCS#7, garbage, empty), fingerprints
 * against an independent digest of the DER, serials (leading 00, lengths
 * 1/8/16/19/20) and their byte reversal, the lab's own serial text
 * against the client's, names, general names, times,
 * CA/self-signed/hash properties, key loading and key matching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "certgen.h"
#include "lab_harness.h"
#include "lab.h"
#include "pki/x509util.h"

#define TRIED "tried PKCS#7 (DER), PKCS#7 (PEM), PEM bundle, DER"

struct fx {
	char *dir;
	X509 *root, *inter, *leaf;
	EVP_PKEY *root_key, *inter_key, *leaf_key;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct certgen_opts o;
	if (!f)
		return -1;
	f->dir = test_mkdtemp("x509util-");
	certgen_opts_ca(&o, "Test Root CA");
	o.org = "Opsmgr Test";
	if (certgen_make(&o, &f->root, &f->root_key) != 0)
		return -1;
	certgen_opts_ca(&o, "Test Issuing CA");
	o.key_bits = 3072;
	o.issuer = f->root;
	o.issuer_key = f->root_key;
	if (certgen_make(&o, &f->inter, &f->inter_key) != 0)
		return -1;
	certgen_opts_leaf(&o, "agent1.example.test");
	o.issuer = f->inter;
	o.issuer_key = f->inter_key;
	o.key_slot = 1;   /* not the root's key (slot 0) */
	if (certgen_make(&o, &f->leaf, &f->leaf_key) != 0)
		return -1;
	*state = f;
	return f->dir ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	X509_free(f->root);
	X509_free(f->inter);
	X509_free(f->leaf);
	EVP_PKEY_free(f->root_key);
	EVP_PKEY_free(f->inter_key);
	EVP_PKEY_free(f->leaf_key);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f);
	certgen_cleanup();
	return 0;
}

static char *pem_of(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	char *p;
	long l = BIO_get_mem_data(b, &p);
	char *s = strndup(p, (size_t)l);
	BIO_free(b);
	return s;
}

static char *base64_lines(const unsigned char *d, size_t n)
{
	/* 64-character lines, like PEM. */
	size_t enc = 4 * ((n + 2) / 3);
	char *tmp = malloc(enc + 1);
	EVP_EncodeBlock((unsigned char *)tmp, d, (int)n);
	char *out = malloc(enc + enc / 64 + 2);
	size_t o = 0;
	for (size_t i = 0; i < enc; i += 64) {
		size_t k = enc - i < 64 ? enc - i : 64;
		memcpy(out + o, tmp + i, k);
		o += k;
		out[o++] = '\n';
	}
	out[o] = 0;
	free(tmp);
	return out;
}

static void assert_same_cert(X509 *a, X509 *b)
{
	assert_int_equal(X509_cmp(a, b), 0);
}

static STACK_OF(X509) *load_ok(const void *buf, size_t len)
{
	STACK_OF(X509) *sk = NULL;
	char err[512] = "";
	int r = x509_load_certs(buf, len, &sk, err, sizeof(err));
	if (r != 0)
		print_error("unexpected load failure: %s\n", err);
	assert_int_equal(r, 0);
	assert_non_null(sk);
	return sk;
}

static void load_fails(const void *buf, size_t len, char *err, size_t errlen)
{
	STACK_OF(X509) *sk = (STACK_OF(X509) *)(uintptr_t)1;
	int r = x509_load_certs(buf, len, &sk, err, errlen);
	assert_int_equal(r, -1);
	assert_null(sk);
	assert_non_null(strstr(err, "not a certificate"));
	assert_non_null(strstr(err, TRIED));
}

/* --- formats ----------------------------------------------------------- */

static void test_pem_single(void **state)
{
	struct fx *f = *state;
	char *pem = pem_of(f->leaf);
	STACK_OF(X509) *sk = load_ok(pem, strlen(pem));
	assert_int_equal(sk_X509_num(sk), 1);
	assert_same_cert(sk_X509_value(sk, 0), f->leaf);
	OSSL_STACK_OF_X509_free(sk);
	free(pem);
}

static void test_der_single(void **state)
{
	struct fx *f = *state;
	unsigned char *der = NULL;
	int l = i2d_X509(f->root, &der);
	assert_true(l > 0);
	STACK_OF(X509) *sk = load_ok(der, (size_t)l);
	assert_int_equal(sk_X509_num(sk), 1);
	assert_same_cert(sk_X509_value(sk, 0), f->root);
	OSSL_STACK_OF_X509_free(sk);
	OPENSSL_free(der);
}

static void test_pkcs7_der(void **state)
{
	struct fx *f = *state;
	X509 *c[3] = { f->leaf, f->inter, f->root };
	size_t len;
	unsigned char *der = certgen_pkcs7_der(c, 3, &len);
	assert_non_null(der);
	STACK_OF(X509) *sk = load_ok(der, len);
	assert_int_equal(sk_X509_num(sk), 3);
	assert_same_cert(sk_X509_value(sk, 0), f->leaf);
	assert_same_cert(sk_X509_value(sk, 1), f->inter);
	assert_same_cert(sk_X509_value(sk, 2), f->root);
	OSSL_STACK_OF_X509_free(sk);
	OPENSSL_free(der);
}

static char *armour(const char *label, const unsigned char *der, size_t len,
		    const char *eol)
{
	char *b64 = base64_lines(der, len);
	size_t cap = strlen(b64) * 2 + 200;
	char *s = malloc(cap);
	size_t o = (size_t)snprintf(s, cap, "-----BEGIN %s-----%s", label, eol);
	for (char *p = b64; *p; p++) {
		if (*p == '\n')
			o += (size_t)snprintf(s + o, cap - o, "%s", eol);
		else
			s[o++] = *p;
	}
	snprintf(s + o, cap - o, "-----END %s-----%s", label, eol);
	free(b64);
	return s;
}

static void test_pkcs7_pem(void **state)
{
	struct fx *f = *state;
	X509 *c[2] = { f->inter, f->root };
	size_t len;
	unsigned char *der = certgen_pkcs7_der(c, 2, &len);
	char *pem = armour("PKCS7", der, len, "\n");
	STACK_OF(X509) *sk = load_ok(pem, strlen(pem));
	assert_int_equal(sk_X509_num(sk), 2);
	assert_same_cert(sk_X509_value(sk, 1), f->root);
	OSSL_STACK_OF_X509_free(sk);
	free(pem);
	OPENSSL_free(der);
}

/* AD CS certnew.p7b?Enc=b64: PKCS#7 inside CERTIFICATE armour, CRLF. */
static void test_pkcs7_adcs_armour(void **state)
{
	struct fx *f = *state;
	X509 *c[2] = { f->root, f->inter };
	size_t len;
	unsigned char *der = certgen_pkcs7_der(c, 2, &len);
	char *pem = armour("CERTIFICATE", der, len, "\r\n");
	STACK_OF(X509) *sk = load_ok(pem, strlen(pem));
	assert_int_equal(sk_X509_num(sk), 2);
	assert_same_cert(sk_X509_value(sk, 0), f->root);
	assert_same_cert(sk_X509_value(sk, 1), f->inter);
	OSSL_STACK_OF_X509_free(sk);
	free(pem);
	OPENSSL_free(der);
}

static void test_pem_bundle_with_garbage(void **state)
{
	struct fx *f = *state;
	char *a = pem_of(f->leaf), *b = pem_of(f->inter), *c = pem_of(f->root);
	char *buf = NULL;
	int n = asprintf(&buf,
			 "Bag Attributes\n    friendlyName: agent\nsubject=/CN=x\n%s"
			 "this line is junk -----\n\n%s"
			 "# comment ### with ----- dashes\r\n%s"
			 "trailing junk without newline",
			 a, b, c);
	assert_true(n > 0);
	STACK_OF(X509) *sk = load_ok(buf, strlen(buf));
	assert_int_equal(sk_X509_num(sk), 3);
	assert_same_cert(sk_X509_value(sk, 0), f->leaf);
	assert_same_cert(sk_X509_value(sk, 1), f->inter);
	assert_same_cert(sk_X509_value(sk, 2), f->root);
	OSSL_STACK_OF_X509_free(sk);
	free(a);
	free(b);
	free(c);
	free(buf);
}

static void test_pem_with_key_block_is_skipped(void **state)
{
	struct fx *f = *state;
	size_t kl;
	char *key = x509_key_to_pem(f->leaf_key, &kl);
	char *cert = pem_of(f->leaf);
	char *buf = NULL;
	assert_true(asprintf(&buf, "%s%s", key, cert) > 0);
	STACK_OF(X509) *sk = load_ok(buf, strlen(buf));
	assert_int_equal(sk_X509_num(sk), 1);
	OSSL_STACK_OF_X509_free(sk);
	/* A key alone is not a certificate, and the error says so. */
	char err[512];
	load_fails(key, kl, err, sizeof(err));
	assert_non_null(strstr(err, "no certificate block"));
	OPENSSL_cleanse(key, kl);
	free(key);
	free(cert);
	free(buf);
}

/* Files saved by Windows tools: UTF-8 BOM (Notepad), UTF-16LE (PowerShell 5). */
static void test_windows_text_encodings(void **state)
{
	struct fx *f = *state;
	char *pem = pem_of(f->root);
	size_t n = strlen(pem);
	unsigned char *bom = malloc(n + 3);
	memcpy(bom, "\xEF\xBB\xBF", 3);
	memcpy(bom + 3, pem, n);
	STACK_OF(X509) *sk = load_ok(bom, n + 3);
	assert_same_cert(sk_X509_value(sk, 0), f->root);
	OSSL_STACK_OF_X509_free(sk);

	unsigned char *u16 = malloc(2 * n + 2);
	u16[0] = 0xFF;
	u16[1] = 0xFE;
	for (size_t i = 0; i < n; i++) {
		u16[2 + 2 * i] = (unsigned char)pem[i];
		u16[3 + 2 * i] = 0;
	}
	sk = load_ok(u16, 2 * n + 2);
	assert_same_cert(sk_X509_value(sk, 0), f->root);
	OSSL_STACK_OF_X509_free(sk);

	/* UTF-16 with non-ASCII content is not narrowed: still an error. */
	u16[3 + 2 * 70] = 0x04;
	char err[512];
	load_fails(u16, 2 * n + 2, err, sizeof(err));
	/* A BOM alone is empty input. */
	load_fails("\xEF\xBB\xBF", 3, err, sizeof(err));
	free(u16);
	free(bom);
	free(pem);
}

static void test_truncated_pkcs7_der(void **state)
{
	struct fx *f = *state;
	X509 *c[2] = { f->inter, f->root };
	size_t len;
	unsigned char *der = certgen_pkcs7_der(c, 2, &len);
	char err[512];
	load_fails(der, len / 2, err, sizeof(err));
	load_fails(der, len - 1, err, sizeof(err));
	OPENSSL_free(der);
}

static void test_truncated_pkcs7_pem(void **state)
{
	struct fx *f = *state;
	X509 *c[2] = { f->inter, f->root };
	size_t len;
	unsigned char *der = certgen_pkcs7_der(c, 2, &len);
	/* Armour intact, content cut short. */
	char *pem = armour("CERTIFICATE", der, len - 40, "\r\n");
	char err[512];
	load_fails(pem, strlen(pem), err, sizeof(err));
	assert_non_null(strstr(err, "PEM block 1"));
	free(pem);
	/* File cut in the middle of the base64: no END line. */
	pem = armour("PKCS7", der, len, "\n");
	pem[strlen(pem) / 2] = 0;
	load_fails(pem, strlen(pem), err, sizeof(err));
	free(pem);
	OPENSSL_free(der);
}

static void test_garbage_and_empty(void **state)
{
	(void)state;
	char err[512];
	const char *junk = "<html><body>Service Unavailable</body></html>\n";
	load_fails(junk, strlen(junk), err, sizeof(err));
	unsigned char bin[300];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 37 + 11);
	load_fails(bin, sizeof(bin), err, sizeof(err));
	load_fails("", 0, err, sizeof(err));
	assert_non_null(strstr(err, "empty"));
	/* A DER certificate followed by junk is not accepted as one. */
	struct fx *f = *state;
	unsigned char *der = NULL;
	int l = i2d_X509(f->leaf, &der);
	unsigned char *more = malloc((size_t)l + 4);
	memcpy(more, der, (size_t)l);
	memcpy(more + l, "JUNK", 4);
	load_fails(more, (size_t)l + 4, err, sizeof(err));
	free(more);
	OPENSSL_free(der);
}

static void test_load_file(void **state)
{
	struct fx *f = *state;
	char path[512];
	snprintf(path, sizeof(path), "%s/chain.der", f->dir);
	assert_int_equal(certgen_write_der(path, f->inter), 0);
	STACK_OF(X509) *sk = NULL;
	char err[512];
	assert_int_equal(x509_load_certs_file(path, &sk, err, sizeof(err)), 0);
	assert_same_cert(sk_X509_value(sk, 0), f->inter);
	OSSL_STACK_OF_X509_free(sk);

	snprintf(path, sizeof(path), "%s/junk.cer", f->dir);
	assert_int_equal(certgen_write_file(path, "hello\n", 6), 0);
	assert_int_equal(x509_load_certs_file(path, &sk, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, TRIED));

	snprintf(path, sizeof(path), "%s/missing.cer", f->dir);
	assert_int_equal(x509_load_certs_file(path, &sk, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing.cer"));
	assert_null(sk);
}

/* --- fingerprints ------------------------------------------------------ */

static char *digest_hex(X509 *x, const EVP_MD *md, int colons)
{
	/* Independent of X509_digest: hash the DER as `openssl x509
	 * -fingerprint` does, and format it as that command prints. */
	unsigned char *der = NULL;
	int l = i2d_X509(x, &der);
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n;
	EVP_Digest(der, (size_t)l, d, &n, md, NULL);
	OPENSSL_free(der);
	char *s = calloc(n * 3 + 1, 1);
	for (unsigned i = 0; i < n; i++)
		sprintf(s + strlen(s), colons && i ? ":%02X" : "%02X", d[i]);
	return s;
}

static void test_fingerprints(void **state)
{
	struct fx *f = *state;
	X509 *certs[3] = { f->root, f->inter, f->leaf };
	for (int i = 0; i < 3; i++) {
		char *sha1 = x509_fingerprint(certs[i], EVP_sha1());
		char *want1 = digest_hex(certs[i], EVP_sha1(), 0);
		assert_string_equal(sha1, want1);
		assert_int_equal(strlen(sha1), 40);
		char *sha256 = x509_fingerprint_colons(certs[i], EVP_sha256());
		char *want256 = digest_hex(certs[i], EVP_sha256(), 1);
		assert_string_equal(sha256, want256);
		assert_int_equal(strlen(sha256), 95);
		/* Normalising the colon form gives the plain form. */
		char *plain = x509_fingerprint(certs[i], EVP_sha256());
		char *norm = x509_normalise_hex(sha256);
		assert_string_equal(norm, plain);
		free(sha1); free(want1); free(sha256); free(want256);
		free(plain); free(norm);
	}
}

static void test_normalise_hex(void **state)
{
	(void)state;
	char *s = x509_normalise_hex(" ab:cd-Ef 01\n");
	assert_string_equal(s, "ABCDEF01");
	free(s);
	assert_null(x509_normalise_hex("ab:cd:zz"));
	assert_null(x509_normalise_hex("::"));
	assert_null(x509_normalise_hex(NULL));
}

/* --- serials ----------------------------------------------------------- */

static X509 *cert_with_serial(struct fx *f, const unsigned char *s, size_t n)
{
	struct certgen_opts o;
	certgen_opts_leaf(&o, "serial.example.test");
	o.issuer = f->root;
	o.issuer_key = f->root_key;
	o.serial = s;
	o.serial_len = n;
	X509 *x = NULL;
	assert_int_equal(certgen_make(&o, &x, NULL), 0);
	return x;
}

static void test_serial_leading_zero(void **state)
{
	struct fx *f = *state;
	/* 0x80 0x01 is negative unless DER carries a leading 00. */
	const unsigned char s[] = { 0x00, 0x80, 0x01, 0xAF };
	X509 *x = cert_with_serial(f, s, sizeof(s));
	unsigned char *b;
	size_t n;
	assert_int_equal(x509_serial_bytes(x, &b, &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(b, s, 4);
	free(b);
	char *hex = x509_serial_hex(x), *rev = x509_serial_reversed_hex(x);
	assert_string_equal(hex, "008001AF");
	assert_string_equal(rev, "AF018000");
	free(hex);
	free(rev);
	X509_free(x);
}

static void test_serial_lengths(void **state)
{
	struct fx *f = *state;
	const size_t lens[] = { 1, 8, 16, 19, 20 };
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		unsigned char s[20];
		char want[41] = "", wantrev[41] = "";
		for (size_t i = 0; i < lens[k]; i++)
			s[i] = (unsigned char)(0x11 * (i % 7 + 1) + i);
		s[0] = 0x61;   /* positive, minimal */
		for (size_t i = 0; i < lens[k]; i++) {
			sprintf(want + 2 * i, "%02X", s[i]);
			sprintf(wantrev + 2 * i, "%02X", s[lens[k] - 1 - i]);
		}
		X509 *x = cert_with_serial(f, s, lens[k]);
		char *hex = x509_serial_hex(x), *rev = x509_serial_reversed_hex(x);
		assert_string_equal(hex, want);
		assert_string_equal(rev, wantrev);
		assert_int_equal(strlen(hex), 2 * lens[k]);
		char *back = hex_reverse_bytes(rev);
		assert_string_equal(back, hex);
		free(back);
		free(hex);
		free(rev);
		X509_free(x);
	}
}

/*
 * The lab's serial text (lab/lab_issue.c) is written apart from
 * x509_serial_hex: both must give the DER content bytes, so a byte-order
 * or padding bug in either shows.  cert_with_value gives a certificate
 * whose serial has the value of the big-endian bytes v.
 */
static X509 *cert_with_value(struct fx *f, const unsigned char *v, size_t n)
{
	X509 *x = cert_with_serial(f, v, n);   /* then the value set again */
	BIGNUM *bn = BN_bin2bn(v, (int)n, NULL);
	assert_non_null(bn);
	ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
	assert_non_null(ai);
	assert_int_equal(X509_set_serialNumber(x, ai), 1);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return x;
}

static void expect_serial(struct fx *f, const unsigned char *v, size_t n,
			  const char *want)
{
	X509 *x = cert_with_value(f, v, n);
	char *lab = lab_serial_hex(x);
	char *client = x509_serial_hex(x);
	assert_non_null(lab);
	assert_non_null(client);
	assert_string_equal(lab, want);
	assert_string_equal(client, want);
	assert_string_equal(lab, client);
	free(lab);
	free(client);
	X509_free(x);
}

static void test_lab_serial_high_bit(void **state)
{
	const unsigned char v[] = { 0x80, 0x01, 0xAF };
	expect_serial(*state, v, sizeof(v), "008001AF");
	const unsigned char w[] = { 0xFF, 0x00, 0x10, 0x20, 0x30, 0x40, 0x50,
				    0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0,
				    0xD0, 0xE0 };
	expect_serial(*state, w, sizeof(w), "00FF00102030405060708090A0B0C0D0E0");
}

static void test_lab_serial_leading_zero_value(void **state)
{
	/* The value's own leading 00 is not part of the DER content... */
	const unsigned char v[] = { 0x00, 0x12, 0x34, 0x56 };
	expect_serial(*state, v, sizeof(v), "123456");
	/* ...unless the next byte has the top bit set. */
	const unsigned char w[] = { 0x00, 0x00, 0x9A, 0xBC };
	expect_serial(*state, w, sizeof(w), "009ABC");
}

static void test_lab_serial_one_byte(void **state)
{
	const unsigned char v[] = { 0x05 };
	expect_serial(*state, v, sizeof(v), "05");
	const unsigned char w[] = { 0x7F };
	expect_serial(*state, w, sizeof(w), "7F");
	const unsigned char h[] = { 0x80 };
	expect_serial(*state, h, sizeof(h), "0080");	const unsigned char z[] = { 0x00 };   /* zero: one 00 byte */
	expect_serial(*state, z, sizeof(z), "00");
}

static void test_lab_serial_twenty_bytes(void **state)
{
	unsigned char v[20];
	char want[2 * 21 + 1];
	for (size_t i = 0; i < sizeof(v); i++)
		v[i] = (unsigned char)(0x13 * (i + 1));
	v[0] = 0x7E;   /* 20 bytes of content, first byte positive */
	for (size_t i = 0; i < sizeof(v); i++)
		sprintf(want + 2 * i, "%02X", v[i]);
	expect_serial(*state, v, sizeof(v), want);
	v[0] = 0xC1;   /* 20 bytes of value: DER needs 21 */
	want[0] = '0';
	want[1] = '0';
	for (size_t i = 0; i < sizeof(v); i++)
		sprintf(want + 2 + 2 * i, "%02X", v[i]);
	expect_serial(*state, v, sizeof(v), want);
}

static void test_lab_serial_no_certificate(void **state)
{
	assert_null(lab_serial_hex(NULL));
	assert_null(x509_serial_hex(NULL));
}

/* Serials the lab issues are positive: a negative one has no lab text. */
static void test_lab_serial_negative(void **state)
{
	const unsigned char v[] = { 0x01, 0x02 };
	X509 *x = cert_with_value(*state, v, sizeof(v));
	ASN1_INTEGER *ai = ASN1_INTEGER_new();
	assert_non_null(ai);
	assert_int_equal(ASN1_INTEGER_set(ai, -258), 1);
	assert_int_equal(X509_set_serialNumber(x, ai), 1);
	ASN1_INTEGER_free(ai);
	assert_null(lab_serial_hex(x));
	X509_free(x);
}

static void test_hex_reverse(void **state)
{
	(void)state;
	char *r = hex_reverse_bytes("AF3C56");
	assert_string_equal(r, "563CAF");
	free(r);
	r = hex_reverse_bytes("af:3c:56");
	assert_string_equal(r, "563CAF");
	free(r);
	r = hex_reverse_bytes("0A");
	assert_string_equal(r, "0A");
	free(r);
	assert_null(hex_reverse_bytes("ABC"));     /* odd: not bytes */
	assert_null(hex_reverse_bytes("GG"));
	assert_null(hex_reverse_bytes(""));
}

/* --- names, times, properties ------------------------------------------ */

static void test_names_and_times(void **state)
{
	struct fx *f = *state;
	char *s = x509_name_text(X509_get_subject_name(f->root));
	assert_string_equal(s, "CN=Test Root CA, O=Opsmgr Test");
	free(s);
	s = x509_subject_cn(f->leaf);
	assert_string_equal(s, "agent1.example.test");
	free(s);
	struct certgen_opts o;
	certgen_opts_init(&o);
	o.org = "No CN Inc";
	X509 *x;
	assert_int_equal(certgen_make(&o, &x, NULL), 0);
	assert_null(x509_subject_cn(x));
	X509_free(x);

	ASN1_TIME *t = ASN1_TIME_new();
	assert_non_null(ASN1_TIME_set_string(t, "20261125073922Z"));
	s = x509_time_text(t);
	assert_string_equal(s, "2026-11-25 07:39:22 UTC");
	free(s);
	ASN1_TIME_free(t);
}

static GENERAL_NAME *ia5_name(int type, const char *v, int len)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();
	assert_non_null(gn);
	assert_non_null(s);
	assert_int_equal(ASN1_STRING_set(s, v, len), 1);
	GENERAL_NAME_set0_value(gn, type, s);
	return gn;
}

static void test_general_name_text(void **state)
{
	GENERAL_NAME *dns = ia5_name(GEN_DNS, "agent1.example.test", -1);
	GENERAL_NAME *uri = ia5_name(GEN_URI, "http://pki.example.test/ca.crl", -1);
	GENERAL_NAME *nul = ia5_name(GEN_DNS, "good.test\0evil.test", 19);
	GENERAL_NAME *empty = ia5_name(GEN_URI, "", 0);
	GENERAL_NAME *mail = ia5_name(GEN_EMAIL, "pki@example.test", -1);
	char *s = x509_general_name_text(dns, GEN_DNS);
	assert_string_equal(s, "agent1.example.test");
	free(s);
	s = x509_general_name_text(uri, GEN_URI);
	assert_string_equal(s, "http://pki.example.test/ca.crl");
	free(s);
	assert_null(x509_general_name_text(dns, GEN_URI));   /* other type */
	assert_null(x509_general_name_text(uri, GEN_DNS));
	assert_null(x509_general_name_text(nul, GEN_DNS));   /* embedded NUL */
	assert_null(x509_general_name_text(empty, GEN_URI));
	assert_null(x509_general_name_text(NULL, GEN_DNS));
	assert_null(x509_general_name_text(mail, GEN_EMAIL));   /* not read */
	GENERAL_NAME_free(dns);
	GENERAL_NAME_free(uri);
	GENERAL_NAME_free(nul);
	GENERAL_NAME_free(empty);
	GENERAL_NAME_free(mail);
}

static void test_properties(void **state)
{
	struct fx *f = *state;
	assert_true(x509_is_self_signed(f->root));
	assert_false(x509_is_self_signed(f->inter));
	assert_false(x509_is_self_signed(f->leaf));
	assert_true(x509_is_ca(f->root));
	assert_true(x509_is_ca(f->inter));
	assert_false(x509_is_ca(f->leaf));
	assert_string_equal(x509_sig_hash_name(f->leaf), "SHA256");
	assert_false(x509_sig_hash_weak(f->leaf));

	struct certgen_opts o;
	certgen_opts_ca(&o, "Old Root");
	o.no_basic_constraints = 1;
	o.md = EVP_sha1();
	X509 *x;
	assert_int_equal(certgen_make(&o, &x, NULL), 0);
	assert_true(x509_is_self_signed(x));
	assert_false(x509_is_ca(x));      /* no basicConstraints: not a CA */
	assert_string_equal(x509_sig_hash_name(x), "SHA1");
	assert_true(x509_sig_hash_weak(x));
	X509_free(x);

	certgen_opts_ca(&o, "Other Root");
	o.md = EVP_sha384();
	assert_int_equal(certgen_make(&o, &x, NULL), 0);
	assert_string_equal(x509_sig_hash_name(x), "SHA384");
	assert_false(x509_sig_hash_weak(x));
	X509_free(x);

	/* Same name as the root but signed by another key: not self-signed. */
	certgen_opts_ca(&o, "Test Root CA");
	o.org = "Opsmgr Test";
	o.issuer = f->root;
	o.issuer_key = f->inter_key;
	assert_int_equal(certgen_make(&o, &x, NULL), 0);
	assert_false(x509_is_self_signed(x));
	X509_free(x);
}

/* --- keys -------------------------------------------------------------- */

static void test_key_files_and_match(void **state)
{
	struct fx *f = *state;
	char p8[512], trad[512], der[512], enc[512], junk[512];
	snprintf(p8, sizeof(p8), "%s/key-p8.pem", f->dir);
	snprintf(trad, sizeof(trad), "%s/key-rsa.pem", f->dir);
	snprintf(der, sizeof(der), "%s/key.der", f->dir);
	snprintf(enc, sizeof(enc), "%s/key-enc.pem", f->dir);
	snprintf(junk, sizeof(junk), "%s/key-junk.pem", f->dir);

	assert_int_equal(certgen_write_key(p8, f->leaf_key), 0);
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey_traditional(b, f->leaf_key, NULL, NULL, 0, NULL,
					     NULL);
	char *p;
	long l = BIO_get_mem_data(b, &p);
	assert_non_null(strstr(p, "BEGIN RSA PRIVATE KEY"));
	assert_int_equal(certgen_write_file(trad, p, (size_t)l), 0);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	i2d_PrivateKey_bio(b, f->leaf_key);
	l = BIO_get_mem_data(b, &p);
	assert_int_equal(certgen_write_file(der, p, (size_t)l), 0);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PKCS8PrivateKey(b, f->leaf_key, EVP_aes_256_cbc(), NULL, 0,
				      NULL, (void *)"secret");
	l = BIO_get_mem_data(b, &p);
	assert_int_equal(certgen_write_file(enc, p, (size_t)l), 0);
	BIO_free(b);
	assert_int_equal(certgen_write_file(junk, "not a key\n", 10), 0);

	const char *good[] = { p8, trad, der };
	char err[512];
	for (int i = 0; i < 3; i++) {
		EVP_PKEY *k = x509_load_key_file(good[i], err, sizeof(err));
		assert_non_null(k);
		assert_true(x509_key_matches(f->leaf, k));
		assert_false(x509_key_matches(f->root, k));
		EVP_PKEY_free(k);
	}
	assert_null(x509_load_key_file(enc, err, sizeof(err)));
	assert_non_null(strstr(err, "encrypted"));
	assert_null(x509_load_key_file(junk, err, sizeof(err)));
	assert_non_null(strstr(err, "holds no private key"));
	assert_non_null(strstr(err, junk));

	/* A different key of the same size and type does not match. */
	struct certgen_opts o;
	certgen_opts_leaf(&o, "other.example.test");
	o.key_slot = 2;   /* neither the root's (0) nor the leaf's (1) */
	X509 *x;
	EVP_PKEY *k2;
	assert_int_equal(certgen_make(&o, &x, &k2), 0);
	assert_false(x509_key_matches(f->leaf, k2));
	assert_true(x509_key_matches(x, k2));
	assert_false(x509_key_matches(f->leaf, NULL));
	X509_free(x);
	EVP_PKEY_free(k2);
}

static void test_pem_output_round_trip(void **state)
{
	struct fx *f = *state;
	char *one = x509_to_pem(f->leaf);
	assert_non_null(strstr(one, "-----BEGIN CERTIFICATE-----"));
	STACK_OF(X509) *sk = load_ok(one, strlen(one));
	assert_same_cert(sk_X509_value(sk, 0), f->leaf);
	OSSL_STACK_OF_X509_free(sk);

	STACK_OF(X509) *in = sk_X509_new_null();
	sk_X509_push(in, f->leaf);
	sk_X509_push(in, f->root);
	char *two = x509_stack_to_pem(in);
	sk_X509_free(in);
	sk = load_ok(two, strlen(two));
	assert_int_equal(sk_X509_num(sk), 2);
	assert_same_cert(sk_X509_value(sk, 1), f->root);
	OSSL_STACK_OF_X509_free(sk);

	size_t kl;
	char *kp = x509_key_to_pem(f->leaf_key, &kl);
	assert_int_equal(strlen(kp), kl);
	assert_non_null(strstr(kp, "-----BEGIN PRIVATE KEY-----"));
	BIO *b = BIO_new_mem_buf(kp, (int)kl);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_true(x509_key_matches(f->leaf, k));
	EVP_PKEY_free(k);
	OPENSSL_cleanse(kp, kl);
	free(kp);
	free(one);
	free(two);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_single),
		cmocka_unit_test(test_der_single),
		cmocka_unit_test(test_pkcs7_der),
		cmocka_unit_test(test_pkcs7_pem),
		cmocka_unit_test(test_pkcs7_adcs_armour),
		cmocka_unit_test(test_pem_bundle_with_garbage),
		cmocka_unit_test(test_pem_with_key_block_is_skipped),
		cmocka_unit_test(test_windows_text_encodings),
		cmocka_unit_test(test_truncated_pkcs7_der),
		cmocka_unit_test(test_truncated_pkcs7_pem),
		cmocka_unit_test(test_garbage_and_empty),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_fingerprints),
		cmocka_unit_test(test_normalise_hex),
		cmocka_unit_test(test_serial_leading_zero),
		cmocka_unit_test(test_serial_lengths),
		cmocka_unit_test(test_lab_serial_high_bit),
		cmocka_unit_test(test_lab_serial_leading_zero_value),
		cmocka_unit_test(test_lab_serial_one_byte),
		cmocka_unit_test(test_lab_serial_twenty_bytes),
		cmocka_unit_test(test_lab_serial_no_certificate),
		cmocka_unit_test(test_lab_serial_negative),
		cmocka_unit_test(test_hex_reverse),
		cmocka_unit_test(test_names_and_times),
		cmocka_unit_test(test_general_name_text),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_key_files_and_match),
		cmocka_unit_test(test_pem_output_round_trip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
