/*
 * test_trust.c - stage 1 (backend/stages/trust.c) and the directory trust store
 * (backend/pki/truststore.c) without a network: chains from files with and
 * without a root, expired / not-yet-valid / non-CA roots, weak hashes, the
 * pin (mismatch names both fingerprints, match needs no confirmation),
 * the confirmation rule (NEED_CONFIRM, confirm, accept = yes), idempotent
 * re-trust, hash links that X509_LOOKUP_hash_dir finds (incl. a subject
 * hash collision), unreadable sources and an unwritable store; the CA's
 * credentials only to the CA's origin (not to a URL that merely starts
 * like ca.url).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "adcs/ca_http.h"
#include "certgen.h"
#include "core/config.h"
#include "core/fsutil.h"
#include "core/ctx.h"
#include "lab_harness.h"
#include "stages/stages.h"
#include "core/state.h"
#include "stages/trust.h"
#include "pki/truststore.h"
#include "pki/x509util.h"
#include "tls_stub.h"

struct fx {
	char *dir;
	char *store;
	X509 *root, *inter, *leaf;
	EVP_PKEY *root_key, *inter_key, *leaf_key;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
	int checkpoints;
};

static int count_checkpoint(struct ctx *c, struct diag_list *dl)
{
	struct fx *f = c->checkpoint_ud;
	f->checkpoints++;
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct certgen_opts o;
	f->dir = test_mkdtemp("trust-");
	if (!f->dir)
		return -1;
	f->store = fs_join(f->dir, "store");
	certgen_opts_ca(&o, "Trust Test Root");
	if (certgen_make(&o, &f->root, &f->root_key))
		return -1;
	certgen_opts_ca(&o, "Trust Test Issuing CA");
	o.issuer = f->root;
	o.issuer_key = f->root_key;
	o.key_bits = 3072;
	if (certgen_make(&o, &f->inter, &f->inter_key))
		return -1;
	certgen_opts_leaf(&o, "agent.trust.test");
	o.issuer = f->inter;
	o.issuer_key = f->inter_key;
	o.key_bits = 4096;
	if (certgen_make(&o, &f->leaf, &f->leaf_key))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	X509_free(f->root);
	X509_free(f->inter);
	X509_free(f->leaf);
	EVP_PKEY_free(f->root_key);
	EVP_PKEY_free(f->inter_key);
	EVP_PKEY_free(f->leaf_key);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f->store);
	free(f);
	certgen_cleanup();
	return 0;
}

/* Per test: fresh config/state/ctx and an empty store. */
static int before(void **state)
{
	struct fx *f = *state;
	test_rm_rf(f->store);
	config_init(&f->cfg);
	state_init(&f->st);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	f->c.checkpoint = count_checkpoint;
	f->c.checkpoint_ud = f;
	f->checkpoints = 0;
	config_set_str(&f->cfg.trust_store, f->store);
	f->cfg.trust_source = TRUST_SRC_FILE;
	diag_list_init(&f->dl);
	return 0;
}

static int after(void **state)
{
	struct fx *f = *state;
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	diag_list_release(&f->dl);
	return 0;
}

static void use_file(struct fx *f, const char *name, X509 *const certs[],
		     size_t n)
{
	char *p = fs_join(f->dir, name);
	assert_int_equal(certgen_write_pem(p, certs, n), 0);
	config_set_str(&f->cfg.trust_file, p);
	free(p);
}

static const struct diag *expect_diag(struct fx *f, enum diag_check chk,
				      enum diag_severity sev)
{
	for (size_t i = 0; i < f->dl.n; i++)
		if (f->dl.items[i].check == chk && f->dl.items[i].sev == sev)
			return &f->dl.items[i];
	diag_print_text(stderr, &f->dl, SEV_PASS);
	fail_msg("no %s diagnostic of severity %s", diag_check_id(chk),
		 diag_severity_name(sev));
	return NULL;
}

static int count_entries(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);
		if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static int verify_with_store(const char *dir, X509 *leaf, X509 *untrusted_inter)
{
	char err[256];
	X509_STORE *store = truststore_open(dir, err, sizeof(err));
	assert_non_null(store);
	STACK_OF(X509) *chain = sk_X509_new_null();
	if (untrusted_inter)
		sk_X509_push(chain, untrusted_inter);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, store, leaf, chain);
	int ok = X509_verify_cert(ctx);
	X509_STORE_CTX_free(ctx);
	sk_X509_free(chain);
	X509_STORE_free(store);
	return ok == 1;
}

