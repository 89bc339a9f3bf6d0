/*
 * errbuf.h - the one helper behind the "return -1 and say why in err"
 * convention (redis anet.c style) used across backend/: format a message
 * into a caller's buffer, doing nothing when there is no buffer.
 */
#ifndef OPSMGR_ERRBUF_H
#define OPSMGR_ERRBUF_H

#include <stddef.h>

void errbuf_printf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
