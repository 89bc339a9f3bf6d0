/*
 * test_certsrv_pages.c - the pure certsrv page classifiers (certsrv_pages.c) on
 * every page fixture in tests/data/certsrv (issued, pending, denied,
 * unknown template, error parsing, advanced-info pages, IIS 401, certcarc),
 * on WWW-Authenticate values, and on garbage: truncated prefixes of every
 * page, empty input, embedded NULs, invalid UTF-8 (buffers are allocated
 * to the exact length so ASan catches any read past len).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adcs/certsrv.h"
#include "unit_util.h"
#include "core/text.h"

/* The fixture in a malloc'd buffer of exactly its length (no NUL). */
static char *load(const char *name, size_t *len)
{
	char *page = test_data_load("certsrv", name, len);
	if (!page)
		fail_msg("fixture %s not found (run from the source tree)", name);
	return page;
}

static void submit_file(const char *name, struct certsrv_answer *a)
{
	size_t len;
	char *page = load(name, &len);
	certsrv_classify_submit(page, len, a);
	free(page);
}

static void retrieve_file(const char *name, const char *ct,
			  struct certsrv_answer *a)
{
	size_t len;
	char *page = load(name, &len);
	certsrv_classify_retrieve(ct, page, len, a);
	free(page);
}

static void test_issued(void **state)
{
	struct certsrv_answer a;
	submit_file("issued.html", &a);
	assert_int_equal(a.kind, CERTSRV_ISSUED);
	assert_int_equal(a.request_id, 61108);   /* not the CACert link */
	assert_string_equal(a.title, "Certificate Issued");
	assert_string_equal(a.disposition, "");
}

static void test_issued_script_link(void **state)
{
	struct certsrv_answer a;
	submit_file("issued-script.html", &a);
	assert_int_equal(a.kind, CERTSRV_ISSUED);
	assert_int_equal(a.request_id, 815);
}

static void test_pending(void **state)
{
	struct certsrv_answer a;
	submit_file("pending.html", &a);
	assert_int_equal(a.kind, CERTSRV_PENDING);
	assert_int_equal(a.request_id, 4711);
	assert_string_equal(a.title, "Certificate Pending");
}

static void test_denied(void **state)
{
	struct certsrv_answer a;
	submit_file("denied.html", &a);
	assert_int_equal(a.kind, CERTSRV_DENIED);
	assert_int_equal(a.request_id, 4712);
	assert_non_null(strstr(a.disposition, "Denied by Policy Module 0x80094012"));
	/* the trailing ". " before the closing quote is trimmed */
	assert_int_not_equal(a.disposition[strlen(a.disposition) - 1], ' ');
	assert_null(strchr(a.disposition, '"'));
}

static void test_unknown_template(void **state)
{
	struct certsrv_answer a;
	submit_file("unknown-template.html", &a);
	assert_int_equal(a.kind, CERTSRV_UNKNOWN_TEMPLATE);
	assert_int_equal(a.request_id, 4713);
	assert_non_null(strstr(a.disposition, "template that is not supported"));
	assert_non_null(strstr(a.disposition, "Ops Mgr"));
}

static void test_error_parsing(void **state)
{
	struct certsrv_answer a;
	submit_file("error-parsing.html", &a);
	assert_int_equal(a.kind, CERTSRV_BAD_REQUEST);
	assert_non_null(strstr(a.disposition, "Error Parsing Request"));
	assert_string_equal(a.title, "Error");
}


/* Pages in another language (modeled on the English ones, German text):
 * the structural markers still classify them and find the ID and the
 * disposition text. */
