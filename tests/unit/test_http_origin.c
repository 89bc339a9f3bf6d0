/*
 * test_http_origin.c - issue 18, items 1 and 12, in backend/sys/http*.c and
 * curl_dl.c: the one origin comparison (http_url_origin, http_same_origin:
 * port, scheme, host case, percent-encoding, trailing dot, IDN bytes,
 * IPv6, '@' and '\' tricks, a host that merely starts like the CA's);
 * credentials only to their origin (cred_url): refused for another
 * server, dropped on a redirect to another server (Basic header and client
 * certificate), kept on a redirect within the origin; the redirect policy
 * (https -> http refused, at most HTTP_MAX_REDIRECTS, 303 turns a POST
 * into a GET, 307 keeps it); every curl_easy_setopt checked (a refused
 * option fails the request naming it, nothing is sent); a libcurl older
 * than 7.85.0 refused, naming the version found.
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
#include "core/fsutil.h"
#include "core/secret.h"
#include "lab_harness.h"
#include "sys/curl_dl.h"
#include "sys/http.h"
#include "tls_stub.h"

struct fx {
	char *dir;
	char *root, *cert, *key;
	char *cli_pem, *cli_key;   /* a client certificate (for AUTH_CERT) */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->dir = test_mkdtemp("http-origin-");
	if (!f->dir ||
	    tls_stub_make_certs(f->dir, &f->root, &f->cert, &f->key) != 0)
		return -1;
	struct certgen_opts o;
	X509 *ca = NULL, *cli = NULL;
	EVP_PKEY *cak = NULL, *clik = NULL;
	certgen_opts_ca(&o, "origin test client CA");
	o.key_slot = 2;
	if (certgen_make(&o, &ca, &cak) != 0)
		return -1;
	certgen_opts_leaf(&o, "enroll.origin.test");
	o.issuer = ca;
	o.issuer_key = cak;
	o.key_slot = 1;
	if (certgen_make(&o, &cli, &clik) != 0)
		return -1;
	f->cli_pem = fs_join(f->dir, "cli.pem");
	f->cli_key = fs_join(f->dir, "cli.key");
	char *ca_pem = fs_join(f->dir, "cli-ca.pem");
	int rc = certgen_write_pem(f->cli_pem, &cli, 1) ||
		 certgen_write_key(f->cli_key, clik) ||
		 certgen_write_pem(ca_pem, &ca, 1);
	free(ca_pem);
	X509_free(ca);
	X509_free(cli);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(clik);
	*state = f;
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char **owned[] = { &f->root, &f->cert, &f->key, &f->cli_pem,
			   &f->cli_key, &f->dir };
	test_rm_rf(f->dir);
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		free(*owned[i]);
	free(f);
	http_global_cleanup();
	certgen_cleanup();
	return 0;
}

/* --- the origin --------------------------------------------------------- */

