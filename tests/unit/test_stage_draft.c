/*
 * test_stage_draft.c - what a change on a stage screen does
 * (screens/stage_draft.c): a changed field is in the configuration while
 * the screen is open and leaves with it unless the stage ran; a value the
 * screen filled in itself is not a change; whether Enter runs a done stage
 * again is stage_is_stale's answer for its configuration keys (a changed
 * template: yes, with the old and new value; changed back or a user name
 * alone: no), while a mode or a typed password decides by itself, and so
 * does any change on a stage that recorded no inputs; stage 2 offers a new
 * key (F6) only for a change that would keep the old one; its help page
 * says what each change does; the form is loaded from and stored to the
 * configuration (draft_load_form, draft_store_form).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/stage_inputs.h"

#include "screens.h"
#include "stage_draft.h"
#include "stage_screen.h"

static const char *const MODES[] = { "submit", "save CSR", NULL };

static const struct fdef FIELDS[] = {
	{ "computer.fqdn", "Computer FQDN", FT_TEXT, NULL, NULL, NULL },
	{ "ca.template", "Template name", FT_TEXT, NULL, NULL, NULL },
	{ "ca.user", "User", FT_TEXT, NULL, NULL, NULL },
	{ "ca.password", "Password", FT_PASSWORD, NULL, NULL, NULL },
	{ "request.mode", "Mode", FT_CHOICE, MODES, NULL, NULL },
};

struct fx {
	struct flow f;
	struct ui ui;
	struct uform fm;
	struct draft d;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	config_init(&x->f.cfg);
	state_init(&x->f.st);
	ctx_init(&x->f.ctx, &x->f.cfg, &x->f.st, NULL);
	x->ui.f = &x->f;
	config_set_str(&x->f.cfg.fqdn, "agent01.lab.test");
	config_set_str(&x->f.cfg.ca_url, "https://ca.lab.test/certsrv/");
	config_set_str(&x->f.cfg.ca_template, "WebServer");
	config_set_str(&x->f.cfg.ca_user, "enroll");
	/* stage 2 done with these answers */
	state_set_str(&x->f.st.cert_sha256, "bb22");
	x->f.st.stage[STAGE_REQUEST] = STAGE_ST_DONE;
	assert_int_equal(stage_inputs_record(&x->f.ctx, STAGE_REQUEST), 0);
	assert_int_equal(uform_init(&x->fm, FIELDS, 5, &x->ui), 0);
	uform_set(&x->fm, "computer.fqdn", "agent01.lab.test");
	uform_set(&x->fm, "ca.template", "WebServer");
	uform_set(&x->fm, "ca.user", "enroll");
	assert_int_equal(draft_init(&x->d, &x->fm, &x->f.cfg, STAGE_REQUEST), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	draft_release(&x->d);
	uform_release(&x->fm);
	ctx_release(&x->f.ctx);
	state_release(&x->f.st);
	config_release(&x->f.cfg);
	free(x);
	return 0;
}

static bool runs(struct fx *x, char *why, size_t n)
{
	return draft_runs(&x->d, &x->f.ctx, "->", why, n);
}

static void test_nothing_changed_goes_on(void **state)
{
	struct fx *x = *state;
	char why[300];
	assert_false(draft_any_changed(&x->d));
	assert_false(runs(x, why, sizeof(why)));
	assert_string_equal(why, "");
}

static void test_changed_template_runs_and_says_why(void **state)
{
	struct fx *x = *state;
	char why[300];
	uform_set(&x->fm, "ca.template", "OpsMgr");
	assert_true(draft_changed(&x->d, 1));
	assert_true(runs(x, why, sizeof(why)));
	assert_string_equal(x->f.cfg.ca_template, "OpsMgr");
	assert_non_null(strstr(why, "answers changed (ca.template WebServer -> "
				    "OpsMgr)"));
	assert_true(stage_is_stale(&x->f.ctx, STAGE_REQUEST));
	/* typed back: nothing to run, and the configuration agrees */
	uform_set(&x->fm, "ca.template", "WebServer");
	assert_false(runs(x, why, sizeof(why)));
	assert_string_equal(x->f.cfg.ca_template, "WebServer");
	assert_false(stage_is_stale(&x->f.ctx, STAGE_REQUEST));
}

/* A value the key's rule refuses (half typed) counts as the starting
 * one, not as the last one accepted. */
static void test_refused_value_counts_as_start(void **state)
{
	struct fx *x = *state;
	char why[300];
	uform_set(&x->fm, "computer.fqdn", "agent02.lab.test");
	assert_true(runs(x, why, sizeof(why)));
	assert_string_equal(x->f.cfg.fqdn, "agent02.lab.test");
	uform_set(&x->fm, "computer.fqdn", "agent_02");
	assert_false(runs(x, why, sizeof(why)));
	assert_string_equal(x->f.cfg.fqdn, "agent01.lab.test");
}

/* Leaving without running puts back what the screen was loaded with;
 * after a run, what ran is the new starting point. */
static void test_restore_and_mark(void **state)
{
	struct fx *x = *state;
	uform_set(&x->fm, "ca.template", "OpsMgr");
	draft_apply(&x->d);
	assert_string_equal(x->f.cfg.ca_template, "OpsMgr");
	draft_restore(&x->d);
	assert_string_equal(x->f.cfg.ca_template, "WebServer");

	draft_apply(&x->d);
	assert_int_equal(draft_mark(&x->d), 0);
	assert_false(draft_any_changed(&x->d));
	draft_restore(&x->d);
	assert_string_equal(x->f.cfg.ca_template, "OpsMgr");
}

