/*
 * test_diag.c - backend/core/diag.c: the check table look-ups, list operations
 * (add, append, worst, count, find), and the exact text of the JSON and
 * text renderers, including string escaping and invalid UTF-8: RFC 8259
 * escapes in JSON, one row per check, "info" for an info item, control
 * characters from outside visible as \xHH in text.
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

#include "core/diag.h"

/* Render with fn into a malloc'd string. */
static char *render_json(const struct diag_list *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(diag_write_json(fp, l), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static char *render_text(const struct diag_list *l, int min_sev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	diag_print_text(fp, l, min_sev);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static char *json_string(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	json_write_string(fp, s);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static void test_table_lookups(void **state)
{
	(void)state;
	assert_string_equal(diag_check_id(DIAG_VERIFY_EKU), "eku");
	assert_int_equal(diag_check_stage(DIAG_VERIFY_EKU), STAGE_VERIFY);
	assert_int_equal(diag_check_event(DIAG_VERIFY_EKU), 20050);
	assert_int_equal(diag_check_event(DIAG_APPROVAL_TIMEOUT), 21016);
	assert_int_equal(diag_check_event(DIAG_CONFIG), 0);
	assert_int_equal(diag_check_lookup(STAGE_VERIFY, "eku"), DIAG_VERIFY_EKU);
	/* the same id in two stages resolves per stage */
	assert_int_equal(diag_check_lookup(STAGE_TRUST, "parse"), DIAG_TRUST_PARSE);
	assert_int_equal(diag_check_lookup(STAGE_VERIFY, "parse"), DIAG_VERIFY_PARSE);
	assert_int_equal(diag_check_lookup(STAGE_TRUST, "eku"), -1);
	assert_int_equal(diag_check_lookup(STAGE_VERIFY, "nonsense"), -1);
	/* out of range values fall back instead of reading past the table */
	assert_string_equal(diag_check_id((enum diag_check)9999), "internal");
	assert_int_equal(diag_check_stage((enum diag_check)9999), STAGE_NONE);
	assert_int_equal(diag_check_event((enum diag_check)-1), 0);

	assert_string_equal(stage_id(STAGE_TRUST), "trust");
	assert_string_equal(stage_id(STAGE_APPROVAL), "approval");
	assert_string_equal(stage_id(STAGE_NONE), "general");
	assert_string_equal(stage_id((enum stage)42), "general");
	assert_string_equal(stage_title(STAGE_AGENT), "Install agent");
	assert_string_equal(stage_title(STAGE_SERIAL), "Import serial");
	assert_string_equal(diag_severity_name(SEV_PASS), "pass");
	assert_string_equal(diag_severity_name(SEV_SKIP), "skip");
	assert_string_equal(diag_severity_name(SEV_WARN), "warn");
	assert_string_equal(diag_severity_name(SEV_FAIL), "fail");

	/* product.md fixes the verify ids; every id unique within its stage */
	static const char *const verify_ids[] = {
		"parse", "key_match", "subject_name", "san", "eku", "key_usage",
		"key_type", "validity", "expiry", "chain", "signature_hash",
		"revocation"
	};
	for (size_t i = 0; i < sizeof(verify_ids) / sizeof(verify_ids[0]); i++)
		assert_true(diag_check_lookup(STAGE_VERIFY, verify_ids[i]) >= 0);
	for (int i = 0; i < DIAG_CHECK_COUNT; i++)
		assert_int_equal(diag_check_lookup(diag_check_stage((enum diag_check)i),
						   diag_check_id((enum diag_check)i)), i);
}

static void test_list_operations(void **state)
{
	(void)state;
	struct diag_list l;
	diag_list_init(&l);
	assert_int_equal(diag_worst(&l), SEV_PASS);
	assert_int_equal(l.n, 0);

	/* more than the initial capacity */
	for (int i = 0; i < 20; i++)
		assert_non_null(diag_add(&l, DIAG_VERIFY_PARSE, SEV_PASS, NULL,
					 NULL, "item %d", i));
	assert_string_equal(l.items[19].message, "item 19");
	assert_int_equal(diag_worst(&l), SEV_PASS);

	struct diag *w = diag_add(&l, DIAG_VERIFY_EXPIRY, SEV_WARN, NULL,
				  "renew it", "expires in %d days", 12);
	assert_non_null(w);
	assert_int_equal(w->stage, STAGE_VERIFY);
	assert_int_equal(w->event, 21020);   /* certificate expiring */
	assert_int_equal(diag_worst(&l), SEV_WARN);

	struct diag *f = diag_add(&l, DIAG_REQ_TEMPLATE, SEV_FAIL, "ca.template",
				  NULL, "the CA does not offer template '%s'",
				  "Ops Mgr");
	assert_non_null(f);
	assert_int_equal(f->event, 0);   /* an answer's problem: no event */
	assert_null(f->fix);
	diag_set_fix(f, "use the template name without spaces, e.g. '%s'",
		     "OpsMgr");
	assert_string_equal(f->fix,
			    "use the template name without spaces, e.g. 'OpsMgr'");
	assert_int_equal(diag_worst(&l), SEV_FAIL);
	assert_int_equal(diag_worst_stage(&l, STAGE_VERIFY), SEV_WARN);
	assert_int_equal(diag_worst_stage(&l, STAGE_REQUEST), SEV_FAIL);
	assert_int_equal(diag_worst_stage(&l, STAGE_AGENT), SEV_PASS);
	assert_int_equal(diag_count(&l, SEV_PASS), 20);
	assert_int_equal(diag_count(&l, SEV_FAIL), 1);

	/* a pass carries no event even when its check has one */
	struct diag *p = diag_add(&l, DIAG_VERIFY_EKU, SEV_PASS, NULL, NULL, "ok");
	assert_int_equal(p->event, 0);

	const struct diag *ff = diag_find_field(&l, "ca.template", SEV_WARN);
	assert_non_null(ff);
	assert_string_equal(ff->message, "the CA does not offer template 'Ops Mgr'");
	assert_null(diag_find_field(&l, "ca.url", SEV_PASS));
	assert_null(diag_find_field(&l, NULL, SEV_PASS));
	assert_non_null(diag_find(&l, DIAG_VERIFY_EXPIRY));
	assert_null(diag_find(&l, DIAG_AGENT_TCP));

	/* append copies, keeping overridden stage and event */
	struct diag_list m;
	diag_list_init(&m);
	struct diag *o = diag_add(&m, DIAG_INTERNAL, SEV_INFO, "x.y", "fix it",
				  "overridden");
	o->stage = STAGE_SERIAL;
	o->event = 12345;
	size_t before = l.n;
	diag_list_append(&l, &m);
	diag_list_release(&m);
	assert_int_equal(l.n, before + 1);
	const struct diag *c = &l.items[before];
	assert_int_equal(c->stage, STAGE_SERIAL);
	assert_int_equal(c->event, 12345);
	assert_string_equal(c->field, "x.y");
	assert_string_equal(c->fix, "fix it");
	assert_string_equal(c->message, "overridden");

	/* appending a list to itself doubles it without reading freed items */
	struct diag_list self;
	diag_list_init(&self);
	for (int i = 0; i < 8; i++) /* full: the next add reallocates */
		diag_add(&self, DIAG_VERIFY_SAN, SEV_WARN, "computer.fqdn",
			 "fix", "self %d", i);
	self.items[7].event = 777;
	diag_list_append(&self, &self);
	assert_int_equal(self.n, 16);
	assert_string_equal(self.items[15].message, "self 7");
	assert_int_equal(self.items[15].event, 777);
	assert_string_equal(self.items[8].field, "computer.fqdn");
	diag_list_release(&self);

	/* an unknown check number becomes "internal" */
	struct diag *u = diag_add(&l, (enum diag_check)9999, SEV_INFO, NULL,
				  NULL, "odd");
	assert_int_equal(u->check, DIAG_INTERNAL);

	diag_list_release(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.items);
	/* reusable after release */
	assert_non_null(diag_add(&l, DIAG_IO, SEV_FAIL, NULL, NULL, "again"));
	diag_list_clear(&l);
	assert_int_equal(l.n, 0);
}

static void test_json_exact(void **state)
{
	(void)state;
	struct diag_list l;
	diag_list_init(&l);
	diag_add(&l, DIAG_VERIFY_PARSE, SEV_PASS, NULL, NULL,
		 "parsed 'agent.pem'");
	diag_add(&l, DIAG_VERIFY_EKU, SEV_FAIL, "ca.template",
		 "request it with template \"OpsMgr\"",
		 "EKU lacks \"Client Authentication\"\nline2\ttab\x01" "end\\");
	diag_add(&l, DIAG_VERIFY_EXPIRY, SEV_INFO, NULL, NULL, "valid for 300 days");
	diag_add(&l, DIAG_VERIFY_REVOCATION, SEV_SKIP, NULL, NULL, "not checked");
	char *j = render_json(&l);
	assert_string_equal(j,
		"{\"version\": 1, \"ok\": false, \"checks\": [\n"
		"  {\"stage\": \"verify\", \"id\": \"parse\", \"status\": \"pass\", "
		"\"message\": \"parsed 'agent.pem'\", \"fix\": \"\", \"event\": null},\n"
		"  {\"stage\": \"verify\", \"id\": \"eku\", \"status\": \"fail\", "
		"\"message\": \"EKU lacks \\\"Client Authentication\\\"\\nline2\\ttab\\u0001end\\\\\", "
		"\"fix\": \"request it with template \\\"OpsMgr\\\"\", "
		"\"field\": \"ca.template\", \"event\": 20050},\n"
		"  {\"stage\": \"verify\", \"id\": \"expiry\", \"status\": \"info\", "
		"\"message\": \"valid for 300 days\", \"fix\": \"\", \"event\": null},\n"
		"  {\"stage\": \"verify\", \"id\": \"revocation\", \"status\": \"skip\", "
		"\"message\": \"not checked\", \"fix\": \"\", \"event\": null}\n"
		"]}\n");
	free(j);
	diag_list_release(&l);

	/* warnings only: ok stays true */
	diag_add(&l, DIAG_AGENT_TCP, SEV_WARN, "agent.port", NULL,
		 "port 5723 on 'ms.example' refused the connection");
	j = render_json(&l);
	assert_string_equal(j,
		"{\"version\": 1, \"ok\": true, \"checks\": [\n"
		"  {\"stage\": \"agent\", \"id\": \"tcp\", \"status\": \"warn\", "
		"\"message\": \"port 5723 on 'ms.example' refused the connection\", "
		"\"fix\": \"\", \"field\": \"agent.port\", \"event\": 21006}\n"
		"]}\n");
	free(j);
	diag_list_release(&l);

	/* empty */
	j = render_json(&l);
	assert_string_equal(j, "{\"version\": 1, \"ok\": true, \"checks\": []}\n");
	free(j);
}

static void test_json_strings(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "", "\"\"" },
		{ "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
		{ "\r\n\t\b\x1f\x7f", "\"\\r\\n\\t\\u0008\\u001f\\u007f\"" },
		/* RFC 8259: every U+0000..U+001F escaped (ESC of a colour) */
		{ "\x01\x1b[31m\x0b\x0c", "\"\\u0001\\u001b[31m\\u000b\\u000c\"" },
		/* the C1 controls too (U+009B is CSI), U+00A0 kept */
		{ "\xc2\x80\xc2\x9b" "2J\xc2\xa0", "\"\\u0080\\u009b" "2J\xc2\xa0\"" },
		/* valid UTF-8 passes through */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92\"" },
		/* invalid bytes become U+FFFD, one per byte */
		{ "bad\xff\xfe!", "\"bad\\ufffd\\ufffd!\"" },
		{ "latin1 caf\xe9", "\"latin1 caf\\ufffd\"" },      /* truncated */
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },               /* overlong */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },    /* surrogate */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* > U+10FFFF */
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = json_string(cases[i].in);
		if (strcmp(s, cases[i].out) != 0)
			fail_msg("case %zu: got [%s], want [%s]", i, s,
				 cases[i].out);
		free(s);
	}
	char *n = json_string(NULL);
	assert_string_equal(n, "null");
	free(n);
}

