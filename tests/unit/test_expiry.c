/*
 * test_expiry.c - backend/pki/expiry.c, the renewal window: the default
 * (the last third of the lifetime, at most 30 days) and a given --before,
 * due and expired at chosen moments of a certificate's life, times read
 * back from a file in any format, the certificate in use found through
 * the agent configuration (none, unreadable, present), and the one
 * diagnostic (info, warn with event 21020, fail with 20051 naming 21007)
 * and welcome line made from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certgen.h"
#include "lab_harness.h"
#include "core/agentconf.h"
#include "pki/expiry.h"

/* A leaf valid from nb to na seconds from *now (set here): the times are
 * set after certgen made it, from one clock reading, so a second passing
 * while it is made changes nothing (the signature no longer matches;
 * expiry reads times only). */
static X509 *leaf(long nb, long na, time_t *now)
{
	struct certgen_opts o;
	X509 *x = NULL;

	certgen_opts_leaf(&o, "agent01.lab.test");
	assert_int_equal(certgen_make(&o, &x, NULL), 0);
	*now = time(NULL);
	ASN1_TIME *b = ASN1_TIME_set(NULL, *now + nb);
	ASN1_TIME *a = ASN1_TIME_set(NULL, *now + na);
	/* the setters, so a DER written later has these times too */
	assert_true(b && a && X509_set1_notBefore(x, b) &&
		    X509_set1_notAfter(x, a));
	ASN1_TIME_free(b);
	ASN1_TIME_free(a);
	return x;
}

static void test_window_default(void **state)
{
	(void)state;
	assert_int_equal(expiry_window(198, -1), 66);
	assert_int_equal(expiry_window(90LL * 86400, -1), 30LL * 86400);
	assert_int_equal(expiry_window(365LL * 86400, -1), EXPIRY_WINDOW_MAX_S);
	assert_int_equal(expiry_window(0, -1), 0);
	assert_int_equal(expiry_window(-5, -1), 0);
	/* a given window wins, even a longer one or zero */
	assert_int_equal(expiry_window(198, 120), 120);
	assert_int_equal(expiry_window(198, 1000), 1000);
	assert_int_equal(expiry_window(365LL * 86400, 0), 0);
}

/* A three-minute certificate as the lab issues it: -18 s .. +180 s. */
static void test_short_life(void **state)
{
	time_t now;
	X509 *x = leaf(-18, 180, &now);
	struct cert_expiry e;

	(void)state;
	assert_int_equal(cert_expiry_of(x, now, -1, &e), 0);
	assert_int_equal(e.lifetime_s, 198);
	assert_int_equal(e.window_s, 66);
	assert_int_equal(e.left_s, 180);
	assert_int_equal((long long)e.due_at, (long long)now + 180 - 66);
	assert_false(e.due);
	assert_false(e.expired);
	/* the window opens at 66 s left */
	assert_int_equal(cert_expiry_of(x, now + 113, -1, &e), 0);
	assert_false(e.due);
	assert_int_equal(cert_expiry_of(x, now + 114, -1, &e), 0);
	assert_true(e.due);
	assert_false(e.expired);
	/* --before 2m: due from 120 s left */
	assert_int_equal(cert_expiry_of(x, now + 59, 120, &e), 0);
	assert_false(e.due);
	assert_int_equal(cert_expiry_of(x, now + 60, 120, &e), 0);
	assert_true(e.due);
	assert_int_equal((long long)e.due_at, (long long)now + 60);
	/* expired at notAfter and after */
	assert_int_equal(cert_expiry_of(x, now + 180, -1, &e), 0);
	assert_true(e.expired);
	assert_true(e.due);
	assert_int_equal(cert_expiry_of(x, now + 4000, 0, &e), 0);
	assert_true(e.expired);
	assert_true(e.due);
	assert_int_equal(e.left_s, 180 - 4000);
	X509_free(x);
	assert_int_equal(cert_expiry_of(NULL, now, -1, &e), -1);
	assert_int_equal(e.lifetime_s, 0);
}

static void test_year_capped(void **state)
{
	time_t now;
	X509 *x = leaf(-3600, 365L * 86400, &now);
	struct cert_expiry e;

	(void)state;
	assert_int_equal(cert_expiry_of(x, now, -1, &e), 0);
	assert_int_equal(e.window_s, EXPIRY_WINDOW_MAX_S);
	assert_false(e.due);
	assert_int_equal(cert_expiry_of(x, now + 336L * 86400, -1, &e), 0);
	assert_true(e.due);   /* 29 days left */
	X509_free(x);
}

struct fx {
	char *dir, *conf, *cert;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || !(f->dir = test_mkdtemp("expiry")) ||
	    asprintf(&f->conf, "%s/agent.ini", f->dir) < 0 ||
	    asprintf(&f->cert, "%s/agent-cert.pem", f->dir) < 0)
		return -1;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	test_rm_rf(f->dir);
	free(f->dir);
	free(f->conf);
	free(f->cert);
	free(f);
	return 0;
}

