/*
 * test_config.c - the configuration / answers file loader
 * (backend/core/config_load.c, config_scan.c, config_schema.c): every
 * value kind, malformed INI files of every sort, iniparser 4.1's
 * quirks, the four layers, refused passwords, cross-field checks, and that
 * nothing is ever printed to stderr.  Fixtures: tests/data/config/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iniparser.h>

#include "core/config.h"
#include "core/config_load.h"
#include "core/config_schema.h"
#include "core/diag.h"

static char g_tmp[PATH_MAX];
static char g_data[PATH_MAX + 32];

/* ---- helpers ------------------------------------------------------------- */

static int rm_cb(const char *p, const struct stat *sb, int flag,
		 struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static bool try_data_dir(const char *root)
{
	char probe[PATH_MAX + 64];
	snprintf(g_data, sizeof(g_data), "%s/tests/data/config", root);
	snprintf(probe, sizeof(probe), "%s/full.ini", g_data);
	return access(probe, R_OK) == 0;
}

/*
 * The fixtures live in <repo>/tests/data/config.  The repository is found
 * from the program (<repo>/<build>/tests/unit/test_config), from
 * $OPSMGR_BUILD_DIR (<repo>/<build>), or from the working directory up.
 */
static void find_data_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		char *d = buf;
		for (int i = 0; i < 4; i++)
			d = dirname(d);
		if (try_data_dir(d))
			return;
	}
	const char *b = getenv("OPSMGR_BUILD_DIR");
	if (b && *b) {
		snprintf(buf, sizeof(buf), "%s", b);
		if (try_data_dir(dirname(buf)))
			return;
	}
	if (getcwd(buf, sizeof(buf))) {
		for (;;) {
			if (try_data_dir(buf))
				return;
			if (strcmp(buf, "/") == 0)
				break;
			char *d = dirname(buf);
			memmove(buf, d, strlen(d) + 1);
		}
	}
	snprintf(g_data, sizeof(g_data), "tests/data/config");
}

static int group_setup(void **st)
{
	find_data_dir();
	snprintf(g_tmp, sizeof(g_tmp), "/tmp/test_config.XXXXXX");
	if (!mkdtemp(g_tmp))
		return -1;
	/* no real system or user file may leak into the tests */
	setenv("OPSMGR_ENROLL_SYSTEM_CONFIG", "", 1);
	char x[PATH_MAX + 16];
	snprintf(x, sizeof(x), "%s/xdg-config", g_tmp);
	setenv("XDG_CONFIG_HOME", x, 1);
	return 0;
}

static int group_teardown(void **st)
{
	nftw(g_tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Write content to <tmp>/name; returns the path (static buffer). */
static const char *write_ini(const char *name, const char *content)
{
	static char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", g_tmp, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	return path;
}

static const char *data(const char *name)
{
	static char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", g_data, name);
	return path;
}

/* Captures fd 2 into a pipe; stderr_end() returns how much was written. */
static int g_saved_err = -1, g_pipe[2];

static void stderr_begin(void)
{
	fflush(stderr);
	assert_int_equal(pipe(g_pipe), 0);
	fcntl(g_pipe[0], F_SETFL, O_NONBLOCK);
	g_saved_err = dup(2);
	assert_true(g_saved_err >= 0);
	dup2(g_pipe[1], 2);
}

static size_t stderr_end(char *buf, size_t len)
{
	fflush(stderr);
	dup2(g_saved_err, 2);
	close(g_saved_err);
	close(g_pipe[1]);
	ssize_t n = read(g_pipe[0], buf, len - 1);
	close(g_pipe[0]);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return (size_t)n;
}

/* Load one INI text as a required file into a fresh config. */
static int load_text(struct config *c, struct diag_list *dl, const char *text)
{
	config_init(c);
	diag_list_init(dl);
	return config_load_file(c, write_ini("t.ini", text), true, dl);
}

static const struct diag *find_msg(const struct diag_list *dl,
				   enum diag_severity sev, const char *needle)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].sev == sev &&
		    strstr(dl->items[i].message, needle))
			return &dl->items[i];
	return NULL;
}

static void dump(const struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		print_message("  %s [%s] %s\n",
			      diag_severity_name(dl->items[i].sev),
			      dl->items[i].field ? dl->items[i].field : "-",
			      dl->items[i].message);
}

/* Expect a failure for `field` whose message contains needle. */
static void expect_fail(const char *text, const char *field,
			const char *needle)
{
	struct config c;
	struct diag_list dl;
	int r = load_text(&c, &dl, text);
	if (r != -1 || !find_msg(&dl, SEV_FAIL, needle)) {
		print_message("input:\n%s\n", text);
		dump(&dl);
	}
	assert_int_equal(r, -1);
	const struct diag *d = find_msg(&dl, SEV_FAIL, needle);
	assert_non_null(d);
	assert_int_equal(d->check, DIAG_CONFIG);
	if (field) {
		assert_non_null(d->field);
		assert_string_equal(d->field, field);
	}
	assert_non_null(d->fix);
	diag_list_release(&dl);
	config_release(&c);
}

/* ---- defaults and a complete file ----------------------------------------- */

static void test_defaults(void **st)
{
	struct config c;
	config_init(&c);
	assert_int_equal(c.trust_source, TRUST_SRC_CA);
	assert_int_equal(c.ca_auth, AUTH_BASIC);
	assert_int_equal(c.key_bits, CONFIG_DEFAULT_KEY_BITS);
	assert_int_equal(c.agent_port, CONFIG_DEFAULT_PORT);
	assert_int_equal(c.ca_timeout, CONFIG_DEFAULT_CA_TIMEOUT);
	assert_int_equal(c.approval_interval, CONFIG_DEFAULT_INTERVAL);
	assert_int_equal(c.approval_timeout, CONFIG_DEFAULT_APPROVAL_TIMEOUT);
	assert_int_equal(c.agent_command_timeout,
			 CONFIG_DEFAULT_COMMAND_TIMEOUT);
	assert_true(c.export_include_chain);
	assert_false(c.export_overwrite);
	assert_false(c.trust_accept);
	assert_false(c.ca_allow_http);
	assert_int_equal(c.role, ROLE_AGENT);
	assert_int_equal(c.stage_from, 1);
	assert_int_equal(c.stage_to, 7);
	assert_null(c.ca_url);
	assert_null(c.state_dir);
	/* the defaults pass the cross-field checks (first interactive run) */
	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(config_validate(&c, &dl), 0);
	assert_int_equal(dl.n, 0);
	config_release(&c);
}

