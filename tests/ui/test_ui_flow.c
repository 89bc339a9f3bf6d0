/*
 * test_ui_flow.c - the wizard through a real terminal emulator against the
 * lab: the happy path through all seven stages ending approved (with the
 * explicit trust confirmation and the saved summary report), inline errors
 * at the right field (bad FQDN, wrong CA password, unknown template, PFX
 * password confirmation mismatch, closed management-server port), and a
 * pending request left, resumed after a restart and approved.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <dirent.h>
#include <cmocka.h>

#include "lab_harness.h"
#include "run_capture.h"
#include "ui_steps.h"
#include "vterm_harness.h"

#define WAIT_MS UI_WAIT_MS
#define WAIT(t, text) ui_wait((t), (text))

/* The row right under the row holding label: where inline messages go. */
static void row_under(struct ui_fx *fx, const char *label, char *buf, size_t n)
{
	int r = vt_find_row(&fx->t, label);
	if (r < 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("no '%s' on screen", label);
	}
	vt_row(&fx->t, r + 1, buf, n);
}

static void assert_inline_error(struct ui_fx *fx, const char *label,
				const char *text)
{
	char row[1024];
	row_under(fx, label, row, sizeof(row));
	if (!strstr(row, "\u2717") || (text && !strstr(row, text))) {
		vt_dump(&fx->t, stderr);
		fail_msg("no inline error%s%s under '%s': '%s'", text ? " " : "",
			 text ? text : "", label, row);
	}
}

static void test_happy_path(void **state)
{
	struct ui_fx *fx = *state;
	char *path, *report;

	ui_fx_start(fx);
	ui_enter(&fx->t);   /* Start at stage 1 */
	ui_heading(&fx->t, 1);
	/* drop the pin from the answers: trusting needs an explicit yes */
	ui_tab(&fx->t, 2);
	ui_clear_field(&fx->t);
	ui_enter(&fx->t);
	WAIT(&fx->t, "(y/n)");
	assert_true(vt_has_text(&fx->t, "Confirm (y/n): trust root SHA-1 "));
	/* the certificate list is in view: subject, thumbprint, fingerprint */
	assert_true(vt_has_text(&fx->t, "ROOT CN=opsmgr-enroll lab root"));
	assert_true(vt_has_text(&fx->t, "SHA-1 thumbprint"));
	assert_true(vt_has_text(&fx->t, "SHA-256 "));
	vt_type(&fx->t, "y");
	WAIT(&fx->t, "stage 1 done");
	assert_true(vt_has_text(&fx->t, "\u2713 1 Trust root"));
	ui_enter(&fx->t);

	ui_pass_stage(&fx->t, 2);
	ui_run_stage_ok(&fx->t, 3);
	assert_true(vt_has_text(&fx->t, "PASS"));
	ui_enter(&fx->t);
	ui_pass_stage(&fx->t, 4);
	ui_pass_stage(&fx->t, 5);
	ui_run_stage_ok(&fx->t, 6);
	assert_true(vt_has_text(&fx->t, "registry (reversed):"));
	ui_enter(&fx->t);
	ui_run_stage_ok(&fx->t, 7);
	assert_true(vt_has_text(&fx->t, "approved this agent"));
	ui_enter(&fx->t);

	WAIT(&fx->t, "Summary");
	WAIT(&fx->t, "Enrollment complete");
	/* scrolling stops with the last line at the bottom: holding Down
	 * never scrolls the report off the screen */
	for (int i = 0; i < 60; i++)
		vt_key(&fx->t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	WAIT(&fx->t, "5. Do the certificate steps");
	vt_type(&fx->t, "s");
	WAIT(&fx->t, "report saved to");
	ui_enter(&fx->t);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
	assert_false(fx->t.altscreen);

	path = malloc(strlen(fx->state) + 32);
	assert_non_null(path);
	sprintf(path, "%s/summary.txt", fx->state);
	report = test_read_file(path);
	free(path);
	assert_non_null(report);
	assert_non_null(strstr(report, "Enrollment complete"));
	assert_non_null(strstr(report, "Approval:          approved"));
	assert_non_null(strstr(report, "Registry order:    "));
	assert_null(strstr(report, "(none):"));

	/* After a restart without the answers file the summary is the same
	 * (it is built from the state): saving it again keeps one report. */
	vt_close(&fx->t);
	fx->started = false;
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, fx->state, NULL,
					 NULL), 0);
	fx->started = true;
	WAIT(&fx->t, "show the summary");
	ui_enter(&fx->t);
	WAIT(&fx->t, "Enrollment complete");
	vt_type(&fx->t, "s");
	WAIT(&fx->t, "report saved to");
	assert_false(vt_has_text(&fx->t, "kept as"));
	ui_enter(&fx->t);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
	path = malloc(strlen(fx->state) + 32);
	assert_non_null(path);
	sprintf(path, "%s/summary.txt", fx->state);
	char *again = test_read_file(path);
	sprintf(path, "%s/summary-1.txt", fx->state);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	assert_non_null(again);
	assert_string_equal(again, report);
	free(again);
	free(report);
}

