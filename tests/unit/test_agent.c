/*
 * test_agent.c - stage 5, install agent (agent.c) and the agent
 * configuration file (agentconf.c): management group rules (every
 * forbidden character, spaces, length), server names, port bounds, the
 * configuration written atomically (0600) and read back, values that would
 * not round-trip refused, stage runs against a listening loopback socket
 * and a closed port, the installer command (success, failure with its
 * output, time-out), the role=server skip, the Windows target's
 * install.cmd, and the one agent configuration path that stages 5, 6, 7
 * and `check` all use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stages/agent.h"
#include "core/agentconf.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/validate.h"
#include "core/config_schema.h"
#include "core/fsutil.h"
#include "line_sink.h"
#include "lab_harness.h"
#include "unit_util.h"
#include "windows/msicmd.h"
#include "stages/stages.h"
#include "core/state.h"
#include "check.h"
#include "stages/approval.h"
#include "stages/serial.h"

struct fixture {
	char *dir;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
	int lfd;
	int port;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = test_mkdtemp("agent-test-");
	config_init(&f->cfg);
	state_init(&f->st);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	diag_list_init(&f->dl);
	f->lfd = test_listen_loopback(&f->port);
	assert_true(f->lfd >= 0);
	config_set_str(&f->cfg.agent_mgmt_group, "Contoso Ops 1");
	config_set_str(&f->cfg.agent_server, "127.0.0.1");
	f->cfg.agent_port = f->port;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->lfd);
	diag_list_release(&f->dl);
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static char *path_in(const struct fixture *f, const char *name)
{
	return fs_join(f->dir, name);
}

/* Write an executable script into the fixture directory. */
static char *script(const struct fixture *f, const char *name,
		    const char *body)
{
	char *p = path_in(f, name);
	char err[FS_ERRLEN];
	assert_int_equal(fs_write_atomic(p, body, strlen(body), 0700, err,
					 sizeof(err)), 0);
	return p;
}

static const struct diag *find_sev(const struct diag_list *dl,
				   enum diag_check c, enum diag_severity s)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].check == c && dl->items[i].sev == s)
			return &dl->items[i];
	return NULL;
}

/* ---- validation ------------------------------------------------------------ */

/* The rules themselves are tested in test_validate.c; this is the
 * wrapper's return value and message. */
