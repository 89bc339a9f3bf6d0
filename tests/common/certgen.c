/*
 * certgen.c - test helper that makes certificates, CRLs and PKCS#7 bundles
 * with chosen properties (certgen.h), and the test key cache: keys by
 * (type, size, slot), kept per process and in an on-disk cache of
 * throwaway test keys in the build directory ($OPSMGR_TESTKEY_DIR or
 * $OPSMGR_BUILD_DIR/testkeys; gitignored, never committed, never used for
 * anything but tests).  Test-only code: errors are printed on stderr and
 * returned as -1/NULL.
 */
#include "certgen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

/* The per-process key cache: one entry per (type, bits, slot). */
struct cached_key {
	int type, bits, slot;
	EVP_PKEY *k;
};
static struct cached_key *cache;
static size_t ncache, capcache;

static void report(const char *what)
{
	char buf[256];
	unsigned long e = ERR_get_error();
	ERR_error_string_n(e, buf, sizeof(buf));
	fprintf(stderr, "certgen: %s failed: %s\n", what, e ? buf : "(no detail)");
	ERR_clear_error();
}

void certgen_opts_init(struct certgen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->key_type = CERTGEN_RSA;
	o->key_bits = 2048;
	o->not_before = -3600;
	o->not_after = 365L * 24 * 3600;
	o->ku = CERTGEN_KU_NONE;
}

void certgen_opts_ca(struct certgen_opts *o, const char *cn)
{
	certgen_opts_init(o);
	o->cn = cn;
	o->ca = 1;
	o->ku = KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE;
	o->not_after = 10L * 365 * 24 * 3600;
}

void certgen_opts_leaf(struct certgen_opts *o, const char *fqdn)
{
	certgen_opts_init(o);
	o->cn = fqdn;
	o->san_dns[0] = fqdn;
	o->eku = CERTGEN_EKU_SERVER | CERTGEN_EKU_CLIENT;
	o->ku = KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT;
}

static EVP_PKEY *gen_key(int type, int bits)
{
	EVP_PKEY *k = NULL;
	if (type == CERTGEN_EC_P256)
		k = EVP_EC_gen("P-256");
	else
		k = EVP_RSA_gen((unsigned)bits);
	if (!k)
		report("key generation");
	return k;
}

/* ---- on-disk cache of throwaway test keys --------------------------------- */

/* The cache directory (malloc'd, created if missing), or NULL: none. */
static char *key_dir(void)
{
	const char *d = getenv("OPSMGR_TESTKEY_DIR");
	const char *b = getenv("OPSMGR_BUILD_DIR");
	char *dir = NULL;
	if (d && *d)
		dir = strdup(d);
	else if (b && *b && asprintf(&dir, "%s/testkeys", b) < 0)
		dir = NULL;
	if (!dir)
		return NULL;
	/* Only the last component is made: no build directory, no cache. */
	struct stat st;
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || stat(dir, &st) != 0 ||
	    !S_ISDIR(st.st_mode)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static char *key_file(const char *dir, int type, int bits, int slot,
		      const char *prefix, const char *suffix)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s%s-%d-%d.pem%s", dir, prefix,
		     type == CERTGEN_EC_P256 ? "ec" : "rsa", bits, slot,
		     suffix) < 0)
		return NULL;
	return p;
}

/* A cached key is never encrypted: refuse instead of prompting. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The private key in path, or NULL (missing: silently; else a note). */
static EVP_PKEY *load_key_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			fprintf(stderr, "certgen: %s: %s, making a new key\n", path,
				strerror(errno));
		return NULL;
	}
	struct stat st;
	char buf[16384];
	size_t len = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size < sizeof(buf)) {
		ssize_t r;
		while (len < sizeof(buf) &&
		       (r = read(fd, buf + len, sizeof(buf) - len)) > 0)
			len += (size_t)r;
	}
	close(fd);
	EVP_PKEY *k = NULL;
	BIO *bio = len ? BIO_new_mem_buf(buf, (int)len) : NULL;
	if (bio)
		k = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	BIO_free(bio);
	OPENSSL_cleanse(buf, sizeof(buf));
	ERR_clear_error();
	if (!k)
		fprintf(stderr, "certgen: %s holds no usable key, making a new one\n",
			path);
	return k;
}

/* Whether k is the key asked for: a private key of this type and size. */
static int key_fits(EVP_PKEY *k, int type, int bits)
{
	if (type == CERTGEN_EC_P256) {
		char group[64];
		size_t gl = 0;
		if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
		    !EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
						    group, sizeof(group), &gl)) {
			ERR_clear_error();
			return 0;
		}
		return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
	}
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA && EVP_PKEY_get_bits(k) == bits;
}

