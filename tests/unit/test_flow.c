/*
 * test_flow.c - the flow's role rule without a lab: a resumed state keeps
 * the role it was saved with whatever the answers say now (stage 5 does
 * not apply to a management server, so it is skipped, never run), a new
 * state takes the role of the configuration, and "start over" keeps the
 * flow's role in the fresh state.  Stage 5 is run only where it does not
 * apply, so no network is touched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/stage_table.h"
#include "flow.h"
#include "lab_harness.h"
#include "run_capture.h"

static char *g_dir;

static int setup(void **st)
{
	char xdg[600];
	g_dir = test_mkdtemp("flow");
	assert_non_null(g_dir);
	snprintf(xdg, sizeof(xdg), "%s/xdg", g_dir);
	setenv("OPSMGR_ENROLL_SYSTEM_CONFIG", "", 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	return 0;
}

static int teardown(void **st)
{
	test_rm_rf(g_dir);
	free(g_dir);
	g_dir = NULL;
	return 0;
}

/* Open the flow on <dir>/state with answers saying role. */
static void open_as(struct flow *f, const char *role)
{
	char answers[600], text[200], sd[600];
	struct diag_list dl;
	snprintf(answers, sizeof(answers), "%s/answers-%s.ini", g_dir, role);
	snprintf(text, sizeof(text), "[wizard]\nrole = %s\n", role);
	assert_int_equal(test_write_file(answers, text), 0);
	snprintf(sd, sizeof(sd), "%s/state", g_dir);
	struct flow_opts o = { .answers_path = answers, .state_dir = sd };
	diag_list_init(&dl);
	if (flow_open(f, &o, &dl) < 0)
		fail_msg("flow_open: %s", dl.n ? dl.items[0].message : "?");
	diag_list_release(&dl);
}

/* The flow runs as role: configuration and state agree, and stage 5
 * applies to an agent only. */
static void assert_opened(const struct flow *f, bool resumed, enum role role)
{
	assert_int_equal(f->resumed, resumed);
	assert_int_equal(f->cfg.role, role);
	assert_int_equal(f->st.role, role);
	assert_int_equal(flow_stage_applies(f, STAGE_AGENT), role == ROLE_AGENT);
}

static void test_resume_keeps_saved_role(void **st)
{
	struct flow f;

	open_as(&f, "server");
	assert_opened(&f, false, ROLE_SERVER);
	assert_int_equal(flow_run_stage(&f, STAGE_AGENT, NULL, NULL), ST_OK);
	assert_int_equal(f.st.stage[STAGE_AGENT], STAGE_ST_SKIPPED);
	flow_close(&f);

	open_as(&f, "agent");
	assert_opened(&f, true, ROLE_SERVER);
	assert_int_equal(flow_next_stage(&f), STAGE_FIRST);

	/* a fresh state is the flow's role's, not the answers' */
	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(flow_start_over(&f, &dl), 0);
	diag_list_release(&dl);
	assert_opened(&f, false, ROLE_SERVER);
	assert_int_equal(f.st.stage[STAGE_AGENT], STAGE_ST_NONE);
	flow_close(&f);
}

/* Without saved progress the configuration's role is the state's. */
static void test_new_state_takes_configured_role(void **st)
{
	struct flow f;
	open_as(&f, "agent");
	assert_opened(&f, false, ROLE_AGENT);
	flow_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resume_keeps_saved_role,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_new_state_takes_configured_role, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
