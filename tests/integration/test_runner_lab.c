/*
 * test_runner_lab.c - end-to-end: `opsmgr-enroll --answers --non-interactive`
 * against a real opsmgr-enroll-lab, through all seven stages; exit codes,
 * resume after "pending" at the CA and at the management server, no second
 * request to the CA, PFX readable by `openssl pkcs12` in both compat modes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/stage_table.h"
#include "lab_harness.h"
#include "run_capture.h"

/* Copy the lab's answers with "key = value" lines replaced or added. */
static char *answers_with(const struct lab *l, const char *dir,
			  const char *const repl[][3])
{
	char *text = test_read_file(l->answers);
	assert_non_null(text);
	size_t cap = strlen(text) + 4096;
	char *out = calloc(1, cap);
	char section[64] = "";
	char *save = NULL;
	int used[32] = { 0 };
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[64];
		if (line[0] == '[') {
			/* flush additions for the section we leave */
			for (int i = 0; repl[i][0]; i++)
				if (!used[i] && strcmp(repl[i][0], section) == 0) {
					snprintf(out + strlen(out), cap - strlen(out),
						 "%s = %s\n", repl[i][1], repl[i][2]);
					used[i] = 1;
				}
			sscanf(line, "[%63[^]]", section);
			snprintf(out + strlen(out), cap - strlen(out), "%s\n", line);
			continue;
		}
		int replaced = 0;
		if (sscanf(line, " %63[a-z_0-9]", key) == 1)
			for (int i = 0; repl[i][0]; i++)
				if (strcmp(repl[i][0], section) == 0 &&
				    strcmp(repl[i][1], key) == 0) {
					snprintf(out + strlen(out), cap - strlen(out),
						 "%s = %s\n", key, repl[i][2]);
					used[i] = replaced = 1;
				}
		if (!replaced)
			snprintf(out + strlen(out), cap - strlen(out), "%s\n", line);
	}
	for (int i = 0; repl[i][0]; i++)
		if (!used[i])
			snprintf(out + strlen(out), cap - strlen(out),
				 "[%s]\n%s = %s\n", repl[i][0], repl[i][1], repl[i][2]);
	free(text);
	char *path = malloc(strlen(dir) + 32);
	sprintf(path, "%s/answers.ini", dir);
	assert_int_equal(test_write_file(path, out), 0);
	free(out);
	return path;
}

/* Run the wizard non-interactively; stages NULL = all of them. */
static int run_wizard_stages(const char *answers, const char *state_dir,
			     const char *stages, char **out)
{
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", answers, "--state-dir",
			       state_dir, "--non-interactive",
			       stages ? "--stages" : NULL, stages, NULL };
	int rc = run_capture(argv, 300, out);
	free(bin);
	return rc;
}

static int run_wizard(const char *answers, const char *state_dir, char **out)
{
	return run_wizard_stages(answers, state_dir, NULL, out);
}

static int count_requests(const struct lab *l)
{
	char *out = NULL;
	const char *args[] = { "list", "--dir", l->dir, NULL };
	assert_int_equal(lab_cmd(args, &out), 0);
	int n = 0;
	for (char *p = out; (p = strstr(p, "request ")) != NULL; p++)
		if (p == out || p[-1] == '\n')
			n++;
	free(out);
	return n;
}

static long pending_request_id(const char *output)
{
	regex_t re;
	regmatch_t m[2];
	assert_int_equal(regcomp(&re, "request[^0-9\n]*([0-9]+)[^\n]*pending|pending[^0-9\n]*([0-9]+)",
				 REG_EXTENDED | REG_ICASE), 0);
	long id = -1;
	if (regexec(&re, output, 2, m, 0) == 0 && m[1].rm_so >= 0)
		id = strtol(output + m[1].rm_so, NULL, 10);
	regfree(&re);
	return id;
}

static void assert_pkcs12_reads(const char *pfx, const char *pwfile,
				const char *expect_alg, const char *expect_mac)
{
	char pass[600];
	snprintf(pass, sizeof(pass), "file:%s", pwfile);
	const char *argv[] = { "/usr/bin/openssl", "pkcs12", "-info", "-noout",
			       "-in", pfx, "-passin", pass, NULL };
	char *out = NULL;
	int rc = run_capture(argv, 60, &out);
	if (rc != 0)
		fprintf(stderr, "openssl pkcs12 -info said:\n%s\n", out);
	assert_int_equal(rc, 0);
	if (!strstr(out, expect_alg) || !strstr(out, expect_mac))
		fprintf(stderr, "expected '%s' in:\n%s\n", expect_alg, out);
	assert_non_null(strstr(out, expect_alg));
	assert_non_null(strstr(out, expect_mac));
	free(out);
}

/* The lab of the running test: stopped by the teardown even when an
 * assertion fails half-way, so no lab outlives its test. */
