/*
 * test_evidence_check.c - `check --evidence` (wizard/evidence_check.c) on
 * the fixtures of tests/data/evidence/ (README: one folder per fault):
 * each fault gets its FAIL with the right check, message and event, the
 * healthy one passes; each event found is confirmed or ruled out by the
 * evidence check core/events.h names for its causes, naming the cause
 * (every evidence id of the table is a row the check makes); the same
 * folder as a zip (one top folder, '\'
 * separators as PowerShell writes them) gives the same report; a
 * truncated, missing or garbled file is one specific evidence_file FAIL
 * and the checks needing it do not run; the binary's text output escapes
 * control characters of the evidence and its JSON ids are unique.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include <openssl/x509.h>

#include "certgen.h"
#include "core/events.h"
#include "core/fsutil.h"
#include "diag_expect.h"
#include "evidence_check.h"
#include "lab_harness.h"
#include "robust_util.h"
#include "run_capture.h"
#include "unit_util.h"

static char *fixture(const char *name)
{
	return test_data_path("evidence", name);
}

/* Run the check on fixture `name`; the list is the caller's. */
static int run_on(const char *name, const char *fqdn, struct diag_list *dl)
{
	char *p = fixture(name);
	diag_list_init(dl);
	int r = evidence_check(p, fqdn, dl);
	free(p);
	return r;
}

/* The approval/event row of event id, or a failed test. */
static const struct diag *event_row(const struct diag_list *dl, int id)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].check == DIAG_EVIDENCE_EVENT &&
		    dl->items[i].event == id)
			return &dl->items[i];
	diag_print_text(stderr, dl, SEV_PASS);
	fail_msg("no approval/event row for event %d", id);
	return NULL;
}

static void expect_words(const struct diag *d, const char *words)
{
	if (!strstr(d->message, words))
		fail_msg("'%s' lacks '%s'", d->message, words);
}

/* The fault's FAIL and nothing else failed but the event it caused, whose
 * row names the cause the failure confirms: "confirmed by <check>:
 * <cause>". */
static void expect_fail(const char *name, enum diag_check check,
			const char *words, int event, const char *confirmed)
{
	struct diag_list dl;
	assert_int_equal(run_on(name, NULL, &dl), 1);
	const struct diag *d = test_expect_diag(&dl, check, SEV_FAIL);
	expect_words(d, words);
	assert_int_equal(d->event, event);
	assert_non_null(d->fix);
	const struct diag *e = event_row(&dl, event);
	assert_int_equal(e->sev, SEV_FAIL);   /* an error event */
	expect_words(e, confirmed);
	assert_null(strstr(e->message, "ruled out"));
	/* that fault and nothing else */
	assert_int_equal(diag_count(&dl, SEV_FAIL), 2);
	diag_list_release(&dl);
}

static void test_healthy(void **st)
{
	struct diag_list dl;
	assert_int_equal(run_on("healthy", NULL, &dl), 0);
	assert_int_equal(diag_count(&dl, SEV_FAIL), 0);
	assert_int_equal(diag_count(&dl, SEV_WARN), 0);
	test_expect_diag(&dl, DIAG_EVIDENCE_CERT_FOUND, SEV_PASS);
	test_expect_diag(&dl, DIAG_EVIDENCE_HASH, SEV_PASS);
	test_expect_diag(&dl, DIAG_EVIDENCE_KEY_PROVIDER, SEV_PASS);
	test_expect_diag(&dl, DIAG_VERIFY_SUBJECT_NAME, SEV_PASS);
	test_expect_diag(&dl, DIAG_VERIFY_EKU, SEV_PASS);
	test_expect_diag(&dl, DIAG_VERIFY_VALIDITY, SEV_PASS);
	test_expect_diag(&dl, DIAG_EVIDENCE_ROOT_STORE, SEV_PASS);
	test_expect_diag(&dl, DIAG_EVIDENCE_SERVICE, SEV_PASS);
	test_expect_diag(&dl, DIAG_AGENT_TCP, SEV_PASS);
	const struct diag *d = test_expect_diag(&dl, DIAG_AGENT_CONFIG, SEV_PASS);
	assert_non_null(strstr(d->message, "'MG1': server scom01.example.test, port 5723"));
	d = test_expect_diag(&dl, DIAG_EVIDENCE_EVENT, SEV_INFO);
	assert_int_equal(d->event, 20053);
	diag_list_release(&dl);
}

