/*
 * cfgfield.h - read and write one configuration value by its INI name
 * ("section.key") as text, so a screen's fields map onto struct config in
 * one table instead of one hand-written branch per field.  Enumerations
 * use their INI names ("basic", "legacy", ...).
 * Owner: screens/cfgfield.c.  No allocation visible to callers.
 */
#ifndef OPSMGR_CFGFIELD_H
#define OPSMGR_CFGFIELD_H

#include <stddef.h>
#include "core/config.h"

/* Copy the value of key into buf ("" when unset).  Returns 0, -1 unknown. */
int cfgfield_get(const struct config *c, const char *key, char *buf,
		 size_t n);
/* Set key from text ("" unsets strings).  Returns 0, -1 unknown key or a
 * value that does not parse (the form validates before this). */
int cfgfield_set(struct config *c, const char *key, const char *v);

#endif
