/*
 * termcheck.c - terminfo look-up of $TERM without side effects (see
 * termcheck.h): setupterm() with an error pointer neither prints nor
 * exits; the terminal it loads is released again.
 */
#include "termcheck.h"

#include <curses.h>
#include <term.h>

bool termcheck_usable(int fd)
{
	int err = 0;
	if (setupterm(NULL, fd, &err) != OK)
		return false;
	del_curterm(cur_term);
	return true;
}