static void test_request_inline_errors(void **state)
{
	struct ui_fx *fx = *state;

	ui_fx_start_at(fx, 2);

	/* a bad FQDN: refused at the field when leaving it, Enter refused */
	ui_clear_field(&fx->t);
	vt_type(&fx->t, "agent_01.lab.test");
	ui_tab(&fx->t, 1);
	WAIT(&fx->t, "contains '_'");
	assert_inline_error(fx, "Computer FQDN:", "contains '_'");
	ui_enter(&fx->t);
	WAIT(&fx->t, "'Computer FQDN' is not valid");
	assert_false(vt_has_text(&fx->t, "stage 2 done"));
	/* fix it (focus went back to the field) */
	ui_clear_field(&fx->t);
	vt_type(&fx->t, "agent01.lab.test");

	/* the wrong password: the CA's 401 shows at the password field */
	ui_tab(&fx->t, 6);
	vt_type(&fx->t, "not-the-password");
	ui_enter(&fx->t);
	WAIT(&fx->t, "stage 2 failed");
	assert_inline_error(fx, "Password:", NULL);
	assert_true(vt_has_text(&fx->t, "\u2717 2 Request"));

	/* an unknown template: the CA's refusal shows at the template */
	ui_clear_field(&fx->t);
	vt_type(&fx->t, fx->lab->password);
	for (int i = 0; i < 4; i++)
		vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
	ui_clear_field(&fx->t);
	vt_type(&fx->t, "NoSuchTemplate");
	ui_enter(&fx->t);
	WAIT(&fx->t, "stage 2 failed");
	assert_inline_error(fx, "Template name:", NULL);
	/* the denial with the CA's own text is in the list */
	assert_true(vt_has_text(&fx->t, "FAIL the CA denied request"));
	assert_true(vt_has_text(&fx->t, "Denied by Policy Module"));

	/* the right template issues (focus is on the failed field) */
	ui_clear_field(&fx->t);
	vt_type(&fx->t, "OpsMgr");
	ui_run_stage_ok(&fx->t, 2);
	assert_true(vt_has_text(&fx->t, "the CA issued the certificate"));
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

static void test_export_password_mismatch(void **state)
{
	struct ui_fx *fx = *state;
	char row[1024];

	ui_fx_start_at(fx, 4);
	ui_tab(&fx->t, 1);
	vt_type(&fx->t, "Secret-1");
	ui_tab(&fx->t, 1);
	vt_type(&fx->t, "Secret-2");
	ui_tab(&fx->t, 1);
	WAIT(&fx->t, "the two passwords differ");
	assert_inline_error(fx, "Password again:", "the two passwords differ");
	/* the password itself is not marked, and never shown */
	row_under(fx, "Password:", row, sizeof(row));
	assert_null(strstr(row, "\u2717"));
	assert_false(vt_has_text(&fx->t, "Secret-1"));
	assert_false(vt_has_text(&fx->t, "Secret-2"));
	ui_enter(&fx->t);
	WAIT(&fx->t, "'Password again' is not valid");
	/* type the confirmation again: accepted, the stage runs */
	ui_clear_field(&fx->t);
	vt_type(&fx->t, "Secret-1");
	ui_run_stage_ok(&fx->t, 4);
	assert_true(vt_has_text(&fx->t, "PFX written and read back"));
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) != 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	port = ntohs(a.sin_port);
	close(s);   /* nobody listens there now */
	return port;
}

