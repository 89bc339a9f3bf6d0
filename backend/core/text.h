/*
 * text.h - the byte-level text rules every parser and renderer shares: one
 * hex digit's value and the length of one valid UTF-8 sequence.  Written
 * once here so that the state file, the configuration scan, the JSON
 * readers and writers and the certsrv page reader agree on what is valid.
 *
 * Owner: backend/core/text.c.  No allocation.
 */
#ifndef OPSMGR_TEXT_H
#define OPSMGR_TEXT_H

#include <stddef.h>

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
 * Copy n bytes of src into dst (cap bytes, NUL terminated) for one log
 * line: printable ASCII kept, a backslash doubled, every other byte
 * (control characters such as a line break or ESC, DEL, non-ASCII, NUL)
 * written as \xHH.  What does not fit is cut at an escape boundary and
 * ends in "..."; returns the length written.
 */
size_t text_escape_log(char *dst, size_t cap, const char *src, size_t n);

#endif
