/*
 * help.h - the F1 help pages, one per screen (welcome, stages, summary),
 * and the pager that shows one.  A widget the screens call; it calls no
 * screen.  Owner: screens/help.c.  The texts are static.
 */
#ifndef OPSMGR_HELP_H
#define OPSMGR_HELP_H

#include <stddef.h>

#include "uikit.h"

/* "Help: 1 Trust root" (from the stage table), "Help: welcome", ... */
void help_title(int screen, char *buf, size_t n);
const char *help_text(int screen);
/* Show the help page of a screen until Esc/F1/q.  NAV_QUIT on F10, else
 * NAV_STAY. */
enum nav help_show(struct ui *ui, int screen);

#endif
