/*
 * test_summary.c - the enrollment summary (wizard/summary.h): built from
 * the state alone, so the text after state_format -> state_parse (a
 * restart) is the text before it; it prints the management server, port
 * and group and the registry lines the state holds, the Windows bundle's
 * files and the one thing to do with it; saving keeps an
 * earlier different report as summary-N.txt and never overwrites one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "core/state.h"
#include "lab_harness.h"
#include "run_capture.h"
#include "summary.h"

static void fill(struct state *s)
{
	state_init(s);
	for (int i = STAGE_FIRST; i <= STAGE_LAST; i++)
		s->stage[i] = STAGE_ST_DONE;
	state_set_str(&s->fqdn, "agent01.lab.test");
	state_set_str(&s->root_path, "/st/trust/root.pem");
	state_set_str(&s->root_sha256, "AB12");
	state_set_str(&s->key_path, "/st/agent.key");
	state_set_str(&s->cert_path, "/st/agent.pem");
	state_set_str(&s->pfx_path, "/out/agent.pfx");
	state_set_str(&s->agent_config_path, "/st/agent.ini");
	state_set_str(&s->serial_hex, "0A1B2C");
	state_set_str(&s->serial_reversed, "2C1B0A");
	state_set_str(&s->reg_file, "/st/opsmgr-serial.reg");
	state_set_str(&s->thumbprint, "AABBCC");
	state_set_str(&s->mgmt_server, "ms01.lab.test");
	state_set_str(&s->mgmt_port, "5724");
	state_set_str(&s->mgmt_group, "LAB");
	state_set_str(&s->approval, "approved");
	state_set_str(&s->approval_at, "2026-12-03 12:00:00 UTC");
}

static void test_text_from_state(void **st)
{
	(void)st;
	struct state s;
	fill(&s);
	char *t = summary_text(&s);
	assert_non_null(t);
	assert_non_null(strstr(t, "Enrollment complete: the agent is approved"));
	assert_non_null(strstr(t, "Computer:          agent01.lab.test\n"));
	assert_non_null(strstr(t, "Management server: ms01.lab.test:5724 "
				  "(group LAB)\n"));
	assert_non_null(strstr(t, "Registry order:    2C1B0A "
				  "(ChannelCertificateSerialNumber)\n"));
	assert_non_null(strstr(t, "Registry file:     /st/opsmgr-serial.reg\n"));
	assert_non_null(strstr(t, "Approval:          approved (the server's "
				  "last answer, 2026-12-03 12:00:00 UTC)\n"));
	assert_null(strstr(t, "(none)"));
	free(t);

	/* stage 7 failed after an earlier approval: not "complete", and the
	 * answer is shown as the server's last one, with its time */
	s.stage[STAGE_APPROVAL] = STAGE_ST_FAILED;
	t = summary_text(&s);
	assert_non_null(strstr(t, "Enrollment not finished yet (next: stage 7)"));
	assert_non_null(strstr(t, "last answer, 2026-12-03"));
	free(t);

	/* a management server skips stage 5 */
	s.role = ROLE_SERVER;
	s.stage[STAGE_AGENT] = STAGE_ST_NONE;
	s.stage[STAGE_APPROVAL] = STAGE_ST_DONE;
	t = summary_text(&s);
	assert_non_null(strstr(t, "this management server has its certificate"));
	free(t);
	state_release(&s);
}

/* The state file holds everything the summary prints: the text after a
 * round trip through the file format equals the text before it. */
static void test_round_trip(void **st)
{
	(void)st;
	struct state a, b;
	fill(&a);
	char *before = summary_text(&a);
	char *file = state_format(&a);
	assert_non_null(file);
	state_init(&b);
	char err[256];
	assert_int_equal(state_parse(&b, file, strlen(file), err, sizeof(err)), 0);
	char *after = summary_text(&b);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(file);
	state_release(&a);
	state_release(&b);
}

/* A Windows bundle: every file with its path, the zip and the one thing
 * to do, instead of the manual steps; and the same after a restart. */