static void test_full_file(void **st)
{
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	int r = config_load_file(&c, data("full.ini"), true, &dl);
	if (r != 0 || dl.n)
		dump(&dl);
	assert_int_equal(r, 0);
	assert_int_equal(dl.n, 0);
	assert_string_equal(c.fqdn, "web01.example.com");
	assert_int_equal(c.trust_source, TRUST_SRC_FILE);
	assert_string_equal(c.trust_file, "/srv/pki/root.p7b");
	assert_string_equal(c.trust_url, "https://pki.example.com/root.cer");
	assert_string_equal(c.trust_store, "/var/lib/opsmgr/trust");
	/* pin normalised: colons removed, upper case */
	assert_string_equal(c.trust_sha256,
			    "0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9");
	assert_true(c.trust_accept);
	assert_string_equal(c.ca_url, "https://ca.example.com:8443/certsrv/");
	assert_string_equal(c.ca_template, "OpsMgr");
	assert_int_equal(c.ca_auth, AUTH_NTLM);
	assert_string_equal(c.ca_user, "EXAMPLE\\enroller");
	assert_string_equal(c.ca_password_file, "/root/.ca-password");
	assert_string_equal(c.ca_client_cert, "/etc/pki/client.pem");
	assert_string_equal(c.ca_client_key, "/etc/pki/client.key");
	assert_string_equal(c.ca_file, "/etc/pki/ca-bundle.pem");
	assert_int_equal(c.ca_timeout, 90);
	assert_false(c.ca_allow_http);
	assert_int_equal(c.key_bits, 3072);
	assert_string_equal(c.export_pfx, "/srv/out/web01.pfx");
	assert_string_equal(c.export_password_file, "/root/.pfx-password");
	assert_int_equal(c.export_compat, COMPAT_LEGACY);
	assert_string_equal(c.export_friendly_name, "OpsMgr agent; web01");
	assert_true(c.export_overwrite);
	assert_false(c.export_include_chain);
	assert_string_equal(c.agent_mgmt_group, "Contoso MG1");
	assert_string_equal(c.agent_server, "ms01.example.com");
	assert_int_equal(c.agent_port, 5724);
	assert_string_equal(c.agent_config, "/etc/opsmgr/agent.ini");
	assert_string_equal(c.agent_install_command,
			    "/usr/local/bin/install-agent --quiet");
	assert_string_equal(c.agent_restart_command,
			    "systemctl restart scx-agent");
	assert_int_equal(c.agent_command_timeout, 120);
	assert_int_equal(c.agent_target, TARGET_WINDOWS);
	assert_string_equal(c.agent_reg_file, "/srv/out/serial.reg");
	assert_string_equal(c.agent_msi_command_file, "/srv/out/msi.cmd");
	assert_int_equal(c.approval_source, APPROVAL_COMMAND);
	assert_string_equal(c.approval_command,
			    "/usr/local/bin/is-approved web01.example.com");
	assert_string_equal(c.approval_list_command, "/usr/local/bin/pending");
	assert_string_equal(c.approval_approve_command,
			    "/usr/local/bin/approve {agent}");
	assert_int_equal(c.approval_interval, 10);
	assert_int_equal(c.approval_timeout, 7200);
	assert_string_equal(c.state_dir, "/var/lib/opsmgr-enroll");
	assert_int_equal(c.role, ROLE_SERVER);
	assert_string_equal(c.loaded_files, data("full.ini"));
	assert_int_equal(config_validate(&c, &dl), 0);
	assert_int_equal(dl.n, 0);
	config_release(&c);
	assert_null(c.ca_url);
	assert_null(c.loaded_files);
}

/* ---- numbers ------------------------------------------------------------- */

static void test_bad_numbers(void **st)
{
	expect_fail("[key]\nbits = 12abc\n", "key.bits",
		    "[key] bits: '12abc' is not a number");
	expect_fail("[key]\nbits = abc\n", "key.bits",
		    "[key] bits: 'abc' is not a number");
	expect_fail("[key]\nbits =\n", "key.bits", "[key] bits: the value is empty");
	expect_fail("[key]\nbits = \"\"\n", "key.bits", "is empty");
	expect_fail("[key]\nbits = 99999999999\n", "key.bits",
		    "a 99999999999-bit key is larger than this tool makes (16384)");
	expect_fail("[key]\nbits = 99999999999999999999999\n", "key.bits",
		    "is out of range");
	expect_fail("[key]\nbits = 0x800\n", "key.bits", "is not a number");
	expect_fail("[key]\nbits = 2048.0\n", "key.bits", "is not a number");
	expect_fail("[key]\nbits = \"2048 \"\n", "key.bits", "is not a number");
	expect_fail("[key]\nbits = \" 2048\"\n", "key.bits", "is not a number");
	expect_fail("[key]\nbits = -2048\n", "key.bits",
		    "below the 1024-bit floor");
	/* the message names the file */
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl, "[key]\nbits = 12abc\n"), -1);
	assert_non_null(strstr(dl.items[0].message, "t.ini' line 2"));
	assert_int_equal(c.key_bits, CONFIG_DEFAULT_KEY_BITS);
	diag_list_release(&dl);
	config_release(&c);
}

static void test_ranges(void **st)
{
	expect_fail("[key]\nbits = 1023\n", "key.bits",
		    "[key] bits: a 1023-bit key is below the 1024-bit floor Operations Manager accepts");
	expect_fail("[key]\nbits = 16385\n", "key.bits",
		    "a 16385-bit key is larger than this tool makes (16384)");
	expect_fail("[key]\nbits = 512\n", "key.bits", "below the 1024-bit floor");
	expect_fail("[agent]\nport = 0\n", "agent.port", "between 1 and 65535");
	expect_fail("[agent]\nport = 65536\n", "agent.port", "between 1 and 65535");
	expect_fail("[ca]\ntimeout = 0\n", "ca.timeout", "between 1 and");
	expect_fail("[agent]\ncommand_timeout = 0\n", "agent.command_timeout",
		    "out of range");
	expect_fail("[approval]\ninterval = 0\n", "approval.interval",
		    "out of range");
	expect_fail("[approval]\ntimeout = -1\n", "approval.timeout",
		    "out of range");

	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl,
				   "[key]\nbits = 1024\n[agent]\nport = 65535\n"
				   "[ca]\ntimeout = 1\n"), 0);
	assert_int_equal(c.key_bits, 1024);
	assert_int_equal(c.agent_port, 65535);
	assert_int_equal(c.ca_timeout, 1);
	diag_list_release(&dl);
	config_release(&c);
	assert_int_equal(load_text(&c, &dl, "[key]\nbits = 16384\n[agent]\nport = 1\n"), 0);
	assert_int_equal(c.key_bits, 16384);
	assert_int_equal(c.agent_port, 1);
	diag_list_release(&dl);
	config_release(&c);
}

