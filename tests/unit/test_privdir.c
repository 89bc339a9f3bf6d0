/*
 * test_privdir.c - the private-directory check (backend/core/privdir.c)
 * and its users state_dir_prepare and the trust store: a directory under a
 * world- or group-writable parent that is not sticky (issue 18 item 13:
 * `ww/st` under a 0777 parent was accepted), two levels up, or owned by
 * another user, is refused with the offending path, its owner, mode and
 * the fix; a sticky parent (/tmp) passes; the directory itself must not
 * be group/world-writable, a symbolic link, a file, or someone else's; an
 * ancestor that is a symbolic link passes only when its target does; a
 * 0777 trust store, or one owned by another user, is neither written nor
 * opened (item 4).  Cases about ownership need root (chown to 65534): they
 * are skipped with a printed reason otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certgen.h"
#include "core/diag.h"
#include "core/privdir.h"
#include "core/state.h"
#include "lab_harness.h"
#include "pki/truststore.h"

#define OTHER_UID 65534

static char *g_tmp;

static int setup(void **st)
{
	(void)st;
	g_tmp = test_mkdtemp("privdir-");
	return g_tmp ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	if (g_tmp) {
		test_rm_rf(g_tmp);
		free(g_tmp);
	}
	return 0;
}

/* "<g_tmp>/<rel>" (malloc'd). */
static char *at(const char *rel)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", g_tmp, rel) > 0);
	return p;
}

/* mkdir rel under g_tmp with exactly mode (umask ignored); malloc'd path. */
static char *dir_at(const char *rel, mode_t mode)
{
	char *p = at(rel);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static int check(const char *dir, char *err, size_t len)
{
	err[0] = '\0';
	int r = privdir_check("state directory", dir, err, len);
	printf("  %s -> %s\n", dir, r ? err : "accepted");
	return r;
}

static void must_say(const char *err, const char *what)
{
	if (!strstr(err, what))
		fprintf(stderr, "missing '%s' in: %s\n", what, err);
	assert_non_null(strstr(err, what));
}

static void test_private_dir_passes(void **st)
{
	(void)st;
	char err[1024];
	char *d = dir_at("ok", 0700);
	assert_int_equal(check(d, err, sizeof(err)), 0);
	/* readable by others is fine: only writing matters */
	assert_int_equal(chmod(d, 0755), 0);
	assert_int_equal(check(d, err, sizeof(err)), 0);
	/* under a sticky world-writable parent, like /tmp */
	char *t = dir_at("sticky", 01777);
	char *in = dir_at("sticky/st", 0700);
	assert_int_equal(check(in, err, sizeof(err)), 0);
	/* the root directory and a relative path */
	assert_int_equal(check("/", err, sizeof(err)), 0);
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(g_tmp), 0);
	assert_int_equal(check("ok/", err, sizeof(err)), 0);
	assert_int_equal(chdir(cwd), 0);
	free(in);
	free(t);
	free(d);
}

