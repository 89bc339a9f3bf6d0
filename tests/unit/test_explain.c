/*
 * test_explain.c - `opsmgr-enroll explain` (wizard/explain.c): every event
 * of the table (issue 17's list and 1210) answers with its meaning, each
 * cause with its deciding checks (`check`'s here and `check --evidence`'s
 * on a Windows computer's evidence, or why none), and the fix, in lines of
 * at most 79 columns; a whole event text
 * as Event Viewer, wevtutil (text and XML) and PowerShell print it finds
 * its ID, numbers that are not event IDs (addresses, ports, times, record
 * IDs) do not; an unknown ID or a text without one is a clear message and
 * exit 2; the command line takes the text as it is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/events.h"
#include "explain.h"

struct run {
	int rc;
	char *out, *err;
};

/* explain_run on argv (n words), stdin from `in` when not NULL. */
static struct run run_explain(int n, char **argv, const char *in)
{
	struct run r;
	size_t ol = 0, el = 0;
	FILE *o = open_memstream(&r.out, &ol);
	FILE *e = open_memstream(&r.err, &el);
	FILE *i = fmemopen((void *)(in ? in : ""), in ? strlen(in) + 1 : 1, "r");
	assert_non_null(o);
	assert_non_null(e);
	assert_non_null(i);
	r.rc = explain_run(n, argv, i, o, e);
	fclose(o);
	fclose(e);
	fclose(i);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void assert_width(const char *s, int width)
{
	for (const char *line = s; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if ((int)len > width)
			fail_msg("line longer than %d: '%.*s'", width, (int)len,
				 line);
		line += len + (nl ? 1 : 0);
	}
}

/* The text joined with single spaces (undoes the wrapping). */
static char *unwrapped(const char *s)
{
	char *u = malloc(strlen(s) + 1), *w = u;
	assert_non_null(u);
	for (const char *p = s; *p; p++) {
		if (*p == ' ' || *p == '\n') {
			if (w > u && w[-1] != ' ')
				*w++ = ' ';
		} else {
			*w++ = *p;
		}
	}
	*w = 0;
	return u;
}

/* Every event of the table (test_events: the list is in it). */
static void test_every_event(void **st)
{
	(void)st;
	size_t n = 0;
	const struct om_event *t = om_event_table(&n);
	for (size_t i = 0; i < n; i++) {
		char id[16];
		snprintf(id, sizeof(id), "%d", t[i].id);
		char *argv[] = { id };
		struct run r = run_explain(1, argv, NULL);
		const struct om_event *e = &t[i];
		assert_int_equal(r.rc, 0);
		assert_string_equal(r.err, "");
		char head[64];
		snprintf(head, sizeof(head), "event %d (%s, log", e->id,
			 e->source);
		assert_true(strncmp(r.out, head, strlen(head)) == 0);
		assert_width(r.out, 79);
		char *u = unwrapped(r.out);
		assert_non_null(strstr(u, e->meaning));
		assert_non_null(strstr(u, e->fix));
		for (int c = 0; c < OM_EVENT_CAUSES && e->causes[c].what; c++) {
			const struct om_cause *k = &e->causes[c];
			char want[512];
			/* the cause, then its two deciders */
			const char *at = strstr(u, k->what);
			assert_non_null(at);
			snprintf(want, sizeof(want), "%s decided by: %s on "
				 "collected evidence: %s", k->what,
				 k->check ? k->check : "the event's own text, or "
				 "the other computer (no check here)",
				 k->evidence ? k->evidence : "cannot tell");
			if (!strstr(u, want))
				fail_msg("event %d: '%s' lacks '%s'", e->id, u, want);
		}
		free(u);
		run_free(&r);
	}
}

/* The serial faults and the CNG key: both deciders, by name. */
static void test_evidence_deciders(void **st)
{
	(void)st;
	char *a20066[] = { "20066" };
	struct run r = run_explain(1, a20066, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out,
		"  1. the registry serial was written in certificate order, not reversed\n"
		"     decided by: serial/serial_match\n"
		"     on collected evidence: serial/cert_in_store\n"));
	char *u = unwrapped(r.out);
	assert_non_null(strstr(u, "'on collected evidence' of 'opsmgr-enroll "
			       "check --evidence DIR|ZIP' on what collect.cmd "
			       "gathered on a Windows computer"));
	free(u);
	run_free(&r);
	char *a20069[] = { "20069" };
	r = run_explain(1, a20069, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out,
		"  1. the key was imported into a CNG/KSP provider (KeySpec 0)\n"
		"     decided by: verify/key_type\n"
		"     on collected evidence: serial/key_provider\n"));
	assert_non_null(strstr(r.out,
		"  2. the template makes signature-only keys (KeySpec 2)\n"
		"     decided by: verify/key_type\n"
		"     on collected evidence: serial/key_provider\n"));
	run_free(&r);
	/* a cause the evidence cannot tell says so */
	char *a20070[] = { "20070" };
	r = run_explain(1, a20070, NULL);
	assert_non_null(strstr(r.out,
		"     on collected evidence: cannot tell\n"));
	run_free(&r);
}

