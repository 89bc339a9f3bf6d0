/*
 * fuzz_certsrv_pages.c - libFuzzer target: the certsrv page classifiers
 * (backend/adcs/certsrv_pages.c) on untrusted bytes as a CA or anything posing as one
 * may send them: submit answers, retrieval answers with and without a
 * content type, WWW-Authenticate values, certcarc.asp, visible text, the
 * HRESULT scan (backend/adcs/hresult.c).
 * Seeds: tests/fuzz/corpus/fuzz_certsrv_pages (copies of
 * tests/data/certsrv).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "adcs/certsrv_pages.h"
#include "adcs/hresult.h"

/* What every answer must hold: bounded texts, a kind in range, an HRESULT
 * entry from the table (or none). */
static void check(const struct certsrv_answer *a)
{
	if (strlen(a->excerpt) >= sizeof(a->excerpt) ||
	    strlen(a->disposition) >= sizeof(a->disposition) ||
	    strlen(a->title) >= sizeof(a->title))
		__builtin_trap();
	if ((unsigned)a->kind > CERTSRV_AUTH)
		__builtin_trap();
	if (a->hr && (hresult_find(a->hr->code) != a->hr ||
		      a->hresult != a->hr->code))
		__builtin_trap();
	if (a->kind != CERTSRV_UNEXPECTED && a->kind != CERTSRV_CERT &&
	    (a->markers & ~(unsigned)CERTSRV_MARK_ENGLISH) == 0)
		__builtin_trap();   /* a kind decided by nothing but English */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct certsrv_answer a;
	char names[64], text[128];

	unsigned long fail;

	certsrv_classify_submit(p, size, &a);
	check(&a);
	certsrv_classify_retrieve(size && (data[0] & 1) ? "text/html" : NULL, p,
				  size, &a);
	check(&a);
	certsrv_classify_retrieve("application/pkix-cert", p, size, &a);
	const struct hresult_info *e = hresult_scan(p, size, &fail);
	if (e && hresult_find(e->code) != e)
		__builtin_trap();
	certsrv_classify_401(p, size, names, sizeof(names));
	certsrv_parse_renewals(p, size);
	if (certsrv_page_text(p, size, text, sizeof(text)) >= sizeof(text))
		__builtin_trap();
	return 0;
}