static void test_mgmt_group_rules(void **state)
{
	char err[512];
	struct verdict v;
	assert_int_equal(agent_check_mgmt_group("Contoso Ops-1_x", err,
						sizeof(err)), 0);
	assert_int_equal(agent_check_mgmt_group("Ops.MG", err, sizeof(err)),
			 -1);
	rule_mgmt_group("Ops.MG", &v);
	assert_string_equal(err, v.msg);
	char mg[80];
	memset(mg, 'a', sizeof(mg));
	mg[RULE_MGMT_GROUP_MAX + 1] = '\0';
	assert_int_equal(agent_check_mgmt_group(mg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the limit is 50"));
	assert_int_equal(agent_check_mgmt_group(NULL, err, sizeof(err)), -1);
}

/* ---- the agent configuration file ------------------------------------------ */

static void test_agentconf_roundtrip(void **state)
{
	struct fixture *f = *state;
	char *p = path_in(f, "sub/agent.ini");
	struct agentconf a, b;
	agentconf_init(&a);
	a.management_group = strdup("Contoso Ops 1");
	a.server = strdup("ms01.contoso.com");
	a.port = 5723;
	a.role = strdup("agent");
	a.target = strdup("local");
	a.cert_path = strdup("/var/lib/x/agent-cert.pem");
	a.key_path = strdup("/var/lib/x/agent-key.pem");
	a.serial_hex = strdup("00AF3C56");
	a.serial_reversed = strdup("563CAF00");
	a.thumbprint = strdup("0123456789ABCDEF0123456789ABCDEF01234567");
	assert_int_equal(agentconf_write(p, &a, &f->dl), 0);
	assert_int_equal(fs_mode(p), 0600);

	assert_int_equal(agentconf_read(p, &b, &f->dl), 0);
	assert_string_equal(b.management_group, a.management_group);
	assert_string_equal(b.server, a.server);
	assert_int_equal(b.port, 5723);
	assert_string_equal(b.role, "agent");
	assert_string_equal(b.target, "local");
	assert_string_equal(b.cert_path, a.cert_path);
	assert_string_equal(b.key_path, a.key_path);
	assert_string_equal(b.serial_hex, "00AF3C56");
	assert_string_equal(b.serial_reversed, "563CAF00");
	assert_string_equal(b.thumbprint, a.thumbprint);
	agentconf_release(&b);

	/* A value that would not read back unchanged is refused. */
	free(a.cert_path);
	a.cert_path = strdup("/tmp/a;b.pem");
	assert_int_equal(agentconf_write(p, &a, &f->dl), -1);
	const struct diag *d = diag_find(&f->dl, DIAG_AGENT_CONFIG);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_FAIL);
	assert_non_null(strstr(d->message, "a;b.pem"));
	/* ... and the file on disk is still the good one. */
	assert_int_equal(agentconf_read(p, &b, NULL), 0);
	assert_string_equal(b.cert_path, "/var/lib/x/agent-cert.pem");
	agentconf_release(&b);
	agentconf_release(&a);

	/* Missing file: 1, no diagnostic. */
	size_t n = f->dl.n;
	char *missing = path_in(f, "nope.ini");
	assert_int_equal(agentconf_read(missing, &b, &f->dl), 1);
	assert_int_equal(f->dl.n, n);
	free(missing);
	free(p);
}

static void test_agentconf_invalid(void **state)
{
	struct fixture *f = *state;
	char err[FS_ERRLEN];
	char *p = path_in(f, "bad.ini");
	const char *bad_port = "[agent]\nserver = ms\nport = 70000\n";
	assert_int_equal(fs_write_atomic(p, bad_port, strlen(bad_port), 0600,
					 err, sizeof(err)), 0);
	struct agentconf a;
	assert_int_equal(agentconf_read(p, &a, &f->dl), -1);
	const struct diag *d = diag_find(&f->dl, DIAG_AGENT_CONFIG);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "70000"));
	assert_null(a.server);   /* released on failure */
	diag_list_release(&f->dl);

	/* a file iniparser rejects: its complaint on one line */
	const char *not_ini = "[agent]\nserver = ms\nnot an ini line\n";
	assert_int_equal(fs_write_atomic(p, not_ini, strlen(not_ini), 0600,
					 err, sizeof(err)), 0);
	assert_int_equal(agentconf_read(p, &a, &f->dl), -1);
	d = diag_find(&f->dl, DIAG_AGENT_CONFIG);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "is not a valid INI file: iniparser: syntax error"));
	assert_non_null(strstr(d->message, "not an ini line"));
	assert_null(strchr(d->message, '\n'));
	assert_string_equal(d->fix, "run stage 5 (install agent) again to rewrite it");
	diag_list_release(&f->dl);

	const char *bad_serial = "[certificate]\nserial = XYZ\n";
	assert_int_equal(fs_write_atomic(p, bad_serial, strlen(bad_serial),
					 0600, err, sizeof(err)), 0);
	assert_int_equal(agentconf_read(p, &a, &f->dl), -1);
	assert_non_null(strstr(diag_find(&f->dl, DIAG_AGENT_CONFIG)->message,
			       "not hexadecimal"));
	diag_list_release(&f->dl);

	/* role and target take the schema's names, each of them */
	static const struct {
		const char *key;
		const char *const *names;
	} enums[] = { { "role", CONFIG_NAMES_ROLE },
		      { "target", CONFIG_NAMES_AGENT_TARGET } };
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		char text[128], want[64];
		for (int j = 0; enums[i].names[j]; j++) {
			snprintf(text, sizeof(text), "[agent]\n%s = %s\n",
				 enums[i].key, enums[i].names[j]);
			assert_int_equal(fs_write_atomic(p, text, strlen(text), 0600,
							 err, sizeof(err)), 0);
			assert_int_equal(agentconf_read(p, &a, &f->dl), 0);
			agentconf_release(&a);
		}
		snprintf(text, sizeof(text), "[agent]\n%s = gateway\n",
			 enums[i].key);
		assert_int_equal(fs_write_atomic(p, text, strlen(text), 0600, err,
						 sizeof(err)), 0);
		assert_int_equal(agentconf_read(p, &a, &f->dl), -1);
		d = diag_find(&f->dl, DIAG_AGENT_CONFIG);
		assert_non_null(strstr(d->message, "'gateway'"));
		for (int j = 0; enums[i].names[j]; j++) {
			snprintf(want, sizeof(want), "%s = %s", enums[i].key,
				 enums[i].names[j]);
			assert_non_null(strstr(d->fix, want));
		}
		diag_list_release(&f->dl);
	}

	const char *garbage = "[agent\nthis is = = not ini\n";
	assert_int_equal(fs_write_atomic(p, garbage, strlen(garbage), 0600,
					 err, sizeof(err)), 0);
	assert_int_equal(agentconf_read(p, &a, &f->dl), -1);
	assert_non_null(diag_find(&f->dl, DIAG_AGENT_CONFIG));
	free(p);
}

