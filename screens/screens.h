/*
 * screens.h - the screens the router (screens/ui.c) puts in its table: the
 * stage screen definitions, one per row of the stage table (run by the
 * stage engine), and the welcome, summary and the two diagnose screens.  Each returns a navigation value and never
 * calls another screen.  Owners: screens/scr_*.c.
 */
#ifndef OPSMGR_SCREENS_H
#define OPSMGR_SCREENS_H

#include "uikit.h"

struct stage_screen;

extern const struct stage_screen SCR_TRUST, SCR_REQUEST, SCR_VERIFY,
	SCR_EXPORT, SCR_AGENT, SCR_SERIAL, SCR_APPROVAL;

/* The welcome menu: NAV_GOTO a stage, NAV_DIAGNOSE, NAV_EVIDENCE,
 * NAV_QUIT. */
enum nav scr_welcome_run(struct ui *ui);
/* Every check of the existing setup: NAV_BACK, NAV_QUIT. */
enum nav scr_diagnose_run(struct ui *ui);
/* A Windows computer diagnosed from collect.cmd's evidence: NAV_BACK,
 * NAV_QUIT. */
enum nav scr_evidence_run(struct ui *ui);
/* The end: NAV_DONE, NAV_BACK, NAV_QUIT. */
enum nav scr_summary_run(struct ui *ui);

#endif
