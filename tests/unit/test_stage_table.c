/*
 * test_stage_table.c - the stage table (backend/core/stage_table.[ch]) is
 * consistent (entry points, unique ids, order of what a stage uses and
 * invalidates, configuration keys the loader knows, help pages), and the
 * flow, the help screen and the stage rail read it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/config_load.h"
#include "core/stage_table.h"
#include "flow.h"
#include "lab_harness.h"
#include "layout.h"
#include "run_capture.h"
#include "stages/stages.h"
#include "help.h"

static void test_rows_complete(void **st)
{
	(void)st;
	assert_int_equal(STAGE_FIRST, 1);
	assert_int_equal(STAGE_LAST, 7);
	assert_int_equal(STAGE_COUNT, STAGE_LAST + 1);
	assert_int_equal(STAGE_TRUST, STAGE_FIRST);
	assert_int_equal(STAGE_APPROVAL, STAGE_LAST);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		assert_non_null(stage_entry((enum stage)s));
		assert_true(strlen(stage_title((enum stage)s)) > 0);
		assert_true(strlen(stage_rail_name((enum stage)s)) > 0);
		const char *h = stage_help((enum stage)s);
		assert_non_null(h);
		assert_int_equal(strncmp(h, "What this step does\n", 20), 0);
		assert_non_null(stage_input_keys((enum stage)s)[0]);
	}
	/* outside the stages: no entry, the "general" answers */
	assert_null(stage_entry(STAGE_NONE));
	assert_null(stage_entry(STAGE_COUNT));
	assert_null(stage_entry((enum stage)-1));
	assert_string_equal(stage_id(STAGE_COUNT), "general");
	assert_string_equal(stage_title((enum stage)99), "General");
	assert_null(stage_help(STAGE_NONE));
	assert_null(stage_input_keys(STAGE_NONE)[0]);
	assert_int_equal(stage_uses_mask(STAGE_NONE), 0);
	assert_int_equal(stage_invalidates_mask((enum stage)99), 0);
}

static void test_ids_unique(void **st)
{
	(void)st;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		const char *id = stage_id((enum stage)s);
		assert_true(*id != '\0');
		for (const char *p = id; *p; p++)
			assert_true(islower((unsigned char)*p));
		assert_int_equal(stage_by_id(id), s);
		for (int t = s + 1; t <= STAGE_LAST; t++) {
			assert_string_not_equal(id, stage_id((enum stage)t));
			assert_string_not_equal(stage_title((enum stage)s),
						stage_title((enum stage)t));
		}
	}
	assert_int_equal(stage_by_id("general"), STAGE_NONE);
	assert_int_equal(stage_by_id("nonsense"), STAGE_NONE);
	assert_int_equal(stage_by_id(NULL), STAGE_NONE);
}

/* A stage uses only earlier stages and invalidates only later ones. */
static void test_order_of_dependencies(void **st)
{
	(void)st;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		unsigned earlier = ((1u << s) - 1u) & ~1u;  /* 1..s-1 */
		unsigned later = ((1u << STAGE_COUNT) - 1u) & ~((1u << (s + 1)) - 1u);
		assert_int_equal(stage_uses_mask((enum stage)s) & ~earlier, 0);
		assert_int_equal(stage_invalidates_mask((enum stage)s) & ~later, 0);
	}
	/* what flow.c always did */
	assert_int_equal(stage_invalidates_mask(STAGE_TRUST), 1u << STAGE_VERIFY);
	assert_int_equal(stage_invalidates_mask(STAGE_REQUEST),
			 (1u << STAGE_VERIFY) | (1u << STAGE_EXPORT) |
			 (1u << STAGE_SERIAL) | (1u << STAGE_APPROVAL));
	assert_int_equal(stage_invalidates_mask(STAGE_AGENT),
			 (1u << STAGE_SERIAL) | (1u << STAGE_APPROVAL));
	assert_int_equal(stage_invalidates_mask(STAGE_SERIAL),
			 1u << STAGE_APPROVAL);
	assert_int_equal(stage_invalidates_mask(STAGE_VERIFY), 0);
	/* a stage whose outputs another uses is redone before it: the user of
	 * stage 2's certificate is made stale when stage 2 is redone */
	for (int t = STAGE_FIRST; t <= STAGE_LAST; t++)
		if (stage_uses_mask((enum stage)t) & (1u << STAGE_REQUEST))
			assert_true(stage_invalidates_mask(STAGE_REQUEST) &
				    (1u << t));
}

static void test_roles_and_exit_codes(void **st)
{
	(void)st;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		assert_true(stage_applies_to_role((enum stage)s, ROLE_AGENT));
		assert_int_equal(stage_applies_to_role((enum stage)s, ROLE_SERVER),
				 s != STAGE_AGENT);
		assert_int_equal(stage_exit_code((enum stage)s), 10 + s);
		assert_int_equal(flow_exit_code((enum stage)s, ST_FAIL), 10 + s);
	}
	assert_false(stage_applies_to_role(STAGE_NONE, ROLE_AGENT));
	assert_false(stage_applies_to_role(STAGE_TRUST, -1));
	assert_false(stage_applies_to_role(STAGE_TRUST, 40));
	assert_int_equal(stage_exit_code(STAGE_TRUST), 11);
	assert_int_equal(stage_exit_code(STAGE_APPROVAL), 17);
}

