/*
 * fuzz_certsrv_pages.c - libFuzzer target: the certsrv page classifiers
 * (backend/adcs/certsrv_pages.c) on untrusted bytes as a CA or anything posing as one
 * may send them: submit answers, retrieval answers with and without a
 * content type, WWW-Authenticate values, certcarc.asp, visible text.
 * Seeds: tests/fuzz/corpus/fuzz_certsrv_pages (copies of
 * tests/data/certsrv).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "adcs/certsrv_pages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct certsrv_answer a;
	char names[64], text[128];

	certsrv_classify_submit(p, size, &a);
	if (strlen(a.excerpt) >= sizeof(a.excerpt) ||
	    strlen(a.disposition) >= sizeof(a.disposition))
		__builtin_trap();
	certsrv_classify_retrieve(size && (data[0] & 1) ? "text/html" : NULL, p,
				  size, &a);
	certsrv_classify_retrieve("application/pkix-cert", p, size, &a);
	certsrv_classify_401(p, size, names, sizeof(names));
	certsrv_parse_renewals(p, size);
	if (certsrv_page_text(p, size, text, sizeof(text)) >= sizeof(text))
		__builtin_trap();
	return 0;
}
