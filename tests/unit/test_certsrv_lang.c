/*
 * test_certsrv_lang.c - the certsrv page classifiers (certsrv_pages.c) on
 * pages in any language: the localized fixtures of tests/data/certsrv
 * (French, German, Chinese pages with the element IDs of Windows Server's
 * certrspn.asp, certrsdn.asp and certrser.asp) classify with the server's
 * own words kept; and no English string decides: every fixture, its
 * visible text made unreadable (ASCII letters rotated, the HRESULT codes
 * and symbolic names kept) or its English phrases replaced by German,
 * French and Chinese ones, gets the same kind, request ID and HRESULT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adcs/certsrv_pages.h"
#include "adcs/hresult.h"
#include "unit_util.h"

/* The fixture in a malloc'd buffer of exactly its length (no NUL). */
static char *load(const char *name, size_t *len)
{
	char *page = test_data_load("certsrv", name, len);
	if (!page)
		fail_msg("fixture %s not found (run from the source tree)", name);
	return page;
}

enum mode { SUBMIT, RETRIEVE };

static void classify(enum mode m, const char *page, size_t len,
		     struct certsrv_answer *a)
{
	if (m == SUBMIT)
		certsrv_classify_submit(page, len, a);
	else
		certsrv_classify_retrieve("text/html", page, len, a);
}

/* ------------------------------------------------------------------ */
/* localized pages                                                     */

static const struct {
	const char *file;
	enum mode mode;
	enum certsrv_kind kind;
	long id;
	const char *words;      /* the server's own words, in disposition or title */
	const char *symbol;     /* the HRESULT named, or NULL */
} LOCALIZED[] = {
	{ "pending-fr.html", SUBMIT, CERTSRV_PENDING, 25,
	  "Certificat en attente", NULL },
	{ "chkpnd-zh.html", SUBMIT, CERTSRV_PENDING, 57, "证书挂起", NULL },
	{ "pending-de.html", SUBMIT, CERTSRV_PENDING, 321,
	  "Ausstehendes Zertifikat", NULL },
	{ "denied-zh.html", SUBMIT, CERTSRV_DENIED, 58,
	  "被策略模块拒绝 0x80094012, 证书模板上的权限不允许当前用户注册此类型的证书",
	  "CERTSRV_E_TEMPLATE_DENIED" },
	{ "denied-fr-subject.html", SUBMIT, CERTSRV_DENIED, 59,
	  "Refusé par le module de stratégie 0x8009480f, Le nom DNS",
	  "CERTSRV_E_SUBJECT_DNS_REQUIRED" },
	{ "denied-de.html", SUBMIT, CERTSRV_UNKNOWN_TEMPLATE, 0,
	  "Vom Richtlinienmodul verweigert 0x80094800",
	  "CERTSRV_E_UNSUPPORTED_CERT_TYPE" },
	{ "error-de-access.html", SUBMIT, CERTSRV_CA_ERROR, 0,
	  "Zugriff verweigert 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)",
	  "E_ACCESSDENIED" },
	{ "advanced-pending-fr.html", RETRIEVE, CERTSRV_PENDING, 0,
	  "Demande en attente de traitement", NULL },
	{ "advanced-empty-zh.html", RETRIEVE, CERTSRV_NO_SUCH_REQUEST, 0,
	  "请求的属性值为空", "CERTSRV_E_PROPERTY_EMPTY" },
	{ "advanced-denied-de.html", RETRIEVE, CERTSRV_DENIED, 0,
	  "Verweigert von LAB\\caadmin", NULL },
};
#define NLOCALIZED (sizeof(LOCALIZED) / sizeof(LOCALIZED[0]))

