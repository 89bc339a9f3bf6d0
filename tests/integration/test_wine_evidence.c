/*
 * test_wine_evidence.c - the evidence's .reg reader against the real
 * writer: Wine's `reg export` (the tool collect.cmd runs) writes the
 * Machine Settings and Agent Management Groups keys the way Windows does
 * (UTF-16LE with a BOM, CRLF, hex lists wrapped with ",\"), and
 * windows/evidence_reg.c reads back exactly the bytes `reg add` put there,
 * a 20-byte serial and a 100-byte value over several lines included.  Then
 * `check --evidence` on the healthy fixture with Wine's exports in place of
 * the fixture's .reg files finds the same certificate and passes.
 * (Wine's certutil and wevtutil are stubs: those files stay the
 * fixture's, tests/data/evidence/README.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "diag_expect.h"
#include "evidence_check.h"
#include "lab_harness.h"
#include "run_capture.h"
#include "unit_util.h"
#include "wine_harness.h"
#include "windows/evidence_layout.h"
#include "windows/evidence_reg.h"
#include "windows/regfile.h"

#define MG_KEY "HKLM\\" REGFILE_OM_SUBKEY "\\Agent Management Groups\\MG1\\Parent Health Services\\0"
#define MS_KEY "HKLM\\" REGFILE_OM_SUBKEY "\\Machine Settings"

static struct wine_prefix w;

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

static void reg_add(const char *key, const char *name, const char *type,
		    const char *data)
{
	const char *const args[] = { "reg", "add", key, "/v", name, "/t", type,
				     "/d", data, "/f", NULL };
	char *out = NULL;
	int r = wine_run(&w, args, NULL, 120, &out);
	if (r != 0)
		fail_msg("reg add %s %s: %d %s", key, name, r, out ? out : "");
	free(out);
}

/* `reg export KEY C:\opsmgr-test\NAME /y`, read back. */
static unsigned char *reg_export(const char *key, const char *name,
				 size_t *len)
{
	char win[256];
	snprintf(win, sizeof(win), "C:\\opsmgr-test\\%s", name);
	const char *const args[] = { "reg", "export", key, win, "/y", NULL };
	char *out = NULL;
	int r = wine_run(&w, args, NULL, 120, &out);
	if (r != 0)
		fail_msg("reg export %s: %d %s", key, r, out ? out : "");
	free(out);
	char *path = fs_join(w.work, name);
	unsigned char *buf = NULL;
	char err[256];
	assert_int_equal(fs_read_file(path, 1u << 20, &buf, len, err, sizeof(err)), 0);
	free(path);
	return buf;
}

static char *current_serial_rev(void)
{
	/* the fixture's reversed serial: from its own .reg (the generator's) */
	size_t n;
	char *b = test_data_load("evidence", "healthy/" EVIDENCE_MACHINE_SETTINGS_REG, &n);
	struct reg_file f;
	char err[256];
	reg_file_init(&f);
	assert_int_equal(reg_parse((unsigned char *)b, n, &f, err, sizeof(err)), 0);
	const struct reg_value *v = reg_find(&f, REGFILE_KEY, "ChannelCertificateSerialNumber");
	assert_non_null(v);
	char *hex = malloc(v->len * 2 + 1);
	for (size_t i = 0; i < v->len; i++)
		sprintf(hex + 2 * i, "%02X", v->data[i]);
	reg_file_release(&f);
	free(b);
	return hex;
}

static void test_reg_export_read_back(void **st)
{
	char *serial = current_serial_rev();
	char big[201];
	for (int i = 0; i < 100; i++)
		sprintf(big + 2 * i, "%02X", (unsigned)(i * 7 + 1) & 0xFF);
	reg_add(MS_KEY, "ChannelCertificateSerialNumber", "REG_BINARY", serial);
	reg_add(MS_KEY, "ChannelCertificateHash", "REG_SZ",
		"D9E6E1188C0C191127A7C80035B8B2707550CA0E");
	reg_add(MS_KEY, "LongBinary", "REG_BINARY", big);
	reg_add(MG_KEY, "NetworkName", "REG_SZ", "scom01.example.test");
	reg_add(MG_KEY, "Port", "REG_DWORD", "5723");
	size_t len;
	unsigned char *b = reg_export(MS_KEY, "ms.reg", &len);
	assert_true(len > 4);
	assert_int_equal(b[0], 0xFF);   /* UTF-16LE with its BOM */
	assert_int_equal(b[1], 0xFE);
	struct reg_file f;
	char err[256];
	reg_file_init(&f);
	if (reg_parse(b, len, &f, err, sizeof(err)) != 0)
		fail_msg("Wine's reg export does not parse: %s", err);
	const struct reg_value *v = reg_find(&f, REGFILE_KEY, "ChannelCertificateSerialNumber");
	assert_non_null(v);
	assert_int_equal(v->len, strlen(serial) / 2);
	for (size_t i = 0; i < v->len; i++) {
		unsigned x;
		sscanf(serial + 2 * i, "%2X", &x);
		assert_int_equal(v->data[i], x);
	}
	v = reg_find(&f, REGFILE_KEY, "LongBinary");
	assert_non_null(v);   /* wrapped over several lines by reg export */
	assert_int_equal(v->len, 100);
	assert_int_equal(v->data[99], (99 * 7 + 1) & 0xFF);
	assert_string_equal(reg_find(&f, REGFILE_KEY, "ChannelCertificateHash")->str,
			    "D9E6E1188C0C191127A7C80035B8B2707550CA0E");
	reg_file_release(&f);
	free(b);
	free(serial);
}

/* The healthy fixture with Wine's exports as its .reg files. */
static void test_check_with_wine_exports(void **st)
{
	size_t ml, gl;
	unsigned char *ms = reg_export(MS_KEY, "ms2.reg", &ml);
	unsigned char *gr = reg_export("HKLM\\" REGFILE_OM_SUBKEY "\\Agent Management Groups",
				       "groups.reg", &gl);
	char *tmp = test_mkdtemp("evwine");
	char *src = test_data_path("evidence", "healthy");
	const char *const cp[] = { "/bin/cp", "-r", src, tmp, NULL };
	char *out = NULL;
	assert_int_equal(run_capture(cp, 30, &out), 0);
	free(out);
	char *dir = fs_join(tmp, "healthy");
	char *p1 = fs_join(dir, EVIDENCE_MACHINE_SETTINGS_REG);
	char *p2 = fs_join(dir, EVIDENCE_GROUPS_REG);
	char err[256];
	assert_int_equal(fs_write_atomic(p1, ms, ml, 0600, err, sizeof(err)), 0);
	assert_int_equal(fs_write_atomic(p2, gr, gl, 0600, err, sizeof(err)), 0);
	struct diag_list dl;
	diag_list_init(&dl);
	int r = evidence_check(dir, NULL, &dl);
	if (r != 0)
		diag_print_text(stdout, &dl, SEV_WARN);
	assert_int_equal(r, 0);
	test_expect_diag(&dl, DIAG_EVIDENCE_CERT_FOUND, SEV_PASS);
	test_expect_diag(&dl, DIAG_EVIDENCE_HASH, SEV_PASS);
	const struct diag *d = test_expect_diag(&dl, DIAG_AGENT_CONFIG, SEV_PASS);
	assert_non_null(strstr(d->message, "'MG1': server scom01.example.test, port 5723"));
	diag_list_release(&dl);
	test_rm_rf(tmp);
	free(p1);
	free(p2);
	free(dir);
	free(src);
	free(tmp);
	free(ms);
	free(gr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reg_export_read_back),
		cmocka_unit_test(test_check_with_wine_exports),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
