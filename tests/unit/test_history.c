/*
 * test_history.c - `opsmgr-enroll history` (wizard/history.c) on an archive
 * whose manifest holds text from outside (a certificate subject, a
 * template and a reason with ESC, BEL, a line break and C1 CSI): the text
 * output shows every control character as \xHH, with no raw control byte,
 * and the JSON output escapes them per RFC 8259 (issue 18 item 11).
 * Also request_history_load's other ways: no archive yet, a foreign
 * manifest, an archive that cannot be read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "history.h"
#include "lab_harness.h"
#include "stages/request_history.h"

static const char MANIFEST[] =
	REQUEST_MANIFEST_HEADER "\n"
	"archived=2026-12-03T12:15:00Z\n"
	"request_id=5\n"
	"ca_url=https://ca.example.test/certsrv\n"
	"template=Ops\x1b]0;owned\x07Mgr\n"
	"phase=issued\n"
	"subject=CN=ctl\x01x\x1b[31mred\n"
	"key=archived\n"
	"reason=answers changed \xc2\x9b" "2J caf\xc3\xa9\n";

/* history_run (json or text) on a state directory: its exit code, its
 * output and (when errp) its error output. */
static int history_run_on(const char *dir, bool json, char **outp,
			  char **errp)
{
	char *out = NULL, *err = NULL;
	size_t on = 0, en = 0;
	FILE *o = open_memstream(&out, &on);
	FILE *e = open_memstream(&err, &en);
	struct flow_opts opts = { .state_dir = dir };
	int code = history_run(&opts, json, o, e);
	fclose(o);
	fclose(e);
	*outp = out;
	if (errp)
		*errp = err;
	else
		free(err);
	return code;
}

/* history_run on a state directory holding that archive: its output. */
static char *history_of(const char *dir, bool json)
{
	char *out = NULL;
	assert_int_equal(history_run_on(dir, json, &out, NULL), 0);
	return out;
}

/* No raw control byte (C0 but a line break, DEL, C1 as UTF-8). */
static void assert_no_controls(const char *out)
{
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f ||
		    (p[0] == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0))
			fail_msg("raw control byte 0x%02x in:\n%s", *p, out);
	}
}

static void test_archive_text_escaped(void **st)
{
	(void)st;
	char *dir = test_mkdtemp("history-");
	char *adir = fs_join(dir, REQUEST_ARCHIVE_DIR "/20261203T121500Z-req5");
	char err[FS_ERRLEN];
	assert_int_equal(fs_mkdir_p(adir, 0700, err, sizeof(err)), 0);
	char *mf = fs_join(adir, REQUEST_MANIFEST_FILE);
	assert_int_equal(fs_write_atomic(mf, MANIFEST, strlen(MANIFEST), 0600,
					 err, sizeof(err)), 0);

	char *t = history_of(dir, false);
	assert_no_controls(t);
	assert_non_null(strstr(t, "request 5  issued  template "
				  "'Ops\\x1b]0;owned\\x07Mgr'  "
				  "CN=ctl\\x01x\\x1b[31mred\n"));
	assert_non_null(strstr(t, "why: answers changed \\xc2\\x9b2J "
				  "caf\xc3\xa9 (key archived)"));
	free(t);

	char *j = history_of(dir, true);
	assert_no_controls(j);
	assert_non_null(strstr(j, "\"subject\": \"CN=ctl\\u0001x\\u001b[31mred\""));
	assert_non_null(strstr(j, "\\u009b2J caf\xc3\xa9"));
	free(j);

	test_rm_rf(dir);
	free(mf);
	free(adir);
	free(dir);
}

/* No archive yet: an empty history, not an error; a folder whose manifest
 * has another header is not listed. */
static void test_no_archive_and_foreign_manifest(void **st)
{
	(void)st;
	char *dir = test_mkdtemp("history-");
	char *out = NULL;
	assert_int_equal(history_run_on(dir, false, &out, NULL), 0);
	assert_non_null(strstr(out, "no archived requests in '"));
	free(out);

	char *adir = fs_join(dir, REQUEST_ARCHIVE_DIR "/20261203T121500Z-req5");
	char err[FS_ERRLEN];
	assert_int_equal(fs_mkdir_p(adir, 0700, err, sizeof(err)), 0);
	char *mf = fs_join(adir, REQUEST_MANIFEST_FILE);
	static const char OTHER[] = "opsmgr-enroll archive 0\nrequest_id=5\n";
	assert_int_equal(fs_write_atomic(mf, OTHER, strlen(OTHER), 0600,
					 err, sizeof(err)), 0);
	struct request_history h;
	assert_int_equal(request_history_load(dir, &h, err, sizeof(err)), 0);
	assert_int_equal(h.n, 0);
	request_history_release(&h);

	test_rm_rf(dir);
	free(mf);
	free(adir);
	free(dir);
}

/* The archive cannot be read (here: it is a file): history fails with the
 * reason and the state directory, and prints no list. */
static void test_archive_unreadable(void **st)
{
	(void)st;
	char *dir = test_mkdtemp("history-");
	char *file = fs_join(dir, REQUEST_ARCHIVE_DIR);
	char err[FS_ERRLEN];
	assert_int_equal(fs_write_atomic(file, "x", 1, 0600, err, sizeof(err)),
			 0);

	char *out = NULL, *why = NULL;
	assert_int_not_equal(history_run_on(dir, false, &out, &why), 0);
	assert_string_equal(out, "");
	assert_non_null(strstr(why, "cannot read the archive in '"));
	assert_non_null(strstr(why, dir));
	assert_non_null(strstr(why, "Not a directory"));
	free(out);
	free(why);

	struct request_history h;
	assert_int_equal(request_history_load(dir, &h, err, sizeof(err)), -1);
	assert_int_equal(h.n, 0);
	assert_null(h.items);

	test_rm_rf(dir);
	free(file);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_archive_text_escaped),
		cmocka_unit_test(test_no_archive_and_foreign_manifest),
		cmocka_unit_test(test_archive_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
