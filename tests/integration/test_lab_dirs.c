/*
 * test_lab_dirs.c - the lab adopts only a private directory (issue 18
 * item 5): a --dir pre-seeded with someone's CA (ca/root.key, root.pem,
 * password) is served when it is ours and private, and refused (exit 1,
 * nothing served, no lab.ini, no lab.log written there) with the path,
 * its owner and mode and the fix when --dir is world-writable, owned by
 * another user (root only: chown to 65534, skipped with a reason
 * otherwise), under a world-writable parent that is not sticky, or when
 * its ca/ is world-writable; the commands (list, approve) refuse such a
 * directory too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certgen.h"
#include "lab_harness.h"
#include "run_capture.h"

#define OTHER_UID 65534

static char *Work;
static X509 *Root;
static EVP_PKEY *RootKey;
static int Seq;

static int setup(void **st)
{
	struct certgen_opts o;

	(void)st;
	Work = test_mkdtemp("labdirs-");
	certgen_opts_ca(&o, "Planted Root");
	return Work && certgen_make(&o, &Root, &RootKey) == 0 ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	if (Work)
		test_rm_rf(Work);
	free(Work);
	X509_free(Root);
	EVP_PKEY_free(RootKey);
	certgen_cleanup();
	return 0;
}

static char *path2(const char *a, const char *b)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", a, b) > 0);
	return p;
}

static void write_pem(const char *path, const X509 *x, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	if (x)
		assert_int_equal(PEM_write_X509(f, x), 1);
	else
		assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
						      NULL), 1);
	fclose(f);
}

/* A new directory under parent (mode 0700) seeded with the planted CA
 * and a password, like an attacker would leave it (malloc'd path). */
static char *seeded(const char *parent)
{
	char name[32], *d, *ca, *p;

	snprintf(name, sizeof(name), "lab%02d", ++Seq);
	d = path2(parent, name);
	assert_int_equal(mkdir(d, 0700), 0);
	ca = path2(d, "ca");
	assert_int_equal(mkdir(ca, 0700), 0);
	p = path2(ca, "root.pem");
	write_pem(p, Root, NULL);
	free(p);
	p = path2(ca, "root.key");
	write_pem(p, NULL, RootKey);
	free(p);
	p = path2(d, "password");
	assert_int_equal(test_write_file(p, "planted-password\n"), 0);
	free(p);
	free(ca);
	return d;
}

/* Run the lab on dir: it must refuse at once (exit 1) naming want and
 * each of also (NULL-terminated), and leave no lab.ini (nor lab.log when
 * dir itself is refused: it writes nothing there). */
static void lab_refuses(const char *dir, int dir_itself, const char *want,
			const char *const also[])
{
	char *bin = test_build_path("opsmgr-enroll-lab");
	const char *argv[] = { bin, "--dir", dir, NULL };
	char *out = NULL, *ini = path2(dir, "lab.ini"), *log = path2(dir, "lab.log");
	int rc = run_capture(argv, 60, &out);

	printf("  --dir %s -> exit %d: %s", dir, rc, out ? out : "");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, want));
	for (size_t i = 0; also && also[i]; i++) {
		if (!strstr(out, also[i]))
			fail_msg("'%s' missing in: %s", also[i], out);
	}
	assert_null(strstr(out, "serving"));
	assert_int_equal(access(ini, F_OK), -1);
	if (dir_itself)
		assert_int_equal(access(log, F_OK), -1);
	free(out);
	free(ini);
	free(log);
	free(bin);
}

/* The same directory, private: the planted CA is what gets served (so
 * only the checks stand between a planted CA and the lab). */