/* ---- booleans, enums, strings ----------------------------------------------- */

static void test_booleans(void **st)
{
	static const struct {
		const char *v;
		bool want;
	} ok[] = { { "yes", true }, { "no", false }, { "true", true },
		   { "false", false }, { "1", true }, { "0", false },
		   { "YES", true }, { "False", false } };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text),
			 "[export]\noverwrite = %s\ninclude_chain = %s\n",
			 ok[i].v, ok[i].v);
		struct config c;
		struct diag_list dl;
		assert_int_equal(load_text(&c, &dl, text), 0);
		assert_int_equal(c.export_overwrite, ok[i].want);
		assert_int_equal(c.export_include_chain, ok[i].want);
		diag_list_release(&dl);
		config_release(&c);
	}
	expect_fail("[trust]\naccept = maybe\n", "trust.accept",
		    "[trust] accept: 'maybe' is not a yes/no value");
	expect_fail("[trust]\naccept = y\n", "trust.accept", "yes/no");
	expect_fail("[trust]\naccept =\n", "trust.accept", "yes/no");
	expect_fail("[ca]\nallow_insecure_http = 2\n", "ca.allow_insecure_http",
		    "yes/no");
}

static void test_enums(void **st)
{
	expect_fail("[ca]\nauth = kerberos\n", "ca.auth",
		    "[ca] auth: 'kerberos' must be one of basic, ntlm, negotiate, cert, none");
	expect_fail("[trust]\nsource = ldap\n", "trust.source",
		    "must be one of ca, file, url");
	expect_fail("[export]\ncompat = ancient\n", "export.compat",
		    "must be one of modern, legacy");
	expect_fail("[agent]\ntarget = macos\n", "agent.target",
		    "must be one of local, windows");
	expect_fail("[approval]\nsource = email\n", "approval.source",
		    "must be one of lab, command, none");
	expect_fail("[wizard]\nrole = gateway\n", "wizard.role",
		    "must be one of agent, server");
	expect_fail("[wizard]\nrole =\n", "wizard.role", "must be one of");

	/* names are matched case-insensitively and round-trip through *_name */
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl,
				   "[ca]\nauth = Negotiate\n[trust]\nsource = URL\n"
				   "[export]\ncompat = legacy\n[agent]\ntarget = windows\n"
				   "[approval]\nsource = none\n[wizard]\nrole = server\n"), 0);
	assert_int_equal(c.ca_auth, AUTH_NEGOTIATE);
	assert_int_equal(c.trust_source, TRUST_SRC_URL);
	assert_string_equal(ca_auth_name(c.ca_auth), "negotiate");
	assert_string_equal(trust_source_name(c.trust_source), "url");
	assert_string_equal(pfx_compat_name(c.export_compat), "legacy");
	assert_string_equal(agent_target_name(c.agent_target), "windows");
	assert_string_equal(approval_source_name(c.approval_source), "none");
	assert_string_equal(role_name(c.role), "server");
	assert_string_equal(ca_auth_name(AUTH_CERT), "cert");
	assert_string_equal(ca_auth_name((enum ca_auth)42), "unknown");
	diag_list_release(&dl);
	config_release(&c);
}

static void test_pins_urls_hosts(void **st)
{
	expect_fail("[trust]\nsha256 = abcd\n", "trust.sha256",
		    "it has 4 hex digits, 64 are needed");
	expect_fail("[trust]\nsha256 = 0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8fg\n",
		    "trust.sha256", "'g' is not a hex digit");
	expect_fail("[trust]\nsha256 = 0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f900\n",
		    "trust.sha256", "66 hex digits");
	expect_fail("[ca]\nurl = ftp://ca.example.com/\n", "ca.url",
		    "is not an http:// or https:// URL");
	expect_fail("[ca]\nurl = ca.example.com/certsrv\n", "ca.url",
		    "is not an http:// or https:// URL");
	expect_fail("[ca]\nurl = https://bob:secret@ca.example.com/certsrv/\n",
		    "ca.url", "must not contain a user name or password");
	expect_fail("[ca]\nurl = https:///certsrv/\n", "ca.url", "has no host");
	expect_fail("[ca]\nurl = https://ca.example.com:99999/\n", "ca.url",
		    "port out of range (99999)");
	expect_fail("[ca]\nurl = https://ca.example.com:44x/\n", "ca.url",
		    "invalid port '44x'");
	expect_fail("[ca]\nurl = https://ca.example.com:/\n", "ca.url",
		    "empty port");
	expect_fail("[ca]\nurl = https://ca.example.com:0/\n", "ca.url",
		    "port out of range");
	expect_fail("[trust]\nurl = \"https://ca.example.com/a b\"\n", "trust.url",
		    "contains a space");
	expect_fail("[computer]\nfqdn = web_01.example.com\n", "computer.fqdn",
		    "contains '_'");
	expect_fail("[computer]\nfqdn = -web.example.com\n", "computer.fqdn",
		    "starts or ends with '-'");
	expect_fail("[agent]\nserver = ms..example.com\n", "agent.server",
		    "empty label");
	expect_fail("[agent]\nmanagement_group = \"MG.1\"\n",
		    "agent.management_group", "contains '.'");
	expect_fail("[agent]\ninstall_command = /bin/install 'unterminated\n",
		    "agent.install_command",
		    "is not a usable command: unterminated single quote");
	expect_fail("[approval]\ncommand = '/bin/check \"x'\n", "approval.command",
		    "unterminated double quote");
	expect_fail("[agent]\nmanagement_group = \" MG1\"\n",
		    "agent.management_group", "begins with a space");
	expect_fail("[computer]\nfqdn = web01.example.com.\n", "computer.fqdn",
		    "ends with a trailing dot");

	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl,
				   "[agent]\nserver = 127.0.0.1\n[computer]\nfqdn = WEB01.Example.COM\n"
				   "[ca]\nurl = https://[::1]:8443/certsrv/\n"
				   "[trust]\nsha256 = 0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9\n"),
			 0);
	assert_string_equal(c.agent_server, "127.0.0.1");
	assert_string_equal(c.fqdn, "WEB01.Example.COM");
	assert_string_equal(c.ca_url, "https://[::1]:8443/certsrv/");
	diag_list_release(&dl);
	config_release(&c);
}

