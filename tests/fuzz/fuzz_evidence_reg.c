/*
 * fuzz_evidence_reg.c - libFuzzer target: the evidence's .reg reader
 * (windows/evidence_reg.h) on arbitrary bytes; whatever it accepts has a
 * key and a name per value and the byte count it claims.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "windows/evidence_reg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_file f;
	char err[256];
	reg_file_init(&f);
	int r = reg_parse(data, size, &f, err, sizeof(err));
	if (r < 0 && !err[0])
		abort();   /* a failure always says why */
	for (size_t i = 0; i < f.n; i++) {
		const struct reg_value *v = &f.v[i];
		if (!v->key || !v->name || (v->kind == REGV_SZ && !v->str) ||
		    (v->len && !v->data))
			abort();
		if (reg_find(&f, v->key, v->name) == NULL)
			abort();
	}
	reg_file_release(&f);
	return 0;
}
