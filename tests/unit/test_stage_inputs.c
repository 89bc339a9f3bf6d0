/*
 * test_stage_inputs.c - what a stage was made from and when it is stale:
 * a changed answer of its own makes it stale and is named old -> new;
 * a changed credential or timeout makes nothing stale; a new output of an
 * earlier stage makes exactly the stages it invalidates stale; an earlier
 * stage that is stale or unfinished makes its dependants stale; a stage
 * that does not apply to the role feeds nothing; the record survives the
 * state file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/config_schema.h"
#include "core/ctx.h"
#include "core/stage_inputs.h"
#include "core/state.h"

struct fx {
	struct config cfg;
	struct state st;
	struct ctx c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	config_init(&f->cfg);
	state_init(&f->st);
	ctx_init(&f->c, &f->cfg, &f->st, NULL);
	config_set_str(&f->cfg.fqdn, "agent01.lab.test");
	config_set_str(&f->cfg.ca_url, "https://ca.lab.test/certsrv/");
	config_set_str(&f->cfg.ca_template, "OpsMgr");
	config_set_str(&f->cfg.agent_server, "ms01.lab.test");
	config_set_str(&f->cfg.agent_mgmt_group, "LAB");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	free(f);
	return 0;
}

/* Mark every stage done and record it, with the outputs set. */
static void complete_all(struct fx *f)
{
	state_set_str(&f->st.root_sha256, "aa11");
	state_set_str(&f->st.cert_sha256, "bb22");
	state_set_str(&f->st.pfx_sha256, "cc33");
	state_set_str(&f->st.thumbprint, "dd44");
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		f->st.stage[s] = STAGE_ST_DONE;
		assert_int_equal(stage_inputs_record(&f->c, (enum stage)s), 0);
	}
}

static unsigned stale_mask(struct fx *f)
{
	unsigned m = 0;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		if (stage_is_stale(&f->c, (enum stage)s))
			m |= 1u << s;
	return m;
}

#define BIT(s) (1u << STAGE_##s)

static void test_nothing_changed(void **state)
{
	struct fx *f = *state;
	complete_all(f);
	assert_int_equal(stale_mask(f), 0);
	assert_null(stage_inputs_explain(&f->c, STAGE_REQUEST, "->"));
	assert_non_null(f->st.digest[STAGE_EXPORT]);
	assert_int_equal(strlen(f->st.digest[STAGE_EXPORT]), 64);
}

static void test_own_answer(void **state)
{
	struct fx *f = *state;
	complete_all(f);
	f->cfg.export_compat = COMPAT_LEGACY;
	/* export, and the stages fed by export (6, 7) */
	assert_int_equal(stale_mask(f), BIT(EXPORT) | BIT(SERIAL) | BIT(APPROVAL));
	char *why = stage_inputs_explain(&f->c, STAGE_EXPORT, "->");
	assert_non_null(why);
	assert_string_equal(why, "answers changed (export.compat modern -> legacy)");
	free(why);
	assert_true(stage_input_changed(&f->c, STAGE_EXPORT, "export.compat"));
	assert_false(stage_input_changed(&f->c, STAGE_EXPORT, "export.pfx"));
	why = stage_stale_reason(&f->c, STAGE_SERIAL, "->");
	assert_string_equal(why, "stage 4 (export) is stale");
	free(why);
	/* redone: the new PFX makes 6 and 7 stale by their own inputs */
	state_set_str(&f->st.pfx_sha256, "cc34");
	assert_int_equal(stage_inputs_record(&f->c, STAGE_EXPORT), 0);
	assert_int_equal(stale_mask(f), BIT(SERIAL) | BIT(APPROVAL));
	why = stage_stale_reason(&f->c, STAGE_SERIAL, "->");
	assert_string_equal(why, "a new PFX from stage 4 (export)");
	free(why);
}

static void test_template_and_port(void **state)
{
	struct fx *f = *state;
	complete_all(f);
	config_set_str(&f->cfg.ca_template, "WebServer");
	assert_int_equal(stale_mask(f), BIT(REQUEST) | BIT(VERIFY) | BIT(EXPORT) |
					 BIT(SERIAL) | BIT(APPROVAL));
	config_set_str(&f->cfg.ca_template, "OpsMgr");
	assert_int_equal(stale_mask(f), 0);
	f->cfg.agent_port = 5724;
	assert_int_equal(stale_mask(f), BIT(AGENT) | BIT(SERIAL) | BIT(APPROVAL));
	char *why = stage_inputs_explain(&f->c, STAGE_AGENT, "->");
	assert_string_equal(why, "answers changed (agent.port 5723 -> 5724)");
	free(why);
}

