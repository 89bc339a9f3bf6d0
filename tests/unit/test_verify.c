/*
 * test_verify.c - stage 3 (backend/stages/verify.c, verify_chain.c,
 * backend/pki/certrules.c, crl.c): every rule of product.md s.4 "check
 * report" in its pass / warn / fail forms, the rules called one by one
 * (one diagnostic each, both parts of a two-part requirement named), on
 * certificates made at run time (tests/common/certgen.h), the PFX input,
 * garbage input, the stage entry point's status mapping, cancellation, and
 * revocation against CRLs served by a small loopback HTTP server
 * (libmicrohttpd) started by this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "certgen.h"
#include "core/config.h"
#include "pki/certrules.h"
#include "pki/crl.h"
#include "core/ctx.h"
#include "core/fsutil.h"
#include "lab_harness.h"
#include "stages/stages.h"
#include "core/state.h"
#include "pki/truststore.h"
#include "stages/verify.h"
#include "pki/x509util.h"

#define FQDN "agent7.corp.example.test"

/* --- a loopback CRL server ---------------------------------------------- */

static pthread_mutex_t crl_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *crl_der;
static size_t crl_len;

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn,
			     const char *url, const char *method,
			     const char *version, const char *upload,
			     size_t *upload_size, void **con_cls)
{
	(void)cls; (void)method; (void)version; (void)upload;
	(void)upload_size; (void)con_cls;
	struct MHD_Response *r;
	unsigned status = MHD_HTTP_OK;
	pthread_mutex_lock(&crl_mu);
	if (strcmp(url, "/ca.crl") == 0 && crl_der) {
		r = MHD_create_response_from_buffer(crl_len, crl_der,
						    MHD_RESPMEM_MUST_COPY);
		MHD_add_response_header(r, "Content-Type", "application/pkix-crl");
	} else if (strcmp(url, "/garbage.crl") == 0) {
		r = MHD_create_response_from_buffer(5, (void *)"hello",
						    MHD_RESPMEM_PERSISTENT);
	} else {
		status = MHD_HTTP_NOT_FOUND;
		r = MHD_create_response_from_buffer(9, (void *)"not found",
						    MHD_RESPMEM_PERSISTENT);
	}
	pthread_mutex_unlock(&crl_mu);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void set_crl(X509_CRL *crl)
{
	pthread_mutex_lock(&crl_mu);
	OPENSSL_free(crl_der);
	crl_der = NULL;
	crl_len = 0;
	if (crl) {
		int l = i2d_X509_CRL(crl, &crl_der);
		crl_len = l > 0 ? (size_t)l : 0;
	}
	pthread_mutex_unlock(&crl_mu);
}

/* --- fixture ------------------------------------------------------------ */

struct fx {
	char *dir, *store;
	X509 *root, *inter, *other_root;
	EVP_PKEY *root_key, *inter_key, *other_key;
	struct MHD_Daemon *mhd;
	int port;
	struct diag_list dl;
	struct verify_input in;
	char cert_path[512], key_path[512], chain_path[512];
	char crl_url[128], missing_url[128], garbage_url[128];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct certgen_opts o;
	f->dir = test_mkdtemp("verify-");
	f->store = fs_join(f->dir, "trust");
	certgen_opts_ca(&o, "Verify Test Root");
	if (certgen_make(&o, &f->root, &f->root_key))
		return -1;
	certgen_opts_ca(&o, "Verify Test Issuing CA");
	o.issuer = f->root;
	o.issuer_key = f->root_key;
	o.key_bits = 3072;
	if (certgen_make(&o, &f->inter, &f->inter_key))
		return -1;
	certgen_opts_ca(&o, "Unrelated Root");
	o.key_bits = 4096;
	if (certgen_make(&o, &f->other_root, &f->other_key))
		return -1;
	char err[256];
	if (truststore_add(f->store, f->root, NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
				  serve, NULL, MHD_OPTION_SOCK_ADDR, &sa,
				  MHD_OPTION_END);
	if (!f->mhd)
		return -1;
	f->port = MHD_get_daemon_info(f->mhd, MHD_DAEMON_INFO_BIND_PORT)->port;
	snprintf(f->crl_url, sizeof(f->crl_url), "http://127.0.0.1:%d/ca.crl", f->port);
	snprintf(f->missing_url, sizeof(f->missing_url),
		 "http://127.0.0.1:%d/missing.crl", f->port);
	snprintf(f->garbage_url, sizeof(f->garbage_url),
		 "http://127.0.0.1:%d/garbage.crl", f->port);
	snprintf(f->cert_path, sizeof(f->cert_path), "%s/cert.pem", f->dir);
	snprintf(f->key_path, sizeof(f->key_path), "%s/key.pem", f->dir);
	snprintf(f->chain_path, sizeof(f->chain_path), "%s/chain.pem", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	MHD_stop_daemon(f->mhd);
	set_crl(NULL);
	X509_free(f->root);
	X509_free(f->inter);
	X509_free(f->other_root);
	EVP_PKEY_free(f->root_key);
	EVP_PKEY_free(f->inter_key);
	EVP_PKEY_free(f->other_key);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f->store);
	free(f);
	certgen_cleanup();
	return 0;
}

static int before(void **state)
{
	struct fx *f = *state;
	diag_list_init(&f->dl);
	memset(&f->in, 0, sizeof(f->in));
	f->in.cert_path = f->cert_path;
	f->in.key_path = f->key_path;
	f->in.chain_path = f->chain_path;
	f->in.fqdn = FQDN;
	f->in.trust_store = f->store;
	f->in.crl_timeout_s = 5;
	X509 *c[1] = { f->inter };
	certgen_write_pem(f->chain_path, c, 1);
	set_crl(NULL);
	return 0;
}

static int after(void **state)
{
	struct fx *f = *state;
	diag_list_release(&f->dl);
	return 0;
}

/* A good leaf, issued by the intermediate; adjust o then call issue(). */
static void good_opts(struct fx *f, struct certgen_opts *o)
{
	certgen_opts_leaf(o, FQDN);
	o->issuer = f->inter;
	o->issuer_key = f->inter_key;
}

static X509 *issue(struct fx *f, const struct certgen_opts *o)
{
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	assert_int_equal(certgen_make(o, &x, &k), 0);
	assert_int_equal(certgen_write_pem(f->cert_path, &x, 1), 0);
	assert_int_equal(certgen_write_key(f->key_path, k), 0);
	EVP_PKEY_free(k);
	return x;
}

static enum status run(struct fx *f)
{
	diag_list_release(&f->dl);
	return verify_certificate(&f->in, NULL, &f->dl);
}

static const struct diag *get(struct fx *f, enum diag_check c)
{
	const struct diag *d = diag_find(&f->dl, c);
	if (!d) {
		diag_print_text(stderr, &f->dl, SEV_PASS);
		fail_msg("no '%s' line", diag_check_id(c));
	}
	return d;
}

static const struct diag *expect(struct fx *f, enum diag_check c,
				 enum diag_severity sev, const char *needle)
{
	const struct diag *d = get(f, c);
	if (d->sev != sev || (needle && !strstr(d->message, needle))) {
		diag_print_text(stderr, &f->dl, SEV_PASS);
		fail_msg("'%s' is %s (%s), wanted %s with '%s'", diag_check_id(c),
			 diag_severity_name(d->sev), d->message,
			 diag_severity_name(sev), needle ? needle : "");
	}
	return d;
}

static void assert_full_checklist(struct fx *f)
{
	/* One line per check, in the order of product.md s.4. */
	size_t k = 0;
	for (size_t i = 0; i < f->dl.n; i++) {
		if (f->dl.items[i].stage != STAGE_VERIFY)
			continue;
		assert_int_equal(f->dl.items[i].check, DIAG_VERIFY_PARSE + (int)k);
		k++;
	}
	assert_int_equal(k, DIAG_VERIFY_REVOCATION - DIAG_VERIFY_PARSE + 1);
}

/* --- tests ------------------------------------------------------------- */

static void test_all_good(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	X509 *x = issue(f, &o);
	assert_int_equal(run(f), ST_OK);
	assert_full_checklist(f);
	for (int c = DIAG_VERIFY_PARSE; c < DIAG_VERIFY_REVOCATION; c++)
		expect(f, (enum diag_check)c, SEV_PASS, NULL);
	expect(f, DIAG_VERIFY_REVOCATION, SEV_SKIP, "no CRL distribution point");
	expect(f, DIAG_VERIFY_CHAIN, SEV_PASS, "Verify Test Root");
	expect(f, DIAG_VERIFY_SUBJECT_NAME, SEV_PASS, FQDN);
	/* Case-insensitive, trailing dot ignored. */
	f->in.fqdn = "AGENT7.Corp.Example.Test.";
	assert_int_equal(run(f), ST_OK);
	expect(f, DIAG_VERIFY_SUBJECT_NAME, SEV_PASS, NULL);
	expect(f, DIAG_VERIFY_SAN, SEV_PASS, NULL);
	X509_free(x);
}

static void test_subject_name(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	o.cn = "otherhost.corp.example.test";
	o.san_dns[0] = NULL;
	X509 *x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	const struct diag *d = expect(f, DIAG_VERIFY_SUBJECT_NAME, SEV_FAIL,
				      "otherhost.corp.example.test");
	assert_non_null(strstr(d->message, FQDN));
	assert_int_equal(d->event, 20052);   /* subject does not match */
	assert_non_null(d->fix);
	X509_free(x);

	/* Short name only: warn. */
	o.cn = "AGENT7";
	x = issue(f, &o);
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_SUBJECT_NAME, SEV_WARN, "short name");
	expect(f, DIAG_VERIFY_SAN, SEV_PASS, "no subjectAltName");
	X509_free(x);

	/* No CN at all: fail. */
	o.cn = NULL;
	o.org = "Corp";
	x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_SUBJECT_NAME, SEV_FAIL, "no subject CN");
	X509_free(x);
}