/* The port in the agent configuration, read and written, gets the
 * verdict of agent.port's rule: the loader's, the stage's and the
 * screen's message. */
static void test_agentconf_port_rule(void **state)
{
	struct fixture *f = *state;
	static const long bad[] = { 0, 65536, 70000 };
	const struct config_key *k = config_key_find("agent.port");
	char err[FS_ERRLEN];
	char *p = path_in(f, "port.ini");
	assert_non_null(k);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct verdict rule, loader;
		char text[64];
		struct agentconf a;
		assert_int_equal(rule_port(bad[i], &rule), SEV_FAIL);
		snprintf(text, sizeof(text), "%ld", bad[i]);
		assert_int_equal(config_key_check_text(k, text, &loader),
				 SEV_FAIL);
		assert_string_equal(loader.msg, rule.msg);
		snprintf(text, sizeof(text), "[agent]\nport = %ld\n", bad[i]);
		assert_int_equal(fs_write_atomic(p, text, strlen(text), 0600, err,
						 sizeof(err)), 0);
		assert_int_equal(agentconf_read(p, &a, &f->dl), -1);
		const struct diag *d = diag_find(&f->dl, DIAG_AGENT_CONFIG);
		assert_non_null(d);
		assert_non_null(strstr(d->message, rule.msg));
		diag_list_release(&f->dl);
		if (bad[i] == 0)
			continue;                /* 0 is "not set" when writing */
		agentconf_init(&a);
		a.port = (int)bad[i];
		assert_int_equal(agentconf_write(p, &a, &f->dl), -1);
		d = diag_find_field(&f->dl, "agent.port", SEV_FAIL);
		assert_non_null(d);
		assert_non_null(strstr(d->message, rule.msg));
		assert_string_equal(d->fix, rule.fix);
		diag_list_release(&f->dl);
	}
	const char *word = "[agent]\nport = 57x3\n";
	struct agentconf a;
	assert_int_equal(fs_write_atomic(p, word, strlen(word), 0600, err,
					 sizeof(err)), 0);
	assert_int_equal(agentconf_read(p, &a, &f->dl), -1);
	assert_non_null(strstr(diag_find(&f->dl, DIAG_AGENT_CONFIG)->message,
			       "'57x3' is not a port number"));
	free(p);
}

/* ---- the stage -------------------------------------------------------------- */

static void test_stage_writes_config(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_OK);
	assert_non_null(find_sev(&f->dl, DIAG_AGENT_MGMT_GROUP, SEV_PASS));
	assert_non_null(find_sev(&f->dl, DIAG_AGENT_DNS, SEV_PASS));
	assert_non_null(find_sev(&f->dl, DIAG_AGENT_TCP, SEV_PASS));
	assert_non_null(find_sev(&f->dl, DIAG_AGENT_CONFIG, SEV_PASS));
	assert_null(diag_find(&f->dl, DIAG_AGENT_MSI));

	char *p = path_in(f, "agent.ini");
	assert_non_null(f->st.agent_config_path);
	assert_string_equal(f->st.agent_config_path, p);
	struct agentconf a;
	assert_int_equal(agentconf_read(p, &a, &f->dl), 0);
	assert_string_equal(a.management_group, "Contoso Ops 1");
	assert_string_equal(a.server, "127.0.0.1");
	assert_int_equal(a.port, f->port);
	assert_string_equal(a.role, "agent");
	assert_string_equal(a.target, "local");
	char *cert = path_in(f, "agent-cert.pem");
	char *key = path_in(f, "agent-key.pem");
	assert_string_equal(a.cert_path, cert);
	assert_string_equal(a.key_path, key);
	agentconf_release(&a);

	const struct agent_result *r = f->c.out[STAGE_AGENT];
	assert_non_null(r);
	assert_string_equal(r->config_path, p);
	assert_non_null(r->addresses);
	assert_non_null(strstr(r->addresses, "127.0.0.1"));

	/* Stage 6's values survive a re-run of stage 5. */
	assert_int_equal(agentconf_read(p, &a, NULL), 0);
	a.serial_hex = strdup("0A1B");
	a.serial_reversed = strdup("1B0A");
	assert_int_equal(agentconf_write(p, &a, NULL), 0);
	agentconf_release(&a);
	config_set_str(&f->cfg.agent_mgmt_group, "Other MG");
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_OK);
	assert_int_equal(agentconf_read(p, &a, NULL), 0);
	assert_string_equal(a.management_group, "Other MG");
	assert_string_equal(a.serial_hex, "0A1B");
	agentconf_release(&a);
	free(cert);
	free(key);
	free(p);
}

