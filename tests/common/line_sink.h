/*
 * line_sink.h - a hooks->line callback for tests: every output line a
 * command hands over, appended to one buffer with "|" after each, and
 * counted.  Zero-initialise the struct; nothing to free.
 */
#ifndef OPSMGR_TEST_LINE_SINK_H
#define OPSMGR_TEST_LINE_SINK_H

struct line_sink {
	char buf[4096];   /* "first|second|" (cut when full) */
	int n;            /* lines seen */
};

/* For struct hooks .line, with .ud = a struct line_sink. */
void line_sink_add(void *ud, const char *line);

#endif
