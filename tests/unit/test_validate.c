/*
 * test_validate.c - the value rules (core/validate.c) one by one: host
 * names for the computer and for the management server, the management
 * group (every forbidden character, spaces, 50 characters), template
 * name, port, key size, URLs and the CA URL's plain-http policy, the
 * SHA-256 pin, commands and paths; and that the loader, the schema and
 * stage 5 report a rule's message word for word.
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
#include <unistd.h>

#include "core/config.h"
#include "core/config_schema.h"
#include "core/ctx.h"
#include "core/state.h"
#include "core/validate.h"
#include "stages/stages.h"

static struct verdict V;

static void expect(enum diag_severity got, enum diag_severity want,
		   const char *needle, const char *call)
{
	if (got != want || got != V.sev || (needle && !strstr(V.msg, needle)))
		fail_msg("%s: severity %d, message \"%s\"", call, (int)got,
			 V.msg);
}

#define EXPECT(call, want, needle) expect((call), (want), (needle), #call)

static void test_computer_fqdn(void **st)
{
	EXPECT(rule_computer_fqdn("agent01.example.com", &V), SEV_PASS, NULL);
	assert_string_equal(V.msg, "");
	EXPECT(rule_computer_fqdn("a-b.c0.example", &V), SEV_PASS, NULL);
	EXPECT(rule_computer_fqdn("", &V), SEV_FAIL, "no computer name");
	EXPECT(rule_computer_fqdn(NULL, &V), SEV_FAIL, "no computer name");
	EXPECT(rule_computer_fqdn("agent01", &V), SEV_FAIL,
	       "computer name 'agent01' has no domain part");
	EXPECT(rule_computer_fqdn("agent01.example.com.", &V), SEV_FAIL,
	       "trailing dot");
	EXPECT(rule_computer_fqdn("192.168.1.10", &V), SEV_FAIL, "IP address");
	EXPECT(rule_computer_fqdn("::1", &V), SEV_FAIL, "IP address");
	EXPECT(rule_computer_fqdn("agent_01.example.com", &V), SEV_FAIL,
	       "contains '_'");
	EXPECT(rule_computer_fqdn("agent..example.com", &V), SEV_FAIL,
	       "empty label");
	EXPECT(rule_computer_fqdn("-agent.example.com", &V), SEV_FAIL,
	       "starts or ends with '-'");
	EXPECT(rule_computer_fqdn("agent.example-.com", &V), SEV_FAIL,
	       "starts or ends with '-'");
	EXPECT(rule_computer_fqdn("agent.caf\xc3\xa9.com", &V), SEV_FAIL,
	       "non-ASCII");
	EXPECT(rule_computer_fqdn("host.123", &V), SEV_FAIL,
	       "neither a host name nor an IP address");
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

static void test_server(void **st)
{
	EXPECT(rule_server("ms01.contoso.com", &V), SEV_PASS, NULL);
	EXPECT(rule_server("ms01.contoso.com.", &V), SEV_PASS, NULL);
	EXPECT(rule_server("127.0.0.1", &V), SEV_PASS, NULL);
	EXPECT(rule_server("::1", &V), SEV_PASS, NULL);
	EXPECT(rule_server("localhost", &V), SEV_PASS, NULL);
	EXPECT(rule_server("ms01", &V), SEV_WARN,
	       "management server 'ms01' is a short name; the agent should use the server's FQDN");
	assert_non_null(strstr(V.fix, "fully qualified"));
	EXPECT(rule_server("", &V), SEV_FAIL, "no management server");
	EXPECT(rule_server("ms_01.contoso.com", &V), SEV_FAIL, "contains '_'");
	EXPECT(rule_server("ms01..contoso.com", &V), SEV_FAIL, "empty label");
	EXPECT(rule_server(".", &V), SEV_FAIL, "empty label");
	EXPECT(rule_server("ms .contoso.com", &V), SEV_FAIL, "contains ' '");
	EXPECT(rule_server("300.1.1.1", &V), SEV_FAIL,
	       "neither a host name nor an IP address");
	EXPECT(rule_server("1234", &V), SEV_FAIL, "neither a host name");
	EXPECT(rule_server("ms\x01.contoso.com", &V), SEV_FAIL,
	       "non-printable");
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

static void test_urls(void **st)
{
	EXPECT(rule_url("https://ca.example.com/certsrv/", &V), SEV_PASS, NULL);
	EXPECT(rule_url("http://pki.example.com/root.cer", &V), SEV_PASS, NULL);
	EXPECT(rule_url("https://[::1]:8443/certsrv/", &V), SEV_PASS, NULL);
	EXPECT(rule_url("", &V), SEV_FAIL, "no URL");
	EXPECT(rule_url("ftp://ca/", &V), SEV_FAIL,
	       "is not an http:// or https:// URL");
	EXPECT(rule_url("https://ca.example.com/a b", &V), SEV_FAIL,
	       "contains a space");
	EXPECT(rule_url("https:///certsrv/", &V), SEV_FAIL, "has no host");
	EXPECT(rule_url("https://:443/", &V), SEV_FAIL, "has no host");
	EXPECT(rule_url("https://u:pw@ca/", &V), SEV_FAIL,
	       "must not contain a user name or password");
	assert_null(strstr(V.msg, "pw"));
	EXPECT(rule_url("https://ca:/", &V), SEV_FAIL, "empty port");
	EXPECT(rule_url("https://ca:44x/", &V), SEV_FAIL, "invalid port '44x'");
	EXPECT(rule_url("https://ca:0/", &V), SEV_FAIL, "port out of range (0)");
	EXPECT(rule_url("https://[::1/", &V), SEV_FAIL, "unterminated '['");
	EXPECT(rule_url("https://[::1]x/", &V), SEV_FAIL, "after the IPv6");

	EXPECT(rule_ca_url("https://ca.example.com/certsrv/", false, &V),
	       SEV_PASS, NULL);
	EXPECT(rule_ca_url("http://ca/certsrv/", false, &V), SEV_FAIL,
	       "the CA URL 'http://ca/certsrv/' is plain http");
	EXPECT(rule_ca_url("http://ca/certsrv/", true, &V), SEV_WARN,
	       "plain http (allowed by allow_insecure_http)");
	EXPECT(rule_ca_url(NULL, true, &V), SEV_FAIL, "no CA URL is set");
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

/* ---- one message from the loader, the schema and stage 5 ---------------- */

