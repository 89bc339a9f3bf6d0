/*
 * test_permissions.c - what the non-interactive flow writes is private and
 * cannot be redirected: key, PFX, agent key, state and log 0600 and the
 * state directory 0700 (created by the run); a symbolic link planted at
 * an output path (CSR, certificate, chain, state, PFX, agent
 * configuration, agent key and certificate, .reg and install.cmd with
 * [agent] target = windows) is refused with a message naming the path and
 * the link, and the file it points at is left exactly as it was (also for
 * the log); a
 * world-writable, group-writable or symlinked state directory is refused
 * with exit 2 and a clear message, and so is one under a world-writable
 * parent that is not sticky (issue 18 item 13: `ww/st` was accepted); a
 * world-writable trust store gets no root written into it (item 4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab_harness.h"
#include "robust_util.h"
#include "run_capture.h"

static struct lab L;
static char *Work;
static int Seq;

static char *path2(const char *a, const char *b)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", a, b) > 0);
	return p;
}

static int setup(void **st)
{
	(void)st;
	const char *extra[] = { "--auto-approve", "0", NULL };

	memset(&L, 0, sizeof(L));
	Work = test_mkdtemp("perms-");
	return Work && lab_start(&L, NULL, extra) == 0 ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	lab_stop(&L);
	if (Work)
		test_rm_rf(Work);
	free(Work);
	return 0;
}

/* A fresh case directory with out/ and agent/ (0700) and answers for it. */
struct run {
	char *dir, *state, *out, *agent, *pfx, *conf, *reg, *msi, *answers;
};

static void run_init(struct run *r, int windows)
{
	char name[32];

	snprintf(name, sizeof(name), "case%02d", ++Seq);
	r->dir = path2(Work, name);
	assert_int_equal(mkdir(r->dir, 0700), 0);
	r->state = path2(r->dir, "state");
	r->out = path2(r->dir, "out");
	r->agent = path2(r->dir, "agent");
	assert_int_equal(mkdir(r->out, 0700), 0);
	assert_int_equal(mkdir(r->agent, 0700), 0);
	r->pfx = path2(r->out, "agent.pfx");
	r->conf = path2(r->agent, "agent.ini");
	r->reg = path2(r->agent, "serial.reg");
	r->msi = path2(r->agent, "install.cmd");
	r->answers = path2(r->dir, "answers.ini");
	const char *const repl[][3] = {
		{ "export", "pfx", r->pfx },
		{ "agent", "config", r->conf },
		{ "agent", "target", windows ? "windows" : "local" },
		{ "agent", "reg_file", windows ? r->reg : NULL },
		{ "agent", "msi_command_file", windows ? r->msi : NULL },
		{ NULL, NULL, NULL },
	};
	assert_int_equal(ru_answers_write(L.answers, r->answers, repl), 0);
}

static void run_free(struct run *r)
{
	free(r->dir);
	free(r->state);
	free(r->out);
	free(r->agent);
	free(r->pfx);
	free(r->conf);
	free(r->reg);
	free(r->msi);
	free(r->answers);
}

static int wizard(const struct run *r, char **out)
{
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", r->answers, "--state-dir",
			       r->state, "--non-interactive", NULL };
	int rc = run_capture(argv, 300, out);

	free(bin);
	return rc;
}

static int mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return (int)(st.st_mode & 07777);
}

