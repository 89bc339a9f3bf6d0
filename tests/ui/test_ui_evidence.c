/*
 * test_ui_evidence.c - "Diagnose a Windows computer" (screens/
 * scr_evidence.c) in the real wizard at 80x24 through a pty and libvterm,
 * HOME an empty folder, no answers file, no lab: the welcome entry opens
 * the form; an empty path, a path that does not exist, a file that is
 * neither a folder nor a zip and a malformed FQDN are each said at their
 * field; corrected to the cng-key evidence, the results show the
 * serial/key_provider FAIL selected with its fix (SChannel,
 * AT_KEYEXCHANGE) and the counts evidence_check gives; F3 explains its
 * event 20069; Esc returns to the fields with the values kept, Esc again
 * to the welcome screen.  The healthy evidence gives "no failures", a zip
 * of the cng-key folder the same FAIL, and the Linux console's F-keys
 * under TERM=linux work on the screen.  Every line asserted is read whole
 * from its row (not cut at 80 columns).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <zip.h>

#include "core/fsutil.h"
#include "evidence_check.h"
#include "ui_steps.h"
#include "unit_util.h"

#define ENTRY "Diagnose a Windows computer (collect.cmd evidence)"

static void wait_for(struct ui_fx *fx, const char *text, const char *why)
{
	if (vt_wait_text(&fx->t, text, VT_DEFAULT_WAIT_MS) != 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("%s: timed out waiting for '%s'", why, text);
	}
}

/* text is on screen, whole, within one row of 80 columns. */
static void whole_row(struct ui_fx *fx, const char *text, const char *why)
{
	char row[1024];
	int y;
	wait_for(fx, text, why);
	y = vt_find_row(&fx->t, text);
	assert_true(y >= 0);
	vt_row(&fx->t, y, row, sizeof(row));
	if (!strstr(row, text)) {
		vt_dump(&fx->t, stderr);
		fail_msg("%s: '%s' is cut in its row '%s'", why, text, row);
	}
}

/* s without its blanks, into a malloc'd copy. */
static char *no_blanks(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	assert_non_null(out);
	for (; *s; s++)
		if (*s != ' ')
			*o++ = *s;
	*o = 0;
	return out;
}

/* The body's text as one string without blanks: each row's part right of
 * the rail, the frame's edges left out (a message wraps at a blank or, a
 * word longer than the line, inside it). */
static char *flat_text(struct ui_fx *fx)
{
	char *all = vt_screen_text(&fx->t), *out, *o;
	assert_non_null(all);
	out = o = malloc(strlen(all) + 1);
	assert_non_null(out);
	for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
		char *body = strstr(line, "\u2502\u2502"), *end;
		body = body ? body + 6 : line;
		end = body + strlen(body);
		if (end - body >= 3 && strcmp(end - 3, "\u2502") == 0)
			end -= 3;
		for (char *p = body; p < end; p++)
			if (*p != ' ')
				*o++ = *p;
	}
	*o = 0;
	free(all);
	return out;
}

/* A message wrapped under its field: on screen whole, in order. */
static void wrapped(struct ui_fx *fx, const char *first, const char *text,
		    const char *why)
{
	char *flat, *want = no_blanks(text);
	wait_for(fx, first, why);
	flat = flat_text(fx);
	if (!strstr(flat, want)) {
		vt_dump(&fx->t, stderr);
		fail_msg("%s: '%s' is not on screen whole", why, text);
	}
	free(flat);
	free(want);
}

static void send(struct ui_fx *fx, const char *bytes)
{
	vt_send(&fx->t, bytes, strlen(bytes));
}

/* The wizard under term (NULL: the harness's xterm), HOME an empty
 * folder, no answers file, on the welcome screen. */
