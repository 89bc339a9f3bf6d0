/*
 * test_trust_boot.c - stage 1's bootstrap (backend/stages/trust_boot.c)
 * and the handshake-only connection (http_peer_certs, backend/sys/
 * http_peer.c) against a loopback HTTPS stub whose certificate this
 * computer does not trust (no ca.ca_file): the presented chain is read
 * without a request; nothing, no Authorization header either, reaches
 * the server before its top certificate is confirmed (no pin and
 * non-interactive: refused naming trust.sha256; a wrong pin: refused;
 * interactive: a question first, then the confirmed certificate only,
 * not another one presented later); after the confirmation the
 * credentials go, and a 401 is reported at the user/password fields; a
 * server that sends the issuing CA but not the root (that CA is the top).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certgen.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/fsutil.h"
#include "core/state.h"
#include "diag_expect.h"
#include "lab_harness.h"
#include "pki/x509util.h"
#include "stages/stages.h"
#include "stages/trust.h"
#include "sys/http.h"
#include "tls_stub.h"

static const char RESP_401[] =
	"HTTP/1.1 401 Unauthorized\r\n"
	"WWW-Authenticate: Basic realm=\"certsrv\"\r\n"
	"Content-Type: text/html\r\nContent-Length: 14\r\n"
	"Connection: close\r\n\r\n<html>401</html>";

struct fx {
	char *dir;
	char *root_pem, *cert, *key, *chain;
	struct tls_stub *stub;
	char url[96];
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
};

/* In sub: root.pem, server.pem, server.key and chain.pem (server + root,
 * what the stub presents). */
static void make_certs(struct fx *f, const char *sub)
{
	char *d = fs_join(f->dir, sub);
	assert_int_equal(fs_mkdir_p(d, 0700, NULL, 0), 0);
	free(f->root_pem);
	free(f->cert);
	free(f->key);
	free(f->chain);
	assert_int_equal(tls_stub_make_certs(d, &f->root_pem, &f->cert, &f->key), 0);
	f->chain = fs_join(d, "chain.pem");
	unsigned char *a = NULL, *b = NULL;
	size_t al = 0, bl = 0;
	char err[256];
	assert_int_equal(fs_read_file(f->cert, FS_DEFAULT_CAP, &a, &al, err, sizeof(err)), 0);
	assert_int_equal(fs_read_file(f->root_pem, FS_DEFAULT_CAP, &b, &bl, err, sizeof(err)), 0);
	char *both = malloc(al + bl);
	memcpy(both, a, al);
	memcpy(both + al, b, bl);
	assert_int_equal(fs_write_atomic(f->chain, both, al + bl, 0600, err, sizeof(err)), 0);
	free(both);
	free(a);
	free(b);
	free(d);
}

static void start_stub(struct fx *f, int port)
{
	struct tls_stub_opts so;
	memset(&so, 0, sizeof(so));
	so.cert = f->chain;
	so.key = f->key;
	so.response = RESP_401;
	so.len = strlen(RESP_401);
	so.port = port;
	f->stub = tls_stub_start_opts(&so);
	assert_non_null(f->stub);
	snprintf(f->url, sizeof(f->url), "https://127.0.0.1:%d/certsrv/",
		 tls_stub_port(f->stub));
}

static int before(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->dir = test_mkdtemp("trustboot-");
	make_certs(f, "a");
	start_stub(f, 0);
	config_init(&f->cfg);
	state_init(&f->st);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	char *store = fs_join(f->dir, "store");
	config_set_str(&f->cfg.trust_store, store);
	free(store);
	f->cfg.trust_source = TRUST_SRC_CA;
	config_set_str(&f->cfg.ca_url, f->url);
	f->cfg.ca_auth = AUTH_BASIC;
	config_set_str(&f->cfg.ca_user, "EXAMPLE\\enroll");
	assert_int_equal(ctx_set_typed_password(&f->c, CTX_CA_PASSWORD, "s3cret"), 0);
	diag_list_init(&f->dl);
	*state = f;
	return 0;
}

static int after(void **state)
{
	struct fx *f = *state;
	tls_stub_stop(f->stub);
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	diag_list_release(&f->dl);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f->root_pem);
	free(f->cert);
	free(f->key);
	free(f->chain);
	free(f);
	return 0;
}

static const struct diag *find(struct fx *f, enum diag_check chk,
			       enum diag_severity sev)
{
	return test_expect_diag(&f->dl, chk, sev);
}