/* An empty string value unsets a string an earlier layer set. */
static void test_empty_string_unsets(void **st)
{
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	assert_int_equal(config_load_file(&c, write_ini("a.ini", "[computer]\nfqdn = a.example.com\n"),
					  true, &dl), 0);
	assert_string_equal(c.fqdn, "a.example.com");
	assert_int_equal(config_load_file(&c, write_ini("b.ini", "[computer]\nfqdn =\n"),
					  true, &dl), 0);
	assert_null(c.fqdn);
	assert_int_equal(dl.n, 0);
	config_release(&c);
}

/* Explicit layers (--config, --answers: required files) mark the keys they
 * set, also an emptied one; optional layers (system, user) mark nothing. */
static void test_explicit_keys(void **st)
{
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	assert_int_equal(c.explicit_keys, 0);
	assert_int_equal(config_load_file(&c, write_ini("u.ini", "[ca]\ntemplate = A\n"),
					  false, &dl), 0);
	assert_int_equal(c.explicit_keys, 0);
	assert_int_equal(config_load_file(&c, write_ini("e.ini",
					  "[export]\ncompat = legacy\n[computer]\nfqdn =\n"),
					  true, &dl), 0);
	assert_int_equal(c.explicit_keys,
			 CONFIG_KEY_BIT(config_key_find("export.compat")) |
			 CONFIG_KEY_BIT(config_key_find("computer.fqdn")));
	assert_int_equal(dl.n, 0);
	config_release(&c);
	assert_int_equal(c.explicit_keys, 0);
}

/* ---- unknown sections and keys ---------------------------------------------- */

static void test_unknown_section_and_key(void **st)
{
	struct config c;
	struct diag_list dl;
	int r = load_text(&c, &dl,
			  "[ca]\ntempalte = OpsMgr\nurl = https://ca.example.com/certsrv/\n"
			  "bits = 4096\nfrobnicate = 1\n"
			  "[trsut]\nsource = file\n"
			  "[certificates]\nx = 1\n");
	assert_int_equal(r, 0);
	assert_int_equal(diag_worst(&dl), SEV_WARN);
	const struct diag *d = find_msg(&dl, SEV_WARN,
					"unknown key [ca] tempalte (did you mean 'template'?)");
	assert_non_null(d);
	assert_string_equal(d->field, "ca.tempalte");
	assert_non_null(find_msg(&dl, SEV_WARN, "unknown key [ca] bits (it belongs in [key])"));
	assert_non_null(find_msg(&dl, SEV_WARN, "unknown key [ca] frobnicate; it is ignored"));
	assert_non_null(find_msg(&dl, SEV_WARN, "unknown section [trsut] (did you mean [trust]?)"));
	assert_non_null(find_msg(&dl, SEV_WARN, "unknown section [certificates];"));
	/* unknown keys and sections change nothing; known keys still load */
	assert_null(c.ca_template);
	assert_int_equal(c.key_bits, CONFIG_DEFAULT_KEY_BITS);
	assert_int_equal(c.trust_source, TRUST_SRC_CA);
	assert_string_equal(c.ca_url, "https://ca.example.com/certsrv/");
	diag_list_release(&dl);
	config_release(&c);
}

static void test_names_case_and_duplicates(void **st)
{
	struct config c;
	struct diag_list dl;
	int r = load_text(&c, &dl,
			  "top = 1\n[CA]\nTemplate = First\n[ ca ]\nTEMPLATE = Second\n");
	assert_int_equal(r, 0);
	assert_string_equal(c.ca_template, "Second");
	assert_non_null(find_msg(&dl, SEV_WARN, "[ca] template is set twice (lines 3 and 5); the later one is used"));
	assert_non_null(find_msg(&dl, SEV_WARN, "key 'top' comes before any [section]"));
	diag_list_release(&dl);
	config_release(&c);
}

/* ---- files ------------------------------------------------------------------ */

static void test_missing_files(void **st)
{
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/does-not-exist.ini", g_tmp);
	assert_int_equal(config_load_file(&c, p, false, &dl), 0);
	assert_int_equal(dl.n, 0);
	assert_null(c.loaded_files);
	assert_int_equal(config_load_file(&c, p, true, &dl), -1);
	const struct diag *d = find_msg(&dl, SEV_FAIL, "does not exist");
	assert_non_null(d);
	assert_non_null(strstr(d->message, p));
	diag_list_release(&dl);
	/* a directory where the file should be */
	assert_int_equal(config_load_file(&c, g_tmp, true, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "not a regular file"));
	diag_list_release(&dl);
	/* optional and unreadable: a warning, the layer is skipped */
	assert_int_equal(config_load_file(&c, g_tmp, false, &dl), 0);
	assert_int_equal(diag_worst(&dl), SEV_WARN);
	assert_non_null(find_msg(&dl, SEV_WARN, "skipped"));
	diag_list_release(&dl);
	/* missing --answers through the layers */
	assert_int_equal(config_load_layers(&c, NULL, p, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "does not exist"));
	diag_list_release(&dl);
	config_release(&c);
}

static void test_empty_and_comment_only(void **st)
{
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl, ""), 0);
	assert_int_equal(dl.n, 0);
	assert_int_equal(c.key_bits, CONFIG_DEFAULT_KEY_BITS);
	assert_non_null(c.loaded_files);
	diag_list_release(&dl);
	config_release(&c);
	assert_int_equal(load_text(&c, &dl, "; only\n# comments\n\n   \n[ca]\n"), 0);
	assert_int_equal(dl.n, 0);
	diag_list_release(&dl);
	config_release(&c);
}

