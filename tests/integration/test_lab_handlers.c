/*
 * test_lab_handlers.c - the lab's socket-free request handlers (liblab.a)
 * fed hostile input directly, the way the fuzzers drive them: request IDs
 * that try path traversal, CSRs whose CN carries quotes, line breaks and
 * non-ASCII, templates with blanks and line breaks, oversized form
 * fields, a corrupted state file, and the management server's JSON for
 * odd agent names.  The state must stay readable after every request.
 * The CRL is signed once and served again until a revocation changes it
 * (issue 18 item 6); lab_log escapes what it is given: one line, no raw
 * control bytes (item 7); the management server's admin endpoints answer
 * only the administrator's certificate (item 3).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certgen.h"
#include "lab.h"
#include "lab_harness.h"

static struct lab_ctx C;
static EVP_PKEY *key;

static int setup(void **state)
{
	char err[512];

	(void)state;
	memset(&C, 0, sizeof(C));
	C.auto_approve = -1;
	C.dir = test_mkdtemp("opsmgr-labh-");
	C.ca_port = 4443;
	key = certgen_key(CERTGEN_RSA, 2048, 0);   /* cached test key */
	if (!C.dir || !key)
		return -1;
	if (lab_pki_init(&C, 1, err, sizeof(err))) {
		fprintf(stderr, "lab_pki_init: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rm_rf(C.dir);
	lab_ctx_release(&C);
	EVP_PKEY_free(key);
	certgen_cleanup();
	return 0;
}

static char *csr_with_cn(const char *cn)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long len;

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_REQ_set_subject_name(req, n);
	X509_REQ_set_pubkey(req, key);
	X509_REQ_sign(req, key, EVP_sha256());
	PEM_write_bio_X509_REQ(b, req);
	len = BIO_get_mem_data(b, &data);
	out = strndup(data, (size_t)len);
	BIO_free(b);
	X509_NAME_free(n);
	X509_REQ_free(req);
	return out;
}

static void call_ca(const char *method, const char *path,
		    struct lab_kvs *query, struct lab_kvs *form,
		    struct lab_resp *r)
{
	struct lab_http_req q;

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.path = path;
	q.query = query;
	q.form = form;
	q.user = "LAB\\labuser";
	q.pass = C.password;
	lab_ca_handle(&C, &q, r);
}

static void state_readable(void)
{
	struct lab_state st;
	char err[512];

	if (lab_state_load(C.dir, &st, err, sizeof(err)))
		fail_msg("state unreadable: %s", err);
	lab_state_release(&st);
}

static void test_auth_required(void **state)
{
	struct lab_http_req q;
	struct lab_resp r;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.path = "/certsrv/";
	lab_ca_handle(&C, &q, &r);
	assert_int_equal(r.status, 401);
	assert_true(r.auth_challenge);
	lab_resp_release(&r);
	q.user = "labuser";
	q.pass = "nearly";
	lab_ca_handle(&C, &q, &r);
	assert_int_equal(r.status, 401);
	lab_resp_release(&r);
	q.path = "/other/";
	lab_ca_handle(&C, &q, &r);
	assert_int_equal(r.status, 404);
	lab_resp_release(&r);
}

static void test_hostile_request_ids(void **state)
{
	static const char *const ids[] = { "../../etc/passwd", "-1", "0",
		"1e3", "99999999999999", "", "12abc", "CACert\r\n" };
	struct lab_resp r;

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct lab_kvs q;

		memset(&q, 0, sizeof(q));
		assert_int_equal(lab_kvs_add(&q, "ReqID", ids[i],
					     strlen(ids[i]), 0), 0);
		call_ca("GET", "/certsrv/certnew.cer", &q, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.ctype, "text/html");
		assert_non_null(strstr((char *)r.body, "Disposition message:"));
		lab_resp_release(&r);
		lab_kvs_release(&q);
	}
}

