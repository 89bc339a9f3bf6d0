/*
 * test_verify_lab.c - stage 3 against a real opsmgr-enroll-lab: trust the
 * lab root (stage 1 with the answers' pin), have the lab CA issue
 * certificates (OpsMgr and WebServer templates, via the certsrv client),
 * then run the checklist: all pass including revocation through the lab's
 * CRL over https; `opsmgr-enroll-lab revoke` makes revocation fail; the
 * WebServer template fails the EKU rule (20050); a stopped lab makes the
 * CRL unreachable (warning).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "certgen.h"
#include "adcs/certsrv.h"
#include "core/config.h"
#include "core/config_load.h"
#include "core/ctx.h"
#include "core/fsutil.h"
#include "sys/http.h"
#include "lab_harness.h"
#include "stages/stages.h"
#include "core/state.h"
#include "stages/verify.h"
#include "pki/x509util.h"

#define FQDN "agent01.lab.test"

static struct lab L;
static char *work;      /* our files */
static char *store;     /* trust store filled by stage 1 */

static int trust_lab_root(void)
{
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
	int rc = -1;
	config_init(&cfg);
	state_init(&st);
	diag_list_init(&dl);
	if (config_load_file(&cfg, L.answers, true, &dl) == 0) {
		config_set_str(&cfg.trust_store, store);
		ctx_init(&c, &cfg, &st, work);
		if (stage_trust_run(&c, NULL, &dl) == ST_OK)
			rc = 0;
		ctx_release(&c);
	}
	if (rc)
		diag_print_text(stderr, &dl, SEV_PASS);
	diag_list_release(&dl);
	state_release(&st);
	config_release(&cfg);
	return rc;
}

static int group_setup(void **state)
{
	(void)state;
	memset(&L, 0, sizeof(L));
	if (lab_start(&L, NULL, NULL) != 0)
		return -1;
	work = test_mkdtemp("verifylab-");
	store = fs_join(work, "trust");
	return trust_lab_root();
}

static int group_teardown(void **state)
{
	(void)state;
	lab_stop(&L);
	test_rm_rf(work);
	free(work);
	free(store);
	certgen_cleanup();
	return 0;
}

struct issued {
	long id;
	char cert[512], key[512];
};

/* A CSR like stage 2 makes, submitted to the lab; files written to work. */
static void lab_issue(const char *template_name, const char *tag,
		      struct issued *out)
{
	EVP_PKEY *k = certgen_key(CERTGEN_RSA, 2048, 0);   /* cached test key */
	X509_REQ *req = X509_REQ_new();
	X509_REQ_set_version(req, 0);
	X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN",
				   MBSTRING_UTF8, (const unsigned char *)FQDN,
				   -1, -1, 0);
	X509_REQ_set_pubkey(req, k);
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509V3_CTX v3;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, NULL, NULL, req, NULL, 0);
	sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, &v3,
		NID_subject_alt_name, "DNS:" FQDN));
	sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, &v3,
		NID_ext_key_usage, "serverAuth,clientAuth"));
	sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, &v3,
		NID_key_usage, "critical,digitalSignature,keyEncipherment"));
	X509_REQ_add_extensions(req, exts);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	assert_true(X509_REQ_sign(req, k, EVP_sha256()) > 0);
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509_REQ(b, req);
	char *p;
	long l = BIO_get_mem_data(b, &p);
	char *csr = strndup(p, (size_t)l);
	BIO_free(b);
	X509_REQ_free(req);

	struct secret pw = { 0 };
	secret_set(&pw, L.password, strlen(L.password));
	struct http_opts o;
	http_opts_init(&o);
	o.ca_file = L.root_pem;
	o.auth = AUTH_BASIC;
	o.user = L.user;
	o.password = &pw;
	o.timeout_s = 30;
	struct certsrv_result res;
	memset(&res, 0, sizeof(res));
	enum http_err e = certsrv_submit(&o, L.ca_url, csr, template_name, NULL, &res);
	if (e != HTTP_OK || res.ans.kind != CERTSRV_ISSUED)
		fail_msg("submit: %s kind %s %s", http_err_name(e),
			 certsrv_kind_name(res.ans.kind), res.err);
	out->id = res.ans.request_id;
	certsrv_result_release(&res);
	memset(&res, 0, sizeof(res));
	e = certsrv_retrieve(&o, L.ca_url, out->id, NULL, &res);
	if (e != HTTP_OK || res.ans.kind != CERTSRV_CERT)
		fail_msg("retrieve: %s kind %s", http_err_name(e),
			 certsrv_kind_name(res.ans.kind));
	snprintf(out->cert, sizeof(out->cert), "%s/%s.cer", work, tag);
	snprintf(out->key, sizeof(out->key), "%s/%s.key", work, tag);
	assert_int_equal(certgen_write_file(out->cert, res.cert, res.cert_len), 0);
	assert_int_equal(certgen_write_key(out->key, k), 0);
	certsrv_result_release(&res);
	secret_wipe(&pw);
	free(csr);
	EVP_PKEY_free(k);
}

