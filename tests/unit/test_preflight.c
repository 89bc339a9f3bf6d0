/*
 * test_preflight.c - the runner's preflight (wizard/preflight.h) without a
 * lab: every stage it will run checks its own fields; a missing ca.url or
 * template is found before any work, named by section.key, with no
 * Operations Manager event; finished stages are not checked; the gate
 * answers EXIT_USAGE and says nothing was run.
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
#include "core/status.h"
#include "flow.h"
#include "lab_harness.h"
#include "preflight.h"
#include "run_capture.h"
#include "unit_util.h"

static char *g_dir;

static int setup(void **st)
{
	g_dir = test_config_sandbox("preflight");
	return g_dir ? 0 : -1;
}

static int teardown(void **st)
{
	test_sandbox_remove(&g_dir);
	return 0;
}

static void open_with(struct flow *f, const char *text)
{
	char answers[600], sd[600], pw[600], all[2048];
	struct diag_list dl;
	snprintf(pw, sizeof(pw), "%s/pfx-password", g_dir);
	assert_int_equal(test_write_file(pw, "secret\n"), 0);
	snprintf(answers, sizeof(answers), "%s/answers.ini", g_dir);
	snprintf(all, sizeof(all), "%s\n[export]\npassword_file = %s\n", text,
		 pw);
	assert_int_equal(test_write_file(answers, all), 0);
	snprintf(sd, sizeof(sd), "%s/state", g_dir);
	struct flow_opts o = { .answers_path = answers, .state_dir = sd };
	diag_list_init(&dl);
	int rc = flow_open(f, &o, &dl);
	if (rc < 0)
		diag_print_text(stderr, &dl, SEV_WARN);
	diag_list_release(&dl);
	assert_int_equal(rc, 0);
}

static void assert_only_config_failures(const struct diag_list *dl)
{
	assert_true(dl->n > 0);
	for (size_t i = 0; i < dl->n; i++) {
		assert_int_equal(dl->items[i].sev, SEV_FAIL);
		assert_int_equal(dl->items[i].event, 0);
		assert_non_null(dl->items[i].field);
	}
}

static void test_missing_url_and_template(void **st)
{
	struct flow f;
	struct diag_list dl;
	open_with(&f, "[computer]\nfqdn = pc1.contoso.com\n"
		      "[ca]\nauth = none\n");
	diag_list_init(&dl);
	assert_int_equal(preflight_check(&f, STAGE_FIRST, STAGE_LAST, &dl), -1);
	assert_only_config_failures(&dl);
	const struct diag *d = diag_find_field(&dl, "ca.url", SEV_FAIL);
	assert_non_null(d);
	assert_int_equal(d->stage, STAGE_TRUST);
	assert_non_null(diag_find_field(&dl, "ca.template", SEV_FAIL));
	diag_list_release(&dl);

	/* stage 1 finished: its fields are not checked again; stage 2 still
	 * needs both */
	f.st.stage[STAGE_TRUST] = STAGE_ST_DONE;
	assert_int_equal(preflight_check(&f, STAGE_FIRST, STAGE_LAST, &dl), -1);
	d = diag_find_field(&dl, "ca.url", SEV_FAIL);
	assert_non_null(d);
	assert_int_equal(d->stage, STAGE_REQUEST);

	/* stage 5's missing server is found as well, before any work */
	assert_non_null(diag_find_field(&dl, "agent.server", SEV_FAIL));
	diag_list_release(&dl);

	/* only the stages asked for */
	assert_int_equal(preflight_check(&f, STAGE_VERIFY, STAGE_EXPORT, &dl),
			 0);
	assert_int_equal(dl.n, 0);

	/* the gate: exit 2, the key named, nothing run */
	char out_path[600];
	snprintf(out_path, sizeof(out_path), "%s/out.txt", g_dir);
	FILE *out = fopen(out_path, "w");
	assert_non_null(out);
	assert_int_equal(preflight_gate(&f, STAGE_FIRST, STAGE_LAST, out),
			 EXIT_USAGE);
	fclose(out);
	char *text = test_read_file(out_path);
	assert_non_null(strstr(text, "field: ca.template"));
	assert_non_null(strstr(text, "nothing was run"));
	assert_null(strstr(text, "event:"));
	free(text);
	flow_close(&f);
}

static void test_complete_answers_pass(void **st)
{
	struct flow f;
	struct diag_list dl;
	open_with(&f, "[computer]\nfqdn = pc1.contoso.com\n"
		      "[ca]\nurl = https://ca.contoso.com/certsrv/\n"
		      "template = OpsMgr\nauth = none\n"
		      "[agent]\nserver = ms1.contoso.com\n"
		      "management_group = MG1\n");
	diag_list_init(&dl);
	assert_int_equal(preflight_check(&f, STAGE_FIRST, STAGE_LAST, &dl), 0);
	assert_int_equal(dl.n, 0);
	flow_close(&f);
}

/* A management server needs a way to list the waiting agents. */
static void test_server_without_list(void **st)
{
	struct flow f;
	struct diag_list dl;
	open_with(&f, "[wizard]\nrole = server\n"
		      "[computer]\nfqdn = ms1.contoso.com\n"
		      "[ca]\nurl = https://ca.contoso.com/certsrv/\n"
		      "template = OpsMgr\nauth = none\n"
		      "[approval]\nsource = none\n");
	diag_list_init(&dl);
	assert_int_equal(preflight_check(&f, STAGE_FIRST, STAGE_LAST, &dl), -1);
	assert_only_config_failures(&dl);
	assert_int_equal(dl.n, 1);
	assert_string_equal(dl.items[0].field, "approval.list_command");
	diag_list_release(&dl);
	flow_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_url_and_template,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete_answers_pass,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_without_list,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
