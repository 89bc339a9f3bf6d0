/*
 * events.h - the Operations Manager events the product names: id, where it
 * is logged, what it means, its usual cause and the fix.  One table
 * (events.c), read by the diagnostics' text renderer (core/diag.c: the
 * "event:" line of `check` and the runner), by install.cmd's last step
 * (windows/installcmd.c: the events it looks for after the restart, with
 * their meaning and fix), by `explain EVENT` (wizard/explain.c,
 * screens/scr_explain.c: the causes and the checks that decide between
 * them) and by `check --evidence` (wizard/evidence_check_events.c: each
 * event found, confirmed or ruled out by its causes' evidence checks).
 * Facts from opsmgr-facts.md ("Events"): the seed (KB 947691),
 * Microsoft's "troubleshoot agent connectivity issues" article and the
 * collected event texts named there.
 *
 * Texts are plain printable ASCII without '"', '!' or '^' (install.cmd
 * echoes them through cmd.exe; tests/unit/test_events checks it).
 *
 * Owner: backend/core/events.c.  Everything is static: nothing to free.
 */
#ifndef OPSMGR_EVENTS_H
#define OPSMGR_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

/* The good one: the certificate was loaded. */
#define OM_EVENT_CERT_LOADED 20053
/* Where install.cmd reads them (wevtutil qe <log>). */
#define OM_EVENT_LOG "Operations Manager"

/* Most causes an event lists. */
#define OM_EVENT_CAUSES 4

/* One usual cause of an event and the checks that confirm or rule it out:
 *   check     "stage/id" of `check` (core/diag.h's DIAG_CHECKS) that decides
 *             it on this computer, or NULL when only the event's own text
 *             or the other computer can tell;
 *   evidence  "stage/id" of `check --evidence` (wizard/evidence_check.h)
 *             that decides it on a Windows computer's collected evidence
 *             (a FAIL confirms it, a PASS rules it out), or NULL when the
 *             evidence cannot tell;
 *   finding   when several causes share one evidence check: words of that
 *             check's failure message that single this cause out ("not
 *             reversed"); a failure without them rules it out.  NULL: any
 *             failure of the check confirms it.
 * test_events fails on a check or evidence id that core/diag.h lacks,
 * test_evidence_check on an evidence id `check --evidence` never reports
 * or a finding its message lacks. */
struct om_cause {
	const char *what;
	const char *check;
	const char *evidence;
	const char *finding;
};

struct om_event {
	int id;
	const char *source;   /* event source, e.g. "OpsMgr Connector" */
	const char *meaning;  /* what the event says, one short line */
	const char *cause;    /* the usual cause */
	const char *fix;      /* what to do */
	bool after_restart;   /* install.cmd names it when it follows the
			       * certificate import and service restart */
	/* `explain` and `check --evidence`: the usual causes, most likely
	 * first, each with its deciding checks; the rest all NULL. */
	struct om_cause causes[OM_EVENT_CAUSES];
};

/* The entry for id, NULL when the product does not know it. */
const struct om_event *om_event_find(int id);

/* The whole table, ascending ids (for tests, `explain`). */
const struct om_event *om_event_table(size_t *n);

#endif
