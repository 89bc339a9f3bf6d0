/*
 * test_ui_renew.c - the welcome screen's renewal offer against a lab that
 * issues one-minute certificates (--validity 1m): right after enrolling
 * the certificate is not due and the welcome screen offers nothing; once
 * its renewal window opens (the last third of its life, pki/expiry.h) the
 * first entry says "certificate expires in N seconds - Renew", selected,
 * with Renew on the key line (in a plain terminal the dash is ASCII); F6
 * starts the renewal (flow_begin_renewal) and runs stages 2-7 again: the
 * agent configuration names a new serial, the agent is approved again,
 * and the welcome screen offers nothing until the new certificate is due
 * in turn.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/fsutil.h"
#include "core/state.h"
#include "pki/expiry.h"
#include "run_capture.h"
#include "ui_steps.h"

#define RENEW_WAIT_MS 90000   /* stages 2-7 against the lab */

/* A lab of the test's own issuing one-minute certificates, agents
 * approved at once, and this computer enrolled there without a screen. */
static void enrolled(struct ui_fx *fx)
{
	static const char *const args[] = { "--auto-approve", "0",
					     "--validity", "1m", NULL };
	char *bin = test_build_path("opsmgr-enroll"), *out = NULL;

	assert_int_equal(lab_start(&fx->own, NULL, args), 0);
	fx->own_up = true;
	fx->lab = &fx->own;
	const char *argv[] = { bin, "--answers", fx->lab->answers,
			       "--state-dir", fx->state, "--non-interactive",
			       NULL };
	int rc = run_capture(argv, 120, &out);
	if (rc != 0)
		fail_msg("enrollment failed (%d):\n%s", rc, out);
	free(out);
	free(bin);
}

/* The value of "key = " in the lab's agent configuration (malloc'd). */
static char *agent_value(struct ui_fx *fx, const char *key)
{
	char path[4200], want[64];
	snprintf(path, sizeof(path), "%s/agent/agent.ini", fx->lab->dir);
	char *ini = test_read_file(path), *v = NULL;
	snprintf(want, sizeof(want), "\n%s = ", key);
	const char *p = ini ? strstr(ini, want) : NULL;
	if (p) {
		p += strlen(want);
		v = strndup(p, strcspn(p, "\n"));
	}
	free(ini);
	assert_non_null(v);
	return v;
}

/* The certificate in use, as pki/expiry.h judges it now. */
static struct cert_expiry in_use(struct ui_fx *fx)
{
	char *cert = agent_value(fx, "certificate"), err[512];
	struct cert_expiry e;

	assert_int_equal(cert_expiry_of_file(cert, time(NULL), -1, &e, err,
					     sizeof(err)), 0);
	free(cert);
	return e;
}

/* Sleep until the certificate in use is due (its window opens), at most
 * two minutes. */
static void wait_until_due(struct ui_fx *fx)
{
	struct cert_expiry e = in_use(fx);

	assert_true(e.window_s > 0 && e.window_s < 60);
	for (int i = 0; i < 120 && time(NULL) < e.due_at + 1; i++)
		sleep(1);
	assert_true(time(NULL) >= e.due_at);
}

/* The wizard shows the welcome screen without an offer to renew, when
 * the certificate in use is still clearly outside its window (a slow
 * run, e.g. under a sanitizer, may already be inside: then that is not
 * asserted). */
static void no_offer(struct ui_fx *fx)
{
	ui_wait(&fx->t, "Every stage is done: show the summary");
	struct cert_expiry e = in_use(fx);
	if (time(NULL) + 5 < e.due_at) {
		assert_false(vt_has_text(&fx->t, "certificate expires"));
		assert_false(vt_has_text(&fx->t, "Renew"));
	} else {
		fprintf(stderr, "note: the certificate was due already; its "
			"absent offer not checked\n");
	}
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
}

/* Stages 2-7 run on their own; y to the questions a person answers (a
 * one-minute certificate's short life is a verify warning), and after a
 * stage done with warnings, which ends "run what remains", F4 runs the
 * rest. */
