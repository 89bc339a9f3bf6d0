/*
 * test_widgets.c - the screens' pure parts, without a terminal: the form
 * model (validation on leave, required/int bounds, backend diagnostics
 * shown at their field, hidden fields, password wiping), the edited text
 * (lineedit: selected on entry so typing replaces it, End keeps it,
 * Ctrl-U, UTF-8, the mask, wiping) and a password retyped through the
 * form's keys, the pane (rows, cap, scrolling keys, a row taller than the
 * list scrolled line by line, diagnostics as checklist rows), the schema's
 * "section.key" <-> struct config text access the screens use, and the
 * shared field validators judging by the schema's rules (a short server
 * name stays a visible warning).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/config_schema.h"
#include "screens.h"
#include "stage_screen.h"
#include "widgets/form.h"
#include "widgets/pane.h"

static enum diag_severity no_spaces(struct uform *fm, int idx, const char *v,
				    char *msg, size_t n, void *ud)
{
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
	{ "ca.template", "Template", FT_TEXT, NULL, NULL, no_spaces },
	{ "key.bits", "Key size", FT_INT, NULL, NULL, val_schema },
	{ "ca.auth", "Auth", FT_CHOICE, AUTHS, NULL, NULL },
	{ "ca.password", "Password", FT_PASSWORD, NULL, NULL, NULL },
};

static void test_form_validation(void **st)
{
	struct uform fm;
	assert_int_equal(uform_init(&fm, FIELDS, 4, NULL), 0);
	uform_set(&fm, "ca.template", "Ops Mgr");
	uform_set(&fm, "key.bits", "512");
	/* validate_all checks every field, reports the first failure */
	assert_int_equal(uform_validate_all(&fm), 1);
	assert_int_equal(fm.fs[0].sev, SEV_WARN);
	assert_string_equal(fm.fs[0].msg, "'Ops Mgr' contains a space");
	/* a number field has no range of its own: its key's rule speaks */
	struct verdict rule;
	rule_key_bits(512, &rule);
	assert_int_equal(fm.fs[1].sev, SEV_FAIL);
	assert_string_equal(fm.fs[1].msg, rule.msg);
	/* fixing the values clears the messages */
	uform_set(&fm, "ca.template", "OpsMgr");
	uform_set(&fm, "key.bits", "2048");
	assert_int_equal(uform_validate_all(&fm), -1);
	assert_int_equal(fm.fs[0].sev, SEV_PASS);
	assert_string_equal(fm.fs[1].msg, "");
	/* not a number */
	uform_set(&fm, "key.bits", "20x8");
	assert_int_equal(uform_validate_all(&fm), 1);
	assert_string_equal(fm.fs[1].msg, "'20x8' is not a number");
	uform_release(&fm);
}

static void test_form_choice_and_hidden(void **st)
{
	struct uform fm;
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
	assert_int_equal(uform_init(&fm, FIELDS, 4, NULL), 0);
	uform_set(&fm, "ca.password", "s3cret-value");
	assert_string_equal(uform_value(&fm, "ca.password"), "s3cret-value");
	uform_wipe(&fm, "ca.password");
	for (size_t i = 0; i < sizeof(fm.fs[3].ed.value); i++)
		assert_int_equal(fm.fs[3].ed.value[i], 0);
	uform_release(&fm);
	assert_null(fm.fs);
}

/* The bytes after the value's end are zero: nothing of a longer value
 * stays behind. */
static void assert_tail_wiped(const struct ledit *e)
{
	for (size_t i = strlen(e->value); i < sizeof(e->value); i++)
		assert_int_equal(e->value[i], 0);
}

static void test_lineedit_select_on_enter(void **st)
{
	struct ledit e;
	memset(&e, 0, sizeof(e));
	ledit_set(&e, "WrongPassword1");
	ledit_enter(&e);
	assert_true(e.selected);
	assert_int_equal(ledit_cursor_col(&e), 14);
	/* typing replaces the whole value, the rest of it wiped */
	assert_int_equal(ledit_apply(&e, LE_INSERT, 'R'), 1);
	assert_false(e.selected);
	assert_string_equal(e.value, "R");
	assert_tail_wiped(&e);
	ledit_apply(&e, LE_INSERT, 'x');
	assert_string_equal(e.value, "Rx");

	/* End keeps the value: typing appends */
	ledit_enter(&e);
	assert_int_equal(ledit_apply(&e, LE_END, 0), 0);
	assert_false(e.selected);
	ledit_apply(&e, LE_INSERT, 'y');
	assert_string_equal(e.value, "Rxy");

	/* an arrow keeps it too, and moves */
	ledit_enter(&e);
	assert_int_equal(ledit_apply(&e, LE_LEFT, 0), 0);
	assert_false(e.selected);
	ledit_apply(&e, LE_INSERT, '-');
	assert_string_equal(e.value, "Rx-y");

	/* Backspace on a selection clears it; an empty value is not selected */
	ledit_enter(&e);
	assert_int_equal(ledit_apply(&e, LE_DEL_PREV, 0), 1);
	assert_string_equal(e.value, "");
	assert_tail_wiped(&e);
	ledit_enter(&e);
	assert_false(e.selected);
}

