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

/* The next line of *p (CRLF or LF), NUL-terminated in place; *p moves past
 * it.  NULL at the end. */
char *evidence_next_line(char **p);

/* s without leading and trailing blanks (in place). */
char *evidence_trim(char *s);

#endif
