/*
 * keygen.c - RSA key generation with progress/cancel hooks and the 0600
 * key file (keygen.h).
 */
#include "pki/keygen.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "pki/x509util.h"
#include "core/fsutil.h"
#include "core/validate.h"

/*
 * Stage 2's key generation is the one long computation an operator waits
 * for, and how long it takes is luck: the prime search.  keygen_rsa() runs
 * one independent OpenSSL key generation per core and keeps the first key
 * that finishes; the others are told to stop through OpenSSL's keygen
 * callback and their partial results are freed.  Every key is an ordinary
 * EVP_PKEY_generate() result: nothing of the RSA algorithm is done here.
 *
 * Threads: the calling thread is racer 0 and the only one that calls the
 * hooks (the UI's progress and cancel callbacks are not thread-safe);
 * helpers only read the shared flags.
 */
struct race {
	atomic_int stop;      /* 1: a key is ready, or the caller cancelled */
	atomic_int cancelled; /* set by racer 0 when hooks asked to stop */
	pthread_mutex_t mu;
	EVP_PKEY *winner;     /* first finished key, owned by the race */
};

struct kg {
	struct race *race;
	const struct hooks *h;  /* NULL in helper threads */
	int bits;
	char what[64];
	int primes;       /* primes found so far */
	unsigned calls;
	EVP_PKEY *key;    /* this racer's key when it lost the race (freed) */
	char err[256];    /* this racer's OpenSSL failure, if any */
};

/*
 * OpenSSL calls this for each step of prime generation (BN_GENCB
 * semantics): p = 0 candidate, 1 primality test round, 2 candidate
 * rejected/accepted, 3 prime found.  Returning 0 aborts generation.
 */
static int kg_cb(EVP_PKEY_CTX *pctx)
{
	struct kg *k = EVP_PKEY_CTX_get_app_data(pctx);
	if (!k)
		return 1;
	if (atomic_load_explicit(&k->race->stop, memory_order_relaxed))
		return 0;
	if (!k->h)
		return 1;
	int p = EVP_PKEY_CTX_get_keygen_info(pctx, 0);
	if (hooks_cancelled(k->h)) {
		atomic_store(&k->race->cancelled, 1);
		atomic_store(&k->race->stop, 1);
		return 0;
	}
	if (p == 3) {
		k->primes++;
		hooks_progress(k->h, k->what, k->primes >= 2 ? 0.95 : 0.5);
	} else if ((k->calls++ & 15) == 0) {
		hooks_progress(k->h, k->what, k->primes ? 0.5 : 0.0);
	}
	return 1;
}

/*
 * A racer that failed outright (not stopped): when it is racer 0, the only
 * one that polls the hooks, the others stop as well - nobody would notice
 * a cancel otherwise.  The error is reported unless a key is ready.
 */
static void kg_failed(struct kg *k)
{
	if (k->h)
		atomic_store(&k->race->stop, 1);
}

/* One racer: generate, then offer the key to the race. */
static void kg_run(struct kg *k)
{
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!pctx || EVP_PKEY_keygen_init(pctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(pctx, k->bits) <= 0) {
		char oe[200];
		x509_ossl_err(oe, sizeof(oe));
		snprintf(k->err, sizeof(k->err),
			 "cannot set up RSA key generation: %s", oe);
		EVP_PKEY_CTX_free(pctx);
		kg_failed(k);
		return;
	}
	EVP_PKEY_CTX_set_app_data(pctx, k);
	EVP_PKEY_CTX_set_cb(pctx, kg_cb);
	if (EVP_PKEY_generate(pctx, &key) <= 0 || !key) {
		if (!atomic_load(&k->race->stop)) {
			char oe[200];
			x509_ossl_err(oe, sizeof(oe));
			snprintf(k->err, sizeof(k->err), "%s", oe);
			kg_failed(k);
		}
		ERR_clear_error();
		EVP_PKEY_free(key);
		key = NULL;
	}
	EVP_PKEY_CTX_free(pctx);
	if (!key)
		return;
	pthread_mutex_lock(&k->race->mu);
	if (!k->race->winner && !atomic_load(&k->race->cancelled)) {
		k->race->winner = key;
		key = NULL;
	}
	atomic_store(&k->race->stop, 1);
	pthread_mutex_unlock(&k->race->mu);
	k->key = key;   /* a late finisher's key: freed by the caller */
}