static void test_lineedit_clear_delete_utf8(void **st)
{
	struct ledit e;
	char mask[64];
	memset(&e, 0, sizeof(e));
	ledit_set(&e, "päss");          /* 4 characters, 5 bytes */
	assert_int_equal(ledit_chars(&e), 4);
	ledit_mask(&e, mask, sizeof(mask));
	assert_string_equal(mask, "****");
	assert_int_equal(ledit_apply(&e, LE_HOME, 0), 0);
	ledit_apply(&e, LE_RIGHT, 0);
	assert_int_equal(ledit_cursor_col(&e), 1);
	ledit_apply(&e, LE_DEL_CHAR, 0);      /* the two-byte character */
	assert_string_equal(e.value, "pss");
	assert_tail_wiped(&e);
	ledit_apply(&e, LE_END, 0);
	ledit_apply(&e, LE_DEL_PREV, 0);
	assert_string_equal(e.value, "ps");
	assert_int_equal(ledit_apply(&e, LE_CLEAR, 0), 1);
	assert_string_equal(e.value, "");
	assert_tail_wiped(&e);
	assert_int_equal(ledit_apply(&e, LE_CLEAR, 0), -1);
	assert_int_equal(ledit_apply(&e, LE_DEL_PREV, 0), -1);
}

/* Keys typed into a form "on screen" (shown, without a terminal). */
static void type(struct uform *fm, const char *s)
{
	for (; *s; s++)
		uform_key(fm, OK, (wint_t)(unsigned char)*s);
}

static void test_form_retype_password(void **st)
{
	struct uform fm;
	char mask[64];
	const char *hint[4];
	assert_int_equal(uform_init(&fm, FIELDS, 4, NULL), 0);
	fm.shown = true;
	uform_focus(&fm, 3);
	type(&fm, "wrong-one");
	assert_string_equal(uform_value(&fm, "ca.password"), "wrong-one");
	ledit_mask(&fm.fs[3].ed, mask, sizeof(mask));
	assert_string_equal(mask, "*********");
	assert_true(fm.fs[3].touched);

	/* leave and come back: the old value is selected, the key line
	 * offers End to keep it, and what is typed replaces it */
	uform_focus(&fm, 0);
	assert_false(fm.fs[3].ed.selected);
	uform_focus(&fm, 3);
	assert_true(uform_selected(&fm));
	assert_int_equal(uform_edit_hints(&fm, hint, 4), 2);
	assert_string_equal(hint[0], "^U Clear");
	assert_string_equal(hint[1], "End Keep");
	/* the first key ends the selection: the key line must change */
	assert_int_equal(uform_key(&fm, OK, 'r'), 2);
	type(&fm, "ight");
	assert_string_equal(uform_value(&fm, "ca.password"), "right");
	ledit_mask(&fm.fs[3].ed, mask, sizeof(mask));
	assert_string_equal(mask, "*****");
	assert_tail_wiped(&fm.fs[3].ed);
	assert_int_equal(uform_edit_hints(&fm, hint, 4), 1);

	/* Ctrl-U clears; End on a selection keeps it and appends */
	assert_int_equal(uform_key(&fm, OK, 21), 1);
	assert_string_equal(uform_value(&fm, "ca.password"), "");
	uform_set(&fm, "ca.template", "OpsMgr");
	uform_focus(&fm, 0);
	assert_int_equal(uform_key(&fm, KEY_CODE_YES, KEY_END), 2);
	type(&fm, "Manual");
	assert_string_equal(uform_value(&fm, "ca.template"), "OpsMgrManual");
	/* a choice has no editing keys */
	uform_focus(&fm, 2);
	assert_int_equal(uform_edit_hints(&fm, hint, 4), 0);
	uform_release(&fm);
}