static void write_conf(const struct fx *f, const char *cert_path)
{
	struct agentconf a;
	struct diag_list dl;

	agentconf_init(&a);
	diag_list_init(&dl);
	a.management_group = strdup("MG1");
	a.server = strdup("localhost");
	a.port = 5723;
	a.cert_path = cert_path ? strdup(cert_path) : NULL;
	assert_int_equal(agentconf_write(f->conf, &a, &dl), 0);
	agentconf_release(&a);
	diag_list_release(&dl);
}

static void test_in_use(void **state)
{
	struct fx *f = *state;
	struct cert_expiry e;
	struct diag_list dl;
	char *path = NULL;
	time_t now;
	X509 *x;

	diag_list_init(&dl);
	/* no agent configuration: nothing to renew, nothing said */
	assert_int_equal(cert_expiry_in_use(NULL, NULL, f->dir, time(NULL), -1,
					    &e, &path, &dl), 1);
	assert_null(path);
	assert_int_equal(dl.n, 0);
	/* a configuration naming no certificate */
	write_conf(f, NULL);
	assert_int_equal(cert_expiry_in_use(NULL, NULL, f->dir, time(NULL), -1,
					    &e, &path, &dl), 1);
	assert_int_equal(dl.n, 0);
	/* naming one that is not there */
	write_conf(f, f->cert);
	assert_int_equal(cert_expiry_in_use(NULL, NULL, f->dir, time(NULL), -1,
					    &e, &path, &dl), -1);
	assert_string_equal(path, f->cert);
	free(path);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].check, DIAG_SERIAL_EXPIRY);
	assert_int_equal(dl.items[0].sev, SEV_FAIL);
	assert_non_null(strstr(dl.items[0].message, "cannot be read"));
	diag_list_release(&dl);
	/* present, as DER: read in any format */
	x = leaf(-600, 7200, &now);
	assert_int_equal(certgen_write_der(f->cert, x), 0);
	X509_free(x);
	assert_int_equal(cert_expiry_in_use(NULL, NULL, f->dir, now, 3600, &e,
					    &path, &dl), 0);
	assert_string_equal(path, f->cert);
	free(path);
	assert_int_equal(dl.n, 0);
	assert_int_equal(e.left_s, 7200);
	assert_int_equal(e.window_s, 3600);
	assert_false(e.due);
	diag_list_release(&dl);
}

/* The report of e: item i of dl has severity sev, event ev and a message
 * with needle (and, for SEV_WARN and SEV_FAIL, the renew command in its
 * fix); the welcome line is line. */
static void expect_report(const struct cert_expiry *e, struct diag_list *dl,
			  enum diag_severity sev, int ev, const char *needle,
			  const char *line)
{
	char text[128];
	size_t i = dl->n;

	assert_non_null(cert_expiry_diag(e, "/a/cert.pem", dl));
	assert_int_equal(dl->n, i + 1);
	assert_int_equal(dl->items[i].check, DIAG_SERIAL_EXPIRY);
	assert_int_equal(dl->items[i].sev, sev);
	assert_int_equal(dl->items[i].event, ev);
	if (!strstr(dl->items[i].message, needle))
		fail_msg("'%s' not in \"%s\"", needle, dl->items[i].message);
	if (sev >= SEV_WARN)
		assert_non_null(strstr(dl->items[i].fix, "opsmgr-enroll renew"));
	assert_string_equal(cert_expiry_line(e, text, sizeof(text)), line);
}

static void test_diag_and_line(void **state)
{
	time_t now;
	X509 *x = leaf(-3600, 3L * 86400 + 60, &now);
	struct cert_expiry e;
	struct diag_list dl;

	(void)state;
	diag_list_init(&dl);
	/* outside the window: info, no event */
	assert_int_equal(cert_expiry_of(x, now, 86400, &e), 0);
	expect_report(&e, &dl, SEV_INFO, 0, "'/a/cert.pem' expires in 3 days",
		      "certificate expires in 3 days");
	/* inside: warn, 21020, the fix names renew */
	assert_int_equal(cert_expiry_of(x, now + 2L * 86400 + 3660, 86400, &e), 0);
	expect_report(&e, &dl, SEV_WARN, 21020, "expires in 23 hours",
		      "certificate expires in 23 hours");
	/* expired: fail, 20051, 21007 named */
	assert_int_equal(cert_expiry_of(x, now + 3L * 86400 + 60 + 300, -1, &e),
			 0);
	expect_report(&e, &dl, SEV_FAIL, 20051, "expired 5 minutes ago",
		      "certificate expired 5 minutes ago");
	assert_non_null(strstr(dl.items[2].message, "21007"));
	assert_string_equal(diag_check_id(DIAG_SERIAL_EXPIRY), "expiry");
	assert_int_equal(diag_check_stage(DIAG_SERIAL_EXPIRY), STAGE_SERIAL);
	diag_list_release(&dl);
	X509_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_default),
		cmocka_unit_test(test_short_life),
		cmocka_unit_test(test_year_capped),
		cmocka_unit_test_setup_teardown(test_in_use, fx_setup,
						fx_teardown),
		cmocka_unit_test(test_diag_and_line),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	certgen_cleanup();
	return rc;
}
