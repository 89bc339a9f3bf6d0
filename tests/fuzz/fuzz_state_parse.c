/*
 * fuzz_state_parse.c - libFuzzer target: the state file loader on
 * arbitrary bytes; a parsed state must format and re-parse identically.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s;
	char err[256];
	state_init(&s);
	if (state_parse(&s, (const char *)data, size, err, sizeof(err)) == 0) {
		char *text = state_format(&s);
		if (text) {
			struct state t;
			state_init(&t);
			if (state_parse(&t, text, strlen(text), err, sizeof(err)) != 0)
				abort();   /* our own output must parse */
			char *again = state_format(&t);
			if (!again || strcmp(text, again) != 0)
				abort();   /* and round-trip exactly */
			free(again);
			state_release(&t);
			free(text);
		}
	}
	state_release(&s);
	return 0;
}