static void test_serial_not_reversed(void **st)
{
	expect_fail("serial-not-reversed", DIAG_EVIDENCE_CERT_FOUND,
		    "is not reversed", 20066,
		    "; confirmed by serial/cert_in_store: the registry serial "
		    "was written in certificate order, not reversed");
}

static void test_serial_truncated(void **st)
{
	expect_fail("serial-truncated-19", DIAG_EVIDENCE_CERT_FOUND,
		    "truncated: it holds 19 of the 20 bytes", 20066,
		    "; confirmed by serial/cert_in_store: the registry serial "
		    "was truncated (a script assuming 19 bytes)");
}

static void test_deleted_certificate(void **st)
{
	expect_fail("deleted-certificate", DIAG_EVIDENCE_CERT_FOUND,
		    "is no certificate in My (2 there)", 20066,
		    "; confirmed by serial/cert_in_store: the certificate was "
		    "deleted or never imported into LocalMachine My");
}

static void test_no_private_key(void **st)
{
	expect_fail("no-private-key", DIAG_EVIDENCE_PRIVATE_KEY,
		    "Missing stored keyset", 20068,
		    "; confirmed by serial/private_key: the certificate was "
		    "imported without its private key");
}

static void test_cng_key(void **st)
{
	expect_fail("cng-key", DIAG_EVIDENCE_KEY_PROVIDER,
		    "CNG key (provider 'Microsoft Software Key Storage Provider', KeySpec 0)",
		    20069, "; confirmed by serial/key_provider: the key was "
		    "imported into a CNG/KSP provider (KeySpec 0)");
}

static void test_root_missing(void **st)
{
	expect_fail("root-missing", DIAG_EVIDENCE_ROOT_STORE,
		    "issuer 'CN=Evidence Test Root CA, O=opsmgr-enroll tests'", 20072,
		    "; confirmed by trust/root_store: the issuing root is "
		    "missing from LocalMachine Root here, or an intermediate CA "
		    "certificate of the chain is missing");
}

static void test_service_stopped(void **st)
{
	struct diag_list dl;
	assert_int_equal(run_on("service-stopped", NULL, &dl), 1);
	const struct diag *d = test_expect_diag(&dl, DIAG_EVIDENCE_SERVICE, SEV_FAIL);
	expect_words(d, "HealthService is STOPPED");
	assert_int_equal(d->event, 0);
	assert_non_null(d->fix);
	assert_int_equal(diag_count(&dl, SEV_FAIL), 1);
	diag_list_release(&dl);
}

static void test_events(void **st)
{
	struct diag_list dl;
	assert_int_equal(run_on("events-20071-21016", NULL, &dl), 1);
	const struct diag *e21016 = NULL, *e20071 = NULL, *other = NULL;
	for (size_t i = 0; i < dl.n; i++) {
		const struct diag *d = &dl.items[i];
		if (d->check != DIAG_EVIDENCE_EVENT)
			continue;
		if (d->event == 21016)
			e21016 = d;
		else if (d->event == 20071)
			e20071 = d;
		else if (d->event == 0)
			other = d;
	}
	assert_non_null(e21016);
	assert_int_equal(e21016->sev, SEV_FAIL);   /* an error event */
	assert_non_null(strstr(e21016->message,
			       "2 times, last at 2026-12-03T15:12:40.5000000Z"));
	assert_non_null(e20071);
	assert_int_equal(e20071->sev, SEV_WARN);   /* a warning event */
	assert_non_null(strstr(e20071->message, "closed before authentication"));
	assert_non_null(e20071->fix);
	(void)other;
	/* the certificate itself is fine: only the events fail */
	assert_int_equal(diag_worst_stage(&dl, STAGE_SERIAL), SEV_PASS);
	diag_list_release(&dl);
}

/* A copy of fixture `name` in a new temporary directory. */
static char *fixture_copy(const char *name)
{
	char *tmp = test_mkdtemp("evcopy");
	char *src = fixture(name);
	const char *const argv[] = { "/bin/cp", "-r", src, tmp, NULL };
	char *out = NULL;
	assert_int_equal(run_capture(argv, 30, &out), 0);
	free(out);
	free(src);
	char *dir = fs_join(tmp, name);
	free(tmp);
	return dir;
}