/* Event Viewer's "Copy details as text" of a 21007. */
static const char VIEWER_21007[] =
	"Log Name:      Operations Manager\r\n"
	"Source:        OpsMgr Connector\r\n"
	"Date:          12/3/2026 4:17:44 PM\r\n"
	"Event ID:      21007\r\n"
	"Task Category: None\r\n"
	"Level:         Error\r\n"
	"Keywords:      Classic\r\n"
	"User:          N/A\r\n"
	"Computer:      web20071.example.test\r\n"
	"Description:\r\n"
	"The OpsMgr Connector cannot create a mutually authenticated "
	"connection to scom01.example.test because it is not in a trusted "
	"domain.\r\n";

/* wevtutil qe "Operations Manager" /f:xml, one event. */
static const char XML_21007[] =
	"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
	"<System><Provider Name='OpsMgr Connector'/>"
	"<EventID Qualifiers='49152'>21007</EventID><Version>0</Version>"
	"<Level>2</Level><Task>0</Task><Keywords>0x80000000000000</Keywords>"
	"<TimeCreated SystemTime='2026-12-03T16:17:44.0000000Z'/>"
	"<EventRecordID>20066</EventRecordID><Channel>Operations Manager"
	"</Channel><Computer>web.example.test</Computer></System>"
	"<EventData><Data>scom01.example.test</Data></EventData></Event>";

/* wevtutil qe ... /f:text */
static const char WEVTUTIL_21007[] =
	"Event[0]:\n"
	"  Log Name: Operations Manager\n"
	"  Source: OpsMgr Connector\n"
	"  Date: 2026-12-03T16:17:44.000\n"
	"  Event ID: 21007\n"
	"  Task: N/A\n"
	"  Level: Error\n"
	"  Description: \n"
	"The OpsMgr Connector cannot create a mutually authenticated "
	"connection to scom01.example.test because it is not in a trusted "
	"domain.\n";

/* Get-WinEvent ... | Format-List */
static const char PS_21007[] =
	"TimeCreated  : 12/3/2026 4:17:44 PM\n"
	"ProviderName : OpsMgr Connector\n"
	"Id           : 21007\n"
	"Message      : The OpsMgr Connector cannot create a mutually "
	"authenticated connection to scom01.example.test because it is not "
	"in a trusted domain.\n";

