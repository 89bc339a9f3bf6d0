/*
 * cmdline.h - the one rule for command strings in the configuration
 * (install_command, restart_command, the approval commands): words
 * separated by blanks, '...' and "..." quoting, backslash escapes in double
 * quotes; no variable, glob, tilde or $(...) expansion: such characters stay
 * literal.  The loader checks a value with it and sys/cmdrun.c runs what it
 * gives, so a command that loads is split the same way when it runs.
 *
 * Owner: backend/core/cmdline.c.  Ownership: argv from cmdline_split() and
 * any NULL-terminated vector of malloc'd strings are freed with strv_free().
 */
#ifndef OPSMGR_CMDLINE_H
#define OPSMGR_CMDLINE_H

#include <stddef.h>

/* Split cmdline into a NULL-terminated argv.  0, or -1 with err set (an
 * unterminated quote, an empty command, out of memory). */
int cmdline_split(const char *cmdline, char ***argv_out, char *err,
		  size_t errlen);

/* Free a NULL-terminated vector of malloc'd strings (NULL allowed). */
void strv_free(char **v);

#endif
