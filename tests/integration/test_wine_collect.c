/*
 * test_wine_collect.c - collect.cmd (issue 17) run under Wine: one fresh
 * WINEPREFIX in the build directory for the program (group setup/
 * teardown), the agent's registry values put where an installed agent
 * keeps them (`reg add`, the values the stand-in MOMAgent.msi and
 * install.cmd's serial.reg write: windows/installcmd.h), then collect.cmd
 * run with `wine cmd /c` and its evidence folder read back.
 *
 * Real under Wine: reg export (UTF-16LE with a BOM, CRLF, long hex values
 * wrapped with ",\" as regedit writes them), reg query, cmd itself.
 * Stubs under Wine: certutil and wevtutil (return 0, print nothing: the
 * store listings and events.xml are empty, no certs\*.cer), sc (no
 * HealthService), PowerShell (returns 0, runs nothing: tcp.txt is the
 * script's own "skipped" fallback), and there is no tar.exe: the zip
 * cannot be made here, so the test asserts the script says so
 * (COLLECTCMD_MSG_NO_ZIP) and logs "zip rc=1"; the zip commands are held
 * to Microsoft's syntax in tests/unit/test_collectcmd.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "run_capture.h"
#include "wine_harness.h"
#include "windows/collectcmd.h"
#include "windows/evidence_layout.h"
#include "windows/regfile.h"

#define CMD_TIMEOUT_S 180
#define MS_KEY "HKLM\\" REGFILE_OM_SUBKEY "\\Machine Settings"
#define GROUPS_KEY "HKLM\\" REGFILE_OM_SUBKEY "\\Agent Management Groups"
#define PARENT_KEY GROUPS_KEY "\\MG1\\Parent Health Services\\0"
#define TCPIP_KEY "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"
/* 20 bytes (RFC 5280's longest serial), reversed as the registry holds
 * it: long enough for reg export to wrap the line. */
#define SERIAL_REV "8a1b2c3d4e5f60718293a4b5c6d7e8f900112233"
#define SERIAL_LIST "8a,1b,2c,3d,4e,5f,60,71,82,93,a4,b5,c6,d7,e8,f9,00,11,22,33"
#define THUMB "0123456789ABCDEF0123456789ABCDEF01234567"

static struct wine_prefix w;