static char g_dir[] = "/tmp/test_validate.XXXXXX";

static const struct diag *load_answers(struct config *c, struct diag_list *dl,
				       const char *text, int want)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/answers.ini", g_dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	config_init(c);
	diag_list_init(dl);
	assert_int_equal(config_load_file(c, path, true, dl), want);
	return diag_find_field(dl, "agent.server", SEV_WARN) ?
		       diag_find_field(dl, "agent.server", SEV_WARN) :
		       diag_find_field(dl, "agent.management_group", SEV_WARN);
}

static int cancel_now(void *ud)
{
	return 1;
}

/* Stage 5's diagnostic at field (its field checks only: cancelled right
 * after them, before any network probe). */
static char *stage_message(const char *mg, const char *server,
			   const char *field, enum diag_severity *sev)
{
	struct config c;
	struct state s;
	struct ctx x;
	struct diag_list dl;
	struct hooks h = { .cancelled = cancel_now };
	config_init(&c);
	state_init(&s);
	config_set_str(&c.agent_mgmt_group, mg);
	config_set_str(&c.agent_server, server);
	ctx_init(&x, &c, &s, g_dir);
	diag_list_init(&dl);
	stage_agent_run(&x, &h, &dl);
	const struct diag *d = diag_find_field(&dl, field, SEV_WARN);
	char *r = d ? strdup(d->message) : NULL;
	*sev = d ? d->sev : SEV_PASS;
	diag_list_release(&dl);
	ctx_release(&x);
	state_release(&s);
	config_release(&c);
	return r;
}

static void test_loader_schema_stage_agree(void **st)
{
	char mg[61], text[512];
	struct config c;
	struct diag_list dl;
	enum diag_severity sev;
	memset(mg, 'M', 60);
	mg[60] = '\0';

	/* the 60-character group: refused by all three with one message */
	rule_mgmt_group(mg, &V);
	snprintf(text, sizeof(text), "[agent]\nmanagement_group = %s\n", mg);
	const struct diag *d = load_answers(&c, &dl, text, -1);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_FAIL);
	assert_non_null(strstr(d->message, V.msg));
	assert_null(c.agent_mgmt_group);
	diag_list_release(&dl);
	config_release(&c);
	struct verdict sv;
	assert_int_equal(config_key_check_text(
				 config_key_find("agent.management_group"), mg,
				 &sv), SEV_FAIL);
	assert_string_equal(sv.msg, V.msg);
	char *m = stage_message(mg, "ms01.contoso.com",
				"agent.management_group", &sev);
	assert_non_null(m);
	assert_int_equal(sev, SEV_FAIL);
	assert_string_equal(m, V.msg);
	free(m);

	/* the short server name: a warning from all three */
	rule_server("ms01", &V);
	d = load_answers(&c, &dl,
			 "[agent]\nmanagement_group = OpsMgr\nserver = ms01\n", 0);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_WARN);
	assert_non_null(strstr(d->message, V.msg));
	assert_string_equal(c.agent_server, "ms01");
	diag_list_release(&dl);
	config_release(&c);
	m = stage_message("OpsMgr", "ms01", "agent.server", &sev);
	assert_non_null(m);
	assert_int_equal(sev, SEV_WARN);
	assert_string_equal(m, V.msg);
	free(m);
}

static int group_setup(void **st)
{
	return mkdtemp(g_dir) ? 0 : -1;
}

static int group_teardown(void **st)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/answers.ini", g_dir);
	unlink(path);
	rmdir(g_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_computer_fqdn),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_mgmt_group),
		cmocka_unit_test(test_template_port_bits),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_pin_command_path),
		cmocka_unit_test(test_rule_diag),
		cmocka_unit_test(test_loader_schema_stage_agree),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