static void test_san(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	o.san_dns[0] = "www.corp.example.test";
	o.san_dns[1] = "agent7";
	X509 *x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	const struct diag *d = expect(f, DIAG_VERIFY_SAN, SEV_FAIL, FQDN);
	assert_non_null(strstr(d->message, "www.corp.example.test, agent7"));
	expect(f, DIAG_VERIFY_SUBJECT_NAME, SEV_PASS, NULL);
	X509_free(x);

	/* Present but not first: warn. */
	o.san_dns[1] = FQDN;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_SAN, SEV_WARN, "first DNS name");
	X509_free(x);
}

static void test_eku(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	o.eku = CERTGEN_EKU_SERVER;      /* the 'WebServer' template */
	X509 *x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	const struct diag *d = expect(f, DIAG_VERIFY_EKU, SEV_FAIL,
				      "lacks Client Authentication");
	assert_int_equal(d->event, 20050);
	assert_null(strstr(d->message, "Server Authentication"));
	X509_free(x);

	o.eku = CERTGEN_EKU_CLIENT | CERTGEN_EKU_CODESIGN;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_EKU, SEV_FAIL, "lacks Server Authentication");
	X509_free(x);

	o.eku = 0;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	d = expect(f, DIAG_VERIFY_EKU, SEV_FAIL, "no extended key usage");
	assert_int_equal(d->event, 20050);
	X509_free(x);
}

