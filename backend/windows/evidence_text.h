/*
 * evidence_text.h - the text of one evidence file as the parsers read it:
 * Windows writes .reg exports as UTF-16LE with a byte-order mark, cmd's
 * redirections as ANSI, PowerShell's as UTF-16LE or UTF-8 with a BOM.
 * evidence_text_utf8() turns any of these into NUL-terminated UTF-8.
 *
 * Owner: backend/windows/evidence_text.c.  The returned string is malloc'd;
 * the caller frees it.
 */
#ifndef OPSMGR_EVIDENCE_TEXT_H
#define OPSMGR_EVIDENCE_TEXT_H

#include <stddef.h>

/*
 * UTF-16LE with BOM (FF FE) -> UTF-8 (surrogate pairs joined); UTF-8 BOM
 * dropped; anything else copied as it is.  A NUL character, an odd UTF-16
 * length or a lone surrogate is an error ("byte N: ...") in err: NULL.
 * *outlen (optional) gets the length without the NUL.
 */
char *evidence_text_utf8(const unsigned char *buf, size_t len, size_t *outlen,
			 char *err, size_t errlen);

/* "line N: what" into err; returns -1 (the readers' failure). */
int evidence_line_error(char *err, size_t errlen, size_t line,
			const char *what);

/* evidence_text_utf8 for a reader: NULL with "line 1: why" in err. */
char *evidence_decode(const unsigned char *buf, size_t len, char *err,
		      size_t errlen);

/* The next line of *p (CRLF or LF), NUL-terminated in place; *p moves past
 * it.  NULL at the end. */
char *evidence_next_line(char **p);

/* Room for element n of an array of `size`-byte elements: parr is the
 * address of the array pointer (realloc'd, doubled from 16), *cap its
 * capacity.  0, or -1 when out of memory (the array stays as it was). */
int evidence_grow(void *parr, size_t n, size_t *cap, size_t size);

/* s without leading and trailing blanks (in place). */
char *evidence_trim(char *s);

#endif