static void submit(const char *csr, const char *attrib, struct lab_resp *r)
{
	struct lab_kvs f;

	memset(&f, 0, sizeof(f));
	lab_kvs_add(&f, "Mode", "newreq", 6, 0);
	lab_kvs_add(&f, "CertRequest", csr, strlen(csr), 0);
	if (attrib)
		lab_kvs_add(&f, "CertAttrib", attrib, strlen(attrib), 0);
	call_ca("POST", "/certsrv/certfnsh.asp", NULL, &f, r);
	lab_kvs_release(&f);
}

static void test_hostile_cn_and_template(void **state)
{
	char *csr = csr_with_cn("evil\"cn\nrequest 9 issued x y\xc3\xa9");
	struct lab_resp r;
	struct lab_state st;
	char err[512];

	(void)state;
	submit(csr, "CertificateTemplate:OpsMgr\r\nSAN:dns=x", &r);
	assert_non_null(strstr((char *)r.body, "Certificate Issued"));
	lab_resp_release(&r);
	state_readable();

	submit(csr, "CertificateTemplate:Ops Mgr\nnext 1\r\n", &r);
	assert_non_null(strstr((char *)r.body, "0x80094800"));
	lab_resp_release(&r);
	state_readable();

	submit(csr, "UserAgent:x", &r);
	assert_non_null(strstr((char *)r.body, "CERTSRV_E_NO_CERT_TYPE"));
	lab_resp_release(&r);
	state_readable();

	assert_int_equal(lab_state_load(C.dir, &st, err, sizeof(err)), 0);
	assert_int_equal(st.nreq, 3);
	for (size_t i = 0; i < st.nreq; i++) {
		assert_null(strchr(st.req[i].cn, '\n'));
		assert_null(strchr(st.req[i].templ, ' '));
		assert_int_equal(st.req[i].id, (long)i + 1);
	}
	assert_int_equal(st.next_id, 4);
	lab_state_release(&st);
	free(csr);
}

static void test_garbage_csrs(void **state)
{
	static const char *const bad[] = {
		"", "-----BEGIN CERTIFICATE REQUEST-----",
		"-----BEGIN CERTIFICATE REQUEST-----\n%%%%\n-----END X-----",
		"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
		"\x00\x01\x02", "====",
	};
	struct lab_resp r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		submit(bad[i], "CertificateTemplate:OpsMgr", &r);
		assert_int_equal(r.status, 200);
		assert_non_null(strstr((char *)r.body, "Error Parsing Request"));
		lab_resp_release(&r);
	}
	state_readable();
}

static void test_kvs_caps(void **state)
{
	struct lab_kvs k;
	char *big = malloc(LAB_FIELD_CAP + 2);

	(void)state;
	memset(&k, 0, sizeof(k));
	memset(big, 'x', LAB_FIELD_CAP + 1);
	big[LAB_FIELD_CAP + 1] = '\0';
	assert_int_equal(lab_kvs_add(&k, "a", big, LAB_FIELD_CAP + 1, 0), -1);
	assert_int_equal(lab_kvs_add(&k, "a", big, 100, 0), 0);
	assert_int_equal(lab_kvs_add(&k, "a", big, LAB_FIELD_CAP, 1), -1);
	for (int i = 1; i < LAB_MAX_FIELDS; i++)
		assert_int_equal(lab_kvs_add(&k, "k", "v", 1, 0), 0);
	assert_int_equal(lab_kvs_add(&k, "k", "v", 1, 0), -1);
	assert_string_equal(lab_kvs_get(&k, "K"), "v");
	lab_kvs_release(&k);
	free(big);
}

