/*
 * test_check_lab.c - `opsmgr-enroll check` on a setup enrolled against the
 * lab, then on the same setup broken in the ways support staff meet: the
 * root's hash link gone, the recorded serial edited (event 20066), a PFX
 * with the wrong password, garbage instead of a certificate, no agent
 * configuration; a certificate subject with control characters (shown
 * escaped in the text output), a certificate not yet imported (one JSON
 * row per check), an info row ("info"), and the days left of the
 * certificate in use (serial/expiry: info for the lab's year, warn with
 * 21020 inside the renewal window, fail with 20051 naming 21007 once
 * expired); each break of the INSTALLED certificate (server
 * authentication only, expired, another name, the key of another
 * certificate; made from the lab root at ca/root.key) failing on the
 * installed file with the TLS refusal attributed to it after the lab's
 * alert naming it, a refusal our checks cannot explain named by the
 * lab's alert (unknown_ca), and a PFX password typed at
 * enrollment (export/reread skip).  Asserts exit codes and the JSON
 * report's contents.
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
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "certgen.h"
#include "lab_harness.h"
#include "run_capture.h"

static struct lab g_lab;
static char g_state[600];
static char g_work[512];

/* Run opsmgr-enroll with the arguments in args (NULL-terminated, up to
 * 15). */
static int run_args(char **out, const char *const *args)
{
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[16] = { bin };
	int n = 1;
	for (int i = 0; n < 15 && args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int rc = run_capture(argv, 120, out);
	free(bin);
	return rc;
}

/* Run opsmgr-enroll with up to 7 arguments (NULL ends them early). */
static int run_tool7(char **out, const char *a1, const char *a2,
		     const char *a3, const char *a4, const char *a5,
		     const char *a6, const char *a7)
{
	const char *args[] = { a1, a2, a3, a4, a5, a6, a7, NULL };
	return run_args(out, args);
}

static int run_tool(char **out, const char *a1, const char *a2, const char *a3,
		    const char *a4, const char *a5, const char *a6)
{
	return run_tool7(out, a1, a2, a3, a4, a5, a6, NULL);
}

static int check_json(char **out, const char *a1, const char *a2)
{
	return run_tool(out, "check", "--json", "--answers", g_lab.answers,
			a1 ? a1 : "--state-dir", a1 ? a2 : g_state);
}

/* "stage"/"id"/"status" triple present in the JSON report. */
static int has_check(const char *json, const char *stage, const char *id,
		     const char *status)
{
	char want[256];
	snprintf(want, sizeof(want),
		 "{\"stage\": \"%s\", \"id\": \"%s\", \"status\": \"%s\"",
		 stage, id, status);
	return strstr(json, want) != NULL;
}

/* The "event" member of the first row with that triple ("null" or a
 * number), copied into buf; NULL when there is no such row. */
static const char *row_event(const char *json, const char *stage,
			     const char *id, const char *status, char *buf,
			     size_t n)
{
	char want[256];
	snprintf(want, sizeof(want),
		 "{\"stage\": \"%s\", \"id\": \"%s\", \"status\": \"%s\"",
		 stage, id, status);
	const char *row = strstr(json, want);
	const char *ev = row ? strstr(row, "\"event\": ") : NULL;
	if (!ev)
		return NULL;
	ev += strlen("\"event\": ");
	size_t len = strcspn(ev, "}");
	snprintf(buf, n, "%.*s", (int)len, ev);
	return buf;
}

/* The row's "message"/"fix" member (first row with that triple). */
static char *row_member(const char *json, const char *stage, const char *id,
			const char *status, const char *member)
{
	char want[256], key[64];
	snprintf(want, sizeof(want),
		 "{\"stage\": \"%s\", \"id\": \"%s\", \"status\": \"%s\"",
		 stage, id, status);
	const char *row = strstr(json, want);
	if (!row)
		return NULL;
	const char *end = strstr(row, "\"event\": ");
	snprintf(key, sizeof(key), "\"%s\": \"", member);
	const char *m = strstr(row, key);
	if (!m || (end && m > end))
		return NULL;
	m += strlen(key);
	size_t n = 0;
	while (m[n] && !(m[n] == '"' && m[n - 1] != '\\'))
		n++;
	return strndup(m, n);
}

static int setup(void **st)
{
	(void)st;
	const char *extra[] = { "--auto-approve", "0", NULL };
	if (lab_start(&g_lab, NULL, extra) < 0)
		return -1;
	char *w = test_mkdtemp("check");
	snprintf(g_work, sizeof(g_work), "%s", w);
	free(w);
	snprintf(g_state, sizeof(g_state), "%s/state", g_work);
	char *out = NULL;
	int rc = run_tool(&out, "--answers", g_lab.answers, "--state-dir",
			  g_state, "--non-interactive", NULL);
	if (rc != 0)
		fprintf(stderr, "enrollment failed (%d):\n%s\n", rc, out);
	free(out);
	return rc == 0 ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	lab_stop(&g_lab);
	test_rm_rf(g_work);
	return 0;
}

static void test_healthy_setup(void **st)
{
	(void)st;
	char *out = NULL;
	int rc = check_json(&out, NULL, NULL);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "{\"version\": 1, \"ok\": true, \"checks\": ["));
	const char *ids[] = { "parse", "key_match", "subject_name", "san", "eku",
			      "key_usage", "key_type", "validity", "expiry",
			      "chain", "signature_hash", "revocation" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (!has_check(out, "verify", ids[i], "pass"))
			fprintf(stderr, "verify/%s not pass in:\n%s\n", ids[i], out);
		assert_true(has_check(out, "verify", ids[i], "pass"));
	}
	/* the certificate checked is the agent's, the wizard's copy the same */
	char *parse = row_member(out, "verify", "parse", "pass", "message");
	assert_non_null(parse);
	assert_non_null(strstr(parse, "checking the certificate the agent uses"));
	assert_non_null(strstr(parse, "the wizard's copy is the same certificate"));
	free(parse);
	assert_true(has_check(out, "trust", "store", "pass"));
	assert_true(has_check(out, "agent", "tcp", "pass"));
	assert_true(has_check(out, "serial", "serial_match", "pass"));
	assert_true(has_check(out, "approval", "state", "pass"));
	/* the lab's certificate lives a year: its days left as info */
	char ev[32];
	assert_non_null(row_event(out, "serial", "expiry", "info", ev,
				  sizeof(ev)));
	assert_string_equal(ev, "null");
	const char *row = strstr(out, "\"id\": \"expiry\", \"status\": \"info\"");
	assert_non_null(row);
	assert_true(strstr(row, "expires in 365 days (renewal due in its "
				"last 30 days)") ||
		    strstr(row, "expires in 364 days (renewal due in its "
				"last 30 days)"));
	free(out);
}