static char *path2(const char *a, const char *b)
{
	char *p = NULL;
	return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

static void reg_add(const char *key, const char *name, const char *type,
		    const char *data)
{
	const char *args[] = { "reg", "add", key, "/v", name, "/t", type,
			       "/d", data, "/f", NULL };
	char *out = NULL;
	int rc = wine_run(&w, args, NULL, CMD_TIMEOUT_S, &out);
	if (rc != 0)
		fprintf(stderr, "reg add %s %s: %d %s\n", key, name, rc, out);
	free(out);
	assert_int_equal(rc, 0);
}

static int group_setup(void **st)
{
	(void)st;
	return wine_prefix_create(&w);
}

static int group_teardown(void **st)
{
	(void)st;
	wine_prefix_destroy(&w);
	return 0;
}

/* The whole file (binary), *len its size; NULL when absent. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0, r;
	unsigned char chunk[4096];
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (n + r + 1 > cap) {
			cap = (n + r + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		memcpy(buf + n, chunk, r);
		n += r;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* A .reg file as Windows writes it: BOM FF FE, UTF-16LE; returned as its
 * ASCII text (every character of ours is ASCII). */
static char *reg_text(const char *path)
{
	size_t n = 0;
	unsigned char *b = slurp(path, &n);
	if (!b)
		fail_msg("%s: missing", path);
	assert_true(n >= 4 && n % 2 == 0);
	assert_int_equal(b[0], 0xff);
	assert_int_equal(b[1], 0xfe);
	char *t = calloc(n / 2, 1);
	assert_non_null(t);
	for (size_t i = 2; i + 1 < n; i += 2) {
		assert_int_equal(b[i + 1], 0);
		assert_true(b[i] < 0x80);
		t[i / 2 - 1] = (char)b[i];
	}
	free(b);
	return t;
}

/* The script in <work>/<sub>/collect.cmd, run; returns its exit code. */
static int run_collect(const char *sub, const struct collectcmd_in *in,
		       char **dir, char **out)
{
	*dir = path2(w.work, sub);
	assert_non_null(*dir);
	mkdir(*dir, 0755);
	char err[256];
	char *text = collectcmd_text(in, NULL, err, sizeof(err));
	assert_non_null(text);
	char *script = path2(*dir, COLLECTCMD_NAME);
	FILE *f = fopen(script, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	const char *args[] = { COLLECTCMD_NOPAUSE, NULL };
	int rc = wine_cmd_script(&w, script, args, CMD_TIMEOUT_S, out);
	free(script);
	return rc;
}

/* The evidence folder the script made in dir ("evidence-<NAME>"). */
static char *evidence_dir(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	char *found = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (!strncmp(e->d_name, EVIDENCE_DIR_PREFIX,
			     strlen(EVIDENCE_DIR_PREFIX)) &&
		    (n < 4 || strcmp(e->d_name + n - 4, EVIDENCE_ZIP_SUFFIX)))
			found = path2(dir, e->d_name);
	}
	closedir(d);
	if (!found)
		fail_msg("no %s* folder in %s", EVIDENCE_DIR_PREFIX, dir);
	return found;
}

/* run_collect that must succeed: the evidence folder's path. */
static char *collect_ok(const char *sub, const struct collectcmd_in *in,
			char **out)
{
	char *dir = NULL;
	int rc = run_collect(sub, in, &dir, out);
	if (rc != COLLECTCMD_EXIT_OK)
		fail_msg("collect.cmd exited %d:\n%s", rc, *out);
	char *ev = evidence_dir(dir);
	free(dir);
	return ev;
}

static char *file_in(const char *dir, const char *name)
{
	char *p = path2(dir, name);
	char *t = test_read_file(p);
	if (!t)
		fail_msg("%s: missing", p);
	free(p);
	return t;
}

static void expect_in(const char *text, const char *want, const char *what)
{
	if (!strstr(text, want))
		fail_msg("%s lacks '%s':\n%s", what, want, text);
}

/* Every file is one the layout names; none holds key material. */
static void assert_only_evidence(const char *dir, bool certs_dir)
{
	static const char *const allowed[] = {
		EVIDENCE_MACHINE_SETTINGS_REG, EVIDENCE_GROUPS_REG,
		EVIDENCE_SERVICE_GROUPS_REG, EVIDENCE_STORE_MY,
		EVIDENCE_STORE_ROOT, EVIDENCE_STORE_CA, EVIDENCE_EVENTS_XML,
		EVIDENCE_SC_QC, EVIDENCE_SC_QUERY, EVIDENCE_COMPUTER,
		EVIDENCE_TCP, EVIDENCE_LOG, EVIDENCE_CERTS_DIR,
	};
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		bool ok = false;
		for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			ok = ok || !strcmp(e->d_name, allowed[i]);
		if (!ok)
			fail_msg("unexpected file in the evidence: %s", e->d_name);
		if (certs_dir && !strcmp(e->d_name, EVIDENCE_CERTS_DIR))
			continue;
		char *p = path2(dir, e->d_name);
		size_t n = 0;
		unsigned char *b = slurp(p, &n);
		if (b && memmem(b, n, "PRIVATE KEY", 11))
			fail_msg("%s holds key material", p);
		free(b);
		free(p);
	}
	closedir(d);
}