/* --- tests ------------------------------------------------------------- */

static void test_accept_writes_store(void **state)
{
	struct fx *f = *state;
	X509 *chain[3] = { f->leaf, f->inter, f->root };
	use_file(f, "chain.pem", chain, 3);
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	expect_diag(f, DIAG_TRUST_ROOT, SEV_PASS);
	expect_diag(f, DIAG_TRUST_CA_FLAG, SEV_PASS);
	expect_diag(f, DIAG_TRUST_VALIDITY, SEV_PASS);
	const struct diag *d = expect_diag(f, DIAG_TRUST_STORE, SEV_PASS);
	assert_non_null(strstr(d->message, "now trusted"));
	assert_int_equal(diag_worst(&f->dl), SEV_INFO);

	/* The presentation: every certificate, the root flagged. */
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_non_null(r);
	assert_int_equal(r->n, 3);
	assert_int_equal(r->root, 2);
	assert_true(r->certs[2].is_root);
	assert_true(r->certs[2].self_signed);
	assert_false(r->certs[0].is_ca);
	assert_string_equal(r->certs[0].subject, "CN=agent.trust.test");
	assert_string_equal(r->certs[0].issuer, "CN=Trust Test Issuing CA");
	char *sha1 = x509_fingerprint(f->leaf, EVP_sha1());
	assert_string_equal(r->certs[0].sha1, sha1);
	free(sha1);
	char *sha256 = x509_fingerprint_colons(f->root, EVP_sha256());
	assert_string_equal(r->certs[2].sha256, sha256);
	free(sha256);
	assert_string_equal(r->certs[2].sig_hash, "SHA256");

	/* State and the store. */
	char *plain = x509_fingerprint(f->root, EVP_sha256());
	assert_string_equal(f->st.root_sha256, plain);
	char *want = truststore_pem_path(f->store, f->root);
	assert_string_equal(f->st.root_path, want);
	assert_true(fs_is_regular(want));
	assert_int_equal(fs_mode(want), 0644);
	assert_int_equal(fs_mode(f->store), 0700);
	assert_int_equal(count_entries(f->store, ".0"), 1);
	assert_int_equal(f->checkpoints, 1);
	free(plain);
	free(want);

	/* Hash links work for OpenSSL's directory lookup. */
	assert_true(verify_with_store(f->store, f->leaf, f->inter));
}

static void test_chain_without_root(void **state)
{
	struct fx *f = *state;
	X509 *chain[2] = { f->leaf, f->inter };
	use_file(f, "noroot.pem", chain, 2);
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect_diag(f, DIAG_TRUST_ROOT, SEV_FAIL);
	assert_non_null(strstr(d->message, "no self-signed root"));
	assert_non_null(strstr(d->message, "CN=Trust Test Root"));
	assert_int_equal(d->event, 0);   /* no Operations Manager event */
	assert_non_null(d->fix);
	assert_false(fs_exists(f->store));
	assert_null(f->st.root_sha256);
	/* The certificates are still there for the screen. */
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_int_equal(r->n, 2);
	assert_int_equal(r->root, -1);
}

static void make_root(struct certgen_opts *o, X509 **x, EVP_PKEY **k)
{
	assert_int_equal(certgen_make(o, x, k), 0);
}

static void test_expired_root(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	certgen_opts_ca(&o, "Expired Root");
	o.not_before = -10L * 86400;
	o.not_after = -86400;
	X509 *r;
	make_root(&o, &r, NULL);
	use_file(f, "expired.pem", &r, 1);
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect_diag(f, DIAG_TRUST_VALIDITY, SEV_FAIL);
	assert_non_null(strstr(d->message, "expired on"));
	assert_non_null(strstr(d->message, "Expired Root"));
	assert_false(fs_exists(f->store));
	X509_free(r);
}

static void test_not_yet_valid_root(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	certgen_opts_ca(&o, "Future Root");
	o.not_before = 5L * 86400;
	o.not_after = 50L * 86400;
	X509 *r;
	make_root(&o, &r, NULL);
	use_file(f, "future.pem", &r, 1);
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect_diag(f, DIAG_TRUST_VALIDITY, SEV_FAIL);
	assert_non_null(strstr(d->message, "not valid yet"));
	assert_non_null(strstr(d->fix, "clock"));
	X509_free(r);
}

