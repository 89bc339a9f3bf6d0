/*
 * test_load_lab.c - one lab under load: 200 agents polling approval
 * (mutual TLS GET /opsmgr/v1/status, each with its own certificate issued
 * by the lab root, --auto-approve 2 so every agent sees "pending" first)
 * and, at the same time, 100 enrollments (POST certfnsh.asp newreq, then
 * GET certnew.cer) from threads with libcurl.  Every agent must end
 * approved, every enrollment must get a certificate for its own name with
 * a distinct request ID, the lab's state must list them all, and the
 * lab's memory must stay bounded: VmRSS/VmHWM of the lab process are read
 * from /proc before and after, and a second round of enrollments must not
 * grow it much further (no per-request leak).  Throughput is printed, not
 * asserted.  Under AddressSanitizer the numbers are scaled down (50
 * agents, 25 enrollments) to stay well inside a minute.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certgen.h"
#include "lab_harness.h"
#include "run_capture.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define AGENTS (UNDER_ASAN ? 50 : 200)
#define ENROLLS (UNDER_ASAN ? 25 : 100)
#define AUTO_APPROVE_S "2"
#define POLL_MS 250
#define DEADLINE_S 50          /* per client: give up (and fail) after */
/* Memory bounds for the lab process (kB).  ASan keeps freed memory in
 * quarantine (256 MB by default) and shadow memory on top. */
#define HWM_BOUND_KB (UNDER_ASAN ? 1200L * 1024 : 256L * 1024)
#define ROUND2_GROWTH_KB (UNDER_ASAN ? 400L * 1024 : 24L * 1024)

static struct lab L;
static char *work;
static char *agent_key;          /* one key file shared by the agents */
static char *csr_form[2][100];   /* urlencoded newreq forms per round */
static pthread_barrier_t go;

struct body {
	char *buf;
	size_t len;
};

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	struct body *b = ud;
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

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* VmRSS and VmHWM (kB) of pid. */
static void lab_memory(pid_t pid, long *rss, long *hwm)
{
	char path[64], *text;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	text = test_read_file(path);
	assert_non_null(text);
	char *p = strstr(text, "VmRSS:");
	char *q = strstr(text, "VmHWM:");
	assert_non_null(p);
	assert_non_null(q);
	*rss = strtol(p + 6, NULL, 10);
	*hwm = strtol(q + 6, NULL, 10);
	free(text);
}

/* ---- agents ------------------------------------------------------- */

struct agent {
	int n;
	char fqdn[64];
	char cert[512];
	int approved;
	int saw_pending;
	int requests;
	char err[256];
};

static void *agent_main(void *arg)
{
	struct agent *a = arg;
	char url[128];
	CURL *h = curl_easy_init();
	long long end;

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/opsmgr/v1/status",
		 L.ms_port);
	pthread_barrier_wait(&go);
	end = now_ms() + DEADLINE_S * 1000LL;
	if (!h) {
		snprintf(a->err, sizeof(a->err), "no curl handle");
		return NULL;
	}
	/* one handle per agent: the connection is kept between polls */
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, L.root_pem);
	curl_easy_setopt(h, CURLOPT_SSLCERT, a->cert);
	curl_easy_setopt(h, CURLOPT_SSLKEY, agent_key);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	while (now_ms() < end) {
		struct body b = { NULL, 0 };
		long status = 0;
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
		CURLcode rc = curl_easy_perform(h);
		a->requests++;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (rc != CURLE_OK || status != 200 || !b.buf) {
			snprintf(a->err, sizeof(a->err), "%s, HTTP %ld: %.100s",
				 curl_easy_strerror(rc), status,
				 b.buf ? b.buf : "");
			free(b.buf);
			break;
		}
		char want[96];
		snprintf(want, sizeof(want), "\"agent\":\"%s\"", a->fqdn);
		if (!strstr(b.buf, want)) {
			snprintf(a->err, sizeof(a->err), "answer for someone else: %.150s",
				 b.buf);
			free(b.buf);
			break;
		}
		if (strstr(b.buf, "\"state\":\"pending\""))
			a->saw_pending = 1;
		int done = strstr(b.buf, "\"state\":\"approved\"") != NULL;
		free(b.buf);
		if (done) {
			a->approved = 1;
			break;
		}
		sleep_ms(POLL_MS);
	}
	if (!a->approved && !a->err[0])
		snprintf(a->err, sizeof(a->err), "not approved within %d s",
			 DEADLINE_S);
	curl_easy_cleanup(h);
	return NULL;
}

