/*
 * test_csr.c - backend/pki/keygen.c and backend/pki/csr.c: RSA key generation
 * (size, progress reports, cancellation through hooks, refused sizes), the
 * key file (mode 0600, PKCS#8 PEM that loads back), and the CSR parsed
 * back: CN, SAN dNSName, EKU serverAuth+clientAuth, key usage
 * digitalSignature+keyEncipherment (critical), SHA-256 signature that
 * verifies, PEM/DER parsing and key matching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki/csr.h"
#include "core/fsutil.h"
#include "pki/keygen.h"
#include "core/config_schema.h"
#include "core/validate.h"
#include "lab_harness.h"

struct fx {
	char *dir;
	EVP_PKEY *key;      /* 2048-bit, shared by the tests */
};

struct prog {
	int calls;
	double last;
	int cancel_after;   /* cancel once calls reach this (0 = never) */
	int polls;
};

static void on_progress(void *ud, const char *what, double f)
{
	struct prog *p = ud;
	assert_non_null(strstr(what, "RSA key"));
	p->calls++;
	p->last = f;
}

static int on_cancelled(void *ud)
{
	struct prog *p = ud;
	p->polls++;
	return p->cancel_after > 0 && p->polls >= p->cancel_after;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	struct prog p = {0};
	struct hooks h = {on_progress, on_cancelled, NULL, &p};
	if (!f)
		return -1;
	f->dir = test_mkdtemp("csr-");
	f->key = keygen_rsa(2048, &h, NULL, err, sizeof(err));
	if (!f->key || !f->dir) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	if (p.calls < 2 || p.last != 1.0) {
		fprintf(stderr, "setup: progress not reported (%d calls)\n", p.calls);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	EVP_PKEY_free(f->key);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void test_key_size_and_type(void **state)
{
	struct fx *f = *state;
	assert_int_equal(EVP_PKEY_get_base_id(f->key), EVP_PKEY_RSA);
	assert_int_equal(keygen_rsa_bits(f->key), 2048);
}

static void test_key_refused_sizes(void **state)
{
	char err[256];
	int cancelled = 7;
	assert_null(keygen_rsa(512, NULL, &cancelled, err, sizeof(err)));
	assert_int_equal(cancelled, 0);
	assert_non_null(strstr(err, "512"));
	assert_null(keygen_rsa(20000, NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "20000"));
}

/* keygen has no limits of its own: what key.bits' rule refuses (the
 * loader's and the screen's verdict too) keygen refuses with the same
 * message, and the rule's floor is a key keygen makes. */
static void test_key_sizes_follow_the_rule(void **state)
{
	static const int refused[] = { 0, 512, RULE_KEY_BITS_MIN - 1,
				       RULE_KEY_BITS_MAX + 1, 20000 };
	const struct config_key *k = config_key_find("key.bits");
	assert_non_null(k);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char err[256], text[16];
		struct verdict rule, schema;
		assert_int_equal(rule_key_bits(refused[i], &rule), SEV_FAIL);
		snprintf(text, sizeof(text), "%d", refused[i]);
		assert_int_equal(config_key_check_text(k, text, &schema), SEV_FAIL);
		assert_string_equal(schema.msg, rule.msg);
		assert_null(keygen_rsa(refused[i], NULL, NULL, err, sizeof(err)));
		assert_string_equal(err, rule.msg);
	}
	char err[256];
	EVP_PKEY *key = keygen_rsa(RULE_KEY_BITS_MIN, NULL, NULL, err,
				   sizeof(err));
	assert_non_null(key);
	assert_int_equal(keygen_rsa_bits(key), RULE_KEY_BITS_MIN);
	EVP_PKEY_free(key);
}

static void test_key_cancel(void **state)
{
	char err[256];
	int cancelled = 0;
	/* cancel from inside OpenSSL's callback, part-way through */
	struct prog p = {.cancel_after = 3};
	struct hooks h = {on_progress, on_cancelled, NULL, &p};
	EVP_PKEY *k = keygen_rsa(4096, &h, &cancelled, err, sizeof(err));
	assert_null(k);
	assert_int_equal(cancelled, 1);
	assert_non_null(strstr(err, "cancelled"));
	/* stopped promptly (OpenSSL may poll a few more times while it
	 * unwinds), not after a whole 4096-bit key */
	assert_in_range(p.polls, 3, 60);

	/* already cancelled before starting */
	struct prog q = {.cancel_after = 1};
	struct hooks h2 = {NULL, on_cancelled, NULL, &q};
	cancelled = 0;
	assert_null(keygen_rsa(2048, &h2, &cancelled, err, sizeof(err)));
	assert_int_equal(cancelled, 1);
}

/* Threads of this process, from /proc/self/status. */
static int thread_count(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	int n = -1;
	while (fp && fgets(line, sizeof(line), fp))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (fp)
		fclose(fp);
	return n;
}

struct owner {
	pthread_t self;
	int calls, foreign;
	int cancel_after, polls;
	double last;
};

static void owner_progress(void *ud, const char *what, double f)
{
	struct owner *o = ud;
	o->calls++;
	o->last = f;
	if (!pthread_equal(o->self, pthread_self()))
		o->foreign++;
}

static int owner_cancelled(void *ud)
{
	struct owner *o = ud;
	if (!pthread_equal(o->self, pthread_self()))
		o->foreign++;
	o->polls++;
	return o->cancel_after > 0 && o->polls >= o->cancel_after;
}

/*
 * Several generations race (one per core in keygen_rsa); the winner is a
 * complete, consistent key, the losers' threads are gone when the call
 * returns, and the hooks only ever run on the caller's thread.
 */
static void test_key_race(void **state)
{
	char err[256];
	int before = thread_count();
	assert_true(before >= 1);
	int d = keygen_default_racers();
	assert_in_range(d, 1, KEYGEN_MAX_RACERS);

	struct owner o = {.self = pthread_self()};
	struct hooks h = {owner_progress, owner_cancelled, NULL, &o};
	int cancelled = 7;
	EVP_PKEY *k1 = keygen_rsa_racers(2048, 4, &h, &cancelled, err, sizeof(err));
	assert_non_null(k1);
	assert_int_equal(cancelled, 0);
	assert_int_equal(keygen_rsa_bits(k1), 2048);
	EVP_PKEY_CTX *cc = EVP_PKEY_CTX_new_from_pkey(NULL, k1, NULL);
	assert_non_null(cc);
	assert_int_equal(EVP_PKEY_pairwise_check(cc), 1);
	assert_int_equal(EVP_PKEY_private_check(cc), 1);
	EVP_PKEY_CTX_free(cc);
	assert_true(o.last == 1.0);
	assert_int_equal(o.foreign, 0);
	assert_int_equal(thread_count(), before);

	/* two races never hand out the same key */
	EVP_PKEY *k2 = keygen_rsa_racers(1024, 3, NULL, NULL, err, sizeof(err));
	assert_non_null(k2);
	assert_int_equal(keygen_rsa_bits(k2), 1024);
	assert_int_equal(EVP_PKEY_eq(k1, k2), 0);
	assert_int_equal(thread_count(), before);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);

	/* racers outside 1..KEYGEN_MAX_RACERS are clamped, not refused */
	EVP_PKEY *k3 = keygen_rsa_racers(1024, 99, NULL, NULL, err, sizeof(err));
	assert_non_null(k3);
	EVP_PKEY_free(k3);
	assert_int_equal(thread_count(), before);
}

