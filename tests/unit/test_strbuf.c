/*
 * test_strbuf.c - the growable text buffer (backend/core/strbuf.c): appends
 * of every size keep the text NUL terminated and exact across growth,
 * printf output longer than the small first try is kept whole, take hands
 * the text over and leaves the buffer empty, and after an allocation
 * failure the writer gets NULL instead of a partial text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

static void test_put_grows(void **state)
{
	struct strbuf b = STRBUF_INIT;
	char want[5001];
	for (int i = 0; i < 5000; i++) {
		char c = (char)('a' + i % 26);
		strbuf_put(&b, &c, 1);
		want[i] = c;
	}
	want[5000] = '\0';
	assert_int_equal(b.n, 5000);
	assert_true(b.cap > b.n);
	assert_string_equal(b.p, want);
	strbuf_puts(&b, "!");
	assert_int_equal(b.n, 5001);
	assert_int_equal(b.p[5001], '\0');
	strbuf_release(&b);
	assert_null(b.p);
	assert_int_equal(b.n, 0);
}

static void test_printf_long(void **state)
{
	struct strbuf b = STRBUF_INIT;
	char big[400];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_printf(&b, "n=%d ", 42);
	strbuf_printf(&b, "[%s]", big);
	assert_int_equal(b.n, 5 + 2 + strlen(big));
	assert_memory_equal(b.p, "n=42 [", 6);
	assert_int_equal(b.p[b.n - 1], ']');
	char *t = strbuf_take(&b);
	assert_non_null(t);
	assert_int_equal(strlen(t), 5 + 2 + strlen(big));
	assert_null(b.p);
	assert_int_equal(b.n, 0);
	free(t);
}

static void test_take_empty_and_oom(void **state)
{
	struct strbuf b = STRBUF_INIT;
	assert_null(strbuf_take(&b));
	strbuf_puts(&b, "partial");
	b.oom = 1;                 /* as after a failed realloc */
	strbuf_puts(&b, " more");  /* ignored */
	assert_int_equal(b.n, strlen("partial"));
	assert_null(strbuf_take(&b));
	assert_null(b.p);
	assert_int_equal(b.oom, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_grows),
		cmocka_unit_test(test_printf_long),
		cmocka_unit_test(test_take_empty_and_oom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