static struct lab g_lab;
static int g_lab_up;

static struct lab *start_lab(const char *const extra[])
{
	assert_int_equal(lab_start(&g_lab, NULL, extra), 0);
	g_lab_up = 1;
	return &g_lab;
}

static int stop_lab(void **st)
{
	(void)st;
	if (g_lab_up)
		lab_stop(&g_lab);
	g_lab_up = 0;
	return 0;
}

static char *lab_pfx_password_file(const struct lab *l)
{
	char *p = malloc(strlen(l->dir) + 32);
	sprintf(p, "%s/pfx-password", l->dir);
	return p;
}

/* All seven stages, approved at once; a re-run does nothing again. */
static void test_full_run_modern_and_legacy(void **st)
{
	(void)st;
	const char *extra[] = { "--auto-approve", "0", NULL };
	struct lab *lp = start_lab(extra);
	struct lab l = *lp;
	char *work = test_mkdtemp("runner");
	char *state_dir = malloc(strlen(work) + 16);
	sprintf(state_dir, "%s/state", work);
	char pfx[512];
	snprintf(pfx, sizeof(pfx), "%s/out/agent.pfx", work);
	char outdir[512];
	snprintf(outdir, sizeof(outdir), "%s/out", work);
	mkdir(outdir, 0700);
	const char *const repl[][3] = { { "export", "pfx", pfx }, { NULL, NULL, NULL } };
	char *answers = answers_with(&l, work, repl);

	char *out = NULL;
	int rc = run_wizard(answers, state_dir, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	/* one line per stage of the stage table, numbered and titled by it */
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char want[64];
		snprintf(want, sizeof(want), "[%d/%d] %s ...", s, STAGE_LAST,
			 stage_title((enum stage)s));
		assert_non_null(strstr(out, want));
	}
	assert_null(strstr(out, "[8/"));
	free(out);

	struct stat sb;
	assert_int_equal(stat(pfx, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char *pw = lab_pfx_password_file(&l);
	assert_pkcs12_reads(pfx, pw, "AES-256-CBC", "MAC: sha256");
	assert_int_equal(count_requests(&l), 1);

	/* Every stage done: the summary is saved from the state. */
	char summary[700], kept[700];
	snprintf(summary, sizeof(summary), "%s/summary.txt", state_dir);
	snprintf(kept, sizeof(kept), "%s/summary-1.txt", state_dir);
	char *report = test_read_file(summary);
	assert_non_null(report);
	assert_non_null(strstr(report, "Enrollment complete"));
	assert_non_null(strstr(report, "Registry order:    "));
	assert_null(strstr(report, "(none)"));

	/* Resume: everything done, nothing sent again. */
	rc = run_wizard(answers, state_dir, &out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "skipped"));
	free(out);
	assert_int_equal(count_requests(&l), 1);

	/* A restart without the answers file: the same summary, and no
	 * earlier report to keep. */
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--state-dir", state_dir,
			       "--non-interactive", NULL };
	rc = run_capture(argv, 120, &out);
	free(bin);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "summary saved to"));
	free(out);
	char *again = test_read_file(summary);
	assert_non_null(again);
	assert_string_equal(again, report);
	free(again);
	free(report);
	assert_int_equal(access(kept, F_OK), -1);

	/* Legacy compat, fresh state: 3DES + SHA-1 MAC that openssl reads. */
	char state2[600];
	snprintf(state2, sizeof(state2), "%s/state2", work);
	char pfx2[600];
	snprintf(pfx2, sizeof(pfx2), "%s/out/legacy.pfx", work);
	const char *const repl2[][3] = { { "export", "pfx", pfx2 },
					 { "export", "compat", "legacy" },
					 { NULL, NULL, NULL } };
	free(answers);
	answers = answers_with(&l, work, repl2);
	rc = run_wizard(answers, state2, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	free(out);
	assert_pkcs12_reads(pfx2, pw, "pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1,");

	free(pw);
	free(answers);
	free(state_dir);
	test_rm_rf(work);
	free(work);
}

/* CA holds the request: exit 75, the ID is kept, no second submission;
 * after `approve ID` the next run finishes. */