/* A long value reads whole: over more rows while its field is not being
 * edited, on one (scrolled) row while it is; a long message is counted
 * whole, not stopped after 3 lines. */
static void test_form_long_value_rows(void **st)
{
	struct uform fm;
	char path[151];
	int one, wrapped;
	memset(path, 'p', 150);
	path[0] = '/';
	path[150] = '\0';
	assert_int_equal(uform_init(&fm, FIELDS, 4, NULL), 0);
	uform_set(&fm, "ca.template", "short");
	uform_focus(&fm, 0);
	one = uform_need(&fm, 60);
	uform_set(&fm, "ca.template", path);
	assert_int_equal(uform_need(&fm, 60), one);      /* being edited */
	uform_focus(&fm, 1);
	wrapped = uform_need(&fm, 60);
	assert_true(wrapped >= one + 3);                 /* 150 in < 50 */
	fm.active = false;
	uform_focus(&fm, 0);
	assert_int_equal(uform_need(&fm, 60), wrapped);  /* not edited now */
	fm.active = true;
	uform_set(&fm, "ca.template", "x");
	snprintf(fm.fs[1].msg, sizeof(fm.fs[1].msg), "%s", path);
	fm.fs[1].sev = SEV_FAIL;
	assert_true(uform_need(&fm, 60) >= one + 4);     /* no 3-line cap */
	uform_release(&fm);
}

static void test_pane_rows(void **st)
{
	struct pane p;
	struct diag_list dl;
	pane_init(&p, true, false);
	assert_false(pane_key(&p, ACT_DOWN, 5));   /* nothing to move in */
	pane_add(&p, TH_DONE, "PASS", "one", NULL, 0);
	pane_addf(&p, TH_NORMAL, "two %d", 2);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.rows[1].text, "two 2");
	assert_true(pane_key(&p, ACT_DOWN, 5));
	assert_int_equal(p.sel, 1);
	assert_true(pane_key(&p, ACT_DOWN, 5));   /* a move key, taken */
	assert_int_equal(p.sel, 1);   /* stays on the last row */
	pane_key(&p, ACT_TOP, 5);
	assert_int_equal(p.sel, 0);
	assert_false(pane_key(&p, ACT_NEXT, 5));
	assert_false(pane_key(&p, ACT_NONE, 5));
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
	/* text from outside (a subject, a Windows computer's evidence) is
	 * escaped: no control character reaches the terminal */
	diag_list_init(&dl);
	diag_add(&dl, DIAG_VERIFY_EKU, SEV_FAIL, NULL, "fix\x1b[2J",
		 "subject 'ctl\x01x\x1b[31mred'");
	pane_add_diags(&p, &dl, NULL, NULL, false);
	assert_string_equal(p.rows[3].text,
			    "subject 'ctl\\x01x\\x1b[31mred'");
	assert_string_equal(p.rows[3].fix, "fix\\x1b[2J");
	diag_list_release(&dl);
	pane_clear(&p);
	assert_int_equal(p.n, 0);
	pane_release(&p);
}

/* A long message as rows wrapped at the list's width: every word kept,
 * none cut. */
static void test_pane_wrapped(void **st)
{
	struct pane p;
	pane_init(&p, true, false);
	pane_add_wrapped(&p, TH_STALE, "answers changed (ca.template WebServer "
			 "-> OpsMgr): Enter runs stage 2 again", 20);
	assert_int_equal(p.n, 5);
	assert_string_equal(p.rows[0].text, "answers changed");
	assert_string_equal(p.rows[1].text, "(ca.template");
	assert_string_equal(p.rows[2].text, "WebServer ->");
	assert_string_equal(p.rows[3].text, "OpsMgr): Enter runs");
	assert_string_equal(p.rows[4].text, "stage 2 again");
	assert_string_equal(p.rows[4].tag, "");
	assert_int_equal(p.rows[4].el, TH_STALE);
	pane_add_wrapped(&p, TH_STALE, "", 20);
	assert_int_equal(p.n, 5);
	pane_release(&p);
}

