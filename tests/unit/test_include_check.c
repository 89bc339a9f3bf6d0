/*
 * test_include_check.c - scripts/check-includes.sh: the product tree has
 * no include cycle and every include goes in an allowed direction; the
 * fixture trees in tests/data/include-cycle/ (wizard/ including screens/,
 * a router that is also the screens' helper library) make it fail with
 * the chain printed.
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

#include "run_capture.h"

/* The source tree: $OPSMGR_BUILD_DIR/.., else the folder we run in or one
 * of its parents. */
static const char *source_root(void)
{
	static char root[4096];
	static const char *const up[] = { ".", "..", "../.." };
	const char *b = getenv("OPSMGR_BUILD_DIR");
	char probe[4200];
	if (b) {
		snprintf(root, sizeof(root), "%s/..", b);
		snprintf(probe, sizeof(probe), "%s/scripts/check-includes.sh", root);
		if (access(probe, X_OK) == 0)
			return root;
	}
	for (size_t i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
		snprintf(probe, sizeof(probe), "%s/scripts/check-includes.sh", up[i]);
		if (access(probe, X_OK) == 0) {
			snprintf(root, sizeof(root), "%s", up[i]);
			return root;
		}
	}
	return NULL;
}

/* Run the script on tree (NULL: the product tree); its exit status. */
static int check(const char *tree, char **out)
{
	const char *root = source_root();
	char script[4200], dir[4200];
	assert_non_null(root);
	snprintf(script, sizeof(script), "%s/scripts/check-includes.sh", root);
	if (!tree) {
		const char *argv[] = { script, NULL };
		return run_capture(argv, 60, out);
	}
	snprintf(dir, sizeof(dir), "%s/tests/data/include-cycle/%s", root, tree);
	const char *argv[] = { script, "--root", dir, NULL };
	return run_capture(argv, 60, out);
}

static void test_product_tree_has_no_cycle(void **st)
{
	char *out = NULL;
	int rc = check(NULL, &out);
	assert_non_null(out);
	if (rc != 0)
		fprintf(stderr, "%s", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "files, no cycle"));
	free(out);
}

/* The script refuses tree (exit 1) and prints every line of want. */
static void assert_refused(const char *tree, const char *const *want)
{
	char *out = NULL;
	int rc = check(tree, &out);
	assert_non_null(out);
	for (; *want; want++)
		if (!strstr(out, *want))
			fail_msg("'%s' not in:\n%s", *want, out);
	free(out);
	assert_int_equal(rc, 1);
}

static void test_folder_cycle_fails(void **st)
{
	static const char *const want[] = {
		"wizard/flow.c includes screens/ui.h: wizard/ may include only "
		"backend/",
		"include cycle between folders: screens -> wizard -> screens",
		NULL,
	};
	assert_refused("folders", want);
}

static void test_file_cycle_fails(void **st)
{
	static const char *const want[] = {
		"include cycle between files: ",
		"screens/router.c includes screens/screen.h",
		"screens/screen.c includes screens/kit.h",
		"4 files, 1 problem", NULL,
	};
	assert_refused("files", want);
}

/* An include the script cannot resolve is a problem, not a silent skip. */
static void test_missing_header_fails(void **st)
{
	static const char *const want[] = {
		"wizard/flow.c: cannot find \"flow_gone.h\"",
		"1 files, 1 problem", NULL,
	};
	assert_refused("missing", want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_product_tree_has_no_cycle),
		cmocka_unit_test(test_folder_cycle_fails),
		cmocka_unit_test(test_file_cycle_fails),
		cmocka_unit_test(test_missing_header_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