static void test_full_texts_find_21007(void **st)
{
	(void)st;
	assert_int_equal(explain_find_id(VIEWER_21007), 21007);
	assert_int_equal(explain_find_id(XML_21007), 21007);
	assert_int_equal(explain_find_id(WEVTUTIL_21007), 21007);
	assert_int_equal(explain_find_id(PS_21007), 21007);
	/* the whole Event Viewer text as one argument, and on stdin */
	char *argv[] = { (char *)VIEWER_21007 };
	struct run r = run_explain(1, argv, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(strncmp(r.out, "event 21007 (", 13) == 0);
	run_free(&r);
	char *dash[] = { "-" };
	r = run_explain(1, dash, XML_21007);
	assert_int_equal(r.rc, 0);
	assert_true(strncmp(r.out, "event 21007 (", 13) == 0);
	run_free(&r);
	/* pasted unquoted: the shell's words joined again */
	char *words[] = { "Event", "ID:", "21007", "Task", "Category:", "None" };
	r = run_explain(6, words, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(strncmp(r.out, "event 21007 (", 13) == 0);
	run_free(&r);
}

static void test_find_id_forms(void **st)
{
	(void)st;
	assert_int_equal(explain_find_id("21007"), 21007);
	assert_int_equal(explain_find_id("  20069 \n"), 20069);
	assert_int_equal(explain_find_id("EventID=20050"), 20050);
	assert_int_equal(explain_find_id("event_id: 21016"), 21016);
	assert_int_equal(explain_find_id("eventid 20066"), 20066);
	/* Operations Manager 2007's documented example: no space after ':' */
	assert_int_equal(explain_find_id("Event Type:Error\nEvent Source:OpsMgr "
					 "Connector\nEvent Category:None\n"
					 "Event ID:21007\nDate:1/19/2007\n"
					 "Time:11:01:57 AM\n"), 21007);
	/* the HealthService event reference's "EventID=N" */
	assert_int_equal(explain_find_id("EventID=20002\nSeverity=Error"), 20002);
	/* an unknown ID named as one is still that ID */
	assert_int_equal(explain_find_id("Event ID: 4625"), 4625);
	/* free text: the first number that is an event */
	assert_int_equal(explain_find_id("the agent logs 20071 every minute, "
					 "then 21016"), 20071);
	/* addresses, ports, times, versions and words are not events */
	assert_int_equal(explain_find_id("connect to 10.0.0.5:5723 failed at "
					 "4:17:44, agent 10.0.20053.0"), 0);
	assert_int_equal(explain_find_id("host web21007 and 0x21007"), 0);
	assert_int_equal(explain_find_id("PreventID: 21007x"), 0);
	assert_int_equal(explain_find_id(""), 0);
	assert_int_equal(explain_find_id(NULL), 0);
	/* an overlong number is not an ID */
	assert_int_equal(explain_find_id("12345678901234567890"), 0);
}

static void test_unknown_exit_2(void **st)
{
	(void)st;
	char *unknown[] = { "4625" };
	struct run r = run_explain(1, unknown, NULL);
	assert_int_equal(r.rc, 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "event 4625 is not one of the"));
	assert_non_null(strstr(r.err, "(1210 to 21036)"));
	run_free(&r);
	char *none[] = { "the", "agent", "is", "broken" };
	r = run_explain(4, none, NULL);
	assert_int_equal(r.rc, 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "no event ID found in the text"));
	run_free(&r);
	char *dash[] = { "-" };
	r = run_explain(1, dash, "");
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "no event ID found"));
	run_free(&r);
}

static int parse(struct cli *c, char *err, int argc, char **argv)
{
	return cli_parse(argc, argv, c, err, 256);
}

static void test_cli_explain(void **st)
{
	(void)st;
	struct cli c;
	char err[256];
	char *a1[] = { "opsmgr-enroll", "explain", "21007", NULL };
	assert_int_equal(parse(&c, err, 3, a1), 0);
	assert_int_equal(c.cmd, CLI_EXPLAIN);
	assert_int_equal(c.explain_argc, 1);
	assert_string_equal(c.explain_argv[0], "21007");
	/* words that look like options are text */
	char *a2[] = { "opsmgr-enroll", "explain", "--", "-x", "Event", NULL };
	assert_int_equal(parse(&c, err, 5, a2), 0);
	assert_int_equal(c.cmd, CLI_EXPLAIN);
	assert_int_equal(c.explain_argc, 3);
	char *a3[] = { "opsmgr-enroll", "explain", NULL };
	assert_int_equal(parse(&c, err, 2, a3), -1);
	assert_non_null(strstr(err, "explain needs an EVENT_ID"));
	char *a4[] = { "opsmgr-enroll", "explain", "--help", NULL };
	assert_int_equal(parse(&c, err, 3, a4), 0);
	assert_int_equal(c.cmd, CLI_HELP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_event),
		cmocka_unit_test(test_evidence_deciders),
		cmocka_unit_test(test_full_texts_find_21007),
		cmocka_unit_test(test_find_id_forms),
		cmocka_unit_test(test_unknown_exit_2),
		cmocka_unit_test(test_cli_explain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
