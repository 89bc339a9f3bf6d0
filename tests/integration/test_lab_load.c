/*
 * test_lab_load.c - the lab under several clients at once: silent TCP
 * clients holding connections do not block others, parallel submissions
 * all get issued with distinct request IDs, and --delay-submit holds a
 * submission (the client's time-out fires) while other pages are still
 * served; one local client holding 520 idle connections (issue 18 item 6:
 * from 127.0.0.2, another address on loopback) no longer blocks a normal
 * request from 127.0.0.1 (the lab keeps a per-address connection limit),
 * which answers within its 2 s client time-out (10x under valgrind, 5x
 * under ASan; the time taken is printed); a request whose URL carries
 * %0a and ESC makes one lab.log line with those bytes escaped (item 7).
 * Behaviour only: no timing is asserted beyond client time-outs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certgen.h"
#include "lab_harness.h"

#define NPAR 12
#define NSILENT 20
#define NFLOOD 520
#define FLOOD_TIMEOUT_MS 2000L

static struct lab L;
static EVP_PKEY *key;

struct bufpair {
	char *buf;
	size_t len;
};

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	struct bufpair *b = ud;
	size_t add = sz * n;
	char *nb = realloc(b->buf, b->len + add + 1);

	if (!nb)
		return 0;
	memcpy(nb + b->len, p, add);
	b->len += add;
	nb[b->len] = '\0';
	b->buf = nb;
	return add;
}

/* GET or POST on the lab's CA with credentials; returns the curl code,
 * fills *status and *body (malloc'd). */
static CURLcode ca_call(const struct lab *l, const char *path,
			const char *post, long timeout_s, long *status,
			char **body)
{
	CURL *h = curl_easy_init();
	struct bufpair b = { NULL, 0 };
	char url[512], up[256];
	CURLcode rc;

	if (!h)
		return CURLE_FAILED_INIT;
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/certsrv/%s",
		 l->ca_port, path);
	snprintf(up, sizeof(up), "%s:%s", l->user, l->password);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, l->root_pem);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(h, CURLOPT_USERPWD, up);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (post)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
	rc = curl_easy_perform(h);
	*status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(h);
	*body = b.buf ? b.buf : strdup("");
	return rc;
}

static char *submit_form(const char *cn, const char *tmpl)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	BIO *b = BIO_new(BIO_s_mem());
	char attrib[128], *data, *pem, *e1, *e2, *form = NULL;
	long len;
	CURL *h = curl_easy_init();

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_REQ_set_subject_name(req, n);
	X509_REQ_set_pubkey(req, key);
	X509_REQ_sign(req, key, EVP_sha256());
	PEM_write_bio_X509_REQ(b, req);
	len = BIO_get_mem_data(b, &data);
	pem = strndup(data, (size_t)len);
	snprintf(attrib, sizeof(attrib), "CertificateTemplate:%s\r\n", tmpl);
	e1 = curl_easy_escape(h, pem, 0);
	e2 = curl_easy_escape(h, attrib, 0);
	if (asprintf(&form, "Mode=newreq&CertRequest=%s&CertAttrib=%s&"
		     "TargetStoreFlags=0&SaveCert=yes", e1, e2) < 0)
		form = NULL;
	curl_free(e1);
	curl_free(e2);
	curl_easy_cleanup(h);
	free(pem);
	BIO_free(b);
	X509_NAME_free(n);
	X509_REQ_free(req);
	return form;
}

static long issued_id(const char *page)
{
	regex_t re;
	regmatch_t m[2];
	long id = -1;

	if (regcomp(&re, "certnew.cer\\?ReqID=([0-9]+)&", REG_EXTENDED))
		return -1;
	if (regexec(&re, page, 2, m, 0) == 0)
		id = strtol(page + m[1].rm_so, NULL, 10);
	regfree(&re);
	return id;
}

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	key = certgen_key(CERTGEN_RSA, 2048, 0);   /* cached test key */
	memset(&L, 0, sizeof(L));
	return key ? lab_start(&L, NULL, NULL) : -1;
}

static int teardown(void **state)
{
	(void)state;
	lab_stop(&L);
	EVP_PKEY_free(key);
	certgen_cleanup();
	curl_global_cleanup();
	return 0;
}

