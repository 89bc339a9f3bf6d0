/*
 * test_secrets.c - the CA password and the PFX password never leave their
 * files: a full non-interactive run against the lab with a unique CA
 * password (the lab reuses a password file it finds in its directory) and
 * a unique PFX password, with [agent] target = windows so the .reg and
 * install.cmd files are written too.  While it runs, the command line and
 * environment of every process on the machine are sampled; afterwards the
 * state directory (state, log, key, CSR, certificates, trust store), the
 * PFX, the agent configuration and its key and certificate, the .reg and
 * install.cmd files, the answers file, the run's own output and the lab's
 * log are searched.  Neither password may appear anywhere.  A failed run
 * (wrong CA password) must not print or log it either.  A password file
 * others may write stops the run before any stage, at its field; one they
 * may only read is a warning at its field.
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

#include "lab_harness.h"
#include "robust_util.h"
#include "run_capture.h"

struct secrets {
	char *ca_pw, *pfx_pw;
};

struct hits {
	const struct secrets *s;
	int files;
	int found;
	int quiet;   /* the control search: count, do not complain */
};

static char *path2(const char *a, const char *b)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", a, b) > 0);
	return p;
}

static void check_buf(struct hits *h, const char *where, const void *buf,
		      size_t len)
{
	if (ru_mem_has(buf, len, h->s->ca_pw)) {
		if (!h->quiet)
			fprintf(stderr, "the CA password appears in %s\n", where);
		h->found++;
	}
	if (ru_mem_has(buf, len, h->s->pfx_pw)) {
		if (!h->quiet)
			fprintf(stderr, "the PFX password appears in %s\n", where);
		h->found++;
	}
}

static void check_file(const char *path, void *ud)
{
	struct hits *h = ud;
	size_t len = 0;
	unsigned char *b = ru_read(path, &len);

	if (!b)
		return;   /* e.g. a dangling trust-store link */
	h->files++;
	check_buf(h, path, b, len);
	free(b);
}

/* One pass over every process's cmdline and environ (except our own). */
static int sample_procs(struct hits *h)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		static const char *const what[] = { "cmdline", "environ" };
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		for (int i = 0; i < 2; i++) {
			char p[64];
			size_t len = 0;
			unsigned char *b;

			snprintf(p, sizeof(p), "/proc/%ld/%s", pid, what[i]);
			b = ru_read(p, &len);
			if (!b)
				continue;
			check_buf(h, p, b, len);
			free(b);
			n++;
		}
	}
	closedir(d);
	return n;
}

static int write_secret(const char *path, const char *text)
{
	return test_write_file(path, text);
}

