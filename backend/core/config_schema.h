/*
 * config_schema.h - every configuration key declared once: its section and
 * name, where it lives in struct config, its type, limits, enumeration
 * names, default and the rule (validate.h) its values must pass.  The
 * loader (config_load.c), the screens' fields and `check` all read and
 * write values through this table, so a key's limits and messages cannot
 * drift apart.
 *
 * Values travel as text: numbers in decimal, booleans as yes/no,
 * enumerations by their INI names ("basic", "legacy", ...).
 *
 * Owner: backend/core/config_schema.c.  The table is static; nothing here
 * allocates except the string members config_key_set_text stores (owned
 * by struct config, freed by config_release).
 */
#ifndef OPSMGR_CONFIG_SCHEMA_H
#define OPSMGR_CONFIG_SCHEMA_H

#include <stddef.h>

#include "core/config.h"
#include "core/validate.h"

enum config_type { CT_STR = 0, CT_INT, CT_BOOL, CT_ENUM };

typedef enum diag_severity (*config_text_rule)(const char *text,
					       struct verdict *v);
typedef enum diag_severity (*config_int_rule)(long n, struct verdict *v);

struct config_key {
	const char *section;
	const char *key;
	const char *name;               /* "section.key" */
	enum config_type type;
	size_t off;                     /* offsetof(struct config, member) */
	int min, max;                   /* CT_INT range (int_rule, when set, judges) */
	const char *unit;               /* CT_INT: " seconds", " bits", "" */
	const char *const *names;       /* CT_ENUM: NULL-terminated */
	int def;                        /* default of CT_INT, CT_BOOL, CT_ENUM */
	config_text_rule text_rule;     /* CT_STR: NULL = any one-line text */
	config_int_rule int_rule;       /* CT_INT: NULL = min..max */
	bool pin;                       /* CT_STR: stored as 64 hex digits */
};

/* By "section.key" or by its two parts; NULL when unknown. */
const struct config_key *config_key_find(const char *name);
const struct config_key *config_key_lookup(const char *section,
					   const char *key);
/* The table in order: index 0 .. config_key_count() - 1. */
size_t config_key_count(void);
const struct config_key *config_key_at(size_t i);
/* k's index in the table (k from this table). */
size_t config_key_index(const struct config_key *k);
/* k's bit in struct config's explicit_keys (at most 64 keys). */
#define CONFIG_KEY_BIT(k) (1ull << config_key_index(k))
/* The known sections, NULL-terminated. */
extern const char *const CONFIG_SECTIONS[];

/*
 * Judge text as a value of k with k's rule (an empty string goes to the
 * rule too: most say it is missing).  Fills v; returns v->sev.
 */
enum diag_severity config_key_check_text(const struct config_key *k,
					 const char *text, struct verdict *v);
/* The value of k as text into buf ("" when unset).  0, or -1 (NULL k). */
int config_key_get_text(const struct config *c, const struct config_key *k,
			char *buf, size_t n);
/*
 * Set k from text after config_key_check_text; an empty string unsets a
 * string key without asking its rule.  Returns 0 when stored (v may hold a
 * warning), -1 when the rule failed (nothing changed) or memory ran out.
 * v may be NULL.
 */
int config_key_set_text(struct config *c, const struct config_key *k,
			const char *text, struct verdict *v);

/* The INI names of each enumeration, in enum order, NULL-terminated (the
 * screens' choice lists use them too). */
extern const char *const CONFIG_NAMES_TRUST_SOURCE[];
extern const char *const CONFIG_NAMES_CA_AUTH[];
extern const char *const CONFIG_NAMES_PFX_COMPAT[];
extern const char *const CONFIG_NAMES_AGENT_TARGET[];
extern const char *const CONFIG_NAMES_APPROVAL_SOURCE[];
extern const char *const CONFIG_NAMES_ROLE[];

/* names joined into buf, each between open and close, sep between:
 * ("[", "]", " ") gives "[ca] [key]". */
void config_join(char *buf, size_t n, const char *const *names,
		 const char *open, const char *close, const char *sep);

#endif
