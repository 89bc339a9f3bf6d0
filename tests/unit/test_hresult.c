/*
 * test_hresult.c - the HRESULT table (backend/adcs/hresult.c): the codes
 * the issue names are there with Windows' values and names and map to the
 * right kind and field; every entry's field is a configuration key, its
 * cause and fix read as our messages do; codes and names are unique; and
 * hresult_scan finds codes and names as whole words only, in any case of
 * hex digits, never past the length given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "adcs/hresult.h"
#include "core/config_schema.h"

static const struct {
	unsigned long code;
	const char *symbol;
	enum certsrv_kind kind;
	const char *field;
} REQUIRED[] = {
	{ 0x80094800UL, "CERTSRV_E_UNSUPPORTED_CERT_TYPE", CERTSRV_UNKNOWN_TEMPLATE, "ca.template" },
	{ 0x80094014UL, "CERTSRV_E_ADMIN_DENIED_REQUEST", CERTSRV_DENIED, NULL },
	{ 0x80094001UL, "CERTSRV_E_BAD_REQUESTSUBJECT", CERTSRV_DENIED, "computer.fqdn" },
	{ 0x80094012UL, "CERTSRV_E_TEMPLATE_DENIED", CERTSRV_DENIED, "ca.user" },
	{ 0x8009480FUL, "CERTSRV_E_SUBJECT_DNS_REQUIRED", CERTSRV_DENIED, "computer.fqdn" },
	{ 0x80092004UL, "CRYPT_E_NOT_FOUND", CERTSRV_DENIED, "ca.template" },
	{ 0x80070005UL, "E_ACCESSDENIED", CERTSRV_CA_ERROR, "ca.user" },
	{ 0x80094801UL, "CERTSRV_E_NO_CERT_TYPE", CERTSRV_UNKNOWN_TEMPLATE, "ca.template" },
	{ 0x80094004UL, "CERTSRV_E_PROPERTY_EMPTY", CERTSRV_NO_SUCH_REQUEST, "ca.url" },
	{ 0x8009310BUL, "CRYPT_E_ASN1_BADTAG", CERTSRV_BAD_REQUEST, NULL },
	{ 0x80094811UL, "CERTSRV_E_KEY_LENGTH", CERTSRV_DENIED, "key.bits" },
	{ 0x800706BAUL, "RPC_S_SERVER_UNAVAILABLE", CERTSRV_CA_ERROR, "ca.url" },
};

static void test_required_codes(void **state)
{
	for (size_t i = 0; i < sizeof(REQUIRED) / sizeof(REQUIRED[0]); i++) {
		const struct hresult_info *e = hresult_find(REQUIRED[i].code);
		assert_non_null(e);
		assert_string_equal(e->symbol, REQUIRED[i].symbol);
		assert_int_equal(e->kind, REQUIRED[i].kind);
		if (REQUIRED[i].field)
			assert_string_equal(e->field, REQUIRED[i].field);
		else
			assert_null(e->field);
		assert_ptr_equal(hresult_find_symbol(REQUIRED[i].symbol,
						     strlen(REQUIRED[i].symbol)), e);
	}
	/* a lookup code: a refusal on submission, no such request on fetch */
	assert_int_equal(hresult_find(0x80092004UL)->on_retrieve,
			 CERTSRV_NO_SUCH_REQUEST);
	/* the WIN32 name pages print for 0x80070005 */
	assert_ptr_equal(hresult_find_symbol("ERROR_ACCESS_DENIED", 19),
			 hresult_find(0x80070005UL));
	assert_null(hresult_find(0x80094999UL));
	assert_null(hresult_find_symbol("CERTSRV_E", 9));
}

static void check_sentence(const char *s)
{
	assert_non_null(s);
	size_t n = strlen(s);
	assert_true(n > 10);
	/* lowercase start, acronyms aside */
	assert_true(!isupper((unsigned char)s[0]) || isupper((unsigned char)s[1]));
	assert_int_not_equal(s[n - 1], '.');
	assert_null(strchr(s, '\n'));
}