static void test_urlencoded_parser(void **state)
{
	static const char body[] = "Mode=newreq&CertAttrib=Certificate"
		"Template%3AOpsMgr%0D%0AUserAgent%3Ax+y&bad=%4&&=v&flag&"
		"n%00ul=1&last=%41%4a";
	struct lab_kvs k;

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_int_equal(lab_kvs_parse_urlencoded(&k, body, sizeof(body) - 1),
			 0);
	assert_string_equal(lab_kvs_get(&k, "mode"), "newreq");
	assert_string_equal(lab_kvs_get(&k, "CertAttrib"),
			    "CertificateTemplate:OpsMgr\r\nUserAgent:x y");
	assert_string_equal(lab_kvs_get(&k, "bad"), "%4");
	assert_string_equal(lab_kvs_get(&k, ""), "v");
	assert_string_equal(lab_kvs_get(&k, "flag"), "");
	assert_null(lab_kvs_get(&k, "n"));
	assert_string_equal(lab_kvs_get(&k, "last"), "AJ");
	lab_kvs_release(&k);

	/* a whole submission parsed this way goes through the CA handler */
	{
		char *csr = csr_with_cn("parsed.lab.test"), *form, *enc;
		size_t n = strlen(csr), o = 0;
		struct lab_resp r;

		enc = malloc(n * 3 + 1);
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)csr[i];

			if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || ch == '-')
				enc[o++] = (char)ch;
			else
				o += (size_t)sprintf(enc + o, "%%%02X", ch);
		}
		enc[o] = '\0';
		assert_true(asprintf(&form, "Mode=newreq&CertRequest=%s&"
				     "CertAttrib=CertificateTemplate%%3AOpsMgr",
				     enc) > 0);
		memset(&k, 0, sizeof(k));
		assert_int_equal(lab_kvs_parse_urlencoded(&k, form,
							  strlen(form)), 0);
		call_ca("POST", "/certsrv/certfnsh.asp", NULL, &k, &r);
		assert_non_null(strstr((char *)r.body, "Certificate Issued"));
		lab_resp_release(&r);
		lab_kvs_release(&k);
		free(form);
		free(enc);
		free(csr);
	}
}