/* Issue 18 item 13: `ww/st` under a 0777 non-sticky parent. */
static void test_writable_parent_refused(void **st)
{
	(void)st;
	char err[1024], want[1024];
	char *ww = dir_at("ww", 0777);
	char *d = dir_at("ww/st", 0700);
	assert_int_equal(check(d, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "state directory '%s' is not private: "
		 "a directory on the way to it, '%s', is world-writable and not sticky "
		 "(owner uid %u, mode 0777), so others can replace what is "
		 "inside: run chmod go-w '%s', or choose a directory elsewhere",
		 d, ww, (unsigned)geteuid(), ww);
	assert_string_equal(err, want);

	/* group-writable */
	assert_int_equal(chmod(ww, 0770), 0);
	assert_int_equal(check(d, err, sizeof(err)), -1);
	must_say(err, "group-writable and not sticky");
	must_say(err, "mode 0770");
	must_say(err, "chmod g-w");

	/* two levels up */
	assert_int_equal(chmod(ww, 0755), 0);
	char *mid = dir_at("ww/mid", 0755);
	char *deep = dir_at("ww/mid/deep", 0700);
	assert_int_equal(check(deep, err, sizeof(err)), 0);
	assert_int_equal(chmod(ww, 0757), 0);
	assert_int_equal(check(deep, err, sizeof(err)), -1);
	must_say(err, ww);
	must_say(err, "mode 0757");
	/* sticky makes it fine again */
	assert_int_equal(chmod(ww, 01777), 0);
	assert_int_equal(check(deep, err, sizeof(err)), 0);
	assert_int_equal(chmod(ww, 0700), 0);
	free(deep);
	free(mid);
	free(d);
	free(ww);
}

static void test_dir_itself(void **st)
{
	(void)st;
	char err[1024];
	char *d = dir_at("self", 0777);
	assert_int_equal(check(d, err, sizeof(err)), -1);
	must_say(err, "is world-writable (owner uid");
	must_say(err, "mode 0777");
	must_say(err, "chmod 700");
	/* sticky does not help the directory itself */
	assert_int_equal(chmod(d, 01777), 0);
	assert_int_equal(check(d, err, sizeof(err)), -1);
	assert_int_equal(chmod(d, 0770), 0);
	assert_int_equal(check(d, err, sizeof(err)), -1);
	must_say(err, "is group-writable");
	assert_int_equal(chmod(d, 0700), 0);

	char *l = at("self-link");
	assert_int_equal(symlink(d, l), 0);
	assert_int_equal(check(l, err, sizeof(err)), -1);
	must_say(err, "is a symbolic link");
	char *ls = at("self-link/");
	assert_int_equal(check(ls, err, sizeof(err)), -1);
	must_say(err, "is a symbolic link");

	char *f = at("file");
	FILE *fp = fopen(f, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(check(f, err, sizeof(err)), -1);
	must_say(err, "is not a directory");
	char *m = at("missing/below");
	assert_int_equal(check(m, err, sizeof(err)), -1);
	must_say(err, "does not exist: run mkdir -m 700");
	free(m);
	free(f);
	free(ls);
	free(l);
	free(d);
}

/* An ancestor that is a symbolic link: its target is checked. */
static void test_linked_ancestor(void **st)
{
	(void)st;
	char err[1024];
	char *good = dir_at("real", 0755);
	char *in = dir_at("real/st", 0700);
	char *l = at("via");
	assert_int_equal(symlink("real", l), 0);   /* relative target */
	char *through = at("via/st");
	assert_int_equal(check(through, err, sizeof(err)), 0);

	/* the target lives under a world-writable parent */
	char *bad = dir_at("open", 0777);
	char *bt = dir_at("open/target", 0755);
	char *bst = dir_at("open/target/st", 0700);
	char *l2 = at("via2");
	assert_int_equal(symlink(bt, l2), 0);
	char *through2 = at("via2/st");
	assert_int_equal(check(through2, err, sizeof(err)), -1);
	must_say(err, bad);
	must_say(err, "world-writable and not sticky");
	assert_int_equal(chmod(bad, 0755), 0);
	assert_int_equal(check(through2, err, sizeof(err)), 0);
	free(through2);
	free(l2);
	free(bst);
	free(bt);
	free(bad);
	free(through);
	free(l);
	free(in);
	free(good);
}

static int skip_unless_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	printf("  skipped: %s needs root (chown to uid %d)\n", what,
	       OTHER_UID);
	return 1;
}

static void test_other_owner(void **st)
{
	(void)st;
	char err[1024];
	if (skip_unless_root("ownership by another user"))
		return;
	char *p = dir_at("theirs", 0755);
	char *d = dir_at("theirs/st", 0700);
	assert_int_equal(chown(p, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(d, err, sizeof(err)), -1);
	must_say(err, "'" );
	must_say(err, p);
	must_say(err, "is owned by uid 65534 (mode 0755)");
	must_say(err, "run chown 0 '");
	assert_int_equal(chown(p, 0, 0), 0);
	assert_int_equal(check(d, err, sizeof(err)), 0);
	assert_int_equal(chown(d, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(check(d, err, sizeof(err)), -1);
	must_say(err, "is owned by uid 65534 (mode 0700), not by you");
	assert_int_equal(chown(d, 0, 0), 0);
	free(d);
	free(p);
}

/* state_dir_prepare says it at wizard.state_dir. */
static void test_state_dir_prepare(void **st)
{
	(void)st;
	struct diag_list dl;
	diag_list_init(&dl);
	char *ww = dir_at("sww", 0777);
	char *d = at("sww/st");
	assert_int_equal(state_dir_prepare(d, &dl), -1);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].check, DIAG_STATE);
	assert_string_equal(dl.items[0].field, "wizard.state_dir");
	must_say(dl.items[0].message, ww);
	must_say(dl.items[0].message, "chmod go-w");
	diag_list_release(&dl);
	assert_int_equal(chmod(ww, 0755), 0);
	assert_int_equal(state_dir_prepare(d, &dl), 0);
	assert_int_equal(dl.n, 0);
	diag_list_release(&dl);
	free(d);
	free(ww);
}

/* Issue 18 item 4: a trust store others can write is not used. */
static void test_trust_store(void **st)
{
	(void)st;
	char err[1024];
	struct certgen_opts o;
	certgen_opts_ca(&o, "Privdir Test Root");
	X509 *root = NULL;
	EVP_PKEY *key = NULL;
	assert_int_equal(certgen_make(&o, &root, &key), 0);

	char *store = dir_at("store", 0777);
	assert_int_equal(truststore_add(store, root, NULL, NULL, err,
					sizeof(err)), -1);
	printf("  add: %s\n", err);
	must_say(err, "trust store '");
	must_say(err, "world-writable");
	assert_false(truststore_contains(store, root));
	assert_null(truststore_open(store, err, sizeof(err)));
	must_say(err, "world-writable");

	assert_int_equal(chmod(store, 0700), 0);
	assert_int_equal(truststore_add(store, root, NULL, NULL, err,
					sizeof(err)), 0);
	X509_STORE *xs = truststore_open(store, err, sizeof(err));
	assert_non_null(xs);
	X509_STORE_free(xs);

	if (!skip_unless_root("a trust store owned by another user")) {
		assert_int_equal(chown(store, OTHER_UID, OTHER_UID), 0);
		assert_null(truststore_open(store, err, sizeof(err)));
		printf("  open: %s\n", err);
		must_say(err, "is owned by uid 65534");
		assert_int_equal(truststore_add(store, root, NULL, NULL, err,
						sizeof(err)), -1);
		assert_int_equal(chown(store, 0, 0), 0);
	}
	X509_free(root);
	EVP_PKEY_free(key);
	free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_dir_passes),
		cmocka_unit_test(test_writable_parent_refused),
		cmocka_unit_test(test_dir_itself),
		cmocka_unit_test(test_linked_ancestor),
		cmocka_unit_test(test_other_owner),
		cmocka_unit_test(test_state_dir_prepare),
		cmocka_unit_test(test_trust_store),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