static void test_edited_serial_is_20066(void **st)
{
	(void)st;
	char path[700];
	snprintf(path, sizeof(path), "%s/agent/agent.ini", g_lab.dir);
	char *ini = test_read_file(path);
	assert_non_null(ini);
	/* flip the first hex digit of the recorded serial */
	char *p = strstr(ini, "\nserial = ");
	assert_non_null(p);
	p += strlen("\nserial = ");
	char orig = *p;
	*p = *p == '1' ? '2' : '1';
	assert_int_equal(test_write_file(path, ini), 0);

	char *out = NULL;
	int rc = check_json(&out, NULL, NULL);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "\"ok\": false"));
	assert_true(has_check(out, "serial", "serial_match", "fail"));
	assert_non_null(strstr(out, "\"event\": 20066"));
	free(out);

	*p = orig;   /* restore for the other tests */
	assert_int_equal(test_write_file(path, ini), 0);
	free(ini);
}

static void test_missing_hash_link(void **st)
{
	(void)st;
	char dir[700];
	snprintf(dir, sizeof(dir), "%s/trust", g_state);
	DIR *d = opendir(dir);
	assert_non_null(d);
	char link_path[1000] = "", target[1000] = "";
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n > 2 && strcmp(e->d_name + n - 2, ".0") == 0) {
			snprintf(link_path, sizeof(link_path), "%s/%s", dir, e->d_name);
			ssize_t r = readlink(link_path, target, sizeof(target) - 1);
			assert_true(r > 0);
			target[r] = '\0';
		}
	}
	closedir(d);
	assert_true(link_path[0] != '\0');
	assert_int_equal(unlink(link_path), 0);

	char *out = NULL;
	int rc = check_json(&out, NULL, NULL);
	assert_int_equal(rc, 1);
	assert_true(has_check(out, "trust", "store", "fail"));
	assert_true(has_check(out, "verify", "chain", "fail"));
	free(out);
	assert_int_equal(symlink(target, link_path), 0);
}

