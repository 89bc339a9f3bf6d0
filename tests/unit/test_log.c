/*
 * test_log.c - backend/core/log.c: the log file's mode and refusal of a
 * symlink, timestamped appended lines, and redaction of registered secrets
 * (every occurrence, overlapping secrets, in place), forgotten at close.
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

#include "core/fsutil.h"
#include "core/log.h"

struct fx {
	char dir[64];
	char log[128];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_log.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->log, sizeof(f->log), "%s/opsmgr-enroll.log", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[160];
	log_close();
	unlink(f->log);
	snprintf(p, sizeof(p), "%s/elsewhere", f->dir);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static char *slurp(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[FS_ERRLEN];
	if (fs_read_file(path, 1 << 20, &buf, &len, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return (char *)buf;
}

static void test_mode_and_timestamps(void **state)
{
	struct fx *f = *state;
	mode_t old = umask(0);
	int r = log_open(f->dir);
	umask(old);
	assert_int_equal(r, 0);
	assert_int_equal(fs_mode(f->log), 0600);
	log_msg("stage %d: %s", 2, "request submitted");
	log_msg("two\nlines");
	log_close();
	char *s = slurp(f->log);
	regex_t re;
	assert_int_equal(regcomp(&re,
				 "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z stage 2: request submitted\n"
				 "[0-9T:Z-]{20} two\n"
				 "[0-9T:Z-]{20} lines\n$",
				 REG_EXTENDED), 0);
	int m = regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	if (m != 0)
		fail_msg("unexpected log contents:\n%s", s);
	free(s);

	/* appended, not truncated, on the next open */
	assert_int_equal(log_open(f->dir), 0);
	log_msg("third");
	log_close();
	s = slurp(f->log);
	assert_non_null(strstr(s, "request submitted\n"));
	assert_non_null(strstr(s, " third\n"));
	free(s);
	/* logging while closed is ignored */
	log_msg("dropped");
	s = slurp(f->log);
	assert_null(strstr(s, "dropped"));
	free(s);
}

static void test_redaction_in_file(void **state)
{
	struct fx *f = *state;
	assert_int_equal(log_open(f->dir), 0);
	log_redact_add("S3cr3t-Pa55");
	log_redact_add("abc");           /* shorter than the mask */
	log_redact_add("S3cr3t-Pa55");   /* twice: harmless */
	log_redact_add("");              /* ignored */
	log_redact_add(NULL);
	log_msg("user=admin password=%s retry=%s", "S3cr3t-Pa55",
		"xS3cr3t-Pa55S3cr3t-Pa55x");
	log_msg("short abc in abcabc");
	log_msg("nothing secret here");
	log_close();
	char *s = slurp(f->log);
	assert_null(strstr(s, "S3cr3t"));
	assert_null(strstr(s, "Pa55"));
	assert_null(strstr(s, "abc"));
	assert_non_null(strstr(s, " user=admin password=******** retry=x****************x\n"));
	assert_non_null(strstr(s, " short ******** in ****************\n"));
	assert_non_null(strstr(s, " nothing secret here\n"));
	free(s);
}

static void test_overlapping_secrets(void **state)
{
	struct fx *f = *state;
	assert_int_equal(log_open(f->dir), 0);
	log_redact_add("pass");
	log_redact_add("password123");
	log_msg("[password123] [pass]");
	log_close();
	char *s = slurp(f->log);
	assert_null(strstr(s, "123"));
	assert_null(strstr(s, "pass"));
	assert_non_null(strstr(s, " [********] [********]\n"));
	free(s);
}

static void test_redact_in_place(void **state)
{
	log_redact_add("LongSecretValue");
	log_redact_add("xy");
	char a[] = "a=LongSecretValue;b=LongSecretValue";
	log_redact(a);
	assert_string_equal(a, "a=********;b=********");
	char b[] = "xyzxy";
	log_redact(b); /* never longer than the input */
	assert_string_equal(b, "**z**");
	log_redact(NULL);
	/* log_close forgets (and wipes) the registered secrets */
	log_close();
	char c[] = "LongSecretValue";
	log_redact(c);
	assert_string_equal(c, "LongSecretValue");
}

static void test_refuses_symlink(void **state)
{
	struct fx *f = *state;
	char target[160];
	snprintf(target, sizeof(target), "%s/elsewhere", f->dir);
	char err[FS_ERRLEN];
	assert_int_equal(fs_write_atomic(target, "keep", 4, 0644, err,
					 sizeof(err)), 0);
	assert_int_equal(symlink(target, f->log), 0);
	assert_int_equal(log_open(f->dir), -1);
	log_msg("must not land in the link target");
	char *s = slurp(target);
	assert_string_equal(s, "keep");
	free(s);
	assert_int_equal(fs_mode(target), 0644);
	assert_int_equal(log_open("/nonexistent/dir"), -1);
	assert_int_equal(log_open(NULL), -1);
}

static void test_existing_loose_log_tightened(void **state)
{
	struct fx *f = *state;
	char err[FS_ERRLEN];
	assert_int_equal(fs_write_atomic(f->log, "old line\n", 9, 0644, err,
					 sizeof(err)), 0);
	assert_int_equal(log_open(f->dir), 0);
	assert_int_equal(fs_mode(f->log), 0600);
	log_msg("new line");
	log_close();
	char *s = slurp(f->log);
	assert_memory_equal(s, "old line\n", 9);
	assert_non_null(strstr(s, " new line\n"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mode_and_timestamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redaction_in_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_secrets, setup, teardown),
		cmocka_unit_test(test_redact_in_place),
		cmocka_unit_test_setup_teardown(test_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_loose_log_tightened, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
