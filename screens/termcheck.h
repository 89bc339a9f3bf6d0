/*
 * termcheck.h - whether terminfo knows the terminal ($TERM) on a file
 * descriptor, asked before newterm() (whose failure path leaks inside
 * ncurses and which prints its own message).  Kept apart because <term.h>
 * defines macros such as `lines` and `columns`.  Owner: screens/termcheck.c.
 */
#ifndef OPSMGR_TERMCHECK_H
#define OPSMGR_TERMCHECK_H

#include <stdbool.h>

bool termcheck_usable(int fd);

#endif