static void test_silent_clients_do_not_block(void **state)
{
	int fds[NSILENT];
	struct sockaddr_in sin;

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)L.ca_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < NSILENT; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fds[i] >= 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&sin,
					 sizeof(sin)), 0);
		if (i % 2) /* half of them start a TLS record and stall */
			assert_int_equal(write(fds[i], "\x16\x03\x01", 3), 3);
	}
	for (int i = 0; i < 5; i++) {
		char *body = NULL;
		long st = 0;

		/* far below the lab's 15 s idle time-out */
		assert_int_equal(ca_call(&L, "certcarc.asp", NULL, 10, &st,
					 &body), CURLE_OK);
		assert_int_equal(st, 200);
		assert_non_null(strstr(body, "var nRenewals=0;"));
		free(body);
	}
	for (int i = 0; i < NSILENT; i++)
		close(fds[i]);
}

struct job {
	const struct lab *l;
	char *form;
	CURLcode rc;
	long status;
	long id;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	char *body = NULL;

	j->rc = ca_call(j->l, "certfnsh.asp", j->form, 60, &j->status, &body);
	j->id = issued_id(body);
	free(body);
	return NULL;
}

static void test_parallel_submissions(void **state)
{
	struct job jobs[NPAR];
	pthread_t th[NPAR];
	char cn[64], *out = NULL;

	(void)state;
	for (int i = 0; i < NPAR; i++) {
		snprintf(cn, sizeof(cn), "par%02d.lab.test", i);
		jobs[i].l = &L;
		jobs[i].form = submit_form(cn, "OpsMgr");
		assert_non_null(jobs[i].form);
	}
	for (int i = 0; i < NPAR; i++)
		assert_int_equal(pthread_create(&th[i], NULL, run_job,
						&jobs[i]), 0);
	for (int i = 0; i < NPAR; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NPAR; i++) {
		assert_int_equal(jobs[i].rc, CURLE_OK);
		assert_int_equal(jobs[i].status, 200);
		assert_true(jobs[i].id > 0);
		for (int k = 0; k < i; k++)
			assert_int_not_equal(jobs[i].id, jobs[k].id);
		free(jobs[i].form);
	}
	{
		const char *args[] = { "list", "--dir", L.dir, NULL };
		int n = 0;

		assert_int_equal(lab_cmd(args, &out), 0);
		for (char *p = out; (p = strstr(p, " issued OpsMgr par")); p++)
			n++;
		assert_int_equal(n, NPAR);
		free(out);
	}
}

/* How much slower than a plain build this process runs. */
static long slowness(void)
{
	const char *pre = getenv("LD_PRELOAD");

	if (pre && strstr(pre, "vgpreload"))
		return 10;
#if defined(__SANITIZE_ADDRESS__)
	return 5;
#else
	return 1;
#endif
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A TCP connection from 127.0.0.2 to port, connected (or -1). */
static int connect_from_other(int port)
{
	struct sockaddr_in src, dst;
	struct pollfd p;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f000002);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 &&
	     errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, 5000) != 1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Issue 18 item 6: 520 idle connections from one client. */
static void test_idle_flood(void **state)
{
	static int fds[NFLOOD];
	int n = 0, open_after = 0;
	long timeout = FLOOD_TIMEOUT_MS * slowness(), st = 0;
	char *body = NULL;
	CURL *h;
	CURLcode rc;
	char url[128];

	(void)state;
	for (int i = 0; i < NFLOOD; i++) {
		fds[i] = connect_from_other(L.ca_port);
		if (fds[i] >= 0)
			n++;
	}
	assert_int_equal(n, NFLOOD);
	usleep(300 * 1000);
	for (int i = 0; i < NFLOOD; i++) {
		char c;
		ssize_t r = recv(fds[i], &c, 1, MSG_DONTWAIT);

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			open_after++;   /* still held by the lab */
	}
	printf("  %d idle connections from 127.0.0.2, %d still open after "
	       "300 ms\n", NFLOOD, open_after);

	/* a normal request from 127.0.0.1 (the CRL: no credentials) */
	h = curl_easy_init();
	assert_non_null(h);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/certsrv/certcrl.crl",
		 L.ca_port);
	struct bufpair b = { NULL, 0 };
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, L.root_pem);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	long long t0 = mono_ms();
	rc = curl_easy_perform(h);
	long long took = mono_ms() - t0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
	curl_easy_cleanup(h);
	body = b.buf;
	printf("  a normal request from 127.0.0.1 answered %ld in %lld ms "
	       "(client time-out %ld ms): %s\n", st, took, timeout,
	       curl_easy_strerror(rc));
	assert_int_equal(rc, CURLE_OK);
	assert_int_equal(st, 200);
	free(body);
	for (int i = 0; i < NFLOOD; i++)
		close(fds[i]);
}

