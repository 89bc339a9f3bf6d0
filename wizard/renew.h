/*
 * renew.h - `opsmgr-enroll renew [--if-due] [--before DURATION]
 * [--non-interactive]`: whether the certificate in use (the one the agent
 * configuration names) is due (pki/expiry.h, the one home of the window),
 * and the renewal: flow_begin_renewal (flow.h), then stages 2-7 through the
 * runner, or the wizard when interactive.
 *
 *  - a renewal in progress (state: renewal) is resumed whatever the window
 *    says, never begun again: a request the CA holds is asked about, not
 *    sent a second time;
 *  - --if-due and not due: one line saying when the window opens, exit 0,
 *    no network;
 *  - without --if-due the renewal runs whenever asked.
 *
 * Exit codes (product.md section 4): 0 nothing due or renewed, 75 waiting
 * on the CA or on approval (run `renew` again), 10+N stage N failed, 2 no
 * certificate in use / the state is in the middle of another request /
 * configuration errors.
 *
 * Ownership: nothing is kept; the flow is the caller's.
 */
#ifndef OPSMGR_RENEW_H
#define OPSMGR_RENEW_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "flow.h"

struct renew_opts {
	bool if_due;          /* --if-due */
	long long before_s;   /* --before in seconds; < 0: the default window */
};

/* renew_prepare's answer when the stages are to run. */
#define RENEW_RUN (-1)

/*
 * Decide at time now and, when the renewal is to run, begin it (or find
 * it in progress).  What it found goes to out as "renew: ..." lines (the
 * diagnostics of a refusal too).  RENEW_RUN, or the exit code to end
 * with (0 not due with --if-due; 2 nothing to renew or cannot begin; 16
 * the certificate in use cannot be read).
 */
int renew_prepare(struct flow *f, const struct renew_opts *o, time_t now,
		  FILE *out);

/* The non-interactive command: renew_prepare, runner_run, and a closing
 * line (renewed: old and new serial; waiting; stopped).  The exit code. */
int renew_run(struct flow *f, const struct renew_opts *o, FILE *out);

#endif
