/*
 * test_ui_stage_table.c - what the wizard's screens say about the stages
 * (the heading "Stage N of M: Title", the rail, the help page's title)
 * comes from the stage table, seen through a real terminal emulator.
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
#include "lab_harness.h"
#include "vterm_harness.h"

static struct vt g_vt;
static bool g_started;
static char *g_dir;

static int stop_wizard(void **state)
{
	(void)state;
	if (g_started)
		vt_close(&g_vt);
	g_started = false;
	if (g_dir) {
		test_rm_rf(g_dir);
		free(g_dir);
	}
	g_dir = NULL;
	return 0;
}

static void wait_for(const char *text)
{
	if (vt_wait_text(&g_vt, text, VT_DEFAULT_WAIT_MS) != 0) {
		vt_dump(&g_vt, stderr);
		fail_msg("timed out waiting for '%s'", text);
	}
}

static void test_heading_rail_help_from_table(void **state)
{
	(void)state;
	char sd[4096], want[128];
	g_dir = test_mkdtemp("ui-stage-table-");
	assert_non_null(g_dir);
	snprintf(sd, sizeof(sd), "%s/state", g_dir);
	assert_int_equal(vt_start_wizard(&g_vt, 24, 80, sd, NULL, NULL), 0);
	g_started = true;
	wait_for("Welcome");
	/* the rail lists every stage of the table by number and rail name */
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		snprintf(want, sizeof(want), "%d %s", s,
			 stage_rail_name((enum stage)s));
		assert_true(vt_has_text(&g_vt, want));
	}
	snprintf(want, sizeof(want), "Start at stage %d: %s", STAGE_FIRST,
		 stage_title(STAGE_FIRST));
	wait_for(want);
	vt_key(&g_vt, VTERM_KEY_ENTER, VTERM_MOD_NONE);
	snprintf(want, sizeof(want), "Stage %d of %d: %s", STAGE_FIRST,
		 STAGE_LAST, stage_title(STAGE_FIRST));
	wait_for(want);
	vt_fkey(&g_vt, 1);
	snprintf(want, sizeof(want), "Help: %d %s", STAGE_FIRST,
		 stage_title(STAGE_FIRST));
	wait_for(want);
	/* the page's first lines are the table's help text */
	char first[64];
	snprintf(first, sizeof(first), "%.*s",
		 (int)strcspn(stage_help(STAGE_FIRST), "\n"),
		 stage_help(STAGE_FIRST));
	assert_true(vt_has_text(&g_vt, first));
	vt_fkey(&g_vt, 10);
	assert_int_equal(vt_wait_exit(&g_vt, VT_DEFAULT_WAIT_MS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_heading_rail_help_from_table,
					  stop_wizard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
