/*
 * line_sink.c - collecting a command's output lines in tests
 * (line_sink.h).
 */
#include "line_sink.h"

#include <string.h>

void line_sink_add(void *ud, const char *line)
{
	struct line_sink *l = ud;
	size_t used = strlen(l->buf);
	l->n++;
	if (used + 2 >= sizeof(l->buf))
		return;
	strncat(l->buf, line, sizeof(l->buf) - used - 2);
	strcat(l->buf, "|");
}
