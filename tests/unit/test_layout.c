/*
 * test_layout.c - the wizard's pure layout computation (screens/layout.c):
 * frame at 80x24 and larger, the too-small threshold, form rows with inline
 * error lines and scrolling, form/pane split, word wrap, list scrolling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "layout.h"

static void test_frame_80x24(void **st)
{
	struct layout l;
	(void)st;
	layout_compute(&l, 80, 24);
	assert_false(l.too_small);
	assert_int_equal(l.title.y, 0);
	assert_int_equal(l.keys.y, 23);
	assert_int_equal(l.status.y, 22);
	assert_int_equal(l.rail.x, 0);
	assert_int_equal(l.rail.w + l.body.w, 80);
	assert_int_equal(l.body.x, l.rail.w);
	assert_int_equal(l.rail.h, 21);
	/* inner area inside the body frame, at least 50 columns for fields */
	assert_true(l.inner.w >= 50);
	assert_int_equal(l.inner.h, l.body.h - 2);
	assert_true(l.inner.y + l.inner.h <= l.status.y);
	assert_true(l.inner.x + l.inner.w <= 80);
}

static void test_frame_grows(void **st)
{
	struct layout a, b;
	(void)st;
	layout_compute(&a, 80, 24);
	layout_compute(&b, 100, 30);
	assert_false(b.too_small);
	assert_true(b.inner.w > a.inner.w);
	assert_int_equal(b.inner.h, a.inner.h + 6);
	assert_true(b.rail.w >= a.rail.w);
	assert_true(b.rail.w <= 30);
	assert_int_equal(b.keys.y, 29);
}

static void test_too_small(void **st)
{
	struct layout l;
	(void)st;
	layout_compute(&l, 40, 12);
	assert_true(l.too_small);
	assert_int_equal(l.cols, 40);
	layout_compute(&l, 79, 24);
	assert_true(l.too_small);
	layout_compute(&l, 80, 23);
	assert_true(l.too_small);
	layout_compute(&l, 80, 24);
	assert_false(l.too_small);
}

static void test_label_width(void **st)
{
	int lens[] = { 5, 14, 9 };
	(void)st;
	assert_int_equal(layout_label_width(lens, 3, 56), 16);
	/* capped at two fifths of the width */
	assert_int_equal(layout_label_width(lens, 3, 30), 12);
}

static void test_form_rows_with_errors(void **st)
{
	int extra[] = { 0, 2, 0, 1 };
	int row[4];
	int first = 0;
	(void)st;
	assert_int_equal(layout_form_need(4, extra), 7);
	assert_int_equal(layout_form(4, extra, 10, 0, &first, row), 7);
	assert_int_equal(first, 0);
	assert_int_equal(row[0], 0);
	assert_int_equal(row[1], 1);
	assert_int_equal(row[2], 4);   /* two error lines under field 1 */
	assert_int_equal(row[3], 5);
}

static void test_form_scrolls_to_focus(void **st)
{
	int extra[] = { 0, 0, 0, 0, 0, 2 };
	int row[6];
	int first = 0;
	(void)st;
	/* 8 rows needed, 4 available, focus on the last field */
	layout_form(6, extra, 4, 5, &first, row);
	assert_int_equal(first, 4);
	assert_int_equal(row[3], -1);
	assert_int_equal(row[4], 0);
	assert_int_equal(row[5], 1);
	/* back to the top */
	layout_form(6, extra, 4, 0, &first, row);
	assert_int_equal(first, 0);
	assert_int_equal(row[0], 0);
	assert_int_equal(row[3], 3);
	assert_int_equal(row[4], -1);
}

static void test_split(void **st)
{
	int py, ph, fh;
	(void)st;
	fh = layout_split(19, 7, 5, &py, &ph);
	assert_int_equal(fh, 7);
	assert_int_equal(py, 8);
	assert_int_equal(ph, 11);
	/* the form gives way so the pane keeps its minimum */
	fh = layout_split(19, 30, 5, &py, &ph);
	assert_int_equal(fh, 13);
	assert_int_equal(ph, 5);
	/* no pane */
	fh = layout_split(19, 7, 0, &py, &ph);
	assert_int_equal(fh, 7);
	assert_int_equal(ph, 0);
}

static void test_wrap(void **st)
{
	int s[8], l[8];
	const char *t = "the CA does not offer template 'Ops Mgr'";
	int n;
	(void)st;
	n = layout_wrap(t, 20, 8, s, l);
	assert_int_equal(n, 3);
	assert_int_equal(s[0], 0);
	assert_true(l[0] <= 20);
	assert_memory_equal(t + s[0], "the CA does not", 15);
	assert_int_equal(l[0], 15);
	assert_memory_equal(t + s[1], "offer template 'Ops", 19);
	assert_memory_equal(t + s[2], "Mgr'", 4);
	/* a word longer than the line is cut, max limits the stored lines */
	n = layout_wrap("abcdefghijkl", 5, 1, s, l);
	assert_int_equal(n, 3);
	assert_int_equal(l[0], 5);
	/* explicit newlines */
	n = layout_wrap("a\nb", 10, 8, s, l);
	assert_int_equal(n, 2);
	assert_int_equal(s[1], 2);
	/* UTF-8 counts one column per character */
	n = layout_wrap("\xc3\xa9\xc3\xa9\xc3\xa9", 3, 8, s, l);
	assert_int_equal(n, 1);
	assert_int_equal(l[0], 6);
	assert_int_equal(layout_wrap("", 10, 8, s, l), 0);
}

static void test_scroll(void **st)
{
	(void)st;
	assert_int_equal(layout_scroll(20, 5, 0, 0), 0);
	assert_int_equal(layout_scroll(20, 5, 7, 0), 3);
	assert_int_equal(layout_scroll(20, 5, 2, 3), 2);
	assert_int_equal(layout_scroll(20, 5, 19, 0), 15);
	assert_int_equal(layout_scroll(3, 5, 2, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_80x24),
		cmocka_unit_test(test_frame_grows),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_label_width),
		cmocka_unit_test(test_form_rows_with_errors),
		cmocka_unit_test(test_form_scrolls_to_focus),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_scroll),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
