/*
 * text.h - the byte-level text rules every parser and renderer shares: one
 * hex digit's value, the length of one valid UTF-8 sequence, and the one
 * escape for text that came from outside (a certificate, the network, a
 * command's output) before it reaches a log line or a terminal.  Written
 * once here so that the state file, the configuration scan, the JSON
 * readers and writers, the certsrv page reader, the lab's log and every
 * printed diagnostic agree on what is valid and what is shown.
 *
 * Owner: backend/core/text.c.  Only text_escape_dup allocates (the caller
 * frees its result).
 */
#ifndef OPSMGR_TEXT_H
#define OPSMGR_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Value of one hex digit ('0'-'9', 'a'-'f', 'A'-'F'), -1 otherwise. */
int text_hex_digit(int ch);

/*
 * Length (1..4) of the valid UTF-8 sequence that starts at p, reading at
 * most avail bytes; 0 when p does not start one: a stray continuation
 * byte, an overlong form, a surrogate, beyond U+10FFFF, or cut short by
 * avail (a NUL byte inside the sequence also makes it invalid).
 */
size_t text_utf8_seq(const unsigned char *p, size_t avail);

/*
 * The escape, in two modes sharing one core.  Both write every control
 * character -- C0 (a line break, ESC, NUL...), DEL -- and every byte that
 * is not part of a valid UTF-8 sequence as \xHH, so that nothing from
 * outside can start a line of its own, move the cursor or colour the
 * terminal.
 *   TEXT_ESC_LOG   one log line: printable ASCII only (every byte of a
 *                  non-ASCII character as \xHH), a backslash doubled, so
 *                  the line reads back unambiguously;
 *   TEXT_ESC_TERM  text for a terminal or a screen: valid printable UTF-8
 *                  kept, the C1 controls U+0080..U+009F (a terminal may
 *                  obey them: U+009B is CSI) as the \xHH of their bytes, a
 *                  backslash kept (escaping twice changes nothing).
 */
enum text_escape_mode {
	TEXT_ESC_LOG,
	TEXT_ESC_TERM,
};

/*
 * Escape n bytes of src into dst (cap bytes, NUL terminated).  What does
 * not fit is cut at an escape boundary and ends in "..."; returns the
 * length written.
 */
size_t text_escape(char *dst, size_t cap, const char *src, size_t n,
		   enum text_escape_mode mode);
/* text_escape(..., TEXT_ESC_LOG): the lab's log lines. */
size_t text_escape_log(char *dst, size_t cap, const char *src, size_t n);
/* A malloc'd TEXT_ESC_TERM copy of s, never cut (the caller frees it);
 * NULL when s is NULL or memory runs out. */
char *text_escape_dup(const char *s);
/* Write s to out as TEXT_ESC_TERM text (nothing for NULL): every string
 * from outside that the runner, check and history print goes through it. */
void text_fputs(const char *s, FILE *out);

#endif
