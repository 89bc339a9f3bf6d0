/*
 * test_events.c - the Operations Manager events table (core/events.c):
 * every event a check in core/diag.h names and every event opsmgr-facts.md
 * lists has an entry, ids are unique and ascending (om_event_find finds
 * each), the texts can be echoed by install.cmd (printable ASCII, none of
 * '"' '!' '^'), the events install.cmd names after its restart are
 * exactly the issue's list, `check`'s text renderer prints the
 * meaning from the table (and where `explain` says more), and every
 * event issue 17 lists has causes each decided by a check that exists (or
 * none, said so), here and on a Windows computer's evidence (the evidence
 * check's own event agrees).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/events.h"
#include "core/strbuf.h"
#include "windows/cmdquote.h"

static void test_every_check_event_known(void **state)
{
	(void)state;
	int named = 0;
	for (int c = 0; c < DIAG_CHECK_COUNT; c++) {
		int id = diag_check_event((enum diag_check)c);
		if (!id)
			continue;
		named++;
		const struct om_event *e = om_event_find(id);
		if (!e)
			fail_msg("check '%s' names event %d, which the events "
				 "table lacks", diag_check_id((enum diag_check)c),
				 id);
		assert_int_equal(e->id, id);
	}
	assert_true(named >= 10);
}

static void test_facts_events_known(void **state)
{
	(void)state;
	/* opsmgr-facts.md, "Events" */
	static const int facts[] = {
		20053, 20000, 20002, 20049, 20050, 20051, 20052, 20054, 20057,
		20066, 20067, 20068, 20077, 21036, 20069, 20070, 20071, 20072,
		20075, 20076, 21001, 21006, 21007, 21016, 21020, 21021, 21022,
		21023, 1210,
	};
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (!om_event_find(facts[i]))
			fail_msg("event %d of opsmgr-facts.md is missing",
				 facts[i]);
	assert_null(om_event_find(0));
	assert_null(om_event_find(-1));
	assert_null(om_event_find(20001));
	assert_null(om_event_find(99999));
}

static void test_ids_unique_ascending(void **state)
{
	(void)state;
	size_t n = 0;
	const struct om_event *t = om_event_table(&n);
	assert_true(n >= 29);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(t[i - 1].id < t[i].id);
		assert_ptr_equal(om_event_find(t[i].id), &t[i]);
	}
}

static void check_text(int id, const char *what, const char *s)
{
	if (!s || !*s)
		fail_msg("event %d: empty %s", id, what);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e || strchr("\"!^", *p))
			fail_msg("event %d: %s holds 0x%02x, which install.cmd "
				 "cannot echo", id, what, *p);
	/* and cmdquote's echo writer takes it */
	struct strbuf b = STRBUF_INIT;
	bool inq = false;
	assert_int_equal(cmdquote_echo(&b, s, strlen(s), &inq), 0);
	strbuf_release(&b);
}

static void test_texts_echoable(void **state)
{
	(void)state;
	size_t n = 0;
	const struct om_event *t = om_event_table(&n);
	for (size_t i = 0; i < n; i++) {
		check_text(t[i].id, "source", t[i].source);
		check_text(t[i].id, "meaning", t[i].meaning);
		check_text(t[i].id, "cause", t[i].cause);
		check_text(t[i].id, "fix", t[i].fix);
		for (int c = 0; c < OM_EVENT_CAUSES && t[i].causes[c].what; c++)
			check_text(t[i].id, "cause", t[i].causes[c].what);
	}
}

/* "stage/id" names a row of DIAG_CHECKS. */
static bool check_exists(const char *ref)
{
	return diag_check_ref(ref) >= 0;
}

/* issue 17: every event has its causes (the list is the facts'
 * list less 1210: test_facts_events_known), each with the check that
 * decides it; the checks exist; a cause list has no gap. */
static void test_causes_and_checks(void **state)
{
	(void)state;
	size_t n = 0;
	int decided = 0, on_evidence = 0;
	const struct om_event *t = om_event_table(&n);
	for (size_t i = 0; i < n; i++) {
		bool end = false;
		if (!t[i].causes[0].what)
			fail_msg("event %d has no causes", t[i].id);
		for (int c = 0; c < OM_EVENT_CAUSES; c++) {
			const struct om_cause *k = &t[i].causes[c];
			if (!k->what) {
				end = true;
				assert_null(k->check);
				assert_null(k->evidence);
				assert_null(k->finding);
				continue;
			}
			if (end)
				fail_msg("event %d: cause %d after a gap", t[i].id, c);
			if (k->check && !check_exists(k->check))
				fail_msg("event %d: cause '%s' names check '%s', "
					 "which core/diag.h lacks", t[i].id,
					 k->what, k->check);
			if (k->evidence && !check_exists(k->evidence))
				fail_msg("event %d: cause '%s' names evidence check "
					 "'%s', which core/diag.h lacks", t[i].id,
					 k->what, k->evidence);
			if (k->finding && !k->evidence)
				fail_msg("event %d: cause '%s' has a finding but no "
					 "evidence check", t[i].id, k->what);
			decided += k->check != NULL;
			on_evidence += k->evidence != NULL;
		}
	}
	assert_true(decided >= 50);
	assert_true(on_evidence >= 35);
	/* the decisive ones: serial order and truncation are serial_match
	 * here, cert_in_store on a Windows computer's evidence */
	const struct om_event *e = om_event_find(20066);
	assert_string_equal(e->causes[0].check, "serial/serial_match");
	assert_string_equal(e->causes[0].evidence, "serial/cert_in_store");
	assert_string_equal(e->causes[1].evidence, "serial/cert_in_store");
	assert_string_equal(e->causes[2].evidence, "serial/cert_in_store");
	assert_string_equal(om_event_find(20069)->causes[0].check,
			    "verify/key_type");
	assert_string_equal(om_event_find(20069)->causes[0].evidence,
			    "serial/key_provider");
	assert_string_equal(om_event_find(20068)->causes[0].evidence,
			    "serial/private_key");
	assert_string_equal(om_event_find(20072)->causes[0].evidence,
			    "trust/root_store");
	assert_string_equal(om_event_find(21006)->causes[1].evidence,
			    "agent/tcp");
}