static void test_binary_and_encoding(void **st)
{
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	assert_int_equal(config_load_file(&c, data("garbage.bin"), true, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "this is not a text file"));
	assert_non_null(find_msg(&dl, SEV_FAIL, "line 1:"));
	diag_list_release(&dl);
	assert_int_equal(config_load_file(&c, data("latin1.ini"), true, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "line 2: contains bytes that are not UTF-8"));
	diag_list_release(&dl);
	assert_int_equal(config_load_file(&c, data("bom.ini"), true, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "byte order mark"));
	diag_list_release(&dl);
	expect_fail("[ca]\ntemplate = a\001b\n", NULL, "control character 0x01");
	/* a NUL in the middle of a line */
	const char *p = write_ini("nul.ini", "");
	FILE *f = fopen(p, "wb");
	fwrite("[ca]\ntemplate = Ops\0Mgr\n", 1, 24, f);
	fclose(f);
	assert_int_equal(config_load_file(&c, p, true, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "line 2: contains the control character 0x00"));
	diag_list_release(&dl);
	/* UTF-8 text is fine */
	assert_int_equal(config_load_file(&c, write_ini("u.ini", "[export]\nfriendly_name = Café ✓\n"),
					  true, &dl), 0);
	assert_string_equal(c.export_friendly_name, "Café ✓");
	/* CRLF line ends */
	assert_int_equal(config_load_file(&c, data("crlf.ini"), true, &dl), 0);
	assert_string_equal(c.ca_template, "OpsMgr");
	assert_string_equal(c.ca_url, "https://ca.example.com/certsrv/");
	assert_int_equal(dl.n, 0);
	config_release(&c);
}

static void test_long_lines(void **st)
{
	/* 1022 characters: the longest line iniparser 4.1 reads */
	char *text = malloc(4096);
	assert_non_null(text);
	char line[1100];
	memset(line, 'a', sizeof(line));
	memcpy(line, "user = ", 7);      /* a key that takes any text */
	line[1022] = '\0';
	snprintf(text, 4096, "[ca]\n%s\n", line);
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl, text), 0);
	assert_int_equal(strlen(c.ca_user), 1022 - 7);
	diag_list_release(&dl);
	config_release(&c);
	/* and iniparser agrees with that limit */
	dictionary *d = iniparser_load(write_ini("t2.ini", text));
	assert_non_null(d);
	iniparser_freedict(d);

	/* one more character: refused with the line number */
	line[1022] = 'a';
	line[1023] = '\0';
	snprintf(text, 4096, "; a comment\n[ca]\n%s\n", line);
	expect_fail(text, NULL, "line 3: line longer than 1022 characters");
	/* also a long comment line: iniparser would refuse the file */
	line[0] = ';';
	snprintf(text, 4096, "%s\n[ca]\n", line);
	expect_fail(text, NULL, "line 1: line longer than 1022 characters");
	free(text);
}

/* Hostile sizes: refused early (no quadratic work, no huge lists). */
static void test_huge_files(void **st)
{
	size_t cap = 2u << 20;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t n = (size_t)snprintf(text, cap, "[ca]\n");
	for (int i = 0; i < 1500; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%d = v\n", i);
	expect_fail(text, NULL, "line 1002: more than 1000 keys");
	n = 0;
	for (int i = 0; i < 150; i++)
		n += (size_t)snprintf(text + n, cap - n, "[s%d]\n", i);
	expect_fail(text, NULL, "line 101: more than 100 sections");
	n = 0;
	for (int i = 0; i < 1500; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%d = v\n", i);
	expect_fail(text, NULL, "more than 1000 keys");
	/* over the 1 MiB cap: not even read */
	memset(text, ';', cap - 1);
	for (size_t i = 100; i < cap - 1; i += 100)
		text[i] = '\n';
	text[cap - 1] = '\0';
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl, text), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "larger than the limit"));
	diag_list_release(&dl);
	config_release(&c);
	free(text);
}

/* ';' and '#': iniparser 4.1 cuts an unquoted value there. */
static void test_semicolon_and_hash(void **st)
{
	expect_fail("[ca]\ntemplate = Ops;Mgr\n", "ca.template",
		    "value contains ';'; iniparser would cut the value there; put it in double quotes");
	expect_fail("[ca]\nurl = https://ca.example.com/certsrv/#x\n", "ca.url",
		    "value contains '#'");
	expect_fail("[ca]\ntemplate = \"Ops;Mgr\n", "ca.template",
		    "has no closing \"");
	expect_fail("[ca]\ntemplate = \"Ops\" Mgr\n", "ca.template",
		    "unexpected text after the closing quote");
	expect_fail("[ca]\ntemplate = \"a\\\"b\"\n", "ca.template",
		    "unexpected text after the closing quote");

	/* quoted: kept whole; after a blank: an inline comment */
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl,
				   "[ca]\ntemplate = \"Ops;Mgr#1\" ; why\n"
				   "user = 'it\"s' # comment\n"
				   "url = https://ca.example.com/certsrv/ ; the CA\n"
				   "[export]\nfriendly_name = \"  spaced  \"\n"
				   "pfx = \"\"\n"),
			 0);
	assert_string_equal(c.ca_template, "Ops;Mgr#1");
	assert_string_equal(c.ca_user, "it\"s");
	assert_string_equal(c.ca_url, "https://ca.example.com/certsrv/");
	assert_string_equal(c.export_friendly_name, "  spaced  ");
	assert_null(c.export_pfx);
	assert_int_equal(dl.n, 0);
	diag_list_release(&dl);
	config_release(&c);
}

static void test_malformed_lines(void **st)
{
	expect_fail("[ca\ntemplate = x\n", NULL,
		    "line 1: malformed section header '[ca'");
	expect_fail("[ca] ; comment\n", NULL, "malformed section header");
	expect_fail("[]\n", NULL, "empty section name");
	expect_fail("[ca]\njust some words\n", NULL,
		    "line 2: 'just some words' is neither a [section]");
	expect_fail("[ca]\n= value\n", NULL, "missing key name before '='");
	expect_fail("[ca]\nmy key = value\n", NULL, "key name 'my key' contains ' '");
	expect_fail("[ca]\ntemplate = C:\\dir\\\nuser = x\n", NULL,
		    "line 2: line ends with '\\'");
	expect_fail("# comment \\\n[ca]\n", NULL, "line 1: line ends with '\\'");
	/* several errors are all reported */
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl, "[a\nb\n[c\n"), -1);
	assert_int_equal(diag_count(&dl, SEV_FAIL), 3);
	diag_list_release(&dl);
	config_release(&c);
}

/* CVE-2023-33461: a key that names a section made iniparser_getint crash. */
static void test_key_naming_a_section(void **st)
{
	expect_fail("[ca]\ntimeout = 5\n[ca:timeout]\n", NULL,
		    "section name 'ca:timeout' contains ':'");
	expect_fail("[ca:timeout]\n[key:bits]\n", NULL, "contains ':'");
	expect_fail("[ca]\ntimeout:x = 5\n", NULL, "key name 'timeout:x' contains ':'");
	/* what iniparser itself makes of it: a key of [ca] without a value */
	dictionary *d = iniparser_load(write_ini("cve.ini", "[ca]\n[ca:timeout]\n"));
	assert_non_null(d);
	assert_null(iniparser_getstring(d, "ca:timeout", NULL));
	iniparser_freedict(d);
}

