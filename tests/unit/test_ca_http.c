/*
 * test_ca_http.c - the one [ca] -> connection options function
 * (backend/adcs/ca_http.c) that stages 1 and 2 share: trust (ca_file,
 * trust store, system store), credentials only when asked for, the
 * ca.timeout default and the connect timeout, allow_insecure_http.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "adcs/ca_http.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/state.h"
#include "lab_harness.h"
#include "sys/fsutil.h"

struct fx {
	char *dir;
	struct config cfg;
	struct state st;
	struct ctx c;
};

static int before(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->dir = test_mkdtemp("cahttp-");
	if (!f->dir)
		return -1;
	config_init(&f->cfg);
	state_init(&f->st);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	*state = f;
	return 0;
}

static int after(void **state)
{
	struct fx *f = *state;
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void configure(struct fx *f)
{
	config_set_str(&f->cfg.ca_url, "https://ca.example.test/certsrv/");
	config_set_str(&f->cfg.ca_user, "EXAMPLE\\enroll");
	config_set_str(&f->cfg.ca_client_cert, "/x/client.pem");
	config_set_str(&f->cfg.ca_client_key, "/x/client.key");
	config_set_str(&f->cfg.ca_file, "/x/bundle.pem");
	f->cfg.ca_auth = AUTH_NTLM;
	f->cfg.ca_timeout = 25;
	f->cfg.ca_allow_http = true;
	assert_int_equal(secret_set(&f->c.ca_password, "pw", 2), 0);
}

static void test_with_credentials(void **state)
{
	struct fx *f = *state;
	struct http_opts o;
	configure(f);
	ca_http_options(&f->c, CA_WITH_CREDENTIALS, &o);
	assert_int_equal(o.auth, AUTH_NTLM);
	assert_string_equal(o.user, "EXAMPLE\\enroll");
	assert_non_null(o.password);
	assert_string_equal(o.password->buf, "pw");
	assert_string_equal(o.client_cert, "/x/client.pem");
	assert_string_equal(o.client_key, "/x/client.key");
	assert_string_equal(o.ca_file, "/x/bundle.pem");
	assert_true(o.system_trust);
	assert_int_equal(o.timeout_s, 25);
	assert_int_equal(o.connect_timeout_s, CA_HTTP_CONNECT_TIMEOUT);
	assert_true(o.allow_http);
	assert_int_equal(o.body_cap, HTTP_DEFAULT_BODY_CAP);
}

static void test_without_credentials(void **state)
{
	struct fx *f = *state;
	struct http_opts o;
	configure(f);
	ca_http_options(&f->c, CA_WITHOUT_CREDENTIALS, &o);
	assert_int_equal(o.auth, AUTH_NONE);
	assert_null(o.user);
	assert_null(o.password);
	assert_null(o.client_cert);
	assert_null(o.client_key);
	/* trust and timeouts as with credentials */
	assert_string_equal(o.ca_file, "/x/bundle.pem");
	assert_true(o.system_trust);
	assert_int_equal(o.timeout_s, 25);
	assert_true(o.allow_http);
}

static void test_defaults_and_short_timeout(void **state)
{
	struct fx *f = *state;
	struct http_opts o;
	config_set_str(&f->cfg.ca_file, "");
	ca_http_options(&f->c, CA_WITH_CREDENTIALS, &o);
	assert_null(o.ca_file);               /* empty: not a bundle */
	assert_null(o.ca_path);               /* no trust store directory yet */
	assert_int_equal(o.timeout_s, CONFIG_DEFAULT_CA_TIMEOUT);
	assert_int_equal(o.connect_timeout_s, CA_HTTP_CONNECT_TIMEOUT);
	assert_false(o.allow_http);

	f->cfg.ca_timeout = 4;                /* connect never longer than total */
	ca_http_options(&f->c, CA_WITH_CREDENTIALS, &o);
	assert_int_equal(o.timeout_s, 4);
	assert_int_equal(o.connect_timeout_s, 4);
}

static void test_trust_store_when_it_exists(void **state)
{
	struct fx *f = *state;
	struct http_opts o;
	const char *ts = ctx_trust_store(&f->c);
	assert_non_null(ts);
	assert_int_equal(mkdir(ts, 0700), 0);
	ca_http_options(&f->c, CA_WITHOUT_CREDENTIALS, &o);
	assert_non_null(o.ca_path);
	assert_string_equal(o.ca_path, ts);

	/* a configured store that is a file, not a directory: not used */
	char *file = fs_join(f->dir, "not-a-dir");
	assert_int_equal(fs_write_atomic(file, "x", 1, 0600, NULL, 0), 0);
	config_set_str(&f->cfg.trust_store, file);
	ca_http_options(&f->c, CA_WITHOUT_CREDENTIALS, &o);
	assert_null(o.ca_path);
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_with_credentials, before, after),
		cmocka_unit_test_setup_teardown(test_without_credentials, before, after),
		cmocka_unit_test_setup_teardown(test_defaults_and_short_timeout, before, after),
		cmocka_unit_test_setup_teardown(test_trust_store_when_it_exists, before, after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