static void test_pfx_wrong_password(void **st)
{
	(void)st;
	char pw[700], pfx[700];
	snprintf(pw, sizeof(pw), "%s/wrong-password", g_work);
	assert_int_equal(test_write_file(pw, "not the password\n"), 0);
	snprintf(pfx, sizeof(pfx), "%s/agent01.pfx", g_lab.dir);
	char *out = NULL;
	int rc = run_tool(&out, "check", "--pfx", pfx, "--password-file", pw,
			  "--offline");
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "wrong password"));
	free(out);

	/* the right password: the PFX's certificate passes the checklist */
	snprintf(pw, sizeof(pw), "%s/pfx-password", g_lab.dir);
	rc = run_tool7(&out, "check", "--json", "--pfx", pfx, "--password-file",
		       pw, "--offline");
	assert_true(has_check(out, "verify", "key_match", "pass"));
	assert_true(has_check(out, "verify", "eku", "pass"));
	assert_false(strstr(out, "wrong password") != NULL);
	free(out);
	(void)rc;
}

static void test_garbage_certificate(void **st)
{
	(void)st;
	char cert[700], key[700];
	snprintf(cert, sizeof(cert), "%s/garbage.pem", g_work);
	snprintf(key, sizeof(key), "%s/state/key.pem", g_work);
	assert_int_equal(test_write_file(cert, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"), 0);
	char *out = NULL;
	int rc = run_tool(&out, "check", "--json", "--cert", cert, "--key", key);
	assert_int_equal(rc, 1);
	assert_true(has_check(out, "verify", "parse", "fail"));
	assert_non_null(strstr(out, "tried"));
	/* every other verify check is skipped, not a crash or a pass */
	assert_true(has_check(out, "verify", "eku", "skip"));
	/* files only: no agent configuration needed */
	free(out);
}

static void test_no_agent_configuration(void **st)
{
	(void)st;
	char other[700];
	snprintf(other, sizeof(other), "%s/empty-state", g_work);
	char *out = NULL;
	/* the lab's answers name the agent configuration: its certificate
	 * is the one checked, even with an empty state */
	int rc = check_json(&out, "--state-dir", other);
	assert_int_equal(rc, 1);
	assert_true(has_check(out, "trust", "store", "fail"));
	assert_true(has_check(out, "verify", "parse", "pass"));
	assert_non_null(strstr(out, "checking the certificate the agent uses"));
	free(out);
	/* no answers, no state: no agent configuration, no certificate */
	const char *args[] = { "check", "--json", "--state-dir", other, NULL };
	rc = run_args(&out, args);
	assert_int_equal(rc, 1);
	assert_true(has_check(out, "verify", "parse", "fail"));
	/* "no certificate to check" is a missing answer: no event */
	char ev[32];
	assert_non_null(row_event(out, "verify", "parse", "fail", ev,
				  sizeof(ev)));
	assert_string_equal(ev, "null");
	free(out);
}

/* Without an FQDN the name cannot be compared: a configuration problem,
 * reported without an Operations Manager event. */
static void test_no_fqdn_has_no_event(void **st)
{
	(void)st;
	char cert[700], key[700], dir[700];
	snprintf(cert, sizeof(cert), "%s/state/cert.pem", g_work);
	snprintf(key, sizeof(key), "%s/state/key.pem", g_work);
	snprintf(dir, sizeof(dir), "%s/no-fqdn-state", g_work);
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "check", "--json", "--cert", cert, "--key",
			       key, "--state-dir", dir, NULL };
	char *out = NULL;
	int rc = run_capture(argv, 120, &out);
	free(bin);
	char ev[32];
	if (!row_event(out, "verify", "subject_name", "warn", ev, sizeof(ev)))
		fprintf(stderr, "rc %d:\n%s\n", rc, out);
	assert_non_null(row_event(out, "verify", "subject_name", "warn", ev,
				  sizeof(ev)));
	assert_string_equal(ev, "null");
	free(out);
}

/* `check` (--json when json) on a new certificate for the agent's name
 * made here, its subject CN cn (NULL: the agent's FQDN); its output in
 * *out, its exit status returned. */
static int check_new_leaf(const char *cn, bool json, char **out)
{
	char cert[700], key[700];
	snprintf(cert, sizeof(cert), "%s/leaf-%d.pem", g_work, json);
	snprintf(key, sizeof(key), "%s/leaf-%d.key", g_work, json);
	struct certgen_opts o;
	certgen_opts_leaf(&o, "agent01.lab.test");
	if (cn)
		o.cn = cn;
	assert_int_equal(certgen_make_files(&o, cert, key), 0);
	const char *args[12];
	int n = 0;
	args[n++] = "check";
	if (json)
		args[n++] = "--json";
	const char *rest[] = { "--answers", g_lab.answers, "--state-dir",
			       g_state, "--cert", cert, "--key", key };
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		args[n++] = rest[i];
	args[n] = NULL;
	return run_args(out, args);
}

/* A subject from outside reaches the terminal escaped (issue 18 item 11):
 * the CN "ctl^Ax^[[31mred" is shown as ctl\x01x\x1b[31mred in check's
 * text output, which holds no raw ESC or other control byte. */
static void test_subject_escaped_in_text(void **st)
{
	(void)st;
	char *out = NULL;
	int rc = check_new_leaf("ctl\x01x\x1b[31mred", false, &out);
	assert_int_equal(rc, 1);    /* the name does not match: a fail */
	if (!strstr(out, "ctl\\x01x\\x1b[31mred"))
		fprintf(stderr, "%s\n", out);
	assert_non_null(strstr(out, "ctl\\x01x\\x1b[31mred"));
	for (const char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			fail_msg("raw control byte 0x%02x at offset %td",
				 (unsigned char)*p, p - out);
	assert_null(strchr(out, 0x7f));
	free(out);
}

/* No stage + id twice anywhere in a JSON report, and every status one of
 * the five documented. */
static void assert_rows_unique(const char *out)
{
	for (const char *row = strstr(out, "{\"stage\": "); row;
	     row = strstr(row + 1, "{\"stage\": ")) {
		const char *st_end = strstr(row, "\", \"status\"");
		assert_non_null(st_end);
		char key_text[128], status[16];
		snprintf(key_text, sizeof(key_text), "%.*s",
			 (int)(st_end - row), row);
		if (strstr(st_end, key_text))
			fail_msg("two rows %s\"", key_text);
		const char *v = st_end + strlen("\", \"status\": \"");
		snprintf(status, sizeof(status), "%.*s", (int)strcspn(v, "\""),
			 v);
		if (strcmp(status, "pass") && strcmp(status, "warn") &&
		    strcmp(status, "fail") && strcmp(status, "skip") &&
		    strcmp(status, "info"))
			fail_msg("status '%s' in %s\"", status, key_text);
	}
}

/* check --json has one row per check: a certificate other than the one
 * the agent has installed (a renewal not yet imported) gives the serial
 * check's pass and its warning in one "serial/serial_match" row, a warn. */
static void test_json_one_row_per_check(void **st)
{
	(void)st;
	char *out = NULL;
	check_new_leaf(NULL, true, &out);
	assert_true(has_check(out, "serial", "serial_match", "warn"));
	const char *first = strstr(out, "\"id\": \"serial_match\"");
	assert_non_null(first);
	if (strstr(first + 1, "\"id\": \"serial_match\""))
		fail_msg("serial/serial_match twice:\n%s", out);
	assert_non_null(strstr(first, "is not the current one"));
	assert_rows_unique(out);
	free(out);
}

/* An explicit trust store on a state without a root: an info row, shown
 * as "info" (not "pass"). */
static void test_json_info_row(void **st)
{
	(void)st;
	char other[700], store[700];
	snprintf(other, sizeof(other), "%s/info-state", g_work);
	snprintf(store, sizeof(store), "%s/state/trust", g_work);
	char *out = NULL;
	const char *args[] = { "check", "--json", "--state-dir", other,
			       "--trust-store", store, NULL };
	run_args(&out, args);
	if (!has_check(out, "trust", "store", "info"))
		fprintf(stderr, "%s\n", out);
	assert_true(has_check(out, "trust", "store", "info"));
	assert_false(has_check(out, "trust", "store", "pass"));
	free(out);
}

/* The value of "<key> = " in the agent configuration the lab's answers
 * name, into buf. */
static void agent_ini_value(const char *key, char *buf, size_t n)
{
	char path[700], want[64];
	snprintf(path, sizeof(path), "%s/agent/agent.ini", g_lab.dir);
	snprintf(want, sizeof(want), "\n%s = ", key);
	char *ini = test_read_file(path);
	assert_non_null(ini);
	const char *p = strstr(ini, want);
	assert_non_null(p);
	p += strlen(want);
	snprintf(buf, n, "%.*s", (int)strcspn(p, "\n"), p);
	free(ini);
}

/* The certificate the agent configuration names, replaced by one valid
 * from nb to na seconds from now (the original kept in *saved), then
 * check --json's output; its exit status returned. */
static int check_with_cert_in_use(long nb, long na, char **saved,
				  char **out)
{
	char key[700], cert[700];
	agent_ini_value("certificate", cert, sizeof(cert));
	if (!*saved)
		*saved = test_read_file(cert);
	assert_non_null(*saved);
	snprintf(key, sizeof(key), "%s/expiry-leaf.key", g_work);
	struct certgen_opts o;
	certgen_opts_leaf(&o, "agent01.lab.test");
	o.not_before = nb;
	o.not_after = na;
	assert_int_equal(certgen_make_files(&o, cert, key), 0);
	return check_json(out, NULL, NULL);
}

/* Put the saved certificate in use back. */
static void restore_cert_in_use(char *saved)
{
	char cert[700];
	agent_ini_value("certificate", cert, sizeof(cert));
	assert_int_equal(test_write_file(cert, saved), 0);
	free(saved);
}

/* Inside the renewal window (10 days left of 310: the last 30 days) a
 * warning with event 21020 and the renew command; expired, a fail with
 * 20051 naming 21007. */
static void test_expiry_row(void **st)
{
	(void)st;
	char *saved = NULL, *out = NULL, ev[32];
	int rc = check_with_cert_in_use(-300L * 86400, 10L * 86400 + 120,
					&saved, &out);
	if (!has_check(out, "serial", "expiry", "warn"))
		fprintf(stderr, "%s\n", out);
	assert_true(has_check(out, "serial", "expiry", "warn"));
	assert_non_null(row_event(out, "serial", "expiry", "warn", ev,
				  sizeof(ev)));
	assert_string_equal(ev, "21020");
	assert_non_null(strstr(out, "expires in 10 days, inside its renewal "
				    "window (the last 30 days)"));
	assert_non_null(strstr(out, "opsmgr-enroll renew"));
	free(out);
	rc = check_with_cert_in_use(-10L * 86400, -7200, &saved, &out);
	assert_int_equal(rc, 1);
	assert_true(has_check(out, "serial", "expiry", "fail"));
	assert_non_null(row_event(out, "serial", "expiry", "fail", ev,
				  sizeof(ev)));
	assert_string_equal(ev, "20051");
	assert_non_null(strstr(out, "expired 2 hours ago"));
	assert_non_null(strstr(out, "21007"));
	free(out);
	restore_cert_in_use(saved);
	rc = check_json(&out, NULL, NULL);
	assert_int_equal(rc, 0);
	assert_true(has_check(out, "serial", "expiry", "info"));
	free(out);
}

/* The agent's installed certificate and key (from its configuration). */
struct installed {
	char cert[700], key[700];
	char *saved_cert, *saved_key;
};

static void installed_find(struct installed *in)
{
	agent_ini_value("certificate", in->cert, sizeof(in->cert));
	agent_ini_value("key", in->key, sizeof(in->key));
	in->saved_cert = test_read_file(in->cert);
	in->saved_key = test_read_file(in->key);
	assert_non_null(in->saved_cert);
	assert_non_null(in->saved_key);
}

static void installed_restore(struct installed *in)
{
	assert_int_equal(test_write_file(in->cert, in->saved_cert), 0);
	assert_int_equal(test_write_file(in->key, in->saved_key), 0);
	assert_int_equal(chmod(in->key, 0600), 0);
	free(in->saved_cert);
	free(in->saved_key);
}

/* The lab's root and its key (ca/root.pem, ca/root.key in its --dir). */
static void lab_root(X509 **root, EVP_PKEY **key)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/ca/root.pem", g_lab.dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	*root = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	snprintf(path, sizeof(path), "%s/ca/root.key", g_lab.dir);
	f = fopen(path, "r");
	assert_non_null(f);
	*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(*root);
	assert_non_null(*key);
}

/* Replace the installed certificate with one the lab root issues with o
 * (the installed key kept when o is NULL: a key of another certificate
 * takes its place instead), run check --json (exit status returned,
 * output in *out), put the originals back. */
static int check_broken_installed(struct certgen_opts *o, char **out)
{
	struct installed in;
	installed_find(&in);
	if (o) {
		X509 *root;
		EVP_PKEY *rkey;
		lab_root(&root, &rkey);
		o->issuer = root;
		o->issuer_key = rkey;
		o->key_slot = 4;
		assert_int_equal(certgen_make_files(o, in.cert, in.key), 0);
		X509_free(root);
		EVP_PKEY_free(rkey);
	} else {
		EVP_PKEY *other = certgen_key(CERTGEN_RSA, 2048, 5);
		assert_non_null(other);
		assert_int_equal(certgen_write_key(in.key, other), 0);
		EVP_PKEY_free(other);
	}
	assert_int_equal(chmod(in.key, 0600), 0);
	int rc = check_json(out, NULL, NULL);
	installed_restore(&in);
	return rc;
}

/* The installed file is the one the checklist ran on: its path in the
 * verify/parse row, and check failed. */
static void assert_on_installed(const char *out, int rc)
{
	struct installed in;
	installed_find(&in);
	if (rc != 1)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 1);
	char *parse = row_member(out, "verify", "parse", "pass", "message");
	assert_non_null(parse);
	assert_non_null(strstr(parse, "checking the certificate the agent uses"));
	assert_non_null(strstr(parse, in.cert));
	assert_non_null(strstr(parse, "the wizard's copy is another certificate"));
	free(parse);
	assert_rows_unique(out);
	free(in.saved_cert);
	free(in.saved_key);
}

