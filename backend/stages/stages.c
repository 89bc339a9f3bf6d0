/*
 * stages.c - the stage table's entry-point column as functions to call
 * (stages.h); kept here so core/ does not reach up into stages/.
 */
#include "stages/stages.h"

static const stage_fn ENTRIES[STAGE_COUNT] = {
#define X(name, id, title, rail, entry, roles, uses, inval, help, keys) \
	[STAGE_##name] = entry,
	STAGE_TABLE(X)
#undef X
};

stage_fn stage_entry(enum stage s)
{
	return (unsigned)s < STAGE_COUNT ? ENTRIES[s] : NULL;
}
