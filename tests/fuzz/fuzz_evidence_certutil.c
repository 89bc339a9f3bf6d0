/*
 * fuzz_evidence_certutil.c - libFuzzer target: the evidence's certutil
 * store-dump reader (windows/evidence_certutil.h) on arbitrary bytes;
 * every certificate it keeps after a success has a hex serial it finds
 * again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "windows/evidence_certutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cu_store s;
	char err[256];
	cu_store_init(&s);
	int r = certutil_parse(data, size, &s, err, sizeof(err));
	if (r < 0 && !err[0])
		abort();
	for (size_t i = 0; r == 0 && i < s.n; i++) {
		if (!s.c[i].serial || strlen(s.c[i].serial) % 2)
			abort();
		if (!cu_find_serial(&s, s.c[i].serial))
			abort();
	}
	cu_store_release(&s);
	return 0;
}