/* The TLS failure says its cause is ours, names the failing check and
 * carries that check's fix, not the guess about the server's trust. */
static void assert_tls_caused_by(const char *out, const char *id)
{
	char want[64];
	snprintf(want, sizeof(want), "fails verify/%s: ", id);
	char *msg = row_member(out, "approval", "tls", "fail", "message");
	char *fix = row_member(out, "approval", "tls", "fail", "fix");
	char *vfix = row_member(out, "verify", id, "fail", "fix");
	if (!msg || !strstr(msg, want))
		fprintf(stderr, "%s\n", out);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "the cause is ours"));
	assert_non_null(strstr(msg, want));
	assert_non_null(fix);
	assert_non_null(vfix);
	assert_string_equal(fix, vfix);
	assert_null(strstr(fix, "likely"));
	assert_null(strstr(fix, "a CA the management server trusts"));
	free(msg);
	free(fix);
	free(vfix);
}

/* A break of the installed certificate made with o: check fails on the
 * installed file at verify/<bad> (verify/<good> still passes), the TLS
 * failure quotes the server's own words first (its alert, named) and is
 * attributed to verify/<bad>. */
static void assert_installed_break(struct certgen_opts *o, const char *bad,
				   const char *good, const char *alert)
{
	char *out = NULL;
	int rc = check_broken_installed(o, &out);
	assert_on_installed(out, rc);
	assert_true(has_check(out, "verify", bad, "fail"));
	assert_true(has_check(out, "verify", good, "pass"));
	assert_tls_caused_by(out, bad);
	char *msg = row_member(out, "approval", "tls", "fail", "message");
	assert_non_null(msg);
	const char *said = strstr(msg, alert);
	if (!said)
		fprintf(stderr, "%s\n", msg);
	assert_non_null(said);
	assert_true(said < strstr(msg, "the cause is ours"));
	free(msg);
	free(out);
}

