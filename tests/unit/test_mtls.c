/*
 * test_mtls.c - the mutual TLS client (mtls.c) against a small OpenSSL
 * server running on a thread on 127.0.0.1 with certificates made by
 * certgen: a plain answer, a chunked answer, an answer over the size cap,
 * the client certificate really presented (the server requires and checks
 * it), a server name that does not match, a server we do not trust, a
 * server that never answers the handshake (time-out) and cancellation of
 * that wait, and an unusable key; the confirmed root as the only trust
 * (a CA dropped into the trust store vouches for nothing, a replaced
 * root file is refused); the HTTP text itself (mtls_http.c): the
 * request for GET and POST and an IPv6 host, and answers read piece by
 * piece (need more, Content-Length, chunked, cut short, not HTTP).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "certgen.h"
#include "core/fsutil.h"
#include "core/state.h"
#include "lab_harness.h"
#include "mgmt/mtls.h"
#include "mgmt/mtls_http.h"
#include "sys/netprobe.h"
#include "pki/x509util.h"

static char *dir;
static X509 *root, *other_root, *srv, *cli, *foreign_cli, *foreign_srv;
static EVP_PKEY *root_key, *other_key, *srv_key, *cli_key, *foreign_key,
	*foreign_srv_key;
static char *root_pem, *other_pem, *cli_pem, *cli_key_pem, *foreign_pem,
	*foreign_key_pem;

enum mode { M_PLAIN, M_CHUNKED, M_BIG, M_SILENT };

struct server {
	int lfd;
	int port;
	enum mode mode;
	pthread_t tid;
	X509 *cert;               /* the server's certificate, srv when NULL */
	EVP_PKEY *key;
	char peer_cn[128];        /* CN of the client certificate seen */
	int handshake_ok;
};

static char *path(const char *name)
{
	return fs_join(dir, name);
}

static int group_setup(void **state)
{
	(void)state;
	dir = test_mkdtemp("mtls-test-");
	struct certgen_opts o;
	certgen_opts_ca(&o, "mtls test root");
	if (certgen_make(&o, &root, &root_key))
		return -1;
	certgen_opts_ca(&o, "another root");
	o.key_slot = 2;   /* a key of its own, not the trusted root's */
	if (certgen_make(&o, &other_root, &other_key))
		return -1;
	certgen_opts_leaf(&o, "srv.test");
	o.issuer = root;
	o.issuer_key = root_key;
	if (certgen_make(&o, &srv, &srv_key))
		return -1;
	certgen_opts_leaf(&o, "client.test");
	o.issuer = root;
	o.issuer_key = root_key;
	o.key_slot = 1;   /* not the server's (slot 0) */
	if (certgen_make(&o, &cli, &cli_key))
		return -1;
	certgen_opts_leaf(&o, "intruder.test");
	o.issuer = other_root;
	o.issuer_key = other_key;
	if (certgen_make(&o, &foreign_cli, &foreign_key))
		return -1;
	/* a management server "srv.test" whose certificate another CA
	 * issued */
	certgen_opts_leaf(&o, "srv.test");
	o.issuer = other_root;
	o.issuer_key = other_key;
	o.key_slot = 3;
	if (certgen_make(&o, &foreign_srv, &foreign_srv_key))
		return -1;
	root_pem = path("root.pem");
	other_pem = path("other.pem");
	cli_pem = path("cli.pem");
	cli_key_pem = path("cli.key");
	foreign_pem = path("foreign.pem");
	foreign_key_pem = path("foreign.key");
	if (certgen_write_pem(root_pem, &root, 1) ||
	    certgen_write_pem(other_pem, &other_root, 1) ||
	    certgen_write_pem(cli_pem, &cli, 1) ||
	    certgen_write_key(cli_key_pem, cli_key) ||
	    certgen_write_pem(foreign_pem, &foreign_cli, 1) ||
	    certgen_write_key(foreign_key_pem, foreign_key))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	X509 *xs[] = { root, other_root, srv, cli, foreign_cli, foreign_srv };
	EVP_PKEY *ks[] = { root_key, other_key, srv_key, cli_key, foreign_key,
			   foreign_srv_key };
	for (size_t i = 0; i < 6; i++) {
		X509_free(xs[i]);
		EVP_PKEY_free(ks[i]);
	}
	free(root_pem);
	free(other_pem);
	free(cli_pem);
	free(cli_key_pem);
	free(foreign_pem);
	free(foreign_key_pem);
	test_rm_rf(dir);
	free(dir);
	certgen_cleanup();
	return 0;
}