/* Write k to path: a 0600 temporary file in the same directory, renamed. */
static void save_key_file(const char *dir, const char *path, int type, int bits,
			  int slot, EVP_PKEY *k)
{
	char *tmp = key_file(dir, type, bits, slot, ".", ".XXXXXX");
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long len = 0;
	int fd = -1, made = 0, ok = 0;
	errno = 0;
	if (!tmp || !bio || !PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL))
		goto out;
	len = BIO_get_mem_data(bio, &pem);
	if (len <= 0)
		goto out;
	fd = mkostemp(tmp, O_CLOEXEC);   /* mode 0600 */
	if (fd < 0)
		goto out;
	made = 1;
	for (const char *p = pem; len > 0;) {
		ssize_t w = write(fd, p, (size_t)len);
		if (w <= 0)
			goto out;
		p += w;
		len -= w;
	}
	int synced = fsync(fd) == 0;
	int closed = close(fd) == 0;
	fd = -1;
	/* rename: a reader sees no file or a whole one; two programs storing
	 * the same slot at once just replace each other's (both are whole) */
	ok = synced && closed && rename(tmp, path) == 0;
out:
	if (fd >= 0)
		close(fd);
	if (!ok) {
		fprintf(stderr, "certgen: cannot store the test key %s: %s\n", path,
			errno ? strerror(errno) : "encoding failed");
		if (made)
			unlink(tmp);
	}
	ERR_clear_error();
	BIO_free(bio);
	free(tmp);
}

/* ---- the key cache -------------------------------------------------------- */

/* Whether k equals the key of another slot of the same type and size. */
static int taken_by_other_slot(EVP_PKEY *k, int type, int bits, int slot)
{
	for (size_t i = 0; i < ncache; i++)
		if (cache[i].type == type && cache[i].bits == bits &&
		    cache[i].slot != slot && EVP_PKEY_eq(cache[i].k, k) == 1)
			return 1;
	ERR_clear_error();
	return 0;
}

EVP_PKEY *certgen_key(enum certgen_key type, int bits, int slot)
{
	if (type == CERTGEN_EC_P256)
		bits = 256;
	if (slot < 0 || slot > CERTGEN_MAX_SLOT) {
		fprintf(stderr, "certgen: key slot %d is out of range 0..%d\n", slot,
			CERTGEN_MAX_SLOT);
		return NULL;
	}
	for (size_t i = 0; i < ncache; i++) {
		if (cache[i].type == (int)type && cache[i].bits == bits &&
		    cache[i].slot == slot) {
			EVP_PKEY_up_ref(cache[i].k);
			return cache[i].k;
		}
	}
	if (ncache == capcache) {
		size_t cap = capcache ? 2 * capcache : 16;
		struct cached_key *c = realloc(cache, cap * sizeof(*c));
		if (!c) {
			fprintf(stderr, "certgen: out of memory for the key cache\n");
			return NULL;
		}
		cache = c;
		capcache = cap;
	}
	char *dir = key_dir();
	char *path = dir ? key_file(dir, (int)type, bits, slot, "", "") : NULL;
	EVP_PKEY *k = path ? load_key_file(path) : NULL;
	if (k && (!key_fits(k, (int)type, bits) ||
		  taken_by_other_slot(k, (int)type, bits, slot))) {
		fprintf(stderr, "certgen: %s is not an %s %d-bit key of its own slot, "
			"making a new one\n", path,
			type == CERTGEN_EC_P256 ? "EC" : "RSA", bits);
		EVP_PKEY_free(k);
		k = NULL;
	}
	if (!k) {
		/* generated keys of different slots differ, but check anyway */
		do {
			EVP_PKEY_free(k);
			k = gen_key((int)type, bits);
		} while (k && taken_by_other_slot(k, (int)type, bits, slot));
		if (k && path)
			save_key_file(dir, path, (int)type, bits, slot, k);
	}
	free(path);
	free(dir);
	if (!k)
		return NULL;
	cache[ncache].type = (int)type;
	cache[ncache].bits = bits;
	cache[ncache].slot = slot;
	cache[ncache].k = k;
	ncache++;
	EVP_PKEY_up_ref(k);
	return k;
}