static char *healthy_copy(void)
{
	return fixture_copy("healthy");
}

static void remove_copy(char *dir)
{
	char *tmp = fs_dirname(dir);
	test_rm_rf(tmp);
	free(tmp);
	free(dir);
}

/* file in dir replaced by text. */
static void put_file(const char *dir, const char *file, const char *text)
{
	char *p = fs_join(dir, file);
	char err[256];
	if (fs_write_atomic(p, text, strlen(text), 0600, err, sizeof(err)) != 0)
		fail_msg("%s: %s", p, err);
	free(p);
}

/* events.xml holding one error event id, as wevtutil writes it. */
static void put_event(const char *dir, int id)
{
	char xml[1024];
	snprintf(xml, sizeof(xml),
		 "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">"
		 "<System><Provider Name=\"OpsMgr Connector\"/>"
		 "<EventID Qualifiers=\"49152\">%d</EventID><Level>2</Level>"
		 "<TimeCreated SystemTime=\"2026-12-03T15:10:02.1234567Z\"/>"
		 "<Channel>Operations Manager</Channel>"
		 "<Computer>agent01.example.test</Computer></System>"
		 "<EventData></EventData></Event>", id);
	put_file(dir, "events.xml", xml);
}

/* Run on dir; the row of event id holds words (and not `not`). */
static void expect_event_row(const char *dir, int id, enum diag_severity sev,
			     const char *words, const char *not)
{
	struct diag_list dl;
	diag_list_init(&dl);
	evidence_check(dir, NULL, &dl);
	const struct diag *e = event_row(&dl, id);
	expect_words(e, words);
	if (not && strstr(e->message, not))
		fail_msg("'%s' holds '%s'", e->message, not);
	if (e->sev != sev) {
		diag_print_text(stderr, &dl, SEV_PASS);
		fail_msg("event %d: severity %d, want %d", id, e->sev, sev);
	}
	diag_list_release(&dl);
}

/* Where the evidence decides some causes and not the others: the checks
 * that pass, and the causes still possible; the same log with the TCP
 * test failed confirms the port. */
static void test_events_decided(void **st)
{
	char *fx = fixture("events-20071-21016");
	expect_event_row(fx, 21016, SEV_FAIL,
			 "; not confirmed: serial/cert_in_store, agent/tcp pass; "
			 "still possible: 20070 before it: the agent is not "
			 "approved", "confirmed by");
	expect_event_row(fx, 20071, SEV_WARN,
			 "; not confirmed: trust/root_store, agent/tcp pass; "
			 "still possible: the server refused this agent's "
			 "certificate (EKU, chain, name)", "confirmed by");
	free(fx);
	char *dir = fixture_copy("events-20071-21016");
	put_file(dir, "tcp.txt", "server=scom01.example.test\r\nport=5723\r\n"
		 "result=failed\r\ndetail=timed out\r\n");
	expect_event_row(dir, 21016, SEV_FAIL,
			 "; confirmed by agent/tcp: 21006 before it: name "
			 "resolution or the port", "not confirmed");
	expect_event_row(dir, 20071, SEV_WARN,
			 "; confirmed by agent/tcp: port 5723 is cut after the "
			 "connection is made", "not confirmed");
	remove_copy(dir);
}

/* An event whose every cause the evidence rules out: said so, a warning
 * (the event is old, or comes from something the table does not know). */
static void test_event_ruled_out(void **st)
{
	char *dir = healthy_copy();
	put_event(dir, 20066);
	expect_event_row(dir, 20066, SEV_WARN,
			 "; ruled out: serial/cert_in_store passes", "confirmed");
	put_event(dir, 20068);   /* one cause decided, two open */
	expect_event_row(dir, 20068, SEV_FAIL,
			 "; not confirmed: serial/private_key passes; still "
			 "possible: the key is in the user store, not a machine "
			 "key; or the key does not belong to the certificate",
			 "confirmed by");
	remove_copy(dir);
}

