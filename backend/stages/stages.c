/*
 * stages.c - the stage table's entry-point column as functions to call
 * (stages.h); kept here so core/ does not reach up into stages/.
 */
#include "stages/stages.h"

#include "core/state.h"

static const stage_fn ENTRIES[STAGE_COUNT] = {
#define X(name, id, title, rail, entry, roles, uses, inval, output, help, keys, access) \
	[STAGE_##name] = entry,
	STAGE_TABLE(X)
#undef X
};

stage_fn stage_entry(enum stage s)
{
	return (unsigned)s < STAGE_COUNT ? ENTRIES[s] : NULL;
}

enum request_have stage_request_have(const struct state *st)
{
	if (!st->key_path || !*st->key_path)
		return REQ_NO_KEY;
	if (!st->cert_path || !*st->cert_path)
		return REQ_NO_CERT;
	return REQ_HAVE;
}