static void test_key_usage(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	o.ku = KU_DIGITAL_SIGNATURE;
	X509 *x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	const struct diag *d = expect(f, DIAG_VERIFY_KEY_USAGE, SEV_FAIL,
				      "keyEncipherment");
	assert_null(strstr(d->message, "digitalSignature"));
	X509_free(x);

	o.ku = CERTGEN_KU_NONE;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_OK);
	expect(f, DIAG_VERIFY_KEY_USAGE, SEV_PASS, "no keyUsage");
	X509_free(x);

	o.ku = KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT |
	       KU_KEY_AGREEMENT;   /* 0xF0 as the docs' template */
	x = issue(f, &o);
	assert_int_equal(run(f), ST_OK);
	X509_free(x);
}

static void test_key_type(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	o.key_type = CERTGEN_EC_P256;
	X509 *x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	const struct diag *d = expect(f, DIAG_VERIFY_KEY_TYPE, SEV_FAIL, "EC key");
	assert_int_equal(d->event, 20069);
	expect(f, DIAG_VERIFY_KEY_MATCH, SEV_PASS, NULL);
	X509_free(x);

	good_opts(f, &o);
	o.key_bits = 1024;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_KEY_TYPE, SEV_WARN, "1024 bits");
	X509_free(x);

	o.key_bits = 768;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_KEY_TYPE, SEV_FAIL, "768 bits");
	X509_free(x);

	o.key_bits = 4096;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_OK);
	expect(f, DIAG_VERIFY_KEY_TYPE, SEV_PASS, "4096");
	X509_free(x);
}

