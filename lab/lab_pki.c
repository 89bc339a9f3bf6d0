/*
 * lab_pki.c - the lab CA's own material with OpenSSL: creating or loading
 * the root CA (RSA 3072, SHA-256), the HTTPS server certificate (127.0.0.1
 * + localhost), the administrator's client certificate and the password
 * files, in a directory that must be private first (lab_dir_check), plus
 * the certificate-building and PEM-writing helpers lab_issue.c shares.
 * Nothing here uses the client's PKI code: the lab checks the client with
 * its own.
 */
#include "lab.h"
#include "core/fsutil.h"
#include "core/privdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#define ROOT_CN "opsmgr-enroll lab root"
#define ROOT_DAYS (10 * 365)
#define SERVER_DAYS 825
#define PEM_CAP (1024u * 1024u)

void lab_ossl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e ? buf : "unknown error");
	ERR_clear_error();
}

/* Random printable password of n characters (malloc'd). */
static char *lab_random_password(size_t n)
{
	static const char alpha[] = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		"abcdefghijkmnopqrstuvwxyz23456789";
	const size_t na = sizeof(alpha) - 1;
	char *p = malloc(n + 1);
	size_t i = 0;

	if (!p)
		return NULL;
	while (i < n) {
		unsigned char b[32];

		if (RAND_bytes(b, sizeof(b)) != 1) {
			free(p);
			return NULL;
		}
		for (size_t k = 0; k < sizeof(b) && i < n; k++)
			if (b[k] < 256 - (256 % na))
				p[i++] = alpha[b[k] % na];
		OPENSSL_cleanse(b, sizeof(b));
	}
	p[n] = '\0';
	return p;
}

/* Positive random 16-byte serial whose first byte has no sign bit. */
static int set_random_serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[0] = (unsigned char)((b[0] & 0x6f) | 0x10);
	bn = BN_bin2bn(b, sizeof(b), NULL);
	if (!bn)
		return -1;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

char *lab_root_sha256(const struct lab_ctx *c)
{
	return lab_cert_sha256(c->root);
}

char *lab_cert_sha256(const X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *hex;

	if (!x || !X509_digest(x, EVP_sha256(), md, &n))
		return NULL;
	hex = malloc(n * 2 + 1);
	if (!hex)
		return NULL;
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + i * 2, 3, "%02X", md[i]);
	return hex;
}

