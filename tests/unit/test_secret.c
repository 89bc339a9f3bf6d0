/*
 * test_secret.c - backend/core/secret.c: the first line of a password file
 * (LF, CRLF, no newline, size cap, empty, missing, FIFO), secret_set
 * replacing a value, secret_wipe, the warning about a readable file, and
 * the refusal of a file others may write or another user owns (issue 18),
 * and secret_harden_process (no core dumps).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/secret.h"

struct fx {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_secret.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/pw", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[160];
	unlink(f->path);
	snprintf(p, sizeof(p), "%s/opsmgr-enroll.log", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/fifo", f->dir);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void put(const char *path, const char *data, size_t len)
{
	char err[FS_ERRLEN];
	assert_int_equal(fs_write_atomic(path, data, len, 0600, err,
					 sizeof(err)), 0);
}

static void read_ok(struct fx *f, const char *content, const char *want)
{
	struct secret s = { 0 };
	char err[256] = "";
	put(f->path, content, strlen(content));
	if (secret_read_file(&s, f->path, err, sizeof(err)) != 0)
		fail_msg("reading [%s] failed: %s", content, err);
	assert_true(secret_is_set(&s));
	assert_string_equal(s.buf, want);
	assert_int_equal(s.len, strlen(want));
	secret_wipe(&s);
}

static void test_read_first_line(void **state)
{
	struct fx *f = *state;
	read_ok(f, "hunter2\nsecond line\n", "hunter2");
	read_ok(f, "p@ss w0rd\r\n", "p@ss w0rd");
	read_ok(f, "no-newline", "no-newline");
	read_ok(f, " spaces kept \n", " spaces kept ");
	read_ok(f, "a\rb\r\n", "a\rb"); /* only the trailing CR goes */
}

