/*
 * explain.h - `opsmgr-enroll explain EVENT_ID|TEXT`: an Operations Manager
 * event's meaning, its usual causes with the checks that decide each (on
 * this computer and on a Windows computer's collected evidence), and the
 * fix, all from the one events table (core/events.h).  A whole event
 * text (Event Viewer's copy, wevtutil's text or XML, PowerShell's list)
 * finds its ID.  Also what the TUI's explain screen shows
 * (screens/scr_explain.c).
 *
 * Ownership: explain_text's result is malloc'd, the caller frees it.
 */
#ifndef OPSMGR_EXPLAIN_H
#define OPSMGR_EXPLAIN_H

#include <stdio.h>

#include "core/events.h"

/* Longest text `explain -` reads from standard input. */
#define EXPLAIN_INPUT_MAX (64 * 1024)

/*
 * The event a text names: a bare number; else the number after "Event ID"
 * / "EventID" ("Event ID: 21007", "<EventID Qualifiers='49152'>21007<",
 * "EventID : 21007"), or a PowerShell line "Id : 21007"; else the first
 * free-standing number that is an event of the table.  Returns the id (it
 * may be unknown to the table), or 0 when the text names none.
 */
int explain_find_id(const char *text);

/* The labels of a cause's deciders: `check`'s row on this computer, and
 * `check --evidence`'s on a Windows computer's collected evidence. */
#define EXPLAIN_DECIDED_HERE "decided by: "
#define EXPLAIN_DECIDED_EVIDENCE "on collected evidence: "

/* The explanation of e: "event N (source)", meaning, numbered causes each
 * with "decided by: stage/id" (`check`) and "on collected evidence:
 * stage/id" (`check --evidence`): core/events.h's check and evidence; the
 * fix.  Wrapped at width columns (0: one line per item, for a screen that
 * wraps itself). */
void explain_write(FILE *out, const struct om_event *e, int width);
/* The same into a malloc'd string (NULL when out of memory). */
char *explain_text(const struct om_event *e, int width);

/* The message for a text that names no known event (id from
 * explain_find_id, 0 for none), into buf; returns buf. */
const char *explain_unknown(int id, char *buf, size_t n);

/*
 * The command: the words given are joined with spaces; "-" reads the text
 * from in (at most EXPLAIN_INPUT_MAX bytes).  The explanation to out, an
 * unknown or missing event to err.  Returns 0, or 2 (EXIT_USAGE).
 */
int explain_run(int argc, char **argv, FILE *in, FILE *out, FILE *err);

#endif