static void test_validity_and_expiry(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	o.not_before = -30L * 86400;
	o.not_after = -86400;
	X509 *x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_VALIDITY, SEV_FAIL, "expired on");
	expect(f, DIAG_VERIFY_EXPIRY, SEV_SKIP, NULL);
	/* Its chain is still fine: the leaf's dates are validity's business. */
	expect(f, DIAG_VERIFY_CHAIN, SEV_PASS, NULL);
	X509_free(x);

	o.not_before = 86400;
	o.not_after = 100L * 86400;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_VALIDITY, SEV_FAIL, "not valid yet");
	X509_free(x);

	o.not_before = -3600;
	o.not_after = 10L * 86400 + 3600;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_VALIDITY, SEV_PASS, NULL);
	expect(f, DIAG_VERIFY_EXPIRY, SEV_WARN, "expires in 10 days");
	X509_free(x);

	/* its last day in hours (a lab certificate of minutes in minutes) */
	o.not_after = 5L * 3600 + 1800;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_EXPIRY, SEV_WARN, "expires in 5 hours (");
	X509_free(x);

	o.not_after = 31L * 86400 + 3600;
	x = issue(f, &o);
	assert_int_equal(run(f), ST_OK);
	expect(f, DIAG_VERIFY_EXPIRY, SEV_PASS, "31 days");
	X509_free(x);
}

static void test_chain(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	/* Issued by a root that is not trusted. */
	certgen_opts_leaf(&o, FQDN);
	o.issuer = f->other_root;
	o.issuer_key = f->other_key;
	X509 *x = issue(f, &o);
	assert_int_equal(run(f), ST_FAIL);
	const struct diag *d = expect(f, DIAG_VERIFY_CHAIN, SEV_FAIL,
				      "no chain from");
	assert_non_null(strstr(d->message, "Unrelated Root"));
	assert_int_equal(d->event, 20072);
	X509_free(x);

	/* Missing intermediate: fails without the chain file, passes with it. */
	good_opts(f, &o);
	x = issue(f, &o);
	f->in.chain_path = NULL;
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_CHAIN, SEV_FAIL, "Verify Test Issuing CA");
	/* ... or with the chain in the certificate file itself (PKCS#7). */
	X509 *both[2] = { f->inter, x };
	size_t len;
	unsigned char *der = certgen_pkcs7_der(both, 2, &len);
	assert_int_equal(certgen_write_file(f->cert_path, der, len), 0);
	OPENSSL_free(der);
	assert_int_equal(run(f), ST_OK);
	expect(f, DIAG_VERIFY_CHAIN, SEV_PASS, "3 certificates");
	expect(f, DIAG_VERIFY_SUBJECT_NAME, SEV_PASS, NULL);   /* leaf picked */

	/* No trust store at all. */
	f->in.trust_store = "/nonexistent/trust";
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_CHAIN, SEV_FAIL, "/nonexistent/trust");
	/* ... but an explicit CA file works. */
	char cafile[600];
	snprintf(cafile, sizeof(cafile), "%s/ca-file.pem", f->dir);
	assert_int_equal(certgen_write_pem(cafile, &f->root, 1), 0);
	f->in.ca_file = cafile;
	assert_int_equal(run(f), ST_OK);
	/* A CA file that does not load; then neither store nor file. */
	f->in.ca_file = "/nonexistent/ca-file.pem";
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_CHAIN, SEV_FAIL,
	       "cannot load the CA file '/nonexistent/ca-file.pem'");
	f->in.trust_store = NULL;
	f->in.ca_file = NULL;
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_CHAIN, SEV_FAIL, "no trust store is configured");
	X509_free(x);
}