static void write_all(SSL *ssl, const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		int w = SSL_write(ssl, s, (int)n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void *serve(void *arg)
{
	struct server *sv = arg;
	int fd = accept(sv->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (sv->mode == M_SILENT) {
		/* Accept TCP, never speak TLS; hold until the client goes. */
		char b[512];
		struct pollfd p = { .fd = fd, .events = POLLIN };
		while (poll(&p, 1, 10000) > 0 && read(fd, b, sizeof(b)) > 0)
			;
		close(fd);
		return NULL;
	}
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_use_certificate(ctx, sv->cert ? sv->cert : srv);
	SSL_CTX_use_PrivateKey(ctx, sv->key ? sv->key : srv_key);
	X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), root);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
				   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL *ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1) {
		sv->handshake_ok = 1;
		X509 *peer = SSL_get1_peer_certificate(ssl);
		if (peer) {
			char *cn = x509_subject_cn(peer);
			snprintf(sv->peer_cn, sizeof(sv->peer_cn), "%s",
				 cn ? cn : "");
			free(cn);
			X509_free(peer);
		}
		char req[4096];
		size_t len = 0;
		while (len < sizeof(req) - 1) {
			int r = SSL_read(ssl, req + len,
					 (int)(sizeof(req) - 1 - len));
			if (r <= 0)
				break;
			len += (size_t)r;
			req[len] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		if (sv->mode == M_PLAIN) {
			write_all(ssl, "HTTP/1.1 200 OK\r\nContent-Type: "
				       "application/json\r\nContent-Length: "
				       "19\r\n\r\n{\"state\":\"pending\"}");
		} else if (sv->mode == M_CHUNKED) {
			write_all(ssl, "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
				       "chunked\r\n\r\n7\r\n{\"state\r\n"
				       "D\r\n\":\"approved\"}\r\n0\r\n\r\n");
		} else {
			write_all(ssl, "HTTP/1.1 200 OK\r\nContent-Length: "
				       "100000\r\n\r\n");
			char chunk[1001];
			memset(chunk, 'x', 1000);
			chunk[1000] = '\0';
			/* Stops when the client hangs up (EPIPE, SIGPIPE
			 * ignored in main). */
			for (int i = 0; i < 100; i++)
				write_all(ssl, chunk);
		}
		SSL_shutdown(ssl);
	} else {
		/* refused: OpenSSL sent its alert; close gently (stop
		 * writing, read until the client goes) so no TCP reset
		 * makes the client drop the alert unread */
		char b[512];
		struct pollfd p = { .fd = fd, .events = POLLIN };
		shutdown(fd, SHUT_WR);
		while (poll(&p, 1, 2000) > 0 && read(fd, b, sizeof(b)) > 0)
			;
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	ERR_clear_error();
	return NULL;
}

/* A server presenting cert/key (srv when NULL). */
static void server_start_as(struct server *sv, enum mode m, X509 *cert,
			    EVP_PKEY *key)
{
	memset(sv, 0, sizeof(*sv));
	sv->mode = m;
	sv->cert = cert;
	sv->key = key;
	sv->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(sv->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(sv->lfd, 4), 0);
	socklen_t sl = sizeof(sa);
	getsockname(sv->lfd, (struct sockaddr *)&sa, &sl);
	sv->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&sv->tid, NULL, serve, sv), 0);
}

static void server_start(struct server *sv, enum mode m)
{
	server_start_as(sv, m, NULL, NULL);
}

static void server_stop(struct server *sv)
{
	pthread_join(sv->tid, NULL);
	close(sv->lfd);
}

static void opts(struct mtls_opts *o, const struct server *sv,
		 const char *host)
{
	memset(o, 0, sizeof(*o));
	o->host = host;
	o->port = sv->port;
	o->cert_path = cli_pem;
	o->key_path = cli_key_pem;
	o->ca_file = root_pem;
	o->timeout_ms = 5000;
}

/* Connect ourselves to 127.0.0.1 and hand the socket over, so the name
 * "srv.test" (no DNS entry) can be verified. */
