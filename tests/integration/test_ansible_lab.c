/*
 * test_ansible_lab.c - ansible/ (role opsmgr_enroll, site.yml) against one
 * lab: `ansible-playbook` runs step 1 on the control node for 20 hosts
 * (ansible_connection: local, distinct FQDNs, forks 10) and one host whose
 * template is OpsMgrManual.  20 certificates issued, 20 bundles, one
 * request per host at the CA (`opsmgr-enroll-lab list`), the manual host
 * reported PENDING and not failed; a second run changes nothing and sends
 * nothing; after `approve` the next run completes the manual host with the
 * same request; `opsmgr_enroll_renew: true` runs `renew --if-due`, which
 * changes nothing while nothing is due.  The password files are gone after
 * every run and the passwords never reach the play's output.  The Windows
 * tasks cannot run here: `ansible-playbook --syntax-check` and
 * `ansible-lint` (no violation; a seeded violation is caught) cover them.
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
#include <time.h>
#include <unistd.h>

#include "lab_harness.h"
#include "run_capture.h"

#define HOSTS 20
#define MANUAL "manual01.fleet.test"
#define PLAY_TIMEOUT 900
#define LOCAL_PATH (PATH_MAX * 3)

struct fx {
	struct lab lab;
	int lab_up;
	char *work;              /* temporary: inventory, fleet/, ansible's homes */
	char src[PATH_MAX];      /* the source tree's ansible/ */
	char inventory[PATH_MAX * 2];
	char playbook[PATH_MAX * 2]; /* <working dir>/site.yml (ansible/site.yml) */
	char fleet[PATH_MAX * 2];    /* opsmgr_enroll_work_dir */
	char ca_password[256];
	char pfx_password[256];
};

/* Host i of the inventory: 1..HOSTS, then HOSTS + 1 the manual one. */
static void host_name(int i, char *buf, size_t n)
{
	if (i > HOSTS)
		snprintf(buf, n, MANUAL);
	else
		snprintf(buf, n, "host%02d.fleet.test", i);
}

/* A program from $PATH (run_capture does not search it); fails the test
 * when missing (scripts/deps.sh installs ansible and ansible-lint). */
static const char *which(const char *prog, char *buf, size_t n)
{
	const char *path = getenv("PATH");
	char dirs[4096], *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, n, "%s/%s", d, prog);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	fail_msg("%s is not installed (scripts/deps.sh)", prog);
	return NULL;
}

/* First line of a file, newline removed. */
static void first_line(const char *path, char *buf, size_t n)
{
	char *t = test_read_file(path);

	assert_non_null(t);
	snprintf(buf, n, "%s", t);
	buf[strcspn(buf, "\r\n")] = '\0';
	free(t);
}

/* "key = value" of the lab's lab.ini. */
static void lab_ini(const struct lab *l, const char *key, char *buf, size_t n)
{
	char path[LOCAL_PATH], want[64];
	char *t, *p;

	snprintf(path, sizeof(path), "%s/lab.ini", l->dir);
	t = test_read_file(path);
	assert_non_null(t);
	snprintf(want, sizeof(want), "\n%s = ", key);
	p = strstr(t, want);
	assert_non_null(p);
	p += strlen(want);
	snprintf(buf, n, "%.*s", (int)strcspn(p, "\n"), p);
	free(t);
}

static void write_inventory(struct fx *f)
{
	char bin[LOCAL_PATH], *b = test_build_path("opsmgr-enroll");
	char root[LOCAL_PATH], sha[128], user[128], port[16];
	char *inv = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&inv, &len);

	assert_non_null(m);
	assert_non_null(realpath(b, bin));
	free(b);
	lab_ini(&f->lab, "root", root, sizeof(root));
	lab_ini(&f->lab, "root_sha256", sha, sizeof(sha));
	lab_ini(&f->lab, "user", user, sizeof(user));
	lab_ini(&f->lab, "ms_port", port, sizeof(port));
	fprintf(m,
		"all:\n"
		"  vars:\n"
		"    ansible_connection: local\n"
		"    ansible_python_interpreter: /usr/bin/python3\n"
		"    opsmgr_enroll_windows: false\n"
		"    opsmgr_enroll_bin: %s\n"
		"    opsmgr_enroll_work_dir: %s\n"
		"    opsmgr_enroll_ca_url: %s\n"
		"    opsmgr_enroll_ca_user: %s\n"
		"    opsmgr_enroll_ca_file: %s\n"
		"    opsmgr_enroll_trust_sha256: %s\n"
		"    opsmgr_enroll_management_group: LAB\n"
		"    opsmgr_enroll_server: localhost\n"
		"    opsmgr_enroll_port: %s\n"
		"    opsmgr_enroll_ca_password: \"{{ lookup('file', '%s/password') }}\"\n"
		"    opsmgr_enroll_pfx_password: \"{{ lookup('file', '%s/pfx-password') }}\"\n"
		"  children:\n"
		"    opsmgr_agents:\n"
		"      hosts:\n",
		bin, f->fleet, f->lab.ca_url, user, root, sha, port,
		f->lab.dir, f->lab.dir);
	for (int i = 1; i <= HOSTS; i++) {
		char h[64];
		host_name(i, h, sizeof(h));
		fprintf(m, "        %s:\n", h);
	}
	fprintf(m, "        " MANUAL ":\n"
		   "          opsmgr_enroll_ca_template: OpsMgrManual\n");
	fclose(m);
	snprintf(f->inventory, sizeof(f->inventory), "%s/inventory.yml", f->work);
	assert_int_equal(test_write_file(f->inventory, inv), 0);
	free(inv);
}

