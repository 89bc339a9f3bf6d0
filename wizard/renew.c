/*
 * renew.c - the `renew` command (renew.h): is the certificate in use due,
 * begin or resume the renewal, run it, say how it ended.
 */
#include "renew.h"

#include <stdlib.h>

#include "core/duration.h"
#include "core/log.h"
#include "core/status.h"
#include "core/text.h"
#include "pki/expiry.h"
#include "runner.h"

static void utc(time_t t, char *buf, size_t n)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, n, "?");
}

/* "the certificate in use '<path>' expires <when> (in 3 days); its
 * renewal window (the last 30 days) opens <when>" */
static void say_expiry(FILE *out, const char *path,
		       const struct cert_expiry *e)
{
	char until[40], opens[40], left[40], window[40];
	utc(e->not_after, until, sizeof(until));
	utc(e->due_at, opens, sizeof(opens));
	duration_text(e->left_s, left, sizeof(left));
	duration_text(e->window_s, window, sizeof(window));
	fputs("renew: the certificate in use '", out);
	text_fputs(path, out);
	fprintf(out, "' %s %s (%s %s%s); its renewal window (the last %s) "
		"%s %s\n", e->expired ? "expired" : "expires", until,
		e->expired ? "" : "in", left, e->expired ? " ago" : "", window,
		e->due ? "opened" : "opens", opens);
}

/* The diagnostics of a refusal, and the exit code. */
static int refuse(FILE *out, struct diag_list *dl, int code)
{
	diag_print_text(out, dl, SEV_PASS);
	diag_list_release(dl);
	fflush(out);
	return code;
}

int renew_prepare(struct flow *f, const struct renew_opts *o, time_t now,
		  FILE *out)
{
	struct diag_list dl;
	diag_list_init(&dl);
	if (f->st.renewal != RENEWAL_NONE) {
		fprintf(out, "renew: resuming the renewal of serial %s (%s)\n",
			f->st.previous_serial ? f->st.previous_serial : "?",
			f->st.renewal == RENEWAL_DUE
				? "its new key is not made yet"
				: "its new key and request are made");
		log_msg("renew: resuming the renewal of serial %s",
			f->st.previous_serial ? f->st.previous_serial : "?");
		return RENEW_RUN;
	}
	struct cert_expiry e;
	char *path = NULL;
	int r = cert_expiry_in_use(&f->cfg, &f->st, f->state_dir, now,
				   o->before_s, &e, &path, &dl);
	if (r != 0) {
		/* no certificate named: flow_begin_renewal refuses, and its
		 * diagnostic is the one saying so */
		if (r == 1 && flow_begin_renewal(f, &dl) == 0)
			return RENEW_RUN;
		free(path);
		fputs("renew: nothing renewed\n", out);
		return refuse(out, &dl, r == 1 ? EXIT_USAGE
					      : stage_exit_code(STAGE_SERIAL));
	}
	say_expiry(out, path, &e);
	free(path);
	if (o->if_due && !e.due) {
		fputs("renew: not due: nothing to do\n", out);
		log_msg("renew: not due (window opens at %lld)",
			(long long)e.due_at);
		fflush(out);
		return EXIT_OK;
	}
	if (flow_begin_renewal(f, &dl) != 0) {
		fputs("renew: nothing renewed\n", out);
		return refuse(out, &dl, EXIT_USAGE);
	}
	fprintf(out, "renew: %s: renewing serial %s with stages %d-%d and the "
		"same answers; the agent keeps it until %s installs the new "
		"one\n", e.due ? "due" : "not due yet, renewing as asked",
		f->st.previous_serial, STAGE_REQUEST, STAGE_LAST,
		stage_ref(STAGE_SERIAL));
	fflush(out);
	diag_list_release(&dl);
	return RENEW_RUN;
}

int renew_run(struct flow *f, const struct renew_opts *o, FILE *out)
{
	int code = renew_prepare(f, o, time(NULL), out);
	if (code != RENEW_RUN)
		return code;
	code = runner_run(f, out);
	const char *old = f->st.previous_serial ? f->st.previous_serial : "?";
	if (code == EXIT_OK)
		fprintf(out, "renew: renewed: serial %s replaced serial %s\n",
			f->st.serial_hex ? f->st.serial_hex : "?", old);
	else if (code == EXIT_WAITING && f->st.req_phase == REQ_PENDING)
		fprintf(out, "renew: waiting: the CA holds request %ld; the "
			"agent keeps serial %s; run 'opsmgr-enroll renew' again "
			"to go on\n", f->st.request_id, old);
	else
		fprintf(out, "renew: stopped (exit %d); run 'opsmgr-enroll "
			"renew' again to go on with the renewal of serial %s\n",
			code, old);
	log_msg("renew: exit %d", code);
	fflush(out);
	return code;
}
