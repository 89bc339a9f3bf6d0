/*
 * test_evidence_parse.c - the pure readers of `check --evidence`
 * (backend/windows/evidence_*.c): .reg as reg export writes it (UTF-16LE +
 * BOM, CRLF, hex lists continued with '\'), certutil's store dump (-v and
 * plain, names over several lines, keys, "Missing stored keyset"),
 * events.xml (bare <Event> elements, <Events>, a declaration), and the
 * specific error of each malformed or truncated input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_util.h"
#include "windows/evidence_certutil.h"
#include "windows/evidence_events.h"
#include "windows/evidence_reg.h"
#include "windows/evidence_text.h"
#include "windows/regfile.h"

/* s as UTF-16LE with a BOM (ASCII input), malloc'd; *n its length. */
static unsigned char *utf16(const char *s, size_t *n)
{
	size_t l = strlen(s);
	unsigned char *b = malloc(2 + 2 * l);
	b[0] = 0xFF;
	b[1] = 0xFE;
	for (size_t i = 0; i < l; i++) {
		b[2 + 2 * i] = (unsigned char)s[i];
		b[3 + 2 * i] = 0;
	}
	*n = 2 + 2 * l;
	return b;
}

static int reg_text(const char *s, struct reg_file *f, char *err)
{
	size_t n;
	unsigned char *b = utf16(s, &n);
	reg_file_init(f);
	int r = reg_parse(b, n, f, err, 256);
	free(b);
	return r;
}

static void test_reg_fixture_wrapped_hex(void **st)
{
	size_t n;
	char *buf = test_data_load("evidence", "healthy/machine-settings.reg", &n);
	assert_non_null(buf);
	assert_int_equal((unsigned char)buf[0], 0xFF);   /* the BOM */
	struct reg_file f;
	char err[256];
	reg_file_init(&f);
	assert_int_equal(reg_parse((unsigned char *)buf, n, &f, err, sizeof(err)), 0);
	const struct reg_value *v = reg_find(&f, REGFILE_KEY,
					     "channelcertificateserialnumber");
	assert_non_null(v);
	assert_int_equal(v->kind, REGV_HEX);
	assert_int_equal(v->len, 20);   /* two lines joined */
	assert_int_equal(v->data[0], 0x0C);
	assert_int_equal(v->data[19], 0x3A);
	v = reg_find(&f, REGFILE_KEY, "ChannelCertificateHash");
	assert_non_null(v);
	assert_int_equal(v->kind, REGV_SZ);
	assert_int_equal(strlen(v->str), 40);
	reg_file_release(&f);
	free(buf);
}

static void test_reg_kinds(void **st)
{
	struct reg_file f;
	char err[256];
	assert_int_equal(reg_text(
		"Windows Registry Editor Version 5.00\r\n\r\n"
		"[HKEY_LOCAL_MACHINE\\A]\r\n"
		"\"s\"=\"a \\\"q\\\" \\\\ b\"\r\n"
		"\"d\"=dword:0000165b\r\n"
		"@=\"default\"\r\n"
		"\"m\"=hex(7):41,00,00,00\r\n"
		"\"gone\"=-\r\n"
		"[-HKEY_LOCAL_MACHINE\\B]\r\n", &f, err), 0);
	assert_string_equal(reg_find(&f, "hkey_local_machine\\a", "s")->str,
			    "a \"q\" \\ b");
	assert_int_equal(reg_find(&f, "HKEY_LOCAL_MACHINE\\A", "d")->dword, 5723);
	assert_string_equal(reg_find(&f, "HKEY_LOCAL_MACHINE\\A", "")->str,
			    "default");
	assert_int_equal(reg_find(&f, "HKEY_LOCAL_MACHINE\\A", "m")->hex_type, 7);
	assert_null(reg_find(&f, "HKEY_LOCAL_MACHINE\\A", "gone"));
	reg_file_release(&f);
}