static void test_signature_hash(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	o.md = EVP_sha1();
	X509 *x = issue(f, &o);
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_SIGNATURE_HASH, SEV_WARN, "SHA1");
	expect(f, DIAG_VERIFY_CHAIN, SEV_PASS, NULL);
	X509_free(x);
}

static void test_key_match(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	X509 *x = issue(f, &o);
	/* Replace the key with another one (the leaf has slot 0's). */
	EVP_PKEY *k2 = certgen_key(CERTGEN_RSA, 2048, 1);
	assert_non_null(k2);
	assert_int_equal(certgen_write_key(f->key_path, k2), 0);
	assert_int_equal(run(f), ST_FAIL);
	const struct diag *d = expect(f, DIAG_VERIFY_KEY_MATCH, SEV_FAIL,
				      "does not belong");
	assert_non_null(strstr(d->message, f->key_path));
	assert_int_equal(d->event, 20068);

	/* Encrypted key. */
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_PKCS8PrivateKey(b, k2, EVP_aes_128_cbc(), NULL, 0, NULL,
				      (void *)"pw");
	char *p;
	long l = BIO_get_mem_data(b, &p);
	assert_int_equal(certgen_write_file(f->key_path, p, (size_t)l), 0);
	BIO_free(b);
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_KEY_MATCH, SEV_FAIL, "encrypted");

	/* No key. */
	f->in.key_path = NULL;
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_KEY_MATCH, SEV_FAIL, "no private key");
	EVP_PKEY_free(k2);
	X509_free(x);
}

static void test_garbage_input(void **state)
{
	struct fx *f = *state;
	assert_int_equal(certgen_write_file(f->cert_path, "\x30\x82\x05\x00junk", 8), 0);
	assert_int_equal(run(f), ST_FAIL);
	assert_full_checklist(f);
	expect(f, DIAG_VERIFY_PARSE, SEV_FAIL,
	       "tried PKCS#7 (DER), PKCS#7 (PEM), PEM bundle, DER");
	for (int c = DIAG_VERIFY_KEY_MATCH; c <= DIAG_VERIFY_REVOCATION; c++)
		expect(f, (enum diag_check)c, SEV_SKIP, NULL);

	/* Empty file, missing file, a directory: the same, never a crash. */
	assert_int_equal(certgen_write_file(f->cert_path, "", 0), 0);
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_PARSE, SEV_FAIL, "not a certificate");
	f->in.cert_path = "/nonexistent/cert.pem";
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_PARSE, SEV_FAIL, "/nonexistent/cert.pem");
	f->in.cert_path = f->dir;
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_PARSE, SEV_FAIL, NULL);
	f->in.cert_path = NULL;
	assert_int_equal(run(f), ST_FAIL);
	assert_full_checklist(f);

	/* A bad chain file is a warning on parse, not a crash. */
	struct certgen_opts o;
	good_opts(f, &o);
	f->in.cert_path = f->cert_path;
	X509 *x = issue(f, &o);
	assert_int_equal(certgen_write_file(f->chain_path, "junk", 4), 0);
	assert_int_equal(run(f), ST_FAIL);   /* and the chain then fails */
	expect(f, DIAG_VERIFY_PARSE, SEV_WARN, "chain file");
	X509_free(x);
}

