/*
 * test_request_change_lab.c - stage 2 decides by what changed, against a
 * real lab through the real binary (--non-interactive):
 *   - template WebServer -> OpsMgr: a new request ID, a certificate with
 *     both Server and Client Authentication, the old request archived
 *     (files + manifest) and listed by `history` (text and JSON);
 *   - FQDN change: a new key, CSR and certificate with the new CN, the old
 *     key kept byte for byte in the archive; then a template change with
 *     --new-key makes a new key too;
 *   - a changed CA password: nothing runs again, the state is the same
 *     apart from its time stamp, the same request ID (also with --stages 2);
 *   - pending (OpsMgrManual) + changed template: without --abandon-pending
 *     exit 2 and nothing on disk changes (the tree, modes and contents; the
 *     append-only log aside); with it the pending request is archived with
 *     its ID and a new one is sent.
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

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lab_harness.h"
#include "robust_util.h"
#include "run_capture.h"

static struct lab g_lab;
static int g_lab_up;
static char *g_work;

static int start(void **st)
{
	const char *extra[] = { "--auto-approve", "0", NULL };
	/* the runner's arrow follows the locale: ASCII "->" under C */
	setenv("LC_ALL", "C", 1);
	if (lab_start(&g_lab, NULL, extra) != 0)
		return -1;
	g_lab_up = 1;
	g_work = test_mkdtemp("reqchange-lab");
	return g_work ? 0 : -1;
}

static int stop(void **st)
{
	if (g_lab_up)
		lab_stop(&g_lab);
	g_lab_up = 0;
	if (g_work)
		test_rm_rf(g_work);
	free(g_work);
	g_work = NULL;
	return 0;
}

static char *wpath(const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", g_work, name) > 0);
	return p;
}

/* answers.ini of the lab with the PFX and agent files in the work dir. */
static char *answers(const char *name, const char *template_name,
		     const char *fqdn, const char *password_file)
{
	char *dst = wpath(name);
	char *pfx = wpath("agent.pfx"), *agent = wpath("agent.ini");
	const char *const repl[][3] = {
		{ "ca", "template", template_name },
		{ "computer", "fqdn", fqdn },
		{ "ca", "password_file", password_file ? password_file
						       : g_lab.password_file },
		{ "export", "pfx", pfx },
		{ "agent", "config", agent },
		{ NULL, NULL, NULL },
	};
	assert_int_equal(ru_answers_write(g_lab.answers, dst, repl), 0);
	free(pfx);
	free(agent);
	return dst;
}

/* Run the wizard non-interactively; its exit status must be `want`.
 * Returns its output (caller frees). */
static char *run(const char *answers_path, const char *state_dir,
		 const char *extra1, const char *extra2, int want)
{
	char *bin = test_build_path("opsmgr-enroll"), *out = NULL;
	const char *argv[] = { bin, "--answers", answers_path, "--state-dir",
			       state_dir, "--non-interactive", extra1, extra2,
			       NULL };
	int rc = run_capture(argv, 300, &out);
	if (rc != want)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, want);
	free(bin);
	return out;
}

static char *history(const char *state_dir, int json)
{
	char *bin = test_build_path("opsmgr-enroll"), *out = NULL;
	const char *argv[] = { bin, "history", "--state-dir", state_dir,
			       json ? "--json" : NULL, NULL };
	assert_int_equal(run_capture(argv, 60, &out), 0);
	free(bin);
	return out;
}

static int lab_requests(void)
{
	const char *args[] = { "list", "--dir", g_lab.dir, NULL };
	char *out = NULL;
	int n = 0;
	assert_int_equal(lab_cmd(args, &out), 0);
	for (char *p = out; (p = strstr(p, "request ")) != NULL; p++)
		if (p == out || p[-1] == '\n')
			n++;
	free(out);
	return n;
}

/* The value of "name=" in the state file, malloc'd ("" when absent). */
static char *state_value(const char *state_dir, const char *name)
{
	char path[600], *v;
	snprintf(path, sizeof(path), "%s/state", state_dir);
	char *text = test_read_file(path);
	assert_non_null(text);
	size_t n = strlen(name);
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, name, n) == 0 && line[n] == '=') {
			v = strndup(line + n + 1, strcspn(line + n + 1, "\n"));
			free(text);
			return v;
		}
	free(text);
	return strdup("");
}

