/*
 * secret.h - passwords in memory: read from a file (first line, size
 * capped, file must not be group/world-readable... only warned) or set from
 * typed text; wiped with OPENSSL_cleanse when released.  Never logged, never
 * written to state or INI files, never passed on argv.
 *
 * Ownership: struct secret owns buf; secret_wipe() cleanses and frees it.
 */
#ifndef OPSMGR_SECRET_H
#define OPSMGR_SECRET_H

#include <stddef.h>

#define SECRET_MAX 1024

struct secret {
	char *buf;    /* NUL terminated, NULL when unset */
	size_t len;
};

/* Read the first line of path (trailing CR/LF stripped). 0 / -1 + err. */
int secret_read_file(struct secret *s, const char *path, char *err,
		     size_t errlen);
/* Copy text (len bytes) into s, replacing (and wiping) any old value. */
int secret_set(struct secret *s, const char *text, size_t len);
void secret_wipe(struct secret *s);
static inline int secret_is_set(const struct secret *s)
{
	return s->buf != NULL;
}

#endif