static void test_stage_bad_fields(void **state)
{
	struct fixture *f = *state;
	config_set_str(&f->cfg.agent_mgmt_group, "Ops.MG");
	f->cfg.agent_port = 70000;
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d =
		diag_find_field(&f->dl, "agent.management_group", SEV_FAIL);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "'.'"));
	d = diag_find_field(&f->dl, "agent.port", SEV_FAIL);
	assert_non_null(d);
	struct verdict rule;
	rule_port(70000, &rule);
	assert_non_null(strstr(d->message, rule.msg));
	/* Nothing written, no network touched. */
	assert_null(diag_find(&f->dl, DIAG_AGENT_DNS));
	char *p = path_in(f, "agent.ini");
	assert_false(fs_exists(p));
	free(p);
}

static void test_stage_closed_port(void **state)
{
	struct fixture *f = *state;
	close(f->lfd);
	f->lfd = test_listen_loopback(&f->port);
	int closed = 0;
	int tmp = test_listen_loopback(&closed);
	close(tmp);
	f->cfg.agent_port = closed;
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = find_sev(&f->dl, DIAG_AGENT_TCP, SEV_FAIL);
	assert_non_null(d);
	assert_int_equal(d->event, 21006);
	assert_non_null(strstr(d->message, "refused"));
	char *p = path_in(f, "agent.ini");
	assert_false(fs_exists(p));
	free(p);
}

static void test_stage_server_role(void **state)
{
	struct fixture *f = *state;
	f->cfg.role = ROLE_SERVER;
	config_set_str(&f->cfg.agent_mgmt_group, NULL);
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_OK);
	const struct diag *d = diag_find(&f->dl, DIAG_AGENT_SKIPPED);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_INFO);
	assert_int_equal(f->dl.n, 1);
}

static void test_install_command(void **state)
{
	struct fixture *f = *state;
	char *s = script(f, "install.sh",
			 "#!/bin/sh\n"
			 "echo \"installing for $OPSMGR_MANAGEMENT_GROUP\"\n"
			 "echo \"server $OPSMGR_MANAGEMENT_SERVER:"
			 "$OPSMGR_MANAGEMENT_PORT\"\n"
			 "test -f \"$OPSMGR_AGENT_CONFIG\" || exit 9\n"
			 "echo done\n");
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "'%s'", s);
	config_set_str(&f->cfg.agent_install_command, cmd);
	struct line_sink l = { 0 };
	struct hooks h = { .line = line_sink_add, .ud = &l };
	assert_int_equal(stage_agent_run(&f->c, &h, &f->dl), ST_OK);
	const struct diag *d = find_sev(&f->dl, DIAG_AGENT_INSTALL, SEV_PASS);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "status 0"));
	assert_int_equal(l.n, 3);
	assert_non_null(strstr(l.buf, "installing for Contoso Ops 1|"));
	assert_non_null(strstr(l.buf, "server 127.0.0.1:"));
	const struct agent_result *r = f->c.out[STAGE_AGENT];
	assert_int_equal(r->install_ran, 1);
	assert_int_equal(r->install_exit, 0);
	free(s);

	/* Failure: exit status and the output's end in the diagnostic. */
	diag_list_release(&f->dl);
	s = script(f, "fail.sh", "#!/bin/sh\necho 'MSI error 1603' >&2\n"
				 "exit 3\n");
	config_set_str(&f->cfg.agent_install_command, s);
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_FAIL);
	d = find_sev(&f->dl, DIAG_AGENT_INSTALL, SEV_FAIL);
	assert_non_null(d);
	assert_string_equal(d->field, "agent.install_command");
	assert_non_null(strstr(d->message, "status 3"));
	assert_non_null(strstr(d->message, "MSI error 1603"));
	free(s);

	/* Time-out. */
	diag_list_release(&f->dl);
	s = script(f, "hang.sh", "#!/bin/sh\nsleep 30\n");
	config_set_str(&f->cfg.agent_install_command, s);
	f->cfg.agent_command_timeout = 1;
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_FAIL);
	d = find_sev(&f->dl, DIAG_AGENT_INSTALL, SEV_FAIL);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "timed out"));
	assert_non_null(strstr(d->fix, "command_timeout"));
	free(s);

	/* Not a program. */
	diag_list_release(&f->dl);
	config_set_str(&f->cfg.agent_install_command,
		       "/nonexistent/installer --now");
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_FAIL);
	assert_non_null(find_sev(&f->dl, DIAG_AGENT_INSTALL, SEV_FAIL));
}