/* Cancelling a race stops every racer: nothing returned, no thread left. */
static void test_key_race_cancel(void **state)
{
	char err[256];
	int before = thread_count();
	struct owner o = {.self = pthread_self(), .cancel_after = 3};
	struct hooks h = {owner_progress, owner_cancelled, NULL, &o};
	int cancelled = 0;
	EVP_PKEY *k = keygen_rsa_racers(4096, 4, &h, &cancelled, err, sizeof(err));
	assert_null(k);
	assert_int_equal(cancelled, 1);
	assert_non_null(strstr(err, "cancelled"));
	assert_in_range(o.polls, 3, 60);
	assert_int_equal(o.foreign, 0);
	assert_int_equal(thread_count(), before);
}

static void test_key_file_mode(void **state)
{
	struct fx *f = *state;
	char err[256];
	char *path = fs_join(f->dir, "key.pem");
	assert_int_equal(keygen_write_key(f->key, path, err, sizeof(err)), 0);
	struct stat sb;
	assert_int_equal(lstat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* loads back as the same key */
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	char first[64] = "";
	assert_non_null(fgets(first, sizeof(first), fp));
	assert_string_equal(first, "-----BEGIN PRIVATE KEY-----\n");
	rewind(fp);
	EVP_PKEY *k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, f->key), 1);
	EVP_PKEY_free(k);
	/* rewriting keeps 0600 and refuses a symlink destination */
	assert_int_equal(keygen_write_key(f->key, path, err, sizeof(err)), 0);
	assert_int_equal(fs_mode(path), 0600);
	char *link = fs_join(f->dir, "link.pem");
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(keygen_write_key(f->key, link, err, sizeof(err)), -1);
	free(link);
	free(path);
}

static int has_eku(EXTENDED_KEY_USAGE *eku, int nid)
{
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == nid)
			return 1;
	return 0;
}