static void test_text_output(void **state)
{
	(void)state;
	struct diag_list l;
	diag_list_init(&l);
	diag_add(&l, DIAG_VERIFY_PARSE, SEV_PASS, NULL, "never shown",
		 "parsed 'agent.pem'");
	diag_add(&l, DIAG_VERIFY_EKU, SEV_FAIL, "ca.template",
		 "use template 'OpsMgr'", "EKU lacks Client Authentication");
	char *t = render_text(&l, SEV_PASS);
	assert_string_equal(t,
		"PASS verify/parse: parsed 'agent.pem'\n"
		"FAIL verify/eku: EKU lacks Client Authentication\n"
		"     field: ca.template\n"
		"     fix: use template 'OpsMgr'; 'opsmgr-enroll explain 20050' "
		"for the causes\n"
		"     event: 20050 (the certificate lacks Server or Client "
		"Authentication in its enhanced key usage)\n");
	free(t);
	t = render_text(&l, SEV_WARN);
	assert_null(strstr(t, "PASS"));
	assert_non_null(strstr(t, "FAIL verify/eku"));
	free(t);
	diag_list_release(&l);
}

/* check --json: one row per stage + id.  Two items of the same check (the
 * serial matches, but a renewed certificate was not imported) become one
 * row with the more telling status, both messages, the warning's fix and
 * field; an info row says "info"; a check of another stage with the same
 * id stays its own row. */
