/*
 * test_negotiate_apache.c - stages 1 and 2 against a real server: Apache
 * (mod_auth_gssapi, mod_auth_basic, mod_proxy) in front of the lab, with a
 * throwaway MIT Kerberos realm (tests/common/krb_harness.h), all on
 * loopback and in the build directory, made once for the program.
 * Negotiate: with alice's ticket from kinit both stages enroll (Apache's
 * log names alice as the one who posted the request); without a ticket
 * both stages say "no Kerberos ticket: run kinit USER@OPSMGR.TEST" at
 * ca.auth; with bob's ticket of the other realm the message names both
 * realms; an expired ticket is named with its end.  Basic through Apache:
 * Apache's own user enrolls (answers chunked, the connection kept alive),
 * and a wrong password gets Apache's own 401 page, read at ca.password;
 * Basic offered after Negotiate (checked against the realm) is picked by
 * auth = basic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/config.h"
#include "core/config_load.h"
#include "core/config_schema.h"
#include "core/ctx.h"
#include "core/diag.h"
#include "core/fsutil.h"
#include "core/state.h"
#include "diag_expect.h"
#include "krb_harness.h"
#include "lab_harness.h"
#include "run_capture.h"
#include "stages/stages.h"
#include "sys/http.h"

static struct lab L;
static struct krb_realm K;
static struct apache A;

struct fx {
	char *dir;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
};

static int group_teardown(void **state)
{
	apache_stop(&A);
	krb_realm_stop(&K);
	lab_stop(&L);
	return 0;
}

static int group_setup(void **state)
{
	memset(&L, 0, sizeof(L));
	if (lab_start(&L, NULL, NULL) == 0 && krb_realm_start(&K) == 0 &&
	    apache_start(&A, &K, &L) == 0)
		return 0;
	group_teardown(state);   /* cmocka does not call it after a failure */
	return -1;
}

static int save_cp(struct ctx *c, struct diag_list *dl)
{
	return state_save(c->st, c->state_dir, dl);
}

static void set_key(struct fx *f, const char *key, const char *value)
{
	struct verdict v;
	const struct config_key *k = config_key_find(key);
	assert_non_null(k);
	if (config_key_set_text(&f->cfg, k, value, &v) != 0)
		fail_msg("cannot set %s = '%s'", key, value);
}

/* The lab's answers with the CA behind Apache: url, auth, user, password
 * file (NULL user/password: unset). */
static struct fx *fx_open(const char *url, const char *auth, const char *user,
			  const char *password_file)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct diag_list tmp;
	assert_non_null(f);
	f->dir = test_mkdtemp("negotiate-");
	assert_non_null(f->dir);
	config_init(&f->cfg);
	diag_list_init(&tmp);
	assert_int_equal(config_load_file(&f->cfg, L.answers, true, &tmp), 0);
	set_key(f, "ca.url", url);
	set_key(f, "ca.auth", auth);
	set_key(f, "ca.user", user ? user : "");
	set_key(f, "ca.password_file", password_file ? password_file : "");
	char *store = fs_join(f->dir, "trust");
	config_set_str(&f->cfg.trust_store, store);
	free(store);
	assert_int_equal(state_dir_prepare(f->dir, &tmp), 0);
	state_init(&f->st);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	f->c.checkpoint = save_cp;
	diag_list_init(&f->dl);
	diag_list_release(&tmp);
	return f;
}

static void fx_close(struct fx *f)
{
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	diag_list_release(&f->dl);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f);
}

static enum status run_stage(struct fx *f, enum stage s)
{
	diag_list_clear(&f->dl);
	enum status r = s == STAGE_TRUST ? stage_trust_run(&f->c, NULL, &f->dl)
					 : stage_request_run(&f->c, NULL, &f->dl);
	if (getenv("TEST_VERBOSE"))
		diag_print_text(stderr, &f->dl, SEV_PASS);
	return r;
}

static void expect_status(struct fx *f, enum status got, enum status want)
{
	if (got != want) {
		diag_print_text(stderr, &f->dl, SEV_PASS);
		fail_msg("status %d, expected %d", (int)got, (int)want);
	}
}