static void test_not_a_ca(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	certgen_opts_leaf(&o, "selfsigned.trust.test");   /* CA:FALSE */
	X509 *r;
	make_root(&o, &r, NULL);
	use_file(f, "leafroot.pem", &r, 1);
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect_diag(f, DIAG_TRUST_CA_FLAG, SEV_FAIL);
	assert_non_null(strstr(d->message, "not a CA"));
	assert_non_null(strstr(d->message, "basicConstraints"));
	X509_free(r);

	/* No basicConstraints at all is not a CA either. */
	diag_list_release(&f->dl);
	certgen_opts_ca(&o, "No BC Root");
	o.no_basic_constraints = 1;
	make_root(&o, &r, NULL);
	use_file(f, "nobc.pem", &r, 1);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	expect_diag(f, DIAG_TRUST_CA_FLAG, SEV_FAIL);
	X509_free(r);
}

static void test_weak_hash_warns(void **state)
{
	struct fx *f = *state;
	struct certgen_opts o;
	certgen_opts_ca(&o, "SHA1 Root");
	o.md = EVP_sha1();
	X509 *r;
	make_root(&o, &r, NULL);
	use_file(f, "sha1.pem", &r, 1);
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	const struct diag *d = expect_diag(f, DIAG_TRUST_SIGNATURE_HASH, SEV_WARN);
	assert_non_null(strstr(d->message, "SHA1"));
	assert_non_null(strstr(d->message, "SHA1 Root"));
	X509_free(r);
}

static void test_pin_mismatch(void **state)
{
	struct fx *f = *state;
	X509 *chain[2] = { f->inter, f->root };
	use_file(f, "pinned.p7b", chain, 2);
	/* Pin the intermediate: a real certificate, but not the root. */
	char *pin = x509_fingerprint_colons(f->inter, EVP_sha256());
	config_set_str(&f->cfg.trust_sha256, pin);
	f->cfg.trust_accept = true;     /* accept never overrides a pin */
	f->c.confirm_trust = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect_diag(f, DIAG_TRUST_PIN, SEV_FAIL);
	char *rootfp = x509_fingerprint_colons(f->root, EVP_sha256());
	assert_non_null(strstr(d->message, rootfp));
	assert_non_null(strstr(d->message, pin));
	assert_non_null(strstr(d->message, "another certificate in the chain"));
	assert_string_equal(d->field, "trust.sha256");
	assert_false(fs_exists(f->store));
	free(rootfp);
	free(pin);

	/* A random pin: both fingerprints named too. */
	diag_list_release(&f->dl);
	config_set_str(&f->cfg.trust_sha256,
		       "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF");
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	d = expect_diag(f, DIAG_TRUST_PIN, SEV_FAIL);
	assert_non_null(strstr(d->message, "00:11:22:33:44:55:66:77:88:99:AA:BB"));
	rootfp = x509_fingerprint_colons(f->root, EVP_sha256());
	assert_non_null(strstr(d->message, rootfp));
	free(rootfp);

	/* A malformed pin is an error at its field. */
	diag_list_release(&f->dl);
	config_set_str(&f->cfg.trust_sha256, "AB:CD");
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	d = expect_diag(f, DIAG_TRUST_PIN, SEV_FAIL);
	assert_non_null(strstr(d->message, "64 hex digits"));
}

static void test_pin_match(void **state)
{
	struct fx *f = *state;
	X509 *chain[2] = { f->root, f->inter };
	size_t len;
	unsigned char *der = certgen_pkcs7_der(chain, 2, &len);
	char *p = fs_join(f->dir, "chain.p7b");
	assert_int_equal(certgen_write_file(p, der, len), 0);
	config_set_str(&f->cfg.trust_file, p);
	free(p);
	OPENSSL_free(der);
	/* Lower case without colons: normalised before comparing. */
	char *pin = x509_fingerprint(f->root, EVP_sha256());
	for (char *q = pin; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	config_set_str(&f->cfg.trust_sha256, pin);
	free(pin);
	/* No confirmation, no accept: the pin is enough. */
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	expect_diag(f, DIAG_TRUST_PIN, SEV_PASS);
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_true(r->pinned);
	assert_true(truststore_contains(f->store, f->root));
}

static void test_confirm_needed_then_confirmed(void **state)
{
	struct fx *f = *state;
	use_file(f, "root.pem", &f->root, 1);
	f->c.interactive = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_NEED_CONFIRM);
	const struct diag *d = expect_diag(f, DIAG_TRUST_CONFIRM, SEV_WARN);
	char *fp = x509_fingerprint_colons(f->root, EVP_sha256());
	assert_non_null(strstr(d->message, fp));
	assert_non_null(strstr(d->message, "Trust Test Root"));
	free(fp);
	assert_false(fs_exists(f->store));
	assert_null(f->st.root_sha256);
	assert_int_equal(f->checkpoints, 0);
	assert_non_null(f->c.out[STAGE_TRUST]);

	diag_list_release(&f->dl);
	f->c.confirm_trust = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	d = expect_diag(f, DIAG_TRUST_STORE, SEV_PASS);
	assert_non_null(strstr(d->message, "confirmed"));
	assert_true(truststore_contains(f->store, f->root));
}