static void test_collect_evidence(void **st)
{
	(void)st;
	reg_add(MS_KEY, "ChannelCertificateSerialNumber", "REG_BINARY",
		SERIAL_REV);
	reg_add(MS_KEY, "ChannelCertificateHash", "REG_SZ", THUMB);
	reg_add(PARENT_KEY, "NetworkName", "REG_SZ", "ms.example.com");
	reg_add(PARENT_KEY, "Port", "REG_DWORD", "5723");
	struct collectcmd_in in = { .server = "ms.example.com", .port = 5723 };
	char *out = NULL;
	char *ev = collect_ok("run1", &in, &out);

	char *p = path2(ev, EVIDENCE_MACHINE_SETTINGS_REG);
	char *ms = reg_text(p);
	free(p);
	expect_in(ms, "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_"
		  "MACHINE\\SOFTWARE\\Microsoft\\Microsoft Operations Manager"
		  "\\3.0\\Machine Settings]\r\n", "machine-settings.reg");
	expect_in(ms, "\"ChannelCertificateHash\"=\"" THUMB "\"\r\n",
		  "machine-settings.reg");
	/* wrapped as regedit wraps: ",\" CRLF and two blanks */
	expect_in(ms, ",\\\r\n  ", "machine-settings.reg");
	char *flat = strstr(ms, "\"ChannelCertificateSerialNumber\"=hex:");
	assert_non_null(flat);
	char joined[256] = "";
	for (const char *s = flat; *s && strlen(joined) < 200; s++) {
		if (!strncmp(s, "\\\r\n  ", 5)) {
			s += 4;
			continue;
		}
		if (*s == '\r')
			break;
		strncat(joined, s, 1);
	}
	assert_string_equal(joined, "\"ChannelCertificateSerialNumber\"=hex:"
			    SERIAL_LIST);
	free(ms);

	p = path2(ev, EVIDENCE_GROUPS_REG);
	char *gr = reg_text(p);
	free(p);
	expect_in(gr, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Microsoft "
		  "Operations Manager\\3.0\\Agent Management Groups\\MG1\\"
		  "Parent Health Services\\0]\r\n\"NetworkName\"=\""
		  "ms.example.com\"\r\n\"Port\"=dword:0000165b\r\n",
		  "agent-groups.reg");
	free(gr);

	char *log = file_in(ev, EVIDENCE_LOG);
	static const char *const steps[] = {
		"machine-settings rc=0\r\n", "agent-groups rc=0\r\n",
		"service-groups rc=1\r\n", "store-my rc=0\r\n", "events rc=0\r\n",
		"certs rc=0 0 certificates\r\n", "computer rc=0\r\n",
		"tcp rc=0\r\n", "done rc=0\r\n", "zip rc=1\r\n",
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		expect_in(log, steps[i], "collect.log");
	free(log);

	/* the names Windows registers in DNS, as reg query reads them */
	char *host = wine_reg_value(&w, TCPIP_KEY, "Hostname", NULL, 0);
	char *dom = wine_reg_value(&w, TCPIP_KEY, "Domain", NULL, 0);
	assert_non_null(host);
	char want[512];
	snprintf(want, sizeof(want), "hostname=%s\r\ndomain=%s\r\nfqdn=%s%s%s\r\n",
		 host, dom ? dom : "", host, dom && *dom ? "." : "",
		 dom ? dom : "");
	char *comp = file_in(ev, EVIDENCE_COMPUTER);
	expect_in(comp, want, "computer.txt");
	/* the folder is named after computername= */
	assert_int_equal(strncmp(comp, "computername=", 13), 0);
	char name[300];
	snprintf(name, sizeof(name), "/" EVIDENCE_DIR_PREFIX "%.*s",
		 (int)strcspn(comp + 13, "\r\n"), comp + 13);
	assert_true(strlen(ev) > strlen(name) &&
		    !strcmp(ev + strlen(ev) - strlen(name), name));
	free(comp);
	free(host);
	free(dom);

	char *tcp = file_in(ev, EVIDENCE_TCP);
	assert_string_equal(tcp, "server=ms.example.com\r\nport=5723\r\n"
			    "result=skipped\r\ndetail=PowerShell did not run "
			    "or wrote nothing\r\n");
	free(tcp);

	for (const char *const *f = (const char *const[]){
		     EVIDENCE_STORE_MY, EVIDENCE_STORE_ROOT, EVIDENCE_STORE_CA,
		     EVIDENCE_EVENTS_XML, EVIDENCE_SC_QC, EVIDENCE_SC_QUERY,
		     NULL }; *f; f++) {
		char *q = path2(ev, *f);
		struct stat sb;
		if (stat(q, &sb) != 0)
			fail_msg("%s: missing", q);
		free(q);
	}
	p = path2(ev, EVIDENCE_CERTS_DIR);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	free(p);
	assert_only_evidence(ev, true);

	/* no tar.exe, no Compress-Archive under Wine: said, not hidden */
	char zip[4200];
	snprintf(zip, sizeof(zip), "%s%s", ev, EVIDENCE_ZIP_SUFFIX);
	assert_int_not_equal(stat(zip, &sb), 0);
	expect_in(out, COLLECTCMD_MSG_NO_ZIP, "the script's output");
	free(out);

	/* a second run keeps the first evidence */
	char *dir = NULL;
	int rc = run_collect("run1", &in, &dir, &out);
	assert_int_equal(rc, COLLECTCMD_EXIT_EXISTS);
	expect_in(out, "exists already", "the second run's output");
	log = file_in(ev, EVIDENCE_LOG);
	expect_in(log, "done rc=0\r\n", "collect.log after a second run");
	free(log);
	free(out);
	free(ev);
	free(dir);
}

/* No agent: the missing keys are logged, the script still finishes. */
static void test_collect_without_agent(void **st)
{
	(void)st;
	wine_reg_delete_key(&w, MS_KEY);
	wine_reg_delete_key(&w, GROUPS_KEY);
	struct collectcmd_in in = { 0 };
	char *out = NULL;
	char *ev = collect_ok("run2", &in, &out);
	char *log = file_in(ev, EVIDENCE_LOG);
	expect_in(log, "machine-settings rc=1\r\n", "collect.log");
	expect_in(log, "agent-groups rc=1\r\n", "collect.log");
	expect_in(log, "done rc=0\r\n", "collect.log");
	free(log);
	char *p = path2(ev, EVIDENCE_MACHINE_SETTINGS_REG);
	struct stat sb;
	assert_int_not_equal(stat(p, &sb), 0);
	free(p);
	char *tcp = file_in(ev, EVIDENCE_TCP);
	expect_in(tcp, "server=\r\nport=\r\nresult=skipped\r\n", "tcp.txt");
	free(tcp);
	assert_only_evidence(ev, true);
	free(ev);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect_evidence),
		cmocka_unit_test(test_collect_without_agent),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
