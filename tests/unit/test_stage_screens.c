/*
 * test_stage_screens.c - the stage screen definitions (screens/scr_*.c):
 * each names its own stage, and a stage's own fields are set by its own
 * screen: "check again" on the request screen asks the CA about the
 * pending request whatever offline mode was chosen (ctx.request_action),
 * while the generic engine and the other stages leave that field alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "screens.h"
#include "stage_screen.h"

static const struct stage_screen *const ALL[] = {
	&SCR_TRUST, &SCR_REQUEST, &SCR_VERIFY, &SCR_EXPORT, &SCR_AGENT,
	&SCR_SERIAL, &SCR_APPROVAL,
};

static void test_each_names_its_stage(void **st)
{
	for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++) {
		assert_int_equal(ALL[i]->stage, STAGE_TRUST + (int)i);
		assert_non_null(ALL[i]->run_label);
		assert_non_null(ALL[i]->intro);
	}
}

static struct flow f;
static struct ui ui;

static int setup(void **st)
{
	memset(&f, 0, sizeof(f));
	memset(&ui, 0, sizeof(ui));
	ui.f = &f;
	return 0;
}

static void test_request_recheck_asks_the_ca(void **st)
{
	f.ctx.request_action = REQ_ACT_SAVE_CSR;
	assert_non_null(SCR_REQUEST.recheck);
	SCR_REQUEST.recheck(&ui);
	assert_int_equal(f.ctx.request_action, REQ_ACT_AUTO);
}

static void test_other_stages_leave_request_action(void **st)
{
	for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++) {
		if (ALL[i] == &SCR_REQUEST || !ALL[i]->recheck)
			continue;
		f.ctx.request_action = REQ_ACT_IMPORT_CERT;
		ALL[i]->recheck(&ui);
		assert_int_equal(f.ctx.request_action, REQ_ACT_IMPORT_CERT);
	}
}

/* "y" to a question sets the ctx flag the stage reads on its next run. */
static void test_confirmations_name_their_flag(void **st)
{
	assert_int_equal(SCR_TRUST.confirm_flag, CTX_FLAG(confirm_trust));
	assert_int_equal(SCR_VERIFY.confirm_flag, CTX_FLAG(confirm_warnings));
	assert_int_equal(SCR_EXPORT.confirm_flag, CTX_FLAG(confirm_overwrite));
	assert_non_null(SCR_TRUST.question);
	assert_int_equal(SCR_REQUEST.confirm_flag, 0);
	assert_int_equal(SCR_APPROVAL.confirm_flag, 0);
}

static void test_verify_question_counts_warnings(void **st)
{
	char q[200];
	diag_list_init(&f.last[STAGE_VERIFY]);
	diag_add(&f.last[STAGE_VERIFY], DIAG_VERIFY_SUBJECT_NAME, SEV_WARN, NULL,
		 NULL, "short name");
	assert_string_equal(SCR_VERIFY.question(&ui, q, sizeof(q)),
			    "accept 1 warning(s) and go on?");
	diag_list_release(&f.last[STAGE_VERIFY]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_names_its_stage),
		cmocka_unit_test_setup(test_request_recheck_asks_the_ca, setup),
		cmocka_unit_test_setup(test_other_stages_leave_request_action,
				       setup),
		cmocka_unit_test(test_confirmations_name_their_flag),
		cmocka_unit_test_setup(test_verify_question_counts_warnings, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