/* A value the screen filled in itself (a detected name, a default path)
 * is no change: the configuration keeps what it had. */
static void test_screen_filled_value_is_no_change(void **state)
{
	struct fx *x = *state;
	char why[300];
	config_set_str(&x->f.cfg.fqdn, NULL);
	draft_release(&x->d);
	uform_set(&x->fm, "computer.fqdn", "detected.lab.test");
	assert_int_equal(draft_init(&x->d, &x->fm, &x->f.cfg, STAGE_REQUEST), 0);
	draft_apply(&x->d);
	assert_null(x->f.cfg.fqdn);
	runs(x, why, sizeof(why));
	assert_null(x->f.cfg.fqdn);
}

/* Credentials make nothing stale; the user name is kept in the
 * configuration all the same. */
static void test_user_alone_goes_on(void **state)
{
	struct fx *x = *state;
	char why[300];
	uform_set(&x->fm, "ca.user", "someone-else");
	assert_true(draft_any_changed(&x->d));
	assert_false(runs(x, why, sizeof(why)));
	assert_string_equal(x->f.cfg.ca_user, "someone-else");
}

/* A field that is no configuration key the stage reads decides itself. */
static void test_mode_and_password_run(void **state)
{
	struct fx *x = *state;
	char why[300];
	uform_set_choice(&x->fm, "request.mode", "save CSR");
	assert_true(runs(x, why, sizeof(why)));
	assert_string_equal(why, "changed: Mode");
	uform_set_choice(&x->fm, "request.mode", "submit");
	uform_set(&x->fm, "ca.password", "typed");
	assert_true(runs(x, why, sizeof(why)));
	assert_string_equal(why, "changed: Password");
	/* a hidden field is not a change */
	uform_set_hidden(&x->fm, "ca.password", true);
	assert_false(runs(x, why, sizeof(why)));
}

/* A stage done before inputs were recorded: any change runs it. */
static void test_unrecorded_stage_runs_on_any_change(void **state)
{
	struct fx *x = *state;
	char why[300];
	stage_inputs_forget(&x->f.st, STAGE_REQUEST);
	uform_set(&x->fm, "ca.user", "someone-else");
	assert_true(runs(x, why, sizeof(why)));
	assert_string_equal(why, "changed: User");
}

/* F6 (a new key) only where the change would keep the old key. */
static void test_new_key_offered_for_template_only(void **state)
{
	struct fx *x = *state;
	bool (*offered)(struct ui *) = SCR_REQUEST.choice->offered;
	assert_false(offered(&x->ui));
	config_set_str(&x->f.cfg.ca_template, "OpsMgr");
	assert_true(offered(&x->ui));
	config_set_str(&x->f.cfg.fqdn, "agent02.lab.test");
	assert_false(offered(&x->ui));   /* a new name makes a new key anyway */
}

/* Stage 2's help says what each change does and where the old request
 * goes (backend/core/stage_help.c). */
static void test_request_help_says_what_a_change_does(void **state)
{
	const char *h = stage_help(STAGE_REQUEST);
	assert_non_null(strstr(h, "Computer FQDN or key size: a new key, a new "
			       "request and a new certificate"));
	assert_non_null(strstr(h, "Template or CA URL: a new request with the "
			       "same key; F6 makes a new key"));
	assert_non_null(strstr(h, "Authentication, user or password: no new "
			       "key"));
	assert_non_null(strstr(h, "archive/ in the state directory"));
	assert_non_null(strstr(h, "`opsmgr-enroll history` lists them"));
	assert_non_null(strstr(h, "--abandon-pending"));
}

/* The form is filled from the configuration's keys (a typed password
 * stays) and stores its shown fields back (a hidden one not). */
static void test_form_loads_and_stores_config(void **state)
{
	struct fx *x = *state;
	struct uform fm;
	assert_int_equal(uform_init(&fm, FIELDS, 5, &x->ui), 0);
	uform_set(&fm, "ca.password", "typed");
	draft_load_form(&fm, &x->f.cfg);
	assert_string_equal(uform_value(&fm, "computer.fqdn"),
			    "agent01.lab.test");
	assert_string_equal(uform_value(&fm, "ca.template"), "WebServer");
	assert_string_equal(uform_value(&fm, "ca.password"), "typed");
	uform_set(&fm, "ca.template", "OpsMgr");
	uform_set(&fm, "ca.user", "other");
	fm.fs[2].hidden = true;
	draft_store_form(&fm, &x->f.cfg);
	assert_string_equal(x->f.cfg.ca_template, "OpsMgr");
	assert_string_equal(x->f.cfg.ca_user, "enroll");
	uform_wipe(&fm, "ca.password");
	uform_release(&fm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_changed_goes_on,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_changed_template_runs_and_says_why, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_and_mark, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_refused_value_counts_as_start, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_screen_filled_value_is_no_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_alone_goes_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mode_and_password_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_unrecorded_stage_runs_on_any_change, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_new_key_offered_for_template_only, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_form_loads_and_stores_config, setup, teardown),
		cmocka_unit_test(test_request_help_says_what_a_change_does),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
