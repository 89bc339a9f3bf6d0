/*
 * config_scan.h - the strict scan of an INI file that runs before
 * iniparser sees it (config_scan.c says what it refuses and why), and
 * iniparser's loading with its error callback captured.  The scan is
 * internal to the configuration loader (config_load.c); ini_load_quiet is
 * also how agentconf.c reads the agent's configuration.
 *
 * Ownership: struct scan owns its entries and section names;
 * scan_release() frees them.  ini_load_quiet's dictionary is freed with
 * iniparser_freedict.
 */
#ifndef OPSMGR_CONFIG_SCAN_H
#define OPSMGR_CONFIG_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include <iniparser.h>

#include "core/diag.h"

#define INI_LINE_MAX 1022         /* longest line iniparser 4.1 accepts */

struct scan_entry {
	char *section;      /* lowercased, "" before the first section */
	char *key;          /* lowercased */
	char *value;        /* as iniparser should return it */
	int line;
	bool superseded;    /* a later line sets the same key */
};

struct scan {
	const char *path;
	struct diag_list *dl;
	struct scan_entry *e;
	size_t n, cap;
	char **secs;        /* sections seen, with their first line */
	int *sec_line;
	size_t nsec, seccap;
	int errors;
	int oom;
	int stop;           /* give up on the rest of the file */
	size_t orphans;     /* keys before the first section */
};

/* Scan the file's bytes and lines into s (s zeroed, path and dl set);
 * problems are diagnostics, counted in s->errors. */
void scan_file(struct scan *s, const unsigned char *buf, size_t len);
void scan_release(struct scan *s);

/* Load with iniparser, its complaints captured into err (never stderr). */
dictionary *ini_load_quiet(const char *path, char *err, size_t errlen);

#endif
