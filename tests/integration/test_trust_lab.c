/*
 * test_trust_lab.c - stage 1 against a real opsmgr-enroll-lab on loopback:
 * the CA source with the lab's answers file (pin from answers.ini), a
 * wrong pin, no pin (confirmation, then accept = yes), wrong credentials,
 * the URL source on the CA, and libcurl using the trust store directory
 * (CAPATH, no CA file) afterwards - the hash links at work.
 * Without ca.ca_file (the lab's HTTPS certificate is issued by its own
 * root, which it presents): the bootstrap with the pin (root trusted, the
 * CA's later connections verify against it), without a pin and with a
 * wrong one (refused at trust.sha256, nothing trusted), and the real
 * runner without a pin (the stage's exit code and the message).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adcs/certsrv.h"
#include "core/config.h"
#include "core/config_load.h"
#include "core/ctx.h"
#include "core/fsutil.h"
#include "sys/http.h"
#include "adcs/ca_http.h"
#include "lab_harness.h"
#include "run_capture.h"
#include "stages/stages.h"
#include "core/state.h"
#include "diag_expect.h"
#include "stages/trust.h"
#include "pki/truststore.h"
#include "pki/x509util.h"

static struct lab L;

struct fx {
	char *dir;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
};

static int group_setup(void **state)
{
	memset(&L, 0, sizeof(L));
	return lab_start(&L, NULL, NULL);
}

static int group_teardown(void **state)
{
	lab_stop(&L);
	return 0;
}

static int before(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->dir = test_mkdtemp("trustlab-");
	config_init(&f->cfg);
	diag_list_init(&f->dl);
	if (config_load_file(&f->cfg, L.answers, true, &f->dl) != 0) {
		diag_print_text(stderr, &f->dl, SEV_PASS);
		return -1;
	}
	diag_list_release(&f->dl);
	char *store = fs_join(f->dir, "trust");
	config_set_str(&f->cfg.trust_store, store);
	free(store);
	state_init(&f->st);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	*state = f;
	return 0;
}

static int after(void **state)
{
	struct fx *f = *state;
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	diag_list_release(&f->dl);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static X509 *lab_root(void)
{
	STACK_OF(X509) *sk = NULL;
	char err[512];
	if (x509_load_certs_file(L.root_pem, &sk, err, sizeof(err)) != 0)
		fail_msg("cannot read the lab root: %s", err);
	X509 *x = sk_X509_shift(sk);
	OSSL_STACK_OF_X509_free(sk);
	return x;
}

static const struct diag *expect(struct fx *f, enum diag_check c,
				 enum diag_severity sev)
{
	return test_expect_diag(&f->dl, c, sev);
}

static void test_ca_source_with_pin(void **state)
{
	struct fx *f = *state;
	/* The answers pin the lab root and say accept = no. */
	assert_non_null(f->cfg.trust_sha256);
	assert_false(f->cfg.trust_accept);
	assert_int_equal(f->cfg.trust_source, TRUST_SRC_CA);
	enum status s = stage_trust_run(&f->c, NULL, &f->dl);
	if (s != ST_OK)
		diag_print_text(stderr, &f->dl, SEV_PASS);
	assert_int_equal(s, ST_OK);
	expect(f, DIAG_TRUST_PIN, SEV_PASS);
	expect(f, DIAG_TRUST_STORE, SEV_PASS);

	X509 *root = lab_root();
	assert_true(truststore_contains(f->cfg.trust_store, root));
	char *fp = x509_fingerprint(root, EVP_sha256());
	char *pin = x509_normalise_hex(f->cfg.trust_sha256);
	assert_string_equal(f->st.root_sha256, fp);
	assert_string_equal(pin, fp);
	/* ca.ca_file verifies the web server: nothing was bootstrapped */
	assert_null(f->st.ca_web_root);
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_non_null(r);
	assert_true(r->n >= 1);
	assert_true(r->root >= 0);
	assert_true(r->pinned);
	assert_non_null(strstr(r->source, L.ca_url));
	free(fp);
	free(pin);

	/* Idempotent on a second run. */
	diag_list_release(&f->dl);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	const struct diag *d = expect(f, DIAG_TRUST_STORE, SEV_PASS);
	assert_non_null(strstr(d->message, "already trusted"));

	/* libcurl verifies the lab's HTTPS with only the trust store (CAPATH). */
	struct http_opts o;
	http_opts_init(&o);
	o.ca_path = f->cfg.trust_store;
	o.auth = AUTH_NONE;
	o.timeout_s = 20;
	struct http_response resp;
	memset(&resp, 0, sizeof(resp));
	char err[1024];
	char *url = certsrv_url(L.ca_url, "certcrl.crl?Type=base&Renewal=0&Enc=bin");
	enum http_err e = http_get(&o, url, NULL, &resp, err, sizeof(err));
	if (e != HTTP_OK)
		fail_msg("https with the trust store as CAPATH failed: %s", err);
	assert_int_equal(resp.status, 200);
	http_response_release(&resp);
	free(url);
	X509_free(root);
}