/* Full flow with unique passwords; nothing holds them but their files. */
static void test_passwords_stay_in_their_files(void **st)
{
	struct secrets s;
	struct lab l;
	char *r1 = ru_random_hex(24), *r2 = ru_random_hex(24);

	assert_non_null(r1);
	assert_non_null(r2);
	assert_true(asprintf(&s.ca_pw, "CaPw-%s", r1) > 0);
	assert_true(asprintf(&s.pfx_pw, "PfxPw-%s", r2) > 0);
	free(r1);
	free(r2);

	/* A lab directory holding our CA password before the first start. */
	char *labdir = test_mkdtemp("secrets-lab-");
	assert_non_null(labdir);
	char *labpw = path2(labdir, "password");
	assert_int_equal(write_secret(labpw, s.ca_pw), 0);
	memset(&l, 0, sizeof(l));
	const char *extra[] = { "--auto-approve", "0", NULL };
	assert_int_equal(lab_start(&l, labdir, extra), 0);
	/* the lab kept it: the run below authenticates with it */
	assert_string_equal(l.password, s.ca_pw);

	char *work = test_mkdtemp("secrets-");
	char *statedir = path2(work, "state");
	char *outdir = path2(work, "out"), *agentdir = path2(work, "agent");
	assert_int_equal(mkdir(outdir, 0700), 0);
	assert_int_equal(mkdir(agentdir, 0700), 0);
	char *pfxpw = path2(work, "pfx-password");
	assert_int_equal(write_secret(pfxpw, s.pfx_pw), 0);
	char *pfx = path2(outdir, "agent.pfx");
	char *conf = path2(agentdir, "agent.ini");
	char *reg = path2(agentdir, "serial.reg");
	char *msi = path2(agentdir, "install.cmd");
	char *answers = path2(work, "answers.ini");
	const char *const repl[][3] = {
		{ "export", "pfx", pfx },
		{ "export", "password_file", pfxpw },
		{ "agent", "config", conf },
		{ "agent", "target", "windows" },
		{ "agent", "reg_file", reg },
		{ "agent", "msi_command_file", msi },
		{ NULL, NULL, NULL },
	};
	assert_int_equal(ru_answers_write(l.answers, answers, repl), 0);

	char *bin = test_build_path("opsmgr-enroll");
	char *outp = path2(work, "run.txt");
	const char *argv[] = { bin, "--answers", answers, "--state-dir",
			       statedir, "--non-interactive", NULL };
	struct hits h = { &s, 0, 0, 0 };
	pid_t pid = ru_spawn(argv, outp);
	assert_true(pid > 0);
	int samples = 0, ours = 0;
	long long t0 = ru_now_ms();
	while (ru_alive(pid) && ru_now_ms() - t0 < 300000) {
		char p[64];
		size_t len = 0;
		unsigned char *b;

		/* the wizard's own entries first, then everyone's */
		snprintf(p, sizeof(p), "/proc/%ld/cmdline", (long)pid);
		if ((b = ru_read(p, &len)) != NULL) {
			ours += len > 0;
			free(b);
		}
		samples += sample_procs(&h);
		ru_sleep_ms(2);
	}
	int rc = ru_wait(pid, 300000);
	char *out = (char *)ru_read(outp, NULL);
	if (rc != 0)
		fprintf(stderr, "%s\n", out ? out : "(no output)");
	assert_int_equal(rc, 0);
	printf("sampled %d /proc entries (%d of the wizard's command line)\n",
	       samples, ours);
	assert_true(ours > 0);

	/* the files the run produced, and its output */
	int before = h.files;
	assert_true(ru_walk(statedir, check_file, &h) > 3);
	assert_true(ru_walk(outdir, check_file, &h) >= 1);
	assert_true(ru_walk(agentdir, check_file, &h) >= 4);
	check_file(answers, &h);
	check_file(outp, &h);
	char *lablog = path2(l.dir, "lab.log");
	check_file(lablog, &h);
	printf("searched %d files\n", h.files - before);

	/* the files we searched are the ones the run was meant to write */
	struct stat sb;
	char *log = path2(statedir, "opsmgr-enroll.log");
	char *key = path2(statedir, "key.pem");
	assert_int_equal(stat(log, &sb), 0);
	assert_true(sb.st_size > 0);
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(stat(pfx, &sb), 0);
	assert_int_equal(stat(reg, &sb), 0);
	assert_int_equal(stat(msi, &sb), 0);
	assert_int_equal(stat(conf, &sb), 0);
	assert_int_equal(h.found, 0);

	/* the search itself finds them where they are meant to be */
	struct hits ctrl = { &s, 0, 0, 1 };
	check_file(pfxpw, &ctrl);
	check_file(labpw, &ctrl);
	assert_int_equal(ctrl.found, 2);

	/* A wrong CA password (root from its file, so the request stage is
	 * the one refused): the password tried is printed and logged nowhere
	 * either. */
	char *r3 = ru_random_hex(24);
	char *wrong = NULL;
	assert_true(asprintf(&wrong, "WrongPw-%s", r3) > 0);
	free(r3);
	char *wrongf = path2(work, "wrong-password");
	assert_int_equal(write_secret(wrongf, wrong), 0);
	char *statedir2 = path2(work, "state2");
	const char *const repl2[][3] = {
		{ "trust", "source", "file" },
		{ "trust", "file", l.root_pem },
		{ "ca", "password_file", wrongf },
		{ "export", "pfx", pfx },
		{ "export", "password_file", pfxpw },
		{ "agent", "config", conf },
		{ NULL, NULL, NULL },
	};
	assert_int_equal(ru_answers_write(l.answers, answers, repl2), 0);
	const char *argv2[] = { bin, "--answers", answers, "--state-dir",
				statedir2, "--non-interactive", NULL };
	char *out2 = NULL;
	rc = run_capture(argv2, 300, &out2);
	if (rc != 12)
		fprintf(stderr, "%s\n", out2);
	assert_int_equal(rc, 12);
	assert_non_null(strstr(out2, "password"));
	struct secrets s2 = { wrong, s.ca_pw };
	struct hits h2 = { &s2, 0, 0, 0 };
	check_buf(&h2, "the output of the failed run", out2, strlen(out2));
	assert_true(ru_walk(statedir2, check_file, &h2) > 0);
	assert_int_equal(h2.found, 0);

	free(out2);
	free(statedir2);
	free(wrongf);
	free(wrong);
	free(log);
	free(key);
	free(lablog);
	free(out);
	free(outp);
	free(bin);
	free(answers);
	free(msi);
	free(reg);
	free(conf);
	free(pfx);
	free(pfxpw);
	free(outdir);
	free(agentdir);
	free(statedir);
	test_rm_rf(work);
	free(work);
	lab_stop(&l);
	free(labpw);
	free(labdir);
	free(s.ca_pw);
	free(s.pfx_pw);
}