/* Stages 1 and 2 through Apache end with an issued certificate. */
static void enroll(struct fx *f)
{
	expect_status(f, run_stage(f, STAGE_TRUST), ST_OK);
	test_expect_diag(&f->dl, DIAG_TRUST_PIN, SEV_PASS);
	expect_status(f, run_stage(f, STAGE_REQUEST), ST_OK);
	assert_int_equal(f->st.req_phase, REQ_ISSUED);
	assert_true(f->st.request_id > 0);
	assert_non_null(f->st.cert_path);
	assert_int_equal(access(f->st.cert_path, R_OK), 0);
}

/* The FAIL at ca.auth of check c, its message holding every needle. */
static void expect_auth_fail(struct fx *f, enum diag_check c,
			     const char *const needles[])
{
	const struct diag *d = test_expect_diag(&f->dl, c, SEV_FAIL);
	assert_non_null(d->field);
	assert_string_equal(d->field, "ca.auth");
	for (size_t i = 0; needles[i]; i++)
		if (!strstr(d->message, needles[i]))
			fail_msg("'%s' not in: %s", needles[i], d->message);
	assert_non_null(d->fix);
}

/* How many lines of Apache's access log hold both words. */
static int access_logged(const char *a, const char *b)
{
	char *p = fs_join(A.dir, "access.log");
	char *t = test_read_file(p);
	int n = 0;
	for (char *line = t ? strtok(t, "\n") : NULL; line;
	     line = strtok(NULL, "\n"))
		n += strstr(line, a) && strstr(line, b);
	free(t);
	free(p);
	return n;
}

static void test_negotiate_with_ticket_enrolls(void **state)
{
	assert_int_equal(krb_kinit(&K, KRB_USER "@" KRB_REALM), 0);
	struct fx *f = fx_open(A.negotiate_url, "negotiate", NULL, NULL);
	enroll(f);
	/* Apache authenticated alice's ticket for the request itself */
	assert_true(access_logged(KRB_USER "@" KRB_REALM,
				  "POST /certsrv/certfnsh.asp"));
	fx_close(f);
}

static void test_negotiate_without_ticket(void **state)
{
	assert_int_equal(krb_kdestroy(&K), 0);
	struct fx *f = fx_open(A.negotiate_url, "negotiate", NULL, NULL);
	const char *const words[] = {
		"no Kerberos ticket: run kinit USER@" KRB_REALM, K.dir,
		"HTTP 401", "Negotiate", NULL };
	expect_status(f, run_stage(f, STAGE_TRUST), ST_FAIL);
	expect_auth_fail(f, DIAG_TRUST_SOURCE, words);
	expect_status(f, run_stage(f, STAGE_REQUEST), ST_FAIL);
	expect_auth_fail(f, DIAG_REQ_AUTH, words);
	/* nothing was taken: the same key is sent again later */
	assert_int_equal(f->st.req_phase, REQ_KEY_WRITTEN);
	fx_close(f);

	/* ca.user gives the name to kinit */
	f = fx_open(A.negotiate_url, "negotiate", "EXAMPLE\\alice", NULL);
	expect_status(f, run_stage(f, STAGE_REQUEST), ST_FAIL);
	const char *const named[] = {
		"no Kerberos ticket: run kinit alice@" KRB_REALM, NULL };
	expect_auth_fail(f, DIAG_REQ_AUTH, named);
	fx_close(f);
}

static void test_negotiate_wrong_realm(void **state)
{
	assert_int_equal(krb_kinit(&K, KRB_OTHER_USER "@" KRB_OTHER_REALM), 0);
	struct fx *f = fx_open(A.negotiate_url, "negotiate", NULL, NULL);
	const char *const words[] = {
		"'" KRB_OTHER_USER "@" KRB_OTHER_REALM "'",
		"realm '" KRB_OTHER_REALM "'", "'localhost' is in realm '"
		KRB_REALM "'", "run kinit USER@" KRB_REALM, NULL };
	expect_status(f, run_stage(f, STAGE_REQUEST), ST_FAIL);
	expect_auth_fail(f, DIAG_REQ_AUTH, words);
	fx_close(f);
	assert_int_equal(krb_kdestroy(&K), 0);
}

