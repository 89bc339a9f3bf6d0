/*
 * test_http.c - backend/http.c against loopback stub servers only
 * (tests/common/tls_stub.h): GET and POST with the body, Content-Type and
 * every WWW-Authenticate collected; Basic credentials sent in the header
 * and never in messages; TLS verification against ca_file and a hashed
 * trust-store directory, and its failure with the "import the CA root
 * first" message; refused schemes and URLs with credentials; the body cap
 * (with and without Content-Length); a silent server (timeout) and
 * cancellation through hooks; connection refused; a non-HTTP answer;
 * a full NTLM handshake (type 1/2/3 on one connection: MD4 and DES from
 * OpenSSL 3); TLS client-certificate authentication; URL encoding; auth
 * scheme availability.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <openssl/evp.h>

#include "certgen.h"
#include "fsutil.h"
#include "http.h"
#include "lab_harness.h"
#include "secret.h"
#include "tls_stub.h"

struct fx {
	char *dir;
	char *root, *cert, *key;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f || http_global_init() != 0)
		return -1;
	f->dir = test_mkdtemp("http-");
	if (!f->dir || tls_stub_make_certs(f->dir, &f->root, &f->cert, &f->key) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	test_rm_rf(f->dir);
	free(f->dir);
	free(f->root);
	free(f->cert);
	free(f->key);
	free(f);
	http_global_cleanup();
	return 0;
}

static struct tls_stub *stub(struct fx *f, const char *resp)
{
	struct tls_stub *s = tls_stub_start(TLS_STUB_REPLY, f->cert, f->key, resp,
					    strlen(resp));
	assert_non_null(s);
	return s;
}

static char *url_of(struct tls_stub *s, const char *path)
{
	char *u = NULL;
	assert_true(asprintf(&u, "https://localhost:%d%s", tls_stub_port(s), path) > 0);
	return u;
}


/* Runs first: in a fresh child whose OpenSSL cannot find its modules, NTLM
 * is refused with a message that names the legacy provider and where it
 * was looked for. */
static void test_ntlm_without_legacy_provider(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[512];
		setenv("OPENSSL_MODULES", "/nonexistent/ossl-modules", 1);
		int ok = http_auth_supported(AUTH_NTLM, err, sizeof(err));
		_exit(!ok && strstr(err, "'legacy' provider") &&
		      strstr(err, "/nonexistent/ossl-modules") &&
		      strstr(err, "auth = basic") ? 0 : 1);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_get_ok(void **state)
{
	struct fx *f = *state;
	struct tls_stub *s = stub(f, "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\n"
				     "Content-Length: 5\r\nConnection: close\r\n\r\nhello");
	struct http_opts o;
	struct http_response r;
	char err[1024];
	http_opts_init(&o);
	o.ca_file = f->root;
	char *u = url_of(s, "/certsrv/certnew.cer?ReqID=1&Enc=b64");
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/pkix-cert");
	assert_int_equal(r.body_len, 5);
	assert_string_equal((char *)r.body, "hello");
	assert_null(r.www_authenticate);
	char *req = tls_stub_last_request(s);
	assert_non_null(req);
	assert_non_null(strstr(req, "GET /certsrv/certnew.cer?ReqID=1&Enc=b64 HTTP/1.1"));
	assert_non_null(strstr(req, "User-Agent: Mozilla/5.0"));
	assert_null(strstr(req, "Authorization:"));   /* auth = none */
	free(req);
	http_response_release(&r);
	assert_null(r.body);
	free(u);
	tls_stub_stop(s);
}

static void test_post_basic_auth(void **state)
{
	struct fx *f = *state;
	struct tls_stub *s = stub(f, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
				     "Content-Length: 0\r\n\r\n");
	struct http_opts o;
	struct http_response r;
	struct secret pw = {0};
	char err[1024];
	assert_int_equal(secret_set(&pw, "s3cret!", 7), 0);
	http_opts_init(&o);
	o.ca_file = f->root;
	o.auth = AUTH_BASIC;
	o.user = "LAB\\agent";
	o.password = &pw;
	char *u = url_of(s, "/certsrv/certfnsh.asp");
	assert_int_equal(http_post_form(&o, u, "Mode=newreq&CertRequest=a%2Bb", NULL,
					&r, err, sizeof(err)), HTTP_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	assert_non_null(r.body);
	assert_int_equal(r.body[0], '\0');
	char *req = tls_stub_last_request(s);
	assert_non_null(strstr(req, "POST /certsrv/certfnsh.asp"));
	assert_non_null(strstr(req, "Content-Type: application/x-www-form-urlencoded"));
	/* base64("LAB\agent:s3cret!") */
	assert_non_null(strstr(req, "Authorization: Basic TEFCXGFnZW50OnMzY3JldCE="));
	assert_non_null(strstr(req, "\r\n\r\nMode=newreq&CertRequest=a%2Bb"));
	free(req);
	http_response_release(&r);
	free(u);
	tls_stub_stop(s);
	secret_wipe(&pw);
}

static void test_401_schemes_collected(void **state)
{
	struct fx *f = *state;
	struct tls_stub *s = stub(f, "HTTP/1.1 401 Unauthorized\r\n"
				     "WWW-Authenticate: Negotiate\r\n"
				     "WWW-Authenticate: NTLM\r\n"
				     "www-authenticate: Basic realm=\"ca\"\r\n"
				     "Content-Type: text/html\r\nContent-Length: 9\r\n\r\nno entry!");
	struct http_opts o;
	struct http_response r;
	char err[1024];
	http_opts_init(&o);
	o.ca_file = f->root;
	char *u = url_of(s, "/certsrv/");
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_OK);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.www_authenticate, "Negotiate; NTLM; Basic realm=\"ca\"");
	assert_string_equal((char *)r.body, "no entry!");
	http_response_release(&r);
	free(u);
	tls_stub_stop(s);
}