static int connect_fd(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void test_plain_answer(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, M_PLAIN);
	struct mtls_opts o;
	opts(&o, &sv, "srv.test");
	struct mtls_response r;
	char err[512];
	enum mtls_err e = mtls_request(&o, connect_fd(sv.port), "GET",
				       "/opsmgr/v1/status", NULL, NULL, &r,
				       err, sizeof(err));
	if (e != MTLS_OK)
		fprintf(stderr, "mtls: %s\n", err);
	assert_int_equal(e, MTLS_OK);
	server_stop(&sv);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 19);
	assert_string_equal(r.body, "{\"state\":\"pending\"}");
	assert_non_null(strstr(r.peer_subject, "srv.test"));
	assert_true(sv.handshake_ok);
	assert_string_equal(sv.peer_cn, "client.test");
	mtls_response_release(&r);
}

static void test_chunked_answer(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, M_CHUNKED);
	struct mtls_opts o;
	opts(&o, &sv, "srv.test");
	struct mtls_response r;
	char err[512];
	assert_int_equal(mtls_request(&o, connect_fd(sv.port), "GET", "/",
				      NULL, NULL, &r, err, sizeof(err)),
			 MTLS_OK);
	server_stop(&sv);
	assert_string_equal(r.body, "{\"state\":\"approved\"}");
	mtls_response_release(&r);
}

/* A trust store as stage 1 leaves it (root.pem, the confirmed root) plus
 * a second, unrelated CA dropped into it; st records the confirmed root. */
static char *store_with_dropped_ca(struct state *st)
{
	char err[512];
	char *td = path("store-dropped");
	assert_int_equal(fs_mkdir_p(td, 0700, err, sizeof(err)), 0);
	char *rp = fs_join(td, "root.pem");
	char *dp = fs_join(td, "dropped.pem");
	assert_int_equal(fs_copy_file(root_pem, rp, 0644, err, sizeof(err)), 0);
	assert_int_equal(fs_copy_file(other_pem, dp, 0644, err, sizeof(err)), 0);
	char *fp = x509_fingerprint(root, EVP_sha256());
	state_init(st);
	state_set_str(&st->root_path, rp);
	state_set_str(&st->root_sha256, fp);
	free(fp);
	free(rp);
	free(dp);
	return td;
}

/* Issue 18 item 4: mutual TLS trusts the confirmed root only.  A CA dropped
 * into the trust store does not make a management server with a
 * certificate from that CA trusted (before, every file of the store was a
 * trust anchor and this handshake succeeded); the confirmed root still
 * verifies the real server. */
static void test_dropped_ca_not_trusted(void **state)
{
	struct state st;
	char *td = store_with_dropped_ca(&st);
	struct server sv;
	server_start_as(&sv, M_PLAIN, foreign_srv, foreign_srv_key);
	struct mtls_opts o;
	opts(&o, &sv, "srv.test");
	/* as stage 7 sets them up: the recorded root, and the store */
	mtls_trust_confirmed_root(&o, &st);
	o.ca_dir = td;
	assert_string_equal(o.ca_file, st.root_path);
	assert_string_equal(o.root_sha256, st.root_sha256);
	struct mtls_response r;
	char err[512];
	enum mtls_err e = mtls_request(&o, connect_fd(sv.port), "GET", "/",
				       NULL, NULL, &r, err, sizeof(err));
	server_stop(&sv);
	assert_int_equal(e, MTLS_E_SERVER_UNTRUSTED);
	assert_non_null(strstr(err, "do not trust the server"));
	assert_null(r.body);

	/* the same options reach the server the confirmed root issued */
	server_start(&sv, M_PLAIN);
	o.port = sv.port;
	e = mtls_request(&o, connect_fd(sv.port), "GET", "/", NULL, NULL, &r,
			 err, sizeof(err));
	server_stop(&sv);
	assert_int_equal(e, MTLS_OK);
	mtls_response_release(&r);

	/* the store alone, without a confirmed root, trusts nothing */
	o.ca_file = NULL;
	assert_int_equal(mtls_request(&o, -1, "GET", "/", NULL, NULL, &r, err,
				      sizeof(err)),
			 MTLS_E_CONFIG);
	assert_non_null(strstr(err, "no confirmed root"));
	assert_non_null(strstr(err, td));
	state_release(&st);
	free(td);
}

/* The recorded root's file holding another root (the dropped CA copied over
 * it): its fingerprint is not the recorded one, so nothing is trusted. */