/* ---- enrollments --------------------------------------------------- */

struct enroll {
	int n, round;
	char fqdn[64];
	long id;
	int ok;
	char err[256];
};

static CURLcode ca_call(CURL *h, const char *path, const char *post,
			long *status, struct body *b)
{
	char url[512], up[256];
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/certsrv/%s", L.ca_port,
		 path);
	snprintf(up, sizeof(up), "%s:%s", L.user, L.password);
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, L.root_pem);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 40L);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(h, CURLOPT_USERPWD, up);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	if (post)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
	CURLcode rc = curl_easy_perform(h);
	*status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	return rc;
}

static long issued_id(const char *page)
{
	regex_t re;
	regmatch_t m[2];
	long id = -1;
	if (regcomp(&re, "certnew\\.cer\\?ReqID=([0-9]+)&", REG_EXTENDED))
		return -1;
	if (regexec(&re, page, 2, m, 0) == 0)
		id = strtol(page + m[1].rm_so, NULL, 10);
	regfree(&re);
	return id;
}

static void *enroll_main(void *arg)
{
	struct enroll *e = arg;
	CURL *h = curl_easy_init();
	struct body b = { NULL, 0 };
	long status;
	char path[128];

	pthread_barrier_wait(&go);
	if (!h) {
		snprintf(e->err, sizeof(e->err), "no curl handle");
		return NULL;
	}
	CURLcode rc = ca_call(h, "certfnsh.asp", csr_form[e->round][e->n],
			      &status, &b);
	if (rc != CURLE_OK || status != 200 || !b.buf ||
	    (e->id = issued_id(b.buf)) <= 0) {
		snprintf(e->err, sizeof(e->err), "submit: %s, HTTP %ld: %.120s",
			 curl_easy_strerror(rc), status, b.buf ? b.buf : "");
		goto out;
	}
	free(b.buf);
	b.buf = NULL;
	b.len = 0;
	snprintf(path, sizeof(path), "certnew.cer?ReqID=%ld&Enc=b64", e->id);
	rc = ca_call(h, path, NULL, &status, &b);
	if (rc != CURLE_OK || status != 200 || !b.buf) {
		snprintf(e->err, sizeof(e->err), "retrieve %ld: %s, HTTP %ld",
			 e->id, curl_easy_strerror(rc), status);
		goto out;
	}
	BIO *bio = BIO_new_mem_buf(b.buf, (int)b.len);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	char cn[128] = "";
	if (x)
		X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
					  cn, sizeof(cn));
	X509_free(x);
	if (strcmp(cn, e->fqdn) != 0) {
		snprintf(e->err, sizeof(e->err),
			 "request %ld: certificate for '%s', wanted '%s'", e->id,
			 cn, e->fqdn);
		goto out;
	}
	e->ok = 1;
out:
	free(b.buf);
	curl_easy_cleanup(h);
	return NULL;
}

/* ---- setup --------------------------------------------------------- */

static char *make_form(CURL *h, EVP_PKEY *k, const char *cn)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *pem, *e1, *form = NULL;
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_REQ_set_subject_name(req, n);
	X509_REQ_set_pubkey(req, k);
	X509_REQ_sign(req, k, EVP_sha256());
	PEM_write_bio_X509_REQ(b, req);
	long len = BIO_get_mem_data(b, &data);
	pem = strndup(data, (size_t)len);
	e1 = curl_easy_escape(h, pem, 0);
	if (asprintf(&form, "Mode=newreq&CertRequest=%s&CertAttrib="
		     "CertificateTemplate%%3AOpsMgr&TargetStoreFlags=0&SaveCert=yes",
		     e1) < 0)
		form = NULL;
	curl_free(e1);
	free(pem);
	BIO_free(b);
	X509_NAME_free(n);
	X509_REQ_free(req);
	return form;
}

