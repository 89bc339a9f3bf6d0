/*
 * ui.h - the interactive wizard (ncurses).  app/main.c calls ui_run()
 * when stdin/stdout are a terminal and --non-interactive is not given.
 * Owner: screens/ui.c.
 */
#ifndef OPSMGR_UI_H
#define OPSMGR_UI_H

#include "flow.h"

/* Run the wizard on f until the operator quits or finishes.  Returns the
 * process exit code (0 done or quit by the operator, 75 left or quit
 * while waiting on the CA or approval, 130 ^C, 128 + N after signal N
 * given to ui_signal (uikit.h)).  Restores the terminal before returning. */
int ui_run(struct flow *f);

#endif