/* Hands curl 17 MiB of body, then stops. */
static size_t big_body(char *buf, size_t sz, size_t n, void *ud)
{
	size_t *left = ud, k = sz * n < *left ? sz * n : *left;

	memset(buf, 'a', k);
	*left -= k;
	return k;
}

/* Issue 18 item 7: a URL with %0a and ESC reaches the log escaped. */
static void test_log_line_not_forged(void **state)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hd = NULL;
	size_t left = 17u * 1024u * 1024u;
	char url[512], path[512];
	const char *forged = "2030-01-01T00:00:00Z opsmgr-enroll-lab: forged";

	(void)state;
	assert_non_null(h);
	/* a chunked body past the lab's 16 MiB cut-off: logged with the URL */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/certsrv/x%%0a"
		 "2030-01-01T00:00:00Z%%20opsmgr-enroll-lab:%%20forged%%1b[31m",
		 L.ca_port);
	hd = curl_slist_append(hd, "Transfer-Encoding: chunked");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, L.root_pem);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, big_body);
	curl_easy_setopt(h, CURLOPT_READDATA, &left);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	struct bufpair b = { NULL, 0 };
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	CURLcode rc = curl_easy_perform(h);
	printf("  17 MiB to a forged URL: %s\n", curl_easy_strerror(rc));
	curl_easy_cleanup(h);
	curl_slist_free_all(hd);
	free(b.buf);

	snprintf(path, sizeof(path), "%s/lab.log", L.dir);
	usleep(200 * 1000);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096];
	int hits = 0;
	while (fgets(line, sizeof(line), f)) {
		/* no line of its own, no raw ESC anywhere */
		assert_int_not_equal(strncmp(line, forged, strlen(forged)), 0);
		assert_null(strchr(line, '\x1b'));
		if (strstr(line, "cut off a request body") &&
		    strstr(line, "/certsrv/x\\x0a2030-01-01T00:00:00Z "
			   "opsmgr-enroll-lab: forged\\x1b[31m")) {
			printf("  logged: %s", line);
			hits++;
		}
	}
	fclose(f);
	assert_int_equal(hits, 1);
}

static void test_delay_submit(void **state)
{
	const char *extra[] = { "--delay-submit", "6", NULL };
	struct lab l2;
	struct job slow;
	pthread_t th;
	char *form = submit_form("slow01.lab.test", "OpsMgr");
	char *body = NULL;
	long st = 0;

	(void)state;
	memset(&l2, 0, sizeof(l2));
	assert_int_equal(lab_start(&l2, NULL, extra), 0);
	/* the client gives up before the lab answers */
	assert_int_equal(ca_call(&l2, "certfnsh.asp", form, 1, &st, &body),
			 CURLE_OPERATION_TIMEDOUT);
	free(body);
	/* a held submission does not hold other clients */
	slow.l = &l2;
	slow.form = form;
	assert_int_equal(pthread_create(&th, NULL, run_job, &slow), 0);
	assert_int_equal(ca_call(&l2, "certcarc.asp", NULL, 5, &st, &body),
			 CURLE_OK);
	assert_int_equal(st, 200);
	free(body);
	pthread_join(th, NULL);
	assert_int_equal(slow.rc, CURLE_OK);
	assert_true(slow.id > 0);
	free(form);
	lab_stop(&l2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_silent_clients_do_not_block),
		cmocka_unit_test(test_parallel_submissions),
		cmocka_unit_test(test_delay_submit),
		cmocka_unit_test(test_idle_flood),
		cmocka_unit_test(test_log_line_not_forged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
