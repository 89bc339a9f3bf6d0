/*
 * stages.h - the seven stage entry points, all of one shape.  Each does the
 * stage's work with the configuration and state in ctx, appends what it
 * found to dl, updates ctx->st (the wizard saves it), and returns a status.
 * Screens and the non-interactive runner both call these through wizard/.
 */
#ifndef OPSMGR_STAGES_H
#define OPSMGR_STAGES_H

#include "core/ctx.h"
#include "core/diag.h"
#include "core/hooks.h"
#include "core/status.h"

typedef enum status (*stage_fn)(struct ctx *c, const struct hooks *h,
				struct diag_list *dl);

enum status stage_trust_run(struct ctx *c, const struct hooks *h,
			    struct diag_list *dl);     /* backend/stages/trust.c */
enum status stage_request_run(struct ctx *c, const struct hooks *h,
			      struct diag_list *dl);   /* backend/stages/request.c */
enum status stage_verify_run(struct ctx *c, const struct hooks *h,
			     struct diag_list *dl);    /* backend/stages/verify.c */
enum status stage_export_run(struct ctx *c, const struct hooks *h,
			     struct diag_list *dl);    /* backend/stages/export.c */
enum status stage_agent_run(struct ctx *c, const struct hooks *h,
			    struct diag_list *dl);     /* backend/stages/agent.c */
enum status stage_serial_run(struct ctx *c, const struct hooks *h,
			     struct diag_list *dl);    /* backend/stages/serial.c */
enum status stage_approval_run(struct ctx *c, const struct hooks *h,
			       struct diag_list *dl);  /* backend/stages/approval.c */

#endif