static void expect_reg_error(const char *text, const char *want)
{
	struct reg_file f;
	char err[256] = "";
	assert_int_equal(reg_text(text, &f, err), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
	reg_file_release(&f);
}

static void test_reg_errors(void **st)
{
	expect_reg_error("REGEDIT5\r\n", "line 1: not a registry file");
	expect_reg_error("", "empty");
	expect_reg_error("Windows Registry Editor Version 5.00\r\n\r\n[K]\r\n"
			 "\"v\"=hex:01,02,\\\r\n", "line 4: truncated");
	expect_reg_error("Windows Registry Editor Version 5.00\r\n\"v\"=dword:1\r\n",
			 "line 2: value outside a key");
	expect_reg_error("Windows Registry Editor Version 5.00\r\n[K]\r\n\"v\"=dword:1\r\n",
			 "line 3: dword value is not 8 hex digits");
	expect_reg_error("Windows Registry Editor Version 5.00\r\n[K]\r\n\"v\"=hex:0g\r\n",
			 "line 3: bad byte");
	expect_reg_error("Windows Registry Editor Version 5.00\r\n[K\r\n", "line 2: key line");
	expect_reg_error("Windows Registry Editor Version 5.00\r\n[K]\r\n\"v=\"x\"\r\n",
			 "line 3:");
	/* an odd byte count: the UTF-16 was cut in the middle of a character */
	struct reg_file f;
	char err[256];
	unsigned char odd[] = { 0xFF, 0xFE, 'W', 0, 'i' };
	reg_file_init(&f);
	assert_int_equal(reg_parse(odd, sizeof(odd), &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated UTF-16"));
	unsigned char lone[] = { 0xFF, 0xFE, 0x00, 0xD8, 'a', 0 };
	assert_int_equal(reg_parse(lone, sizeof(lone), &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "lone UTF-16 surrogate"));
	reg_file_release(&f);
}

static void test_text_utf16_surrogates(void **st)
{
	unsigned char b[] = { 0xFF, 0xFE, 0x3D, 0xD8, 0x00, 0xDE, 'x', 0 };
	char err[64];
	size_t n;
	char *s = evidence_text_utf8(b, sizeof(b), &n, err, sizeof(err));
	assert_non_null(s);
	assert_string_equal(s, "\xF0\x9F\x98\x80x");   /* U+1F600 */
	free(s);
}

static void test_certutil_fixture(void **st)
{
	size_t n;
	char *buf = test_data_load("evidence", "healthy/store-my.txt", &n);
	struct cu_store s;
	char err[256];
	cu_store_init(&s);
	assert_int_equal(certutil_parse((unsigned char *)buf, n, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.c[0].serial, "3A1F0000000C5E7A9B22D4F0E1C300000000000C");
	assert_string_equal(s.c[0].subject, "CN=agent01.example.test");
	assert_string_equal(s.c[0].issuer,
			    "CN=Evidence Test Root CA, O=opsmgr-enroll tests");
	assert_string_equal(s.c[0].provider,
			    "Microsoft RSA SChannel Cryptographic Provider");
	assert_int_equal(s.c[0].keyspec, 1);
	assert_false(s.c[0].missing_keyset);
	assert_int_equal(strlen(s.c[0].sha1), 40);
	/* the leading 00 of a DER serial with its high bit set, blanks */
	assert_ptr_equal(cu_find_serial(&s, "00 81 aa 00 00 00 0d 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e"),
			 &s.c[1]);
	assert_null(cu_find_serial(&s, "3A1F0000000C5E7A9B22D4F0E1C300000000"));
	cu_store_release(&s);
	free(buf);
}

static void test_certutil_plain_and_missing_key(void **st)
{
	const char *t =
		"My \"Personal\"\r\n"
		"================ Certificate 0 ================\r\n"
		"Serial Number: 00 a1 b2\r\n"
		"Issuer: CN=Root, O=X\r\n"
		" NotAfter: 1/1/2030 12:00 AM\r\n"
		"Subject: CN=host.example\r\n"
		"Cert Hash(sha1): 01 02 03 04\r\n"
		"Missing stored keyset\r\n"
		"CertUtil: -store command completed successfully.\r\n";
	struct cu_store s;
	char err[256];
	size_t n;
	unsigned char *b = utf16(t, &n);
	cu_store_init(&s);
	assert_int_equal(certutil_parse(b, n, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.c[0].serial, "00A1B2");
	assert_string_equal(s.c[0].sha1, "01020304");
	assert_string_equal(s.c[0].issuer, "CN=Root, O=X");
	assert_true(s.c[0].missing_keyset);
	assert_null(s.c[0].provider);
	assert_int_equal(s.c[0].keyspec, -1);
	assert_non_null(cu_find_serial(&s, "A1B2"));
	cu_store_release(&s);
	free(b);
}

static void expect_cu_error(const char *text, const char *want)
{
	struct cu_store s;
	char err[256] = "";
	cu_store_init(&s);
	assert_int_equal(certutil_parse((const unsigned char *)text, strlen(text),
					&s, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
	cu_store_release(&s);
}

static void test_certutil_errors(void **st)
{
	expect_cu_error("hello\r\n", "not certutil's store dump");
	expect_cu_error("================ Certificate 0 ================\r\n"
			"Serial Number: 0102\r\n", "line 2: truncated");
	expect_cu_error("================ Certificate 0 ================\r\n"
			"Subject: CN=x\r\n"
			"CertUtil: -store command completed successfully.\r\n",
			"line 3: the certificate before this line has no 'Serial Number:'");
	expect_cu_error("================ Certificate 0 ================\r\n"
			"Serial Number: zz\r\n", "line 2: 'Serial Number:' is not hex");
	expect_cu_error("CertUtil: -store command FAILED: 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)\r\n",
			"certutil failed: CertUtil: -store command FAILED: 0x80070005");
}

static void test_events_fixture(void **st)
{
	size_t n;
	char *buf = test_data_load("evidence", "events-20071-21016/events.xml", &n);
	struct ev_list l;
	char err[256];
	ev_list_init(&l);
	assert_int_equal(events_parse((unsigned char *)buf, n, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.e[0].id, 21016);
	assert_int_equal(l.e[0].level, 2);
	assert_string_equal(l.e[0].time, "2026-12-03T15:12:40.5000000Z");
	assert_string_equal(l.e[0].source, "OpsMgr Connector");
	assert_string_equal(l.e[0].data, "MG1; scom01.example.test");
	assert_int_equal(l.e[1].id, 20071);
	ev_list_release(&l);
	free(buf);
}

static void test_events_wrapped_and_declared(void **st)
{
	const char *t = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<Events><Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">"
		"<System><EventID>20053</EventID></System></Event></Events>";
	struct ev_list l;
	char err[256];
	ev_list_init(&l);
	assert_int_equal(events_parse((const unsigned char *)t, strlen(t), &l, err,
				      sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.e[0].id, 20053);
	assert_null(l.e[0].time);
	ev_list_release(&l);
	/* nothing collected: an empty log is no error */
	assert_int_equal(events_parse((const unsigned char *)"", 0, &l, err,
				      sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	ev_list_release(&l);
}

static void test_events_errors(void **st)
{
	struct ev_list l;
	char err[256];
	const char *cut = "<Event><System><EventID>21016</EventID></Sys";
	ev_list_init(&l);
	assert_int_equal(events_parse((const unsigned char *)cut, strlen(cut), &l,
				      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1: "));
	const char *noid = "<Event><System><EventID>x</EventID></System></Event>";
	assert_int_equal(events_parse((const unsigned char *)noid, strlen(noid), &l,
				      err, sizeof(err)), -1);
	assert_string_equal(err, "event 1: no numeric System/EventID");
	/* an external entity is neither fetched nor expanded */
	const char *ent = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Event>&e;</Event>";
	int r = events_parse((const unsigned char *)ent, strlen(ent), &l, err,
			     sizeof(err));
	assert_int_equal(r, -1);   /* a DOCTYPE inside <Events> is not XML */
	ev_list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reg_fixture_wrapped_hex),
		cmocka_unit_test(test_reg_kinds),
		cmocka_unit_test(test_reg_errors),
		cmocka_unit_test(test_text_utf16_surrogates),
		cmocka_unit_test(test_certutil_fixture),
		cmocka_unit_test(test_certutil_plain_and_missing_key),
		cmocka_unit_test(test_certutil_errors),
		cmocka_unit_test(test_events_fixture),
		cmocka_unit_test(test_events_wrapped_and_declared),
		cmocka_unit_test(test_events_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