static void test_already_trusted_idempotent(void **state)
{
	struct fx *f = *state;
	X509 *chain[2] = { f->inter, f->root };
	use_file(f, "chain2.pem", chain, 2);
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	char *path = truststore_pem_path(f->store, f->root);
	struct stat st1, st2;
	assert_int_equal(stat(path, &st1), 0);

	/* Second run: no accept, no confirmation, still fine. */
	diag_list_release(&f->dl);
	f->cfg.trust_accept = false;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	const struct diag *d = expect_diag(f, DIAG_TRUST_STORE, SEV_PASS);
	assert_non_null(strstr(d->message, "already trusted"));
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_true(r->already_trusted);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);    /* not rewritten */
	assert_int_equal(count_entries(f->store, ".pem"), 1);
	assert_int_equal(count_entries(f->store, ".0"), 1);
	assert_int_equal(count_entries(f->store, ".1"), 0);

	/* A removed hash link is repaired. */
	unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(f->root), NULL,
					    NULL, NULL);
	char link[64];
	snprintf(link, sizeof(link), "%08lx.0", h);
	char *lp = fs_join(f->store, link);
	assert_int_equal(unlink(lp), 0);
	diag_list_release(&f->dl);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	assert_true(fs_exists(lp));
	assert_true(verify_with_store(f->store, f->inter, NULL));
	free(lp);
	free(path);
}

static void test_hash_collision_links(void **state)
{
	struct fx *f = *state;
	/* Two roots with the same subject: same hash, two slots. */
	struct certgen_opts o;
	certgen_opts_ca(&o, "Trust Test Root");
	o.key_slot = 1;   /* not the real root's key (slot 0) */
	o.key_bits = 2048;
	X509 *twin;
	EVP_PKEY *twin_key;
	make_root(&o, &twin, &twin_key);
	certgen_opts_leaf(&o, "twin.trust.test");
	o.issuer = twin;
	o.issuer_key = twin_key;
	X509 *twin_leaf;
	make_root(&o, &twin_leaf, NULL);

	char err[512];
	bool already = true;
	char *p1 = NULL, *p2 = NULL;
	assert_int_equal(truststore_add(f->store, f->root, &p1, &already, err,
					sizeof(err)), 0);
	assert_false(already);
	assert_int_equal(truststore_add(f->store, twin, &p2, &already, err,
					sizeof(err)), 0);
	assert_false(already);
	assert_string_not_equal(p1, p2);
	assert_int_equal(count_entries(f->store, ".0"), 1);
	assert_int_equal(count_entries(f->store, ".1"), 1);
	/* Both chains verify through the hash directory. */
	assert_true(verify_with_store(f->store, f->leaf, f->inter));
	assert_true(verify_with_store(f->store, twin_leaf, NULL));
	/* Adding again changes nothing. */
	assert_int_equal(truststore_add(f->store, twin, NULL, &already, err,
					sizeof(err)), 0);
	assert_true(already);
	assert_int_equal(count_entries(f->store, ".2"), 0);
	/* An unrelated root does not verify the leaf. */
	test_rm_rf(f->store);
	assert_int_equal(truststore_add(f->store, twin, NULL, NULL, err,
					sizeof(err)), 0);
	assert_false(verify_with_store(f->store, f->leaf, f->inter));
	free(p1);
	free(p2);
	X509_free(twin);
	X509_free(twin_leaf);
	EVP_PKEY_free(twin_key);
}