static void test_closed_port(void **state)
{
	struct ui_fx *fx = *state;
	char port[16];
	int p = closed_port();

	assert_true(p > 0);
	snprintf(port, sizeof(port), "%d", p);
	ui_fx_start_at(fx, 5);
	ui_tab(&fx->t, 2);
	ui_clear_field(&fx->t);
	vt_type(&fx->t, port);
	ui_enter(&fx->t);
	WAIT(&fx->t, "stage 5 failed");
	assert_inline_error(fx, "Port:", NULL);
	assert_true(vt_has_text(&fx->t, "\u2717 5 Install agent"));
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

static long request_id_on_screen(struct ui_fx *fx)
{
	char row[1024];
	int r = vt_find_row(&fx->t, "request ID ");
	const char *p;
	if (r < 0)
		return -1;
	vt_row(&fx->t, r, row, sizeof(row));
	p = strstr(row, "request ID ");
	return strtol(p + 11, NULL, 10);
}

static void test_pending_leave_resume(void **state)
{
	struct ui_fx *fx = *state;
	long id;
	char ids[32];
	const char *approve[] = { "approve", "--dir", fx->lab->dir, ids, NULL };

	ui_fx_start_at(fx, 2);
	ui_tab(&fx->t, 2);
	ui_clear_field(&fx->t);
	vt_type(&fx->t, "OpsMgrManual");
	ui_enter(&fx->t);
	WAIT(&fx->t, "is pending at the CA");
	WAIT(&fx->t, "l Leave, resume later");
	assert_true(vt_has_text(&fx->t, "\u2026 2 Request") ||
		    vt_has_text(&fx->t, "\u25b6 2 Request"));
	id = request_id_on_screen(fx);
	assert_true(id > 0);
	vt_type(&fx->t, "l");
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 75);
	assert_false(fx->t.altscreen);

	/* the CA administrator issues it */
	snprintf(ids, sizeof(ids), "%ld", id);
	assert_int_equal(lab_cmd(approve, NULL), 0);

	/* restart with answers naming the template the request was made
	 * with (the typed one is not saved; other answers would be a change
	 * that stage 2 asks about): the wizard offers to continue at stage 2 */
	char *base = test_read_file(fx->lab->answers), *tpl;
	char path[4096];
	assert_non_null(base);
	tpl = strstr(base, "template = OpsMgr\n");
	assert_non_null(tpl);
	size_t n = strlen(base) + 16;
	char *text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "%.*stemplate = OpsMgrManual\n%s", (int)(tpl - base),
		 base, tpl + strlen("template = OpsMgr\n"));
	snprintf(path, sizeof(path), "%s/answers-manual.ini", fx->state);
	assert_int_equal(test_write_file(path, text), 0);
	free(text);
	free(base);
	vt_close(&fx->t);
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, fx->state, path, NULL),
			 0);
	ui_wait(&fx->t, "Welcome");
	WAIT(&fx->t, "Continue at stage 2: Request");
	WAIT(&fx->t, "is pending at the CA");
	ui_enter(&fx->t);
	ui_heading(&fx->t, 2);
	WAIT(&fx->t, "c Check again");
	vt_type(&fx->t, "c");
	WAIT(&fx->t, "stage 2 done");
	assert_true(vt_has_text(&fx->t, "the CA issued the certificate"));
	assert_int_equal(request_id_on_screen(fx), id);
	ui_enter(&fx->t);
	for (int s = 3; s <= 6; s++)
		ui_pass_stage(&fx->t, s);
	ui_run_stage_ok(&fx->t, 7);
	ui_enter(&fx->t);
	WAIT(&fx->t, "Enrollment complete");
	ui_enter(&fx->t);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

static void test_rail_redo_and_start_over(void **state)
{
	struct ui_fx *fx = *state;
	DIR *d;
	struct dirent *e;
	bool moved = false;

	ui_fx_start_at(fx, 3);
	/* F2: back to the completed stage 1 on the rail, redo it */
	vt_fkey(&fx->t, 2);
	WAIT(&fx->t, "choose a completed stage to redo it");
	vt_key(&fx->t, VTERM_KEY_UP, VTERM_MOD_NONE);
	vt_key(&fx->t, VTERM_KEY_UP, VTERM_MOD_NONE);
	ui_enter(&fx->t);
	ui_heading(&fx->t, 1);
	WAIT(&fx->t, "stage 1 is done");
	vt_fkey(&fx->t, 5);
	WAIT(&fx->t, "stage 1 done:");
	assert_true(vt_has_text(&fx->t, "\u2713 1 Trust root"));
	/* F10, then start over from the welcome screen */
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
	ui_fx_start(fx);
	WAIT(&fx->t, "Saved progress found");
	WAIT(&fx->t, "Start over");
	vt_key(&fx->t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	ui_enter(&fx->t);
	WAIT(&fx->t, "start over? the saved progress is moved aside");
	vt_type(&fx->t, "y");
	WAIT(&fx->t, "started over");
	WAIT(&fx->t, "Start at stage 1: Trust root");
	assert_false(vt_has_text(&fx->t, "\u2713 1 Trust root"));
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
	/* the old state is kept next to the new one */
	d = opendir(fx->state);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "state.", 6) == 0)
			moved = true;
	closedir(d);
	assert_true(moved);
}