static void test_pane_cap_and_follow(void **st)
{
	struct pane p;
	pane_init(&p, false, true);
	for (int i = 0; i < PANE_MAX_ROWS + 10; i++)
		pane_addf(&p, TH_NORMAL, "line %d", i);
	assert_int_equal(p.n, PANE_MAX_ROWS);
	assert_string_equal(p.rows[0].text, "line 10");
	assert_int_equal(p.sel, p.n - 1);
	/* scrolling up stops following, End follows again */
	pane_key(&p, ACT_UP, 5);
	assert_false(p.follow);
	pane_key(&p, ACT_BOTTOM, 5);
	assert_true(p.follow);
	/* a page is page rows, never past either end */
	int last = p.n - 1;
	assert_true(pane_key(&p, ACT_PAGE_UP, 5));
	assert_int_equal(p.sel, last - 5);
	pane_key(&p, ACT_PAGE_UP, PANE_MAX_ROWS);
	assert_int_equal(p.sel, 0);
	pane_key(&p, ACT_PAGE_DOWN, 5);
	assert_int_equal(p.sel, 5);
	pane_key(&p, ACT_PAGE_DOWN, 0);      /* at least one row */
	assert_int_equal(p.sel, 6);
	pane_release(&p);
}

/* A row taller than the list (as last drawn: 4 lines of 30 columns):
 * Down shows the rest of it line by line before the next row is
 * selected, so nothing of it stays out of reach; Home and End go to
 * the first and the last row. */
static void test_pane_tall_row_scrolls(void **st)
{
	struct pane p;
	char text[300] = "";
	int presses = 0, before = 0;
	for (int i = 0; i < 50; i++)
		strcat(text, "word ");
	pane_init(&p, true, false);
	pane_add(&p, TH_FAIL, "FAIL", text, "the fix", 20050);
	pane_add(&p, TH_DONE, "PASS", "short", NULL, 0);
	p.view_h = 4;
	p.view_w = 30;
	assert_true(pane_key(&p, ACT_DOWN, 5));
	assert_int_equal(p.sel, 0);
	assert_int_equal(p.first, 1);
	presses = 1;
	while (p.sel == 0 && presses < 40) {
		before = p.first;
		pane_key(&p, ACT_DOWN, 5);
		presses++;
	}
	assert_int_equal(p.sel, 1);
	/* 10 lines of text, the fix, the event: all passed through */
	assert_true(before + p.view_h >= 12);
	assert_int_equal(presses, before + 1);
	/* Up goes back into the tall row from its end */
	pane_key(&p, ACT_UP, 5);
	assert_int_equal(p.sel, 0);
	pane_key(&p, ACT_TOP, 5);
	assert_int_equal(p.sel, 0);
	assert_int_equal(p.first, 0);
	pane_key(&p, ACT_BOTTOM, 5);
	assert_int_equal(p.sel, 1);
	/* a page down from the top lands past the first page */
	pane_key(&p, ACT_TOP, 5);
	pane_key(&p, ACT_PAGE_DOWN, 5);
	assert_int_equal(p.sel, 0);
	assert_int_equal(p.first, 3);
	pane_release(&p);
}

static int set(struct config *c, const char *key, const char *text,
	       struct verdict *v)
{
	return config_key_set_text(c, config_key_find(key), text, v);
}

