/*
 * ui_steps.h - what the UI tests (tests/ui) do on the wizard's screen
 * against a lab: a fixture (one lab for the whole group, a state
 * directory and a wizard per test), waiting for a text, the keys a person
 * presses (Enter, Tab, clearing a field), and running a stage on screen
 * answering y to its questions.  A step that does not see what it waits
 * for prints the screen and fails the running cmocka test (fail_msg), so
 * only cmocka programs use it.
 *
 * Ownership: struct ui_fx owns its state directory, its wizard and its
 * own lab (when own_up); ui_fx_teardown() stops and frees them.
 */
#ifndef OPSMGR_TEST_UI_STEPS_H
#define OPSMGR_TEST_UI_STEPS_H

#include <stdbool.h>

#include "lab_harness.h"
#include "vterm_harness.h"

#define UI_WAIT_MS 30000

struct ui_fx {
	struct lab *lab;      /* the group's lab, or &own */
	struct lab own;       /* a lab of the test's own, stopped in teardown */
	bool own_up;
	char *state;          /* the wizard's --state-dir, removed in teardown */
	struct vt t;
	bool started;
};

/* cmocka group setup/teardown: one lab (--auto-approve 0) for all. */
int ui_lab_group_setup(void **state);
int ui_lab_group_teardown(void **state);
/* cmocka test setup/teardown: *state is a struct ui_fx. */
int ui_fx_setup(void **state);
int ui_fx_teardown(void **state);
/* A test with a state directory and a wizard of its own. */
#define UI_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, ui_fx_setup, ui_fx_teardown)
/* Start (or restart) the wizard at 80x24 with the lab's answers; waits
 * for the welcome screen. */
void ui_fx_start(struct ui_fx *fx);

/* ui_fx_start, then Enter ("Start at stage 1") and every stage before
 * stage n passed on screen; waits for stage n's screen. */
void ui_fx_start_at(struct ui_fx *fx, int n);

/* ui_fx_start_at stage 2, the certificate requested with template (the
 * third field), then stage 3 run on screen until it says it failed
 * (WebServer: no Client Authentication). */
void ui_fx_verify_fails(struct ui_fx *fx, const char *template);

/* Wait until text is on screen (UI_WAIT_MS), else fail. */
void ui_wait(struct vt *t, const char *text);
void ui_enter(struct vt *t);
void ui_tab(struct vt *t, int n);
void ui_clear_field(struct vt *t);     /* Ctrl-U in the focused field */
void ui_heading(struct vt *t, int n);  /* wait for "Stage n of 7" */
/* Enter on stage n; y to every question; fail when it fails. */
void ui_run_stage_ok(struct vt *t, int n);
/* ui_run_stage_ok, then Enter to the next screen. */
void ui_pass_stage(struct vt *t, int n);

#endif
