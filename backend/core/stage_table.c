/*
 * stage_table.c - the look-ups of the stage table (stage_table.h).  The
 * rows themselves are STAGE_TABLE in the header; the help pages they name
 * are in stage_help.c.
 */
#include "core/stage_table.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/status.h"

struct stage_row {
	const char *id;
	const char *title;
	const char *rail;
	unsigned roles;
	unsigned uses;
	unsigned invalidates;
	const char *help;
	const char *const *keys;
	const char *const *access;
};

static const char *const NO_KEYS[] = { NULL };

static const struct stage_row ROWS[STAGE_COUNT] = {
	[STAGE_NONE] = { "general", "General", "General", 0u, 0u, 0u, NULL,
			 NO_KEYS, NO_KEYS },
#define X(name, id, title, rail, entry, roles, uses, inval, output, help, keys, access) \
	[STAGE_##name] = { id, title, rail, roles, uses, inval, help, keys, \
			   access },
	STAGE_TABLE(X)
#undef X
};

_Static_assert(ROLE_AGENT < 32 && ROLE_SERVER < 32, "roles fit a mask");
_Static_assert(STAGE_COUNT <= 32, "stages fit a mask");

static const struct stage_row *row(enum stage s)
{
	return &ROWS[(unsigned)s < STAGE_COUNT ? s : STAGE_NONE];
}

const char *stage_id(enum stage s)
{
	return row(s)->id;
}

const char *stage_title(enum stage s)
{
	return row(s)->title;
}

const char *stage_rail_name(enum stage s)
{
	return row(s)->rail;
}

/* "stage N (title)" for every stage, built once from the rows; [0] is the
 * general answer. */
static char REFS[STAGE_COUNT][48];
static pthread_once_t refs_once = PTHREAD_ONCE_INIT;

static void build_refs(void)
{
	snprintf(REFS[STAGE_NONE], sizeof(REFS[STAGE_NONE]), "general");
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		snprintf(REFS[s], sizeof(REFS[s]), "stage %d (%s)", s,
			 ROWS[s].title);
		char *initial = strchr(REFS[s], '(') + 1;
		*initial = (char)tolower((unsigned char)*initial);
	}
}

const char *stage_ref(enum stage s)
{
	pthread_once(&refs_once, build_refs);
	return REFS[(unsigned)s < STAGE_COUNT ? s : STAGE_NONE];
}

const char *stage_help(enum stage s)
{
	return row(s)->help;
}

const char *const *stage_input_keys(enum stage s)
{
	return row(s)->keys;
}

const char *const *stage_access_keys(enum stage s)
{
	return row(s)->access;
}

static bool key_listed(const char *const *list, const char *section_key)
{
	for (const char *const *k = list; *k; k++)
		if (strcmp(*k, section_key) == 0)
			return true;
	return false;
}

bool stage_reads_key(enum stage s, const char *section_key)
{
	return key_listed(stage_input_keys(s), section_key) ||
	       key_listed(stage_access_keys(s), section_key);
}

unsigned stage_uses_mask(enum stage s)
{
	return row(s)->uses;
}

unsigned stage_invalidates_mask(enum stage s)
{
	return row(s)->invalidates;
}

bool stage_applies_to_role(enum stage s, int role)
{
	return role >= 0 && role < 32 && (row(s)->roles >> role) & 1u;
}

int stage_exit_code(enum stage s)
{
	return EXIT_STAGE_BASE + (int)s;
}

enum stage stage_by_id(const char *id)
{
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		if (id && strcmp(ROWS[s].id, id) == 0)
			return (enum stage)s;
	return STAGE_NONE;
}
