/*
 * test_validate.c - the value rules (core/validate.c) one by one: host
 * names for the computer and for the management server, the management
 * group (every forbidden character, spaces, 50 characters), template
 * name, port, key size, URLs and the CA URL's plain-http policy, the
 * SHA-256 pin, commands and paths (tests/ui/test_ui_fields.c checks that
 * the loader, stage 5 and the screen report a rule's message word for
 * word).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/validate.h"

static struct verdict V;

static void expect(enum diag_severity got, enum diag_severity want,
		   const char *needle, const char *call)
{
	if (got != want || got != V.sev || (needle && !strstr(V.msg, needle)))
		fail_msg("%s: severity %d, message \"%s\"", call, (int)got,
			 V.msg);
}

#define EXPECT(call, want, needle) expect((call), (want), (needle), #call)

/* One case of a text rule: the value, the severity, a part of the
 * message (NULL: none expected). */
struct tcase {
	const char *in;
	enum diag_severity sev;
	const char *needle;
};

static void run_cases(enum diag_severity (*rule)(const char *,
						 struct verdict *),
		      const struct tcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum diag_severity got = rule(c[i].in, &V);
		if (got != c[i].sev || got != V.sev ||
		    (c[i].needle && !strstr(V.msg, c[i].needle)) ||
		    (got == SEV_PASS && V.msg[0]))
			fail_msg("'%s': severity %d, message \"%s\"",
				 c[i].in ? c[i].in : "(null)", (int)got, V.msg);
	}
}

#define RUN(rule, cases) run_cases(rule, cases, sizeof(cases) / sizeof(cases[0]))

static const struct tcase COMPUTER[] = {
	{ "agent01.example.com", SEV_PASS, NULL },
	{ "a-b.c0.example", SEV_PASS, NULL },
	{ "", SEV_FAIL, "no computer name" },
	{ NULL, SEV_FAIL, "no computer name" },
	{ "agent01", SEV_FAIL, "'agent01' has no domain part" },
	{ "agent01.example.com.", SEV_FAIL, "trailing dot" },
	{ "192.168.1.10", SEV_FAIL, "IP address" },
	{ "::1", SEV_FAIL, "IP address" },
	{ "agent_01.example.com", SEV_FAIL, "contains '_'" },
	{ "agent..example.com", SEV_FAIL, "empty label" },
	{ "-agent.example.com", SEV_FAIL, "starts or ends with '-'" },
	{ "agent.example-.com", SEV_FAIL, "starts or ends with '-'" },
	{ "agent.caf\xc3\xa9.com", SEV_FAIL, "non-ASCII" },
	{ "host.123", SEV_FAIL, "neither a host name nor an IP address" },
};

static void test_computer_fqdn(void **st)
{
	RUN(rule_computer_fqdn, COMPUTER);
	char label[80];
	memset(label, 'a', sizeof(label));
	snprintf(label + 64, sizeof(label) - 64, ".example");
	EXPECT(rule_computer_fqdn(label, &V), SEV_FAIL, "longer than 63");
	char longname[300];
	memset(longname, 'a', sizeof(longname));
	for (int i = 50; i < 290; i += 51)
		longname[i] = '.';
	longname[299] = '\0';
	EXPECT(rule_computer_fqdn(longname, &V), SEV_FAIL, "at most 253");
	assert_non_null(strstr(V.fix, "[computer] fqdn"));
}

static const struct tcase SERVER[] = {
	{ "ms01.contoso.com", SEV_PASS, NULL },
	{ "ms01.contoso.com.", SEV_PASS, NULL },
	{ "127.0.0.1", SEV_PASS, NULL },
	{ "::1", SEV_PASS, NULL },
	{ "localhost", SEV_PASS, NULL },
	{ "ms01", SEV_WARN,
	  "management server 'ms01' is a short name; the agent should use the server's FQDN" },
	{ "", SEV_FAIL, "no management server" },
	{ "ms_01.contoso.com", SEV_FAIL, "contains '_'" },
	{ "ms01..contoso.com", SEV_FAIL, "empty label" },
	{ ".", SEV_FAIL, "empty label" },
	{ "ms .contoso.com", SEV_FAIL, "contains ' '" },
	{ "300.1.1.1", SEV_FAIL, "neither a host name nor an IP address" },
	{ "1234", SEV_FAIL, "neither a host name" },
	{ "ms\x01.contoso.com", SEV_FAIL, "non-printable" },
};

static void test_server(void **st)
{
	RUN(rule_server, SERVER);
	rule_server("ms01", &V);
	assert_non_null(strstr(V.fix, "fully qualified"));
}