static long request_id(const char *state_dir)
{
	char *v = state_value(state_dir, "request_id");
	long id = strtol(v, NULL, 10);
	free(v);
	return id;
}

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	return x;
}

static char *cert_cn(X509 *x)
{
	char cn[256] = "";
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
				  sizeof(cn));
	return strdup(cn);
}

/* The only archive folder of state_dir (asserts there is exactly one). */
static char *only_archive(const char *state_dir)
{
	char root[600], *found = NULL;
	snprintf(root, sizeof(root), "%s/archive", state_dir);
	DIR *d = opendir(root);
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		free(found);
		assert_true(asprintf(&found, "%s/%s", root, e->d_name) > 0);
	}
	closedir(d);
	assert_int_equal(n, 1);
	struct stat sb;
	assert_int_equal(stat(found, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	return found;
}

static void assert_file(const char *dir, const char *name, int present)
{
	char p[800];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((lstat(p, &sb) == 0) != present)
		fail_msg("'%s' is %s", p, present ? "missing" : "still there");
	if (present && strcmp(name, ".") != 0 && (sb.st_mode & 0777) != 0600)
		fail_msg("'%s' has mode %o, not 0600", p, sb.st_mode & 0777);
}

static void test_template_correction(void **st)
{
	char *a1 = answers("web.ini", "WebServer", "agent01.lab.test", NULL);
	char *a2 = answers("opsmgr.ini", "OpsMgr", "agent01.lab.test", NULL);
	char *sd = wpath("s-template"), *out = NULL;
	out = run(a1, sd, NULL, NULL, 13);   /* verify: lacks Client Authentication */
	free(out);
	long old_id = request_id(sd);
	assert_true(old_id > 0);
	int before = lab_requests();

	out = run(a2, sd, NULL, NULL, 0);
	assert_non_null(strstr(out, "ca.template WebServer -> OpsMgr"));
	char said[128];
	snprintf(said, sizeof(said), "archived request %ld ", old_id);
	assert_non_null(strstr(out, said));
	free(out);
	long new_id = request_id(sd);
	assert_true(new_id > 0 && new_id != old_id);
	assert_int_equal(lab_requests(), before + 1);

	char cert[600];
	snprintf(cert, sizeof(cert), "%s/cert.pem", sd);
	X509 *x = read_cert(cert);
	assert_non_null(x);
	uint32_t xku = X509_get_extended_key_usage(x);
	assert_true((xku & XKU_SSL_SERVER) && (xku & XKU_SSL_CLIENT));
	X509_free(x);

	/* the WebServer request, archived: files, manifest, listed */
	char *arch = only_archive(sd);
	char suffix[32];
	snprintf(suffix, sizeof(suffix), "-req%ld", old_id);
	assert_non_null(strstr(arch, suffix));
	assert_file(arch, "request.csr", 1);
	assert_file(arch, "cert.pem", 1);
	assert_file(arch, "manifest", 1);
	assert_file(arch, "key.pem", 0);    /* the key is kept in use */
	snprintf(cert, sizeof(cert), "%s/cert.pem", arch);
	x = read_cert(cert);
	assert_non_null(x);
	xku = X509_get_extended_key_usage(x);
	assert_false(xku & XKU_SSL_CLIENT);  /* the WebServer certificate */
	X509_free(x);
	char *h = history(sd, 0);
	snprintf(said, sizeof(said), "request %ld  issued  template 'WebServer'",
		 old_id);
	if (!strstr(h, said))
		fprintf(stderr, "history:\n%s\n", h);
	assert_non_null(strstr(h, said));
	assert_non_null(strstr(h, "CN=agent01.lab.test"));
	assert_non_null(strstr(h, g_lab.ca_url));
	free(h);
	h = history(sd, 1);
	snprintf(said, sizeof(said), "\"request_id\": %ld,", old_id);
	assert_non_null(strstr(h, said));
	assert_non_null(strstr(h, "\"template\": \"WebServer\""));
	free(h);
	free(arch);
	free(a1);
	free(a2);
	free(sd);
}

static void test_fqdn_change(void **st)
{
	char *a1 = answers("one.ini", "OpsMgr", "agent01.lab.test", NULL);
	char *a2 = answers("two.ini", "OpsMgr", "agent02.lab.test", NULL);
	char *sd = wpath("s-fqdn"), *out = NULL;
	char key[600], csr[600], cert[600];
	snprintf(key, sizeof(key), "%s/key.pem", sd);
	snprintf(csr, sizeof(csr), "%s/request.csr", sd);
	snprintf(cert, sizeof(cert), "%s/cert.pem", sd);
	free(run(a1, sd, NULL, NULL, 0));
	char *key1 = test_read_file(key), *csr1 = test_read_file(csr);
	long id1 = request_id(sd);

	out = run(a2, sd, NULL, NULL, 0);
	assert_non_null(strstr(out, "a new key and request follow"));
	free(out);
	char *key2 = test_read_file(key), *csr2 = test_read_file(csr);
	assert_string_not_equal(key1, key2);
	assert_string_not_equal(csr1, csr2);
	assert_true(request_id(sd) != id1);
	X509 *x = read_cert(cert);
	assert_non_null(x);
	char *cn = cert_cn(x);
	assert_string_equal(cn, "agent02.lab.test");
	free(cn);
	X509_free(x);

	/* the old key, CSR and certificate in the archive, unchanged */
	char *arch = only_archive(sd), p[800];
	assert_file(arch, "key.pem", 1);
	snprintf(p, sizeof(p), "%s/key.pem", arch);
	char *akey = test_read_file(p);
	assert_string_equal(akey, key1);
	snprintf(p, sizeof(p), "%s/request.csr", arch);
	char *acsr = test_read_file(p);
	assert_string_equal(acsr, csr1);
	snprintf(p, sizeof(p), "%s/cert.pem", arch);
	x = read_cert(p);
	assert_non_null(x);
	cn = cert_cn(x);
	assert_string_equal(cn, "agent01.lab.test");
	free(cn);
	X509_free(x);
	snprintf(p, sizeof(p), "%s/manifest", arch);
	char *m = test_read_file(p);
	assert_non_null(strstr(m, "\nfqdn=agent01.lab.test\n"));
	assert_non_null(strstr(m, "\nkey=archived\n"));
	assert_non_null(strstr(m, "computer.fqdn agent01.lab.test -> agent02.lab.test"));
	free(m);

	/* a changed template with --new-key: a new key although the same
	 * would do */
	char *a3 = answers("three.ini", "WebServer", "agent02.lab.test", NULL);
	out = run(a3, sd, "--new-key", "--stages=2", 0);
	assert_non_null(strstr(out, "a new key and request follow"));
	free(out);
	char *key3 = test_read_file(key);
	assert_string_not_equal(key2, key3);
	free(key3);
	free(a3);
	free(akey);
	free(acsr);
	free(arch);
	free(key1);
	free(key2);
	free(csr1);
	free(csr2);
	free(a1);
	free(a2);
	free(sd);
}

/* The state file without its "updated=" line. */
static char *state_but_time(const char *state_dir)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/state", state_dir);
	char *t = test_read_file(path);
	assert_non_null(t);
	char *u = strstr(t, "\nupdated=");
	if (u) {
		char *eol = strchr(u + 1, '\n');
		memmove(u, eol ? eol : u + strlen(u), strlen(eol ? eol : u) + 1);
	}
	return t;
}