static void check_csr(X509_REQ *req, EVP_PKEY *key, const char *fqdn)
{
	/* subject: exactly CN=fqdn */
	X509_NAME *n = X509_REQ_get_subject_name(req);
	assert_int_equal(X509_NAME_entry_count(n), 1);
	char cn[256];
	assert_int_equal(X509_NAME_get_text_by_NID(n, NID_commonName, cn, sizeof(cn)),
			 (int)strlen(fqdn));
	assert_string_equal(cn, fqdn);
	char *c2 = csr_subject_cn(req);
	assert_string_equal(c2, fqdn);
	free(c2);

	/* signature: SHA-256 with RSA, verifies with our key */
	assert_int_equal(X509_REQ_get_signature_nid(req), NID_sha256WithRSAEncryption);
	assert_int_equal(X509_REQ_verify(req, key), 1);
	assert_int_equal(csr_matches_key(req, key), 1);

	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	assert_non_null(exts);
	int crit = -1;

	GENERAL_NAMES *san = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
	assert_non_null(san);
	assert_int_equal(sk_GENERAL_NAME_num(san), 1);
	GENERAL_NAME *g = sk_GENERAL_NAME_value(san, 0);
	assert_int_equal(g->type, GEN_DNS);
	assert_string_equal((const char *)ASN1_STRING_get0_data(g->d.dNSName), fqdn);
	GENERAL_NAMES_free(san);

	EXTENDED_KEY_USAGE *eku = X509V3_get_d2i(exts, NID_ext_key_usage, &crit, NULL);
	assert_non_null(eku);
	assert_true(has_eku(eku, NID_server_auth));
	assert_true(has_eku(eku, NID_client_auth));
	assert_int_equal(sk_ASN1_OBJECT_num(eku), 2);
	EXTENDED_KEY_USAGE_free(eku);

	ASN1_BIT_STRING *ku = X509V3_get_d2i(exts, NID_key_usage, &crit, NULL);
	assert_non_null(ku);
	assert_int_equal(crit, 1);
	assert_true(ASN1_BIT_STRING_get_bit(ku, 0));   /* digitalSignature */
	assert_true(ASN1_BIT_STRING_get_bit(ku, 2));   /* keyEncipherment */
	assert_false(ASN1_BIT_STRING_get_bit(ku, 5));  /* not keyCertSign */
	ASN1_BIT_STRING_free(ku);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

static void test_csr_contents(void **state)
{
	struct fx *f = *state;
	char err[256];
	X509_REQ *req = csr_build(f->key, "agent01.lab.example.test", err, sizeof(err));
	assert_non_null(req);
	check_csr(req, f->key, "agent01.lab.example.test");

	/* PEM round trip */
	char *pem = csr_to_pem(req);
	assert_non_null(pem);
	assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE REQUEST-----"));
	X509_REQ *back = csr_parse((const unsigned char *)pem, strlen(pem), err, sizeof(err));
	assert_non_null(back);
	check_csr(back, f->key, "agent01.lab.example.test");
	X509_REQ_free(back);

	/* DER round trip, through a file */
	unsigned char *der = NULL;
	int dl = i2d_X509_REQ(req, &der);
	assert_true(dl > 0);
	char *path = fs_join(f->dir, "request.der");
	assert_int_equal(fs_write_atomic(path, der, (size_t)dl, 0644, err, sizeof(err)), 0);
	back = csr_load_file(path, err, sizeof(err));
	assert_non_null(back);
	check_csr(back, f->key, "agent01.lab.example.test");
	X509_REQ_free(back);
	OPENSSL_free(der);
	free(path);
	free(pem);
	X509_REQ_free(req);
}

static void test_csr_other_key_does_not_match(void **state)
{
	struct fx *f = *state;
	char err[256];
	EVP_PKEY *other = keygen_rsa(1024, NULL, NULL, err, sizeof(err));
	assert_non_null(other);
	X509_REQ *req = csr_build(f->key, "a.example.test", err, sizeof(err));
	assert_non_null(req);
	assert_int_equal(csr_matches_key(req, other), 0);
	assert_int_equal(csr_matches_key(req, f->key), 1);
	X509_REQ_free(req);
	EVP_PKEY_free(other);
}

static void test_csr_bad_input(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_null(csr_build(f->key, "", err, sizeof(err)));
	assert_null(csr_build(f->key, "a.example,CN=evil", err, sizeof(err)));
	assert_non_null(strstr(err, "not a host name"));
	assert_null(csr_parse((const unsigned char *)"junk", 4, err, sizeof(err)));
	assert_non_null(strstr(err, "not a certificate request"));
	assert_null(csr_parse(NULL, 0, err, sizeof(err)));
	char *missing = fs_join(f->dir, "missing.csr");
	assert_null(csr_load_file(missing, err, sizeof(err)));
	assert_non_null(strstr(err, "missing.csr"));
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_size_and_type),
		cmocka_unit_test(test_key_refused_sizes),
		cmocka_unit_test(test_key_sizes_follow_the_rule),
		cmocka_unit_test(test_key_cancel),
		cmocka_unit_test(test_key_race),
		cmocka_unit_test(test_key_race_cancel),
		cmocka_unit_test(test_key_file_mode),
		cmocka_unit_test(test_csr_contents),
		cmocka_unit_test(test_csr_other_key_does_not_match),
		cmocka_unit_test(test_csr_bad_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