static void test_empty_and_missing(void **state)
{
	struct fx *f = *state;
	char err[256], want[256];
	struct secret s = { 0 };
	static const char *const empties[] = { "", "\n", "\r\n", "\nsecond\n" };
	snprintf(want, sizeof(want),
		 "password file '%s' is empty: put the password on its first line",
		 f->path);
	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		put(f->path, empties[i], strlen(empties[i]));
		assert_int_equal(secret_read_file(&s, f->path, err,
						  sizeof(err)), -1);
		assert_string_equal(err, want);
		assert_false(secret_is_set(&s));
	}
	unlink(f->path);
	assert_int_equal(secret_read_file(&s, f->path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "cannot read password file '%s': No such file or directory",
		 f->path);
	assert_string_equal(err, want);

	/* a FIFO is refused at once instead of blocking */
	char fifo[160];
	snprintf(fifo, sizeof(fifo), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(10);
	int r = secret_read_file(&s, fifo, err, sizeof(err));
	alarm(0);
	assert_int_equal(r, -1);
	assert_non_null(strstr(err, "not a regular file"));
}

static void test_size_cap(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct secret s = { 0 };
	char *big = malloc(SECRET_MAX + 64);
	assert_non_null(big);
	/* exactly SECRET_MAX is accepted, with or without what follows */
	memset(big, 'a', SECRET_MAX);
	memcpy(big + SECRET_MAX, "\nmore\n", 6);
	put(f->path, big, SECRET_MAX + 6);
	assert_int_equal(secret_read_file(&s, f->path, err, sizeof(err)), 0);
	assert_int_equal(s.len, SECRET_MAX);
	secret_wipe(&s);
	/* one more byte on the first line is refused */
	memset(big, 'a', SECRET_MAX + 1);
	put(f->path, big, SECRET_MAX + 1);
	assert_int_equal(secret_read_file(&s, f->path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is longer than 1024 bytes"));
	assert_false(secret_is_set(&s));
	/* a big file with a short first line is fine */
	size_t n = 100000;
	char *huge = malloc(n);
	assert_non_null(huge);
	memset(huge, 'z', n);
	memcpy(huge, "short\n", 6);
	put(f->path, huge, n);
	assert_int_equal(secret_read_file(&s, f->path, err, sizeof(err)), 0);
	assert_string_equal(s.buf, "short");
	secret_wipe(&s);
	free(huge);
	free(big);
}

static void test_failure_keeps_old_value(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct secret s = { 0 };
	assert_int_equal(secret_set(&s, "old", 3), 0);
	put(f->path, "\n", 1);
	assert_int_equal(secret_read_file(&s, f->path, err, sizeof(err)), -1);
	assert_string_equal(s.buf, "old");
	put(f->path, "new\n", 4);
	assert_int_equal(secret_read_file(&s, f->path, err, sizeof(err)), 0);
	assert_string_equal(s.buf, "new");
	secret_wipe(&s);
}

static void test_set_and_wipe(void **state)
{
	struct secret s = { 0 };
	assert_false(secret_is_set(&s));
	assert_int_equal(secret_set(&s, "typed-secret-and-more", 12), 0);
	assert_true(secret_is_set(&s));
	assert_string_equal(s.buf, "typed-secret");
	assert_int_equal(s.len, 12);
	assert_int_equal(secret_set(&s, "second", 6), 0);
	assert_string_equal(s.buf, "second");
	assert_int_equal(s.len, 6);
	secret_wipe(&s);
	assert_null(s.buf);
	assert_int_equal(s.len, 0);
	assert_false(secret_is_set(&s));
	secret_wipe(&s); /* twice is harmless */
	assert_null(s.buf);
	/* an empty typed value is a set (empty) secret */
	assert_int_equal(secret_set(&s, "", 0), 0);
	assert_true(secret_is_set(&s));
	assert_string_equal(s.buf, "");
	secret_wipe(&s);
	assert_int_equal(secret_set(&s, NULL, 3), -1);
}

static void test_readable_file_warned_in_log(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct secret s = { 0 };
	assert_int_equal(log_open(f->dir), 0);
	put(f->path, "Pa55-word-xyz\n", 14);
	assert_int_equal(chmod(f->path, 0644), 0);
	assert_int_equal(secret_read_file(&s, f->path, err, sizeof(err)), 0);
	assert_string_equal(s.buf, "Pa55-word-xyz");
	secret_wipe(&s);
	log_close();
	char logp[160];
	snprintf(logp, sizeof(logp), "%s/opsmgr-enroll.log", f->dir);
	unsigned char *buf = NULL;
	size_t len = 0;
	assert_int_equal(fs_read_file(logp, 1 << 20, &buf, &len, err,
				      sizeof(err)), 0);
	assert_non_null(strstr((char *)buf, "is readable by group or others"));
	assert_null(strstr((char *)buf, "Pa55-word-xyz"));
	free(buf);
}

/* A file group or others may write is refused; the error names the file,
 * its owner and its mode; the old value stays. */
static void refused_at_mode(struct fx *f, mode_t mode)
{
	char err[512], want[64];
	struct secret s = { 0 };
	put(f->path, "Wr1table-pw\n", 12);
	assert_int_equal(chmod(f->path, mode), 0);
	assert_int_equal(secret_set(&s, "old", 3), 0);
	assert_int_equal(secret_read_file(&s, f->path, err, sizeof(err)), -1);
	assert_string_equal(s.buf, "old");
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "writable by group or others"));
	snprintf(want, sizeof(want), "mode %04o", (unsigned)mode);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "uid %u", (unsigned)geteuid());
	assert_non_null(strstr(err, want));
	assert_null(strstr(err, "Wr1table-pw"));
	secret_wipe(&s);
}

static void test_writable_file_refused(void **state)
{
	struct fx *f = *state;
	refused_at_mode(f, 0666);
	refused_at_mode(f, 0620);
	refused_at_mode(f, 0602);
}

static void test_foreign_owner_refused(void **state)
{
	struct fx *f = *state;
	char err[512];
	struct secret s = { 0 };
	put(f->path, "F0reign-pw\n", 11);
	if (geteuid() != 0) {
		print_message("skipped: giving a file to another user needs root (running as uid %u)\n",
			      (unsigned)geteuid());
		skip();
	}
	assert_int_equal(chown(f->path, 65534, 65534), 0);
	assert_int_equal(secret_read_file(&s, f->path, err, sizeof(err)), -1);
	assert_false(secret_is_set(&s));
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "is owned by uid 65534"));
	assert_non_null(strstr(err, "mode 0600"));
}

/* In a child (it cannot be undone): not dumpable, core limit 0 / 0. */
static void test_harden_process(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		secret_harden_process();
		int bad = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0;
		bad |= (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 ||
			rl.rlim_max != 0) << 1;
		/* and a core limit cannot be raised again */
		rl.rlim_cur = rl.rlim_max = 4096;
		bad |= (setrlimit(RLIMIT_CORE, &rl) == 0) << 2;
		_exit(bad);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_first_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_keeps_old_value, setup, teardown),
		cmocka_unit_test(test_set_and_wipe),
		cmocka_unit_test_setup_teardown(test_readable_file_warned_in_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner_refused, setup, teardown),
		cmocka_unit_test(test_harden_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