static void test_negotiate_expired_ticket(void **state)
{
	assert_int_equal(krb_kinit_for(&K, KRB_USER "@" KRB_REALM, "2s"), 0);
	sleep(3);
	struct fx *f = fx_open(A.negotiate_url, "negotiate", NULL, NULL);
	const char *const words[] = {
		"the Kerberos ticket of '" KRB_USER "@" KRB_REALM "' expired at ",
		"run kinit " KRB_USER "@" KRB_REALM, NULL };
	expect_status(f, run_stage(f, STAGE_REQUEST), ST_FAIL);
	expect_auth_fail(f, DIAG_REQ_AUTH, words);
	fx_close(f);
	assert_int_equal(krb_kdestroy(&K), 0);
}

/* libcurl's header callback: note a chunked answer. */
static size_t on_header(char *b, size_t size, size_t n, void *ud)
{
	size_t len = size * n;
	if (len >= 26 && strncasecmp(b, "Transfer-Encoding: chunked", 26) == 0)
		*(int *)ud = 1;
	return len;
}
static size_t discard(char *b, size_t size, size_t n, void *ud)
{
	return size * n;
}

/* Apache's Basic location answers chunked (no Content-Length). */
static int basic_page_chunked(void)
{
	int chunked = 0;
	char *url = fs_join(A.basic_url, "certcarc.asp");
	CURL *c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, L.root_pem);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_USERNAME, A.basic_user);
	curl_easy_setopt(c, CURLOPT_PASSWORD, A.basic_password);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &chunked);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	long code = 0;
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	assert_int_equal(code, 200);
	curl_easy_cleanup(c);
	free(url);
	return chunked;
}

static void test_basic_through_apache_enrolls(void **state)
{
	assert_true(basic_page_chunked());
	struct fx *f = fx_open(A.basic_url, "basic", A.basic_user,
			       A.basic_password_file);
	http_close_idle();
	unsigned long before = http_connections_opened();
	int requests = access_logged(A.basic_user, "/basic/certsrv/");
	enroll(f);
	/* stage 1 and 2's requests (page, chain, submit, certificate, ...)
	 * share connections Apache keeps alive */
	unsigned long opened = http_connections_opened() - before;
	requests = access_logged(A.basic_user, "/basic/certsrv/") - requests;
	assert_true(requests >= 4);
	assert_true(opened >= 1);
	assert_true(opened < (unsigned long)requests);
	assert_true(access_logged(A.basic_user, "POST /basic/certsrv/certfnsh.asp"));
	fx_close(f);
}

/* The Negotiate location offers Basic second (checked against Kerberos,
 * like IIS's list): auth = basic picks it with alice's password. */
static void test_basic_offered_after_negotiate(void **state)
{
	char *pw = fs_join(A.dir, "alice-password");
	assert_int_equal(test_write_file(pw, K.password), 0);
	struct fx *f = fx_open(A.negotiate_url, "basic",
			       KRB_USER "@" KRB_REALM, pw);
	expect_status(f, run_stage(f, STAGE_REQUEST), ST_OK);
	assert_int_equal(f->st.req_phase, REQ_ISSUED);
	assert_true(access_logged(KRB_USER "@" KRB_REALM,
				  "POST /certsrv/certfnsh.asp"));
	fx_close(f);
	unlink(pw);
	free(pw);
}

static void test_basic_wrong_password_apache_401(void **state)
{
	char *pw = fs_join(A.dir, "wrong-password");
	assert_int_equal(test_write_file(pw, "not-the-password\n"), 0);
	struct fx *f = fx_open(A.basic_url, "basic", A.basic_user, pw);
	expect_status(f, run_stage(f, STAGE_REQUEST), ST_FAIL);
	const struct diag *d = test_expect_diag(&f->dl, DIAG_REQ_PASSWORD,
						SEV_FAIL);
	assert_string_equal(d->field, "ca.password");
	assert_non_null(strstr(d->message, "HTTP 401"));
	assert_non_null(strstr(d->message, "Basic"));
	assert_non_null(strstr(d->message, A.basic_user));
	assert_int_equal(f->st.req_phase, REQ_KEY_WRITTEN);
	fx_close(f);
	unlink(pw);
	free(pw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiate_with_ticket_enrolls),
		cmocka_unit_test(test_negotiate_without_ticket),
		cmocka_unit_test(test_negotiate_wrong_realm),
		cmocka_unit_test(test_negotiate_expired_ticket),
		cmocka_unit_test(test_basic_through_apache_enrolls),
		cmocka_unit_test(test_basic_offered_after_negotiate),
		cmocka_unit_test(test_basic_wrong_password_apache_401),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