static void test_localised_pages(void **state)
{
	struct certsrv_answer a;
	submit_file("pending-de.html", &a);
	assert_int_equal(a.kind, CERTSRV_PENDING);
	assert_int_equal(a.request_id, 321);
	assert_string_equal(a.title, "Ausstehendes Zertifikat");
	submit_file("denied-de.html", &a);
	assert_int_equal(a.kind, CERTSRV_UNKNOWN_TEMPLATE);
	assert_non_null(strstr(a.disposition, "Vom Richtlinienmodul verweigert 0x80094800"));
	assert_null(strchr(a.disposition, '"'));
	/* a ReqID in some other link alone does not make a page "pending" */
	const char p[] = "<html><a href=\"certnew.p7b?ReqID=5&Enc=b64\">x</a></html>";
	certsrv_classify_submit(p, sizeof(p) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
}

static void test_401_page_is_not_denied(void **state)
{
	struct certsrv_answer a;
	/* "Access is denied" in an IIS error page is no CA denial */
	submit_file("401.html", &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
	assert_non_null(strstr(a.excerpt, "401 - Unauthorized"));
	assert_null(strchr(a.excerpt, '<'));
	assert_null(strstr(a.excerpt, "font-size"));   /* style dropped */
}

static void test_retrieve_pages(void **state)
{
	struct certsrv_answer a;
	retrieve_file("advanced-pending.html", "text/html", &a);
	assert_int_equal(a.kind, CERTSRV_PENDING);
	assert_string_equal(a.disposition, "Taken Under Submission");

	retrieve_file("advanced-denied.html", "text/html", &a);
	assert_int_equal(a.kind, CERTSRV_DENIED);
	assert_string_equal(a.disposition, "Denied by LAB\\caadmin");

	retrieve_file("advanced-empty.html", "text/html", &a);
	assert_int_equal(a.kind, CERTSRV_NO_SUCH_REQUEST);
	assert_non_null(strstr(a.disposition, "CERTSRV_E_PROPERTY_EMPTY"));

	retrieve_file("advanced-error.html", NULL, &a);
	assert_int_equal(a.kind, CERTSRV_CA_ERROR);
	assert_non_null(strstr(a.disposition, "RPC server is unavailable"));
	/* CR LF line ends do not leak into the text */
	assert_null(strchr(a.disposition, '\r'));
	assert_null(strchr(a.excerpt, '\r'));
}

static void test_retrieve_certificate(void **state)
{
	struct certsrv_answer a;
	const char pem[] = "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n";
	certsrv_classify_retrieve("application/pkix-cert", pem, sizeof(pem) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_CERT);
	/* PEM without a content type */
	certsrv_classify_retrieve(NULL, pem, sizeof(pem) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_CERT);
	/* DER by content type */
	const char der[] = "\x30\x82\x01\x00\x30";
	certsrv_classify_retrieve("application/pkix-cert", der, 5, &a);
	assert_int_equal(a.kind, CERTSRV_CERT);
	/* an HTML page is never a certificate, even starting with 0x30 bytes */
	const char html[] = "\x30\x82<html><p>nope</p></html>";
	certsrv_classify_retrieve("text/html", html, sizeof(html) - 1, &a);
	assert_int_not_equal(a.kind, CERTSRV_CERT);
}

static void test_401_schemes(void **state)
{
	char names[128];
	const char *w = "Negotiate; NTLM; Basic realm=\"ca, lab; Digest\"";
	unsigned bits = certsrv_classify_401(w, strlen(w), names, sizeof(names));
	assert_int_equal(bits, CERTSRV_SCHEME_NEGOTIATE | CERTSRV_SCHEME_NTLM |
				       CERTSRV_SCHEME_BASIC);
	assert_string_equal(names, "Negotiate, NTLM, Basic");

	w = "Basic realm=\"x\"";
	bits = certsrv_classify_401(w, strlen(w), names, sizeof(names));
	assert_int_equal(bits, CERTSRV_SCHEME_BASIC);
	assert_string_equal(names, "Basic");

	w = "Bearer realm=\"y\", error=\"invalid_token\"";
	bits = certsrv_classify_401(w, strlen(w), names, sizeof(names));
	assert_int_equal(bits, CERTSRV_SCHEME_OTHER);
	assert_string_equal(names, "Bearer");

	bits = certsrv_classify_401(NULL, 0, names, sizeof(names));
	assert_int_equal(bits, 0);
	assert_string_equal(names, "none");

	/* a token68 after NTLM is not a scheme */
	w = "NTLM TlRMTVNTUAACAAAA, Negotiate";
	bits = certsrv_classify_401(w, strlen(w), names, sizeof(names));
	assert_int_equal(bits, CERTSRV_SCHEME_NTLM | CERTSRV_SCHEME_NEGOTIATE);
	assert_string_equal(names, "NTLM, Negotiate");
}

static void test_renewals(void **state)
{
	size_t len;
	char *page = load("certcarc.html", &len);
	assert_int_equal(certsrv_parse_renewals(page, len), 2);
	free(page);
	const char a[] = "var nRenewals = 13 ;";
	assert_int_equal(certsrv_parse_renewals(a, sizeof(a) - 1), 13);
	const char b[] = "var nRenewals=;";
	assert_int_equal(certsrv_parse_renewals(b, sizeof(b) - 1), -1);
	const char c[] = "The Certification Authority Service has not been started.";
	assert_int_equal(certsrv_parse_renewals(c, sizeof(c) - 1), -1);
	assert_int_equal(certsrv_parse_renewals("nRenewals=7", 10), -1); /* cut */
	assert_int_equal(certsrv_parse_renewals(NULL, 0), -1);
}

static void test_unexpected_keeps_server_words(void **state)
{
	struct certsrv_answer a;
	const char p[] = "<html><head><title>Service Unavailable</title>"
			 "<script>var x = '<b>hidden</b>';</script></head>"
			 "<body><h1>The Certification Authority Service has not "
			 "been started.</h1>&lt;ok&gt;&nbsp;&amp;&#65;</body></html>";
	certsrv_classify_submit(p, sizeof(p) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
	assert_string_equal(a.title, "Service Unavailable");
	assert_non_null(strstr(a.excerpt, "Certification Authority Service has not been started."));
	assert_non_null(strstr(a.excerpt, "<ok> &A"));
	assert_null(strstr(a.excerpt, "hidden"));
}

static void check_text_clean(const char *s)
{
	size_t n = strlen(s);
	assert_true(n < CERTSRV_TEXT_MAX);
	for (size_t i = 0; i < n; i++)
		assert_true((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
	/* whole UTF-8 sequences only, also where a text was cut */
	for (size_t i = 0; i < n;) {
		size_t k = text_utf8_seq((const unsigned char *)s + i, n - i);
		assert_true(k > 0);
		i += k;
	}
}

static void all_prefixes(const char *name)
{
	size_t len;
	char *page = load(name, &len);
	struct certsrv_answer a;
	char names[64], text[CERTSRV_TEXT_MAX];
	for (size_t n = 0; n <= len; n += (n + 64 >= len ? 1 : 13)) {
		char *cut = malloc(n ? n : 1);
		assert_non_null(cut);
		memcpy(cut, page, n);
		certsrv_classify_submit(cut, n, &a);
		check_text_clean(a.excerpt);
		check_text_clean(a.disposition);
		check_text_clean(a.title);
		certsrv_classify_retrieve("text/html", cut, n, &a);
		check_text_clean(a.excerpt);
		certsrv_classify_401(cut, n, names, sizeof(names));
		certsrv_parse_renewals(cut, n);
		certsrv_page_text(cut, n, text, sizeof(text));
		check_text_clean(text);
		free(cut);
	}
	free(page);
}

static void test_truncated_pages(void **state)
{
	static const char *const files[] = {
		"issued.html", "issued-script.html", "pending.html", "denied.html",
		"unknown-template.html", "error-parsing.html", "advanced-pending.html",
		"advanced-denied.html", "advanced-empty.html", "advanced-error.html",
		"401.html", "certcarc.html", "garbage.html", "pending-de.html",
		"denied-de.html", "pending-fr.html", "chkpnd-zh.html",
		"denied-zh.html", "denied-fr-subject.html", "error-de-access.html",
		"advanced-pending-fr.html", "advanced-empty-zh.html",
		"advanced-denied-de.html"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		all_prefixes(files[i]);
}

static void test_truncated_keeps_meaning(void **state)
{
	/* A pending page cut right after the ID still gives the ID;
	 * a link cut inside the digits gives no bogus issued ID. */
	const char p[] = "<P ID=locPageTitle> <B> Zertifikat ausstehend </B>"
			 "<P ID=locInfoReqID> Ihre Anforderungs-ID ist 99";
	struct certsrv_answer a;
	certsrv_classify_submit(p, sizeof(p) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_PENDING);
	assert_int_equal(a.request_id, 99);
	const char q[] = "<a href=\"certnew.cer?ReqID=";
	certsrv_classify_submit(q, sizeof(q) - 1, &a);
	assert_int_not_equal(a.kind, CERTSRV_ISSUED);
	const char r[] = "<a href=\"certnew.cer?ReqID=CACert&Renewal=1\">";
	certsrv_classify_submit(r, sizeof(r) - 1, &a);
	assert_int_not_equal(a.kind, CERTSRV_ISSUED);
	/* cut inside the quoted disposition: the words so far, the code */
	const char d[] = "<P ID=locDenied> Votre demande a \xc3\xa9t\xc3\xa9 refus\xc3\xa9"
			 "e.</P><LocID ID=locDispMsg>Le message est \xc2\xab Refus\xc3\xa9 "
			 "par le module de strat\xc3\xa9gie 0x80094800, Le mod";
	certsrv_classify_submit(d, sizeof(d) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_UNKNOWN_TEMPLATE);
	assert_string_equal(a.disposition, "Refus\xc3\xa9 par le module de "
			    "strat\xc3\xa9gie 0x80094800, Le mod");
	/* English wording alone decides nothing */
	const char e[] = "The disposition message is \"Denied by Policy Mod";
	certsrv_classify_submit(e, sizeof(e) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
}

static void test_garbage(void **state)
{
	struct certsrv_answer a;
	certsrv_classify_submit(NULL, 0, &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
	assert_string_equal(a.excerpt, "(empty page)");
	certsrv_classify_submit("", 0, &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
	certsrv_classify_retrieve(NULL, NULL, 0, &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);

	/* embedded NULs do not end the scan; the link after them counts */
	const char nul[] = "<p>x\0\0\0<a href=\"certnew.cer?ReqID=12&Enc=b64\">";
	certsrv_classify_submit(nul, sizeof(nul) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_ISSUED);
	assert_int_equal(a.request_id, 12);

	/* invalid UTF-8 and control bytes become '?' / spaces */
	const char bad[] = "<title>\xff\xfe\xc3\x28 ok \x01\x02 \xe2\x82\xac</title>";
	certsrv_classify_submit(bad, sizeof(bad) - 1, &a);
	check_text_clean(a.title);
	assert_string_equal(a.title, "??" "?( ok \xe2\x82\xac");

	/* random bytes: nothing crashes, text stays clean */
	unsigned seed = 12345;
	for (int round = 0; round < 300; round++) {
		size_t n = (size_t)(round * 7 % 2000);
		char *buf = malloc(n ? n : 1);
		assert_non_null(buf);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			static const char *const bits[] = {"<", ">", "&", "\"", "certnew.cer?ReqID=", "Request Id is ", "disposition message is \""};
			buf[i] = (char)(seed >> 16);
			if ((seed >> 8) % 50 == 0) {
				const char *b = bits[(seed >> 4) % 7];
				size_t bl = strlen(b);
				if (i + bl <= n) {
					memcpy(buf + i, b, bl);
					i += bl - 1;
				}
			}
		}
		certsrv_classify_submit(buf, n, &a);
		check_text_clean(a.excerpt);
		check_text_clean(a.disposition);
		certsrv_classify_retrieve(NULL, buf, n, &a);
		char names[32];
		certsrv_classify_401(buf, n, names, sizeof(names));
		free(buf);
	}
}

static void test_page_text_small_buffer(void **state)
{
	char out[8];
	const char p[] = "<b>h\xc3\xa9llo w\xc3\xb6rld</b>";
	size_t n = certsrv_page_text(p, sizeof(p) - 1, out, sizeof(out));
	assert_true(n < sizeof(out));
	assert_int_equal(n, strlen(out));
	/* never a cut UTF-8 sequence */
	assert_string_equal(out, "h\xc3\xa9llo");
	assert_int_equal(certsrv_page_text(p, sizeof(p) - 1, out, 0), 0);
}

static void test_looks_like_cert(void **state)
{
	static const char pem[] = "\r\n  -----BEGIN CERTIFICATE-----\nMIIB\n";
	static const char p7[] = "-----BEGIN PKCS7-----\nMIIB\n";
	static const char der[] = "\x30\x82\x01\x0a";
	static const char html[] = "<html><body>Pending</body></html>";
	assert_true(certsrv_looks_like_cert(NULL, pem, sizeof(pem) - 1));
	assert_true(certsrv_looks_like_cert("text/html", p7, sizeof(p7) - 1));
	assert_true(certsrv_looks_like_cert("application/pkcs7-mime", der,
					    sizeof(der) - 1));
	assert_true(certsrv_looks_like_cert(NULL, der, sizeof(der) - 1));
	/* a page served as HTML is never taken for DER */
	assert_false(certsrv_looks_like_cert("text/html; charset=utf-8", der,
					     sizeof(der) - 1));
	assert_false(certsrv_looks_like_cert(NULL, html, sizeof(html) - 1));
	assert_false(certsrv_looks_like_cert(NULL, der, 1));
}

static void test_url_join(void **state)
{
	char *u = certsrv_url("https://ca/certsrv/", "certfnsh.asp");
	assert_string_equal(u, "https://ca/certsrv/certfnsh.asp");
	free(u);
	u = certsrv_url("https://ca/certsrv", "certnew.cer?ReqID=1");
	assert_string_equal(u, "https://ca/certsrv/certnew.cer?ReqID=1");
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issued),
		cmocka_unit_test(test_issued_script_link),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_unknown_template),
		cmocka_unit_test(test_error_parsing),
		cmocka_unit_test(test_localised_pages),
		cmocka_unit_test(test_401_page_is_not_denied),
		cmocka_unit_test(test_retrieve_pages),
		cmocka_unit_test(test_retrieve_certificate),
		cmocka_unit_test(test_401_schemes),
		cmocka_unit_test(test_renewals),
		cmocka_unit_test(test_unexpected_keeps_server_words),
		cmocka_unit_test(test_truncated_pages),
		cmocka_unit_test(test_truncated_keeps_meaning),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_page_text_small_buffer),
		cmocka_unit_test(test_looks_like_cert),
		cmocka_unit_test(test_url_join),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
