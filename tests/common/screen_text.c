/*
 * screen_text.c - text read back from the screen, squeezed (see
 * screen_text.h).
 */
#include "screen_text.h"

#include <string.h>

void screen_squeeze(const char *in, const char *drop, char *out, size_t n)
{
	size_t j = 0;
	if (n == 0)
		return;
	for (; *in && j + 1 < n; in++) {
		if (strncmp(in, "\u2502", 3) == 0) {
			in += 2;
			continue;
		}
		if (*in != ' ' && *in != '\n' && !strchr(drop, *in))
			out[j++] = *in;
	}
	out[j] = '\0';
}

const char *screen_from_col(const char *row, int col)
{
	for (; *row; row++)
		if (((unsigned char)*row & 0xC0) != 0x80 && col-- == 0)
			break;
	return row;
}