static void test_ca_pending_then_approved(void **st)
{
	(void)st;
	const char *extra[] = { "--auto-approve", "0", NULL };
	struct lab *lp = start_lab(extra);
	struct lab l = *lp;
	char *work = test_mkdtemp("runner");
	char state_dir[600];
	snprintf(state_dir, sizeof(state_dir), "%s/state", work);
	const char *const repl[][3] = { { "ca", "template", "OpsMgrManual" },
					{ NULL, NULL, NULL } };
	char *answers = answers_with(&l, work, repl);

	char *out = NULL;
	int rc = run_wizard(answers, state_dir, &out);
	if (rc != 75)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 75);
	long id = pending_request_id(out);
	free(out);
	assert_true(id > 0);
	assert_int_equal(count_requests(&l), 1);

	rc = run_wizard(answers, state_dir, &out);   /* still pending */
	assert_int_equal(rc, 75);
	free(out);
	assert_int_equal(count_requests(&l), 1);

	char ids[32];
	snprintf(ids, sizeof(ids), "%ld", id);
	const char *args[] = { "approve", "--dir", l.dir, ids, NULL };
	assert_int_equal(lab_cmd(args, NULL), 0);
	rc = run_wizard(answers, state_dir, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	free(out);
	assert_int_equal(count_requests(&l), 1);

	free(answers);
	test_rm_rf(work);
	free(work);
}

/* Nobody approves the agent: exit 75 at stage 7; `approve FQDN` then a
 * re-run resumes waiting and ends approved. */
static void test_approval_timeout_then_resume(void **st)
{
	(void)st;
	struct lab *lp = start_lab(NULL);
	struct lab l = *lp;
	char *work = test_mkdtemp("runner");
	char state_dir[600];
	snprintf(state_dir, sizeof(state_dir), "%s/state", work);
	const char *const repl[][3] = { { "approval", "timeout", "3" },
					{ "approval", "interval", "1" },
					{ NULL, NULL, NULL } };
	char *answers = answers_with(&l, work, repl);

	char *out = NULL;
	int rc = run_wizard(answers, state_dir, &out);
	if (rc != 75)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 75);
	assert_non_null(strstr(out, "Approve-SCOMPendingManagement"));
	free(out);

	const char *args[] = { "approve", "--dir", l.dir, "agent01.lab.test", NULL };
	assert_int_equal(lab_cmd(args, NULL), 0);
	rc = run_wizard(answers, state_dir, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "[1/7] Trust root: already"));
	free(out);
	assert_int_equal(count_requests(&l), 1);

	free(answers);
	test_rm_rf(work);
	free(work);
}

/* A state saved by a management server is resumed as one even when the
 * answers say agent, as the screens do: stage 5 is skipped, not run. */
static void test_resume_keeps_saved_role(void **st)
{
	(void)st;
	struct lab *lp = start_lab(NULL);
	struct lab l = *lp;
	char *work = test_mkdtemp("runner");
	char state_dir[600], state_file[700];
	snprintf(state_dir, sizeof(state_dir), "%s/state", work);
	snprintf(state_file, sizeof(state_file), "%s/state", state_dir);
	const char *const server[][3] = { { "wizard", "role", "server" },
					  { NULL, NULL, NULL } };
	char *answers = answers_with(&l, work, server);
	char *out = NULL;
	int rc = run_wizard_stages(answers, state_dir, "1", &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	free(out);
	free(answers);

	const char *const agent[][3] = { { "wizard", "role", "agent" },
					 { NULL, NULL, NULL } };
	answers = answers_with(&l, work, agent);
	rc = run_wizard_stages(answers, state_dir, "5", &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "does not apply to the server role"));
	free(out);
	char *saved = test_read_file(state_file);
	assert_true(saved && strstr(saved, "role=server\n") &&
		    strstr(saved, "stage5=skipped\n"));
	free(saved);

	free(answers);
	test_rm_rf(work);
	free(work);
}

/* Failures map to 10+stage with the diagnostic at its field. */
static void test_failures_exit_codes(void **st)
{
	(void)st;
	struct lab *lp = start_lab(NULL);
	struct lab l = *lp;
	char *work = test_mkdtemp("runner");
	char state_dir[600];
	char *out = NULL;

	/* unknown template -> stage 2 (12), at ca.template */
	snprintf(state_dir, sizeof(state_dir), "%s/s1", work);
	const char *const r1[][3] = { { "ca", "template", "Ops Mgr" }, { NULL, NULL, NULL } };
	char *answers = answers_with(&l, work, r1);
	int rc = run_wizard(answers, state_dir, &out);
	if (rc != 12)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 12);
	assert_non_null(strstr(out, "ca.template"));
	free(out);
	free(answers);

	/* wrong pin -> stage 1 (11) */
	snprintf(state_dir, sizeof(state_dir), "%s/s2", work);
	const char *const r2[][3] = {
		{ "trust", "sha256",
		  "0000000000000000000000000000000000000000000000000000000000000000" },
		{ NULL, NULL, NULL } };
	answers = answers_with(&l, work, r2);
	rc = run_wizard(answers, state_dir, &out);
	if (rc != 11)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 11);
	free(out);
	free(answers);

	/* a bad value in the answers file -> usage/configuration error 2 */
	snprintf(state_dir, sizeof(state_dir), "%s/s3", work);
	const char *const r3[][3] = { { "key", "bits", "lots" }, { NULL, NULL, NULL } };
	answers = answers_with(&l, work, r3);
	rc = run_wizard(answers, state_dir, &out);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "bits"));
	free(out);
	free(answers);

	test_rm_rf(work);
	free(work);
}