static void start(struct ui_fx *fx, const char *term)
{
	char sd[4096], home[4096], hv[4200], tv[64];
	const char *env[] = { hv, term ? tv : NULL, NULL };
	snprintf(sd, sizeof(sd), "%s/state", fx->state);
	snprintf(home, sizeof(home), "%s/home", fx->state);
	assert_int_equal(mkdir(home, 0700), 0);
	snprintf(hv, sizeof(hv), "HOME=%s", home);
	snprintf(tv, sizeof(tv), "TERM=%s", term ? term : "");
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, sd, NULL, env), 0);
	fx->started = true;
	wait_for(fx, "Welcome", "start");
}

/* The entry (the last of the menu: Up twice from "Start at stage 1"
 * wraps to it), then the form. */
static void open_screen(struct ui_fx *fx)
{
	whole_row(fx, ENTRY, "the welcome entry");
	vt_key(&fx->t, VTERM_KEY_UP, VTERM_MOD_NONE);
	vt_key(&fx->t, VTERM_KEY_UP, VTERM_MOD_NONE);
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	wait_for(fx, "Evidence: ", "the form");
	whole_row(fx, "Diagnose a Windows computer", "the heading");
}

/* Clear the focused field, type v, Enter. */
static void type_enter(struct ui_fx *fx, const char *v)
{
	ui_clear_field(&fx->t);
	vt_type(&fx->t, v);
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
}

/* "problems found: N passed, ..." as evidence_check counts it. */
static void summary_of(const char *path, char *buf, size_t n)
{
	struct diag_list dl;
	int r;
	diag_list_init(&dl);
	r = evidence_check(path, NULL, &dl);
	assert_true(r >= 0);
	snprintf(buf, n, "%s: %zu passed, %zu warnings, %zu failed",
		 r ? "problems found" : "no failures",
		 diag_count(&dl, SEV_PASS) + diag_count(&dl, SEV_INFO),
		 diag_count(&dl, SEV_WARN), diag_count(&dl, SEV_FAIL));
	diag_list_release(&dl);
}

/* The cng-key results: the FAIL selected first (F3 fills in its event),
 * its fix, the counts (two failures: serial/key_provider and the event
 * 20069 it confirms). */
static void sees_cng_key(struct ui_fx *fx, const char *path)
{
	char want[200];
	whole_row(fx, "FAIL serial/key_provider: the key is a CNG key",
		  "the key_provider FAIL");
	wait_for(fx, "fix: request the certificate", "its fix");
	wait_for(fx, "SChannel", "the fix names the SChannel provider");
	wait_for(fx, "AT_KEYEXCHANGE", "the message names AT_KEYEXCHANGE");
	summary_of(path, want, sizeof(want));
	assert_non_null(strstr(want, "2 failed"));
	whole_row(fx, want, "the summary line");
}

static char *fixture(const char *name)
{
	char *p = test_data_path("evidence", name);
	assert_non_null(p);
	return p;
}

/* Mistakes at their fields, then the cng-key folder; F3 on its FAIL; Esc
 * back to the values, Esc to the welcome screen. */
static void test_mistakes_then_cng_key(void **state)
{
	struct ui_fx *fx = *state;
	char *cng = fixture("cng-key"), *readme = fixture("README");
	char bad[4200], want[4300];

	start(fx, NULL);
	open_screen(fx);
	whole_row(fx, "Leave the FQDN empty", "the hint");
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	wrapped(fx, "give the folder", "give the folder collect.cmd wrote on "
		"the Windows computer, or its zip", "an empty path");
	snprintf(bad, sizeof(bad), "%s/no-such-evidence", fx->state);
	type_enter(fx, bad);
	snprintf(want, sizeof(want), "'%s': no such folder or zip", bad);
	wrapped(fx, "no such", want, "a path that does not exist");
	type_enter(fx, readme);
	snprintf(want, sizeof(want), "'%s' is neither a folder nor a zip",
		 readme);
	wrapped(fx, "neither", want, "a plain file");
	/* the path corrected, the FQDN malformed: said at the FQDN */
	ui_clear_field(&fx->t);
	vt_type(&fx->t, cng);
	ui_tab(&fx->t, 1);
	type_enter(fx, "agent01");
	wrapped(fx, "'agent01'", "'agent01' has no domain part: use the fully "
		"qualified name", "a malformed FQDN");
	assert_false(vt_has_text(&fx->t, "FAIL serial/key_provider"));
	type_enter(fx, "");   /* empty: the FQDN in the evidence */
	sees_cng_key(fx, cng);
	whole_row(fx, "v/F3 Explain", "the key line");

	vt_fkey(&fx->t, 3);
	wait_for(fx, "Explain an event", "F3 on the results");
	whole_row(fx, "Event ID or text: 20069", "the selected row's event");
	wait_for(fx, "event 20069 (OpsMgr Connector", "its explanation");
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	wait_for(fx, "FAIL serial/key_provider", "back on the results");

	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	wait_for(fx, "Evidence: ", "Esc: the fields again");
	snprintf(want, sizeof(want), "Evidence: %s", cng);
	wrapped(fx, "Evidence: ", want, "the value kept");
	/* Enter again: the same results */
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	sees_cng_key(fx, cng);
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	wait_for(fx, "Evidence: ", "Esc: the fields again");
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	wait_for(fx, "Welcome", "Esc again: the welcome screen");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
	free(cng);
	free(readme);
}