/* A check's failure leads to event E (DIAG_CHECKS): where that check also
 * decides causes on the evidence, E is one of the events it decides, so
 * the two tables (check -> event, event -> deciding check) agree. */
static void test_evidence_checks_agree(void **state)
{
	(void)state;
	size_t n = 0;
	int agreed = 0;
	const struct om_event *t = om_event_table(&n);
	for (int c = 0; c < DIAG_CHECK_COUNT; c++) {
		int id = diag_check_event((enum diag_check)c);
		bool named = false, in_event = false;
		for (size_t i = 0; i < n; i++)
			for (int k = 0; k < OM_EVENT_CAUSES && t[i].causes[k].what; k++) {
				const char *ev = t[i].causes[k].evidence;
				if (!ev || diag_check_ref(ev) != c)
					continue;
				named = true;
				in_event |= t[i].id == id;
			}
		if (!named || !id)
			continue;
		if (!in_event)
			fail_msg("check %s/%s leads to event %d, but event %d "
				 "does not name it as an evidence check",
				 stage_id(diag_check_stage((enum diag_check)c)),
				 diag_check_id((enum diag_check)c), id, id);
		agreed++;
	}
	assert_true(agreed >= 12);
}

static void test_after_restart_list(void **state)
{
	(void)state;
	/* issue 16, step 7 */
	static const int want[] = { 20050, 20052, 20066, 20068, 20069, 20071,
				    21007, 21016 };
	size_t n = 0, k = 0;
	const struct om_event *t = om_event_table(&n);
	for (size_t i = 0; i < n; i++) {
		if (!t[i].after_restart)
			continue;
		assert_true(k < sizeof(want) / sizeof(want[0]));
		assert_int_equal(t[i].id, want[k]);
		k++;
	}
	assert_int_equal(k, sizeof(want) / sizeof(want[0]));
	assert_false(om_event_find(OM_EVENT_CERT_LOADED)->after_restart);
	assert_string_equal(om_event_find(20069)->source, "OpsMgr Connector");
}

static void test_diag_event_line(void **state)
{
	(void)state;
	struct diag_list l;
	diag_list_init(&l);
	diag_add(&l, DIAG_VERIFY_KEY_TYPE, SEV_FAIL, NULL, "fix it", "CNG key");
	/* no fix of its own: the pointer alone */
	diag_add(&l, DIAG_SERIAL_MATCH, SEV_WARN, NULL, NULL, "serial differs");
	/* an event the table lacks: no pointer to `explain` */
	struct diag *d = diag_add(&l, DIAG_AGENT_TCP, SEV_FAIL, NULL, "open it",
				  "port closed");
	d->event = 4625;
	/* a pass names no event and no fix */
	diag_add(&l, DIAG_VERIFY_EKU, SEV_PASS, NULL, "never", "both EKUs");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	diag_print_text(f, &l, SEV_PASS);
	fclose(f);
	char want[512];
	snprintf(want, sizeof(want),
		 "     fix: fix it; 'opsmgr-enroll explain 20069' for the causes\n"
		 "     event: 20069 (%s)\n", om_event_find(20069)->meaning);
	assert_non_null(strstr(buf, want));
	snprintf(want, sizeof(want),
		 "     fix: see 'opsmgr-enroll explain 20066' for the causes\n"
		 "     event: 20066 (%s)\n", om_event_find(20066)->meaning);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "     fix: open it\n     event: 4625\n"));
	assert_null(strstr(buf, "never"));
	/* JSON keeps the fix as it is */
	free(buf);
	f = open_memstream(&buf, &len);
	diag_write_json(f, &l);
	fclose(f);
	assert_null(strstr(buf, "explain"));
	assert_non_null(strstr(buf, "\"fix it\""));
	free(buf);
	diag_list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_check_event_known),
		cmocka_unit_test(test_facts_events_known),
		cmocka_unit_test(test_ids_unique_ascending),
		cmocka_unit_test(test_texts_echoable),
		cmocka_unit_test(test_after_restart_list),
		cmocka_unit_test(test_diag_event_line),
		cmocka_unit_test(test_causes_and_checks),
		cmocka_unit_test(test_evidence_checks_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