static void test_corrupt_state_reported(void **state)
{
	char *p = lab_path(&C, "state"), *saved = NULL;
	struct lab_state st;
	struct lab_resp r;
	char err[512];
	FILE *f;
	long n;

	(void)state;
	f = fopen(p, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	saved = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(saved, 1, (size_t)n, f), (size_t)n);
	fclose(f);

	f = fopen(p, "a");
	fputs("request x y\n", f);
	fclose(f);
	assert_int_equal(lab_state_load(C.dir, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a lab state record"));
	assert_non_null(strstr(err, p));
	/* the handler answers an error page, it does not crash */
	{
		struct lab_kvs q;

		memset(&q, 0, sizeof(q));
		lab_kvs_add(&q, "ReqID", "1", 1, 0);
		call_ca("GET", "/certsrv/certnew.cer", &q, NULL, &r);
		assert_int_equal(r.status, 500);
		lab_resp_release(&r);
		lab_kvs_release(&q);
	}
	f = fopen(p, "w");
	fputs(saved, f);
	fclose(f);
	state_readable();
	free(saved);
	free(p);
}

static void test_ms_json_and_refusal(void **state)
{
	struct lab_http_req q;
	struct lab_resp r;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.path = "/opsmgr/v1/status";
	lab_ms_handle(&C, &q, &r);
	assert_int_equal(r.status, 403);
	assert_true(r.close);
	lab_resp_release(&r);

	q.peer_cn = "odd\"name\\x";
	q.peer_serial = "0A0B";
	lab_ms_handle(&C, &q, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "application/json");
	assert_non_null(strstr((char *)r.body,
			       "{\"agent\":\"odd\\\"name\\\\x\",\"serial\":"
			       "\"0A0B\",\"state\":\"pending\"}"));
	lab_resp_release(&r);
	state_readable();

	q.path = "/opsmgr/v1/../v1/status";
	lab_ms_handle(&C, &q, &r);
	assert_int_equal(r.status, 404);
	lab_resp_release(&r);
}

static void get_crl(struct lab_resp *r)
{
	struct lab_http_req q;
	struct lab_kvs none;

	memset(&q, 0, sizeof(q));
	memset(&none, 0, sizeof(none));
	q.method = "GET";
	q.path = "/certsrv/certcrl.crl";
	q.query = &none;
	q.form = &none;
	lab_ca_handle(&C, &q, r);
	assert_int_equal(r->status, 200);
	assert_true(r->len > 0);
}

static void test_crl_cached(void **state)
{
	struct lab_resp a, b, c;
	struct lab_state st;
	struct lab_request rq;
	char err[512];
	int fd;

	(void)state;
	get_crl(&a);
	unsigned long signs = lab_crl_signed(&C);
	sleep(1);   /* a CRL signed now would differ (its number, its time) */
	get_crl(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.body, b.body, a.len);
	assert_int_equal(lab_crl_signed(&C), signs);

	/* a revocation makes a new one */
	fd = lab_state_open(C.dir, &st, err, sizeof(err));
	assert_true(fd >= 0);
	memset(&rq, 0, sizeof(rq));
	rq.id = st.next_id++;
	rq.state = REQ_REVOKED;
	rq.revoked_at = (long long)time(NULL);
	snprintf(rq.serial, sizeof(rq.serial), "1234ABCD");
	snprintf(rq.templ, sizeof(rq.templ), "OpsMgr");
	snprintf(rq.cn, sizeof(rq.cn), "revoked.lab.test");
	assert_non_null(lab_state_add_req(&st, &rq));
	assert_int_equal(lab_state_save(C.dir, &st, err, sizeof(err)), 0);
	lab_state_unlock(fd);
	lab_state_release(&st);
	get_crl(&c);
	assert_int_equal(lab_crl_signed(&C), signs + 1);
	assert_true(c.len > a.len);
	lab_resp_release(&a);
	lab_resp_release(&b);
	lab_resp_release(&c);
}

static void test_log_escaped(void **state)
{
	char *p = lab_path(&C, "lab.log"), *text;
	size_t len = 0;
	char err[256];

	(void)state;
	unlink(p);
	lab_log(&C, "ms: refused %s %s", "GET",
		"/x\n2030-01-01T00:00:00Z opsmgr-enroll-lab: forged\x1b[31m");
	text = lab_read_text(p, &len, err, sizeof(err));
	assert_non_null(text);
	assert_non_null(strstr(text, "ms: refused GET /x\\x0a2030-01-01T00:00:00Z"
			       " opsmgr-enroll-lab: forged\\x1b[31m\n"));
	assert_ptr_equal(strchr(text, '\n'), text + len - 1);   /* one line */
	assert_null(strchr(text, '\x1b'));
	free(text);
	free(p);
}

/* q to the management server answers status (and says want, if any). */
static void ms_expect(const struct lab_http_req *q, unsigned status,
		      const char *want)
{
	struct lab_resp r;

	lab_ms_handle(&C, q, &r);
	assert_int_equal(r.status, status);
	if (want)
		assert_non_null(strstr((char *)r.body, want));
	lab_resp_release(&r);
}

static void test_ms_admin_only(void **state)
{
	struct lab_http_req q;
	struct lab_kvs form;

	(void)state;
	memset(&q, 0, sizeof(q));
	memset(&form, 0, sizeof(form));
	assert_non_null(C.admin_sha256);
	lab_kvs_add(&form, "agent", "self.lab.test", 13, 0);
	q.method = "GET";
	q.path = "/opsmgr/v1/status";
	q.peer_cn = "self.lab.test";
	q.peer_serial = "0C0D";
	q.peer_sha256 = "00";
	q.form = &form;
	ms_expect(&q, 200, "\"state\":\"pending\"");
	/* the agent approves itself: refused */
	q.method = "POST";
	q.path = "/opsmgr/v1/approve";
	ms_expect(&q, 403, "administrator certificate");
	/* the administrator may; and is no agent */
	q.peer_sha256 = C.admin_sha256;
	ms_expect(&q, 200, "\"state\":\"approved\"");
	q.method = "GET";
	q.path = "/opsmgr/v1/status";
	ms_expect(&q, 403, NULL);
	lab_kvs_release(&form);
	state_readable();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_required),
		cmocka_unit_test(test_hostile_request_ids),
		cmocka_unit_test(test_hostile_cn_and_template),
		cmocka_unit_test(test_garbage_csrs),
		cmocka_unit_test(test_kvs_caps),
		cmocka_unit_test(test_urlencoded_parser),
		cmocka_unit_test(test_corrupt_state_reported),
		cmocka_unit_test(test_ms_json_and_refusal),
		cmocka_unit_test(test_crl_cached),
		cmocka_unit_test(test_log_escaped),
		cmocka_unit_test(test_ms_admin_only),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