static void test_same_origin_cases(void **state)
{
	static const struct {
		const char *a, *b;
		bool same;
	} cases[] = {
		/* the cases: a port that starts like the CA's, a host
		 * that starts like the CA's */
		{ "https://127.0.0.1:4443", "https://127.0.0.1:44433/root.pem", false },
		{ "https://ca.corp", "https://ca.corp.evil.example/root.pem", false },
		{ "https://ca.corp/certsrv", "https://ca.corpevil.example/", false },
		{ "https://ca.corp", "https://ca.corp:4443/", false },
		/* the same server written differently */
		{ "https://ca.corp/certsrv/", "https://ca.corp/certnew.p7b", true },
		{ "https://CA.Corp/", "https://ca.corp:443/x", true },
		{ "HTTPS://ca.corp", "https://ca.corp:0443", true },
		{ "https://ca.corp:", "https://ca.corp", true },
		{ "http://ca.corp", "http://ca.corp:80/", true },
		{ "https://ca%2Ecorp/", "https://ca.corp/", true },
		{ "https://[::1]:4443/", "https://[0:0::1]:4443/a", true },
		{ "https://ca.corp?q", "https://ca.corp#f", true },
		/* scheme and default ports */
		{ "https://ca.corp", "http://ca.corp", false },
		{ "https://ca.corp:80", "http://ca.corp", false },
		{ "http://ca.corp:443", "https://ca.corp", false },
		/* a trailing dot is another name to the resolver (no search
		 * domains): not the same */
		{ "https://ca.corp", "https://ca.corp./", false },
		/* percent-encoding cannot smuggle a different host */
		{ "https://ca.corp", "https://ca.corp%2eevil.example/", false },
		{ "https://ca.corp", "https://ca.corp%00.evil.example/", false },
		{ "https://ca.corp", "https://ca.corp%2fevil.example/", false },
		/* the host after '@' or behind '\' is the real one */
		{ "https://ca.corp", "https://ca.corp@evil.example/", false },
		{ "https://ca.corp", "https://ca.corp:443@evil.example/", false },
		{ "https://ca.corp", "https://ca.corp\\@evil.example/", false },
		/* IDN: compared as written; another spelling is another server */
		{ "https://b\xc3\xbc" "cher.corp", "https://b\xc3\xbc" "cher.corp/x", true },
		{ "https://b\xc3\xbc" "cher.corp", "https://B\xc3\x9c" "CHER.corp/x", false },
		{ "https://ca.corp", "https://\xef\xbd\x83\xef\xbd\x81.corp/", false },
		{ "https://b\xc3\xbc" "cher.corp", "https://xn--bcher-kva.corp/", false },
		/* nothing to compare: never the same */
		{ "https://ca.corp", "ftp://ca.corp/", false },
		{ "https://ca.corp:0", "https://ca.corp:0", false },
		{ "https://ca.corp:65536", "https://ca.corp:65536", false },
		{ "https://ca..corp", "https://ca..corp", false },
		{ "https://", "https://", false },
		{ NULL, "https://ca.corp", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = http_same_origin(cases[i].a, cases[i].b);
		bool rev = http_same_origin(cases[i].b, cases[i].a);
		if (got != cases[i].same || rev != got)
			fail_msg("'%s' vs '%s': same origin %d, expected %d",
				 cases[i].a ? cases[i].a : "(null)", cases[i].b,
				 got, cases[i].same);
	}
}

static void test_origin_fields(void **state)
{
	struct http_origin og;
	char err[256];
	assert_int_equal(http_url_origin("HTTPS://Ca.Corp:08443/certsrv", &og,
					 err, sizeof(err)), 0);
	assert_string_equal(og.scheme, "https");
	assert_string_equal(og.host, "ca.corp");
	assert_int_equal(og.port, 8443);
	assert_int_equal(http_url_origin("http://[::FFFF:127.0.0.1]/", &og, err,
					 sizeof(err)), 0);
	assert_string_equal(og.scheme, "http");
	assert_string_equal(og.host, "::ffff:127.0.0.1");
	assert_int_equal(og.port, 80);
	assert_int_equal(http_url_origin("https://ca.corp./", &og, err,
					 sizeof(err)), 0);
	assert_string_equal(og.host, "ca.corp.");
	/* why there is no origin, in words */
	assert_int_equal(http_url_origin("https://ca.corp@evil/", &og, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "'@'"));
	assert_int_equal(http_url_origin("https://ca.corp:99999/", &og, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "no usable port"));
	assert_int_equal(http_url_origin("ldap://ca.corp/", &og, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "not an http:// or https:// URL"));
	assert_int_equal(http_url_origin("https://a%zzb/", &og, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "no usable host name"));
}

/* --- credentials and redirects against stub servers ---------------------- */

struct redir {
	const char *location;   /* answer `code` (302) with this Location */
	int code;
	bool always;            /* every time, not only to the first request */
	int hits;
};

/* First request (or every one): a redirect to r->location; else 200 "ok". */
static char *redirect_once(const char *req, void *ud, size_t *outlen)
{
	struct redir *r = ud;
	char *a = NULL;
	int n;
	if ((r->hits++ == 0 || r->always) && r->location)
		n = asprintf(&a, "HTTP/1.1 %d Moved\r\nLocation: %s\r\n"
				 "Content-Length: 0\r\n\r\n",
			     r->code ? r->code : 302, r->location);
	else
		n = asprintf(&a, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
				 "Content-Type: text/plain\r\n\r\nok");
	*outlen = n > 0 ? (size_t)n : 0;
	return n > 0 ? a : NULL;
}

static struct tls_stub *start(struct fx *f, struct redir *r,
			      const char *client_ca)
{
	struct tls_stub_opts so;
	memset(&so, 0, sizeof(so));
	so.cert = f->cert;
	so.key = f->key;
	so.respond = redirect_once;
	so.ud = r;
	so.client_ca = client_ca;
	struct tls_stub *s = tls_stub_start_opts(&so);
	assert_non_null(s);
	return s;
}

static char *url(struct tls_stub *s, const char *path)
{
	char *u = NULL;
	assert_true(asprintf(&u, "https://localhost:%d%s", tls_stub_port(s),
			     path) > 0);
	return u;
}

/* Server a (the CA) answering its first request with a `code` redirect to
 * b_path on server b, then 200 "ok"; b always 200 "ok". */
struct pair {
	struct redir ra, rb;
	struct tls_stub *a, *b;
	char *ua, *ub;
};

static void pair_start(struct fx *f, struct pair *p, const char *a_path,
		       const char *b_path, int code, const char *client_ca)
{
	memset(p, 0, sizeof(*p));
	p->b = start(f, &p->rb, client_ca);
	p->ub = url(p->b, b_path);
	p->ra.location = p->ub;
	p->ra.code = code;
	p->a = start(f, &p->ra, client_ca);
	p->ua = url(p->a, a_path);
}

static void pair_stop(struct pair *p)
{
	tls_stub_stop(p->a);
	tls_stub_stop(p->b);
	free(p->ua);
	free(p->ub);
}

/* Verifying the stubs, no credentials. */
static void plain_opts(struct fx *f, struct http_opts *o)
{
	http_opts_init(o);
	o->ca_file = f->root;
	o->timeout_s = 10;
}

static void basic_opts(struct fx *f, struct http_opts *o, struct secret *pw,
		       const char *cred_url)
{
	plain_opts(f, o);
	o->auth = AUTH_BASIC;
	o->user = "enroll";
	memset(pw, 0, sizeof(*pw));
	assert_int_equal(secret_set(pw, "s3cret", 6), 0);
	o->password = pw;
	o->cred_url = cred_url;
}

static void test_credentials_refused_for_other_origin(void **state)
{
	struct fx *f = *state;
	struct pair p;
	pair_start(f, &p, "/certsrv/", "/root.pem", 302, NULL);
	p.ra.location = NULL;   /* no redirect */
	struct http_opts o;
	struct secret pw;
	basic_opts(f, &o, &pw, p.ua);
	struct http_response r;
	char err[1024];
	assert_int_equal(http_get(&o, p.ub, NULL, &r, err, sizeof(err)),
			 HTTP_E_URL);
	assert_non_null(strstr(err, "credentials for"));
	assert_non_null(strstr(err, "another server"));
	assert_int_equal(tls_stub_requests(p.b), 0);
	/* to their own origin they go */
	assert_int_equal(http_get(&o, p.ua, NULL, &r, err, sizeof(err)), HTTP_OK);
	assert_true(tls_stub_last_has(p.a, "Authorization: Basic"));
	http_response_release(&r);
	secret_wipe(&pw);
	pair_stop(&p);
}

/* The CA redirects to another server: followed without the Basic header;
 * a redirect within the CA keeps it. */
static void test_redirect_drops_credentials(void **state)
{
	struct fx *f = *state;
	struct pair p;
	pair_start(f, &p, "/certsrv/certnew.p7b", "/elsewhere.pem", 302, NULL);
	struct http_opts o;
	struct secret pw;
	basic_opts(f, &o, &pw, NULL);   /* NULL: the URL asked for */
	struct http_response r;
	char err[1024];
	enum http_err e = http_get(&o, p.ua, NULL, &r, err, sizeof(err));
	if (e != HTTP_OK)
		fail_msg("%s", err);
	assert_int_equal(r.status, 200);
	assert_string_equal((char *)r.body, "ok");
	assert_true(tls_stub_last_has(p.a, "Authorization: Basic"));
	assert_int_equal(tls_stub_requests(p.b), 1);
	assert_false(tls_stub_last_has(p.b, "Authorization:"));
	http_response_release(&r);

	/* within the origin: the credentials go with the redirect */
	char *same = url(p.a, "/certsrv/other.p7b");
	p.ra.location = same;
	p.ra.hits = 0;
	assert_int_equal(http_get(&o, p.ua, NULL, &r, err, sizeof(err)), HTTP_OK);
	assert_int_equal(tls_stub_requests(p.a), 3);
	char *last = tls_stub_last_request(p.a);
	assert_non_null(strstr(last, "GET /certsrv/other.p7b"));
	assert_non_null(strstr(last, "Authorization: Basic"));
	free(last);
	http_response_release(&r);
	secret_wipe(&pw);
	pair_stop(&p);
	free(same);
}

/* A client certificate is presented to the CA, never to the server it
 * redirects to (libcurl's own following would present it there). */
static void test_redirect_drops_client_certificate(void **state)
{
	struct fx *f = *state;
	char *client_ca = fs_join(f->dir, "cli-ca.pem");
	struct pair p;
	pair_start(f, &p, "/certsrv/", "/x", 302, client_ca);
	struct http_opts o;
	plain_opts(f, &o);
	o.auth = AUTH_CERT;
	o.client_cert = f->cli_pem;
	o.client_key = f->cli_key;
	struct http_response r;
	char err[1024];
	enum http_err e = http_get(&o, p.ua, NULL, &r, err, sizeof(err));
	char *sa = tls_stub_client_subject(p.a);
	char *sb = tls_stub_client_subject(p.b);
	assert_non_null(sa);
	assert_non_null(strstr(sa, "enroll.origin.test"));
	/* b demands a certificate and gets none: the handshake fails */
	assert_null(sb);
	assert_int_equal(tls_stub_requests(p.b), 0);
	assert_int_not_equal(e, HTTP_OK);
	free(sa);
	pair_stop(&p);
	free(client_ca);
}

/* One request to a's url(path) that must fail with e and a message
 * containing want; a has then seen `requests` requests. */
static void expect_refused(struct fx *f, struct tls_stub *a, const char *u,
			   enum http_err want_e, const char *want,
			   int requests)
{
	struct http_opts o;
	plain_opts(f, &o);
	struct http_response r;
	char err[1024];
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), want_e);
	if (!strstr(err, want))
		fail_msg("'%s' does not say '%s'", err, want);
	assert_null(r.body);
	assert_int_equal(tls_stub_requests(a), requests);
}

