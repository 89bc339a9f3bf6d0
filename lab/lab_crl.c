/*
 * lab_crl.c - the CRL the lab serves at certcrl.crl, signed with the root
 * key once and kept until the revocations in the state change, or a day
 * has passed (its nextUpdate is 7 days ahead): a request no longer costs
 * a signature, so a client fetching the CRL in a loop cannot keep the
 * lab busy.  One cache per lab context, under a mutex (libmicrohttpd runs
 * a thread per connection).
 */
#include "lab.h"
#include "core/strbuf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#define CRL_REFRESH_S (24 * 3600)

struct lab_crl_cache {
	char *key;                 /* the revocations it was made from */
	unsigned char *der;
	size_t len;
	long long made;
	unsigned long signs;
};

static pthread_mutex_t crl_lock = PTHREAD_MUTEX_INITIALIZER;

/* "serial@revoked_at;" for every revoked request (malloc'd). */
static char *revocations(const struct lab_state *st)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_puts(&b, "crl:");
	for (size_t i = 0; i < st->nreq; i++)
		if (st->req[i].state == REQ_REVOKED)
			strbuf_printf(&b, "%s@%lld;", st->req[i].serial,
				      st->req[i].revoked_at);
	return strbuf_take(&b);
}

/* Make the cache current for key (taken).  Under crl_lock.  0 / -1. */
static int refresh(struct lab_crl_cache *k, const struct lab_ctx *c,
		   const struct lab_state *st, char *key, char *err,
		   size_t errlen)
{
	long long now = (long long)time(NULL);
	unsigned char *der = NULL;
	size_t len = 0;

	if (k->key && !strcmp(k->key, key) && now - k->made < CRL_REFRESH_S &&
	    now >= k->made) {
		free(key);
		return 0;
	}
	if (lab_make_crl(c, st, &der, &len, err, errlen)) {
		free(key);
		return -1;
	}
	free(k->key);
	free(k->der);
	k->key = key;
	k->der = malloc(len ? len : 1);
	k->len = len;
	if (k->der)
		memcpy(k->der, der, len);
	OPENSSL_free(der);
	k->made = now;
	k->signs++;
	if (!k->der) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int lab_crl_der(const struct lab_ctx *c, const struct lab_state *st,
		unsigned char **der, size_t *len, char *err, size_t errlen)
{
	struct lab_crl_cache *k = c->crl;
	char *key;
	int rc = -1;

	*der = NULL;
	*len = 0;
	if (!k) {
		/* no cache (a context made without lab_pki_init): sign */
		unsigned char *d = NULL;

		if (lab_make_crl(c, st, &d, len, err, errlen))
			return -1;
		*der = malloc(*len ? *len : 1);
		if (*der)
			memcpy(*der, d, *len);
		OPENSSL_free(d);
		return *der ? 0 : -1;
	}
	key = revocations(st);
	if (!key) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_lock(&crl_lock);
	if (refresh(k, c, st, key, err, errlen) == 0) {
		*der = malloc(k->len ? k->len : 1);
		if (*der) {
			memcpy(*der, k->der, k->len);
			*len = k->len;
			rc = 0;
		} else {
			snprintf(err, errlen, "out of memory");
		}
	}
	pthread_mutex_unlock(&crl_lock);
	return rc;
}

struct lab_crl_cache *lab_crl_cache_new(void)
{
	return calloc(1, sizeof(struct lab_crl_cache));
}

unsigned long lab_crl_signed(const struct lab_ctx *c)
{
	unsigned long n;

	pthread_mutex_lock(&crl_lock);
	n = c->crl ? c->crl->signs : 0;
	pthread_mutex_unlock(&crl_lock);
	return n;
}

void lab_crl_cache_free(struct lab_crl_cache *k)
{
	if (!k)
		return;
	free(k->key);
	free(k->der);
	free(k);
}
