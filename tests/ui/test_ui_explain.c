/*
 * test_ui_explain.c - the explain page (screens/scr_explain.c) in the real
 * wizard at 80x24 through a pty and libvterm, no lab needed: F3 opens it
 * from the welcome screen and from a stage screen whose field has the
 * focus (where v stays text) and from the diagnose screen (its key line
 * names it; the selected row's event filled in), v from the welcome screen; a typed ID shows
 * the meaning, causes with their deciding checks (`check`'s and `check
 * --evidence`'s) and the fix from the events table; a pasted multi-line Event Viewer text finds 21007; an
 * unknown ID says so; PgDn reaches the end; Esc goes back to the screen
 * that opened it, F10 quits with 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/events.h"
#include "ui_steps.h"

static void wait_for(struct ui_fx *fx, const char *text, const char *why)
{
	if (vt_wait_text(&fx->t, text, VT_DEFAULT_WAIT_MS) != 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("%s: timed out waiting for '%s'", why, text);
	}
}

static void wait_gone(struct ui_fx *fx, const char *text, const char *why)
{
	if (vt_wait_gone(&fx->t, text, VT_DEFAULT_WAIT_MS) != 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("%s: '%s' is still on screen", why, text);
	}
}

static void start(struct ui_fx *fx)
{
	char sd[4096];
	snprintf(sd, sizeof(sd), "%s/state", fx->state);
	assert_int_equal(vt_start_wizard(&fx->t, 24, 80, sd, NULL, NULL), 0);
	fx->started = true;
	wait_for(fx, "Welcome", "start");
}

static void send(struct ui_fx *fx, const char *bytes)
{
	vt_send(&fx->t, bytes, strlen(bytes));
}

/* F3 on the welcome screen, an ID typed: the table's texts on screen. */
static void test_welcome_typed_id(void **state)
{
	struct ui_fx *fx = *state;
	start(fx);
	vt_fkey(&fx->t, 3);
	wait_for(fx, "Explain an event", "F3 on the welcome screen");
	wait_for(fx, "Type an Operations Manager event ID", "the hint");
	/* letters are text on this page: the key line offers Esc, not q */
	wait_for(fx, "Esc Close", "the key line");
	assert_false(vt_has_text(&fx->t, "q/Esc"));
	vt_type(&fx->t, "q");
	wait_for(fx, "no event ID found in the text", "q is text");
	send(fx, "\025");   /* ^U clears */
	wait_for(fx, "Type an Operations Manager event ID", "cleared");
	vt_type(&fx->t, "20069");
	wait_for(fx, "event 20069 (OpsMgr Connector", "typed 20069");
	const struct om_event *e = om_event_find(20069);
	wait_for(fx, "decided by: verify/key_type", "the deciding check");
	wait_for(fx, "on collected evidence: serial/key_provider",
		 "the evidence's deciding check");
	/* the first words of the meaning and cause (the rest may wrap) */
	char head[24];
	snprintf(head, sizeof(head), "%.20s", e->meaning);
	wait_for(fx, head, "the meaning");
	snprintf(head, sizeof(head), "%.20s", e->causes[0].what);
	wait_for(fx, head, "the first cause");
	/* an unknown ID: said so, the explanation gone */
	send(fx, "\025");   /* ^U clears */
	vt_type(&fx->t, "4625");
	wait_for(fx, "event 4625 is not one of the", "unknown id");
	wait_gone(fx, "decided by:", "unknown id");
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	wait_gone(fx, "Explain an event", "Esc closes the page");
	wait_for(fx, "Welcome", "back on the welcome screen");
	/* v opens it too where no field takes text */
	send(fx, "v");
	wait_for(fx, "Explain an event", "v on the welcome screen");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
}

/* From stage 1 (a field with the focus): v is text, F3 opens the page; a
 * pasted Event Viewer text (CR LF lines) finds 21007; PgDn reaches the
 * last line; Esc returns to the stage. */
static void test_stage_pasted_text(void **state)
{
	struct ui_fx *fx = *state;
	start(fx);
	send(fx, "x");
	wait_for(fx, "Stage 1 of 7", "run all goes to stage 1");
	send(fx, "v");
	vt_pump(&fx->t, 300);
	assert_false(vt_has_text(&fx->t, "Explain an event"));
	vt_fkey(&fx->t, 3);
	wait_for(fx, "Explain an event", "F3 on a stage screen");
	send(fx, "Log Name:      Operations Manager\r\n"
		 "Source:        OpsMgr Connector\r\n"
		 "Date:          12/3/2026 4:17:44 PM\r\n"
		 "Event ID:      21007\r\n"
		 "Task Category: None\r\n"
		 "Computer:      web20071.example.test\r\n"
		 "Description:\r\n"
		 "The OpsMgr Connector cannot create a mutually authenticated "
		 "connection to scom01.example.test because it is not in a "
		 "trusted domain.\r\n");
	wait_for(fx, "event 21007 (OpsMgr Connector", "pasted 21007 text");
	wait_for(fx, "decided by: serial/record", "21007's first check");
	wait_for(fx, "on collected evidence: serial/registry_serial",
		 "21007's first evidence check");
	for (int i = 0; i < 10 && !vt_has_text(&fx->t, "The checks are rows");
	     i++) {
		vt_key(&fx->t, VTERM_KEY_PAGEDOWN, VTERM_MOD_NONE);
		vt_pump(&fx->t, 50);
	}
	wait_for(fx, "The checks are rows", "PgDn to the end");
	wait_for(fx, "fix: import the certificate", "the fix");
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	wait_gone(fx, "Explain an event", "Esc closes the page");
	wait_for(fx, "Stage 1 of 7", "back on stage 1");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
}

/* The diagnose screen names the key on its key line; F3 opens the page
 * over it and Esc returns to the results. */
static void test_from_diagnose(void **state)
{
	struct ui_fx *fx = *state;
	start(fx);
	wait_for(fx, "Diagnose the existing setup", "the welcome menu");
	vt_key(&fx->t, VTERM_KEY_DOWN, VTERM_MOD_NONE);
	vt_key(&fx->t, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	const char *const any[] = { "problems found", "no failures", NULL };
	if (vt_wait_any(&fx->t, any, VT_DEFAULT_WAIT_MS) < 0) {
		vt_dump(&fx->t, stderr);
		fail_msg("no diagnose result");
	}
	wait_for(fx, "v/F3 Explain", "the diagnose key line");
	vt_fkey(&fx->t, 3);
	wait_for(fx, "Explain an event", "F3 on the diagnose screen");
	/* the selected row (the first failure) leads to an event: filled in */
	wait_for(fx, "decided by:", "the selected row's event");
	char row[128];
	vt_row(&fx->t, vt_find_row(&fx->t, "Event ID or text: "), row,
	       sizeof(row));
	assert_non_null(strstr(row, "Event ID or text: 2"));
	/* selected: typing replaces it */
	vt_type(&fx->t, "21016");
	wait_for(fx, "event 21016 (OpsMgr Connector", "typed 21016");
	vt_key(&fx->t, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
	wait_for(fx, "Every check of the existing setup", "back on diagnose");
	vt_fkey(&fx->t, 10);
	assert_int_equal(vt_wait_exit(&fx->t, VT_DEFAULT_WAIT_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UI_TEST(test_welcome_typed_id),
		UI_TEST(test_stage_pasted_text),
		UI_TEST(test_from_diagnose),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
