/*
 * cmdquote.h - the one rule for a value from the answers (a management
 * group, a server name, a file name) that reaches cmd.exe or msiexec:
 * how it is quoted, and when it is refused because it cannot be quoted
 * safely.  Read by windows/msicmd.c (the msiexec line), by
 * windows/installcmd.c (install.cmd) and by stage 5's field checks for a
 * Windows target (stages/agent.c), so an operator learns it at the field.
 *
 * The rule:
 *  - refused: a control character (CR, LF, TAB, ...: a line break ends a
 *    batch line), a '"' (cmd.exe's quoting has no escape for it inside
 *    quotes, and msiexec's "" is not read the same by cmd), a non-ASCII
 *    byte (install.cmd is ASCII and cmd reads it in the OEM code page),
 *    and a '\' at the end (it would sit before msiexec's closing quote);
 *  - carried: everything else, always inside double quotes, where cmd.exe
 *    takes  & | < > ^ ( ) , ; = !  and blanks literally; '%' is doubled in
 *    a batch file (cmd.exe's only escape inside quotes).
 * In install.cmd a value is set once, `set "NAME=value"` under
 * `setlocal EnableExtensions DisableDelayedExpansion`, and read back inside
 * double quotes (windows/installcmd.c says how).
 *
 * Ownership: every char * returned is malloc'd; the caller frees it.
 */
#ifndef OPSMGR_CMDQUOTE_H
#define OPSMGR_CMDQUOTE_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/* 0 when value can be carried; -1 with why = the character and the reason
 * ("contains '\"', which ..."), also for NULL. */
int cmdquote_check(const char *value, char *why, size_t whylen);

/* One argument for a command line: quoted when `always`, empty, or holding
 * a blank or one of cmd.exe's special characters; '%' doubled when
 * `batch`.  NULL when cmdquote_check refuses the value (or out of memory). */
char *cmdquote_arg(const char *value, bool always, bool batch);

/* `set "NAME=value"` (no line end) for a batch file, '%' doubled.  NULL
 * when the value is refused or name is not [A-Z0-9_]+. */
char *cmdquote_set_line(const char *name, const char *value);

/*
 * Fixed text for an `echo` line of a batch file (not a value: values go
 * through variables): outside double quotes  & | < > ( )  get a '^' (also
 * inside a parenthesised block), '%' becomes '%%'.  *in_quotes carries the
 * quote state across pieces of one line.  -1 (nothing appended) when the
 * text holds a character this cannot write: '!' or '^' (delayed expansion
 * may be on), a control character or a non-ASCII byte.
 */
int cmdquote_echo(struct strbuf *b, const char *text, size_t n,
		  bool *in_quotes);

#endif
