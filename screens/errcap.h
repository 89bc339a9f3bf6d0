/*
 * errcap.h - keep library output off the curses screen: while curses owns
 * the terminal, file descriptor 2 points at an unlinked temporary file;
 * errcap_end() puts the real stderr back and copies what was captured to
 * it (htop does the same).  Owner: screens/errcap.c.  No allocation.
 */
#ifndef OPSMGR_ERRCAP_H
#define OPSMGR_ERRCAP_H

#include <stddef.h>

struct errcap {
	int saved;   /* the real stderr, -1 when not capturing */
	int fd;      /* the unlinked temporary file */
};

/* Start capturing ($TMPDIR or /tmp).  0, or -1 (then nothing changes). */
int errcap_begin(struct errcap *e);
/* Stop: restore fd 2 and write the captured bytes to it.  Returns how many
 * bytes had been captured. */
size_t errcap_end(struct errcap *e);

#endif