static void test_access_keys_change_nothing(void **state)
{
	struct fx *f = *state;
	complete_all(f);
	config_set_str(&f->cfg.ca_password_file, "/elsewhere/password");
	config_set_str(&f->cfg.ca_user, "other");
	f->cfg.ca_timeout = 5;
	f->cfg.approval_timeout = 9;
	f->cfg.export_overwrite = true;
	config_set_str(&f->cfg.export_password_file, "/elsewhere/pfx");
	assert_int_equal(stale_mask(f), 0);
}

static void test_new_root(void **state)
{
	struct fx *f = *state;
	complete_all(f);
	state_set_str(&f->st.root_sha256, "aa12");
	/* verify checks the chain, import serial puts the root into the
	 * Windows bundle, approval shakes hands with the root; the
	 * certificate itself stays */
	assert_int_equal(stale_mask(f), BIT(VERIFY) | BIT(SERIAL) | BIT(APPROVAL));
	char *why = stage_stale_reason(&f->c, STAGE_VERIFY, "->");
	assert_string_equal(why, "a new trusted root from stage 1 (trust root)");
	free(why);
}

static void test_unfinished_earlier(void **state)
{
	struct fx *f = *state;
	complete_all(f);
	f->st.stage[STAGE_REQUEST] = STAGE_ST_WAITING;
	assert_int_equal(stale_mask(f), BIT(VERIFY) | BIT(EXPORT) | BIT(SERIAL) |
					 BIT(APPROVAL));
	char *why = stage_stale_reason(&f->c, STAGE_EXPORT, "->");
	assert_string_equal(why, "stage 2 (request) is not done");
	free(why);
	/* unrecorded (older state): counts as current */
	f->st.stage[STAGE_REQUEST] = STAGE_ST_DONE;
	stage_inputs_forget(&f->st, STAGE_EXPORT);
	f->cfg.export_compat = COMPAT_LEGACY;
	assert_false(stage_is_stale(&f->c, STAGE_EXPORT));
}

static void test_role_server(void **state)
{
	struct fx *f = *state;
	f->cfg.role = ROLE_SERVER;
	complete_all(f);
	f->st.stage[STAGE_AGENT] = STAGE_ST_SKIPPED;
	stage_inputs_forget(&f->st, STAGE_AGENT);
	char *text = stage_inputs_text(&f->c, STAGE_SERIAL);
	assert_null(strstr(text, "stage.agent"));
	assert_non_null(strstr(text, "cert_sha256=bb22\n"));
	free(text);
	f->cfg.agent_port = 5724;   /* read by approval itself */
	assert_int_equal(stale_mask(f), BIT(APPROVAL));
}

static void test_state_round_trip(void **state)
{
	struct fx *f = *state;
	complete_all(f);
	char *img = state_format(&f->st);
	assert_non_null(img);
	struct state back;
	state_init(&back);
	char err[256];
	assert_int_equal(state_parse(&back, img, strlen(img), err, sizeof(err)), 0);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		assert_string_equal(back.inputs[s], f->st.inputs[s]);
		assert_string_equal(back.digest[s], f->st.digest[s]);
	}
	assert_string_equal(back.cert_sha256, "bb22");
	assert_string_equal(back.pfx_sha256, "cc33");
	char buf[128];
	assert_string_equal(stage_input_recorded(&back, STAGE_REQUEST,
						 "ca.template", buf, sizeof(buf)),
			    "OpsMgr");
	assert_null(stage_input_recorded(&back, STAGE_REQUEST, "ca.templat",
					 buf, sizeof(buf)));
	state_release(&back);
	free(img);
}

/* A resumed state's recorded answers fill in what no explicit file set. */
static void test_adopt(void **state)
{
	struct fx *f = *state;
	f->cfg.export_compat = COMPAT_LEGACY;
	f->cfg.agent_port = 5724;
	complete_all(f);
	struct config fresh;
	config_init(&fresh);
	fresh.explicit_keys = CONFIG_KEY_BIT(config_key_find("agent.port"));
	fresh.agent_port = 6000;
	assert_true(stage_inputs_adopt(&fresh, &f->st) > 0);
	assert_int_equal(fresh.export_compat, COMPAT_LEGACY);   /* recorded */
	assert_int_equal(fresh.agent_port, 6000);                /* explicit */
	assert_string_equal(fresh.ca_template, "OpsMgr");
	assert_string_equal(fresh.agent_mgmt_group, "LAB");
	assert_null(fresh.ca_password_file);                     /* never recorded */
	/* the same answers again: nothing more to take */
	assert_int_equal(stage_inputs_adopt(&fresh, &f->st), 0);
	config_release(&fresh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_and_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_keys_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfinished_earlier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_role_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