static void write_pfx(struct fx *f, X509 *x, EVP_PKEY *k, const char *path,
		      const char *pw)
{
	STACK_OF(X509) *ca = sk_X509_new_null();
	sk_X509_push(ca, f->inter);
	PKCS12 *p12 = PKCS12_create(pw, "agent", k, x, ca, 0, 0, 0, 0, 0);
	assert_non_null(p12);
	unsigned char *der = NULL;
	int l = i2d_PKCS12(p12, &der);
	assert_int_equal(certgen_write_file(path, der, (size_t)l), 0);
	OPENSSL_free(der);
	PKCS12_free(p12);
	sk_X509_free(ca);
}

static void test_pfx_input(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	X509 *x;
	EVP_PKEY *k;
	assert_int_equal(certgen_make(&o, &x, &k), 0);
	char pfx[600];
	snprintf(pfx, sizeof(pfx), "%s/agent.pfx", f->dir);
	write_pfx(f, x, k, pfx, "S3cret!");
	struct secret pw = { 0 };
	secret_set(&pw, "S3cret!", 7);
	memset(&f->in, 0, sizeof(f->in));
	f->in.pfx_path = pfx;
	f->in.pfx_password = &pw;
	f->in.fqdn = FQDN;
	f->in.trust_store = f->store;
	assert_int_equal(run(f), ST_OK);
	expect(f, DIAG_VERIFY_KEY_MATCH, SEV_PASS, NULL);
	expect(f, DIAG_VERIFY_CHAIN, SEV_PASS, NULL);   /* chain from the PFX */

	secret_set(&pw, "wrong", 5);
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_PARSE, SEV_FAIL, "password is wrong");
	assert_full_checklist(f);

	assert_int_equal(certgen_write_file(pfx, "not a pfx", 9), 0);
	assert_int_equal(run(f), ST_FAIL);
	expect(f, DIAG_VERIFY_PARSE, SEV_FAIL, "not a PKCS#12");
	secret_wipe(&pw);

	/* In memory: verify_x509 without a key fails key_match only. */
	diag_list_release(&f->dl);
	assert_int_equal(verify_x509(x, NULL, NULL, &f->in, NULL, &f->dl), ST_FAIL);
	expect(f, DIAG_VERIFY_KEY_MATCH, SEV_FAIL, NULL);
	expect(f, DIAG_VERIFY_EKU, SEV_PASS, NULL);
	expect(f, DIAG_VERIFY_CHAIN, SEV_FAIL, NULL);   /* no intermediate */
	assert_full_checklist(f);
	X509_free(x);
	EVP_PKEY_free(k);
}

static X509 *issue_with_crl(struct fx *f, const char *url)
{
	struct certgen_opts o;
	good_opts(f, &o);
	o.crl_url = url;
	return issue(f, &o);
}

static void test_revocation(void **state)
{
	struct fx *f = *state;
	X509 *x = issue_with_crl(f, f->crl_url);
	struct certgen_opts o;
	good_opts(f, &o);
	X509 *other;
	assert_int_equal(certgen_make(&o, &other, NULL), 0);

	/* Listed: revoked, fail. */
	X509_CRL *crl = certgen_crl(f->inter, f->inter_key, &x, 1, 86400);
	set_crl(crl);
	X509_CRL_free(crl);
	assert_int_equal(run(f), ST_FAIL);
	char *serial = x509_serial_hex(x);
	const struct diag *d = expect(f, DIAG_VERIFY_REVOCATION, SEV_FAIL, "revoked on");
	assert_non_null(strstr(d->message, serial));
	assert_non_null(strstr(d->message, f->crl_url));
	free(serial);

	/* Another certificate listed: pass. */
	crl = certgen_crl(f->inter, f->inter_key, &other, 1, 86400);
	set_crl(crl);
	X509_CRL_free(crl);
	assert_int_equal(run(f), ST_OK);
	expect(f, DIAG_VERIFY_REVOCATION, SEV_PASS, "not revoked");

	/* Signed by someone else: warn. */
	crl = certgen_crl(f->inter, f->other_key, &other, 1, 86400);
	set_crl(crl);
	X509_CRL_free(crl);
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_REVOCATION, SEV_WARN, "not signed by");

	/* A CRL another CA issued: warn. */
	crl = certgen_crl(f->other_root, f->other_key, &other, 1, 86400);
	set_crl(crl);
	X509_CRL_free(crl);
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_REVOCATION, SEV_WARN, "is for another CA");

	/* Stale CRL: warn. */
	crl = certgen_crl(f->inter, f->inter_key, &other, 1, -60);
	set_crl(crl);
	X509_CRL_free(crl);
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_REVOCATION, SEV_WARN, "out of date");

	/* Skipped on request. */
	f->in.skip_revocation = true;
	assert_int_equal(run(f), ST_OK);
	expect(f, DIAG_VERIFY_REVOCATION, SEV_SKIP, "skipped");
	f->in.skip_revocation = false;
	X509_free(x);

	/* 404, garbage, nobody listening: unreachable, warn. */
	const char *bad[3];
	char closed[128];
	snprintf(closed, sizeof(closed), "http://127.0.0.1:1/ca.crl");
	bad[0] = f->missing_url;
	bad[1] = f->garbage_url;
	bad[2] = closed;
	const char *want[3] = { "HTTP 404", "did not serve a CRL", "cannot check" };
	for (int i = 0; i < 3; i++) {
		x = issue_with_crl(f, bad[i]);
		assert_int_equal(run(f), ST_NEED_CONFIRM);
		d = expect(f, DIAG_VERIFY_REVOCATION, SEV_WARN, want[i]);
		assert_int_equal(d->event, 20067);
		X509_free(x);
	}
	X509_free(other);
}