static void test_tls_untrusted(void **state)
{
	struct fx *f = *state;
	struct tls_stub *s = stub(f, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	struct http_opts o;
	struct http_response r;
	struct secret pw = {0};
	char err[1024];
	secret_set(&pw, "hunter2", 7);
	http_opts_init(&o);                 /* no ca_file: system store only */
	o.auth = AUTH_BASIC;
	o.user = "u";
	o.password = &pw;
	char *u = url_of(s, "/certsrv/");
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_E_TLS);
	assert_non_null(strstr(err, "certificate verify failed for https://localhost:"));
	assert_non_null(strstr(err, "unable to get local issuer certificate"));
	assert_non_null(strstr(err, "import the CA root first (stage 1)"));
	assert_null(strstr(err, "hunter2"));
	assert_null(r.body);
	assert_int_equal(tls_stub_requests(s), 0);   /* nothing was sent */
	free(u);
	tls_stub_stop(s);
	secret_wipe(&pw);
}

static void test_tls_trust_store_dir(void **state)
{
	struct fx *f = *state;
	struct tls_stub *s = stub(f, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	/* a hashed directory holding the root, as stage 1 writes it */
	char *store = fs_join(f->dir, "trust");
	char err[1024];
	assert_int_equal(fs_mkdir_p(store, 0700, err, sizeof(err)), 0);
	FILE *fp = fopen(f->root, "r");
	X509 *root = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(root);
	char name[64];
	snprintf(name, sizeof(name), "%08lx.0", X509_subject_name_hash(root));
	char *link = fs_join(store, name);
	assert_int_equal(fs_copy_file(f->root, link, 0644, err, sizeof(err)), 0);
	X509_free(root);

	struct http_opts o;
	struct http_response r;
	http_opts_init(&o);
	o.ca_path = store;
	char *u = url_of(s, "/");
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_OK);
	assert_string_equal((char *)r.body, "ok");
	http_response_release(&r);
	free(u);
	free(link);
	free(store);
	tls_stub_stop(s);
}