/* The run creates its state directory 0700 and every secret file 0600. */
static void test_modes(void **st)
{
	(void)st;
	struct run r;
	char *out = NULL;

	run_init(&r, 1);
	int rc = wizard(&r, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	free(out);

	char *key = path2(r.state, "key.pem");
	char *state = path2(r.state, "state");
	char *log = path2(r.state, "opsmgr-enroll.log");
	char *akey = path2(r.agent, "agent-key.pem");
	assert_int_equal(mode_of(r.state), 0700);
	assert_int_equal(mode_of(key), 0600);
	assert_int_equal(mode_of(state), 0600);
	assert_int_equal(mode_of(log), 0600);
	assert_int_equal(mode_of(r.pfx), 0600);
	assert_int_equal(mode_of(akey), 0600);
	/* nothing the run wrote is writable by others */
	assert_int_equal(mode_of(r.conf) & 022, 0);
	assert_int_equal(mode_of(r.reg) & 022, 0);
	assert_int_equal(mode_of(r.msi) & 022, 0);
	free(key);
	free(state);
	free(log);
	free(akey);
	run_free(&r);
}

struct link_case {
	const char *where;     /* "state", "out" or "agent" */
	const char *name;
	int windows;           /* needs [agent] target = windows */
	int rc;                /* expected exit status */
	int msg;               /* a message must name the path and the link */
};

static const char *dir_of(const struct run *r, const char *where)
{
	if (!strcmp(where, "state"))
		return r->state;
	if (!strcmp(where, "out"))
		return r->out;
	return r->agent;
}

/*
 * A link planted at one output path: refused (the expected exit status, a
 * message naming the path and saying it is a symbolic link), the link and
 * the file it points at untouched.  Returns 0, or -1 after printing what
 * went wrong (every case is tried before the test fails).
 */
static int one_link(const struct link_case *c)
{
	struct run r;
	char *out = NULL;
	static const char victim_text[] = "victim: must not be touched\n";
	const char *bad = NULL;

	run_init(&r, c->windows);
	if (!strcmp(c->where, "state"))
		assert_int_equal(mkdir(r.state, 0700), 0);
	char *victim = path2(r.dir, "victim");
	assert_int_equal(test_write_file(victim, victim_text), 0);
	assert_int_equal(chmod(victim, 0644), 0);
	struct stat before;
	assert_int_equal(stat(victim, &before), 0);
	char *link = path2(dir_of(&r, c->where), c->name);
	assert_int_equal(symlink(victim, link), 0);

	int rc = wizard(&r, &out);
	struct stat after, lst;
	char *text = test_read_file(victim);
	if (lstat(link, &lst) != 0 || !S_ISLNK(lst.st_mode))
		bad = "the link was removed, renamed or replaced";
	if (stat(victim, &after) != 0 || after.st_ino != before.st_ino ||
	    after.st_mode != before.st_mode || after.st_size != before.st_size ||
	    after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before.st_mtim.tv_nsec || !text ||
	    strcmp(text, victim_text) != 0)
		bad = "the link's target was changed";
	else if (rc != c->rc)
		bad = "unexpected exit status";
	else if (c->msg && (!strstr(out, link) || !strstr(out, "symbolic link")))
		bad = "the message does not name the path and the link";
	if (bad) {
		fprintf(stderr, "--- link at %s: %s (exit %d, expected %d) ---\n%s\n",
			link, bad, rc, c->rc, out);
	} else {
		printf("  link at %-5s/%-20s %s, exit %d\n", c->where,
		       c->name, c->msg ? "refused" : "not followed", rc);
	}
	free(text);
	free(out);
	free(link);
	free(victim);
	run_free(&r);
	return bad ? -1 : 0;
}

static void test_symlinks_refused(void **st)
{
	(void)st;
	static const struct link_case cases[] = {
		{ "state", "key.pem", 0, 12, 1 },
		{ "state", "request.csr", 0, 12, 1 },
		{ "state", "cert.pem", 0, 12, 1 },
		/* the chain is optional: a warning names the link, the run goes on */
		{ "state", "chain.pem", 0, 0, 1 },
		{ "out", "agent.pfx", 0, 14, 1 },
		{ "agent", "agent.ini", 0, 15, 1 },
		{ "agent", "install.cmd", 1, 15, 1 },
		{ "agent", "agent-key.pem", 0, 16, 1 },
		{ "agent", "agent-cert.pem", 0, 16, 1 },
		{ "agent", "serial.reg", 1, 16, 1 },
	};
	int failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		failed += one_link(&cases[i]) != 0;
	assert_int_equal(failed, 0);
}

/* The state file is read before any stage runs: a link there stops the
 * run as a configuration problem.  The log is opened without following a
 * link: whatever the run does, nothing is written through it. */
static void test_state_and_log_links_refused(void **st)
{
	(void)st;
	static const struct link_case cases[] = {
		{ "state", "state", 0, 2, 1 },
		{ "state", "opsmgr-enroll.log", 0, 0, 0 },
	};
	int failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		failed += one_link(&cases[i]) != 0;
	assert_int_equal(failed, 0);
}

/* A state directory others can write to (or a link) is refused: exit 2,
 * the directory named, nothing written into it. */
static void test_state_dir_refused(void **st)
{
	(void)st;
	static const int modes[] = { 0777, 0770, 0702 };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct run r;
		char *out = NULL;

		run_init(&r, 0);
		assert_int_equal(mkdir(r.state, 0700), 0);
		assert_int_equal(chmod(r.state, (mode_t)modes[i]), 0);
		int rc = wizard(&r, &out);
		if (rc != 2 || !strstr(out, r.state))
			fprintf(stderr, "--- state dir %o ---\n%s\n", modes[i], out);
		assert_int_equal(rc, 2);
		assert_non_null(strstr(out, r.state));
		assert_non_null(strstr(out, "writable"));
		/* nothing was written into it */
		int n = ru_walk(r.state, NULL, NULL);
		assert_int_equal(n, 0);
		assert_int_equal(mode_of(r.state), modes[i]);
		printf("  state directory mode %o refused: %s", modes[i], out);
		free(out);
		run_free(&r);
	}

	/* a symbolic link to a private directory */
	struct run r;
	char *out = NULL;
	run_init(&r, 0);
	char *real = path2(r.dir, "real-state");
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, r.state), 0);
	int rc = wizard(&r, &out);
	if (rc != 2)
		fprintf(stderr, "--- state dir link ---\n%s\n", out);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, r.state));
	assert_non_null(strstr(out, "symbolic link"));
	assert_int_equal(ru_walk(real, NULL, NULL), 0);
	free(out);
	free(real);
	run_free(&r);
}