static void test_json_one_row_per_check(void **state)
{
	(void)state;
	struct diag_list l;
	diag_list_init(&l);
	diag_add(&l, DIAG_SERIAL_MATCH, SEV_PASS, NULL, NULL,
		 "the recorded serial matches");
	diag_add(&l, DIAG_TRUST_VALIDITY, SEV_PASS, NULL, NULL, "root valid");
	diag_add(&l, DIAG_SERIAL_MATCH, SEV_WARN, "agent.config",
		 "run stage 6", "the installed certificate is not the current "
		 "one")->event = 0;   /* as serial_check.c says it */
	diag_add(&l, DIAG_VERIFY_VALIDITY, SEV_PASS, NULL, NULL, "leaf valid");
	diag_add(&l, DIAG_APPROVAL_STATE, SEV_INFO, NULL, "ask", "pending")
		->event = 20070;
	diag_add(&l, DIAG_APPROVAL_STATE, SEV_SKIP, NULL, NULL, "no state");
	char *j = render_json(&l);
	assert_string_equal(j,
		"{\"version\": 1, \"ok\": true, \"checks\": [\n"
		"  {\"stage\": \"serial\", \"id\": \"serial_match\", \"status\": \"warn\", "
		"\"message\": \"the recorded serial matches; the installed certificate "
		"is not the current one\", \"fix\": \"run stage 6\", "
		"\"field\": \"agent.config\", \"event\": null},\n"
		"  {\"stage\": \"trust\", \"id\": \"validity\", \"status\": \"pass\", "
		"\"message\": \"root valid\", \"fix\": \"\", \"event\": null},\n"
		"  {\"stage\": \"verify\", \"id\": \"validity\", \"status\": \"pass\", "
		"\"message\": \"leaf valid\", \"fix\": \"\", \"event\": null},\n"
		"  {\"stage\": \"approval\", \"id\": \"state\", \"status\": \"info\", "
		"\"message\": \"pending; no state\", \"fix\": \"ask\", "
		"\"event\": 20070}\n"
		"]}\n");
	free(j);
	/* a failure among them decides the row and "ok" */
	diag_add(&l, DIAG_SERIAL_MATCH, SEV_FAIL, NULL, NULL, "event 20066")
		->event = 20066;
	j = render_json(&l);
	assert_non_null(strstr(j, "\"ok\": false"));
	assert_non_null(strstr(j, "{\"stage\": \"serial\", \"id\": "
				  "\"serial_match\", \"status\": \"fail\""));
	assert_non_null(strstr(j, "\"event\": 20066}"));
	assert_null(strstr(strstr(j, "serial_match") + 1, "serial_match"));
	free(j);
	diag_list_release(&l);
}