/* Diagnose has run: its closing line is on the status line. */
static void wait_diagnosed(struct ui_fx *fx)
{
	const char *const any[] = { "problems found", "no failures", NULL };
	if (vt_wait_any(&fx->t, any, WAIT_MS) < 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("no diagnose result");
	}
}

static void test_diagnose(void **state)
{
	struct ui_fx *fx = *state;

	ui_fx_start_at(fx, 3);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
	ui_fx_start(fx);
	WAIT(&fx->t, "Diagnose the existing setup");
	for (int i = 0; i < 2; i++)
		vt_key(&fx->t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	ui_enter(&fx->t);
	wait_diagnosed(fx);
	/* results by stage, e.g. the trust store check of stage 1 */
	assert_true(vt_has_text(&fx->t, "trust/"));
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	WAIT(&fx->t, "Continue at stage 3: Verify");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

/* The router: welcome -> diagnose (F1 help and back) -> Esc to welcome
 * with Diagnose still selected, so Enter runs it again. */
static void test_diagnose_and_back(void **state)
{
	struct ui_fx *fx = *state;

	ui_fx_start(fx);
	WAIT(&fx->t, "Diagnose the existing setup");
	vt_key(&fx->t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	ui_enter(&fx->t);
	wait_diagnosed(fx);
	assert_true(vt_has_text(&fx->t, "F5 Run again"));
	vt_fkey(&fx->t, 1);
	WAIT(&fx->t, "Help: welcome");
	assert_true(vt_has_text(&fx->t, "Esc Close help"));
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	WAIT(&fx->t, "Every check of the existing setup");
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	WAIT(&fx->t, "Diagnose the existing setup");
	ui_enter(&fx->t);
	WAIT(&fx->t, "Every check of the existing setup");
	/* the intro wraps at 80x24, read whole */
	assert_true(vt_has_text(&fx->t, "the selected line is shown below."));
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

/* The WebServer template lacks Client Authentication: verify lists a FAIL
 * with its fix and event, and the stage cannot be passed. */
static void test_verify_fail_blocks(void **state)
{
	struct ui_fx *fx = *state;

	ui_fx_verify_fails(fx, "WebServer");
	/* the failing check is selected, its fix and event underneath */
	WAIT(&fx->t, "FAIL");
	WAIT(&fx->t, "fix:");
	assert_true(vt_has_text(&fx->t, "event 20050"));
	assert_true(vt_has_text(&fx->t, "\u2717 3 Verify"));
	/* moving through the list shows each line's detail */
	vt_key(&fx->t, VTERM_KEY_HOME, VTERM_MOD_NONE);
	vt_key(&fx->t, VTERM_KEY_END, VTERM_MOD_NONE);
	/* trying again fails again: the certificate itself is wrong */
	ui_enter(&fx->t);
	WAIT(&fx->t, "stage 3 failed");
	assert_false(vt_has_text(&fx->t, "Stage 4 of 7"));
	/* the rail does not offer stage 4 either */
	vt_fkey(&fx->t, 2);
	WAIT(&fx->t, "choose a completed stage");
	for (int i = 0; i < 4; i++)
		vt_key(&fx->t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	ui_enter(&fx->t);
	WAIT(&fx->t, "Stage 3 of 7");
	assert_false(vt_has_text(&fx->t, "Stage 4 of 7"));
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}
/* An installer command's output scrolls in the stage 5 pane. */
static void test_installer_output(void **state)
{
	struct ui_fx *fx = *state;
	char *base = test_read_file(fx->lab->answers);
	char path[4096], *text;
	size_t n;

	assert_non_null(base);
	n = strlen(base) + 200;
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "%s\n[agent]\ninstall_command = /bin/sh -c "
		 "'echo installer-says-hello && echo installer-done'\n", base);
	snprintf(path, sizeof(path), "%s/answers-install.ini", fx->state);
	assert_int_equal(test_write_file(path, text), 0);
	free(text);
	free(base);

	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, fx->state, path, NULL),
			 0);
	fx->started = true;
	WAIT(&fx->t, "Welcome");
	ui_enter(&fx->t);
	for (int s = 1; s <= 4; s++)
		ui_pass_stage(&fx->t, s);
	ui_run_stage_ok(&fx->t, 5);
	/* the end of the output is in view after the run */
	WAIT(&fx->t, "installer-says-hello");
	assert_true(vt_has_text(&fx->t, "installer-done"));
	assert_true(vt_has_text(&fx->t, "-- output --"));
	/* the list scrolls back to the outcome at its top */
	ui_tab(&fx->t, 4);
	vt_key(&fx->t, VTERM_KEY_HOME, VTERM_MOD_NONE);
	WAIT(&fx->t, "installer command exited with status 0");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

/* Offline: save the CSR to a file, then try to import certificates. */
static void test_offline_request(void **state)
{
	struct ui_fx *fx = *state;
	char csr[4096], *text;

	snprintf(csr, sizeof(csr), "%s/for-the-ca.csr", fx->state);
	ui_fx_start_at(fx, 2);
	ui_tab(&fx->t, 7);
	vt_key(&fx->t, VTERM_KEY_RIGHT, VTERM_MOD_NONE);
	WAIT(&fx->t, "Mode:             < save CSR >");
	/* offline: no CA URL, authentication or password fields */
	assert_false(vt_has_text(&fx->t, "CA URL:"));
	assert_false(vt_has_text(&fx->t, "Password:"));
	ui_tab(&fx->t, 1);
	ui_clear_field(&fx->t);
	vt_type(&fx->t, csr);
	ui_enter(&fx->t);
	WAIT(&fx->t, "request saved: take it to the CA");
	WAIT(&fx->t, "e Edit");
	text = test_read_file(csr);
	assert_non_null(text);
	assert_non_null(strstr(text, "BEGIN CERTIFICATE REQUEST"));
	free(text);

	/* back to the fields: import a file that is not there */
	vt_type(&fx->t, "e");
	WAIT(&fx->t, "change the fields");
	vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
	vt_key(&fx->t, VTERM_KEY_RIGHT, VTERM_MOD_NONE);
	WAIT(&fx->t, "< import cert >");
	ui_tab(&fx->t, 1);
	vt_type(&fx->t, "/nonexistent/issued.cer");
	ui_enter(&fx->t);
	WAIT(&fx->t, "'Certificate file' is not valid");
	assert_inline_error(fx, "Certificate file:", "cannot read");
	/* a readable certificate that is not the one for our key */
	ui_clear_field(&fx->t);
	vt_type(&fx->t, fx->lab->root_pem);
	ui_enter(&fx->t);
	WAIT(&fx->t, "stage 2 failed");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

/* Export to a file that exists, with overwrite = no: the screen asks;
 * n keeps the file, y replaces it. */
static void test_export_asks_before_overwrite(void **state)
{
	struct ui_fx *fx = *state;
	char *base = test_read_file(fx->lab->answers);
	char path[4096], pfx[4096], *text, *kept;
	size_t n;

	assert_non_null(base);
	snprintf(pfx, sizeof(pfx), "%s/existing.pfx", fx->state);
	assert_int_equal(test_write_file(pfx, "not a pfx yet"), 0);
	n = strlen(base) + 2 * sizeof(pfx);
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "%s\n[export]\npfx = %s\noverwrite = no\n", base, pfx);
	snprintf(path, sizeof(path), "%s/answers-nooverwrite.ini", fx->state);
	assert_int_equal(test_write_file(path, text), 0);
	free(text);
	free(base);

	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, fx->state, path, NULL),
			 0);
	fx->started = true;
	WAIT(&fx->t, "Welcome");
	ui_enter(&fx->t);
	for (int s = 1; s <= 3; s++)
		ui_pass_stage(&fx->t, s);
	ui_heading(&fx->t, 4);
	ui_enter(&fx->t);
	WAIT(&fx->t, "Confirm (y/n): '");
	WAIT(&fx->t, "exists: replace it?");
	vt_type(&fx->t, "n");
	WAIT(&fx->t, "not confirmed: nothing was changed");
	kept = test_read_file(pfx);
	assert_non_null(kept);
	assert_string_equal(kept, "not a pfx yet");
	free(kept);
	ui_enter(&fx->t);
	WAIT(&fx->t, "exists: replace it?");
	vt_type(&fx->t, "y");
	WAIT(&fx->t, "stage 4 done");
	kept = test_read_file(pfx);
	assert_non_null(kept);
	assert_string_not_equal(kept, "not a pfx yet");
	free(kept);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

/* Run the management-server role in its own state directory against the
 * lab of fx, approve the agent agent01.lab.test from the list. */
static void server_approves(struct ui_fx *fx)
{
	char *sdir = test_mkdtemp("ui-server-");
	struct vt *t = &fx->t;

	assert_non_null(sdir);
	vt_close(t);
	assert_int_equal(vt_start_wizard(t, 24, 80, sdir, fx->lab->answers, NULL),
			 0);
	WAIT(t, "Welcome");
	vt_key(t, VTERM_KEY_UP, VTERM_MOD_NONE);
	vt_key(t, VTERM_KEY_RIGHT, VTERM_MOD_NONE);
	WAIT(t, "role: server");
	vt_key(t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	ui_enter(&fx->t);
	for (int s = 1; s <= 4; s++)
		ui_pass_stage(&fx->t, s);
	/* stage 5 does not apply to a management server */
	ui_heading(&fx->t, 6);
	assert_true(vt_has_text(t, "- 5 Install agent"));
	ui_pass_stage(&fx->t, 6);
	ui_run_stage_ok(&fx->t, 7);
	WAIT(t, "AGNT agent01.lab.test  pending");
	assert_true(vt_has_text(t, "a Approve agent"));
	vt_type(t, "a");
	WAIT(t, "approved 'agent01.lab.test'");
	ui_enter(&fx->t);
	WAIT(t, "Enrollment complete: this management server");
	ui_enter(&fx->t);
	assert_int_equal(vt_wait_exit(t, WAIT_MS), 0);
	test_rm_rf(sdir);
	free(sdir);
}

/*
 * Against a management server that does not approve on its own: the
 * agent waits, Esc leaves (75); the server role lists the agent and
 * approves it; the agent's wizard resumes at stage 7 and ends approved.
 */
static void test_approval_leave_server_approves(void **state)
{
	struct ui_fx *fx = *state;

	assert_int_equal(lab_start(&fx->own, NULL, NULL), 0);
	fx->own_up = true;
	fx->lab = &fx->own;
	ui_fx_start_at(fx, 7);
	ui_enter(&fx->t);
	WAIT(&fx->t, "pending");
	WAIT(&fx->t, "Esc Leave, resume later");
	/* the administrator's command is on screen while waiting */
	assert_true(vt_has_text(&fx->t, "Get-SCOMPendingManagement |"));
	assert_true(vt_has_text(&fx->t, "Approve-SCOMPendingManagement"));
	/* resizing while it waits redraws at the new size, still waiting */
	vt_resize(&fx->t, 30, 100);
	for (int i = 0; i < 100 && vt_find_row(&fx->t, "F10 Quit") != 29; i++)
		vt_pump(&fx->t, 100);
	assert_int_equal(vt_find_row(&fx->t, "F10 Quit"), 29);
	WAIT(&fx->t, "Esc Leave, resume later");
	assert_int_equal(vt_find_row(&fx->t, "Esc Leave, resume later"), 29);
	assert_true(vt_has_text(&fx->t, " elapsed, next attempt in "));
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 75);
	assert_false(fx->t.altscreen);

	server_approves(fx);

	/* the agent resumes at stage 7 and is approved now */
	ui_fx_start(fx);
	WAIT(&fx->t, "Continue at stage 7: Await approval");
	ui_enter(&fx->t);
	ui_run_stage_ok(&fx->t, 7);
	assert_true(vt_has_text(&fx->t, "approved this agent"));
	ui_enter(&fx->t);
	WAIT(&fx->t, "Enrollment complete: the agent is approved");
	ui_enter(&fx->t);
	assert_int_equal(vt_wait_exit(&fx->t, WAIT_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_happy_path),
		UI_TEST(test_request_inline_errors),
		UI_TEST(test_export_password_mismatch),
		UI_TEST(test_closed_port),
		UI_TEST(test_pending_leave_resume),
		UI_TEST(test_rail_redo_and_start_over),
		UI_TEST(test_diagnose),
		UI_TEST(test_diagnose_and_back),
		UI_TEST(test_installer_output),
		UI_TEST(test_offline_request),
		UI_TEST(test_export_asks_before_overwrite),
		UI_TEST(test_verify_fail_blocks),
		UI_TEST(test_approval_leave_server_approves),
	};
	return cmocka_run_group_tests(tests, ui_lab_group_setup,
				       ui_lab_group_teardown);
}