static void test_private_dir_served(void **st)
{
	struct lab l;
	char *d = seeded(Work), *pin = NULL;
	unsigned char md[32];
	unsigned n = 0;

	(void)st;
	memset(&l, 0, sizeof(l));
	assert_int_equal(lab_start(&l, d, NULL), 0);
	assert_int_equal(X509_digest(Root, EVP_sha256(), md, &n), 1);
	pin = calloc(1, 2 * n + 1);
	for (unsigned i = 0; i < n; i++)
		sprintf(pin + 2 * i, "%02X", md[i]);
	char *ini = path2(d, "lab.ini"), *text = test_read_file(ini);
	assert_non_null(text);
	assert_non_null(strstr(text, pin));
	free(text);
	free(ini);
	lab_stop(&l);
	free(pin);
	free(d);
}

static void test_world_writable_dir_refused(void **st)
{
	char *d = seeded(Work);

	(void)st;
	assert_int_equal(chmod(d, 0777), 0);
	const char *also[] = { "mode 0777", "chmod 700", NULL };
	char want[600];
	snprintf(want, sizeof(want), "lab directory '%s' is world-writable", d);
	lab_refuses(d, 1, want, also);

	/* the commands refuse it as well */
	const char *args[] = { "list", "--dir", d, NULL };
	char *out = NULL;
	assert_int_equal(lab_cmd(args, &out), 1);
	assert_non_null(strstr(out, want));
	free(out);
	const char *appr[] = { "approve", "--dir", d, "agent01.lab.test", NULL };
	assert_int_equal(lab_cmd(appr, &out), 1);
	assert_non_null(strstr(out, want));
	free(out);
	free(d);
}

static void test_other_owner_refused(void **st)
{
	(void)st;
	if (geteuid() != 0) {
		printf("  skipped: a directory owned by another user needs root "
		       "(chown to uid %d)\n", OTHER_UID);
		return;
	}
	char *d = seeded(Work), *ca = path2(d, "ca");
	assert_int_equal(chown(d, OTHER_UID, OTHER_UID), 0);
	const char *also[] = { "owned by uid 65534 (mode 0700)", "chown 0",
			       NULL };
	lab_refuses(d, 1, d, also);
	/* 0777 and someone else's, as in the issue */
	assert_int_equal(chmod(d, 0777), 0);
	lab_refuses(d, 1, "owned by uid 65534 (mode 0777)", NULL);
	/* ours, but ca/ is someone else's */
	assert_int_equal(chmod(d, 0700), 0);
	assert_int_equal(chown(d, 0, 0), 0);
	assert_int_equal(chown(ca, OTHER_UID, OTHER_UID), 0);
	lab_refuses(d, 0, ca, also);
	free(ca);
	free(d);
}

static void test_ca_dir_refused(void **st)
{
	char *d = seeded(Work), *ca = path2(d, "ca");
	char want[600];

	(void)st;
	assert_int_equal(chmod(ca, 0777), 0);
	snprintf(want, sizeof(want), "lab directory '%s' is world-writable", ca);
	lab_refuses(d, 0, want, NULL);
	free(ca);
	free(d);
}

static void test_open_parent_refused(void **st)
{
	char *open = path2(Work, "open");
	char want[600];

	(void)st;
	assert_int_equal(mkdir(open, 0700), 0);
	assert_int_equal(chmod(open, 0777), 0);
	char *d = seeded(open);
	snprintf(want, sizeof(want), "a directory on the way to it, '%s', is "
		 "world-writable and not sticky", open);
	const char *also[] = { "chmod go-w", NULL };
	lab_refuses(d, 1, want, also);
	/* a fresh directory there is refused too, and nothing made in it */
	char *fresh = path2(open, "fresh");
	lab_refuses(fresh, 1, want, NULL);
	char *ca = path2(fresh, "ca");
	assert_int_equal(access(ca, F_OK), -1);
	free(ca);
	free(fresh);
	assert_int_equal(chmod(open, 0700), 0);
	free(d);
	free(open);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_dir_served),
		cmocka_unit_test(test_world_writable_dir_refused),
		cmocka_unit_test(test_other_owner_refused),
		cmocka_unit_test(test_ca_dir_refused),
		cmocka_unit_test(test_open_parent_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