/* Text output: a message, field and fix from outside (a certificate
 * subject, a server's answer) reach the terminal with every control
 * character visible as \xHH -- ESC, a line break, C1 CSI, DEL -- and
 * valid UTF-8 kept. */
static void test_text_output_escapes(void **state)
{
	(void)state;
	struct diag_list l;
	diag_list_init(&l);
	diag_add(&l, DIAG_VERIFY_SUBJECT_NAME, SEV_FAIL,
		 "computer.fqdn\x1b]0;t\x07", "rename \xc2\x9b" "2J caf\xc3\xa9",
		 "subject 'ctl\x01x\x1b[31mred'\nFAIL forged\x7f \xff");
	char *t = render_text(&l, SEV_PASS);
	assert_string_equal(t,
		"FAIL verify/subject_name: subject 'ctl\\x01x\\x1b[31mred'"
		"\\x0aFAIL forged\\x7f \\xff\n"
		"     field: computer.fqdn\\x1b]0;t\\x07\n"
		"     fix: rename \\xc2\\x9b2J caf\xc3\xa9; 'opsmgr-enroll "
		"explain 20052' for the causes\n"
		"     event: 20052 (the certificate's subject does not match "
		"the computer name)\n");
	for (const char *p = t; *p; p++)
		assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 &&
					   *p != 0x7f));
	free(t);
	diag_list_release(&l);
}