/* Installed: Server Authentication only.  The lab refuses it (client
 * purpose); the TLS failure is the EKU's, with the template fix. */
static void test_installed_server_auth_only(void **st)
{
	(void)st;
	struct certgen_opts o;
	certgen_opts_leaf(&o, "agent01.lab.test");
	o.eku = CERTGEN_EKU_SERVER;
	assert_installed_break(&o, "eku", "validity",
			       "TLS alert unsupported_certificate: our "
			       "certificate is not for this use");
}

/* Installed: expired.  The TLS failure is the validity's, with its fix
 * (a new certificate). */
static void test_installed_expired(void **st)
{
	(void)st;
	struct certgen_opts o;
	certgen_opts_leaf(&o, "agent01.lab.test");
	o.not_before = -20L * 86400;
	o.not_after = -3600;
	assert_installed_break(&o, "validity", "eku",
			       "TLS alert certificate_expired: our certificate "
			       "is expired");
}

/* Installed: another name.  verify/subject_name fails on the installed
 * file (not only a serial mismatch); a server accepts the name, so the
 * exchange is no TLS failure. */
static void test_installed_wrong_cn(void **st)
{
	(void)st;
	struct certgen_opts o;
	certgen_opts_leaf(&o, "other01.lab.test");
	char *out = NULL;
	int rc = check_broken_installed(&o, &out);
	assert_on_installed(out, rc);
	assert_true(has_check(out, "verify", "subject_name", "fail"));
	assert_true(has_check(out, "verify", "san", "fail"));
	char *m = row_member(out, "verify", "subject_name", "fail", "message");
	assert_non_null(m);
	assert_non_null(strstr(m, "other01.lab.test"));
	free(m);
	assert_false(has_check(out, "approval", "tls", "fail"));
	free(out);
}

