/*
 * test_krb_ticket.c - backend/sys/krb_ticket.c without a KDC: krb5.conf
 * and credential caches written by this file (the FILE cache format,
 * version 4, as MIT's cc_file.c reads it), read through the real
 * libkrb5.so.3.  No cache, an empty cache, a current ticket, an expired
 * one, a ticket of another realm than the host's (domain_realm, else
 * default_realm, else "REALM"), the name given to kinit from ca.user's
 * forms, and a broken krb5.conf.
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

#include "core/fsutil.h"
#include "lab_harness.h"
#include "run_capture.h"
#include "sys/krb_ticket.h"

static char *dir, *conf, *cache;

/* A growing byte buffer in the cache's big-endian encoding. */
struct buf {
	unsigned char b[4096];
	size_t n;
};

static void put(struct buf *w, uint32_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		w->b[w->n++] = (unsigned char)(v >> (8 * i));
}

static void put_data(struct buf *w, const char *s)
{
	put(w, (uint32_t)strlen(s), 4);
	memcpy(w->b + w->n, s, strlen(s));
	w->n += strlen(s);
}

/* principal: name type, component count, realm, components */
static void put_principal(struct buf *w, const char *realm, const char *c1,
			  const char *c2)
{
	put(w, 1, 4);
	put(w, c2 ? 2 : 1, 4);
	put_data(w, realm);
	put_data(w, c1);
	if (c2)
		put_data(w, c2);
}

/* A cache of user@realm, with a TGT of tgt_realm ending at end (none when
 * tgt_realm is NULL). */
static void write_cache(const char *user, const char *realm,
			const char *tgt_realm, time_t end)
{
	struct buf w = { .n = 0 };
	put(&w, 0x0504, 2);
	put(&w, 0, 2);                    /* no header tags */
	put_principal(&w, realm, user, NULL);
	if (tgt_realm) {
		put_principal(&w, realm, user, NULL);              /* client */
		put_principal(&w, tgt_realm, "krbtgt", tgt_realm); /* server */
		put(&w, 18, 2);                                    /* aes256 */
		put_data(&w, "0123456789abcdef0123456789abcdef");
		uint32_t start = (uint32_t)(end - 36000);
		put(&w, start, 4);                /* authtime */
		put(&w, start, 4);                /* starttime */
		put(&w, (uint32_t)end, 4);        /* endtime */
		put(&w, 0, 4);                    /* renew_till */
		put(&w, 0, 1);                    /* is_skey */
		put(&w, 0x00400000, 4);           /* flags: initial */
		put(&w, 0, 4);                    /* addresses */
		put(&w, 0, 4);                    /* authdata */
		put_data(&w, "ticket");
		put_data(&w, "");                 /* second ticket */
	}
	FILE *f = fopen(cache, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(w.b, 1, w.n, f), w.n);
	fclose(f);
}

static void write_conf(const char *text)
{
	assert_int_equal(test_write_file(conf, text), 0);
}

static const char *k_conf =
	"[libdefaults]\n default_realm = EXAMPLE.COM\n"
	" dns_lookup_realm = false\n dns_lookup_kdc = false\n"
	"[domain_realm]\n .corp.example = CORP.EXAMPLE\n";

static int setup(void **state)
{
	dir = test_mkdtemp("krbticket-");
	conf = fs_join(dir, "krb5.conf");
	cache = fs_join(dir, "ccache");
	char *ccname = NULL;
	if (asprintf(&ccname, "FILE:%s", cache) < 0)
		return -1;
	setenv("KRB5_CONFIG", conf, 1);
	setenv("KRB5CCNAME", ccname, 1);
	free(ccname);
	return 0;
}

static int teardown(void **state)
{
	test_rm_rf(dir);
	free(dir);
	free(conf);
	free(cache);
	unsetenv("KRB5_CONFIG");
	unsetenv("KRB5CCNAME");
	return 0;
}

static enum krb_verdict explain(const char *host, const char *user,
				char *msg, char *fix)
{
	return krb_explain(host, user, msg, 1024, fix, 1024);
}

static void test_no_cache(void **state)
{
	char msg[1024], fix[1024];
	write_conf(k_conf);
	remove(cache);
	assert_int_equal(explain("ca.corp.example", NULL, msg, fix),
			 KRB_NO_TICKET);
	assert_non_null(strstr(msg, "no Kerberos ticket: run kinit "
				    "USER@CORP.EXAMPLE"));
	assert_non_null(strstr(msg, cache));   /* the cache looked at */
	assert_non_null(strstr(fix, "kinit USER@CORP.EXAMPLE"));
	/* a host krb5.conf does not map: the default realm */
	assert_int_equal(explain("ca.elsewhere.test", "alice", msg, fix),
			 KRB_NO_TICKET);
	assert_non_null(strstr(msg, "run kinit alice@EXAMPLE.COM"));
	/* no realm at all: the words of the issue */
	write_conf("[libdefaults]\n dns_lookup_realm = false\n");
	assert_int_equal(explain("ca.elsewhere.test", NULL, msg, fix),
			 KRB_NO_TICKET);
	assert_non_null(strstr(msg, "no Kerberos ticket: run kinit USER@REALM"));
}

