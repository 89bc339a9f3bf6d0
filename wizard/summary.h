/*
 * summary.h - the enrollment summary: its text, built from the state
 * alone (struct state holds everything it prints, so the report after a
 * restart without the answers file is the report before it), and saving
 * it as <state dir>/summary.txt without losing an earlier report.
 *
 * Ownership: summary_text returns a malloc'd string the caller frees.
 */
#ifndef OPSMGR_SUMMARY_H
#define OPSMGR_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "core/state.h"

#define SUMMARY_FILE_NAME "summary.txt"

/* The report (files, serial in both orders, thumbprint, management server,
 * the server's last answer, the Windows steps); NULL when out of memory. */
char *summary_text(const struct state *st);

/*
 * Write text to <state_dir>/summary.txt atomically.  An existing
 * summary.txt with different contents is first moved to summary-N.txt
 * (the next free N from 1, never replacing a file); the same contents are
 * left as they are.  The path written goes to saved (may be NULL), the
 * kept earlier report's path to kept ("" when none; may be NULL).
 * Returns 0, or -1 with err.
 */
int summary_save(const char *state_dir, const char *text, char *saved,
		 size_t saved_len, char *kept, size_t kept_len, char *err,
		 size_t errlen);

struct flow;
/* For the runner: when every stage of the flow is finished
 * (flow_next_stage), save the summary as the screen's s does and say
 * where on out.  Returns 0 (also when not finished), -1 when saving
 * failed (said on out; the run's result stands). */
int summary_save_if_complete(struct flow *f, FILE *out);

#endif