static int group_setup(void **st)
{
	(void)st;
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return -1;
	const char *extra[] = { "--auto-approve", AUTO_APPROVE_S, NULL };
	if (lab_start(&L, NULL, extra) != 0)
		return -1;
	work = test_mkdtemp("load");
	if (!work)
		return -1;
	/* CSRs for both rounds, one shared request key (the lab signs each) */
	EVP_PKEY *k = certgen_key(CERTGEN_RSA, 2048, 1);   /* not the agents' */
	CURL *h = curl_easy_init();
	if (!k || !h)
		return -1;
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < ENROLLS; i++) {
			char cn[64];
			snprintf(cn, sizeof(cn), "enroll%03d-r%d.load.test", i, r);
			csr_form[r][i] = make_form(h, k, cn);
			if (!csr_form[r][i])
				return -1;
		}
	curl_easy_cleanup(h);
	EVP_PKEY_free(k);
	return 0;
}

static int group_teardown(void **st)
{
	(void)st;
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < ENROLLS; i++)
			free(csr_form[r][i]);
	free(agent_key);
	if (work) {
		test_rm_rf(work);
		free(work);
	}
	lab_stop(&L);
	certgen_cleanup();
	curl_global_cleanup();
	return 0;
}

/* Agent certificates issued with the lab root key (lab/PROTOCOL.md:
 * DIR/ca/root.key), Client Authentication, one per agent. */
static void make_agent_certs(struct agent *ag, int n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/ca/root.key", L.dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	EVP_PKEY *rk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	f = fopen(L.root_pem, "r");
	assert_non_null(f);
	X509 *root = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(rk);
	assert_non_null(root);
	EVP_PKEY *key = NULL;
	for (int i = 0; i < n; i++) {
		struct certgen_opts o;
		X509 *x = NULL;
		EVP_PKEY *k = NULL;
		ag[i].n = i;
		snprintf(ag[i].fqdn, sizeof(ag[i].fqdn), "agent%03d.load.test", i);
		certgen_opts_leaf(&o, ag[i].fqdn);
		o.issuer = root;
		o.issuer_key = rk;
		o.key = key;          /* NULL the first time: cached key */
		assert_int_equal(certgen_make(&o, &x, &k), 0);
		snprintf(ag[i].cert, sizeof(ag[i].cert), "%s/agent%03d.pem", work, i);
		assert_int_equal(certgen_write_pem(ag[i].cert, &x, 1), 0);
		if (!key) {
			key = k;
			agent_key = malloc(strlen(work) + 16);
			sprintf(agent_key, "%s/agents.key", work);
			assert_int_equal(certgen_write_key(agent_key, key), 0);
		} else {
			EVP_PKEY_free(k);
		}
		X509_free(x);
	}
	EVP_PKEY_free(key);
	EVP_PKEY_free(rk);
	X509_free(root);
}

static void count_list(int *requests, int *approved)
{
	char *out = NULL;
	const char *args[] = { "list", "--dir", L.dir, NULL };
	assert_int_equal(lab_cmd(args, &out), 0);
	*requests = *approved = 0;
	for (char *p = out; p && *p; ) {
		char *nl = strchr(p, '\n');
		if (!strncmp(p, "request ", 8) && strstr(p, " issued ") &&
		    (!nl || strstr(p, " issued ") < nl))
			(*requests)++;
		if (!strncmp(p, "agent ", 6) && strstr(p, " approved ") &&
		    (!nl || strstr(p, " approved ") < nl))
			(*approved)++;
		p = nl ? nl + 1 : NULL;
	}
	free(out);
}

static int run_enrollments(struct enroll *en, int round, pthread_t *th)
{
	for (int i = 0; i < ENROLLS; i++) {
		en[i].n = i;
		en[i].round = round;
		snprintf(en[i].fqdn, sizeof(en[i].fqdn), "enroll%03d-r%d.load.test",
			 i, round);
		if (pthread_create(&th[i], NULL, enroll_main, &en[i]) != 0)
			return -1;
	}
	return 0;
}

static int check_enrollments(struct enroll *en)
{
	int ok = 0;
	for (int i = 0; i < ENROLLS; i++) {
		if (en[i].ok)
			ok++;
		else
			fprintf(stderr, "enrollment %d: %s\n", i, en[i].err);
		for (int j = 0; j < i; j++)
			if (en[i].ok && en[j].ok && en[i].id == en[j].id)
				fail_msg("enrollments %d and %d got request ID %ld", i,
					 j, en[i].id);
	}
	return ok;
}