static void test_user_forms(void **state)
{
	char msg[1024], fix[1024];
	static const char *const forms[] = {"alice", "alice@CORP.EXAMPLE",
					    "CORP\\alice"};
	write_conf(k_conf);
	remove(cache);
	for (size_t i = 0; i < 3; i++) {
		explain("ca.corp.example", forms[i], msg, fix);
		if (!strstr(msg, "run kinit alice@CORP.EXAMPLE "))
			fail_msg("%s: %s", forms[i], msg);
	}
	explain("ca.corp.example", "@CORP.EXAMPLE", msg, fix);
	assert_non_null(strstr(msg, "run kinit USER@CORP.EXAMPLE"));
}

static void test_cache_without_tgt(void **state)
{
	char msg[1024], fix[1024];
	struct krb_ticket t;
	write_conf(k_conf);
	write_cache("alice", "CORP.EXAMPLE", NULL, 0);
	assert_int_equal(krb_ticket_inspect("ca.corp.example", &t, msg, 1024), 0);
	assert_true(t.has_principal);
	assert_false(t.has_tgt);
	assert_string_equal(t.principal, "alice@CORP.EXAMPLE");
	assert_int_equal(explain("ca.corp.example", NULL, msg, fix),
			 KRB_NO_TICKET);
	assert_non_null(strstr(msg, "holds no ticket-granting ticket"));
}

static void test_current_ticket(void **state)
{
	char msg[1024], fix[1024];
	struct krb_ticket t;
	time_t end = time(NULL) + 3600;
	write_conf(k_conf);
	write_cache("alice", "CORP.EXAMPLE", "CORP.EXAMPLE", end);
	assert_int_equal(krb_ticket_inspect("ca.corp.example", &t, msg, 1024), 0);
	assert_true(t.has_tgt);
	assert_false(t.expired);
	assert_int_equal(t.expires, end);
	assert_string_equal(t.realm, "CORP.EXAMPLE");
	assert_string_equal(t.host_realm, "CORP.EXAMPLE");
	assert_non_null(strstr(t.ccache, cache));
	/* the server refused a good ticket: named, with the service */
	assert_int_equal(explain("ca.corp.example", NULL, msg, fix),
			 KRB_TICKET_OK);
	assert_non_null(strstr(msg, "refused the Kerberos ticket of "
				    "'alice@CORP.EXAMPLE'"));
	assert_non_null(strstr(fix, "HTTP/ca.corp.example"));
}

static void test_expired_ticket(void **state)
{
	char msg[1024], fix[1024];
	write_conf(k_conf);
	write_cache("alice", "CORP.EXAMPLE", "CORP.EXAMPLE", time(NULL) - 60);
	assert_int_equal(explain("ca.corp.example", "bob", msg, fix),
			 KRB_EXPIRED);
	assert_non_null(strstr(msg, "the Kerberos ticket of "
				    "'alice@CORP.EXAMPLE' expired at "));
	assert_non_null(strstr(msg, "UTC: run kinit alice@CORP.EXAMPLE"));
}

static void test_wrong_realm(void **state)
{
	char msg[1024], fix[1024];
	write_conf(k_conf);
	write_cache("bob", "EXAMPLE.COM", "EXAMPLE.COM", time(NULL) + 3600);
	assert_int_equal(explain("ca.corp.example", NULL, msg, fix),
			 KRB_WRONG_REALM);
	assert_non_null(strstr(msg, "'bob@EXAMPLE.COM' of realm 'EXAMPLE.COM'"));
	assert_non_null(strstr(msg, "'ca.corp.example' is in realm "
				    "'CORP.EXAMPLE': run kinit USER@CORP.EXAMPLE"));
	/* the same ticket for a host of its own realm is fine */
	assert_int_equal(explain("ca.elsewhere.test", NULL, msg, fix),
			 KRB_TICKET_OK);
}

static void test_broken_conf(void **state)
{
	char msg[1024], fix[1024];
	write_conf("[libdefaults\n default_realm = {\n");
	assert_int_equal(explain("ca.corp.example", NULL, msg, fix),
			 KRB_UNKNOWN);
	assert_non_null(strstr(msg, "cannot look at the Kerberos ticket: "
				    "Kerberos cannot start ("));
	assert_non_null(strstr(fix, "klist"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_cache),
		cmocka_unit_test(test_user_forms),
		cmocka_unit_test(test_cache_without_tgt),
		cmocka_unit_test(test_current_ticket),
		cmocka_unit_test(test_expired_ticket),
		cmocka_unit_test(test_wrong_realm),
		cmocka_unit_test(test_broken_conf),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
