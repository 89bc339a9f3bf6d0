/*
 * test_ui_80x24.c - nothing that matters is cut off at 80x24, and a field
 * is edited as a whole: the real wizard in a pty against the lab, read
 * back from the libvterm screen.  A 40-digit thumbprint (stage 6) on one
 * line; the root's SHA-256 fingerprint (stage 1), a 150-character PFX
 * path (stage 4), the lab's whole denial text (stage 2, a template the
 * lab does not know) and every fix of the failing stage 3 checklist
 * (template WebServer) read whole in the body, wrapped; the checklist's
 * rows scrolled to the last one, with the "more below" line; a wrong CA
 * password retyped after the 401 (the second value replaces the first:
 * the stage passes), the mask one character per typed character, and
 * Ctrl-U; a help page scrolled to its end and back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/config_load.h"
#include "core/ctx.h"
#include "core/stage_table.h"
#include "core/state.h"
#include "keymap.h"
#include "screen_text.h"
#include "stages/stages.h"
#include "ui_steps.h"

#define BODY_COL 23     /* the body's inner text starts here at 80 columns */
#define SCAN_STEPS 40

/* The body's text at 80x24 (inside its frame, right of the rail),
 * squeezed (screen_text.h) without the characters in drop. */
static void body(struct vt *t, const char *drop, char *out, size_t n)
{
	char rows[8192] = "", row[1024];
	for (int r = 1; r < t->rows - 2; r++) {
		size_t used = strlen(rows);
		vt_row(t, r, row, sizeof(row));
		snprintf(rows + used, sizeof(rows) - used, "%s\n",
			 screen_from_col(row, BODY_COL));
	}
	screen_squeeze(rows, drop, out, n);
}

/* Whether text (squeezed the same way) is in the body now. */
static bool body_has(struct vt *t, const char *text, const char *drop)
{
	char a[8192], b[2048];
	vt_pump(t, 150);
	body(t, drop, a, sizeof(a));
	screen_squeeze(text, drop, b, sizeof(b));
	return strcasestr(a, b) != NULL;
}

/* Wait until text is whole in the body, else fail. */
static void wait_body(struct vt *t, const char *text)
{
	for (int i = 0; i < UI_WAIT_MS / 150; i++)
		if (body_has(t, text, ""))
			return;
	vt_dump(t, stderr);
	fail_msg("'%s' is not whole on the screen", text);
}

/* The list from its top, Down row by row: marks found[i] when texts[i]
 * is whole in the body at some step; returns how many were found. */
