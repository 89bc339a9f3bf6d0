/*
 * stage_inputs.h - what each stage was made from, and whether that still
 * holds.  A stage's INPUTS are the values of its stage-table `keys`
 * (computer.fqdn as the name in use, ctx_fqdn) and the output identity of
 * every earlier stage whose `invalidates` column names it (the root's,
 * certificate's, PFX's SHA-256, the imported thumbprint; a stage without
 * an output column is identified by its own recorded digest).  Credentials,
 * timeouts and confirmations (the `access` column) are not inputs.
 *
 * The inputs are canonical text, one "name=value" line each in table
 * order; their SHA-256 is the stage's digest.  Both are recorded in the
 * state (state.h: inputs[], digest[]) when the stage completes (flow.c) and
 * by stage 2 when it makes a key and CSR.  A finished stage whose digest no
 * longer matches the current answers is STALE, and so is every stage an
 * unfinished or stale earlier stage invalidates: the flow runs it again,
 * the screens mark it, `check` reports it.
 *
 * Ownership: functions returning char * return malloc'd text the caller
 * frees; stage_input_recorded writes into the caller's buffer.
 */
#ifndef OPSMGR_STAGE_INPUTS_H
#define OPSMGR_STAGE_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"
#include "core/stage_table.h"

/* The canonical inputs of stage s now; NULL when out of memory. */
char *stage_inputs_text(const struct ctx *c, enum stage s);
/* Record the current inputs and digest of s into c->st.  0 / -1 (memory). */
int stage_inputs_record(struct ctx *c, enum stage s);
/* Forget what s was made from (it made nothing that still stands). */
void stage_inputs_forget(struct state *st, enum stage s);
/* Were inputs recorded for s, and do they differ from the current ones? */
bool stage_inputs_changed(const struct ctx *c, enum stage s);
/* Does the one input `name` ("ca.template", "cert_sha256") differ from the
 * recorded one?  false when nothing was recorded. */
bool stage_input_changed(const struct ctx *c, enum stage s, const char *name);
/* The recorded value of input `name` of stage s into buf; NULL when s
 * recorded none or no such input. */
const char *stage_input_recorded(const struct state *st, enum stage s,
				 const char *name, char *buf, size_t n);
/*
 * What changed since s was recorded, as one line: "answers changed
 * (export.compat modern -> legacy); a new certificate from stage 2
 * (request)" (arrow: the text between old and new values, "->" or "→").
 * NULL when nothing changed or nothing was recorded.
 */
char *stage_inputs_explain(const struct ctx *c, enum stage s,
			   const char *arrow);
/*
 * Is s stale: finished (done, warn) with recorded inputs, and either its
 * inputs changed or an earlier stage that invalidates it (and applies to
 * the role) is stale or not finished?  stage_stale_reason says why in one
 * line (stage_inputs_explain's text, or "stage 2 (request) is not done" /
 * "stage 2 (request) is stale"); NULL when s is not stale.
 */
bool stage_is_stale(const struct ctx *c, enum stage s);
char *stage_stale_reason(const struct ctx *c, enum stage s, const char *arrow);

/*
 * A resumed enrollment keeps the answers it was made with: every input key
 * that no explicit layer set (cfg->explicit_keys: --config, --answers)
 * takes the value recorded in the state, the earliest stage's record
 * first.  So a restart without the answers file (or a wizard whose typed
 * answers live only in the state) sees its stages current, not stale.
 * Returns how many values were taken.
 */
int stage_inputs_adopt(struct config *cfg, const struct state *st);

#endif