static void test_localized_fixtures(void **state)
{
	for (size_t i = 0; i < NLOCALIZED; i++) {
		size_t len;
		struct certsrv_answer a;
		char *page = load(LOCALIZED[i].file, &len);
		classify(LOCALIZED[i].mode, page, len, &a);
		print_message("%s: %s, id %ld, markers 0x%x, '%s'\n",
			      LOCALIZED[i].file, certsrv_kind_name(a.kind),
			      a.request_id, a.markers, a.disposition);
		assert_int_equal(a.kind, LOCALIZED[i].kind);
		assert_int_equal(a.request_id, LOCALIZED[i].id);
		assert_true(strstr(a.disposition, LOCALIZED[i].words) ||
			    strstr(a.title, LOCALIZED[i].words));
		if (LOCALIZED[i].symbol) {
			assert_non_null(a.hr);
			assert_string_equal(a.hr->symbol, LOCALIZED[i].symbol);
		} else {
			assert_null(a.hr);
		}
		/* no English phrase on these pages: nothing to confirm */
		assert_false(a.markers & CERTSRV_MARK_ENGLISH);
		assert_true(a.markers != 0);
		free(page);
	}
}

static void test_localized_quotes(void **state)
{
	struct certsrv_answer a;
	size_t len;
	char *page = load("denied-zh.html", &len);
	certsrv_classify_submit(page, len, &a);
	/* the words inside “...”, without the marks and the final 。 */
	assert_null(strstr(a.disposition, "\xe2\x80\x9c"));
	assert_null(strstr(a.disposition, "\xe2\x80\x9d"));
	assert_null(strstr(a.disposition, "处置消息为"));
	free(page);
	page = load("denied-fr-subject.html", &len);
	certsrv_classify_submit(page, len, &a);
	assert_null(strstr(a.disposition, "\xc2\xab"));
	assert_null(strstr(a.disposition, "\xc2\xbb"));
	assert_null(strstr(a.disposition, "Le message de disposition"));
	assert_int_equal(a.disposition[strlen(a.disposition) - 1], 't');
	free(page);
	/* German „...“ and numeric entities */
	const char de[] = "<P ID=locDenied> x</P><LocID ID=locDispMsg>Die Meldung "
			  "lautet: \xe2\x80\x9eVerweigert von LAB\\ca&#228;dmin\xe2\x80\x9c."
			  "</LocID>";
	certsrv_classify_submit(de, sizeof(de) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_DENIED);
	assert_string_equal(a.disposition, "Verweigert von LAB\\ca\xc3\xa4" "dmin");

	/* a long message in Chinese is cut on a character boundary */
	char big[2048];
	int n = snprintf(big, sizeof(big), "<P ID=locDenied>x</P><LocID ID=locDispMsg>"
			 "\xe5\xa4\x84\xe7\xbd\xae\xe6\xb6\x88\xe6\x81\xaf "
			 "\xe2\x80\x9c" "0x80094014 ");
	for (int i = 0; i < 400; i++)
		n += snprintf(big + n, sizeof(big) - (size_t)n, "\xe6\x8b\x92");
	n += snprintf(big + n, sizeof(big) - (size_t)n, "\xe2\x80\x9d</LocID>");
	certsrv_classify_submit(big, (size_t)n, &a);
	assert_int_equal(a.kind, CERTSRV_DENIED);
	assert_string_equal(a.hr->symbol, "CERTSRV_E_ADMIN_DENIED_REQUEST");
	size_t dl = strlen(a.disposition);
	assert_true(dl < CERTSRV_TEXT_MAX && dl > CERTSRV_TEXT_MAX - 4);
	assert_memory_equal(a.disposition + dl - 3, "\xe6\x8b\x92", 3);
}

/* ------------------------------------------------------------------ */
/* English removed                                                     */

static int is_word(int c)
{
	return isalnum(c) || c == '_';
}

/* Length of an HRESULT token at p ("0x" + hex digits, or an upper-case
 * word with an underscore), 0 when none. */
static size_t code_token(const char *p, const char *end, const char *start)
{
	size_t n = 0;
	if (p > start && is_word((unsigned char)p[-1]))
		return 0;
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		n = 2;
		while (p + n < end && isxdigit((unsigned char)p[n]))
			n++;
		return n;
	}
	int underscore = 0;
	while (p + n < end && (isupper((unsigned char)p[n]) ||
			       isdigit((unsigned char)p[n]) || p[n] == '_')) {
		underscore |= p[n] == '_';
		n++;
	}
	return underscore && (p + n == end || !is_word((unsigned char)p[n])) ? n : 0;
}