static void test_wrong_pin(void **state)
{
	struct fx *f = *state;
	config_set_str(&f->cfg.trust_sha256,
		       "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99");
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect(f, DIAG_TRUST_PIN, SEV_FAIL);
	X509 *root = lab_root();
	char *fp = x509_fingerprint_colons(root, EVP_sha256());
	assert_non_null(strstr(d->message, fp));
	assert_non_null(strstr(d->message, "AA:BB:CC:DD:EE:FF:00:11"));
	assert_false(fs_exists(f->cfg.trust_store));
	free(fp);
	X509_free(root);
}

static void test_no_pin_confirm_then_accept(void **state)
{
	struct fx *f = *state;
	config_set_str(&f->cfg.trust_sha256, NULL);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_NEED_CONFIRM);
	expect(f, DIAG_TRUST_CONFIRM, SEV_WARN);
	assert_null(f->st.root_sha256);

	diag_list_release(&f->dl);
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	const struct diag *d = expect(f, DIAG_TRUST_STORE, SEV_PASS);
	assert_non_null(strstr(d->message, "accepted"));
}

static void test_wrong_password(void **state)
{
	struct fx *f = *state;
	char *pw = fs_join(f->dir, "wrong-password");
	assert_int_equal(fs_write_atomic(pw, "nope\n", 5, 0600, NULL, 0), 0);
	config_set_str(&f->cfg.ca_password_file, pw);
	free(pw);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_non_null(d->message);
	assert_null(diag_find(&f->dl, DIAG_TRUST_STORE));
	assert_null(f->st.root_sha256);
	assert_false(fs_exists(f->cfg.trust_store));
}

static void test_url_source(void **state)
{
	struct fx *f = *state;
	f->cfg.trust_source = TRUST_SRC_URL;
	char *url = certsrv_url(L.ca_url, "certnew.p7b?ReqID=CACert&Renewal=0&Enc=b64");
	config_set_str(&f->cfg.trust_url, url);
	free(url);
	enum status s = stage_trust_run(&f->c, NULL, &f->dl);
	if (s != ST_OK)
		diag_print_text(stderr, &f->dl, SEV_PASS);
	assert_int_equal(s, ST_OK);
	expect(f, DIAG_TRUST_PIN, SEV_PASS);

	/* A URL that serves an HTML page instead: not a certificate. */
	diag_list_release(&f->dl);
	url = certsrv_url(L.ca_url, "certcarc.asp");
	config_set_str(&f->cfg.trust_url, url);
	free(url);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect(f, DIAG_TRUST_PARSE, SEV_FAIL);
	assert_non_null(strstr(d->message, "tried PKCS#7"));
	assert_string_equal(d->field, "trust.url");
}

/* --- without ca.ca_file: the bootstrap ----------------------------------- */

static void no_ca_file(struct fx *f)
{
	config_set_str(&f->cfg.ca_file, NULL);
	f->c.interactive = false;
}