static void test_windows_target(void **state)
{
	struct fixture *f = *state;
	f->cfg.agent_target = TARGET_WINDOWS;
	config_set_str(&f->cfg.agent_server, "ms01.contoso.example");
	config_set_str(&f->cfg.fqdn, "agent7.contoso.example");
	f->cfg.agent_port = 5723;
	/* The name does not resolve here: only a warning, since this
	 * computer merely prepares the Windows install. */
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_OK);
	const struct diag *d = diag_find(&f->dl, DIAG_AGENT_DNS);
	assert_non_null(d);
	assert_int_equal(d->sev, SEV_WARN);
	assert_non_null(strstr(d->fix, "Windows"));
	d = find_sev(&f->dl, DIAG_AGENT_MSI, SEV_PASS);
	assert_non_null(d);
	assert_non_null(strstr(d->message, "MANAGEMENT_GROUP=\"Contoso Ops 1\""));
	/* the bundle of stage 6 replaces the msiexec-only install.cmd: its
	 * zip and the one thing to do are named */
	char *zip = path_in(f, "agent7.contoso.example-opsmgr.zip");
	assert_non_null(strstr(d->message, zip));
	assert_non_null(strstr(d->message, "copy "));
	assert_non_null(strstr(d->message, " to agent7.contoso.example, "
					   "extract, right-click install.cmd > "
					   "Run as administrator"));
	char *p = path_in(f, "install.cmd");
	assert_false(fs_exists(p));
	const struct agent_result *r = f->c.out[STAGE_AGENT];
	assert_null(r->msi_file);
	assert_string_equal(r->bundle_zip, zip);
	assert_non_null(strstr(r->msi_line, "SECURE_PORT=5723"));
	free(zip);
	free(p);

	/* An explicit msi_command_file keeps the msiexec-only file, byte for
	 * byte, also for a local target. */
	diag_list_release(&f->dl);
	f->cfg.agent_target = TARGET_LOCAL;
	p = path_in(f, "deploy.cmd");
	config_set_str(&f->cfg.agent_msi_command_file, p);
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_OK);
	unsigned char *got = NULL;
	size_t len = 0;
	char err[FS_ERRLEN];
	assert_int_equal(fs_read_file(p, 65536, &got, &len, err, sizeof(err)),
			 0);
	char *want = msicmd_file_text("Contoso Ops 1", "ms01.contoso.example",
				      5723);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	r = f->c.out[STAGE_AGENT];
	assert_string_equal(r->msi_file, p);
	free(want);
	free(got);
	free(p);
}

/* A Windows target: stage 5 judges the values with install.cmd's quoting
 * rule (windows/cmdquote.h) at their fields, before any bundle exists. */
static void test_windows_field_quoting(void **state)
{
	struct fixture *f = *state;
	config_set_str(&f->cfg.agent_mgmt_group, "Contoso \xc3\x9c 1");
	config_set_str(&f->cfg.agent_server, "ms01.contoso.example");
	f->cfg.agent_port = 5723;
	f->cfg.agent_target = TARGET_LOCAL;
	assert_int_equal(agent_check_fields(&f->cfg, &f->dl), 0);
	diag_list_release(&f->dl);
	f->cfg.agent_target = TARGET_WINDOWS;
	assert_int_equal(agent_check_fields(&f->cfg, &f->dl), -1);
	const struct diag *d = find_sev(&f->dl, DIAG_AGENT_MGMT_GROUP,
					SEV_FAIL);
	assert_non_null(d);
	assert_string_equal(d->field, "agent.management_group");
	assert_non_null(strstr(d->message, "non-ASCII"));
	assert_null(find_sev(&f->dl, DIAG_AGENT_MGMT_GROUP, SEV_PASS));
	assert_non_null(find_sev(&f->dl, DIAG_AGENT_SERVER, SEV_PASS));
	/* The stage stops there too. */
	diag_list_release(&f->dl);
	assert_int_equal(stage_agent_run(&f->c, NULL, &f->dl), ST_FAIL);
	/* A plain group passes for Windows as well. */
	diag_list_release(&f->dl);
	config_set_str(&f->cfg.agent_mgmt_group, "Contoso Ops 1");
	assert_int_equal(agent_check_fields(&f->cfg, &f->dl), 0);
	assert_non_null(find_sev(&f->dl, DIAG_AGENT_MGMT_GROUP, SEV_PASS));
}