static void test_unreadable_sources(void **state)
{
	struct fx *f = *state;
	/* A good run first: its result must not survive a failed one. */
	use_file(f, "good-first.pem", &f->root, 1);
	f->c.interactive = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_NEED_CONFIRM);
	assert_non_null(f->c.out[STAGE_TRUST]);
	diag_list_release(&f->dl);
	/* Garbage file: parse failure naming the formats tried. */
	char *p = fs_join(f->dir, "junk.p7b");
	assert_int_equal(certgen_write_file(p, "<html>404</html>", 16), 0);
	config_set_str(&f->cfg.trust_file, p);
	f->cfg.trust_accept = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect_diag(f, DIAG_TRUST_PARSE, SEV_FAIL);
	assert_non_null(strstr(d->message, "tried PKCS#7 (DER), PKCS#7 (PEM), PEM bundle, DER"));
	assert_non_null(strstr(d->message, p));
	assert_string_equal(d->field, "trust.file");
	assert_null(f->c.out[STAGE_TRUST]);   /* nothing stale to show */
	free(p);

	/* Truncated PKCS#7. */
	diag_list_release(&f->dl);
	X509 *chain[2] = { f->inter, f->root };
	size_t len;
	unsigned char *der = certgen_pkcs7_der(chain, 2, &len);
	p = fs_join(f->dir, "trunc.p7b");
	assert_int_equal(certgen_write_file(p, der, len - 100), 0);
	config_set_str(&f->cfg.trust_file, p);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	expect_diag(f, DIAG_TRUST_PARSE, SEV_FAIL);
	OPENSSL_free(der);
	free(p);

	/* Missing file. */
	diag_list_release(&f->dl);
	config_set_str(&f->cfg.trust_file, "/nonexistent/root.cer");
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	d = expect_diag(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_non_null(strstr(d->message, "/nonexistent/root.cer"));

	/* No file configured. */
	diag_list_release(&f->dl);
	config_set_str(&f->cfg.trust_file, NULL);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	d = expect_diag(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_string_equal(d->field, "trust.file");

	/* URL source: plain http refused without the explicit option. */
	diag_list_release(&f->dl);
	f->cfg.trust_source = TRUST_SRC_URL;
	config_set_str(&f->cfg.trust_url, "http://127.0.0.1:9/root.cer");
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	d = expect_diag(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_string_equal(d->field, "trust.url");

	/* CA source without a CA URL. */
	diag_list_release(&f->dl);
	f->cfg.trust_source = TRUST_SRC_CA;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	d = expect_diag(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_string_equal(d->field, "ca.url");
}

static void test_store_not_writable(void **state)
{
	struct fx *f = *state;
	use_file(f, "root2.pem", &f->root, 1);
	f->cfg.trust_accept = true;
	/* The store path is a regular file. */
	assert_int_equal(certgen_write_file(f->store, "x", 1), 0);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = expect_diag(f, DIAG_TRUST_STORE, SEV_FAIL);
	assert_non_null(strstr(d->message, f->store));
	assert_string_equal(d->field, "trust.store");
	assert_int_equal(d->event, 20072);
	assert_null(f->st.root_sha256);
	unlink(f->store);
}

static int cancel_now(void *ud)
{
	return 1;
}

static void test_cancelled(void **state)
{
	struct fx *f = *state;
	use_file(f, "root3.pem", &f->root, 1);
	f->cfg.trust_accept = true;
	struct hooks h = { .cancelled = cancel_now };
	assert_int_equal(stage_trust_run(&f->c, &h, &f->dl), ST_CANCELLED);
	assert_false(fs_exists(f->store));
}

static void test_evaluate_directly(void **state)
{
	struct fx *f = *state;
	STACK_OF(X509) *sk = sk_X509_new_null();
	sk_X509_push(sk, f->leaf);
	sk_X509_push(sk, f->root);
	struct trust_result *r = calloc(1, sizeof(*r));
	assert_int_equal(trust_evaluate(sk, NULL, r, &f->dl), 1);
	assert_int_equal(r->root, 1);
	char *fp = x509_fingerprint(f->root, EVP_sha256());
	assert_string_equal(r->root_sha256, fp);
	free(fp);
	/* One info line per certificate for the non-interactive runner. */
	size_t infos = 0;
	for (size_t i = 0; i < f->dl.n; i++)
		infos += f->dl.items[i].check == DIAG_TRUST_PARSE &&
			 f->dl.items[i].sev == SEV_INFO;
	assert_int_equal(infos, 2);
	trust_result_free(r);
	sk_X509_free(sk);
}

/* A loopback http server serving the root PEM at /root.pem. */
static char *served_pem;

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn,
			     const char *url, const char *method,
			     const char *version, const char *upload,
			     size_t *upload_size, void **con_cls)
{
	struct MHD_Response *r;
	unsigned status = MHD_HTTP_OK;
	if (strcmp(url, "/root.pem") == 0 && served_pem) {
		r = MHD_create_response_from_buffer(strlen(served_pem), served_pem,
						    MHD_RESPMEM_MUST_COPY);
	} else {
		status = MHD_HTTP_NOT_FOUND;
		r = MHD_create_response_from_buffer(9, (void *)"not found",
						    MHD_RESPMEM_PERSISTENT);
	}
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void test_url_source_over_http(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0,
						NULL, NULL, serve, NULL,
						MHD_OPTION_SOCK_ADDR, &sa,
						MHD_OPTION_END);
	assert_non_null(d);
	int port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
	served_pem = x509_to_pem(f->root);
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/root.pem", port);
	f->cfg.trust_source = TRUST_SRC_URL;
	config_set_str(&f->cfg.trust_url, url);
	f->cfg.trust_accept = true;

	/* Plain http needs the explicit option. */
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *dg = expect_diag(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_string_equal(dg->field, "trust.url");

	/* With it: works, with a warning about the transport. */
	diag_list_release(&f->dl);
	f->cfg.ca_allow_http = true;
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	dg = expect_diag(f, DIAG_TRUST_SOURCE, SEV_WARN);
	assert_non_null(strstr(dg->message, "plain http"));
	assert_true(truststore_contains(f->store, f->root));
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_non_null(strstr(r->source, url));

	/* A 404 names the status. */
	diag_list_release(&f->dl);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/nope.pem", port);
	config_set_str(&f->cfg.trust_url, url);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_FAIL);
	dg = expect_diag(f, DIAG_TRUST_SOURCE, SEV_FAIL);
	assert_non_null(strstr(dg->message, "HTTP 404"));

	MHD_stop_daemon(d);
	free(served_pem);
	served_pem = NULL;
}

static void test_check_existing(void **state)
{
	struct fx *f = *state;
	/* Nothing trusted yet. */
	assert_int_equal(trust_check_existing(&f->c, &f->dl), ST_FAIL);
	const struct diag *d = expect_diag(f, DIAG_TRUST_STORE, SEV_FAIL);
	assert_non_null(strstr(d->message, "no trusted root"));

	X509 *chain[2] = { f->inter, f->root };
	use_file(f, "chain-check.pem", chain, 2);
	f->cfg.trust_accept = true;
	diag_list_release(&f->dl);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	diag_list_release(&f->dl);
	assert_int_equal(trust_check_existing(&f->c, &f->dl), ST_OK);
	expect_diag(f, DIAG_TRUST_STORE, SEV_PASS);
	expect_diag(f, DIAG_TRUST_CA_FLAG, SEV_PASS);
	const struct trust_result *r = f->c.out[STAGE_TRUST];
	assert_int_equal(r->n, 1);
	assert_true(r->already_trusted);

	/* The hash link gone: OpenSSL cannot find the root any more. */
	unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(f->root), NULL,
					    NULL, NULL);
	char link[64];
	snprintf(link, sizeof(link), "%08lx.0", h);
	char *lp = fs_join(f->store, link);
	assert_int_equal(unlink(lp), 0);
	free(lp);
	diag_list_release(&f->dl);
	assert_int_equal(trust_check_existing(&f->c, &f->dl), ST_FAIL);
	d = expect_diag(f, DIAG_TRUST_STORE, SEV_FAIL);
	assert_non_null(strstr(d->message, "hash link"));

	/* A pin that no longer matches is reported too. */
	diag_list_release(&f->dl);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	diag_list_release(&f->dl);
	config_set_str(&f->cfg.trust_sha256,
		       "0000000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(trust_check_existing(&f->c, &f->dl), ST_FAIL);
	expect_diag(f, DIAG_TRUST_PIN, SEV_FAIL);

	/* The recorded file replaced by another root. */
	config_set_str(&f->cfg.trust_sha256, NULL);
	struct certgen_opts o;
	certgen_opts_ca(&o, "Impostor Root");
	X509 *imp;
	make_root(&o, &imp, NULL);
	assert_int_equal(certgen_write_pem(f->st.root_path, &imp, 1), 0);
	diag_list_release(&f->dl);
	assert_int_equal(trust_check_existing(&f->c, &f->dl), ST_FAIL);
	d = expect_diag(f, DIAG_TRUST_STORE, SEV_FAIL);
	assert_non_null(strstr(d->message, "no longer holds"));
	X509_free(imp);
}

/* --- credentials only to the CA (issue 18, item 1) ------------------------ */

/*
 * Two TLS listeners on 127.0.0.1 answering `resp`: *pa on a port P of at
 * most four digits, *pb on P with a digit appended (the 4443 and
 * 44433), so that "https://127.0.0.1:P" is a string prefix of the other.
 */
static void start_prefix_pair(struct tls_stub_opts *so, struct tls_stub **pa,
			      struct tls_stub **pb)
{
	srand((unsigned)getpid());
	for (int tries = 0; tries < 300; tries++) {
		int p = tries == 0 ? 4443 : 1024 + rand() % (6553 - 1024);
		so->port = p;
		struct tls_stub *a = tls_stub_start_opts(so);
		if (!a)
			continue;
		for (int d = 0; d <= 9 && p * 10 + d <= 65535; d++) {
			so->port = p * 10 + d;
			struct tls_stub *b = tls_stub_start_opts(so);
			if (b) {
				*pa = a;
				*pb = b;
				return;
			}
		}
		tls_stub_stop(a);
	}
	fail_msg("no free pair of ports P and P<digit> on 127.0.0.1");
}

static void set_url_source(struct fx *f, const char *ca_url,
			   const char *trust_url)
{
	config_set_str(&f->cfg.ca_url, ca_url);
	config_set_str(&f->cfg.trust_url, trust_url);
	f->cfg.trust_source = TRUST_SRC_URL;
}

/*
 * ca.url = https://127.0.0.1:P and trust.url = https://127.0.0.1:P<d>: the
 * trust URL starts with the CA URL but is another server; stage 1 fetches
 * it without credentials (before: "Authorization: Basic" reached it).  On
 * the CA itself they are still sent.
 */
static void test_url_credentials_only_to_ca(void **state)
{
	struct fx *f = *state;
	char *root_pem = NULL, *cert = NULL, *key = NULL, *resp = NULL;
	assert_int_equal(tls_stub_make_certs(f->dir, &root_pem, &cert, &key), 0);
	char *pem = x509_to_pem(f->root);
	assert_true(asprintf(&resp, "HTTP/1.1 200 OK\r\nContent-Type: "
			     "application/x-pem-file\r\nContent-Length: %zu\r\n"
			     "Connection: close\r\n\r\n%s", strlen(pem), pem) > 0);
	struct tls_stub_opts so;
	memset(&so, 0, sizeof(so));
	so.cert = cert;
	so.key = key;
	so.response = resp;
	so.len = strlen(resp);
	struct tls_stub *ca = NULL, *other = NULL;
	start_prefix_pair(&so, &ca, &other);

	char ca_url[96], other_url[96], on_ca[96], by_name[96];
	snprintf(ca_url, sizeof(ca_url), "https://127.0.0.1:%d",
		 tls_stub_port(ca));
	snprintf(other_url, sizeof(other_url), "https://127.0.0.1:%d/root.pem",
		 tls_stub_port(other));
	snprintf(on_ca, sizeof(on_ca), "https://127.0.0.1:%d/certsrv/root.pem",
		 tls_stub_port(ca));
	snprintf(by_name, sizeof(by_name), "https://localhost:%d/root.pem",
		 tls_stub_port(ca));
	assert_int_equal(strncmp(other_url, ca_url, strlen(ca_url)), 0);
	config_set_str(&f->cfg.ca_file, root_pem);
	config_set_str(&f->cfg.ca_user, "EXAMPLE\\enroll");
	f->cfg.ca_auth = AUTH_BASIC;
	f->cfg.trust_accept = true;
	assert_int_equal(secret_set(&f->c.ca_password, "s3cret", 6), 0);

	set_url_source(f, ca_url, other_url);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	assert_int_equal(tls_stub_requests(other), 1);
	assert_false(tls_stub_last_has(other, "Authorization:"));

	/* another name for the same address is another origin too */
	set_url_source(f, ca_url, by_name);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	assert_int_equal(tls_stub_requests(ca), 1);
	assert_false(tls_stub_last_has(ca, "Authorization:"));

	/* the same scheme, host and port: the CA, with its credentials */
	set_url_source(f, ca_url, on_ca);
	assert_int_equal(stage_trust_run(&f->c, NULL, &f->dl), ST_OK);
	assert_int_equal(tls_stub_requests(ca), 2);
	assert_true(tls_stub_last_has(ca, "Authorization: Basic"));

	tls_stub_stop(ca);
	tls_stub_stop(other);
	free(pem);
	free(resp);
	free(root_pem);
	free(cert);
	free(key);
}

/* --- [ca] -> connection options (adcs/ca_http.c), shared with stage 2 --- */

static void set_ca_section(struct fx *f)
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

static void test_ca_options_credentials(void **state)
{
	struct fx *f = *state;
	struct http_opts with, without;
	set_ca_section(f);
	assert_int_equal(ca_http_options(&f->c, CA_WITH_CREDENTIALS, &with, NULL), 0);
	assert_int_equal(ca_http_options(&f->c, CA_WITHOUT_CREDENTIALS, &without, NULL), 0);

	assert_int_equal(with.auth, AUTH_NTLM);
	assert_string_equal(with.user, "EXAMPLE\\enroll");
	assert_string_equal(with.password->buf, "pw");
	assert_string_equal(with.client_cert, "/x/client.pem");
	assert_string_equal(with.client_key, "/x/client.key");
	/* bound to the CA's origin */
	assert_string_equal(with.cred_url, "https://ca.example.test/certsrv/");
	/* off the CA: no credentials at all */
	assert_int_equal(without.auth, AUTH_NONE);
	assert_null(without.user);
	assert_null(without.password);
	assert_null(without.client_cert);
	assert_null(without.client_key);
	assert_null(without.cred_url);

	/* trust, timeouts and plain http do not depend on credentials */
	const struct http_opts *both[] = {&with, &without};
	for (int i = 0; i < 2; i++) {
		assert_string_equal(both[i]->ca_file, "/x/bundle.pem");
		assert_true(both[i]->system_trust);
		assert_int_equal(both[i]->timeout_s, 25);
		assert_int_equal(both[i]->connect_timeout_s,
				 HTTP_CONNECT_TIMEOUT);
		assert_true(both[i]->allow_http);
		assert_int_equal(both[i]->body_cap, HTTP_DEFAULT_BODY_CAP);
	}
}

static void test_ca_options_defaults_and_store(void **state)
{
	struct fx *f = *state;
	struct http_opts o;
	config_set_str(&f->cfg.ca_file, "");
	assert_int_equal(ca_http_options(&f->c, CA_WITH_CREDENTIALS, &o, NULL), 0);
	assert_null(o.ca_file);               /* empty: not a bundle */
	assert_null(o.ca_path);               /* the store does not exist yet */
	assert_int_equal(o.timeout_s, CONFIG_DEFAULT_CA_TIMEOUT);
	assert_int_equal(o.connect_timeout_s, HTTP_CONNECT_TIMEOUT);
	assert_false(o.allow_http);

	f->cfg.ca_timeout = 4;                /* connect never longer than total */
	assert_int_equal(mkdir(f->store, 0700), 0);
	assert_int_equal(ca_http_options(&f->c, CA_WITHOUT_CREDENTIALS, &o, NULL), 0);
	assert_int_equal(o.timeout_s, 4);
	assert_int_equal(o.connect_timeout_s, 4);
	assert_string_equal(o.ca_path, f->store);

	/* a store others may write is no trust for the connection that
	 * carries the credentials: refused at trust.store */
	assert_int_equal(chmod(f->store, 0777), 0);
	struct diag_list dl;
	diag_list_init(&dl);
	assert_int_equal(ca_http_options(&f->c, CA_WITH_CREDENTIALS, &o, &dl), -1);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.items[0].sev, SEV_FAIL);
	assert_string_equal(dl.items[0].field, "trust.store");
	assert_non_null(strstr(dl.items[0].message, f->store));
	diag_list_release(&dl);
	assert_int_equal(chmod(f->store, 0700), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, before, after)
	const struct CMUnitTest tests[] = {
		T(test_accept_writes_store),
		T(test_chain_without_root),
		T(test_expired_root),
		T(test_not_yet_valid_root),
		T(test_not_a_ca),
		T(test_weak_hash_warns),
		T(test_pin_mismatch),
		T(test_pin_match),
		T(test_confirm_needed_then_confirmed),
		T(test_already_trusted_idempotent),
		T(test_hash_collision_links),
		T(test_unreadable_sources),
		T(test_store_not_writable),
		T(test_cancelled),
		T(test_evaluate_directly),
		T(test_check_existing),
		T(test_url_source_over_http),
		T(test_url_credentials_only_to_ca),
		T(test_ca_options_credentials),
		T(test_ca_options_defaults_and_store),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