static void test_bootstrap_with_pin(void **state)
{
	struct fx *f = *state;
	no_ca_file(f);
	enum status s = stage_trust_run(&f->c, NULL, &f->dl);
	if (s != ST_OK)
		diag_print_text(stderr, &f->dl, SEV_PASS);
	assert_int_equal(s, ST_OK);
	const struct diag *d = expect(f, DIAG_TRUST_PIN, SEV_PASS);
	assert_non_null(strstr(d->message, "presented by the CA's web server"));
	X509 *root = lab_root();
	assert_true(truststore_contains(f->cfg.trust_store, root));
	char *fp = x509_fingerprint(root, EVP_sha256());
	assert_string_equal(f->st.root_sha256, fp);
	free(fp);
	X509_free(root);
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_false(r->presented);
	assert_true(r->pinned);
	char *anchor = fs_join(f->dir, "trust-bootstrap.pem");
	assert_false(fs_exists(anchor));
	free(anchor);

	/* stage 2's connection (ca_http_options) trusts exactly the root
	 * the bootstrap confirmed, and verifies */
	assert_non_null(f->st.ca_web_root);
	assert_string_equal(f->st.ca_web_root, f->st.root_sha256);
	struct http_opts o;
	char err[1024];
	assert_int_equal(ca_http_options(&f->c, CA_WITHOUT_CREDENTIALS, &o, &f->dl), 0);
	assert_string_equal(o.ca_file, f->st.root_path);
	assert_null(o.ca_path);
	assert_false(o.system_trust);
	assert_int_equal(http_peer_certs(&o, L.ca_url, NULL, true, NULL, NULL,
					 err, sizeof(err)), HTTP_OK);

	/* stage 1 again: the server verifies through that root now (no
	 * bootstrap), and the root stays the only trust */
	diag_list_release(&f->dl);
	diag_list_init(&f->dl);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	assert_non_null(f->st.ca_web_root);
	assert_string_equal(f->st.ca_web_root, f->st.root_sha256);
}

static void test_bootstrap_no_pin(void **state)
{
	struct fx *f = *state;
	no_ca_file(f);
	config_set_str(&f->cfg.trust_sha256, NULL);
	f->cfg.trust_accept = true;
	f->c.confirm_trust = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect(f, DIAG_TRUST_PIN, SEV_FAIL);
	assert_string_equal(d->field, "trust.sha256");
	assert_non_null(strstr(d->message, "without trust.sha256"));
	assert_null(f->st.root_sha256);
	assert_false(fs_exists(f->cfg.trust_store));
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_true(r->presented);
	assert_int_equal(r->n, 2);
	X509 *root = lab_root();
	char *sha1 = x509_fingerprint(root, EVP_sha1());
	assert_string_equal(r->certs[r->top].sha1, sha1);
	free(sha1);
	X509_free(root);
}

static void test_bootstrap_wrong_pin(void **state)
{
	struct fx *f = *state;
	no_ca_file(f);
	config_set_str(&f->cfg.trust_sha256,
		       "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99");
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect(f, DIAG_TRUST_PIN, SEV_FAIL);
	assert_string_equal(d->field, "trust.sha256");
	assert_non_null(strstr(d->message, "nothing was sent"));
	assert_null(f->st.root_sha256);
	assert_false(fs_exists(f->cfg.trust_store));
}

/* The runner with an answers file without ca_file and sha256. */
static void test_bootstrap_runner_no_pin(void **state)
{
	struct fx *f = *state;
	char *text = test_read_file(L.answers);
	assert_non_null(text);
	char *answers = fs_join(f->dir, "answers.ini");
	FILE *fp = fopen(answers, "w");
	assert_non_null(fp);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, "ca_file", 7) != 0 &&
		    strncmp(line, "sha256", 6) != 0)
			fprintf(fp, "%s\n", line);
	fclose(fp);
	free(text);
	char *bin = test_build_path("opsmgr-enroll");
	char *sd = fs_join(f->dir, "state");
	const char *argv[] = { bin, "--answers", answers, "--state-dir", sd,
			       "--non-interactive", "--stages", "1", NULL };
	char *out = NULL;
	int rc = run_capture(argv, 120, &out);
	if (!out || !strstr(out, "trust.sha256"))
		fail_msg("exit %d, output:\n%s", rc, out ? out : "(none)");
	assert_int_equal(rc, stage_exit_code(STAGE_TRUST));
	free(out);
	free(sd);
	free(bin);
	free(answers);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, before, after)
	const struct CMUnitTest tests[] = {
		T(test_ca_source_with_pin),
		T(test_wrong_pin),
		T(test_no_pin_confirm_then_accept),
		T(test_wrong_password),
		T(test_url_source),
		T(test_bootstrap_with_pin),
		T(test_bootstrap_no_pin),
		T(test_bootstrap_wrong_pin),
		T(test_bootstrap_runner_no_pin),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