/* The KeySpec 2 key: the same check as the CNG key, the other cause. */
static void test_signature_only_key(void **st)
{
	char *dir = fixture_copy("cng-key");
	char *my = fs_join(dir, "store-my.txt");
	char *t = test_read_file(my);
	assert_non_null(t);
	char *prov = strstr(t, "Microsoft Software Key Storage Provider");
	char *spec = strstr(t, "KeySpec = 0");
	assert_non_null(prov);
	assert_non_null(spec);
	char *fixed = NULL;
	assert_true(asprintf(&fixed, "%.*sMicrosoft Enhanced RSA and AES Cryptographic Provider%.*sKeySpec = 2 -- AT_SIGNATURE%s",
			     (int)(prov - t), t,
			     (int)(spec - prov - strlen("Microsoft Software Key Storage Provider")),
			     prov + strlen("Microsoft Software Key Storage Provider"),
			     spec + strlen("KeySpec = 0")) > 0);
	put_file(dir, "store-my.txt", fixed);
	expect_event_row(dir, 20069, SEV_FAIL,
			 "; confirmed by serial/key_provider: the template makes "
			 "signature-only keys (KeySpec 2)", "CNG/KSP provider (KeySpec 0)");
	free(fixed);
	free(t);
	free(my);
	remove_copy(dir);
}

/* The agent's certificate (its serial in store-my.txt) made again with
 * the validity window [now + from, now + to] into certs/my-0.cer. */
static void put_agent_cert(const char *dir, long from, long to)
{
	static const unsigned char serial[] = {
		0x3A, 0x1F, 0x00, 0x00, 0x00, 0x0C, 0x5E, 0x7A, 0x9B, 0x22,
		0xD4, 0xF0, 0xE1, 0xC3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0C,
	};
	struct certgen_opts o;
	X509 *root, *leaf;
	EVP_PKEY *root_key;
	certgen_opts_ca(&o, "Evidence Test Root CA");
	o.org = "opsmgr-enroll tests";
	assert_int_equal(certgen_make(&o, &root, &root_key), 0);
	certgen_opts_leaf(&o, "agent01.example.test");
	o.issuer = root;
	o.issuer_key = root_key;
	o.serial = serial;
	o.serial_len = sizeof(serial);
	o.not_before = from;
	o.not_after = to;
	assert_int_equal(certgen_make(&o, &leaf, NULL), 0);
	unsigned char *der = NULL;
	int n = i2d_X509(leaf, &der);
	assert_true(n > 0);
	char *p = fs_join(dir, "certs/my-0.cer");
	char err[256];
	assert_int_equal(fs_write_atomic(p, der, (size_t)n, 0600, err, sizeof(err)), 0);
	free(p);
	OPENSSL_free(der);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(root_key);
}

/* verify/validity decides both dated causes of 20051 by its message. */
static void test_validity_causes(void **st)
{
	char *dir = healthy_copy();
	put_event(dir, 20051);
	put_agent_cert(dir, -3 * 86400L, -86400L);
	expect_event_row(dir, 20051, SEV_FAIL,
			 "; confirmed by verify/validity: the certificate expired",
			 "not yet valid:");
	put_agent_cert(dir, 86400L, 3 * 86400L);
	expect_event_row(dir, 20051, SEV_FAIL,
			 "; confirmed by verify/validity: not yet valid: the "
			 "computer's clock is behind the CA's",
			 "verify/validity: the certificate expired");
	remove_copy(dir);
}

/* Every evidence check the events table names is a row `check --evidence`
 * makes (the healthy folder runs them all). */
static void test_table_evidence_checks_run(void **st)
{
	struct diag_list dl;
	assert_int_equal(run_on("healthy", NULL, &dl), 0);
	size_t n = 0, named = 0;
	const struct om_event *t = om_event_table(&n);
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < OM_EVENT_CAUSES && t[i].causes[c].what; c++) {
			const char *ev = t[i].causes[c].evidence;
			if (!ev)
				continue;
			named++;
			int check = diag_check_ref(ev);
			if (check < 0 || !diag_find(&dl, (enum diag_check)check))
				fail_msg("event %d names evidence check '%s', "
					 "which check --evidence does not report",
					 t[i].id, ev);
		}
	assert_true(named >= 30);
	diag_list_release(&dl);
}