static void test_bundle_lines(void **st)
{
	(void)st;
	struct state s, b;
	fill(&s);
	state_set_str(&s.bundle_dir, "/st/agent01.lab.test-opsmgr");
	state_set_str(&s.bundle_zip, "/st/agent01.lab.test-opsmgr.zip");
	state_set_str(&s.bundle_files, "root.cer agent01.lab.test.pfx "
				       "serial.reg install.cmd README.txt");
	char *t = summary_text(&s);
	assert_non_null(strstr(t, "Windows bundle:    "
				  "/st/agent01.lab.test-opsmgr\n"));
	const char *names[] = { "root.cer", "agent01.lab.test.pfx",
				"serial.reg", "install.cmd", "README.txt" };
	for (size_t i = 0; i < 5; i++) {
		char line[128];
		snprintf(line, sizeof(line),
			 "\n  /st/agent01.lab.test-opsmgr/%s\n", names[i]);
		assert_non_null(strstr(t, line));
	}
	assert_non_null(strstr(t, "Bundle zip:        "
				  "/st/agent01.lab.test-opsmgr.zip\n"));
	assert_non_null(strstr(t, "On the Windows side: copy "
				  "/st/agent01.lab.test-opsmgr.zip to "
				  "agent01.lab.test, extract, right-click "
				  "install.cmd > Run as administrator.\n"));
	assert_null(strstr(t, "Import the PFX"));
	char *file = state_format(&s);
	state_init(&b);
	char err[256];
	assert_int_equal(state_parse(&b, file, strlen(file), err, sizeof(err)), 0);
	char *after = summary_text(&b);
	assert_string_equal(t, after);
	free(after);
	free(file);
	free(t);
	state_release(&s);
	state_release(&b);
}

static char *path_in(const char *dir, const char *name)
{
	char *p = fs_join(dir, name);
	assert_non_null(p);
	return p;
}

static void assert_file(const char *path, const char *text)
{
	char *t = test_read_file(path);
	assert_non_null(t);
	assert_string_equal(t, text);
	free(t);
}

static void test_save_keeps_earlier(void **st)
{
	(void)st;
	char *dir = test_mkdtemp("summary");
	char saved[4096], kept[4096], err[FS_ERRLEN];
	char *cur = path_in(dir, SUMMARY_FILE_NAME);
	char *one = path_in(dir, "summary-1.txt");
	char *two = path_in(dir, "summary-2.txt");

	assert_int_equal(summary_save(dir, "first\n", saved, sizeof(saved),
				      kept, sizeof(kept), err, sizeof(err)), 0);
	assert_string_equal(saved, cur);
	assert_string_equal(kept, "");
	assert_int_equal(fs_mode(cur), 0600);

	/* the same text again: nothing new is kept */
	assert_int_equal(summary_save(dir, "first\n", saved, sizeof(saved),
				      kept, sizeof(kept), err, sizeof(err)), 0);
	assert_string_equal(kept, "");
	assert_false(fs_exists(one));

	/* a different text: the first is kept as summary-1.txt */
	assert_int_equal(summary_save(dir, "second\n", saved, sizeof(saved),
				      kept, sizeof(kept), err, sizeof(err)), 0);
	assert_string_equal(kept, one);
	assert_file(cur, "second\n");
	assert_file(one, "first\n");

	/* the next free number; an existing number is never overwritten */
	assert_int_equal(test_write_file(two, "someone's file\n"), 0);
	assert_int_equal(summary_save(dir, "third\n", saved, sizeof(saved),
				      kept, sizeof(kept), err, sizeof(err)), 0);
	char *three = path_in(dir, "summary-3.txt");
	assert_string_equal(kept, three);
	assert_file(three, "second\n");
	assert_file(two, "someone's file\n");
	assert_file(one, "first\n");
	assert_file(cur, "third\n");

	/* a directory where the report goes: an error, nothing lost */
	char *sub = path_in(dir, "sub");
	assert_int_equal(mkdir(sub, 0700), 0);
	char *subcur = path_in(sub, SUMMARY_FILE_NAME);
	assert_int_equal(mkdir(subcur, 0700), 0);
	assert_int_equal(summary_save(sub, "x\n", saved, sizeof(saved), kept,
				      sizeof(kept), err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);

	free(subcur);
	free(sub);
	free(three);
	free(cur);
	free(one);
	free(two);
	test_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_from_state),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bundle_lines),
		cmocka_unit_test(test_save_keeps_earlier),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