/* The root's SHA-256 as trust.sha256 would hold it. */
static char *root_sha256(struct fx *f)
{
	STACK_OF(X509) *sk = NULL;
	char err[256];
	assert_int_equal(x509_load_certs_file(f->root_pem, &sk, err, sizeof(err)), 0);
	char *fp = x509_fingerprint_colons(sk_X509_value(sk, 0), EVP_sha256());
	OSSL_STACK_OF_X509_free(sk);
	return fp;
}

static void test_peer_certs(void **state)
{
	struct fx *f = *state;
	struct http_opts o;
	char err[512], *pem = NULL;
	size_t len = 0;
	http_opts_init(&o);
	o.ca_path = f->dir;   /* nothing in it verifies the stub */
	assert_int_equal(http_peer_certs(&o, f->url, NULL, true, NULL, NULL,
					 err, sizeof(err)), HTTP_E_TLS);
	assert_int_equal(http_peer_certs(&o, f->url, NULL, false, &pem, &len,
					 err, sizeof(err)), HTTP_OK);
	STACK_OF(X509) *sk = NULL;
	assert_int_equal(x509_load_certs((unsigned char *)pem, len, &sk, err,
					 sizeof(err)), 0);
	assert_int_equal(sk_X509_num(sk), 2);
	char *cn = x509_name_text(X509_get_subject_name(sk_X509_value(sk, 0)));
	assert_non_null(strstr(cn, "localhost"));
	assert_true(x509_is_self_signed(sk_X509_value(sk, 1)));
	free(cn);
	OSSL_STACK_OF_X509_free(sk);
	free(pem);
	o.ca_file = f->root_pem;
	assert_int_equal(http_peer_certs(&o, f->url, NULL, true, NULL, NULL,
					 err, sizeof(err)), HTTP_OK);
	/* handshakes only: no request reached the server */
	assert_int_equal(tls_stub_requests(f->stub), 0);
}

static void test_no_pin_non_interactive(void **state)
{
	struct fx *f = *state;
	f->c.interactive = false;
	f->cfg.trust_accept = true;   /* not enough for the CA's web server */
	f->c.confirm_trust = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = find(f, DIAG_TRUST_PIN, SEV_FAIL);
	assert_string_equal(d->field, "trust.sha256");
	assert_non_null(strstr(d->fix, "[trust] sha256"));
	assert_int_equal(tls_stub_requests(f->stub), 0);
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_non_null(r);
	assert_true(r->presented);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->top, 1);
	assert_int_equal(strlen(r->certs[r->top].sha1), 40);
	assert_null(f->st.root_path);
}