static int rot13(int c)
{
	if (c >= 'a' && c <= 'z')
		return 'a' + (c - 'a' + 13) % 26;
	if (c >= 'A' && c <= 'Z')
		return 'A' + (c - 'A' + 13) % 26;
	return c;
}

static int starts_ci(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(end - p) >= n && strncasecmp(p, s, n) == 0;
}

/* A copy of page whose visible text has no English left: the ASCII
 * letters of the text between tags are rotated by 13, except in HRESULT
 * codes and names; tags, scripts, comments and entities stay as they are. */
static char *unreadable(const char *page, size_t len)
{
	char *out = malloc(len ? len : 1);
	const char *p = page, *end = page + len;
	assert_non_null(out);
	memcpy(out, page, len);
	while (p < end) {
		const char *skip_to = NULL;
		if (*p == '<') {
			if (starts_ci(p, end, "<script"))
				skip_to = "</script>";
			else if (starts_ci(p, end, "<!--"))
				skip_to = "-->";
			else
				skip_to = ">";
		} else if (*p == '&') {
			skip_to = ";";
		}
		if (skip_to) {
			const char *f = p + 1;
			while (f < end && !starts_ci(f, end, skip_to))
				f++;
			p = f < end ? f + strlen(skip_to) : end;
			continue;
		}
		size_t n = code_token(p, end, page);
		if (n) {
			p += n;
			continue;
		}
		out[p - page] = (char)rot13((unsigned char)*p);
		p++;
	}
	return out;
}

static const char *const ALL[] = {
	"issued.html", "issued-script.html", "pending.html", "denied.html",
	"unknown-template.html", "error-parsing.html", "pending-de.html",
	"denied-de.html", "pending-fr.html", "chkpnd-zh.html", "denied-zh.html",
	"denied-fr-subject.html", "error-de-access.html",
};
static const char *const ALL_RETRIEVE[] = {
	"advanced-pending.html", "advanced-denied.html", "advanced-empty.html",
	"advanced-error.html", "advanced-pending-fr.html",
	"advanced-empty-zh.html", "advanced-denied-de.html",
};

static void same_answer(const char *name, const struct certsrv_answer *a,
			const struct certsrv_answer *b)
{
	print_message("%s: %s -> %s (markers 0x%x -> 0x%x)\n", name,
		      certsrv_kind_name(a->kind), certsrv_kind_name(b->kind),
		      a->markers, b->markers);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->request_id, b->request_id);
	assert_ptr_equal(a->hr, b->hr);
	assert_int_equal(a->disp_code, b->disp_code);
	assert_int_equal(a->disposition[0] != 0, b->disposition[0] != 0);
	assert_int_equal(a->markers & ~CERTSRV_MARK_ENGLISH,
			 b->markers & ~CERTSRV_MARK_ENGLISH);
	assert_false(b->markers & CERTSRV_MARK_ENGLISH);
}

static void check_unreadable(const char *name, enum mode m, int *confirmed)
{
	size_t len;
	struct certsrv_answer a, b;
	char *page = load(name, &len);
	char *rot = unreadable(page, len);
	classify(m, page, len, &a);
	classify(m, rot, len, &b);
	/* the rotation really removed the English the page had */
	if (a.markers & CERTSRV_MARK_ENGLISH)
		(*confirmed)++;
	assert_null(strstr(b.excerpt, "Certificate"));
	assert_null(strstr(b.excerpt, "Request"));
	same_answer(name, &a, &b);
	assert_int_not_equal(b.kind, CERTSRV_UNEXPECTED);
	free(rot);
	free(page);
}

static void test_no_english_decides(void **state)
{
	int confirmed = 0;
	for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++)
		check_unreadable(ALL[i], SUBMIT, &confirmed);
	for (size_t i = 0; i < sizeof(ALL_RETRIEVE) / sizeof(ALL_RETRIEVE[0]); i++)
		check_unreadable(ALL_RETRIEVE[i], RETRIEVE, &confirmed);
	/* the English fixtures did carry wording that agreed */
	assert_true(confirmed >= 8);
}

/* English phrases of the pages and the lab, each with the words a German,
 * French or Chinese server shows instead. */