/* https -> http: refused, saying where it was sent; a redirect to itself
 * forever: stopped after HTTP_MAX_REDIRECTS. */
static void test_redirect_policy(void **state)
{
	struct fx *f = *state;
	struct redir ra = { .location = "http://localhost:1/plain.pem" };
	struct tls_stub *a = start(f, &ra, NULL);
	char *ua = url(a, "/root.pem");
	expect_refused(f, a, ua,
		       HTTP_E_URL, "redirects to 'http://localhost:1/plain.pem', which is refused: 'http://localhost:1/plain.pem' is plain http", 1);
	ra.location = ua;
	ra.always = true;
	expect_refused(f, a, ua, HTTP_E_PROTOCOL, "more than 5 redirects",
		       1 + HTTP_MAX_REDIRECTS + 1);
	tls_stub_stop(a);
	free(ua);
}

/* 303 turns the POST into a GET at the target; 307 repeats the POST. */
static void test_redirect_post(void **state)
{
	struct fx *f = *state;
	struct pair p;
	pair_start(f, &p, "/certfnsh.asp", "/done", 303, NULL);
	struct http_opts o;
	plain_opts(f, &o);
	struct http_response r;
	char err[1024];
	static const struct {
		int code;
		const char *seen;
	} cases[] = { { 303, "GET /done" }, { 307, "POST /done" } };
	for (size_t i = 0; i < 2; i++) {
		p.ra.code = cases[i].code;
		p.ra.hits = 0;
		assert_int_equal(http_post_form(&o, p.ua, "Mode=newreq", NULL,
						&r, err, sizeof(err)), HTTP_OK);
		http_response_release(&r);
		char *last = tls_stub_last_request(p.b);
		assert_non_null(strstr(last, cases[i].seen));
		assert_true((strstr(last, "Mode=newreq") != NULL) ==
			    (cases[i].code == 307));
		free(last);
	}
	pair_stop(&p);
}