static EVP_PKEY *get_key(const struct certgen_opts *o)
{
	if (o->key) {
		EVP_PKEY_up_ref(o->key);
		return o->key;
	}
	int bits = o->key_type == CERTGEN_RSA ? o->key_bits : 256;
	if (o->fresh_key)
		return gen_key(o->key_type, bits);
	return certgen_key(o->key_type, bits, o->key_slot);
}

void certgen_cleanup(void)
{
	for (size_t i = 0; i < ncache; i++)
		EVP_PKEY_free(cache[i].k);
	free(cache);
	cache = NULL;
	ncache = capcache = 0;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e) {
		report(value);
		return -1;
	}
	int r = X509_add_ext(x, e, -1) ? 0 : -1;
	X509_EXTENSION_free(e);
	return r;
}

static int set_serial(X509 *x, const struct certgen_opts *o)
{
	ASN1_INTEGER *ai = NULL;
	if (o->serial && o->serial_len) {
		/* The bytes are DER content: two's complement, big endian. */
		unsigned char der[64];
		if (o->serial_len > sizeof(der) - 2)
			return -1;
		der[0] = V_ASN1_INTEGER;
		der[1] = (unsigned char)o->serial_len;
		memcpy(der + 2, o->serial, o->serial_len);
		const unsigned char *p = der;
		ai = d2i_ASN1_INTEGER(NULL, &p, (long)(o->serial_len + 2));
		if (!ai) {
			/* Non-minimal encodings: build from the value. */
			ERR_clear_error();
			BIGNUM *bn = BN_bin2bn(o->serial, (int)o->serial_len, NULL);
			ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
			BN_free(bn);
		}
	} else {
		unsigned char r[16];
		if (RAND_bytes(r, sizeof(r)) != 1)
			return -1;
		r[0] &= 0x7f;
		r[0] |= 0x10;
		BIGNUM *bn = BN_bin2bn(r, sizeof(r), NULL);
		ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
		BN_free(bn);
	}
	if (!ai)
		return -1;
	int ok = X509_set_serialNumber(x, ai);
	ASN1_INTEGER_free(ai);
	return ok ? 0 : -1;
}

int certgen_make(const struct certgen_opts *o, X509 **cert, EVP_PKEY **keyp)
{
	*cert = NULL;
	if (keyp)
		*keyp = NULL;
	EVP_PKEY *key = get_key(o);
	if (!key)
		return -1;
	X509 *x = X509_new();
	if (!x)
		goto fail;
	X509_set_version(x, 2);
	if (set_serial(x, o) != 0) {
		report("serial");
		goto fail;
	}
	X509_gmtime_adj(X509_getm_notBefore(x), o->not_before);
	X509_gmtime_adj(X509_getm_notAfter(x), o->not_after);
	X509_NAME *n = X509_get_subject_name(x);
	if (o->org)
		X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
					   (const unsigned char *)o->org, -1, -1, 0);
	if (o->cn)
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
					   (const unsigned char *)o->cn, -1, -1, 0);
	if (!o->cn && !o->org)
		X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_UTF8,
					   (const unsigned char *)"no cn", -1, -1, 0);
	X509 *issuer = o->issuer ? o->issuer : x;
	X509_set_issuer_name(x, X509_get_subject_name(issuer));
	X509_set_pubkey(x, key);

	if (!o->no_basic_constraints &&
	    add_ext(x, o->issuer, NID_basic_constraints,
		    o->ca ? "critical,CA:TRUE" : "CA:FALSE") != 0)
		goto fail;
	if (add_ext(x, o->issuer, NID_subject_key_identifier, "hash") != 0)
		goto fail;
	if (o->issuer &&
	    add_ext(x, o->issuer, NID_authority_key_identifier, "keyid:always") != 0)
		goto fail;
	if (o->ku != CERTGEN_KU_NONE) {
		static const struct { int bit; const char *name; } KU[] = {
			{ KU_DIGITAL_SIGNATURE, "digitalSignature" },
			{ KU_NON_REPUDIATION, "nonRepudiation" },
			{ KU_KEY_ENCIPHERMENT, "keyEncipherment" },
			{ KU_DATA_ENCIPHERMENT, "dataEncipherment" },
			{ KU_KEY_AGREEMENT, "keyAgreement" },
			{ KU_KEY_CERT_SIGN, "keyCertSign" },
			{ KU_CRL_SIGN, "cRLSign" },
		};
		char v[256] = "critical";
		for (size_t i = 0; i < sizeof(KU) / sizeof(KU[0]); i++) {
			if (o->ku & KU[i].bit) {
				strcat(v, ",");
				strcat(v, KU[i].name);
			}
		}
		if (strcmp(v, "critical") == 0)
			strcat(v, ",encipherOnly");   /* KU present, nothing useful */
		if (add_ext(x, o->issuer, NID_key_usage, v) != 0)
			goto fail;
	}
	if (o->eku) {
		char v[128] = "";
		if (o->eku & CERTGEN_EKU_SERVER)
			strcat(v, "serverAuth,");
		if (o->eku & CERTGEN_EKU_CLIENT)
			strcat(v, "clientAuth,");
		if (o->eku & CERTGEN_EKU_CODESIGN)
			strcat(v, "codeSigning,");
		v[strlen(v) - 1] = 0;
		if (add_ext(x, o->issuer, NID_ext_key_usage, v) != 0)
			goto fail;
	}
	if (o->san_dns[0]) {
		char v[1024] = "";
		for (int i = 0; i < 8 && o->san_dns[i]; i++) {
			if (i)
				strcat(v, ",");
			strncat(v, "DNS:", sizeof(v) - strlen(v) - 1);
			strncat(v, o->san_dns[i], sizeof(v) - strlen(v) - 1);
		}
		if (add_ext(x, o->issuer, NID_subject_alt_name, v) != 0)
			goto fail;
	}
	if (o->crl_url) {
		char v[1024];
		snprintf(v, sizeof(v), "URI:%s", o->crl_url);
		if (add_ext(x, o->issuer, NID_crl_distribution_points, v) != 0)
			goto fail;
	}
	EVP_PKEY *signer = o->issuer_key ? o->issuer_key : key;
	const EVP_MD *md = o->md ? o->md : EVP_sha256();
	if (EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519)
		md = NULL;
	if (!X509_sign(x, signer, md)) {
		report("signing");
		goto fail;
	}
	*cert = x;
	if (keyp)
		*keyp = key;
	else
		EVP_PKEY_free(key);
	return 0;