static void test_no_fqdn_and_ldap_only_cdp(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	o.crl_url = "ldap://ldap.corp.example.test/cdp?certificateRevocationList";
	X509 *x = issue(f, &o);
	f->in.fqdn = NULL;
	assert_int_equal(run(f), ST_NEED_CONFIRM);
	const struct diag *d = expect(f, DIAG_VERIFY_SUBJECT_NAME, SEV_WARN,
				      "no FQDN");
	assert_string_equal(d->field, "computer.fqdn");
	expect(f, DIAG_VERIFY_SAN, SEV_SKIP, FQDN);
	expect(f, DIAG_VERIFY_REVOCATION, SEV_SKIP, "non-http");
	assert_full_checklist(f);
	X509_free(x);

	/* LDAP first, then http: the http one is used. */
	X509_CRL *crl = certgen_crl(f->inter, f->inter_key, NULL, 0, 86400);
	set_crl(crl);
	X509_CRL_free(crl);
	good_opts(f, &o);
	char two[256];   /* certgen prefixes "URI:" to the first one */
	snprintf(two, sizeof(two), "ldap://ldap.corp.example.test/cdp,URI:%s",
		 f->crl_url);
	o.crl_url = two;
	x = issue(f, &o);
	char **urls = crl_distribution_points(x);
	assert_non_null(urls);
	assert_string_equal(urls[0], "ldap://ldap.corp.example.test/cdp");
	assert_string_equal(urls[1], f->crl_url);
	assert_null(urls[2]);
	strv_free(urls);
	f->in.fqdn = FQDN;
	assert_int_equal(run(f), ST_OK);
	expect(f, DIAG_VERIFY_REVOCATION, SEV_PASS, f->crl_url);
	X509_free(x);
}

struct stage_fx {
	struct config cfg;
	struct state st;
	struct ctx c;
};