/* Installed: the key of another certificate.  verify/key_match fails on
 * the installed pair; the TLS connection cannot even be prepared, and
 * that is attributed to the key. */
static void test_installed_other_key(void **st)
{
	(void)st;
	char *out = NULL;
	int rc = check_broken_installed(NULL, &out);
	if (rc != 1 || !has_check(out, "verify", "key_match", "fail"))
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 1);
	assert_true(has_check(out, "verify", "key_match", "fail"));
	assert_true(has_check(out, "verify", "eku", "pass"));
	assert_tls_caused_by(out, "key_match");
	free(out);
}

/* The PFX password typed during enrollment (the state says "typed") and
 * not given now: export/reread is a skip saying what to give, never a
 * "wrong password" from the answers' password_file; given with
 * --password-file (no --pfx: the state's PFX), the PFX is read back. */
static void test_typed_pfx_password_is_skip(void **st)
{
	(void)st;
	char path[700], pw[700];
	snprintf(path, sizeof(path), "%s/state", g_state);
	char *orig = test_read_file(path);
	assert_non_null(orig);
	char *p = strstr(orig, "\npfx_password=file\n");
	assert_non_null(p);   /* the runner read it from the file */
	char *out = NULL;
	int rc = check_json(&out, NULL, NULL);
	assert_int_equal(rc, 0);
	assert_true(has_check(out, "export", "reread", "pass"));
	free(out);

	size_t head = (size_t)(p - orig);
	char *typed = malloc(strlen(orig) + 8);
	assert_non_null(typed);
	sprintf(typed, "%.*s\npfx_password=typed\n%s", (int)head, orig,
		p + strlen("\npfx_password=file\n"));
	assert_int_equal(test_write_file(path, typed), 0);
	free(typed);
	rc = check_json(&out, NULL, NULL);
	assert_int_equal(rc, 0);
	assert_true(has_check(out, "export", "reread", "skip"));
	assert_non_null(strstr(out, "skip: typed during enrollment, give "
				    "--password-file to check the PFX"));
	assert_null(strstr(out, "wrong password"));
	free(out);

	snprintf(pw, sizeof(pw), "%s/pfx-password", g_lab.dir);
	const char *args[] = { "check", "--json", "--answers", g_lab.answers,
			       "--state-dir", g_state, "--password-file", pw,
			       NULL };
	rc = run_args(&out, args);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_true(has_check(out, "export", "reread", "pass"));
	free(out);
	assert_int_equal(test_write_file(path, orig), 0);
	free(orig);
}