/* diag_add_rerun: the message formatted, the fix names the stage through
 * the table. */
static void test_add_rerun(void **state)
{
	(void)state;
	struct diag_list l;
	diag_list_init(&l);
	struct diag *d = diag_add_rerun(&l, DIAG_SERIAL_MATCH, SEV_FAIL,
					"agent.config", STAGE_SERIAL, " again",
					"serial %s is not %d", "ab", 7);
	assert_non_null(d);
	assert_string_equal(d->message, "serial ab is not 7");
	assert_string_equal(d->fix, "run stage 6 (import serial) again");
	assert_string_equal(d->field, "agent.config");
	assert_int_equal(d->sev, SEV_FAIL);
	d = diag_add_rerun(&l, DIAG_TRUST_STORE, SEV_WARN, NULL, STAGE_TRUST,
			   "", "no root");
	assert_string_equal(d->fix, "run stage 1 (trust root)");
	assert_null(d->field);
	assert_int_equal(l.n, 2);
	diag_list_release(&l);
}

/* strerror's text as a clause: lower-case initial, cut to the buffer. */
static void test_errno_text(void **st)
{
	(void)st;
	char buf[64], tiny[2];
	assert_ptr_equal(diag_errno_text(ENOENT, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "no such file or directory");
	assert_string_equal(diag_errno_text(EACCES, buf, sizeof(buf)),
			    "permission denied");
	/* one letter is not lowered: too short to tell a word */
	assert_string_equal(diag_errno_text(ENOENT, tiny, sizeof(tiny)), "N");
}

/* An event only where a failure of the check produces it (opsmgr-facts):
 * checks of a missing or invalid answer carry none. */
static void test_events_only_where_they_happen(void **state)
{
	(void)state;
	static const enum diag_check config_checks[] = {
		DIAG_TRUST_SOURCE, DIAG_TRUST_PIN, DIAG_REQ_FQDN,
		DIAG_REQ_CA_URL, DIAG_REQ_TEMPLATE, DIAG_REQ_AUTH,
		DIAG_REQ_PASSWORD, DIAG_EXPORT_PASSWORD, DIAG_EXPORT_PATH,
		DIAG_AGENT_MGMT_GROUP, DIAG_AGENT_SERVER, DIAG_AGENT_PORT,
		DIAG_APPROVAL_COMMAND, DIAG_APPROVAL_AGENTS, DIAG_CONFIG,
	};
	for (size_t i = 0; i < sizeof(config_checks) / sizeof(config_checks[0]);
	     i++)
		assert_int_equal(diag_check_event(config_checks[i]), 0);
	assert_int_equal(diag_check_event(DIAG_VERIFY_SUBJECT_NAME), 20052);
	assert_int_equal(diag_check_event(DIAG_VERIFY_KEY_USAGE), 20049);
	assert_int_equal(diag_check_event(DIAG_VERIFY_VALIDITY), 20051);
	assert_int_equal(diag_check_event(DIAG_VERIFY_EXPIRY), 21020);
	assert_int_equal(diag_check_event(DIAG_AGENT_TCP), 21006);
	assert_int_equal(diag_check_event(DIAG_APPROVAL_TLS), 21007);
	assert_int_equal(diag_check_event(DIAG_TRUST_STORE), 20072);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_only_where_they_happen),
		cmocka_unit_test(test_table_lookups),
		cmocka_unit_test(test_list_operations),
		cmocka_unit_test(test_json_exact),
		cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_json_one_row_per_check),
		cmocka_unit_test(test_text_output_escapes),
		cmocka_unit_test(test_text_output),
		cmocka_unit_test(test_add_rerun),
		cmocka_unit_test(test_errno_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