static void test_confirmed_root_replaced(void **state)
{
	struct state st;
	char *td = store_with_dropped_ca(&st);
	char err[512];
	assert_int_equal(fs_copy_file(other_pem, st.root_path, 0644, err,
				      sizeof(err)), 0);
	struct server sv = { .port = 1 };
	struct mtls_opts o;
	opts(&o, &sv, "srv.test");
	mtls_trust_confirmed_root(&o, &st);
	struct mtls_response r;
	assert_int_equal(mtls_request(&o, -1, "GET", "/", NULL, NULL, &r, err,
				      sizeof(err)),
			 MTLS_E_CONFIG);
	assert_non_null(strstr(err, "does not hold the root confirmed"));
	assert_non_null(strstr(err, st.root_sha256));
	/* no state: no root */
	mtls_trust_confirmed_root(&o, NULL);
	assert_null(o.ca_file);
	assert_null(o.root_sha256);
	state_release(&st);
	free(td);
}

static void test_too_large(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, M_BIG);
	struct mtls_opts o;
	opts(&o, &sv, "srv.test");
	o.body_cap = 100;
	struct mtls_response r;
	char err[512];
	enum mtls_err e = mtls_request(&o, connect_fd(sv.port), "GET", "/",
				       NULL, NULL, &r, err, sizeof(err));
	server_stop(&sv);
	/* 100 kB is more than the cap (100 bytes + room for headers). */
	assert_int_equal(e, MTLS_E_TOO_LARGE);
	assert_non_null(strstr(err, "larger than"));
	assert_null(r.body);
}

static void test_name_mismatch(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, M_PLAIN);
	struct mtls_opts o;
	opts(&o, &sv, "127.0.0.1");   /* the certificate names srv.test */
	struct mtls_response r;
	char err[512];
	assert_int_equal(mtls_request(&o, -1, "GET", "/", NULL, NULL, &r, err,
				      sizeof(err)),
			 MTLS_E_NAME_MISMATCH);
	server_stop(&sv);
	assert_non_null(strstr(err, "127.0.0.1"));
	assert_null(r.body);
	assert_null(r.peer_subject);
}

static void test_server_untrusted(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, M_PLAIN);
	struct mtls_opts o;
	opts(&o, &sv, "srv.test");
	o.ca_file = other_pem;
	struct mtls_response r;
	char err[512];
	assert_int_equal(mtls_request(&o, connect_fd(sv.port), "GET", "/",
				      NULL, NULL, &r, err, sizeof(err)),
			 MTLS_E_SERVER_UNTRUSTED);
	server_stop(&sv);
	assert_non_null(strstr(err, "do not trust"));
}

static void test_client_refused(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, M_PLAIN);
	struct mtls_opts o;
	opts(&o, &sv, "srv.test");
	o.cert_path = foreign_pem;
	o.key_path = foreign_key_pem;
	struct mtls_response r;
	char err[512];
	enum mtls_err e = mtls_request(&o, connect_fd(sv.port), "GET", "/",
				       NULL, NULL, &r, err, sizeof(err));
	/* OpenSSL's server says why: alert unknown_ca, its own outcome */
	if (e != MTLS_E_CLIENT_UNTRUSTED)
		fprintf(stderr, "mtls: %s\n", err);
	assert_int_equal(e, MTLS_E_CLIENT_UNTRUSTED);
	server_stop(&sv);
	assert_false(sv.handshake_ok);
	assert_non_null(strstr(err, "refused our certificate with TLS alert "
			       "unknown_ca: the server does not trust the CA"));
}

static void test_silent_server_timeout(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, M_SILENT);
	struct mtls_opts o;
	opts(&o, &sv, "srv.test");
	o.timeout_ms = 400;
	struct mtls_response r;
	char err[512];
	long long t0 = netprobe_now_ms();
	enum mtls_err e = mtls_request(&o, connect_fd(sv.port), "GET", "/",
				       NULL, NULL, &r, err, sizeof(err));
	if (e != MTLS_E_TIMEOUT)
		fprintf(stderr, "mtls: %s\n", err);
	assert_int_equal(e, MTLS_E_TIMEOUT);
	assert_true(netprobe_now_ms() - t0 >= 400);
	server_stop(&sv);
	assert_non_null(strstr(err, "400 ms"));
}

static int cancel_soon(void *ud)
{
	return netprobe_now_ms() >= *(long long *)ud;
}

