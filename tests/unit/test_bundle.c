/*
 * test_bundle.c - the Windows bundle (backend/windows/bundle.c, bundle_zip.c,
 * bundle_readme.c): every file present with its mode, the root readable by
 * OpenSSL as DER, README.txt CRLF and ASCII with the serial and
 * thumbprints, the PFX and the zip 0600, the zip accepted by `unzip -t` and
 * by Python's zipfile with the names under "<fqdn>-opsmgr/", a second write
 * swaps the folder as a whole (no file of the old one left, no staging
 * folder left), leftovers of a killed run removed, names that cannot be
 * file names refused at computer.fqdn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "certgen.h"
#include "lab_harness.h"
#include "run_capture.h"
#include "windows/bundle.h"

#define FQDN "agent1.example.test"
#define INSTALL_TEXT "@echo off\r\nrem test\r\nexit /b 0\r\n"

struct fixture {
	char *dir;
	X509 *root, *inter;
	unsigned char *root_der, *inter_der;
	int root_len, inter_len;
	char root_thumb[41], inter_thumb[41];
	struct bundle_cert inter_cert;
	struct bundle_in in;
};

static void thumb(X509 *x, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	X509_digest(x, EVP_sha1(), md, &n);
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", md[i]);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct certgen_opts o;
	EVP_PKEY *rk = NULL;
	f->dir = test_mkdtemp("test_bundle");
	certgen_opts_ca(&o, "Bundle Test Root");
	assert_int_equal(certgen_make(&o, &f->root, &rk), 0);
	certgen_opts_ca(&o, "Bundle Test Issuing CA");
	o.issuer = f->root;
	o.issuer_key = rk;
	o.key_slot = 1;
	assert_int_equal(certgen_make(&o, &f->inter, NULL), 0);
	EVP_PKEY_free(rk);
	f->root_len = i2d_X509(f->root, &f->root_der);
	f->inter_len = i2d_X509(f->inter, &f->inter_der);
	thumb(f->root, f->root_thumb);
	thumb(f->inter, f->inter_thumb);
	f->inter_cert = (struct bundle_cert){ f->inter_der, (size_t)f->inter_len,
					      f->inter_thumb,
					      "CN=Bundle Test Issuing CA" };
	f->in = (struct bundle_in){
		.dir = f->dir, .fqdn = FQDN,
		.root = { f->root_der, (size_t)f->root_len, f->root_thumb,
			  "CN=Bundle Test Root" },
		.intermediates = &f->inter_cert, .n_intermediates = 1,
		.pfx = (const unsigned char *)"not really a pfx", .pfx_len = 16,
		.serial_hex = "00AF3C56", .serial_reversed = "563CAF00",
		.thumbprint = "0123456789ABCDEF0123456789ABCDEF01234567",
		.mgmt_group = "Main Group", .server = "ms.example.test",
		.port = 5723, .install_cmd = INSTALL_TEXT,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	test_rm_rf(f->dir);
	free(f->dir);
	X509_free(f->root);
	X509_free(f->inter);
	OPENSSL_free(f->root_der);
	OPENSSL_free(f->inter_der);
	free(f);
	return 0;
}

static char *path_in(const struct fixture *f, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/" FQDN "-opsmgr/%s", f->dir, name) > 0);
	return p;
}

static int mode_of(const char *path)
{
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	return (int)(sb.st_mode & 07777);
}

static void assert_crlf_ascii(const char *text)
{
	assert_true(strlen(text) > 10);
	for (const char *p = text; *p; p++) {
		assert_true((unsigned char)*p < 0x80);
		if (*p == '\n')
			assert_true(p > text && p[-1] == '\r');
		if (*p == '\r')
			assert_int_equal(p[1], '\n');
	}
}

static void write_ok(struct fixture *f, struct bundle_out *out)
{
	char err[512];
	const char *field = "x";
	int rc = bundle_write(&f->in, out, &field, err, sizeof(err));
	if (rc != 0)
		fail_msg("bundle_write: %s", err);
	assert_null(field);
}

static void test_files_and_modes(void **state)
{
	struct fixture *f = *state;
	struct bundle_out out;
	write_ok(f, &out);
	const char *names[] = { "root.cer", "intermediate-1.cer",
				FQDN ".pfx", "serial.reg", "install.cmd",
				"collect.cmd", "README.txt" };
	assert_int_equal(out.n_files, 7);
	for (size_t i = 0; i < 7; i++) {
		assert_string_equal(out.files[i].name, names[i]);
		char *p = path_in(f, names[i]);
		assert_string_equal(out.files[i].path, p);
		int want = i == 2 ? 0600 : 0644;
		assert_int_equal(mode_of(p), want);
		assert_int_equal((int)out.files[i].mode, want);
		free(p);
	}
	assert_int_equal(mode_of(out.folder), 0700);
	assert_int_equal(mode_of(out.zip), 0600);
	char *want_zip = NULL;
	assert_true(asprintf(&want_zip, "%s/" FQDN "-opsmgr.zip", f->dir) > 0);
	assert_string_equal(out.zip, want_zip);
	free(want_zip);

	/* root.cer is DER that OpenSSL reads as DER */
	char *rp = path_in(f, "root.cer");
	char *bin = NULL;
	assert_true(asprintf(&bin, "openssl x509 -inform DER -in '%s' "
			     "-noout -subject", rp) > 0);
	FILE *pp = popen(bin, "r");
	char line[256] = "";
	assert_non_null(fgets(line, sizeof(line), pp));
	assert_int_equal(pclose(pp), 0);
	assert_non_null(strstr(line, "Bundle Test Root"));
	free(bin);
	free(rp);

	char *ic = test_read_file(out.files[4].path);
	assert_string_equal(ic, INSTALL_TEXT);
	free(ic);
	char *reg = test_read_file(out.files[3].path);
	assert_crlf_ascii(reg);
	assert_non_null(strstr(reg, "=hex:56,3c,af,00\r\n"));
	free(reg);
	bundle_out_release(&out);
}