static const char *const PHRASES[][2] = {
	{ "Certificate Pending", "Zertifikat ausstehend" },
	{ "Certificate Issued", "Certificat d\xc3\xa9livr\xc3\xa9" },
	{ "Certificate Request Denied", "\xe8\xaf\x81\xe4\xb9\xa6\xe7\x94\xb3\xe8\xaf\xb7\xe8\xa2\xab\xe6\x8b\x92\xe7\xbb\x9d" },
	{ "Your Request Id is", "Ihre Anforderungs-ID ist" },
	{ "The disposition message is", "Le message de disposition est" },
	{ "Taken Under Submission", "Zur \xc3\x9c" "bermittlung angenommen" },
	{ "Denied by Policy Module", "Vom Richtlinienmodul verweigert" },
	{ "Denied by", "Refus\xc3\xa9 par" },
	{ "Error Parsing Request", "Fehler beim Analysieren der Anforderung" },
	{ "The request was for a certificate template that is not supported",
	  "La demande portait sur un mod\xc3\xa8le non pris en charge" },
	{ "The requested property value is empty",
	  "\xe8\xaf\xb7\xe6\xb1\x82\xe7\x9a\x84\xe5\xb1\x9e\xe6\x80\xa7\xe5\x80\xbc\xe4\xb8\xba\xe7\xa9\xba" },
	{ "Your certificate request was denied",
	  "Ihre Zertifikatanforderung wurde verweigert" },
	{ "Disposition message:", "Dispositionsmeldung:" },
};

/* page with every PHRASES[i][0] replaced by PHRASES[i][1] (malloc'd). */
static char *replaced(const char *page, size_t len, size_t *outlen)
{
	size_t cap = len * 2 + 64, n = 0;
	char *out = malloc(cap);
	assert_non_null(out);
	for (size_t i = 0; i < len;) {
		size_t k;
		for (k = 0; k < sizeof(PHRASES) / sizeof(PHRASES[0]); k++) {
			size_t pl = strlen(PHRASES[k][0]);
			if (len - i >= pl && memcmp(page + i, PHRASES[k][0], pl) == 0)
				break;
		}
		if (k < sizeof(PHRASES) / sizeof(PHRASES[0])) {
			size_t rl = strlen(PHRASES[k][1]);
			assert_true(n + rl < cap);
			memcpy(out + n, PHRASES[k][1], rl);
			n += rl;
			i += strlen(PHRASES[k][0]);
		} else {
			assert_true(n + 1 < cap);
			out[n++] = page[i++];
		}
	}
	*outlen = n;
	return out;
}

static void check_replaced(const char *name, enum mode m)
{
	size_t len, rlen;
	struct certsrv_answer a, b;
	char *page = load(name, &len);
	char *tr = replaced(page, len, &rlen);
	classify(m, page, len, &a);
	classify(m, tr, rlen, &b);
	same_answer(name, &a, &b);
	free(tr);
	free(page);
}

static void test_phrases_replaced(void **state)
{
	for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++)
		check_replaced(ALL[i], SUBMIT);
	for (size_t i = 0; i < sizeof(ALL_RETRIEVE) / sizeof(ALL_RETRIEVE[0]); i++)
		check_replaced(ALL_RETRIEVE[i], RETRIEVE);
}

/* English wording alone, on a page without markers, decides nothing. */
static void test_english_alone_is_unexpected(void **state)
{
	static const char *const pages[] = {
		"<html><body><h1>Certificate Pending</h1><p>Your Request Id is 7."
		"</p></body></html>",
		"<html><body>The disposition message is \"Denied by Policy Module"
		"\".</body></html>",
		"<html><body>Disposition message: Taken Under Submission</body></html>",
		"<html><body>Error Parsing Request</body></html>",
	};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct certsrv_answer a;
		certsrv_classify_submit(pages[i], strlen(pages[i]), &a);
		assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
		certsrv_classify_retrieve("text/html", pages[i], strlen(pages[i]), &a);
		assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
		assert_int_equal(a.markers, 0);
	}
}

/* Pages without certsrv's pending IDs (the lab's own layout): a request
 * number after the title, or an advanced page showing only S_OK. */