static void test_schema_text_roundtrip(void **st)
{
	struct config c;
	struct verdict v;
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
		{ "export.include_chain", "no" },
		{ "agent.management_group", "MG1" },
		{ "agent.server", "ms.example.com" },
		{ "agent.port", "5723" },
		{ "agent.target", "windows" },
		{ "wizard.role", "server" },
	};
	config_init(&c);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct config_key *k = config_key_find(keys[i][0]);
		assert_non_null(k);
		assert_string_equal(k->name, keys[i][0]);
		assert_int_equal(set(&c, keys[i][0], keys[i][1], &v), 0);
		assert_int_equal(v.sev, SEV_PASS);
		assert_int_equal(config_key_get_text(&c, k, buf, sizeof(buf)), 0);
		assert_string_equal(buf, keys[i][1]);
	}
	assert_int_equal(c.ca_auth, AUTH_NTLM);
	assert_int_equal(c.key_bits, 4096);
	assert_int_equal(c.role, ROLE_SERVER);
	assert_false(c.export_include_chain);
	/* empty unsets a string; bad values and unknown keys are refused */
	assert_int_equal(set(&c, "computer.fqdn", "", &v), 0);
	assert_null(c.fqdn);
	assert_int_equal(set(&c, "ca.auth", "kerberos", &v), -1);
	assert_int_equal(c.ca_auth, AUTH_NTLM);
	assert_int_equal(set(&c, "agent.port", "57x", &v), -1);
	assert_int_equal(c.agent_port, 5723);
	assert_null(config_key_find("no.such"));
	assert_int_equal(set(&c, "no.such", "x", &v), -1);
	assert_int_equal(config_key_get_text(&c, NULL, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	config_release(&c);
}

/* Each key's own limits and rule, not one range for every number. */
static void test_schema_limits_and_rules(void **st)
{
	struct config c;
	struct verdict v;
	config_init(&c);
	assert_int_equal(set(&c, "agent.port", "70000", &v), -1);
	assert_int_equal(v.sev, SEV_FAIL);
	assert_non_null(strstr(v.msg, "port 70000 is out of range"));
	assert_int_equal(c.agent_port, CONFIG_DEFAULT_PORT);
	assert_int_equal(set(&c, "key.bits", "512", &v), -1);
	assert_int_equal(c.key_bits, CONFIG_DEFAULT_KEY_BITS);
	assert_int_equal(set(&c, "approval.interval", "3601", &v), -1);
	assert_non_null(strstr(v.msg, "between 1 and 3600 seconds"));
	assert_int_equal(set(&c, "agent.management_group",
			     "MG.1", &v), -1);
	assert_null(c.agent_mgmt_group);
	/* a warning is stored, with its message */
	assert_int_equal(set(&c, "key.bits", "1024", &v), 0);
	assert_int_equal(v.sev, SEV_WARN);
	assert_int_equal(c.key_bits, 1024);
	assert_int_equal(set(&c, "agent.server", "ms01", &v), 0);
	assert_int_equal(v.sev, SEV_WARN);
	assert_string_equal(c.agent_server, "ms01");
	/* the pin is stored the way the loader stores it */
	assert_int_equal(set(&c, "trust.sha256",
			     "0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9:"
			     "0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9",
			     &v), 0);
	assert_string_equal(c.trust_sha256,
			    "0A1B2C3D4E5F60718293A4B5C6D7E8F9"
			    "0A1B2C3D4E5F60718293A4B5C6D7E8F9");
	config_release(&c);
	/* defaults come from the table */
	config_init(&c);
	assert_int_equal(c.agent_port, CONFIG_DEFAULT_PORT);
	assert_int_equal(c.export_compat, COMPAT_MODERN);
	assert_true(c.export_include_chain);
	assert_int_equal(c.approval_timeout, CONFIG_DEFAULT_APPROVAL_TIMEOUT);
	config_release(&c);
}

/* Stage 5's fields say what the rules say; a warning keeps its
 * message when the focus moves on (it used to be read as a pass and
 * erased). */
static void test_fields_use_rules(void **st)
{
	struct uform fm;
	struct verdict v;
	char mg[61];
	memset(mg, 'M', 60);
	mg[60] = '\0';
	assert_int_equal(uform_init(&fm, SCR_AGENT.fields, SCR_AGENT.nfields,
				    NULL), 0);
	uform_set(&fm, "agent.management_group", mg);
	uform_set(&fm, "agent.server", "ms01");
	uform_set(&fm, "agent.port", "5723");
	assert_int_equal(uform_validate_all(&fm), 0);
	assert_int_equal(rule_mgmt_group(mg, &v), SEV_FAIL);
	assert_int_equal(fm.fs[0].sev, SEV_FAIL);
	assert_string_equal(fm.fs[0].msg, v.msg);
	assert_int_equal(rule_server("ms01", &v), SEV_WARN);
	assert_int_equal(fm.fs[1].sev, SEV_WARN);
	assert_string_equal(fm.fs[1].msg, v.msg);
	/* leave the server field: the warning stays */
	fm.focus = 1;
	fm.fs[1].touched = true;
	uform_focus(&fm, 2);
	assert_int_equal(fm.fs[1].sev, SEV_WARN);
	assert_string_equal(fm.fs[1].msg, v.msg);
	assert_int_equal(fm.fs[2].sev, SEV_PASS);
	uform_release(&fm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_validation),
		cmocka_unit_test(test_form_choice_and_hidden),
		cmocka_unit_test(test_form_backend_diags),
		cmocka_unit_test(test_lineedit_select_on_enter),
		cmocka_unit_test(test_lineedit_clear_delete_utf8),
		cmocka_unit_test(test_form_retype_password),
		cmocka_unit_test(test_pane_tall_row_scrolls),
		cmocka_unit_test(test_form_long_value_rows),
		cmocka_unit_test(test_form_password_wipe),
		cmocka_unit_test(test_pane_rows),
		cmocka_unit_test(test_pane_wrapped),
		cmocka_unit_test(test_pane_cap_and_follow),
		cmocka_unit_test(test_schema_text_roundtrip),
		cmocka_unit_test(test_schema_limits_and_rules),
		cmocka_unit_test(test_fields_use_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