static void test_password_refused(void **st)
{
	expect_fail("[ca]\nuser = bob\npassword = hunter2\n", "ca.password",
		    "[ca] password is not allowed");
	expect_fail("[export]\npassword = hunter2\n", "export.password",
		    "[export] password is not allowed");
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl, "[ca]\nuser = bob\nPassword = x\n"), -1);
	const struct diag *d = find_msg(&dl, SEV_FAIL, "password is not allowed");
	assert_non_null(d);
	assert_non_null(strstr(d->fix, "password_file"));
	/* the secret is not echoed, and nothing of the file was applied */
	for (size_t i = 0; i < dl.n; i++)
		assert_null(strstr(dl.items[i].message, "= 'x'"));
	assert_null(c.ca_user);
	assert_null(c.loaded_files);
	diag_list_release(&dl);
	config_release(&c);
}

/* A file with one bad value changes nothing (earlier layers stay). */
static void test_failed_file_applies_nothing(void **st)
{
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	assert_int_equal(config_load_file(&c, write_ini("good.ini",
							"[ca]\ntemplate = Good\n[key]\nbits = 3072\n"),
					  true, &dl), 0);
	assert_int_equal(config_load_file(&c, write_ini("bad.ini",
							"[ca]\ntemplate = Bad\n[key]\nbits = 4096\n[agent]\nport = x\n"),
					  true, &dl), -1);
	assert_string_equal(c.ca_template, "Good");
	assert_int_equal(c.key_bits, 3072);
	assert_non_null(strstr(c.loaded_files, "good.ini"));
	assert_null(strstr(c.loaded_files, "bad.ini"));
	diag_list_release(&dl);
	config_release(&c);
}

static void test_tilde_warning(void **st)
{
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl, "[export]\npfx = ~/web.pfx\n"), 0);
	const struct diag *d = find_msg(&dl, SEV_WARN, "'~' is not expanded");
	assert_non_null(d);
	assert_string_equal(d->field, "export.pfx");
	assert_string_equal(c.export_pfx, "~/web.pfx");
	diag_list_release(&dl);
	config_release(&c);
}

/* ---- layers ------------------------------------------------------------------ */

static void test_layers(void **st)
{
	char xdg[PATH_MAX + 32], dir[PATH_MAX + 64], dst[PATH_MAX + 96];
	snprintf(xdg, sizeof(xdg), "%s/layers-xdg", g_tmp);
	snprintf(dir, sizeof(dir), "%s/opsmgr-enroll", xdg);
	assert_int_equal(mkdir(xdg, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dst, sizeof(dst), "%s/opsmgr-enroll.ini", dir);
	/* copy the user layer to where the loader looks for it */
	FILE *in = fopen(data("layer-user.ini"), "rb"), *out = fopen(dst, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[512];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);

	char sys[PATH_MAX + 64];
	snprintf(sys, sizeof(sys), "%s", data("layer-system.ini"));
	setenv("OPSMGR_ENROLL_SYSTEM_CONFIG", sys, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);

	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	char cfgp[PATH_MAX + 64], ansp[PATH_MAX + 64];
	snprintf(cfgp, sizeof(cfgp), "%s", data("layer-config.ini"));
	snprintf(ansp, sizeof(ansp), "%s", data("layer-answers.ini"));
	int r = config_load_layers(&c, cfgp, ansp, &dl);
	if (r != 0)
		dump(&dl);
	assert_int_equal(r, 0);
	assert_int_equal(dl.n, 0);
	/* each key comes from the last layer that sets it */
	assert_string_equal(c.ca_url, "https://system.example.com/certsrv/");
	assert_int_equal(c.key_bits, 4096);
	assert_string_equal(c.agent_server, "system-ms.example.com");
	assert_string_equal(c.ca_template, "UserTemplate");
	assert_int_equal(c.ca_timeout, 33);
	assert_string_equal(c.agent_mgmt_group, "ConfigMG");
	assert_int_equal(c.agent_port, 1004);
	/* and all four were loaded, in order */
	char want[4 * (PATH_MAX + 100)];
	snprintf(want, sizeof(want), "%s, %s, %s, %s", sys, dst, cfgp, ansp);
	assert_string_equal(c.loaded_files, want);
	config_release(&c);

	/* without --config and --answers: system + user only */
	config_init(&c);
	assert_int_equal(config_load_layers(&c, NULL, NULL, &dl), 0);
	assert_int_equal(c.agent_port, 1002);
	assert_int_equal(c.ca_timeout, 22);
	config_release(&c);

	/* a missing system file is skipped silently */
	snprintf(sys, sizeof(sys), "%s/no-such-system.ini", g_tmp);
	setenv("OPSMGR_ENROLL_SYSTEM_CONFIG", sys, 1);
	config_init(&c);
	assert_int_equal(config_load_layers(&c, NULL, NULL, &dl), 0);
	assert_int_equal(dl.n, 0);
	assert_null(c.ca_url);
	assert_int_equal(c.agent_port, 1002);
	config_release(&c);

	/* a broken system file fails the load, naming that file */
	setenv("OPSMGR_ENROLL_SYSTEM_CONFIG", write_ini("broken-sys.ini", "[key]\nbits = lots\n"), 1);
	config_init(&c);
	assert_int_equal(config_load_layers(&c, NULL, NULL, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "broken-sys.ini' line 2: [key] bits: 'lots' is not a number"));
	config_release(&c);
	diag_list_release(&dl);

	/* the user file falls back to ~/.config when XDG_CONFIG_HOME is unset */
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char fakehome[PATH_MAX + 32];
	snprintf(fakehome, sizeof(fakehome), "%s/home", g_tmp);
	mkdir(fakehome, 0700);
	snprintf(dir, sizeof(dir), "%s/.config", fakehome);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/.config/opsmgr-enroll", fakehome);
	mkdir(dir, 0700);
	snprintf(dst, sizeof(dst), "%s/opsmgr-enroll.ini", dir);
	out = fopen(dst, "wb");
	fputs("[agent]\nport = 4242\n", out);
	fclose(out);
	setenv("HOME", fakehome, 1);
	unsetenv("XDG_CONFIG_HOME");
	setenv("OPSMGR_ENROLL_SYSTEM_CONFIG", "", 1);
	config_init(&c);
	assert_int_equal(config_load_layers(&c, NULL, NULL, &dl), 0);
	assert_int_equal(c.agent_port, 4242);
	config_release(&c);
	diag_list_release(&dl);

	if (home) {
		setenv("HOME", home, 1);
		free(home);
	} else {
		unsetenv("HOME");
	}
	snprintf(xdg, sizeof(xdg), "%s/xdg-config", g_tmp);
	setenv("XDG_CONFIG_HOME", xdg, 1);
}

static void test_default_state_dir(void **st)
{
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("XDG_STATE_HOME", "/srv/state", 1);
	char *d = config_default_state_dir();
	assert_string_equal(d, "/srv/state/opsmgr-enroll");
	free(d);
	/* relative XDG values are ignored, as the XDG spec says */
	setenv("XDG_STATE_HOME", "relative/state", 1);
	setenv("HOME", "/home/op", 1);
	d = config_default_state_dir();
	assert_string_equal(d, "/home/op/.local/state/opsmgr-enroll");
	free(d);
	unsetenv("XDG_STATE_HOME");
	d = config_default_state_dir();
	assert_string_equal(d, "/home/op/.local/state/opsmgr-enroll");
	free(d);
	if (old_home) {
		setenv("HOME", old_home, 1);
		free(old_home);
	} else {
		unsetenv("HOME");
	}
}

/* ---- cross-field checks ------------------------------------------------------ */

static void expect_validate_fail(const char *text, const char *field,
				 const char *needle)
{
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl, text), 0);
	assert_int_equal(config_validate(&c, &dl), -1);
	const struct diag *d = find_msg(&dl, SEV_FAIL, needle);
	if (!d)
		dump(&dl);
	assert_non_null(d);
	assert_string_equal(d->field, field);
	assert_non_null(d->fix);
	diag_list_release(&dl);
	config_release(&c);
}