static void test_pages_without_ids(void **state)
{
	struct certsrv_answer a;
	const char p[] = "<Title>x</Title><P ID=locPageTitle> <B> \xe8\xaf\x81\xe4\xb9\xa6"
			 "\xe6\x8c\x82\xe8\xb5\xb7 </B>\r\n<Table><TR><TD>"
			 "<Img Src=\"certspc.gif\" Height=2></TD></TR></Table>"
			 "<P ID=locInfo1> Warten Sie.</P>\r\n<P ID=locInfo2> "
			 "Nummer 4711.</P><P ID=locInfo4> 10 Tage</P>";
	certsrv_classify_submit(p, sizeof(p) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_PENDING);
	assert_int_equal(a.request_id, 4711);
	assert_true(a.markers & CERTSRV_MARK_NUMBER);
	/* a number outside certsrv's loc* elements is no request ID */
	const char w[] = "<P ID=locPageTitle> <B> Willkommen </B><P>Windows 2019</P>"
			 "<P ID=locPageDesc> Hier k\xc3\xb6nnen Sie Zertifikate anfordern.</P>";
	certsrv_classify_submit(w, sizeof(w) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
	assert_int_equal(a.request_id, 0);
	const char q[] = "<P ID=locPageTitle> <B> Erreur </B>\r\n<DL>"
			 "<DT ID=locDispMsgLabel><B>Message :</B></DT><DD>\r\n"
			 "\t\tEn attente\r\n\t</DD>\r\n<DT ID=locResultLabel><B>R"
			 "\xc3\xa9sultat :</B></DT><DD> OK. 0x0 (WIN32: 0)</DD>";
	certsrv_classify_retrieve("text/html", q, sizeof(q) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_PENDING);
	assert_true(a.markers & CERTSRV_MARK_STATUS);
	assert_string_equal(a.disposition, "En attente");
	/* the same page with a failure code is an error, not pending */
	const char r[] = "<P ID=locPageTitle> <B> Erreur </B>\r\n<DL>"
			 "<DT ID=locDispMsgLabel><B>Message :</B></DT><DD>\r\n"
			 "\t\tPanne\r\n\t</DD>\r\n<DT ID=locResultLabel><B>R"
			 "\xc3\xa9sultat :</B></DT><DD> 0x80071234</DD>";
	certsrv_classify_retrieve("text/html", r, sizeof(r) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_CA_ERROR);
	assert_int_equal(a.hresult, 0x80071234UL);
	assert_null(a.hr);
}

/* The IDs match as whole IDs: locInfoReqIDandReason is no pending marker,
 * an ID inside a URL is no attribute. */
static void test_id_boundaries(void **state)
{
	struct certsrv_answer a;
	const char p[] = "<P ID=locPageTitle> <B> X </B><P ID=locInfoReqIDandReason>"
			 " N 12 \xe2\x80\x9c" "Abgelehnt\xe2\x80\x9d</P>";
	certsrv_classify_submit(p, sizeof(p) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);   /* no refusal ID, no code */
	assert_int_equal(a.request_id, 12);
	assert_string_equal(a.disposition, "Abgelehnt");
	const char q[] = "<P ID=locPageTitle> <B> X </B><A Href=\"x.asp?ID=locDenied\">y</A>";
	certsrv_classify_submit(q, sizeof(q) - 1, &a);
	assert_int_not_equal(a.kind, CERTSRV_DENIED);
	const char r[] = "<P id=\"LOCPENDINFO12\"> x</P><p id='locInfoReqID'>ID 31</p>";
	certsrv_classify_submit(r, sizeof(r) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_PENDING);
	assert_int_equal(a.request_id, 31);
	const char s[] = "<P ID=locPendInfoX> x</P>";
	certsrv_classify_submit(s, sizeof(s) - 1, &a);
	assert_int_equal(a.kind, CERTSRV_UNEXPECTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_localized_fixtures),
		cmocka_unit_test(test_localized_quotes),
		cmocka_unit_test(test_no_english_decides),
		cmocka_unit_test(test_phrases_replaced),
		cmocka_unit_test(test_english_alone_is_unexpected),
		cmocka_unit_test(test_pages_without_ids),
		cmocka_unit_test(test_id_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