static void *kg_thread(void *arg)
{
	kg_run(arg);
	return NULL;
}

int keygen_default_racers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef CPU_COUNT
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0 &&
	    CPU_COUNT(&set) < n)
		n = CPU_COUNT(&set);
#endif
	if (n < 1)
		n = 1;
	if (n > KEYGEN_MAX_RACERS)
		n = KEYGEN_MAX_RACERS;
	return (int)n;
}

EVP_PKEY *keygen_rsa_racers(int bits, int racers, const struct hooks *h,
			    int *cancelled, char *err, size_t errlen)
{
	if (cancelled)
		*cancelled = 0;
	struct verdict v;
	if (rule_key_bits(bits, &v) == SEV_FAIL) {
		snprintf(err, errlen, "%s", v.msg);
		return NULL;
	}
	if (racers < 1)
		racers = 1;
	if (racers > KEYGEN_MAX_RACERS)
		racers = KEYGEN_MAX_RACERS;
	if (hooks_cancelled(h)) {
		if (cancelled)
			*cancelled = 1;
		snprintf(err, errlen, "cancelled before generating the key");
		return NULL;
	}

	struct race race;
	memset(&race, 0, sizeof(race));
	atomic_init(&race.stop, 0);
	atomic_init(&race.cancelled, 0);
	pthread_mutex_init(&race.mu, NULL);

	struct kg k[KEYGEN_MAX_RACERS];
	pthread_t tid[KEYGEN_MAX_RACERS];
	int started[KEYGEN_MAX_RACERS];
	memset(k, 0, sizeof(k));
	memset(started, 0, sizeof(started));
	for (int i = 0; i < racers; i++) {
		k[i].race = &race;
		k[i].bits = bits;
	}
	k[0].h = h;
	snprintf(k[0].what, sizeof(k[0].what), "generating a %d-bit RSA key",
		 bits);
	hooks_progress(h, k[0].what, 0.0);

	/* Helpers first, then race on this thread; a helper that cannot be
	 * started only makes the race smaller. */
	for (int i = 1; i < racers; i++)
		started[i] = pthread_create(&tid[i], NULL, kg_thread, &k[i]) == 0;
	kg_run(&k[0]);
	for (int i = 1; i < racers; i++)
		if (started[i])
			pthread_join(tid[i], NULL);

	EVP_PKEY *key = race.winner;
	for (int i = 0; i < racers; i++)
		EVP_PKEY_free(k[i].key);
	if (atomic_load(&race.cancelled)) {
		EVP_PKEY_free(key);
		key = NULL;
		if (cancelled)
			*cancelled = 1;
		snprintf(err, errlen, "key generation cancelled");
	} else if (!key) {
		const char *why = "no OpenSSL error recorded";
		for (int i = 0; i < racers; i++)
			if (k[i].err[0]) {
				why = k[i].err;
				break;
			}
		snprintf(err, errlen, "RSA key generation (%d bits) failed: %s",
			 bits, why);
	} else {
		hooks_progress(h, k[0].what, 1.0);
	}
	pthread_mutex_destroy(&race.mu);
	return key;
}

EVP_PKEY *keygen_rsa(int bits, const struct hooks *h, int *cancelled,
		     char *err, size_t errlen)
{
	return keygen_rsa_racers(bits, keygen_default_racers(), h, cancelled,
				 err, errlen);
}

int keygen_write_key(EVP_PKEY *key, const char *path, char *err,
		     size_t errlen)
{
	char oe[256];
	BIO *b = BIO_new(BIO_s_secmem());
	if (!b)
		b = BIO_new(BIO_s_mem());
	if (!b || !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)) {
		x509_ossl_err(oe, sizeof(oe));
		snprintf(err, errlen, "cannot encode the private key: %s", oe);
		BIO_free(b);
		return -1;
	}
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	int r = fs_write_atomic(path, data, (size_t)n, 0600, err, errlen);
	if (data && n > 0)
		OPENSSL_cleanse(data, (size_t)n);
	BIO_free(b);
	return r;
}

int keygen_rsa_bits(const EVP_PKEY *key)
{
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
		return 0;
	return EVP_PKEY_get_bits(key);
}
