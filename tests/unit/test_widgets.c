/*
 * test_widgets.c - the screens' pure parts, without a terminal: the form
 * model (validation on leave, required/int bounds, backend diagnostics
 * shown at their field, hidden fields, password wiping), the pane (rows,
 * cap, scrolling keys, diagnostics as checklist rows) and the
 * "section.key" <-> struct config table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cfgfield.h"
#include "core/config.h"
#include "widgets/form.h"
#include "widgets/pane.h"

static enum diag_severity no_spaces(struct uform *fm, int idx, const char *v,
				    char *msg, size_t n, void *ud)
{
	(void)fm;
	(void)idx;
	(void)ud;
	if (strchr(v, ' ')) {
		snprintf(msg, n, "'%s' contains a space", v);
		return SEV_WARN;
	}
	if (!*v) {
		snprintf(msg, n, "the template name is required");
		return SEV_FAIL;
	}
	return SEV_PASS;
}

static const char *const AUTHS[] = { "basic", "none", NULL };

static const struct fdef FIELDS[] = {
	{ "ca.template", "Template", FT_TEXT, NULL, NULL, no_spaces, 0, 0 },
	{ "key.bits", "Key size", FT_INT, NULL, NULL, NULL, 1024, 16384 },
	{ "ca.auth", "Auth", FT_CHOICE, AUTHS, NULL, NULL, 0, 0 },
	{ "ca.password", "Password", FT_PASSWORD, NULL, NULL, NULL, 0, 0 },
};

static void test_form_validation(void **st)
{
	struct uform fm;
	(void)st;
	assert_int_equal(uform_init(&fm, FIELDS, 4, NULL), 0);
	uform_set(&fm, "ca.template", "Ops Mgr");
	uform_set(&fm, "key.bits", "512");
	/* validate_all checks every field, reports the first failure */
	assert_int_equal(uform_validate_all(&fm), 1);
	assert_int_equal(fm.fs[0].sev, SEV_WARN);
	assert_string_equal(fm.fs[0].msg, "'Ops Mgr' contains a space");
	assert_int_equal(fm.fs[1].sev, SEV_FAIL);
	assert_string_equal(fm.fs[1].msg,
			    "Key size must be a whole number from 1024 to 16384");
	/* fixing the values clears the messages */
	uform_set(&fm, "ca.template", "OpsMgr");
	uform_set(&fm, "key.bits", "2048");
	assert_int_equal(uform_validate_all(&fm), -1);
	assert_int_equal(fm.fs[0].sev, SEV_PASS);
	assert_string_equal(fm.fs[1].msg, "");
	/* not a number */
	uform_set(&fm, "key.bits", "20x8");
	assert_int_equal(uform_validate_all(&fm), 1);
	uform_release(&fm);
}

static void test_form_choice_and_hidden(void **st)
{
	struct uform fm;
	(void)st;
	assert_int_equal(uform_init(&fm, FIELDS, 4, NULL), 0);
	assert_string_equal(uform_choice(&fm, "ca.auth"), "basic");
	uform_set_choice(&fm, "ca.auth", "none");
	assert_string_equal(uform_value(&fm, "ca.auth"), "none");
	uform_set_choice(&fm, "ca.auth", "no-such");   /* ignored */
	assert_string_equal(uform_value(&fm, "ca.auth"), "none");
	assert_int_equal(uform_visible_count(&fm), 4);
	/* a hidden field is never invalid */
	uform_set(&fm, "ca.template", "");
	uform_set_hidden(&fm, "ca.template", true);
	uform_set(&fm, "key.bits", "4096");
	assert_int_equal(uform_validate_all(&fm), -1);
	assert_int_equal(uform_visible_count(&fm), 3);
	assert_int_equal(uform_index(&fm, "nope"), -1);
	assert_string_equal(uform_value(&fm, "nope"), "");
	uform_release(&fm);
}

static void test_form_backend_diags(void **st)
{
	struct uform fm;
	struct diag_list dl;
	const struct diag *d;
	(void)st;
	assert_int_equal(uform_init(&fm, FIELDS, 4, NULL), 0);
	diag_list_init(&dl);
	diag_add(&dl, DIAG_REQ_PASSWORD, SEV_FAIL, "ca.password",
		 "check the password", "the CA refused user 'u' (HTTP 401)");
	diag_add(&dl, DIAG_REQ_KEYGEN, SEV_PASS, "key.bits", NULL, "key made");
	diag_add(&dl, DIAG_REQ_SUBMIT, SEV_FAIL, NULL, NULL, "no field");
	uform_apply_diags(&fm, &dl);
	assert_int_equal(fm.fs[3].sev, SEV_FAIL);
	assert_string_equal(fm.fs[3].msg, "the CA refused user 'u' (HTTP 401)");
	assert_string_equal(fm.fs[3].fix, "check the password");
	/* passes stay in the list, not under the field */
	assert_int_equal(fm.fs[1].sev, SEV_PASS);
	d = &dl.items[0];
	assert_true(uform_owns_diag(&fm, d));
	assert_false(uform_owns_diag(&fm, &dl.items[1]));
	assert_false(uform_owns_diag(&fm, &dl.items[2]));
	/* the backend's message stays until the field is edited */
	assert_int_equal(uform_validate(&fm, 3), SEV_FAIL);
	fm.fs[3].touched = true;
	assert_int_equal(uform_validate(&fm, 3), SEV_PASS);
	assert_string_equal(fm.fs[3].msg, "");
	/* a new run without diagnostics clears them */
	uform_apply_diags(&fm, &dl);
	assert_int_equal(fm.fs[3].sev, SEV_FAIL);
	uform_apply_diags(&fm, NULL);
	assert_int_equal(fm.fs[3].sev, SEV_PASS);
	diag_list_release(&dl);
	uform_release(&fm);
}