static int scan(struct vt *t, const char *const *texts, int n, bool *found,
		const char *drop)
{
	int k = 0;
	for (int i = 0; i < 4; i++)
		vt_key(t, VTERM_KEY_PAGEUP, VTERM_MOD_NONE);
	for (int step = 0; step < SCAN_STEPS && k < n; step++) {
		for (int i = 0; i < n; i++)
			if (!found[i] && body_has(t, texts[i], drop)) {
				found[i] = true;
				k++;
			}
		vt_key(t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	}
	return k;
}

static void must_scan(struct vt *t, const char *text, const char *drop)
{
	bool found = false;
	if (scan(t, &text, 1, &found, drop) == 1)
		return;
	vt_dump(t, stderr);
	fail_msg("'%s' is never whole on the screen", text);
}

static void load_state(struct ui_fx *fx, struct state *s)
{
	struct diag_list dl;
	diag_list_init(&dl);
	state_init(s);
	assert_int_equal(state_load(s, fx->state, &dl), 0);
	diag_list_release(&dl);
}

static void test_thumbprint_one_line(void **state)
{
	struct ui_fx *fx = *state;
	struct state s;
	char *screen;

	ui_fx_start_at(fx, 6);
	ui_run_stage_ok(&fx->t, 6);
	load_state(fx, &s);
	assert_non_null(s.thumbprint);
	assert_int_equal(strlen(s.thumbprint), 40);
	must_scan(&fx->t, s.thumbprint, "");
	vt_pump(&fx->t, 100);
	screen = vt_screen_text(&fx->t);
	if (!strcasestr(screen, s.thumbprint)) {   /* on one line */
		vt_dump(&fx->t, stderr);
		fail_msg("thumbprint %s not on one line", s.thumbprint);
	}
	free(screen);
	state_release(&s);
}

static void test_root_fingerprint_whole(void **state)
{
	struct ui_fx *fx = *state;
	struct state s;

	ui_fx_start_at(fx, 1);
	ui_run_stage_ok(&fx->t, 1);
	load_state(fx, &s);
	assert_non_null(s.root_sha256);
	assert_true(strlen(s.root_sha256) >= 64);
	/* shown as 32 bytes with colons (95 characters): compared digit by
	 * digit, the colons and the wrapping aside */
	must_scan(&fx->t, s.root_sha256, ":");
	state_release(&s);
}

static void test_long_path_whole(void **state)
{
	struct ui_fx *fx = *state;
	char dir[512], path[512];
	size_t len;

	snprintf(dir, sizeof(dir), "%s/", fx->state);
	len = strlen(dir);
	/* a directory name as long as it takes for a 150-character path */
	memset(dir + len, 'p', 150 - len - strlen("/agent01.pfx"));
	dir[150 - strlen("/agent01.pfx")] = '\0';
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/agent01.pfx", dir);
	assert_int_equal(strlen(path), 150);

	ui_fx_start_at(fx, 4);
	/* the PFX field has the focus, its value selected: typing replaces */
	vt_type(&fx->t, path);
	ui_run_stage_ok(&fx->t, 4);
	must_scan(&fx->t, path, "");
	/* the field shows it whole too, over its rows, once it is not being
	 * edited */
	if (!body_has(&fx->t, path, "")) {
		vt_dump(&fx->t, stderr);
		fail_msg("the PFX field does not show '%s' whole", path);
	}
}

static void test_denial_text_whole(void **state)
{
	struct ui_fx *fx = *state;
	/* lab_pages.c's words for a template it does not know (the page's
	 * full stop is not part of what the wizard reads) */
	const char *denial = "Denied by Policy Module 0x80094800, The request "
			     "was for a certificate template that is not "
			     "supported";

	ui_fx_start_at(fx, 2);
	ui_tab(&fx->t, 2);
	vt_type(&fx->t, "NoSuchTemplate");   /* replaces the selected value */
	ui_enter(&fx->t);
	ui_wait(&fx->t, "stage 2 failed");
	must_scan(&fx->t, denial, "");
}

/* Stage 3's diagnostics for the certificate the wizard got, from the
 * stage itself (the same answers and state). */
static void verify_in_process(struct ui_fx *fx, struct diag_list *dl)
{
	struct config c;
	struct state s;
	struct ctx x;
	struct diag_list ld;
	struct hooks h = { 0 };
	config_init(&c);
	diag_list_init(&ld);
	assert_int_equal(config_load_file(&c, fx->lab->answers, true, &ld), 0);
	diag_list_release(&ld);
	load_state(fx, &s);
	ctx_init(&x, &c, &s, fx->state);
	stage_verify_run(&x, &h, dl);
	ctx_release(&x);
	state_release(&s);
	config_release(&c);
}

static void test_checklist_fixes_and_last_row(void **state)
{
	struct ui_fx *fx = *state;
	struct diag_list dl;
	const char *fixes[32], *last = NULL;
	bool found[32] = { false };
	int nf = 0;

	ui_fx_verify_fails(fx, "WebServer");
	diag_list_init(&dl);
	verify_in_process(fx, &dl);
	assert_true(dl.n >= 12);
	assert_int_equal(diag_worst(&dl), SEV_FAIL);
	for (size_t i = 0; i < dl.n && nf < 32; i++)
		if (dl.items[i].fix && dl.items[i].sev >= SEV_WARN)
			fixes[nf++] = dl.items[i].fix;
	assert_true(nf > 0);
	/* the list's last row: the last diagnostic not shown at the field */
	for (size_t i = 0; i < dl.n; i++)
		if (!dl.items[i].field ||
		    strcmp(dl.items[i].field, "verify.revocation") != 0)
			last = dl.items[i].message;
	assert_non_null(last);
	if (scan(&fx->t, fixes, nf, found, "") != nf) {
		vt_dump(&fx->t, stderr);
		for (int i = 0; i < nf; i++)
			if (!found[i])
				fail_msg("fix '%s' is never whole on the screen",
					 fixes[i]);
	}

	/* from the top the list says more is below; End shows its last row */
	for (int i = 0; i < 4; i++)
		vt_key(&fx->t, VTERM_KEY_PAGEUP, VTERM_MOD_NONE);
	ui_wait(&fx->t, " below (P");
	vt_key(&fx->t, VTERM_KEY_END, VTERM_MOD_NONE);
	wait_body(&fx->t, last);
	assert_int_equal(vt_wait_gone(&fx->t, " below (P", 5000), 0);
	ui_wait(&fx->t, " above (P");
	diag_list_release(&dl);
}

/* A help page longer than the body: its last line says more is below,
 * End shows the end of the text (and says more is above), Home the top. */
static void test_help_scrolls(void **state)
{
	struct ui_fx *fx = *state;
	/* the page ends with the screen's keys (help.c: the stage's help,
	 * then keymap_describe) */
	char keys[4096];
	size_t kl = keymap_describe(KC_STAGE, keys, sizeof(keys));
	assert_true(kl > 41 && kl < sizeof(keys));
	keys[kl - 1] = '\0';                     /* its final newline */
	const char *tail = keys + kl - 1 - 40;

	ui_fx_start_at(fx, 1);
	vt_fkey(&fx->t, 1);
	ui_wait(&fx->t, "Help: 1");
	ui_wait(&fx->t, " below (P");
	vt_key(&fx->t, VTERM_KEY_END, VTERM_MOD_NONE);
	ui_wait(&fx->t, " above (P");
	assert_int_equal(vt_wait_gone(&fx->t, " below (P", 5000), 0);
	wait_body(&fx->t, tail);
	vt_key(&fx->t, VTERM_KEY_HOME, VTERM_MOD_NONE);
	ui_wait(&fx->t, " below (P");
	assert_int_equal(vt_wait_gone(&fx->t, " above (P", 5000), 0);
}

/* The Password field's row shows n mask characters and no more. */
static void mask_shown(struct vt *t, int n)
{
	char want[64], more[64], row[1024];
	int r;
	memset(want, '*', (size_t)n);
	want[n] = '\0';
	memset(more, '*', (size_t)n + 1);
	more[n + 1] = '\0';
	ui_wait(t, want);
	r = vt_find_row(t, "Password:");
	assert_true(r >= 0);
	vt_row(t, r, row, sizeof(row));
	if (!strstr(row, want) || strstr(row, more)) {
		vt_dump(t, stderr);
		fail_msg("the password field does not show %d mask characters", n);
	}
}

static void test_password_retyped(void **state)
{
	struct ui_fx *fx = *state;

	ui_fx_start_at(fx, 2);
	ui_tab(&fx->t, 6);                   /* FQDN .. User, Password */
	ui_wait(&fx->t, "^U Clear");
	vt_type(&fx->t, "xyz");
	mask_shown(&fx->t, 3);
	/* leave and come back: selected, typing replaces it */
	vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
	vt_key(&fx->t, VTERM_KEY_TAB, VTERM_MOD_NONE);
	ui_wait(&fx->t, "End Keep");
	vt_type(&fx->t, "bad-password");
	mask_shown(&fx->t, 12);
	ui_enter(&fx->t);
	ui_wait(&fx->t, "stage 2 failed");
	wait_body(&fx->t, "HTTP 401: \"401 - Unauthorized");
	/* the right one, after some junk cleared with Ctrl-U */
	vt_type(&fx->t, "junk");
	mask_shown(&fx->t, 4);
	ui_clear_field(&fx->t);
	vt_type(&fx->t, fx->lab->password);
	mask_shown(&fx->t, (int)strlen(fx->lab->password));
	ui_enter(&fx->t);
	{
		const char *const any[] = { "stage 2 done", "stage 2 failed",
					    NULL };
		int w = vt_wait_any(&fx->t, any, UI_WAIT_MS);
		if (w != 0) {
			vt_dump(&fx->t, stderr);
			fail_msg("the retyped password did not pass stage 2");
		}
	}
	ui_wait(&fx->t, "the CA issued the certificate");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, UI_WAIT_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_denial_text_whole),
		UI_TEST(test_password_retyped),
		UI_TEST(test_thumbprint_one_line),
		UI_TEST(test_root_fingerprint_whole),
		UI_TEST(test_long_path_whole),
		UI_TEST(test_checklist_fixes_and_last_row),
		UI_TEST(test_help_scrolls),
	};
	return cmocka_run_group_tests(tests, ui_lab_group_setup,
				      ui_lab_group_teardown);
}
