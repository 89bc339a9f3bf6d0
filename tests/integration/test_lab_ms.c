/*
 * test_lab_ms.c - the lab's management server over mutually authenticated
 * TLS, driven with libcurl: an agent certificate issued by the lab root is
 * recorded as pending and becomes approved after `approve AGENT_FQDN`
 * (or at once with --auto-approve 0, or after the --auto-approve delay);
 * the admin endpoints list / approve / reject agents with the lab's
 * administrator certificate (DIR/admin/admin.pem, 0600) and with nothing
 * else: an agent approving itself (issue 18 item 3), another agent, or a
 * certificate from the lab root named like the administrator gets 403
 * with a clear body and nothing changes; a second certificate for the same
 * name from the lab root authenticates as that agent (the serial change is
 * logged); a certificate from another CA and a connection without a
 * certificate are refused during the handshake and the refusal is logged
 * with its reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certgen.h"
#include "lab.h"
#include "lab_harness.h"

static struct lab L;

struct bufpair {
	char *buf;
	size_t len;
};

struct agent_id {
	char cert[512];
	char key[512];
	char serial[128];
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

static EVP_PKEY *load_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	assert_non_null(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(k);
	return k;
}

static X509 *load_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

/*
 * Make a client certificate for cn in the lab directory: signed by the
 * lab root (its key in DIR/ca/root.key) with EKU serverAuth+clientAuth,
 * or serverAuth only (mode SERVER_ONLY), or self-signed (mode FOREIGN).
 */
enum { LAB_SIGNED = 0, FOREIGN = 1, SERVER_ONLY = 2 };

static void make_agent(const struct lab *l, const char *cn, int mode,
		       struct agent_id *id)
{
	/* agents are told apart by name and serial: one cached test key */
	EVP_PKEY *k = certgen_key(CERTGEN_RSA, 2048, 0), *ca_key = NULL;
	X509 *x = X509_new(), *ca = NULL;
	X509_NAME *n = X509_NAME_new();
	char path[512];
	unsigned char rnd[12];
	BIGNUM *bn;
	char *hex;
	FILE *f;

	assert_non_null(k);
	X509_set_version(x, 2);
	RAND_bytes(rnd, sizeof(rnd));
	rnd[0] = (unsigned char)((rnd[0] & 0x3f) | 0x10);
	bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	hex = BN_bn2hex(bn);
	snprintf(id->serial, sizeof(id->serial), "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_pubkey(x, k);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	if (mode == FOREIGN) {
		X509_set_issuer_name(x, n);
		assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	} else {
		snprintf(path, sizeof(path), "%s/ca/root.key", l->dir);
		ca_key = load_key(path);
		ca = load_cert(l->root_pem);
		X509_set_issuer_name(x, X509_get_subject_name(ca));
		{
			X509V3_CTX ctx;
			X509_EXTENSION *e;

			X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
			e = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage,
						mode == SERVER_ONLY ? "serverAuth"
						: "serverAuth,clientAuth");
			X509_add_ext(x, e, -1);
			X509_EXTENSION_free(e);
		}
		assert_true(X509_sign(x, ca_key, EVP_sha256()) > 0);
	}
	snprintf(id->cert, sizeof(id->cert), "%s/%s-%d.crt", l->dir, cn, mode);
	snprintf(id->key, sizeof(id->key), "%s/%s-%d.key", l->dir, cn, mode);
	f = fopen(id->cert, "w");
	assert_non_null(f);
	PEM_write_X509(f, x);
	fclose(f);
	f = fopen(id->key, "w");
	assert_non_null(f);
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	X509_NAME_free(n);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ca_key);
}

/* Call the management server; body malloc'd into *out. */
static CURLcode ms_call(const struct lab *l, const struct agent_id *id,
			const char *path, const char *post, long *status,
			char **out)
{
	CURL *h = curl_easy_init();
	struct bufpair b = { NULL, 0 };
	char url[256];
	CURLcode rc;

	assert_non_null(h);
	snprintf(url, sizeof(url), "https://localhost:%d%s", l->ms_port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, l->root_pem);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (id) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, id->cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, id->key);
	}
	if (post)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
	rc = curl_easy_perform(h);
	*status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(h);
	*out = b.buf ? b.buf : strdup("");
	return rc;
}

