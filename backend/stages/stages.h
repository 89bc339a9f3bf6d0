/*
 * stages.h - the stage entry points, all of one shape, declared from the
 * stage table (core/stage_table.h).  Each does the stage's work with the
 * configuration and state in ctx, appends what it found to dl, updates
 * ctx->st (the wizard saves it), and returns a status.  Screens and the
 * non-interactive runner both call these through wizard/flow.c.
 */
#ifndef OPSMGR_STAGES_H
#define OPSMGR_STAGES_H

#include "core/ctx.h"
#include "core/diag.h"
#include "core/hooks.h"
#include "core/stage_table.h"
#include "core/status.h"

typedef enum status (*stage_fn)(struct ctx *c, const struct hooks *h,
				struct diag_list *dl);

/* enum status stage_trust_run(struct ctx *, const struct hooks *,
 * struct diag_list *); ... one per row, in backend/stages/<id>.c */
#define X(name, id, title, rail, entry, roles, uses, inval, output, help, keys, access) \
	enum status entry(struct ctx *c, const struct hooks *h,           \
			  struct diag_list *dl);
STAGE_TABLE(X)
#undef X

/* The entry point of stage s, or NULL outside 1..STAGE_LAST. */
stage_fn stage_entry(enum stage s);

/* What stage 2 has not left in the state yet for the stages that use its
 * key and certificate: REQ_NO_KEY first, then REQ_NO_CERT, else REQ_HAVE. */
enum request_have { REQ_HAVE, REQ_NO_KEY, REQ_NO_CERT };
enum request_have stage_request_have(const struct state *st);

#endif