static void input_for(const struct issued *is, struct verify_input *in)
{
	memset(in, 0, sizeof(*in));
	in->cert_path = is->cert;
	in->key_path = is->key;
	in->fqdn = FQDN;
	in->trust_store = store;
	in->crl_timeout_s = 10;
}

static const struct diag *expect(const struct diag_list *dl, enum diag_check c,
				 enum diag_severity sev, const char *needle)
{
	const struct diag *d = diag_find(dl, c);
	if (!d || d->sev != sev || (needle && !strstr(d->message, needle))) {
		diag_print_text(stderr, dl, SEV_PASS);
		fail_msg("'%s' not %s with '%s'", diag_check_id(c),
			 diag_severity_name(sev), needle ? needle : "");
	}
	return d;
}

static void test_issued_passes_then_revoked(void **state)
{
	(void)state;
	struct issued is;
	lab_issue("OpsMgr", "good", &is);
	struct verify_input in;
	input_for(&is, &in);
	struct diag_list dl;
	diag_list_init(&dl);
	enum status s = verify_certificate(&in, NULL, &dl);
	if (s != ST_OK)
		diag_print_text(stderr, &dl, SEV_PASS);
	assert_int_equal(s, ST_OK);
	for (int c = DIAG_VERIFY_PARSE; c <= DIAG_VERIFY_REVOCATION; c++)
		expect(&dl, (enum diag_check)c, SEV_PASS, NULL);
	expect(&dl, DIAG_VERIFY_REVOCATION, SEV_PASS, "certcrl.crl");
	diag_list_release(&dl);

	/* Revoke it at the CA: the CRL now lists it. */
	char id[32];
	snprintf(id, sizeof(id), "%ld", is.id);
	const char *args[] = { "revoke", "--dir", L.dir, id, NULL };
	char *outp = NULL;
	int rc = lab_cmd(args, &outp);
	if (rc != 0)
		fail_msg("lab revoke failed (%d): %s", rc, outp ? outp : "");
	free(outp);
	assert_int_equal(verify_certificate(&in, NULL, &dl), ST_FAIL);
	const struct diag *d = expect(&dl, DIAG_VERIFY_REVOCATION, SEV_FAIL,
				      "was revoked on");
	assert_int_equal(d->event, 20067);   /* remote certificate invalid */
	diag_list_release(&dl);

	/* Skipping revocation: the rest still passes. */
	in.skip_revocation = true;
	assert_int_equal(verify_certificate(&in, NULL, &dl), ST_OK);
	expect(&dl, DIAG_VERIFY_REVOCATION, SEV_SKIP, NULL);
	diag_list_release(&dl);
}

static void test_webserver_template_eku(void **state)
{
	(void)state;
	struct issued is;
	lab_issue("WebServer", "web", &is);
	struct verify_input in;
	input_for(&is, &in);
	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(verify_certificate(&in, NULL, &dl), ST_FAIL);
	const struct diag *d = expect(&dl, DIAG_VERIFY_EKU, SEV_FAIL,
				      "Client Authentication");
	assert_int_equal(d->event, 20050);
	expect(&dl, DIAG_VERIFY_CHAIN, SEV_PASS, NULL);
	diag_list_release(&dl);
}

static void test_stage_run_and_unreachable_crl(void **state)
{
	(void)state;
	struct issued is;
	lab_issue("OpsMgr", "stage", &is);
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
	config_init(&cfg);
	state_init(&st);
	diag_list_init(&dl);
	config_set_str(&cfg.trust_store, store);
	config_set_str(&cfg.fqdn, FQDN);
	state_set_str(&st.cert_path, is.cert);
	state_set_str(&st.key_path, is.key);
	ctx_init(&c, &cfg, &st, work);
	assert_int_equal(stage_verify_run(&c, NULL, &dl), ST_OK);
	diag_list_release(&dl);

	/* Lab down: the CRL cannot be fetched -> warning, confirmation. */
	lab_kill(&L);
	assert_int_equal(stage_verify_run(&c, NULL, &dl), ST_NEED_CONFIRM);
	expect(&dl, DIAG_VERIFY_REVOCATION, SEV_WARN, "cannot check");
	diag_list_release(&dl);
	c.confirm_warnings = true;
	assert_int_equal(stage_verify_run(&c, NULL, &dl), ST_OK);
	diag_list_release(&dl);
	c.skip_revocation = true;
	c.confirm_warnings = false;
	assert_int_equal(stage_verify_run(&c, NULL, &dl), ST_OK);
	diag_list_release(&dl);
	ctx_release(&c);
	state_release(&st);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issued_passes_then_revoked),
		cmocka_unit_test(test_webserver_template_eku),
		/* last: stops the lab */
		cmocka_unit_test(test_stage_run_and_unreachable_crl),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