static void test_agents_and_enrollments(void **st)
{
	(void)st;
	static struct agent ag[200];
	static struct enroll en[100], en2[100];
	pthread_t ath[200], eth[100];
	long rss0, hwm0, rss1, hwm1, rss2, hwm2;

	make_agent_certs(ag, AGENTS);
	lab_memory(L.pid, &rss0, &hwm0);

	/* round 1: every agent and every enrollment at once */
	assert_int_equal(pthread_barrier_init(&go, NULL, AGENTS + ENROLLS + 1), 0);
	for (int i = 0; i < AGENTS; i++)
		assert_int_equal(pthread_create(&ath[i], NULL, agent_main, &ag[i]), 0);
	assert_int_equal(run_enrollments(en, 0, eth), 0);
	long long t0 = now_ms();
	pthread_barrier_wait(&go);
	for (int i = 0; i < ENROLLS; i++)
		pthread_join(eth[i], NULL);
	long long t_enroll = now_ms() - t0;
	for (int i = 0; i < AGENTS; i++)
		pthread_join(ath[i], NULL);
	long long t_all = now_ms() - t0;
	pthread_barrier_destroy(&go);
	lab_memory(L.pid, &rss1, &hwm1);

	int approved = 0, pending_seen = 0, polls = 0;
	for (int i = 0; i < AGENTS; i++) {
		polls += ag[i].requests;
		pending_seen += ag[i].saw_pending;
		if (ag[i].approved)
			approved++;
		else
			fprintf(stderr, "agent %s: %s\n", ag[i].fqdn, ag[i].err);
	}
	int enrolled = check_enrollments(en);

	/* round 2: enrollments only; the lab must not keep growing */
	assert_int_equal(pthread_barrier_init(&go, NULL, ENROLLS + 1), 0);
	assert_int_equal(run_enrollments(en2, 1, eth), 0);
	long long t1 = now_ms();
	pthread_barrier_wait(&go);
	for (int i = 0; i < ENROLLS; i++)
		pthread_join(eth[i], NULL);
	long long t_enroll2 = now_ms() - t1;
	pthread_barrier_destroy(&go);
	int enrolled2 = check_enrollments(en2);
	lab_memory(L.pid, &rss2, &hwm2);

	int listed_issued = 0, listed_approved = 0;
	count_list(&listed_issued, &listed_approved);

	printf("load: %d/%d agents approved (%d saw pending first), %d status "
	       "polls in %.2f s = %.0f polls/s\n",
	       approved, AGENTS, pending_seen, polls, (double)t_all / 1000.0,
	       polls * 1000.0 / (double)(t_all ? t_all : 1));
	printf("load: %d/%d enrollments alongside the agents in %.2f s = %.1f "
	       "enrollments/s; %d/%d alone in %.2f s = %.1f enrollments/s\n",
	       enrolled, ENROLLS, (double)t_enroll / 1000.0,
	       enrolled * 1000.0 / (double)(t_enroll ? t_enroll : 1), enrolled2,
	       ENROLLS, (double)t_enroll2 / 1000.0,
	       enrolled2 * 1000.0 / (double)(t_enroll2 ? t_enroll2 : 1));
	printf("load: lab memory VmRSS %ld -> %ld -> %ld kB, VmHWM %ld -> %ld -> "
	       "%ld kB (bounds: HWM < %ld kB, round-2 growth < %ld kB)%s\n",
	       rss0, rss1, rss2, hwm0, hwm1, hwm2, HWM_BOUND_KB,
	       ROUND2_GROWTH_KB, UNDER_ASAN ? " [ASan: scaled down]" : "");

	assert_int_equal(approved, AGENTS);
	assert_int_equal(pending_seen, AGENTS);
	assert_int_equal(enrolled, ENROLLS);
	assert_int_equal(enrolled2, ENROLLS);
	assert_int_equal(listed_issued, 2 * ENROLLS);
	assert_int_equal(listed_approved, AGENTS);
	assert_true(hwm2 < HWM_BOUND_KB);
	assert_true(rss2 - rss1 < ROUND2_GROWTH_KB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agents_and_enrollments),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