static void test_refused_urls(void **state)
{
	(void)state;
	struct http_opts o;
	struct http_response r;
	char err[1024];
	http_opts_init(&o);
	assert_int_equal(http_get(&o, "http://127.0.0.1:1/certsrv/", NULL, &r, err,
				  sizeof(err)), HTTP_E_URL);
	assert_non_null(strstr(err, "plain http"));
	assert_int_equal(http_get(&o, "ftp://127.0.0.1/x", NULL, &r, err, sizeof(err)),
			 HTTP_E_URL);
	assert_non_null(strstr(err, "not an https:// URL"));
	assert_int_equal(http_get(&o, "https://bob:topsecret@127.0.0.1/", NULL, &r,
				  err, sizeof(err)), HTTP_E_URL);
	assert_null(strstr(err, "topsecret"));
	assert_non_null(strstr(err, "must not contain a user name or password"));
	assert_int_equal(http_get(&o, "https:///nohost", NULL, &r, err, sizeof(err)),
			 HTTP_E_URL);
	assert_int_equal(http_get(&o, "", NULL, &r, err, sizeof(err)), HTTP_E_URL);
	/* Basic never goes over plain http unless http was allowed */
	o.auth = AUTH_BASIC;
	assert_int_equal(http_get(&o, "http://127.0.0.1:1/", NULL, &r, err, sizeof(err)),
			 HTTP_E_URL);
}

static void test_body_cap(void **state)
{
	struct fx *f = *state;
	char *big = malloc(20000 + 200);
	assert_non_null(big);
	/* with Content-Length: refused before the body */
	int n = sprintf(big, "HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n");
	memset(big + n, 'x', 20000);
	big[n + 20000] = '\0';
	struct tls_stub *s = stub(f, big);
	struct http_opts o;
	struct http_response r;
	char err[1024];
	http_opts_init(&o);
	o.ca_file = f->root;
	o.body_cap = 1000;
	char *u = url_of(s, "/");
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_E_TOO_LARGE);
	assert_non_null(strstr(err, "larger than 1000 bytes"));
	tls_stub_stop(s);
	free(u);
	/* without Content-Length (read until close): cut by the write callback */
	n = sprintf(big, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
	memset(big + n, 'y', 20000);
	big[n + 20000] = '\0';
	s = stub(f, big);
	u = url_of(s, "/");
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_E_TOO_LARGE);
	/* and within the cap it is fine */
	o.body_cap = 30000;
	tls_stub_stop(s);
	s = stub(f, big);
	free(u);
	u = url_of(s, "/");
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_OK);
	assert_int_equal(r.body_len, 20000);
	http_response_release(&r);
	tls_stub_stop(s);
	free(u);
	free(big);
}

static void test_timeout(void **state)
{
	(void)state;
	struct tls_stub *s = tls_stub_start(TLS_STUB_SILENT, NULL, NULL, NULL, 0);
	assert_non_null(s);
	struct http_opts o;
	struct http_response r;
	char err[1024], u[128];
	http_opts_init(&o);
	o.connect_timeout_s = 1;
	o.timeout_s = 2;
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/certsrv/", tls_stub_port(s));
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_E_TIMEOUT);
	assert_non_null(strstr(err, "no answer from"));
	assert_non_null(strstr(err, u));
	assert_non_null(strstr(err, "try again"));
	tls_stub_stop(s);
}

struct cancel_ud {
	struct timespec start;
	int progress;
	int polls;
};

static int cancel_after_300ms(void *ud)
{
	struct cancel_ud *c = ud;
	struct timespec now;
	c->polls++;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - c->start.tv_sec) * 1000 +
		  (now.tv_nsec - c->start.tv_nsec) / 1000000;
	return ms >= 300;
}

static void count_progress(void *ud, const char *what, double f)
{
	struct cancel_ud *c = ud;
	(void)f;
	assert_non_null(strstr(what, "127.0.0.1"));
	c->progress++;
}

static void test_cancel(void **state)
{
	(void)state;
	struct tls_stub *s = tls_stub_start(TLS_STUB_SILENT, NULL, NULL, NULL, 0);
	assert_non_null(s);
	struct http_opts o;
	struct http_response r;
	char err[1024], u[128];
	struct cancel_ud c = {0};
	struct hooks h = {count_progress, cancel_after_300ms, NULL, &c};
	http_opts_init(&o);
	o.connect_timeout_s = 60;   /* cancellation, not the timeout, ends it */
	o.timeout_s = 60;
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/", tls_stub_port(s));
	clock_gettime(CLOCK_MONOTONIC, &c.start);
	assert_int_equal(http_post_form(&o, u, "a=b", &h, &r, err, sizeof(err)),
			 HTTP_E_CANCELLED);
	assert_non_null(strstr(err, "cancelled"));
	assert_true(c.polls >= 2);
	assert_true(c.progress >= 1);
	tls_stub_stop(s);
}