/* A configuration error is found before any work: exit 2 naming the
 * section.key, no stage line, no event, nothing written to the state
 * directory but the log. */
static void assert_config_error(const struct lab *l, const char *work,
				const char *name, const char *const repl[][3],
				const char *key)
{
	char state_dir[600], state_file[700], key_file[700];
	snprintf(state_dir, sizeof(state_dir), "%s/%s", work, name);
	snprintf(state_file, sizeof(state_file), "%s/state", state_dir);
	snprintf(key_file, sizeof(key_file), "%s/key.pem", state_dir);
	char *answers = answers_with(l, work, repl);
	char *out = NULL;
	int rc = run_wizard(answers, state_dir, &out);
	if (rc != 2 || !strstr(out, key) || !strstr(out, "nothing was run"))
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, key));
	assert_non_null(strstr(out, "nothing was run"));
	assert_null(strstr(out, "[1/7]"));
	assert_null(strstr(out, "event:"));
	free(out);
	struct stat sb;
	assert_int_equal(stat(state_file, &sb), -1);
	assert_int_equal(stat(key_file, &sb), -1);
	free(answers);
}

static void test_config_errors_exit_2(void **st)
{
	(void)st;
	struct lab *lp = start_lab(NULL);
	char *work = test_mkdtemp("runner");

	const char *const no_url[][3] = { { "ca", "url", "" },
					  { NULL, NULL, NULL } };
	assert_config_error(lp, work, "no-url", no_url, "ca.url");
	const char *const no_template[][3] = { { "ca", "template", "" },
					       { NULL, NULL, NULL } };
	assert_config_error(lp, work, "no-template", no_template,
			    "ca.template");
	/* a later stage's missing value stops the run before stage 1 too */
	const char *const no_list[][3] = { { "wizard", "role", "server" },
					   { "approval", "source", "none" },
					   { "approval", "list_command", "" },
					   { NULL, NULL, NULL } };
	assert_config_error(lp, work, "no-list", no_list,
			    "approval.list_command");
	assert_int_equal(count_requests(lp), 0);

	/* a resumed state is left as it was */
	char state_dir[600], state_file[700];
	snprintf(state_dir, sizeof(state_dir), "%s/resumed", work);
	snprintf(state_file, sizeof(state_file), "%s/state", state_dir);
	char *out = NULL;
	int rc = run_wizard_stages(lp->answers, state_dir, "1", &out);
	assert_int_equal(rc, 0);
	free(out);
	char *before = test_read_file(state_file);
	assert_non_null(before);
	char *answers = answers_with(lp, work, no_template);
	rc = run_wizard(answers, state_dir, &out);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "ca.template"));
	free(out);
	char *after = test_read_file(state_file);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(answers);

	test_rm_rf(work);
	free(work);
}

/* A link planted where the log goes is not followed: the run says it is
 * not logged and goes on; the link's target is untouched. */
static void test_log_link_reported(void **st)
{
	(void)st;
	struct lab *lp = start_lab(NULL);
	char *work = test_mkdtemp("runner");
	char state_dir[600], target[600], link_path[700];
	snprintf(state_dir, sizeof(state_dir), "%s/state", work);
	snprintf(target, sizeof(target), "%s/not-a-log", work);
	snprintf(link_path, sizeof(link_path), "%s/opsmgr-enroll.log", state_dir);
	assert_int_equal(mkdir(state_dir, 0700), 0);
	assert_int_equal(test_write_file(target, "keep me\n"), 0);
	assert_int_equal(symlink(target, link_path), 0);

	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", lp->answers, "--state-dir",
			       state_dir, "--non-interactive", "--stages", "1",
			       NULL };
	char *out = NULL;
	int rc = run_capture(argv, 120, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "cannot open the log"));
	free(out);
	free(bin);
	char *kept = test_read_file(target);
	assert_string_equal(kept, "keep me\n");
	free(kept);
	test_rm_rf(work);
	free(work);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_full_run_modern_and_legacy, stop_lab),
		cmocka_unit_test_teardown(test_ca_pending_then_approved, stop_lab),
		cmocka_unit_test_teardown(test_approval_timeout_then_resume, stop_lab),
		cmocka_unit_test_teardown(test_resume_keeps_saved_role, stop_lab),
		cmocka_unit_test_teardown(test_failures_exit_codes, stop_lab),
		cmocka_unit_test_teardown(test_log_link_reported, stop_lab),
		cmocka_unit_test_teardown(test_config_errors_exit_2, stop_lab),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