/* Issue 18 items 13 and 4: a directory others can write on the way. */
static void test_open_parents_refused(void **st)
{
	(void)st;
	struct run r;
	char *out = NULL;

	/* the state directory `ww/st` under a 0777 parent that is not sticky */
	run_init(&r, 0);
	char *ww = path2(r.dir, "ww");
	assert_int_equal(mkdir(ww, 0700), 0);
	assert_int_equal(chmod(ww, 0777), 0);
	char *inner = path2(ww, "st");
	free(r.state);
	r.state = inner;
	int rc = wizard(&r, &out);
	printf("  state directory under a 0777 parent: exit %d: %s", rc, out);
	assert_int_equal(rc, 2);
	char want[1024];
	snprintf(want, sizeof(want), "a directory on the way to it, '%s', is "
		 "world-writable and not sticky", ww);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "chmod go-w"));
	assert_true(access(inner, F_OK) != 0 || ru_walk(inner, NULL, NULL) == 0);
	free(out);
	free(ww);
	run_free(&r);

	/* a world-writable trust store: no root is written into it */
	run_init(&r, 0);
	char *store = path2(r.dir, "trust");
	assert_int_equal(mkdir(store, 0700), 0);
	assert_int_equal(chmod(store, 0777), 0);
	char *answers = path2(r.dir, "answers-store.ini");
	const char *const repl[][3] = {
		{ "trust", "store", store },
		{ NULL, NULL, NULL },
	};
	assert_int_equal(ru_answers_write(r.answers, answers, repl), 0);
	free(r.answers);
	r.answers = answers;
	rc = wizard(&r, &out);
	printf("  a 0777 trust store: exit %d\n", rc);
	assert_int_not_equal(rc, 0);
	snprintf(want, sizeof(want), "trust store '%s' is world-writable", store);
	if (!strstr(out, want))
		fprintf(stderr, "--- 0777 trust store ---\n%s\n", out);
	assert_non_null(strstr(out, want));
	assert_int_equal(ru_walk(store, NULL, NULL), 0);
	assert_int_equal(mode_of(store), 0777);
	free(out);
	free(store);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_symlinks_refused),
		cmocka_unit_test(test_state_and_log_links_refused),
		cmocka_unit_test(test_state_dir_refused),
		cmocka_unit_test(test_open_parents_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