static void test_mgmt_group(void **st)
{
	EXPECT(rule_mgmt_group("OpsMgrMG", &V), SEV_PASS, NULL);
	EXPECT(rule_mgmt_group("Contoso Ops-1_x", &V), SEV_PASS, NULL);
	for (const char *p = RULE_MGMT_GROUP_FORBIDDEN; *p; p++) {
		char mg[32], quoted[8];
		snprintf(mg, sizeof(mg), "Ops%cMG", *p);
		snprintf(quoted, sizeof(quoted), "'%c'", *p);
		EXPECT(rule_mgmt_group(mg, &V), SEV_FAIL, quoted);
	}
	EXPECT(rule_mgmt_group(" OpsMgr", &V), SEV_FAIL, "begins with a space");
	EXPECT(rule_mgmt_group("OpsMgr ", &V), SEV_FAIL, "ends with a space");
	EXPECT(rule_mgmt_group("Ops\tMG", &V), SEV_FAIL, "control character");
	EXPECT(rule_mgmt_group("", &V), SEV_FAIL, "no management group");
	char mg[61];
	memset(mg, 'a', sizeof(mg));
	mg[RULE_MGMT_GROUP_MAX] = '\0';
	EXPECT(rule_mgmt_group(mg, &V), SEV_PASS, NULL);
	mg[RULE_MGMT_GROUP_MAX] = 'a';
	mg[60] = '\0';
	EXPECT(rule_mgmt_group(mg, &V), SEV_FAIL,
	       "is 60 characters long, the limit is 50");
	char u[128] = "";                 /* 50 characters, 100 bytes */
	for (int i = 0; i < 50; i++)
		strcat(u, "\xc3\xa9");
	EXPECT(rule_mgmt_group(u, &V), SEV_PASS, NULL);
}

/* The PFX friendly name: at most 64 characters (not bytes), empty allowed
 * (stage 4 then uses the computer's name). */
static void test_friendly_name(void **st)
{
	char name[4 * RULE_FRIENDLY_NAME_MAX];
	EXPECT(rule_friendly_name("", &V), SEV_PASS, NULL);
	EXPECT(rule_friendly_name(NULL, &V), SEV_PASS, NULL);
	EXPECT(rule_friendly_name("OpsMgr agent; web01", &V), SEV_PASS, NULL);
	memset(name, 'a', RULE_FRIENDLY_NAME_MAX);
	name[RULE_FRIENDLY_NAME_MAX] = '\0';
	EXPECT(rule_friendly_name(name, &V), SEV_PASS, NULL);
	strcat(name, "b");
	EXPECT(rule_friendly_name(name, &V), SEV_FAIL,
	       "the friendly name is 65 characters long, the limit is 64: 'aaaa");
	assert_non_null(strstr(V.fix, "leave it empty"));
	/* 64 two-byte characters pass */
	name[0] = '\0';
	for (int i = 0; i < RULE_FRIENDLY_NAME_MAX; i++)
		strcat(name, "\xc3\xa9");
	EXPECT(rule_friendly_name(name, &V), SEV_PASS, NULL);
}

static void test_template_port_bits(void **st)
{
	EXPECT(rule_template("OpsMgr", &V), SEV_PASS, NULL);
	EXPECT(rule_template("Ops Mgr", &V), SEV_WARN,
	       "template 'Ops Mgr' contains spaces");
	EXPECT(rule_template("", &V), SEV_FAIL, "no certificate template");
	EXPECT(rule_template("Ops\nMgr", &V), SEV_FAIL, "control character");

	EXPECT(rule_port(1, &V), SEV_PASS, NULL);
	EXPECT(rule_port(5723, &V), SEV_PASS, NULL);
	EXPECT(rule_port(65535, &V), SEV_PASS, NULL);
	EXPECT(rule_port(0, &V), SEV_FAIL, "between 1 and 65535");
	EXPECT(rule_port(65536, &V), SEV_FAIL, "port 65536 is out of range");
	EXPECT(rule_port(-5, &V), SEV_FAIL, "out of range");

	EXPECT(rule_key_bits(2048, &V), SEV_PASS, NULL);
	EXPECT(rule_key_bits(3072, &V), SEV_PASS, NULL);
	EXPECT(rule_key_bits(4096, &V), SEV_PASS, NULL);
	EXPECT(rule_key_bits(1024, &V), SEV_WARN, "weaker than the 2048 bits");
	EXPECT(rule_key_bits(2047, &V), SEV_WARN, "2047-bit");
	EXPECT(rule_key_bits(1023, &V), SEV_FAIL, "below the 1024-bit floor");
	EXPECT(rule_key_bits(16385, &V), SEV_FAIL, "larger than this tool makes");
	assert_string_equal(V.fix, "use 2048 (the default), 3072 or 4096");
}