static void test_connect_refused(void **state)
{
	(void)state;
	/* a port nobody listens on: bind, read the port, close */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	socklen_t al = sizeof(a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	close(fd);
	char u[128], err[1024];
	struct http_opts o;
	struct http_response r;
	http_opts_init(&o);
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/", ntohs(a.sin_port));
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_E_CONNECT);
	assert_non_null(strstr(err, "cannot connect"));
}

static void test_not_http(void **state)
{
	struct fx *f = *state;
	struct tls_stub *s = stub(f, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
	struct http_opts o;
	struct http_response r;
	char err[1024];
	http_opts_init(&o);
	o.ca_file = f->root;
	char *u = url_of(s, "/");
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_E_PROTOCOL);
	assert_non_null(strstr(err, u));
	free(u);
	tls_stub_stop(s);
}


/* NTLM: type 1 -> a fixed type 2 challenge -> type 3, on one connection */
static char *ntlm_respond(const char *req, void *ud, size_t *outlen)
{
	static const unsigned char type2[48] = {
		'N', 'T', 'L', 'M', 'S', 'S', 'P', 0,
		2, 0, 0, 0,                     /* type 2 */
		0, 0, 0, 0, 48, 0, 0, 0,        /* target name: empty */
		0x01, 0x82, 0, 0,               /* unicode, NTLM, always sign */
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,  /* challenge */
		0, 0, 0, 0, 0, 0, 0, 0,         /* context */
		0, 0, 0, 0, 48, 0, 0, 0         /* target info: empty */
	};
	int *stage = ud;
	char *out = NULL;
	const char *a = strstr(req, "Authorization: NTLM ");
	if (!a) {
		out = strdup("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\n"
			     "Content-Length: 0\r\n\r\n");
	} else if (strncmp(a + 20, "TlRMTVNTUAAB", 12) == 0) {   /* type 1 */
		unsigned char b64[128];
		EVP_EncodeBlock(b64, type2, sizeof(type2));
		*stage |= 1;
		assert_true(asprintf(&out, "HTTP/1.1 401 Unauthorized\r\n"
				     "WWW-Authenticate: NTLM %s\r\nContent-Length: 0\r\n\r\n",
				     b64) > 0);
	} else if (strncmp(a + 20, "TlRMTVNTUAAD", 12) == 0) {   /* type 3 */
		*stage |= 2;
		out = strdup("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nntlm-ok");
	} else {
		out = strdup("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
	}
	*outlen = strlen(out);
	return out;
}

static void test_ntlm_handshake(void **state)
{
	struct fx *f = *state;
	char err[1024];
	if (!http_auth_supported(AUTH_NTLM, err, sizeof(err))) {
		/* the precise reason is the behaviour under test then */
		assert_non_null(strstr(err, "NTLM"));
		skip();
	}
	int stage = 0;
	struct tls_stub_opts so;
	memset(&so, 0, sizeof(so));
	so.cert = f->cert;
	so.key = f->key;
	so.respond = ntlm_respond;
	so.ud = &stage;
	struct tls_stub *s = tls_stub_start_opts(&so);
	assert_non_null(s);
	struct secret pw = {0};
	secret_set(&pw, "Passw0rd", 8);
	struct http_opts o;
	struct http_response r;
	http_opts_init(&o);
	o.ca_file = f->root;
	o.auth = AUTH_NTLM;
	o.user = "LAB\\agent";
	o.password = &pw;
	char *u = url_of(s, "/certsrv/");
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal((char *)r.body, "ntlm-ok");
	assert_int_equal(stage, 3);   /* type 1 and type 3 (MD4/DES) both sent */
	http_response_release(&r);
	free(u);
	tls_stub_stop(s);
	secret_wipe(&pw);
}

static void test_client_certificate(void **state)
{
	struct fx *f = *state;
	struct certgen_opts co;
	X509 *ca = NULL, *leaf = NULL;
	EVP_PKEY *cak = NULL, *lk = NULL;
	certgen_opts_ca(&co, "Client CA");
	assert_int_equal(certgen_make(&co, &ca, &cak), 0);
	certgen_opts_leaf(&co, "client.lab.test");
	co.issuer = ca;
	co.issuer_key = cak;
	assert_int_equal(certgen_make(&co, &leaf, &lk), 0);
	char *ca_pem = fs_join(f->dir, "client-ca.pem");
	char *cl_pem = fs_join(f->dir, "client.pem");
	char *cl_key = fs_join(f->dir, "client.key");
	assert_int_equal(certgen_write_pem(ca_pem, &ca, 1), 0);
	assert_int_equal(certgen_write_pem(cl_pem, &leaf, 1), 0);
	assert_int_equal(certgen_write_key(cl_key, lk), 0);

	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	struct tls_stub_opts so;
	memset(&so, 0, sizeof(so));
	so.cert = f->cert;
	so.key = f->key;
	so.response = ok;
	so.len = sizeof(ok) - 1;
	so.client_ca = ca_pem;
	struct tls_stub *s = tls_stub_start_opts(&so);
	assert_non_null(s);
	char *u = url_of(s, "/");
	struct http_opts o;
	struct http_response r;
	char err[1024];
	http_opts_init(&o);
	o.ca_file = f->root;
	o.auth = AUTH_CERT;
	o.client_cert = cl_pem;
	o.client_key = cl_key;
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_OK);
	assert_string_equal((char *)r.body, "ok");
	char *subj = tls_stub_client_subject(s);
	assert_non_null(subj);
	assert_non_null(strstr(subj, "CN=client.lab.test"));
	free(subj);
	http_response_release(&r);

	/* without the certificate the server refuses us */
	o.auth = AUTH_NONE;
	assert_int_not_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_OK);
	/* a missing certificate file is named */
	o.auth = AUTH_CERT;
	o.client_cert = "/nonexistent/client.pem";
	o.client_key = NULL;
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_E_TLS);
	assert_non_null(strstr(err, "/nonexistent/client.pem"));
	o.client_cert = NULL;
	assert_int_equal(http_get(&o, u, NULL, &r, err, sizeof(err)), HTTP_E_OTHER);
	assert_non_null(strstr(err, "ca.client_cert"));

	tls_stub_stop(s);
	free(u);
	free(ca_pem);
	free(cl_pem);
	free(cl_key);
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(lk);
}