/* Installed: a certificate of another CA that we trust (--trust-store)
 * and the lab does not.  Every check of ours passes, so the refusal's
 * cause is not ours to name; the lab's alert (unknown_ca) names it, so the
 * fix is stated, not a guess (the guess when nothing names the cause:
 * tests/unit/test_approval's test_tls_cause_guess_is_labelled). */
static void test_refused_unknown_ca_named_by_server(void **st)
{
	(void)st;
	struct certgen_opts o;
	certgen_opts_ca(&o, "Other Test Root");
	o.key_slot = 6;
	X509 *root;
	EVP_PKEY *rkey;
	assert_int_equal(certgen_make(&o, &root, &rkey), 0);
	char store[700], hashed[800];
	snprintf(store, sizeof(store), "%s/other-trust", g_work);
	assert_int_equal(mkdir(store, 0700), 0);
	snprintf(hashed, sizeof(hashed), "%s/%08lx.0", store,
		 X509_NAME_hash_ex(X509_get_subject_name(root), NULL, NULL,
				   NULL));
	assert_int_equal(certgen_write_pem(hashed, &root, 1), 0);

	struct installed in;
	installed_find(&in);
	certgen_opts_leaf(&o, "agent01.lab.test");
	o.issuer = root;
	o.issuer_key = rkey;
	o.key_slot = 7;
	assert_int_equal(certgen_make_files(&o, in.cert, in.key), 0);
	assert_int_equal(chmod(in.key, 0600), 0);
	char *out = NULL;
	const char *online[] = { "check", "--json", "--answers", g_lab.answers,
				 "--state-dir", g_state, "--trust-store", store,
				 NULL };
	run_args(&out, online);
	installed_restore(&in);
	X509_free(root);
	EVP_PKEY_free(rkey);

	if (!has_check(out, "verify", "chain", "pass"))
		fprintf(stderr, "%s\n", out);
	assert_true(has_check(out, "verify", "chain", "pass"));
	assert_true(has_check(out, "verify", "eku", "pass"));
	char *msg = row_member(out, "approval", "tls", "fail", "message");
	char *fix = row_member(out, "approval", "tls", "fail", "fix");
	if (!msg || !strstr(msg, "TLS alert unknown_ca"))
		fprintf(stderr, "%s\n", out);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "refused our certificate with TLS alert "
			       "unknown_ca: the server does not trust the CA "
			       "that issued our certificate"));
	assert_null(strstr(msg, "the cause is ours"));
	assert_non_null(fix);
	assert_null(strstr(fix, "likely"));
	assert_int_equal(strncmp(fix, "have the certificate issued by a CA the "
				 "management server trusts", 64), 0);
	free(msg);
	free(fix);
	free(out);
}

/* After the breaks, the restored installation is healthy again. */
static void test_installed_restored(void **st)
{
	test_healthy_setup(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_setup),
		cmocka_unit_test(test_edited_serial_is_20066),
		cmocka_unit_test(test_missing_hash_link),
		cmocka_unit_test(test_pfx_wrong_password),
		cmocka_unit_test(test_garbage_certificate),
		cmocka_unit_test(test_no_agent_configuration),
		cmocka_unit_test(test_no_fqdn_has_no_event),
		cmocka_unit_test(test_subject_escaped_in_text),
		cmocka_unit_test(test_json_one_row_per_check),
		cmocka_unit_test(test_json_info_row),
		cmocka_unit_test(test_expiry_row),
		cmocka_unit_test(test_installed_server_auth_only),
		cmocka_unit_test(test_installed_expired),
		cmocka_unit_test(test_installed_wrong_cn),
		cmocka_unit_test(test_installed_other_key),
		cmocka_unit_test(test_refused_unknown_ca_named_by_server),
		cmocka_unit_test(test_installed_restored),
		cmocka_unit_test(test_typed_pfx_password_is_skip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