static void test_silent_server_cancel(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, M_SILENT);
	struct mtls_opts o;
	opts(&o, &sv, "srv.test");
	o.timeout_ms = 20000;
	long long at = netprobe_now_ms() + 300;
	struct hooks h = { .cancelled = cancel_soon, .ud = &at };
	struct mtls_response r;
	char err[512];
	assert_int_equal(mtls_request(&o, connect_fd(sv.port), "GET", "/",
				      NULL, &h, &r, err, sizeof(err)),
			 MTLS_E_CANCELLED);
	assert_true(netprobe_now_ms() - at < 5000);
	server_stop(&sv);
}

static void test_bad_key(void **state)
{
	(void)state;
	struct mtls_opts o;
	struct server sv = { .port = 1 };
	opts(&o, &sv, "srv.test");
	o.key_path = foreign_key_pem;   /* not the key of cli.pem */
	struct mtls_response r;
	char err[512];
	assert_int_equal(mtls_request(&o, -1, "GET", "/", NULL, NULL, &r, err,
				      sizeof(err)),
			 MTLS_E_CONFIG);
	assert_non_null(strstr(err, "does not belong"));
	o.key_path = cli_key_pem;
	o.ca_file = NULL;
	o.ca_dir = "/nonexistent-trust-dir";
	assert_int_equal(mtls_request(&o, -1, "GET", "/", NULL, NULL, &r, err,
				      sizeof(err)),
			 MTLS_E_CONFIG);
	assert_non_null(strstr(err, "no confirmed root"));
}

static void test_request_text(void **state)
{
	struct mtls_opts o = { .host = "ms.example.test", .port = 5723 };
	char *req = NULL;
	int n = mtls_request_text(o.host, o.port, "GET", "/x", NULL, &req);
	assert_string_equal(req,
			    "GET /x HTTP/1.1\r\nHost: ms.example.test:5723\r\n"
			    "User-Agent: opsmgr-enroll\r\n"
			    "Accept: application/json\r\n"
			    "Connection: close\r\n\r\n");
	assert_int_equal(n, (int)strlen(req));
	free(req);
	o.host = "::1";
	n = mtls_request_text(o.host, o.port, "POST", "/y", "a=1&b=2", &req);
	assert_string_equal(req,
			    "POST /y HTTP/1.1\r\nHost: [::1]:5723\r\n"
			    "User-Agent: opsmgr-enroll\r\n"
			    "Accept: application/json\r\n"
			    "Content-Type: application/x-www-form-urlencoded\r\n"
			    "Content-Length: 7\r\n"
			    "Connection: close\r\n\r\na=1&b=2");
	assert_int_equal(n, (int)strlen(req));
	free(req);
}

static enum mtls_err parse(const char *text, int eof,
			   struct mtls_response *r, int *more)
{
	char buf[256], err[128];
	snprintf(buf, sizeof(buf), "%s", text);
	memset(r, 0, sizeof(*r));
	return mtls_parse_answer(buf, strlen(buf), eof, r, err, sizeof(err),
				 more);
}

static void test_parse_answer(void **state)
{
	struct mtls_response r;
	int more = 0;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Le", 0, &r, &more),
			 MTLS_OK);
	assert_int_equal(more, 1);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
			       0, &r, &more), MTLS_OK);
	assert_int_equal(more, 1);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
			       1, &r, &more), MTLS_E_PROTOCOL);
	assert_int_equal(parse("HTTP/1.1 202 OK\r\nContent-Length: 2\r\n\r\nokjunk",
			       0, &r, &more), MTLS_OK);
	assert_int_equal(more, 0);
	assert_int_equal(r.status, 202);
	assert_string_equal(r.body, "ok");
	mtls_response_release(&r);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
			       "\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
			       0, &r, &more), MTLS_OK);
	assert_int_equal(more, 0);
	assert_string_equal(r.body, "abcde");
	assert_int_equal(r.body_len, 5);
	mtls_response_release(&r);
	assert_int_equal(parse("SSH-2.0-OpenSSH\r\n\r\n", 1, &r, &more),
			 MTLS_E_PROTOCOL);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);   /* the test server's writes */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_answer),
		cmocka_unit_test(test_chunked_answer),
		cmocka_unit_test(test_dropped_ca_not_trusted),
		cmocka_unit_test(test_confirmed_root_replaced),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_name_mismatch),
		cmocka_unit_test(test_server_untrusted),
		cmocka_unit_test(test_client_refused),
		cmocka_unit_test(test_silent_server_timeout),
		cmocka_unit_test(test_silent_server_cancel),
		cmocka_unit_test(test_bad_key),
		cmocka_unit_test(test_request_text),
		cmocka_unit_test(test_parse_answer),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