/* The healthy evidence: no failures, the counts. */
static void test_healthy(void **state)
{
	struct ui_fx *fx = *state;
	char *dir = fixture("healthy");
	char want[200];
	start(fx, NULL);
	open_screen(fx);
	type_enter(fx, dir);
	summary_of(dir, want, sizeof(want));
	assert_non_null(strstr(want, "no failures"));
	whole_row(fx, want, "the healthy summary");
	assert_false(vt_has_text(&fx->t, "FAIL "));
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
	free(dir);
}

/* The cng-key folder as a zip, its files under one top folder. */
static char *zip_of(const char *dir, const char *tmp)
{
	static const char *const files[] = {
		"machine-settings.reg", "agent-groups.reg", "store-my.txt",
		"store-root.txt", "store-ca.txt", "events.xml", "sc-qc.txt",
		"sc-query.txt", "computer.txt", "tcp.txt", "certs/my-0.cer",
		NULL
	};
	char *zpath = fs_join(tmp, "evidence-AGENT01.zip");
	int ze;
	zip_t *z = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	for (const char *const *f = files; *f; f++) {
		char *src = fs_join(dir, *f), name[128];
		zip_source_t *s = zip_source_file(z, src, 0, -1);
		snprintf(name, sizeof(name), "evidence-AGENT01/%s", *f);
		assert_non_null(s);
		assert_true(zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8) >= 0);
		free(src);
	}
	assert_int_equal(zip_close(z), 0);
	return zpath;
}

static void test_zip(void **state)
{
	struct ui_fx *fx = *state;
	char *dir = fixture("cng-key");
	char *zpath = zip_of(dir, fx->state);
	start(fx, NULL);
	open_screen(fx);
	type_enter(fx, zpath);
	sees_cng_key(fx, zpath);
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
	free(zpath);
	free(dir);
}

/* TERM=linux, the Linux console's F-keys (ESC [ [ A is F1, ESC [ [ C F3):
 * help and explain open on the screen; PuTTY's F10 quits. */
static void test_linux_console(void **state)
{
	struct ui_fx *fx = *state;
	char *dir = fixture("cng-key");
	start(fx, "linux");
	open_screen(fx);
	send(fx, "\033[[A");
	wait_for(fx, "Help: a Windows computer", "F1 on the form");
	whole_row(fx, "collect.cmd wrote there", "the help page");
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	wait_for(fx, "Evidence: ", "help closed");
	type_enter(fx, dir);
	sees_cng_key(fx, dir);
	send(fx, "\033[[C");
	wait_for(fx, "Explain an event", "F3 under TERM=linux");
	whole_row(fx, "Event ID or text: 20069", "the selected row's event");
	send(fx, "\033[21~");
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_mistakes_then_cng_key),
		UI_TEST(test_healthy),
		UI_TEST(test_zip),
		UI_TEST(test_linux_console),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
