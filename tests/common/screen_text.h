/*
 * screen_text.h - reading text back from a screen dump the way a person
 * reads wrapped text: the part of a row from a column on, and a text with
 * its blanks, line breaks and frame lines (and any characters named)
 * taken out, so a message wrapped over rows compares equal to the
 * message.  Pure string functions for the UI tests; no allocation.
 */
#ifndef OPSMGR_TEST_SCREEN_TEXT_H
#define OPSMGR_TEST_SCREEN_TEXT_H

#include <stddef.h>

/* in without blanks, newlines, box-drawing verticals and the characters
 * in drop (may be ""), into out (n bytes). */
void screen_squeeze(const char *in, const char *drop, char *out, size_t n);
/* The part of a UTF-8 row from column col on. */
const char *screen_from_col(const char *row, int col);

#endif