/* --- item 12: setopt results and the libcurl version ---------------------- */

/* libcurl refuses a user name over its 8 MB input limit: the request
 * fails naming CURLOPT_USERNAME, and nothing reaches the server (before,
 * the refusal was ignored and the request went out without the name). */
static void test_refused_option_is_an_error(void **state)
{
	struct fx *f = *state;
	struct redir ra = { 0 };
	struct tls_stub *a = start(f, &ra, NULL);
	char *ua = url(a, "/certsrv/");
	size_t n = 9u * 1024u * 1024u;
	char *huge = malloc(n + 1);
	assert_non_null(huge);
	memset(huge, 'u', n);
	huge[n] = '\0';
	struct http_opts o;
	struct secret pw;
	basic_opts(f, &o, &pw, NULL);
	o.user = huge;
	struct http_response r;
	char err[1024];
	assert_int_equal(http_get(&o, ua, NULL, &r, err, sizeof(err)),
			 HTTP_E_OTHER);
	assert_non_null(strstr(err, "libcurl refused the option CURLOPT_USERNAME"));
	assert_null(r.body);
	assert_int_equal(tls_stub_requests(a), 0);
	/* the handle went back clean: the next request works */
	o.user = "enroll";
	assert_int_equal(http_get(&o, ua, NULL, &r, err, sizeof(err)), HTTP_OK);
	http_response_release(&r);
	secret_wipe(&pw);
	free(huge);
	tls_stub_stop(a);
	free(ua);
}

