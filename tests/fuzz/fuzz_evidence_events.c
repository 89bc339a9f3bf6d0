/*
 * fuzz_evidence_events.c - libFuzzer target: the evidence's events.xml
 * reader (windows/evidence_events.h, libxml2) on arbitrary bytes; ids it
 * keeps are in range, a failure says why.
 */
#include <stdint.h>
#include <stdlib.h>

#include "windows/evidence_events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ev_list l;
	char err[256];
	ev_list_init(&l);
	err[0] = '\0';
	int r = events_parse(data, size, &l, err, sizeof(err));
	if (r < 0 && !err[0])
		abort();
	for (size_t i = 0; i < l.n; i++)
		if (l.e[i].id < 0 || l.e[i].id > 65535)
			abort();
	ev_list_release(&l);
	return 0;
}