/* The FQDN given replaces the evidence's: the name check fails. */
static void test_fqdn_override(void **st)
{
	struct diag_list dl;
	assert_int_equal(run_on("healthy", "other.example.test", &dl), 1);
	test_expect_diag(&dl, DIAG_VERIFY_SUBJECT_NAME, SEV_FAIL);
	diag_list_release(&dl);
}

/* The folder as a zip with one top folder and '\' separators. */
static char *zip_of(const char *dir, const char *tmp)
{
	char *zpath = fs_join(tmp, "evidence-AGENT01.zip");
	int ze;
	zip_t *z = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	static const char *const files[] = {
		"machine-settings.reg", "agent-groups.reg", "store-my.txt",
		"store-root.txt", "store-ca.txt", "events.xml", "sc-qc.txt",
		"sc-query.txt", "computer.txt", "tcp.txt", "certs/my-0.cer",
		"certs/my-1.cer", NULL
	};
	for (const char *const *f = files; *f; f++) {
		char *src = fs_join(dir, *f);
		char name[128];
		snprintf(name, sizeof(name), "evidence-AGENT01\\%s", *f);
		for (char *p = name; *p; p++)
			if (*p == '/')
				*p = '\\';
		zip_source_t *s = zip_source_file(z, src, 0, -1);
		assert_non_null(s);
		assert_true(zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8) >= 0);
		free(src);
	}
	assert_int_equal(zip_close(z), 0);
	return zpath;
}

static void test_zip_same_as_folder(void **st)
{
	char *tmp = test_mkdtemp("evzip");
	char *dir = fixture("healthy");
	char *zpath = zip_of(dir, tmp);
	struct diag_list a, b;
	diag_list_init(&a);
	diag_list_init(&b);
	assert_int_equal(evidence_check(dir, NULL, &a), 0);
	assert_int_equal(evidence_check(zpath, NULL, &b), 0);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_int_equal(a.items[i].check, b.items[i].check);
		assert_int_equal(a.items[i].sev, b.items[i].sev);
		assert_string_equal(a.items[i].message, b.items[i].message);
	}
	diag_list_release(&a);
	diag_list_release(&b);
	test_rm_rf(tmp);
	free(zpath);
	free(dir);
	free(tmp);
}

static const struct diag *file_fail(const struct diag_list *dl,
				    const char *name)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].check == DIAG_EVIDENCE_FILE &&
		    dl->items[i].sev == SEV_FAIL &&
		    strstr(dl->items[i].message, name))
			return &dl->items[i];
	fail_msg("no evidence_file FAIL for '%s'", name);
	return NULL;
}

static void test_bad_files(void **st)
{
	char *dir = healthy_copy();
	char *my = fs_join(dir, "store-my.txt");
	char *ev = fs_join(dir, "events.xml");
	char *reg = fs_join(dir, "machine-settings.reg");
	char *sc = fs_join(dir, "sc-query.txt");
	size_t len;
	unsigned char *buf = ru_read(my, &len);
	assert_non_null(buf);
	char err[256];
	/* store-my.txt cut in the middle, events.xml cut, .reg garbled,
	 * sc-query.txt gone */
	assert_int_equal(fs_write_atomic(my, buf, len / 2, 0600, err, sizeof(err)), 0);
	assert_int_equal(fs_write_atomic(ev, "<Event><System>", 15, 0600, err, sizeof(err)), 0);
	assert_int_equal(fs_write_atomic(reg, "\xff\xfeW\0x", 5, 0600, err, sizeof(err)), 0);
	assert_int_equal(unlink(sc), 0);
	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(evidence_check(dir, NULL, &dl), 1);
	assert_non_null(strstr(file_fail(&dl, "'store-my.txt'")->message, "truncated"));
	assert_non_null(strstr(file_fail(&dl, "'events.xml'")->message, "line 1: "));
	assert_non_null(strstr(file_fail(&dl, "'machine-settings.reg'")->message,
			       "truncated UTF-16"));
	assert_non_null(strstr(file_fail(&dl, "'sc-query.txt'")->message,
			       "missing from the evidence"));
	/* what needs those files is not judged from half of them */
	assert_null(diag_find(&dl, DIAG_EVIDENCE_CERT_FOUND));
	assert_null(diag_find(&dl, DIAG_EVIDENCE_EVENT));
	diag_list_release(&dl);
	free(buf);
	free(my);
	free(ev);
	free(reg);
	free(sc);
	remove_copy(dir);
}

