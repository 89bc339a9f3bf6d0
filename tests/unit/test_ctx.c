/*
 * test_ctx.c - backend/core/ctx.c: the paths a run derives from the state
 * directory, the FQDN in use (configuration before state), and loading the
 * passwords the configuration names (each failure at its own field and
 * check, a password already typed left alone).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/diag.h"
#include "core/state.h"
#include "lab_harness.h"
#include "run_capture.h"

static void test_paths_and_fqdn(void **st)
{
	(void)st;
	struct config cfg;
	struct state s;
	struct ctx c;
	config_init(&cfg);
	state_init(&s);
	ctx_init(&c, &cfg, &s, "/var/x");
	char *p = ctx_path(&c, "key.pem");
	assert_string_equal(p, "/var/x/key.pem");
	free(p);
	assert_string_equal(ctx_trust_store(&c), "/var/x/trust");
	assert_ptr_equal(ctx_trust_store(&c), ctx_trust_store(&c));
	config_set_str(&cfg.trust_store, "/etc/roots");
	assert_string_equal(ctx_trust_store(&c), "/etc/roots");

	assert_null(ctx_fqdn(&c));
	state_set_str(&s.fqdn, "saved.example.com");
	assert_string_equal(ctx_fqdn(&c), "saved.example.com");
	config_set_str(&cfg.fqdn, "");
	assert_string_equal(ctx_fqdn(&c), "saved.example.com");
	config_set_str(&cfg.fqdn, "agent01.example.com");
	assert_string_equal(ctx_fqdn(&c), "agent01.example.com");
	ctx_release(&c);

	ctx_init(&c, &cfg, &s, NULL);
	p = ctx_path(&c, "state");
	assert_string_equal(p, "./state");
	free(p);
	ctx_release(&c);
	state_release(&s);
	config_release(&cfg);
}

static void test_load_secrets(void **st)
{
	(void)st;
	char *dir = test_mkdtemp("ctx");
	char good[600], missing[600];
	snprintf(good, sizeof(good), "%s/pw.txt", dir);
	snprintf(missing, sizeof(missing), "%s/nope.txt", dir);
	assert_int_equal(test_write_file(good, "s3cret\n"), 0);
	struct config cfg;
	struct ctx c;
	struct diag_list dl;
	config_init(&cfg);
	diag_list_init(&dl);

	/* nothing named: nothing to do */
	ctx_init(&c, &cfg, NULL, dir);
	assert_int_equal(ctx_load_secrets(&c, &dl), 0);
	assert_int_equal(dl.n, 0);
	assert_false(secret_is_set(&c.ca_password));
	ctx_release(&c);

	/* both files unreadable: one failure each, at its field and check */
	config_set_str(&cfg.ca_password_file, missing);
	config_set_str(&cfg.export_password_file, missing);
	ctx_init(&c, &cfg, NULL, dir);
	assert_int_equal(ctx_load_secrets(&c, &dl), -1);
	assert_int_equal(dl.n, 2);
	const struct diag *d = diag_find(&dl, DIAG_REQ_PASSWORD);
	assert_non_null(d);
	assert_string_equal(d->field, "ca.password_file");
	assert_non_null(strstr(d->message, "cannot read the CA password from"));
	d = diag_find(&dl, DIAG_EXPORT_PASSWORD);
	assert_non_null(d);
	assert_string_equal(d->field, "export.password_file");
	assert_non_null(strstr(d->message, "cannot read the PFX password from"));
	diag_list_release(&dl);

	/* a password already typed is kept; the other one is read */
	assert_int_equal(secret_set(&c.pfx_password, "typed", 5), 0);
	config_set_str(&cfg.ca_password_file, good);
	assert_int_equal(ctx_load_secrets(&c, &dl), 0);
	assert_int_equal(dl.n, 0);
	assert_true(secret_is_set(&c.ca_password));
	assert_true(secret_is_set(&c.pfx_password));
	ctx_release(&c);

	diag_list_release(&dl);
	config_release(&cfg);
	test_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_and_fqdn),
		cmocka_unit_test(test_load_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