/* Run the binary non-interactively on an answers file naming pw for both
 * passwords; its exit status, output in *out. */
static int run_with_password_file(const char *work, const char *pw,
				  const char *state, char **out)
{
	char *answers = path2(work, "modes.ini"), *text = NULL;
	char *statedir = path2(work, state), *bin = test_build_path("opsmgr-enroll");
	assert_true(asprintf(&text, "[ca]\npassword_file = %s\n"
			     "[export]\npassword_file = %s\n", pw, pw) > 0);
	assert_int_equal(test_write_file(answers, text), 0);
	const char *argv[] = { bin, "--answers", answers, "--state-dir",
			       statedir, "--non-interactive", NULL };
	int rc = run_capture(argv, 60, out);
	free(text);
	free(bin);
	free(statedir);
	free(answers);
	return rc;
}

static void test_password_file_modes(void **st)
{
	char *work = test_mkdtemp("secrets-modes-");
	assert_non_null(work);
	char *pw = path2(work, "pw");
	assert_int_equal(write_secret(pw, "M0des-Pw-in-file"), 0);
	char *out = NULL, want[700];

	/* others may write it: refused before any stage, exit 2 (usage) */
	assert_int_equal(chmod(pw, 0666), 0);
	int rc = run_with_password_file(work, pw, "s1", &out);
	if (rc != 2)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 2);
	snprintf(want, sizeof(want), "FAIL request/password: password file '%s' is writable by group or others (owner uid %u",
		 pw, (unsigned)geteuid());
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "mode 0666"));
	assert_non_null(strstr(out, "field: ca.password_file"));
	assert_non_null(strstr(out, "field: export.password_file"));
	assert_null(strstr(out, "[1/"));  /* no stage ran */
	assert_null(strstr(out, "M0des-Pw-in-file"));
	free(out);

	/* others may read it: a warning at each field, the run goes on */
	assert_int_equal(chmod(pw, 0644), 0);
	rc = run_with_password_file(work, pw, "s2", &out);
	snprintf(want, sizeof(want), "WARN request/password: password file '%s' is readable by group or others",
		 pw);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "mode 0644"));
	assert_non_null(strstr(out, "fix: run chmod 600"));
	/* it went on: the password was read; what stops this bare answers
	 * file is the preflight's missing answers, not the password */
	assert_null(strstr(out, "FAIL request/password"));
	assert_null(strstr(out, "FAIL export/password"));
	assert_non_null(strstr(out, "problems before stage 1"));
	assert_null(strstr(out, "M0des-Pw-in-file"));
	free(out);

	free(pw);
	test_rm_rf(work);
	free(work);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwords_stay_in_their_files),
		cmocka_unit_test(test_password_file_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