/* Ansible's own files (temp, home, caches) inside the test's folder. */
static void ansible_env(const struct fx *f)
{
	char p[LOCAL_PATH];

	snprintf(p, sizeof(p), "%s/ansible-home", f->work);
	setenv("ANSIBLE_HOME", p, 1);
	snprintf(p, sizeof(p), "%s/ansible-tmp", f->work);
	setenv("ANSIBLE_LOCAL_TEMP", p, 1);
	setenv("ANSIBLE_REMOTE_TEMP", p, 1);
	snprintf(p, sizeof(p), "%s/cache", f->work);
	setenv("XDG_CACHE_HOME", p, 1);
	snprintf(p, sizeof(p), "%s/roles", f->src);
	setenv("ANSIBLE_ROLES_PATH", p, 1);
	snprintf(p, sizeof(p), "%s/ansible.cfg", f->src);
	setenv("ANSIBLE_CONFIG", p, 1);
	setenv("ANSIBLE_NOCOLOR", "1", 1);
	setenv("ANSIBLE_RETRY_FILES_ENABLED", "0", 1);
	setenv("ANSIBLE_DEPRECATION_WARNINGS", "0", 1);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *b = test_build_dir();
	char p[LOCAL_PATH];

	if (!f)
		return -1;
	snprintf(p, sizeof(p), "%s/../ansible", b);
	if (!realpath(p, f->src) && !realpath("ansible", f->src)) {
		fprintf(stderr, "no ansible/ beside the build directory\n");
		return -1;
	}
	if (lab_start(&f->lab, NULL, NULL) != 0)
		return -1;
	f->lab_up = 1;
	f->work = test_mkdtemp("ansible");
	if (!f->work)
		return -1;
	snprintf(f->fleet, sizeof(f->fleet), "%s/fleet", f->work);
	snprintf(f->playbook, sizeof(f->playbook), "%s/site.yml", f->src);
	snprintf(p, sizeof(p), "%s/password", f->lab.dir);
	first_line(p, f->ca_password, sizeof(f->ca_password));
	snprintf(p, sizeof(p), "%s/pfx-password", f->lab.dir);
	first_line(p, f->pfx_password, sizeof(f->pfx_password));
	ansible_env(f);
	write_inventory(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (!f)
		return 0;
	if (f->lab_up)
		lab_stop(&f->lab);
	if (f->work) {
		test_rm_rf(f->work);
		free(f->work);
	}
	free(f);
	return 0;
}

struct recap {
	int ok, changed, unreachable, failed;
	int found;
};

/* The PLAY RECAP line of host. */
static struct recap recap_of(const char *out, const char *host)
{
	struct recap r = { 0 };
	const char *p = strstr(out, "PLAY RECAP");
	char want[128];

	assert_non_null(p);
	snprintf(want, sizeof(want), "\n%s ", host);
	p = strstr(p, want);
	if (p && sscanf(p + strlen(want), " : ok=%d changed=%d unreachable=%d failed=%d",
			&r.ok, &r.changed, &r.unreachable, &r.failed) == 4)
		r.found = 1;
	return r;
}

/* Every host of the inventory in the recap: none failed or unreachable,
 * changed (>0) or not as expected: the 20 hosts `hosts_changed`, the
 * manual one `manual_changed`. */
static void assert_recap(const char *out, const char *run, int hosts_changed,
			 int manual_changed)
{
	for (int i = 1; i <= HOSTS + 1; i++) {
		char h[64];
		host_name(i, h, sizeof(h));
		struct recap r = recap_of(out, h);
		int want = i <= HOSTS ? hosts_changed : manual_changed;
		if (!r.found || r.failed || r.unreachable || (r.changed > 0) != want)
			fail_msg("%s, %s: found %d changed %d failed %d\n%s", run, h,
				 r.found, r.changed, r.failed, out);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ansible-playbook -i inventory site.yml -f 10 [extra...]; exit status.
 * Prints the play's wall time under `name` (bench/RESULTS.md, "fleet";
 * a figure, never asserted). */
static int play(const struct fx *f, const char *name, const char *extra_var,
		char **out)
{
	char prog[LOCAL_PATH];
	const char *argv[] = { which("ansible-playbook", prog, sizeof(prog)),
			       "-i", f->inventory, "-f", "10", f->playbook,
			       extra_var ? "-e" : NULL, extra_var, NULL };
	double t0 = now_s();
	int rc = run_capture(argv, PLAY_TIMEOUT, out);

	printf("fleet timing: %s: %.1f s wall (%d hosts, forks 10, exit %d)\n",
	       name, now_s() - t0, HOSTS + 1, rc);

	assert_non_null(*out);
	/* no password in the play's output, whatever happened */
	assert_null(strstr(*out, f->ca_password));
	assert_null(strstr(*out, f->pfx_password));
	return rc;
}

/* Lines of `opsmgr-enroll-lab list` that are requests; *issued of them
 * issued; each FQDN at most once (one request per host). */
static int lab_requests(const struct fx *f, int *issued, int *pending_manual)
{
	char *out = NULL, *save = NULL;
	const char *args[] = { "list", "--dir", f->lab.dir, NULL };
	int n = 0, seen[HOSTS + 2] = { 0 };

	assert_int_equal(lab_cmd(args, &out), 0);
	*issued = 0;
	*pending_manual = 0;
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char st[32], tmpl[64], fqdn[128];
		int id, idx = -1;
		if (sscanf(l, "request %d %31s %63s %127s", &id, st, tmpl, fqdn) != 4)
			continue;
		n++;
		if (strcmp(fqdn, MANUAL) == 0) {
			idx = HOSTS + 1;
			assert_string_equal(tmpl, "OpsMgrManual");
			*pending_manual = strcmp(st, "pending") == 0 ? id : 0;
		} else if (sscanf(fqdn, "host%d.fleet.test", &idx) != 1 ||
			   idx < 1 || idx > HOSTS) {
			fail_msg("a request for an unknown name: %s", l);
		}
		if (seen[idx]++)
			fail_msg("a second request for %s", fqdn);
		if (strcmp(st, "issued") == 0)
			(*issued)++;
	}
	free(out);
	return n;
}

static int exists(const char *fmt, const char *a, const char *b)
{
	char p[LOCAL_PATH];
	struct stat sb;

	snprintf(p, sizeof(p), fmt, a, b, b);
	return stat(p, &sb) == 0;
}

/* Every host: bundle zip present (all but the manual one before its
 * approval), no password file left. */
static void assert_fleet_files(const struct fx *f, int manual_done)
{
	for (int i = 1; i <= HOSTS + 1; i++) {
		char h[64];
		host_name(i, h, sizeof(h));
		int want = i <= HOSTS || manual_done;
		if (exists("%s/%s/bundle/%s-opsmgr.zip", f->fleet, h) != want)
			fail_msg("%s: bundle %s", h, want ? "missing" : "already there");
		char p[LOCAL_PATH];
		snprintf(p, sizeof(p), "%s/%s/secrets", f->fleet, h);
		assert_int_not_equal(access(p, F_OK), 0);
		snprintf(p, sizeof(p), "%s/%s/state/state", f->fleet, h);
		assert_int_equal(access(p, F_OK), 0);
	}
}

#if defined(__SANITIZE_ADDRESS__)
#define SAN_BUILD 1
#else
#define SAN_BUILD 0
#endif

static void test_fleet(void **state)
{
	struct fx *f = *state;
	char *out = NULL;
	int issued, pending_id;

	if (SAN_BUILD) {
		/* 84 headless runs through ansible add minutes to the
		 * sanitizer suite and no code path: the runner is checked
		 * under ASan+UBSan by test_runner_lab and test_renew_lab */
		printf("skipped: the 20-host fleet runs in the plain suite; "
		       "the sanitizer suite checks the runner it drives in "
		       "test_runner_lab and test_renew_lab\n");
		skip();
	}

	/* Run 1: 20 enrolled, the manual one pending, none failed. */
	int rc = play(f, "run 1, 20 enrolled + 1 pending", NULL, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_recap(out, "run 1", 1, 1);
	assert_non_null(strstr(out, "PENDING " MANUAL " (exit 75, not a failure)"));
	if (!strstr(out, "pending at the CA"))
		fail_msg("no pending line:\n%s", out);
	free(out);
	assert_int_equal(lab_requests(f, &issued, &pending_id), HOSTS + 1);
	assert_int_equal(issued, HOSTS);
	assert_true(pending_id > 0);
	assert_fleet_files(f, 0);

	/* Run 2: nothing changes, nothing is sent. */
	rc = play(f, "run 2, nothing due", NULL, &out);
	assert_int_equal(rc, 0);
	assert_recap(out, "run 2", 0, 0);
	assert_non_null(strstr(out, "PENDING " MANUAL));
	free(out);
	assert_int_equal(lab_requests(f, &issued, &pending_id), HOSTS + 1);
	assert_int_equal(issued, HOSTS);

	/* The CA manager issues it; run 3 fetches it (same request). */
	char id[16];
	snprintf(id, sizeof(id), "%d", pending_id);
	const char *approve[] = { "approve", "--dir", f->lab.dir, id, NULL };
	assert_int_equal(lab_cmd(approve, NULL), 0);
	rc = play(f, "run 3, the approved manual host completes", NULL, &out);
	assert_int_equal(rc, 0);
	assert_recap(out, "run 3", 0, 1);
	assert_null(strstr(out, "PENDING"));
	free(out);
	assert_int_equal(lab_requests(f, &issued, &pending_id), HOSTS + 1);
	assert_int_equal(issued, HOSTS + 1);
	assert_fleet_files(f, 1);

	/* opsmgr_enroll_renew: renew --if-due, nothing due, nothing changed. */
	rc = play(f, "renew run, nothing due", "opsmgr_enroll_renew=true", &out);
	assert_int_equal(rc, 0);
	assert_recap(out, "renew run", 0, 0);
	free(out);
	assert_int_equal(lab_requests(f, &issued, &pending_id), HOSTS + 1);
}

/* The Windows tasks: syntax and lint only (no Windows here). */
static void test_syntax_and_lint(void **state)
{
	struct fx *f = *state;
	char prog[LOCAL_PATH], inv[LOCAL_PATH], cfg[LOCAL_PATH], roles[LOCAL_PATH];
	char *out = NULL;

	snprintf(inv, sizeof(inv), "%s/inventory.example.yml", f->src);
	const char *syntax[] = { which("ansible-playbook", prog, sizeof(prog)),
				 "--syntax-check", "-i", inv, f->playbook, NULL };
	int rc = run_capture(syntax, 300, &out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	free(out);

	snprintf(cfg, sizeof(cfg), "%s/.ansible-lint", f->src);
	snprintf(roles, sizeof(roles), "%s/roles", f->src);
	const char *lint[] = { which("ansible-lint", prog, sizeof(prog)),
			       "--offline", "--nocolor", "-p", "--project-dir",
			       f->src, "-c", cfg, f->playbook, roles, NULL };
	rc = run_capture(lint, 600, &out);
	/* a pass that looked at the files: "... 0 warning(s) on N files" */
	const char *on = out ? strstr(out, " 0 failure(s), 0 warning(s) on ") : NULL;
	if (rc != 0 || !on || atoi(on + strlen(" 0 failure(s), 0 warning(s) on ")) < 9)
		fail_msg("ansible-lint: exit %d:\n%s", rc, out ? out : "");
	free(out);

	/* A copy of the role with a command that never says whether it
	 * changed anything: the same lint fails, naming the rule. */
	char copy[LOCAL_PATH], task[LOCAL_PATH + 64];
	snprintf(copy, sizeof(copy), "%s/lintcopy", f->work);
	const char *cp[] = { "/bin/cp", "-r", roles, copy, NULL };
	assert_int_equal(run_capture(cp, 60, &out), 0);
	free(out);
	snprintf(task, sizeof(task), "%s/opsmgr_enroll/tasks/server.yml", copy);
	char *text = test_read_file(task), *bad = NULL;
	assert_non_null(text);
	assert_true(asprintf(&bad, "%s\n- name: List the folder\n"
				   "  ansible.builtin.command: ls\n", text) > 0);
	assert_int_equal(test_write_file(task, bad), 0);
	free(text);
	free(bad);
	snprintf(copy, sizeof(copy), "%s/lintcopy/opsmgr_enroll", f->work);
	const char *lint2[] = { prog, "--offline", "--nocolor", "-p",
				"--project-dir", f->work, "-c", cfg, copy, NULL };
	rc = run_capture(lint2, 600, &out);
	if (rc == 0 || !strstr(out, "no-changed-when"))
		fail_msg("ansible-lint missed the seeded violation: %d\n%s", rc, out);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_and_lint),
		cmocka_unit_test(test_fleet),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