static void test_readme(void **state)
{
	struct fixture *f = *state;
	struct bundle_out out;
	write_ok(f, &out);
	char *p = path_in(f, "README.txt");
	char *t = test_read_file(p);
	assert_crlf_ascii(t);
	assert_non_null(strstr(t, "00AF3C56"));
	assert_non_null(strstr(t, "563CAF00"));
	assert_non_null(strstr(t, "0123456789ABCDEF0123456789ABCDEF01234567"));
	assert_non_null(strstr(t, f->root_thumb));
	assert_non_null(strstr(t, f->inter_thumb));
	assert_non_null(strstr(t, "Copy " FQDN "-opsmgr.zip to " FQDN
				  ", extract it,\r\n  right-click install.cmd > "
				  "Run as administrator."));
	assert_non_null(strstr(t, "Trusted Root Certification Authorities"));
	assert_non_null(strstr(t, "MOMAgent.msi"));
	assert_non_null(strstr(t, "Management group: Main Group\r\n"));
	assert_non_null(strstr(t, "\r\n  collect.cmd\r\n      if it does not "
				  "work: run it as Administrator, send the "
				  "evidence-NAME.zip\r\n"));
	/* no line wider than 80 columns */
	for (char *s = t, *e; (e = strstr(s, "\r\n")); s = e + 2)
		assert_true(e - s <= 80);
	free(t);
	free(p);
	bundle_out_release(&out);

	/* the management server's README has no agent install */
	f->in.server_role = true;
	write_ok(f, &out);
	p = path_in(f, "README.txt");
	t = test_read_file(p);
	assert_null(strstr(t, "MOMAgent.msi"));
	assert_non_null(strstr(t, "management server"));
	free(t);
	free(p);
	bundle_out_release(&out);
}

static void test_zip_opens(void **state)
{
	struct fixture *f = *state;
	struct bundle_out out;
	write_ok(f, &out);
	char *cmd = NULL;
	assert_true(asprintf(&cmd, "unzip -t '%s' >/dev/null", out.zip) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_true(asprintf(&cmd,
			     "python3 -c 'import sys, zipfile\n"
			     "z = zipfile.ZipFile(sys.argv[1])\n"
			     "assert z.testzip() is None\n"
			     "print(\",\".join(z.namelist()))\n"
			     "sys.stdout.flush()' '%s'", out.zip) > 0);
	FILE *pp = popen(cmd, "r");
	char names[1024] = "";
	assert_non_null(fgets(names, sizeof(names), pp));
	assert_int_equal(pclose(pp), 0);
	assert_string_equal(names,
			    FQDN "-opsmgr/," FQDN "-opsmgr/root.cer," FQDN
			    "-opsmgr/intermediate-1.cer," FQDN "-opsmgr/" FQDN
			    ".pfx," FQDN "-opsmgr/serial.reg," FQDN
			    "-opsmgr/install.cmd," FQDN "-opsmgr/collect.cmd,"
			    FQDN "-opsmgr/README.txt\n");
	free(cmd);
	/* the zip's install.cmd is the folder's, byte for byte */
	assert_true(asprintf(&cmd, "unzip -p '%s' " FQDN "-opsmgr/install.cmd",
			     out.zip) > 0);
	pp = popen(cmd, "r");
	char buf[256] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, pp);
	pclose(pp);
	buf[n] = '\0';
	assert_string_equal(buf, INSTALL_TEXT);
	free(cmd);
	bundle_out_release(&out);
}