fail:
	X509_free(x);
	EVP_PKEY_free(key);
	return -1;
}

X509_CRL *certgen_crl(X509 *ca, EVP_PKEY *ca_key, X509 *const revoked[],
		      size_t nrevoked, long next_update_s)
{
	X509_CRL *crl = X509_CRL_new();
	if (!crl)
		return NULL;
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	ASN1_TIME *t = ASN1_TIME_new();
	X509_gmtime_adj(t, -3600);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, next_update_s);
	X509_CRL_set1_nextUpdate(crl, t);
	for (size_t i = 0; i < nrevoked; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked[i]));
		X509_gmtime_adj(t, -1800);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(crl, r);
	}
	ASN1_TIME_free(t);
	X509_CRL_sort(crl);
	if (!X509_CRL_sign(crl, ca_key, EVP_sha256())) {
		report("CRL signing");
		X509_CRL_free(crl);
		return NULL;
	}
	return crl;
}

unsigned char *certgen_pkcs7_der(X509 *const certs[], size_t n, size_t *len)
{
	PKCS7 *p7 = PKCS7_new();
	unsigned char *der = NULL;
	*len = 0;
	if (!p7 || !PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !PKCS7_content_new(p7, NID_pkcs7_data))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!PKCS7_add_certificate(p7, certs[i]))
			goto out;
	int l = i2d_PKCS7(p7, &der);
	if (l > 0)
		*len = (size_t)l;
	else
		der = NULL;
out:
	if (!der)
		report("PKCS#7");
	PKCS7_free(p7);
	return der;
}

int certgen_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w <= 0) {
			perror(path);
			close(fd);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd);
}

static int write_bio(const char *path, BIO *bio)
{
	char *p = NULL;
	long l = BIO_get_mem_data(bio, &p);
	int r = l >= 0 ? certgen_write_file(path, p, (size_t)l) : -1;
	BIO_free(bio);
	return r;
}

int certgen_write_pem(const char *path, X509 *const certs[], size_t n)
{
	BIO *bio = BIO_new(BIO_s_mem());
	for (size_t i = 0; i < n; i++)
		PEM_write_bio_X509(bio, certs[i]);
	return write_bio(path, bio);
}

int certgen_write_der(const char *path, X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	i2d_X509_bio(bio, x);
	return write_bio(path, bio);
}

int certgen_write_key(const char *path, EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
	return write_bio(path, bio);
}

int certgen_make_files(const struct certgen_opts *o, const char *cert_path,
		       const char *key_path)
{
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int rc = certgen_make(o, &x, &k);
	if (rc == 0)
		rc = certgen_write_pem(cert_path, &x, 1) ||
		     certgen_write_key(key_path, k) ? -1 : 0;
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}