static const struct tcase URLS[] = {
	{ "https://ca.example.com/certsrv/", SEV_PASS, NULL },
	{ "http://pki.example.com/root.cer", SEV_PASS, NULL },
	{ "https://[::1]:8443/certsrv/", SEV_PASS, NULL },
	{ "", SEV_FAIL, "no URL" },
	{ "ftp://ca/", SEV_FAIL, "is not an http:// or https:// URL" },
	{ "https://ca.example.com/a b", SEV_FAIL, "contains a space" },
	{ "https:///certsrv/", SEV_FAIL, "has no host" },
	{ "https://:443/", SEV_FAIL, "has no host" },
	{ "https://ca:/", SEV_FAIL, "empty port" },
	{ "https://ca:44x/", SEV_FAIL, "invalid port '44x'" },
	{ "https://ca:0/", SEV_FAIL, "port out of range (0)" },
	{ "https://ca:65535/", SEV_PASS, NULL },
	{ "https://ca:65536/", SEV_FAIL, "port out of range (65536)" },
	{ "https://ca:6553600/", SEV_FAIL, "invalid port '6553600'" },
	{ "https://[::1]/", SEV_PASS, NULL },
	{ "https://[::1/", SEV_FAIL, "unterminated '['" },
	{ "https://[::1]x/", SEV_FAIL, "after the IPv6" },
};

static void test_urls(void **st)
{
	RUN(rule_url, URLS);
	rule_url("https://ca:/", &V);
	assert_string_equal(V.fix,
			    "write the full URL, e.g. https://ca.example.com/certsrv/");
	rule_url("https://ca:99999/", &V);
	assert_string_equal(V.fix, "write the port as a number from 1 to 65535");
	EXPECT(rule_url("https://u:pw@ca/", &V), SEV_FAIL,
	       "must not contain a user name or password");
	assert_null(strstr(V.msg, "pw"));

	EXPECT(rule_ca_url("https://ca.example.com/certsrv/", false, &V),
	       SEV_PASS, NULL);
	EXPECT(rule_ca_url("http://ca/certsrv/", false, &V), SEV_FAIL,
	       "'http://ca/certsrv/' is plain http: requests, passwords");
	EXPECT(rule_ca_url("http://ca/certsrv/", true, &V), SEV_WARN,
	       "plain http (allowed by allow_insecure_http)");
	EXPECT(rule_ca_url(NULL, true, &V), SEV_FAIL, "no CA URL is set");
	EXPECT(rule_plain_http("http://pki/root.cer", false, &V), SEV_FAIL,
	       "is plain http");
	EXPECT(rule_plain_http("https://pki/root.cer", false, &V), SEV_PASS,
	       NULL);
	EXPECT(rule_plain_http("", true, &V), SEV_FAIL, "no URL");
	EXPECT(rule_ca_url("ca/certsrv", true, &V), SEV_FAIL, "not an http://");
}

static void test_pin_command_path(void **st)
{
	char hex[RULE_PIN_HEX + 1];
	EXPECT(rule_pin("0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9:"
			"0a1b2c3d4e5f60718293a4b5c6d7e8f9", hex, &V),
	       SEV_PASS, NULL);
	assert_string_equal(hex, "0A1B2C3D4E5F60718293A4B5C6D7E8F9"
				 "0A1B2C3D4E5F60718293A4B5C6D7E8F9");
	EXPECT(rule_pin("abcd", hex, &V), SEV_FAIL, "it has 4 hex digits, 64");
	EXPECT(rule_pin("zz", NULL, &V), SEV_FAIL, "'z' is not a hex digit");

	EXPECT(rule_command("/bin/install --quiet 'a b'", &V), SEV_PASS, NULL);
	EXPECT(rule_command("", &V), SEV_PASS, NULL);
	EXPECT(rule_command("/bin/x 'open", &V), SEV_FAIL,
	       "is not a usable command: unterminated single quote");

	EXPECT(rule_path("/srv/a.pfx", &V), SEV_PASS, NULL);
	EXPECT(rule_path("~/a.pfx", &V), SEV_WARN, "'~' is not expanded");
}

static void test_rule_diag(void **st)
{
	struct diag_list dl;
	diag_list_init(&dl);
	rule_server("ms01.contoso.com", &V);
	assert_null(rule_diag(&dl, DIAG_AGENT_SERVER, "agent.server", &V));
	assert_int_equal(dl.n, 0);
	rule_server("ms01", &V);
	const struct diag *d = rule_diag(&dl, DIAG_AGENT_SERVER, "agent.server",
					 &V);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_WARN);
	assert_string_equal(d->field, "agent.server");
	assert_string_equal(d->message, V.msg);
	assert_string_equal(d->fix, V.fix);
	diag_list_release(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_computer_fqdn),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_mgmt_group),
		cmocka_unit_test(test_friendly_name),
		cmocka_unit_test(test_template_port_bits),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_pin_command_path),
		cmocka_unit_test(test_rule_diag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