static void test_form_password_wipe(void **st)
{
	struct uform fm;
	(void)st;
	assert_int_equal(uform_init(&fm, FIELDS, 4, NULL), 0);
	uform_set(&fm, "ca.password", "s3cret-value");
	assert_string_equal(uform_value(&fm, "ca.password"), "s3cret-value");
	uform_wipe(&fm, "ca.password");
	for (size_t i = 0; i < sizeof(fm.fs[3].value); i++)
		assert_int_equal(fm.fs[3].value[i], 0);
	uform_release(&fm);
	assert_null(fm.fs);
}

static void test_pane_rows(void **st)
{
	struct pane p;
	struct diag_list dl;
	(void)st;
	pane_init(&p, true, false);
	pane_add(&p, TH_DONE, "PASS", "one", NULL, 0);
	pane_addf(&p, TH_NORMAL, "two %d", 2);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.rows[1].text, "two 2");
	assert_true(pane_key(&p, KEY_DOWN, 5));
	assert_int_equal(p.sel, 1);
	pane_key(&p, KEY_DOWN, 5);
	assert_int_equal(p.sel, 1);   /* stays on the last row */
	pane_key(&p, KEY_HOME, 5);
	assert_int_equal(p.sel, 0);
	assert_false(pane_key(&p, 'x', 5));
	/* diagnostics become tagged rows with fix and event */
	diag_list_init(&dl);
	diag_add(&dl, DIAG_VERIFY_EKU, SEV_FAIL, NULL, "use OpsMgr",
		 "no Client Authentication");
	pane_add_diags(&p, &dl, NULL, NULL, true);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.rows[2].tag, "FAIL");
	assert_string_equal(p.rows[2].text, "verify/eku: no Client Authentication");
	assert_string_equal(p.rows[2].fix, "use OpsMgr");
	assert_int_equal(p.rows[2].event, 20050);
	diag_list_release(&dl);
	pane_clear(&p);
	assert_int_equal(p.n, 0);
	pane_release(&p);
}

static void test_pane_cap_and_follow(void **st)
{
	struct pane p;
	(void)st;
	pane_init(&p, false, true);
	for (int i = 0; i < PANE_MAX_ROWS + 10; i++)
		pane_addf(&p, TH_NORMAL, "line %d", i);
	assert_int_equal(p.n, PANE_MAX_ROWS);
	assert_string_equal(p.rows[0].text, "line 10");
	assert_int_equal(p.sel, p.n - 1);
	/* scrolling up stops following, End follows again */
	pane_key(&p, KEY_UP, 5);
	assert_false(p.follow);
	pane_key(&p, KEY_END, 5);
	assert_true(p.follow);
	pane_release(&p);
}

static void test_cfgfield_roundtrip(void **st)
{
	struct config c;
	char buf[256];
	static const char *const keys[][2] = {
		{ "computer.fqdn", "agent01.example.com" },
		{ "trust.source", "file" },
		{ "trust.file", "/tmp/certnew.p7b" },
		{ "ca.url", "https://ca.example.com/certsrv/" },
		{ "ca.template", "OpsMgr" },
		{ "ca.auth", "ntlm" },
		{ "ca.user", "EXAMPLE\\\\svc" },
		{ "key.bits", "4096" },
		{ "export.pfx", "/tmp/a.pfx" },
		{ "export.compat", "legacy" },
		{ "agent.management_group", "MG1" },
		{ "agent.server", "ms.example.com" },
		{ "agent.port", "5723" },
		{ "agent.target", "windows" },
		{ "wizard.role", "server" },
	};
	(void)st;
	config_init(&c);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		assert_int_equal(cfgfield_set(&c, keys[i][0], keys[i][1]), 0);
		assert_int_equal(cfgfield_get(&c, keys[i][0], buf, sizeof(buf)), 0);
		assert_string_equal(buf, keys[i][1]);
	}
	assert_int_equal(c.ca_auth, AUTH_NTLM);
	assert_int_equal(c.key_bits, 4096);
	assert_int_equal(c.role, ROLE_SERVER);
	/* empty unsets a string; bad values and unknown keys are refused */
	assert_int_equal(cfgfield_set(&c, "computer.fqdn", ""), 0);
	assert_null(c.fqdn);
	assert_int_equal(cfgfield_set(&c, "ca.auth", "kerberos"), -1);
	assert_int_equal(c.ca_auth, AUTH_NTLM);
	assert_int_equal(cfgfield_set(&c, "agent.port", "57x"), -1);
	assert_int_equal(c.agent_port, 5723);
	assert_int_equal(cfgfield_set(&c, "no.such", "x"), -1);
	assert_int_equal(cfgfield_get(&c, "no.such", buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_validation),
		cmocka_unit_test(test_form_choice_and_hidden),
		cmocka_unit_test(test_form_backend_diags),
		cmocka_unit_test(test_form_password_wipe),
		cmocka_unit_test(test_pane_rows),
		cmocka_unit_test(test_pane_cap_and_follow),
		cmocka_unit_test(test_cfgfield_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