static void test_urlencode(void **state)
{
	(void)state;
	char *e = http_urlencode("-----BEGIN X-----\r\nab+/=\r\nCertificateTemplate:Ops Mgr~._");
	assert_string_equal(e, "-----BEGIN%20X-----%0D%0Aab%2B%2F%3D%0D%0A"
			       "CertificateTemplate%3AOps%20Mgr~._");
	free(e);
	e = http_urlencode("\xc3\xa9");
	assert_string_equal(e, "%C3%A9");
	free(e);
	e = http_urlencode("");
	assert_string_equal(e, "");
	free(e);
}

static void test_auth_supported(void **state)
{
	(void)state;
	char err[512];
	curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
	assert_int_equal(http_auth_supported(AUTH_BASIC, err, sizeof(err)), 1);
	assert_int_equal(http_auth_supported(AUTH_NONE, err, sizeof(err)), 1);
	int neg = http_auth_supported(AUTH_NEGOTIATE, err, sizeof(err));
	assert_int_equal(neg, (vi->features & CURL_VERSION_GSSAPI) &&
				      (vi->features & CURL_VERSION_SPNEGO) ? 1 : 0);
	if (!neg)
		assert_non_null(strstr(err, "GSS-API"));
	int ntlm = http_auth_supported(AUTH_NTLM, err, sizeof(err));
	if (!ntlm)
		assert_true(strstr(err, "NTLM") != NULL);
	else
		assert_true(vi->features & CURL_VERSION_NTLM);
}

static void test_err_names(void **state)
{
	(void)state;
	assert_string_equal(http_err_name(HTTP_OK), "ok");
	assert_string_equal(http_err_name(HTTP_E_TLS), "TLS failure");
	assert_string_equal(http_err_name(HTTP_E_TIMEOUT), "timeout");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ntlm_without_legacy_provider),
		cmocka_unit_test(test_get_ok),
		cmocka_unit_test(test_post_basic_auth),
		cmocka_unit_test(test_401_schemes_collected),
		cmocka_unit_test(test_tls_untrusted),
		cmocka_unit_test(test_tls_trust_store_dir),
		cmocka_unit_test(test_refused_urls),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_not_http),
		cmocka_unit_test(test_ntlm_handshake),
		cmocka_unit_test(test_client_certificate),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_auth_supported),
		cmocka_unit_test(test_err_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