static void test_password_change_runs_nothing(void **st)
{
	char *pw = wpath("other-password");
	assert_int_equal(test_write_file(pw, "not-the-password\n"), 0);
	chmod(pw, 0600);
	char *a1 = answers("pw1.ini", "OpsMgr", "agent03.lab.test", NULL);
	char *a2 = answers("pw2.ini", "OpsMgr", "agent03.lab.test", pw);
	char *sd = wpath("s-password"), *out = NULL;
	free(run(a1, sd, NULL, NULL, 0));
	char *before = state_but_time(sd);
	long id = request_id(sd);
	int n = lab_requests();

	out = run(a2, sd, NULL, NULL, 0);
	assert_null(strstr(out, "running again"));
	assert_null(strstr(out, "] Request ..."));
	free(out);
	char *after = state_but_time(sd);
	assert_string_equal(before, after);
	free(after);

	/* named by --stages: stage 2 runs, and keeps its request */
	out = run(a2, sd, "--stages", "2", 0);
	assert_null(strstr(out, "archived"));
	free(out);
	assert_int_equal(request_id(sd), id);
	assert_int_equal(lab_requests(), n);
	char path[600];
	snprintf(path, sizeof(path), "%s/archive", sd);
	assert_int_not_equal(access(path, F_OK), 0);
	free(before);
	free(a1);
	free(a2);
	free(pw);
	free(sd);
}

