/*
 * test_lab_serial.c - the lab's serial text (lab_issue.c) against the
 * client's (backend/pki/x509util.c) and against the expected DER content
 * bytes, on serials that start with a high bit (DER adds 00), that had a
 * leading zero byte in the value (DER drops it), 1 byte and 20 bytes long:
 * the two are written independently, so a byte-order or padding bug in
 * either one shows here.
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
#include <openssl/x509.h>

#include "certgen.h"
#include "lab.h"
#include "pki/x509util.h"

struct fx {
	X509 *root;
	EVP_PKEY *root_key;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct certgen_opts o;
	if (!f)
		return -1;
	certgen_opts_ca(&o, "Serial Test Root");
	if (certgen_make(&o, &f->root, &f->root_key) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	X509_free(f->root);
	EVP_PKEY_free(f->root_key);
	free(f);
	return 0;
}

/* A certificate whose serial has the value of the big-endian bytes v. */
static X509 *cert_with_value(struct fx *f, const unsigned char *v, size_t n)
{
	struct certgen_opts o;
	certgen_opts_leaf(&o, "serial.example.test");
	o.issuer = f->root;
	o.issuer_key = f->root_key;
	X509 *x = NULL;
	assert_int_equal(certgen_make(&o, &x, NULL), 0);
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

static void test_high_bit_gets_leading_zero(void **state)
{
	const unsigned char v[] = { 0x80, 0x01, 0xAF };
	expect_serial(*state, v, sizeof(v), "008001AF");
	const unsigned char w[] = { 0xFF, 0x00, 0x10, 0x20, 0x30, 0x40, 0x50,
				    0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0,
				    0xD0, 0xE0 };
	expect_serial(*state, w, sizeof(w), "00FF00102030405060708090A0B0C0D0E0");
}

static void test_leading_zero_byte_of_the_value(void **state)
{
	/* The value's own leading 00 is not part of the DER content... */
	const unsigned char v[] = { 0x00, 0x12, 0x34, 0x56 };
	expect_serial(*state, v, sizeof(v), "123456");
	/* ...unless the next byte has the top bit set. */
	const unsigned char w[] = { 0x00, 0x00, 0x9A, 0xBC };
	expect_serial(*state, w, sizeof(w), "009ABC");
}

static void test_one_byte(void **state)
{
	const unsigned char v[] = { 0x05 };
	expect_serial(*state, v, sizeof(v), "05");
	const unsigned char w[] = { 0x7F };
	expect_serial(*state, w, sizeof(w), "7F");
	const unsigned char h[] = { 0x80 };
	expect_serial(*state, h, sizeof(h), "0080");
}

static void test_twenty_bytes(void **state)
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

static void test_no_certificate(void **state)
{
	assert_null(lab_serial_hex(NULL));
	assert_null(x509_serial_hex(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_high_bit_gets_leading_zero),
		cmocka_unit_test(test_leading_zero_byte_of_the_value),
		cmocka_unit_test(test_one_byte),
		cmocka_unit_test(test_twenty_bytes),
		cmocka_unit_test(test_no_certificate),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
