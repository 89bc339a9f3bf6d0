/*
 * fuzz_approval_json.c - libFuzzer target: stage 7's parsers of what the
 * management server answers (approval_parse_status for
 * GET /opsmgr/v1/status, approval_parse_agents for the server role's
 * agent list) on untrusted bytes.  A parsed status is one of the known
 * states; a parsed list holds n entries, each a name or NULL.
 * Seeds: tests/fuzz/corpus/fuzz_approval_json.  Owner: faults.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stages/approval.h"

/* reads land here so the compiler keeps them */
volatile size_t fuzz_approval_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	enum approval_state st;
	char *agent = NULL, *serial = NULL;

	if (approval_parse_status(p, size, &st, &agent, &serial) == 0) {
		if (st != APPR_PENDING && st != APPR_APPROVED &&
		    st != APPR_REJECTED)
			abort();
		if (agent)
			fuzz_approval_sink += strlen(agent);
		if (serial)
			fuzz_approval_sink += strlen(serial);
	} else if (agent || serial || st != APPR_UNKNOWN) {
		abort();   /* a failed parse hands nothing out */
	}
	free(agent);
	free(serial);

	struct approval_agents a;
	memset(&a, 0, sizeof(a));
	if (approval_parse_agents(p, size, &a) == 0) {
		for (size_t i = 0; i < a.n; i++) {
			if (a.items[i].name)
				fuzz_approval_sink += strlen(a.items[i].name);
			if (a.items[i].serial)
				fuzz_approval_sink += strlen(a.items[i].serial);
			if (a.items[i].state)
				fuzz_approval_sink += strlen(a.items[i].state);
		}
	}
	approval_agents_release(&a);
	return 0;
}