/* Every path under dir (the log aside) with its mode and content. */
static void snap_walk(const char *dir, const char *rel, FILE *m)
{
	char p[2600];
	snprintf(p, sizeof(p), "%s%s%s", dir, *rel ? "/" : "", rel);
	DIR *d = opendir(p);
	assert_non_null(d);
	struct dirent *e;
	char *names[128];
	int n = 0;
	while ((e = readdir(d)) != NULL && n < 128)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	for (int i = 0; i < n; i++)   /* a stable order */
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	for (int i = 0; i < n; i++) {
		char r[1200];
		struct stat sb;
		snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "", names[i]);
		snprintf(p, sizeof(p), "%s/%s", dir, r);
		assert_int_equal(lstat(p, &sb), 0);
		if (strcmp(names[i], "opsmgr-enroll.log") == 0) {
			fprintf(m, "%s (the log: appended to)\n", r);
			free(names[i]);
			continue;
		}
		fprintf(m, "%s %o %lld\n", r, sb.st_mode, (long long)sb.st_size);
		if (S_ISDIR(sb.st_mode)) {
			snap_walk(dir, r, m);
		} else if (S_ISREG(sb.st_mode)) {
			char *t = test_read_file(p);
			fprintf(m, "%s\n", t ? t : "(unreadable)");
			free(t);
		}
		free(names[i]);
	}
}

static char *snapshot(const char *dir)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	snap_walk(dir, "", m);
	fclose(m);
	return buf;
}

static void test_pending_changed_template(void **st)
{
	char *a1 = answers("manual.ini", "OpsMgrManual", "agent04.lab.test", NULL);
	char *a2 = answers("auto.ini", "OpsMgr", "agent04.lab.test", NULL);
	char *sd = wpath("s-pending"), *out = NULL;
	out = run(a1, sd, NULL, NULL, 75);
	free(out);
	long id = request_id(sd);
	assert_true(id > 0);
	int n = lab_requests();

	char *before = snapshot(sd);
	out = run(a2, sd, NULL, NULL, 2);
	char said[128];
	snprintf(said, sizeof(said), "request %ld is still pending", id);
	assert_non_null(strstr(out, said));
	assert_non_null(strstr(out, "ca.template OpsMgrManual -> OpsMgr"));
	assert_non_null(strstr(out, "--abandon-pending"));
	assert_null(strstr(out, "[1/7] Trust root ..."));   /* no work at all */
	free(out);
	char *after = snapshot(sd);
	assert_string_equal(before, after);
	assert_int_equal(lab_requests(), n);
	free(after);

	out = run(a2, sd, "--abandon-pending", NULL, 0);
	snprintf(said, sizeof(said), "archived request %ld (pending", id);
	assert_non_null(strstr(out, said));
	free(out);
	assert_int_equal(lab_requests(), n + 1);
	assert_true(request_id(sd) != id);
	char *arch = only_archive(sd);
	char *h = history(sd, 0);
	snprintf(said, sizeof(said), "request %ld  pending  template "
		 "'OpsMgrManual'", id);
	assert_non_null(strstr(h, said));
	free(h);
	free(arch);
	free(before);
	free(a1);
	free(a2);
	free(sd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_correction),
		cmocka_unit_test(test_fqdn_change),
		cmocka_unit_test(test_password_change_runs_nothing),
		cmocka_unit_test(test_pending_changed_template),
	};
	return cmocka_run_group_tests(tests, start, stop);
}