/* The lab's own administrator credential. */
static void admin_id(const struct lab *l, struct agent_id *id)
{
	struct stat st;

	snprintf(id->cert, sizeof(id->cert), "%s/" LAB_ADMIN_CERT, l->dir);
	snprintf(id->key, sizeof(id->key), "%s/" LAB_ADMIN_KEY, l->dir);
	id->serial[0] = '\0';
	assert_int_equal(stat(id->cert, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(id->key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void expect_status(const struct lab *l, const struct agent_id *id,
			  const char *cn, const char *state)
{
	char want[512], *body = NULL;
	long st = 0;

	assert_int_equal(ms_call(l, id, "/opsmgr/v1/status", NULL, &st, &body),
			 CURLE_OK);
	assert_int_equal(st, 200);
	snprintf(want, sizeof(want),
		 "{\"agent\":\"%s\",\"serial\":\"%s\",\"state\":\"%s\"}", cn,
		 id->serial, state);
	if (!strstr(body, want))
		fail_msg("status '%s' lacks '%s'", body, want);
	free(body);
}

static char *lab_log_text(const struct lab *l)
{
	char path[512], *buf = calloc(1, 256 * 1024);
	FILE *f;

	snprintf(path, sizeof(path), "%s/lab.log", l->dir);
	f = fopen(path, "r");
	assert_non_null(f);
	if (fread(buf, 1, 256 * 1024 - 1, f) == 0)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	memset(&L, 0, sizeof(L));
	return lab_start(&L, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	lab_stop(&L);
	certgen_cleanup();
	curl_global_cleanup();
	return 0;
}

static void test_pending_then_approved(void **state)
{
	struct agent_id a;
	char *out = NULL, line[256];

	(void)state;
	make_agent(&L, "agent01.lab.test", 0, &a);
	expect_status(&L, &a, "agent01.lab.test", "pending");
	expect_status(&L, &a, "agent01.lab.test", "pending");
	{
		const char *args[] = { "list", "--dir", L.dir, NULL };

		assert_int_equal(lab_cmd(args, &out), 0);
		snprintf(line, sizeof(line), "agent agent01.lab.test pending %s\n",
			 a.serial);
		assert_non_null(strstr(out, line));
		free(out);
	}
	{
		const char *args[] = { "approve", "--dir", L.dir,
				       "agent01.lab.test", NULL };

		assert_int_equal(lab_cmd(args, &out), 0);
		assert_string_equal(out, "agent agent01.lab.test approved\n");
		free(out);
	}
	expect_status(&L, &a, "agent01.lab.test", "approved");
	/* the command approved through the management server, with the
	 * administrator certificate */
	{
		char *log = lab_log_text(&L);

		assert_non_null(strstr(log, "ms: agent 'agent01.lab.test' "
				       "approved by the administrator"));
		free(log);
	}
	{
		const char *args[] = { "list", "--dir", L.dir,
				       "--pending-agents", NULL };

		assert_int_equal(lab_cmd(args, &out), 0);
		assert_null(strstr(out, "agent01.lab.test"));
		free(out);
	}
}

static void test_admin_endpoints(void **state)
{
	struct agent_id a, admin;
	char *body = NULL;
	long st = 0;

	(void)state;
	make_agent(&L, "agent02.lab.test", 0, &a);
	admin_id(&L, &admin);
	expect_status(&L, &a, "agent02.lab.test", "pending");

	assert_int_equal(ms_call(&L, &admin, "/opsmgr/v1/agents", NULL, &st,
				 &body), CURLE_OK);
	assert_int_equal(st, 200);
	assert_non_null(strstr(body, "{\"agents\":["));
	assert_non_null(strstr(body, "\"agent\":\"agent02.lab.test\""));
	free(body);

	assert_int_equal(ms_call(&L, &admin, "/opsmgr/v1/reject",
				 "agent=agent02.lab.test", &st, &body),
			 CURLE_OK);
	assert_int_equal(st, 200);
	assert_non_null(strstr(body, "\"state\":\"rejected\""));
	free(body);
	expect_status(&L, &a, "agent02.lab.test", "rejected");

	assert_int_equal(ms_call(&L, &admin, "/opsmgr/v1/approve",
				 "agent=agent02.lab.test", &st, &body),
			 CURLE_OK);
	assert_int_equal(st, 200);
	assert_non_null(strstr(body, "\"state\":\"approved\""));
	free(body);
	expect_status(&L, &a, "agent02.lab.test", "approved");

	assert_int_equal(ms_call(&L, &admin, "/opsmgr/v1/approve",
				 "agent=nobody.lab.test", &st, &body),
			 CURLE_OK);
	assert_int_equal(st, 404);
	free(body);
	assert_int_equal(ms_call(&L, &admin, "/opsmgr/v1/approve", NULL, &st,
				 &body), CURLE_OK);
	assert_int_equal(st, 405);
	free(body);
	assert_int_equal(ms_call(&L, &admin, "/opsmgr/v1/nothing", NULL, &st,
				 &body), CURLE_OK);
	assert_int_equal(st, 404);
	free(body);
}

/* A 403 for id on path (form post or NULL) naming the administrator
 * certificate. */
static void expect_forbidden(const struct agent_id *id, const char *path,
			     const char *post)
{
	char *body = NULL;
	long st = 0;

	assert_int_equal(ms_call(&L, id, path, post, &st, &body), CURLE_OK);
	printf("  %s %s -> %ld %s", post ? "POST" : "GET", path, st, body);
	assert_int_equal(st, 403);
	assert_non_null(strstr(body, "needs the lab administrator certificate"));
	free(body);
}

/* Issue 18 item 3: with the agent's own certificate, POST /approve
 * agent=<itself> returned approved. */
static void test_agent_cannot_approve(void **state)
{
	struct agent_id a, b, fake, admin;
	char *body = NULL, *log;
	long st = 0;

	(void)state;
	make_agent(&L, "agent05.lab.test", 0, &a);
	make_agent(&L, "agent06.lab.test", 0, &b);
	expect_status(&L, &a, "agent05.lab.test", "pending");
	expect_status(&L, &b, "agent06.lab.test", "pending");
	{
		/* what the server role's [approval] list_command prints */
		const char *args[] = { "list", "--dir", L.dir,
				       "--pending-agents", NULL };
		char *out = NULL;

		assert_int_equal(lab_cmd(args, &out), 0);
		assert_non_null(strstr(out, "agent05.lab.test\nagent06.lab.test\n"));
		free(out);
	}

	expect_forbidden(&a, "/opsmgr/v1/approve", "agent=agent05.lab.test");
	expect_forbidden(&a, "/opsmgr/v1/approve", "agent=agent06.lab.test");
	expect_forbidden(&b, "/opsmgr/v1/reject", "agent=agent05.lab.test");
	expect_forbidden(&a, "/opsmgr/v1/agents", NULL);
	/* named like the administrator, issued by the lab root: still no */
	make_agent(&L, LAB_ADMIN_CN, 0, &fake);
	expect_forbidden(&fake, "/opsmgr/v1/approve", "agent=agent05.lab.test");
	expect_status(&L, &a, "agent05.lab.test", "pending");
	expect_status(&L, &b, "agent06.lab.test", "pending");
	log = lab_log_text(&L);
	assert_non_null(strstr(log, "refused POST /opsmgr/v1/approve to "
			       "'agent05.lab.test'"));
	free(log);

	/* the administrator certificate is no agent's */
	admin_id(&L, &admin);
	assert_int_equal(ms_call(&L, &admin, "/opsmgr/v1/status", NULL, &st,
				 &body), CURLE_OK);
	assert_int_equal(st, 403);
	free(body);
	assert_int_equal(ms_call(&L, &admin, "/opsmgr/v1/approve",
				 "agent=agent05.lab.test", &st, &body),
			 CURLE_OK);
	assert_int_equal(st, 200);
	free(body);
	expect_status(&L, &a, "agent05.lab.test", "approved");

	/* a second certificate for the same name authenticates as that agent,
	 * and the serial change is logged */
	struct agent_id a2;
	make_agent(&L, "agent05.lab.test", 0, &a2);
	expect_status(&L, &a2, "agent05.lab.test", "approved");
	log = lab_log_text(&L);
	char want[512];
	snprintf(want, sizeof(want), "agent 'agent05.lab.test' now presents "
		 "serial %s (was %s)", a2.serial, a.serial);
	assert_non_null(strstr(log, want));
	free(log);
}

static void test_deny_agent_by_command(void **state)
{
	struct agent_id a;
	char *out = NULL;

	(void)state;
	make_agent(&L, "agent03.lab.test", 0, &a);
	expect_status(&L, &a, "agent03.lab.test", "pending");
	{
		const char *args[] = { "deny", "--dir", L.dir,
				       "agent03.lab.test", NULL };

		assert_int_equal(lab_cmd(args, &out), 0);
		free(out);
	}
	expect_status(&L, &a, "agent03.lab.test", "rejected");
	{
		const char *args[] = { "approve", "--dir", L.dir,
				       "never-seen.lab.test", NULL };

		assert_int_equal(lab_cmd(args, &out), 1);
		assert_non_null(strstr(out, "never-seen.lab.test"));
		free(out);
	}
}

static void test_foreign_ca_refused(void **state)
{
	struct agent_id a;
	char *body = NULL, *log, *out = NULL;
	long st = 0;

	(void)state;
	make_agent(&L, "rogue.lab.test", FOREIGN, &a);
	assert_int_not_equal(ms_call(&L, &a, "/opsmgr/v1/status", NULL, &st,
				     &body), CURLE_OK);
	assert_int_not_equal(st, 200);
	free(body);
	log = lab_log_text(&L);
	assert_non_null(strstr(log, "refused a TLS connection from "
			       "'rogue.lab.test'"));
	assert_non_null(strstr(log, "issuer is unknown"));
	free(log);
	{
		const char *args[] = { "list", "--dir", L.dir, NULL };

		assert_int_equal(lab_cmd(args, &out), 0);
		assert_null(strstr(out, "rogue.lab.test"));
		free(out);
	}
}

static void test_server_only_cert_refused(void **state)
{
	struct agent_id a;
	char *body = NULL, *log;
	long st = 0;

	(void)state;
	make_agent(&L, "webonly.lab.test", SERVER_ONLY, &a);
	assert_int_not_equal(ms_call(&L, &a, "/opsmgr/v1/status", NULL, &st,
				     &body), CURLE_OK);
	free(body);
	log = lab_log_text(&L);
	assert_non_null(strstr(log, "refused a TLS connection from "
			       "'webonly.lab.test'"));
	assert_non_null(strstr(log, "purpose"));
	free(log);
}

static void test_no_client_cert_refused(void **state)
{
	char *body = NULL, *log;
	long st = 0;

	(void)state;
	assert_int_not_equal(ms_call(&L, NULL, "/opsmgr/v1/status", NULL, &st,
				     &body), CURLE_OK);
	assert_int_not_equal(st, 200);
	free(body);
	log = lab_log_text(&L);
	assert_non_null(strstr(log, "the client sent no certificate"));
	free(log);
}

#define NAGENTS 8

struct contact {
	struct agent_id id;
	CURLcode rc;
	long status;
};

static void *contact_once(void *arg)
{
	struct contact *k = arg;
	char *body = NULL;

	k->rc = ms_call(&L, &k->id, "/opsmgr/v1/status", NULL, &k->status,
			&body);
	free(body);
	return NULL;
}

/* First contacts at the same moment: every agent recorded (no update of
 * the state file lost to another). */
static void test_parallel_first_contacts(void **state)
{
	struct contact k[NAGENTS];
	pthread_t th[NAGENTS];
	char cn[64], *out = NULL;

	(void)state;
	for (int i = 0; i < NAGENTS; i++) {
		snprintf(cn, sizeof(cn), "crowd%02d.lab.test", i);
		make_agent(&L, cn, LAB_SIGNED, &k[i].id);
	}
	for (int i = 0; i < NAGENTS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, contact_once,
						&k[i]), 0);
	for (int i = 0; i < NAGENTS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NAGENTS; i++) {
		assert_int_equal(k[i].rc, CURLE_OK);
		assert_int_equal(k[i].status, 200);
	}
	{
		const char *args[] = { "list", "--dir", L.dir, NULL };

		assert_int_equal(lab_cmd(args, &out), 0);
		for (int i = 0; i < NAGENTS; i++) {
			char line[256];

			snprintf(line, sizeof(line),
				 "agent crowd%02d.lab.test pending %s\n", i,
				 k[i].id.serial);
			if (!strstr(out, line))
				fail_msg("'%s' missing from:\n%s", line, out);
		}
		free(out);
	}
}

static void test_auto_approve_zero(void **state)
{
	const char *extra[] = { "--auto-approve", "0", NULL };
	struct lab l2;
	struct agent_id a;

	(void)state;
	memset(&l2, 0, sizeof(l2));
	assert_int_equal(lab_start(&l2, NULL, extra), 0);
	make_agent(&l2, "agent04.lab.test", 0, &a);
	expect_status(&l2, &a, "agent04.lab.test", "approved");
	lab_stop(&l2);
}

static void test_auto_approve_after_delay(void **state)
{
	const char *extra[] = { "--auto-approve", "1", NULL };
	struct lab l2;
	struct agent_id a;
	char want[256];
	int approved = 0;

	(void)state;
	memset(&l2, 0, sizeof(l2));
	assert_int_equal(lab_start(&l2, NULL, extra), 0);
	make_agent(&l2, "agent05.lab.test", 0, &a);
	expect_status(&l2, &a, "agent05.lab.test", "pending");
	snprintf(want, sizeof(want), "\"state\":\"approved\"");
	for (int i = 0; i < 100 && !approved; i++) {
		char *body = NULL;
		long st = 0;
		struct timespec ts = { 0, 100000000L };

		nanosleep(&ts, NULL);
		assert_int_equal(ms_call(&l2, &a, "/opsmgr/v1/status", NULL,
					 &st, &body), CURLE_OK);
		approved = strstr(body, want) != NULL;
		free(body);
	}
	assert_true(approved);
	lab_stop(&l2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_then_approved),
		cmocka_unit_test(test_admin_endpoints),
		cmocka_unit_test(test_agent_cannot_approve),
		cmocka_unit_test(test_deny_agent_by_command),
		cmocka_unit_test(test_foreign_ca_refused),
		cmocka_unit_test(test_server_only_cert_refused),
		cmocka_unit_test(test_no_client_cert_refused),
		cmocka_unit_test(test_parallel_first_contacts),
		cmocka_unit_test(test_auto_approve_zero),
		cmocka_unit_test(test_auto_approve_after_delay),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