static void test_stage_run(void **state)
{
	struct fx *f = *state;
	struct stage_fx s;
	config_init(&s.cfg);
	state_init(&s.st);
	ctx_init(&s.c, &s.cfg, &s.st, f->dir);
	config_set_str(&s.cfg.trust_store, f->store);
	diag_list_release(&f->dl);

	/* Nothing to verify yet. */
	assert_int_equal(stage_verify_run(&s.c, NULL, &f->dl), ST_FAIL);
	expect(f, DIAG_VERIFY_PARSE, SEV_FAIL, "no certificate to verify");
	assert_full_checklist(f);

	/* A certificate with a warning: needs confirmation, then OK. */
	struct certgen_opts o;
	good_opts(f, &o);
	o.not_after = 5L * 86400;
	X509 *x = issue(f, &o);
	state_set_str(&s.st.cert_path, f->cert_path);
	state_set_str(&s.st.key_path, f->key_path);
	state_set_str(&s.st.chain_path, f->chain_path);
	state_set_str(&s.st.fqdn, FQDN);
	diag_list_release(&f->dl);
	assert_int_equal(stage_verify_run(&s.c, NULL, &f->dl), ST_NEED_CONFIRM);
	expect(f, DIAG_VERIFY_EXPIRY, SEV_WARN, NULL);
	s.c.confirm_warnings = true;
	diag_list_release(&f->dl);
	assert_int_equal(stage_verify_run(&s.c, NULL, &f->dl), ST_OK);

	/* The configured FQDN wins over the state's. */
	config_set_str(&s.cfg.fqdn, "someone-else.example.test");
	diag_list_release(&f->dl);
	assert_int_equal(stage_verify_run(&s.c, NULL, &f->dl), ST_FAIL);
	expect(f, DIAG_VERIFY_SUBJECT_NAME, SEV_FAIL, "someone-else");
	X509_free(x);

	ctx_release(&s.c);
	state_release(&s.st);
	config_release(&s.cfg);
}

static int cancel_after(void *ud)
{
	int *n = ud;
	return --*n < 0;
}

static void test_cancel(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	X509 *x = issue(f, &o);
	int budget = 3;
	struct hooks h = { .cancelled = cancel_after, .ud = &budget };
	diag_list_release(&f->dl);
	assert_int_equal(verify_certificate(&f->in, &h, &f->dl), ST_CANCELLED);
	assert_full_checklist(f);       /* the rest is marked skipped */
	assert_non_null(diag_find(&f->dl, DIAG_CANCELLED));
	expect(f, DIAG_VERIFY_REVOCATION, SEV_SKIP, "cancelled");
	X509_free(x);
}

/* The rules called directly: one diagnostic each, with the label. */
static void test_rules_one_by_one(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	good_opts(f, &o);
	o.eku = CERTGEN_EKU_CODESIGN;          /* neither server nor client */
	o.ku = KU_DATA_ENCIPHERMENT;           /* neither DS nor KE */
	X509 *x = issue(f, &o);
	diag_list_release(&f->dl);
	struct cert_check c;
	cert_check_init(&c, x, NULL, NULL, FQDN, &f->dl);
	assert_string_equal(c.cn, FQDN);
	assert_non_null(strstr(c.label, "the certificate '"));
	assert_non_null(strstr(c.label, FQDN));
	certrule_eku(&c);
	assert_int_equal(f->dl.n, 1);
	expect(f, DIAG_VERIFY_EKU, SEV_FAIL,
	       "lacks Server Authentication (1.3.6.1.5.5.7.3.1) and Client "
	       "Authentication (1.3.6.1.5.5.7.3.2)");
	certrule_key_usage(&c);
	assert_int_equal(f->dl.n, 2);
	expect(f, DIAG_VERIFY_KEY_USAGE, SEV_FAIL,
	       "lacks digitalSignature and keyEncipherment");
	certrule_key_match(&c);                /* no key given */
	assert_int_equal(f->dl.n, 3);
	expect(f, DIAG_VERIFY_KEY_MATCH, SEV_FAIL, "no private key was given");
	assert_int_equal(certrule_validity(&c), 1);
	expect(f, DIAG_VERIFY_VALIDITY, SEV_PASS, NULL);
	cert_check_release(&c);
	assert_null(c.label);
	assert_null(c.cn);
	X509_free(x);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, before, after)
	const struct CMUnitTest tests[] = {
		T(test_all_good),
		T(test_subject_name),
		T(test_san),
		T(test_eku),
		T(test_key_usage),
		T(test_key_type),
		T(test_validity_and_expiry),
		T(test_chain),
		T(test_signature_hash),
		T(test_key_match),
		T(test_garbage_input),
		T(test_pfx_input),
		T(test_revocation),
		T(test_no_fqdn_and_ldap_only_cdp),
		T(test_stage_run),
		T(test_cancel),
		T(test_rules_one_by_one),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