/* Does the loader know "section.key"?  Load a file setting it and look
 * for its "unknown section/key" warning. */
static bool loader_knows(const char *dir, const char *section_key)
{
	char section[64], key[64], path[600], text[200];
	const char *dot = strchr(section_key, '.');
	assert_non_null(dot);
	snprintf(section, sizeof(section), "%.*s", (int)(dot - section_key),
		 section_key);
	snprintf(key, sizeof(key), "%s", dot + 1);
	snprintf(path, sizeof(path), "%s/one.ini", dir);
	snprintf(text, sizeof(text), "[%s]\n%s = 1\n", section, key);
	assert_int_equal(test_write_file(path, text), 0);
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	config_load_file(&c, path, true, &dl);
	bool known = true;
	for (size_t i = 0; i < dl.n; i++)
		if (strstr(dl.items[i].message, "unknown key") ||
		    strstr(dl.items[i].message, "unknown section"))
			known = false;
	diag_list_release(&dl);
	config_release(&c);
	return known;
}

static void test_input_keys_known(void **st)
{
	(void)st;
	char *dir = test_mkdtemp("stagetable");
	/* the probe tells a known key from an unknown one */
	assert_true(loader_knows(dir, "ca.template"));
	assert_false(loader_knows(dir, "ca.templates"));
	assert_false(loader_knows(dir, "stage.trust"));
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		const char *const *keys = stage_input_keys((enum stage)s);
		for (size_t i = 0; keys[i]; i++) {
			const char *k = keys[i];
			assert_non_null(strchr(k, '.'));
			assert_ptr_equal(strchr(k, '.'), strrchr(k, '.'));
			for (const char *p = k; *p; p++)
				assert_true(islower((unsigned char)*p) ||
					    isdigit((unsigned char)*p) ||
					    *p == '_' || *p == '.');
			for (size_t j = i + 1; keys[j]; j++)
				assert_string_not_equal(k, keys[j]);
			if (!loader_knows(dir, k))
				fail_msg("stage %d reads '%s', a key the loader does not know",
					 s, k);
			assert_true(stage_reads_key((enum stage)s, k));
		}
	}
	/* spot checks against the stages' code */
	static const struct {
		enum stage s;
		const char *key;
		bool reads;
	} SPOT[] = {
		{ STAGE_REQUEST, "ca.template", true },
		{ STAGE_TRUST, "ca.template", false },
		{ STAGE_AGENT, "wizard.role", true },
		{ STAGE_APPROVAL, "approval.timeout", true },
		{ STAGE_VERIFY, "export.pfx", false },
		{ STAGE_NONE, "ca.url", false },
	};
	for (size_t i = 0; i < sizeof(SPOT) / sizeof(SPOT[0]); i++)
		assert_int_equal(stage_reads_key(SPOT[i].s, SPOT[i].key),
				 SPOT[i].reads);
	test_rm_rf(dir);
	free(dir);
}

/* The help screen's titles and pages come from the table. */
static void test_help_reads_table(void **st)
{
	(void)st;
	char t[80], want[80];
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		help_title(s, t, sizeof(t));
		snprintf(want, sizeof(want), "Help: %d %s", s,
			 stage_title((enum stage)s));
		assert_string_equal(t, want);
		assert_ptr_equal(help_text(s), stage_help((enum stage)s));
	}
	help_title(SCREEN_WELCOME, t, sizeof(t));
	assert_string_equal(t, "Help: welcome");
	help_title(SCREEN_SUMMARY, t, sizeof(t));
	assert_string_equal(t, "Help: summary");
	help_title(-3, t, sizeof(t));
	assert_string_equal(t, "Help: welcome");
	assert_ptr_equal(help_text(SCREEN_WELCOME), stage_help_welcome);
	assert_ptr_equal(help_text(SCREEN_SUMMARY), stage_help_summary);
	assert_ptr_equal(help_text(SCREEN_SUMMARY + 5), stage_help_welcome);
	help_title(1, t, sizeof(t));
	assert_string_equal(t, "Help: 1 Trust root");
}

/* Every rail name fits the narrowest rail ("N name" after the mark). */
static void test_rail_names_fit(void **st)
{
	(void)st;
	struct layout l;
	layout_compute(&l, UI_MIN_COLS, UI_MIN_LINES);
	assert_false(l.too_small);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char line[64];
		snprintf(line, sizeof(line), "%d %s", s,
			 stage_rail_name((enum stage)s));
		assert_true((int)strlen(line) <= l.rail.w - 6);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_complete),
		cmocka_unit_test(test_ids_unique),
		cmocka_unit_test(test_order_of_dependencies),
		cmocka_unit_test(test_roles_and_exit_codes),
		cmocka_unit_test(test_input_keys_known),
		cmocka_unit_test(test_help_reads_table),
		cmocka_unit_test(test_rail_names_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