/* ---- building certificates ------------------------------------------- */
static int add_ext(X509 *issuer, X509 *subject, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, subject, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(subject, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

int lab_add_exts(X509 *issuer, X509 *subject, const struct lab_ext *e)
{
	for (; e->nid; e++)
		if (add_ext(issuer, subject, e->nid, e->value))
			return -1;
	return 0;
}

X509 *lab_new_cert(X509_NAME *subject, X509_NAME *issuer, EVP_PKEY *pub,
		   long days)
{
	X509 *x = X509_new();

	if (!x || !X509_set_version(x, 2) || set_random_serial(x) ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, issuer) || !X509_set_pubkey(x, pub) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -600) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* ---- files ------------------------------------------------------------- */
int lab_write_pem(const char *path, enum lab_pem kind, const void *obj,
		  char *err, size_t errlen)
{
	BIO *b = BIO_new(kind == LAB_PEM_KEY ? BIO_s_secmem() : BIO_s_mem());
	int ok = b != NULL, rc = -1;
	char *data;
	long n;

	if (ok && (kind == LAB_PEM_CERT || kind == LAB_PEM_CERT_PRIVATE))
		ok = PEM_write_bio_X509(b, (X509 *)obj);
	else if (ok && kind == LAB_PEM_KEY)
		ok = PEM_write_bio_PrivateKey(b, (EVP_PKEY *)obj, NULL, NULL,
					      0, NULL, NULL);
	else if (ok)
		ok = PEM_write_bio_X509_REQ(b, (X509_REQ *)obj);
	if (!ok) {
		lab_ossl_err(err, errlen, kind == LAB_PEM_CERT ||
			     kind == LAB_PEM_CERT_PRIVATE ?
			     "cannot encode a certificate" : kind == LAB_PEM_KEY ?
			     "cannot encode a private key" :
			     "cannot encode a request");
	} else {
		n = BIO_get_mem_data(b, &data);
		rc = fs_write_atomic(path, data, (size_t)n,
				     kind == LAB_PEM_CERT ? 0644 : 0600, err,
				     errlen);
	}
	BIO_free(b);
	return rc;
}

char *lab_request_file(const struct lab_ctx *c, long id, const char *ext)
{
	char name[64];

	snprintf(name, sizeof(name), "requests/%ld.%s", id, ext);
	return lab_path(c, name);
}

char *lab_read_text(const char *path, size_t *len, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t n = 0;

	if (fs_read_file(path, PEM_CAP, &buf, &n, err, errlen))
		return NULL;
	if (len)
		*len = n;
	return (char *)buf;
}

/* ---- creation -------------------------------------------------------- */
/* What the root and the server certificate are made of. */
struct pair_spec {
	int bits;
	const char *org;            /* O= of the subject, or NULL */
	const char *cn;
	long days;
	int self_signed;            /* the root; else issued by c->root */
	const struct lab_ext *exts;
	const char *key_what, *cert_what;
	enum lab_pem cert_kind;     /* how the certificate file is written */
};

static const struct lab_ext ROOT_EXTS[] = {
	{ NID_basic_constraints, "critical,CA:TRUE" },
	{ NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature" },
	{ NID_subject_key_identifier, "hash" },
	{ 0, NULL }
};

static const struct lab_ext SERVER_EXTS[] = {
	{ NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1" },
	{ NID_key_usage, "critical,digitalSignature,keyEncipherment" },
	{ NID_ext_key_usage, "serverAuth" },
	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid:always" },
	{ 0, NULL }
};

/* The administrator: a client certificate no agent can have (the
 * management server compares the whole certificate, not its name). */
static const struct lab_ext ADMIN_EXTS[] = {
	{ NID_basic_constraints, "critical,CA:FALSE" },
	{ NID_key_usage, "critical,digitalSignature,keyEncipherment" },
	{ NID_ext_key_usage, "clientAuth" },
	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid:always" },
	{ 0, NULL }
};

static const struct pair_spec ROOT_SPEC = {
	3072, "opsmgr-enroll lab", ROOT_CN, ROOT_DAYS, 1, ROOT_EXTS,
	"cannot create the lab root key", "cannot create the lab root certificate",
	LAB_PEM_CERT
};

static const struct pair_spec SERVER_SPEC = {
	2048, NULL, "localhost", SERVER_DAYS, 0, SERVER_EXTS,
	"cannot create the lab server key",
	"cannot create the lab server certificate", LAB_PEM_CERT
};

static const struct pair_spec ADMIN_SPEC = {
	2048, "opsmgr-enroll lab", LAB_ADMIN_CN, SERVER_DAYS, 0, ADMIN_EXTS,
	"cannot create the lab administrator key",
	"cannot create the lab administrator certificate",
	LAB_PEM_CERT_PRIVATE
};

static int add_name(X509_NAME *n, const char *field, const char *value)
{
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_ASC,
					  (const unsigned char *)value, -1, -1,
					  0);
}

/* Make a key and its certificate, write both; the root's stay in c. */
static int create_pair(struct lab_ctx *c, const struct pair_spec *ps,
		       const char *kpath, const char *cpath, char *err,
		       size_t errlen)
{
	EVP_PKEY *k = EVP_RSA_gen((unsigned)ps->bits);
	X509_NAME *n = X509_NAME_new();
	X509 *x = NULL;
	int rc = -1;

	if (!k || !n || (ps->org && !add_name(n, "O", ps->org)) ||
	    !add_name(n, "CN", ps->cn)) {
		lab_ossl_err(err, errlen, ps->key_what);
		goto out;
	}
	x = lab_new_cert(n, ps->self_signed ? n : X509_get_subject_name(c->root),
			 k, ps->days);
	X509_NAME_free(n);    /* the certificate holds copies */
	n = NULL;
	if (!x || lab_add_exts(ps->self_signed ? x : c->root, x, ps->exts) ||
	    !X509_sign(x, ps->self_signed ? k : c->root_key, EVP_sha256())) {
		lab_ossl_err(err, errlen, ps->cert_what);
		goto out;
	}
	if (lab_write_pem(kpath, LAB_PEM_KEY, k, err, errlen) ||
	    lab_write_pem(cpath, ps->cert_kind, x, err, errlen))
		goto out;
	rc = 0;
out:
	X509_NAME_free(n);
	if (rc == 0 && ps->self_signed) {
		c->root = x;          /* the root stays with the lab */
		c->root_key = k;
	} else {
		X509_free(x);
		EVP_PKEY_free(k);
	}
	return rc;
}

static int ensure_secret_file(const char *path, int create, char **out,
			      char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;

	if (!fs_exists(path)) {
		char *pw;
		int rc;

		if (!create) {
			snprintf(err, errlen, "'%s' is missing (start the lab "
				 "in that directory first)", path);
			return -1;
		}
		pw = lab_random_password(24);
		if (!pw) {
			snprintf(err, errlen, "cannot make a random password");
			return -1;
		}
		rc = fs_write_atomic(path, pw, strlen(pw), 0600, err, errlen);
		if (rc || !out)
			fs_free_secret(pw, strlen(pw));
		else
			*out = pw;
		return rc;
	}
	if (!out)
		return 0;
	if (fs_read_file(path, 4096, &buf, &len, err, errlen))
		return -1;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	*out = (char *)buf;
	return 0;
}

/* Read the existing root key and certificate into c; they must match. */
static int load_root(struct lab_ctx *c, const char *kpath, const char *cpath,
		     char *err, size_t errlen)
{
	size_t keylen = 0;
	char *key = lab_read_text(kpath, &keylen, err, errlen);
	BIO *b;

	if (!key)
		return -1;
	b = BIO_new_mem_buf(key, (int)keylen);
	c->root_key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	fs_free_secret(key, keylen);
	if (!c->root_key) {
		lab_ossl_err(err, errlen, "cannot read the lab root key");
		return -1;
	}
	c->root_pem = lab_read_text(cpath, NULL, err, errlen);
	if (!c->root_pem)
		return -1;
	b = BIO_new_mem_buf(c->root_pem, -1);
	c->root = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (!c->root) {
		lab_ossl_err(err, errlen, "cannot read the lab root");
		return -1;
	}
	if (X509_check_private_key(c->root, c->root_key) != 1) {
		snprintf(err, errlen, "'%s' does not match '%s'", kpath, cpath);
		return -1;
	}
	return 0;
}

/* The files and folders of the lab directory lab_pki_init looks after. */
enum { P_CADIR, P_ROOT_KEY, P_ROOT, P_SERVER_KEY, P_SERVER, P_PASSWORD,
       P_PFX_PASSWORD, P_REQUESTS, P_AGENT, P_ADMINDIR, P_ADMIN_KEY, P_ADMIN,
       NPATHS };
static const char *const PATHS[NPATHS] = {
	"ca", "ca/root.key", "ca/root.pem", "ca/server.key", "ca/server.pem",
	"password", "pfx-password", "requests", "agent", "admin",
	LAB_ADMIN_KEY, LAB_ADMIN_CERT
};

int lab_dir_check(const struct lab_ctx *c, char *err, size_t errlen)
{
	static const char *const sub[] = { "ca", "admin" };
	char *p;
	int rc;

	if (privdir_check("lab directory", c->dir, err, errlen))
		return -1;
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		p = lab_path(c, sub[i]);
		if (!p) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		/* admin/ of a lab made before it existed is created later */
		rc = i == 1 && !fs_exists(p) ? 0 :
		     privdir_check("lab directory", p, err, errlen);
		free(p);
		if (rc)
			return -1;
	}
	return 0;
}

/* The administrator's certificate: made with a new root or when missing
 * (create), then its SHA-256 kept in c (none when it is missing). */
static int admin_init(struct lab_ctx *c, char *const *p, int create,
		      int new_root, char *err, size_t errlen)
{
	char *pem;
	BIO *b;
	X509 *x;

	if (create && (new_root || !fs_exists(p[P_ADMIN_KEY]) ||
		       !fs_exists(p[P_ADMIN])) &&
	    create_pair(c, &ADMIN_SPEC, p[P_ADMIN_KEY], p[P_ADMIN], err,
			errlen))
		return -1;
	if (!fs_exists(p[P_ADMIN]))
		return 0;
	pem = lab_read_text(p[P_ADMIN], NULL, err, errlen);
	if (!pem)
		return -1;
	b = BIO_new_mem_buf(pem, -1);
	x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	free(pem);
	free(c->admin_sha256);
	c->admin_sha256 = lab_cert_sha256(x);
	X509_free(x);
	if (!c->admin_sha256) {
		lab_ossl_err(err, errlen, "cannot read the lab administrator "
			     "certificate");
		return -1;
	}
	return 0;
}

int lab_pki_init(struct lab_ctx *c, int create, char *err, size_t errlen)
{
	char *p[NPATHS];
	int missing = 0, rc = -1, new_root = 0;

	for (int i = 0; i < NPATHS; i++)
		missing |= !(p[i] = lab_path(c, PATHS[i]));
	if (missing) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* DIR first (nothing is made in a directory others control), then
	 * what is in it */
	if (privdir_check("lab directory", c->dir, err, errlen)) {
		c->dir_refused = 1;     /* write nothing there, not even a log */
		goto out;
	}
	if (create && (fs_mkdir_p(p[P_CADIR], 0700, err, errlen) ||
		       fs_mkdir_p(p[P_REQUESTS], 0700, err, errlen) ||
		       fs_mkdir_p(p[P_AGENT], 0700, err, errlen) ||
		       fs_mkdir_p(p[P_ADMINDIR], 0700, err, errlen)))
		goto out;
	if (lab_dir_check(c, err, errlen))
		goto out;
	if (!fs_exists(p[P_ROOT_KEY]) || !fs_exists(p[P_ROOT])) {
		if (!create) {
			snprintf(err, errlen, "'%s' has no lab CA (start the "
				 "lab in that directory first)", c->dir);
			goto out;
		}
		if (create_pair(c, &ROOT_SPEC, p[P_ROOT_KEY], p[P_ROOT], err,
				errlen))
			goto out;
		new_root = 1;
	} else if (load_root(c, p[P_ROOT_KEY], p[P_ROOT], err, errlen)) {
		goto out;
	}
	if (!c->root_pem &&
	    !(c->root_pem = lab_read_text(p[P_ROOT], NULL, err, errlen)))
		goto out;
	if (new_root || !fs_exists(p[P_SERVER_KEY]) ||
	    !fs_exists(p[P_SERVER])) {
		if (!create) {
			snprintf(err, errlen, "'%s' is missing", p[P_SERVER]);
			goto out;
		}
		if (create_pair(c, &SERVER_SPEC, p[P_SERVER_KEY], p[P_SERVER],
				err, errlen))
			goto out;
	}
	if (create) {
		c->server_pem = lab_read_text(p[P_SERVER], NULL, err, errlen);
		c->server_key_pem = c->server_pem ?
			lab_read_text(p[P_SERVER_KEY], &c->server_key_len, err,
				      errlen) : NULL;
		if (!c->server_key_pem)
			goto out;
	}
	if (admin_init(c, p, create, new_root, err, errlen))
		goto out;
	if (!c->crl && !(c->crl = lab_crl_cache_new())) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (ensure_secret_file(p[P_PASSWORD], create, &c->password, err,
			       errlen) ||
	    ensure_secret_file(p[P_PFX_PASSWORD], create, NULL, err, errlen))
		goto out;
	rc = 0;
out:
	for (int i = 0; i < NPATHS; i++)
		free(p[i]);
	return rc;
}
