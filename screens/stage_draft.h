/*
 * stage_draft.h - what the operator changed on a stage screen, and what
 * that does.  A field is CHANGED when its value differs from the one the
 * screen showed when it was loaded or last ran.  While the screen is open
 * the configuration holds the changed values of the fields that are
 * configuration keys (draft_apply), so everything that judges the answers
 * (stage_is_stale for the rail, the status line, the stage itself) sees
 * what is on the screen; leaving without running puts the loaded values
 * back (draft_restore).
 *
 * Whether a done stage must run again is stage_is_stale's answer for the
 * configuration keys the stage reads; a changed field that is not such a
 * key (a mode, a file to import, a typed password) or a change on a stage
 * that recorded no inputs (a state written before they were recorded)
 * decides by itself (draft_forces_run).
 *
 * Ownership: struct draft borrows the form and the configuration and owns
 * its copies of the values; draft_release() frees them.
 */
#ifndef OPSMGR_STAGE_DRAFT_H
#define OPSMGR_STAGE_DRAFT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/state.h"
#include "widgets/form.h"

struct draft {
	struct uform *fm;
	struct config *cfg;
	enum stage stage;
	char **shown;      /* per field: the value shown at load / last run */
	char **kept;       /* per field: its key's configuration text then
			      (NULL: not a configuration key, or a password) */
	int n;
};

/* Take the form's values and the configuration's as the starting point
 * (after the form is loaded).  0 / -1 (memory). */
int draft_init(struct draft *d, struct uform *fm, struct config *cfg,
	       enum stage s);
void draft_release(struct draft *d);
/* After a run: what the form and the configuration hold now is the new
 * starting point.  0 / -1 (memory: the old one stays). */
int draft_mark(struct draft *d);
/* Does field i differ from its starting value (a hidden field never)? */
bool draft_changed(const struct draft *d, int i);
bool draft_any_changed(const struct draft *d);
/* Put the changed fields' values into the configuration and the others'
 * starting values back (a value the key's rule refuses is not stored). */
void draft_apply(struct draft *d);
/* Put every starting value back (leaving without running). */
void draft_restore(struct draft *d);
/*
 * Does a change decide by itself that the stage runs again (see above)?
 * Writes the labels of those fields into buf ("Mode, Password"); false
 * and "" when none.
 */
bool draft_forces_run(const struct draft *d, const struct state *st,
		      char *buf, size_t n);

/*
 * Must a done stage run again now (the changes applied first)?  true with
 * why: stage_stale_reason's line ("answers changed (ca.template WebServer
 * -> OpsMgr)", arrow between the values) or "changed: Mode" for changes
 * that decide by themselves; false and "" when Enter goes on.
 */
bool draft_runs(struct draft *d, const struct ctx *c, const char *arrow,
		char *why, size_t n);

/* The form's fields from the configuration's keys (a password, or a key
 * the configuration cannot give, stays as it is). */
void draft_load_form(struct uform *fm, const struct config *cfg);
/* The form's shown fields into the configuration, passwords not (a value
 * the key's rule refuses is not stored). */
void draft_store_form(struct uform *fm, struct config *cfg);

#endif