static void test_not_evidence(void **st)
{
	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(evidence_check("/nonexistent/evidence", NULL, &dl), -1);
	test_expect_diag(&dl, DIAG_EVIDENCE_FILE, SEV_FAIL);
	diag_list_release(&dl);
}

static char *wizard_path(void)
{
	const char *b = getenv("OPSMGR_BUILD_DIR");
	char *p = fs_join(b && *b ? b : "build", "opsmgr-enroll");
	return p;
}

/* The binary: a subject with an escape sequence is shown escaped; JSON
 * has each stage/id once; exit codes. */
static void test_cli_text_and_json(void **st)
{
	char *dir = healthy_copy();
	char *my = fs_join(dir, "store-my.txt");
	char *t = test_read_file(my);
	assert_non_null(t);
	char *at = strstr(t, "    CN=agent01.example.test");
	assert_non_null(at);
	memcpy(at + 4, "CN=\x1b[31mred\x01", 12);   /* same length */
	char err[256];
	assert_int_equal(fs_write_atomic(my, t, strlen(t), 0600, err, sizeof(err)), 0);
	char *bin = wizard_path();
	const char *const text[] = { bin, "check", "--evidence", dir, NULL };
	char *out = NULL;
	assert_int_equal(run_capture(text, 30, &out), 0);
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x01'));
	assert_non_null(strstr(out, "CN=\\x1b[31mred\\x01"));
	assert_non_null(strstr(out, "no failures:"));
	free(out);
	const char *const json[] = { bin, "check", "--evidence", dir, "--json", NULL };
	assert_int_equal(run_capture(json, 30, &out), 0);
	assert_non_null(strstr(out, "\"ok\": true"));
	/* every "stage", "id" pair once */
	char seen[64][64];
	size_t n = 0;
	for (char *p = strstr(out, "{\"stage\": "); p; p = strstr(p + 1, "{\"stage\": ")) {
		char stage[24], id[32], key[64];
		assert_int_equal(sscanf(p, "{\"stage\": \"%23[^\"]\", \"id\": \"%31[^\"]\"",
					stage, id), 2);
		snprintf(key, sizeof(key), "%s/%s", stage, id);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(seen[i], key))
				fail_msg("JSON id %s twice", key);
		assert_true(n < 64);
		strcpy(seen[n++], key);
	}
	assert_true(n >= 15);
	free(out);
	const char *const bad[] = { bin, "check", "--evidence", "/nonexistent", NULL };
	assert_int_equal(run_capture(bad, 30, &out), 2);
	free(out);
	const char *const both[] = { bin, "check", "--evidence", dir, "--cert", "x",
				     "--key", "y", NULL };
	assert_int_equal(run_capture(both, 30, &out), 2);
	assert_non_null(strstr(out, "--evidence reads the Windows computer's own certificates"));
	free(out);
	const char *const fault[] = { bin, "check", "--evidence", NULL, NULL };
	char *svc = fixture("service-stopped");
	((const char **)fault)[3] = svc;
	assert_int_equal(run_capture(fault, 30, &out), 1);
	assert_non_null(strstr(out, "FAIL agent/service: HealthService is STOPPED"));
	free(out);
	free(svc);
	free(bin);
	free(t);
	free(my);
	remove_copy(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_serial_not_reversed),
		cmocka_unit_test(test_serial_truncated),
		cmocka_unit_test(test_deleted_certificate),
		cmocka_unit_test(test_no_private_key),
		cmocka_unit_test(test_cng_key),
		cmocka_unit_test(test_root_missing),
		cmocka_unit_test(test_service_stopped),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_events_decided),
		cmocka_unit_test(test_event_ruled_out),
		cmocka_unit_test(test_signature_only_key),
		cmocka_unit_test(test_validity_causes),
		cmocka_unit_test(test_table_evidence_checks_run),
		cmocka_unit_test(test_fqdn_override),
		cmocka_unit_test(test_zip_same_as_folder),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_not_evidence),
		cmocka_unit_test(test_cli_text_and_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