static size_t count_dot_entries(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_swap_whole(void **state)
{
	struct fixture *f = *state;
	struct bundle_out out;
	write_ok(f, &out);
	bundle_out_release(&out);
	/* a file the next bundle does not have, and a killed run's leftovers */
	char *extra = path_in(f, "intermediate-1.cer");
	char *p = NULL;
	assert_true(asprintf(&p, "%s/." FQDN "-opsmgr.new-abc123", f->dir) > 0);
	assert_int_equal(mkdir(p, 0700), 0);
	char *q = NULL;
	assert_true(asprintf(&q, "%s/half.cer", p) > 0);
	assert_int_equal(test_write_file(q, "x"), 0);
	char *z = NULL;
	assert_true(asprintf(&z, "%s/." FQDN "-opsmgr.new-zip-abc123", f->dir) >
		    0);
	assert_int_equal(test_write_file(z, "x"), 0);
	assert_int_equal(count_dot_entries(f->dir), 2);

	f->in.n_intermediates = 0;
	f->in.serial_reversed = "01";
	write_ok(f, &out);
	assert_int_equal(out.n_files, 6);
	assert_int_equal(access(extra, F_OK), -1);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(access(z, F_OK), -1);
	assert_int_equal(count_dot_entries(f->dir), 0);
	char *reg = test_read_file(out.files[2].path);
	assert_non_null(strstr(reg, "=hex:01\r\n"));
	free(reg);
	free(extra);
	free(p);
	free(q);
	free(z);
	bundle_out_release(&out);
}

static void test_bad_input(void **state)
{
	struct fixture *f = *state;
	struct bundle_out out;
	char err[512];
	const char *field = NULL;
	const char *bad[] = { "../evil", "a b.example", ".hidden", "a/b",
			      "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f->in.fqdn = bad[i];
		assert_int_equal(bundle_write(&f->in, &out, &field, err,
					      sizeof(err)), -1);
		assert_string_equal(field, "computer.fqdn");
	}
	f->in.fqdn = FQDN;
	f->in.serial_reversed = "ABC";   /* odd: serial.reg refuses it */
	assert_int_equal(bundle_write(&f->in, &out, &field, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "serial.reg"));
	f->in.serial_reversed = "563CAF00";
	f->in.install_cmd = NULL;
	assert_int_equal(bundle_write(&f->in, &out, &field, err, sizeof(err)),
			 -1);
	assert_null(field);
	assert_non_null(strstr(err, "install.cmd"));
	/* nothing was left behind by the refused writes */
	DIR *d = opendir(f->dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n++;
	closedir(d);
	assert_int_equal(n, 2);
}

/* collect.cmd is collectcmd_text's for the agent's server and port; the
 * management server's bundle and a server name collect.cmd cannot carry
 * leave the TCP test to the configured server. */
static void expect_collect(struct fixture *f, const char *server, int port)
{
	struct bundle_out out;
	write_ok(f, &out);
	char *t = test_read_file(out.files[5].path);
	assert_string_equal(out.files[5].name, "collect.cmd");
	char err[256];
	struct collectcmd_in ci = { .server = server, .port = port };
	char *want = collectcmd_text(&ci, NULL, err, sizeof(err));
	assert_non_null(t);
	assert_non_null(want);
	assert_string_equal(t, want);
	free(t);
	free(want);
	bundle_out_release(&out);
}

static void test_collect_cmd(void **state)
{
	struct fixture *f = *state;
	expect_collect(f, "ms.example.test", 5723);
	f->in.server = "ms example";
	expect_collect(f, NULL, 0);
	f->in.server = "ms.example.test";
	f->in.server_role = true;
	expect_collect(f, NULL, 0);
}

static void test_todo_text(void **state)
{
	char *t = bundle_todo_text("/s/a.example-opsmgr.zip", "a.example");
	assert_string_equal(t, "copy /s/a.example-opsmgr.zip to a.example, "
			       "extract, right-click install.cmd > Run as "
			       "administrator");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_files_and_modes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_readme, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zip_opens, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_swap_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_collect_cmd, setup,
						teardown),
		cmocka_unit_test(test_todo_text),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	certgen_cleanup();
	return rc;
}