static const struct diag *find_text(const struct diag_list *dl,
				    enum diag_check c, enum diag_severity s,
				    const char *text)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].check == c && dl->items[i].sev == s &&
		    strstr(dl->items[i].message, text))
			return &dl->items[i];
	return NULL;
}

/* The same inputs, the same agent configuration for every caller: stage 5
 * writes it, stage 6's check, stage 7's probe and `check` read it. */
static void test_config_path_one_owner(void **state)
{
	struct fixture *f = *state;
	char *set = path_in(f, "set/agent.ini");
	char *recorded = path_in(f, "recorded/agent.ini");
	char *def = path_in(f, AGENTCONF_DEFAULT_NAME);
	const struct {
		const char *cfg, *st, *want;
	} cases[] = {
		{ set, recorded, set },      /* [agent] config wins */
		{ NULL, recorded, recorded }, /* then what stage 5 recorded */
		{ NULL, NULL, def },         /* then <state_dir>/agent.ini */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct flow fl;
		memset(&fl, 0, sizeof(fl));
		config_init(&fl.cfg);
		state_init(&fl.st);
		fl.state_dir = f->dir;
		ctx_init(&fl.ctx, &fl.cfg, &fl.st, f->dir);
		config_set_str(&fl.cfg.agent_mgmt_group, "Contoso Ops 1");
		config_set_str(&fl.cfg.agent_server, "127.0.0.1");
		fl.cfg.agent_port = f->port;
		if (cases[i].cfg)
			config_set_str(&fl.cfg.agent_config, cases[i].cfg);
		if (cases[i].st)
			state_set_str(&fl.st.agent_config_path, cases[i].st);
		const char *want = cases[i].want;
		char *p = agentconf_path(&fl.cfg, &fl.st, f->dir);
		assert_string_equal(p, want);
		free(p);

		struct diag_list dl;
		diag_list_init(&dl);
		assert_int_equal(stage_agent_run(&fl.ctx, NULL, &dl), ST_OK);
		const struct agent_result *r = fl.ctx.out[STAGE_AGENT];
		assert_string_equal(r->config_path, want);
		assert_string_equal(fl.st.agent_config_path, want);
		/* the file names another server than the configuration */
		struct agentconf a;
		assert_int_equal(agentconf_read(want, &a, &dl), 0);
		config_set_str(&a.server, "localhost");
		assert_int_equal(agentconf_write(want, &a, &dl), 0);
		agentconf_release(&a);

		serial_check(&fl.ctx, &dl);
		assert_non_null(find_text(&dl, DIAG_SERIAL_AGENT_CONFIGURED,
					  SEV_PASS, want));

		fl.cfg.approval_source = APPROVAL_COMMAND;
		config_set_str(&fl.cfg.approval_command,
			       "sh -c 'test \"$OPSMGR_MANAGEMENT_SERVER\" = "
			       "localhost'");
		assert_int_equal(approval_probe(&fl.ctx, NULL, &dl),
				 APPR_APPROVED);

		struct check_opts o = { .skip_network = true };
		check_collect(&fl, &o, NULL, &dl);
		assert_non_null(find_text(&dl, DIAG_AGENT_CONFIG, SEV_PASS,
					  want));
		assert_non_null(find_text(&dl, DIAG_AGENT_CONFIG, SEV_PASS,
					  "server localhost"));

		diag_list_release(&dl);
		ctx_release(&fl.ctx);
		state_release(&fl.st);
		config_release(&fl.cfg);
	}
	free(set);
	free(recorded);
	free(def);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mgmt_group_rules),
		cmocka_unit_test_setup_teardown(test_agentconf_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_agentconf_invalid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_agentconf_port_rule, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage_writes_config, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage_bad_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage_closed_port, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage_server_role, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_install_command, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_windows_field_quoting,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_windows_target, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_path_one_owner,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
