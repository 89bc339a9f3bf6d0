/*
 * preflight.h - before the non-interactive runner does any work, every
 * stage it will run checks its own fields without I/O (the same field
 * checks the stages run first: trust_check_fields, request_validate,
 * export_check_fields, agent_check_fields, approval_check_fields).  A
 * missing or invalid value is a configuration error: exit 2 (EXIT_USAGE)
 * naming its section.key, never a stage's code, and no Operations Manager
 * event (a configuration problem is not one).
 *
 * Ownership: diagnostics go into the caller's list.
 */
#ifndef OPSMGR_PREFLIGHT_H
#define OPSMGR_PREFLIGHT_H

#include <stdio.h>

#include "core/diag.h"
#include "flow.h"

/*
 * Check the fields of every stage in from..to that the runner will run
 * (it applies to the role and is not finished).  The failures go to dl
 * (event 0, field set).  Returns 0 when none failed, -1 otherwise.
 */
int preflight_check(struct flow *f, int from, int to, struct diag_list *dl);

/* What the runner refuses before any work: preflight_check's failures,
 * and a request the CA holds whose answers changed without
 * --abandon-pending (request_needs_confirm).  EXIT_OK, or EXIT_USAGE after
 * printing why to out (and the field failures to the log). */
int preflight_gate(struct flow *f, int from, int to, FILE *out);

#endif
