/*
 * test_errcap.c - stderr capture while curses is active (screens/errcap.c):
 * what is written to fd 2 during the capture does not reach the real
 * stderr until errcap_end(), which replays it there in order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "errcap.h"

/* Point fd 2 at a fresh temporary file; returns the file (for reading). */
static FILE *redirect_stderr(int *saved)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	assert_true(*saved >= 0);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	return f;
}

static char *contents(FILE *f)
{
	static char buf[4096];
	size_t n;
	fflush(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	return buf;
}

static void restore_stderr(int saved)
{
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static void test_capture_and_replay(void **st)
{
	int saved;
	FILE *real = redirect_stderr(&saved);
	struct errcap ec;
	size_t n;
	const char *during = "iniparser: syntax error in line 3\n";
	char *got;

	(void)st;
	assert_int_equal(errcap_begin(&ec), 0);
	/* both stdio and raw writes to fd 2 are held back */
	fprintf(stderr, "%s", during);
	assert_int_equal(write(STDERR_FILENO, "raw\n", 4), 4);
	got = contents(real);
	assert_string_equal(got, "");
	n = errcap_end(&ec);
	assert_int_equal(n, strlen(during) + 4);
	got = contents(real);
	restore_stderr(saved);
	assert_string_equal(got, "iniparser: syntax error in line 3\nraw\n");
	fclose(real);
}

static void test_nothing_captured(void **st)
{
	int saved;
	FILE *real = redirect_stderr(&saved);
	struct errcap ec;
	char *got;

	(void)st;
	assert_int_equal(errcap_begin(&ec), 0);
	assert_int_equal(errcap_end(&ec), 0);
	/* stderr works normally afterwards */
	fprintf(stderr, "after\n");
	got = contents(real);
	restore_stderr(saved);
	assert_string_equal(got, "after\n");
	/* ending twice is harmless */
	assert_int_equal(errcap_end(&ec), 0);
	fclose(real);
}

static void test_unusable_tmpdir(void **st)
{
	struct errcap ec;
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;

	(void)st;
	setenv("TMPDIR", "/nonexistent/opsmgr-errcap", 1);
	assert_int_equal(errcap_begin(&ec), -1);
	assert_int_equal(ec.fd, -1);
	assert_int_equal(errcap_end(&ec), 0);
	if (old) {
		setenv("TMPDIR", old, 1);
		free(old);
	} else {
		unsetenv("TMPDIR");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_and_replay),
		cmocka_unit_test(test_nothing_captured),
		cmocka_unit_test(test_unusable_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