static void test_libcurl_version_check(void **state)
{
	char err[512];
	assert_int_equal(curl_dl_check_version(0x074a00, "7.74.0", err,
					       sizeof(err)), -1);
	assert_non_null(strstr(err, "version 7.74.0"));
	assert_non_null(strstr(err, "older than 7.85.0"));
	assert_non_null(strstr(err, "CURLOPT_PROTOCOLS_STR"));
	assert_int_equal(curl_dl_check_version(0x075401, "7.84.1", err,
					       sizeof(err)), -1);
	assert_non_null(strstr(err, "7.84.1"));
	assert_int_equal(curl_dl_check_version(0x075400, NULL, err,
					       sizeof(err)), -1);
	assert_non_null(strstr(err, "(unknown)"));
	assert_int_equal(curl_dl_check_version(CURL_DL_MIN_VERSION, "7.85.0",
					       err, sizeof(err)), 0);
	assert_int_equal(curl_dl_check_version(0x075801, "7.88.1", err,
					       sizeof(err)), 0);
	/* the library of this machine passes the check at load */
	struct curl_fns fns;
	assert_int_equal(curl_dl_load(CURL_DL_SONAME, &fns, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_origin_cases),
		cmocka_unit_test(test_origin_fields),
		cmocka_unit_test(test_credentials_refused_for_other_origin),
		cmocka_unit_test(test_redirect_drops_credentials),
		cmocka_unit_test(test_redirect_drops_client_certificate),
		cmocka_unit_test(test_redirect_policy),
		cmocka_unit_test(test_redirect_post),
		cmocka_unit_test(test_refused_option_is_an_error),
		cmocka_unit_test(test_libcurl_version_check),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