static void expect_validate_ok(const char *text)
{
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl, text), 0);
	int r = config_validate(&c, &dl);
	if (r != 0)
		dump(&dl);
	assert_int_equal(r, 0);
	diag_list_release(&dl);
	config_release(&c);
}

static void test_validate(void **st)
{
	expect_validate_fail("[ca]\nurl = https://ca.example.com/certsrv/\nauth = basic\n",
			     "ca.user", "[ca] auth = basic needs [ca] user");
	expect_validate_ok("[ca]\nurl = https://ca.example.com/certsrv/\nauth = basic\nuser = bob\n");
	expect_validate_ok("[ca]\nurl = https://ca.example.com/certsrv/\nauth = negotiate\n");
	expect_validate_fail("[ca]\nauth = cert\nclient_key = /k.pem\n",
			     "ca.client_cert", "needs [ca] client_cert");
	expect_validate_fail("[ca]\nauth = cert\nclient_cert = /c.pem\n",
			     "ca.client_key", "needs [ca] client_key");
	expect_validate_ok("[ca]\nauth = cert\nclient_cert = /c.pem\nclient_key = /k.pem\n");
	expect_validate_fail("[trust]\nsource = file\n", "trust.file",
			     "[trust] source = file needs [trust] file");
	expect_validate_fail("[trust]\nsource = url\n", "trust.url",
			     "[trust] source = url needs [trust] url");
	expect_validate_ok("[trust]\nsource = url\nurl = http://pki.example.com/root.cer\n");
	expect_validate_fail("[ca]\nurl = http://ca.example.com/certsrv/\nuser = bob\n",
			     "ca.url", "is plain http");
	expect_validate_fail("[approval]\nsource = command\n", "approval.command",
			     "[approval] source = command needs [approval] command");
	expect_validate_fail("[approval]\nsource = command\ncommand = /bin/true\n[wizard]\nrole = server\n",
			     "approval.list_command", "needs [approval] list_command");
	expect_validate_ok("[approval]\nsource = command\ncommand = /bin/true\n");

	/* plain http with the explicit flag: a warning only */
	struct config c;
	struct diag_list dl;
	assert_int_equal(load_text(&c, &dl,
				   "[ca]\nurl = http://127.0.0.1:8080/certsrv/\nuser = bob\n"
				   "allow_insecure_http = yes\n"), 0);
	assert_int_equal(config_validate(&c, &dl), 0);
	const struct diag *d = find_msg(&dl, SEV_WARN, "plain http");
	assert_non_null(d);
	assert_string_equal(d->field, "ca.url");
	diag_list_release(&dl);
	/* stage range */
	c.stage_from = 5;
	c.stage_to = 3;
	assert_int_equal(config_validate(&c, &dl), -1);
	assert_non_null(find_msg(&dl, SEV_FAIL, "stages 5-3"));
	diag_list_release(&dl);
	config_release(&c);
}

/* ---- writing values ------------------------------------------------------------ */