static void test_wrong_pin(void **state)
{
	struct fx *f = *state;
	config_set_str(&f->cfg.trust_sha256,
		       "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
		       "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = find(f, DIAG_TRUST_PIN, SEV_FAIL);
	assert_string_equal(d->field, "trust.sha256");
	assert_int_equal(tls_stub_requests(f->stub), 0);
}

static void test_pin_sends_credentials(void **state)
{
	struct fx *f = *state;
	char *pin = root_sha256(f);
	config_set_str(&f->cfg.trust_sha256, pin);
	free(pin);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	find(f, DIAG_TRUST_PIN, SEV_PASS);
	/* confirmed: the request went, with the credentials, and its 401 is
	 * reported at the password the operator typed */
	assert_int_equal(tls_stub_requests(f->stub), 1);
	assert_true(tls_stub_last_has(f->stub, "Authorization: Basic"));
	const struct diag *d = find(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_string_equal(d->field, "ca.password");
	assert_non_null(strstr(d->message, "Basic"));
	/* the confirmed certificate's file is gone again */
	char *anchor = fs_join(f->dir, "trust-bootstrap.pem");
	assert_false(fs_exists(anchor));
	free(anchor);
}

static void test_interactive_confirm(void **state)
{
	struct fx *f = *state;
	f->c.interactive = true;
	config_set_str(&f->cfg.ca_user, NULL);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_NEED_CONFIRM);
	const struct diag *d = find(f, DIAG_TRUST_CONFIRM, SEV_WARN);
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_true(r->presented);
	assert_non_null(strstr(d->message, r->certs[r->top].sha1));
	assert_int_equal(tls_stub_requests(f->stub), 0);

	/* yes to what was shown: now the request goes; no user given, so the
	 * 401 is reported at the user field */
	f->c.confirm_trust = true;
	diag_list_release(&f->dl);
	diag_list_init(&f->dl);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	assert_int_equal(tls_stub_requests(f->stub), 1);
	d = find(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_string_equal(d->field, "ca.user");
	assert_true(((const struct trust_result *)f->c.out[STAGE_TRUST])->presented);

	/* a retry with the user typed: the same certificate needs no second
	 * yes, the credentials go and the 401 is at the password */
	config_set_str(&f->cfg.ca_user, "EXAMPLE\\enroll");
	diag_list_release(&f->dl);
	diag_list_init(&f->dl);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	assert_int_equal(tls_stub_requests(f->stub), 2);
	assert_true(tls_stub_last_has(f->stub, "Authorization: Basic"));
	d = find(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_string_equal(d->field, "ca.password");
}

static void test_confirmed_other_certificate(void **state)
{
	struct fx *f = *state;
	f->c.interactive = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_NEED_CONFIRM);
	/* another server on the same port, another root, before the yes */
	int port = tls_stub_port(f->stub);
	tls_stub_stop(f->stub);
	make_certs(f, "b");
	start_stub(f, port);
	f->c.confirm_trust = true;
	diag_list_release(&f->dl);
	diag_list_init(&f->dl);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_NEED_CONFIRM);
	find(f, DIAG_TRUST_CONFIRM, SEV_WARN);
	assert_int_equal(tls_stub_requests(f->stub), 0);
}

static void test_ca_file_no_bootstrap(void **state)
{
	struct fx *f = *state;
	/* a ca_file that does not verify the server: the operator named the
	 * trust, so no bootstrap: the TLS failure as before */
	struct certgen_opts co;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	certgen_opts_ca(&co, "Another root");
	co.key_slot = 1;
	assert_int_equal(certgen_make(&co, &x, &k), 0);
	char *r = fs_join(f->dir, "other-root.pem");
	assert_int_equal(certgen_write_pem(r, &x, 1), 0);
	X509_free(x);
	EVP_PKEY_free(k);
	config_set_str(&f->cfg.ca_file, r);
	f->c.interactive = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = find(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_string_equal(d->field, "ca.url");
	assert_null(f->c.out[STAGE_TRUST]);
	assert_int_equal(tls_stub_requests(f->stub), 0);
	free(r);
}

/* A server presenting its certificate and the issuing CA, not the root:
 * the issuing CA is the top; pinned, the download verifies against it
 * alone (a partial chain) and reaches the CA (its 401). */
static void test_top_is_issuing_ca(void **state)
{
	struct fx *f = *state;
	struct certgen_opts co;
	X509 *root = NULL, *inter = NULL, *leaf = NULL;
	EVP_PKEY *rk = NULL, *ik = NULL, *lk = NULL;
	certgen_opts_ca(&co, "Boot Test Root");
	co.key_slot = 2;
	assert_int_equal(certgen_make(&co, &root, &rk), 0);
	certgen_opts_ca(&co, "Boot Test Issuing CA");
	co.key_slot = 3;
	co.issuer = root;
	co.issuer_key = rk;
	assert_int_equal(certgen_make(&co, &inter, &ik), 0);
	certgen_opts_leaf(&co, "localhost");
	co.san_dns[0] = "localhost,IP:127.0.0.1";
	co.issuer = inter;
	co.issuer_key = ik;
	assert_int_equal(certgen_make(&co, &leaf, &lk), 0);
	X509 *const presented[] = { leaf, inter };
	assert_int_equal(certgen_write_pem(f->chain, presented, 2), 0);
	assert_int_equal(certgen_write_key(f->key, lk), 0);
	int port = tls_stub_port(f->stub);
	tls_stub_stop(f->stub);
	start_stub(f, port);

	char *pin = x509_fingerprint_colons(inter, EVP_sha256());
	config_set_str(&f->cfg.trust_sha256, pin);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	find(f, DIAG_TRUST_PIN, SEV_PASS);
	const struct diag *d = find(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_string_equal(d->field, "ca.password");
	assert_int_equal(tls_stub_requests(f->stub), 1);

	/* the root's pin does not confirm a server that does not send it */
	free(pin);
	pin = x509_fingerprint_colons(root, EVP_sha256());
	config_set_str(&f->cfg.trust_sha256, pin);
	diag_list_release(&f->dl);
	diag_list_init(&f->dl);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	find(f, DIAG_TRUST_PIN, SEV_FAIL);
	assert_int_equal(tls_stub_requests(f->stub), 1);
	free(pin);
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, before, after)
	const struct CMUnitTest tests[] = {
		T(test_peer_certs),
		T(test_no_pin_non_interactive),
		T(test_wrong_pin),
		T(test_pin_sends_credentials),
		T(test_interactive_confirm),
		T(test_confirmed_other_certificate),
		T(test_ca_file_no_bootstrap),
		T(test_top_is_issuing_ca),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	http_global_cleanup();
	certgen_cleanup();
	return rc;
}