static void test_table_entries(void **state)
{
	size_t n = hresult_count();
	assert_true(n >= 25);
	for (size_t i = 0; i < n; i++) {
		const struct hresult_info *e = hresult_at(i);
		assert_non_null(e);
		assert_true(e->code & 0x80000000UL);           /* a failure code */
		assert_true(e->code <= 0xFFFFFFFFUL);
		assert_ptr_equal(hresult_find(e->code), e);     /* unique codes */
		assert_ptr_equal(hresult_find_symbol(e->symbol, strlen(e->symbol)), e);
		if (e->alias)
			assert_ptr_equal(hresult_find_symbol(e->alias, strlen(e->alias)), e);
		assert_true(e->kind >= CERTSRV_DENIED && e->kind <= CERTSRV_CA_ERROR);
		assert_true(e->on_retrieve >= CERTSRV_DENIED &&
			    e->on_retrieve <= CERTSRV_CA_ERROR);
		if (e->field)
			assert_non_null(config_key_find(e->field));
		check_sentence(e->cause);
		check_sentence(e->fix);
		/* the fix names the field it is shown at */
		if (e->field && strcmp(e->field, "ca.template") != 0 &&
		    strcmp(e->field, "ca.url") != 0)
			assert_true(strstr(e->fix, e->field) || strstr(e->cause, e->field));
		/* a template error is fixed at ca.template */
		if (e->kind == CERTSRV_UNKNOWN_TEMPLATE)
			assert_string_equal(e->field, "ca.template");
	}
	assert_null(hresult_at(n));
}

static void test_scan(void **state)
{
	unsigned long fail;
	const struct hresult_info *e;
	const char a[] = "Denied by Policy Module  0x80094800, The request was for";
	e = hresult_scan(a, sizeof(a) - 1, &fail);
	assert_non_null(e);
	assert_string_equal(e->symbol, "CERTSRV_E_UNSUPPORTED_CERT_TYPE");
	assert_int_equal(fail, 0x80094800UL);
	/* lower-case hex, the first known code wins */
	const char b[] = "ASN1 bad tag value met. 0x8009310b (ASN: 267 CRYPT_E_ASN1_BADTAG)";
	e = hresult_scan(b, sizeof(b) - 1, NULL);
	assert_non_null(e);
	assert_int_equal(e->code, 0x8009310BUL);
	/* a symbolic name alone; the WIN32 alias */
	const char c[] = "Zugriff verweigert (WIN32: 5 ERROR_ACCESS_DENIED)";
	e = hresult_scan(c, sizeof(c) - 1, &fail);
	assert_non_null(e);
	assert_string_equal(e->symbol, "E_ACCESSDENIED");
	assert_int_equal(fail, 0x80070005UL);
	/* whole words only: no prefix of a longer name or number */
	const char d[] = "CERTSRV_E_BAD_REQUESTSTATUSX 0x800948001 x0x80094800 "
			 "0x8009480 MYCERTSRV_E_NO_CERT_TYPE";
	assert_null(hresult_scan(d, sizeof(d) - 1, &fail));
	assert_int_equal(fail, 0);
	const char f[] = "CERTSRV_E_BAD_REQUESTSTATUS";
	e = hresult_scan(f, sizeof(f) - 1, NULL);
	assert_non_null(e);
	assert_int_equal(e->code, 0x80094003UL);   /* not ..._REQUESTSUBJECT */
	/* an unknown failure code is reported, S_OK is not */
	const char g[] = "ok 0x0 (WIN32: 0), then 0x80071234 and 0x80094001";
	e = hresult_scan(g, sizeof(g) - 1, &fail);
	assert_non_null(e);
	assert_int_equal(e->code, 0x80094001UL);
	assert_int_equal(fail, 0x80071234UL);
	/* bounded: a code cut by len is not read; NULs are ordinary */
	const char h[] = "x\0y 0x80094800";
	assert_null(hresult_scan(h, sizeof(h) - 3, &fail));
	assert_non_null(hresult_scan(h, sizeof(h) - 1, NULL));
	assert_null(hresult_scan(NULL, 0, &fail));
	assert_int_equal(fail, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_codes),
		cmocka_unit_test(test_table_entries),
		cmocka_unit_test(test_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
