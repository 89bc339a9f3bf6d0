/*
 * strbuf.h - a growable NUL-terminated text buffer for writers that build
 * a file image or an answer piece by piece (the state file, the lab's JSON).
 * A failed allocation sets oom and turns later appends into no-ops, so a
 * writer checks once at the end.
 *
 * Owner: backend/core/strbuf.c.  Ownership: the buffer owns p;
 * strbuf_release() frees it, strbuf_take() hands it to the caller (who
 * frees it with free()).
 */
#ifndef OPSMGR_STRBUF_H
#define OPSMGR_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *p;          /* NUL terminated once anything was added */
	size_t n, cap;    /* bytes used (NUL not counted), allocated */
	int oom;          /* an allocation failed: contents incomplete */
};

#define STRBUF_INIT { NULL, 0, 0, 0 }

void strbuf_put(struct strbuf *b, const char *s, size_t len);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text (caller frees); NULL when nothing was added or an allocation
 * failed.  b is empty afterwards either way. */
char *strbuf_take(struct strbuf *b);
void strbuf_release(struct strbuf *b);

#endif
