/*
 * scr_explain.h - the explain page (a key from anywhere: F3, or v where no
 * text field has the focus): an Operations Manager event ID or a pasted
 * event text typed into one line, its meaning, causes with their deciding
 * checks and fix shown below as `opsmgr-enroll explain` prints them
 * (wizard/explain.h).  An overlay like the help page: the screen that
 * opened it is drawn again after.  Owner: screens/scr_explain.c.
 */
#ifndef OPSMGR_SCR_EXPLAIN_H
#define OPSMGR_SCR_EXPLAIN_H

#include "uikit.h"

/* Show the page, the line pre-filled with event (0: empty; selected, so
 * typing replaces it), until Esc.
 * NAV_QUIT on F10 or ^C, else NAV_STAY. */
enum nav scr_explain_show(struct ui *ui, int event);

/* The event of a checklist's selected row, 0 when none (the page's
 * pre-filled ID from the diagnose and stage screens). */
int scr_explain_pane_event(const struct pane *p);

#endif
