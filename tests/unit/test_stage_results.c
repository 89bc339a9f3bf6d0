/*
 * test_stage_results.c - a stage screen shows the result of the stage's
 * last run and nothing else: stage 7 after an approval and then a failed
 * check (server stopped) shows no DONE line, and the state's approval
 * only as the server's dated last answer; the export, agent, serial and
 * trust screens show nothing an earlier run made next to a failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/ctx.h"
#include "stages/approval.h"
#include "stages/export.h"

#include "screens.h"
#include "stage_screen.h"

static struct flow f;
static struct ui ui;
static struct pane p;

static int setup(void **st)
{
	memset(&f, 0, sizeof(f));
	memset(&ui, 0, sizeof(ui));
	config_init(&f.cfg);
	state_init(&f.st);
	ctx_init(&f.ctx, &f.cfg, &f.st, "/nonexistent-state");
	ui.f = &f;
	pane_init(&p, true, false);
	return 0;
}

static int teardown(void **st)
{
	pane_release(&p);
	ctx_release(&f.ctx);
	state_release(&f.st);
	config_release(&f.cfg);
	return 0;
}

static int rows_tagged(const char *tag)
{
	int n = 0;
	for (int i = 0; i < p.n; i++)
		if (strcmp(p.rows[i].tag, tag) == 0)
			n++;
	return n;
}

static const char *row_with(const char *text)
{
	for (int i = 0; i < p.n; i++)
		if (strstr(p.rows[i].text, text))
			return p.rows[i].text;
	return NULL;
}

/* This session's run of stage 7 ended after attempts with answer a. */
static void set_run(int attempts, enum approval_state a)
{
	struct approval_result *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	v->attempt = attempts;
	v->state = a;
	ctx_set_out(&f.ctx, STAGE_APPROVAL, v, approval_result_free);
}

/* Approved earlier; this check could not reach the server. */
static void test_approval_failed_is_failed(void **st)
{
	state_set_str(&f.st.approval, "approved");
	state_set_str(&f.st.approval_at, "2026-12-03 12:00:00 UTC");
	f.st.stage[STAGE_APPROVAL] = STAGE_ST_FAILED;
	set_run(1, APPR_UNKNOWN);

	SCR_APPROVAL.result(&ui, &p, ST_FAIL);
	assert_int_equal(rows_tagged("DONE"), 0);
	assert_null(row_with("approved this agent"));
	const char *earlier = row_with("earlier answer");
	assert_non_null(earlier);
	assert_non_null(strstr(earlier, "approved (2026-12-03 12:00:00 UTC)"));
	assert_non_null(strstr(earlier, "not the result of this check"));

	/* after a restart (no run in this session) it is the same */
	pane_clear(&p);
	ctx_set_out(&f.ctx, STAGE_APPROVAL, NULL, NULL);
	SCR_APPROVAL.result(&ui, &p, ST_OK);
	assert_int_equal(rows_tagged("DONE"), 0);
	assert_non_null(row_with("earlier answer"));
}

static void test_approval_approved_is_done(void **st)
{
	state_set_str(&f.st.approval, "approved");
	f.st.stage[STAGE_APPROVAL] = STAGE_ST_DONE;
	set_run(2, APPR_APPROVED);
	SCR_APPROVAL.result(&ui, &p, ST_OK);
	assert_int_equal(rows_tagged("DONE"), 1);
	assert_null(row_with("earlier answer"));

	/* the same after a restart: the recorded status says done */
	pane_clear(&p);
	ctx_set_out(&f.ctx, STAGE_APPROVAL, NULL, NULL);
	SCR_APPROVAL.result(&ui, &p, ST_OK);
	assert_int_equal(rows_tagged("DONE"), 1);
}

/* An export that fails after one that passed: the earlier PFX is not
 * shown as this run's result. */
static void test_export_failure_hides_earlier(void **st)
{
	struct export_result *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->pfx_path = strdup("/out/agent.pfx");
	r->thumbprint = strdup("AABB");
	ctx_set_out(&f.ctx, STAGE_EXPORT, r, export_result_free);
	state_set_str(&f.st.pfx_path, "/out/agent.pfx");
	f.st.stage[STAGE_EXPORT] = STAGE_ST_FAILED;
	SCR_EXPORT.result(&ui, &p, ST_FAIL);
	assert_int_equal(p.n, 0);

	/* an overwrite question after a passing run: not this run's either */
	f.st.stage[STAGE_EXPORT] = STAGE_ST_DONE;
	SCR_EXPORT.result(&ui, &p, ST_NEED_CONFIRM);
	assert_int_equal(p.n, 0);

	/* passed: shown */
	SCR_EXPORT.result(&ui, &p, ST_OK);
	assert_int_equal(rows_tagged("DONE"), 1);
}

/* The state's earlier outputs are not shown beside a failed run. */
static void test_state_fallbacks_only_when_finished(void **st)
{
	state_set_str(&f.st.root_sha256, "AB12");
	state_set_str(&f.st.agent_config_path, "/st/agent.ini");
	state_set_str(&f.st.serial_hex, "0A1B");
	f.st.stage[STAGE_TRUST] = STAGE_ST_FAILED;
	f.st.stage[STAGE_AGENT] = STAGE_ST_FAILED;
	f.st.stage[STAGE_SERIAL] = STAGE_ST_FAILED;
	SCR_TRUST.result(&ui, &p, ST_FAIL);
	SCR_AGENT.result(&ui, &p, ST_FAIL);
	SCR_SERIAL.result(&ui, &p, ST_FAIL);
	assert_int_equal(p.n, 0);

	f.st.stage[STAGE_TRUST] = STAGE_ST_DONE;
	f.st.stage[STAGE_AGENT] = STAGE_ST_DONE;
	f.st.stage[STAGE_SERIAL] = STAGE_ST_WARN;
	SCR_TRUST.result(&ui, &p, ST_OK);
	SCR_AGENT.result(&ui, &p, ST_OK);
	SCR_SERIAL.result(&ui, &p, ST_OK);
	assert_int_equal(p.n, 3);
	assert_non_null(row_with("AB12"));
	assert_non_null(row_with("/st/agent.ini"));
	assert_non_null(row_with("0A1B"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_approval_failed_is_failed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_approval_approved_is_done,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_failure_hides_earlier,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_state_fallbacks_only_when_finished, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