static void renewal_runs(struct ui_fx *fx)
{
	static const char *const ends[] = {
		"Enrollment complete: the agent is approved.",
		"Confirm (y/n)", "done with warnings: Enter for the next stage",
		NULL
	};
	ui_heading(&fx->t, 2);
	for (int i = 0; i < 12; i++) {
		int hit = vt_wait_any(&fx->t, ends, RENEW_WAIT_MS);
		if (hit == 0)
			return;
		if (hit < 0)
			break;
		if (hit == 1)
			vt_type(&fx->t, "y");
		else
			vt_fkey(&fx->t, 4);
		vt_wait_gone(&fx->t, ends[hit], UI_WAIT_MS);
	}
	vt_dump(&fx->t, stderr);
	fail_msg("the renewal did not end approved");
}

/* Every entry of the welcome menu whole at 80x24. */
static void every_entry(struct ui_fx *fx)
{
	static const char *const entries[] = {
		"Role:  < agent >", "certificate expires in ",
		"Start over (the saved progress is",
		"Diagnose the existing setup",
		"Diagnose a Windows computer (collect.cmd evidence)", NULL
	};
	if (!vt_has_text(&fx->t, "Every stage is done") &&
	    !vt_has_text(&fx->t, "Continue at stage ")) {
		vt_dump(&fx->t, stderr);
		fail_msg("the welcome entry 'continue' is cut off");
	}
	for (int i = 0; entries[i]; i++)
		if (!vt_has_text(&fx->t, entries[i])) {
			vt_dump(&fx->t, stderr);
			fail_msg("the welcome entry '%s' is cut off", entries[i]);
		}
}

/* The fullest welcome screen: saved progress, a request pending at the
 * CA (its line) and the Renew entry; the state file is put back after. */
static void worst_welcome(struct ui_fx *fx)
{
	char *path = fs_join(fx->state, STATE_FILE_NAME), err[256];
	unsigned char *old = NULL;
	size_t len = 0;
	assert_int_equal(fs_read_file(path, 1 << 20, &old, &len, err,
				      sizeof(err)), 0);
	char *pend = malloc(len + 64), *at = strstr((char *)old, "req_phase=");
	assert_non_null(at);
	char *eol = strchr(at, '\n');
	assert_non_null(eol);
	snprintf(pend, len + 64, "%.*sreq_phase=pending%s",
		 (int)(at - (char *)old), (char *)old, eol);
	assert_int_equal(fs_write_atomic(path, pend, strlen(pend), 0600, err,
					 sizeof(err)), 0);
	ui_fx_start(fx);
	ui_wait(&fx->t, "is pending at the CA");
	every_entry(fx);
	vt_fkey(&fx->t, 10);
	vt_wait_exit(&fx->t, UI_WAIT_MS);
	assert_int_equal(fs_write_atomic(path, old, len, 0600, err,
					 sizeof(err)), 0);
	free(pend);
	free(old);
	free(path);
}

static void test_offer_and_renew(void **state)
{
	static const char *const ascii[] = { "TERM=linux", "LANG=C", "LC_ALL=C",
					     NULL };
	struct ui_fx *fx = *state;

	enrolled(fx);
	char *serial = agent_value(fx, "serial");
	/* just issued: nothing to renew */
	ui_fx_start(fx);
	no_offer(fx);

	wait_until_due(fx);
	ui_fx_start(fx);
	ui_wait(&fx->t, "certificate expires in ");
	ui_wait(&fx->t, "seconds \u2014 Renew");
	ui_wait(&fx->t, "F6 Renew");
	/* the offer is the entry above "continue" */
	int offer = vt_find_row(&fx->t, "certificate expires in ");
	int cont = vt_find_row(&fx->t, "Every stage is done");
	assert_true(offer > 0 && cont > offer);
	/* and every other entry still fits at 80x24 */
	every_entry(fx);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
	worst_welcome(fx);

	/* a plain terminal: the dash in ASCII; F6 starts the renewal */
	vt_close(&fx->t);
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, fx->state,
					 fx->lab->answers, ascii), 0);
	ui_wait(&fx->t, "seconds - Renew");
	assert_true(vt_all_ascii(&fx->t));
	vt_fkey(&fx->t, 6);
	renewal_runs(fx);
	char *renewed = agent_value(fx, "serial");
	if (!strcmp(renewed, serial))
		fail_msg("the serial in use is still %s", serial);
	free(renewed);
	free(serial);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);

	/* the new certificate is not due yet: nothing offered */
	ui_fx_start(fx);
	no_offer(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_offer_and_renew),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