static void test_value_ok_for_ini(void **st)
{
	static const char *const good[] = {
		"OpsMgr", "", "/path/with spaces/x.pfx", "a=b", "C:\\dir\\file",
		"https://ca.example.com/certsrv/", "Café", "[x]", "tab\tinside"
	};
	static const char *const bad[] = {
		"a;b", "a#b", "line\nbreak", "cr\r", " lead", "trail ",
		"\"quoted\"", "it's", "ends\\", "\001ctl"
	};
	/* tab inside counts as a control character: not written */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]) - 1; i++) {
		assert_true(config_value_ok_for_ini(good[i]));
		/* and it really reads back unchanged */
		char text[256];
		snprintf(text, sizeof(text), "[export]\nfriendly_name = %s\n",
			 good[i]);
		struct config c;
		struct diag_list dl;
		assert_int_equal(load_text(&c, &dl, text), 0);
		if (good[i][0])
			assert_string_equal(c.export_friendly_name, good[i]);
		else
			assert_null(c.export_friendly_name);
		diag_list_release(&dl);
		config_release(&c);
	}
	assert_false(config_value_ok_for_ini("tab\tinside"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(config_value_ok_for_ini(bad[i]));
	assert_false(config_value_ok_for_ini(NULL));
	char big[1002];
	memset(big, 'x', sizeof(big));
	big[1000] = '\0';
	assert_true(config_value_ok_for_ini(big));
	big[1000] = 'x';
	big[1001] = '\0';
	assert_false(config_value_ok_for_ini(big));
	assert_false(config_value_ok_for_ini("\xff\xfe"));
}

static void test_set_str(void **st)
{
	char *m = NULL;
	config_set_str(&m, "a");
	assert_string_equal(m, "a");
	config_set_str(&m, m);  /* self-assignment is safe */
	assert_string_equal(m, "a");
	config_set_str(&m, NULL);
	assert_null(m);
}

/*
 * What iniparser 4.1 itself does (the model config_scan.c is built on).
 * Should the library change behaviour, this test says which assumption
 * broke.
 */
static int silent_cb(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

static const char *ini_get(dictionary *d, const char *key)
{
	return iniparser_getstring(d, key, NULL);
}

static void test_iniparser_41_quirks(void **st)
{
	iniparser_set_error_callback(silent_cb);
	dictionary *d = iniparser_load(write_ini("q.ini",
		"top = 1\n"
		"[S]\n"
		"Cut = x;y\n"
		"cut2 = x#y\n"
		"dq = \"x;y#z\"\n"
		"sq = 'p\"q'\n"
		"noesc = \"a\\\"b\"\n"
		"after = \"a\" dropped\n"
		"open = \"abc\n"
		"join = a\\\n"
		"b\n"
		"edge = \"  kept  \"\n"));
	assert_non_null(d);
	assert_string_equal(ini_get(d, ":top"), "1");
	assert_string_equal(ini_get(d, "s:cut"), "x");
	assert_string_equal(ini_get(d, "s:cut2"), "x");
	assert_string_equal(ini_get(d, "s:dq"), "x;y#z");
	assert_string_equal(ini_get(d, "s:sq"), "p\"q");
	assert_string_equal(ini_get(d, "s:noesc"), "a\\");
	assert_string_equal(ini_get(d, "s:after"), "a");
	assert_string_equal(ini_get(d, "s:open"), "abc");
	assert_string_equal(ini_get(d, "s:join"), "ab");
	assert_string_equal(ini_get(d, "s:edge"), "  kept  ");
	iniparser_freedict(d);

	/* 1023 characters on a line: the whole file is refused */
	char *text = malloc(1100);
	assert_non_null(text);
	memset(text, 'v', 4 + 1023);
	memcpy(text, "[s]\nk = ", 8);
	text[4 + 1023] = '\n';
	text[4 + 1024] = '\0';
	strcat(text, "z = 1\n");
	assert_null(iniparser_load(write_ini("q2.ini", text)));
	free(text);
	iniparser_set_error_callback(NULL);
}

/*
 * Differential check of the scan against iniparser 4.1 itself: random
 * values made of the characters iniparser treats specially.  Whatever the
 * loader accepts must be exactly what iniparser reads.
 */
static void test_scan_agrees_with_iniparser(void **st)
{
	static const char alpha[] = "[]=;#\"'\\ \tab:c";
	unsigned int seed = 12345;
	int accepted = 0, refused = 0;
	for (int it = 0; it < 3000; it++) {
		char value[24];
		int n = (int)(rand_r(&seed) % 16);
		for (int i = 0; i < n; i++)
			value[i] = alpha[rand_r(&seed) % (sizeof(alpha) - 1)];
		value[n] = '\0';
		char text[128];
		snprintf(text, sizeof(text), "[export]\nfriendly_name =%s\n", value);
		const char *p = write_ini("diff.ini", text);
		struct config c;
		struct diag_list dl;
		config_init(&c);
		diag_list_init(&dl);
		int r = config_load_file(&c, p, true, &dl);
		if (r == 0) {
			accepted++;
			dictionary *d = iniparser_load(p);
			assert_non_null(d);
			const char *iv = iniparser_getstring(d, "export:friendly_name", NULL);
			assert_non_null(iv);
			if (strcmp(iv, c.export_friendly_name ? c.export_friendly_name : "") != 0)
				print_message("line: '%s' iniparser '%s' loader '%s'\n",
					      value, iv, c.export_friendly_name);
			assert_string_equal(iv, c.export_friendly_name ? c.export_friendly_name : "");
			iniparser_freedict(d);
		} else {
			refused++;
			/* refused with a reason, never a mismatch */
			assert_true(diag_count(&dl, SEV_FAIL) > 0);
			assert_null(find_msg(&dl, SEV_FAIL, "iniparser reads"));
		}
		diag_list_release(&dl);
		config_release(&c);
	}
	/* both paths were exercised */
	assert_true(accepted > 300);
	assert_true(refused > 300);
}

/* ---- stderr stays clean ------------------------------------------------------ */

static void test_nothing_on_stderr(void **st)
{
	static const char *const texts[] = {
		"[ca\n", "[ca]\nno equals sign\n", "[ca]\ntemplate = a;b\n",
		"[ca:timeout]\n", "[ca]\npassword = x\n", "[key]\nbits = x\n",
		"[ca]\nx = \"open\n", "# c \\\n", "[trsut]\n", ""
	};
	char out[4096];
	stderr_begin();
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct config c;
		struct diag_list dl;
		load_text(&c, &dl, texts[i]);
		config_validate(&c, &dl);
		diag_list_release(&dl);
		config_release(&c);
	}
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	config_load_file(&c, data("garbage.bin"), true, &dl);
	config_load_file(&c, "/nonexistent/x.ini", true, &dl);
	config_load_file(&c, g_tmp, true, &dl);
	diag_list_release(&dl);
	config_release(&c);
	size_t n = stderr_end(out, sizeof(out));
	if (n)
		print_message("stderr got: %s\n", out);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_pins_urls_hosts),
		cmocka_unit_test(test_empty_string_unsets),
		cmocka_unit_test(test_explicit_keys),
		cmocka_unit_test(test_unknown_section_and_key),
		cmocka_unit_test(test_names_case_and_duplicates),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_empty_and_comment_only),
		cmocka_unit_test(test_binary_and_encoding),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_huge_files),
		cmocka_unit_test(test_semicolon_and_hash),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_key_naming_a_section),
		cmocka_unit_test(test_password_refused),
		cmocka_unit_test(test_failed_file_applies_nothing),
		cmocka_unit_test(test_tilde_warning),
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_default_state_dir),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_value_ok_for_ini),
		cmocka_unit_test(test_set_str),
		cmocka_unit_test(test_iniparser_41_quirks),
		cmocka_unit_test(test_scan_agrees_with_iniparser),
		cmocka_unit_test(test_nothing_on_stderr),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
